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
from collections.abc import Iterable
from typing import Any

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
    text = shown(value, kind)
    return float(max((_chars(line, bold) for line in text.split("\n")), default=0))


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


def widest(kind: str, values: Iterable[Any]) -> float:
    """The widest of ``values`` as cells of ``kind`` show them (:func:`text_width`), each
    distinct value measured once; of the finite numbers of a :data:`_MONOTONE` kind only the
    largest, the smallest and a negative zero ("-0.00") are measured."""
    distinct: set[Any] = set()
    out = 0.0
    for v in values:
        try:
            distinct.add((type(v), v))
        except TypeError:  # unhashable: measured where it stands
            out = max(out, text_width(v, kind))
    if kind in _MONOTONE:
        numbers = [v for t, v in distinct if t in (int, float) and math.isfinite(v)]
        if numbers:
            distinct = {(t, v) for t, v in distinct if not (t in (int, float) and math.isfinite(v))}
            ends = [min(numbers), max(numbers)]
            ends += [v for v in numbers if v == 0 and math.copysign(1.0, v) < 0][:1]
            distinct |= {(type(v), v) for v in ends}
    for _t, v in distinct:
        out = max(out, text_width(v, kind))
    return out


def column_width(kind: str, values: Iterable[Any], declared: float = 0.0, header: str = "") -> tuple[float, bool]:
    """(width, wraps): the column's width for ``values`` (rules 2-4) and whether its text wraps."""
    widest_value = widest(kind, values)
    need = max(declared, math.ceil(max(widest_value, header_width(header)) + PAD))
    if kind in _TEXT_KINDS and need > max(TEXT_MAX, declared):
        return max(TEXT_MAX, declared), True
    return float(need), False
