"""Worksheet contents: reading a sheet's rows and writing its cells, part by part.

Owns what the job does to a worksheet part through :class:`~xlgrade.workbook.sheetxml.Worksheet`:
reading one row's values and styles (:func:`row_values`, shared strings resolved), the cells
holding formulas, replacing a sheet's content by one table (:func:`write_table`, with its
table part, see :mod:`xlgrade.workbook.tables`) or by a free layout (:func:`write_sheet`),
and changing single cells (:func:`set_cells`). Every edit keeps every byte of the sheet XML
outside what it replaces and drops the calculation chain. Every function takes the
:class:`~xlgrade.workbook.package.Package` whose parts it reads and writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from xlgrade.errors import PackageError
from xlgrade.workbook import pagelayout, sharedstrings, sheetstream, tables, workbookxml
from xlgrade.workbook.cellxml import (
    Cell,
    cell_value,
    cell_xml,
    col_index,
    col_letter,
    column_tails,
    range_ref,
    unique_headers,
    xml_number,
)
from xlgrade.workbook.rowedit import quick_attrs
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.zipio import Deflated, StreamDeflater

# A sheet this large (bytes) has its cells set as a stream, read and deflated piece by piece.
STREAM_BYTES = 4 << 20

if TYPE_CHECKING:
    from xlgrade.workbook.historypart import SegmentedPart
    from xlgrade.workbook.package import Package

_BODY = "<!--xlgrade:body-->"  # where write_table's ``place`` puts the rows made elsewhere

# a <c r="B5" ...> element whose body holds an <f> (any namespace prefix)
_FORMULA_CELL = re.compile(
    r'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f[\s>/]', re.S
)


def formula_cells(pkg: Package, name: str) -> set[tuple[int, int]]:
    """(row, column) of every cell of the sheet that holds a formula."""
    xml = pkg.text(workbookxml.sheet_part(pkg, name))
    return {(int(m.group(2)), col_index(m.group(1))) for m in _FORMULA_CELL.finditer(xml)}


def row_values(pkg: Package, sheet_name: str, row: int) -> dict[int, tuple[Any, int]]:
    """{column: (value, style)} of one row; strings resolved, numbers as float."""
    xml = pkg.text(workbookxml.sheet_part(pkg, sheet_name))
    ws = Worksheet(xml)
    sd = ws.child("sheetData")
    cells: dict[int, tuple[str, dict[str, str]]] = {}
    if sd is None or sd.empty:
        return {}
    for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
        if num == row:
            for col, s, e, a, _sc in ws.cells(xml, c_start, c_end):
                cells[col] = (xml[s:e], a)
        if num >= row:
            break
    sst_wanted = [
        int(v)
        for body, a in cells.values()
        if a.get("t") == "s"
        for v in re.findall(r"<(?:[\w.\-]+:)?v>\s*(\d+)\s*<", body)
    ]
    sst = sharedstrings.shared_strings(pkg, sst_wanted) if sst_wanted else {}
    out = {}
    for col, (body, a) in cells.items():
        out[col] = (cell_value(body, a, sst), int(a.get("s", "0") or 0))
    return out


def all_cells(pkg: Package, sheet_name: str, column: int | None = None) -> dict[tuple[int, int], tuple[Any, int, bool]]:
    """{(row, column): (value, style, holds a formula)} of every cell of a sheet that has a value
    or a formula; strings resolved, numbers as float, a formula's value its cached result.
    ``column``: only the cells of that column (1-based), found in each row by their reference
    (the other cells are not parsed), unless a cell of the sheet has no reference."""
    xml = pkg.text(workbookxml.sheet_part(pkg, sheet_name))
    ws = Worksheet(xml)
    sd = ws.child("sheetData")
    if sd is None or sd.empty:
        return {}
    start, end = sd.tag_end, sd.inner_end(xml)
    if column is None or _unreferenced(ws.p).search(xml, start, end):
        raw = {
            (num, col): (xml[s:e], a)
            for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, start, end)
            for col, s, e, a, _sc in ws.cells(xml, c_start, c_end)
            if column is None or col == column
        }
    else:
        raw = dict(_column_cells(ws, xml, start, end, column))
    sst_wanted = [
        int(v)
        for body, a in raw.values()
        if a.get("t") == "s"
        for v in re.findall(r"<(?:[\w.\-]+:)?v>\s*(\d+)\s*<", body)
    ]
    sst = sharedstrings.shared_strings(pkg, sst_wanted) if sst_wanted else {}
    out = {}
    for at, (body, a) in raw.items():
        formula = re.search(r"<(?:[\w.\-]+:)?f[\s>/]", body) is not None
        value = cell_value(body, a, sst)
        if value is not None or formula:
            out[at] = (value, int(a.get("s", "0") or 0), formula)
    return out


_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*?"""  # a start tag's attributes (quoted values may hold ">")


