"""A workbook table read through fastexcel (calamine in Rust, columns as Arrow), where that is
provably what :func:`xlgrade.io.tables.read_book_table` reads through python-calamine.

Why: python-calamine makes a Python object of every cell and the rows are then stacked into
columns (:mod:`xlgrade.columnar`); fastexcel parses the sheet with calamine too and hands
whole typed columns over (Arrow, turned into NumPy by DuckDB): the 171k-line demo ledger's
read 3.4 → 2.7 CPU-s. fastexcel guesses one type per column, so it is used only where its
columns say exactly what python-calamine's cells would have said; anywhere else :func:`read`
refuses (:class:`Fallback`, with the reason) and the caller reads the sheet the calamine way,
after fastexcel's parse (a refused 171k-line ledger costs ~1.3 CPU-s more than before).
The two bundle their own calamine (fastexcel 0.21.0: 0.36.1, python-calamine 0.9.1: 0.37.0);
``tests/test_fastbook.py`` compares the reads cell type by cell type, to be run again on any
upgrade of either.

Rules of this module (each refusal is a :class:`Fallback`):

1. Only an ``.xlsx`` / ``.xlsm`` sheet whose caller knows it holds no error cell
   (``may_hold_errors(name)`` is False: a :class:`~xlgrade.workbook.package.Package` saw its
   part). fastexcel would read an error cell as a blank, as python-calamine does, but the
   calamine path then finds them in the XML (:mod:`xlgrade.io.errorcells`).
2. The sheet's first row (``<row r="1">``) holds a cell with a value, so the table starts at
   the sheet's first row (calamine's used range starts there: the row numbers in issues are
   the file's). A sheet whose used range starts lower is refused.
3. Every column holds one type, checked over all its rows (``dtype_coercion="strict"``,
   ``schema_sample_rows=None``): text, numbers, booleans or dates, with blank cells anywhere.
   A column mixing types (a "¥1,200" or "12万" among numbers, a number among texts, a date
   among numbers) is refused: fastexcel would turn one type into the other. Durations and
   integers (not in .xlsx) are refused.
4. The first row is the column names and every one is text (fastexcel's name "looked up",
   not generated: a blank, date or boolean first-row cell is refused), not a text a number
   could have been rendered to (``float()`` accepts it: "2024"), not a boolean's name, and
   not a name fastexcel made unique (``a_1`` beside ``a``).
5. A date column is accepted only as a column the sheet declares as a date (``DATE``, a day):
   python-calamine makes a cell ``date`` or ``datetime`` by whether its serial number is
   whole, which fastexcel's milliseconds cannot tell apart at midnight; for a day column the
   parsed value is the same day either way (both round the serial to milliseconds the same
   way, and an ISO text's extra digits are cut, never rounded up past midnight). Every date is
   from 1904-01-02 (python-calamine reads a serial below 1 as a time of day) up to the last
   year :mod:`xlgrade.parse` accepts, so no date cell is ever shown in an issue.
6. Blank cells (no value, or the empty text) are the empty text "" as python-calamine gives
   them, except in a float column the sheet declares numeric (NaN): there
   :func:`xlgrade.normalize.normalize` reads "" and NaN alike (blank, shown as None). Texts,
   numbers and booleans are the cells' own values; a date cell is its day (``date``), what
   python-calamine gives for a whole serial and, by rule 5, the same to a day column.
7. A failure of fastexcel (a broken file, a sheet it cannot find), a header it cannot find,
   or a header :func:`xlgrade.normalize.map_headers` refuses is a fallback too: the calamine
   path then raises what it always raised.

What is built from the columns is then exactly what :func:`xlgrade.normalize.normalize_stacked`
builds from the rows: the header found among the first rows, the raw frame after it, and
:func:`xlgrade.normalize.normalize` with the same arguments.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlgrade import parse
from xlgrade.columnar import INTERN_AFTER, INTERN_SHARE
from xlgrade.io.errorcells import sheet_part
from xlgrade.normalize import (
    HEADER_SCAN_ROWS,
    NUMERIC_TYPES,
    Normalized,
    find_header,
    header_text,
    map_headers,
    normalize,
)
from xlgrade.schema.model import DATE, Sheet

SUFFIXES = (".xlsx", ".xlsm")
FIRST_DAY = np.datetime64("1904-01-02", "ms")  # rule 5: below, python-calamine may give a time
PAST_LAST_DAY = np.datetime64(f"{parse.YEAR_MAX + 1:04d}-01-01", "ms")
_KINDS = ("string", "float", "boolean", "datetime", "date")  # rule 3
_UNIQUE = re.compile(r"(.*)_[0-9]+")  # rule 4: a name fastexcel made unique
FETCH_VECTORS = 8  # DuckDB vectors (2,048 rows each) fetched at a time
_HEAD_BYTES = 1 << 16  # rule 2: the sheet XML is inflated this far at a time, to its first row
_HEAD_LIMIT = 1 << 22  # ... and no further
_FIRST_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(/>|>(.*?)</(?:\w+:)?row>)", re.S)
_ROW_ONE = re.compile(rb'\br="1"')
_VALUED = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>")

# fastexcel logs "Could not determine dtype for column 4, falling back to string" for a column
# of blanks; the job's output must not change
logging.getLogger("fastexcel").addHandler(logging.NullHandler())
logging.getLogger("fastexcel").propagate = False


class Fallback(Exception):
    """The sheet must be read the calamine way; the message says which rule refused it."""


def read(
    path: Path,
    sheet: Sheet,
    *,
    pick: Callable[[list[str]], str],
    data: bytes | None,
    may_hold_errors: Callable[[str], bool] | None,
    source: Callable[[str], str],
    allow_missing: Collection[str] = (),
    max_abs: float | None = None,
) -> tuple[Normalized, str]:
    """(``sheet``'s table normalised, the sheet's name), as
    :func:`~xlgrade.io.tables.read_book_table` gives them, or :class:`Fallback`.

    ``pick(sheet names)``: the sheet to read; ``source(name)``: the issues' source; the file
    was checked (:mod:`xlgrade.workbook.ziplimits`) before."""
    if path.suffix.lower() not in SUFFIXES:
        raise Fallback("not an .xlsx / .xlsm workbook")
    if may_hold_errors is None:
        raise Fallback("not known to hold no error cell")
    import fastexcel  # only a workbook read imports it

    try:
        reader = fastexcel.read_excel(data if data is not None else str(path))
        name = pick(list(reader.sheet_names))
    except Exception as exc:  # a broken file, no such sheet: the calamine path says which
        raise Fallback(f"fastexcel cannot open it: {type(exc).__name__}") from None
    if may_hold_errors(name):
        raise Fallback("the sheet may hold an error cell")
    if not starts_at_first_row(data if data is not None else path, name):
        raise Fallback("the table does not start at the sheet's first row")
    try:
        loaded = reader.load_sheet(name, header_row=0, schema_sample_rows=None, dtype_coercion="strict")
    except Exception as exc:  # a column of mixed types (UnsupportedColumnTypeCombinationError), a broken part
        raise Fallback(f"fastexcel refused the sheet: {type(exc).__name__}") from None
    infos = loaded.selected_columns
    names = [c.name for c in infos]
    refusal = _names_refused(infos) or next(
        (f"column {c.name!r} is of type {c.dtype}" for c in infos if c.dtype not in _KINDS), None
    )
    if refusal:
        raise Fallback(refusal)
    exported = _Exported(loaded)
    del loaded, reader
    columns = _fetch(exported, [c.dtype for c in infos])
    del exported
    head: list[list[Any]] = [list(names)]
    head += [[_cell(col, i) for col in columns] for i in range(min(HEADER_SCAN_ROWS - 1, _height(columns)))]
    for col in columns:  # rule 5: a date cell never names a column whatever its type
        if col.dtype.kind == "M" and any(_header_like(sheet, _cell(col, i)) for i in range(len(head) - 1)):
            raise Fallback("a date cell among the first rows could name a column")
    src = source(name)
    try:
        h = find_header(head, sheet, source=src, allow_missing=allow_missing)
        raw = _raw(head[h], [col[h:] for col in columns])
        mapping = map_headers(raw, sheet, source=src, header_row=h + 1, allow_missing=allow_missing)
    except Exception as exc:  # no header, a missing or doubled column: the calamine path raises it
        raise Fallback(f"the header is refused: {type(exc).__name__}") from None
    kinds = {pos: sheet.column(key).type for key, pos in mapping.columns.items()}
    raw = _settled(raw, kinds)
    out = normalize(
        raw, sheet, source=src, first_row=h + 2, header_row=h + 1, allow_missing=allow_missing, max_abs=max_abs
    )
    return out, name


def starts_at_first_row(data: bytes | str | Path, sheet_name: str) -> bool:
    """Rule 2: whether the sheet's first ``<row>`` is row 1 and holds a cell with a value;
    only the head of the part is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            part = sheet_part(z, sheet_name)
            if part is None:
                return False
            info = z.getinfo(part)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                return False
            head = b""
            with z.open(info) as fh:
                while len(head) < _HEAD_LIMIT and (block := fh.read(_HEAD_BYTES)):
                    head += block
                    m = _FIRST_ROW.search(head)
                    if m is not None:
                        return bool(_ROW_ONE.search(m.group(1))) and bool(_VALUED.search(m.group(3) or b""))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return False
    return False


