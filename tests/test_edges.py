"""Input at the edges (issue 10 items 4-6): huge numbers, rows dropped without a word, unsafe output."""

from __future__ import annotations

import json
import math
import warnings

import openpyxl
import pandas as pd
import pytest

from xlgrade.cli import main
from xlgrade.engine import RuleBook
from xlgrade.engine.rfm import micro
from xlgrade.io.tables import read_table
from xlgrade.issues import SKIPPED
from xlgrade.normalize import normalize_rows
from xlgrade.schema import LEDGER


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


HUGE = """customer_id,date,amount,quantity,profit
C1,2026-01-05,1e308,1,1
C2,2026-01-05,1e20,1,1
C3,2026-01-05,inf,1,1
C4,2026-01-05,-0,-0,-0
C5,2026-01-05,100,1e308,1
C6,2026-01-05,100,1,-1e16
C7,2026-01-05,999999999999999,1,1
C7,2026-01-06,999999999999999,1,1
"""


# ---- item 4: numbers at the edges ----------------------------------------------------------
def test_max_abs_amount_is_a_rule_with_help_in_both_languages():
    spec = next(s for s in RuleBook.specs() if s.key == "input.max_abs_amount")
    assert spec.default == 1e15 and spec.zh and spec.en
    assert RuleBook().updated({"input.max_abs_amount": "1000"}).input.max_abs_amount == 1000


