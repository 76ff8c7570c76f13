"""The workbook part (``xl/workbook.xml``): its sheets, defined names and calculation settings.

Owns finding the workbook part, the list of sheets (name, worksheet part, position, state)
and adding an empty worksheet to it, the 1904 date system flag, defined names (print areas
among them), ``calcPr`` (:func:`trust_cached_values`) and dropping the calculation chain.
Every edit keeps every other byte of workbook.xml. Every function takes the
:class:`~xlgrade.workbook.package.Package` whose parts it reads and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlgrade.errors import PackageError
from xlgrade.workbook import contenttypes, rels
from xlgrade.workbook.cellxml import parse_range, quote_sheet, range_ref
from xlgrade.workbook.xmlscan import (
    XML_DECL,
    Elem,
    children,
    esc,
    esc_attr,
    insert_child,
    ns_prefix,
    root_elem,
    set_attr,
    unesc,
)

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
WORKBOOK_ORDER = (
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
)

# The calculation engine of current Excel (2019 / 365). A file saved by an older engine (a
# lower calcId) is recalculated in full when Excel opens it.
CALC_ID = 191029


@dataclass(frozen=True)
class DefinedName:
    name: str
    value: str
    local_sheet: int | None


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str | None  # None for a sheet that is not a worksheet (chart sheet ...)
    index: int  # position in <sheets> (localSheetId)
    state: str


def find_workbook(pkg: Package) -> str:
    """The workbook part: the package's officeDocument relationship, else xl/workbook.xml."""
    for rel in rels.read(pkg, ""):
        if rel.type == rels.REL_OFFICE_DOC and rel.part:
            return rel.part
    if pkg.exists("xl/workbook.xml"):
        return "xl/workbook.xml"
    raise PackageError(f"{pkg.path.name}: no workbook part in the package")


def check_not_strict(pkg: Package) -> None:
    if NS_STRICT_MAIN in pkg.text(pkg.workbook)[:2000]:
        raise PackageError(
            f"{pkg.path.name}: Strict Open XML workbooks are not supported; "
            "save it as an ordinary Excel workbook (.xlsx)"
        )


def _children(pkg: Package) -> tuple[str, Elem, list[Elem]]:
    """(text, root, top-level children) of the workbook part, located once per version of it."""
    xml, root, kids = pkg.memo("workbookxml.children", (pkg.workbook,), lambda: _located(pkg.text(pkg.workbook)))
    return xml, root, list(kids)


def _located(xml: str) -> tuple[str, Elem, tuple[Elem, ...]]:
    root = root_elem(xml)
    return xml, root, tuple(children(xml, root))


def _read_parts(pkg: Package) -> tuple[str, ...]:
    """The parts what is read here comes from: the workbook part and its relationships."""
    return (pkg.workbook, rels.rels_name(pkg.workbook))


def sheets(pkg: Package) -> list[SheetInfo]:
    """The sheets in tab order; parsed once per version of the workbook part and its rels."""
    return list(pkg.memo("workbookxml.sheets", _read_parts(pkg), lambda: tuple(_sheets(pkg))))


def _sheets(pkg: Package) -> list[SheetInfo]:
    xml, root, kids = _children(pkg)
    by_id = {r.id: r for r in rels.read(pkg, pkg.workbook)}
    out: list[SheetInfo] = []
    for kid in kids:
        if kid.name != "sheets":
            continue
        for i, el in enumerate(e for e in children(xml, kid) if e.name == "sheet"):
            a = el.attrs
            rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), "")
            rel = by_id.get(rid)
            part = rel.part if rel and rel.type == rels.REL_WORKSHEET else None
            out.append(SheetInfo(a.get("name", ""), part, i, a.get("state", "visible")))
    return out


def sheet_names(pkg: Package) -> list[str]:
    return [s.name for s in sheets(pkg)]


def sheet(pkg: Package, name: str) -> SheetInfo:
    for s in sheets(pkg):
        if s.name == name:
            return s
    raise PackageError(
        f"{pkg.path.name}: no sheet named {name!r} (找不到工作表); sheets: {', '.join(sheet_names(pkg))}"
    )


def sheet_part(pkg: Package, name: str) -> str:
    info = sheet(pkg, name)
    if info.part is None:
        raise PackageError(f"{pkg.path.name}: sheet {name!r} is not a worksheet")
    return info.part


