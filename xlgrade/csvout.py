"""CSV that is safe to open in a spreadsheet: no formula injection, a BOM for Chinese Excel.

Rules (OWASP "CSV Injection"):

- a *text* cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  written with a single quote ``'`` in front, so a spreadsheet shows it as text instead of
  running it as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``);
- numbers are numbers: a negative amount ``-1200.5`` is written as it is;
- the file (or the text for stdout) starts with a UTF-8 byte-order mark: without it, Excel
  in a Chinese locale reads UTF-8 as GBK and shows the names garbled.

Pure: builds text; the caller writes it.

:func:`csv_text` writes the text pandas' ``to_csv`` writes, byte for byte, but column-wise:
each column becomes its cells' texts in one pass (a float as ``repr``, the shortest text that
reads back as it, which is what numpy's ``astype(str)`` in ``to_csv`` gives; a missing value
as empty; a text quoted where the standard library's writer, the one ``to_csv`` uses, quotes
it: :data:`QUOTED` is asked of that writer), then the lines are joined. A column of another
kind (dates, categories), or a frame of one column, goes through ``to_csv``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
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
    """``frame`` as safe CSV text (``index=False``, ``\\n`` line ends), with a BOM first;
    ``kwargs`` go to ``to_csv``."""
    # one column: the writer quotes an empty cell alone on its line, so it writes those
    known = not kwargs and frame.shape[1] >= 2 and all(_known(dtype) for dtype in frame.dtypes)
    if not known:
        text = safe_frame(frame).to_csv(index=False, lineterminator="\n", **kwargs)
        return (BOM if bom else "") + text
    parts = [BOM if bom else "", ",".join(_quoted(_text(escape_cell(c))) for c in frame.columns), "\n"]
    for start in range(0, len(frame), CHUNK):  # the cells of a chunk of rows at a time: their texts are small
        rows = frame.iloc[start : start + CHUNK]
        parts += ["\n".join(map(",".join, zip(*(_cells(rows.iloc[:, i]) for i in range(rows.shape[1]))))), "\n"]
    return "".join(parts)


CHUNK = 10_000  # rows whose cells' texts are held at once


def _probe_quoted() -> frozenset[str]:
    """The characters that make this Python's csv writer (``to_csv``'s: minimal quoting,
    ``\\n`` line ends) quote a cell, asked of the writer itself."""
    quoted = set()
    for code in [*range(128), 0x85, 0x2028, 0x2029, 0x3000]:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(["a" + chr(code) + "b", "c"])
        if out.getvalue().startswith('"'):
            quoted.add(chr(code))
    return frozenset(quoted)


QUOTED = _probe_quoted()
QUOTED_SEARCH = re.compile("[" + re.escape("".join(sorted(QUOTED))) + "]").search


def _quoted(text: str) -> str:
    """``text`` as the csv writer writes it as a cell of a line of two or more."""
    if not QUOTED_SEARCH(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def _text(value: Any) -> str:
    """A cell's value as the csv writer turns it into text (a float by ``repr``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _known(dtype: Any) -> bool:
    """Whether :func:`_cells` writes a column of ``dtype`` as ``to_csv`` does."""
    if isinstance(dtype, np.dtype):
        return (dtype.kind == "f" and dtype.itemsize == 8) or dtype.kind in "iubO"
    return isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(dtype)
    )


def _cells(column: pd.Series) -> list[str]:
    """The cells of ``column`` (of a :func:`_known` dtype) as ``to_csv`` writes them: text
    escaped and quoted where it must be, missing values empty."""
    dtype = column.dtype
    values = column.to_numpy()
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        cells = list(map(repr, values.tolist()))  # digits, '.', 'e', '-', '+', inf: never quoted
    elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return list(map(str, values.tolist()))
    else:
        items = column.astype(object).tolist()
        if all(type(v) is str for v in items):  # the common case, without a call per cell
            must = QUOTED_SEARCH
            items = ["'" + v if v.startswith(FORMULA_START) else v for v in items]
            cells = ['"' + v.replace('"', '""') + '"' if must(v) else v for v in items]
        else:
            cells = [_quoted(_text(escape_cell(v))) for v in items]
    for i in np.flatnonzero(pd.isna(values)).tolist():
        cells[i] = ""
    return cells


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> None:
    """Write ``frame`` to ``path`` as safe UTF-8 CSV with a BOM."""
    Path(path).write_text(csv_text(frame, **kwargs), encoding="utf-8", newline="")
