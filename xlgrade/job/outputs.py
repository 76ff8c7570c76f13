"""What the monthly job hands to a workbook adapter: plain data, no spreadsheet library.

The summary sheet is a list of blocks, each a small table with a title. Adapters lay the
blocks out top to bottom and draw the charts the blocks ask for; they decide positions,
the job decides content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Kinds of a block column: how a value is formatted (see xlgrade.workbook.styles).
TEXT, INT, MONEY, SHARE, NUMBER, GRADE, DATE = "text", "int", "money", "share", "number", "grade", "date"


@dataclass(frozen=True)
class Note:
    """One line of text printed under a form's table (its definitions, the sign-off line).

    kind: ``"title"`` (a heading), ``"text"``, ``"note"`` (small grey) or ``"sign_off"``
    (记录 / 审核 / 日期, printed once at the end).
    """

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from a block's columns.

    kind: ``"pareto"`` (bars of ``values[0]`` with a line of ``line`` on a secondary 0-100 %
    axis), ``"column"`` (clustered columns, one series per entry of ``values``) or ``"pie"``.
    Column indices refer to the block's columns; categories are ``categories``.
    """

    kind: str
    title: str
    categories: int
    values: tuple[int, ...]
    line: int | None = None
    # pareto: a level drawn across the chart on the line's 0-100 % axis (the A share, rule
    # pareto.a_share), named ``guide_name`` in the legend
    guide: float | None = None
    guide_name: str = ""


@dataclass(frozen=True)
class Block:
    key: str  # stable identifier ("grades", "migration", ...)
    title: str  # in the workbook's language
    headers: tuple[str, ...]
    kinds: tuple[str, ...]  # one per column
    rows: tuple[tuple[Any, ...], ...]
    total: tuple[Any, ...] | None = None  # an optional totals row, drawn in bold
    note: str = ""  # one line under the title (e.g. what an empty block means)
    chart: Chart | None = None
    grade_column: int | None = None  # cells of this column are coloured by grade

    def __post_init__(self) -> None:
        if len(self.headers) != len(self.kinds):
            raise ValueError(f"block {self.key}: {len(self.headers)} headers but {len(self.kinds)} kinds")
        for row in self.rows + ((self.total,) if self.total else ()):
            if len(row) != len(self.headers):
                raise ValueError(f"block {self.key}: row {row!r} does not have {len(self.headers)} cells")


@dataclass(frozen=True)
class Summary:
    title: str  # "客户分级汇总 2026-10"
    subtitle: str  # method, as-of date, counts
    blocks: tuple[Block, ...]
    grade_order: tuple[str, ...] = ()  # labels best first, for grade colours
    extras: dict[str, Any] = field(default_factory=dict)

    def block(self, key: str) -> Block:
        for b in self.blocks:
            if b.key == key:
                return b
        raise KeyError(key)
