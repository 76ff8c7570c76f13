"""The monthly job against the Book contract, on every Book: the contract each adapter must honour.

Each test runs twice: on :class:`memorybook.MemoryBook` (the contract without a spreadsheet
library) and on a real :class:`~xlgrade.workbook.filebook.FileBook` over a template workbook in
``tmp_path`` (through :class:`filebookprobe.FileBookProbe`, whose observations are read back
from the saved file). The same assertions hold for both, so the file book keeps the promises
of :mod:`xlgrade.job.book` -- derived tables read back as written, only computed columns of
input sheets change, one save at the end after one backup.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from filebookprobe import file_book_of
from memorybook import MemoryBook

from xlgrade import demo_data
from xlgrade.engine.rules import RuleBook
from xlgrade.job.monthly import resolve_month, run_month
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, LEDGER

NOW = datetime(2026, 11, 23, 9, 30)

MakeBook = Callable[..., Any]


def raw(sheet: Sheet, frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A frame as a sheet holds it: header texts as columns, only the declared input columns."""
    keys = [c.key for c in sheet.columns if c.key in frame.columns and not c.computed]
    return frame[keys].rename(columns={k: sheet.column(k).header(lang) for k in keys}).astype(object)


@pytest.fixture(scope="module")
def data() -> demo_data.DemoData:
    return demo_data.generate(n_customers=60)


@pytest.fixture(params=["memory", "file"])
def make_book(request: pytest.FixtureRequest, tmp_path: Path) -> MakeBook:
    """``make_book(tables, rules=..., lang=...)`` -> a MemoryBook, or a FileBook on a new workbook."""
    if request.param == "memory":
        return MemoryBook
    return lambda tables, **kw: file_book_of(tmp_path / "book.xlsx", tables, **kw)


def names(sheet: Sheet) -> Callable[[Any], bool]:
    """Whether a validation row's sheet is ``sheet``: its name, or a file book's ``[book.xlsx]name``."""
    return lambda text: isinstance(text, str) and (text == sheet.zh or text.endswith("]" + sheet.zh))


