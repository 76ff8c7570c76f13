"""Copy pieces of a fresh template into a workbook, part by part: a whole sheet, a table column, rows.

What :mod:`xlgrade.workbook.upgrade` builds on. The source is a template package (built by
:mod:`xlgrade.workbook.template`), the target a staff workbook held by a
:class:`~xlgrade.workbook.package.Package`. Style indices are translated through a
:class:`~xlgrade.workbook.styleimport.StyleImport`; the template writes inline strings only,
so no shared string is ever added. Every edit keeps every byte of the target's parts outside
what it adds (the part-by-part writer's rule): nothing staff typed, styled or wrote as a
formula elsewhere is touched.

- :func:`copy_sheet`: the template's worksheet (cells, column widths, validations, conditional
  formats, print set-up, protection) with its tables and its sheet-local names (print area,
  print titles), inserted at a tab position.
- :func:`append_column`: one column of a template table appended to the target's table: the
  header, each body row's cell (a formula for a computed column), the column's width and
  style, its drop-down or range validation and its grade colours; the table's ref grows.
- :func:`append_rows`: template rows (cells with their styles) put below the target table's
  last row; the table's ref grows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from xlgrade.errors import PackageError
from xlgrade.workbook import contenttypes, rels, tables, workbookxml
from xlgrade.workbook.cellxml import Cell, Formula, col_index, col_letter, parse_range, quote_sheet, range_ref
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.styleimport import StyleImport
from xlgrade.workbook.xmlscan import children, insert_child, set_attr

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

_TAG_WITH_STYLE = re.compile(r"<(?:\w+:)?(c|row|col|cfRule)\s[^>]*>")
_REF = re.compile(r"(?<![A-Za-z$_\d])([A-Z]{1,3})(\d+)(?![\d(])")


def _restyle(xml: str, styles: StyleImport) -> str:
    """Every ``s`` / ``style`` / ``dxfId`` of a template worksheet translated to the target's."""

    def sub(m: re.Match[str]) -> str:
        tag, kind = m.group(0), m.group(1)
        attr = {"c": "s", "row": "s", "col": "style", "cfRule": "dxfId"}[kind]
        found = re.search(rf'\s{attr}="(\d+)"', tag)
        if found is None:
            return tag
        index = int(found.group(1))
        new = styles.dxf(index) if kind == "cfRule" else styles.xf(index)
        return set_attr(tag, attr, str(new))

    return _TAG_WITH_STYLE.sub(sub, xml)


def sheet_xml(src: Package, styles: StyleImport, name: str) -> tuple[workbookxml.SheetInfo, str, list[rels.Rel], dict]:
    """The template's worksheet ``name`` ready for the target: (its sheet info, its XML restyled
    into the target's styles with each relationship id replaced by a placeholder, its
    relationships, {relationship id: placeholder}). Refused: a sheet using shared strings or
    referring to any part but a table."""
    info = workbookxml.sheet(src, name)
    if info.part is None:
        raise PackageError(f"template sheet {name!r} is not a worksheet")
    xml = src.text(info.part)
    if re.search(r'<(?:\w+:)?c\s[^>]*\bt="s"', xml):
        raise PackageError(f"template sheet {name!r} uses shared strings; the template writes inline strings")
    src_rels = rels.read(src, info.part)
    for rel in src_rels:
        if rel.type != rels.REL_TABLE or rel.part is None:
            raise PackageError(f"template sheet {name!r} refers to a {rel.type.rsplit('/', 1)[-1]} part")
    xml = _restyle(xml, styles)
    placeholder = {r.id: f"xlgrade-rel-{i}" for i, r in enumerate(src_rels)}
    for old, temp in placeholder.items():
        xml = re.sub(rf'(:id=")({re.escape(old)})(")', rf"\g<1>{temp}\g<3>", xml)
    return info, xml, src_rels, placeholder


def copy_sheet(src: Package, dst: Package, styles: StyleImport, name: str, position: int) -> str:
    """Copy the template's sheet ``name`` into ``dst`` as tab ``position``; returns its part."""
    info, xml, src_rels, placeholder = sheet_xml(src, styles, name)
    part = dst.add_sheet(name, position=position, xml=xml, state=info.state)
    for rel in src_rels:
        assert rel.part is not None  # sheet_xml refused any other
        rid = rels.add(dst, part, rels.REL_TABLE, _copy_table(src, dst, rel.part))
        dst.write(part, dst.text(part).replace(f'"{placeholder[rel.id]}"', f'"{rid}"'))
    for d in src.defined_names():
        if d.local_sheet == info.index:
            dst.set_defined_name(d.name, d.value, position)
    return part


