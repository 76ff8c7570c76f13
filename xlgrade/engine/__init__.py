"""The pure grading engine: pandas in, pandas and dataclasses out.

No file access and no spreadsheet libraries here (a test enforces it). Adapters read the
workbook or files, normalise the frames (see :mod:`xlgrade.engine.frames` for the
contract) and call :func:`grade`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from xlgrade.engine import frames, pareto, scorecard, threshold
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import RuleBook

GradeFn = Callable[..., Grading]


@dataclass(frozen=True)
class Method:
    name: str
    run: GradeFn
    needs: tuple[str, ...] = ()       # optional ledger columns the method cannot do without
    uses_measure: bool = False        # whether --measure applies
    zh: str = ""


METHODS: dict[str, Method] = {
    m.name: m for m in (
        Method("threshold", threshold.grade, uses_measure=True, zh="阈值 ABC"),
        Method("pareto", pareto.grade, uses_measure=True, zh="帕累托 ABC"),
        Method("scorecard", scorecard.grade, needs=("quantity",), zh="百分制评分"),
    )
}


def grade(method: str, ledger: pd.DataFrame, *, customers: pd.DataFrame | None = None,
          rules: RuleBook | None = None, as_of=None, measure: str | None = None) -> Grading:
    """Grade every customer with ``method`` as of ``as_of`` (default: today)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    m = METHODS[method]
    as_of = frames.as_timestamp(as_of if as_of is not None else pd.Timestamp.today())
    kwargs = {"measure": measure} if m.uses_measure else {}
    return m.run(frames.prepare_ledger(ledger), frames.prepare_customers(customers),
                 rules or RuleBook(), as_of, **kwargs)


__all__ = ["METHODS", "Grading", "Method", "RuleBook", "grade"]
