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

from xlgrade.errors import InputError
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


def write(path: Path, records: list[list[str]], title: bool, encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    if title:
        w.writerow(["客户业绩统计及信用评估表", "", ""])
    w.writerow(["客户编号", "提货日期", "货物价款", "提货量", "备注"])
    w.writerows(records)
    path.write_bytes(buf.getvalue().encode(encoding))


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
@given(
    records=st.lists(record, max_size=12),
    title=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),  # bytes to the C reader, or the text
)
def test_fast_reader_equals_the_record_reader(tmp_path, records, title, encoding):
    path = tmp_path / "ledger.csv"
    write(path, records, title, encoding)
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


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_clean_file_and_one_typed_by_staff_read_alike(tmp_path, encoding):
    """A clean column takes the column-wise paths; one staff-typed cell in it (¥, 万,
    full-width digits, a Chinese date) is parsed as :mod:`xlgrade.parse` parses it and changes
    nothing for the other rows; a bad cell is reported with file, row, header and its text."""
    lines = [f"C{i:03d},2026-03-{i % 28 + 1:02d},{100 * i}.5,{i}" for i in range(1, 40)]
    head = "客户编号,提货日期,货物价款,提货量\n"

    def read(rows: list[str], name: str):
        path = tmp_path / name
        path.write_bytes((head + "\n".join(rows) + "\n").encode(encoding))
        out = csvread.read_csv_table(path, LEDGER)
        same(path)
        return out

    clean = read(lines, "clean.csv")
    assert clean.issues == []
    assert clean.frame["amount"].tolist() == [100 * i + 0.5 for i in range(1, 40)]
    assert clean.frame["date"].tolist() == [pd.Timestamp(2026, 3, i % 28 + 1) for i in range(1, 40)]
    assert clean.frame["customer_id"].tolist() == [f"C{i:03d}" for i in range(1, 40)]
    assert clean.frame["row"].tolist() == list(range(2, 41))
    typed = list(lines)
    typed[4] = 'C005,2026年3月6日,"¥1,200",５'
    typed[9] = "C010,2026/3/11,12万,10"
    staff = read(typed, "staff.csv")
    assert staff.issues == []
    others = [i for i in range(39) if i not in (4, 9)]
    pd.testing.assert_frame_equal(staff.frame.iloc[others], clean.frame.iloc[others])
    assert staff.frame["amount"].iloc[[4, 9]].tolist() == [1200.0, 120000.0]
    assert staff.frame["quantity"].iloc[4] == 5.0
    assert staff.frame["date"].iloc[[4, 9]].tolist() == [pd.Timestamp("2026-03-06"), pd.Timestamp("2026-03-11")]
    bad = list(lines)
    bad[6] = "C007,2026-02-30,700.5,7"
    bad[7] = "C008,2026-03-09,1.234，5,8"  # a full-width comma: not a number
    out = read(bad, "bad.csv")
    date_error = _error("2026-02-30", "date")
    amount_error = _error("1.234，5", "money")
    assert [(i.source, i.row, i.column, i.value, i.reason, i.action) for i in out.issues] == [
        ("bad.csv", 8, "提货日期", "2026-02-30", date_error.reason, "skipped"),
        ("bad.csv", 9, "货物价款", "1.234，5", amount_error.reason, "skipped"),
    ]
    pd.testing.assert_frame_equal(
        out.frame.reset_index(drop=True), clean.frame.drop(index=[6, 7]).reset_index(drop=True)
    )


def _error(value: str, kind: str):
    from xlgrade import parse

    with pytest.raises(parse.ParseError) as exc:
        parse.parse(value, kind)
    return exc.value


@pytest.mark.parametrize("surplus", [False, True])  # the C reader, or the record reader (a record too long)
def test_bytes_that_turn_out_not_utf8_below_the_head(tmp_path, surplus):
    """A UTF-8 file goes to the C reader as bytes and only its head is decoded: GB18030 far
    below an ASCII head is still read as GB18030, as decoding the whole file first reads it."""
    lines = [f"C{i:05d},2026-03-05,{i}.5,1,note" for i in range(1, 6000)]  # beyond the first 64 KiB
    lines.append("C99999,2026-03-06,7,1,张三" + (",surplus" if surplus else ""))
    path = tmp_path / "ledger.csv"
    path.write_bytes(("customer_id,date,amount,quantity,note\n" + "\n".join(lines) + "\n").encode("gb18030"))
    assert len(path.read_bytes()) > 1 << 17
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    out = csvread.read_csv_table(path, LEDGER)
    same(path)
    assert len(out.issues) == int(surplus)
    if not surplus:
        assert out.frame["note"].iat[-1] == "张三"


def test_a_file_neither_utf8_nor_gbk_says_so_first(tmp_path):
    """Even with no header in it, the file that cannot be decoded gets the decoding message."""
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"a,b\n" + b"x,y\n" * 20_000 + b"\xff\xfe\xfa\n")
    for sheet in (LEDGER, CUSTOMERS):
        with pytest.raises(InputError, match="cannot decode the file as UTF-8 or GBK"):
            csvread.read_csv_table(path, sheet)
