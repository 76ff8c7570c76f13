"""CSV input through pandas' C reader gives what the record-by-record reader gives (issue 12.3).

The reference is the csv module's records through :func:`xlgrade.normalize.normalize_rows`
(the reader every CSV went through before): the same typed frame, the same issues in the
same order, the same header row, on random ledgers typed as staff type them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgrade.io import csvread
from xlgrade.normalize import normalize_rows
from xlgrade.schema.sheets import CUSTOMERS, LEDGER

IDS = ["C001", "001", " C2 ", "Ｃ３", "", "KH0033", "nan", "NA"]
AMOUNTS = ["1200", "1,200", "12万", "¥300", "-0", "1e400", "1e5", "abc", "", " 5 ", "NA", "True", "1.5", ".5", "-3.25"]
AMOUNTS += ["0.1", "1e15", "-1e15", "999999999999999", "3.0000000000000004", "inf", "-", "1,234.50", "１２"]
DATES = ["2026-03-05", "2026/3/5", "2026年3月5日", "3/5/2026", "", "45000", "x", "2026-13-01", "20260305", "2026-3-5"]
NOTES = ["首单", "", "退货, 已补", 'say "hi"', "=1+2", "a\nb"]


def reference(path: Path, sheet=LEDGER):
    """The record-by-record reader: the csv module's rows through normalize_rows."""
    rows = csvread.read_csv_rows(path)
    return normalize_rows(rows, sheet, source=path.name, ragged=True, text_cells=False)


def same(path: Path, sheet=LEDGER) -> None:
    fast, slow = csvread.read_csv_table(path, sheet), reference(path, sheet)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.issues == slow.issues
    assert (fast.header_row, fast.headers, fast.extras, fast.source) == (
        slow.header_row,
        slow.headers,
        slow.extras,
        slow.source,
    )
    assert fast.typed_as_text == slow.typed_as_text == {}  # rule 6: in a CSV file every cell is text


def write(path: Path, records: list[list[str]], title: bool) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    if title:
        w.writerow(["客户业绩统计及信用评估表", "", ""])
    w.writerow(["客户编号", "提货日期", "货物价款", "提货量", "备注"])
    w.writerows(records)
    path.write_text(buf.getvalue(), encoding="utf-8")


record = st.one_of(
    st.tuples(
        st.sampled_from(IDS),
        st.sampled_from(DATES),
        st.one_of(st.sampled_from(AMOUNTS), st.floats(allow_nan=False, width=64).map(repr)),
        st.one_of(st.sampled_from(AMOUNTS), st.integers(-(10**6), 10**6).map(str)),
        st.sampled_from(NOTES),
    ).map(list),
    st.just([]),  # a blank line
    st.just(["C9", "2026-01-02", "1", "2", "x", "extra"]),  # a record longer than the header
    st.just(["C8", "2026-01-02"]),  # a short record
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(record, max_size=12), title=st.booleans())
def test_fast_reader_equals_the_record_reader(tmp_path, records, title):
    path = tmp_path / "ledger.csv"
    write(path, records, title)
    same(path)


@pytest.mark.parametrize(
    "body, fast",
    [
        ("C1,2026-01-02,100,1,x\nC2,2026-01-03,200.5,2,\n", True),
        ("C1,2026-01-02,100,1,x\nC2,2026-01-03,12万,2,\n", True),  # text in a numeric column: still C
        ("C1,2026-01-02,100,1,x,surplus\n", False),  # longer than the header: refused row by row
        ("C1,2026-01-02,100,1,x\nC2,2026-01-03,1,2,y,z\n", False),
        ("C1,2026-01-02,True,1,x\nC2,2026-01-03,False,2,\n", False),  # booleans: record by record
        ("C1,2026-01-02,True,1,x\nC2,2026-01-03,,2,\n", False),  # beside a blank: an object column's booleans
        ("C1,2026-01-02,11,1,x\n", True),
    ],
)
def test_which_reader_reads_the_body(tmp_path, body, fast, monkeypatch):
    path = tmp_path / "ledger.csv"
    path.write_text("客户编号,提货日期,货物价款,提货量,备注\n" + body, encoding="utf-8")
    calls = []
    original = csvread.normalize_rows
    monkeypatch.setattr(csvread, "normalize_rows", lambda *a, **k: calls.append(1) or original(*a, **k))
    same(path)
    assert (not calls) == fast


def test_a_refused_number_is_reported_as_typed(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("客户编号,公司名称,忠诚度\n001,甲,11\n002,乙,8.0\n003,丙,1e400\n", encoding="utf-8")
    out = csvread.read_csv_table(path, CUSTOMERS)
    assert [(i.row, i.value) for i in out.issues] == [(2, "11"), (4, "1e400")]
    assert out.frame["loyalty"].tolist()[1] == 8.0
    same(path, CUSTOMERS)


def test_floats_are_read_as_python_reads_them(tmp_path):
    values = [0.1, 1 / 3, 2.675, 1e-7, 123456789.123456789, 5e-324, 0.30000000000000004]
    path = tmp_path / "ledger.csv"
    path.write_text(
        "客户编号,提货日期,货物价款\n" + "".join(f"C{i},2026-01-02,{v!r}\n" for i, v in enumerate(values)),
        encoding="utf-8",
    )
    assert csvread.read_csv_table(path, LEDGER).frame["amount"].tolist() == values
