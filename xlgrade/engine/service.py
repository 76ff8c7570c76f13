"""Service policy by grade (docs/rules.md §3.8 Service policy; seeds 001, 003): complaint queue and staffing.

Complaints (:func:`complaints`), one row per complaint, input row order, index and other
columns kept; the added columns (``ADDED``) replace any input columns of the same name:

1. ``grade`` = the customer's grade from ``grades`` (customer_id -> label of any method).
   A complaint whose customer_id is missing, blank or not graded gets ``grade = ""``.
2. ``tier`` = ``rules.priority_tier(grade)`` (1, 2, 3; unknown customers 3) and
   ``deadline_days`` = ``rules.deadline_days(grade)``.
3. ``due`` = complaint_time + deadline_days calendar days, keeping the time of day
   (a complaint logged with a date only counts from midnight).
4. The as-of instant: ``as_of`` as given; if it is exactly midnight it means the whole
   of that day, i.e. the last instant before the next midnight (23:59:59.999999999).
5. ``status``: "replied" when reply_time is set, reply_time <= as-of and reply_time <= due;
   "replied_late" when it was replied (as of) after its due; otherwise "overdue" when
   as-of > due (strictly: at the exact deadline instant it is still "open"); otherwise
   "open". A reply dated after the as-of instant does not count yet. A complaint without a
   complaint_time has no due and is never overdue, nor replied late.
   ``status_zh``: 已回复 / 超期回复 / 已超期 / 处理中.
6. ``replied_late`` = replied (as of) and reply_time > due. ``reply_hours`` =
   (reply_time - complaint_time) in hours for replied complaints, NaN otherwise.
7. ``priority`` / ``priority_en`` = the level staff read for the tier,
   ``rules.complaints.priority_labels`` / ``priority_labels_en`` (高 / 中 / 低, High / Medium /
   Low by default; unknown customers get the third).
8. ``queue`` = position 1..n in the work queue: first every complaint not yet replied
   (open and overdue alike), then the replied ones; within each part by tier, then
   complaint_time (missing last), then input row order.

:func:`complaint_summary`: per grade - rules labels in order, then other grades seen,
then "(未知)" for unknown customers (always present) - count, open, overdue, replied,
replied_late and the average reply hours of the replied complaints (NaN when none).

Staffing (:func:`staffing`, seed 003: A 1:1, B 1:2, C 1:3-5), per salesperson (missing or
blank salesperson -> "(未分配)"):

1. Each graded customer falls in staffing class A, B or C through ``classes`` (label ->
   "A"/"B"/"C"). Default: ``rules.abc.labels`` in order -> A, B, C; the first scorecard
   level label -> A, the second -> B; any other label (and a missing grade) -> C.
2. ``required_low`` = a/a_per_rep + b/b_per_rep + c/c_per_rep_max and ``required_high``
   = a/a_per_rep + b/b_per_rep + c/c_per_rep_min, rounded to 6 decimals.
3. ``status`` "ok" when required_low <= 1 (exactly one person's load is ok), else
   "overloaded"; the "(未分配)" row is "unassigned" whatever its load.
   Rows: salespeople sorted by name, "(未分配)" last.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from xlgrade.engine.frames import count_table
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import num

REPLIED, REPLIED_LATE, OVERDUE, OPEN = "replied", "replied_late", "overdue", "open"
STATUS_ZH = {REPLIED: "已回复", REPLIED_LATE: "超期回复", OVERDUE: "已超期", OPEN: "处理中"}
UNKNOWN_GRADE = "(未知)"
UNASSIGNED = "(未分配)"
OK, OVERLOADED, UNASSIGNED_STATUS = "ok", "overloaded", "unassigned"
STAFFING_STATUS_ZH = {OK: "正常", OVERLOADED: "超负荷", UNASSIGNED_STATUS: "未分配"}
CLASSES = ("A", "B", "C")
ADDED = (
    "grade",
    "tier",
    "deadline_days",
    "due",
    "priority",
    "priority_en",
    "queue",
    "status",
    "status_zh",
    "replied_late",
    "reply_hours",
)


# ---- complaints ---------------------------------------------------------------------------
def effective_as_of(as_of) -> pd.Timestamp:
    """``as_of``, or the end of that day when it is exactly midnight (rule 4)."""
    ts = pd.Timestamp(as_of)
    if ts == ts.normalize():
        return ts + pd.Timedelta(days=1) - pd.Timedelta(1, unit="ns")
    return ts


def complaints(complaints: pd.DataFrame, grades: pd.Series, rules: RuleBook, as_of: pd.Timestamp) -> pd.DataFrame:
    """The complaint log with grade, tier, deadline, due, priority level, queue and status added."""
    missing = [c for c in ("customer_id", "complaint_time") if c not in complaints.columns]
    if missing:
        raise ValueError(f"complaints lack required columns: {', '.join(missing)}")
    out = complaints.copy()
    now = effective_as_of(as_of)
    grade = _grades_of(out["customer_id"], grades)
    tiers = {g: rules.priority_tier(g) for g in grade.unique()}
    days = {g: rules.deadline_days(g) for g in grade.unique()}
    tier = grade.map(tiers).astype("int64")
    deadline = grade.map(days).astype("int64")

    at = _datetimes(out["complaint_time"])
    reply = (
        _datetimes(out["reply_time"])
        if "reply_time" in out
        else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    )
    due = at + pd.to_timedelta(deadline, unit="D")

    replied = reply.notna() & (reply <= now)
    overdue = ~replied & due.notna() & (now > due)
    late = replied & (reply > due)
    status = pd.Series(np.select([late, replied, overdue], [REPLIED_LATE, REPLIED, OVERDUE], OPEN), index=out.index)

    out["grade"] = grade
    out["tier"] = tier
    out["deadline_days"] = deadline
    out["due"] = due
    out["priority"] = grade.map({g: rules.priority_level(g, "zh") for g in tiers})
    out["priority_en"] = grade.map({g: rules.priority_level(g, "en") for g in tiers})
    out["queue"] = _queue_positions(replied, tier, at)
    out["status"] = status
    out["status_zh"] = status.map(STATUS_ZH)
    out["replied_late"] = late
    # pandas-stubs lack Series[Timedelta] / Timedelta (a float Series at run time)
    out["reply_hours"] = ((reply - at) / pd.Timedelta(hours=1)).where(replied)  # type: ignore[operator]
    return out


def _grades_of(ids: pd.Series, grades: pd.Series) -> pd.Series:
    """Grade of each complaint's customer; "" for missing, blank or ungraded customers."""
    lookup = grades.copy()
    lookup.index = lookup.index.astype(str).str.strip()
    lookup = lookup[~lookup.index.duplicated()]
    key = ids.astype(str).str.strip().where(ids.notna())
    grade = key.map(lookup)
    return grade.where(grade.notna(), "").astype(str).str.strip()


