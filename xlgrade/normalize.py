"""Turn a table as read from a file into the typed frame the engine expects, with issues.

Accepts:

- ``rows`` (list of lists, as a reader gives them) for :func:`normalize_rows`: the header
  row is found among the first 10 rows (the one naming most of the sheet's columns and all
  its required ones); rows above it (a merged title row, notes) are skipped.
- ``raw`` (DataFrame) for :func:`normalize`: the input's header texts as columns, one row per
  sheet row in order. ``raw`` is never modified.
- Headers in Chinese, English, as column keys or any alias of the sheet declaration,
  compared with :func:`xlgrade.schema.model.header_key` (NFKC, case, spaces, ``*:()``).
- Extra columns: kept unchanged under their original header (blank headers become
  ``column N``; repeated headers get ``.2``, ``.3``). Columns with a blank header and no data
  are dropped.
- Cell values in every form :mod:`xlgrade.parse` accepts.

Refuses (:class:`~xlgrade.errors.InputError`, the whole table is unusable):

- a required column missing from the header (message names source, header row, column key
  and Chinese header, and the headers accepted for it);
- two headers naming the same column.

Reports (:class:`~xlgrade.issues.Issue`, the table is still used):

- blank rows inside the table: dropped, action ``note`` (blank rows after the last data row
  are the end of the table and are dropped without a note);
- a blank or unparsable required value: row dropped, action ``skipped`` (one issue per bad
  required cell; the row's optional cells are then not reported);
- an unparsable optional value: set missing, row kept, action ``ignored``;
- duplicate ids, ledger lines for unknown customers, customer names that name no customer or
  several, lines after the as-of date: the checks across rows, :mod:`xlgrade.checks`.

Output frame: one column per sheet column found (sheet order, typed: id/text/grade object
str or None, money/number/score/share float64, integer Int64, date/datetime
datetime64[ns]), then ``row`` (the original 1-based row number), then extra columns.

Pure: no file access; no spreadsheet library.

Size: about 600 lines on purpose: finding the header, the vectorised parsing of each column
and the reporting of each row share the per-column scans (:class:`Cells`) and must agree on
what a row is; the checks across rows are :mod:`xlgrade.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlgrade import columnar, parse
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError
from xlgrade.issues import IGNORED, NOTE, SKIPPED, Issue
from xlgrade.schema.model import (
    AMOUNT,
    DATE,
    DATETIME,
    GRADE,
    ID,
    INTEGER,
    MONEY,
    NUMBER,
    ORDINAL,
    SCORE,
    SESSIONS,
    SHARE,
    TEXT,
    Column,
    Sheet,
)

HEADER_SCAN_ROWS = 10
ROW = "row"
_NUMERIC = (MONEY, AMOUNT, NUMBER, SCORE, SHARE, INTEGER, ORDINAL)
NUMERIC_TYPES = _NUMERIC  # the column types parsed as numbers (a reader may give them NaN for blank)
_WHOLE = (INTEGER, ORDINAL)
_DATES = (DATE, DATETIME)
_RANGES = {SCORE: (0.0, 10.0), SHARE: (0.0, 1.0)}
_PLAIN_NUMBER = r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?"  # fast path only


@dataclass
class Normalized:
    """A typed frame, the issues found while building it, and where its columns came from."""

    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key -> header as written
    extras: list[str] = field(default_factory=list)  # extra columns kept, as named in frame
    source: str = ""
    header_row: int | None = None
    # numeric and date column key -> {sheet row: the text} for kept rows whose cell was text that
    # parsed, e.g. "12万" or "2026/3/5": a spreadsheet's own SUMIFS / COUNTIFS skip such cells
    typed_as_text: dict[str, dict[int, str]] = field(default_factory=dict)

    def header(self, key: str) -> str:
        """The header as written for column ``key`` (the key itself if absent)."""
        return self.headers.get(key, key)


# ---- header -----------------------------------------------------------------------------
def header_text(cell: Any) -> str:
    """A header cell as the column's name: its text stripped, "" for a blank."""
    return "" if parse.is_blank(cell) else str(cell).strip()


