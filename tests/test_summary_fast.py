"""The summary's blocks built column-wise (xlgrade.job.summary) against the ways they replaced:
the Pareto rows from whole millionths against pareto.rank_values and 60-digit decimals, row by
row; values compared with their types (an int is not a float, -0.0 is not 0.0)."""

from __future__ import annotations

import math
import random
from typing import Any

import pandas as pd
import pytest

from xlgrade.job import summary


def same(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` equal all the way down, each value of the same type (floats by repr)."""
    assert type(a) is type(b), f"{where}: {a!r} vs {b!r}"
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert repr(a) == repr(b) or (math.isnan(a) and math.isnan(b)), f"{where}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def _values(rng: random.Random, n: int, sort_ids: bool) -> pd.Series:
    pool = [round(rng.uniform(-50, 5000), rng.choice([0, 2, 6])) for _ in range(max(n // 3, 1))]
    pool += [0.0, -0.0, 0.000001, 1e-6 * 3, 999_999_999.999999, 123456789.123457, 0.1, 0.2, 0.3]
    values = [rng.choice(pool) for _ in range(n)]  # ties: equal values share a rank
    ids = [f"K{rng.randrange(10**6):06d}{i}" for i in range(n)]
    if sort_ids:
        ids.sort()
    return pd.Series(values, index=pd.Index(ids, name="customer_id"), dtype="float64").round(6)


@pytest.mark.parametrize("seed", range(12))
def test_pareto_rows_from_millionths_are_the_decimal_ones(seed):
    rng = random.Random(seed)
    values = _values(rng, rng.choice([1, 2, 5, 40, 700]), sort_ids=seed % 3 != 0)
    names = {cid: rng.choice([f"公司{cid}", "", None, float("nan")]) for cid in values.index}
    grades = {cid: rng.choice(["A", "B", "C"]) for cid in values.index}
    for a_share in (0.8, 0.95, 0.0, 1.0, 1.5, 1 / 3):
        fast = summary._pareto_rows(values, names, grades, a_share)
        slow = summary._pareto_rows_decimal(values, names, grades, a_share)
        same(fast, slow, f"seed {seed} a_share {a_share}")


def test_pareto_rows_without_a_positive_value_are_none():
    values = pd.Series([0.0, -3.5, -0.0], index=["a", "b", "c"])
    assert summary._pareto_rows(values, {}, {}, 0.8) is None
    assert summary._pareto_rows(values[:0], {}, {}, 0.8) is None
    assert summary._pareto_rows_decimal(values, {}, {}, 0.8) is None


def test_a_total_of_2_62_millionths_or_more_takes_the_decimal_rows(monkeypatch):
    values = pd.Series([4.7e12, 1e9 + 0.5, 3.0], index=["a", "b", "c"])  # 4.7e18 millionths > 2**62
    names, grades = dict.fromkeys(values.index, "x"), dict.fromkeys(values.index, "A")
    want = summary._pareto_rows_decimal(values, names, grades, 0.8)
    calls = []
    decimal_rows = summary._pareto_rows_decimal
    monkeypatch.setattr(summary, "_pareto_rows_decimal", lambda *a: calls.append(1) or decimal_rows(*a))
    same(summary._pareto_rows(values, names, grades, 0.8), want)
    assert calls == [1]
    same(summary._pareto_rows(values / 10, names, grades, 0.8), decimal_rows(values / 10, names, grades, 0.8))
    assert calls == [1]  # 4.7e17 millionths: from the millionths


def test_the_summary_ranks_its_own_values_without_the_engine(monkeypatch):
    """The Pareto block ranks the values it shows itself: no ranking is taken from the engine
    (whose module kept the last rankings for it to find), and the rows are the decimal ones."""
    from test_summary import _book

    want = _book("zh")[0].block("pareto")

    def ranked(values):
        raise AssertionError("the summary asked the engine for a ranking")

    monkeypatch.setattr(summary, "rank_values", ranked)
    block = _book("zh")[0].block("pareto")
    same((block.rows, block.total, block.note), (want.rows, want.total, want.note))
    assert [r[1] for r in block.rows] == ["K1", "K2", "K3"]
