"""The threshold ABC explanation (docs/rules.md §3.1 Threshold ABC).

The engine (:mod:`xlgrade.engine.threshold`) writes this sentence for every customer, a
column at a time (:func:`threshold_explanations`), and the cell function GRADEWHY returns it
for one (:func:`threshold_explanation`, the same builder on a column of one), so both come
from this one builder.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .text import NAMES_ZH, count, measure_en_text, num, nums


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
    zh, en = threshold_explanations(
        [grade], [orders], [volume], a_orders, a_volume, b_orders, b_volume, labels, measure
    )
    return zh[0], en[0]


def threshold_explanations(
    grades: Sequence[str],
    orders: Sequence[float],
    volumes: Sequence[float],
    a_orders: float,
    a_volume: float,
    b_orders: float,
    b_volume: float,
    labels: tuple[str, str, str],
    measure: str = "amount",
    langs: Collection[str] = ("zh", "en"),
) -> tuple[list[str], list[str]]:
    """:func:`threshold_explanation` of every customer i (``grades[i]``, ``orders[i]``,
    ``volumes[i]``), as (zh texts, en texts): each distinct figure formatted once, and a
    language not in ``langs`` not built (its list is empty)."""
    a, b, c = labels
    ao, bo, av, bv = count(a_orders), count(b_orders), num(a_volume), num(b_volume)
    orders, volumes = list(orders), list(volumes)
    o_text = {o: count(o) for o in dict.fromkeys(orders)}
    v_text = nums(volumes)
    zh: list[str] = []
    en: list[str] = []
    if "zh" in langs:
        name = NAMES_ZH[measure]
        for g, o, v, vt in zip(grades, orders, volumes, v_text):
            o_zh, v_zh = f"订单 {o_text[o]} 次", f"{name} {vt}"
            if g == a:
                zh.append(f"{a}:{o_zh} > {ao} 且{v_zh} > {av}")
                continue
            miss = []
            if g == b:
                if not o > a_orders:
                    miss.append(f"订单未超过 {ao} 次")
                if not v > a_volume:
                    miss.append(f"{name}未超过 {av}")
                zh.append(f"{b}:{o_zh} > {bo} 且{v_zh} > {bv},但{'且'.join(miss)}")
                continue
            if not o > b_orders:
                miss.append(f"{o_zh}未超过 {bo} 次")
            if not v > b_volume:
                miss.append(f"{v_zh} 未超过 {bv}")
            zh.append(f"{c}:{'且'.join(miss)}")
    if "en" in langs:
        for g, o, v, vt in zip(grades, orders, volumes, v_text):
            o_en, v_en = f"{o_text[o]} order{'s' if o != 1 else ''}", measure_en_text(measure, vt)
            if g == a:
                en.append(f"{a}: {o_en} > {ao} and {v_en} > {av}")
                continue
            miss = []
            if g == b:
                if not o > a_orders:
                    miss.append(f"not > {ao} orders")
                if not v > a_volume:
                    miss.append(f"{v_en} not > {av}")
                en.append(f"{b}: {o_en} > {bo} and {v_en} > {bv}, but {' and '.join(miss)}")
                continue
            if not o > b_orders:
                miss.append(f"{o_en} not > {bo}")
            if not v > b_volume:
                miss.append(f"{v_en} not > {bv}")
            en.append(f"{c}: {' and '.join(miss)}")
    return zh, en