def _matches(cells: Sequence[Any], sheet: Sheet) -> set[str]:
    found = set()
    for cell in cells:
        if not parse.is_blank(cell):
            col = sheet.match_header(cell)
            if col is not None:
                found.add(col.key)
    return found


def _needed(sheet: Sheet, allow_missing: Collection[str]) -> list[Column]:
    return [c for c in sheet.required if c.key not in allow_missing]


def _missing_error(col: Column, *, source: str, row: int | None, found: Sequence[str]) -> InputError:
    accepted = ", ".join(dict.fromkeys((col.zh, col.en, col.key, *col.aliases)))
    seen = ", ".join(h for h in found if h) or "none"
    return InputError(
        f"required column {col.zh} ({col.key}) is missing from the header row; "
        f"accepted headers: {accepted}; headers found: {seen}",
        source=source,
        row=row,
        column=f"{col.zh} ({col.key})",
        zh=f"表头行缺少必填列“{col.zh}”;可用的表头:{accepted};现有表头:{seen.replace('none', '无')}",
    )


def find_header(
    rows: Sequence[Sequence[Any]],
    sheet: Sheet,
    *,
    source: str,
    row_offset: int = 0,
    allow_missing: Collection[str] = (),
    limit: int = HEADER_SCAN_ROWS,
) -> int:
    """Index in ``rows`` of the header row: all required columns, most columns named.

    ``row_offset`` is the number of file rows before ``rows[0]`` (for messages).
    """
    needed = _needed(sheet, allow_missing)
    best, best_count, complete, complete_count = None, 0, None, 0
    for i, cells in enumerate(rows[:limit]):
        keys = _matches(cells, sheet)
        if len(keys) > best_count:
            best, best_count = i, len(keys)
        if keys and all(c.key in keys for c in needed) and len(keys) > complete_count:
            complete, complete_count = i, len(keys)
    if complete is not None:
        return complete
    if best is None:
        names = ", ".join(c.zh for c in (needed or sheet.inputs)[:5])
        raise InputError(
            f"no header row found in the first {limit} rows; expected headers such as {names}",
            source=source,
            zh=f"前 {limit} 行中未找到表头行;应有 {names} 等表头",
        )
    keys = _matches(rows[best], sheet)
    missing = next(c for c in needed if c.key not in keys)
    raise _missing_error(missing, source=source, row=row_offset + best + 1, found=[header_text(c) for c in rows[best]])


@dataclass(frozen=True)
class _Mapping:
    columns: dict[str, int]  # column key -> position in raw
    headers: dict[str, str]  # column key -> header as written
    extras: list[tuple[int, str]]  # (position in raw, name in frame)


def _unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}.{n}" in taken:
        n += 1
    return f"{name}.{n}"


