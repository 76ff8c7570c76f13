"""The template version a workbook follows, recorded in the workbook itself.

Where: a custom document property ``xlgrade_template_version`` (``docProps/custom.xml``,
Excel's 文件 → 信息 → 属性 → 高级属性 → 自定义). Why there and not a defined name or a hidden
cell: Excel keeps custom properties on every save; LibreOffice Calc keeps them through an
.xlsx round trip (it shows them under 文件 → 属性 → 自定义属性; checked by
``tests/test_upgrade.py::test_marker_survives_calc``); they are not in the Name Manager,
the formula bar or any sheet, so sorting, deleting rows or a "clean up names" never removes
them; and the part-by-part writer copies ``docProps/custom.xml`` byte for byte, so the
monthly job keeps it. A workbook without it was made by a release before versions existed:
version 0.

What the version says: :data:`TEMPLATE_VERSION` counts the releases whose templates differ.
It is not the list of changes: what an upgrade adds is always derived by comparing the
workbook with the sheet declaration and a fresh template (:mod:`xlgrade.workbook.upgrade`).
:data:`FINGERPRINT` is a digest of that declaration (sheets, tables, columns, formulas,
drop-downs, card fields, rule keys); a test fails when the declaration changes and the
version was not bumped, and ``python -m xlgrade.workbook.version`` prints the digest to put
in, so a template never changes without older workbooks being offered the upgrade.
"""

from __future__ import annotations

import hashlib
import re
import sys
from typing import TYPE_CHECKING

from xlgrade.workbook import contenttypes, rels
from xlgrade.workbook.xmlscan import XML_DECL, children, esc, esc_attr, insert_child, root_elem, unesc

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

TEMPLATE_VERSION = 2
FINGERPRINT = "3041ae9c2311"
PROPERTY = "xlgrade_template_version"
REL_CUSTOM = rels.NS_REL + "/custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every user-defined property has
_VALUE = re.compile(r"<(?:\w+:)?(?:lpwstr|lpstr|i4|i8|int|r8|decimal)>([^<]*)<")


def fingerprint() -> str:
    """A digest of what the templates are built from: the sheet declaration, the cards' fields
    and the rule keys (not texts or widths: those are no reason to upgrade)."""
    from xlgrade.engine.rules import RuleBook
    from xlgrade.schema.sheets import SHEETS
    from xlgrade.workbook import cards

    parts: list[object] = []
    for sheet in SHEETS.values():
        columns = [(c.key, c.type, c.computed, c.formula, c.method_formulas, c.choices) for c in sheet.columns]
        parts.append((sheet.key, sheet.zh, sheet.en, sheet.kind, sheet.table, columns))
    for key, card in cards.CARDS.items():
        parts.append((key, repr(card)))
    parts.append(sorted(spec.key for spec in RuleBook.specs()))
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:12]


def _part(pkg: Package) -> str | None:
    return next((r.part for r in rels.read(pkg, "") if r.type == REL_CUSTOM and r.part), None)


def read(pkg: Package) -> int:
    """The workbook's template version; 0 without the property (or with one that is not a number)."""
    part = _part(pkg)
    if part is None or not pkg.exists(part):
        return 0
    xml = pkg.text(part)
    root = root_elem(xml)
    for el in children(xml, root):
        if el.name == "property" and el.attrs.get("name", "") == PROPERTY:
            m = _VALUE.search(xml, el.tag_end, el.end)
            text = unesc(m.group(1)).strip() if m else ""
            return int(text) if text.isdigit() else 0
    return 0


def write(pkg: Package, version: int = TEMPLATE_VERSION) -> None:
    """Record ``version``; every other custom property stays as it was."""
    value = f"<vt:lpwstr>{esc(str(version))}</vt:lpwstr>"
    part = _part(pkg)
    if part is None or not pkg.exists(part):
        part = part or "docProps/custom.xml"
        pkg.write(
            part,
            f'{XML_DECL}<Properties xmlns="{NS_CUSTOM}" xmlns:vt="{NS_VT}">'
            f'<property fmtid="{FMTID}" pid="2" name="{PROPERTY}">{value}</property></Properties>',
        )
        contenttypes.set_override(pkg, part, CT_CUSTOM)
        if _part(pkg) is None:
            rels.add(pkg, "", REL_CUSTOM, part)
        return
    xml = pkg.text(part)
    root = root_elem(xml)
    kids = children(xml, root)
    vt_bound = "xmlns:vt=" in xml[root.start : root.tag_end]
    element_value = value if vt_bound else value.replace("<vt:lpwstr>", f'<vt:lpwstr xmlns:vt="{NS_VT}">')
    for el in kids:
        if el.name == "property" and el.attrs.get("name", "") == PROPERTY:
            tag = xml[el.start : el.tag_end]
            tag = tag[:-2].rstrip() + ">" if el.empty else tag
            pkg.write(part, xml[: el.start] + tag + element_value + f"</{el.p}property>" + xml[el.end :])
            return
    pids = [int(k.attrs.get("pid", "1")) for k in kids if k.attrs.get("pid", "").isdigit()]
    element = (
        f'<property fmtid="{FMTID}" pid="{max([1, *pids]) + 1}" name="{esc_attr(PROPERTY)}">{element_value}</property>'
    )
    pkg.write(part, insert_child(xml, root, kids, "property", element, ("property",)))


def main() -> int:
    print(f"TEMPLATE_VERSION = {TEMPLATE_VERSION}\nFINGERPRINT = {fingerprint()!r}  (recorded: {FINGERPRINT!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
