"""The summary sheet (汇总) as cells and charts: the job's blocks laid out top to bottom in
columns A.., each chart to the right of the block it draws, referencing the cells written;
column widths from the widest text (CJK counts double). :class:`FileBook` writes the result.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from xlgrade.job.outputs import Block, Summary
from xlgrade.workbook import styles
from xlgrade.workbook.cellxml import Cell, plain_value, quote_sheet, range_ref
from xlgrade.workbook.charts import ChartSpec, Series

CHART_COLUMN = 10  # charts start in column J, or two columns right of the widest block
CHART_SIZE = (8, 16)  # columns x rows a chart covers


def _text_width(value: Any) -> float:
    if value is None:
        return 0
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class SummaryLayout:
    """Blocks top to bottom in columns A.., charts to their right referencing the cells written."""

    def __init__(self, sheet: str, st: dict[str, int], summary: Summary) -> None:
        self.cells: dict[tuple[int, int], Cell] = {}
        self.charts: list[ChartSpec] = []
        self.sheet = sheet
        width: dict[int, float] = {}
        ranks: dict[str, int] = {}
        for i, label in enumerate(summary.grade_order):
            ranks.setdefault(str(label), i)
        self.cells[(1, 1)] = Cell(summary.title, st["title"])
        self.cells[(2, 1)] = Cell(summary.subtitle, st["subtitle"])
        r = 4
        self.last_col = 1
        placed: list[tuple[Block, int, int, int, int]] = []
        for block in summary.blocks:
            top = r
            self.cells[(r, 1)] = Cell(block.title, st["block_title"])
            r += 1
            if block.note:
                self.cells[(r, 1)] = Cell(block.note, st["note"])
                r += 1
            header_row = r
            for j, h in enumerate(block.headers, start=1):
                self.cells[(r, j)] = Cell(h, st["header"])
                width[j] = max(width.get(j, 0), _text_width(h))
            r += 1
            first = r
            for row in block.rows:
                for j, (value, kind) in enumerate(zip(row, block.kinds)):
                    value = plain_value(value)
                    role = styles.KIND_ROLE.get(kind, "text")
                    if block.grade_column == j:
                        role = styles.grade_role(ranks.get(str(value)) if value is not None else None)
                    self.cells[(r, j + 1)] = Cell(value, st[role])
                    width[j + 1] = max(width.get(j + 1, 0), _text_width(value))
                r += 1
            last = r - 1
            if block.total is not None:
                for j, (value, kind) in enumerate(zip(block.total, block.kinds)):
                    value = plain_value(value)
                    self.cells[(r, j + 1)] = Cell(value, st[styles.TOTAL_ROLE.get(kind, "total_text")])
                    width[j + 1] = max(width.get(j + 1, 0), _text_width(value))
                r += 1
            self.last_col = max(self.last_col, len(block.headers))
            placed.append((block, top, header_row, first, last))
            r += 1  # one blank row between blocks
        self.last_row = max(r - 2, 2)
        self.widths = {c: min(max(w + 2, 8.0), 40.0) for c, w in width.items()}
        column = max(CHART_COLUMN, self.last_col + 2)
        free = 4
        self.charts_bottom = self.charts_right = 0
        for block, top, header_row, first, last in placed:
            if block.chart is None or last < first:
                continue
            at = max(top, free)
            self.charts.append(self._chart(block, header_row, first, last, (at, column)))
            free = at + CHART_SIZE[1] + 1
            self.charts_bottom, self.charts_right = free - 1, column + CHART_SIZE[0] - 1

    def _ref(self, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> str:
        return f"{quote_sheet(self.sheet)}!{range_ref(r1, c1, r2 or r1, c2 or c1, absolute=True)}"

    def _series(self, block: Block, j: int, header_row: int, first: int, last: int) -> Series:
        return Series(
            values=self._ref(first, j + 1, last, j + 1),
            name=str(block.headers[j]),
            name_ref=self._ref(header_row, j + 1),
            cache=tuple(plain_value(r[j]) for r in block.rows),
        )

    def _chart(self, block: Block, header_row: int, first: int, last: int, anchor: tuple[int, int]) -> ChartSpec:
        chart = block.chart
        assert chart is not None  # only blocks with a chart get here
        cat = chart.categories
        kind = block.kinds[chart.values[0]] if chart.values else "number"
        fmt = {"money": "#,##0", "int": "#,##0", "share": "0%", "number": "#,##0.##"}.get(kind, "General")
        values = chart.values if chart.kind == "column" else chart.values[:1]
        series = tuple(self._series(block, j, header_row, first, last) for j in values)
        line = None
        kind = chart.kind
        if kind == "pareto":
            if chart.line is None:
                kind = "column"
            else:
                line = self._series(block, chart.line, header_row, first, last)
        return ChartSpec(
            kind=kind,
            title=chart.title,
            categories=self._ref(first, cat + 1, last, cat + 1),
            series=series,
            line=line,
            category_cache=tuple(plain_value(r[cat]) for r in block.rows),
            anchor=anchor,
            size=CHART_SIZE,
            number_format=fmt,
        )
