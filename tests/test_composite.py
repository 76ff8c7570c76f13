"""Weighted composite (docs/rules.md §3.4). Expected numbers are worked out by hand in comments.

Default weights: 10 % credit + 30 % amount + 60 % profit; split by count, top 20 % A,
up to 50 % B. Percentile = share of customers whose value is <= this one's, x 100.
"""

import pandas as pd
import pytest

from xlgrade.engine import composite, frames
from xlgrade.engine.rules import RuleBook

AS_OF = pd.Timestamp("2026-06-30")
AMOUNT_ONLY = {"composite.credit_weight": 0, "composite.amount_weight": 1, "composite.profit_weight": 0}


def line(cid: str, amount: float, profit: float = 0.0, date: str = "2026-06-15", **extra) -> dict:
    """By default a line not yet due on the as-of date, so its credit score is 100."""
    return {"customer_id": cid, "date": date, "amount": amount, "profit": profit, **extra}


def ledger(*rows: dict) -> pd.DataFrame:
    return frames.prepare_ledger(pd.DataFrame(list(rows)))


def run(df: pd.DataFrame, rules: RuleBook | None = None, customers: pd.DataFrame | None = None):
    return composite.grade(df, frames.prepare_customers(customers), rules or RuleBook(), AS_OF)


def four() -> pd.DataFrame:
    # amounts 100..400 -> amount scores 25, 50, 75, 100; profits reversed -> 100, 75, 50, 25.
    return ledger(line("C1", 100, 40), line("C2", 200, 30), line("C3", 300, 20), line("C4", 400, 10))


def test_weights_are_applied():
    # C1 = 10% x 100 + 30% x 25 + 60% x 100 = 10 + 7.5 + 60 = 77.5; C2 = 10 + 15 + 45 = 70;
    # C3 = 10 + 22.5 + 30 = 62.5; C4 = 10 + 30 + 15 = 55.
    out = run(four()).frame
    assert out["credit_score"].tolist() == [100, 100, 100, 100]
    assert out["amount_score"].tolist() == [25, 50, 75, 100]
    assert out["profit_score"].tolist() == [100, 75, 50, 25]
    assert out["score"].tolist() == [77.5, 70, 62.5, 55]
    # n = 4: A if before < 0.8 (C1 only); B if before < 2 (C2); C3, C4 C.
    assert out["grade"].tolist() == ["A", "B", "C", "C"]
    assert out["amount"].tolist() == [100, 200, 300, 400] and out["profit"].tolist() == [40, 30, 20, 10]


def test_changing_the_weights_changes_the_score():
    rules = RuleBook().updated(
        {"composite.credit_weight": 0.2, "composite.amount_weight": 0.2, "composite.profit_weight": 0.6}
    )
    out = run(four(), rules).frame
    assert out.loc["C1", "score"] == 85  # 20 + 5 + 60
    amount_only = run(four(), RuleBook().updated(AMOUNT_ONLY)).frame
    assert amount_only["score"].tolist() == [25, 50, 75, 100]
    assert amount_only["grade"].tolist() == ["C", "C", "B", "A"]


def test_credit_sub_score_counts():
    # Same amount and profit; C2's line is 30 days overdue (due 05-31) -> credit 40.
    # Both get amount and profit percentile 100: C1 = 10 + 30 + 60 = 100, C2 = 4 + 30 + 60 = 94.
    out = run(ledger(line("C1", 500, 50), line("C2", 500, 50, date="2026-05-01"))).frame
    assert out.loc["C2", "credit_score"] == 40
    assert out.loc["C1", "score"] == 100 and out.loc["C2", "score"] == 94


