"""Credit evaluation (docs/rules.md §3.5 Credit evaluation and aging; seed 003 信用状况; 附表五 信用评估 / 上年同期信用).

Only ledger lines dated on or before the as-of date count. Per line:

- ``due`` = ``due_date``, or ``date + credit.credit_days`` where no due date is given.
- recorded payment = ``paid_amount`` if given, else the whole ``amount`` if ``paid_date``
  is given, else 0; clipped to lie between 0 and ``amount`` (so never more than the line,
  and for a return line with amount < 0 a refund between amount and 0).
- ``paid`` = the recorded payment if it has been received by the as-of date: a payment
  whose ``paid_date`` is after the as-of date has not happened yet and counts as unpaid;
  a payment without a ``paid_date`` counts as received.
- Lines with amount <= 0 (returns) carry no credit weight: they are not outstanding, not
  aged and not late; they only enter the cumulative figures.
- For a line with amount > 0: ``open`` = amount - paid (the outstanding part);
  ``days_overdue`` = max(0, as_of - due) in days; the paid part is late by
  max(0, paid_date - due) days (0 when the paid date is unknown).

Per customer:

- ``cumulative_sales`` = sum of amount (returns included); ``cumulative_collections`` =
  sum of paid (refunds on return lines included); ``collection_rate`` = collections /
  sales, NaN where sales <= 0.
- ``outstanding`` = sum of open; ``not_due`` = open with days_overdue = 0;
  ``overdue_balance`` = open with days_overdue > 0; ``max_days_overdue`` = the largest
  days_overdue of a line with open > 0 (0 if none).
- Aging: open amounts with days_overdue > 0 split by ``credit.aging_days`` (L1 < L2 < ...)
  into (0, L1], (L1, L2], ..., (Ln, inf) days, named ``aging_0_L1``, ``aging_{L1+1}_L2``,
  ..., ``aging_over_Ln`` (limits written as whole days, rounded down). The buckets add up
  to the overdue balance. With no limits there is one bucket, ``aging_over_0``.
- ``avg_days_late`` = sum(paid * days late of the payment + open * days_overdue) /
  sum(amount) over the lines with amount > 0 dated in the trailing ``credit.months``
  window (frames.window); NaN when there is no such line.
- ``score`` = 100 - ``penalty_per_day`` * avg_days_late, clamped to 0..100. A period
  without such lines has no score: NaN (JSON null), never 100.
- ``credit_grade``: the first ``grade_min`` the score reaches (>=), else the last label;
  ``credit.no_record_label`` (无记录) where there is no score.
- ``ly_*`` (上年同期): the same computation with the as-of date moved back 12 calendar
  months, for score, credit_grade, avg_days_late, overdue_balance, collection_rate,
  cumulative_sales and cumulative_collections; no receivables then means no score then.
- The collection rate is over all history up to the as-of date (附表五's cumulative
  columns), not over the trailing window.

Per line (附表五's 信用评估 of each line, :func:`line_status`), as of the as-of date, in this
order: a line dated after the as-of date is ``later`` (not evaluated); a line with amount <= 0
is ``no_credit``; a line with an open part is ``overdue`` (days = days_overdue > 0) or
``not_due``, prefixed ``part_`` when something of it is paid; a fully paid line without a
``paid_date`` is ``paid_no_date``; else it is ``paid_late`` (days = days late of the payment,
> 0) or ``paid_on_time`` (paid on or before the due date). Days are whole days.

Money, days late and scores are rounded to 6 decimals before any comparison, so a score
of 90 is 90.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlgrade.engine import figures, frames
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import CreditRules, RuleBook
from xlgrade.engine.text import num, nums, pcts

DECIMALS = 6
LAST_YEAR_MONTHS = 12
LAST_YEAR = (
    "cumulative_sales",
    "cumulative_collections",
    "collection_rate",
    "overdue_balance",
    "avg_days_late",
    "score",
    "credit_grade",
)
LEAD = ("score", "avg_days_late", "overdue_balance", "max_days_overdue", "collection_rate")


def evaluate(
    ledger: pd.DataFrame, ids: pd.Index, rules: RuleBook, as_of: pd.Timestamp, *, last_year: bool = True
) -> pd.DataFrame:
    """Credit figures of every customer in ``ids`` as of ``as_of`` (see the module rules).

    With ``last_year=False`` the ``ly_*`` columns are left out (for callers that only need
    the current score)."""
    return rate_figures(
        figures.of_ledger(ledger, rules, as_of, figures.NEEDS["credit"] if last_year else ("credit",)),
        ids,
        rules,
        last_year=last_year,
    )


def rate_figures(fig: pd.DataFrame, ids: pd.Index, rules: RuleBook, *, last_year: bool = True) -> pd.DataFrame:
    """The credit evaluation of every customer in ``ids`` from the figures ``fig``
    (``credit_*`` and ``ly_*`` of :mod:`xlgrade.engine.figures`, indexed by customer_id)."""
    out = _rate_at(fig, ids, rules.credit, "credit")
    if last_year:
        ly = _rate_at(fig, ids, rules.credit, "ly")
        for col in LAST_YEAR:
            out[f"ly_{col}"] = ly[col]
    return out


@dataclass(frozen=True)
class AgingBucket:
    """One aging bucket: amounts ``low``..``high`` days overdue, or (``high`` None) over ``low`` days."""

    low: int
    high: int | None

    @property
    def key(self) -> str:
        """The column name: ``aging_0_30``, ``aging_31_60``, ..., ``aging_over_90``."""
        return f"aging_over_{self.low}" if self.high is None else f"aging_{self.low}_{self.high}"

    @property
    def zh(self) -> str:
        return f"逾期 {self.low} 天以上" if self.high is None else f"逾期 {self.low}-{self.high} 天"

    @property
    def en(self) -> str:
        return f"over {self.low} days" if self.high is None else f"{self.low}-{self.high} days"


_BUCKET_KEY = re.compile(r"aging_(\d+)_(\d+)|aging_over_(\d+)")


def aging_buckets(limits: tuple[float, ...]) -> tuple[AgingBucket, ...]:
    """The buckets of the aging limits (whole days, rounded down): (30, 60, 90) -> 0-30,
    31-60, 61-90, over 90; no limits -> one bucket, over 0."""
    whole = [int(math.floor(x)) for x in limits]
    if not whole:
        return (AgingBucket(0, None),)
    lows = [0] + [lo + 1 for lo in whole[:-1]]
    return (*(AgingBucket(lo, hi) for lo, hi in zip(lows, whole)), AgingBucket(whole[-1], None))


def aging_bucket(key: str) -> AgingBucket | None:
    """The bucket a column name stands for (the inverse of ``AgingBucket.key``), else None."""
    m = _BUCKET_KEY.fullmatch(key)
    if not m:
        return None
    if m.group(3):
        return AgingBucket(int(m.group(3)), None)
    return AgingBucket(int(m.group(1)), int(m.group(2)))


def aging_columns(limits: tuple[float, ...]) -> list[str]:
    """Bucket names for the aging limits: (30, 60, 90) -> aging_0_30 ... aging_over_90."""
    return [b.key for b in aging_buckets(limits)]


def credit_grades(score: pd.Series, c: CreditRules) -> np.ndarray:
    """Label of the first ``grade_min`` each score reaches (>=), else the last label;
    ``no_record_label`` where there is no score (NaN)."""
    values = score.to_numpy(dtype="float64")
    conditions = [np.isnan(values), *(values >= low for low in c.grade_min)]
    return np.select(conditions, (c.no_record_label, *c.grade_labels[:-1]), default=c.grade_labels[-1]).astype(object)


def labels(c: CreditRules) -> tuple[str, ...]:
    """Every credit grade, best first, then the label of a period without receivables."""
    return (*c.grade_labels, c.no_record_label)


def label_en(label: str, c: CreditRules) -> str:
    """The English name of a credit grade label (or of the no-record label)."""
    return c.no_record_label_en if label == c.no_record_label else c.grade_labels_en[c.grade_labels.index(label)]


def grade(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade every customer by credit; ``measure`` does not apply and is ignored."""
    fig = figures.of_ledger(ledger, rules, as_of, figures.NEEDS["credit"])
    return rate(fig, customers, rules, as_of, explain=explain)


