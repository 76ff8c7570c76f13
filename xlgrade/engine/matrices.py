"""Matrices and types (docs/rules.md §3.7 Matrices and types; seeds 000, 003, 004): five two-way classifications.

Every function grades the population of frames.population and reads ``rules.matrix``
(written m below). "Trailing window" = ``(as_of - m.months, as_of]``; a *purchase* is a
ledger line with amount > 0. Customer attributes missing from the customers table (the
whole column or one cell, or text that is not a number) count as not entered. Values are
rounded to 6 decimals; mean / median splits are compared exactly (rfm.split_of / above).

1. ``sales_loyalty`` (seed 004). volume = sum of the measure (amount unless ``measure``
   says otherwise) over the trailing window. Large when volume > the split (m.volume_split:
   mean or median) of the customers with volume > 0; a customer with volume <= 0 is small.
   Loyal when customers.loyalty >= m.loyal_min. Grade m.loyalty_labels[i] for large+loyal,
   large+disloyal, small+loyal, small+disloyal; no loyalty entered -> rule matrix.not_assessed_label.
2. ``wallet`` (seed 003). High share when customers.share_of_wallet (0-1) >= m.share_high_min;
   large upcoming when customers.upcoming_purchase > the split (m.upcoming_split) of the
   customers that have an upcoming purchase entered. Grade m.wallet_labels for high+large,
   high+small, low+large, low+small; either value missing -> rule matrix.not_assessed_label.
3. ``value_type`` (seed 003). profit = sum of profit over the trailing window (no profit
   entered counts 0). In this order: m.value_labels[2] (BZC) if profit < 0;
   m.value_labels[0] (MVC) if profit > 0 and share_before < m.mvc_share, share_before being
   pareto.rank_values' exact share of the customers with a strictly larger profit;
   m.value_labels[1] (MGC) if the sales growth (scorecard.growth_rate of amount, trailing
   window against the window of the same length just before it) >= m.mgc_growth, or if there
   were no (or net negative) sales before and positive sales now; else m.value_labels[3].
   Labels best first: MVC, MGC, the 4th label, BZC.
4. ``deal_stage`` (seeds 000, 003). m.stage_labels[1] (正在进行交易) with a purchase in the
   trailing window; m.stage_labels[0] (曾经有过交易) with purchases only on or before its
   start; m.stage_labels[2] (即将进行交易) with no purchase up to the as-of date. A prospect
   with customers.close_probability p (0-1) gets the potential class
   m.potential_labels[i] of the first m.potential_min[i] that p reaches (>=), else the last
   class, shown in the grade as "即将进行交易 B"; no p -> no class. Labels best first:
   trading now, traded before, prospects by class, prospect without class. The frame's
   ``stage`` column is the index into m.stage_labels (0 traded before, 1 trading now,
   2 about to trade), the seed-000 group of 客户分类/等级划分表 (xlgrade.job.forms).
5. ``two_criteria`` 3x3. Over rules.pareto.window_months, the Pareto value_share ABC
   (rules.pareto.a_share / b_share, exact, via pareto.rank_values; value <= 0 is C) of
   the amount (or ``measure``) and of m.second_measure. Grade = the two rules.abc.labels
   joined ("AB"); labels "AA", "AB", "AC", "BA", ... "CC".
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from xlgrade.engine import figures, frames, measures, pareto, scorecard
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rfm import SPLIT_ZH, above, micro, split_of
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import num, pct


# ---- shared helpers ----------------------------------------------------------------------
def attribute(customers: pd.DataFrame, ids: pd.Index, name: str) -> pd.Series:
    """Numeric attribute ``name`` of each customer in ``ids``; NaN where not entered."""
    if name not in customers.columns:
        return pd.Series(np.nan, index=ids, dtype="float64")
    return pd.to_numeric(customers[name], errors="coerce").astype("float64").reindex(ids).round(6)


def _missing_where(known: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``known``, else None (an object array, for a nullable boolean column)."""
    out = values.astype(object)
    out[~known] = None
    return out