def test_window_is_the_composite_months_rule():
    # C1's big sale is 13 months old: outside the 12-month window, so C2 leads on amount.
    df = ledger(
        line("C1", 10_000, 10, date="2025-05-30", paid_date="2025-06-01"), line("C1", 100, 10), line("C2", 200, 10)
    )
    out = run(df, RuleBook().updated(AMOUNT_ONLY)).frame
    assert out.loc["C1", "amount"] == 100 and out.loc["C2", "amount_score"] == 100
    longer = run(df, RuleBook().updated({**AMOUNT_ONLY, "composite.months": 24})).frame
    assert longer.loc["C1", "amount"] == 10_100 and longer.loc["C1", "amount_score"] == 100


def ten(amounts: list[float]) -> pd.DataFrame:
    return ledger(*(line(f"C{i:02d}", a) for i, a in enumerate(amounts, start=1)))


def test_exactly_20_percent_of_10_customers_are_a():
    # Distinct amounts: before = 0..9; A if before < 2, B if before < 5.
    out = run(ten([1000, 900, 800, 700, 600, 500, 400, 300, 200, 100]), RuleBook().updated(AMOUNT_ONLY)).frame
    assert out["grade"].tolist() == ["A"] * 2 + ["B"] * 3 + ["C"] * 5
    assert out["rank"].tolist() == list(range(1, 11))


@pytest.mark.parametrize(
    "a_share,b_share,a_count,b_count",
    [
        (0.3, 0.7, 3, 4),
        (0.1, 0.5, 1, 4),
        (0.25, 0.55, 3, 3),  # 2.5 -> before 0, 1, 2 are A; 5.5 -> before 3, 4, 5 are B
    ],
)
def test_count_split_is_exact(a_share, b_share, a_count, b_count):
    rules = RuleBook().updated({**AMOUNT_ONLY, "composite.a_count_share": a_share, "composite.b_count_share": b_share})
    grades = run(ten([1000, 900, 800, 700, 600, 500, 400, 300, 200, 100]), rules).frame["grade"].tolist()
    assert grades.count("A") == a_count and grades.count("B") == b_count
    assert grades.count("C") == 10 - a_count - b_count


def test_count_split_shares_are_decimal_not_float():
    # 25 customers: 28 % x 25 = 7 exactly (7.000000000000001 in floats) and 56 % x 25 = 14
    # (14.000000000000002): exactly 7 A and 7 B; float arithmetic would give 8 A and 7 B.
    rules = RuleBook().updated({**AMOUNT_ONLY, "composite.a_count_share": "28%", "composite.b_count_share": "56%"})
    df = ledger(*(line(f"C{i:02d}", 100.0 * (26 - i)) for i in range(1, 26)))
    grades = run(df, rules).frame["grade"].tolist()
    assert grades == ["A"] * 7 + ["B"] * 7 + ["C"] * 11


def test_count_split_ties_get_the_same_grade():
    # C02 and C03 tie at 900 (percentile 90 each): before = 0, 1, 1, 3, 4, 5 ...
    # A: before < 2 -> C01, C02, C03 (three A: ties go up); B: before < 5 -> C04, C05.
    out = run(ten([1000, 900, 900, 700, 600, 500, 400, 300, 200, 100]), RuleBook().updated(AMOUNT_ONLY)).frame
    assert out.loc["C02", "score"] == out.loc["C03", "score"] == 90
    assert out["grade"].tolist() == ["A", "A", "A", "B", "B", "C", "C", "C", "C", "C"]
    assert out["rank"].tolist()[:4] == [1, 2, 2, 4]


def test_tie_across_the_b_line():
    # Five customers tie for 4th..8th (before = 3): 3 < 5, so all five are B.
    out = run(ten([1000, 900, 800, 500, 500, 500, 500, 500, 200, 100]), RuleBook().updated(AMOUNT_ONLY)).frame
    assert out["grade"].tolist() == ["A", "A", "B", "B", "B", "B", "B", "B", "C", "C"]


