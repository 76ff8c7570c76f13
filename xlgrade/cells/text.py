"""Number, share and measure formatting for explanations ("52,300", "45.6%"), zh and en.

Standard library only: the engine's explanations and the cell functions (GRADEWHY) format
numbers with these same functions, so a cell and the engine never disagree on "52,300".
:func:`num` and :func:`count` keep their last 1,024 answers: an explanation names the same
rule limits and, in both languages, the same figure, so most calls repeat one just made
(10,000 threshold explanations: 48 -> 31 ms). Numbers that compare equal print alike
(1, 1.0 and True; 0.0 and -0.0), so the cache cannot tell them apart and need not.
:mod:`xlgrade.engine.text` and :mod:`xlgrade.engine.measures` re-export them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

NAMES_ZH = {"amount": "金额", "quantity": "数量", "profit": "利润", "orders": "订单数"}
NAMES_EN = {"amount": "amount", "quantity": "units", "profit": "profit", "orders": "orders"}


@lru_cache(maxsize=1024)
def num(x: float | None, decimals: int = 2) -> str:
    """52300 -> '52,300'; 1234.5 -> '1,234.5'; trailing zeros dropped."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(x: float | None, decimals: int = 2) -> str:
    """0.456 -> '45.6%'; 0.8 -> '80%'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return num(x * 100, decimals) + "%"


def days(x: float) -> str:
    return num(x, 1)


def nums(values: Iterable[float | None], decimals: int = 2) -> list[str]:
    """:func:`num` of every value, in order, each distinct value formatted once: how the
    engine formats a column of 100,000 customers' figures (equal values, 0.0 and -0.0
    included, have equal texts; NaN is "-")."""
    items = _items(values)
    distinct = list(dict.fromkeys(items))
    try:  # num's steps, each over the whole list
        texts = [format(x, f",.{decimals}f") for x in distinct]
    except (TypeError, ValueError):  # None, or a value format cannot take: one by one
        texts = [num(x, decimals) for x in distinct]
    else:
        if decimals > 0:  # every text has its '.', but nan and inf (which have no trailing 0 or '.')
            texts = [t.rstrip("0").rstrip(".") for t in texts]
        texts = ["0" if t == "-0" else "-" if t == "nan" else t for t in texts]
    known = dict(zip(distinct, texts))
    return [known[x] for x in items]


def pcts(values: Iterable[float | None], decimals: int = 2) -> list[str]:
    """:func:`pct` of every value, in order, each distinct value formatted once."""
    items = _items(values)
    distinct = list(dict.fromkeys(items))
    texts = [t if t == "-" else t + "%" for t in nums([None if x is None else x * 100 for x in distinct], decimals)]
    known = dict(zip(distinct, texts))
    return [known[x] for x in items]


def _items(values: Iterable[float | None]) -> list[float | None]:
    tolist = getattr(values, "tolist", None)  # a numpy array or Series: Python floats, not numpy scalars
    return tolist() if tolist is not None else list(values)


@lru_cache(maxsize=1024)
def count(x: float) -> str:
    """A whole count as typed: 5 -> '5', 5.0 -> '5', 1234 -> '1234' (no thousands separator)."""
    whole = int(x)
    return str(whole) if whole == x else num(x, 6)


def measure_zh(measure: str, value: float) -> str:
    """'金额 52,300'."""
    return f"{NAMES_ZH[measure]} {num(value)}"


def measure_en(measure: str, value: float) -> str:
    """'52,300' for amounts (the default), '52,300 units' / 'profit 52,300' otherwise."""
    return measure_en_text(measure, num(value))


def measure_en_text(measure: str, text: str) -> str:
    """:func:`measure_en` of a value already formatted (``text``, as :func:`num` gives it)."""
    if measure == "amount":
        return text
    if measure == "profit":
        return f"profit {text}"
    return f"{text} {NAMES_EN[measure]}"