def abc_classes(values: pd.Series, a_share: float, b_share: float) -> tuple[np.ndarray, pd.Series]:
    """Pareto value_share class index (0 = A, 1 = B, 2 = C) and share_before of each value."""
    ranked = pareto.rank_values(values)
    if len(ranked) == 0:
        return np.zeros(0, dtype=int), pd.Series(dtype="float64", index=values.index)
    positive = (ranked["exact"] > 0).to_numpy(dtype=bool)
    # Decimal columns (object dtype); pandas-stubs do not know Series[Decimal] * Decimal.
    in_a = (ranked["sum_before"] < ranked["total"] * Decimal(str(a_share))).to_numpy(dtype=bool)  # type: ignore[type-var]
    in_b = (ranked["sum_before"] < ranked["total"] * Decimal(str(b_share))).to_numpy(dtype=bool)  # type: ignore[type-var]
    cls = np.where(positive & in_a, 0, np.where(positive & in_b, 1, 2))
    return cls, ranked["share_before"]


def _split_text(split, how: str) -> tuple[str, str]:
    value = num(split.value) if split is not None else "-"
    return f"{SPLIT_ZH[how]} {value}", f"{how} {value}"


def _quadrant(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """0 for first+second, 1 for first only, 2 for second only, 3 for neither."""
    return np.where(first, 0, 2) + np.where(second, 0, 1)


def _pick(labels: tuple[str, ...], pos: np.ndarray, assessed: np.ndarray, missing: str) -> np.ndarray:
    return np.where(assessed, np.asarray(labels, dtype=object)[pos], missing)


# ---- 1. sales volume x loyalty -------------------------------------------------------------
def sales_loyalty(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    fig: pd.DataFrame | None = None,
    explain: Explain = LANGS,
) -> Grading:
    m = rules.matrix
    measure = measure or "amount"
    if fig is None:  # (given: the figures of every group, as the monthly job computed them once)
        fig = figures.of_ledger(ledger, rules, as_of, figures.NEEDS["sales_loyalty"])
    ids = figures.population(fig, customers)
    volume = figures.measured(fig, ids, "matrix", measure)
    split = split_of(volume[volume > 0], m.volume_split)
    large = above(volume, split) & (volume > 0).to_numpy()
    loyalty = attribute(customers, ids, "loyalty")
    assessed = loyalty.notna().to_numpy()
    loyal = (loyalty >= round(m.loyal_min, 6)).to_numpy()
    pos = _quadrant(large, loyal)
    grades = _pick(m.loyalty_labels, pos, assessed, m.not_assessed_label)

    s_zh, s_en = _split_text(split, m.volume_split)
    name_zh, name_en = measures.NAMES_ZH[measure], measures.NAMES_EN[measure]
    zh, en = [], []
    volume_v, loyalty_v = volume.to_numpy(), loyalty.to_numpy()  # the loops read numpy scalars
    for i in range(len(ids) if explain else 0):  # the explanations, where asked for
        v = volume_v[i]
        if v <= 0:
            v_zh = f"近 {m.months} 个月{name_zh} {num(v)},无销售,为小"
            v_en = f"{name_en} {num(v)} in the last {m.months} months, no sales: small"
        else:
            op = ">" if large[i] else "≤"
            v_zh = f"近 {m.months} 个月{name_zh} {num(v)} {op} 有销售客户的{s_zh}"
            v_en = f"{name_en} {num(v)} in the last {m.months} months {op} {s_en} of customers with sales"
        g = grades[i]
        if not assessed[i]:
            zh.append(f"{g}:忠诚度未填写,无法评估({v_zh})")
            en.append(f"{g} ({m.not_assessed_label_en}): loyalty not entered ({v_en})")
            continue
        op = "≥" if loyal[i] else "<"
        zh.append(f"{g}:{v_zh},忠诚度 {num(loyalty_v[i])} {op} {num(m.loyal_min)}")
        en.append(f"{g} ({m.loyalty_labels_en[pos[i]]}): {v_en}, loyalty {num(loyalty_v[i])} {op} {num(m.loyal_min)}")
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        volume=volume,
        loyalty=loyalty,
        large=large,
        loyal=pd.array(_missing_where(assessed, loyal), dtype="boolean"),
    )
    return Grading(
        "sales_loyalty",
        frame,
        ("volume", "loyalty", "large", "loyal"),
        (*m.loyalty_labels, m.not_assessed_label),
        explain,
    )


