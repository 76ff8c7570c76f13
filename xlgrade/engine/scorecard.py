"""The 100-point scorecard (docs/rules.md §3.3 Scorecard; seed 001 天成医药) and its five levels.

Per customer, as of the as-of date, with ``months`` = 12 by default:

- units: average monthly units = quantity over the trailing ``months`` / ``months``;
  points = the first step of ``units_min`` it reaches (>=), else 0.
- growth: g = (amount now - amount before) / amount before, "now" being the trailing
  window and "before" the same length just before it. Points are linear between the
  ``growth_breaks`` / ``growth_points`` pairs, capped at the last point, 0 below the first
  break. With no (or net negative) sales before but positive sales now: ``new_growth_points``.
- channel, loyalty, prospects: scores 0-10 entered by staff, scaled to their points.
  A missing score counts 0 (a score outside 0-10 is refused by the reader, not here).

Level: the first ``level_min`` the total reaches (>=), else the last label. Totals are
rounded to 6 decimals before the comparison so 90 means 90.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine import figures, frames
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import RuleBook, ScorecardRules
from xlgrade.engine.text import num, nums, pcts

ENTERED = ("channel", "loyalty", "prospects")
ENTERED_ZH = {"channel": "渠道", "loyalty": "忠诚度", "prospects": "前景"}


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
        figures.of_ledger(ledger, rules, as_of, figures.NEEDS["scorecard"]), customers, rules, as_of, explain=explain
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
    """Grade the figures ``fig`` (``scorecard_*``, indexed by customer_id) and the entered scores."""
    s = rules.scorecard
    ids = figures.population(fig, customers)
    units = (figures.on(fig, ids, "scorecard_quantity") / s.months).round(frames.DECIMALS)
    sales_now = figures.on(fig, ids, "scorecard_amount")
    sales_before = figures.on(fig, ids, "scorecard_amount_before")

    units_pts = step_points(units, s.units_min, s.units_points)
    growth = growth_rate(sales_now, sales_before)
    growth_pts = growth_points(growth, sales_now, sales_before, s)
    entered = {}
    for key in ENTERED:
        raw = customers[key] if key in customers.columns else pd.Series(dtype="float64")
        score = pd.to_numeric(raw, errors="coerce").reindex(ids).fillna(0.0).clip(0, 10)
        entered[key] = score * getattr(s, f"{key}_points") / 10.0
    total = (units_pts + growth_pts + sum(entered.values())).round(frames.DECIMALS)
    levels = level_of(total, s)
    zh, en = _explanations(levels, total, units, units_pts, growth, growth_pts, entered, s, explain)
    frame = make_frame(
        ids,
        levels,
        *only(explain, zh, en),
        score=total,
        avg_monthly_units=units,
        units_points=units_pts,
        sales_growth=growth,
        growth_points=growth_pts.round(frames.DECIMALS),
        channel_points=entered["channel"],
        loyalty_points=entered["loyalty"],
        prospects_points=entered["prospects"],
    )
    names = (
        "score",
        "avg_monthly_units",
        "units_points",
        "sales_growth",
        "growth_points",
        "channel_points",
        "loyalty_points",
        "prospects_points",
    )
    return Grading("scorecard", frame, names, s.level_labels, explain)


def step_points(values: pd.Series, minimums: tuple[float, ...], points: tuple[float, ...]) -> pd.Series:
    """Points of the first step (highest minimum first) that ``values`` reach, else 0."""
    out = np.zeros(len(values))
    reached = np.zeros(len(values), dtype=bool)
    for low, pts in zip(minimums, points):
        hit = (values.to_numpy() >= low) & ~reached
        out[hit] = pts
        reached |= hit
    return pd.Series(out, index=values.index)


def growth_rate(now: pd.Series, before: pd.Series) -> pd.Series:
    """(now - before) / before, NaN where before <= 0 (growth undefined)."""
    rate = (now - before) / before.where(before > 0)
    return rate.astype("float64")


def growth_points(rate: pd.Series, now: pd.Series, before: pd.Series, s: ScorecardRules) -> pd.Series:
    breaks, pts = np.asarray(s.growth_breaks, float), np.asarray(s.growth_points, float)
    r = rate.to_numpy()
    value = np.interp(np.nan_to_num(r, nan=-np.inf), breaks, pts, left=np.nan, right=pts[-1])
    value = np.where(r < breaks[0], 0.0, value)
    new = (before.to_numpy() <= 0) & (now.to_numpy() > 0)
    value = np.where(np.isnan(r), np.where(new, s.new_growth_points, 0.0), value)
    return pd.Series(value, index=rate.index)


def level_of(total: pd.Series, s: ScorecardRules) -> list[str]:
    out = []
    for t in total:
        for low, label in zip(s.level_min, s.level_labels):
            if t >= low:
                out.append(label)
                break
        else:
            out.append(s.level_labels[-1])
    return out


def _explanations(levels, total, units, units_pts, growth, growth_pts, entered, s, explain) -> tuple[list, list]:
    """The (zh, en) explanation of every customer's level, a column at a time: each figure
    formatted once per distinct value (:func:`nums`), a language not in ``explain`` not built."""
    total_t, units_t, units_pts_t, growth_pts_t = (nums(x) for x in (total, units, units_pts, growth_pts))
    growth_v, growth_pts_v = growth.to_numpy(dtype="float64"), growth_pts.to_numpy(dtype="float64")
    no_growth = np.isnan(growth_v)
    earlier = (growth_pts_v > 0).tolist()
    signed = [
        "" if missing else f"{'+' if g >= 0 else ''}{t}"
        for missing, g, t in zip(no_growth.tolist(), growth_v.tolist(), pcts(growth_v, 1))
    ]
    levels = list(levels)
    totals = total.to_numpy(dtype="float64")
    bounds_t = [f"≥ {num(low)}" for low in s.level_min] + [f"< {num(s.level_min[-1])}"]
    # the first level whose minimum the total reaches (level_min falls), else past the last
    reached = np.full(len(totals), len(s.level_min))
    for k in range(len(s.level_min) - 1, -1, -1):
        reached[totals >= s.level_min[k]] = k
    bound = [bounds_t[k] for k in reached.tolist()]
    entered_t = {k: nums(v) for k, v in entered.items()}
    rows = list(zip(levels, total_t, bound, units_t, units_pts_t, no_growth.tolist(), earlier, signed, growth_pts_t))
    zh: list[str] = []
    en: list[str] = []
    if "zh" in explain:
        ent = [
            " + ".join(parts)
            for parts in zip(*([f"{ENTERED_ZH[k]} {t}" for t in texts] for k, texts in entered_t.items()))
        ]
        zh = [
            f"{lv}:{tt} 分 {bd} = 月均销售 {ut} 件 {upt} 分"
            f" + 增长 {(('上期无销售' if er else '无增长') if ng else sg)} {gpt} 分 + {et}"
            for (lv, tt, bd, ut, upt, ng, er, sg, gpt), et in zip(rows, ent)
        ]
    if "en" in explain:
        ent = [" + ".join(parts) for parts in zip(*([f"{k} {t}" for t in texts] for k, texts in entered_t.items()))]
        label_en = {lv: s.level_labels_en[s.level_labels.index(lv)] for lv in set(levels)}
        en = [
            f"{lv} ({label_en[lv]}): {tt} points {bd} = {ut} units/month {upt}"
            f" + growth {(('no earlier sales' if er else 'no growth') if ng else sg)} {gpt} + {et}"
            for (lv, tt, bd, ut, upt, ng, er, sg, gpt), et in zip(rows, ent)
        ]
    return zh, en
