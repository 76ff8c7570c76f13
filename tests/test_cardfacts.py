"""The record cards' trading facts (engine.activity, seed 004's 日销金额 / 订购商品 / 交易日期 /
收款日期 / 营业状况) and 附表五's per-line 信用评估 (engine.credit.line_status, job.cardfacts).

Defaults: credit days 30, activity over the trailing 12 months against the 12 before, trend
change 10 %, five products named. As-of date 2026-06-30: the window is (2025-06-30, 2026-06-30],
365 days; the period before it (2024-06-30, 2025-06-30].
"""

from __future__ import annotations

import pandas as pd
import pytest

from xlgrade.engine import activity, credit, frames
from xlgrade.engine.rules import RuleBook
from xlgrade.job import cardfacts, derive

AS_OF = pd.Timestamp("2026-06-30")
RULES = RuleBook()


def line(cid: str, date: str, amount: float, **extra) -> dict:
    return {"customer_id": cid, "date": date, "amount": amount, **extra}


def ledger(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows)) if rows else pd.DataFrame(columns=["customer_id", "date", "amount"])
    return frames.prepare_ledger(frame)


def facts(*rows: dict, ids=("C1",), rules: RuleBook = RULES) -> pd.DataFrame:
    return activity.evaluate(ledger(*rows), pd.Index(list(ids), name="customer_id"), rules, AS_OF)


# ---- trading facts -----------------------------------------------------------------------------
def test_a_customer_without_lines_has_no_dates_no_sales_and_no_trade():
    r = facts().loc["C1"]
    assert pd.isna(r["last_order_date"]) and pd.isna(r["last_paid_date"])
    assert r["daily_sales"] == 0 and r["products"] == () and r["trend"] == "none"


def test_an_unpaid_line_gives_the_order_date_but_no_payment_date():
    r = facts(line("C1", "2026-05-10", 36_500.0, product="电芯")).loc["C1"]
    assert r["last_order_date"] == pd.Timestamp("2026-05-10") and pd.isna(r["last_paid_date"])
    assert r["daily_sales"] == 100.0  # 36,500 / 365 days
    assert r["products"] == ("电芯",) and r["trend"] == "new"  # nothing in the 12 months before


def test_the_latest_payment_counts_paid_late_or_early_but_not_after_the_as_of_date():
    r = facts(
        line("C1", "2026-01-05", 100.0, paid_date="2026-03-20"),  # paid late (due 02-04)
        line("C1", "2026-02-01", 100.0, paid_date="2026-02-02"),  # paid early
        line("C1", "2026-06-01", 100.0, paid_date="2026-07-15"),  # paid after the as-of date
    ).loc["C1"]
    assert r["last_paid_date"] == pd.Timestamp("2026-03-20")
    assert r["last_order_date"] == pd.Timestamp("2026-06-01")


def test_a_return_is_not_an_order_but_counts_in_daily_sales():
    r = facts(line("C1", "2026-01-05", 730.0), line("C1", "2026-03-01", -365.0)).loc["C1"]
    assert r["last_order_date"] == pd.Timestamp("2026-01-05") and r["daily_sales"] == 1.0


def test_lines_after_the_as_of_date_and_outside_the_window_do_not_count():
    r = facts(line("C1", "2025-06-30", 1000.0, product="旧"), line("C1", "2026-07-01", 1000.0, product="新")).loc["C1"]
    assert r["daily_sales"] == 0 and r["products"] == ()
    assert r["trend"] == "stopped" and r["last_order_date"] == pd.Timestamp("2025-06-30")


@pytest.mark.parametrize(
    ("before", "now", "trend"),
    [
        (1000.0, 1100.0, "steady"),  # +10 % is not more than 10 %
        (1000.0, 1100.01, "growing"),
        (1000.0, 900.0, "steady"),  # -10 %: not more than 10 % down
        (1000.0, 899.99, "declining"),
        (0.0, 1.0, "new"),
        (1000.0, 0.0, "stopped"),
    ],
)
def test_business_trend_boundaries(before, now, trend):
    rows = [line("C1", "2025-01-15", before), line("C1", "2026-01-15", now)]
    assert facts(*rows).loc["C1", "trend"] == trend


def test_trend_change_is_a_rule():
    rules = RULES.updated({"activity.trend_change": "50%"})
    rows = [line("C1", "2025-01-15", 1000.0), line("C1", "2026-01-15", 1400.0)]
    assert facts(*rows, rules=rules).loc["C1", "trend"] == "steady"
    assert facts(*rows).loc["C1", "trend"] == "growing"


def test_products_by_amount_then_name_blank_names_left_out():
    r = facts(
        line("C1", "2026-01-05", 100.0, product="乙"),
        line("C1", "2026-01-06", 100.0, product="甲"),
        line("C1", "2026-01-07", 500.0, product="丙"),
        line("C1", "2026-01-08", 900.0, product="  "),
        line("C1", "2026-01-09", 50.0, product="乙"),
    ).loc["C1"]
    assert r["products"] == ("丙", "乙", "甲")


