"""Credit evaluation (docs/rules.md §3.5). Expected numbers are worked out by hand in comments.

Defaults: credit days 30, penalty 2 points a day, trailing 12 months, grades 优 >= 90,
良 >= 75, 中 >= 60, else 差; aging limits 30 / 60 / 90 days. As-of date 2026-06-30.
"""

import numpy as np
import pandas as pd
import pytest

from xlgrade.engine import credit, frames
from xlgrade.engine.rules import RuleBook

AS_OF = pd.Timestamp("2026-06-30")


def line(cid: str, date: str, amount: float, **extra) -> dict:
    return {"customer_id": cid, "date": date, "amount": amount, **extra}


def ledger(*rows: dict) -> pd.DataFrame:
    return frames.prepare_ledger(pd.DataFrame(list(rows)))


def evaluate(
    df: pd.DataFrame, as_of: pd.Timestamp = AS_OF, rules: RuleBook | None = None, ids: list[str] | None = None
) -> pd.DataFrame:
    index = (
        pd.Index(ids, name="customer_id")
        if ids is not None
        else frames.population(df, frames.prepare_customers(None), as_of)
    )
    return credit.evaluate(df, index, rules or RuleBook(), as_of)


def one(*rows: dict, **kw) -> pd.Series:
    """The figures of the only customer, C1."""
    return evaluate(ledger(*rows), **kw).loc["C1"]


def days_before(as_of: pd.Timestamp, n: int) -> str:
    return (as_of - pd.Timedelta(days=n)).strftime("%Y-%m-%d")