def map_headers(
    raw: pd.DataFrame, sheet: Sheet, *, source: str, header_row: int | None, allow_missing: Collection[str] = ()
) -> _Mapping:
    """Which raw column is which sheet column; raise for missing required or doubled columns."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra_pos: list[int] = []
    for pos, header in enumerate(raw.columns):
        col = None if parse.is_blank(header) else sheet.match_header(header)
        if col is None:
            extra_pos.append(pos)
            continue
        if col.key in columns:
            raise InputError(
                f"headers {headers[col.key]!r} and {header_text(header)!r} both name column "
                f"{col.en} ({col.key}); keep one of them",
                source=source,
                row=header_row,
                column=header_text(header),
                zh=f"表头“{headers[col.key]}”和“{header_text(header)}”都指向“{col.zh}”列;请只保留一个",
            )
        columns[col.key] = pos
        headers[col.key] = header_text(header)
    for col in _needed(sheet, allow_missing):
        if col.key not in columns:
            raise _missing_error(col, source=source, row=header_row, found=[header_text(h) for h in raw.columns])
    taken = set(columns) | {ROW}
    extras: list[tuple[int, str]] = []
    for pos in extra_pos:
        header = header_text(raw.columns[pos])
        if not header and blank_mask(raw.iloc[:, pos]).all():
            continue
        name = _unique_name(header or f"column {pos + 1}", taken)
        taken.add(name)
        extras.append((pos, name))
    return _Mapping(columns, headers, extras)


# ---- vectorised cell parsing --------------------------------------------------------------
@dataclass(frozen=True)
class Cells:
    """One raw column scanned once: the cells, their Python types, stripped text, blanks."""

    values: pd.Series  # as given (its dtype may allow a faster path)
    raw: np.ndarray  # object array of the cells, unchanged
    kinds: np.ndarray  # type of each cell
    text: np.ndarray  # str cells stripped of surrounding whitespace; other cells as raw
    blank: np.ndarray  # None, NaN, NaT, or empty / whitespace-only text
    uniform: type | None = None  # the type of every cell, when scan knows one type throughout


def scan(values: pd.Series, *, plain_str: bool = False) -> Cells:
    """Scan one raw column (any dtype) once; see :class:`Cells`.

    Two columns a reader gives whole take a shorter way to the same scan: a NumPy float
    column (every cell a float, NaN the blanks) and a column of nothing but ``str`` cells
    (exactly ``str``: a subclass such as :class:`xlgrade.parse.CellError` takes the general
    way, as do None and any other cell). ``plain_str``: the reader knows that no cell is of a
    str subclass (pandas' C reader's text columns), so text throughout needs no test per
    cell; a column holding anything but text still takes the general way."""
    raw = values.to_numpy(dtype=object)
    n = len(raw)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        return Cells(values, raw, np.full(n, float, dtype=object), raw, np.isnan(values.to_numpy()), float)
    if plain_str and n and pd.api.types.infer_dtype(raw, skipna=False) == "string":
        text = np.fromiter(map(str.strip, raw), dtype=object, count=n)
        return Cells(values, raw, np.full(n, str, dtype=object), text, text == "", str)
    kinds = np.fromiter(map(type, raw), dtype=object, count=n)
    is_str = kinds == _STR  # element-wise over an array of types
    if n and is_str.all():
        text = np.fromiter(map(str.strip, raw), dtype=object, count=n)
        return Cells(values, raw, kinds, text, text == "", str)
    blank = np.array(pd.isna(raw), dtype=bool).reshape(n)
    text = raw
    if is_str.any():
        text = raw.copy()
        stripped = np.fromiter(map(str.strip, raw[is_str]), dtype=object, count=int(is_str.sum()))
        text[is_str] = stripped
        blank[is_str] = stripped == ""
    return Cells(values, raw, kinds, text, blank)


_STR = np.empty((), dtype=object)  # str as an object (compared with an array of types), not a dtype
_STR[()] = str


def blank_mask(values: pd.Series) -> np.ndarray:
    """True where a cell is blank (None, NaN, NaT, empty or whitespace-only text)."""
    return scan(values).blank


def _of_kind(cells: Cells, *types: type) -> np.ndarray:
    if cells.uniform is not None:  # one type throughout: its non-blank cells, or none
        return ~cells.blank if cells.uniform in types else np.zeros(len(cells.kinds), dtype=bool)
    mask = np.zeros(len(cells.kinds), dtype=bool)
    box = np.empty((), dtype=object)  # compares a numpy scalar type as an object, not a dtype
    for t in types:
        box[()] = t
        mask |= cells.kinds == box
    return mask & ~cells.blank


_plain_number = re.compile(_PLAIN_NUMBER, re.ASCII).fullmatch


def _matching(texts: np.ndarray, fullmatch: Callable[[str], Any]) -> np.ndarray:
    return np.fromiter((fullmatch(t) is not None for t in texts), dtype=bool, count=len(texts))


def _fast_numeric(cells: Cells, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Floats for number cells and plain numeric text; ok marks the cells done."""
    values, n = cells.values, len(cells.raw)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        out = values.to_numpy(dtype="float64", na_value=np.nan).copy()
        ok = np.isfinite(out)
    else:
        out = np.full(n, np.nan)
        is_num = _of_kind(cells, float, int, np.float64, np.int64)
        if is_num.any():
            out[is_num] = cells.raw[is_num].astype("float64")
        ok = is_num & np.isfinite(out)
        is_str = _of_kind(cells, str)
        if is_str.any():
            idx = np.flatnonzero(is_str)
            idx = idx[_matching(cells.text[idx], _plain_number)]
            out[idx] = np.array([t.replace(",", "") for t in cells.text[idx]], dtype=object).astype("float64")
            ok[idx] = True
    if kind in _RANGES:
        low, high = _RANGES[kind]
        with np.errstate(invalid="ignore"):
            ok &= (out >= low) & (out <= high)
    elif kind in _WHOLE:
        ok &= np.mod(np.where(ok, out, 0.0), 1) == 0
    out[~ok] = np.nan
    return out + 0.0, ok  # + 0.0: "-0" reads as 0, not negative zero