def with_later(sheet: Sheet, frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The table as a current template's sheet holds it: the typed columns and the blank
    ``later`` computed columns the job fills (信用评估 on the ledger, 处理顺序 on complaints)."""
    blank = {c.header(lang): None for c in sheet.columns if c.later}
    return raw(sheet, frame, lang).assign(**blank)


def ledger_sheet(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    return with_later(LEDGER, frame, lang)


def book_of(make_book: MakeBook, data: demo_data.DemoData, **kw: Any) -> Any:
    return make_book(
        {
            "customers": raw(CUSTOMERS, data.customers),
            "ledger": ledger_sheet(data.ledger),
            "complaints": with_later(COMPLAINTS, data.complaints),
        },
        **kw,
    )


def test_backup_first_save_last_and_every_derived_sheet_written(make_book, data):
    book = book_of(make_book, data)
    result = run_month(book, "2026-10", now=NOW, user="tester")
    writes = [c for c in book.calls if c.startswith(("write:", "computed:", "summary", "list:"))]
    assert book.calls.index("backup") < book.calls.index(writes[0])
    assert book.calls[-1] == "save" and book.saves == 1
    assert set(book.written) == {
        "history",
        "credit",
        "sales_power",
        "comparison",
        "analysis",
        "classification",
        "loyalty_types",
        "grade_strategy",
        "validation",
        "run_log",
        "store_staff",
    }
    assert book.calls.index("notes:classification") == book.calls.index("write:classification") + 1
    assert result.month == pd.Period("2026-10") and result.as_of == pd.Timestamp("2026-10-31")
    history = book.written["history"]
    assert set(history["month"]) == {"2026-10"}
    assert sorted(history["customer_id"]) == sorted(data.customers["customer_id"])


def test_rerunning_a_month_replaces_it_and_other_months_stay(make_book, data):
    book = book_of(make_book, data)
    run_month(book, "2026-09", now=NOW)
    first_sept = book.written["history"].copy()
    run_month(book, "2026-10", now=NOW)
    run_month(book, "2026-10", now=NOW)
    history = book.written["history"]
    assert history["month"].value_counts().to_dict() == {"2026-09": 60, "2026-10": 60}
    pd.testing.assert_frame_equal(
        history[history["month"] == "2026-09"].reset_index(drop=True),
        first_sept.reset_index(drop=True),
        check_dtype=False,
    )
    assert len(book.written["run_log"]) == 3  # one log row per run


def test_same_month_twice_gives_the_same_content(make_book, data):
    book = book_of(make_book, data)
    run_month(book, "2026-10", now=NOW)
    first = {k: v.copy() for k, v in book.written.items() if k != "run_log"}
    first_summary = book.summary
    run_month(book, "2026-10", now=NOW)
    for key, frame in first.items():
        pd.testing.assert_frame_equal(book.written[key], frame, check_dtype=False, obj=key)
    assert book.summary == first_summary and first_summary


def test_only_computed_columns_of_input_sheets_are_written(make_book, data):
    book = book_of(make_book, data)
    run_month(book, "2026-10", now=NOW)
    assert set(book.computed) == {"complaints", "customers", "ledger"}
    lines = book.computed["ledger"]
    assert set(lines.columns) == {"row", "credit_status"} and len(lines) == len(data.ledger)
    assert lines["credit_status"].map(lambda t: isinstance(t, str) and t != "").all()
    computed = book.computed["complaints"]
    assert set(computed.columns) == {"row", "grade", "priority", "due", "status", "queue"}
    assert len(computed) == len(data.complaints)
    live = book.computed["customers"]
    assert set(live.columns) == {"row", "orders_all", "volume_all", "grade"} and len(live) == len(data.customers)
    assert book.formulas["customers"]["grade"] == CUSTOMERS.column("grade").formula  # threshold: ABCGRADE
    assert book.typed_changes() == []  # a file book: every typed cell as it was


def test_a_ledger_without_the_credit_column_gets_a_note_not_a_new_column(data):
    book = MemoryBook({"customers": raw(CUSTOMERS, data.customers), "ledger": raw(LEDGER, data.ledger)})
    run_month(book, "2026-10", now=NOW)
    assert "ledger" not in book.computed
    notes = book.written["validation"]
    assert (notes["column"] == "信用评估").sum() == 1 and notes["action"].eq("提示").any()


def test_default_month_is_the_latest_ledger_month(make_book, data):
    book = book_of(make_book, data)
    assert run_month(book, now=NOW).month == pd.Period("2026-10")
    ledger = pd.DataFrame({"date": pd.to_datetime(["2026-03-01", "2027-01-05"])})
    assert resolve_month(None, ledger, pd.Timestamp("2026-11-23")) == pd.Period("2026-03")


def test_unusable_rows_are_listed_in_validation_and_nothing_else_is_lost(make_book, data):
    ledger = raw(LEDGER, data.ledger)
    bad = pd.DataFrame(
        [
            {"客户编号": "KH0001", "提货日期": "3/5/2026", "货物价款": 100},  # ambiguous date
            {"客户编号": "KH0001", "提货日期": "2026-03-05", "货物价款": "lots"},  # not an amount
            {"客户编号": None, "提货日期": "2026-03-05", "货物价款": 5},  # no customer
            {"客户编号": "ZZ999", "提货日期": "2026年3月5日", "货物价款": "1.2万"},  # unknown customer: used
            {"客户编号": "KH0002", "提货日期": "2026/3/6", "货物价款": "-1,500"},  # a return, typed as text
        ],
        dtype=object,
    )
    customers = raw(CUSTOMERS, data.customers)
    dup = customers.iloc[[0]].copy()  # duplicate id
    book = make_book(
        {
            "customers": pd.concat([customers, dup], ignore_index=True),
            "ledger": pd.concat([ledger, bad], ignore_index=True),
            "complaints": raw(COMPLAINTS, data.complaints),
        }
    )
    result = run_month(book, "2026-10", now=NOW)
    validation = book.written["validation"]
    first_bad = len(ledger) + 2  # sheet row of the first bad line
    ledger_rows = validation[validation["sheet"].map(names(LEDGER))]
    assert {first_bad, first_bad + 1, first_bad + 2, first_bad + 3} <= set(ledger_rows["row"])
    assert "3/5/2026" in set(ledger_rows["value"].astype(str))
    assert len(validation[validation["sheet"].map(names(CUSTOMERS))]) >= 1  # the duplicate
    assert result.ledger_lines == len(ledger) + 2  # the unknown and the return count
    assert "ZZ999" in set(book.written["history"]["customer_id"])


def test_the_rules_sheet_decides_the_method(make_book, data):
    rules = RuleBook().updated({"general.method": "scorecard"})
    book = book_of(make_book, data, rules=rules)
    result = run_month(book, "2026-10", now=NOW)
    assert result.method == "scorecard"
    assert set(book.written["history"]["grade"]) <= set(rules.scorecard.level_labels)
    assert book.written["history"]["score"].notna().all()


def test_a_sheet_made_before_a_later_column_is_written_without_it_and_noted(data):
    """An older workbook's ledger without 信用评估 and complaints without 处理顺序: the job writes
    every other computed column, adds no column, and 校验 names each missing one."""
    book = MemoryBook(
        {
            "customers": raw(CUSTOMERS, data.customers),
            "ledger": raw(LEDGER, data.ledger),
            "complaints": raw(COMPLAINTS, data.complaints),
        }
    )
    run_month(book, "2026-10", now=NOW)
    assert "ledger" not in book.computed
    assert set(book.computed["complaints"].columns) == {"row", "grade", "priority", "due", "status"}
    validation = book.written["validation"]
    later = validation[validation["reason"].str.contains("月度重算即会填写", regex=False)]
    assert set(zip(later["sheet"], later["column"])) == {
        ("客户投诉管理卡", "处理顺序"),
        ("客户业绩统计及信用评估表", "信用评估"),
    }
    assert set(later["row"]) == {1}  # the header row


def test_the_rules_sheet_decides_the_complaint_levels_and_the_queue_follows(make_book, data):
    rules = RuleBook().updated({"complaints.tier1_grades": "A; B", "complaints.priority_labels": "紧急; 一般; 可缓"})
    book = book_of(make_book, data, rules=rules)
    result = run_month(book, "2026-10", now=NOW)
    computed = book.computed["complaints"].sort_values("row")
    grades = computed["grade"].tolist()
    assert computed["priority"].tolist() == ["紧急" if g in ("A", "B") else "可缓" for g in grades]
    assert sorted(computed["queue"]) == list(range(1, len(computed) + 1))
    by_queue = computed.sort_values("queue")
    waiting = by_queue["status"].isin(["处理中", "已超期"])
    first_part = by_queue[waiting]["priority"].tolist()
    assert first_part == sorted(first_part, key=["紧急", "可缓"].index)  # the unreplied, 紧急 first
    levels = {r[0]: r[1] for r in result.summary.block("complaints").rows}
    assert levels["A"] == levels["B"] == "紧急" and levels["C"] == "可缓"


def test_summary_blocks_and_run_log(make_book, data):
    book = book_of(make_book, data)
    result = run_month(book, "2026-10", now=NOW, user="tester")
    keys = [b.key for b in result.summary.blocks]
    for key in ("grades", "pareto", "industry", "salesperson", "migration", "changes", "complaints", "credit"):
        assert key in keys
    shown = book.summary_lines()
    assert shown[0] == result.summary.title and all(b.title in shown for b in result.summary.blocks)
    log = book.written["run_log"].iloc[-1]
    assert (log["user"], log["month"], log["customers"]) == ("tester", "2026-10", result.customers)
    assert result.backup and log["backup"] == result.backup
    if isinstance(book, MemoryBook):
        assert result.backup == "backup-1.xlsx"
    else:  # a copy of the workbook before the run
        assert os.path.isfile(result.backup) and Path(result.backup).parent.name == "xlgrade-backup"


def test_english_book(make_book, data):
    book = make_book(
        {
            "customers": raw(CUSTOMERS, data.customers, "en"),
            "ledger": raw(LEDGER, data.ledger, "en"),
            "complaints": raw(COMPLAINTS, data.complaints, "en"),
        },
        lang="en",
    )
    run_month(book, "2026-10", now=NOW)
    assert book.summary_lines()[0].startswith("Customer")
    assert set(book.computed["complaints"]["status"]) <= {"open", "replied", "replied late", "overdue"}


def test_the_collector_is_paused_for_the_run_and_set_back_after(data):
    """xlgrade.job.collector: no automatic collection while the job reads, grades and writes;
    afterwards the collector is as it was, also when the run fails, and a caller that had
    turned it off finds it off."""
    import gc

    seen: list[bool] = []

    class Watched(MemoryBook):
        def read_table(self, sheet):
            seen.append(gc.isenabled())
            return super().read_table(sheet)

        def save(self):
            seen.append(gc.isenabled())
            return super().save()

    assert gc.isenabled()
    run_month(book_of(Watched, data), "2026-10", now=NOW)
    assert seen and not any(seen)
    assert gc.isenabled()

    class Failing(MemoryBook):
        def read_rules(self):
            raise RuntimeError("unreadable")

    with pytest.raises(RuntimeError):
        run_month(book_of(Failing, data), "2026-10", now=NOW)
    assert gc.isenabled()
    gc.disable()
    try:
        run_month(book_of(MemoryBook, data), "2026-10", now=NOW)
        assert not gc.isenabled()
    finally:
        gc.enable()