def _unreferenced(p: str) -> re.Pattern[str]:
    """A cell start tag without an ``r`` attribute (its column is its place in the row)."""
    return re.compile(rf"<{re.escape(p)}c\b(?!{_ATTRS}\sr\s*=)(?={_ATTRS}/?>)")


def _column_cells(
    ws: Worksheet, xml: str, start: int, end: int, column: int
) -> Iterator[tuple[tuple[int, int], tuple[str, dict[str, str]]]]:
    """((row, column), (the cell's XML, its attributes)) of each cell of ``column`` in the rows
    between ``start`` and ``end``, every cell having a reference: one search a row."""
    p = re.escape(ws.p)
    letters = col_letter(column)
    tag = re.compile(rf"""<{p}c\b(?={_ATTRS}\sr\s*=\s*["'](?i:{letters})\d+["'])({_ATTRS})(/?)>""")
    close = f"</{ws.p}c>"
    for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, start, end):
        for m in tag.finditer(xml, c_start, c_end):
            stop = m.end()
            if not m.group(2):
                stop = xml.find(close, stop, c_end)
                if stop < 0:
                    raise PackageError(f"unclosed <c> at offset {m.start()}")
                stop += len(close)
            yield (num, column), (xml[m.start() : stop], quick_attrs(m.group(1)))


def has_cols(pkg: Package, sheet_name: str) -> bool:
    """Whether the sheet sets column widths (<cols>)."""
    return Worksheet(pkg.text(workbookxml.sheet_part(pkg, sheet_name))).child("cols") is not None


def col_widths(pkg: Package, sheet_name: str) -> dict[int, float]:
    """{column: width} the sheet sets (<cols>): read from the part's head (inflated only up to
    its rows, :func:`sheetstream.head_only`) when <cols> is there, as it is in every valid sheet."""
    part = workbookxml.sheet_part(pkg, sheet_name)
    head = sheetstream.head_only(pkg, part)
    if head is not None and (ws := Worksheet(head)).child("cols") is not None:
        return ws.col_widths(head)
    xml = pkg.text(part)
    return Worksheet(xml).col_widths(xml)


def widen_columns(pkg: Package, sheet_name: str, widths: Mapping[int, float]) -> None:
    """Make columns at least ``widths`` wide {column: width}; a wider column stays as it is."""
    part = workbookxml.sheet_part(pkg, sheet_name)
    xml = pkg.text(part)
    new = Worksheet(xml).widen_cols(xml, widths)
    if new != xml:
        pkg.write(part, new)


