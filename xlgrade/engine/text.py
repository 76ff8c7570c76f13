"""Number and share formatting for explanations ("52,300", "45.6%"), the same in zh and en."""

from __future__ import annotations

import math


def num(x: float, decimals: int = 2) -> str:
    """52300 -> '52,300'; 1234.5 -> '1,234.5'; trailing zeros dropped."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pct(x: float, decimals: int = 2) -> str:
    """0.456 -> '45.6%'; 0.8 -> '80%'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return num(x * 100, decimals) + "%"


def days(x: float) -> str:
    return num(x, 1)