def banded(x_days_late: int, y_days_late: int) -> pd.DataFrame:
    """Five customers, amounts and profits in the same order: percentiles 20, 40, ..., 100.

    Credit = 100 - 2 x days late. With X 10 days late (credit 80) and Y 20 days (credit 60):
    T = 10 + 30 + 60 = 100; X = 8 + 24 + 48 = 80; Y = 6 + 18 + 36 = 60;
    U = 10 + 12 + 24 = 46; V (1 day late, credit 98) = 9.8 + 6 + 12 = 27.8.
    """

    def paid(cid, amount, late):
        # due 2026-03-31 (2026-03-01 + 30 days)
        return line(
            cid,
            amount,
            amount / 10,
            date="2026-03-01",
            paid_date=(pd.Timestamp("2026-03-31") + pd.Timedelta(days=late)).strftime("%Y-%m-%d"),
        )

    return ledger(
        paid("T", 500, 0),
        paid("X", 400, x_days_late),
        paid("Y", 300, y_days_late),
        paid("U", 200, 0),
        paid("V", 100, 1),
    )


BANDS = RuleBook().updated({"composite.split": "bands"})


def test_bands_split_at_exactly_80_and_60():
    out = run(banded(10, 20), BANDS).frame
    assert out["score"].to_dict() == {"T": 100, "U": 46, "V": 27.8, "X": 80, "Y": 60}
    assert out["grade"].to_dict() == {"T": "A", "U": "C", "V": "C", "X": "A", "Y": "B"}


def test_bands_just_below_the_lines():
    # X 11 days late: credit 78 -> 7.8 + 24 + 48 = 79.8 (B); Y 21 days: 58 -> 59.8 (C).
    out = run(banded(11, 21), BANDS).frame
    assert out.loc["X", "score"] == 79.8 and out.loc["X", "grade"] == "B"
    assert out.loc["Y", "score"] == 59.8 and out.loc["Y", "grade"] == "C"


def test_explanations_name_the_weights_and_the_place():
    out = run(banded(10, 20)).frame  # count split: n = 5, A if before < 1, B if before < 2.5
    assert out["grade"].to_dict() == {"T": "A", "U": "C", "V": "C", "X": "B", "Y": "B"}
    assert out.loc["T", "explanation_en"] == (
        "A: composite 100 = 10% x credit 100 + 30% x amount 100 + 60% x profit 100; 1st of 5, in the top 20%"
    )
    assert out.loc["X", "explanation_en"] == (
        "B: composite 80 = 10% x credit 80 + 30% x amount 80 + 60% x profit 80; "
        "2nd of 5, not in the top 20% but within the top 50%"
    )
    assert out.loc["V", "explanation_en"].endswith("5th of 5, not within the top 50%")
    assert out.loc["T", "explanation_zh"] == (
        "A:综合分 100 = 10% × 信用 100 + 30% × 金额 100 + 60% × 利润 100;5 名中排第 1,属前 20%"
    )
    bands = run(banded(10, 20), BANDS).frame
    assert bands.loc["Y", "explanation_en"].endswith("3rd of 5, ≥ 60 but < 80")


def test_every_customer_exactly_one_row():
    customers = pd.DataFrame({"customer_id": ["C9", "C1"]})
    df = ledger(line("C1", 100, 10), line("C1", 50, 5), line("C2", 300, -20), line("C3", 100, 1, date="2026-07-01"))
    g = run(df, customers=customers)
    out = g.frame
    assert g.method == "composite" and g.labels == ("A", "B", "C")
    assert g.figures == ("score", "credit_score", "amount_score", "profit_score", "amount", "profit")
    assert list(out.index) == ["C1", "C2", "C9"] and out.index.is_unique  # C3 only after as-of
    # C9 has no lines: not ranked, C, no score; C1 and C2 are ranked among themselves only.
    assert out.loc["C9", "grade"] == "C" and out.loc["C9", "amount"] == 0
    assert out.loc["C9", ["score", "credit_score", "amount_score", "profit_score", "rank"]].isna().all()
    assert out.loc["C9", "explanation_en"] == "C: no purchases in the window (last 12 months), not ranked"
    assert out.loc["C9", "explanation_zh"] == "C:近 12 个月无购买,不参与排名"
    assert out.loc["C2", "profit_score"] == 50  # -20 is the lower of the two ranked profits
    # C1 = 10 + 30% x 50 + 60% x 100 = 85; C2 = 10 + 30 + 60% x 50 = 70
    assert out.loc["C1", "score"] == 85 and out.loc["C1", "rank"] == 1 and out.loc["C2", "rank"] == 2
    reversed_ = run(df.iloc[::-1], customers=customers).frame
    pd.testing.assert_frame_equal(out, reversed_)


