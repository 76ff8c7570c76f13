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
def _monthly(lines: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """Amount per customer (rows ``ids``) per calendar month 1..12 of ``lines``; 0 where none."""
    sums = lines.groupby([lines["customer_id"].astype(str), lines["date"].dt.month])["amount"].sum()
    # pandas-stubs: unstack's fill_value may be any scalar at run time
    table = sums.unstack(fill_value=0.0) if len(sums) else pd.DataFrame(index=pd.Index([], dtype=str))  # type: ignore[arg-type]
    return table.reindex(index=ids, columns=list(MONTHS), fill_value=0.0).fillna(0.0).round(frames.DECIMALS)


def _year_lines(ledger: pd.DataFrame, year: int, end: pd.Timestamp) -> pd.DataFrame:
    dates = ledger["date"]
    return ledger[(dates.dt.year == year) & (dates <= end)]


def _elapsed(year: int, as_of: pd.Timestamp) -> np.ndarray:
    """Months of ``year`` that have begun by the as-of date."""
    return np.array([pd.Timestamp(year, m, 1) <= as_of for m in MONTHS])


def same_day_last_year(as_of) -> pd.Timestamp:
    """as-of moved back one year; a month end stays a month end (2025-02-28 -> 2024-02-29)."""
    as_of = _timestamp(as_of)
    back = as_of - pd.DateOffset(years=1)
    return back + pd.offsets.MonthEnd(0) if as_of.is_month_end else back


def sales_power(
    ledger: pd.DataFrame, customers: pd.DataFrame | None, grades: pd.Series, year: int, as_of
) -> pd.DataFrame:
    """附表六: amount per month of ``year`` and the total, per graded customer (rule 4)."""
    as_of = _timestamp(as_of)
    ids = _ids(grades)
    table = _monthly(_year_lines(ledger, year, as_of), ids)
    elapsed = _elapsed(year, as_of)
    out = _head(ids, customers, ledger, grades, year)
    for m, on in zip(MONTHS, elapsed):
        out[f"m{m}"] = table[m].to_numpy() if on else np.nan
    out["total"] = table.loc[:, elapsed].sum(axis=1).round(frames.DECIMALS).to_numpy() if elapsed.any() else np.nan
    return out[SALES_POWER.keys()]


def _change(this: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    change = np.round(this - last, frames.DECIMALS)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(last > 0, change / np.where(last > 0, last, 1.0), np.nan)
    return change, np.where(np.isnan(change), np.nan, pct)


def comparison(
    ledger: pd.DataFrame, customers: pd.DataFrame | None, grades: pd.Series, year: int, as_of
) -> pd.DataFrame:
    """附表七: this year, last year, change and change % per month and in total (rule 5)."""
    as_of = _timestamp(as_of)
    ids = _ids(grades)
    elapsed = _elapsed(year, as_of)
    this = _monthly(_year_lines(ledger, year, as_of), ids)
    last_full = _monthly(_year_lines(ledger, year - 1, as_of), ids)
    if year == as_of.year:
        cut = _monthly(_year_lines(ledger, year - 1, same_day_last_year(as_of)), ids)
        last_full[as_of.month] = cut[as_of.month]
    last_shown = _elapsed(year - 1, as_of)
    out = _head(ids, customers, ledger, grades, year)
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