def write_table(
    pkg: Package,
    sheet_name: str,
    table_name: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float] | None = None,
    *,
    styles: Sequence[int] | None = None,
    header_style: int | None = None,
    place: tuple[int, Callable[[str, str], str | bytes | SegmentedPart]] | None = None,
    page: Mapping[str, Any] | None = None,
) -> str:
    """Replace a sheet's content with one table: header row 1, ``rows`` below; returns its ref.

    Items of ``rows`` are :class:`Cell` objects or plain values styled with ``styles[column]``.
    ``place`` = (number of rows, make): the body rows are not in ``rows`` (empty) but made
    elsewhere (History's month segments, :mod:`xlgrade.workbook.historysheet`); the part
    becomes ``make(xml before the body, xml after it)``. ``page``: the keywords of
    :func:`pagelayout.set_page_layout` (scale, breaks), set in the same pass.
    The table part (created if missing) gets the new ref, a reset auto filter and one column
    per header; everything else of the sheet XML stays as it was.
    """
    part = workbookxml.sheet_part(pkg, sheet_name)
    headers = unique_headers(headers)
    n = len(headers)
    if n == 0:
        raise PackageError("a table needs at least one column")
    table = tables.table_part(pkg, sheet_name, table_name)
    others = {name: t for name, t in tables.tables(pkg, sheet_name).items() if t != table}
    if table is None and len(others) == 1:  # staff renamed the table: keep their name
        table = others.popitem()[1]
    if others:
        raise PackageError(
            f"sheet {sheet_name!r} holds other tables ({', '.join(sorted(others))}); xlgrade "
            f"rewrites the whole sheet, so move them to another sheet (请将其他表格移到别的工作表)"
        )
    styles = list(styles) if styles is not None else [0] * n
    if header_style is None:
        header_style = pkg.palette()["header"]
    date1904 = workbookxml.date1904(pkg)
    xml = before = pkg.text(part)
    ws = Worksheet(xml)
    p = ws.p
    letters = [col_letter(c) for c in range(1, n + 1)]
    out = [f"<{p}sheetData>{ws.row_start(xml, 1)}"]
    out += [cell_xml(f"{letters[c]}1", h, header_style, date1904, p) for c, h in enumerate(headers)]
    out.append(f"</{p}row>")
    body: list[str] | None = None
    if place is not None or rows:  # the body joins the rest last: the layout edits work on the rest
        out.append(_BODY)
    if place is None and rows:
        body = row_elements(rows, styles[:n], date1904, p)
    if not rows and place is None:
        out.append(f'<{p}row r="2">')
        out += [cell_xml(f"{letters[c]}2", None, styles[c], date1904, p) for c in range(n)]
        out.append(f"</{p}row>")
    out.append(f"</{p}sheetData>")
    last = 1 + max(1, len(rows) if place is None else place[0])
    ref = f"A1:{letters[-1]}{last}"
    xml = ws.replace_sheet_data(xml, "".join(out))
    xml = Worksheet(xml).set_dimension(xml, ref)
    if widths is not None:
        xml = Worksheet(xml).set_cols(xml, {c + 1: w for c, w in enumerate(widths) if w})
    xml = Worksheet(xml).drop_merges(xml, (1, 1, last, n))  # a table cannot overlap merged cells
    if page is not None:
        xml = pagelayout.set_page_layout(xml, **page)
    if place is not None:
        head, tail = xml.split(_BODY)
        pkg.write(part, place[1](head, tail))
    elif body is not None:  # the sheet's text made once, from its pieces (a large one deflated as made)
        head, tail = xml.split(_BODY)
        del xml
        pieces, body = [head, *body, tail], None
        if _same_text(pieces, before):  # the sheet as it was (a steady month): nothing to write
            pass
        elif pkg.stored_info(part) is None and pkg.stored_as(part, pieces):  # as the file has it again
            pkg.revert(part)
        elif sum(map(len, pieces)) >= STREAM_BYTES:
            pkg.write(part, _deflated(pieces))
        else:
            pkg.write(part, "".join(pieces))
    elif xml != before:
        pkg.write(part, xml)
    del before
    workbookxml.drop_calc_chain(pkg)
    table = table or tables.new_table(pkg, part, table_name)
    tables.update(pkg, table, ref, headers)
    if workbookxml.print_area(pkg, sheet_name) is not None:
        workbookxml.set_print_area(pkg, sheet_name, ref)
    return ref


def _same_text(pieces: Sequence[str], text: str) -> bool:
    """Whether ``pieces`` joined are ``text`` (compared where they stand, never joined)."""
    if sum(map(len, pieces)) != len(text):
        return False
    at = 0
    for piece in pieces:
        if not text.startswith(piece, at):
            return False
        at += len(piece)
    return True


def _deflated(pieces: list[str]) -> Deflated:
    """The text of ``pieces`` deflated a MiB or so at a time (the same bytes as deflating it
    whole), each piece let go once handed over: the sheet's text is never joined."""
    deflater = StreamDeflater()
    try:
        at = 0
        while at < len(pieces):
            stop, size = at, 0
            while stop < len(pieces) and size < 1 << 20:
                size += len(pieces[stop])
                stop += 1
            deflater.write("".join(pieces[at:stop]))
            pieces[at:stop] = [""] * (stop - at)
            at = stop
    except BaseException:
        deflater.abort()
        raise
    return deflater.close()


def rows_xml(rows: Sequence[Sequence[Any]], styles: Sequence[int], date1904: bool, p: str, first: int = 2) -> str:
    """The ``<row>`` elements of a table body, the first numbered ``first``."""
    return "".join(row_elements(rows, styles, date1904, p, first))


