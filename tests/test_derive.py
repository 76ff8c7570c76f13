"""The monthly job's derived sheets, hand-computed on small frames (xlgrade.job.derive)."""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest

from xlgrade import engine
from xlgrade.engine import credit as credit_engine
from xlgrade.engine import dynamics, frames
from xlgrade.engine.rules import RuleBook
from xlgrade.issues import IGNORED, NOTE, SKIPPED, Issue
from xlgrade.job import derive, history, salespower
from xlgrade.schema.sheets import ANALYSIS, COMPARISON, HISTORY, RUN_LOG, SALES_POWER, VALIDATION, credit_sheet

AS_OF = pd.Timestamp("2026-10-31")
MONTH = pd.Period("2026-10", freq="M")
RULES = RuleBook.from_dict(
    {"threshold": {"a_orders_over": 1, "a_volume_over": 500, "b_orders_over": 0, "b_volume_over": 100}}
)


def _ledger(rows, columns=("customer_id", "date", "amount")) -> pd.DataFrame:
    return frames.prepare_ledger(pd.DataFrame(rows, columns=list(columns)))


def _customers(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["row"] = range(2, len(df) + 2)
    return df


def _grades(mapping: dict[str, str]) -> pd.Series:
    return pd.Series(mapping, name="grade").rename_axis("customer_id")


# ---- history -----------------------------------------------------------------------------------
def _graded_example():
    ledger = _ledger(
        [
            ("K1", "2026-10-01", 300.0, 30.0, 3.0),
            ("K1", "2026-10-02", 300.0, 30.0, 3.0),
            ("K2", "2026-09-01", 200.0, 20.0, 2.0),
            ("K2", "2026-11-05", 9999.0, 1.0, 1.0),  # after as-of: never counts
        ],
        ("customer_id", "date", "amount", "profit", "quantity"),
    )
    customers = _customers(
        [
            {"customer_id": "K1", "company": "甲公司", "manual_grade": None, "override_reason": None},
            {"customer_id": "K2", "company": "乙公司", "manual_grade": "A", "override_reason": "战略客户"},
            {"customer_id": "K3", "company": "丙公司", "manual_grade": "B", "override_reason": None},
        ]
    )
    result = engine.grade("threshold", ledger, customers=customers, rules=RULES, as_of=AS_OF)
    graded, issues = dynamics.apply_overrides(result, customers.set_index("customer_id"))
    credit = engine.grade("credit", ledger, customers=customers, rules=RULES, as_of=AS_OF)
    return ledger, customers, graded, credit, issues


def test_history_rows_hand_computed():
    ledger, customers, graded, credit, _ = _graded_example()
    h = history.history_rows(MONTH, graded, customers, ledger, credit, RULES, AS_OF, "zh")
    assert list(h.columns) == HISTORY.keys()
    assert list(h["customer_id"]) == ["K1", "K2", "K3"]
    assert set(h["month"]) == {"2026-10"} and set(h["method"]) == {"阈值 ABC"}  # the name in the language
    assert list(h["company"]) == ["甲公司", "乙公司", "丙公司"]
    # K1: 2 orders > 1 and 600 > 500 -> A; K2: 1 order, 200 -> B computed, manual A applied;
    # K3: no lines -> C, manual B without a reason is not applied.
    assert list(h["computed_grade"]) == ["A", "B", "C"]
    assert list(h["grade"]) == ["A", "A", "C"]
    assert [None if pd.isna(m) else m for m in h["manual_grade"]] == [None, "A", None]
    assert list(h["orders"]) == [2, 1, 0]
    assert list(h["amount"]) == [600.0, 200.0, 0.0]  # the 9,999 line after as-of is left out
    assert list(h["profit"]) == [60.0, 20.0, 0.0]
    assert list(h["quantity"]) == [6.0, 2.0, 0.0]
    assert h["score"].isna().all()  # threshold has no score figure
    assert h["credit_score"].tolist()[:2] == credit.frame["score"].tolist()[:2] == [100.0, 40.0]
    assert pd.isna(h["credit_score"].iloc[2]) and pd.isna(credit.frame["score"].iloc[2])  # K3: no record
    assert list(h["credit_grade"]) == list(credit.grades)
    assert h["explanation"].iloc[1].startswith("人工调整为 A")
    en = history.history_rows(MONTH, graded, customers, ledger, credit, RULES, AS_OF, "en")
    assert en["explanation"].iloc[1].startswith("manual grade A")


def test_history_score_and_window_follow_the_method():
    ledger = _ledger(
        [("K1", "2025-01-10", 100.0, 5.0), ("K1", "2026-10-10", 40.0, 24.0)],
        ("customer_id", "date", "amount", "quantity"),
    )
    graded = engine.grade("scorecard", ledger, rules=RULES, as_of=AS_OF)
    h = history.history_rows(MONTH, graded, None, ledger, None, RULES, AS_OF, "en")
    assert h["score"].tolist() == graded.frame["score"].tolist()
    assert h["amount"].tolist() == [40.0]  # trailing 12 months (scorecard.months)
    assert h["profit"].isna().all()  # the ledger has no profit at all
    assert h["credit_score"].isna().all() and h["credit_grade"].isna().all()
    t = engine.grade("threshold", ledger, rules=RULES, as_of=AS_OF)  # window_months 12 by default
    assert history.history_rows(MONTH, t, None, ledger, None, RULES, AS_OF, "en")["amount"].tolist() == [40.0]
    every = RULES.updated({"threshold.window_months": 0})  # 0: all history (累计)
    t = engine.grade("threshold", ledger, rules=every, as_of=AS_OF)
    assert history.history_rows(MONTH, t, None, ledger, None, every, AS_OF, "en")["amount"].tolist() == [140.0]


def test_merge_history_replaces_the_month_and_keeps_other_rows_as_they_were():
    ledger, customers, graded, credit, _ = _graded_example()
    current = history.history_rows(MONTH, graded, customers, ledger, credit, RULES, AS_OF, "zh")
    previous = pd.DataFrame(
        {
            "month": ["2026-09", "2026-09", "2026-10", "2026-10", "2026/08"],
            "customer_id": ["K2", "K1", "K1", "K9", "K1"],
            "company": ["旧名", "甲公司", "甲公司", "已删除", "甲公司"],
            "grade": ["B", "C", "C", "A", "C"],
            "amount": [123.456, 1.0, 2.0, 3.0, 4.0],
            "row": [2, 3, 4, 5, 6],
        }
    )
    once = history.merge_history(previous, current)
    twice = history.merge_history(once, current)
    assert list(once.columns) == HISTORY.keys()
    pd.testing.assert_frame_equal(once, twice)
    assert once["month"].tolist() == ["2026/08", "2026-09", "2026-09", "2026-10", "2026-10", "2026-10"]
    assert once["customer_id"].tolist() == ["K1", "K1", "K2", "K1", "K2", "K3"]
    # stale rows of October (K1 "C", the deleted K9) are gone; October is exactly `current`
    october = once[once["month"] == "2026-10"].reset_index(drop=True)
    assert october["grade"].tolist() == current["grade"].tolist()
    assert "K9" not in set(once["customer_id"])
    # earlier months kept exactly as read, values not recomputed
    k2 = once[(once["month"] == "2026-09") & (once["customer_id"] == "K2")].iloc[0]
    assert (k2["company"], k2["grade"], k2["amount"]) == ("旧名", "B", 123.456)
    assert once.iloc[0]["month"] == "2026/08" and once.iloc[0]["amount"] == 4.0


def test_history_method_in_the_workbook_language_reads_back_any_form():
    """History shows the method's name in the workbook's language; older rows holding the key
    ("threshold") or the other language's name are shown in it too (the only column changed)."""
    ledger, customers, graded, credit, _ = _graded_example()
    current = history.history_rows(MONTH, graded, customers, ledger, credit, RULES, AS_OF, "en")
    assert set(current["method"]) == {"threshold ABC"}
    previous = pd.DataFrame(
        {
            "month": ["2026-07", "2026-08", "2026-09", "2026-09"],
            "customer_id": ["K1", "K1", "K1", "K2"],
            "method": ["threshold", "帕累托 ABC", "RFM classes", "own words"],
            "grade": ["A", "B", "C", "C"],
        }
    )
    merged = history.merge_history(previous, current, "en")
    assert merged["method"].tolist()[:4] == ["threshold ABC", "Pareto ABC", "RFM classes", "own words"]
    assert history.merge_history(previous, current, "zh")["method"].tolist()[:3] == [
        "阈值 ABC",
        "帕累托 ABC",
        "RFM 八类",
    ]
    assert history.merge_history(previous, current)["method"].tolist()[:2] == [
        "threshold",
        "帕累托 ABC",
    ]  # no lang: as read


def test_merge_history_into_an_empty_history():
    ledger, customers, graded, credit, _ = _graded_example()
    current = history.history_rows(MONTH, graded, customers, ledger, credit, RULES, AS_OF, "zh")
    merged = history.merge_history(pd.DataFrame(columns=HISTORY.keys()), current)
    assert merged["customer_id"].tolist() == ["K1", "K2", "K3"]
    assert history.merge_history(None, current)["grade"].tolist() == current["grade"].tolist()


def test_previous_grades_picks_the_latest_earlier_month():
    rows = pd.DataFrame(
        {
            "month": ["2026-08", "2026-08", pd.Timestamp("2026-09-01"), "2026年9月", "2026-10", "2026-11", "2026-09"],
            "customer_id": ["K1", "K2", "K1", "K2", "K1", "K1", "K3"],
            "grade": ["C", "C", "B", "A", "A", "A", "  "],
        }
    )
    prev = history.previous_grades(rows, MONTH)
    assert prev.to_dict() == {"K1": "B", "K2": "A"}  # September; K3's blank grade is not a grade
    assert history.previous_grades(rows, "2026-09").to_dict() == {"K1": "C", "K2": "C"}
    assert history.previous_grades(rows, "2026-08").empty
    assert history.previous_grades(pd.DataFrame(columns=HISTORY.keys()), MONTH).empty


@pytest.mark.parametrize(
    "text, key",
    [
        ("2026-10", "2026-10"),
        ("2026/3", "2026-03"),
        ("2026年3月", "2026-03"),
        ("２０２６－１０", "2026-10"),
        ("2026-13", None),
        ("十月", None),
    ],
)
def test_month_key(text, key):
    assert derive.month_key(text) == key


# ---- sales power and comparison ------------------------------------------------------------------
SALES = _ledger(
    [
        ("K1", "2026-01-15", 100.0),
        ("K1", "2026-03-01", 50.0),
        ("K1", "2026-03-20", -20.0),  # a return
        ("K1", "2026-10-31", 10.0),  # on the as-of date: counts
        ("K1", "2026-11-02", 999.0),  # after as-of: never counts
        ("K1", "2025-02-10", 50.0),
        ("K1", "2025-03-05", 60.0),
        ("K1", "2025-10-31", 5.0),
        ("K1", "2025-11-20", 70.0),  # last year, after the compared span
        ("K3", "2026-02-01", 40.0),
    ]
)


def test_sales_power_months_total_returns_and_as_of():
    grades = _grades({"K1": "A", "K2": "C", "K3": "B"})
    customers = _customers([{"customer_id": "K1", "company": "甲"}, {"customer_id": "K2", "company": "乙"}])
    sp = salespower.sales_power(SALES, customers, grades, 2026, AS_OF)
    assert list(sp.columns) == SALES_POWER.keys()
    assert sp["customer_id"].tolist() == ["K1", "K2", "K3"]
    k1 = sp.iloc[0]
    assert [k1[f"m{m}"] for m in range(1, 11)] == [100.0, 0.0, 30.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
    assert math.isnan(k1["m11"]) and math.isnan(k1["m12"])  # not begun by the as-of date: blank
    assert k1["total"] == 140.0
    assert (k1["year"], k1["grade"], k1["company"]) == (2026, "A", "甲")
    k2 = sp.iloc[1]  # graded, no lines: zeros
    assert k2["total"] == 0.0 and k2["m1"] == 0.0
    assert sp.iloc[2]["company"] == "" and sp.iloc[2]["m2"] == 40.0
    # a past year is complete; the later year is not begun at all
    assert salespower.sales_power(SALES, None, grades, 2025, AS_OF).iloc[0]["total"] == 185.0
    future = salespower.sales_power(SALES, None, grades, 2027, AS_OF)
    assert future.iloc[0][[f"m{m}" for m in range(1, 13)]].isna().all() and math.isnan(future.iloc[0]["total"])


def test_comparison_change_and_percent_with_a_zero_last_year_month():
    grades = _grades({"K1": "A"})
    cmp_ = salespower.comparison(SALES, None, grades, 2026, AS_OF)
    assert list(cmp_.columns) == COMPARISON.keys()
    r = cmp_.iloc[0]
    # January: 100 now, 0 last year -> change 100, change % blank
    assert (r["m1_this"], r["m1_last"], r["m1_change"]) == (100.0, 0.0, 100.0)
    assert math.isnan(r["m1_change_pct"])
    # February: 0 now, 50 last year -> -100 %
    assert (r["m2_this"], r["m2_last"], r["m2_change"], r["m2_change_pct"]) == (0.0, 50.0, -50.0, -1.0)
    # March: 30 (with the return) against 60 -> -30, -50 %
    assert (r["m3_this"], r["m3_last"], r["m3_change"], r["m3_change_pct"]) == (30.0, 60.0, -30.0, -0.5)
    # October: 10 against 5 -> +100 %
    assert (r["m10_change"], r["m10_change_pct"]) == (5.0, 1.0)
    # November not begun: this blank, last year's month shown, no change
    assert math.isnan(r["m11_this"]) and r["m11_last"] == 70.0 and math.isnan(r["m11_change"])
    assert math.isnan(r["m11_change_pct"])
    # total: Jan..Oct of both years (the 2025-11 line is outside the span)
    assert (r["total_this"], r["total_last"], r["total_change"]) == (140.0, 115.0, 25.0)
    assert r["total_change_pct"] == pytest.approx(25.0 / 115.0)


def test_comparison_cuts_last_year_at_the_same_day():
    ledger = _ledger(
        [
            ("K1", "2026-10-10", 10.0),
            ("K1", "2025-10-10", 20.0),
            ("K1", "2025-10-20", 40.0),
            ("K1", "2024-02-29", 7.0),
            ("K1", "2025-02-28", 3.0),
        ]
    )
    grades = _grades({"K1": "A"})
    mid = salespower.comparison(ledger, None, grades, 2026, "2026-10-15").iloc[0]
    # October 2025 counts up to the 15th only; the total compares Jan 1 - Oct 15 of both years
    assert (mid["m10_this"], mid["m10_last"], mid["total_this"], mid["total_last"]) == (10.0, 20.0, 10.0, 23.0)
    # as-of at the end of February 2025: the leap day of 2024 counts
    feb = salespower.comparison(ledger, None, grades, 2025, "2025-02-28").iloc[0]
    assert (feb["m2_this"], feb["m2_last"], feb["m2_change"]) == (3.0, 7.0, -4.0)


def test_comparison_percent_is_blank_for_negative_last_year():
    ledger = _ledger([("K1", "2025-01-05", -30.0), ("K1", "2026-01-05", 10.0)])
    r = salespower.comparison(ledger, None, _grades({"K1": "A"}), 2026, AS_OF).iloc[0]
    assert r["m1_change"] == 40.0 and math.isnan(r["m1_change_pct"])


# ---- credit ------------------------------------------------------------------------------------
CREDIT_LEDGER = _ledger(
    [
        ("K1", "2026-09-01", 100.0),  # due 10-01, 30 days overdue on 10-31
        ("K1", "2026-08-01", 50.0),  # due 08-31, 61 days overdue
        ("K2", "2026-10-20", 80.0),  # not yet due
    ]
)


def test_credit_table_columns_follow_the_aging_rule():
    rules = RULES.updated({"credit.aging_days": "15; 45"})
    credit = engine.grade("credit", CREDIT_LEDGER, rules=rules, as_of=AS_OF)
    grades = _grades({"K1": "A", "K2": "B"})
    table = derive.credit_table(credit, _customers([{"customer_id": "K1", "company": "甲"}]), grades, rules, "zh")
    assert list(table.columns) == credit_sheet((15.0, 45.0)).keys()
    assert [c for c in table.columns if c.startswith("aging")] == ["aging_0_15", "aging_16_45", "aging_over_45"]
    k1 = table.iloc[0]
    assert (k1["aging_0_15"], k1["aging_16_45"], k1["aging_over_45"]) == (0.0, 100.0, 50.0)
    assert k1["overdue_balance"] == 150.0 and k1["max_days_overdue"] == 61.0
    # avg days late = (100 x 30 + 50 x 61) / 150 = 40.333...; score = 100 - 2 x 40.333 = 19.333
    assert k1["credit_score"] == pytest.approx(100 - 2 * (3000 + 3050) / 150, abs=1e-6)
    assert k1["credit_grade"] == "差" and k1["grade"] == "A" and k1["company"] == "甲"
    assert k1["explanation"].startswith("差:信用分")
    k2 = table.iloc[1]
    assert k2["overdue_balance"] == 0.0 and k2["outstanding"] == 80.0 and k2["credit_score"] == 100.0
    en = derive.credit_table(credit, None, grades, rules, "en")
    assert en.iloc[0]["explanation"].startswith("poor: score")
    # the plain credit.evaluate frame gives the same table
    ids = pd.Index(["K1", "K2"], name="customer_id")
    facts = credit_engine.evaluate(CREDIT_LEDGER, ids, rules, AS_OF)
    pd.testing.assert_frame_equal(derive.credit_table(facts, None, grades, rules, "en"), en)


# ---- analysis ------------------------------------------------------------------------------------
def test_analysis_table_labels_in_both_languages():
    ledger = _ledger([("K1", "2026-10-01", 500.0), ("K2", "2026-09-01", 100.0), ("K2", "2026-10-01", 100.0)])
    customers = _customers(
        [
            {"customer_id": "K1", "loyalty": 8.0},
            {"customer_id": "K2", "loyalty": 2.0},
            {"customer_id": "K3", "close_probability": 0.6},
        ]
    )
    analyses = {
        name: engine.grade(name, ledger, customers=customers, rules=RULES, as_of=AS_OF)
        for name in ("rfm", "sales_loyalty", "deal_stage", "two_criteria")
    }
    grades = _grades({"K1": "A", "K2": "B", "K3": "C"})
    zh = derive.analysis_table(analyses, customers, grades, RULES, "zh")
    assert list(zh.columns) == ANALYSIS.keys()
    assert zh["sales_loyalty"].tolist() == ["最宝贵的财富", "淘汰", "未评估"]
    assert zh["deal_stage"].tolist() == ["正在进行交易", "正在进行交易", "即将进行交易 B"]
    assert zh["two_criteria"].tolist() == list(analyses["two_criteria"].grades)
    assert zh["rfm"].tolist() == list(analyses["rfm"].grades)
    assert zh["f_score"].tolist() == list(analyses["rfm"].frame["f_score"])
    assert zh["wallet"].isna().all() and zh["value_type"].isna().all()  # not computed: blank
    en = derive.analysis_table(analyses, customers, grades, RULES, "en")
    assert en["sales_loyalty"].tolist() == ["most valuable asset", "drop", "not assessed"]
    assert en["deal_stage"].tolist() == ["trading now", "trading now", "about to trade B"]


# ---- complaints ----------------------------------------------------------------------------------
def test_complaints_mapped_by_name_when_the_id_is_blank():
    customers = _customers(
        [
            {"customer_id": "K1", "company": "甲公司"},
            {"customer_id": "K2", "company": "乙 公司"},
            {"customer_id": "K3", "company": "同名"},
            {"customer_id": "K4", "company": "同名"},
        ]
    )
    grades = _grades({"K1": "A", "K2": "C", "K3": "B", "K4": "B"})
    complaints = pd.DataFrame(
        {
            "customer_id": [None, "K2", "", None, None],
            "customer_name": ["甲公司", "whatever", "乙公司", "丙公司", "同名"],
            "complaint_time": pd.to_datetime(
                ["2026-10-30 09:00", "2026-10-20 10:00", "2026-10-29 08:00", "2026-10-01 08:00", "2026-10-30 12:00"]
            ),
            "reply_time": pd.to_datetime([None, "2026-10-21 10:00", None, None, None]),
            "row": [2, 3, 4, 5, 6],
        }
    )
    handled = derive.handled_complaints(complaints, grades, customers, RULES, AS_OF)
    assert handled["customer_id"].tolist() == ["K1", "K2", "K2", None, None]
    assert handled["grade"].tolist() == ["A", "C", "C", "", ""]
    issues = derive.complaint_issues(complaints, customers, source="投诉", headers={"customer_name": "客户名称"})
    assert [(i.source, i.row, i.column, i.action) for i in issues] == [
        ("投诉", 5, "客户名称", NOTE),
        ("投诉", 6, "客户名称", NOTE),
    ]
    assert "several customers (K3, K4)" in issues[1].reason
    zh = derive.complaint_cells(handled, "zh")
    assert zh.columns.tolist() == ["row", "grade", "priority", "due", "status", "queue"]
    assert zh["row"].tolist() == [2, 3, 4, 5, 6]
    # K1 (A) 1 day: due 10-31 09:00, still open at the end of 10-31; K2 (C) 7 days: 10-29 -> 11-05 open;
    # the unknown complaint of 10-01 is due 10-08: overdue
    assert zh["due"].tolist() == list(
        pd.to_datetime(
            ["2026-10-31 09:00", "2026-10-27 10:00", "2026-11-05 08:00", "2026-10-08 08:00", "2026-11-06 12:00"]
        )
    )
    assert zh["status"].tolist() == ["已超期", "已回复", "处理中", "已超期", "处理中"]
    assert zh["queue"].tolist() == [1, 5, 3, 2, 4]
    assert zh["priority"].tolist() == ["高", "低", "低", "低", "低"]
    en = derive.complaint_cells(handled, "en")
    assert en["status"].tolist() == ["overdue", "replied", "open", "overdue", "open"]
    assert en["priority"].tolist() == ["High", "Low", "Low", "Low", "Low"]
    assert en["queue"].tolist() == zh["queue"].tolist()


# ---- validation and run log -----------------------------------------------------------------------
ISSUES = [
    Issue("台账", 5, "金额", "abc", "amount is not a number", "金额不是数字", SKIPPED),
    Issue("台账", 5, "日期", "2026-13-01", "date is not a date", "日期无法识别", SKIPPED),
    Issue("客户", 7, "渠道覆盖", 12.0, "score outside 0-10", "评分超出 0-10", IGNORED),
    Issue("客户", None, None, None, "blank row", "空行", NOTE),
]


def test_validation_rows_in_both_languages():
    zh = derive.validation_table(ISSUES, "zh")
    assert list(zh.columns) == VALIDATION.keys()
    assert zh.values.tolist() == [
        ["台账", 5, "金额", "abc", "金额不是数字", "未使用"],
        ["台账", 5, "日期", "2026-13-01", "日期无法识别", "未使用"],
        ["客户", 7, "渠道覆盖", "12", "评分超出 0-10", "已忽略"],
        ["客户", pd.NA, None, None, "空行", "提示"],
    ]
    en = derive.validation_table(ISSUES, "en")
    assert en["reason"].tolist() == ["amount is not a number", "date is not a date", "score outside 0-10", "blank row"]
    assert en["action"].tolist() == ["not used", "not used", "ignored", "note"]
    assert derive.validation_table([], "en").columns.tolist() == VALIDATION.keys()


def test_run_log_row_counts():
    ledger = _ledger(
        [
            ("a", "2026-10-01", 600.0),
            ("a", "2026-10-02", 1.0),
            ("b", "2026-10-01", 200.0),
            ("c", "2026-10-01", 50.0),
            ("c", "2026-11-01", 50.0),
        ]
    )
    customers = _customers([{"customer_id": "c", "manual_grade": "B", "override_reason": "试用"}])
    result = engine.grade("threshold", ledger, customers=customers, rules=RULES, as_of=AS_OF)
    graded, _ = dynamics.apply_overrides(result, customers.set_index("customer_id"))
    assert graded.grades.to_dict() == {"a": "A", "b": "B", "c": "B"}
    previous = _grades({"a": "B", "b": "A", "z": "C"})
    moved = dynamics.changes(previous, graded.grades, graded.labels)
    row = derive.run_log_row(
        run_at="2026-11-01 08:30",
        user="张三",
        month=MONTH,
        graded=graded,
        issues=ISSUES,
        changes=moved,
        ledger_lines=4,
        backup="bak/demo.xlsx",
        seconds=1.5,
    )
    assert list(row) == RUN_LOG.keys()
    assert row == {
        "run_at": pd.Timestamp("2026-11-01 08:30"),
        "user": "张三",
        "month": "2026-10",
        "method": "threshold",
        "customers": 3,
        "ledger_lines": 4,
        "skipped_rows": 1,
        "upgrades": 1,
        "downgrades": 1,
        "new_customers": 1,
        "overrides": 1,
        "backup": "bak/demo.xlsx",
        "seconds": 1.5,
        "version": row["version"],
        "action": None,
        "host": None,
        "output": None,
        "note": None,  # a monthly run's row; an upgrade's row says what it added
    }
    first = derive.run_log_row(
        run_at="2026-11-01",
        user="u",
        month=MONTH,
        graded=graded,
        issues=[],
        changes=dynamics.changes(pd.Series(dtype=object), graded.grades, graded.labels),
        ledger_lines=len(ledger),
    )
    assert (first["new_customers"], first["upgrades"], first["backup"], first["seconds"]) == (3, 0, None, None)


def test_the_job_computations_load_no_spreadsheet_library():
    code = (
        "import sys, xlgrade.job.derive, xlgrade.job.summary;"
        "print(','.join(m for m in ('openpyxl', 'xlwings', 'python_calamine', 'uno') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
