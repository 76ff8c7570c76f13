"""The demo company (xlgrade/demo_data.py and ``xlgrade demo``): plausible under the rules.

Grades are those of the engine and the monthly job (not the generator's own helper): the
threshold method over the 12-month window, then the manual grades, as the workbook shows them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlgrade import demo_data
from xlgrade.cli import DEMO_MONTHS, main
from xlgrade.engine import frames, grade, service
from xlgrade.engine.dynamics import apply_overrides
from xlgrade.engine.rules import RuleBook
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import COMPLAINTS, HISTORY, RUN_LOG
from xlgrade.workbook.filebook import FileBook


def test_more_customers_than_names_gets_numbered_branches():
    """Issue 12: `xlgrade demo --customers N` looped forever past the ~21,600 distinct names."""
    space = len(demo_data.CITIES) * len(demo_data.WORDS) * len(set(demo_data.FORMS)) * len(demo_data.INDUSTRIES)
    customers = demo_data._customers(np.random.default_rng(7), space + 500)
    names = customers["company"]
    assert names.is_unique
    branches = names[names.str.endswith("分公司)")]
    assert len(branches) >= 500
    known = set(names)
    assert all(b.split("(第")[0] in known for b in branches)  # a branch of a company that exists


def test_a_ledger_longer_than_one_sheet_keeps_its_newest_whole_months(monkeypatch):
    """Issue 12: `demo --customers 100000` draws about 1.6 M lines, more than one Excel sheet
    holds; the demo keeps the newest whole months that fit, and a ledger that fits stays."""
    full = demo_data.generate(n_customers=60)
    limit = len(full.ledger) // 2
    monkeypatch.setattr(demo_data, "MAX_LEDGER_LINES", limit)
    cut = demo_data.generate(n_customers=60)
    assert len(full.ledger) // 3 < len(cut.ledger) <= limit
    months = cut.ledger["date"].dt.to_period("M")
    newest = full.ledger[full.ledger["date"].dt.to_period("M") >= months.min()].reset_index(drop=True)
    pd.testing.assert_frame_equal(cut.ledger, newest)  # whole months, the newest, as drawn
    pd.testing.assert_frame_equal(cut.customers.drop(columns="salesperson"), full.customers.drop(columns="salesperson"))
    monkeypatch.setattr(demo_data, "MAX_LEDGER_LINES", len(full.ledger))
    pd.testing.assert_frame_equal(demo_data.generate(n_customers=60).ledger, full.ledger)


def _shown_grades(data: demo_data.DemoData, as_of: pd.Timestamp | None = None) -> pd.Series:
    computed = grade(
        "threshold", frames.prepare_ledger(data.ledger), customers=data.customers, as_of=as_of or data.as_of
    )
    return apply_overrides(computed, data.customers.set_index("customer_id"), source="demo")[0].grades


@pytest.mark.parametrize("seed", [7, 1, 2, 3])
def test_a_customers_are_15_to_25_percent_and_hold_most_of_the_sales(seed):
    data = demo_data.generate(seed=seed)  # the default size
    assert RuleBook().threshold.window_months == 12
    grades = _shown_grades(data)
    share = (grades == "A").mean()
    assert 0.15 <= share <= 0.25, share
    window = data.ledger[data.ledger["date"] > data.as_of - pd.DateOffset(months=12)]
    sales = window.groupby("customer_id")["amount"].sum()
    a_sales = sales[sales.index.isin(grades[grades == "A"].index)].sum() / sales.sum()
    assert 0.70 <= a_sales <= 0.92, a_sales  # Pareto-like: most, not (nearly) all of the sales
    top = sales.sort_values(ascending=False)
    top_fifth = top.iloc[: max(1, len(top) // 5)].sum() / top.sum()
    assert 0.65 <= top_fifth <= 0.92, top_fifth


@pytest.mark.parametrize("seed", [7, 1])
def test_staffing_check_shows_both_ok_and_overloaded(seed):
    data = demo_data.generate(seed=seed)
    table = service.staffing(_shown_grades(data), data.customers.set_index("customer_id")["salesperson"], RuleBook())
    ok = (table["status"] == service.OK).mean()
    assert 0.5 <= ok < 1.0, ok  # informative: most follow the policy, some are overloaded
    assert (table["status"] == service.OVERLOADED).any()


def test_a_salesforce_of_thousands_has_distinct_names():
    names = demo_data._rep_names(np.random.default_rng(1), 20_000)
    assert len(set(names)) == 20_000


def test_complaints_some_replied_late_some_open():
    data = demo_data.generate()
    handled = service.complaints(data.complaints, _shown_grades(data), RuleBook(), data.as_of)
    counts = handled["status"].value_counts()
    assert counts.get(service.REPLIED_LATE, 0) >= 1 and counts.get(service.OPEN, 0) >= 1
    assert counts.get(service.OVERDUE, 0) >= 1
    assert counts.get(service.REPLIED, 0) > counts.get(service.REPLIED_LATE, 0)  # most are answered in time


# ---- the demo command ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder)]) == 0  # the default size, as `make demo` builds it
    return folder / "xlgrade-demo.xlsx"


def test_demo_history_has_months_with_upgrades_and_downgrades(demo_book):
    book = FileBook(demo_book)
    history = book.read_table(HISTORY).frame
    months = sorted(set(history["month"]))
    assert len(months) == DEMO_MONTHS >= 3
    assert months[-1] == "2026-10"
    log = book.read_table(RUN_LOG).frame
    assert log["month"].tolist() == months  # the monthly job, once per month, in order
    later = log.iloc[1:]
    assert len(later) >= 2 and (later["upgrades"] > 0).all() and (later["downgrades"] > 0).all()
    # the job's History agrees: successive months differ both ways
    rank = {g: i for i, g in enumerate(RuleBook().abc.labels)}
    wide = history.pivot(index="customer_id", columns="month", values="grade").apply(lambda s: s.map(rank))
    for before, after in zip(months, months[1:]):
        assert (wide[after] < wide[before]).any() and (wide[after] > wide[before]).any(), (before, after)


def test_demo_summary_migration_and_staffing(demo_book):
    result = run_month(FileBook(demo_book), "2026-10")  # the last month again: History unchanged
    migration = result.summary.block("migration")
    labels = RuleBook().abc.labels
    body = {r[0]: r[1 : 1 + len(labels)] for r in migration.rows}
    off_diagonal_up = sum(body[g][j] for i, g in enumerate(labels) for j in range(i))
    off_diagonal_down = sum(body[g][j] for i, g in enumerate(labels) for j in range(i + 1, len(labels)))
    assert off_diagonal_up > 0 and off_diagonal_down > 0
    share_a = (result.graded.grades == labels[0]).mean()
    assert 0.15 <= share_a <= 0.25
    statuses = {r[-1] for r in result.summary.block("salesperson").rows}
    assert {"正常", "超负荷"} <= statuses


def test_demo_complaints_sheet_levels_and_queue_order(demo_book):
    frame = FileBook(demo_book).read_table(COMPLAINTS).frame
    status = frame["status"].tolist()
    assert "超期回复" in status and "处理中" in status
    assert set(frame["priority"]) <= {"高", "中", "低"} and len(set(frame["priority"])) == 3
    queue = frame["queue"].astype(int)
    assert sorted(queue) == list(range(1, len(frame) + 1))
    ordered = frame.assign(queue=queue).sort_values("queue")
    waiting = ordered["status"].isin(["处理中", "已超期"]).to_numpy()
    assert not (np.diff(waiting.astype(int)) > 0).any()  # every unreplied complaint before the replied ones
    level = ordered["priority"].map({"高": 1, "中": 2, "低": 3})
    for part in (ordered[waiting], ordered[~waiting]):
        tiers = level[part.index].to_numpy()
        assert (np.diff(tiers) >= 0).all()  # within each part, by level (then time)


def test_demo_again_says_what_it_replaced(capsys, tmp_path):
    folder = tmp_path / "again"
    assert main(["demo", str(folder), "--customers", "12", "--months", "1"]) == 0
    first = capsys.readouterr().out
    assert "已替换" not in first
    assert main(["demo", str(folder), "--customers", "12", "--months", "2"]) == 0
    out = capsys.readouterr().out
    replaced = next(line for line in out.splitlines() if line.startswith("已替换上次演示的文件"))
    for name in ("xlgrade-demo.xlsx", "customers.csv", "ledger.csv", "complaints.csv"):
        assert str(folder / name) in replaced
    kept = next(line for line in out.splitlines() if line.startswith("原工作簿已备份到"))
    assert Path(kept.split("到 ", 1)[1]).is_file()
    history = FileBook(folder / "xlgrade-demo.xlsx").read_table(HISTORY).frame
    assert sorted(set(history["month"])) == ["2026-09", "2026-10"]  # a fresh workbook, not the old History
