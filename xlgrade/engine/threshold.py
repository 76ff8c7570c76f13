"""Threshold ABC (DOMAIN.md §3.1, seed 000 form MF/Q 102/A) - the default method.

Over the evaluation window, per customer: ``orders`` (see frames.order_counts) and
``volume`` (sum of the rule's measure, amount by default).

- A: orders > a_orders_over **and** volume > a_volume_over
- B: not A, orders > b_orders_over **and** volume > b_volume_over
- C: everything else

Comparisons are strict, as the seed's "超过" (more than) says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine import frames, measures
from xlgrade.engine.result import Grading, make_frame
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import num


def grade(ledger: pd.DataFrame, customers: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp,
          *, measure: str | None = None) -> Grading:
    t = rules.threshold
    measure = measure or t.measure
    lines = frames.window(ledger, as_of, t.window_months)
    ids = frames.population(ledger, customers, as_of)
    orders = frames.on(ids, frames.order_counts(lines)).astype("int64")
    volume = frames.on(ids, frames.totals(lines, measure))

    a_ok = (orders > t.a_orders_over) & (volume > t.a_volume_over)
    b_ok = (orders > t.b_orders_over) & (volume > t.b_volume_over)
    a, b, c = rules.abc.labels
    grades = np.where(a_ok, a, np.where(b_ok, b, c))
    texts = [_explain(g, o, v, t, measure, (a, b, c)) for g, o, v in zip(grades, orders, volume)]
    zh, en = zip(*texts) if texts else ((), ())
    frame = make_frame(ids, grades, list(zh), list(en), orders=orders, volume=volume)
    return Grading("threshold", frame, ("orders", "volume"), rules.abc.labels)


def _explain(g: str, orders: int, volume: float, t, measure: str, labels) -> tuple[str, str]:
    a, b, _ = labels
    o_zh, o_en = f"订单 {orders} 次", f"{orders} order{'s' if orders != 1 else ''}"
    v_zh, v_en = measures.zh(measure, volume), measures.en(measure, volume)
    if g == a:
        return (f"{a}:{o_zh} > {t.a_orders_over} 且{v_zh} > {num(t.a_volume_over)}",
                f"{a}: {o_en} > {t.a_orders_over} and {v_en} > {num(t.a_volume_over)}")
    if g == b:
        miss_zh, miss_en = [], []
        if not orders > t.a_orders_over:
            miss_zh.append(f"订单未超过 {t.a_orders_over} 次")
            miss_en.append(f"not > {t.a_orders_over} orders")
        if not volume > t.a_volume_over:
            miss_zh.append(f"{measures.NAMES_ZH[measure]}未超过 {num(t.a_volume_over)}")
            miss_en.append(f"{v_en} not > {num(t.a_volume_over)}")
        return (f"{b}:{o_zh} > {t.b_orders_over} 且{v_zh} > {num(t.b_volume_over)},但{'且'.join(miss_zh)}",
                f"{b}: {o_en} > {t.b_orders_over} and {v_en} > {num(t.b_volume_over)}, "
                f"but {' and '.join(miss_en)}")
    miss_zh, miss_en = [], []
    if not orders > t.b_orders_over:
        miss_zh.append(f"{o_zh}未超过 {t.b_orders_over} 次")
        miss_en.append(f"{o_en} not > {t.b_orders_over}")
    if not volume > t.b_volume_over:
        miss_zh.append(f"{v_zh} 未超过 {num(t.b_volume_over)}")
        miss_en.append(f"{v_en} not > {num(t.b_volume_over)}")
    return f"{labels[2]}:{'且'.join(miss_zh)}", f"{labels[2]}: {' and '.join(miss_en)}"
