"""frames.count_table counts exactly what pd.crosstab counts (the summary's and staffing's tables)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from xlgrade.engine.frames import count_table


@pytest.mark.parametrize("seed", range(40))
def test_count_table_is_crosstab(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    ids = [f"c{i}" for i in range(n)]
    rows = pd.Series([rng.choice(["王", "李", "B", None, "a"]) for _ in ids], index=ids, name="salesperson")
    cols = pd.Series([rng.choice(["A", "B", "C", np.nan, "VIP"]) for _ in ids], index=ids, name="grade")
    if seed % 3 == 0:  # the other side in another order, or with customers this side lacks
        cols = cols.sample(frac=1.0, random_state=seed)
    if seed % 5 == 0:
        cols = pd.concat([cols, pd.Series(["A"], index=["extra"])]).rename("grade")
    if not (rows.notna().to_numpy() & cols.reindex(rows.index).notna().to_numpy()).any():
        return  # pd.crosstab of nothing raises; count_table gives an empty table
    expected = pd.crosstab(rows, cols)
    got = count_table(rows, cols)
    pd.testing.assert_frame_equal(got, expected, check_names=True)


def test_count_table_of_nothing() -> None:
    empty = count_table(pd.Series([], dtype=object, name="r"), pd.Series([], dtype=object, name="c"))
    assert empty.shape == (0, 0)
