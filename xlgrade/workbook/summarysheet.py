"""The summary sheet (汇总) as cells, charts and pages: the job's blocks laid out top to bottom
in columns A.., each block's chart between its title and its table, referencing the cells
written. :class:`FileBook` writes the result.

Print rules (the sheet prints landscape A4, see :mod:`xlgrade.workbook.pagelayout`):

1. Every row has a fixed height (``ROW_PT``; titles, wrapped headers and text more), so the
   layout knows where each page ends; the scale fits the widest block (or chart) across one
   page (blocks are kept narrow enough for ``MIN_SCALE``, 8 pt text, by wrapping headers and
   long text).
2. A block is a band: title, note, chart, header, rows, totals. A band that fits on the rest
   of the page stays there; otherwise it starts a new page (a manual row break). A band
   longer than a page starts on a page of its own and continues, with a break wherever the
   page is full, never inside the chart: a chart is always on one page.
3. The Pareto chart's guide (the A share) reads cells right of the printed area.
4. Column widths from the widest text (CJK counts double, see :mod:`xlgrade.workbook.widths`),
   at most ``TEXT_MAX``; a longer text wraps and its row grows by whole lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import repeat

from xlgrade.job.outputs import Block, Summary
from xlgrade.workbook import pagelayout, styles
from xlgrade.workbook.cellxml import Cell, plain_value, plain_values, quote_sheet, range_ref
from xlgrade.workbook.charts import ChartSpec, Series
from xlgrade.workbook.widths import header_width, text_width, widest

CHART_ROWS = 16  # rows a chart covers
CHART_CHARS = 72.0  # a chart spans the first columns up to at least this width
DEFAULT_WIDTH = 10.0  # a column no block uses
TEXT_MAX = 40.0
ROW_PT = 15.0
TITLE_PT = 24.0
BLOCK_TITLE_PT = 18.0
SAFETY = 0.95  # of a page's height used: the spreadsheet's row heights round


class SummaryLayout:
    """Blocks top to bottom in columns A.., charts in their bands, page breaks between bands."""

    def __init__(self, sheet: str, st: dict[str, int], summary: Summary) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.charts: list[ChartSpec] = []
        self.heights: dict[int, float] = {}
        self.sheet = sheet
        width: dict[int, float] = {}
        ranks: dict[str, int] = {}
        for i, label in enumerate(summary.grade_order):
            ranks.setdefault(str(label), i)
        self.cells[(1, 1)] = Cell(summary.title, st["title"])
        self.cells[(2, 1)] = Cell(summary.subtitle, st["subtitle"])
        self.heights[1] = TITLE_PT
        r = 4
        self.last_col = 1
        placed: list[tuple[Block, int, int, int, int, int | None]] = []
        texts: list[tuple[int, int, list]] = []  # text columns (first row, column, values): they may wrap
        heads: dict[tuple[int, int], str] = {}  # header cells: wrap, their row grows
        for block in summary.blocks:
            top = r
            self.cells[(r, 1)] = Cell(block.title, st["block_title"])
            self.heights[r] = BLOCK_TITLE_PT
            r += 1
            if block.note:
                self.cells[(r, 1)] = Cell(block.note, st["note"])
                r += 1
            chart_row = None
            if block.chart is not None and block.rows:
                chart_row = r
                r += CHART_ROWS + 1
            header_row = r
            for j, h in enumerate(block.headers, start=1):
                self.cells[(r, j)] = Cell(h, st["header"])
                width[j] = max(width.get(j, 0), header_width(str(h)))  # headers wrap: the longest word
                heads[(r, j)] = str(h)
            r += 1
            first = r
            self._rows(block, first, st, ranks, width, texts)
            r += len(block.rows)
            last = r - 1
            if block.total is not None:
                for j, (value, kind) in enumerate(zip(block.total, block.kinds)):
                    value = plain_value(value)
                    self.cells[(r, j + 1)] = Cell(value, st[styles.TOTAL_ROLE.get(kind, "total_text")])
                    width[j + 1] = max(width.get(j + 1, 0), text_width(value, kind, bold=True))
                r += 1
            self.last_col = max(self.last_col, len(block.headers))
            placed.append((block, top, header_row, first, last, chart_row))
            r += 1  # one blank row between blocks
        self.last_row = max(r - 2, 2)
        self.widths = {c: min(max(w + 2, 8.0), TEXT_MAX) for c, w in width.items()}
        self._wrap(texts, st)
        for (at, col), h in heads.items():
            lines = math.ceil(text_width(h) / max(self.widths[col] - 1, 1))
            self.heights[at] = max(self.heights.get(at, ROW_PT), min(max(lines, 1), 3) * ROW_PT)
        chart_cols = 1
        while sum(self.widths.get(c, DEFAULT_WIDTH) for c in range(1, chart_cols + 1)) < CHART_CHARS:
            chart_cols += 1
        for c in range(1, chart_cols + 1):
            self.widths.setdefault(c, DEFAULT_WIDTH)
        self.charts_bottom = self.charts_right = 0
        bands = []
        # a chart's guide level (the Pareto A share) needs cells: a column right of the printed area
        self.guide_col = max(self.last_col, chart_cols) + 2
        for block, top, header_row, first, last, chart_row in placed:
            if chart_row is not None:
                self.charts.append(self._chart(block, header_row, first, last, (chart_row, 1), chart_cols, st))
                self.charts_bottom = max(self.charts_bottom, chart_row + CHART_ROWS - 1)
                self.charts_right = max(self.charts_right, chart_cols)
            bands.append((top, header_row + 1))  # the band's first page holds at least its header and a row
        for at in range(1, max(self.last_row, self.charts_bottom) + 1):
            self.heights.setdefault(at, ROW_PT)
        right = max(self.last_col, self.charts_right)
        points = pagelayout.columns_points(self.widths.get(c, DEFAULT_WIDTH) for c in range(1, right + 1))
        # one page wide: at MIN_SCALE or more when the blocks allow, else what fits (a page
        # split sideways would be worse than smaller text)
        self.scale = pagelayout.fit_scale(points)
        self.row_breaks = self._breaks(bands)
        self.pages = len(self.row_breaks) + 1

    def _rows(
        self,
        block: Block,
        first: int,
        st: dict[str, int],
        ranks: dict[str, int],
        width: dict[int, float],
        texts: list[tuple[int, int, list]],
    ) -> None:
        """A block's rows from row ``first``, a column at a time: each cell styled by its column's
        kind (grades by their rank, each distinct grade ranked once), each column at least as
        wide as its widest value (rule 4), its text columns noted in ``texts`` (they may wrap)."""
        rows = block.rows
        if not rows:
            return
        span = range(first, first + len(rows))
        for j, (kind, column) in enumerate(zip(block.kinds, zip(*rows))):  # every row has a cell per kind
            values = plain_values(column)
            cells: Iterator[Cell]
            if block.grade_column == j:
                keys = [None if v is None else str(v) for v in values]
                style_of = {k: st[styles.grade_role(ranks.get(k) if k is not None else None)] for k in set(keys)}
                cells = map(Cell, values, [style_of[k] for k in keys])
            else:
                role = styles.KIND_ROLE.get(kind, "text")
                cells = _styled(values, st[role])
                if role == "text":
                    texts.append((first, j + 1, values))
            self.cells.update(zip(zip(span, repeat(j + 1)), cells))
            width[j + 1] = max(width.get(j + 1, 0), widest(kind, values, each=True))

    def _wrap(self, texts: list[tuple[int, int, list]], st: dict[str, int]) -> None:
        """Text wider than its column wraps and its row grows by whole lines (rule 4). A text of n
        characters reads at most 2n wide, so one no wider than its column is not measured."""
        for first, col, values in texts:
            room = max(self.widths[col] - 1, 1)
            for at, value in enumerate(values, first):
                if not isinstance(value, str) or 2 * len(value) <= room:
                    continue
                lines = math.ceil(text_width(value) / room)
                if lines > 1:
                    self.cells[(at, col)] = Cell(value, st["wrap"])
                    self.heights[at] = max(self.heights.get(at, ROW_PT), lines * ROW_PT)

    def _breaks(self, bands: list[tuple[int, int]]) -> list[int]:
        """Manual row breaks (the last row of each page but the last), rule 2."""
        page = pagelayout.usable()[1] * SAFETY * 100 / self.scale
        bottom = max(self.last_row, self.charts_bottom)
        starts = {top: keep for top, keep in bands}
        ends = [top - 1 for top, _ in bands[1:]] + [bottom]
        band_end = dict(zip((t for t, _ in bands), ends))
        breaks: list[int] = []
        used = 0.0
        row = 1
        while row <= bottom:
            if row in starts and used > 0:
                whole = sum(self.heights[x] for x in range(row, band_end[row] + 1))
                keep = sum(self.heights[x] for x in range(row, min(starts[row], band_end[row]) + 1))
                if used + whole > page and (whole <= page or used + keep > page):
                    breaks.append(row - 1)
                    used = 0.0
            h = self.heights[row]
            if used + h > page and used > 0:
                breaks.append(row - 1)
                used = 0.0
            used += h
            row += 1
        return breaks

    def _ref(self, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> str:
        return f"{quote_sheet(self.sheet)}!{range_ref(r1, c1, r2 or r1, c2 or c1, absolute=True)}"

    def _series(self, block: Block, j: int, header_row: int, first: int, last: int) -> Series:
        return Series(
            values=self._ref(first, j + 1, last, j + 1),
            name=str(block.headers[j]),
            name_ref=self._ref(header_row, j + 1),
            cache=tuple(plain_values([r[j] for r in block.rows])),
        )

    def _chart(
        self,
        block: Block,
        header_row: int,
        first: int,
        last: int,
        anchor: tuple[int, int],
        columns: int,
        st: dict[str, int],
    ) -> ChartSpec:
        chart = block.chart
        assert chart is not None  # only blocks with a chart get here
        cat = chart.categories
        kind = block.kinds[chart.values[0]] if chart.values else "number"
        fmt = {"money": "#,##0", "int": "#,##0", "share": "0%", "number": "#,##0.##"}.get(kind, "General")
        values = chart.values if chart.kind == "column" else chart.values[:1]
        series = tuple(self._series(block, j, header_row, first, last) for j in values)
        line = guide = None
        kind = chart.kind
        if kind == "pareto":
            if chart.line is None:
                kind = "column"
            else:
                line = self._series(block, chart.line, header_row, first, last)
            if chart.line is not None and chart.guide is not None:
                g = self.guide_col
                self.cells[(header_row, g)] = Cell(chart.guide_name, st["note"])
                level = Cell(chart.guide, st["share"])  # one Cell for the column (a Cell is immutable)
                self.cells.update(zip(zip(range(first, last + 1), repeat(g)), repeat(level)))
                guide = Series(
                    values=self._ref(first, g, last, g),
                    name=chart.guide_name,
                    name_ref=self._ref(header_row, g),
                    cache=(chart.guide,) * (last - first + 1),
                )
        return ChartSpec(
            kind=kind,
            title=chart.title,
            categories=self._ref(first, cat + 1, last, cat + 1),
            series=series,
            line=line,
            category_cache=tuple(plain_values([r[cat] for r in block.rows])),
            anchor=anchor,
            size=(columns, CHART_ROWS),
            number_format=fmt,
            guide=guide,
        )


_SHARED = {int, str, type(None)}  # the types of a column whose equal values may share one Cell


def _styled(values: list, style: int) -> Iterator[Cell]:
    """A Cell of ``style`` for each of ``values``; where they repeat (counts, statuses), a
    column of ints and texts has one Cell per distinct value (a Cell is immutable)."""
    if set(map(type, values)) <= _SHARED:
        distinct = dict.fromkeys(values)
        if 2 * len(distinct) < len(values):
            made = {v: Cell(v, style) for v in distinct}
            return map(made.__getitem__, values)
    return map(Cell, values, repeat(style))
