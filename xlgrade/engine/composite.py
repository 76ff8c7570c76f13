"""Weighted composite grading (docs/rules.md §3.4 Weighted composite; seed 003 综合加权).

The *ranked* customers are those with at least one ledger line in the trailing
``composite.months`` window (frames.window). Everyone else in the population is C ("no
purchases in the window"), with no score, and changes neither anyone's rank nor the size of
the A and B groups. For each ranked customer, sub-scores 0-100:

- ``credit_score`` = the credit score of :mod:`xlgrade.engine.credit` (its own
  ``credit.months`` window and rules); a ranked customer without receivables there (only
  returns) has no credit score and counts ``composite.no_credit_score`` here.
- ``amount_score`` / ``profit_score`` = 100 x the customer's percentile among the ranked
  customers of ``amount`` / ``profit`` summed over the window, percentile = share of ranked
  customers whose value is <= this customer's (pandas ``rank(method="max", pct=True)``). A
  ledger without profits counts 0 profit for everyone (so everyone ties at 100).

``score`` = credit_weight x credit_score + amount_weight x amount_score + profit_weight x
profit_score, rounded to 6 decimals. Split by ``composite.split``:

- ``count``: with n ranked customers and ``before`` = ranked customers with a strictly
  greater score, A if before < a_count_share x n, B if before < b_count_share x n, else C.
  The products are computed in decimal arithmetic, so 20 % of 10 customers is exactly 2 A.
- ``bands``: A if score >= a_min_score, B if score >= b_min_score, else C.

Labels are ``abc.labels``. Equal scores always get the same grade; row order never matters.
Customers who are not ranked have NaN score, sub-scores and rank (JSON null); their
``credit_score`` is still reported when they have one.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from xlgrade.engine import credit, figures
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import CompositeRules, RuleBook
from xlgrade.engine.text import num, nums, pct

DECIMALS = 6
FIGURES = ("score", "credit_score", "amount_score", "profit_score", "amount", "profit")


def grade(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade every customer by the weighted composite; ``measure`` does not apply and is ignored."""
    return rate(
        figures.of_ledger(ledger, rules, as_of, figures.NEEDS["composite"]), customers, rules, as_of, explain=explain
    )


