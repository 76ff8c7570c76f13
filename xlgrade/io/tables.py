"""Read one sheet table from a file into a :class:`~xlgrade.normalize.Normalized` frame.

Accepts:

- ``.csv``: UTF-8 (with or without BOM), else GB18030/GBK as Chinese Excel saves it;
  comma-separated; read by :mod:`xlgrade.io.csvread` (nothing is guessed or turned into NaN).
- ``.xlsx``, ``.xlsm`` (and ``.xls``, ``.xlsb``, ``.ods``, which the same reader handles):
  read with python-calamine, cells typed as the file stores them (numbers, dates, text,
  booleans; formulas as their cached value). The sheet is ``sheet_name`` if given, else the
  one named like the sheet declaration (Chinese or English name, or its key), else the
  first sheet. :func:`read_book_table` reads the sheet as whole typed columns through
  fastexcel where :mod:`xlgrade.io.fastbook` proves them what python-calamine's cells would
  be (its rules say when; the caller must know the sheet holds no error cell), else the rows
  are stacked into columns as calamine gives them (:mod:`xlgrade.columnar`): a 200,000-line
  ledger is never held as a list of row lists, and the memory its reading freed goes back to
  the system (:mod:`xlgrade.freed`) once the table is built.
- ``.parquet`` (a file, or a folder of them): through DuckDB, :mod:`xlgrade.io.parquetread`.
- A title or note rows above the header: the header is found in the first 10 rows
  (see :func:`xlgrade.normalize.find_header`). Row numbers in issues are the file's real
  1-based rows (CSV: record numbers, as Excel numbers them when it opens the file).

Refuses:

- a file that does not exist: :class:`~xlgrade.errors.MissingFileError`;
- any other extension, an unreadable or undecodable file, a ``sheet_name`` not in the
  workbook, a table without a recognisable header: :class:`~xlgrade.errors.InputError`;
- a hostile or broken workbook, checked before calamine sees it (calamine inflates in Rust,
  trusting the zip headers): parts that would inflate beyond the limits, damaged parts,
  a password-protected workbook, a folder or an empty file
  (:class:`~xlgrade.errors.PackageError` and its kinds, :mod:`xlgrade.workbook.ziplimits`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import python_calamine

from xlgrade import columnar, freed
from xlgrade.errors import (
    CorruptPartError,
    EncryptedWorkbookError,
    InputError,
    MissingFileError,
    OversizedPartError,
    PackageError,
    XlgradeError,
)
from xlgrade.io import fastbook
from xlgrade.io.csvread import read_csv_table
from xlgrade.io.errorcells import error_cells, mark_errors
from xlgrade.io.parquetread import PARQUET_SUFFIXES, read_parquet_table
from xlgrade.normalize import HEADER_SCAN_ROWS, Normalized, normalize_stacked
from xlgrade.parse import CellError
from xlgrade.schema.model import Sheet, header_key

CSV_SUFFIXES = (".csv",)
RELEASE_ROWS = 2_000  # a sheet this long returns the memory its reading freed (xlgrade.freed)
BOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def read_table(
    path: str | Path,
    sheet: Sheet,
    *,
    sheet_name: str | None = None,
    allow_missing: Collection[str] = (),
    max_abs: float | None = None,
) -> Normalized:
    """Read ``sheet``'s table from ``path`` (CSV or workbook) and normalise it.

    ``max_abs``: the rule ``input.max_abs_amount`` (see :func:`xlgrade.normalize.normalize`).
    """
    path = Path(path)
    if path.suffix.lower() in PARQUET_SUFFIXES or (path.is_dir() and any(path.rglob("*.parquet"))):
        return read_parquet_table(path, sheet, allow_missing=allow_missing, max_abs=max_abs)
    if path.is_dir():
        raise InputError(
            "is a folder, not a file (这是文件夹，不是文件); name the .csv or .xlsx file", source=str(path)
        )
    if not path.is_file():
        raise MissingFileError(f"{path}: file not found (找不到文件)")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv_table(path, sheet, allow_missing=allow_missing, max_abs=max_abs)
    if suffix in BOOK_SUFFIXES:
        return read_book_table(path, sheet, sheet_name=sheet_name, allow_missing=allow_missing, max_abs=max_abs)[0]
    raise InputError(
        f"unsupported file type {path.suffix or '(none)'} (不支持的文件类型); "
        f"use {', '.join(CSV_SUFFIXES + BOOK_SUFFIXES + PARQUET_SUFFIXES)}",
        source=path.name,
    )


def pick_sheet(names: list[str], sheet: Sheet, sheet_name: str | None, source: str) -> str:
    """The workbook sheet to read: ``sheet_name``, the declared sheet's name, or the first."""
    if not names:
        raise InputError("the workbook has no sheets (工作簿中没有工作表)", source=source)
    if sheet_name is not None:
        if sheet_name in names:
            return sheet_name
        wanted = {header_key(sheet_name)}
    else:
        wanted = {header_key(n) for n in (sheet.zh, sheet.en, sheet.key)}
    for name in names:
        if header_key(name) in wanted:
            return name
    if sheet_name is not None:
        raise InputError(f"no sheet named {sheet_name!r} (找不到工作表); sheets: {', '.join(names)}", source=source)
    return names[0]


