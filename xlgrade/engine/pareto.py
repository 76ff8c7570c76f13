"""Pareto ABC (80/20; docs/rules.md §3.2 Pareto ABC; seeds 000, 002, 003) and SAP's other ABC strategies.

Rank customers by a measure (rule ``pareto.measure``). T = sum of the positive values.
For a customer with value v > 0, ``share_before`` = (sum of values strictly greater than v) / T.

- value_share (default): A if share_before < a_share (0.80); B if < b_share (0.95); else C.
- count_share: with n = customers graded and ``before`` = customers with a strictly greater
  value, A if before < a_count_share * n; B if before < b_count_share * n.
- absolute: A if v >= a_min_value; B if v >= b_min_value.
- top_n: A if before < a_top_n; B if before < b_top_n.

In every strategy a customer with v <= 0 (no sales, or net returns) is C, equal values get
the same grade and row order never matters.

Exactness: values are rounded to 6 decimals (a millionth of a yuan) and the share
comparisons are done in decimal arithmetic, so "exactly 80 %" is exactly 80 %.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pandas as pd

from xlgrade.cells.text import measure_en_text
from xlgrade.engine import figures, measures
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import num, nums, pct, pcts


def grade(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    return rate(
        figures.of_ledger(ledger, rules, as_of, figures.NEEDS["pareto"]),
        customers,
        rules,
        as_of,
        measure=measure,
        explain=explain,
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
    """Grade the figures ``fig`` (``pareto_<measure>``, indexed by customer_id) by the Pareto rules."""
    p = rules.pareto
    measure = measure or p.measure
    ids = figures.population(fig, customers)
    values = figures.measured(fig, ids, "pareto", measure)
    ranked = rank_values(values)
    labels = rules.abc.labels
    grades, zh, en = _STRATEGIES[p.strategy](ranked, p, labels, measure, explain)  # the grade and its texts, one walk
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        value=values,
        share_before=ranked["share_before"],
        share=ranked["share"],
        rank=ranked["rank"],
    )
    return Grading("pareto", frame, ("value", "share_before", "share", "rank"), labels, explain)


def rank_values(values: pd.Series) -> pd.DataFrame:
    """Exact ranking facts for each value, on the values' index.

    Columns: ``before`` (customers with a strictly greater value), ``rank`` (before + 1),
    ``sum_before`` (Decimal sum of strictly greater positive values), ``total`` (Decimal T),
    ``share_before`` and ``share`` (floats; NaN where v <= 0 or T = 0), ``exact`` (the value as
    a Decimal of 6 decimals).
    """
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [Decimal(f"{v:.6f}") for v in values.to_numpy(dtype="float64")]
        total = sum((d for d in exact if d > 0), Decimal(0))
        # Walk distinct values from the top: every customer sees the sum of strictly greater ones.
        counts: dict[Decimal, int] = {}
        for d in exact:
            counts[d] = counts.get(d, 0) + 1
        sum_before: dict[Decimal, Decimal] = {}
        n_before: dict[Decimal, int] = {}
        running, seen = Decimal(0), 0
        for d in sorted(counts, reverse=True):
            sum_before[d], n_before[d] = running, seen
            if d > 0:
                running += d * counts[d]
            seen += counts[d]
        rows = []
        for d in exact:
            positive = d > 0 and total > 0
            rows.append(
                (
                    n_before[d],
                    n_before[d] + 1,
                    sum_before[d],
                    total,
                    float(sum_before[d] / total) if positive else np.nan,
                    float(d / total) if positive else np.nan,
                    d,
                )
            )
    return pd.DataFrame(
        rows, index=values.index, columns=["before", "rank", "sum_before", "total", "share_before", "share", "exact"]
    )


def _value_share(ranked, p, labels, measure, explain):
    """value_share, a column at a time: the shares compared exactly (the bounds a_share x T and
    b_share x T computed once, T being every row's), each figure formatted once per value."""
    a, b, c = labels
    a_cut, b_cut = Decimal(str(p.a_share)), Decimal(str(p.b_share))
    exact, sum_before = ranked["exact"].tolist(), ranked["sum_before"].tolist()
    total = ranked["total"].iloc[0] if len(ranked) else Decimal(0)
    a_lim, b_lim = a_cut * total, b_cut * total
    # 0: A, 1: B, 2: C by its share, 3: C with no positive value
    kinds = [3 if x <= 0 else 0 if sb < a_lim else 1 if sb < b_lim else 2 for x, sb in zip(exact, sum_before)]
    grades = [(a, b, c, c)[k] for k in kinds]
    zh: list[str] = []
    en: list[str] = []
    if not explain:
        return grades, zh, en
    values = nums([float(x) for x in exact])
    shares = pcts(ranked["share_before"])
    pa, pb = pct(p.a_share), pct(p.b_share)
    if "zh" in explain:
        name = measures.NAMES_ZH[measure]
        tails = (f" < {pa}", f",不低于 {pa} 但 < {pb}", f",不低于 {pb}")
        zh = [
            f"{c}:{name} {v} ≤ 0(无销售或净退货)" if k == 3 else f"{g}:{name} {v},排在其前的客户合计占 {sh}{tails[k]}"
            for g, k, v, sh in zip(grades, kinds, values, shares)
        ]
    if "en" in explain:
        tails = (f", < {pa}", f", not < {pa} but < {pb}", f", not < {pb}")
        en = [
            f"{c}: {measure_en_text(measure, v)} ≤ 0 (no sales or net returns)"
            if k == 3
            else f"{g}: {measure_en_text(measure, v)}; customers above it hold {sh} of the total{tails[k]}"
            for g, k, v, sh in zip(grades, kinds, values, shares)
        ]
    return grades, zh, en


def _by_position(limit_a: Decimal, limit_b: Decimal, what_zh: str, what_en: str):
    """count_share and top_n: grade by the number of customers strictly ahead."""

    def split(ranked, p, labels, measure, explain):
        a, b, c = labels
        grades, zh, en = [], [], []
        want_zh, want_en = "zh" in explain, "en" in explain
        for row in ranked.itertuples():
            v = float(row.exact)
            if row.exact <= 0:
                g = c
                if want_zh:
                    zh.append(f"{c}:{measures.zh(measure, v)} ≤ 0(无销售或净退货)")
                if want_en:
                    en.append(f"{c}: {measures.en(measure, v)} ≤ 0 (no sales or net returns)")
            else:
                g = a if row.before < limit_a else b if row.before < limit_b else c
                if want_zh:
                    zh.append(f"{g}:{measures.zh(measure, v)},排名第 {row.rank},{what_zh}")
                if want_en:
                    en.append(f"{g}: {measures.en(measure, v)}, ranked {row.rank}; {what_en}")
            grades.append(g)
        return grades, zh, en

    return split


def _count_share(ranked, p, labels, measure, explain):
    n = Decimal(len(ranked))
    a_lim, b_lim = Decimal(str(p.a_count_share)) * n, Decimal(str(p.b_count_share)) * n
    return _by_position(
        a_lim,
        b_lim,
        f"前 {pct(p.a_count_share)} 客户为 A、前 {pct(p.b_count_share)} 以内为 B",
        f"top {pct(p.a_count_share)} of customers are A, up to {pct(p.b_count_share)} B",
    )(ranked, p, labels, measure, explain)


def _top_n(ranked, p, labels, measure, explain):
    return _by_position(
        Decimal(p.a_top_n),
        Decimal(p.b_top_n),
        f"前 {p.a_top_n} 名为 A、前 {p.b_top_n} 名以内为 B",
        f"the top {p.a_top_n} are A, the top {p.b_top_n} A or B",
    )(ranked, p, labels, measure, explain)


def _absolute(ranked, p, labels, measure, explain):
    a, b, c = labels
    a_min, b_min = Decimal(f"{p.a_min_value:.6f}"), Decimal(f"{p.b_min_value:.6f}")
    grades, zh, en = [], [], []
    want_zh, want_en = "zh" in explain, "en" in explain  # a language not asked for is not built
    for row in ranked.itertuples():
        v = float(row.exact)
        if row.exact > 0 and row.exact >= a_min:
            g, op_zh, op_en = a, f"≥ {num(p.a_min_value)}", f"≥ {num(p.a_min_value)}"
        elif row.exact > 0 and row.exact >= b_min:
            g, op_zh, op_en = (
                b,
                f"≥ {num(p.b_min_value)} 但 < {num(p.a_min_value)}",
                f"≥ {num(p.b_min_value)} but < {num(p.a_min_value)}",
            )
        else:
            g = c
            limit = max(p.b_min_value, 0.0)
            op_zh = f"< {num(limit)}" if row.exact > 0 else "≤ 0(无销售或净退货)"
            op_en = f"< {num(limit)}" if row.exact > 0 else "≤ 0 (no sales or net returns)"
        grades.append(g)
        if want_zh:
            zh.append(f"{g}:{measures.zh(measure, v)} {op_zh}")
        if want_en:
            en.append(f"{g}: {measures.en(measure, v)} {op_en}")
    return grades, zh, en


_STRATEGIES = {"value_share": _value_share, "count_share": _count_share, "absolute": _absolute, "top_n": _top_n}