def _copy_table(src: Package, dst: Package, part: str) -> str:
    xml = src.text(part)
    m = re.search(r'\bname="([^"]*)"', xml)
    name = m.group(1) if m else ""
    taken = {n.lower() for _, n, _ in tables.all_tables(dst)} | {d.name.lower() for d in dst.defined_names()}
    if name.lower() in taken:
        raise PackageError(
            f"{dst.path.name}: the name {name!r} is already used by a table or defined name; rename it "
            f"so that xlgrade can add its own table (名称 {name} 已被占用)"
        )
    tid = max((i for _, _, i in tables.all_tables(dst)), default=0) + 1
    new = dst.free_name("xl/tables/table{}.xml")
    root_start = xml.index("<table")
    tag_end = xml.index(">", root_start) + 1
    xml = xml[:root_start] + set_attr(xml[root_start:tag_end], "id", str(tid)) + xml[tag_end:]
    dst.write(new, xml)
    contenttypes.set_override(dst, new, contenttypes.CT_TABLE)
    return new


# ---- one column ---------------------------------------------------------------------------------
def _col_element(xml: str, col: int) -> str | None:
    ws = Worksheet(xml)
    holder = ws.child("cols")
    if holder is None:
        return None
    for el in children(xml, holder):
        a = el.attrs
        if el.name == "col" and int(a.get("min", "0")) <= col <= int(a.get("max", "0")):
            return xml[el.start : el.end]
    return None


def _set_col(xml: str, element: str, col: int) -> str:
    """``xml`` with ``<col>`` ``element`` for column ``col``, unless a ``<col>`` covers it already."""
    if _col_element(xml, col) is not None:
        return xml
    ws = Worksheet(xml)
    holder = ws.child("cols")
    if holder is None:
        return ws.insert(xml, "cols", f"<{ws.p}cols>{element}</{ws.p}cols>")
    kids = [k for k in children(xml, holder) if k.name == "col"]
    later = next((k for k in kids if int(k.attrs.get("min", "0")) > col), None)
    if later is not None:
        return xml[: later.start] + element + xml[later.start :]
    return insert_child(xml, holder, kids, "col", element, ("col",))


def _move_ref(text: str, old: str, new: str) -> str:
    """Cell references of column ``old`` in ``text`` (a formula or a sqref) moved to column ``new``."""
    return _REF.sub(lambda m: (new if m.group(1) == old else m.group(1)) + m.group(2), text)


def _column_rules(src_xml: str, old: str, new: str, dst_xml: str, last_row: int, styles: StyleImport) -> list:
    """(child name, element) of the template's validations and conditional formats of column ``old``."""
    ws = Worksheet(src_xml)
    out: list[tuple[str, str]] = []
    priority = max((int(p) for p in re.findall(r'<(?:\w+:)?cfRule\b[^>]*\bpriority="(\d+)"', dst_xml)), default=0)
    for name in ("conditionalFormatting", "dataValidations"):
        if name == "conditionalFormatting":
            elements = [k for k in ws.kids if k.name == name]
        else:
            holder = ws.child(name)
            elements = [] if holder is None else [k for k in children(src_xml, holder) if k.name == "dataValidation"]
        for el in elements:
            sqref = el.attrs.get("sqref", "")
            cols = {m.group(1) for m in _REF.finditer(sqref)}
            if cols != {old}:
                continue
            text = src_xml[el.start : el.end]
            r2 = max(int(m.group(2)) for m in _REF.finditer(sqref))
            moved_sqref = _move_ref(sqref, old, new).replace(f"{new}{r2}", f"{new}{max(r2, last_row + 1000)}")
            head_end = text.index(">") + 1
            body = text[head_end:]
            if name == "conditionalFormatting":
                body = _move_ref(body, old, new)
                body = _restyle(body, styles)

                def renumber(m: re.Match[str]) -> str:
                    nonlocal priority
                    priority += 1
                    return f'priority="{priority}"'

                body = re.sub(r'priority="\d+"', renumber, body)
            out.append((name, set_attr(text[:head_end], "sqref", moved_sqref) + body))
    return out


def _add_rules(xml: str, found: Sequence[tuple[str, str]]) -> str:
    for name, element in found:
        ws = Worksheet(xml)
        if name == "conditionalFormatting":
            xml = ws.insert(xml, name, element)
            continue
        holder = ws.child("dataValidations")
        if holder is None:
            xml = ws.insert(xml, name, f'<{ws.p}dataValidations count="1">{element}</{ws.p}dataValidations>')
            continue
        kids = [k for k in children(xml, holder) if k.name == "dataValidation"]
        xml = insert_child(xml, holder, kids, "dataValidation", element, ("dataValidation",))
        holder = Worksheet(xml).child("dataValidations")
        assert holder is not None
        tag = set_attr(xml[holder.start : holder.tag_end], "count", str(len(kids) + 1))
        xml = xml[: holder.start] + tag + xml[holder.tag_end :]
    return xml


def _style_at(pkg: Package, name: str, row: int, col: int) -> int:
    return pkg.row_values(name, row).get(col, (None, 0))[1]


