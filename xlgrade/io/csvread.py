"""CSV files as tables: pandas' C reader for the common file, the csv module for the odd one.

Rules of this module:

1. Text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Chinese Excel saves
   it); any other bytes are refused with one line saying how to save the file. A UTF-8 file
   reaches the C reader as its bytes (decoded cell by cell there, never whole here); bytes
   that turn out not to be UTF-8 send the file to its decoded text, with the same result.
2. The header is found among the first records exactly as for a workbook
   (:func:`xlgrade.normalize.find_header`): title or note rows above it are skipped.
3. Below the header, columns the sheet declares as numbers (money, number, integer, score,
   share) go through pandas' C parser with its correctly rounded float conversion
   (pandas' default, the value Python's ``float()`` gives: the property test holding the two
   readers to one frame checks it; ``float_precision`` is deprecated in pandas 3); a column whose
   every cell is a plain number arrives as float64 and skips the per-cell parsers. Every
   other column, and a numeric column with any other text in it ("12万", "1,234.50",
   "¥300"), arrives as the texts of the file, so :mod:`xlgrade.normalize` parses and reports
   them cell by cell as it does for any table. Nothing is guessed: no text becomes NaN
   except a blank cell ("NA", "null", "-" stay text).
4. The file falls back to the csv module, record by record, where the C reader would read it
   differently from a person: a record with more cells than the header (nearly always a
   comma inside an unquoted number, which shifts every cell: such rows are refused with
   their row number), cells under a blank header cell, a quoted line break above the
   header, or booleans typed in a numeric column. Both paths give the same frame and issues
   (a property test holds them to it).
5. Row numbers are record numbers, as Excel numbers the rows when it opens the file.
6. ``typed_as_text`` stays empty: it names numbers a spreadsheet holds as text (its SUMIFS
   skip them), and in a CSV file every cell is text.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import warnings
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from xlgrade import parse
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError
from xlgrade.normalize import (
    HEADER_SCAN_ROWS,
    Normalized,
    blank_mask,
    find_header,
    normalize,
    normalize_rows,
    parse_column,
    rows_to_frame,
)
from xlgrade.schema.model import INTEGER, MONEY, NUMBER, SCORE, SHARE, Sheet

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_NUMERIC = (MONEY, NUMBER, INTEGER, SCORE, SHARE)


def decode_csv(data: bytes, source: str) -> str:
    """Text of a CSV file: UTF-8 first, then GB18030 (a superset of GBK)."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "cannot decode the file as UTF-8 or GBK (无法识别文件编码); save it as “CSV UTF-8” from Excel", source=source
    )


def _records(text: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""))


def _head(text: str, source: str) -> list[list[str]]:
    """The first records (where the header is looked for), without reading the whole text."""
    return _head_of(lambda size: (text[:size], size >= len(text)), source)


def _utf8_prefix(data: bytes) -> Callable[[int], tuple[str, bool]]:
    """The text of the first ``size`` bytes of UTF-8 ``data`` (a character the cut splits
    left out) and whether that is all of it; UnicodeDecodeError where the bytes are not UTF-8."""

    def prefix(size: int) -> tuple[str, bool]:
        whole = size >= len(data)
        return codecs.getincrementaldecoder(CSV_ENCODINGS[0])().decode(data[:size], final=whole), whole

    return prefix


