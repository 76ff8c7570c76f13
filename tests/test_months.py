"""The month of the monthly job as staff type it (xlgrade/job/months.py, issue 11 item 1)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from xlgrade.cli import main
from xlgrade.job.monthly import run_month
from xlgrade.job.months import MonthError, parse_month
from xlgrade.workbook.filebook import FileBook

TODAY = pd.Timestamp("2026-12-01")


@pytest.mark.parametrize(
    "typed",
    [
        "2026-9",
        "2026-09",
        "2026/9",
        "2026/09",
        "2026.9",
        "2026年9月",
        "2026年09月",
        "2026 年 9 月",
        "202609",
        "２０２６－０９",
        " 2026-09 ",
    ],
)
def test_what_staff_type_is_read(typed):
    assert parse_month(typed, TODAY) == pd.Period("2026-09", freq="M")


def test_blank_means_not_given_and_a_period_passes():
    assert parse_month(None, TODAY) is None
    assert parse_month("  ", TODAY) is None
    assert parse_month(pd.Period("2026-11", freq="M"), TODAY) == pd.Period("2026-11", freq="M")


@pytest.mark.parametrize("typed", ["2026-13", "2026-0", "26-09", "September", "2026-09-31", "20269"])
def test_not_a_month_is_refused_in_the_workbooks_language(typed):
    with pytest.raises(MonthError, match="无法识别"):
        parse_month(typed, TODAY, "zh")
    with pytest.raises(MonthError, match="is not a month"):
        parse_month(typed, TODAY, "en")


def test_a_month_that_has_not_begun_is_refused():
    assert parse_month("2026-12", TODAY) == pd.Period("2026-12", freq="M")  # this month is fine
    with pytest.raises(MonthError, match="还没有到"):
        parse_month("2027-01", TODAY, "zh")
    with pytest.raises(MonthError, match="has not begun"):
        parse_month("2027年1月", TODAY, "en")


@pytest.fixture
def book(tmp_path):
    from xlgrade import demo_data
    from xlgrade.workbook.template import InputData, build, save

    path = tmp_path / "b.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=20))), path)
    return path


def test_recalc_takes_the_typed_month_and_refuses_a_future_one_in_one_line(book, capsys):
    assert main(["recalc", str(book), "--month", "2026年10月"]) == 0
    assert "2026-10" in capsys.readouterr().out
    before = book.read_bytes()
    assert main(["recalc", str(book), "--month", "2099-01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("xlgrade: ") and "2099-01" in err[0] and "还没有到" in err[0]
    assert book.read_bytes() == before  # nothing written, no backup for a refused run


def test_a_month_without_ledger_lines_is_a_note_in_validation_and_on_stderr(book, tmp_path, capsys):
    # the demo ledger ends in 2026-10; 2020-01 is before it began
    shutil.copyfile(book, tmp_path / "c.xlsx")
    assert main(["recalc", str(tmp_path / "c.xlsx"), "--month", "2020-01"]) == 0
    assert "台账中没有 2020-01 的记录" in capsys.readouterr().err
    result = run_month(FileBook(tmp_path / "c.xlsx"), "2020-01")
    assert any("no ledger line is dated in 2020-01" in i.reason for i in result.issues)
    assert not any("no ledger line" in i.reason for i in run_month(FileBook(book), "2026-10").issues)
