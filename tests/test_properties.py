"""Properties every method must keep, whatever the ledger (hypothesis)."""

from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgrade.engine import METHODS, RuleBook, grade, pareto

AS_OF = pd.Timestamp("2026-06-30")
START = pd.Timestamp("2024-01-01")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

line = st.tuples(
    st.integers(0, 7),  # customer
    st.integers(0, 950),  # day offset (some after the as-of date)
    st.integers(-20_000, 300_000),  # amount, returns included
    st.integers(0, 40),  # quantity
    st.integers(-5_000, 60_000),  # profit
    st.one_of(st.none(), st.integers(0, 120)),  # days until paid, or unpaid
)


def build(rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.DataFrame(rows, columns=["c", "day", "amount", "quantity", "profit", "paid_after"])
    ledger = pd.DataFrame(
        {
            "customer_id": "C" + df["c"].astype(str),
            "date": START + pd.to_timedelta(df["day"], unit="D"),
            "amount": df["amount"].astype(float),
            "quantity": df["quantity"].astype(float),
            "profit": df["profit"].astype(float),
        }
    )
    paid = df["paid_after"].astype("float64")
    ledger["paid_date"] = ledger["date"] + pd.to_timedelta(paid, unit="D")
    ledger["paid_amount"] = ledger["amount"].where(paid.notna())
    ids = sorted(set(ledger["customer_id"]) | {"C8"})  # C8 has no ledger lines at all
    rng = np.random.default_rng(len(rows))
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "channel": rng.integers(0, 11, len(ids)).astype(float),
            "loyalty": rng.integers(0, 11, len(ids)).astype(float),
            "prospects": rng.integers(0, 11, len(ids)).astype(float),
        }
    )
    return ledger, customers


ledgers = st.lists(line, min_size=1, max_size=40)


@SETTINGS
@given(rows=ledgers, seed=st.integers(0, 2**16))
def test_row_order_never_changes_a_grade(rows, seed):
    ledger, customers = build(rows)
    shuffled = ledger.sample(frac=1, random_state=seed).reset_index(drop=True)
    for method in METHODS:
        a = grade(method, ledger, customers=customers, as_of=AS_OF).frame
        b = grade(method, shuffled, customers=customers, as_of=AS_OF).frame
        pd.testing.assert_series_equal(a["grade"], b["grade"], obj=method)


@SETTINGS
@given(rows=ledgers)
def test_every_customer_gets_exactly_one_grade(rows):
    ledger, customers = build(rows)
    expected = sorted(set(ledger.loc[ledger["date"] <= AS_OF, "customer_id"]) | set(customers["customer_id"]))
    for method in METHODS:
        result = grade(method, ledger, customers=customers, as_of=AS_OF)
        assert list(result.frame.index) == expected, method
        assert result.frame["grade"].notna().all(), method
        assert set(result.frame["grade"]) <= set(result.labels), method


@SETTINGS
@given(rows=ledgers, factor=st.sampled_from([2, 3, 7, 10, 1000, 0.5, 0.25]))
def test_scaling_never_changes_a_pareto_grade(rows, factor):
    ledger, customers = build(rows)
    scaled = ledger.assign(amount=ledger["amount"] * factor)
    for strategy in ("value_share", "count_share", "top_n"):
        rules = RuleBook().updated({"pareto.strategy": strategy})
        a = grade("pareto", ledger, customers=customers, as_of=AS_OF, rules=rules).grades
        b = grade("pareto", scaled, customers=customers, as_of=AS_OF, rules=rules).grades
        pd.testing.assert_series_equal(a, b, obj=strategy)


@SETTINGS
@given(rows=ledgers)
def test_a_pareto_a_customer_never_has_less_than_a_b_customer(rows):
    ledger, customers = build(rows)
    for strategy in ("value_share", "count_share", "absolute", "top_n"):
        rules = RuleBook().updated({"pareto.strategy": strategy})
        out = grade("pareto", ledger, customers=customers, as_of=AS_OF, rules=rules).frame
        ranked = {g: out.loc[out["grade"] == g, "value"] for g in "ABC"}
        if len(ranked["A"]) and len(ranked["B"]):
            assert ranked["A"].min() > ranked["B"].max()
        if len(ranked["B"]) and len(ranked["C"]):
            assert ranked["B"].min() > ranked["C"].max()
        assert (out.loc[out["value"] <= 0, "grade"] == "C").all()


@SETTINGS
@given(rows=ledgers)
def test_scores_stay_within_0_and_100(rows):
    ledger, customers = build(rows)
    for method in METHODS:
        out = grade(method, ledger, customers=customers, as_of=AS_OF).frame
        for column in ("score", "credit_score", "amount_score", "profit_score"):
            if column in out:
                # no score (NaN) for a period without receivables or a customer who is not ranked
                assert out[column].dropna().between(0, 100).all(), (method, column)


def test_rank_values_is_exact_for_decimal_amounts():
    ranked = pareto.rank_values(pd.Series([0.7, 0.1, 0.2], index=list("abc")))
    assert ranked.loc["b", "sum_before"] / ranked.loc["b", "total"] == Decimal("0.9")
