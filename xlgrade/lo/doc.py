"""One document open in the harness's LibreOffice: read and write cells, recalculate, list
error cells, save, export PDF. Every method is one command to the UNO worker (worker.py).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgrade.errors import LibreOfficeError

if TYPE_CHECKING:
    from xlgrade.lo.harness import LibreOffice

Value = Any  # str | float | None
XLSX_FILTER = "Calc Office Open XML"


@dataclass(frozen=True)
class CellError:
    sheet: str
    cell: str  # "B7"
    formula: str  # as LibreOffice shows it, e.g. "=1/0"
    error_code: int  # LibreOffice's code: 532 #DIV/0!, 525 #NAME?, 519 #VALUE!, 502 Err:502, ...
    text: str  # what the cell shows: "#DIV/0!", "#NAME?", "Err:502"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} {self.formula} -> {self.text} ({self.error_code})"


_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _cell_arg(value: Value) -> tuple[str, Any]:
    if value is None:
        return "empty", ""
    if isinstance(value, bool):
        return "number", float(value)
    if isinstance(value, (int, float)):
        return "number", float(value)
    if isinstance(value, _dt.datetime):
        return "number", (value - _EXCEL_EPOCH).total_seconds() / 86400
    if isinstance(value, _dt.date):
        return "number", float((value - _EXCEL_EPOCH.date()).days)
    if isinstance(value, str):
        return "string", value
    raise TypeError(f"cannot put a {type(value).__name__} into a cell")


class Doc:
    """An open workbook. Sheets are named (str) or counted from 0 (int)."""

    def __init__(self, lo: LibreOffice, key: int, path: Path):
        self.lo, self.key, self.path = lo, key, path
        self.closed = False

    def __enter__(self) -> Doc:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Doc {self.path.name}{' closed' if self.closed else ''}>"

    def _call(self, cmd: str, timeout: float | None = None, **args) -> Any:
        if self.closed:
            raise LibreOfficeError(f"{self.path.name} is closed")
        return self.lo.call(cmd, timeout=timeout, doc=self.key, **args)

    def recalculate(self, timeout: float | None = None) -> float:
        """Recalculate every formula (``calculateAll``), cached values or not; the seconds
        ``calculateAll`` took, timed inside the worker (without the pipe's round trip)."""
        return self._call("recalculate", timeout)

    def sheet_names(self) -> list[str]:
        return self._call("sheet_names")

    def errors(
        self,
        sheets: str | int | Iterable[str | int] | None = None,
        *,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> list[CellError]:
        """Every formula cell (of ``sheets``, default all) whose result is an error, sheet by
        sheet by sheet; at most ``limit`` of them if given."""
        if isinstance(sheets, (str, int)):
            sheets = [sheets]
        elif sheets is not None:
            sheets = list(sheets)
        return [CellError(**e) for e in self._call("errors", timeout, sheets=sheets, limit=limit)]

    def get(self, sheet: str | int, cell_range: str) -> list[list[Value]]:
        """Values of a range, row by row: numbers as float, text as str, empty cells as None,
        error results as their text ("#DIV/0!")."""
        return self._call("get", sheet=sheet, range=cell_range)

    def value(self, sheet: str | int, cell: str) -> Value:
        return self.get(sheet, cell)[0][0]

    def get_formula(self, sheet: str | int, cell: str) -> str:
        """The cell's formula as LibreOffice shows it ("=SUM(A1:A3)"), or its content if none."""
        return self._call("get_formula", sheet=sheet, cell=cell)

    def set(self, sheet: str | int, cell: str, value: Value, *, recalculate: bool = True) -> None:
        """Put a value into a cell (str stays text, never a formula; date -> serial), then recalc."""
        kind, v = _cell_arg(value)
        self._call("set", sheet=sheet, cell=cell, kind=kind, value=v, recalculate=recalculate)

    def set_formula(self, sheet: str | int, cell: str, formula: str, *, recalculate: bool = True) -> None:
        self._call("set", sheet=sheet, cell=cell, kind="formula", value=formula, recalculate=recalculate)

    def used_range(self, sheet: str | int) -> str:
        """The sheet's used area, "A1:K250"."""
        return self._call("used_range", sheet=sheet)

    def page_breaks(self, sheet: str | int) -> tuple[list[int], list[tuple[int, int]]]:
        """(first row of each page after the first, (first row, last row) of each drawing object:
        charts), rows counted from 1, as LibreOffice paginates the sheet for print."""
        out = self._call("page_breaks", sheet=sheet)
        return [r + 1 for r in out["rows"]], [(a + 1, b + 1) for a, b in out["shapes"]]

    def formula_count(self, sheet: str | int) -> int:
        return self._call("formula_count", sheet=sheet)

    def save_copy(self, path: str | os.PathLike, filter_name: str = XLSX_FILTER, timeout: float | None = None) -> Path:
        """Save a copy as LibreOffice writes it (default: .xlsx, "Calc Office Open XML")."""
        p = Path(path).resolve()
        p.parent.mkdir(parents=True, exist_ok=True)
        self._call("store", timeout, path=str(p), filter=filter_name)
        if not p.is_file():
            raise LibreOfficeError(f"LibreOffice wrote nothing at {p}")
        return p

    def export_pdf(self, path: str | os.PathLike, sheet: str | int | None = None, timeout: float | None = None) -> Path:
        """Render to PDF: the whole workbook, or only ``sheet``'s pages (its print ranges and page
        style apply; the PDF filter's Selection is that sheet)."""
        p = Path(path).resolve()
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.exists():
            p.unlink()
        self._call("export_pdf", timeout, path=str(p), sheet=sheet)
        if not p.is_file():
            raise LibreOfficeError(f"LibreOffice wrote no PDF at {p}")
        return p

    def close(self) -> None:
        if not self.closed and self.lo.running:
            self.lo.call("close", doc=self.key)
        self.closed = True
