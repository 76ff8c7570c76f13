"""Cells formatted a column at a time (:func:`cellxml.column_tails`, typed columns formatted by
their type) and table bodies joined a block of rows at a time (:func:`worksheets.rows_xml`)
write exactly what formatting each cell on its own (:func:`cellxml.cell_tail`,
:func:`cellxml.cell_xml`) writes: floats, ints, texts (CJK, blank, spaces, line breaks, XML
specials, invalid characters, ``_x`` escapes, over-long), NaN / inf, None, dates, booleans,
error texts, numpy scalars, Cells with their own style, with and without a namespace prefix."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from xlgrade.workbook.cellxml import Cell, Formula, cell_tail, cell_xml, col_letter, column_tails
from xlgrade.workbook.worksheets import rows_xml

_TEXTS = [
    "",
    " ",
    "客户甲",
    "华为技术有限公司",
    " lead",
    "trail ",
    "a\nb",
    "a\r\nb",
    "<&>\"'",
    "bad\x00\x07char",
    "_x000D_ literal",
    "#N/A",
    "#DIV/0!",
    "x" * 40000,
    "ｶﾞ１２",
    "\ud800",
]
_NUMBERS = [0.0, -0.0, 1.0, -1.5, 1e15, -1e15, 1e16, 123456789012.345, 0.1 + 0.2, 5e-324, 45000.5]
_SPECIAL = [float("nan"), float("inf"), -float("inf"), None]


def _column(rng: random.Random, kind: str, n: int) -> list:
    out: list = []
    for _ in range(n):
        if rng.random() < 0.1:
            out.append(rng.choice(_SPECIAL if kind == "float" else [None]))
        elif kind == "float":
            out.append(rng.choice(_NUMBERS + [rng.uniform(-1e9, 1e9), float(rng.randint(-99, 99))]))
        elif kind == "int":
            out.append(rng.choice([0, -1, 7, 10**15, 10**16, -(10**20), rng.randint(-(10**6), 10**6)]))
        elif kind == "str":
            out.append(rng.choice(_TEXTS + [f"C{rng.randint(0, 999):03d}"]))
        else:  # anything at all
            out.append(
                rng.choice(
                    [
                        *_TEXTS[:6],
                        *_NUMBERS[:4],
                        *_SPECIAL,
                        True,
                        False,
                        3,
                        np.float64(2.5),
                        np.int64(4),
                        np.float64("nan"),
                        dt.date(2026, 10, 31),
                        dt.datetime(2026, 10, 1, 12, 30),
                        dt.date(1899, 1, 1),
                        Formula("SUM(A1:A2)", 3.0),
                        Cell("甲", 9),
                        Cell(1.5, None),
                        Cell(None, 4),
                        [1, 2],
                    ]
                )
            )
    return out


@pytest.mark.parametrize("kind", ["float", "int", "str", "mixed"])
@pytest.mark.parametrize("style", [None, 0, 5])
@pytest.mark.parametrize("p", ["", "x:"])
def test_column_tails_equal_cell_tail(kind, style, p):
    rng = random.Random(f"{kind}{style}{p}")
    items = _column(rng, kind, 500)
    want = [
        cell_tail(i.value, i.style, False, p) if isinstance(i, Cell) else cell_tail(i, style, False, p) for i in items
    ]
    assert column_tails(items, style, False, p) == want
    assert column_tails([], style, False, p) == []
    assert column_tails([None] * 3, style, False, p) == [cell_tail(None, style, False, p)] * 3


def _old_rows_xml(rows, styles, date1904, p, first=2):
    """rows_xml as it was: one cell_xml per cell, row by row."""
    width = min(len(styles), max((len(r) for r in rows), default=0))
    out = []
    for i, r in enumerate(rows, start=first):
        out.append(f'<{p}row r="{i}">')
        for c in range(width):
            item = r[c] if c < len(r) else None  # a short row: blank cells of the column's style
            ref = f"{col_letter(c + 1)}{i}"
            if isinstance(item, Cell):
                out.append(cell_xml(ref, item.value, item.style, date1904, p))
            else:
                out.append(cell_xml(ref, item, styles[c], date1904, p))
        out.append(f"</{p}row>")
    return "".join(out)


@pytest.mark.parametrize("p", ["", "x:"])
@pytest.mark.parametrize("n", [0, 1, 9000])
def test_rows_xml_equals_cell_by_cell(p, n, monkeypatch):
    rng = random.Random(n)
    kinds = ["float", "int", "str", "mixed", "float", "str"]
    columns = [_column(rng, k, n) for k in kinds]
    rows = list(zip(*columns))
    styles = [3, 0, 7, None, 1, 2]
    assert rows_xml(rows, styles, False, p, 5) == _old_rows_xml(rows, styles, False, p, 5)
    assert rows_xml(rows, styles[:4], True, p) == _old_rows_xml(rows, styles[:4], True, p)
    ragged = [r[: rng.randint(0, 6)] for r in rows]
    assert rows_xml(ragged, styles, False, p) == _old_rows_xml(ragged, styles, False, p)
    empty = [()] * n
    assert rows_xml(empty, styles, False, p) == _old_rows_xml(empty, styles, False, p)
