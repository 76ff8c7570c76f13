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
