"""pandas = DuckDB = Spark: on the random ledgers of tests/test_figures_engines.py, Spark (local
mode) gives the figures of the workbook path (DuckDB over the in-memory frame) after rounding
to 6 decimals, and every method the same grades and explanations.

Each Spark query costs seconds (a JVM job), so the ledgers go to Spark in batches: one
example is several random ledgers, each customer id prefixed with its ledger's number
(figures are per customer, so the union's figures are the figures of each ledger side by
side), sent once as a frame or as Parquet; then each ledger's rows are compared with the
workbook path's figures of that ledger alone, and graded. Without pyspark or Java the test
skips, and under CI=true it fails (the ``spark`` fixture).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_figures_engines import AS_OF, CUSTOMERS, _rounded, ledgers

from xlgrade.engine import METHODS, RuleBook, figures, frames, grade
from xlgrade.io.duckfigures import figures_of_frame
from xlgrade.io.engines import LedgerSource
from xlgrade.io.sparkfigures import SparkEngine

SEP = ":"


def _batch(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(
        [p.assign(customer_id=f"L{i}{SEP}" + p["customer_id"]) for i, p in enumerate(parts)], ignore_index=True
    )


def _part(fig: pd.DataFrame, i: int) -> pd.DataFrame:
    """Ledger ``i``'s rows of the batch's figures, under their own customer ids."""
    prefix = f"L{i}{SEP}"
    rows = fig[fig["customer_id"].str.startswith(prefix)].reset_index(drop=True)
    return rows.assign(customer_id=rows["customer_id"].str.slice(len(prefix)))


def _parquet(ledger: pd.DataFrame, folder) -> LedgerSource:
    """The lines as a Parquet file as an export writes it: dates as DATE (Spark reads no nanoseconds)."""
    import duckdb

    path = folder / "ledger.parquet"
    con = duckdb.connect()
    con.register("frame", ledger)
    dates = ", ".join(f'CAST("{c}" AS DATE) AS "{c}"' for c in frames.DATES)
    con.execute(f"COPY (SELECT * REPLACE ({dates}) FROM frame) TO '{path}' (FORMAT parquet)")
    con.close()
    return LedgerSource("parquet", str(path))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(ledgers(), min_size=2, max_size=6),
    window=st.sampled_from([0, 3, 12]),
    kind=st.sampled_from(["frame", "parquet"]),
)
def test_spark_gives_the_figures_and_grades_of_the_workbook_path(spark, tmp_path_factory, parts, window, kind):
    rules = RuleBook().updated({"threshold.window_months": window, "rfm.months": max(window, 1)})
    batch = _batch(parts)
    source = LedgerSource("frame", frame=batch) if kind == "frame" else _parquet(batch, tmp_path_factory.mktemp("pq"))
    got = SparkEngine(spark).figures(source, rules, AS_OF)
    assert list(got.columns) == list(figures.figure_columns(rules))  # dtypes: assert_frame_equal below
    for i, ledger in enumerate(parts):
        want = figures_of_frame(ledger, rules, AS_OF)
        mine = _part(got, i)
        pd.testing.assert_frame_equal(_rounded(mine), _rounded(want), obj=f"figures of ledger {i} ({kind})")
        for method in METHODS:
            spark_grades = grade(method, figures=mine, customers=CUSTOMERS, rules=rules, as_of=AS_OF).frame
            duck_grades = grade(method, figures=want, customers=CUSTOMERS, rules=rules, as_of=AS_OF).frame
            pd.testing.assert_frame_equal(spark_grades, duck_grades, obj=f"{method} of ledger {i} ({kind})")
