"""Column-wise explanation formatting (``nums``, ``pcts``) is ``num`` / ``pct`` of each value."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from xlgrade.cells.text import num, nums, pct, pcts

values = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=-1e7, max_value=1e7).map(lambda x: round(x, 3)),
        st.sampled_from([0.0, -0.0, 0.005, -0.005, 0.0049, 1e16, 2.5, -1234567.891]),
    ),
    max_size=40,
)


@given(values, st.integers(min_value=0, max_value=6))
def test_nums_and_pcts_are_num_and_pct_of_each_value(xs: list[float], decimals: int) -> None:
    assert nums(xs, decimals) == [num(x, decimals) for x in xs]
    assert pcts(xs, decimals) == [pct(x, decimals) for x in xs]
    array = np.array(xs, dtype="float64")  # numpy scalars are formatted as the floats they are
    assert nums(array, decimals) == [num(x, decimals) for x in xs]


def test_values_format_cannot_take_go_one_by_one() -> None:
    mixed = [None, 3, math.nan, -0.0, 1.5, None]
    assert nums(mixed) == ["-", "3", "-", "0", "1.5", "-"]
    assert pcts(mixed) == ["-", "300%", "-", "0%", "150%", "-"]