@pytest.mark.parametrize("method", ["threshold", "pareto", "rfm", "scorecard"])
@pytest.mark.parametrize("fmt", ["json", "table", "csv"])
def test_huge_numbers_are_reported_rows_not_tracebacks(tmp_path, capsys, method, fmt):
    ledger = tmp_path / "l.csv"
    ledger.write_text(HUGE, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / cast RuntimeWarning anywhere
        code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--method", method, "--format", fmt)
    assert code == 0, err
    for row in (2, 3, 4, 6, 7):
        assert f"row {row}," in err, err
    assert "input.max_abs_amount" in err
    assert "Infinity" not in out and "NaN" not in out and "nan%" not in out and "inf" not in out.lower()
    if fmt == "json":
        rows = {r["customer_id"]: r for r in json.loads(out)}
        assert set(rows) == {"C4", "C7"}
        if method == "threshold":
            assert rows["C7"]["volume"] == 1_999_999_999_999_998  # exact
            assert math.copysign(1, rows["C4"]["volume"]) == 1  # -0 reads as 0


def test_bound_reported_with_sheet_row_column_value_in_both_languages(tmp_path):
    ledger = tmp_path / "l.csv"
    ledger.write_text(HUGE, encoding="utf-8")
    issues = [i for i in read_table(ledger, LEDGER).issues if "max_abs_amount" in i.reason]
    by_row = {i.row: i for i in issues}
    assert set(by_row) == {2, 3, 6, 7}  # row 4 ("inf") is refused as not a finite number
    assert (by_row[6].column, by_row[6].value, by_row[6].action) == ("quantity", "1e308", SKIPPED)
    assert by_row[7].column == "profit"
    assert "l.csv" in by_row[2].message("en") and "数值过大" in by_row[2].message("zh")


def test_bound_follows_the_rule(tmp_path):
    rows = [["customer_id", "date", "amount"], ["C1", "2026-01-05", 5000], ["C2", "2026-01-05", -1000]]
    kept = normalize_rows(rows, LEDGER, source="s", max_abs=1000)
    assert list(kept.frame["customer_id"]) == []
    assert [i.row for i in kept.issues] == [2, 3]
    assert list(normalize_rows(rows, LEDGER, source="s").frame["customer_id"]) == ["C1", "C2"]


def test_huge_numbers_in_xlsx_are_reported_too(tmp_path):
    path = tmp_path / "l.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["customer_id", "date", "amount", "quantity"])
    ws.append(["C1", "2026-01-05", 1e308, 1])
    ws.append(["C2", "2026-01-05", -0.0, 1])
    ws.append(["C3", "2026-01-05", 5, 2e15])
    wb.save(path)
    read = read_table(path, LEDGER)
    assert list(read.frame["customer_id"]) == ["C2"]
    assert math.copysign(1, read.frame["amount"].iloc[0]) == 1
    assert {(i.row, i.column) for i in read.issues} == {(2, "amount"), (4, "quantity")}


def test_negative_zero_reads_as_zero_on_every_path():
    rows = [
        ["customer_id", "date", "amount", "quantity"],
        ["C1", "2026-01-05", "-0", -0.0],
        ["C2", "2026-01-05", "-0.00", "(0)"],
    ]
    frame = normalize_rows(rows, LEDGER, source="s").frame
    for col in ("amount", "quantity"):
        assert all(math.copysign(1, v) == 1 for v in frame[col]), col


def test_rfm_exact_splits_do_not_warn_at_large_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        units = micro(pd.Series([9.9e14, 1e13, 1.5, float("nan")]))
    assert list(units) == [990_000_000_000_000_000_000, 10_000_000_000_000_000_000, 1_500_000, 0]


# ---- item 6: safe output -------------------------------------------------------------------
NASTY = '=HYPERLINK("http://x","y")'


def test_csv_escapes_text_that_a_spreadsheet_would_run_and_keeps_numbers(tmp_path, capsys):
    from xlgrade.csvout import BOM, csv_text

    frame = pd.DataFrame(
        {
            "name": [NASTY, "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "a=b", None],
            "amount": [-1200.5, 1, 2, 3, 4, 5, 6, 7, 8],
        }
    )
    text = csv_text(frame)
    assert text.startswith(BOM + "name,amount\n")
    lines = text[1:].splitlines()
    assert lines[1] == '\'=HYPERLINK(""http://x"",""y"")",-1200.5'.replace("'=", "\"'=", 1)
    assert [ln.split(",")[0] for ln in lines[2:5]] == ["'+1", "'-2+3", "'@SUM(A1)"]
    assert '"\'\tx"' in text or "'\tx" in text
    assert ",-1200.5" in lines[1] and "plain,6" in text and "a=b,7" in text


def test_grade_csv_has_a_bom_and_escaped_ids(tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    ledger.write_text("customer_id,date,amount\n=cmd|' /C calc'!A0,2026-01-05,-50\n@C2,2026-01-05,10\n", "utf-8")
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--format", "csv", "--lang", "en")
    assert code == 0, err
    assert out.startswith("\ufeffcustomer_id,")
    body = out.splitlines()[1:]
    assert all(line.startswith(("'", "\"'")) for line in body), body
    assert any(",-50" in line for line in body)  # a negative number stays a number


def test_demo_csv_copies_have_a_bom(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "d"), "--customers", "5"]) == 0
    capsys.readouterr()
    for name in ("customers", "ledger", "complaints"):
        assert (tmp_path / "d" / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name


def test_terminal_tables_strip_control_characters_and_escapes(tmp_path, capsys):
    from xlgrade.textout import clean, render

    assert clean("a\x1b[31mred\x1b[0m\x07b\x00\x85c\u202ed\x1b]0;title\x07e\tf") == "aredbcde f"
    ledger = tmp_path / "l.csv"
    ledger.write_text("customer_id,date,amount\n\x1b[2JC1\x1b[31m,2026-01-05,10\n", "utf-8")
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,company\n\x1b[2JC1\x1b[31m,Evil\x1b]0;owned\x07 Co\x9b2J\n", "utf-8")
    code, out, err = run(capsys, "grade", ledger, "--customers", customers, "--as-of", "2026-06-30")
    assert code == 0, err
    assert not any(ch in out + err for ch in "\x1b\x07\x9b"), (out, err)
    assert "Evil Co" in out and "C1" in out
    assert "\x1b" not in render(["h\x1b[1m"], [["x"]])


def test_typed_text_never_becomes_a_formula_in_derived_sheets(tmp_path):
    import zipfile

    from xlgrade import demo_data
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    data = demo_data.generate(n_customers=6, months=24)
    data.customers.loc[0, "company"] = NASTY
    data.ledger.loc[data.ledger["customer_id"] == data.customers.loc[0, "customer_id"], "customer_name"] = NASTY
    path = tmp_path / "book.xlsx"
    save(
        build(
            "zh",
            InputData(customers=data.customers, profiles=data.profiles, ledger=data.ledger, complaints=data.complaints),
        ),
        path,
    )
    run_month(FileBook(path), "2026-06")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = {n: z.read(n).decode("utf-8") for n in sheets}
        shared = z.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in z.namelist() else ""
    formulas = [f for text in xml.values() for f in _formulas(text)]
    assert formulas, "the workbook has live formulas: the check below is not vacuous"
    assert not any("HYPERLINK" in f or "http://x" in f for f in formulas)
    assert "HYPERLINK(" in shared + "".join(xml.values())  # still there, as text
    wb = openpyxl.load_workbook(path)
    found = [
        (ws.title, c.coordinate, c.data_type)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value == NASTY
    ]
    assert len({t for t, _, _ in found}) >= 3, found  # customers plus derived sheets
    assert all(kind == "s" for _, _, kind in found), found


def _formulas(xml: str) -> list[str]:
    import re

    return re.findall(r"<f\b[^>]*>(.*?)</f>", xml, flags=re.S)


def test_a_workbook_marked_read_only_is_refused_not_replaced(tmp_path, capsys):
    import os
    import shutil
    import stat

    from xlgrade.workbook.template import new_workbook

    path = tmp_path / "ro.xlsx"
    new_workbook(path, "en")
    before = path.read_bytes()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        assert main(["recalc", str(path)]) == 2
        err = capsys.readouterr().err
        assert "read-only" in err
        assert path.read_bytes() == before and not (tmp_path / "xlgrade-backup").exists()
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    shutil.rmtree(tmp_path / "xlgrade-backup", ignore_errors=True)


# ---- item 5: nothing dropped silently -----------------------------------------------------
def test_grade_counts_lines_after_the_as_of_date_once(tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "customer_id,date,amount\nC1,2026-01-05,10\nC1,2026-07-01,10\nC2,2026-08-01,10\nC3,2027-01-01,5\n", "utf-8"
    )
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--lang", "en", "--format", "json")
    assert code == 0, err
    notes = [line for line in err.splitlines() if "after the as-of date" in line]
    assert len(notes) == 1 and "3 line(s)" in notes[0] and "rows 3, 4, 5" in notes[0], err
    assert [r["customer_id"] for r in json.loads(out)] == ["C1"]


def test_grade_lists_every_bad_row_before_refusing_a_ledger_with_none_left(tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    ledger.write_text("customer_id,date,amount\nC1,2026-01-05,abc\n,2026-01-05,1\nC3,5,1\n", "utf-8")
    code, out, err = run(capsys, "grade", ledger, "--as-of", "2026-06-30", "--lang", "en")
    assert code == 2 and out == ""
    assert "row 2, column amount: 'abc'" in err and "row 3, column customer_id" in err
    assert "row 4, column date: '5'" in err and "no usable ledger rows" in err


def _xlsx_with_errors(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "业绩"
    ws.append(["customer_id", "date", "amount", "product"])
    ws.append(["C1", "2026-01-05", "#N/A", "x"])
    ws.append(["C2", "2026-01-05", 10, "#REF!"])
    ws.append(["C3", 5, 10, "y"])  # a number typed in a date cell
    ws.append(["C4", "2026-01-05", 20, ""])
    ws["C2"].data_type = "e"
    ws["D3"].data_type = "e"
    wb.save(path)
    return path


def test_error_cells_are_reported_as_the_errors_they_are(tmp_path):
    read = read_table(_xlsx_with_errors(tmp_path / "e.xlsx"), LEDGER)
    by_row = {i.row: i for i in read.issues}
    assert (by_row[2].column, by_row[2].value, by_row[2].action) == ("amount", "#N/A", SKIPPED)
    assert "#N/A" in by_row[2].reason and "#N/A" in by_row[2].reason_zh and "公式" in by_row[2].reason_zh
    assert (by_row[3].column, by_row[3].value, by_row[3].action) == ("product", "#REF!", "ignored")
    assert (by_row[4].column, by_row[4].value) == ("date", 5.0) and "not a date" in by_row[4].reason
    assert list(read.frame["customer_id"]) == ["C2", "C4"]
    assert read.frame["product"].isna().all()


def test_error_cells_are_found_by_the_workbook_book_as_by_the_file_reader(tmp_path):
    # the file book knows from verifying the package which parts hold an error cell (t="e")
    # and searches only those: the same cells as the plain file reader
    from xlgrade.io.tables import read_book_rows
    from xlgrade.parse import CellError
    from xlgrade.workbook.filebook import FileBook

    path = _xlsx_with_errors(tmp_path / "e.xlsx")
    book = FileBook(path)
    assert book.package.may_hold_errors(book.package.sheet_part("业绩"))
    rows, _ = book._rows(LEDGER, "业绩")
    plain, _, _ = read_book_rows(path, LEDGER)
    assert [[repr(v) for v in r] for r in rows] == [[repr(v) for v in r] for r in plain]
    assert sum(isinstance(v, CellError) for r in rows for v in r) == 2


def test_a_number_typed_in_a_date_cell_is_reported_in_csv_too():
    rows = [["customer_id", "date", "amount"], ["C1", "45000", 1], ["C2", "12", 1], ["C3", 2026, 1]]
    read = normalize_rows(rows, LEDGER, source="s")
    assert list(read.frame["customer_id"]) == ["C1"]  # an Excel serial date is a date
    assert [(i.row, i.column) for i in read.issues] == [(3, "date"), (4, "date")]


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory):
    from xlgrade import demo_data
    from xlgrade.workbook.template import InputData, build, save

    data = demo_data.generate(n_customers=6, months=24)
    later = data.ledger.iloc[[0, 1]].copy()
    later["date"] = pd.Timestamp("2026-09-15")
    ledger = pd.concat([data.ledger, later], ignore_index=True)
    path = tmp_path_factory.mktemp("zh") / "book.xlsx"
    save(
        build(
            "zh",
            InputData(customers=data.customers, profiles=data.profiles, ledger=ledger, complaints=data.complaints),
        ),
        path,
    )
    return path


def _validation(path) -> list[tuple]:
    from xlgrade.schema.sheets import VALIDATION

    wb = openpyxl.load_workbook(path, read_only=True)
    return [r for r in wb[VALIDATION.zh].iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def test_recalc_notes_later_lines_and_blank_rules_in_the_validation_sheet(zh_book, tmp_path):
    import shutil

    from xlgrade.job.monthly import run_month
    from xlgrade.schema.sheets import RULES_SHEET, RUN_LOG
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "b.xlsx"
    shutil.copyfile(zh_book, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[RULES_SHEET.zh]
    key_col = len(RULES_SHEET.columns)  # the hidden key column
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, key_col).value == "threshold.a_orders_over")
    ws.cell(row, 2).value = None
    wb.save(path)
    result = run_month(FileBook(path), "2026-06")
    text = "\n".join(" ".join(str(v) for v in r if v is not None) for r in _validation(path))
    assert text.count("行日期晚于评估日 2026-06-30") == 1, text  # once, with the count
    assert "规则“阈值 ABC:A 类订单次数超过”未填写:使用默认值 5" in text, text
    assert any(i.row == row and "a_orders_over" in i.reason for i in result.issues)
    log = FileBook(path).read_table(RUN_LOG).frame
    assert log.iloc[-1]["note"] == "1 条规则未填写,使用默认值(见“校验”)"  # the run log says so too


def test_recalc_says_when_the_rules_sheet_is_gone(zh_book, tmp_path):
    import shutil

    from xlgrade.job.monthly import run_month
    from xlgrade.schema.sheets import RULES_SHEET, RUN_LOG
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "b.xlsx"
    shutil.copyfile(zh_book, path)
    wb = openpyxl.load_workbook(path)
    del wb[RULES_SHEET.zh]
    wb.save(path)
    run_month(FileBook(path), "2026-06")
    assert any("规则表缺失或为空" in " ".join(map(str, r)) for r in _validation(path))
    assert FileBook(path).read_table(RUN_LOG).frame.iloc[-1]["note"] == "规则表缺失或为空:所有规则使用默认值"


# ---- item 9: every row is either used or reported --------------------------------------------
def _cells():
    import datetime as dt

    from hypothesis import strategies as st

    from xlgrade.parse import CellError

    return st.one_of(
        st.none(),
        st.text(max_size=12),
        st.sampled_from(["", " ", "-0", "1e308", "inf", "nan", "12万", "(1,200)", "2026-03-05", "=A1", "TRUE"]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.booleans(),
        st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(2300, 1, 1)),
        st.builds(CellError, st.sampled_from(["#N/A", "#DIV/0!", "#REF!"])),
    )


def test_fuzzed_ledger_cells_every_row_is_used_or_reported():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    header = ["customer_id", "date", "amount", "quantity", "profit", "paid_amount"]
    row = st.lists(_cells(), min_size=len(header), max_size=len(header) + 1)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(row, min_size=1, max_size=8))
    def check(body):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            read = normalize_rows([header, *body], LEDGER, source="s")
        kept = set(read.frame["row"].tolist())
        dropped = {i.row for i in read.issues if i.action == SKIPPED or i.reason == "blank row"}
        assert not kept & dropped
        rows = list(range(2, len(body) + 2))
        filled = [r for r, cells in zip(rows, body) if any(not _blank(v) for v in cells[: len(header)])]
        last = filled[-1] if filled else 1
        assert set(r for r in rows if r <= last) <= kept | dropped  # trailing blank rows end the table
        for col in ("amount", "quantity", "profit", "paid_amount"):
            values = read.frame[col].dropna()
            assert values.map(math.isfinite).all() and (values.abs() < 1e15).all()
            assert not any(math.copysign(1, v) < 0 for v in values if v == 0)

    check()


def _blank(value) -> bool:
    from xlgrade import parse

    return parse.is_blank(value)


def test_a_complaint_whose_time_cannot_be_read_loses_its_old_computed_cells(zh_book, tmp_path):
    import shutil

    from xlgrade.job.monthly import run_month
    from xlgrade.schema.sheets import COMPLAINTS
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "b.xlsx"
    shutil.copyfile(zh_book, path)
    run_month(FileBook(path), "2026-06")
    wb = openpyxl.load_workbook(path)
    ws = wb[COMPLAINTS.zh]
    heads = {c.value: c.column for c in ws[1]}
    time_col = heads[COMPLAINTS.column("complaint_time").zh]
    computed = [heads[COMPLAINTS.column(k).zh] for k in ("grade", "priority", "due", "status")]
    assert all(ws.cell(2, c).value is not None for c in computed)  # the first run filled them
    ws.cell(2, time_col).value = "上周三"
    wb.save(path)
    result = run_month(FileBook(path), "2026-06")
    assert any(i.row == 2 and i.value == "上周三" for i in result.issues)
    ws = openpyxl.load_workbook(path)[COMPLAINTS.zh]
    assert [ws.cell(2, c).value for c in computed] == [None] * 4
    assert all(ws.cell(3, c).value is not None for c in computed)


def test_a_complaint_for_an_unknown_customer_id_is_noted():
    from xlgrade.job.derive import complaint_issues

    complaints = pd.DataFrame(
        {"customer_id": ["C1", "C9", None], "customer_name": [None, None, "Acme"], "row": [2, 3, 4]}
    )
    customers = pd.DataFrame({"customer_id": ["C1"], "company": ["Acme"]})
    issues = complaint_issues(complaints, customers, source="投诉", headers={"customer_id": "客户编号"})
    assert [(i.row, i.column, i.value) for i in issues] == [(3, "客户编号", "C9")]
    assert "客户编号不在客户表中" in issues[0].reason_zh and "not in the customer table" in issues[0].reason
