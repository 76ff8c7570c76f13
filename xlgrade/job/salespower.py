"""附表六 sales power and 附表七 comparison: amount per customer per calendar month.

Pure, like :mod:`xlgrade.job.derive` (whose helpers it uses). Rules of this module (rules 4
and 5 of derive's list, where they were first stated):

4. Sales power (附表六, :func:`sales_power`): amount per calendar month of ``year`` over
   lines dated up to as-of (returns negative); a month that has not begun by the as-of
   date is blank (NaN), an elapsed month without sales is 0; the month of the as-of date
   counts up to as-of. ``total`` = sum of the elapsed months (blank if none).
5. Comparison (附表七, :func:`comparison`): ``this`` as in rule 4; ``last`` = the same month
   of year - 1, where the month of the as-of date counts only up to the same day last year
   (the month end when as-of is a month end, so 29 Feb counts); months not yet begun show
   last year's full month with this / change / change % blank. ``total`` compares the
   same span: the elapsed months of both years. ``change`` = this - last; ``change_pct`` =
   change / last, NaN when last <= 0 (no base to compare with).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine import frames
from xlgrade.job.derive import MONTHS, _head, _ids, _timestamp
from xlgrade.schema.sheets import COMPARISON, SALES_POWER


# ---- sales power (附表六) and comparison (附表七) -------------------------------------------------
def _monthly(ledger: pd.DataFrame, ids: pd.Index, years: tuple[int, ...], end: pd.Timestamp) -> dict[int, pd.DataFrame]:
    """Amount per customer (rows ``ids``) per calendar month 1..12 of each of ``years``, over
    the lines dated up to ``end``; 0 where none. One grouping for every year: a group sums
    the same lines in the same order as grouping each year's lines alone would."""
    dates = ledger["date"]
    lines = ledger[dates.dt.year.isin(list(years)) & (dates <= end)]
    when = lines["date"].dt
    sums = lines.groupby([lines["customer_id"].astype(str), when.year, when.month])["amount"].sum()
    out = {}
    for year in years:
        mine = sums[sums.index.get_level_values(1) == year].droplevel(1)
        table = mine.unstack(fill_value=0.0) if len(mine) else pd.DataFrame(index=pd.Index([], dtype=str))
        out[year] = table.reindex(index=ids, columns=list(MONTHS), fill_value=0.0).fillna(0.0).round(frames.DECIMALS)
    return out


def _elapsed(year: int, as_of: pd.Timestamp) -> np.ndarray:
    """Months of ``year`` that have begun by the as-of date."""
    return np.array([pd.Timestamp(year, m, 1) <= as_of for m in MONTHS])


def same_day_last_year(as_of) -> pd.Timestamp:
    """as-of moved back one year; a month end stays a month end (2025-02-28 -> 2024-02-29)."""
    as_of = _timestamp(as_of)
    back = as_of - pd.DateOffset(years=1)
    return back + pd.offsets.MonthEnd(0) if as_of.is_month_end else back


def sales_tables(
    ledger: pd.DataFrame, customers: pd.DataFrame | None, grades: pd.Series, year: int, as_of
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """附表六 and 附表七 (rules 4 and 5) from one grouping of the two years' lines."""
    as_of = _timestamp(as_of)
    ids = _ids(grades)
    months = _monthly(ledger, ids, (year, year - 1), as_of)
    this, last_full = months[year], months[year - 1]
    head = _head(ids, customers, ledger, grades, year)
    return _sales_power(head, this, year, as_of), _comparison(ledger, head, ids, this, last_full, year, as_of)


def sales_power(
    ledger: pd.DataFrame, customers: pd.DataFrame | None, grades: pd.Series, year: int, as_of
) -> pd.DataFrame:
    """附表六: amount per month of ``year`` and the total, per graded customer (rule 4)."""
    return sales_tables(ledger, customers, grades, year, as_of)[0]


def comparison(
    ledger: pd.DataFrame, customers: pd.DataFrame | None, grades: pd.Series, year: int, as_of
) -> pd.DataFrame:
    """附表七: this year, last year, change and change % per month and in total (rule 5)."""
    return sales_tables(ledger, customers, grades, year, as_of)[1]


def _sales_power(head: pd.DataFrame, table: pd.DataFrame, year: int, as_of: pd.Timestamp) -> pd.DataFrame:
    elapsed = _elapsed(year, as_of)
    out = head.copy()
    for m, on in zip(MONTHS, elapsed):
        out[f"m{m}"] = table[m].to_numpy() if on else np.nan
    out["total"] = table.loc[:, elapsed].sum(axis=1).round(frames.DECIMALS).to_numpy() if elapsed.any() else np.nan
    return out[SALES_POWER.keys()]


def _change(this: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    change = np.round(this - last, frames.DECIMALS)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(last > 0, change / np.where(last > 0, last, 1.0), np.nan)
    return change, np.where(np.isnan(change), np.nan, pct)


def _comparison(
    ledger: pd.DataFrame,
    head: pd.DataFrame,
    ids: pd.Index,
    this: pd.DataFrame,
    last_full: pd.DataFrame,
    year: int,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    elapsed = _elapsed(year, as_of)
    last_full = last_full.copy()
    if year == as_of.year:
        month = ledger[ledger["date"].dt.month == as_of.month]  # the one month that is cut
        cut = _monthly(month, ids, (year - 1,), same_day_last_year(as_of))[year - 1]
        last_full[as_of.month] = cut[as_of.month]
    last_shown = _elapsed(year - 1, as_of)
    out = head.copy()
    for m, on, shown in zip(MONTHS, elapsed, last_shown):
        t = this[m].to_numpy() if on else np.full(len(ids), np.nan)
        last = last_full[m].to_numpy() if shown else np.full(len(ids), np.nan)
        change, pct = _change(t, last)
        out[f"m{m}_this"], out[f"m{m}_last"], out[f"m{m}_change"], out[f"m{m}_change_pct"] = t, last, change, pct
    if elapsed.any():
        t = this.loc[:, elapsed].sum(axis=1).round(frames.DECIMALS).to_numpy()
        last = last_full.loc[:, elapsed].sum(axis=1).round(frames.DECIMALS).to_numpy()
    else:
        t = last = np.full(len(ids), np.nan)
    change, pct = _change(t, last)
    out["total_this"], out["total_last"], out["total_change"], out["total_change_pct"] = t, last, change, pct
    return out[COMPARISON.keys()]
