"""Names of the measures a method can rank or sum, for explanations."""

from __future__ import annotations

from xlgrade.engine.text import num

NAMES_ZH = {"amount": "金额", "quantity": "数量", "profit": "利润", "orders": "订单数"}
NAMES_EN = {"amount": "amount", "quantity": "units", "profit": "profit", "orders": "orders"}


def zh(measure: str, value: float) -> str:
    """'金额 52,300'."""
    return f"{NAMES_ZH[measure]} {num(value)}"


def en(measure: str, value: float) -> str:
    """'52,300' for amounts (the default), '52,300 units' / 'profit 52,300' otherwise."""
    if measure == "amount":
        return num(value)
    if measure == "profit":
        return f"profit {num(value)}"
    return f"{num(value)} {NAMES_EN[measure]}"