def _stamps(cells: np.ndarray, **kwargs: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(datetime64[ns] values, ok) for datetime-like cells; None if pandas refuses them."""
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(cells, **kwargs))
        if stamps.tz is not None:
            stamps = stamps.tz_localize(None)
        stamps = stamps.as_unit("ns")
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None
    values = stamps.to_numpy()
    ok = (values >= _FIRST_DAY) & (values < _PAST_LAST_DAY)  # NaT compares False
    return values, ok


# parse.YEAR_MIN <= year <= parse.YEAR_MAX as instants, for a whole column at once
_FIRST_DAY = np.datetime64(f"{parse.YEAR_MIN:04d}-01-01", "ns")
_PAST_LAST_DAY = np.datetime64(f"{parse.YEAR_MAX + 1:04d}-01-01", "ns")


def _fast_dates(cells: Cells, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[ns] for datetime cells and ISO date text; ok marks the cells done."""
    values, n = cells.values, len(cells.raw)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.zeros(n, dtype=bool)
    groups: list[tuple[np.ndarray, np.ndarray, dict[str, Any]]] = []
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        groups.append((np.arange(n), values.to_numpy(), {}))
    else:
        is_dt = np.flatnonzero(_of_kind(cells, dt.datetime, dt.date, pd.Timestamp))
        groups.append((is_dt, cells.raw[is_dt], {}))
    for idx, group, kwargs in groups:
        if len(idx):
            done = _stamps(group, **kwargs)
            if done is not None:
                stamps, good = done
                out[idx[good]] = stamps[good]
                ok[idx[good]] = True
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        # ISO text, "2026-03-05" or "2026/3/5": pandas' own parser, one format at a time, takes
        # exactly YYYY-M-D with one separator throughout (and full-width digits, read the same by parse);
        # each distinct text once (a ledger's dates repeat on many lines)
        todo = np.flatnonzero(_of_kind(cells, str))
        for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
            if not len(todo):
                break
            codes, distinct = pd.factorize(cells.text[todo])
            done = _stamps(np.asarray(distinct, dtype=object), format=fmt, errors="coerce")
            if done is not None:
                stamps, good = done[0][codes], done[1][codes]
                out[todo[good]] = stamps[good]
                ok[todo[good]] = True
                todo = todo[~good]
    if kind == DATE:
        out = out.astype("datetime64[D]").astype("datetime64[ns]")
    return out, ok


def _fast_text(cells: Cells, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Stripped (id, grade: also NFKC) text for text cells; ok marks the cells done."""
    out = np.full(len(cells.raw), None, dtype=object)
    ok = _of_kind(cells, str)
    if ok.any():
        text = cells.text[ok]
        if kind in (ID, GRADE):  # ids repeat on every ledger line: normalise each distinct one once
            codes, distinct = pd.factorize(text)
            nfkc = unicodedata.normalize
            done = np.array([nfkc("NFKC", t).strip() for t in distinct], dtype=object)
            text = done[codes]
        out[ok] = text
    return out, ok


def _no_fast(cells: Cells, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """No vectorised path (sessions "6∕15"): every cell goes through its parser, once per value."""
    n = len(cells.raw)
    return np.full(n, None, dtype=object), np.zeros(n, dtype=bool)


_FAST: dict[str, Callable[[Cells, str], tuple[np.ndarray, np.ndarray]]] = {
    **{t: _fast_numeric for t in _NUMERIC},
    **{t: _fast_dates for t in _DATES},
    TEXT: _fast_text,
    ID: _fast_text,
    GRADE: _fast_text,
    SESSIONS: _no_fast,
}


def parse_column(values: pd.Series | Cells, kind: str) -> tuple[pd.Series, np.ndarray, dict[int, parse.ParseError]]:
    """Parse a whole column: (typed values, blank mask, {position: error}).

    Clean cells take a vectorised path; the rest go through :mod:`xlgrade.parse` once per
    distinct value. Blank and refused cells are missing in the typed values.
    """
    cells = values if isinstance(values, Cells) else scan(values)
    out, ok = _FAST[kind](cells, kind)
    errors: dict[int, parse.ParseError] = {}
    todo = np.flatnonzero(~cells.blank & ~ok)
    if len(todo):
        parser = parse.PARSERS[kind]
        cache: dict[tuple[type, Hashable], Any] = {}
        for pos in todo:
            cell = cells.raw[pos]
            key = (type(cell), cell)
            try:
                result = cache[key]
            except KeyError:
                try:
                    if isinstance(cell, parse.CellError):  # #N/A and the like: never a value
                        raise parse.refuse_error(cell)
                    result = parser(cell)
                except parse.ParseError as exc:
                    result = exc
                cache[key] = result
            if isinstance(result, parse.ParseError):
                errors[int(pos)] = result
            elif kind in _DATES:
                out[pos] = np.datetime64(result, "ns")
            else:
                out[pos] = result
    return _typed(out, kind), cells.blank, errors


def _typed(out: np.ndarray, kind: str) -> pd.Series:
    if kind in _WHOLE:
        return pd.Series(out.astype("float64")).astype("Int64")
    if kind in _NUMERIC:
        return pd.Series(out.astype("float64"))
    if kind in _DATES:
        return pd.Series(out.astype("datetime64[ns]"))
    return pd.Series(out, dtype=object)


# ---- the table --------------------------------------------------------------------------
def _shown(value: Any) -> Any:
    """A raw value for an issue: unchanged, except that blanks read as None."""
    return None if parse.is_blank(value) else value


def normalize(
    raw: pd.DataFrame,
    sheet: Sheet,
    *,
    source: str,
    first_row: int,
    header_row: int | None = None,
    allow_missing: Collection[str] = (),
    refuse: Mapping[int, tuple[str, str]] | None = None,
    max_abs: float | None = None,
    text_cells: bool = True,
    plain_str: Collection[int] = (),
) -> Normalized:
    """Map headers, parse and type every cell, drop unusable rows and report them.

    ``first_row`` is the file row number of ``raw``'s first data row; ``allow_missing``
    names required columns that may be absent from the header (e.g. ``customer_id`` when
    :func:`resolve_names` supplies it), although a present one is still required per row.
    ``refuse`` maps positions in ``raw`` to (reason, reason_zh) for rows the reader already
    knows are unusable; they are skipped and reported like any other. ``max_abs`` is the
    rule ``input.max_abs_amount`` (default: the rule book's default): a row with a number of
    that size or more in any numeric column, required or not, is skipped and reported.
    ``text_cells``: record :attr:`Normalized.typed_as_text` (numbers and dates a spreadsheet
    holds as text); False for a CSV file, where every cell is text. ``plain_str``: positions in
    ``raw`` of columns with no cell of a str subclass (see :func:`scan`).
    """
    if header_row is None:
        header_row = first_row - 1
    if max_abs is None:
        max_abs = RuleBook().input.max_abs_amount
    mapping = map_headers(raw, sheet, source=source, header_row=header_row, allow_missing=allow_missing)
    n = len(raw)
    rows = np.arange(first_row, first_row + n, dtype="int64")
    issues: list[tuple[int, int, Issue]] = []

    # Blank rows: every column staff type into (computed columns and blank extras aside).
    scans = {
        pos: scan(raw.iloc[:, pos], plain_str=pos in plain_str)
        for pos in [*mapping.columns.values(), *(p for p, _ in mapping.extras)]
    }
    content = [pos for key, pos in mapping.columns.items() if not sheet.column(key).computed]
    content += [pos for pos, _ in mapping.extras]
    blank_row = np.ones(n, dtype=bool)
    for pos in content:
        blank_row &= scans[pos].blank
    filled = np.flatnonzero(~blank_row)
    last = filled[-1] if len(filled) else -1
    for i in np.flatnonzero(blank_row[: last + 1]).tolist():
        issues.append((int(rows[i]), -1, Issue(source, int(rows[i]), None, None, "blank row", "空行", NOTE)))

    parsed: dict[str, pd.Series] = {}
    skipped = blank_row.copy()
    for i, (reason, reason_zh) in (refuse or {}).items():
        if not blank_row[i]:
            issues.append((int(rows[i]), -1, Issue(source, int(rows[i]), None, None, reason, reason_zh, SKIPPED)))
            skipped[i] = True
    optional_bad: list[tuple[int, int, str, Any, parse.ParseError]] = []
    as_text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col in sheet.columns:
        if col.key not in mapping.columns:
            continue
        pos = mapping.columns[col.key]
        typed, blank, errors = parse_column(scans[pos], col.type)
        header = mapping.headers[col.key]
        cells = scans[pos].raw
        if col.type in _NUMERIC:
            huge = np.flatnonzero((typed.abs() >= max_abs).to_numpy(dtype=bool, na_value=False))
            for i in huge.tolist():
                issues.append(
                    (int(rows[i]), pos, Issue(source, int(rows[i]), header, cells[i], *_too_big(max_abs), SKIPPED))
                )
                skipped[i] = True
        if col.required:
            for i in np.flatnonzero(blank & ~blank_row).tolist():
                issues.append(
                    (
                        int(rows[i]),
                        pos,
                        Issue(
                            source,
                            int(rows[i]),
                            header,
                            _shown(cells[i]),
                            "required value is blank",
                            "必填项为空",
                            SKIPPED,
                        ),
                    )
                )
                skipped[i] = True
            for i, exc in errors.items():
                issues.append(
                    (
                        int(rows[i]),
                        pos,
                        Issue(source, int(rows[i]), header, cells[i], exc.reason, exc.reason_zh, SKIPPED),
                    )
                )
                skipped[i] = True
        else:
            for i, exc in errors.items():
                optional_bad.append((i, pos, header, cells[i], exc))  # the value is already missing
        parsed[col.key] = typed
        if text_cells and (col.type in _NUMERIC or col.type in _DATES):
            text = _of_kind(scans[pos], str) & ~blank & typed.notna().to_numpy()
            if text.any():
                as_text[col.key] = (text, cells)
    for i, pos, header, cell, exc in optional_bad:
        if not skipped[i]:
            issues.append(
                (int(rows[i]), pos, Issue(source, int(rows[i]), header, cell, exc.reason, exc.reason_zh, IGNORED))
            )

    keep = ~skipped
    data: dict[str, Any] = {key: series[keep].reset_index(drop=True) for key, series in parsed.items()}
    data[ROW] = pd.Series(rows[keep], dtype="int64")
    for pos, name in mapping.extras:
        data[name] = pd.Series(scans[pos].raw[keep], dtype=object)
    frame = pd.DataFrame(data)
    issues.sort(key=lambda t: (t[0], t[1]))
    typed_as_text = {
        key: {int(rows[i]): cells[i] for i in np.flatnonzero(mask & keep)}
        for key, (mask, cells) in as_text.items()
        if (mask & keep).any()
    }
    return Normalized(
        frame,
        [i for _, _, i in issues],
        dict(mapping.headers),
        [name for _, name in mapping.extras],
        source,
        header_row,
        typed_as_text,
    )


def _too_big(max_abs: float) -> tuple[str, str]:
    """The reason (en, zh) for a number at or beyond the rule ``input.max_abs_amount``."""
    bound = f"{max_abs:g}"
    return (
        f"number too large: its size is {bound} or more (rule input.max_abs_amount), surely a typing error",
        f"数值过大:绝对值达到 {bound} 或以上(规则 input.max_abs_amount),应为录入错误",
    )


def rows_to_frame(header: Sequence[Any], body: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A raw frame (header texts as columns) from a header row and data rows of any width."""
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    names = [header_text(h) for h in header] + [""] * (width - len(header))
    if body and any(len(r) != width for r in body):
        body = [list(r) + [None] * (width - len(r)) for r in body]
    frame = (
        pd.DataFrame(list(body), columns=range(width), dtype=object)
        if body
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    frame.columns = names
    return frame


def normalize_stacked(
    head: Sequence[Sequence[Any]],
    rest: columnar.Stack,
    sheet: Sheet,
    *,
    source: str,
    row_offset: int = 0,
    allow_missing: Collection[str] = (),
    max_abs: float | None = None,
) -> Normalized:
    """:func:`normalize_rows` of the rows ``head`` (the first :data:`HEADER_SCAN_ROWS`, as
    lists) followed by the rows of ``rest`` (the others, stacked into columns by
    :mod:`xlgrade.columnar`): the same frame and issues, the rows never all held as lists.
    ``rest``'s chunks are released once the raw frame is built."""
    h = find_header(head, sheet, source=source, row_offset=row_offset, allow_missing=allow_missing)
    raw = columnar.frame([header_text(c) for c in head[h]], [columnar.stack(head[h + 1 :]), rest])
    return normalize(
        raw,
        sheet,
        source=source,
        first_row=row_offset + h + 2,
        header_row=row_offset + h + 1,
        allow_missing=allow_missing,
        max_abs=max_abs,
    )


def normalize_rows(
    rows: Sequence[Sequence[Any]],
    sheet: Sheet,
    *,
    source: str,
    row_offset: int = 0,
    allow_missing: Collection[str] = (),
    ragged: bool = False,
    max_abs: float | None = None,
    text_cells: bool = True,
) -> Normalized:
    """Find the header among the first rows, then :func:`normalize` what follows it.

    ``row_offset`` is the number of file rows before ``rows[0]``. With ``ragged`` (CSV),
    a row with values beyond the header's last column is refused: in a CSV file that is
    nearly always a comma inside an unquoted number ("1,234.50"), which shifts every cell.
    """
    h = find_header(rows, sheet, source=source, row_offset=row_offset, allow_missing=allow_missing)
    body = rows[h + 1 :]
    refuse = {}
    if ragged:
        width = len(rows[h])
        while width and parse.is_blank(rows[h][width - 1]):
            width -= 1
        refuse = {
            i: (
                f"the row has more cells than the header's {width} columns "
                "(a comma inside an unquoted number such as 1,234.50?)",
                f"该行的单元格多于表头的 {width} 列(可能是数字中的逗号未加引号,如 1,234.50)",
            )
            for i, r in enumerate(body)
            if any(not parse.is_blank(v) for v in r[width:])
        }
    raw = rows_to_frame(rows[h], body)
    return normalize(
        raw,
        sheet,
        source=source,
        first_row=row_offset + h + 2,
        header_row=row_offset + h + 1,
        allow_missing=allow_missing,
        refuse=refuse,
        max_abs=max_abs,
        text_cells=text_cells,
    )
