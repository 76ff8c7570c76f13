"""Service policy by grade (docs/rules.md §3.8): complaint queue, deadlines, status, staffing."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from xlgrade.engine import service
from xlgrade.engine.rules import RuleBook

T = pd.Timestamp
GRADES = pd.Series(
    {
        "a1": "A",
        "a2": "A",
        "b1": "B",
        "b2": "B",
        "c1": "C",
        "v1": "VIP客户",
        "k1": "骨干客户",
        "y1": "有效客户",
        "g1": "优",
    }
)


def log(rows, index=None) -> pd.DataFrame:
    """rows: (customer_id, complaint_time, reply_time or None[, subject])."""
    frame = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "complaint_time": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
            "reply_time": pd.to_datetime([r[2] for r in rows], format="ISO8601"),
            "subject": [f"s{i}" for i in range(len(rows))],
        }
    )
    if index is not None:
        frame.index = index
    return frame


def run(rows, as_of="2026-03-01 08:00", rules=None, index=None) -> pd.DataFrame:
    return service.complaints(log(rows, index), GRADES, rules or RuleBook(), T(as_of))


# ---- priority ---------------------------------------------------------------------------
def test_higher_grade_first_even_if_later():
    out = run([("c1", "2026-02-01 09:00", None), ("b1", "2026-02-20 09:00", None), ("a1", "2026-02-28 17:00", None)])
    assert out["queue"].tolist() == [3, 2, 1]
    assert out["tier"].tolist() == [3, 2, 1]


def test_same_grade_by_time_then_row_order():
    out = run(
        [
            ("b1", "2026-02-20 10:00", None),
            ("b2", "2026-02-20 09:00", None),
            ("b1", "2026-02-20 10:00", None),  # same time as row 0: after it
            ("k1", "2026-02-19 23:00", None),
        ]
    )  # 骨干客户 shares tier 2 and is earliest
    assert out["queue"].tolist() == [3, 2, 4, 1]


def test_replied_complaints_queue_after_unreplied_ones():
    out = run(
        [
            ("a1", "2026-02-01 09:00", "2026-02-01 10:00"),  # replied A
            ("c1", "2026-02-27 09:00", None),  # open C
            ("b1", "2026-02-02 09:00", "2026-02-03 09:00"),  # replied B
            ("c1", "2026-02-01 09:00", None),
        ],  # overdue C
        as_of="2026-03-01 08:00",
    )
    assert out["status"].tolist() == ["replied", "open", "replied", "overdue"]
    assert out["queue"].tolist() == [3, 2, 4, 1]


def test_priority_is_a_permutation_and_input_is_kept():
    idx = pd.Index([30, 10, 20], name="row")
    out = run([("a1", "2026-02-01", None), ("zz", "2026-02-01", None), (None, "2026-01-01", None)], index=idx)
    assert list(out.index) == [30, 10, 20]
    assert out["subject"].tolist() == ["s0", "s1", "s2"]
    assert sorted(out["queue"]) == [1, 2, 3]
    assert out["queue"].tolist() == [1, 3, 2]  # unknowns are tier 3, then by time
    assert list(out.columns[:4]) == ["customer_id", "complaint_time", "reply_time", "subject"]
    for col in service.ADDED:
        assert col in out.columns


def test_priority_level_is_high_medium_low_from_the_grade():
    out = run([("c1", "2026-02-01 09:00", None), ("b1", "2026-02-20 09:00", None), ("a1", "2026-02-28 17:00", None)])
    assert out["priority"].tolist() == ["低", "中", "高"]
    assert out["priority_en"].tolist() == ["Low", "Medium", "High"]
    unknown = run([("zz", "2026-02-01", None), (None, "2026-02-01", None)])
    assert unknown["priority"].tolist() == ["低", "低"]


def test_priority_levels_are_rules():
    rules = RuleBook().updated(
        {
            "complaints.tier1_grades": "A; B",
            "complaints.priority_labels": "紧急; 一般; 可缓",
            "complaints.priority_labels_en": "Urgent; Normal; Later",
        }
    )
    out = run([("a1", "2026-02-10", None), ("b1", "2026-02-10", None), ("c1", "2026-02-10", None)], rules=rules)
    assert out["priority"].tolist() == ["紧急", "紧急", "可缓"]
    assert out["priority_en"].tolist() == ["Urgent", "Urgent", "Later"]
    assert out["queue"].tolist() == [1, 2, 3]


# ---- deadlines --------------------------------------------------------------------------
def test_deadlines_per_tier_default():
    at = "2026-02-10 14:30"
    ids = ["a1", "v1", "g1", "b1", "k1", "c1", "y1"]
    out = run([(i, at, None) for i in ids])
    assert out["deadline_days"].tolist() == [1, 1, 1, 3, 3, 7, 7]
    assert out["tier"].tolist() == [1, 1, 1, 2, 2, 3, 3]
    assert (
        out["due"].tolist() == [T("2026-02-11 14:30")] * 3 + [T("2026-02-13 14:30")] * 2 + [T("2026-02-17 14:30")] * 2
    )


def test_deadlines_follow_the_rules():
    rules = RuleBook().updated(
        {"complaints.tier1_days": 2, "complaints.other_days": 10, "complaints.tier2_grades": "C"}
    )
    out = run(
        [("a1", "2026-02-10 14:30", None), ("b1", "2026-02-10 14:30", None), ("c1", "2026-02-10 14:30", None)],
        rules=rules,
    )
    assert out["due"].tolist() == [T("2026-02-12 14:30"), T("2026-02-20 14:30"), T("2026-02-13 14:30")]
    assert out["tier"].tolist() == [1, 3, 2]
    assert out["queue"].tolist() == [1, 3, 2]
    assert out["priority"].tolist() == ["高", "低", "中"]  # the level follows the changed tier rule


def test_due_crosses_month_end_in_calendar_days():
    out = run([("c1", "2026-02-25 09:15", None)])
    assert out["due"].iat[0] == T("2026-03-04 09:15")


# ---- status -----------------------------------------------------------------------------
def test_exact_deadline_instant_is_not_overdue():
    rows = [("a1", "2026-03-01 10:00", None)]  # due 2026-03-02 10:00
    assert run(rows, as_of="2026-03-02 10:00")["status"].iat[0] == "open"
    assert run(rows, as_of="2026-03-02 10:00:01")["status"].iat[0] == "overdue"


def test_midnight_as_of_means_the_whole_day():
    rows = [("a1", "2026-03-01 10:00", None)]  # due 2026-03-02 10:00
    assert run(rows, as_of="2026-03-01")["status"].iat[0] == "open"
    assert run(rows, as_of="2026-03-02")["status"].iat[0] == "overdue"
    replied = run([("a1", "2026-03-01 10:00", "2026-03-02 23:59")], as_of="2026-03-02")
    assert replied["status"].iat[0] == "replied_late"  # counts (the whole day), after its due
    assert bool(replied["replied_late"].iat[0]) is True


def test_reply_after_as_of_does_not_count_yet():
    out = run(
        [
            ("a1", "2026-03-01 10:00", "2026-03-05 09:00"),  # due 03-02 10:00
            ("c1", "2026-03-01 10:00", "2026-03-05 09:00"),
        ],  # due 03-08 10:00
        as_of="2026-03-03 12:00",
    )
    assert out["status"].tolist() == ["overdue", "open"]
    assert out["status_zh"].tolist() == ["已超期", "处理中"]
    assert out["replied_late"].tolist() == [False, False]
    assert out["reply_hours"].isna().all()


def test_reply_at_as_of_counts_and_reply_figures():
    out = run(
        [
            ("a1", "2026-03-01 10:00", "2026-03-01 13:30"),
            ("a2", "2026-03-01 10:00", "2026-03-02 10:00"),  # exactly at due: not late
            ("b1", "2026-02-20 08:00", "2026-02-23 08:00:01"),
        ],  # one second late
        as_of="2026-03-02 10:00",
    )
    assert out["status"].tolist() == ["replied", "replied", "replied_late"]
    assert out["status_zh"].tolist() == ["已回复", "已回复", "超期回复"]  # the row says so, not 已回复
    assert out["replied_late"].tolist() == [False, False, True]
    assert out["reply_hours"].iat[0] == pytest.approx(3.5)
    assert out["reply_hours"].iat[1] == pytest.approx(24.0)
    assert out["reply_hours"].iat[2] == pytest.approx(72 + 1 / 3600)


def test_unknown_customers():
    out = run(
        [
            (None, "2026-02-27 09:00", None),
            ("nobody", "2026-02-27 09:00", None),
            ("  b1 ", "2026-02-27 09:00", None),
            ("", "2026-02-27 09:00", None),
        ]
    )
    assert out["grade"].tolist() == ["", "", "B", ""]
    assert out["tier"].tolist() == [3, 3, 2, 3]
    assert out["deadline_days"].tolist() == [7, 7, 3, 7]
    assert out["status"].tolist() == ["open"] * 4


def test_missing_reply_time_column_means_nothing_replied():
    frame = log([("a1", "2026-02-01 09:00", None)]).drop(columns="reply_time")
    out = service.complaints(frame, GRADES, RuleBook(), T("2026-03-01"))
    assert out["status"].tolist() == ["overdue"]


# ---- summary ----------------------------------------------------------------------------
def test_complaint_summary_counts():
    out = run(
        [
            ("a1", "2026-02-28 20:00", None),  # A open (due 03-01 20:00)
            ("a2", "2026-02-01 09:00", "2026-02-01 11:00"),  # A replied 2 h
            ("a1", "2026-02-01 09:00", "2026-02-03 09:00"),  # A replied 48 h, late
            ("b1", "2026-02-01 09:00", None),  # B overdue
            ("VIP", "2026-02-01 09:00", None),  # unknown, overdue
            (None, "2026-02-28 09:00", "2026-02-28 19:00"),  # unknown, replied 10 h
            ("y1", "2026-02-27 09:00", None),
        ],  # 有效客户 (not a label), open
        as_of="2026-03-01 08:00",
    )
    summary = service.complaint_summary(out, ("A", "B", "C"))
    assert list(summary.index) == ["A", "B", "C", "有效客户", "(未知)"]
    assert summary["count"].tolist() == [3, 1, 0, 1, 2]
    assert summary["open"].tolist() == [1, 0, 0, 1, 0]
    assert summary["overdue"].tolist() == [0, 1, 0, 0, 1]
    assert summary["replied"].tolist() == [1, 0, 0, 0, 1]  # in time
    assert summary["replied_late"].tolist() == [1, 0, 0, 0, 0]  # as the rows say
    assert summary.loc["A", "avg_reply_hours"] == pytest.approx(25.0)
    assert math.isnan(summary.loc["B", "avg_reply_hours"])
    assert summary.loc["(未知)", "avg_reply_hours"] == pytest.approx(10.0)
    assert summary["count"].dtype == "int64"


def test_complaint_summary_of_nothing_keeps_every_label():
    out = run([])
    summary = service.complaint_summary(out, ("A", "B", "C"))
    assert list(summary.index) == ["A", "B", "C", "(未知)"]
    assert summary["count"].sum() == 0


# ---- staffing ---------------------------------------------------------------------------
def test_staffing_loads_and_boundary():
    grades = pd.Series(
        {
            "a1": "A",  # Li: 1 A = 1.0 exactly -> ok
            "b1": "B",
            "b2": "B",  # Wang: 2 B = 1.0 -> ok
            "c1": "C",
            "c2": "C",
            "c3": "C",
            "c4": "C",
            "c5": "C",  # Zhao: 5 C -> 1.0-1.67
            "a2": "A",
            "c6": "C",  # Qian: 1 A + 1 C -> 1.2-1.33
            "c7": "C",
            "c8": "C",
        }
    )  # nobody
    reps = pd.Series(
        {
            "a1": "Li",
            "b1": "Wang",
            "b2": " Wang ",
            "c1": "Zhao",
            "c2": "Zhao",
            "c3": "Zhao",
            "c4": "Zhao",
            "c5": "Zhao",
            "a2": "Qian",
            "c6": "Qian",
            "c7": None,
            "c8": "  ",
        }
    )
    out = service.staffing(grades, reps, RuleBook())
    assert list(out.index) == ["Li", "Qian", "Wang", "Zhao", "(未分配)"]
    assert out[["a", "b", "c"]].values.tolist() == [[1, 0, 0], [1, 0, 1], [0, 2, 0], [0, 0, 5], [0, 0, 2]]
    assert out["customers"].tolist() == [1, 2, 2, 5, 2]
    assert out["required_low"].tolist() == [1.0, 1.2, 1.0, 1.0, 0.4]
    assert out["required_high"].tolist() == pytest.approx([1.0, 1 + 1 / 3, 1.0, 5 / 3, 2 / 3], abs=1e-6)
    assert out["status"].tolist() == ["ok", "overloaded", "ok", "ok", "unassigned"]
    assert out.loc["Qian", "note_zh"] == "需要 1.2–1.33 人,仅 1 人"
    assert out.loc["Qian", "note_en"] == "needs 1.2-1.33 people, has 1"
    assert out.loc["Li", "note_en"] == "needs 1 person, 1 is enough"
    assert out.loc["Li", "status_zh"] == "正常"


def test_staffing_full_load_from_thirds_is_ok():
    # 1/3 + 1/3 + 1/3 of a person: exactly one person's load, so ok; one more C tips it over.
    rules = RuleBook().updated(
        {"staffing.a_per_rep": 3, "staffing.b_per_rep": 3, "staffing.c_per_rep_min": 3, "staffing.c_per_rep_max": 3}
    )
    grades = pd.Series({"x1": "A", "x2": "B", "x3": "C", "y1": "A", "y2": "B", "y3": "C", "y4": "C"})
    reps = pd.Series({"x1": "Li", "x2": "Li", "x3": "Li", "y1": "Wu", "y2": "Wu", "y3": "Wu", "y4": "Wu"})
    out = service.staffing(grades, reps, rules)
    assert out.loc["Li", "required_low"] == 1.0
    assert out["status"].tolist() == ["ok", "overloaded"]
    assert out.loc["Wu", "note_en"] == "needs 1.33 people, has 1"


def test_staffing_scorecard_levels_and_custom_mapping():
    rules = RuleBook()
    grades = pd.Series({"x": "VIP客户", "y": "骨干客户", "z": "有效客户", "w": "潜在客户"})
    reps = pd.Series("Li", index=grades.index)
    out = service.staffing(grades, reps, rules)
    assert out.loc["Li", ["a", "b", "c"]].tolist() == [1, 1, 2]
    assert out.loc["Li", "required_low"] == pytest.approx(1 + 0.5 + 0.4)
    custom = service.staffing(grades, reps, rules, {"VIP客户": "B", "骨干客户": "B"})
    assert custom.loc["Li", ["a", "b", "c"]].tolist() == [0, 2, 2]
    assert custom.loc["Li", "required_low"] == pytest.approx(1.4)
    assert custom.loc["Li", "note_zh"] == "需要 1.4–1.67 人,仅 1 人"


def test_staffing_follows_the_rules():
    rules = RuleBook().updated({"staffing.b_per_rep": 4})
    grades = pd.Series({"b1": "B", "b2": "B", "b3": "B", "b4": "B", "b5": "B"})
    out = service.staffing(grades, pd.Series("Li", index=grades.index), rules)
    assert out.loc["Li", "required_low"] == 1.25
    assert out.loc["Li", "status"] == "overloaded"
    assert out.loc["Li", "note_zh"] == "需要 1.25 人,仅 1 人"
