"""The frames the engine reads, and the slicing every method shares.

Rules of this module:

1. A *ledger* has one row per transaction line with at least ``customer_id`` (str),
   ``date`` (datetime64, midnight) and ``amount`` (float; negative = return). Optional
   columns are ``quantity``, ``profit``, ``paid_amount`` (float), ``sale_no`` (str or
   missing), ``due_date`` and ``paid_date`` (datetime64 or NaT). :func:`prepare_ledger`
   adds missing optional columns as all-missing, so methods never test for presence.
2. *Customers* has one row per ``customer_id`` and any attributes (``channel``, ``loyalty``,
   ``prospects``, ``manual_grade`` ...). It may be empty.
3. The graded population is every customer of the customers table plus every customer
   with a ledger line up to the as-of date: each gets exactly one row in every result.
4. Windows are ``(as_of - months, as_of]`` in calendar months; ``months = 0`` means all
   history up to and including the as-of date. Lines after the as-of date never count.
5. Orders are counted as distinct ``sale_no`` per customer where present, plus one per
   line without a ``sale_no``.
6. Per-customer totals are rounded to 6 decimals (a millionth of a yuan), so that sums of
   decimal amounts compare as people expect: six lines of 16,666.666666666668 make 100,000,
   which is not more than 100,000.

The grading methods and the window matrices read their per-customer figures from
:mod:`xlgrade.engine.figures`, which states rules 3-6 once, as SQL; so do the monthly job's
window totals (History, the summary) and the cards' trading facts (engine.activity), through
its ``report_`` and ``activity_`` figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NUMERIC = ("amount", "quantity", "profit", "paid_amount")
DATES = ("date", "due_date", "paid_date")
LEDGER_COLUMNS = ("customer_id", "sale_no", *DATES, *NUMERIC)
REQUIRED = ("customer_id", "date", "amount")
DECIMALS = 6


def prepare_ledger(ledger: pd.DataFrame) -> pd.DataFrame:
    """Return the ledger with every engine column present and typed (a new frame)."""
    missing = [c for c in REQUIRED if c not in ledger.columns]
    if missing:
        raise ValueError(f"ledger lacks required columns: {', '.join(missing)}")
    out = ledger.copy(deep=False)  # copy-on-write: the columns kept as they are are not copied
    out["customer_id"] = out["customer_id"].astype(str)
    for col in NUMERIC:
        out[col] = pd.to_numeric(out[col], errors="raise").astype("float64") if col in out else float("nan")
    for col in DATES:
        out[col] = (
            pd.to_datetime(out[col]).astype("datetime64[ns]").dt.normalize()
            if col in out
            else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        )
    if "sale_no" not in out:
        out["sale_no"] = pd.Series(None, index=out.index, dtype=object)
    return out


def prepare_customers(customers: pd.DataFrame | None) -> pd.DataFrame:
    """Customers indexed by ``customer_id`` (first row wins; duplicates are the reader's to report)."""
    if customers is None or len(customers) == 0:
        return pd.DataFrame(index=pd.Index([], name="customer_id", dtype=str))
    out = customers.copy()
    out["customer_id"] = out["customer_id"].astype(str)
    out = out.drop_duplicates("customer_id").set_index("customer_id")
    return out


def as_timestamp(as_of) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def upto(ledger: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    return ledger[ledger["date"] <= as_of]


def window_start(as_of: pd.Timestamp, months: int) -> pd.Timestamp | None:
    """Exclusive start of the window ending at ``as_of``; None for all history."""
    return None if months <= 0 else as_of - pd.DateOffset(months=months)


def window(ledger: pd.DataFrame, as_of: pd.Timestamp, months: int) -> pd.DataFrame:
    """Lines in ``(as_of - months, as_of]``; all lines up to ``as_of`` when months is 0."""
    start = window_start(as_of, months)
    dates = ledger["date"]
    mask = dates <= as_of
    if start is not None:
        mask &= dates > start
    return ledger[mask]


def population(ledger: pd.DataFrame, customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.Index:
    """Sorted customer ids to grade: the customers table plus everyone in the ledger up to as-of."""
    ids = pd.Index(upto(ledger, as_of)["customer_id"].unique()).union(customers.index)
    return pd.Index(sorted(ids.astype(str)), name="customer_id")


def on(ids: pd.Index, series: pd.Series, fill: float = 0.0) -> pd.Series:
    """``series`` aligned to the graded population, missing customers filled."""
    return series.reindex(ids).fillna(fill)


def count_table(rows: pd.Series, columns: pd.Series) -> pd.DataFrame:
    """How many entries hold each (row value, column value): ``pd.crosstab(rows, columns)``
    (aligned on the index, an entry missing either value not counted, the values sorted, a
    value with no count left out) by one ``np.bincount`` instead of a pivot table, whose cost
    grows with the rows (4,800 salespeople: most of the summary's time)."""
    if not columns.index.equals(rows.index):
        columns = columns.reindex(rows.index)
    r_codes, r_values = pd.factorize(rows, sort=True)
    c_codes, c_values = pd.factorize(columns, sort=True)
    keep = (r_codes >= 0) & (c_codes >= 0)
    width = len(c_values)
    flat = np.bincount(r_codes[keep] * width + c_codes[keep], minlength=len(r_values) * width)
    counts = flat.astype("int64").reshape(len(r_values), width)
    table = pd.DataFrame(
        counts, index=pd.Index(r_values, name=rows.name), columns=pd.Index(c_values, name=columns.name)
    )
    return table.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
