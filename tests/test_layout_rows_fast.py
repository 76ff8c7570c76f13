"""A free layout (the summary sheet: 140,000 Cells) written a column at a time: the same XML as
formatting each cell on its own, and a column of Cells of one style formatted by its values'
type, not value by value."""

from __future__ import annotations

import random

import pytest
from test_cellxml_columns import _column
from test_package import build_book

from xlgrade.schema.sheets import SUMMARY_SHEET
from xlgrade.workbook import cellxml, worksheets
from xlgrade.workbook.cellxml import Cell, cell_tail, cell_xml, col_letter, column_tails, xml_number
from xlgrade.workbook.package import Package


@pytest.mark.parametrize("kind", ["float", "int", "str"])
@pytest.mark.parametrize("style", [None, 0, 5])
@pytest.mark.parametrize("p", ["", "x:"])
def test_cells_of_one_style_are_formatted_by_type(kind, style, p, monkeypatch):
    rng = random.Random(f"{kind}{style}{p}")
    items = [Cell(v, style) for v in _column(rng, kind, 400)]
    want = [cell_tail(i.value, i.style, False, p) for i in items]

    def one_by_one(*a, **k):
        raise AssertionError("formatted value by value")

    monkeypatch.setattr(cellxml, "cell_tail", one_by_one)
    assert column_tails(items, 7, False, p) == want


def _old_sheet_data(cells, heights, p=""):
    """write_sheet's rows as they were: each cell formatted on its own, row by row."""
    by_row: dict = {}
    for (r, c), item in cells.items():
        by_row.setdefault(r, []).append((c, item))
    for r in heights:
        by_row.setdefault(r, [])
    out = []
    for r in sorted(by_row):
        ht = f' ht="{xml_number(float(heights[r]))}" customHeight="1"' if r in heights else ""
        out.append(f'<{p}row r="{r}"{ht}>')
        for c, item in sorted(by_row[r], key=lambda t: t[0]):
            value, style = (item.value, item.style) if isinstance(item, Cell) else (item, None)
            out.append(cell_xml(f"{col_letter(c)}{r}", value, style, False, p))
        out.append(f"</{p}row>")
    return "".join(out)


def test_write_sheet_writes_what_cell_by_cell_did(tmp_path, monkeypatch):
    rng = random.Random(5)
    cells: dict = {(1, 1): Cell("标题", 3), (2, 1): "note", (2, 4): None}
    r = 4
    for n, width in ((3, 2), (900, 6), (1, 1), (40, 3)):  # blocks: a run of rows holding the same columns
        kinds = [rng.choice(["float", "int", "str", "mixed"]) for _ in range(width)]
        columns = [_column(rng, k, n) for k in kinds]
        for i in range(n):
            for j in range(width):
                value = columns[j][i]
                if rng.random() < 0.05:
                    continue  # a cell left out: the row holds other columns
                cells[(r + i, j + 1)] = value if rng.random() < 0.3 else Cell(value, rng.choice([None, 0, 2, 9]))
        r += n + 2
    heights = {1: 24.0, 5: 15.0, r + 3: 30.5}  # the last: a row without cells
    want = _old_sheet_data(cells, heights)
    book = Package(build_book(tmp_path / "b.xlsx"))
    monkeypatch.setattr(worksheets, "cached_cell_xml", None, raising=False)  # no cell formatted on its own
    book.write_sheet(SUMMARY_SHEET.zh, cells, (), {1: 12.0}, heights)
    xml = book.text(book.sheet_part(SUMMARY_SHEET.zh))
    assert xml[xml.index("<sheetData>") + len("<sheetData>") : xml.index("</sheetData>")] == want


@pytest.mark.parametrize("style", [None, 0, 5])
@pytest.mark.parametrize("p", ["", "x:"])
def test_ints_floats_and_texts_together_are_formatted_by_type(style, p, monkeypatch):
    rng = random.Random(f"{style}{p}")
    items = [v for kind in ("float", "int", "str") for v in _column(rng, kind, 300)]
    items += [1, 1.0, 0, 0.0, -0.0, "1", None]  # equal across types: each its own type's text
    rng.shuffle(items)
    want = [cell_tail(v, style, False, p) for v in items]
    cells = [Cell(v, style) for v in items]

    def one_by_one(*a, **k):
        raise AssertionError("formatted value by value")

    monkeypatch.setattr(cellxml, "cell_tail", one_by_one)
    assert column_tails(items, style, False, p) == want
    assert column_tails(cells, 3, False, p) == want


@pytest.mark.parametrize("p", ["", "x:"])
def test_cells_of_several_styles_are_formatted_by_style_and_type(p, monkeypatch):
    rng = random.Random(p)
    # a summary block's column: its header, its rows and its totals, each of a style of its own
    items = [Cell("金额", 9)] + [Cell(v, 4) for v in _column(rng, "float", 300)]
    items += [Cell(v, rng.choice([None, 0, 4])) for v in _column(rng, "int", 100) + _column(rng, "str", 100)]
    items += [Cell(12345.5, 11), Cell(None, 11), Cell(1, 4), Cell(1.0, 4), Cell("1", 4)]
    want = [cell_tail(i.value, i.style, False, p) for i in items]

    def one_by_one(*a, **k):
        raise AssertionError("formatted value by value")

    monkeypatch.setattr(cellxml, "cell_tail", one_by_one)
    assert column_tails(items, 7, False, p) == want