def test_customers_without_lines_in_the_window_change_nobody_else():
    # Ten active customers, then 100 more who never bought and 5 whose only line is 13 months old.
    active = [line(f"C{i:02d}", 100 * i, 7 * (i % 4)) for i in range(1, 11)]
    base = run(ledger(*active)).frame
    dormant = [line(f"D{i:02d}", 5000, 900, date="2025-05-15") for i in range(5)]
    customers = pd.DataFrame({"customer_id": [f"N{i:03d}" for i in range(100)]})
    more = run(ledger(*active, *dormant), customers=customers).frame
    pd.testing.assert_frame_equal(more.loc[base.index], base)
    assert (more.drop(index=base.index)["grade"] == "C").all()
    assert more.drop(index=base.index)["score"].isna().all()
    assert base["grade"].value_counts().to_dict() == {"A": 2, "B": 3, "C": 5}  # 20 % of 10, 50 % of 10


def test_window_boundary_exactly_twelve_months_before():
    # As of 2026-06-30 the window is (2025-06-30, 2026-06-30]: a line on 2025-07-01 counts,
    # one on 2025-06-30 (exactly 12 months before) does not.
    out = run(
        ledger(line("IN", 100, 10, date="2025-07-01"), line("OUT", 100, 10, date="2025-06-30"), line("X", 50, 5))
    ).frame
    assert out.loc["IN", "rank"] == 1 and out.loc["X", "rank"] == 2
    assert pd.isna(out.loc["OUT", "rank"]) and out.loc["OUT", "grade"] == "C"


def test_ranked_customer_without_receivables_uses_the_rule():
    # R's only line in the window is a return: ranked, but no credit score -> composite.no_credit_score.
    df = ledger(line("R", -50, -5), line("P", 100, 10))
    out = run(df).frame
    assert out.loc["R", "credit_score"] == 100 and out.loc["R", "rank"] == 2
    ruled = run(df, RuleBook().updated({"composite.no_credit_score": 0})).frame
    assert ruled.loc["R", "credit_score"] == 0
    assert ruled.loc["R", "score"] == pytest.approx(0 + 0.3 * 50 + 0.6 * 50)


def test_ordinal():
    assert [composite.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


def test_credit_sub_score_is_the_credit_methods_score_from_one_figure():
    # composite asks the figure SQL for credit_avg_days_late only (group credit_late), not the
    # 20 other credit figures; its credit sub-score must still be the credit method's score.
    from xlgrade.engine import credit, figures

    assert [c for c in figures.figure_columns(RuleBook(), figures.NEEDS["composite"]) if c.startswith("credit_")] == [
        "credit_avg_days_late"
    ]
    df = ledger(
        line("C1", 1000, date="2026-03-01", paid_date="2026-04-20"),  # 20 days late
        line("C2", 500, date="2026-04-01"),  # unpaid, 60 days overdue
        line("C3", 800, date="2026-05-01", paid_date="2026-05-20"),  # on time
        line("C3", 200, date="2026-05-01", paid_amount=50, paid_date="2026-06-25"),
    )
    rules = RuleBook()
    out = run(df, rules).frame
    fig = figures.of_ledger(df, rules, AS_OF, figures.NEEDS["credit"])
    expected = credit.rate(fig, frames.prepare_customers(None), rules, AS_OF).frame["score"]
    assert out["credit_score"].tolist() == expected.reindex(out.index).tolist()
    assert expected.nunique() == 3  # the ledger tells the three apart
