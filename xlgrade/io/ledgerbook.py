"""A workbook whose ledger lines come from elsewhere (``xlgrade recalc BOOK --ledger SOURCE``).

Rules of this module:

1. :class:`LedgerFromSource` is the workbook's :class:`xlgrade.job.book.Book` in every
   respect but one: reading the ledger sheet's table gives the lines of the source
   (:func:`xlgrade.io.duckfigures.ledger_table`: Parquet, a CSV glob, a DuckDB database,
   with ``--sql``), normalised and reported row by row under the source's name.
2. The workbook's own ledger sheet is left as staff typed it: its per-line 信用评估 cells are
   not written (they would describe other lines), and the job says so once (``ledger_source``).
3. Everything else (rules, customers, complaints, History, the derived sheets, the summary,
   the backup and the save) is the workbook's, as for a run without ``--ledger``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from xlgrade.io.duckfigures import ledger_table
from xlgrade.io.engines import LedgerSource
from xlgrade.normalize import Normalized
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import LEDGER


class LedgerFromSource:
    """The workbook ``book`` with its ledger lines read from ``source`` (see the module rules)."""

    def __init__(self, book: Any, source: LedgerSource, *, max_abs: float | None = None) -> None:
        self._book = book
        self.ledger_source = source
        self._max_abs = max_abs

    def __getattr__(self, name: str) -> Any:  # every other part of the Book is the workbook's
        return getattr(self._book, name)

    def read_table(self, sheet: Sheet) -> Normalized:
        if sheet.key == LEDGER.key:
            bound = self._max_abs if self._max_abs is not None else self._book.read_rules().input.max_abs_amount
            return ledger_table(self.ledger_source, max_abs=bound)
        return self._book.read_table(sheet)

    def write_computed(
        self, sheet: Sheet, frame: pd.DataFrame, formulas: Mapping[str, str | None] | None = None
    ) -> None:
        if sheet.key == LEDGER.key:
            return  # rule 2: the workbook's ledger sheet stays as staff typed it
        self._book.write_computed(sheet, frame, formulas)
