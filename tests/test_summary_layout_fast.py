"""The summary sheet laid out and written a column at a time (xlgrade.workbook.summarysheet, the
free layout of xlgrade.workbook.worksheets) against the cell-by-cell ways they replaced: the
same Cells (values with their types, styles), widths, heights, charts and pages; the same
sheet XML."""

from __future__ import annotations

import math
import random
from itertools import repeat
from typing import Any

import pytest
from test_cellxml_columns import _column
from test_layout_rows_fast import _old_sheet_data
from test_package import build_book
from test_summary import _book

from xlgrade.job import summary
from xlgrade.job.outputs import GRADE, INT, MONEY, NUMBER, SHARE, TEXT, Block, Chart, Summary
from xlgrade.schema.sheets import SUMMARY_SHEET
from xlgrade.workbook import styles, worksheets
from xlgrade.workbook.cellxml import Cell, column_tails, plain_value, plain_values
from xlgrade.workbook.charts import Series
from xlgrade.workbook.package import Package
from xlgrade.workbook.summarysheet import ROW_PT, SummaryLayout
from xlgrade.workbook.widths import text_width, widest


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` equal all the way down, each value of the same type (floats by repr)."""
    assert type(a) is type(b), f"{where}: {a!r} vs {b!r}"
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert repr(a) == repr(b) or (math.isnan(a) and math.isnan(b)), f"{where}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


ST = {role: i for i, role in enumerate((*styles.ROLES, "wrap", "title", "subtitle"), start=3)}


class _OldLayout(SummaryLayout):
    """The layout as it was: each cell made and styled on its own, every text measured for
    wrapping, the chart caches value by value."""

    def _rows(self, block, first, st, ranks, width, texts):
        rows = block.rows
        if not rows:
            return
        for j, (kind, column) in enumerate(zip(block.kinds, zip(*rows))):
            at = list(zip(range(first, first + len(rows)), repeat(j + 1)))
            values = [plain_value(v) for v in column]
            role = styles.KIND_ROLE.get(kind, "text")
            if block.grade_column == j:
                roles = [styles.grade_role(ranks.get(str(v)) if v is not None else None) for v in values]
                self.cells.update(zip(at, (Cell(v, st[x]) for v, x in zip(values, roles))))
            else:
                self.cells.update(zip(at, (Cell(v, st[role]) for v in values)))
                if role == "text":
                    texts.append((first, j + 1, values))
            width[j + 1] = max(width.get(j + 1, 0), widest(kind, values, each=True))

    def _wrap(self, texts, st):
        for first, col, values in texts:
            for at, value in enumerate(values, first):
                if isinstance(value, str):
                    lines = math.ceil(text_width(value) / max(self.widths[col] - 1, 1))
                    if lines > 1:
                        self.cells[(at, col)] = Cell(value, st["wrap"])
                        self.heights[at] = max(self.heights.get(at, ROW_PT), lines * ROW_PT)

    def _series(self, block, j, header_row, first, last):
        return Series(
            values=self._ref(first, j + 1, last, j + 1),
            name=str(block.headers[j]),
            name_ref=self._ref(header_row, j + 1),
            cache=tuple(plain_value(r[j]) for r in block.rows),
        )


def _outcome(layout: SummaryLayout) -> tuple:
    return (
        [(key, cell.value, cell.style) for key, cell in layout.cells.items()],
        list(layout.widths.items()),
        sorted(layout.heights.items()),
        [(c.kind, c.categories, c.series, c.line, c.guide, c.anchor, c.size, c.number_format) for c in layout.charts],
        (layout.scale, layout.row_breaks, layout.last_row, layout.last_col, layout.pages),
    )


def _wide_summary(seed: int) -> Summary:
    """Blocks of the summary's shapes: counts that repeat, long texts that wrap, grades known and
    not, blanks, negative zeros, a Pareto chart."""
    rng = random.Random(seed)
    words = ["甲公司", "Acme Trading Co., Ltd. of the Eastern Region", "乙" * 30, "", "x" * 19, "y" * 21, "K1"]
    n = rng.choice([1, 30, 400])
    counts = Block(
        "salesperson",
        "按业务员",
        ("业务员", "A", "B", "C", "合计", "状态"),
        (TEXT, INT, INT, INT, INT, TEXT),
        tuple(
            (rng.choice(words), rng.randint(0, 3), rng.randint(0, 3), rng.choice([0, None, 2]), i, rng.choice(words))
            for i in range(n)
        ),
        ("合计", 1, 2, 3, 4, None),
        "note",
    )
    pareto = Block(
        "pareto",
        "帕累托",
        ("排名", "客户", "公司", "等级", "金额", "占比", "累计"),
        (INT, TEXT, TEXT, GRADE, MONEY, SHARE, SHARE),
        tuple(
            (
                i + 1,
                f"K{i}",
                rng.choice(words),
                rng.choice(["A", "B", "C", "Z", None, 1]),
                rng.choice([1.5, -0.0, 0.0, 1e9 + 0.25, float("nan"), 7]),
                rng.random(),
                min(1.0, (i + 1) / n),
            )
            for i in range(n)
        ),
        ("合计", None, None, None, 123.0, 1.0, None),
        "",
        Chart("pareto", "帕累托图", categories=2, values=(4,), line=6, guide=0.8, guide_name="A 80%"),
        grade_column=3,
    )
    numbers = Block(
        "credit",
        "信用",
        ("等级", "客户", "逾期", "平均分"),
        (GRADE, INT, MONEY, NUMBER),
        tuple((rng.choice("ABC"), rng.randint(0, 9), rng.uniform(-5, 5), rng.choice([1.25, None])) for _ in range(n)),
        None,
        "",
        Chart("column", "图", categories=0, values=(1, 2)),
        grade_column=0,
    )
    return Summary("标题", "副标题", (counts, pareto, numbers), grade_order=("A", "B", "C"))


@pytest.mark.parametrize("seed", range(6))
def test_the_layout_is_the_cell_by_cell_one(seed):
    for s in (_wide_summary(seed), _book("zh")[0], _book("en")[0]):
        same(_outcome(SummaryLayout("汇总", ST, s)), _outcome(_OldLayout("汇总", ST, s)), f"seed {seed}")


def test_the_layout_shares_cells_of_repeating_counts():
    s = next(_wide_summary(seed) for seed in range(20) if len(_wide_summary(seed).blocks[0].rows) == 400)
    layout = SummaryLayout("汇总", ST, s)
    header = next(r for (r, c), cell in layout.cells.items() if c == 1 and cell.value == "业务员")
    counts = [layout.cells[(r, 2)] for r in range(header + 1, header + 401)]  # the salesperson block's A column
    assert [c.value for c in counts] == [row[1] for row in s.blocks[0].rows]
    assert len({id(c) for c in counts}) == len({c.value for c in counts}) <= 4


def _block_cells(rng: random.Random) -> dict:
    """A free layout of blocks: header, body and totals rows of one set of columns, each part a
    style of its own, a grade column of many styles, cells left out, rows of other columns."""
    cells: dict = {(1, 1): Cell("标题", 3)}
    r = 3
    for n, width in ((1, 2), (300, 5), (2, 3), (60, 4)):
        kinds = [rng.choice(["float", "int", "str", "mixed"]) for _ in range(width)]
        columns = [_column(rng, k, n) for k in kinds]
        for j in range(width):
            cells[(r, j + 1)] = Cell(f"头{j}", 9)
        for i in range(n):
            for j in range(width):
                if rng.random() < 0.02:
                    continue
                style = rng.choice([11, 12, 13]) if j == 0 else 20 + j
                cells[(r + 1 + i, j + 1)] = Cell(columns[j][i], style if rng.random() > 0.03 else 30)
        for j in range(width):
            cells[(r + 1 + n, j + 1)] = Cell(rng.choice([1.5, None, "合计", 3]), 40 + j)
        r += n + 4
    return cells


@pytest.mark.parametrize("seed", range(4))
def test_a_run_of_cells_is_formatted_as_column_tails_formats_it(seed):
    rng = random.Random(seed)
    cells = _block_cells(rng)
    by_col: dict = {}
    for (_r, c), cell in sorted(cells.items()):
        by_col.setdefault(c, []).append(cell)
    for column in by_col.values():
        assert worksheets._run_tails(tuple(column), False, "x:") == column_tails(column, None, False, "x:")
    plain = [v.value for v in by_col[2]]
    assert worksheets._run_tails(tuple(plain), False, "") == column_tails(plain, None, False, "")


@pytest.mark.parametrize("seed", range(3))
def test_write_sheet_writes_block_runs_as_cell_by_cell(tmp_path, seed):
    rng = random.Random(seed)
    cells = _block_cells(rng)
    heights = {1: 24.0, 3: 30, 4: 15.0, 400: 15, 401: 45.5}
    book = Package(build_book(tmp_path / "b.xlsx"))
    book.write_sheet(SUMMARY_SHEET.zh, cells, (), {1: 12.0}, heights)
    xml = book.text(book.sheet_part(SUMMARY_SHEET.zh))
    assert xml[xml.index("<sheetData>") + len("<sheetData>") : xml.index("</sheetData>")] == _old_sheet_data(
        cells, heights
    )


def test_plain_cells_of_a_column_are_each_cells_plain_value():
    rng = random.Random(3)
    for kind in ("float", "int", "str", "mixed"):
        column = _column(rng, kind, 300)
        same(summary._cells(column), [summary._cell(v) for v in column], kind)
    assert plain_values([1.0, float("nan")]) == [1.0, None]
