"""Style indices for the cells xlgrade writes: the palette sheet's roles and the styles part.

Owns :func:`palette` (each role's style index, read from row 1 of the hidden palette
sheet, see :mod:`xlgrade.workbook.styles`) and :func:`number_style`, which finds or adds a
plain ``cellXfs`` entry with a built-in number format in ``xl/styles.xml`` for a workbook
whose palette lacks a role. Takes the :class:`~xlgrade.workbook.package.Package` whose
parts it reads and writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlgrade.workbook import rels, workbookxml, worksheets
from xlgrade.workbook.styles import PALETTE_SHEET, ROLES
from xlgrade.workbook.xmlscan import children, insert_child, root_elem, set_attr

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package


def palette(pkg: Package) -> tuple[dict[str, int], set[str]]:
    """({role: style index} with 0 for a missing role, the roles the palette sheet has)."""
    found: dict[str, int] = {}
    if PALETTE_SHEET in workbookxml.sheet_names(pkg):
        for value, style in worksheets.row_values(pkg, PALETTE_SHEET, 1).values():
            if isinstance(value, str) and value.strip() in ROLES:
                found.setdefault(value.strip(), style)
    return {role: found.get(role, 0) for role in ROLES}, set(found)


def number_style(pkg: Package, num_fmt_id: int) -> int:
    """A cell style (index in cellXfs) showing numbers with built-in format ``num_fmt_id``.

    Used only when the palette sheet lacks a role, so dates still show as dates.
    """
    part = next((r.part for r in rels.read(pkg, pkg.workbook) if r.type == rels.REL_STYLES and r.part), None)
    if part is None or not pkg.exists(part):
        return 0
    xml = pkg.text(part)
    root = root_elem(xml)
    xfs = next((k for k in children(xml, root) if k.name == "cellXfs"), None)
    if xfs is None:
        return 0
    kids = [k for k in children(xml, xfs) if k.name == "xf"]
    for i, k in enumerate(kids):
        a = k.attrs
        if (
            a.get("numFmtId") == str(num_fmt_id)
            and a.get("fontId", "0") == "0"
            and a.get("fillId", "0") == "0"
            and a.get("borderId", "0") == "0"
            and k.empty
        ):
            return i
    element = f'<{xfs.p}xf numFmtId="{num_fmt_id}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    xml = insert_child(xml, xfs, kids, "xf", element, ("xf",))
    root = root_elem(xml)
    xfs = next(k for k in children(xml, root) if k.name == "cellXfs")
    tag = set_attr(xml[xfs.start : xfs.tag_end], "count", str(len(kids) + 1))
    pkg.write(part, xml[: xfs.start] + tag + xml[xfs.tag_end :])
    return len(kids)
