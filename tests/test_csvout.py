"""``csv_text`` writes what ``to_csv`` of the escaped frame writes, without ``to_csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlgrade import csvout
from xlgrade.csvout import BOM, csv_text, safe_frame

texts = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab,\"\n\r\t =+-@'中文 ;")), max_size=8),
    st.none(),
    st.just(float("nan")),
)
floats = st.floats(allow_nan=True, allow_infinity=True)


def reference(frame: pd.DataFrame) -> str:
    return BOM + safe_frame(frame).to_csv(index=False, lineterminator="\n")


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(min_value=0, max_value=6), st.sampled_from([2, 3, 10_000]))
def test_csv_text_is_to_csv_without_it(data: st.DataObject, n: int, chunk: int) -> None:
    frame = pd.DataFrame(
        {
            "=id": data.draw(st.lists(st.text(alphabet="KH0-=,", max_size=4), min_size=n, max_size=n)),
            "text": pd.Series(data.draw(st.lists(texts, min_size=n, max_size=n)), dtype=object),
            "x": np.array(data.draw(st.lists(floats, min_size=n, max_size=n)), dtype="float64"),
            "n": np.arange(n, dtype="int64") - 2,
            "rank": pd.array(
                data.draw(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=n, max_size=n)), dtype="Int64"
            ),
            "flag": np.arange(n) % 2 == 0,
            "str": pd.Series(
                data.draw(st.lists(st.text(alphabet='x,"', max_size=3), min_size=n, max_size=n)), dtype="str"
            ),
        }
    )
    expected = reference(frame)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pd.DataFrame, "to_csv", lambda *a, **k: pytest.fail("went through to_csv"))
        patch.setattr(csvout, "CHUNK", chunk)  # rows in chunks of 2 and 3 too
        assert csv_text(frame) == expected


def test_other_columns_and_one_column_frames_go_through_to_csv() -> None:
    dated = pd.DataFrame({"d": pd.to_datetime(["2026-01-02", None]), "x": [1.5, 2.0]})
    single = pd.DataFrame({"t": ["", "a,b"]})
    for frame in (dated, single):
        assert csv_text(frame) == reference(frame)
    assert csv_text(single) == BOM + 't\n""\n"a,b"\n'
