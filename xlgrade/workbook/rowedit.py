"""Setting cells row by row in a worksheet's ``sheetData``: the edit of :meth:`Worksheet.set_cells`.

:class:`RowEdit` carries the cells to write (by row, ascending) through the rows of a text, in
one piece (the whole part) or in windows of whole rows one after the other
(:mod:`xlgrade.workbook.sheetstream`): both give the same text, as the edit of one row never
looks outside it. The rules: an existing cell is replaced where it is (its style kept with
``keep_styles``; with ``keep_formulas`` a formula stays and the value becomes its cached
result), a missing one is inserted at its column's place (before the row's ``extLst``), a
missing row at its number's place, a row's ``spans`` grow to the cells written, a row without
``r`` gets one; every other byte of the row stays as it was.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from xlgrade.errors import PackageError
from xlgrade.workbook.cellxml import (
    Cell,
    Formula,
    cached_cell_xml,
    cell_tail,
    col_index,
    col_letter,
    parse_ref,
    plain_value,
)
from xlgrade.workbook.xmlscan import attrs_of, set_attr

if TYPE_CHECKING:
    from xlgrade.workbook.sheetxml import Worksheet

_QUOTED = re.compile(r'([\w:.\-]+)\s*=\s*"([^"]*)"')


def quick_attrs(text: str) -> dict[str, str]:
    """:func:`attrs_of` of a start tag's attribute text; the usual one (double quotes, nothing
    escaped: a row's or a cell's) by one findall."""
    if "'" in text or "&" in text:
        return attrs_of(text)
    return dict(_QUOTED.findall(text))


def cells_by_row(cells: Mapping[tuple[int, int], Any]) -> dict[int, dict[int, Cell]]:
    """{row: {column: Cell}} of {(row, column): Cell or value}; a cell left of or above A1 is refused."""
    by_row: dict[int, dict[int, Cell]] = {}
    for (r, c), item in cells.items():
        if r < 1 or c < 1:
            raise PackageError(f"cell ({r}, {c}) is outside the sheet")
        by_row.setdefault(r, {})[c] = item if isinstance(item, Cell) else Cell(item)
    return by_row


class RowEdit:
    """The cells of ``by_row`` written into the rows met, in order (:meth:`rows`), then the rows
    never met (:meth:`rest`). Each distinct (value, style) is formatted once (``tails``)."""

    def __init__(
        self,
        ws: Worksheet,
        by_row: dict[int, dict[int, Cell]],
        date1904: bool,
        keep_styles: bool,
        keep_formulas: bool | Collection[int],
    ) -> None:
        self.ws = ws
        self.p = ws.p
        self.by_row = by_row
        self.pending = sorted(by_row)
        self.k = 0  # pending[k]: the next row to write
        self.prev = 0  # the number of the last row met (a row without r follows it)
        self.date1904 = date1904
        self.keep_styles = keep_styles
        self.keep_formulas = keep_formulas
        self.tails: dict = {}
        self._close_row = f"</{self.p}row>"
        self._numbered = re.compile(rf"""<{re.escape(self.p)}row\b(?: r="(\d+)")?((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
        self._tag_starts: dict[int, str] = {}  # column: '<c r="Q'
        self._seen_attrs: dict[str, dict[str, str]] = {}  # a cell's attributes after r, read once
        pe = re.escape(self.p)
        self._cell_refs = re.compile(rf'<{pe}c r="([A-Z]{{1,3}})\d+"')  # a cell addressed as usual
        self._any_cell = re.compile(rf"<{pe}c\b")  # any cell (not <color>, <cols>: \b)
        self._ext_list = re.compile(rf"<{pe}extLst\b")
        self._cell_start = re.compile(rf'<{pe}c r="')
        self._letter_cols: dict[str, int] = {}  # "Q" -> 17, each column's letters read once

    @property
    def done(self) -> bool:
        return self.k >= len(self.pending)

    def rows(self, xml: str, start: int, end: int, out: list[str]) -> int:
        """The rows of ``xml[start:end]`` (whole rows only) with their cells written, appended to
        ``out`` up to where the text stays as it is: returns that offset (``xml[pos:end]`` follows)."""
        if self.k >= len(self.pending):
            return start
        fast = self._numbered_rows(xml, start, end)
        if fast is not None:
            out += fast[0]
            return fast[1]
        return self._scan_rows(xml, start, end, out)

    def _numbered_rows(self, xml: str, start: int, end: int) -> tuple[list[str], int] | None:
        """:meth:`rows` where every row starts ``<row r="N"`` and the rows ascend (as Excel and
        xlgrade write them): each row is read where the one before it ends (its end tag found
        once); a row without ``spans`` whose cells are all there, addressed as usual, gets them
        replaced in place (its start tag stays as it is: it has its ``r``, no ``spans`` to grow)
        and a cell that comes out as it was is not copied at all; any other row goes through
        :meth:`edit_row`. None (nothing done) when a row is numbered otherwise or one to write
        is missing (one to insert): :meth:`_scan_rows` then does what it does."""
        p = self.p
        pending, by_row, k, n = self.pending, self.by_row, self.k, len(self.pending)
        out: list[str] = []
        pos, last = start, self.prev
        close_row, close_c, formula = self._close_row, f"</{p}c>", f"<{p}f"
        n_close_row, n_close_c, n_open_c = len(close_row), len(close_c), len(p) + 2
        find, cell_at, tails, seen = xml.find, self.ws._cell.match, self.tails, self._seen_attrs
        row_at, row_search = self._numbered.match, self._numbered.search
        keep_styles, keep_all, keep_some = self.keep_styles, self.keep_formulas is True, self.keep_formulas
        if isinstance(keep_some, bool):
            keep_some = ()
        starts = self._tag_starts
        m = row_search(xml, start, end)
        while m is not None:
            r, attrs, closed = m.groups()
            if r is None:
                return None  # a row numbered otherwise
            num = int(r)
            if num <= last or pending[k] < num:
                return None  # rows out of order, or a row to insert before this one
            last = num
            if closed:  # an empty row
                r_end = c_start = c_end = m.end()
            else:
                c_start = m.end()
                c_end = find(close_row, c_start, end)
                if c_end < 0:
                    raise PackageError(f"unclosed <{p}row> at offset {m.start()}")
                r_end = c_end + n_close_row
            if pending[k] == num:
                targets = by_row[num]
                k += 1
                in_place = not closed and "spans" not in attrs
                done = False
                if in_place and len(targets) == 1:  # the usual case, one cell: is it there, does it change?
                    ((c, cell),) = targets.items()
                    tag = (starts.get(c) or self._tag_start(c)) + (r if r[0] != "0" else str(num)) + '"'
                    s = find(tag, c_start, c_end)
                    cm = cell_at(xml, s) if s >= 0 else None
                    if s < 0:  # not there: a column filled in right of the row's cells is appended
                        a = quick_attrs(xml[m.start() + len(p) + 4 : m.end(2)])
                        appended = self._place_by_references(xml, num, m.group(0), c_start, c_end, a, targets, (c,))
                        if appended is not None:
                            out += (xml[pos : m.start()], appended)
                            pos = r_end
                            done = True
                    if cm is not None:
                        at = s + len(tag)
                        c_attrs, c_closed = cm.groups()
                        if c_closed:
                            e = cm.end()
                        elif (e := find(close_c, cm.end(), c_end)) >= 0:
                            e += n_close_c
                        rest = c_attrs[len(tag) - n_open_c :]  # the attributes after r
                        oa = seen.get(rest) or seen.setdefault(rest, quick_attrs(rest))
                        style = int(oa["s"] or 0) if keep_styles and "s" in oa else cell.style
                        value = cell.value
                        if e >= 0 and not ((keep_all or c in keep_some) and formula in xml[at:e]):
                            try:
                                tail = tails.get((type(value), value, style))
                            except TypeError:  # an unhashable value: formatted where it stands
                                tail = None
                            if tail:
                                done = True
                                if e - at != len(tail) or not xml.startswith(tail, at):
                                    out += (xml[pos:at], tail)  # the cell's start up to r stays
                                    pos = e
                if not done:
                    cells: list[str] | None = [] if in_place else None
                    at = c_start
                    for c in sorted(targets) if cells is not None else ():
                        s = find(f'{starts.get(c) or self._tag_start(c)}{num}"', at, c_end)
                        cm = cell_at(xml, s) if s >= 0 else None
                        if cm is None:
                            cells = None
                            break
                        if cm.group(2):
                            e = cm.end()
                        else:
                            e = find(close_c, cm.end(), c_end)
                            if e < 0:
                                cells = None
                                break
                            e += n_close_c
                        assert cells is not None
                        cells.append(xml[at:s])
                        cells.append(self._cell(targets, num, c, (xml[s:e], quick_attrs(cm.group(1)))))
                        at = e
                    out.append(xml[pos : m.start() if cells is None else c_start])
                    if cells is None:
                        a = quick_attrs(xml[m.start() + len(p) + 4 : m.end(2)])  # as iter_rows reads them
                        out.append(self.edit_row(xml, num, m.group(0), c_start, c_end, a, targets))
                        pos = r_end
                    else:
                        out += cells
                        pos = at
                if k >= n:
                    break
            m = row_at(xml, r_end, end) or row_search(xml, r_end, end)
        self.k, self.prev = k, last
        return out, pos

    def _tag_start(self, c: int) -> str:
        """``<c r="Q`` of column ``c``: a cell's start tag up to its row number."""
        return self._tag_starts.setdefault(c, f'<{self.p}c r="{col_letter(c)}')

    def _scan_rows(self, xml: str, start: int, end: int, out: list[str]) -> int:
        """:meth:`rows`, every row read as it comes (numbered by ``r`` or by the one before it)."""
        pending, by_row = self.pending, self.by_row
        k, pos = self.k, start
        for num, r_start, c_start, c_end, r_end, a, tag in self.ws.iter_rows(xml, start, end, self.prev):
            self.prev = num
            while k < len(pending) and pending[k] < num:
                out.append(xml[pos:r_start])
                out.append(self.new_row(pending[k]))
                pos = r_start
                k += 1
            if k < len(pending) and pending[k] == num:
                out.append(xml[pos:r_start])
                out.append(self.edit_row(xml, num, tag, c_start, c_end, a, by_row[num]))
                pos = r_end
                k += 1
            if k >= len(pending):
                break
        self.k = k
        return pos

    def rest(self) -> list[str]:
        """The rows not met (after the last row of the sheet), in order."""
        out = [self.new_row(r) for r in self.pending[self.k :]]
        self.k = len(self.pending)
        return out

    def new_row(self, r: int) -> str:
        p, tails, date1904 = self.p, self.tails, self.date1904
        body = "".join(
            cached_cell_xml(f"{col_letter(c)}{r}", cell.value, cell.style, date1904, p, tails)
            for c, cell in sorted(self.by_row[r].items())
        )
        return f'<{p}row r="{r}">{body}</{p}row>'

    def _cell(self, targets: dict[int, Cell], num: int, c: int, old: tuple[str, dict[str, str]] | None) -> str:
        """Cell ``c`` of row ``num`` as written; ``old``: the cell there before (its text, its attributes)."""
        p = self.p
        cell = targets[c]
        style = cell.style
        ref = f"{col_letter(c)}{num}"
        if old is not None:
            body, oa = old
            if self.keep_styles and "s" in oa:
                style = int(oa["s"] or 0)
            keep = self.keep_formulas if isinstance(self.keep_formulas, bool) else c in self.keep_formulas
            fm = self.ws._formula.search(body) if keep else None
            if fm and not isinstance(plain_value(cell.value), Formula):
                # the cell as a formula with this cached value, its old <f> in place of the new one
                before, after = self._kept_formula_tail(cell.value, style)
                cm = f' cm="{oa["cm"]}"' if "cm" in oa else ""
                return f'<{p}c r="{ref}"{cm}{before}{fm.group(0)}{after}'
        return cached_cell_xml(ref, cell.value, style, self.date1904, p, self.tails)

    def edit_row(
        self, xml: str, num: int, tag: str, c_start: int, c_end: int, a: dict[str, str], targets: dict[int, Cell]
    ) -> str:
        """Row ``num`` (start tag ``tag``, content ``xml[c_start:c_end]``) with ``targets`` written."""
        p = self.p
        todo = sorted(targets)
        k = 0
        out: list[str] = []
        pos = c_start
        cols: list[int] = []
        found = self._find_cells(xml, num, c_start, c_end, todo, a.get("spans"))
        if found is not None:  # every target cell is there, addressed as usual: edited in place
            for col, (s, e, ca) in zip(todo, found):
                out.append(xml[pos:s])
                out.append(self._cell(targets, num, col, (xml[s:e], ca)))
                pos = e
            out.append(xml[pos:c_end])
            return self._row_tag(tag, a, num, []) + "".join(out) + self._close_row
        appended = self._place_by_references(xml, num, tag, c_start, c_end, a, targets, todo)
        if appended is not None:
            return appended
        last_end = c_start
        for col, s, e, ca, _sc in self.ws.cells(xml, c_start, c_end):
            if k >= len(todo):  # every target is written: the rest of the row stays as it is
                break
            while k < len(todo) and todo[k] < col:
                out.append(xml[pos:s])
                out.append(self._cell(targets, num, todo[k], None))
                cols.append(todo[k])
                pos = s
                k += 1
            if k < len(todo) and todo[k] == col:
                out.append(xml[pos:s])
                out.append(self._cell(targets, num, col, (xml[s:e], ca)))
                pos = e
                k += 1
            cols.append(col)
            last_end = e
        rest = [self._cell(targets, num, c, None) for c in todo[k:]]
        cols += todo[k:]
        if rest:
            ext = re.compile(rf"<{re.escape(p)}extLst\b").search(xml, last_end, c_end)
            at = ext.start() if ext else c_end
            out.append(xml[pos:at])
            out += rest
            pos = at
        out.append(xml[pos:c_end])
        return self._row_tag(tag, a, num, cols) + "".join(out) + self._close_row

    def _place_by_references(
        self,
        xml: str,
        num: int,
        tag: str,
        c_start: int,
        c_end: int,
        a: dict[str, str],
        targets: dict[int, Cell],
        todo: Sequence[int],
    ) -> str | None:
        """:meth:`edit_row`'s result when none of the targets is in the row and its cells are
        addressed as Excel, openpyxl and xlgrade write them (``<c r="Q5"``, first) in ascending
        columns: each target goes before the first cell right of it, or after the last cell
        (before the row's ``extLst``), found by the cells' references alone, without reading
        their attributes. A column added to a filled sheet (the ledger's 信用评估, the customer
        summary's computed columns, on the first run) is such an edit on every row. None in any
        other case (the general scan then does it)."""
        p = self.p
        found = self._cell_refs.findall(xml, c_start, c_end)
        if len(found) != len(self._any_cell.findall(xml, c_start, c_end)):
            return None  # a cell addressed otherwise (or not at all)
        letters = self._letter_cols
        try:
            cols = [letters[x] for x in found]
        except KeyError:
            cols = [letters.setdefault(x, col_index(x)) for x in found]
        pieces: list[str] = []
        pos = c_start
        inside = [c for c in todo if cols and c < cols[-1]]
        if inside:  # targets between cells: before the first cell right of each
            if any(x >= y for x, y in zip(cols, cols[1:])) or not set(todo).isdisjoint(cols):
                return None
            starts = [m.start() for m in self._cell_start.finditer(xml, c_start, c_end)]
            if len(starts) != len(cols):
                return None
            for c in inside:
                s = starts[bisect_right(cols, c)]
                pieces += (xml[pos:s], self._cell(targets, num, c, None))
                pos = s
        after = todo[len(inside) :]
        if after:
            if cols and max(cols) >= after[0]:
                return None
            last_end = c_start
            if found:
                last = self._cell_at(xml, xml.rfind(f'<{p}c r="', c_start, c_end), c_end)
                if last is None:
                    return None
                last_end = last[1]
            ext = xml.find(f"<{p}extLst", last_end, c_end)
            at = ext if ext >= 0 and self._ext_list.match(xml, ext) else c_end
            if ext >= 0 and at == c_end:
                return None  # "<extLst" that is not the element: left to the general scan
            pieces.append(xml[pos:at])
            pieces += [self._cell(targets, num, c, None) for c in after]
            pos = at
        pieces.append(xml[pos:c_end])
        return self._row_tag(tag, a, num, [*cols, *todo]) + "".join(pieces) + self._close_row

    def _kept_formula_tail(self, value: Any, style: int | None) -> tuple[str, str]:
        """A formula cell's tail (:func:`cell_tail`) with cached result ``value``, split where its
        ``<f>`` goes; each distinct (value, style) split once into ``tails``."""
        tails = self.tails
        try:
            key = ("kept formula", type(value), value, style)
            return tails[key]
        except KeyError:
            pass
        except TypeError:
            key = None
        p = self.p
        before, after = cell_tail(Formula("x", value), style, self.date1904, p).split(f"<{p}f>x</{p}f>", 1)
        if key is not None:
            tails[key] = (before, after)
        return before, after

    @staticmethod
    def _row_tag(tag: str, a: dict[str, str], num: int, cols: Sequence[int]) -> str:
        """A row's start tag after an edit: its spans grown to ``cols``, its ``r`` written, open."""
        spans = a.get("spans")
        if spans and cols:
            lo, hi = min(cols), max(cols)
            try:
                bounds = [int(x) for part in spans.split() for x in part.split(":")]
                if lo < min(bounds) or hi > max(bounds):
                    tag = set_attr(tag, "spans", f"{min(lo, min(bounds))}:{max(hi, max(bounds))}")
            except ValueError:
                tag = set_attr(tag, "spans", None)
        if "r" not in a:
            tag = set_attr(tag, "r", str(num))
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        return tag

    def _find_cells(
        self, xml: str, num: int, c_start: int, c_end: int, todo: Sequence[int], spans: str | None
    ) -> list[tuple[int, int, dict[str, str]]] | None:
        """(start, end, attributes) of each of the row's cells ``todo`` (columns, ascending),
        found by their reference as Excel and xlgrade write it (``<c r="Q5"``, first), without
        reading the other cells; None when one is missing or written otherwise, or when the
        row's spans would have to grow (the general scan in :meth:`edit_row` then does it)."""
        p = self.p
        if spans and not self._spans_hold(spans, todo, xml, c_start, c_end):
            return None
        out = []
        pos = c_start
        for c in todo:
            s = xml.find(f'<{p}c r="{col_letter(c)}{num}"', pos, c_end)
            at = self._cell_at(xml, s, c_end)
            if at is None:
                return None
            m, e = at
            out.append((s, e, quick_attrs(m.group(1))))
            pos = e
        return out

    def _cell_at(self, xml: str, s: int, c_end: int) -> tuple[re.Match[str], int] | None:
        """(the start tag, the end) of the cell element starting at ``s`` (``-1``: none), within
        its row's content (up to ``c_end``); None when there is none there or it is not closed."""
        m = self.ws._cell.match(xml, s) if s >= 0 else None
        if m is None:
            return None
        if m.group(2):
            return m, m.end()
        close = xml.find(f"</{self.p}c>", m.end(), c_end)
        return None if close < 0 else (m, close + len(self.p) + 4)

    def _spans_hold(self, spans: str, todo: Sequence[int], xml: str, c_start: int, c_end: int) -> bool:
        """Whether the row's spans hold its first cell and its last target: then editing cells
        in place leaves the start tag as the general scan of :meth:`edit_row` would."""
        try:
            bounds = [int(x) for part in spans.split() for x in part.split(":")]
        except ValueError:
            return False
        if not bounds:
            return False
        if min(bounds) <= 1:  # no cell lies left of column 1: only the last target counts
            return todo[-1] <= max(bounds)
        first = self.ws._cell.search(xml, c_start, c_end)
        ref = attrs_of(first.group(1)).get("r") if first is not None else None
        if ref is None:
            return False
        try:
            lo = parse_ref(ref)[1]
        except PackageError:
            return False
        return min(bounds) <= min(lo, todo[0]) and max(todo[-1], lo) <= max(bounds)
