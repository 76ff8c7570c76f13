import numpy as np
import pandas as pd
import pytest
from ledgers import AS_OF, customers, frame, lines

from xlgrade.engine import RuleBook, scorecard

NOW = "2026-03-01"  # inside the trailing 12 months of AS_OF (2026-06-30)
BEFORE = "2025-03-01"  # inside the 12 months before that


def run(df, cust=None, rules=None):
    return scorecard.grade(df, customers(cust), rules or RuleBook(), AS_OF).frame


@pytest.mark.parametrize(
    "units,points", [(120, 50), (119.99, 40), (60, 40), (36, 30), (35.9, 20), (24, 20), (12, 10), (11, 0), (0, 0)]
)
def test_average_monthly_units_steps(units, points):
    out = run(frame(lines("C1", 1, 100.0, date=NOW, quantity=float(units))))
    assert out.loc["C1", "units_points"] == points
    assert out.loc["C1", "avg_monthly_units"] == pytest.approx(units / 12)


@pytest.mark.parametrize(
    "before,now,points",
    [
        (100, 200, 20),  # +100 %
        (100, 300, 20),  # above 100 % is capped
        (100, 175, 15),  # 10 + 10 * (0.75 - 0.5) / 0.5
        (100, 150, 10),  # exactly 50 %
        (100, 130, 5 + 5 * 0.1 / 0.3),
        (100, 120, 5),  # exactly 20 %
        (100, 110, 2.5),  # 5 * 0.1 / 0.2
        (100, 100, 0),  # no growth
        (100, 50, 0),  # decline
        (0, 50, 20),  # new customer: no earlier sales but some now
        (0, 0, 0),
    ],
)
def test_growth_points(before, now, points):
    rows = []
    if before:
        rows += lines("C1", 1, float(before), date=BEFORE, quantity=0.0)
    if now:
        rows += lines("C1", 1, float(now), date=NOW, quantity=0.0)
    rows += lines("C2", 1, 1.0, date=NOW, quantity=0.0)  # keeps the frame non-empty
    out = run(frame(rows), [{"customer_id": "C1"}])
    assert out.loc["C1", "growth_points"] == pytest.approx(points)


def test_window_edges():
    # 2025-06-30 is the last day of the earlier window; 2025-07-01 the first of the current one.
    df = frame(
        lines("C1", 1, 100.0, date="2025-06-30", quantity=0.0),
        lines("C1", 1, 150.0, date="2025-07-01", quantity=120.0),
        lines("C1", 1, 999.0, date="2026-07-01", quantity=999.0),
    )  # after as-of: ignored
    out = run(df)
    assert out.loc["C1", "sales_growth"] == pytest.approx(0.5)
    assert out.loc["C1", "units_points"] == 50


def entered(cid, channel, loyalty, prospects):
    return {"customer_id": cid, "channel": channel, "loyalty": loyalty, "prospects": prospects}


def test_levels_at_exactly_90_and_89():
    # 50 (units) + 20 (growth) + 20 entered = 90 -> VIP; one entered point less = 89 -> 骨干.
    df = frame(lines("V", 1, 100.0, date=NOW, quantity=120.0), lines("K", 1, 100.0, date=NOW, quantity=120.0))
    out = run(df, [entered("V", 10, 10, 0), entered("K", 10, 9, 0)])
    assert (out.loc["V", "score"], out.loc["V", "grade"]) == (90, "VIP客户")
    assert (out.loc["K", "score"], out.loc["K", "grade"]) == (89, "骨干客户")


def split3(total):
    """Spread an entered total over channel, loyalty and prospects (each at most 10)."""
    first = min(total, 10)
    second = min(total - first, 10)
    return first, second, total - first - second