def append_column(
    src: Package,
    dst: Package,
    styles: StyleImport,
    *,
    src_sheet: str,
    src_col: int,
    dst_sheet: str,
    table_part: str,
    header: str,
    formula: str | None,
    values: Sequence[Any] | None = None,
    src_row: int = 1,
) -> int:
    """Append the template's column ``src_col`` of ``src_sheet`` (its header in ``src_row``) to the table ``table_part`` of
    ``dst_sheet``; returns the new column's number. ``formula`` (no leading ``=``) fills every
    body row of a computed column; ``values`` are the body rows' values from the first (a
    drop-down list's defaults; the table grows to hold them); otherwise the body cells are
    empty, styled."""
    ref, headers = tables.table_info_of(dst, table_part)
    r1, c1, r2, c2 = parse_range(ref)
    values = list(values or [])
    if len(values) > r2 - r1:
        grown = range_ref(r1, c1, r1 + len(values), c2)
        _grow(dst, dst_sheet, table_part, ref, grown, headers)
        ref, r2 = grown, r1 + len(values)
    col = c2 + 1
    old, new = col_letter(src_col), col_letter(col)
    head_style = styles.xf(_style_at(src, src_sheet, src_row, src_col))
    body_style = styles.xf(_style_at(src, src_sheet, src_row + 1, src_col))
    cells: dict[tuple[int, int], Any] = {(r1, col): Cell(header, head_style)}
    for i, r in enumerate(range(r1 + 1, r2 + 1)):
        value = Formula(formula, None) if formula else (values[i] if i < len(values) else None)
        cells[(r, col)] = Cell(value, body_style)
    dst.set_cells(dst_sheet, cells)
    part = workbookxml.sheet_part(dst, dst_sheet)
    src_xml = src.text(workbookxml.sheet_part(src, src_sheet))
    xml = dst.text(part)
    col_el = _col_element(src_xml, src_col)
    if col_el is not None:
        col_el = _restyle(set_attr(set_attr(col_el, "min", str(col)), "max", str(col)), styles)
        xml = _set_col(xml, col_el, col)
    xml = _add_rules(xml, _column_rules(src_xml, old, new, xml, r2, styles))
    dst.write(part, xml)
    _grow(dst, dst_sheet, table_part, ref, range_ref(r1, c1, r2, col), [*headers, header])
    return col


def append_rows(dst: Package, *, dst_sheet: str, table_part: str, rows: Sequence[Mapping[int, Cell]]) -> list[int]:
    """Put ``rows`` ({column: Cell}, styles already the target's) below the table's last row;
    returns their row numbers."""
    ref, headers = tables.table_info_of(dst, table_part)
    r1, c1, r2, c2 = parse_range(ref)
    numbers = list(range(r2 + 1, r2 + 1 + len(rows)))
    cells = {(r, c): cell for r, row in zip(numbers, rows) for c, cell in row.items()}
    dst.set_cells(dst_sheet, cells)
    _grow(dst, dst_sheet, table_part, ref, range_ref(r1, c1, r2 + len(rows), c2), headers)
    return numbers


def _grow(dst: Package, sheet: str, table_part: str, old_ref: str, ref: str, headers: list[str]) -> None:
    """The table (and a print area that was the table) now spans ``ref``."""
    tables.update(dst, table_part, ref, headers)
    area = workbookxml.print_area(dst, sheet)
    if area is not None:
        bare = area.split("!")[-1].replace("$", "")
        if bare == old_ref.replace("$", ""):
            workbookxml.set_print_area(dst, sheet, ref)


def translate_name(value: str, where: Any) -> str | None:
    """A template name's formula with each ``Sheet!$C$5`` moved by ``where(sheet, row, col)``
    to the target's (row, col); None when a reference has no place in the target. A range's
    second half takes its first half's column: the template's names span one column each
    (the drop-down lists, the id lists)."""
    pattern = re.compile(r"('(?:[^']|'')+'|[^\W\d][\w.]*)!(\$?)([A-Z]{1,3})(\$?)(\d+)")
    failed = False

    def sub(m: re.Match[str]) -> str:
        nonlocal failed
        quoted = m.group(1)
        sheet = quoted[1:-1].replace("''", "'") if quoted.startswith("'") else quoted
        moved = where(sheet, int(m.group(5)), col_index(m.group(3)))
        if moved is None:
            failed = True
            return m.group(0)
        row, col = moved
        return f"{quote_sheet(sheet)}!{m.group(2)}{col_letter(col)}{m.group(4)}{row}"

    out = pattern.sub(sub, value)
    # the second half of a range ('S'!$A$2:$A$20000) names no sheet: it follows the first half's column
    out = re.sub(
        r"(!\$?([A-Z]{1,3})\$?\d+:\$?)([A-Z]{1,3})(\$?\d+)",
        lambda m: m.group(1) + m.group(2) + m.group(4),
        out,
    )
    return None if failed else out
