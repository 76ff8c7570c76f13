"""The monthly job's own figures (engine.figures' ``report_`` and ``activity_`` groups) say what
their rules say, on the random ledgers of tests/test_figures_engines.py (whose property test
and tests/test_spark_properties.py prove every engine gives the same figures, these included).

The statement here is a plain per-customer loop with exact decimal sums: orders, amount,
quantity and profit over the window of ``general.method`` (History, the summary); the amount
of the activity window and of the one before it, the latest sale and payment and the sales
before the window (the record cards). Then the job's tables that read them: History's and
the summary's window totals, whatever method the Grading is of.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_figures_engines import AS_OF, ledgers

from xlgrade.engine import RuleBook, activity, figures, frames, grade
from xlgrade.job import derive

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METHOD_WINDOWS = {"threshold": "threshold.window_months", "pareto": "pareto.window_months", "rfm": "rfm.months"}

LATER_ONLY = frames.prepare_ledger(
    pd.DataFrame({"customer_id": ["C1"], "date": [AS_OF + pd.Timedelta(days=5)], "amount": [100.0], "sale_no": [None]})
)


def _sum(values) -> float:
    exact = sum((Decimal(repr(float(v))) for v in values if not np.isnan(v)), Decimal(0))
    return float(exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def _in(lines: pd.DataFrame, end: pd.Timestamp, months: int) -> pd.DataFrame:
    start = None if months <= 0 else end - pd.DateOffset(months=months)
    return lines[(lines["date"] <= end) & ((lines["date"] > start) if start is not None else True)]


def _orders(lines: pd.DataFrame) -> int:
    numbers = [str(s).strip() for s in lines["sale_no"] if s is not None and not pd.isna(s)]
    return len({s for s in numbers if s}) + (len(lines) - sum(1 for s in numbers if s))


def _statement(ledger: pd.DataFrame, rules: RuleBook, months: int) -> pd.DataFrame:
    rows = {}
    upto = ledger[ledger["date"] <= AS_OF]
    a = rules.activity.months
    start = AS_OF - pd.DateOffset(months=a)
    for cid, lines in upto.groupby("customer_id"):
        window = _in(lines, AS_OF, months)
        sales = lines[lines["amount"] > 0]
        paid = lines["paid_date"][lines["paid_date"] <= AS_OF]
        rows[cid] = {
            "report_orders": _orders(window),
            **{f"report_{m}": _sum(window[m]) for m in ("amount", "quantity", "profit")},
            "activity_amount": _sum(_in(lines, AS_OF, a)["amount"]),
            "activity_amount_before": _sum(_in(lines, start, a)["amount"]),
            "activity_last_order": float((AS_OF - sales["date"].max()).days) if len(sales) else np.nan,
            "activity_last_paid": float((AS_OF - paid.max()).days) if len(paid) else np.nan,
            "activity_sold_before": int((sales["date"] <= start).sum()),
        }
    columns = ["report_orders", "report_amount", "report_quantity", "report_profit", "activity_amount"]
    columns += ["activity_amount_before", "activity_last_order", "activity_last_paid", "activity_sold_before"]
    # built from its rows, so a ledger with no line up to AS_OF is an empty frame of the same shape
    index = pd.Index(list(rows), dtype="str", name="customer_id")
    return pd.DataFrame([rows[c] for c in index], index=index, columns=columns)


@SETTINGS
@given(
    ledger=ledgers(),
    method=st.sampled_from(sorted(METHOD_WINDOWS)),
    months=st.sampled_from([1, 3, 12]),
    window=st.sampled_from([0, 3, 12]),
)
@example(ledger=LATER_ONLY, method="pareto", months=1, window=0)  # no line up to AS_OF: no customer
def test_report_and_activity_figures_are_their_rules(ledger, method, months, window):
    rules = RuleBook().updated(
        {"general.method": method, METHOD_WINDOWS[method]: max(window, 1 if method == "rfm" else 0)}
    )
    rules = rules.updated({"activity.months": months})
    fig = figures.of_ledger(ledger, rules, AS_OF, ("report", "activity"))
    want = _statement(ledger, rules, derive.evaluation_months(method, rules))
    assert sorted(fig.index) == sorted(want.index)
    got = fig.loc[want.index, list(want.columns)]
    pd.testing.assert_frame_equal(got, want.astype(got.dtypes.to_dict()), check_names=False)


@SETTINGS
@given(ledger=ledgers())
def test_window_totals_follow_the_graded_method_not_only_the_rule(ledger):
    """History and the summary total the window of the Grading's method; with the rule
    book's method the job's figures frame answers, with another the figures of that method."""
    rules = RuleBook().updated({"general.method": "threshold", "threshold.window_months": 0, "rfm.months": 3})
    ids = pd.Index(["C1", "C2", "C9"], name="customer_id")
    for method in ("threshold", "rfm"):
        graded = grade(method, ledger, rules=rules, as_of=AS_OF)
        sums = derive.window_totals(ledger, ids, rules, AS_OF, graded.method, figures.of_ledger(ledger, rules, AS_OF))
        months = derive.evaluation_months(method, rules)
        want = _statement(ledger, rules, months).reindex(ids).fillna(0.0)
        assert sums["orders"].tolist() == want["report_orders"].astype("int64").tolist()
        for m in ("amount", "quantity", "profit"):
            expected = want[f"report_{m}"] if ledger[m].notna().any() else pd.Series(np.nan, index=ids)
            assert sums[m].tolist() == expected.tolist() or (sums[m].isna() & expected.isna()).all(), (method, m)


def test_activity_reads_the_figures_it_is_given():
    """The trading facts come from the figures frame (engine.figures), not a second sum."""
    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1", "C1", "C2"],
                "date": pd.to_datetime(["2025-03-01", "2026-05-02", "2026-06-01"]),
                "amount": [50.0, 16666.666666666668, -20.0],
                "paid_date": pd.to_datetime(["2025-03-20", None, "2026-07-05"]),
                "product": ["bolts", " nuts ", "bolts"],
            }
        )
    )
    rules = RuleBook()
    ids = pd.Index(["C1", "C2", "C3"], name="customer_id")
    fig = figures.of_ledger(ledger, rules, AS_OF).copy()
    facts = activity.evaluate(ledger, ids, rules, AS_OF, fig)
    assert facts.at["C1", "last_order_date"] == pd.Timestamp("2026-05-02")
    assert facts.at["C1", "last_paid_date"] == pd.Timestamp("2025-03-20")
    assert pd.isna(facts.at["C2", "last_order_date"]) and pd.isna(facts.at["C2", "last_paid_date"])  # paid later
    assert (
        facts.at["C1", "trend"] == "growing" and facts.at["C2", "trend"] == "none" and facts.at["C3", "trend"] == "none"
    )
    assert facts.at["C1", "products"] == ("nuts",) and facts.at["C2", "products"] == ("bolts",)
    fig.loc["C1", "activity_amount"] = 365.0  # what the frame says is what the cards show
    assert activity.evaluate(ledger, ids, rules, AS_OF, fig).at["C1", "daily_sales"] == 1.0


def test_text_of_trims_each_value_whatever_the_column_holds():
    for values in (
        pd.Series([" a ", None, "b\u3000", np.nan, "a"], dtype=object),
        pd.Series([" a ", None, 3, 2.5, "\tb"], dtype=object),
        pd.Series(["x ", None], dtype="str"),
        pd.Series([], dtype=object),
    ):
        got = derive.text_of(values)
        want = [("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()) for v in values]
        assert got.tolist() == want and got.index.equals(values.index)
        assert str(got.dtype) == str(values.astype(object).astype(str).dtype)
