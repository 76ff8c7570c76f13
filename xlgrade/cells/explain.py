"""The threshold ABC explanation (docs/rules.md §3.1 Threshold ABC), one customer at a time.

The engine (:mod:`xlgrade.engine.threshold`) writes this sentence for every customer and
the cell function GRADEWHY returns it, so both come from this one builder.
"""

from __future__ import annotations

from .text import NAMES_ZH, count, measure_en, measure_zh, num


def threshold_explanation(
    grade: str,
    orders: float,
    volume: float,
    a_orders: float,
    a_volume: float,
    b_orders: float,
    b_volume: float,
    labels: tuple[str, str, str],
    measure: str = "amount",
) -> tuple[str, str]:
    """(zh, en) sentence saying why ``grade`` (one of ``labels``, best first) was given."""
    a, b, c = labels
    o_zh, o_en = f"订单 {count(orders)} 次", f"{count(orders)} order{'s' if orders != 1 else ''}"
    v_zh, v_en = measure_zh(measure, volume), measure_en(measure, volume)
    ao, bo = count(a_orders), count(b_orders)
    if grade == a:
        return (f"{a}:{o_zh} > {ao} 且{v_zh} > {num(a_volume)}", f"{a}: {o_en} > {ao} and {v_en} > {num(a_volume)}")
    if grade == b:
        miss_zh, miss_en = [], []
        if not orders > a_orders:
            miss_zh.append(f"订单未超过 {ao} 次")
            miss_en.append(f"not > {ao} orders")
        if not volume > a_volume:
            miss_zh.append(f"{NAMES_ZH[measure]}未超过 {num(a_volume)}")
            miss_en.append(f"{v_en} not > {num(a_volume)}")
        return (
            f"{b}:{o_zh} > {bo} 且{v_zh} > {num(b_volume)},但{'且'.join(miss_zh)}",
            f"{b}: {o_en} > {bo} and {v_en} > {num(b_volume)}, but {' and '.join(miss_en)}",
        )
    miss_zh, miss_en = [], []
    if not orders > b_orders:
        miss_zh.append(f"{o_zh}未超过 {bo} 次")
        miss_en.append(f"{o_en} not > {bo}")
    if not volume > b_volume:
        miss_zh.append(f"{v_zh} 未超过 {num(b_volume)}")
        miss_en.append(f"{v_en} not > {num(b_volume)}")
    return f"{c}:{'且'.join(miss_zh)}", f"{c}: {' and '.join(miss_en)}"