def row_elements(
    rows: Sequence[Sequence[Any]], styles: Sequence[int], date1904: bool, p: str, first: int = 2
) -> list[str]:
    """:func:`rows_xml` as one string per row. Column by column: each column's distinct values
    are formatted once (:func:`column_tails`), then each row filled in at once."""
    width = min(len(styles), max((len(r) for r in rows), default=0))
    by_column: Sequence[Sequence[Any]]
    if rows and len({len(r) for r in rows}) == 1:
        by_column = list(zip(*rows))[:width]
    else:
        by_column = [[r[c] if c < len(r) else None for r in rows] for c in range(width)]
    columns = [column_tails(items, styles[c], date1904, p) for c, items in enumerate(by_column)]
    del by_column
    starts = [f'<{p}c r="{col_letter(c + 1)}' for c in range(width)]
    end = f"</{p}row>"
    # a row whose every cell has an element is one format call: <row r="{0}"><c r="A{0}"{1}...
    row = f'<{p}row r="{{0}}">' + "".join(f'{start}{{0}}"{{{c + 1}}}' for c, start in enumerate(starts)) + end
    fill = row.format

    def cut(i: int, tails: tuple[str, ...]) -> str:  # a cell without an element is left out
        cells = "".join(f'{start}{i}"{tail}' for start, tail in zip(starts, tails) if tail)
        return f'<{p}row r="{i}">{cells}{end}'

    return [
        cut(i, tails) if "" in tails else fill(i, *tails)
        for i, tails in zip(range(first, first + len(rows)), zip(*columns) if columns else repeat((), len(rows)))
    ]


def write_sheet(
    pkg: Package,
    sheet_name: str,
    cells: Mapping[tuple[int, int], Any],
    merges: Iterable[str | tuple[int, int, int, int]] = (),
    widths: Mapping[int, float] | Sequence[float] | None = None,
    heights: Mapping[int, float] | None = None,
) -> str:
    """Replace a sheet's cells with a free layout {(row, col): Cell or value}; returns the used ref.

    ``heights``: {row: points} of rows given a fixed height (a row without cells gets one too)."""
    part = workbookxml.sheet_part(pkg, sheet_name)
    if tables.tables(pkg, sheet_name):
        raise PackageError(
            f"sheet {sheet_name!r} holds tables ({', '.join(sorted(tables.tables(pkg, sheet_name)))}); "
            "xlgrade rewrites the whole sheet, so move them to another sheet"
        )
    date1904 = workbookxml.date1904(pkg)
    xml = before = pkg.text(part)
    ws = Worksheet(xml)
    p = ws.p
    by_row: dict[int, list[tuple[int, Any]]] = {}
    for (r, c), item in cells.items():
        if r < 1 or c < 1:
            raise PackageError(f"cell ({r}, {c}) is outside the sheet")
        by_row.setdefault(r, []).append((c, item))
    heights = heights or {}
    for r in heights:
        by_row.setdefault(r, [])
    out = [f"<{p}sheetData>", *_layout_rows(by_row, heights, date1904, p)]
    out.append(f"</{p}sheetData>")
    ref = "A1"
    if cells:
        rows_, cols_ = [r for r, _ in cells], [c for _, c in cells]
        ref = range_ref(min(rows_), min(cols_), max(rows_), max(cols_))
    xml = ws.replace_sheet_data(xml, "".join(out))
    xml = Worksheet(xml).set_dimension(xml, ref)
    if widths is not None:
        if not isinstance(widths, Mapping):
            widths = {c + 1: w for c, w in enumerate(widths)}
        xml = Worksheet(xml).set_cols(xml, {c: w for c, w in widths.items() if w})
    refs = [m if isinstance(m, str) else range_ref(*m) for m in merges]
    xml = Worksheet(xml).set_merges(xml, refs)
    if xml != before:  # else the sheet stays as it is (the file's member, or the text written before)
        pkg.write(part, xml)
    workbookxml.drop_calc_chain(pkg)
    return ref


