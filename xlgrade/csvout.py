"""CSV that is safe to open in a spreadsheet: no formula injection, a BOM for Chinese Excel.

Rules (OWASP "CSV Injection"):

- a *text* cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  written with a single quote ``'`` in front, so a spreadsheet shows it as text instead of
  running it as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``);
- numbers are numbers: a negative amount ``-1200.5`` is written as it is;
- the file (or the text for stdout) starts with a UTF-8 byte-order mark: without it, Excel
  in a Chinese locale reads UTF-8 as GBK and shows the names garbled.

Pure: builds text; the caller writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) escaped; numbers untouched."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_object_dtype(out[name].dtype) or pd.api.types.is_string_dtype(out[name].dtype):
            out[name] = out[name].map(escape_cell)
    out.columns = [escape_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, *, bom: bool = True, **kwargs: Any) -> str:
    """``frame`` as safe CSV text (``index=False``, ``\\n`` line ends), with a BOM first."""
    text = safe_frame(frame).to_csv(index=False, lineterminator="\n", **kwargs)
    return (BOM if bom else "") + text


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> None:
    """Write ``frame`` to ``path`` as safe UTF-8 CSV with a BOM."""
    Path(path).write_text(csv_text(frame, **kwargs), encoding="utf-8", newline="")
