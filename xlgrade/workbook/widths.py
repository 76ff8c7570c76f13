"""Column widths from the values a sheet holds, so that nothing prints as ``###`` or cut off.

Owns how wide a value reads (:func:`text_width`) and a column's width from its cells
(:func:`column_width`). Rules:

1. A value reads as its cell format shows it: money ``#,##0.00``, counts and whole amounts ``#,##0``, numbers
   ``#,##0.##``, shares ``0.0%``, scores ``0.00``, dates ``yyyy-mm-dd`` (16 with the time),
   ordinals (years, row numbers) without separators; CJK (East Asian wide / full-width)
   characters count double, digits ``DIGIT`` and other characters ``LATIN`` (the cell font,
   or the one replacing it, is wider than the default font that the unit is measured in).
   Widths are in Excel's units (one digit of the default font).
2. A column is at least its declared width and at least its widest value + ``PAD``: numbers and
   dates are never narrower than their widest cell (a narrower one shows ``###``).
3. Text is at most ``TEXT_MAX`` wide; a text column holding a longer value wraps
   (:func:`column_width` says so), so nothing is cut off in print.
4. Headers wrap (the header role wraps, on a row of two lines): a header needs its longest word
   (English) or half its characters (CJK, broken anywhere) to fit.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from xlgrade.schema import model

PAD = 2.0
TEXT_MAX = 60.0
# The unit is a digit of Calibri 11, the default font; cells are in 等线 10.5, which a machine
# without it replaces (LibreOffice on Linux: DejaVu Sans, bold in totals rows): digits then
# read up to 1.28 units wide (1.4 in bold), other Latin letters about 1.15.
DIGIT = 1.28
BOLD_DIGIT = 1.4
LATIN = 1.15
_DIGITS = frozenset("0123456789,.%-:+ ")
_TEXT_KINDS = {model.ID, model.TEXT, model.GRADE, "text", "grade"}


def _chars(text: str, bold: bool = False) -> float:
    return sum(_char(ch, bold) for ch in text)


class _Classes(dict):
    """Code point -> its class for :func:`_text_width`: "w" wide (2.0), "d" digit-like (``DIGIT``),
    "l" any other (``LATIN``), a line break kept; each character classified once, on first use."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch == "\n":
            cls = "\n"
        elif unicodedata.east_asian_width(ch) in "WF":
            cls = "w"
        else:
            cls = "d" if ch in _DIGITS else "l"
        self[code] = cls
        return cls


_CLASSES = _Classes()
_CLASS_WIDTH = {False: {"w": 2.0, "d": DIGIT, "l": LATIN}, True: {"w": 2.0, "d": BOLD_DIGIT, "l": LATIN}}
# {(classes of a text, bold): width}: texts of the same shape (ids, amounts, names of as many
# CJK characters) are measured once; the sum runs in the text's order, as :func:`_chars` does
_MEASURED: dict[tuple[str, bool], float] = {}
_MEASURED_MAX = 1 << 16


def _text_width(text: str, bold: bool = False) -> float:
    """:func:`_chars` of the longest line of ``text``, by its characters' classes."""
    shape = text.translate(_CLASSES)
    try:
        return _MEASURED[(shape, bold)]
    except KeyError:
        pass
    of = _CLASS_WIDTH[bold]
    width = float(max(sum(of[c] for c in line) for line in shape.split("\n")))
    if len(_MEASURED) >= _MEASURED_MAX:
        _MEASURED.clear()
    _MEASURED[(shape, bold)] = width
    return width


def _char(ch: str, bold: bool = False) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 2.0
    return (BOLD_DIGIT if bold else DIGIT) if ch in _DIGITS else LATIN