# ---- 2. share of wallet x upcoming purchase -----------------------------------------------
def wallet(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    m = rules.matrix
    ids = frames.population(ledger, customers, as_of)
    share = attribute(customers, ids, "share_of_wallet")
    upcoming = attribute(customers, ids, "upcoming_purchase")
    split = split_of(upcoming, m.upcoming_split)
    high = (share >= round(m.share_high_min, 6)).to_numpy()
    large = above(upcoming, split)
    assessed = (share.notna() & upcoming.notna()).to_numpy()
    pos = _quadrant(high, large)
    grades = _pick(m.wallet_labels, pos, assessed, m.not_assessed_label)

    s_zh, s_en = _split_text(split, m.upcoming_split)
    zh, en = [], []
    share_v, upcoming_v = share.to_numpy(), upcoming.to_numpy()
    for i in range(len(ids) if explain else 0):  # the explanations, where asked for
        g, sh, up = grades[i], share_v[i], upcoming_v[i]
        if not assessed[i]:
            miss_zh = "、".join(w for w, gone in (("占有率", np.isnan(sh)), ("即将购买量", np.isnan(up))) if gone)
            miss_en = " and ".join(
                w for w, gone in (("share of wallet", np.isnan(sh)), ("upcoming purchase", np.isnan(up))) if gone
            )
            zh.append(f"{g}:{miss_zh}未填写,无法评估")
            en.append(f"{g} ({m.not_assessed_label_en}): {miss_en} not entered")
            continue
        h_op, l_op = ("≥" if high[i] else "<"), (">" if large[i] else "≤")
        zh.append(f"{g}:占有率 {pct(sh)} {h_op} {pct(m.share_high_min)},即将购买量 {num(up)} {l_op} {s_zh}")
        en.append(
            f"{g} ({m.wallet_labels_en[pos[i]]}): share of wallet {pct(sh)} {h_op} {pct(m.share_high_min)}, "
            f"upcoming purchase {num(up)} {l_op} {s_en}"
        )
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        share_of_wallet=share,
        upcoming_purchase=upcoming,
        high_share=pd.array(_missing_where(assessed, high), dtype="boolean"),
        large_upcoming=pd.array(_missing_where(assessed, large), dtype="boolean"),
    )
    return Grading(
        "wallet",
        frame,
        ("share_of_wallet", "upcoming_purchase", "high_share", "large_upcoming"),
        (*m.wallet_labels, m.not_assessed_label),
        explain,
    )


