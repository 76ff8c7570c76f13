"""Dynamic management (docs/rules.md §3.9): migration matrix, grade changes, manual overrides."""

from __future__ import annotations

import pandas as pd

from xlgrade.engine import dynamics
from xlgrade.engine.result import Grading, make_frame
from xlgrade.issues import Issue

ABC = ("A", "B", "C")


# ---- migration --------------------------------------------------------------------------
def test_migration_with_new_gone_and_empty_rows():
    previous = pd.Series({"a": "A", "b": "B", "c": "B", "f": "B"})
    current = pd.Series({"a": "A", "b": "A", "e": "B", "f": "B"})
    m = dynamics.migration(previous, current, ABC)
    assert list(m.index) == ["A", "B", "C", "新客户"]
    assert list(m.columns) == ["A", "B", "C", "流失"]
    assert m.values.tolist() == [
        [1, 0, 0, 0],  # a stays A
        [1, 1, 0, 1],  # b up to A, f stays B, c gone
        [0, 0, 0, 0],  # nobody was C
        [0, 1, 0, 0],  # e new as B
    ]
    assert all(str(t) == "int64" for t in m.dtypes)
    assert m.to_numpy().sum() == 5  # every customer of either month once


def test_migration_blank_grades_absent_and_foreign_grades_kept():
    previous = pd.Series({"a": "A", "b": "  ", "c": None, "d": "X"})
    current = pd.Series({"a": "B", "b": "C", "d": "A", "g": "Y"})
    m = dynamics.migration(previous, current, ABC)
    assert list(m.index) == ["A", "B", "C", "X", "新客户"]
    assert list(m.columns) == ["A", "B", "C", "Y", "流失"]
    assert m.loc["A", "B"] == 1
    assert m.loc["X", "A"] == 1
    assert m.loc["新客户", "C"] == 1  # b had a blank grade last month
    assert m.loc["新客户", "Y"] == 1
    assert m.to_numpy().sum() == 4


def test_migration_of_nothing_is_all_zero():
    empty = pd.Series(dtype=object)
    m = dynamics.migration(empty, empty, ("VIP客户", "骨干客户"))
    assert m.shape == (3, 3)
    assert m.to_numpy().sum() == 0


# ---- changes ----------------------------------------------------------------------------
def test_changes_directions_order_and_reasons():
    previous = pd.Series({"a": "A", "b": "C", "c": "B", "d": "B", "x": "X", "z": "Z"})
    current = pd.Series({"a": "B", "b": "A", "c": "B", "e": "C", "x": "Y", "z": "C"})
    reasons = pd.Series(
        {"a": "B: 订单 4 次", "b": "A: 订单 9 次", "e": "C: 订单 1 次", "d": "stale", "x": "Y why", "z": "C why"}
    )
    out = dynamics.changes(previous, current, ABC, reasons)
    assert list(out.columns) == ["customer_id", "previous", "current", "direction", "direction_zh", "reason"]
    assert out.values.tolist() == [
        ["b", "C", "A", "up", "升级", "A: 订单 9 次"],
        ["z", "Z", "C", "up", "升级", "C why"],  # outside the labels ranks below C
        ["a", "A", "B", "down", "降级", "B: 订单 4 次"],
        ["x", "X", "Y", "changed", "变动", "Y why"],  # both outside the labels
        ["e", "", "C", "new", "新增", "C: 订单 1 次"],
        ["d", "B", "", "gone", "流失", ""],
    ]


def test_changes_scorecard_labels_without_reasons():
    labels = ("VIP客户", "骨干客户", "有效客户", "休眠客户", "潜在客户")
    previous = pd.Series({"1": "休眠客户", "2": "VIP客户", "3": "有效客户"})
    current = pd.Series({"1": "有效客户", "2": "骨干客户", "3": "有效客户"})
    out = dynamics.changes(previous, current, labels)
    assert out[["customer_id", "direction"]].values.tolist() == [["1", "up"], ["2", "down"]]
    assert out["reason"].tolist() == ["", ""]


def test_no_changes_gives_an_empty_frame_with_columns():
    same = pd.Series({"a": "A"})
    out = dynamics.changes(same, same, ABC)
    assert len(out) == 0
    assert "direction" in out.columns


