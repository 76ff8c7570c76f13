"""A customer's trading facts for the record cards (seed 004 客户(组织)资料卡 / 客户(个人)资料卡:
日销金额, 订购商品 / 购买商品, 交易日期 / 购买日期, 收款日期, 营业状况).

Rules of this module (the parameters are the rule book's ``activity`` section):

- Only ledger lines dated on or before the as-of date count. The window is the trailing
  ``activity.months`` calendar months, ``(as_of - N months, as_of]`` (frames.window); the
  period before it is the N months just before the window.
- ``last_order_date``: the latest ``date`` of a line with amount > 0 (a return is not an
  order); NaT when there is none.
- ``last_paid_date``: the latest ``paid_date`` on or before the as-of date; NaT when none.
- ``daily_sales``: the window's amount (returns included) / the days in the window (the
  calendar days of ``(as_of - N months, as_of]``); 0 with no line in the window.
- ``products``: the distinct non-blank ``product`` names of the window's lines, by amount
  (largest first; ties by name); an empty tuple when there are none.
- ``trend`` (营业状况), with now = the window's amount and before = the previous period's:
  ``new`` if now > 0 and before <= 0; if both > 0, growth g = now / before - 1:
  ``growing`` if g > trend_change, ``declining`` if g < -trend_change (strict, as 超过),
  else ``steady``; if now <= 0: ``stopped`` when the customer has a line with amount > 0
  before the window, else ``none``. :data:`TRENDS` is the order of ``activity.labels``.

Money is rounded to 6 decimals before any comparison, as everywhere in the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine import figures, frames
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import in_lang

DECIMALS = 6
TRENDS = ("growing", "steady", "declining", "new", "stopped", "none")


def evaluate(
    ledger: pd.DataFrame, ids: pd.Index, rules: RuleBook, as_of: pd.Timestamp, fig: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The trading facts of every customer in ``ids`` (see the module rules), indexed by ``ids``.

    The amounts, the latest dates and the sales before the window are the ``activity_``
    figures of :mod:`xlgrade.engine.figures` (``fig``: the ledger's figures frame when the
    caller has it, else computed); only the product lists are read from the lines here.
    """
    a = rules.activity
    as_of = frames.as_timestamp(as_of)
    if fig is None:
        fig = figures.of_ledger(ledger, rules, as_of, ("activity",))
    start = frames.window_start(as_of, a.months)
    assert start is not None  # activity.months is at least 1
    now = figures.on(fig, ids, "activity_amount")
    before = figures.on(fig, ids, "activity_amount_before")
    days = (as_of - start).days
    earlier = figures.on(fig, ids, "activity_sold_before").to_numpy() > 0
    lines = frames.window(ledger, as_of, a.months)
    return pd.DataFrame(
        {
            "last_order_date": _day_before(as_of, figures.on(fig, ids, "activity_last_order", None)),
            "last_paid_date": _day_before(as_of, figures.on(fig, ids, "activity_last_paid", None)),
            "daily_sales": (now / days).round(DECIMALS),
            "products": _products(lines, ids),
            "trend": _trend(now, before, earlier, a.trend_change),
        },
        index=ids,
    )


def _day_before(as_of: pd.Timestamp, days: pd.Series) -> pd.Series:
    """The date ``days`` whole days before the as-of date (NaT where days is missing)."""
    return (as_of - pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")


def _products(lines: pd.DataFrame, ids: pd.Index) -> pd.Series:
    empty: tuple[str, ...] = ()
    if "product" not in lines or len(lines) == 0:
        return pd.Series([empty] * len(ids), index=ids, dtype=object)
    names = lines["product"].astype(object).where(lines["product"].notna(), "").astype(str).str.strip()
    named = lines.assign(product=names)[names != ""]
    sums = named.groupby(["customer_id", "product"])["amount"].sum().round(DECIMALS).reset_index()
    sums = sums.sort_values(["customer_id", "amount", "product"], ascending=[True, False, True])
    cid, product = sums["customer_id"].to_numpy(dtype=object), sums["product"].to_numpy(dtype=object)
    firsts = np.flatnonzero(np.r_[True, cid[1:] != cid[:-1]]) if len(cid) else np.array([], dtype="int64")
    listed = dict(zip(cid[firsts], (tuple(p) for p in np.split(product, firsts[1:]))))
    return pd.Series([listed.get(c, empty) for c in ids], index=ids, dtype=object)


def _trend(now: pd.Series, before: pd.Series, earlier: np.ndarray, change: float) -> np.ndarray:
    n, b = now.to_numpy(), before.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.round(np.where(b > 0, n / np.where(b > 0, b, 1.0) - 1.0, np.nan), DECIMALS)
    conditions = [
        (n > 0) & (b <= 0),
        (n > 0) & (growth > change),
        (n > 0) & (growth < -change),
        n > 0,
        earlier,
    ]
    return np.select(conditions, ["new", "growing", "declining", "steady", "stopped"], default="none").astype(object)


def trend_label(trend: str, rules: RuleBook, lang: str) -> str:
    """The rule book's label of a trend code in ``lang``."""
    a = rules.activity
    return in_lang(lang, a.labels, a.labels_en)[TRENDS.index(trend)]
