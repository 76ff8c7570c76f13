"""Threshold ABC (docs/rules.md §3.1 Threshold ABC; seed 000 form MF/Q 102/A) - the default method.

Over the evaluation window, per customer: ``orders`` and ``volume`` (sum of the rule's
measure, amount by default; the orders themselves for ``orders``): the figures
``threshold_orders`` and ``threshold_<measure>`` of :mod:`xlgrade.engine.figures`.

- A: orders > a_orders_over **and** volume > a_volume_over
- B: not A, orders > b_orders_over **and** volume > b_volume_over
- C: everything else

Comparisons are strict, as the seed's "超过" (more than) says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.cells.explain import threshold_explanations
from xlgrade.engine import figures
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import RuleBook


def grade(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    return rate(
        figures.of_ledger(ledger, rules, as_of, figures.NEEDS["threshold"]),
        customers,
        rules,
        as_of,
        measure=measure,
        explain=explain,
    )


def rate(
    fig: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade the figures ``fig`` (indexed by customer_id) by the threshold rules."""
    t = rules.threshold
    measure = measure or t.measure
    ids = figures.population(fig, customers)
    orders = figures.on(fig, ids, "threshold_orders").astype("int64")
    volume = figures.measured(fig, ids, "threshold", measure)

    a_ok = (orders > t.a_orders_over) & (volume > t.a_volume_over)
    b_ok = (orders > t.b_orders_over) & (volume > t.b_volume_over)
    a, b, c = rules.abc.labels
    grades = np.where(a_ok, a, np.where(b_ok, b, c))
    zh, en = threshold_explanations(
        grades.tolist(),
        orders.tolist(),
        volume.tolist(),
        t.a_orders_over,
        t.a_volume_over,
        t.b_orders_over,
        t.b_volume_over,
        (a, b, c),
        measure,
        langs=explain,
    )
    frame = make_frame(ids, grades, *only(explain, zh, en), orders=orders, volume=volume)
    return Grading("threshold", frame, ("orders", "volume"), rules.abc.labels, explain)