def test_products_text_names_the_first_ones_and_counts_the_rest():
    names = tuple("ABCDEFG")
    assert cardfacts.products_text(names[:5], 5, "zh") == "A、B、C、D、E"
    assert cardfacts.products_text(names, 5, "zh") == "A、B、C、D、E 等 7 种"
    assert cardfacts.products_text(names, 5, "en") == "A, B, C, D, E and 2 more"
    assert cardfacts.products_text((), 5, "en") is None


def test_activity_table_words_in_both_languages():
    frame = ledger(line("C1", "2026-05-10", 365.0, product="电芯"))
    ids = pd.Index(["C1", "C2"], name="customer_id")
    zh = cardfacts.activity_table(frame, ids, RULES, AS_OF, "zh")
    en = cardfacts.activity_table(frame, ids, RULES, AS_OF, "en")
    assert zh["business_status"].tolist() == ["新客户", "无交易"]
    assert en["business_status"].tolist() == ["new", "no trade"]
    assert pd.isna(zh.loc["C2", "last_order_date"]) and pd.isna(zh.loc["C2", "products"])
    assert zh.loc["C1", "daily_sales"] == 1.0
    blank = cardfacts.activity_table(None, ids, RULES, AS_OF, "zh")
    assert blank.isna().all().all()


def test_the_analysis_table_carries_the_trading_facts():
    frame = ledger(line("C1", "2026-05-10", 365.0, product="电芯", paid_date="2026-06-01"))
    grades = pd.Series({"C1": "C"})
    out = derive.analysis_table({}, None, grades, RULES, "zh", frame, AS_OF)
    row = out.iloc[0]
    assert row["last_order_date"] == pd.Timestamp("2026-05-10") and row["last_paid_date"] == pd.Timestamp("2026-06-01")
    assert row["daily_sales"] == 1.0 and row["products"] == "电芯" and row["business_status"] == "新客户"


# ---- 附表五 per-line credit -------------------------------------------------------------------------
def states(*rows: dict) -> list[tuple[str, int]]:
    out = credit.line_status(ledger(*rows), RULES, AS_OF)
    return list(zip(out["state"], out["days"]))


def test_line_states_at_their_boundaries():
    assert states(
        line("C1", "2026-03-01", 100.0, paid_date="2026-03-31"),  # due 03-31, paid that day
        line("C1", "2026-03-01", 100.0, paid_date="2026-02-15"),  # paid early
        line("C1", "2026-03-01", 100.0, paid_date="2026-04-01"),  # one day late
        line("C1", "2026-06-01", 100.0),  # due 07-01: not yet due
        line("C1", "2026-05-31", 100.0),  # due 06-30 = as of: not overdue yet
        line("C1", "2026-05-30", 100.0),  # due 06-29: one day overdue
        line("C1", "2026-05-01", 100.0, paid_amount=40.0, paid_date="2026-05-20"),  # due 05-31
        line("C1", "2026-06-10", 100.0, paid_amount=40.0, paid_date="2026-06-20"),
        line("C1", "2026-03-01", 100.0, paid_amount=100.0),  # paid, no date
        line("C1", "2026-03-01", -50.0),  # a return
        line("C1", "2026-07-01", 100.0),  # after the as-of date
        line("C1", "2026-03-01", 100.0, paid_date="2026-07-02"),  # paid after the as-of date: still open
    ) == [
        ("paid_on_time", 0),
        ("paid_on_time", 0),
        ("paid_late", 1),
        ("not_due", 0),
        ("not_due", 0),
        ("overdue", 1),
        ("part_overdue", 30),
        ("part_not_due", 0),
        ("paid_no_date", 0),
        ("no_credit", 0),
        ("later", 0),
        ("overdue", 91),
    ]


def test_a_due_date_given_wins_over_credit_days():
    assert states(line("C1", "2026-03-01", 100.0, due_date="2026-03-10", paid_date="2026-03-20")) == [("paid_late", 10)]


def test_no_lines_no_cells():
    cells = cardfacts.ledger_credit_cells(ledger(), RULES, AS_OF, "zh")
    assert list(cells.columns) == ["row", "credit_status"] and len(cells) == 0


def test_line_words_in_both_languages():
    frame = ledger(
        line("C1", "2026-03-01", 100.0, paid_date="2026-03-31"),
        line("C1", "2026-03-01", 100.0, paid_date="2026-04-01"),
        line("C1", "2026-06-10", 100.0),
        line("C1", "2026-05-01", 100.0),
        line("C1", "2026-07-01", 100.0),
    ).assign(row=[2, 3, 4, 5, 6])
    zh = cardfacts.ledger_credit_cells(frame, RULES, AS_OF, "zh")
    en = cardfacts.ledger_credit_cells(frame, RULES, AS_OF, "en")
    assert zh["row"].tolist() == [2, 3, 4, 5, 6]
    assert zh["credit_status"].tolist() == [
        "按期回款",
        "逾期 1 天回款",
        "未回款,未到期",
        "未回款,截至 2026-06-30 逾期 30 天",
        "晚于评估日 2026-06-30,未评估",
    ]
    assert en["credit_status"].tolist() == [
        "paid on time",
        "paid 1 day late",
        "open, not yet due",
        "open, 30 days overdue at 2026-06-30",
        "after the evaluation date 2026-06-30: not evaluated",
    ]
