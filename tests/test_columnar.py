"""Rows stacked into columns as calamine streams them (xlgrade.columnar, io.tables.read_book_table)
give the very frame and issues of the rows held as lists (read_book_rows + normalize_rows)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlgrade import columnar
from xlgrade.io.tables import read_book_rows, read_book_table
from xlgrade.normalize import normalize_rows
from xlgrade.parse import CellError
from xlgrade.schema import CUSTOMERS, LEDGER
from xlgrade.workbook.filebook import FileBook

# what staff type into a ledger, as cells of each column (customer_id, date, amount, extra)
AWKWARD_IDS = ["C1", " C2 ", "Ｃ３", "c4", "", None, "C1\u3000", 7.0]
AWKWARD_DATES = [
    dt.datetime(2026, 3, 5),
    dt.datetime(2026, 3, 5, 14, 30),
    "2026/3/5",
    "2026年3月5日",
    "２０２６-０３-０５",
    "2026-03-05 14:00",
    "3/5/2026",
    45000.0,
    5.0,
    "",
    None,
    "not a date",
    dt.datetime(1850, 1, 1),
]
AWKWARD_AMOUNTS = [
    1200.0,
    -35.5,
    "1,234.50",
    "¥1,200",
    "￥1,200",
    "12万",
    "１２３",
    "(1,200.50)",
    " 8 ",
    "",
    None,
    "abc",
    1e16,
    0.0,
    True,
    3,
]
AWKWARD_EXTRA = ["首单", "", None, 1.5, dt.datetime(2026, 1, 1), "x" * 40, "退货"]


def _old(path, sheet, **kw):
    rows, offset, name = read_book_rows(path, sheet, **kw)
    return normalize_rows(rows, sheet, source=f"[{path.name}]{name}", row_offset=offset)


def _same(a, b):
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert [c for c in a.frame.columns] == [c for c in b.frame.columns]
    assert [(repr(i.value), i) for i in a.issues] == [(repr(i.value), i) for i in b.issues]
    assert (a.headers, a.extras, a.source, a.header_row, a.typed_as_text) == (
        b.headers,
        b.extras,
        b.source,
        b.header_row,
        b.typed_as_text,
    )


def _write(path, rows, *, start_row=1, start_col=1, errors=(), title="业绩"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.cell(start_row + i, start_col + j, v)
    for ref in errors:
        ws[ref].data_type = "e"
    wb.save(path)
    return path


def _ledger_rows(n, seed, *, title=True):
    rng = random.Random(seed)
    rows = [["客户业绩统计及信用评估表"], []] if title else []
    rows.append(["客户编号", "提货日期", "货物价款", "备注", None, "客户编号 "[:0] or "区域"])
    for i in range(n):
        if rng.random() < 0.02:
            rows.append([])  # a blank row inside the table
            continue
        clean = rng.random() < 0.9  # mostly clean lines, as a real ledger: the fast paths
        rows.append(
            [
                f"C{rng.randrange(50)}" if clean else rng.choice(AWKWARD_IDS),
                dt.datetime(2026, 1, 1) + dt.timedelta(days=rng.randrange(300)) if clean else rng.choice(AWKWARD_DATES),
                float(rng.randrange(1, 10**6)) / 100 if clean else rng.choice(AWKWARD_AMOUNTS),
                rng.choice(AWKWARD_EXTRA),
                None,
                f"sale-{i}" if rng.random() < 0.5 else rng.choice(["华东", "华南"]),
            ]
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_streamed_read_equals_rows_read_on_awkward_ledgers(tmp_path, seed):
    # several chunks (CHUNK_ROWS) so that a column is float in some chunks and mixed in others
    path = _write(tmp_path / "l.xlsx", _ledger_rows(2 * columnar.CHUNK_ROWS + 123, seed))
    new, name = read_book_table(path, LEDGER)
    assert name == "业绩"
    _same(_old(path, LEDGER), new)
    assert len(new.issues) > 10  # the awkward cells were reported, by row, column and value


def test_streamed_read_of_clean_numbers_has_float_raw_columns_and_the_same_result(tmp_path):
    rows = [["客户编号", "提货日期", "货物价款"]]
    rows += [[f"C{i % 7}", dt.datetime(2026, 1, 1 + i % 28), float(i)] for i in range(3 * columnar.CHUNK_ROWS)]
    rows.append(["C1", dt.datetime(2026, 2, 1), "12万"])  # text in the last chunk only
    path = _write(tmp_path / "l.xlsx", rows)
    new, _ = read_book_table(path, LEDGER)
    _same(_old(path, LEDGER), new)
    assert new.typed_as_text == {"amount": {len(rows): "12万"}}


@pytest.mark.parametrize(("start_row", "start_col"), [(1, 1), (3, 1), (1, 3), (4, 2)])
def test_streamed_read_keeps_file_rows_with_blank_rows_and_columns_around(tmp_path, start_row, start_col):
    rows = _ledger_rows(40, 7)
    path = _write(tmp_path / "l.xlsx", rows, start_row=start_row, start_col=start_col)
    new, _ = read_book_table(path, LEDGER)
    _same(_old(path, LEDGER), new)


def test_streamed_read_finds_error_cells_in_the_header_area_and_the_body(tmp_path):
    rows = [["标题", "#N/A"], ["客户编号", "提货日期", "货物价款", "备注"]]
    rows += [[f"C{i}", "2026-01-05", float(i + 1), "x"] for i in range(columnar.CHUNK_ROWS + 10)]
    rows[3][2] = "#DIV/0!"
    rows[-1][3] = "#REF!"
    errors = ["B1", "C4", f"D{len(rows)}"]
    path = _write(tmp_path / "e.xlsx", rows, errors=errors, title=LEDGER.zh)
    old, new = _old(path, LEDGER), read_book_table(path, LEDGER)[0]
    _same(old, new)
    assert [(i.row, i.column, i.value) for i in new.issues] == [(4, "货物价款", "#DIV/0!")]
    assert isinstance(new.issues[0].value, CellError)
    assert isinstance(new.frame["备注"].iat[-1], CellError)  # an extra column keeps the error cell
    # the file book, which knows from the package which parts hold error cells, reads the same
    book = FileBook(path)
    _same(old, book.read_table(LEDGER))


def test_customers_read_by_the_file_book_equal_the_rows_read(tmp_path):
    rows = [["客户编号", "公司名称", "忠诚度", "渠道覆盖"]]
    rows += [[f"K{i}", f"公司{i % 3}", rng, "８"] for i, rng in enumerate([1.0, "11", "", None, "七", 3.5] * 5)]
    rows.append(["K1", "重复", 2.0, 1.0])
    path = _write(tmp_path / "c.xlsx", rows, title=CUSTOMERS.zh)
    _same(_old(path, CUSTOMERS), FileBook(path).read_table(CUSTOMERS))


def test_stack_pads_short_rows_keeps_values_and_interns_texts():
    rows = [["a", 1.0], ["a", 2.0, "late"], [], ["b" + "", 3]]
    st = columnar.stack(rows)
    raw = columnar.frame(["x"], [st])
    assert list(raw.columns) == ["x", "", ""]
    assert raw.iloc[:, 0].tolist() == ["a", "a", None, "b"]
    assert [repr(v) for v in raw.iloc[:, 1]] == ["1.0", "2.0", "None", "3"]  # the int stays an int
    assert raw.iloc[:, 2].tolist() == [None, "late", None, None]
    texts = [str(i % 3) * 3 for i in range(5 * columnar.CHUNK_ROWS)]
    col = columnar.frame(["t"], [columnar.stack([[t] for t in texts])]).iloc[:, 0]
    assert col.tolist() == texts and len({id(v) for v in col}) == 3


def test_stack_of_floats_is_a_float_column_until_a_cell_is_set():
    st = columnar.stack([[float(i)] for i in range(columnar.CHUNK_ROWS + 5)])
    assert all(s.dtype == np.float64 for s in st.segments[0])
    st.set(columnar.CHUNK_ROWS + 1, 0, CellError("#N/A"))
    st.set(10**9, 0, "ignored")  # beyond the rows: nothing
    col = columnar.frame(["v"], [st]).iloc[:, 0]
    assert col.dtype == object and isinstance(col.iat[columnar.CHUNK_ROWS + 1], CellError)
    assert col.iat[3] == 3.0 and type(col.iat[3]) is float


def test_unique_texts_stop_interning_but_keep_their_values():
    texts = [f"sale-{i}" for i in range(4 * columnar.CHUNK_ROWS)]
    st = columnar.stack([[t] for t in texts])
    assert st.memos[0] is None
    assert columnar.frame(["s"], [st]).iloc[:, 0].tolist() == texts