# ---- 3. value types MVC / MGC / BZC ---------------------------------------------------------
def value_type(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    fig: pd.DataFrame | None = None,
    explain: Explain = LANGS,
) -> Grading:
    m = rules.matrix
    if fig is None:  # (given: the figures of every group, as the monthly job computed them once)
        fig = figures.of_ledger(ledger, rules, as_of, figures.NEEDS["value_type"])
    ids = figures.population(fig, customers)
    profit = figures.on(fig, ids, "matrix_profit")
    sales_now = figures.on(fig, ids, "matrix_amount")
    sales_before = figures.on(fig, ids, "matrix_amount_before")
    growth = scorecard.growth_rate(sales_now, sales_before)

    negative = (profit < 0).to_numpy()
    cls, share_before = abc_classes(profit, m.mvc_share, m.mvc_share)
    mvc = cls == 0
    g = Fraction(str(m.mgc_growth))
    now_u, before_u = micro(sales_now), micro(sales_before)
    had = (sales_before > 0).to_numpy()
    grows = np.where(
        had, ((now_u - before_u) * g.denominator - before_u * g.numerator) >= 0, (sales_now > 0).to_numpy()
    ).astype(bool)
    pos = np.where(negative, 2, np.where(mvc, 0, np.where(grows, 1, 3)))
    grades = np.asarray(m.value_labels, dtype=object)[pos]

    zh, en = [], []
    profit_v, share_before_v, growth_v = profit.to_numpy(), share_before.to_numpy(), growth.to_numpy()
    now_v, before_v = sales_now.to_numpy(), sales_before.to_numpy()
    for i in range(len(ids) if explain else 0):  # the explanations, where asked for
        lab, p, sb = grades[i], profit_v[i], share_before_v[i]
        head_en = f"{lab} ({m.value_labels_en[pos[i]]})"
        if negative[i]:
            zh.append(f"{lab}:近 {m.months} 个月利润 {num(p)} < 0")
            en.append(f"{head_en}: profit {num(p)} in the last {m.months} months < 0")
            continue
        if mvc[i]:
            zh.append(f"{lab}:近 {m.months} 个月利润 {num(p)},利润更高的客户合计占 {pct(sb)} < {pct(m.mvc_share)}")
            en.append(
                f"{head_en}: profit {num(p)} in the last {m.months} months; customers with more profit "
                f"hold {pct(sb)}, < {pct(m.mvc_share)}"
            )
            continue
        if p > 0:
            p_zh = f"利润 {num(p)},利润更高的客户合计占 {pct(sb)} ≥ {pct(m.mvc_share)}"
            p_en = f"profit {num(p)}, customers with more profit hold {pct(sb)} ≥ {pct(m.mvc_share)}"
        else:
            p_zh, p_en = f"利润 {num(p)},无正利润", f"profit {num(p)}, none positive"
        now_s, before_s = num(now_v[i]), num(before_v[i])
        if had[i]:
            op = "≥" if grows[i] else "<"
            rate = growth_v[i]
            g_zh = (
                f"销售额增长 {'+' if rate >= 0 else ''}{pct(rate)} {op} {pct(m.mgc_growth)}"
                f"(近 {m.months} 个月 {now_s},之前 {before_s})"
            )
            g_en = (
                f"sales growth {'+' if rate >= 0 else ''}{pct(rate)} {op} {pct(m.mgc_growth)} "
                f"({now_s} in the last {m.months} months, {before_s} before)"
            )
        elif grows[i]:
            g_zh = f"之前 {m.months} 个月无销售、近 {m.months} 个月销售 {now_s},视为增长"
            g_en = f"no sales in the {m.months} months before, {now_s} now: counts as growth"
        else:
            g_zh = f"前后两期均无销售(近 {m.months} 个月 {now_s})"
            g_en = f"no sales in either period ({now_s} in the last {m.months} months)"
        zh.append(f"{lab}:近 {m.months} 个月{p_zh};{g_zh}")
        en.append(f"{head_en}: in the last {m.months} months {p_en}; {g_en}")
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        profit=profit,
        profit_share_before=share_before,
        sales_now=sales_now,
        sales_before=sales_before,
        sales_growth=growth,
    )
    v = m.value_labels
    return Grading(
        "value_type",
        frame,
        ("profit", "profit_share_before", "sales_now", "sales_before", "sales_growth"),
        (v[0], v[1], v[3], v[2]),
        explain,
    )


# ---- 4. deal stage ------------------------------------------------------------------------
def deal_stage(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    m = rules.matrix
    ids = frames.population(ledger, customers, as_of)
    lines = frames.upto(ledger, as_of)
    last = lines[lines["amount"] > 0].groupby("customer_id")["date"].max().reindex(ids)
    last = last.astype("datetime64[ns]")
    start = frames.window_start(as_of, m.months)
    assert start is not None  # the rule matrix.months is at least 1
    current = (last > start).to_numpy()
    known = last.notna().to_numpy()
    stage = np.where(current, 1, np.where(known, 0, 2))
    days_since = (as_of - last).dt.days.astype("float64")

    prob = attribute(customers, ids, "close_probability")
    mins = np.round(np.asarray(m.potential_min, dtype="float64"), 6)
    cls = (prob.to_numpy()[:, None] < mins[None, :]).sum(axis=1)
    has_class = (stage == 2) & prob.notna().to_numpy()
    potential = np.where(has_class, np.asarray(m.potential_labels, dtype=object)[cls], None)
    stages = np.asarray(m.stage_labels, dtype=object)[stage]
    grades = np.where(has_class, stages + " " + potential.astype(str), stages)  # type: ignore[attr-defined]

    day = as_of.date().isoformat()
    zh, en = [], []
    days_v, prob_v = days_since.to_numpy(), prob.to_numpy()
    for i in range(len(ids) if explain else 0):  # the explanations, where asked for
        g = grades[i]
        head_en = f"{g} ({m.stage_labels_en[stage[i]]})"
        if stage[i] != 2:
            when = pd.Timestamp(last.iat[i]).date().isoformat()  # type: ignore[arg-type]  # a datetime column
            n = int(days_v[i])
            if stage[i] == 1:
                zh.append(f"{g}:最近一次购买 {when}(距今 {n} 天),在近 {m.months} 个月内")
                en.append(f"{head_en}: last purchase {when} ({n} days ago), within the last {m.months} months")
            else:
                zh.append(f"{g}:最近一次购买 {when}(距今 {n} 天),早于近 {m.months} 个月")
                en.append(f"{head_en}: last purchase {when} ({n} days ago), before the last {m.months} months")
            continue
        p = prob_v[i]
        if np.isnan(p):
            zh.append(f"{g}:截至 {day} 尚无购买,成交可能性未填写,不分潜在等级")
            en.append(f"{head_en}: no purchase up to {day}; closing probability not entered, no class")
            continue
        k = cls[i]
        bound = f"≥ {pct(m.potential_min[k])}" if k < len(m.potential_min) else f"< {pct(m.potential_min[-1])}"
        zh.append(f"{g}:截至 {day} 尚无购买,成交可能性 {pct(p)} {bound},潜在等级 {potential[i]}")
        en.append(f"{head_en}: no purchase up to {day}; closing probability {pct(p)} {bound}, class {potential[i]}")
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        last_purchase=last,
        days_since=days_since,
        close_probability=prob,
        potential=pd.Series(potential, index=ids, dtype=object),
        stage=pd.Series(stage, index=ids, dtype="int64"),
    )
    s = m.stage_labels
    labels = (s[1], s[0], *(f"{s[2]} {c}" for c in m.potential_labels), s[2])
    return Grading(
        "deal_stage", frame, ("last_purchase", "days_since", "close_probability", "potential"), labels, explain
    )