def shown(value: Any, kind: str) -> str:
    """``value`` as a cell of column type (or summary block kind) ``kind`` shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if kind in (model.ORDINAL,):
            return f"{value:.0f}"
        if kind in (model.DATE, "date"):
            return "2026-01-01"
        if kind == model.DATETIME:
            return "2026-01-01 00:00"
        if kind in (model.SHARE, "share"):
            return f"{value:.1%}"
        if kind in (model.MONEY, model.SCORE, "money"):
            return f"{value:,.2f}"
        if kind in (model.INTEGER, model.AMOUNT, "int"):
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def text_width(value: Any, kind: str = model.TEXT, bold: bool = False) -> float:
    """How wide ``value`` reads in a cell of ``kind`` (the longest line of a text)."""
    return _text_width(shown(value, kind), bold)


def header_width(header: str) -> float:
    """The narrowest column a wrapped header (two lines at most) fits into."""
    words = header.split()
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in header):
        return math.ceil(_chars(header) / 2)
    return max((_chars(w) for w in words), default=0.0)


# Kinds whose numbers show longer the further they are from zero (a fixed number of decimals),
# so that the largest and the smallest number of a column are the widest of its numbers.
_MONOTONE = {model.ORDINAL, model.DATE, "date", model.DATETIME, model.SHARE, "share"}
_MONOTONE |= {model.MONEY, model.SCORE, "money", model.INTEGER, model.AMOUNT, "int"}


def widest(kind: str, values: Iterable[Any], *, each: bool = False) -> float:
    """The widest of ``values`` as cells of ``kind`` show them (:func:`text_width`), each
    distinct value measured once; of the finite numbers of a :data:`_MONOTONE` kind only the
    largest, the smallest and a negative zero ("-0.00") are measured; a text is measured only
    while it may be wider than the widest so far (no character reads wider than 2 units, so a
    text of n characters is at most 2n wide: the longest texts come first).

    Of equal values the first is measured: a negative zero after a zero is not, unless ``each``
    (the widest of measuring every value, :func:`text_width` of each)."""
    values = values if isinstance(values, (list, tuple)) else list(values)
    types = set(map(type, values))
    if types <= {str, type(None)}:  # a text column (a blank reads as nothing)
        return _widest_text(set(values) - {None}, 0.0)
    if kind in _MONOTONE and types <= {float, type(None)}:
        return _widest_floats(kind, values, each)
    if float in types and types <= {float, type(None)} and (found := _widest_decimals(kind, values)) is not None:
        return found
    try:
        distinct = set(zip(map(type, values), values))
        out = 0.0
    except TypeError:  # an unhashable value: measured where it stands
        distinct, out = set(), 0.0
        for v in values:
            try:
                distinct.add((type(v), v))
            except TypeError:
                out = max(out, text_width(v, kind))
    if each and float in types and any(type(v) is float and v == 0 and math.copysign(1.0, v) < 0 for v in values):
        out = max(out, text_width(-0.0, kind))  # measured even where a zero came first
    if kind in _MONOTONE:
        numbers = [v for t, v in distinct if t in (int, float) and math.isfinite(v)]
        if numbers:
            distinct = {(t, v) for t, v in distinct if not (t in (int, float) and math.isfinite(v))}
            ends = [min(numbers), max(numbers)]
            ends += [v for v in numbers if v == 0 and math.copysign(1.0, v) < 0][:1]
            distinct |= {(type(v), v) for v in ends}
    texts = []
    for t, v in distinct:
        if t is str:  # shows as it is
            texts.append(v)
        else:
            out = max(out, text_width(v, kind))
    return _widest_text(texts, out)


def _widest_text(texts: Iterable[str], out: float) -> float:
    """The widest of ``texts`` and ``out``: the longest first, until none can be wider."""
    for v in sorted(texts, key=len, reverse=True):
        if 2.0 * len(v) <= out:
            break
        out = max(out, _text_width(v))
    return out


def _widest_floats(kind: str, values: Sequence[float | None], each: bool) -> float:
    """:func:`widest` of floats (and blanks) of a :data:`_MONOTONE` kind, by numpy: the largest
    and smallest finite number, the first zero when it is a negative one (of equal values only
    the first counts, as in :func:`widest`'s set; any negative zero with ``each``) and the
    infinities present."""
    arr = np.array(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    measured: list[float] = [v for v in (math.inf, -math.inf) if v in arr]
    if finite.size:
        zeros = np.flatnonzero(finite == 0)
        first_zero = float(finite[zeros[0]]) if zeros.size else None
        for end in (float(finite.min()), float(finite.max())):
            measured.append(first_zero if end == 0 and first_zero is not None else end)
        if first_zero is not None and math.copysign(1.0, first_zero) < 0:
            measured.append(first_zero)
        elif each and bool(np.any(np.signbit(finite[zeros]))):
            measured.append(-0.0)
    return max((text_width(v, kind) for v in measured), default=0.0)


def _widest_decimals(kind: str, values: Sequence[float | None]) -> float | None:
    """:func:`widest` of floats (and blanks) of a kind that shows them as ``#,##0.##`` (any kind
    not :data:`_MONOTONE`), without measuring each. A whole number shows its digits only, so of
    those the largest and the smallest are measured; of the others, on each side of zero, from
    the largest magnitude down until a number's two-decimal text (which, shown, only loses
    trailing zeros: never wider) is no wider than the widest so far, as no smaller one's is.
    None (measure each) for a column holding an infinity or a negative zero."""
    arr = np.array(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if np.isinf(arr).any() or np.any((arr == 0) & np.signbit(arr)):
        return None
    whole = (arr == np.trunc(arr)) & (np.abs(arr) < 1e15)  # shown as "#,##0" exactly
    ends = [float(arr[whole].max()), float(arr[whole].min())] if whole.any() else []
    out = max((text_width(v, kind) for v in ends), default=0.0)
    rest = arr[~whole]
    for side in (np.sort(rest[rest > 0])[::-1], np.sort(rest[rest < 0])):
        for v in side.tolist():
            if _text_width(f"{v:,.2f}") <= out:
                break
            out = max(out, text_width(v, kind))
    return out


def column_width(kind: str, values: Iterable[Any], declared: float = 0.0, header: str = "") -> tuple[float, bool]:
    """(width, wraps): the column's width for ``values`` (rules 2-4) and whether its text wraps."""
    widest_value = widest(kind, values)
    need = max(declared, math.ceil(max(widest_value, header_width(header)) + PAD))
    if kind in _TEXT_KINDS and need > max(TEXT_MAX, declared):
        return max(TEXT_MAX, declared), True
    return float(need), False