# ---- overrides --------------------------------------------------------------------------
def grading() -> Grading:
    ids = pd.Index(["c1", "c2", "c3", "c4", "c5", "c6"], name="customer_id")
    grades = ["B", "B", "C", "A", "C", "B"]
    zh = [f"{g}:订单 {i} 次" for i, g in enumerate(grades)]
    en = [f"{g}: {i} orders" for i, g in enumerate(grades)]
    frame = make_frame(ids, grades, zh, en, orders=list(range(6)))
    return Grading("threshold", frame, ("orders",), ABC)


def customers(rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["manual_grade", "override_reason"])
    frame.index.name = "customer_id"
    return frame


def test_override_applied_and_flagged():
    result, issues = dynamics.apply_overrides(
        grading(),
        customers(
            {
                "c1": ["A", "战略合作协议"],  # differs from computed B
                "c4": ["A", "保持"],  # equals computed A
            }
        ),
    )
    f = result.frame
    assert issues == []
    assert f.loc["c1", "grade"] == "A"
    assert f.loc["c1", "computed_grade"] == "B"
    assert bool(f.loc["c1", "overridden"]) and bool(f.loc["c1", "differs"])
    assert f.loc["c4", "grade"] == "A"
    assert bool(f.loc["c4", "overridden"]) and not bool(f.loc["c4", "differs"])
    assert f.loc["c2", "grade"] == "B" and not bool(f.loc["c2", "overridden"])
    assert f["differs"].tolist() == [True, False, False, False, False, False]
    assert result.method == "threshold" and result.labels == ABC and result.figures == ("orders",)
    assert grading().frame.loc["c1", "grade"] == "B"  # the input is untouched


def test_override_explanation_prefix():
    result, _ = dynamics.apply_overrides(grading(), customers({"c1": ["A", "战略合作协议"]}))
    assert result.explanation("zh")["c1"] == "人工调整为 A(原因:战略合作协议;计算结果 B:订单 0 次)"
    assert result.explanation("en")["c1"] == "manual grade A (reason: 战略合作协议; computed B: 0 orders)"
    assert result.explanation("zh")["c2"] == "B:订单 1 次"


def test_override_rejected_without_reason():
    result, issues = dynamics.apply_overrides(
        grading(), customers({"c2": ["A", None], "c3": ["B", "   "], "c5": ["B", float("nan")]})
    )
    f = result.frame
    assert f.loc[["c2", "c3", "c5"], "grade"].tolist() == ["B", "C", "C"]
    assert not f["overridden"].any()
    assert f.loc["c2", "manual_grade"] == "A"  # what staff typed stays visible
    assert [i.value for i in issues] == ["A", "B", "B"]
    for issue in issues:
        assert isinstance(issue, Issue)
        assert (issue.source, issue.row, issue.column, issue.action) == ("customers", None, "manual_grade", "ignored")
        assert "reason" in issue.reason and "原因" in issue.reason_zh
    assert "c2" in issues[0].reason and "c2" in issues[0].reason_zh


def test_override_rejected_when_not_a_label():
    result, issues = dynamics.apply_overrides(
        grading(), customers({"c1": ["VIP客户", "大客户"], "c3": ["D", "新客户"]})
    )
    assert result.frame.loc[["c1", "c3"], "grade"].tolist() == ["B", "C"]
    assert not result.frame["overridden"].any()
    assert [i.value for i in issues] == ["VIP客户", "D"]
    assert all(i.action == "ignored" and i.column == "manual_grade" for i in issues)
    assert "A, B, C" in issues[0].reason


def test_override_full_width_label_accepted():
    result, issues = dynamics.apply_overrides(grading(), customers({"c3": ["Ａ ", " 年度框架合同 "]}))
    assert issues == []
    assert result.frame.loc["c3", "grade"] == "A"
    assert result.frame.loc["c3", "override_reason"] == "年度框架合同"


def test_no_manual_grades_still_adds_columns():
    plain = pd.DataFrame(index=pd.Index(["c1", "c2"], name="customer_id"), data={"company": ["x", "y"]})
    result, issues = dynamics.apply_overrides(grading(), plain)
    assert issues == []
    for col in dynamics.OVERRIDE_COLUMNS:
        assert col in result.frame.columns
    assert result.frame["grade"].tolist() == grading().frame["grade"].tolist()
    assert result.frame["computed_grade"].tolist() == result.frame["grade"].tolist()
    assert not result.frame["overridden"].any() and not result.frame["differs"].any()
    assert result.frame["manual_grade"].tolist() == [""] * 6
    assert result.table("zh").columns.tolist()[-5:] == list(dynamics.OVERRIDE_COLUMNS)
