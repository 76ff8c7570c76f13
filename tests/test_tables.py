"""read_table on real files: CSV in UTF-8 and GBK, xlsx written with openpyxl."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from xlgrade.errors import InputError, MissingFileError
from xlgrade.io import read_table
from xlgrade.issues import IGNORED, NOTE, SKIPPED
from xlgrade.schema import CUSTOMERS, LEDGER, Sheet

CSV_TEXT = (
    "客户业绩统计及信用评估表,,,\r\n"
    "客户编号,提货日期,货物价款,备注\r\n"
    'C001,2026/3/5,"￥1,200",首单\r\n'
    "\r\n"
    "C002,2026-03-06,12万,\r\n"
    "C003,3/5/2026,100,\r\n"
    'Ｃ００４,2026年3月7日,"(1,200.50)",退货\r\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_and_gbk(tmp_path, encoding):
    path = tmp_path / "ledger.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    out = read_table(path, LEDGER)
    assert out.source == "ledger.csv" and out.header_row == 2
    f = out.frame
    assert f["customer_id"].tolist() == ["C001", "C002", "C004"]
    assert f["amount"].tolist() == [1200.0, 120000.0, -1200.5]
    assert f["date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06"), pd.Timestamp("2026-03-07")]
    assert f["row"].tolist() == [3, 5, 7]
    assert f["备注"].tolist() == ["首单", "", "退货"]
    assert [(i.row, i.column, i.value, i.action) for i in out.issues] == [
        (4, None, None, NOTE),
        (6, "提货日期", "3/5/2026", SKIPPED),
    ]


def test_csv_cells_are_read_as_text(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("客户编号,公司名称,联系方式,忠诚度\n001,NA,13800138000,8\nnan,甲,,11\n", encoding="utf-8")
    out = read_table(path, CUSTOMERS)
    assert out.frame["customer_id"].tolist() == ["001", "nan"]
    assert out.frame["company"].tolist() == ["NA", "甲"]
    assert out.frame["phone"].tolist() == ["13800138000", None]
    assert [(i.row, i.column, i.value, i.action) for i in out.issues] == [(3, "忠诚度", "11", IGNORED)]


def test_csv_ragged_rows(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("标题\n客户编号,日期,金额\nC1,2026-03-05,1,extra\nC2,2026-03-06\n", encoding="utf-8")
    out = read_table(path, LEDGER)
    # A CSV row longer than the header is refused: its cells are probably shifted.
    assert out.frame.empty
    assert [(i.row, i.column, i.action) for i in out.issues] == [(3, None, "skipped"), (4, "金额", "skipped")]
    assert "more cells than the header" in out.issues[0].reason


def test_csv_unquoted_thousands_separator_is_refused_not_misread(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text('customer_id,date,amount\nC1,2026-03-05,1,234.50\nC2,2026-03-05,"1,234.50"\n', encoding="utf-8")
    out = read_table(path, LEDGER)
    assert out.frame["customer_id"].tolist() == ["C2"] and out.frame["amount"].tolist() == [1234.5]
    assert out.issues[0].row == 2


def _book(path, sheets: dict[str, list[list]], *, merge_title: bool = True, start_col: int = 1) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=start_col):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if merge_title and rows and rows[0] and len(rows) > 1:
            ws.merge_cells(start_row=1, start_column=start_col, end_row=1, end_column=start_col + len(rows[1]) - 1)
    wb.save(path)


LEDGER_ROWS = [
    ["客户业绩统计及信用评估表"],
    ["客户编号", "提货日期", "货物价款", "回收日期", "区域", "备注"],
    ["C001", dt.datetime(2026, 3, 5), 1200, dt.datetime(2026, 4, 1), "华东", "x"],
    [1002, "2026/3/6", "1,500.5", None, "华南", None],
    [None, None, None, None, None, None],
    ["C003", dt.datetime(2026, 3, 7, 14, 30), "abc", None, None, None],
    ["C004", 46090, -50, "not a date", None, None],
    [None, None, None, None, None, None],
]


def test_xlsx_with_merged_title_row(tmp_path):
    path = tmp_path / "book.xlsx"
    _book(path, {"Sheet1": [["other"]], LEDGER.zh: LEDGER_ROWS})
    out = read_table(path, LEDGER)
    assert out.source == f"[book.xlsx]{LEDGER.zh}"
    f = out.frame
    assert f["customer_id"].tolist() == ["C001", "1002", "C004"]
    assert f["amount"].tolist() == [1200.0, 1500.5, -50.0]
    assert f["date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06"), pd.Timestamp("2026-03-09")]
    assert f["paid_date"].iloc[0] == pd.Timestamp("2026-04-01") and f["paid_date"].iloc[1:].isna().all()
    assert f["region"].tolist() == ["华东", "华南", None]
    assert f["row"].tolist() == [3, 4, 7]
    assert [(i.row, i.column, i.value, i.action) for i in out.issues] == [
        (5, None, None, NOTE),
        (6, "货物价款", "abc", SKIPPED),
        (7, "回收日期", "not a date", IGNORED),
    ]


def test_xlsx_rows_are_real_file_rows_with_leading_blank_rows_and_columns(tmp_path):
    path = tmp_path / "book.xlsx"
    _book(path, {"Data": [[None], [None], *LEDGER_ROWS]}, merge_title=False, start_col=3)
    out = read_table(path, LEDGER)
    assert out.header_row == 4
    assert out.frame["row"].tolist() == [5, 6, 9]
    assert [i.row for i in out.issues] == [7, 8, 9]


def test_xlsx_sheet_choice(tmp_path):
    path = tmp_path / "book.xlsx"
    _book(
        path,
        {
            "客户": [["客户编号", "公司名称"], ["K1", "甲"]],
            "Customer summary": [["Customer ID", "Company"], ["E1", "A"]],
        },
    )
    assert read_table(path, CUSTOMERS).frame["customer_id"].tolist() == ["E1"]
    assert read_table(path, CUSTOMERS, sheet_name="客户").frame["customer_id"].tolist() == ["K1"]
    assert read_table(path, Sheet("x", "x", "x", CUSTOMERS.columns)).frame["customer_id"].tolist() == ["K1"]
    with pytest.raises(InputError, match="no sheet named 'nope'.*客户"):
        read_table(path, CUSTOMERS, sheet_name="nope")


def test_xlsx_missing_required_column(tmp_path):
    path = tmp_path / "book.xlsx"
    _book(path, {"Sheet": [["标题"], ["客户编号", "提货日期", "备注"], ["C1", dt.datetime(2026, 1, 1), "x"]]})
    with pytest.raises(InputError) as info:
        read_table(path, LEDGER)
    text = str(info.value)
    assert "book.xlsx" in text and "row 2" in text and "货物价款" in text and "amount" in text


def test_missing_file_and_unsupported_extension(tmp_path):
    with pytest.raises(MissingFileError, match="nothere.xlsx"):
        read_table(tmp_path / "nothere.xlsx", LEDGER)
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "nothere.csv", LEDGER)
    other = tmp_path / "ledger.txt"
    other.write_text("客户编号,日期,金额\n", encoding="utf-8")
    with pytest.raises(InputError, match="unsupported file type .txt"):
        read_table(other, LEDGER)


def test_broken_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="broken.xlsx"):
        read_table(path, LEDGER)


def test_undecodable_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x81\x30\xff\xff,\n")
    with pytest.raises(InputError, match="UTF-8"):
        read_table(path, LEDGER)


def test_parse_and_normalize_import_no_file_library():
    code = (
        "import sys, xlgrade.parse, xlgrade.normalize;"
        "print(','.join(m for m in ('openpyxl', 'python_calamine', 'xlwings') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
