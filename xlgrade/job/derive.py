"""The pure computations of the monthly job: derived sheets, computed complaint columns,
validation rows and the run-log row (the summary sheet is :mod:`xlgrade.job.summary`).

No file access and no spreadsheet library: frames in, frames and dicts out. Every frame
returned uses the declaration keys of :mod:`xlgrade.schema.sheets` as columns, in order.
``lang`` ("zh" or "en") chooses every text a person reads.

Rules of this module:

1. Population. Per-customer tables have one row per graded customer (the index of the
   grades / the Grading), sorted by id. ``company`` = customers.company, else the
   ledger's ``customer_name`` of the customer's latest line, else "".
2. Evaluation window of a method (:func:`evaluation_months`): the rule its ``Method``
   declaration names as ``window`` (threshold and pareto: ``window_months``, 0 = all
   history up to the as-of date; scorecard, composite, credit and rfm: ``months``, 12 by
   default); anything else the trailing 12 months. Windows are ``frames.window``; lines after the as-of date never
   count anywhere in this module.
3.-5. History, sales power and comparison: :mod:`xlgrade.job.history`, :mod:`xlgrade.job.salespower`.
6. Credit (:func:`credit_table`): the credit evaluation (``credit.evaluate`` frame or the
   credit method's Grading) on the credit sheet's columns for ``rules.credit.aging_days``;
   credit_score = score; explanation = the credit method's explanation in ``lang``.
   Grades and credit grades stay rule labels (they are values staff type and compare).
7. Analysis (:func:`analysis_table`): the class of each analysis (rfm, sales_loyalty,
   wallet, value_type, deal_stage with its potential class, two_criteria); in English
   the rule book's ``*_en`` labels replace the Chinese ones. A missing analysis is blank.
   Then the record cards' trading facts (:func:`xlgrade.job.cardfacts.activity_table`;
   blank without a ledger and an as-of date).
8. Complaints (:func:`handled_complaints`, :func:`complaint_cells`, :func:`complaint_issues`):
   a complaint whose customer_id is blank takes the id of the one customer whose company
   matches its customer_name (checks.name_key); a blank, unknown or ambiguous name
   leaves it ungraded (grade "", the longest deadline) and is reported as a note. Then
   ``service.complaints``. Status words: 处理中 / 已回复 / 超期回复 / 已超期, open / replied / replied late / overdue;
   优先级 is the rule book's level in ``lang`` (高 / 中 / 低, High / Medium / Low), 处理顺序 the queue position.
9. Validation (:func:`validation_table`): one row per issue in the given order; actions
   未使用 / 已忽略 / 提示 (zh), not used / ignored / note (en).
10. Run log (:func:`run_log_row`): customers graded, ledger lines (the caller's count),
   skipped rows (distinct sheet rows with a "skipped" issue), upgrades / downgrades / new
   customers from the caller's ``dynamics.changes`` frame (with no previous month every
   customer is new), overrides applied.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from xlgrade import __version__
from xlgrade.checks import name_key
from xlgrade.engine import credit as credit_engine
from xlgrade.engine import dynamics, figures, frames, service
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import RuleBook
from xlgrade.issues import NOTE, SKIPPED, Issue
from xlgrade.job import cardfacts
from xlgrade.job.months import month_key
from xlgrade.job.text import TEXT, action_words, in_lang, status_words
from xlgrade.schema.sheets import (
    ANALYSIS,
    COMPLAINTS,
    RUN_LOG,
    VALIDATION,
    credit_sheet,
)

MONTHS = tuple(range(1, 13))
COMPLAINT_COLUMNS = ("row", "grade", "priority", "due", "status", "queue")


# ---- shared helpers ------------------------------------------------------------------------
def month_text(month) -> str:
    """A monthly period (or anything pd.Period reads) as "YYYY-MM"."""
    return pd.Period(month, freq="M").strftime("%Y-%m")


def evaluation_months(method: str, rules: RuleBook) -> int:
    """Months of the window a method grades over; 0 = all history up to as-of (rule 2)."""
    return figures.evaluation_months(method, rules)


def window_text(months: int, as_of, lang: str) -> str:
    """ "全部历史(截至 2026-10-31)" / "last 12 months to 2026-10-31"."""
    day = frames.as_timestamp(as_of).date().isoformat()
    if months <= 0:
        return TEXT("window_all", lang, day=day)
    return TEXT("window", lang, months=months, day=day)


def window_totals(
    ledger: pd.DataFrame, ids: pd.Index, rules: RuleBook, as_of, method: str, fig: pd.DataFrame | None = None
) -> pd.DataFrame:
    """orders, amount, quantity, profit per customer of ``ids`` over the evaluation window of
    ``method`` (rule 2/3): the ``report_`` figures (:mod:`xlgrade.engine.figures`; ``fig``, the
    ledger's figures frame for ``rules``, when the caller has it). Quantity and profit are NaN
    when the ledger has none at all."""
    if method != rules.general.method:  # the report window is general.method's
        rules, fig = replace(rules, general=replace(rules.general, method=method)), None
    if fig is None:
        fig = figures.of_ledger(ledger, rules, as_of, ("report",))
    out = pd.DataFrame({"orders": figures.on(fig, ids, "report_orders").astype("int64")}, index=ids)
    for col in ("amount", "quantity", "profit"):
        known = col == "amount" or (col in ledger and bool(ledger[col].notna().any()))
        out[col] = figures.on(fig, ids, f"report_{col}").to_numpy() if known else np.nan
    return out


def customer_table(customers: pd.DataFrame | None) -> pd.DataFrame:
    """Customers indexed by text customer_id (first row of a duplicated id wins)."""
    if customers is not None and len(customers) and "customer_id" not in customers.columns:
        out = customers.copy()  # already indexed
        out.index = out.index.astype(str)
        return out[~out.index.duplicated()]
    return frames.prepare_customers(customers)


def text_of(values: pd.Series) -> pd.Series:
    """Trimmed text, "" for missing."""
    if pd.api.types.infer_dtype(values, skipna=True) == "string":  # text only: trim each distinct value once
        codes, distinct = pd.factorize(values)
        trimmed = np.array([*(v.strip() for v in distinct), ""], dtype=object)  # code -1 (missing): ""
        return pd.Series(trimmed[codes], index=values.index, dtype=str, name=values.name)
    return values.astype("object").where(values.notna(), "").astype(str).str.strip()


def attribute_text(customers: pd.DataFrame | None, ids: pd.Index, name: str) -> pd.Series:
    """Text attribute ``name`` of each customer in ``ids``; "" where not entered."""
    if customers is not None and {"customer_id", name} <= set(customers.columns):
        customers = customers[["customer_id", name]]  # index the one column, not the whole table
    cust = customer_table(customers)
    if name not in cust.columns:
        return pd.Series("", index=ids, dtype=object)
    return text_of(cust[name].reindex(ids.astype(str))).set_axis(ids)


def latest_ledger_text(ledger: pd.DataFrame | None, ids: pd.Index, name: str, as_of=None) -> pd.Series:
    """The ledger's ``name`` on each customer's latest line where it is not blank; ""."""
    if ledger is None or name not in ledger.columns or ledger.empty:
        return pd.Series("", index=ids, dtype=object)
    lines = ledger if as_of is None else frames.upto(ledger, frames.as_timestamp(as_of))
    text = text_of(lines[name])
    keep = lines[text != ""].assign(_text=text[text != ""])
    if keep.empty:
        return pd.Series("", index=ids, dtype=object)
    last = keep.sort_values("date", kind="stable").groupby(keep["customer_id"].astype(str))["_text"].last()
    return last.reindex(ids.astype(str)).fillna("").set_axis(ids).astype(object)


def company_names(ids: pd.Index, customers: pd.DataFrame | None, ledger: pd.DataFrame | None = None) -> pd.Series:
    """customers.company, else the ledger's latest customer_name, else "" (rule 1)."""
    names = attribute_text(customers, ids, "company")
    if (names == "").any():
        fallback = latest_ledger_text(ledger, ids, "customer_name")
        names = names.where(names != "", fallback)
    return names


def _object_text(values: pd.Series) -> pd.Series:
    """Text as the table reader gives it back (object, str or None), so re-read rows compare equal."""
    out = values.astype(object)
    return out.where(out.notna(), None)


def _ids(grades: pd.Series) -> pd.Index:
    return pd.Index(sorted(pd.Index(grades.index).astype(str).unique()), name="customer_id")


def _grade_lookup(grades: pd.Series) -> pd.Series:
    g = grades.copy()
    g.index = pd.Index(g.index).astype(str)
    return g[~g.index.duplicated()]


def _timestamp(as_of) -> pd.Timestamp:
    return frames.as_timestamp(as_of)


def credit_facts(credit: Grading | pd.DataFrame | None, rules: RuleBook) -> pd.DataFrame:
    """The credit evaluation with ``credit_grade`` and ``explanation_zh`` / ``explanation_en``.

    Accepts the frame of ``credit.evaluate`` or the credit method's Grading; None gives an
    empty frame.
    """
    if credit is None:
        return pd.DataFrame(index=pd.Index([], name="customer_id", dtype=str))
    if isinstance(credit, Grading):
        out = credit.frame.copy()
        if "credit_grade" not in out:
            out["credit_grade"] = out["grade"]
    else:
        out = credit.copy()
        if "credit_grade" not in out and "grade" in out:
            out["credit_grade"] = out["grade"]
        if "explanation_zh" not in out:
            out["explanation_zh"], out["explanation_en"] = _credit_explanations(out, rules)
    out.index = pd.Index(out.index.astype(str), name="customer_id")
    return out[~out.index.duplicated()]


def _credit_explanations(facts: pd.DataFrame, rules: RuleBook) -> tuple[list[str], list[str]]:
    if not {*credit_engine.EXPLAINED, "credit_grade"} <= set(facts.columns):
        return [""] * len(facts), [""] * len(facts)
    grades = facts["credit_grade"].tolist()
    zh, en = (credit_engine.explanations(facts, grades, rules.credit, lang) for lang in ("zh", "en"))
    return zh, en


def _head(ids: pd.Index, customers, ledger, grades: pd.Series, year: int) -> pd.DataFrame:
    lookup = _grade_lookup(grades)
    return pd.DataFrame(
        {
            "customer_id": ids.to_numpy(dtype=object),
            "company": company_names(ids, customers, ledger).to_numpy(),
            "grade": lookup.reindex(ids).astype(object).to_numpy(),
            "year": int(year),
        }
    )


# ---- credit ----------------------------------------------------------------------------------
def credit_table(
    credit: Grading | pd.DataFrame | None,
    customers: pd.DataFrame | None,
    grades: pd.Series,
    rules: RuleBook,
    lang: str,
    ledger: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The credit sheet for ``rules.credit.aging_days``, one row per graded customer (rule 6)."""
    keys = credit_sheet(rules.credit.aging_days).keys()
    ids = _ids(grades)
    facts = credit_facts(credit, rules).reindex(ids)
    source = {"credit_score": "score", "ly_credit_score": "ly_score", "explanation": f"explanation_{lang}"}
    out = _head(ids, customers, ledger, grades, 0).drop(columns="year")
    for key in keys[3:]:
        col = source.get(key, key)
        out[key] = facts[col].to_numpy() if col in facts else np.nan
    for key in ("credit_grade", "ly_credit_grade"):
        out[key] = no_record_text(out[key], rules, lang).to_numpy()
    out["explanation"] = out["explanation"].astype(object).where(pd.notna(out["explanation"]), None)
    return out[keys]


def no_record_text(credit_grades: pd.Series, rules: RuleBook, lang: str) -> pd.Series:
    """Credit grades as cells in the workbook's language: missing -> None; in English 优 ->
    excellent and 无记录 -> no record (``credit.grade_labels_en`` / ``no_record_label_en``)."""
    c = rules.credit
    out = credit_grades.astype(object).where(credit_grades.notna(), None)
    if lang == "zh":
        return out
    english = {label: credit_engine.label_en(label, c) for label in (*c.grade_labels, c.no_record_label)}
    return out.replace(english)


# ---- analysis ----------------------------------------------------------------------------------
def _english_labels(rules: RuleBook) -> dict[str, dict[str, str]]:
    m, r = rules.matrix, rules.rfm
    stage = dict(zip(m.stage_labels, m.stage_labels_en))
    return {
        "rfm": dict(zip(r.labels, r.labels_en)),
        "sales_loyalty": {
            **dict(zip(m.loyalty_labels, m.loyalty_labels_en)),
            m.not_assessed_label: m.not_assessed_label_en,
        },
        "wallet": {**dict(zip(m.wallet_labels, m.wallet_labels_en)), m.not_assessed_label: m.not_assessed_label_en},
        "value_type": dict(zip(m.value_labels, m.value_labels_en)),
        "deal_stage": {
            **stage,
            **{f"{s} {c}": f"{stage[s]} {c}" for s in m.stage_labels[2:] for c in m.potential_labels},
        },
    }


def analysis_table(
    analyses: Mapping[str, Grading],
    customers: pd.DataFrame | None,
    grades: pd.Series,
    rules: RuleBook | None = None,
    lang: str = "zh",
    ledger: pd.DataFrame | None = None,
    as_of=None,
    fig: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The analysis sheet: every analysis class per graded customer and the trading facts (rule 7);
    ``fig``: the ledger's figures frame (engine.figures) when the caller has it."""
    ids = _ids(grades)
    names = in_lang(lang, {}, _english_labels(rules or RuleBook()))
    out = _head(ids, customers, ledger, grades, 0).drop(columns="year")
    for key in ("rfm", "sales_loyalty", "wallet", "value_type", "deal_stage", "two_criteria"):
        result = analyses.get(key)
        if result is None:
            out[key] = None
            continue
        labels = _grade_lookup(result.grades).reindex(ids).astype(object)
        renamed = names.get(key, {})
        labels = labels.map(lambda g, renamed=renamed: renamed.get(g, g) if isinstance(g, str) else None)
        out[key] = labels.to_numpy()
    rfm = analyses.get("rfm")
    for key in ("r_score", "f_score", "m_score"):
        if rfm is not None and key in rfm.frame:
            out[key] = pd.array(_grade_lookup(rfm.frame[key]).reindex(ids).to_numpy(), dtype="Int64")
        else:
            out[key] = pd.array([None] * len(ids), dtype="Int64")
    facts = cardfacts.activity_table(ledger, ids, rules or RuleBook(), as_of, lang, fig)
    for key in cardfacts.ACTIVITY_COLUMNS:
        out[key] = facts[key].to_numpy()
    return out[ANALYSIS.keys()]


# ---- complaints --------------------------------------------------------------------------------
def resolve_complaint_ids(
    complaints: pd.DataFrame,
    customers: pd.DataFrame | None,
    *,
    source: str = COMPLAINTS.zh,
    headers: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """The complaints with blank ids filled from customer names, and a note per complaint left ungraded.

    Notes: a blank id whose name is blank, unknown or shared; an id not in the customer table
    (when there is one).

    Issues name ``source`` and the column as ``headers`` (key -> header as written) has it.
    """
    headers = headers or {}
    frame = complaints.copy()
    if "customer_id" not in frame:
        frame["customer_id"] = None
    ids = text_of(frame["customer_id"])
    names = text_of(frame["customer_name"]) if "customer_name" in frame else pd.Series("", index=frame.index)
    cust = customer_table(customers)
    by_name: dict[str, set[str]] = {}
    if "company" in cust:
        for cid, company in zip(cust.index, text_of(cust["company"])):
            if company:
                by_name.setdefault(name_key(company), set()).add(str(cid))
    rows = frame["row"] if "row" in frame else pd.Series([None] * len(frame), index=frame.index)
    issues: list[Issue] = []
    filled = ids.copy()
    for i in frame.index[(ids == "").to_numpy()]:
        name = names[i]
        found = by_name.get(name_key(name), set()) if name else set()
        if len(found) == 1:
            filled[i] = next(iter(found))
            continue
        if not name:
            en, zh, col, value = (
                "neither customer id nor customer name; handled as an ungraded customer",
                "客户编号和客户名称都为空,按无等级客户处理",
                "customer_id",
                None,
            )
        elif not found:
            en, zh, col, value = (
                "customer name not in the customer table; handled as an ungraded customer",
                "客户名称不在客户表中,按无等级客户处理",
                "customer_name",
                name,
            )
        else:
            listed = ", ".join(sorted(found))
            en, zh, col, value = (
                f"customer name matches several customers ({listed}); handled as an ungraded customer",
                f"客户名称对应多个客户({listed}),按无等级客户处理",
                "customer_name",
                name,
            )
        row = None if pd.isna(rows[i]) else int(rows[i])
        issues.append(Issue(source, row, headers.get(col, col), value, en, zh, NOTE))
    if len(cust.index):
        known = {str(c) for c in cust.index}
        for i in frame.index[((ids != "") & ~ids.isin(known)).to_numpy()]:
            row = None if pd.isna(rows[i]) else int(rows[i])
            issues.append(
                Issue(
                    source,
                    row,
                    headers.get("customer_id", "customer_id"),
                    ids[i],
                    "customer id not in the customer table; handled as an ungraded customer",
                    "客户编号不在客户表中,按无等级客户处理",
                    NOTE,
                )
            )
        issues.sort(key=lambda issue: issue.row or 0)
    matched = filled.to_numpy(dtype=object).copy()
    matched[(filled == "").to_numpy()] = None
    frame["customer_id"] = pd.Series(matched, index=frame.index, dtype="object")
    return frame, issues


def handled_complaints(
    complaints: pd.DataFrame, grades: pd.Series, customers: pd.DataFrame | None, rules: RuleBook, as_of
) -> pd.DataFrame:
    """``service.complaints`` after filling blank ids from customer names (rule 8)."""
    return handle_complaints(complaints, grades, customers, rules, as_of)[0]


def handle_complaints(
    complaints: pd.DataFrame,
    grades: pd.Series,
    customers: pd.DataFrame | None,
    rules: RuleBook,
    as_of,
    *,
    source: str = COMPLAINTS.zh,
    headers: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """:func:`handled_complaints` and :func:`complaint_issues` from one resolution of the ids (rule 8)."""
    frame, issues = resolve_complaint_ids(complaints, customers, source=source, headers=headers)
    return service.complaints(frame, _grade_lookup(grades), rules, _timestamp(as_of)), issues


def complaint_issues(
    complaints: pd.DataFrame,
    customers: pd.DataFrame | None,
    *,
    source: str = COMPLAINTS.zh,
    headers: Mapping[str, str] | None = None,
) -> list[Issue]:
    """A note for each complaint left ungraded: blank, unknown or ambiguous customer (rule 8)."""
    return resolve_complaint_ids(complaints, customers, source=source, headers=headers)[1]


def complaint_cells(handled: pd.DataFrame, lang: str) -> pd.DataFrame:
    """row, grade, priority level, due, status (in ``lang``) and queue of a :func:`handled_complaints` frame."""
    status = handled["status"].map(status_words(lang))
    rows = handled["row"] if "row" in handled else pd.Series(range(2, len(handled) + 2), index=handled.index)
    return pd.DataFrame(
        {
            "row": rows.to_numpy(),
            "grade": handled["grade"].to_numpy(dtype=object),
            "priority": handled[in_lang(lang, "priority", "priority_en")].to_numpy(dtype=object),
            "due": handled["due"].to_numpy(),
            "status": status.to_numpy(dtype=object),
            "queue": handled["queue"].astype("int64").to_numpy(),
        },
        columns=list(COMPLAINT_COLUMNS),
    )


# ---- validation and run log --------------------------------------------------------------------
def _value_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return (
            None
            if pd.isna(value)
            else (value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" "))
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validation_table(issues: Iterable[Issue], lang: str) -> pd.DataFrame:
    """One row per issue: sheet, row, column, value, reason and action in ``lang`` (rule 9)."""
    words = action_words(lang)
    rows = [
        (i.source, i.row, i.column, _value_text(i.value), i.reason_in(lang), words.get(i.action, i.action))
        for i in issues
    ]
    out = pd.DataFrame(rows, columns=VALIDATION.keys(), dtype=object)
    out["row"] = pd.array([None if r is None else int(r) for r in out["row"]], dtype="Int64")
    return out


def skipped_rows(issues: Iterable[Issue]) -> int:
    """Distinct sheet rows left out of the run (several issues on one row count once)."""
    seen: set[tuple] = set()
    loose = 0
    for issue in issues:
        if issue.action != SKIPPED:
            continue
        if issue.row is None:
            loose += 1
        else:
            seen.add((issue.source, issue.row))
    return len(seen) + loose


def run_log_row(
    *,
    run_at,
    user: str,
    month,
    graded: Grading,
    issues: Iterable[Issue],
    changes: pd.DataFrame,
    ledger_lines: int,
    backup: str | None = None,
    seconds: float | None = None,
    version: str = __version__,
    method: str | None = None,
    action: str | None = None,
    host: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The run log's row for this run (rule 10); ``note``: what the run wants said (rules at
    their defaults).

    ``changes`` is ``dynamics.changes(previous, graded.grades, graded.labels)``; run_at, user,
    host, the action's words, ledger_lines, backup and seconds come from the caller; method
    defaults to graded.method. A monthly run has no output file (an export has, see
    :func:`xlgrade.workbook.masked.export_log_row`).
    """
    counts = changes["direction"].value_counts() if len(changes) else pd.Series(dtype="int64")
    frame = graded.frame
    overrides = int(frame["overridden"].fillna(False).astype(bool).sum()) if "overridden" in frame else 0
    row = {
        "run_at": pd.Timestamp(run_at),
        "user": user,
        "month": month_text(month),
        "method": method or graded.method,
        "customers": int(len(frame)),
        "ledger_lines": int(ledger_lines),
        "skipped_rows": skipped_rows(issues),
        "upgrades": int(counts.get(dynamics.UP, 0)),
        "downgrades": int(counts.get(dynamics.DOWN, 0)),
        "new_customers": int(counts.get(dynamics.NEW_DIR, 0)),
        "overrides": overrides,
        "backup": backup,
        "seconds": None if seconds is None else float(seconds),
        "version": version,
        "action": action,
        "host": host,
        "output": None,
        "note": note,  # a monthly run: rules at their defaults; an upgrade: what it added
    }
    return {key: row[key] for key in RUN_LOG.keys()}


__all__ = [
    "analysis_table",
    "company_names",
    "complaint_cells",
    "complaint_issues",
    "credit_facts",
    "credit_table",
    "no_record_text",
    "evaluation_months",
    "handle_complaints",
    "handled_complaints",
    "month_key",
    "month_text",
    "resolve_complaint_ids",
    "run_log_row",
    "skipped_rows",
    "validation_table",
    "window_text",
    "window_totals",
]
