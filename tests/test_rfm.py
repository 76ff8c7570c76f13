"""RFM (docs/rules.md §3.6): eight classes against the active customers' mean, quintile scores."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from xlgrade.engine import frames, rfm
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import RuleBook

AS_OF = pd.Timestamp("2025-12-31")
DAY = pd.Timedelta(days=1)
LABEL = {
    "HHH": "重要价值客户",
    "HLH": "重要发展客户",
    "LHH": "重要保持客户",
    "LLH": "重要挽留客户",
    "HHL": "一般价值客户",
    "HLL": "一般发展客户",
    "LHL": "一般保持客户",
    "LLL": "一般挽留客户",
}


def ledger(*rows) -> pd.DataFrame:
    """rows: (customer_id, date, amount) or (customer_id, date, amount, sale_no)."""
    data = [dict(customer_id=r[0], date=r[1], amount=r[2], sale_no=r[3] if len(r) > 3 else None) for r in rows]
    return frames.prepare_ledger(pd.DataFrame(data, columns=["customer_id", "date", "amount", "sale_no"]))


def customers(*ids) -> pd.DataFrame:
    return frames.prepare_customers(pd.DataFrame({"customer_id": list(ids)}) if ids else None)


def buys(cid: str, recency: int, orders: int, total: float) -> list[tuple]:
    """``orders`` lines of equal amount summing to ``total``, the last ``recency`` days before AS_OF."""
    return [(cid, AS_OF - (recency + k) * DAY, total / orders) for k in range(orders)]


def run(led, cus=None, rules=None, as_of=AS_OF) -> Grading:
    return rfm.grade(led, cus if cus is not None else customers(), rules or RuleBook(), as_of)


def test_all_eight_patterns():
    # High customers: recency 10, 4 orders, amount 1,000; low: recency 100, 1 order, amount 100.
    # Means over the 8: recency 55, frequency 2.5, monetary 550 -> each pattern is what it says.
    rows = []
    for p in LABEL:
        rows += buys(p, 10 if p[0] == "H" else 100, 4 if p[1] == "H" else 1, 1000.0 if p[2] == "H" else 100.0)
    g = run(ledger(*rows))
    f = g.frame
    assert g.method == "rfm"
    assert g.labels == tuple(LABEL.values())
    assert g.figures == ("recency", "frequency", "monetary", "r_score", "f_score", "m_score", "pattern")
    for p, label in LABEL.items():
        assert f.at[p, "pattern"] == p
        assert f.at[p, "grade"] == label
    assert f.at["HLH", "recency"] == 10 and f.at["HLH", "frequency"] == 1 and f.at["HLH", "monetary"] == 1000
    assert f.at["LHL", "recency"] == 100 and f.at["LHL", "frequency"] == 4 and f.at["LHL", "monetary"] == 100
    # Ties: 4 customers at each value of each dimension. Good value: 4 worse of 8 -> 1 + 20 // 8 = 3.
    assert list(f.loc["HHH", ["r_score", "f_score", "m_score"]]) == [3, 3, 3]
    assert list(f.loc["LLL", ["r_score", "f_score", "m_score"]]) == [1, 1, 1]
    assert list(f.loc["HLH", ["r_score", "f_score", "m_score"]]) == [3, 1, 3]
    zh, en = f.at["HLH", "explanation_zh"], f.at["HLH", "explanation_en"]
    assert zh.startswith("重要发展客户") and "10 天 < 平均 55 天" in zh and "1 次 ≤ 平均 2.5 次" in zh
    assert "1,000 > 平均 550" in zh and "R3 F1 M3" in zh
    assert "important development" in en and "10 days ago < mean 55" in en and "1 order ≤ mean 2.5" in en


def test_value_equal_to_mean_is_low():
    # recency 10 / 20 / 30 (mean 20), orders 3 / 2 / 1 (mean 2), amount 300 / 200 / 100 (mean 200):
    # "mid" equals the mean on every dimension -> LLL although it bought.
    g = run(ledger(*buys("top", 10, 3, 300.0), *buys("mid", 20, 2, 200.0), *buys("low", 30, 1, 100.0)))
    assert g.frame.at["top", "pattern"] == "HHH"
    assert g.frame.at["mid", "pattern"] == "LLL"
    assert g.frame.at["mid", "grade"] == "一般挽留客户"
    assert "20 天 ≥ 平均 20 天" in g.frame.at["mid", "explanation_zh"]
    assert g.frame.at["low", "pattern"] == "LLL"


def test_equal_to_mean_is_exact_with_decimals():
    # 100.1 + 100.15 + 100.2 = 300.45, mean exactly 100.15 (the float mean is 100.14999999999999).
    rows = [("a", AS_OF - 5 * DAY, 100.1), ("b", AS_OF - 5 * DAY, 100.15), ("c", AS_OF - 5 * DAY, 100.2)]
    f = run(ledger(*rows)).frame
    assert f.at["b", "pattern"][2] == "L"
    assert f.at["c", "pattern"][2] == "H"
    assert f.at["a", "pattern"][2] == "L"


def test_lone_active_customer_is_lll():
    f = run(ledger(("solo", AS_OF - 3 * DAY, 500.0))).frame
    assert f.at["solo", "pattern"] == "LLL"
    assert list(f.loc["solo", ["r_score", "f_score", "m_score"]]) == [1, 1, 1]


def test_median_split():
    # amounts 100, 500, 600, 2,000 (one order each, same day): mean 800, median (500 + 600) / 2 = 550.
    rows = [(c, AS_OF - 2 * DAY, v) for c, v in (("a", 100.0), ("b", 500.0), ("c", 600.0), ("d", 2000.0))]
    by_mean = run(ledger(*rows)).frame["pattern"].str[2]
    by_median = run(ledger(*rows), rules=RuleBook().updated({"rfm.split": "median"})).frame
    assert list(by_mean) == ["L", "L", "L", "H"]
    assert list(by_median["pattern"].str[2]) == ["L", "L", "H", "H"]
    assert "中位数 550" in by_median.at["c", "explanation_zh"] and "median 550" in by_median.at["c", "explanation_en"]


def test_quintiles_five_distinct_customers():
    # c1..c5: recency 10..50, orders 1..5, amounts 100..500 -> worse = 0..4 -> score = worse + 1.
    rows = []
    for i in range(1, 6):
        rows += buys(f"c{i}", 10 * i, i, 100.0 * i)
    f = run(ledger(*rows)).frame
    assert list(f["r_score"]) == [5, 4, 3, 2, 1]
    assert list(f["f_score"]) == [1, 2, 3, 4, 5]
    assert list(f["m_score"]) == [1, 2, 3, 4, 5]


def test_quintiles_ten_distinct_customers():
    # amounts 100..1,000: worse = 0..9 -> 1 + floor(5 * worse / 10) = 1,1,2,2,3,3,4,4,5,5.
    rows = [(f"c{i:02d}", AS_OF - DAY, 100.0 * i) for i in range(1, 11)]
    f = run(ledger(*rows)).frame
    assert list(f["m_score"]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Everybody bought the same day once: no one is worse, everyone scores 1 on R and F.
    assert set(f["r_score"]) == {1} and set(f["f_score"]) == {1}


def test_quintiles_with_ties():
    # amounts 100, 100, 200, 300, 300, 300 (n = 6): worse 0, 0, 2, 3, 3, 3
    # -> 1 + floor(5w / 6) = 1, 1, 2, 3, 3, 3.
    vals = (100.0, 100.0, 200.0, 300.0, 300.0, 300.0)
    f = run(ledger(*[(f"c{i}", AS_OF - DAY, v) for i, v in enumerate(vals)])).frame
    assert list(f["m_score"]) == [1, 1, 2, 3, 3, 3]


def test_inactive_customers_are_lll_and_left_out_of_the_mean():
    # Active: a (recency 10, 1 order, 150), b (recency 30, 1 order, 250): means 20, 1, 200.
    # a: R high, F low (1 = mean), M low (150 < 200) -> HLL; b: LLH.
    # Inactive, not in the mean: "old" (bought 2 years ago), "ret" (only a return in the window),
    # "new" (customers table only). Counting them as 0 would make the amount mean 100 and a's M high.
    led = ledger(
        ("a", AS_OF - 10 * DAY, 150.0),
        ("b", AS_OF - 30 * DAY, 250.0),
        ("old", AS_OF - 730 * DAY, 9000.0),
        ("ret", AS_OF - 5 * DAY, -50.0),
    )
    f = run(led, customers("new", "a")).frame
    assert list(f.index) == ["a", "b", "new", "old", "ret"]
    assert f.at["a", "pattern"] == "HLL" and f.at["a", "grade"] == "一般发展客户"
    assert f.at["b", "pattern"] == "LLH" and f.at["b", "grade"] == "重要挽留客户"
    for cid in ("new", "old", "ret"):
        assert f.at[cid, "pattern"] == "LLL"
        assert f.at[cid, "grade"] == "一般挽留客户"
        assert math.isnan(f.at[cid, "recency"])
        assert f.at[cid, "frequency"] == 0
        assert list(f.loc[cid, ["r_score", "f_score", "m_score"]]) == [1, 1, 1]
        assert "近 12 个月无购买" in f.at[cid, "explanation_zh"]
        assert "no purchase in the last 12 months" in f.at[cid, "explanation_en"]
    assert f.at["ret", "monetary"] == -50 and "金额 -50" in f.at["ret", "explanation_zh"]
    assert f.at["old", "monetary"] == 0


def test_lines_after_as_of_and_before_the_window_are_ignored():
    # Window (2024-12-31, 2025-12-31]. "a": one purchase on as-of (recency 0) plus a later line and
    # one exactly at the window start (both out). "late" has only a line after as-of: not graded.
    led = ledger(
        ("a", AS_OF, 100.0),
        ("a", AS_OF + DAY, 5000.0),
        ("a", pd.Timestamp("2024-12-31"), 700.0),
        ("b", AS_OF - 40 * DAY, 300.0),
        ("late", AS_OF + 2 * DAY, 800.0),
    )
    f = run(led).frame
    assert list(f.index) == ["a", "b"]
    assert f.at["a", "recency"] == 0 and f.at["a", "frequency"] == 1 and f.at["a", "monetary"] == 100
    # means: recency 20, frequency 1, amount 200 -> a HLL, b LLH
    assert f.at["a", "pattern"] == "HLL" and f.at["b", "pattern"] == "LLH"


def test_orders_count_distinct_sale_numbers_and_returns_reduce_monetary():
    # a: three lines of sale S1 + one loose line = 2 orders; a return of 50 in the window.
    led = ledger(
        ("a", AS_OF - DAY, 100.0, "S1"),
        ("a", AS_OF - DAY, 100.0, "S1"),
        ("a", AS_OF - 2 * DAY, 100.0, "S1"),
        ("a", AS_OF - 3 * DAY, 20.0),
        ("a", AS_OF - DAY, -50.0),
        ("b", AS_OF - 9 * DAY, 10.0),
    )
    f = run(led).frame
    assert f.at["a", "frequency"] == 2
    assert f.at["a", "monetary"] == 270
    assert f.at["a", "recency"] == 1


def test_rule_window_and_labels():
    rules = RuleBook().updated({"rfm.months": 1, "rfm.labels_en": "v; d; r; w; gv; gd; gr; gw"})
    led = ledger(("a", AS_OF - 10 * DAY, 100.0), ("b", AS_OF - 40 * DAY, 900.0))
    f = run(led, rules=rules).frame
    # one-month window: only a is active (alone, so LLL); b bought 40 days ago -> inactive
    assert f.at["b", "frequency"] == 0 and "last 1 months" in f.at["b", "explanation_en"]
    assert "(gw, LLL)" in f.at["a", "explanation_en"]


def test_empty_population():
    g = run(ledger(("x", AS_OF + DAY, 1.0)))
    assert len(g.frame) == 0 and g.labels == tuple(LABEL.values())


def test_one_row_per_customer_and_row_order_does_not_matter():
    rows = []
    for i in range(1, 8):
        rows += buys(f"c{i}", 3 * i, 1 + i % 3, 50.0 * (i % 4 + 1))
    a = run(ledger(*rows)).frame
    b = run(ledger(*reversed(rows))).frame
    pd.testing.assert_frame_equal(a, b)
    assert a.index.is_unique and list(a.index) == sorted(a.index)


@pytest.mark.parametrize("split", ["mean", "median"])
def test_labels_follow_patterns(split):
    rows = []
    for i in range(1, 12):
        rows += buys(f"c{i}", (7 * i) % 50, 1 + (3 * i) % 4, 100.0 * ((5 * i) % 7 + 1))
    g = run(ledger(*rows), rules=RuleBook().updated({"rfm.split": split}))
    for pattern, label in zip(g.frame["pattern"], g.frame["grade"]):
        assert LABEL[pattern] == label


def test_window_boundary_exactly_twelve_months_before():
    # Window (2024-12-31, 2025-12-31]: a last order exactly 12 months before the as-of date, or a
    # day older, is outside (一般挽留客户, no recency, not in the means); a day newer is inside.
    twelve = AS_OF - pd.DateOffset(months=12)
    led = ledger(
        ("EXACT", twelve, 9000.0),
        ("OLDER", twelve - DAY, 9000.0),
        ("NEWER", twelve + DAY, 9000.0),
        ("RECENT", AS_OF - 10 * DAY, 100.0),
    )
    f = run(led).frame
    for cid in ("EXACT", "OLDER"):
        assert f.loc[cid, "grade"] == LABEL["LLL"] and math.isnan(f.loc[cid, "recency"])
        assert f.loc[cid, "monetary"] == 0
    assert f.loc["NEWER", "recency"] == 364
    # means over the two active customers: recency (364 + 10) / 2 = 187, monetary 4,550
    assert f.loc["NEWER", "pattern"] == "LLH" and f.loc["RECENT", "pattern"] == "HLL"