@pytest.mark.parametrize(
    "quantity,entered_total,score,level",
    [
        (120, 20, 90, "VIP客户"),  # 50 units + 20 new-customer growth + 20
        (120, 19.99, 89.99, "骨干客户"),
        (120, 5, 75, "骨干客户"),
        (120, 4.99, 74.99, "有效客户"),
        (24, 20, 60, "有效客户"),  # 20 units + 20 growth + 20
        (24, 19.99, 59.99, "休眠客户"),
        (0, 30, 50, "休眠客户"),  # 0 units + 20 growth + 30
        (0, 29.99, 49.99, "潜在客户"),
    ],
)
def test_every_level_boundary(quantity, entered_total, score, level):
    df = frame(lines("C1", 1, 100.0, date=NOW, quantity=float(quantity)))
    out = run(df, [entered("C1", *split3(entered_total))])
    assert out.loc["C1", "score"] == pytest.approx(score)
    assert out.loc["C1", "grade"] == level


def test_missing_entered_scores_count_zero_and_lowest_level():
    out = run(frame(lines("C1", 1, 10.0, date=NOW, quantity=1.0)))
    assert out.loc["C1", "score"] == 20  # only the new-customer growth points
    assert out.loc["C1", "grade"] == "潜在客户"


def test_rules_change_levels_and_labels():
    rules = RuleBook().updated(
        {"scorecard.level_min": "60; 40; 30; 20", "scorecard.level_labels": "金; 银; 铜; 铁; 木"}
    )
    df = frame(lines("C1", 1, 10.0, date=NOW, quantity=1.0))
    assert run(df, rules=rules).loc["C1", "grade"] == "铁"


def test_explanation_lists_every_criterion():
    df = frame(lines("V", 1, 100.0, date=NOW, quantity=120.0))
    out = run(df, [entered("V", 10, 10, 0)])
    assert out.loc["V", "explanation_en"] == (
        "VIP客户 (VIP): 90 points ≥ 90 = 10 units/month 50 + growth no earlier sales 20"
        " + channel 10 + loyalty 10 + prospects 0"
    )
    assert out.loc["V", "explanation_zh"].startswith("VIP客户:90 分 ≥ 90 = 月均销售 10 件 50 分")


def test_step_points_and_growth_rate_helpers():
    s = pd.Series([10.0, 9.99, 0.5])
    assert scorecard.step_points(s, (10, 5), (50, 40)).tolist() == [50, 40, 0]
    rate = scorecard.growth_rate(pd.Series([150.0, 10.0]), pd.Series([100.0, 0.0]))
    assert rate.iloc[0] == pytest.approx(0.5) and np.isnan(rate.iloc[1])


def test_explanations_per_language_each_customer_its_own():
    """The explanations are built a column at a time: every customer gets the sentence of its
    own figures (levels, bounds, growth with and without earlier sales, entered scores), in
    the language asked for only, and the same as a grading in both languages gives."""
    df = frame(
        [
            *lines("V", 1, 100.0, date=NOW, quantity=120.0),  # new: no earlier sales
            *lines("G", 1, 150.0, date=NOW, quantity=30.0),
            *lines("G", 1, 100.0, date=BEFORE, quantity=1.0),  # +50%
            *lines("Z", 1, 10.0, date=BEFORE, quantity=1.0),  # nothing now: -100%
        ]
    )
    cust = [entered("V", 10, 10, 0), entered("G", 3, 0, 7)]
    full = run(df, cust)
    for lang in ("zh", "en"):
        one = scorecard.grade(df, customers(cust), RuleBook(), AS_OF, explain=(lang,)).frame
        assert (
            list(one.columns).count(f"explanation_{lang}") == 1
            and f"explanation_{'en' if lang == 'zh' else 'zh'}" not in one
        )
        pd.testing.assert_series_equal(one[f"explanation_{lang}"], full[f"explanation_{lang}"])
    g = full.loc["G"]
    assert g["explanation_en"].split(" = ")[1] == (
        f"2.5 units/month {g['units_points']:g} + growth +50% {g['growth_points']:g} + channel 3 + loyalty 0 + prospects 7"
    )
    assert "增长 -100%" in full.loc["Z", "explanation_zh"] and "上期无销售" in full.loc["V", "explanation_zh"]