# ---- 5. two-criteria 3x3 matrix -------------------------------------------------------------
def two_criteria(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    fig: pd.DataFrame | None = None,
    explain: Explain = LANGS,
) -> Grading:
    p, abc = rules.pareto, rules.abc.labels
    first_m, second_m = measure or "amount", rules.matrix.second_measure
    if fig is None:  # (given: the figures of every group, as the monthly job computed them once)
        fig = figures.of_ledger(ledger, rules, as_of, figures.NEEDS["two_criteria"])
    ids = figures.population(fig, customers)
    first = figures.measured(fig, ids, "pareto", first_m)
    second = figures.measured(fig, ids, "pareto", second_m)
    c1, sb1 = abc_classes(first, p.a_share, p.b_share)
    c2, sb2 = abc_classes(second, p.a_share, p.b_share)
    letters = np.asarray(abc, dtype=object)
    l1, l2 = letters[c1], letters[c2]
    grades = l1 + l2

    zh, en = [], []
    first_v, sb1_v, second_v, sb2_v = first.to_numpy(), sb1.to_numpy(), second.to_numpy(), sb2.to_numpy()
    for i in range(len(ids) if explain else 0):  # the explanations, where asked for
        z1, e1 = _abc_phrase(first_m, first_v[i], sb1_v[i], c1[i], l1[i], p)
        z2, e2 = _abc_phrase(second_m, second_v[i], sb2_v[i], c2[i], l2[i], p)
        zh.append(f"{grades[i]}:{z1};{z2}")
        en.append(f"{grades[i]}: {e1}; {e2}")
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        first_value=first,
        first_share_before=sb1,
        first_class=l1,
        second_value=second,
        second_share_before=sb2,
        second_class=l2,
    )
    return Grading(
        "two_criteria",
        frame,
        ("first_value", "first_share_before", "first_class", "second_value", "second_share_before", "second_class"),
        tuple(x + y for x in abc for y in abc),
        explain,
    )


def _abc_phrase(measure: str, v: float, sb: float, cls: int, letter: str, p) -> tuple[str, str]:
    v_zh, v_en = measures.zh(measure, v), measures.en(measure, v)
    if measure == "amount":
        v_en = f"amount {v_en}"
    if v <= 0:
        return f"{v_zh} ≤ 0,为 {letter} 类", f"{v_en} ≤ 0: {letter}"
    a, b = pct(p.a_share), pct(p.b_share)
    b_zh, b_en = (
        (f"< {a}", f"< {a}")
        if cls == 0
        else (f"≥ {a} 且 < {b}", f"≥ {a} and < {b}")
        if cls == 1
        else (f"≥ {b}", f"≥ {b}")
    )
    return (
        f"{v_zh},排在其前的客户合计占 {pct(sb)} {b_zh},为 {letter} 类",
        f"{v_en}, customers above hold {pct(sb)} {b_en}: {letter}",
    )
