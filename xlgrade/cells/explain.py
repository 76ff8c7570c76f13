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
    # which grade, and which of its next grade's limits were not passed: decided once for both languages
    cases = [
        (0, False, False)
        if g == a
        else (1, not o > a_orders, not v > a_volume)
        if g == b
        else (2, not o > b_orders, not v > b_volume)
        for g, o, v in zip(grades, orders, volumes)
    ]
    zh: list[str] = []
    en: list[str] = []
    if "zh" in langs:
        name = NAMES_ZH[measure]
        for (k, o_miss, v_miss), o, vt in zip(cases, orders, v_text):
            o_zh, v_zh = f"订单 {o_text[o]} 次", f"{name} {vt}"
            if k == 0:
                zh.append(f"{a}:{o_zh} > {ao} 且{v_zh} > {av}")
            elif k == 1:
                miss = [f"订单未超过 {ao} 次"] * o_miss + [f"{name}未超过 {av}"] * v_miss
                zh.append(f"{b}:{o_zh} > {bo} 且{v_zh} > {bv},但{'且'.join(miss)}")
            else:
                miss = [f"{o_zh}未超过 {bo} 次"] * o_miss + [f"{v_zh} 未超过 {bv}"] * v_miss
                zh.append(f"{c}:{'且'.join(miss)}")
    if "en" in langs:
        for (k, o_miss, v_miss), o, vt in zip(cases, orders, v_text):
            o_en, v_en = f"{o_text[o]} order{'s' if o != 1 else ''}", measure_en_text(measure, vt)
            if k == 0:
                en.append(f"{a}: {o_en} > {ao} and {v_en} > {av}")
            elif k == 1:
                miss = [f"not > {ao} orders"] * o_miss + [f"{v_en} not > {av}"] * v_miss
                en.append(f"{b}: {o_en} > {bo} and {v_en} > {bv}, but {' and '.join(miss)}")
            else:
                miss = [f"{o_en} not > {bo}"] * o_miss + [f"{v_en} not > {bv}"] * v_miss
                en.append(f"{c}: {' and '.join(miss)}")
    return zh, en