def read_book_rows(
    path: Path,
    sheet: Sheet,
    *,
    sheet_name: str | None = None,
    data: bytes | None = None,
    checked: bool = False,
    may_hold_errors: Callable[[str], bool] | None = None,
) -> tuple[list[list[Any]], int, str]:
    """(rows from the first used row, number of file rows above them, sheet name).

    ``data``: the workbook's bytes, read instead of the file (``path`` still names it).
    ``checked``: the file (or ``data``) already passed :mod:`xlgrade.workbook.ziplimits`
    (a :class:`~xlgrade.workbook.package.Package` verified it); else it is checked here first,
    since calamine inflates the parts itself, trusting their headers.
    ``may_hold_errors(sheet name)``: False when the caller knows the sheet has no error cell
    (a :class:`~xlgrade.workbook.package.Package` saw its part), so it is not searched for them.
    """
    sheet_data, name = _sheet_data(path, sheet, sheet_name=sheet_name, data=data, checked=checked)
    try:
        rows = sheet_data.to_python(skip_empty_area=True)
    except Exception as exc:  # a damaged part (truncated XML ...) surfaces only here
        raise _unreadable(path, data, exc, name) from None
    start = sheet_data.start
    if _look_for_errors(path, name, may_hold_errors) and any(v == "" for r in rows for v in r):
        # calamine reads an error cell (#N/A) as "": find them so they are reported as errors
        mark_errors(rows, start, error_cells(data if data is not None else path, name))
    offset = start[0] if rows and start else 0
    return rows, offset, name


def read_book_table(
    path: Path,
    sheet: Sheet,
    *,
    sheet_name: str | None = None,
    data: bytes | None = None,
    checked: bool = False,
    may_hold_errors: Callable[[str], bool] | None = None,
    allow_missing: Collection[str] = (),
    max_abs: float | None = None,
    fast: bool = True,
) -> tuple[Normalized, str]:
    """(``sheet``'s table normalised, the sheet's name): :func:`read_book_rows` and
    :func:`~xlgrade.normalize.normalize_rows` in one pass, the same frame and issues, without
    ever holding the rows as lists: read through fastexcel where :mod:`xlgrade.io.fastbook`
    proves that exact (``fast``), else stacked into columns as calamine gives the rows
    (:mod:`xlgrade.columnar`). The other arguments are :func:`read_book_rows`'s."""
    _check_file(path, data, checked)
    if fast:
        try:
            out, name = fastbook.read(
                path,
                sheet,
                pick=lambda names: pick_sheet(names, sheet, sheet_name, path.name),
                data=data,
                may_hold_errors=may_hold_errors,
                source=lambda n: f"[{path.name}]{n}",
                allow_missing=allow_missing,
                max_abs=max_abs,
            )
        except fastbook.Fallback:
            pass
        else:
            if len(out.frame) >= RELEASE_ROWS:  # fastexcel's and DuckDB's copies are gone
                freed.release()
            return out, name
    sheet_data, name = _sheet_data(path, sheet, sheet_name=sheet_name, data=data, checked=True)
    start = sheet_data.start
    rows = _cells_of(sheet_data, path, data, name)
    above = list(islice(rows, start[0] if start else 0))
    if any(v != "" for r in above for v in r):  # iter_rows without the blank rows above the used range
        rows = chain(above, rows)
    head = list(islice(rows, HEADER_SCAN_ROWS))
    rest = columnar.stack(rows)
    del rows, sheet_data  # calamine's copy of the sheet goes here
    empty = rest.empty_text or any(v == "" for r in head for v in r)
    if empty and _look_for_errors(path, name, may_hold_errors):
        r0, c0 = start or (0, 0)
        for (r, c), text in error_cells(data if data is not None else path, name).items():
            i, j = r - r0, c - c0
            if 0 <= i < len(head):
                if 0 <= j < len(head[i]):
                    head[i][j] = CellError(text)
            elif j >= 0:
                rest.set(i - len(head), j, CellError(text))
    offset = start[0] if head and start else 0
    source = f"[{path.name}]{name}"
    large = rest.rows >= RELEASE_ROWS
    out = normalize_stacked(
        head, rest, sheet, source=source, row_offset=offset, allow_missing=allow_missing, max_abs=max_abs
    )
    if large:  # calamine's copy of the sheet and the chunks are gone: give their pages back
        freed.release()
    return out, name


