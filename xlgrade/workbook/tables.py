"""Table parts (``xl/tables/tableN.xml``): the Excel tables on a sheet.

Owns listing a sheet's tables, a table's ref and column names, creating a table part (with
its relationship, content type and the sheet's ``tableParts`` entry) and updating one to a
new ref and header row: known columns keep their XML (ids, formulas, formats), new ones are
added, the auto filter is reset. Every function takes the
:class:`~xlgrade.workbook.package.Package` whose parts it reads and writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlgrade.errors import PackageError
from xlgrade.workbook import contenttypes, rels, workbookxml
from xlgrade.workbook.cellxml import escape_x_name, unescape_x
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.xmlscan import XML_DECL, Elem, children, esc_attr, insert_child, root_elem, set_attr

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

NEW_TABLE_STYLE = "TableStyleMedium2"


def tables(pkg: Package, sheet_name: str) -> dict[str, str]:
    """{table name: part} of the tables on a sheet."""
    part = workbookxml.sheet_part(pkg, sheet_name)
    out = {}
    for rel in rels.read(pkg, part):
        if rel.type == rels.REL_TABLE and rel.part and pkg.exists(rel.part):
            xml = pkg.text(rel.part)
            name = root_elem(xml).attrs.get("name", "")
            out[name] = rel.part
    return out


def all_tables(pkg: Package) -> list[tuple[str, str, int]]:
    """(part, name, id) of every table in the workbook."""
    out = []
    for name in pkg.names():
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            a = root_elem(pkg.text(name)).attrs
            out.append((name, a.get("name", ""), int(a.get("id", "0") or 0)))
    return out


def table_info(pkg: Package, sheet_name: str, table_name: str) -> tuple[str, list[str]] | None:
    """(ref, column names) of a table on a sheet, or None."""
    part = table_part(pkg, sheet_name, table_name)
    if part is None:
        return None
    return table_info_of(pkg, part)


def table_info_of(pkg: Package, part: str) -> tuple[str, list[str]]:
    """(ref, column names) of the table part ``part``."""
    xml = pkg.text(part)
    root = root_elem(xml)
    names = []
    for kid in children(xml, root):
        if kid.name == "tableColumns":
            names = [el.attrs.get("name", "") for el in children(xml, kid) if el.name == "tableColumn"]
    return root.attrs.get("ref", ""), [unescape_x(n) for n in names]


def table_part(pkg: Package, sheet_name: str, table_name: str) -> str | None:
    """The part of the sheet's table named ``table_name`` (ignoring case), or None."""
    for name, part in tables(pkg, sheet_name).items():
        if name.lower() == table_name.lower():
            return part
    return None


def new_table(pkg: Package, sheet_part: str, table_name: str) -> str:
    """A new one-column table part on a sheet (to be given its ref by :func:`update`)."""
    taken = {n.lower() for _, n, _ in all_tables(pkg)} | {d.name.lower() for d in workbookxml.defined_names(pkg)}
    if table_name.lower() in taken:
        raise PackageError(f"{pkg.path.name}: the name {table_name!r} is already used by another table or defined name")
    tid = max((i for _, _, i in all_tables(pkg)), default=0) + 1
    part = pkg.free_name("xl/tables/table{}.xml")
    pkg.write(
        part,
        f'{XML_DECL}<table xmlns="{workbookxml.NS_MAIN}" id="{tid}" name="{esc_attr(table_name)}" '
        f'displayName="{esc_attr(table_name)}" ref="A1:A2" totalsRowShown="0">'
        '<autoFilter ref="A1:A2"/><tableColumns count="1"><tableColumn id="1" name="x"/>'
        f'</tableColumns><tableStyleInfo name="{NEW_TABLE_STYLE}" showFirstColumn="0" '
        'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>',
    )
    contenttypes.set_override(pkg, part, contenttypes.CT_TABLE)
    rid = rels.add(pkg, sheet_part, rels.REL_TABLE, part)
    xml = pkg.text(sheet_part)
    ws = Worksheet(xml)
    holder = ws.child("tableParts")
    r = ws.rel_prefix()
    rattr = f"{r}:id" if r else f'xmlns:xr_="{rels.NS_REL}" xr_:id'
    el = f'<{ws.p}tablePart {rattr}="{rid}"/>'
    if holder is None:
        xml = ws.insert(xml, "tableParts", f'<{ws.p}tableParts count="1">{el}</{ws.p}tableParts>')
    else:
        kids = [k for k in children(xml, holder) if k.name == "tablePart"]
        xml = insert_child(xml, holder, kids, "tablePart", el, ("tablePart",))
        h2 = Worksheet(xml).child("tableParts")
        assert h2 is not None  # holder was found just above
        tag = set_attr(xml[h2.start : h2.tag_end], "count", str(len(kids) + 1))
        xml = xml[: h2.start] + tag + xml[h2.tag_end :]
    pkg.write(sheet_part, xml)
    return part


def update(pkg: Package, part: str, ref: str, headers: list[str]) -> None:
    """Give a table part a new ref and header row; columns whose name stays keep their XML."""
    xml = pkg.text(part)
    root = root_elem(xml)
    p = root.p
    kids = children(xml, root)
    old_cols: list[Elem] = []
    cols_el = next((k for k in kids if k.name == "tableColumns"), None)
    if cols_el is not None:
        old_cols = [k for k in children(xml, cols_el) if k.name == "tableColumn"]
    by_name: dict[str, Elem] = {}
    for el in old_cols:
        by_name.setdefault(unescape_x(el.attrs.get("name", "")).lower(), el)
    next_id = max((int(el.attrs.get("id", "0") or 0) for el in old_cols), default=0) + 1
    columns = []
    for h in headers:
        kept = by_name.pop(h.lower(), None)
        if kept is not None:
            columns.append(xml[kept.start : kept.end])
        else:
            columns.append(f'<{p}tableColumn id="{next_id}" name="{esc_attr(escape_x_name(h))}"/>')
            next_id += 1
    new_cols = f'<{p}tableColumns count="{len(headers)}">{"".join(columns)}</{p}tableColumns>'
    pieces, pos = [], root.tag_end
    for k in kids:
        if k.name in ("autoFilter", "sortState", "tableColumns"):
            pieces.append(xml[pos : k.start])
            if k.name == "autoFilter":  # filter criteria and sort state refer to old rows
                pieces.append(f'<{p}autoFilter ref="{ref}"/>')
            elif k.name == "tableColumns":
                pieces.append(new_cols)
            pos = k.end
    pieces.append(xml[pos:])
    body = "".join(pieces)
    tag = xml[root.start : root.tag_end]
    tag = set_attr(tag, "ref", ref)
    for attr in ("totalsRowCount", "headerRowCount", "insertRow", "insertRowShift"):
        tag = set_attr(tag, attr, None)
    pkg.write(part, xml[: root.start] + tag + body)
