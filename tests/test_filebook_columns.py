"""A frame column becomes the plain cell values the writers take (:meth:`FileBook._column`): numpy
numbers and booleans straight from the array, NaN as a blank, exactly as the general conversion
(``astype(object)``, blanks as None) gives them; grade cells are one Cell per distinct grade."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from xlgrade.schema.model import GRADE, MONEY, NUMBER
from xlgrade.workbook.cellxml import Cell
from xlgrade.workbook.filebook import FileBook

SERIES = [
    pd.Series([1.5, np.nan, -0.0, np.inf, -np.inf, 1e16, 2.0]),
    pd.Series([1, -(2**62), 0]),
    pd.Series([True, False, True]),
    pd.Series(np.array([1.1, np.nan], dtype="float32")),
    pd.Series(np.array([3, 250], dtype="uint8")),
    pd.Series([1, None], dtype="Int64"),
    pd.Series([True, None], dtype="boolean"),
    pd.Series([1.5, None], dtype="Float64"),
    pd.Series([], dtype="float64"),
]


@pytest.mark.parametrize("series", SERIES, ids=lambda s: str(s.dtype))
def test_numeric_columns_equal_the_general_conversion(series):
    book = SimpleNamespace(package=SimpleNamespace(date1904=False))
    got = FileBook._column(book, series, NUMBER, len(series))
    want = series.astype(object).where(series.notna(), None).tolist()
    assert repr(got) == repr(want) and [type(v) for v in got] == [type(v) for v in want]


def test_grade_cells_share_one_cell_per_grade():
    book = SimpleNamespace(styles=lambda: {"grade": 1, "grade_1": 11, "grade_2": 12, "money": 5})
    values = ["A", "B", "A", None, "Z", 1, 1.0, True]
    cells, style = FileBook._cells_of(book, values, GRADE, {"A": 0, "B": 1, "1": 1})
    ranks = {"A": 0, "B": 1, "1": 1}
    roles = ["grade_1", "grade_2", "grade_1", "grade", "grade", "grade_2", "grade", "grade"]
    assert style == 1 and cells == [Cell(v, book.styles()[r]) for v, r in zip(values, roles)]
    assert [type(c.value) for c in cells] == [type(v) for v in values]  # 1, 1.0 and True stay apart
    assert cells[0] is cells[2] and ranks
    assert FileBook._cells_of(book, [1.0, None], MONEY, ranks) == ([1.0, None], 5)


OBJECT_SERIES = [
    pd.Series(["a", None, "贵客", ""], dtype=object),
    pd.Series(["a", 1, True, None, 2**70], dtype=object),
    pd.Series(["a", 1.5, np.nan, np.inf, -np.inf, -0.0, None], dtype=object),
    pd.Series(["a", np.float64(2.5), np.int64(3), np.bool_(True), np.float64("nan")], dtype=object),
    pd.Series(["a", pd.NaT, pd.Timestamp("2026-10-31"), pd.NA, np.datetime64("2026-01-02")], dtype=object),
    pd.Series([], dtype=object),
]


@pytest.mark.parametrize("series", OBJECT_SERIES)
def test_object_columns_equal_plain_value_of_each(series):
    """The fast paths (texts, blanks and whole numbers as they are; floats' NaN and infinities
    as blanks) give exactly what plain_value gives value by value, types included."""
    from xlgrade.workbook.cellxml import plain_value

    book = SimpleNamespace(package=SimpleNamespace(date1904=False))
    got = FileBook._column(book, series, "text", len(series))
    want = [plain_value(v) for v in series.tolist()]
    assert repr(got) == repr(want) and [type(v) for v in got] == [type(v) for v in want]