def _layout_rows(
    by_row: Mapping[int, list[tuple[int, Any]]], heights: Mapping[int, float], date1904: bool, p: str
) -> Iterator[str]:
    """The ``<row>`` elements of a free layout {row: [(column, Cell or value)]}, in row order.
    Rows holding the same columns one after another (a block's body) are formatted a column at
    a time, as in :func:`row_elements`: each column's distinct (value, style) once. A row's
    columns and items are split by one ``zip`` (a row's columns are distinct, so sorting its
    pairs compares columns only), a run's columns by another, each distinct height's
    attribute formatted once."""
    end = f"</{p}row>"
    numbers = sorted(by_row)
    split = [tuple(zip(*sorted(by_row[r]))) or ((), ()) for r in numbers]  # [(columns, items)] in row order
    tall: dict[float, str] = {}
    for h in {heights[r] for r in numbers if r in heights}:
        tall[h] = f' ht="{xml_number(float(h))}" customHeight="1"'
    at = 0
    while at < len(numbers):
        cols = split[at][0]
        stop = at + 1
        while stop < len(numbers) and split[stop][0] == cols:
            stop += 1
        run = numbers[at:stop]
        columns = [_run_tails(items, date1904, p) for items in zip(*(items for _, items in split[at:stop]))]
        starts = [f'<{p}c r="{col_letter(c)}' for c in cols]
        # a row whose every cell has an element is one format call: <row r="{0}"{1}><c r="A{0}"{2}...
        fill = (
            f'<{p}row r="{{0}}"{{1}}>' + "".join(f'{s}{{0}}"{{{k + 2}}}' for k, s in enumerate(starts)) + end
        ).format
        for r, tails in zip(run, zip(*columns) if columns else repeat((), len(run))):
            ht = tall[heights[r]] if r in heights else ""
            if "" in tails:  # a cell without an element is left out
                cells = "".join(f'{s}{r}"{tail}' for s, tail in zip(starts, tails) if tail)
                yield f'<{p}row r="{r}"{ht}>{cells}{end}'
            else:
                yield fill(r, ht, *tails)
        at = stop


def _run_tails(items: Sequence[Any], date1904: bool, p: str) -> list[str]:
    """:func:`column_tails` of one column of a run of rows. A column of Cells (a block's header,
    body and totals) is cut where the style changes and each piece formatted as that style's
    plain values, by their type (a tail depends on its value and style only); a column whose
    style changes often is formatted whole."""
    if set(map(type, items)) != {Cell}:
        return column_tails(list(items), None, date1904, p)
    styles = [i.style for i in items]
    cuts = [k for k, (a, b) in enumerate(zip(styles, styles[1:]), 1) if a != b]
    if len(cuts) > len(items) // 8:
        return column_tails(list(items), None, date1904, p)
    values = [i.value for i in items]
    if Cell in set(map(type, values)):  # a Cell's value that is a Cell is a text there, not a style
        return column_tails(list(items), None, date1904, p)
    out: list[str] = []
    for start, stop in zip([0, *cuts], [*cuts, len(items)]):
        out += column_tails(values[start:stop], styles[start], date1904, p)
    return out


def set_page_layout(
    pkg: Package,
    sheet_name: str,
    *,
    scale: int | None = None,
    row_breaks: Sequence[int] | None = None,
    col_breaks: Sequence[int] | None = None,
) -> None:
    """Print scale and manual page breaks of a sheet (see :mod:`xlgrade.workbook.pagelayout`)."""
    part = workbookxml.sheet_part(pkg, sheet_name)
    xml = pkg.text(part)
    pkg.write(part, pagelayout.set_page_layout(xml, scale=scale, row_breaks=row_breaks, col_breaks=col_breaks))


def set_cells(
    pkg: Package,
    sheet_name: str,
    cells: Mapping[tuple[int, int], Any],
    *,
    keep_styles: bool = False,
    keep_formulas: bool | Collection[int] = False,
    widths: Mapping[int, float] | None = None,
) -> None:
    """Change only the given cells {(row, col): Cell or value} of an existing sheet
    (and, with ``widths``, widen those columns as :func:`widen_columns` does, in the same pass).

    Every other byte of the sheet XML stays. ``keep_styles``: an existing cell keeps its
    style. ``keep_formulas``: an existing formula is kept and the value becomes its cached
    result (unless the new value is itself a :class:`Formula`); True for every column, or
    the collection of columns (1-based) where it applies.
    """
    if not cells:
        if widths:
            widen_columns(pkg, sheet_name, widths)
        return
    part = workbookxml.sheet_part(pkg, sheet_name)
    date1904 = workbookxml.date1904(pkg)
    # a large sheet (a 200,000-line ledger) is read, edited and deflated in pieces, never held whole
    new: str | Deflated | None | object = sheetstream.WHOLE
    if pkg.size(part) >= STREAM_BYTES:
        new = sheetstream.set_cells(
            pkg, part, cells, date1904=date1904, keep_styles=keep_styles, keep_formulas=keep_formulas, widths=widths
        )
    if new is sheetstream.WHOLE:
        xml = pkg.text(part)
        new = Worksheet(xml).set_cells(
            xml, cells, date1904=date1904, keep_styles=keep_styles, keep_formulas=keep_formulas, widths=widths
        )
        if new == xml:
            new = None
        del xml
    if new is not None:  # a part that comes out as it was stays as it is (the file keeps its member)
        assert isinstance(new, (str, Deflated))
        pkg.write(part, new)
    workbookxml.drop_calc_chain(pkg)