# ---- days late of paid lines ------------------------------------------------------------------
def test_paid_exactly_on_the_due_date_is_not_late():
    # 2026-03-01 + 30 credit days = due 2026-03-31, paid that day: 0 days late.
    r = one(line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"))
    assert r["avg_days_late"] == 0 and r["score"] == 100 and r["credit_grade"] == "优"
    assert r["outstanding"] == 0 and r["cumulative_collections"] == 1000 and r["collection_rate"] == 1.0


def test_paid_one_day_late_costs_two_points():
    r = one(line("C1", "2026-03-01", 1000.0, paid_date="2026-04-01"))
    assert r["avg_days_late"] == 1 and r["score"] == 98


def test_due_date_given_wins_over_credit_days():
    # due 2026-03-11 given, paid 2026-03-31: 20 days late -> 100 - 40 = 60 (中).
    r = one(line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31", due_date="2026-03-11"))
    assert r["avg_days_late"] == 20 and r["score"] == 60 and r["credit_grade"] == "中"


def test_credit_days_rule_sets_the_default_due_date():
    # 10 credit days: due 2026-03-11, paid 2026-03-31 -> 20 days late.
    rules = RuleBook().updated({"credit.credit_days": 10})
    r = one(line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"), rules=rules)
    assert r["avg_days_late"] == 20 and r["score"] == 60


# ---- unpaid lines -------------------------------------------------------------------------------
def test_unpaid_past_due_is_overdue_as_of_the_as_of_date():
    # due 2026-05-31, as of 2026-06-30: 30 days overdue -> 100 - 60 = 40 (差).
    r = one(line("C1", "2026-05-01", 1000.0))
    assert r["avg_days_late"] == 30 and r["score"] == 40 and r["credit_grade"] == "差"
    assert r["overdue_balance"] == 1000 and r["not_due"] == 0 and r["max_days_overdue"] == 30
    assert r["aging_0_30"] == 1000 and r["cumulative_collections"] == 0 and r["collection_rate"] == 0


@pytest.mark.parametrize("date", ["2026-06-15", "2026-05-31"])  # due 07-15; due 06-30 = the as-of date
def test_unpaid_not_yet_due_is_not_overdue(date):
    r = one(line("C1", date, 1000.0))
    assert r["outstanding"] == 1000 and r["not_due"] == 1000 and r["overdue_balance"] == 0
    assert r["max_days_overdue"] == 0 and r["avg_days_late"] == 0 and r["score"] == 100


def test_payment_after_as_of_counts_as_unpaid():
    rows = [line("C1", "2026-05-01", 1000.0, paid_amount=1000.0, paid_date="2026-07-05")]
    r = one(*rows)  # as of 06-30 nothing received: 30 days overdue
    assert r["cumulative_collections"] == 0 and r["outstanding"] == 1000 and r["overdue_balance"] == 1000
    assert r["score"] == 40
    later = one(*rows, as_of=pd.Timestamp("2026-07-31"))  # received 07-05: 35 days after 05-31
    assert later["cumulative_collections"] == 1000 and later["outstanding"] == 0
    assert later["avg_days_late"] == 35 and later["score"] == 30


def test_partial_payment_weighs_paid_and_open_parts():
    # due 2026-05-01; 600 paid 05-11 (10 days late); 400 open, 60 days overdue on 06-30.
    # avg = (600 x 10 + 400 x 60) / 1000 = 30 -> score 40.
    r = one(line("C1", "2026-04-01", 1000.0, paid_amount=600.0, paid_date="2026-05-11"))
    assert r["avg_days_late"] == 30 and r["score"] == 40
    assert r["cumulative_collections"] == 600 and r["collection_rate"] == 0.6
    assert r["outstanding"] == 400 and r["overdue_balance"] == 400 and r["aging_31_60"] == 400
    assert r["max_days_overdue"] == 60


def test_payment_is_capped_at_the_line_amount():
    r = one(line("C1", "2026-03-01", 1000.0, paid_amount=1200.0, paid_date="2026-03-31"))
    assert r["cumulative_collections"] == 1000 and r["outstanding"] == 0


def test_paid_amount_without_date_counts_as_received_on_time():
    r = one(line("C1", "2026-01-01", 1000.0, paid_amount=1000.0))
    assert r["cumulative_collections"] == 1000 and r["outstanding"] == 0 and r["score"] == 100


# ---- returns, clamp, no history -----------------------------------------------------------------
def test_returns_carry_no_credit_weight():
    # 1000 unpaid, 30 days overdue; a return of -1000 is neither overdue nor in the weights:
    # avg stays 30 days (score 40); net sales 0 -> collection rate undefined.
    r = one(line("C1", "2026-05-01", 1000.0), line("C1", "2026-01-10", -1000.0))
    assert r["avg_days_late"] == 30 and r["score"] == 40
    assert r["outstanding"] == 1000 and r["overdue_balance"] == 1000 and r["max_days_overdue"] == 30
    assert r["cumulative_sales"] == 0 and np.isnan(r["collection_rate"])


def test_refund_on_a_return_line_reduces_collections():
    r = one(
        line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"),
        line("C1", "2026-04-01", -400.0, paid_amount=-400.0, paid_date="2026-04-02"),
    )
    assert r["cumulative_sales"] == 600 and r["cumulative_collections"] == 600 and r["collection_rate"] == 1


def test_score_is_clamped_at_zero():
    # due 2026-01-31, unpaid: 150 days overdue on 06-30 -> 100 - 300 = -200 -> 0.
    df = ledger(line("C1", "2026-01-01", 1000.0))
    r = evaluate(df).loc["C1"]
    assert r["avg_days_late"] == 150 and r["max_days_overdue"] == 150 and r["score"] == 0
    out = credit.grade(df, frames.prepare_customers(None), RuleBook(), AS_OF).frame
    assert "floored at 0" in out.loc["C1", "explanation_en"] and "下限 0" in out.loc["C1", "explanation_zh"]


def test_a_period_without_receivables_has_no_score():
    df = ledger(
        line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"),
        line("C2", "2024-01-01", 1000.0, paid_date="2024-01-31"),  # outside the 12 months
        line("C3", "2026-02-01", -500.0),
    )  # only a return
    out = evaluate(df, ids=["C1", "C2", "C3", "C9"])  # C9: no lines at all
    for cid in ("C2", "C3", "C9"):
        assert np.isnan(out.loc[cid, "score"]) and out.loc[cid, "credit_grade"] == "无记录"
        assert np.isnan(out.loc[cid, "avg_days_late"])
        assert np.isnan(out.loc[cid, "ly_score"]) and out.loc[cid, "ly_credit_grade"] == "无记录"
    assert out.loc["C9", "cumulative_sales"] == 0 and np.isnan(out.loc["C9", "collection_rate"])
    # the collection rate is over all history, not the 12 months: C2's old line counts
    assert out.loc["C2", "collection_rate"] == 1
    ruled = evaluate(df, ids=["C1", "C9"], rules=RuleBook().updated({"credit.no_record_label": "—"}))
    assert ruled.loc["C9", "credit_grade"] == "—" and ruled.loc["C1", "score"] == 100


def test_window_boundary_of_the_score():
    # As of 2026-06-30 the trailing 12 months are (2025-06-30, 2026-06-30]: a line dated exactly
    # 12 months before does not count, one a day later does (unpaid, due 30 days later -> late).
    out = evaluate(ledger(line("OUT", "2025-06-30", 1000.0), line("IN", "2025-07-01", 1000.0)))
    assert np.isnan(out.loc["OUT", "score"]) and out.loc["OUT", "credit_grade"] == "无记录"
    assert out.loc["IN", "score"] == 0 and out.loc["IN", "avg_days_late"] == 334
    assert out.loc["OUT", "overdue_balance"] == 1000  # still owed, whatever the window


def test_no_record_label_must_differ_from_the_grades():
    from xlgrade.errors import RuleError

    with pytest.raises(RuleError, match="credit.grade_labels"):
        RuleBook().updated({"credit.no_record_label": "差"})


def test_lines_after_as_of_are_ignored():
    r = one(line("C1", "2026-06-01", 500.0, paid_date="2026-06-20"), line("C1", "2026-07-01", 9999.0))
    assert r["cumulative_sales"] == 500 and r["outstanding"] == 0 and r["score"] == 100


def test_window_is_the_trailing_months_rule():
    # An unpaid line of 2025-07-10 (due 2025-07-15, 350 days overdue) is in 12 months, not in 6.
    rows = [
        line("C1", "2025-07-15", 1000.0, paid_date="2025-08-14"),  # on time
        line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"),
    ]  # on time
    assert one(*rows)["score"] == 100
    rows.append(line("C1", "2025-07-10", 1000.0, due_date="2025-07-15"))
    # 12 months: avg = 1000 x 350 / 3000 = 116.67 -> 0; 6 months: only the 2026 line -> 100.
    assert one(*rows)["score"] == 0
    six = one(*rows, rules=RuleBook().updated({"credit.months": 6}))
    assert six["score"] == 100 and six["overdue_balance"] == 1000 and six["max_days_overdue"] == 350


# ---- grades -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "score,expected",
    [
        (100, "优"),
        (90, "优"),
        (89.99, "良"),
        (75, "良"),
        (74.99, "中"),
        (60, "中"),
        (59.99, "差"),
        (0, "差"),
    ],
)
def test_each_grade_boundary(score, expected):
    assert list(credit.credit_grades(pd.Series([score]), RuleBook().credit)) == [expected]


def test_score_90_is_excellent_and_89_99_is_good_end_to_end():
    # C1: paid 5 days late -> 90. C2: 995 five days late + 5 six days late:
    # avg = (4975 + 30) / 1000 = 5.005 -> 100 - 10.01 = 89.99.
    out = evaluate(
        ledger(
            line("C1", "2026-03-01", 1000.0, paid_date="2026-04-05"),
            line("C2", "2026-03-01", 995.0, paid_date="2026-04-05"),
            line("C2", "2026-03-01", 5.0, paid_date="2026-04-06"),
        )
    )
    assert out.loc["C1", "score"] == 90 and out.loc["C1", "credit_grade"] == "优"
    assert out.loc["C2", "score"] == 89.99 and out.loc["C2", "credit_grade"] == "良"


def test_grade_labels_and_minimums_are_rules():
    rules = RuleBook().updated(
        {
            "credit.grade_min": "95; 50",
            "credit.grade_labels": "AAA; BBB; CCC",
            "credit.grade_labels_en": "top; mid; low",
        }
    )
    out = evaluate(ledger(line("C1", "2026-03-01", 1000.0, paid_date="2026-04-05")), rules=rules)
    assert out.loc["C1", "credit_grade"] == "BBB"  # 90 < 95, >= 50


# ---- aging --------------------------------------------------------------------------------------
AGING_DAYS = {0: 64.0, 1: 128.0, 30: 1.0, 31: 2.0, 60: 4.0, 61: 8.0, 90: 16.0, 91: 32.0}


def aging_ledger() -> pd.DataFrame:
    return ledger(*(line("C1", "2026-01-01", amt, due_date=days_before(AS_OF, d)) for d, amt in AGING_DAYS.items()))


def test_aging_bucket_edges():
    r = evaluate(aging_ledger()).loc["C1"]
    assert r["not_due"] == 64  # 0 days: due today
    assert r["aging_0_30"] == 128 + 1  # 1 and 30 days
    assert r["aging_31_60"] == 2 + 4  # 31 and 60
    assert r["aging_61_90"] == 8 + 16  # 61 and 90
    assert r["aging_over_90"] == 32  # 91
    assert r["overdue_balance"] == 129 + 6 + 24 + 32 == 191
    assert r["outstanding"] == 255 and r["max_days_overdue"] == 91


def test_aging_buckets_follow_the_rule():
    out = evaluate(aging_ledger(), rules=RuleBook().updated({"credit.aging_days": "15; 45"}))
    assert [c for c in out.columns if c.startswith("aging_")] == ["aging_0_15", "aging_16_45", "aging_over_45"]
    r = out.loc["C1"]
    assert r["aging_0_15"] == 128 and r["aging_16_45"] == 1 + 2 and r["aging_over_45"] == 4 + 8 + 16 + 32


def test_aging_column_names():
    assert credit.aging_columns((30.0, 60.0, 90.0)) == ["aging_0_30", "aging_31_60", "aging_61_90", "aging_over_90"]
    assert credit.aging_columns(()) == ["aging_over_0"]


# ---- same period last year ----------------------------------------------------------------------
def test_same_period_last_year():
    df = ledger(
        # C1: 2025 line 10 days late (due 2025-03-31, paid 04-10); 2026 line on time.
        line("C1", "2025-03-01", 1000.0, paid_date="2025-04-10"),
        line("C1", "2026-03-01", 1000.0, paid_date="2026-03-31"),
        # C2: due 2025-05-31, paid 2025-08-30: as of 2025-06-30 unpaid and 30 days overdue.
        line("C2", "2025-05-01", 1000.0, paid_date="2025-08-30"),
    )
    out = evaluate(df)
    c1, c2 = out.loc["C1"], out.loc["C2"]
    assert c1["score"] == 100 and c1["cumulative_sales"] == 2000 and c1["cumulative_collections"] == 2000
    assert c1["ly_score"] == 80 and c1["ly_credit_grade"] == "良" and c1["ly_avg_days_late"] == 10
    assert c1["ly_cumulative_sales"] == 1000 and c1["ly_cumulative_collections"] == 1000
    assert c1["ly_collection_rate"] == 1 and c1["ly_overdue_balance"] == 0
    # C2 now: paid, and the line is outside the trailing 12 months -> no receivables -> no score.
    assert (
        np.isnan(c2["score"])
        and c2["credit_grade"] == "无记录"
        and c2["overdue_balance"] == 0
        and c2["cumulative_collections"] == 1000
    )
    assert c2["ly_score"] == 40 and c2["ly_credit_grade"] == "差" and c2["ly_overdue_balance"] == 1000
    assert c2["ly_cumulative_collections"] == 0 and c2["ly_collection_rate"] == 0


# ---- grade() ------------------------------------------------------------------------------------
def explained_ledger() -> pd.DataFrame:
    # 9,000 paid on time; 1,000 due 2026-04-11, unpaid: 80 days overdue on 06-30.
    # avg = 1000 x 80 / 10000 = 8 days -> 100 - 16 = 84 (良); collected 9000 / 10000 = 90 %.
    return ledger(
        line("C1", "2026-03-01", 9000.0, paid_date="2026-03-31"),
        line("C1", "2026-03-12", 1000.0, due_date="2026-04-11"),
    )


def test_grade_explains_with_the_numbers():
    customers = frames.prepare_customers(pd.DataFrame({"customer_id": ["C9", "C1"]}))
    g = credit.grade(explained_ledger(), customers, RuleBook(), AS_OF)
    out = g.frame
    assert g.method == "credit" and g.labels == ("优", "良", "中", "差", "无记录")
    assert list(out.index) == ["C1", "C9"]  # every customer exactly once
    assert out.loc["C1", "grade"] == "良" and out.loc["C1", "aging_61_90"] == 1000
    assert out.loc["C1", "explanation_en"] == (
        "good: score 84 = 100 - 2 x 8 days late on average (last 12 months); "
        "overdue 1,000 (up to 80 days), collected 90%; same period last year no record (no receivables)"
    )
    assert out.loc["C1", "explanation_zh"] == (
        "良:信用分 84 = 100 - 2 × 平均逾期 8 天(近 12 个月);逾期余额 1,000(最长 80 天),回款率 90%;"
        "上年同期无记录(无应收记录)"
    )
    assert out.loc["C9", "grade"] == "无记录" and np.isnan(out.loc["C9", "score"])
    assert out.loc["C9", "explanation_en"].startswith("no record: no receivables in the last 12 months, so no credit")
    assert out.loc["C9", "explanation_zh"].startswith("无记录:近 12 个月无应收记录,无信用分")
    assert g.records("en")[1]["score"] is None  # JSON null


def test_grade_figures_order():
    g = credit.grade(explained_ledger(), frames.prepare_customers(None), RuleBook(), AS_OF)
    assert g.figures[:5] == ("score", "avg_days_late", "overdue_balance", "max_days_overdue", "collection_rate")
    assert {"cumulative_sales", "aging_over_90", "ly_score", "ly_credit_grade"} <= set(g.figures)
    assert "credit_grade" not in g.frame.columns  # it is the grade column
    assert g.table("en").columns[:3].tolist() == ["customer_id", "grade", "explanation"]


def test_each_customer_exactly_one_row_regardless_of_order():
    df = ledger(
        line("C2", "2026-05-01", 10.0),
        line("C1", "2026-03-01", 20.0, paid_date="2026-03-31"),
        line("C2", "2026-02-01", 30.0, paid_date="2026-03-01"),
        line("C3", "2026-08-01", 5.0),
    )
    a = credit.grade(df, frames.prepare_customers(None), RuleBook(), AS_OF).frame
    b = credit.grade(df.iloc[::-1], frames.prepare_customers(None), RuleBook(), AS_OF).frame
    assert list(a.index) == ["C1", "C2"]  # C3 only after the as-of date
    pd.testing.assert_frame_equal(a, b)


def test_a_large_ledger_grades_every_customer_once():
    """200,000 lines of 5,000 customers (its speed is the benchmark's: make bench)."""
    rng = np.random.default_rng(7)
    n = 200_000
    dates = pd.Timestamp("2024-07-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    paid = pd.Series(dates + pd.to_timedelta(rng.integers(0, 90, n), unit="D")).where(rng.random(n) < 0.7)
    df = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": [f"C{i:04d}" for i in rng.integers(0, 5000, n)],
                "date": dates,
                "amount": rng.normal(1000, 800, n).round(2),
                "paid_date": paid,
            }
        )
    )
    g = credit.grade(df, frames.prepare_customers(None), RuleBook(), AS_OF)
    assert len(g.frame) == 5000 and g.frame.index.is_unique