def date1904(pkg: Package) -> bool:
    return bool(pkg.memo("workbookxml.date1904", _read_parts(pkg), lambda: _date1904(pkg)))


def _date1904(pkg: Package) -> bool:
    xml, _, kids = _children(pkg)
    for kid in kids:
        if kid.name == "workbookPr":
            return kid.attrs.get("date1904", "0").lower() in ("1", "true")
    return False


def defined_names(pkg: Package) -> list[DefinedName]:
    return list(pkg.memo("workbookxml.defined_names", _read_parts(pkg), lambda: tuple(_defined_names(pkg))))


def _defined_names(pkg: Package) -> list[DefinedName]:
    xml, _, kids = _children(pkg)
    out = []
    for kid in kids:
        if kid.name == "definedNames":
            for el in children(xml, kid):
                if el.name == "definedName":
                    a = el.attrs
                    local = a.get("localSheetId")
                    value = "" if el.empty else unesc(xml[el.tag_end : el.inner_end(xml)])
                    out.append(DefinedName(a.get("name", ""), value, int(local) if local else None))
    return out


def set_defined_name(pkg: Package, name: str, value: str | None, local_sheet: int | None = None) -> None:
    """Set (or with None remove) a defined name, keeping every other byte of workbook.xml."""
    xml, root, kids = _children(pkg)
    holder = next((k for k in kids if k.name == "definedNames"), None)
    p = root.p
    element = (
        ""
        if value is None
        else (
            f'<{p}definedName name="{esc_attr(name)}"'
            + (f' localSheetId="{local_sheet}"' if local_sheet is not None else "")
            + f">{esc(value)}</{p}definedName>"
        )
    )
    if holder is not None:
        for el in children(xml, holder):
            a = el.attrs
            local = a.get("localSheetId")
            if (
                el.name == "definedName"
                and a.get("name", "").lower() == name.lower()
                and (int(local) if local else None) == local_sheet
            ):
                if value is None:
                    new = xml[: el.start] + xml[el.end :]
                else:
                    new = (
                        xml[: el.tag_end] + esc(value) + xml[el.inner_end(xml) :]
                        if not el.empty
                        else xml[: el.start] + element + xml[el.end :]
                    )
                pkg.write(pkg.workbook, new)
                return
        if value is None:
            return
        pkg.write(
            pkg.workbook, insert_child(xml, holder, children(xml, holder), "definedName", element, ("definedName",))
        )
        return
    if value is None:
        return
    pkg.write(
        pkg.workbook,
        insert_child(xml, root, kids, "definedNames", f"<{p}definedNames>{element}</{p}definedNames>", WORKBOOK_ORDER),
    )


def print_area(pkg: Package, sheet_name: str) -> str | None:
    idx = sheet(pkg, sheet_name).index
    for d in defined_names(pkg):
        if d.name.lower() == "_xlnm.print_area" and d.local_sheet == idx:
            return d.value
    return None


def set_print_area(pkg: Package, sheet_name: str, ref: str | None) -> None:
    """Set the sheet's print area to ``ref`` ("A1:F40"; None removes it)."""
    idx = sheet(pkg, sheet_name).index
    value = None
    if ref is not None:
        r1, c1, r2, c2 = parse_range(ref)
        value = f"{quote_sheet(sheet_name)}!{range_ref(r1, c1, r2, c2, absolute=True)}"
    set_defined_name(pkg, "_xlnm.Print_Area", value, idx)


def drop_calc_chain(pkg: Package) -> None:
    """Remove xl/calcChain.xml: Excel rebuilds it, and a stale one (listing cells that no
    longer hold formulas) makes Excel "repair" the file."""
    for rel in rels.read(pkg, pkg.workbook):
        if rel.type == rels.REL_CALC_CHAIN:
            rels.remove(pkg, pkg.workbook, rel.id)
            if rel.part:
                rels.remove_tree(pkg, rel.part)