def _head_of(prefix: Callable[[int], tuple[str, bool]], source: str) -> list[list[str]]:
    """:func:`_head` of the text ``prefix`` gives: (its first ``size`` units, whether whole)."""
    size = 1 << 16
    while True:
        chunk, whole = prefix(size)
        try:
            records = list(itertools.islice(_records(chunk), HEADER_SCAN_ROWS + 1))
        except csv.Error as exc:
            if not whole:  # perhaps a quote the cut opened
                size *= 4
                continue
            raise _unreadable(exc, source) from None
        if whole or len(records) > HEADER_SCAN_ROWS:  # the last one may be cut by the chunk's end
            return records[:HEADER_SCAN_ROWS]
        size *= 4


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every record of a CSV file as a list of texts (blank lines kept as empty records)."""
    text = decode_csv(path.read_bytes(), path.name)
    try:
        return list(_records(text))
    except csv.Error as exc:
        raise _unreadable(exc, path.name) from None


def _unreadable(exc: csv.Error | pd.errors.ParserError, source: str) -> InputError:
    return InputError(f"not a readable CSV file: {exc} (CSV 文件格式错误)", source=source)


def read_csv_table(
    path: Path, sheet: Sheet, *, allow_missing: Collection[str] = (), max_abs: float | None = None
) -> Normalized:
    """``sheet``'s table from the CSV file ``path``, normalised (see the module's rules).

    A UTF-8 file goes to the C reader as its bytes, which it decodes cell by cell, and is
    never decoded whole (only its head, for the header); where its bytes turn out not to be
    UTF-8 the file is read again from its text as :func:`decode_csv` decodes it (GB18030),
    so the result is the one of decoding first, and so is the error of a file neither is."""
    source = path.name
    data = path.read_bytes()
    if max_abs is None:
        max_abs = RuleBook().input.max_abs_amount
    try:
        return _table(source, data, None, sheet, allow_missing, max_abs)
    except _NotUTF8:
        return _table(source, data, decode_csv(data, source), sheet, allow_missing, max_abs)


class _NotUTF8(Exception):
    """Bytes read as UTF-8 are not: the file is read again from its decoded text."""


def _whole_utf8(data: bytes) -> str:
    try:
        return data.decode(CSV_ENCODINGS[0])
    except UnicodeDecodeError:
        raise _NotUTF8 from None


def _table(
    source: str, data: bytes, text: str | None, sheet: Sheet, allow_missing: Collection[str], max_abs: float
) -> Normalized:
    """:func:`read_csv_table` of the file's ``data``, from its ``text`` when given, else from
    its bytes as UTF-8 (:class:`_NotUTF8` where they are not)."""
    if text is None:
        try:
            head = _head_of(_utf8_prefix(data), source)
        except UnicodeDecodeError:
            raise _NotUTF8 from None
    else:
        head = _head(text, source)
    try:
        h = find_header(head, sheet, source=source, allow_missing=allow_missing)
    except InputError:
        if text is None:  # a file that is not UTF-8 is judged by its decoded text, as before
            _whole_utf8(data)
        raise
    try:
        fast = _fast_body(data if text is None else text, head, h, sheet, max_abs)
    except UnicodeDecodeError:  # the C reader met bytes that are not UTF-8
        raise _NotUTF8 from None
    if fast is None:  # rule 4: the record-by-record reader
        if text is None:
            text = _whole_utf8(data)
        try:
            rows = list(_records(text))
        except csv.Error as exc:
            raise _unreadable(exc, source) from None
        return normalize_rows(
            rows, sheet, source=source, allow_missing=allow_missing, ragged=True, max_abs=max_abs, text_cells=False
        )
    raw = rows_to_frame(head[h], [])
    fast.columns = raw.columns
    return normalize(
        fast,
        sheet,
        source=source,
        first_row=h + 2,
        header_row=h + 1,
        allow_missing=allow_missing,
        max_abs=max_abs,
        text_cells=False,
        plain_str=range(len(raw.columns)),  # the C reader makes plain str (never a CellError)
    )


def _read_body(
    body: bytes | str, h: int, width: int, numeric: Collection[int], columns: list[int] | None = None
) -> pd.DataFrame:
    """pandas' C reader below the header (``body``: the file's UTF-8 bytes or its text):
    ``numeric`` positions typed if every cell is a number."""
    blanks: Any = {i: [""] for i in numeric}  # positions as keys: pandas takes them, its stubs do not
    with warnings.catch_warnings():  # "a loss of data": a first record longer than the header
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(
            io.BytesIO(body) if isinstance(body, bytes) else io.StringIO(body),
            encoding="utf-8",
            header=None,
            names=list(range(width)),
            usecols=columns,
            skiprows=h + 1,
            dtype={i: object for i in range(width) if i not in numeric},
            keep_default_na=False,
            na_values=blanks,
            skip_blank_lines=False,
            engine="c",
            index_col=False,
        )


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _refused(values: pd.Series, kind: str, max_abs: float) -> bool:
    """Whether normalising a typed column will report a cell (its text is then wanted)."""
    typed, _, errors = parse_column(values, kind)
    return bool(errors) or bool((typed.abs() >= max_abs).any())


def _fast_body(text: bytes | str, head: list[list[str]], h: int, sheet: Sheet, max_abs: float) -> pd.DataFrame | None:
    """The records below the header through pandas' C reader, or None where rule 4 says not.

    A numeric column with a cell the job will report (out of range, not whole, too large)
    is read again as text, so the report shows the cell as typed ("1e400", not inf)."""
    header = head[h]
    width = len(header)
    if width == 0:
        return None
    if "\n" in "".join(cell for record in head[: h + 1] for cell in record) or "\r" in "".join(
        cell for record in head[: h + 1] for cell in record
    ):
        return None  # a quoted line break above the body: lines and records differ
    named = [i for i in range(width) if not parse.is_blank(header[i])]
    trailing_blank = range(named[-1] + 1 if named else 0, width)
    kinds = {
        i: col.type
        for i, cell in enumerate(header)
        if not parse.is_blank(cell) and (col := sheet.match_header(cell)) is not None and col.type in _NUMERIC
    }
    numeric = set(kinds)
    try:
        body = _read_body(text, h, width, numeric)
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        return None  # a record with more cells than the header, or quoting the C reader refuses
    for i in trailing_blank:  # cells under a blank header cell: the csv reader's rule applies
        if not blank_mask(body[i]).all():
            return None
    typed = [i for i in numeric if pd.api.types.is_numeric_dtype(body[i].dtype)]
    if any(pd.api.types.is_bool_dtype(body[i].dtype) for i in typed):
        return None
    # beside a blank cell the C reader turns True/False into booleans of an object column
    if any(body[i].dtype == object and body[i].map(_is_bool).any() for i in numeric if i not in typed):
        return None
    redo = [i for i in typed if _refused(body[i], kinds[i], max_abs)]
    if redo:
        texts = _read_body(text, h, width, (), redo)
        for i in redo:
            body[i] = texts[i]
    return body
