"""figures rule 9: the fast figure query (millionths summed as DOUBLE) gives exactly the exact
query's figures wherever its bound holds, and the DuckDB engine falls back to the exact query
where it does not (a value with a decimal part, sums that could reach 2^53 millionths)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgrade.engine import RuleBook, figures, frames
from xlgrade.io import duckfigures
from xlgrade.io.duckfigures import DuckDBEngine
from xlgrade.io.engines import LedgerSource

duckdb = pytest.importorskip("duckdb")

AS_OF = pd.Timestamp("2026-06-30")
WHOLE = [100000.0, 0.1, 0.2, 1234.5, -500.0, 0.0, 99999.99, 1e-6, 7.000001, 3.9e9, -3.9e9, 123456.789012]
PART = [0.1 + 0.2, 1 / 3, 5e9]  # no whole number of millionths, or beyond the micro-units


@st.composite
def ledgers(draw, amounts: list[float]) -> pd.DataFrame:
    n = draw(st.integers(1, 20))
    days = [AS_OF + pd.Timedelta(days=draw(st.sampled_from(range(-800, 40, 11)))) for _ in range(n)]
    amount = [draw(st.sampled_from(amounts)) for _ in range(n)]
    paid = [draw(st.sampled_from([None, 0.5, 1.0])) for _ in range(n)]
    return frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": [draw(st.sampled_from(["C1", "C2", "C3"])) for _ in range(n)],
                "date": days,
                "amount": amount,
                "quantity": [draw(st.sampled_from([1.0, 2.5, -3.0])) for _ in range(n)],
                "profit": [draw(st.sampled_from([10.0, 0.25, -3.0])) for _ in range(n)],
                "due_date": [d + pd.Timedelta(days=30) for d in days],
                "paid_date": [None if p is None else d + pd.Timedelta(days=45) for p, d in zip(paid, days)],
                "paid_amount": [None if p is None else round(a * p, 2) for p, a in zip(paid, amount)],
            }
        )
    )


def _both(ledger: pd.DataFrame, rules: RuleBook) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    con = duckdb.connect()
    con.register("ledger", ledger)
    cols = list(ledger.columns)
    fast = con.execute(figures.figures_sql(rules, AS_OF, columns=cols, counted=True, fast=True)).df()
    exact = con.execute(figures.figures_sql(rules, AS_OF, columns=cols, counted=True)).df()
    con.close()
    return figures.fast_result(fast), exact


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=ledgers(WHOLE))
def test_where_the_bound_holds_the_fast_figures_are_the_exact_ones(ledger):
    fast, exact = _both(ledger, RuleBook())
    if fast is None:  # only where 3.9e9 lines bound a customer's sums by 2^52 millionths or more
        assert (ledger["amount"].abs() > 1e9).any()
        return
    pd.testing.assert_frame_equal(fast, exact, check_exact=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=ledgers(WHOLE + PART))
def test_a_value_with_a_decimal_part_refuses_the_fast_figures(ledger):
    fast, exact = _both(ledger, RuleBook())
    if ledger["amount"].isin(PART).any():
        assert fast is None
    elif fast is not None:
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)


@pytest.mark.parametrize(
    ("amounts", "queries"),
    [([100.0, 0.25, 7.000001], 1), ([100.0, 1 / 3], 2), ([3.9e9, 3.9e9], 2)],
)
def test_the_engine_runs_the_exact_query_only_where_the_fast_one_does_not_hold(tmp_path, monkeypatch, amounts, queries):
    frame = pd.DataFrame(
        {"customer_id": ["C1"] * len(amounts), "date": pd.to_datetime(["2026-03-05"] * len(amounts)), "amount": amounts}
    )
    path = tmp_path / "ledger.parquet"
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()
    ran: list[str] = []
    real = duckfigures.run

    def counted(con, sql, source, **kwargs):
        if "GROUP BY cid" in sql:
            ran.append(sql)
        return real(con, sql, source, **kwargs)

    monkeypatch.setattr(duckfigures, "run", counted)
    rules = RuleBook()
    _, fig = DuckDBEngine().scan(LedgerSource("parquet", str(path)), rules, AS_OF, ("threshold", "credit"))
    assert len(ran) == queries and figures.BOUND in ran[0]
    assert queries == 1 or figures.BOUND not in ran[1]
    assert figures.BOUND not in fig.columns
    expected = figures.of_frame(
        frames.prepare_ledger(frame), rules, AS_OF, ("threshold", "credit"), duckfigures.frame_sql
    )
    pd.testing.assert_frame_equal(fig, expected, check_exact=True)