def trust_cached_values(pkg: Package) -> None:
    """Declare that every formula's cached result is current (see :data:`CALC_ID`).

    Sets ``calcPr`` to the current calculation engine and removes ``fullCalcOnLoad``, so
    Excel shows the cached results on open instead of recalculating (which, on a PC
    without the add-in, would turn every 客户等级 into #NAME?), and LibreOffice, which
    honours ``fullCalcOnLoad``, keeps them too.
    """
    xml, root, kids = _children(pkg)
    calc = next((k for k in kids if k.name == "calcPr"), None)
    if calc is None:
        pkg.write(
            pkg.workbook,
            insert_child(xml, root, kids, "calcPr", f'<{root.p}calcPr calcId="{CALC_ID}"/>', WORKBOOK_ORDER),
        )
        return
    tag = xml[calc.start : calc.tag_end]
    new = set_attr(set_attr(tag, "calcId", str(CALC_ID)), "fullCalcOnLoad", None)
    if new != tag:
        pkg.write(pkg.workbook, xml[: calc.start] + new + xml[calc.tag_end :])


def add_sheet(
    pkg: Package, name: str, *, position: int | None = None, xml: str | None = None, state: str = "visible"
) -> str:
    """Add a worksheet named ``name`` (empty, or the worksheet part ``xml``; ``state`` hidden ...).

    ``position`` (0-based) puts its tab there instead of last; the sheet-local defined names
    (print areas, print titles) and the active and first tabs of the sheets after it follow
    their sheets."""
    if any(s.name.lower() == name.lower() for s in sheets(pkg)):
        raise PackageError(f"{pkg.path.name}: a sheet named {name!r} already exists")
    if len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
        raise PackageError(f"{name!r} is not a valid sheet name")
    part = pkg.free_name("xl/worksheets/sheet{}.xml")
    pkg.write(
        part,
        xml
        or f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{rels.NS_REL}"><dimension ref="A1"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>",
    )
    contenttypes.set_override(pkg, part, contenttypes.CT_WORKSHEET)
    rid = rels.add(pkg, pkg.workbook, rels.REL_WORKSHEET, part)
    xml, root, kids = _children(pkg)
    holder = next(k for k in kids if k.name == "sheets")
    ids = [int(e.attrs.get("sheetId", "0")) for e in children(xml, holder) if e.name == "sheet"]
    r = ns_prefix(xml[root.start : root.tag_end], rels.NS_REL)
    rattr = f"{r}:id" if r else f'xmlns:xr_="{rels.NS_REL}" xr_:id'
    hidden = f' state="{esc_attr(state)}"' if state != "visible" else ""
    element = f'<{root.p}sheet name="{esc_attr(name)}" sheetId="{max(ids, default=0) + 1}"{hidden} {rattr}="{rid}"/>'
    listed = [e for e in children(xml, holder) if e.name == "sheet"]
    if position is None or position >= len(listed):
        pkg.write(pkg.workbook, insert_child(xml, holder, children(xml, holder), "sheet", element, ("sheet",)))
        return part
    at = listed[max(position, 0)].start
    pkg.write(pkg.workbook, xml[:at] + element + xml[at:])
    _shift_tabs(pkg, max(position, 0))
    return part


def _shift_tabs(pkg: Package, position: int) -> None:
    """After a sheet was inserted at ``position``: local names and tab indices from there on move by one."""
    xml, root, kids = _children(pkg)
    edits: list[tuple[int, int, str]] = []  # (start, end, new start tag)
    for kid in kids:
        if kid.name == "definedNames":
            for el in children(xml, kid):
                local = el.attrs.get("localSheetId")
                if el.name == "definedName" and local and local.isdigit() and int(local) >= position:
                    edits.append(
                        (
                            el.start,
                            el.tag_end,
                            set_attr(xml[el.start : el.tag_end], "localSheetId", str(int(local) + 1)),
                        )
                    )
        elif kid.name == "bookViews":
            for el in children(xml, kid):
                tag = xml[el.start : el.tag_end]
                new = tag
                for attr in ("activeTab", "firstSheet"):
                    value = el.attrs.get(attr)
                    if value and value.isdigit() and int(value) >= position and (attr == "activeTab" or int(value) > 0):
                        new = set_attr(new, attr, str(int(value) + 1))
                if new != tag:
                    edits.append((el.start, el.tag_end, new))
    for start, end, tag in sorted(edits, reverse=True):
        xml = xml[:start] + tag + xml[end:]
    if edits:
        pkg.write(pkg.workbook, xml)