def rate(
    fig: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade the figures ``fig`` (indexed by customer_id) by the credit rules; the explanations
    in the languages of ``explain`` only (each language's text is built on its own)."""
    c = rules.credit
    ids = figures.population(fig, customers)
    table = rate_figures(fig, ids, rules)
    grades = table.pop("credit_grade")
    graded = grades.tolist()
    texts = {lang: explanations(table, graded, c, lang) for lang in explain}
    order = (*LEAD, *(col for col in table.columns if col not in LEAD))
    zh, en = only(explain, texts.get("zh"), texts.get("en"))
    frame = make_frame(ids, grades.to_numpy(), zh, en, **{col: table[col] for col in order})
    return Grading("credit", frame, order, labels(c), explain)


# ---- computation ---------------------------------------------------------------------------
def _rate_at(fig: pd.DataFrame, ids: pd.Index, c: CreditRules, prefix: str) -> pd.DataFrame:
    """The figures of one evaluation date (``prefix`` credit or ly) with rate, score and grade."""

    def of(name: str, fill: float | None = 0.0) -> pd.Series:
        return figures.on(fig, ids, f"{prefix}_{name}", fill=fill).astype("float64")

    sales, collected = of("sales"), of("collections")
    out = pd.DataFrame(
        {
            "cumulative_sales": sales,
            "cumulative_collections": collected,
            "collection_rate": (collected / sales.where(sales > 0)).astype("float64"),
        },
        index=ids,
    )
    # last year's figures are only those the method shows of it (figures.LAST_YEAR_FIGURES)
    balances = ("outstanding", "not_due", "overdue_balance", "max_days_overdue", *aging_columns(c.aging_days))
    for name in balances:
        if prefix != "ly" or name in figures.LAST_YEAR_FIGURES:
            out[name] = of(name)
    avg = of("avg_days_late", fill=None).round(DECIMALS)
    out["avg_days_late"] = avg
    score = late_score(avg, c)
    out["score"] = score
    out["credit_grade"] = credit_grades(score, c)
    return out


def late_score(avg_days_late: pd.Series, c: CreditRules) -> pd.Series:
    """The credit score of the average days late (rounded): 100 less the penalty per day, within 0..100."""
    return (100.0 - c.penalty_per_day * avg_days_late).clip(0.0, 100.0).round(DECIMALS)


def score_of(fig: pd.DataFrame, ids: pd.Index, rules: RuleBook) -> pd.Series:
    """The credit score as of the as-of date of every customer in ``ids`` from the one figure
    it depends on, ``credit_avg_days_late`` (the figure group ``credit_late``: what the
    composite score reads, without the aggregates of the other credit figures)."""
    avg = figures.on(fig, ids, "credit_avg_days_late", fill=None).astype("float64").round(DECIMALS)
    return late_score(avg, rules.credit)


def _line_facts(lines: pd.DataFrame, c: CreditRules, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per-line paid, open, days overdue and days late of the payment (see the module rules)."""
    amount = lines["amount"].fillna(0.0)
    paid_date = lines["paid_date"]
    due = lines["due_date"].fillna(lines["date"] + pd.Timedelta(days=c.credit_days))
    recorded = lines["paid_amount"].fillna(amount.where(paid_date.notna(), 0.0))
    recorded = recorded.clip(lower=np.minimum(amount, 0.0), upper=np.maximum(amount, 0.0))
    paid = recorded.where(~(paid_date > as_of), 0.0)
    positive = amount > 0
    one_day = pd.Timedelta(days=1)
    # pandas-stubs lack Series[Timedelta] / Timedelta (a float Series at run time)
    days_overdue = ((as_of - due) / one_day).clip(lower=0.0).where(positive, 0.0)  # type: ignore[operator]
    paid_late = ((paid_date - due) / one_day).clip(lower=0.0).fillna(0.0).where(positive, 0.0)  # type: ignore[operator]
    return pd.DataFrame(
        {
            "customer_id": lines["customer_id"],
            "date": lines["date"],
            "amount": amount,
            "paid": paid,
            "open": (amount - paid).where(positive, 0.0),
            "days_overdue": days_overdue,
            "paid_late": paid_late,
            "positive": positive,
        },
        index=lines.index,
    )


LINE_STATES = (
    "paid_on_time",
    "paid_late",
    "paid_no_date",
    "not_due",
    "overdue",
    "part_not_due",
    "part_overdue",
    "no_credit",
    "later",
)


def line_status(ledger: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp) -> pd.DataFrame:
    """``state`` (one of :data:`LINE_STATES`) and ``days`` (late or overdue; 0 otherwise) of
    every ledger line as of ``as_of`` (see the module rules), on the ledger's index."""
    as_of = frames.as_timestamp(as_of)
    facts = _line_facts(ledger, rules.credit, as_of)
    amount = facts["amount"].round(DECIMALS)
    open_ = facts["open"].round(DECIMALS)
    paid = facts["paid"].round(DECIMALS)
    overdue = facts["days_overdue"].round(DECIMALS)
    late = facts["paid_late"].round(DECIMALS)
    no_date = ledger["paid_date"].isna()
    conditions = [
        ledger["date"] > as_of,
        amount <= 0,
        (open_ > 0) & (overdue > 0) & (paid > 0),
        (open_ > 0) & (overdue > 0),
        (open_ > 0) & (paid > 0),
        open_ > 0,
        no_date,
        late > 0,
    ]
    choices = ["later", "no_credit", "part_overdue", "overdue", "part_not_due", "not_due", "paid_no_date", "paid_late"]
    state = np.select(conditions, choices, default="paid_on_time").astype(object)
    days_ = np.select([np.isin(state, ("overdue", "part_overdue")), state == "paid_late"], [overdue, late], default=0.0)
    return pd.DataFrame({"state": state, "days": np.ceil(days_).astype("int64")}, index=ledger.index)


# ---- explanations ---------------------------------------------------------------------------
def explain(row, label: str, c: CreditRules) -> tuple[str, str]:
    """The (zh, en) explanation of credit grade ``label`` for one customer's figures ``row``
    (a named tuple or a record with score, avg_days_late, overdue_balance, max_days_overdue,
    collection_rate, ly_avg_days_late, ly_credit_grade and ly_score)."""
    return explanation(row, label, c, "zh"), explanation(row, label, c, "en")


EXPLAINED = (
    "score",
    "avg_days_late",
    "overdue_balance",
    "max_days_overdue",
    "collection_rate",
    "ly_avg_days_late",
    "ly_credit_grade",
    "ly_score",
)  # the figures an explanation reads


def explanation(row, label: str, c: CreditRules, lang: str) -> str:
    """:func:`explain`'s text in ``lang`` alone (zh or en), built without the other."""
    one = pd.DataFrame({name: [getattr(row, name)] for name in EXPLAINED})
    return explanations(one, [label], c, lang)[0]


def explanations(table: pd.DataFrame, grades: Sequence[str], c: CreditRules, lang: str) -> list[str]:
    """The explanation in ``lang`` (zh or en) of credit grade ``grades[i]`` for the figures in
    row i of ``table`` (the columns of :data:`EXPLAINED`), column-wise: each figure formatted
    once per distinct value."""
    months, penalty = c.months, num(c.penalty_per_day)
    avg = table["avg_days_late"].to_numpy(dtype="float64")
    raw = 100.0 - c.penalty_per_day * avg
    no_score = np.isnan(avg).tolist()
    over_pos = (table["overdue_balance"].to_numpy(dtype="float64") > 0).tolist()
    no_rate = np.isnan(table["collection_rate"].to_numpy(dtype="float64")).tolist()
    no_ly = np.isnan(table["ly_avg_days_late"].to_numpy(dtype="float64")).tolist()
    score, avg_t, over = nums(table["score"]), nums(avg, 1), nums(table["overdue_balance"])
    most, rate, ly_score = (
        nums(table["max_days_overdue"], 1),
        pcts(table["collection_rate"], 1),
        nums(table["ly_score"]),
    )
    ly_grade = table["ly_credit_grade"].tolist()
    rows = zip(grades, no_score, score, avg_t, over_pos, over, most, no_rate, rate, no_ly, ly_grade, ly_score)
    if lang == "zh":
        clamp = np.where(raw < 0, ",下限 0", np.where(raw > 100, ",上限 100", "")).tolist()
        none = f"近 {months} 个月无应收记录,无信用分"
        ly_none = f"上年同期{c.no_record_label}(无应收记录)"
        return [
            f"{label}:"
            + (none if ns else f"信用分 {s} = 100 - {penalty} × 平均逾期 {a} 天(近 {months} 个月){cl}")
            + f";逾期余额 {o}"
            + (f"(最长 {m} 天)" if op else "")
            + ("," + ("无销售" if nr else f"回款率 {r}"))
            + (";" + (ly_none if nl else f"上年同期 {lg} {ls}"))
            for (label, ns, s, a, op, o, m, nr, r, nl, lg, ls), cl in zip(rows, clamp)
        ]
    clamp = np.where(raw < 0, ", floored at 0", np.where(raw > 100, ", capped at 100", "")).tolist()
    none = f"no receivables in the last {months} months, so no credit score"
    ly_none = f"same period last year {c.no_record_label_en} (no receivables)"
    english = {g: label_en(g, c) for g in {*grades, *(g for g, n in zip(ly_grade, no_ly) if not n)}}
    return [
        f"{english[label]}: "
        + (none if ns else f"score {s} = 100 - {penalty} x {a} days late on average (last {months} months){cl}")
        + f"; overdue {o}"
        + (f" (up to {m} days)" if op else "")
        + (", " + ("no sales" if nr else f"collected {r}"))
        + ("; " + (ly_none if nl else f"same period last year {english[lg]} {ls}"))
        for (label, ns, s, a, op, o, m, nr, r, nl, lg, ls), cl in zip(rows, clamp)
    ]