def _names_refused(infos: Sequence[Any]) -> str | None:
    """Rule 4: why the first row's names may not be its cells' texts, or None."""
    names = {c.name for c in infos}
    for c in infos:
        if c.column_name_from != "looked_up":
            return f"column {c.index + 1} has no text in the first row"
        try:
            float(c.name)
            return f"the name {c.name!r} may be a number"
        except ValueError:
            pass
        if c.name.strip().lower() in ("true", "false"):
            return f"the name {c.name!r} may be a boolean"
        m = _UNIQUE.fullmatch(c.name)
        if m is not None and m.group(1) in names:
            return f"the name {c.name!r} may have been made unique"
    return None


class _Exported:
    """The sheet's columns exported once as Arrow (``__arrow_c_array__``), so the sheet itself
    (calamine's parsed cells, most of its memory) can go before DuckDB reads them."""

    def __init__(self, loaded: Any) -> None:
        self._schema = loaded.__arrow_c_schema__()  # DuckDB takes this one, and the array's own
        self._arrays = loaded.__arrow_c_array__()

    def __arrow_c_schema__(self) -> object:
        return self._schema

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        return self._arrays


def _fetch(fastexcel_columns: _Exported, dtypes: list[str]) -> list[np.ndarray]:
    """The columns as NumPy arrays: float64 (NaN blank), datetime64[ms] (NaT blank), object
    (texts and booleans as Python objects, None blank; equal texts of a column share one
    ``str`` while they repeat, as :mod:`xlgrade.columnar` keeps them). DuckDB hands them over
    :data:`FETCH_VECTORS` vectors at a time from a connection of its own, closed afterwards:
    the texts of a whole sheet are never all distinct objects at once."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SELECT * FROM fastexcel_columns")  # DuckDB finds the local by its name
        parts: list[list[np.ndarray]] = [[] for _ in dtypes]
        memos: list[dict[str, str] | None] = [{} if d == "string" else None for d in dtypes]
        seen = 0
        while len(chunk := con.fetch_df_chunk(FETCH_VECTORS)):
            if chunk.shape[1] != len(dtypes):
                raise Fallback("DuckDB gave other columns than the sheet's")
            seen += len(chunk)
            for j, dtype in enumerate(dtypes):
                values = chunk.iloc[:, j]
                if dtype == "float":
                    parts[j].append(values.to_numpy(dtype="float64", na_value=np.nan))
                elif dtype in ("datetime", "date"):
                    parts[j].append(values.to_numpy(dtype="datetime64[ms]", na_value=np.datetime64("NaT")))
                elif dtype == "boolean":
                    cells = _python(values)
                    parts[j].append(_objects([None if v is None else bool(v) for v in cells]))
                else:
                    cells = _python(values)
                    memo = memos[j]
                    if memo is not None:
                        keep = memo.setdefault
                        cells = _objects([v if v is None else keep(v, v) for v in cells])
                        if seen >= INTERN_AFTER and len(memo) > INTERN_SHARE * seen:
                            memos[j] = None  # mostly distinct texts: interning only costs
                    parts[j].append(cells)
            del chunk
    finally:
        con.close()
    return [np.concatenate(p) if p else _empty(d) for p, d in zip(parts, dtypes, strict=True)]


def _python(values: pd.Series) -> np.ndarray:
    """A fetched column of texts or booleans as objects, None for a blank."""
    cells = values.to_numpy(dtype=object, copy=True)
    cells[pd.isna(cells)] = None
    return cells


def _objects(cells: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


def _empty(dtype: str) -> np.ndarray:
    if dtype == "float":
        return np.empty(0, dtype="float64")
    if dtype in ("datetime", "date"):
        return np.empty(0, dtype="datetime64[ms]")
    return np.empty(0, dtype=object)


def _height(columns: Sequence[np.ndarray]) -> int:
    return len(columns[0]) if columns else 0


def _cell(col: np.ndarray, i: int) -> Any:
    """The cell python-calamine gives (a date as ``date`` when at midnight: rule 5 keeps that
    from mattering), blank as ""."""
    v = col[i]
    if col.dtype.kind == "f":
        return "" if np.isnan(v) else float(v)
    if col.dtype.kind == "M":
        if np.isnat(v):
            return ""
        stamp = v.astype("datetime64[ms]").item()
        return stamp.date() if stamp.time() == dt.time() else stamp
    return "" if v is None else v


def _header_like(sheet: Sheet, cell: Any) -> bool:
    """Whether a date cell, as ``date`` or as ``datetime``, names a column of ``sheet``."""
    if not isinstance(cell, dt.date):
        return False
    moment = cell if isinstance(cell, dt.datetime) else dt.datetime(cell.year, cell.month, cell.day)
    return any(sheet.match_header(c) is not None for c in (moment, moment.date()))


def _raw(header: Sequence[Any], columns: Sequence[np.ndarray]) -> pd.DataFrame:
    """The raw frame (``columnar.frame``'s: header texts as names) of the columns as fetched."""
    data = {j: pd.Series(col, dtype=col.dtype, copy=False) for j, col in enumerate(columns)}
    out = pd.DataFrame(data, copy=False)
    out.index = pd.RangeIndex(_height(columns))
    out.columns = [header_text(c) for c in header]
    return out


def _settled(raw: pd.DataFrame, kinds: dict[int, str]) -> pd.DataFrame:
    """Rules 5 and 6: each column as python-calamine's cells, or as what normalize reads alike
    in the column the sheet declares it to be."""
    data: dict[int, pd.Series] = {}
    for pos in range(raw.shape[1]):
        values = raw.iloc[:, pos]
        kind = kinds.get(pos)
        arr = values.to_numpy()
        if arr.dtype.kind == "M":
            if kind != DATE:
                raise Fallback(f"column {raw.columns[pos]!r} holds dates but is not a date column")
            found = arr[~np.isnat(arr)]
            if len(found) and (found.min() < FIRST_DAY or found.max() >= PAST_LAST_DAY):
                raise Fallback(f"column {raw.columns[pos]!r} holds a date outside 1904-01-02 to {parse.YEAR_MAX}")
            days = arr.astype("datetime64[D]").astype(object)  # datetime.date, None for NaT
            days[np.isnat(arr)] = ""
            data[pos] = pd.Series(days, dtype=object, copy=False)
        elif arr.dtype.kind == "f":
            blank = np.isnan(arr)
            if kind in NUMERIC_TYPES or not blank.any():
                data[pos] = pd.Series(arr, dtype="float64", copy=False)
            else:  # python-calamine's floats and ""
                obj = arr.astype(object)
                obj[blank] = ""
                data[pos] = pd.Series(obj, dtype=object, copy=False)
        else:
            obj = arr.copy()
            obj[pd.isna(obj)] = ""  # None: the blank cells
            data[pos] = pd.Series(obj, dtype=object, copy=False)
    out = pd.DataFrame(data, copy=False)
    out.index = pd.RangeIndex(len(raw))
    out.columns = list(raw.columns)
    return out