def _datetimes(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[ns]")


def _queue_positions(replied: pd.Series, tier: pd.Series, at: pd.Series) -> pd.Series:
    """1..n: unreplied first, then by tier, complaint time (missing last), input order."""
    key = pd.DataFrame(
        {"done": replied.to_numpy(), "tier": tier.to_numpy(), "at": at.to_numpy(), "row": np.arange(len(tier))}
    )
    order = key.sort_values(["done", "tier", "at", "row"], na_position="last", kind="stable").index
    position = np.empty(len(tier), dtype="int64")
    position[order.to_numpy()] = np.arange(1, len(tier) + 1)
    return pd.Series(position, index=tier.index)


def complaint_summary(handled: pd.DataFrame, labels: tuple[str, ...]) -> pd.DataFrame:
    """Counts per grade of a frame returned by :func:`complaints` (index ``grade``)."""
    grade = handled["grade"].where(handled["grade"].notna(), "").astype(str)
    grade = grade.where(grade.str.strip() != "", UNKNOWN_GRADE)
    others = sorted(set(grade) - set(labels) - {UNKNOWN_GRADE})
    rows = [*labels, *others, UNKNOWN_GRADE]
    status = handled["status"]
    parts = pd.DataFrame(
        {
            "grade": grade,
            "count": 1,
            "open": (status == OPEN).astype("int64"),
            "overdue": (status == OVERDUE).astype("int64"),
            "replied": (status == REPLIED).astype("int64"),  # in time; the late ones are counted apart
            "replied_late": (status == REPLIED_LATE).astype("int64"),
        }
    )
    counts = parts.groupby("grade").sum().reindex(rows, fill_value=0).astype("int64")
    hours = handled["reply_hours"].groupby(grade).mean().reindex(rows)
    counts["avg_reply_hours"] = hours.astype("float64")
    counts.index.name = "grade"
    return counts


# ---- staffing ------------------------------------------------------------------------------
def default_classes(rules: RuleBook) -> dict[str, str]:
    """Label -> staffing class: ABC labels in order, scorecard levels 1 -> A, 2 -> B, rest C."""
    out: dict[str, str] = {}
    levels = rules.scorecard.level_labels
    for i, label in enumerate(levels):
        out[label] = CLASSES[min(i, 2)]
    for label, cls in zip(rules.abc.labels, CLASSES):
        out[label] = cls
    return out


def staffing(
    grades: pd.Series, salesperson: pd.Series, rules: RuleBook, abc_labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Each salesperson's A/B/C customers and the people they need under the staffing rules.

    ``abc_labels`` maps grade label -> "A", "B" or "C"; default :func:`default_classes`.
    """
    classes = dict(abc_labels) if abc_labels is not None else default_classes(rules)
    bad = {k: v for k, v in classes.items() if v not in CLASSES}
    if bad:
        raise ValueError(f"staffing classes must be A, B or C: {bad}")
    g = grades.copy()
    g.index = g.index.astype(str)
    g = g[~g.index.duplicated()]
    rep = salesperson.copy()
    rep.index = rep.index.astype(str)
    rep = rep[~rep.index.duplicated()].reindex(g.index)
    rep = rep.astype("object").where(rep.notna(), "").astype(str).str.strip()
    rep = rep.where(rep != "", UNASSIGNED)
    cls = g.map(classes).where(lambda s: s.notna(), "C")

    table = count_table(rep.rename("salesperson"), cls).reindex(columns=list(CLASSES), fill_value=0)
    names = sorted(n for n in table.index if n != UNASSIGNED)
    if UNASSIGNED in table.index:
        names.append(UNASSIGNED)
    table = table.reindex(names).astype("int64")
    table.columns = ["a", "b", "c"]
    table.columns.name = None
    st = rules.staffing
    base = table["a"] / st.a_per_rep + table["b"] / st.b_per_rep
    table["customers"] = table[["a", "b", "c"]].sum(axis=1).astype("int64")
    table["required_low"] = (base + table["c"] / st.c_per_rep_max).round(6)
    table["required_high"] = (base + table["c"] / st.c_per_rep_min).round(6)
    status = pd.Series(np.where(table["required_low"] <= 1.0, OK, OVERLOADED), index=table.index)
    status[status.index == UNASSIGNED] = UNASSIGNED_STATUS  # type: ignore[call-overload]  # stubs: np.where of str
    table["status"] = status
    table["status_zh"] = status.map(STAFFING_STATUS_ZH)
    notes = [_staffing_note(lo, hi, str(s)) for lo, hi, s in zip(table["required_low"], table["required_high"], status)]
    table["note_zh"] = [z for z, _ in notes]
    table["note_en"] = [e for _, e in notes]
    table.index.name = "salesperson"
    return table


def _staffing_note(low: float, high: float, status: str) -> tuple[str, str]:
    need_zh = num(low) if low == high else f"{num(low)}–{num(high)}"
    need_en = num(low) if low == high else f"{num(low)}-{num(high)}"
    need_en += " person" if low == high == 1 else " people"
    if status == UNASSIGNED_STATUS:
        return f"未分配业务员,需要 {need_zh} 人", f"no salesperson assigned, needs {need_en}"
    if status == OVERLOADED:
        return f"需要 {need_zh} 人,仅 1 人", f"needs {need_en}, has 1"
    return f"需要 {need_zh} 人,1 人足够", f"needs {need_en}, 1 is enough"