def rate(
    fig: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade the figures ``fig`` (``composite_*`` and the credit figures) by the composite rules."""
    c = rules.composite
    labels = rules.abc.labels
    ids = figures.population(fig, customers)
    parts = sub_scores(fig, ids, rules)
    ranked = parts["ranked"].to_numpy()
    score = composite_score(parts, c)
    before = before_counts(score[ranked]).reindex(ids)
    grades = np.full(len(ids), labels[2], dtype=object)
    grades[ranked] = _by_count(before[ranked], c, labels) if c.split == "count" else _by_bands(score[ranked], c, labels)
    n = int(ranked.sum())
    texts = {lang: explanations(lang, grades, score, parts, before, n, c, labels) for lang in explain}
    shown = parts.drop(columns="ranked")
    frame = make_frame(
        ids,
        grades,
        *only(explain, texts.get("zh"), texts.get("en")),
        score=score,
        **shown,
        rank=(before + 1).astype("Int64"),
    )
    return Grading("composite", frame, FIGURES, labels, explain)


def sub_scores(fig: pd.DataFrame, ids: pd.Index, rules: RuleBook) -> pd.DataFrame:
    """ranked, credit_score, amount_score, profit_score, amount and profit of every customer in ``ids``.

    Sub-scores are NaN for customers who are not ranked (no line in the window).
    """
    c = rules.composite
    ranked = figures.on(fig, ids, "composite_lines") > 0
    amount = figures.on(fig, ids, "composite_amount").round(DECIMALS)
    profit = figures.on(fig, ids, "composite_profit").round(DECIMALS)
    credit_score = credit.score_of(fig, ids, rules)
    credit_part = credit_score.where(~ranked, credit_score.fillna(c.no_credit_score))
    return pd.DataFrame(
        {
            "ranked": ranked,
            "credit_score": credit_part,
            "amount_score": percentile_score(amount[ranked]).reindex(ids),
            "profit_score": percentile_score(profit[ranked]).reindex(ids),
            "amount": amount,
            "profit": profit,
        },
        index=ids,
    )


def percentile_score(values: pd.Series) -> pd.Series:
    """100 x share of values <= each value (ties share the highest rank)."""
    return (values.rank(method="max", pct=True) * 100.0).round(DECIMALS).astype("float64")


def composite_score(parts: pd.DataFrame, c: CompositeRules) -> pd.Series:
    """The weighted score of the ranked customers; NaN for the others."""
    score = (
        c.credit_weight * parts["credit_score"]
        + c.amount_weight * parts["amount_score"]
        + c.profit_weight * parts["profit_score"]
    )
    return score.where(parts["ranked"]).round(DECIMALS).rename("score")


def before_counts(score: pd.Series) -> pd.Series:
    """Number of customers with a strictly greater score."""
    return (score.rank(method="min", ascending=False) - 1).fillna(0).astype("int64")


def count_limit(share: float, n: int) -> int:
    """Smallest whole ``before`` that is not < share x n (exact decimal product)."""
    return int(math.ceil(Decimal(str(share)) * Decimal(n)))


def _by_count(before: pd.Series, c: CompositeRules, labels: tuple[str, ...]) -> np.ndarray:
    a, b, other = labels
    a_lim, b_lim = count_limit(c.a_count_share, len(before)), count_limit(c.b_count_share, len(before))
    values = before.to_numpy()
    return np.select([values < a_lim, values < b_lim], [a, b], default=other).astype(object)


def _by_bands(score: pd.Series, c: CompositeRules, labels: tuple[str, ...]) -> np.ndarray:
    a, b, other = labels
    values = score.to_numpy(dtype="float64")
    return np.select([values >= c.a_min_score, values >= c.b_min_score], [a, b], default=other).astype(object)


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def explanations(
    lang: str,
    grades: np.ndarray,
    score: pd.Series,
    parts: pd.DataFrame,
    before: pd.Series,
    n: int,
    c: CompositeRules,
    labels: tuple[str, ...],
) -> list[str]:
    """The explanation in ``lang`` (zh or en) of every customer, column-wise: each figure
    formatted once per distinct value, the reason once per grade."""
    ranked = parts["ranked"].to_numpy()
    other = labels[2]
    w_cr, w_am, w_pr = pct(c.credit_weight), pct(c.amount_weight), pct(c.profit_weight)
    why = _reasons(lang, c, labels)
    shown = (score, parts["credit_score"], parts["amount_score"], parts["profit_score"])
    s, cr, am, pr = (nums(col.to_numpy()[ranked]) for col in shown)
    ranks = (before.to_numpy()[ranked] + 1).astype("int64").tolist()
    rows = zip(grades[ranked].tolist(), s, cr, am, pr, ranks)
    out = np.empty(len(ranked), dtype=object)
    if lang == "zh":
        out[~ranked] = f"{other}:近 {c.months} 个月无购买,不参与排名"
        out[ranked] = [
            f"{g}:综合分 {s_} = {w_cr} × 信用 {cr_} + {w_am} × 金额 {am_} + {w_pr} × 利润 {pr_};"
            f"{n} 名中排第 {r},{why[g]}"
            for g, s_, cr_, am_, pr_, r in rows
        ]
    else:
        out[~ranked] = f"{other}: no purchases in the window (last {c.months} months), not ranked"
        out[ranked] = [
            f"{g}: composite {s_} = {w_cr} x credit {cr_} + {w_am} x amount {am_} + {w_pr} x profit {pr_};"
            f" {ordinal(r)} of {n}, {why[g]}"
            for g, s_, cr_, am_, pr_, r in rows
        ]
    return out.tolist()


def _reasons(lang: str, c: CompositeRules, labels: tuple[str, ...]) -> dict[str, str]:
    """Why a ranked customer has each grade, in ``lang``."""
    a, b, other = labels
    if c.split == "count":
        top_a, top_b = pct(c.a_count_share), pct(c.b_count_share)
        if lang == "zh":
            return {a: f"属前 {top_a}", b: f"不在前 {top_a},但在前 {top_b} 以内", other: f"不在前 {top_b} 以内"}
        return {
            a: f"in the top {top_a}",
            b: f"not in the top {top_a} but within the top {top_b}",
            other: f"not within the top {top_b}",
        }
    low_a, low_b = num(c.a_min_score), num(c.b_min_score)
    but = "但" if lang == "zh" else "but"
    return {a: f"≥ {low_a}", b: f"≥ {low_b} {but} < {low_a}", other: f"< {low_b}"}
