"""Matrices and types (docs/rules.md §3.7): volume x loyalty, wallet, MVC/MGC/BZC, deal stage, 3x3."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xlgrade.engine import frames, matrices
from xlgrade.engine.rules import RuleBook

AS_OF = pd.Timestamp("2025-12-31")  # trailing 12 months = (2024-12-31, 2025-12-31]
NOW = "2025-06-30"  # a day inside the trailing window
BEFORE = "2024-06-30"  # a day inside the 12 months before it
OLD = "2023-03-01"


def ledger(*rows) -> pd.DataFrame:
    """rows: (customer_id, date, amount[, quantity[, profit]])."""
    data = [dict(zip(("customer_id", "date", "amount", "quantity", "profit"), r)) for r in rows]
    return frames.prepare_ledger(pd.DataFrame(data, columns=["customer_id", "date", "amount", "quantity", "profit"]))


def customers(**columns) -> pd.DataFrame:
    """customers(customer_id=[...], loyalty=[...], ...); None in a list = not entered."""
    return frames.prepare_customers(pd.DataFrame(columns) if columns else None)


NONE = customers()


# ---- sales volume x loyalty ----------------------------------------------------------------
def test_sales_loyalty_quadrants_and_boundaries():
    # Volumes: a 1,000, b 1,000, c 100, d 100 -> mean of customers with sales 550 (e has none).
    # Loyalty: a 8, b 2, c 5 (= loyal_min -> loyal), d 4.99, e 9, f not entered.
    led = ledger(
        ("a", NOW, 600.0),
        ("a", NOW, 400.0),
        ("b", NOW, 1000.0),
        ("c", NOW, 100.0),
        ("d", NOW, 100.0),
        ("a", OLD, 99999.0),
        ("b", "2026-02-01", 99999.0),
    )  # outside the window: ignored
    cus = customers(customer_id=["a", "b", "c", "d", "e", "f"], loyalty=[8, 2, 5, 4.99, 9, None])
    g = matrices.sales_loyalty(led, cus, RuleBook(), AS_OF)
    f = g.frame
    assert g.method == "sales_loyalty"
    assert g.labels == ("最宝贵的财富", "最危险的敌人", "明日之星", "淘汰", "未评估")
    assert dict(f["grade"]) == {
        "a": "最宝贵的财富",
        "b": "最危险的敌人",
        "c": "明日之星",
        "d": "淘汰",
        "e": "明日之星",
        "f": "未评估",
    }
    assert list(f["volume"]) == [1000, 1000, 100, 100, 0, 0]
    assert f.at["a", "explanation_zh"] == "最宝贵的财富:近 12 个月金额 1,000 > 有销售客户的平均 550,忠诚度 8 ≥ 5"
    assert "loyalty 5 ≥ 5" in f.at["c", "explanation_en"]
    assert "忠诚度 4.99 < 5" in f.at["d", "explanation_zh"]
    assert "无销售" in f.at["e", "explanation_zh"]
    assert "忠诚度未填写" in f.at["f", "explanation_zh"]
    assert "not assessed" in f.at["f", "explanation_en"] and "loyalty not entered" in f.at["f", "explanation_en"]
    assert f.at["f", "loyal"] is pd.NA and bool(f.at["c", "loyal"]) is True


def test_sales_loyalty_volume_equal_to_mean_is_small_and_median_split():
    # 100 / 200 / 300 -> mean 200: the 200 customer is small. Median is 200 as well.
    # 100 / 200 / 900 with median: 200 is the median -> small; 900 large. Mean 400 -> 200 small too.
    led = ledger(("a", NOW, 100.0), ("b", NOW, 200.0), ("c", NOW, 300.0))
    cus = customers(customer_id=["a", "b", "c"], loyalty=[9, 9, 9])
    f = matrices.sales_loyalty(led, cus, RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["明日之星", "明日之星", "最宝贵的财富"]
    assert "200 ≤ 有销售客户的平均 200" in f.at["b", "explanation_zh"]
    led = ledger(("a", NOW, 100.0), ("b", NOW, 300.0), ("c", NOW, 350.0), ("d", NOW, 1000.0))
    cus = customers(customer_id=["a", "b", "c", "d"], loyalty=[1, 1, 1, 1])
    # mean 437.5 -> only d large; median (300 + 350) / 2 = 325 -> c and d large
    by_mean = matrices.sales_loyalty(led, cus, RuleBook(), AS_OF).frame
    by_median = matrices.sales_loyalty(led, cus, RuleBook().updated({"matrix.volume_split": "median"}), AS_OF).frame
    assert list(by_mean["grade"]) == ["淘汰", "淘汰", "淘汰", "最危险的敌人"]
    assert list(by_median["grade"]) == ["淘汰", "淘汰", "最危险的敌人", "最危险的敌人"]
    assert "median 325" in by_median.at["c", "explanation_en"]


def test_sales_loyalty_without_a_loyalty_column_is_not_assessed():
    led = ledger(("a", NOW, 100.0), ("b", NOW, 200.0))
    f = matrices.sales_loyalty(led, NONE, RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["未评估", "未评估"]
    f = matrices.sales_loyalty(led, customers(customer_id=["a"], phone=["123"]), RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["未评估", "未评估"]


def test_sales_loyalty_measure_and_negative_volume():
    # by quantity: a 10 units, b 2 units -> mean 6; c has net returns (volume -50) -> small.
    led = ledger(("a", NOW, 10.0, 10.0), ("b", NOW, 900.0, 2.0), ("c", NOW, -50.0, -1.0))
    cus = customers(customer_id=["a", "b", "c"], loyalty=[6, 6, 6])
    f = matrices.sales_loyalty(led, cus, RuleBook(), AS_OF, measure="quantity").frame
    assert list(f["grade"]) == ["最宝贵的财富", "明日之星", "明日之星"]
    assert "数量 10 > 有销售客户的平均 6" in f.at["a", "explanation_zh"]


# ---- share of wallet x upcoming purchase ------------------------------------------------------
def test_wallet_quadrants_boundaries_and_missing():
    # upcoming among those who have it: 300, 100, 300, 100, 200 -> mean 200; g's 200 is small.
    # share 0.5 exactly is high, 0.49 low. e / f / h miss one or both values.
    cus = customers(
        customer_id=["a", "b", "c", "d", "e", "f", "g", "h"],
        share_of_wallet=[0.5, 0.5, 0.49, 0.1, 0.9, None, 0.7, None],
        upcoming_purchase=[300, 100, 300, 100, None, 200, 200, None],
    )
    g = matrices.wallet(ledger(), cus, RuleBook(), AS_OF)
    f = g.frame
    assert g.labels == ("重点保持", "保持或获取", "发展", "获取或放弃", "未评估")
    assert dict(f["grade"]) == {
        "a": "重点保持",
        "b": "保持或获取",
        "c": "发展",
        "d": "获取或放弃",
        "e": "未评估",
        "f": "未评估",
        "g": "保持或获取",
        "h": "未评估",
    }
    assert f.at["a", "explanation_zh"] == "重点保持:占有率 50% ≥ 50%,即将购买量 300 > 平均 200"
    assert "share of wallet 49% < 50%" in f.at["c", "explanation_en"]
    assert "200 ≤ 平均 200" in f.at["g", "explanation_zh"]
    assert f.at["e", "explanation_zh"] == "未评估:即将购买量未填写,无法评估"
    assert f.at["f", "explanation_en"] == "未评估 (not assessed): share of wallet not entered"
    assert "占有率、即将购买量未填写" in f.at["h", "explanation_zh"]


def test_wallet_median_and_missing_columns_and_ledger_only_customers():
    cus = customers(customer_id=["a", "b", "c"], share_of_wallet=[0.8, 0.8, 0.8], upcoming_purchase=[100, 150, 1000])
    # median 150 -> only c large; mean 416.67 -> only c large as well; b equal to the median -> small
    f = matrices.wallet(
        ledger(("z", NOW, 5.0)), cus, RuleBook().updated({"matrix.upcoming_split": "median"}), AS_OF
    ).frame
    assert dict(f["grade"]) == {"a": "保持或获取", "b": "保持或获取", "c": "重点保持", "z": "未评估"}
    f = matrices.wallet(ledger(("z", NOW, 5.0)), NONE, RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["未评估"]


# ---- value types ------------------------------------------------------------------------------
def test_value_types():
    # Trailing-window profit: big 700, mid 200, g1 50, g2 50, new 0, flat 0, neg -10 -> T = 1,000.
    # share_before: big 0, mid 0.7 (< 0.8: MVC), g1/g2 0.9 (not MVC).
    # Growth: g1 100 -> 150 = +50% (MGC, boundary); g2 100 -> 149 = +49%; new 0 -> 100 (counts as
    # growth); flat 100 -> 100; neg grows 10x but has negative profit -> BZC first.
    # g1's -1,000 profit in the earlier 12 months does not count.
    led = ledger(
        ("big", NOW, 5000.0, 1, 700.0),
        ("mid", NOW, 10.0, 1, 200.0),
        ("g1", NOW, 150.0, 1, 50.0),
        ("g1", BEFORE, 100.0, 1, -1000.0),
        ("g2", NOW, 149.0, 1, 50.0),
        ("g2", BEFORE, 100.0, 1, 0.0),
        ("new", NOW, 100.0, 1, 0.0),
        ("flat", NOW, 100.0, 1, 0.0),
        ("flat", BEFORE, 100.0, 1, 0.0),
        ("neg", NOW, 1000.0, 1, -10.0),
        ("neg", BEFORE, 100.0, 1, 5.0),
    )
    g = matrices.value_type(led, customers(customer_id=["none"]), RuleBook(), AS_OF)
    f = g.frame
    assert g.labels == ("MVC 最有价值", "MGC 最具增长性", "一般", "BZC 负值客户")
    assert dict(f["grade"]) == {
        "big": "MVC 最有价值",
        "mid": "MVC 最有价值",
        "g1": "MGC 最具增长性",
        "g2": "一般",
        "new": "MGC 最具增长性",
        "flat": "一般",
        "neg": "BZC 负值客户",
        "none": "一般",
    }
    assert f.at["g1", "profit"] == 50 and f.at["g1", "sales_growth"] == 0.5
    assert f.at["mid", "profit_share_before"] == pytest.approx(0.7)
    assert "利润更高的客户合计占 70% < 80%" in f.at["mid", "explanation_zh"]
    assert "销售额增长 +50% ≥ 50%" in f.at["g1", "explanation_zh"]
    assert "sales growth +49% < 50%" in f.at["g2", "explanation_en"]
    assert "视为增长" in f.at["new", "explanation_zh"]
    assert f.at["neg", "explanation_zh"] == "BZC 负值客户:近 12 个月利润 -10 < 0"
    assert "below zero" in f.at["neg", "explanation_en"]
    assert math.isnan(f.at["new", "sales_growth"])


def test_mvc_share_boundary_is_strict_and_growth_is_exact():
    # profits 800, 100, 100 (T 1,000): the 100s have exactly 80 % before them -> not MVC.
    # b's sales 100.04 -> 150.06 is exactly +50 % (float division gives 0.49999999999999994) -> MGC.
    led = ledger(
        ("a", NOW, 1.0, 1, 800.0),
        ("b", NOW, 150.06, 1, 100.0),
        ("b", BEFORE, 100.04, 1, 0.0),
        ("c", NOW, 1.0, 1, 100.0),
        ("c", BEFORE, 1.0, 1, 0.0),
    )
    f = matrices.value_type(led, NONE, RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["MVC 最有价值", "MGC 最具增长性", "一般"]
    assert "80% ≥ 80%" in f.at["c", "explanation_zh"]


def test_value_type_rules():
    rules = RuleBook().updated({"matrix.mvc_share": 0.5, "matrix.mgc_growth": 0.1})
    # profits 60, 40 -> b has 60 % before it, >= 50 % -> not MVC; b grows 100 -> 110 = +10 % -> MGC
    led = ledger(("a", NOW, 1.0, 1, 60.0), ("b", NOW, 110.0, 1, 40.0), ("b", BEFORE, 100.0, 1, 0.0))
    f = matrices.value_type(led, NONE, rules, AS_OF).frame
    assert list(f["grade"]) == ["MVC 最有价值", "MGC 最具增长性"]


# ---- deal stage -------------------------------------------------------------------------------
def test_deal_stages_at_the_twelve_month_boundary():
    # Window (2024-12-31, 2025-12-31]: a purchase on 2025-01-01 is current, on 2024-12-31 it is not.
    led = ledger(
        ("cur", "2025-01-01", 10.0),
        ("edge", "2024-12-31", 10.0),
        ("old", OLD, 10.0),
        ("ret", OLD, 10.0),
        ("ret", NOW, -10.0),  # a return is not a purchase
        ("today", AS_OF, 1.0),
        ("fut", "2026-01-05", 50.0),
    )  # after as-of: no purchase yet
    cus = customers(customer_id=["fut", "cur"], close_probability=[0.6, 0.9])
    g = matrices.deal_stage(led, cus, RuleBook(), AS_OF)
    f = g.frame
    assert dict(f["grade"]) == {
        "cur": "正在进行交易",
        "edge": "曾经有过交易",
        "old": "曾经有过交易",
        "ret": "曾经有过交易",
        "today": "正在进行交易",
        "fut": "即将进行交易 B",
    }
    assert f.at["cur", "potential"] is None  # a current customer gets no potential class
    assert f.at["edge", "days_since"] == 365
    assert f.at["edge", "explanation_zh"] == "曾经有过交易:最近一次购买 2024-12-31(距今 365 天),早于近 12 个月"
    assert "within the last 12 months" in f.at["cur", "explanation_en"]
    assert pd.isna(f.at["fut", "last_purchase"])


def test_prospect_potential_classes():
    # potential_min 75 % / 50 % / 25 % (>=): 0.75 -> A, 0.5 -> B, 0.25 -> C, 0.2499 -> D, missing -> none.
    cus = customers(customer_id=["p1", "p2", "p3", "p4", "p5"], close_probability=[0.75, 0.5, 0.25, 0.2499, None])
    g = matrices.deal_stage(ledger(), cus, RuleBook(), AS_OF)
    f = g.frame
    assert list(f["grade"]) == ["即将进行交易 A", "即将进行交易 B", "即将进行交易 C", "即将进行交易 D", "即将进行交易"]
    assert list(f["potential"]) == ["A", "B", "C", "D", None]
    assert g.labels == (
        "正在进行交易",
        "曾经有过交易",
        "即将进行交易 A",
        "即将进行交易 B",
        "即将进行交易 C",
        "即将进行交易 D",
        "即将进行交易",
    )
    assert "成交可能性 75% ≥ 75%" in f.at["p1", "explanation_zh"]
    assert "24.99% < 25%" in f.at["p4", "explanation_en"]
    assert "成交可能性未填写" in f.at["p5", "explanation_zh"]
    # no close_probability column at all: prospects without a class
    f = matrices.deal_stage(ledger(), customers(customer_id=["p"]), RuleBook(), AS_OF).frame
    assert list(f["grade"]) == ["即将进行交易"]


def test_deal_stage_window_rule():
    rules = RuleBook().updated({"matrix.months": 6})  # (2025-06-30, 2025-12-31]
    led = ledger(("a", "2025-06-30", 1.0), ("b", "2025-07-01", 1.0))
    f = matrices.deal_stage(led, NONE, rules, AS_OF).frame
    assert list(f["grade"]) == ["曾经有过交易", "正在进行交易"]


# ---- two-criteria 3x3 ---------------------------------------------------------------------------
def test_two_criteria_grades():
    # amount: a 700, b 200, c 60, d 40 (T 1,000): share_before 0, .7, .9, .96 -> A, A, B, C
    # quantity: a 1, b 10, c 80, d 9 (T 100): share_before .99, .8, 0, .9 -> C, B (0.8 is not < 0.8), A, B
    led = ledger(("a", NOW, 700.0, 1.0), ("b", NOW, 200.0, 10.0), ("c", NOW, 60.0, 80.0), ("d", NOW, 40.0, 9.0))
    g = matrices.two_criteria(led, customers(customer_id=["e"]), RuleBook(), AS_OF)
    f = g.frame
    assert g.labels == ("AA", "AB", "AC", "BA", "BB", "BC", "CA", "CB", "CC")
    assert dict(f["grade"]) == {"a": "AC", "b": "AB", "c": "BA", "d": "CB", "e": "CC"}
    assert list(f["first_class"]) == ["A", "A", "B", "C", "C"]
    assert f.at["b", "second_share_before"] == pytest.approx(0.8)
    assert f.at["b", "explanation_zh"] == (
        "AB:金额 200,排在其前的客户合计占 70% < 80%,为 A 类;数量 10,排在其前的客户合计占 80% ≥ 80% 且 < 95%,为 B 类"
    )
    assert "amount 0 ≤ 0: C" in f.at["e", "explanation_en"]


def test_two_criteria_profit_and_window():
    # second measure profit; the pareto window of 12 months leaves out a's old sale.
    rules = RuleBook().updated({"matrix.second_measure": "profit", "pareto.window_months": 12})
    led = ledger(("a", NOW, 100.0, 1, -5.0), ("a", OLD, 10000.0, 1, 9000.0), ("b", NOW, 50.0, 1, 30.0))
    f = matrices.two_criteria(led, NONE, rules, AS_OF).frame
    # amount 100, 50 -> A (0), B (100 / 150 = 66.7 % < 80 %: A); profit -5 -> C, 30 -> A
    assert dict(f["grade"]) == {"a": "AC", "b": "AA"}
    # all history: a 10,100, b 50 -> b has 99.5 % before it -> C; profits 8,995 and 30 -> A, C
    assert RuleBook().pareto.window_months == 12  # the default window
    every = RuleBook().updated({"matrix.second_measure": "profit", "pareto.window_months": 0})
    f = matrices.two_criteria(led, NONE, every, AS_OF).frame
    assert dict(f["grade"]) == {"a": "AA", "b": "CC"}


# ---- common contract ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn", [matrices.sales_loyalty, matrices.wallet, matrices.value_type, matrices.deal_stage, matrices.two_criteria]
)
def test_every_matrix_grades_the_whole_population(fn):
    rng = np.random.default_rng(7)
    n = 300
    led = ledger(
        *[
            (
                f"c{rng.integers(0, 40):02d}",
                pd.Timestamp("2023-06-01") + pd.Timedelta(days=int(d)),
                float(a),
                float(q),
                float(p),
            )
            for d, a, q, p in zip(
                rng.integers(0, 1000, n),
                rng.normal(500, 400, n).round(2),
                rng.integers(1, 9, n),
                rng.normal(20, 60, n).round(2),
            )
        ]
    )
    ids = [f"c{i:02d}" for i in range(0, 50, 2)]
    cus = customers(
        customer_id=ids,
        loyalty=rng.integers(0, 11, len(ids)).astype(float),
        share_of_wallet=rng.random(len(ids)),
        upcoming_purchase=rng.random(len(ids)) * 100,
        close_probability=rng.random(len(ids)),
    )
    g = fn(led, cus, RuleBook(), AS_OF)
    expected = frames.population(led, cus, AS_OF)
    assert list(g.frame.index) == list(expected)
    assert set(g.frame["grade"]) <= set(g.labels)
    assert g.frame["explanation_zh"].str.len().min() > 0 and g.frame["explanation_en"].str.len().min() > 0
    g.records("en")  # JSON-ready
    shuffled = fn(led.sample(frac=1, random_state=1), cus, RuleBook(), AS_OF)
    pd.testing.assert_frame_equal(g.frame, shuffled.frame)


# ---- the monthly job's way: the ledger prepared once, the figures of every group given ----
@pytest.mark.parametrize("seed", [3, 11])
def test_analyses_graded_from_given_figures_and_a_prepared_ledger_equal_the_plain_call(seed):
    from xlgrade import demo_data
    from xlgrade.engine import ALL, ANALYSES, figures, grade

    data = demo_data.generate(seed=seed, n_customers=60, months=30)
    rules, as_of = RuleBook(), pd.Timestamp("2026-09-30")
    people = data.customers.copy()
    people.loc[people.index[::4], "loyalty"] = None  # some not entered
    prepared = frames.prepare_ledger(data.ledger)
    every = figures.of_ledger(prepared, rules, as_of)
    assert {name for name, m in ALL.items() if m.reads_figures} == {"sales_loyalty", "value_type", "two_criteria"}
    for name in ANALYSES:
        plain = grade(name, data.ledger, customers=people, rules=rules, as_of=as_of)
        reused = grade(name, prepared, figures=every, customers=people, rules=rules, as_of=as_of, prepared=True)
        pd.testing.assert_frame_equal(plain.frame, reused.frame)
        assert (plain.figures, plain.labels) == (reused.figures, reused.labels)


def test_prepare_ledger_shares_columns_but_never_changes_its_input():
    raw = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2026-01-01", "2026-01-02"], "amount": [1.0, 2.0]})
    raw["note"] = ["p", "q"]
    before = raw.copy()
    out = frames.prepare_ledger(raw)
    out.loc[0, "note"] = "changed"
    out.loc[0, "amount"] = 9.0
    pd.testing.assert_frame_equal(raw, before)