def _sheet_data(
    path: Path, sheet: Sheet, *, sheet_name: str | None, data: bytes | None, checked: bool
) -> tuple[Any, str]:
    """(the sheet as calamine parsed it, its name): the file checked first unless ``checked``."""
    _check_file(path, data, checked)
    try:
        book = (
            python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            if data is not None
            else python_calamine.CalamineWorkbook.from_path(str(path))
        )
    except Exception as exc:  # calamine raises several unrelated types for broken files
        raise _unreadable(path, data, exc) from None
    try:
        name = pick_sheet(list(book.sheet_names), sheet, sheet_name, path.name)
        try:
            return book.get_sheet_by_name(name), name
        except Exception as exc:  # a damaged part (truncated XML ...) surfaces only here
            raise _unreadable(path, data, exc, name) from None
    finally:
        book.close()


def _check_file(path: Path, data: bytes | None, checked: bool) -> None:
    """The file checked by :mod:`xlgrade.workbook.ziplimits` before calamine or fastexcel
    inflates it, unless ``checked`` or ``data`` is given (a verified package's bytes)."""
    if checked or data is not None:
        return
    try:
        from xlgrade.workbook import ziplimits  # workbooks only: a CSV grade does not import it

        ziplimits.check_file(path, allow_xls=path.suffix.lower() == ".xls")
    except (OversizedPartError, CorruptPartError, EncryptedWorkbookError):
        raise
    except PackageError as exc:  # not a workbook at all: an input error, as for a bad CSV
        raise InputError(str(exc)) from None


def _cells_of(sheet_data: Any, path: Path, data: bytes | None, name: str) -> Iterator[list[Any]]:
    """The sheet's rows as python-calamine's ``iter_rows`` gives them: the used columns only, but
    (python-calamine 0.9) after one blank row for each row above the used range, which
    ``to_python(skip_empty_area=True)`` leaves out; a failure while calamine converts them is
    reported as :func:`read_book_rows` reports it."""
    try:
        yield from sheet_data.iter_rows()
    except Exception as exc:  # a damaged part (truncated XML ...) surfaces only here
        raise _unreadable(path, data, exc, name) from None


def _look_for_errors(path: Path, name: str, may_hold_errors: Callable[[str], bool] | None) -> bool:
    """Whether the sheet ``name`` may hold error cells calamine read as "" (.xlsx / .xlsm only)."""
    return path.suffix.lower() in (".xlsx", ".xlsm") and (may_hold_errors is None or may_hold_errors(name))


def _unreadable(path: Path, data: bytes | None, exc: Exception, sheet_name: str | None = None) -> XlgradeError:
    """The one-line error for a workbook calamine cannot read: the broken part when one is found."""
    if path.suffix.lower() != ".xls":
        try:
            buf = data if data is not None else path.read_bytes()
        except OSError:
            buf = b""
        from xlgrade.workbook import ziplimits

        found = ziplimits.broken_xml_part(buf, path.name) if buf else None
        if found is not None:
            return CorruptPartError(found + (f" [sheet {sheet_name!r}]" if sheet_name else ""))
    detail = " ".join(str(exc).split())  # one line, whatever calamine put in it
    source = f"[{path.name}]{sheet_name}" if sheet_name else path.name
    return InputError(f"cannot read the workbook: {detail} (无法读取工作簿)", source=source)
