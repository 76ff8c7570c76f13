"""Tiny builders for hand-made ledgers in tests."""

from __future__ import annotations

import pandas as pd

from xlgrade.engine import frames

AS_OF = pd.Timestamp("2026-06-30")


def ledger(rows: list[tuple], columns: tuple[str, ...] = ("customer_id", "date", "amount")) -> pd.DataFrame:
    """``ledger([("C1", "2026-01-05", 100.0), ...])`` → a prepared engine ledger."""
    df = pd.DataFrame(rows, columns=list(columns))
    return frames.prepare_ledger(df)


def lines(customer: str, count: int, amount: float, date: str = "2026-01-05", **extra) -> list[dict]:
    """``count`` identical lines for one customer (as dicts, to build a DataFrame)."""
    return [{"customer_id": customer, "date": date, "amount": amount, **extra} for _ in range(count)]


def frame(*groups: list[dict]) -> pd.DataFrame:
    rows = [row for group in groups for row in group]
    return frames.prepare_ledger(pd.DataFrame(rows))


def customers(rows: list[dict] | None = None) -> pd.DataFrame:
    return frames.prepare_customers(pd.DataFrame(rows) if rows else None)
