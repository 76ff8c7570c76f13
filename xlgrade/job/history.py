"""The History sheet's rows: one per graded customer per month (the monthly job's memory).

Pure, like :mod:`xlgrade.job.derive` (whose helpers it uses). Rule of this module (rule 3 of
derive's list, where it was first stated):

3. History (:func:`history_rows`): month "YYYY-MM"; grade after overrides; computed_grade;
   manual_grade only where it was applied (else blank); score = the method's ``score``
   figure (scorecard, composite, credit), else NaN; orders / amount / quantity / profit over
   the evaluation window (quantity / profit NaN when the ledger has none at all);
   credit_score / credit_grade from the credit evaluation; method = the method's name in the
   workbook's language ("阈值 ABC" / "threshold ABC", :func:`~xlgrade.engine.rulelabels.method_name`).
   Re-reading accepts the key (workbooks written before the names), the zh and the en name.
   :func:`merge_history` replaces every row of the months in ``current``, keeps the other
   rows as read (only History's keys are kept, ``row`` and extra columns dropped; with
   ``lang`` an older row's method key or other-language name is written as the name in
   ``lang``, the one column it changes) and sorts by month, then customer_id (rows whose
   month cannot be read last).
   Months compare through :func:`month_key` ("2026-10", "2026/10", "2026年10月", a date).
   A file book applies these rules by months (:mod:`xlgrade.workbook.historysheet`): the
   computed month's rows sorted by customer_id are placed among the stored months, whose rows
   are kept as stored (they were merged by these rules when written: the part's month index
   is trusted only for rows xlgrade wrote in the workbook's language); without a sound index
   the whole sheet goes through :func:`merge_history`. The rules are the same either way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine.result import Grading
from xlgrade.engine.rulelabels import method_name
from xlgrade.engine.rules import RuleBook
from xlgrade.job.derive import (
    _object_text,
    _timestamp,
    company_names,
    credit_facts,
    month_text,
    no_record_text,
    text_of,
    window_totals,
)
from xlgrade.job.months import month_keys
from xlgrade.schema.sheets import HISTORY


# ---- history -------------------------------------------------------------------------------
def history_rows(
    month,
    graded: Grading,
    customers: pd.DataFrame | None,
    ledger: pd.DataFrame,
    credit: Grading | pd.DataFrame | None,
    rules: RuleBook,
    as_of,
    lang: str,
    fig: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The month's History rows, one per graded customer (rule 3); ``fig``: the ledger's
    figures frame (engine.figures) when the caller has it."""
    as_of = _timestamp(as_of)
    frame = graded.frame
    ids = pd.Index(frame.index.astype(str), name="customer_id")
    grade = frame["grade"].astype(str).to_numpy()
    computed = frame["computed_grade"].astype(str).to_numpy() if "computed_grade" in frame else grade
    if "overridden" in frame and "manual_grade" in frame:
        applied = frame["overridden"].fillna(False).astype(bool).to_numpy()
        manual = frame["manual_grade"].astype(object).to_numpy().copy()
        manual[~applied] = None
    else:
        manual = np.full(len(frame), None, dtype=object)
    score = frame["score"].astype("float64").to_numpy() if "score" in graded.figures else np.nan
    sums = window_totals(ledger, ids, rules, as_of, graded.method, fig)
    facts = credit_facts(credit, rules)
    credit_score = (facts["score"].reindex(ids) if "score" in facts else pd.Series(np.nan, index=ids)).astype("float64")
    credit_grade = (
        facts["credit_grade"].reindex(ids) if "credit_grade" in facts else pd.Series(None, index=ids, dtype=object)
    )
    out = pd.DataFrame(
        {
            "month": month_text(month),
            "customer_id": ids.to_numpy(dtype=object),
            "company": company_names(ids, customers, ledger).to_numpy(),
            "method": method_name(graded.method, lang),
            "grade": grade,
            "computed_grade": computed,
            "manual_grade": manual,
            "score": score,
            "orders": sums["orders"].to_numpy(),
            "amount": sums["amount"].to_numpy(),
            "quantity": sums["quantity"].to_numpy(),
            "profit": sums["profit"].to_numpy(),
            "credit_score": credit_score.to_numpy(),
            "credit_grade": no_record_text(credit_grade, rules, lang).to_numpy(),
            "explanation": graded.explanation(lang).astype(str).to_numpy(),
        }
    )
    for key in (
        "month",
        "customer_id",
        "company",
        "method",
        "grade",
        "computed_grade",
        "manual_grade",
        "credit_grade",
        "explanation",
    ):
        out[key] = _object_text(out[key])
    return out[HISTORY.keys()]


def _conform(frame: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame(columns=keys)
    out = frame.copy()
    for key in keys:
        if key not in out:
            out[key] = None
    return out[keys].reset_index(drop=True)


def merge_history(previous: pd.DataFrame | None, current: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """History with the months of ``current`` replaced, never duplicated (rule 3)."""
    keys = HISTORY.keys()
    cur = _conform(current, keys)
    prev = _conform(previous, keys)
    if lang is not None and len(prev):
        prev["method"] = prev["method"].map(lambda m: method_name(m, lang))
    replaced = set(month_keys(cur["month"])) - {None}  # rows whose month cannot be read replace none
    keep = prev[~month_keys(prev["month"]).isin(replaced)] if len(prev) else prev
    parts = [p for p in (keep, cur) if len(p)]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else (parts[0] if parts else cur).copy()
    months = month_keys(out["month"])
    sort_keys = pd.DataFrame(
        {
            "missing": months.isna().to_numpy(),
            "month": months.fillna("").to_numpy(),
            "id": out["customer_id"].astype(str).to_numpy(),
        }
    )
    order = sort_keys.sort_values(["missing", "month", "id"], kind="stable").index
    return out.iloc[order].reset_index(drop=True)


def previous_grades(history: pd.DataFrame | None, month) -> pd.Series:
    """customer_id -> grade of the latest History month strictly before ``month``."""
    empty = pd.Series([], index=pd.Index([], name="customer_id", dtype=object), dtype=object, name="grade")
    if history is None or len(history) == 0 or "month" not in history:
        return empty
    now = month_text(month)
    keys = month_keys(history["month"])
    earlier = keys.notna() & (keys.fillna("") < now)
    if not earlier.any():
        return empty
    rows = history[keys == keys[earlier].max()]
    grades = pd.Series(
        rows["grade"].to_numpy(dtype=object),
        index=pd.Index(rows["customer_id"].astype(str).str.strip(), name="customer_id"),
        name="grade",
    )
    grades = grades[~grades.index.duplicated()]
    text = text_of(grades)
    return grades[text != ""].map(lambda g: str(g).strip())
