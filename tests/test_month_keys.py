"""months.month_keys reads each distinct month cell once and gives what month_key gives each."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from xlgrade.job.months import month_key, month_keys

CELLS = [
    "2026-10",
    "2026/9",
    "２０２６年１０月",
    "2026-13",
    "2026.07 ",
    " 2026-10",
    "",
    "Oct",
    pd.Timestamp("2026-10-31"),
    dt.date(2025, 1, 2),
    dt.datetime(2026, 10, 1, 8),
    pd.Period("2026-10", "M"),
    pd.Period("2026-10-05", "D"),
    None,
    np.nan,
    pd.NaT,
    202610,
    2026.1,
    True,
]


@pytest.mark.parametrize("seed", range(12))
def test_month_keys_is_month_key_of_each(seed: int) -> None:
    rng = random.Random(seed)
    values = pd.Series([rng.choice(CELLS) for _ in range(rng.randint(0, 40))], dtype=object)
    values.index = values.index * 3 + 7  # any index: kept
    got = month_keys(values)
    assert got.index.equals(values.index) and got.dtype == object
    assert got.tolist() == [month_key(v) for v in values]  # None where unreadable (Series.map gives NaN)


def test_month_keys_of_typed_columns() -> None:
    dates = pd.Series(pd.to_datetime(["2026-10-31", None, "2025-02-01"]))
    periods = pd.Series(pd.period_range("2026-01", periods=3, freq="M"))
    for values in (dates, periods):
        assert month_keys(values).tolist() == [month_key(v) for v in values]


def test_history_with_unreadable_months_is_stored_with_them_last() -> None:
    """History rows whose month cannot be read form one run, last (historysheet._runs): the
    month keys are None for them, never NaN (which compared with a month text raised)."""
    from xlgrade.workbook import historysheet

    frame = pd.DataFrame({"month": ["2026-09", "2026/10", "bad", np.nan, None]})
    assert historysheet._runs(frame) == [("2026-09", 0, 1), ("2026-10", 1, 2), (None, 2, 5)]
    assert historysheet._runs(pd.DataFrame({"month": ["bad", "2026-10"]})) is None  # unreadable first: not grouped


def test_merging_keeps_the_unreadable_rows_of_before() -> None:
    from xlgrade.job.history import merge_history
    from xlgrade.schema.sheets import HISTORY

    base = {k: None for k in HISTORY.keys()}
    before = pd.DataFrame(
        [{**base, "month": "bad", "customer_id": "C1"}, {**base, "month": "2026-10", "customer_id": "C2"}]
    )
    now = pd.DataFrame([{**base, "month": "2026-10", "customer_id": "C3"}])
    merged = merge_history(before, now)
    assert merged["customer_id"].tolist() == ["C3", "C1"] and merged["month"].tolist() == ["2026-10", "bad"]
