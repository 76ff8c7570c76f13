"""Dynamic management (docs/rules.md §3.9 Dynamic management; seeds 001, 002, 004): migration, changes, manual grades.

A *month* of grades is a Series customer_id -> grade label. Ids are compared as text; the
first entry of a duplicated id wins; a missing or blank grade means the customer is not
in that month.

:func:`migration` - the migration matrix (ints): rows = last month's grade, columns = this
month's. Rows are ``labels`` in order, then any other grade seen last month (sorted), then
"新客户" (in this month only); columns are ``labels``, then other grades seen this month
(sorted), then "流失" (in last month only). Every label is always present (zero rows and
columns kept), so the shape only depends on the labels.

:func:`changes` - one row per customer whose grade differs between the months, including
new and gone customers. Rank = position in ``labels`` (earlier = better); a grade not in
``labels`` ranks after all of them. direction: "up" (better rank now), "down" (worse),
"new", "gone", and "changed" when two different grades share a rank (both outside the
labels). Rows are ordered up, down, changed, new, gone, then by customer_id. ``reason`` is
this month's explanation from ``reasons`` ("" when not given or the customer is gone).

:func:`apply_overrides` - manual grades from the customers table (``manual_grade``,
``override_reason``). Both are compared after Unicode NFKC normalisation and trimming
(full-width "Ａ" is "A"). A manual grade is applied only when it is one of
``result.labels`` and the reason is not blank; then grade := manual grade and the
explanation becomes "人工调整为 A(原因:...;计算结果 B:...)" / "manual grade A (reason: ...;
computed B: ...)". A manual grade that is not a label, or has no reason, is not applied and
is reported as an :class:`~xlgrade.issues.Issue` (action "ignored"). Customers of the table
that the result does not grade are not considered (the graded population already holds
every customer of the table). The frame always gains ``computed_grade``,
``manual_grade`` (as typed, normalised; "" when blank), ``override_reason`` ("" when
blank), ``overridden`` and ``differs`` (overridden and manual grade != computed grade).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.engine.frames import count_table
from xlgrade.engine.result import Grading
from xlgrade.engine.rulelabels import method_name
from xlgrade.issues import IGNORED, Issue

NEW, GONE = "新客户", "流失"
UP, DOWN, CHANGED, NEW_DIR, GONE_DIR = "up", "down", "changed", "new", "gone"
DIRECTIONS = (UP, DOWN, CHANGED, NEW_DIR, GONE_DIR)
DIRECTION_ZH = {UP: "升级", DOWN: "降级", CHANGED: "变动", NEW_DIR: "新增", GONE_DIR: "流失"}
OVERRIDE_COLUMNS = ("computed_grade", "manual_grade", "override_reason", "overridden", "differs")


def _month(grades: pd.Series) -> pd.Series:
    """Grades by text id, first entry per id, missing and blank grades dropped."""
    s = grades.copy()
    s.index = pd.Index(s.index.astype(str), name="customer_id")
    s = s[~s.index.duplicated()]
    s = s[s.notna()].astype(str).str.strip()
    return s[s != ""]


# ---- migration -----------------------------------------------------------------------------
def migration(previous: pd.Series, current: pd.Series, labels: tuple[str, ...]) -> pd.DataFrame:
    """Customers counted by (last month's grade, this month's grade)."""
    prev, cur = _month(previous), _month(current)
    ids = prev.index.union(cur.index)
    rows = [*labels, *sorted(set(prev) - set(labels)), NEW]
    cols = [*labels, *sorted(set(cur) - set(labels)), GONE]
    before = prev.reindex(ids).fillna(NEW).rename("previous")
    after = cur.reindex(ids).fillna(GONE).rename("current")
    if len(ids):
        matrix = count_table(before, after).reindex(index=rows, columns=cols, fill_value=0)
    else:
        matrix = pd.DataFrame(0, index=rows, columns=cols)
    matrix = matrix.astype("int64")
    matrix.index.name, matrix.columns.name = "previous", "current"
    return matrix


# ---- changes -------------------------------------------------------------------------------
def _rank(grades: pd.Series, labels: tuple[str, ...]) -> pd.Series:
    position = {label: i for i, label in enumerate(labels)}
    return grades.map(position).fillna(len(labels))


def changes(
    previous: pd.Series, current: pd.Series, labels: tuple[str, ...], reasons: pd.Series | None = None
) -> pd.DataFrame:
    """Upgrades, downgrades, new and gone customers, with this month's reason."""
    prev, cur = _month(previous), _month(current)
    ids = prev.index.union(cur.index)
    before, after = prev.reindex(ids), cur.reindex(ids)
    is_new, is_gone = before.isna(), after.isna()
    differ = is_new | is_gone | (before != after)
    r_before, r_after = _rank(before, labels), _rank(after, labels)
    direction = pd.Series(
        np.select([is_new, is_gone, r_after < r_before, r_after > r_before], [NEW_DIR, GONE_DIR, UP, DOWN], CHANGED),
        index=ids,
    )
    if reasons is None:
        why = pd.Series("", index=ids)
    else:
        why = reasons.copy()
        why.index = why.index.astype(str)
        why = why[~why.index.duplicated()].reindex(ids)
        why = why.where(why.notna(), "").astype(str)
    why = why.where(~is_gone, "")
    out = pd.DataFrame(
        {
            "customer_id": ids,
            "previous": before.fillna("").to_numpy(),
            "current": after.fillna("").to_numpy(),
            "direction": direction.to_numpy(),
            "direction_zh": direction.map(DIRECTION_ZH).to_numpy(),
            "reason": why.to_numpy(),
        }
    )[differ.to_numpy()]
    order = out["direction"].map({d: i for i, d in enumerate(DIRECTIONS)})
    out = out.assign(_order=order).sort_values(["_order", "customer_id"], kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


# ---- manual overrides ----------------------------------------------------------------------
def _text(values: pd.Series) -> pd.Series:
    """NFKC-normalised, trimmed text; "" for missing."""
    text = values.astype(str).str.normalize("NFKC").str.strip()
    return text.where(values.notna(), "")


def apply_overrides(
    result: Grading, customers: pd.DataFrame, *, source: str = "customers", column: str = "manual_grade"
) -> tuple[Grading, list[Issue]]:
    """Apply valid manual grades; report the others. Returns a new Grading and the issues.

    Issues name ``source``, the manual-grade ``column`` as its header reads (人工等级) and, when
    ``customers`` has a ``row`` column (as read from a sheet), the row it was typed in.
    """
    frame = result.frame.copy()
    ids = frame.index
    cust = customers.copy()
    cust.index = cust.index.astype(str)
    cust = cust[~cust.index.duplicated()]

    def values(name: str) -> pd.Series:
        if name in cust.columns:
            raw = cust[name].reindex(ids.astype(str))
            raw.index = ids
            return raw
        return pd.Series(np.nan, index=ids, dtype="object")

    raw_manual = values("manual_grade")
    manual, reason = _text(raw_manual), _text(values("override_reason"))
    computed = frame["grade"].astype(str)
    has_manual = manual != ""
    valid = manual.isin(result.labels)
    has_reason = reason != ""
    applied = has_manual & valid & has_reason

    frame["grade"] = computed.where(~applied, manual)
    for lang, fmt in (("zh", _prefix_zh), ("en", _prefix_en)):
        if lang not in result.explained:
            continue
        col = f"explanation_{lang}"
        text = frame[col].astype(str)
        new = [
            fmt(m, r, _with_grade(c, e))
            for m, r, c, e in zip(manual[applied], reason[applied], computed[applied], text[applied])
        ]
        frame[col] = text.where(~applied, pd.Series(new, index=ids[applied.to_numpy()], dtype=object))
    frame["computed_grade"] = computed
    frame["manual_grade"] = manual
    frame["override_reason"] = reason
    frame["overridden"] = applied.astype(bool)
    frame["differs"] = (applied & (manual != computed)).astype(bool)

    rows = values("row")
    issues = [
        _issue(source, _row(rows[cid]), column, cid, raw_manual[cid], manual[cid], result)
        if not ok
        else _no_reason(source, _row(rows[cid]), column, cid, raw_manual[cid], manual[cid])
        for cid, ok in _by_customer(valid[has_manual & ~applied])
    ]
    return dataclasses.replace(result, frame=frame), issues


def _with_grade(grade: str, explanation: str) -> str:
    """The computed explanation, starting with its grade as every method writes it."""
    return explanation if explanation.startswith(f"{grade}:") else f"{grade}: {explanation}"


def _prefix_zh(manual: str, reason: str, computed: str) -> str:
    return f"人工调整为 {manual}(原因:{reason};计算结果 {computed})"


def _prefix_en(manual: str, reason: str, computed: str) -> str:
    return f"manual grade {manual} (reason: {reason}; computed {computed})"


def _row(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _by_customer(flags: pd.Series) -> list[tuple[Any, bool]]:
    """(customer id, flag) pairs: the frames here are indexed by customer id."""
    return list(zip(flags.index, flags.to_numpy(dtype=bool).tolist()))


def _issue(source: str, row: int | None, column: str, cid: str, raw, manual: str, result: Grading) -> Issue:
    en, zh = method_name(result.method, "en"), method_name(result.method, "zh")
    return Issue(
        source,
        row,
        column,
        raw,
        f"customer {cid}: manual grade {manual!r} is not a grade of method {en} "
        f"({', '.join(result.labels)}); the computed grade is kept",
        f"客户 {cid}:人工等级 {manual} 不是 {zh} 方法的等级({'、'.join(result.labels)}),保留计算结果",
        IGNORED,
    )


def _no_reason(source: str, row: int | None, column: str, cid: str, raw, manual: str) -> Issue:
    return Issue(
        source,
        row,
        column,
        raw,
        f"customer {cid}: manual grade {manual} has no override reason; the computed grade is kept",
        f"客户 {cid}:人工等级 {manual} 未填写调整原因,保留计算结果",
        IGNORED,
    )
