"""Parse one spreadsheet cell into the value its column type asks for.

One parser per column type of :mod:`xlgrade.schema.model`. Each takes one raw cell as a
spreadsheet reader gives it (str, int, float, bool, datetime, date, pandas Timestamp,
None/NaN) and returns the parsed value, or raises :class:`ParseError` with an English and a
Chinese reason. Blank cells (None, NaN, NaT, "" or whitespace only) give ``None`` from every
parser: whether a blank is allowed is the caller's decision.

Accepts (text is first NFKC-normalised: full-width digits, spaces, ``，`` ``．`` ``（）``
``￥``; spaces are then ignored inside numbers and dates):

- money, number: ints and floats; ``"1,234.50"`` (commas only as whole thousands groups),
  ``"¥1,200"``, ``"RMB 1200"``, ``"人民币1200"``, ``"1200元"``, ``"12万"`` (x 10,000),
  ``"1.5亿"`` (x 100,000,000), ``"12万元"``, ``"(1,200)"`` (accounting negative),
  ``"-1,200"``, ``"+5"``, ``"1.2E+05"``.
- integer: what money accepts, when the value is a whole number.
- score: a number from 0 to 10 inclusive, also ``"8分"``.
- share: a number from 0 to 1, or a percentage ``"80%"`` -> 0.8 (0 % to 100 %).
- date: datetime, date, Timestamp (date part kept, midnight); Excel serial numbers
  (day 0 = 1899-12-30, as numbers or numeric text such as ``"45000"``); 8-digit
  ``20260305`` (number or text); ``"2026/3/5"``, ``"2026-03-05"``, ``"2026.3.5"``,
  ``"2026年3月5日"``, each optionally followed by a time (ignored for dates).
- datetime: the same, keeping the time: ``"2026-03-05 14:00"``, ``"2026/3/5 9:05:30"``,
  ``"2026-03-05T14:00:00"``, ``"2026年3月5日 14时30分"``, ``"2026年3月5日14:30"``; serial
  fractions are rounded to the second.
- id: text NFKC-normalised and stripped; a whole number (1001 or 1001.0) -> ``"1001"``.
- text: the text as typed, only surrounding whitespace removed; numbers as Excel shows them
  (13800138000.0 -> ``"13800138000"``), dates as ``2026-03-05``, booleans as TRUE/FALSE.
- grade: text NFKC-normalised (full-width ``Ａ`` -> ``A``) and stripped.
- sessions: treatment sessions left / bought, ``"6∕15"``: :mod:`xlgrade.sessions`.

Refuses:

- numbers: decimal commas (``"1.234,50"``), misplaced commas (``"1,2"``), percentages for
  money/number/integer/score, words (``"abc"``), ``"nan"``/``"inf"`` and infinite floats,
  TRUE/FALSE, dates, a sign together with accounting brackets, fractions for integer;
  scores outside 0-10; shares below 0 or above 100 %, and shares written as a number in
  (1, 100] without ``%`` (``80`` could mean 80 % or a mistake: type ``80%`` or ``0.8``).
- dates: day/month-first forms (``"3/5/2026"``, ``"05/03/2026"``: the order is ambiguous),
  two-digit years, impossible dates (``"2026-02-30"``) and times (``"25:00"``), years outside
  1900-2200, serial numbers outside 10000..2958465 (a bare 2026 is a year, not a date),
  TRUE/FALSE, words.
- id: TRUE/FALSE, dates, fractions (1001.5) and numbers of 16 or more digits (Excel has
  already lost digits: format the column as text).

Pure: no file access; no spreadsheet library.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.errors import ParseError
from xlgrade.sessions import parse_sessions

YEAR_MIN, YEAR_MAX = 1900, 2200
# Serial numbers below 10000 (before 1927-05-18) are refused: in a date column such a number
# is far likelier a year (2026) or a count than a date.
SERIAL_MIN, SERIAL_MAX = 10000, 2958465
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
ID_DIGITS_MAX = 15  # Excel keeps 15 significant digits


# ---- reasons -----------------------------------------------------------------------------
def _err(key: str, **fmt: Any) -> ParseError:
    en, zh = _REASONS[key]
    return ParseError(en.format(**fmt), zh.format(**fmt))


_REASONS = {
    "not_number": ("is not a number", "不是数字"),
    "commas": (
        "is not a number: use '.' for decimals and ',' only between groups of three digits (1,234.50)",
        "不是有效数字:小数点用“.”,千位分隔符“,”须三位一组(如 1,234.50)",
    ),
    "percent": ("a percentage is not allowed here", "此处不能填百分比"),
    "bool": ("TRUE/FALSE is not allowed here", "此处不能填逻辑值 TRUE/FALSE"),
    "date_not_number": ("a date is not a number", "日期不是数字"),
    "infinite": ("is not a finite number", "不是有效数字"),
    "sign_brackets": ("has both a sign and accounting brackets", "同时带有正负号和会计括号"),
    "not_whole": ("is not a whole number", "不是整数"),
    "score_range": ("score outside 0-10", "分数超出 0-10 范围"),
    "share_range": ("share outside 0-100%", "比例超出 0-100% 范围"),
    "share_ambiguous": (
        "ambiguous share: type 80% or 0.8 (a number above 1 needs a % sign)",
        "比例不明确:请填 80% 或 0.8(大于 1 的数须带 % 号)",
    ),
    "not_date": ("is not a date (write 2026-03-05)", "不是日期(请按 2026-03-05 格式填写)"),
    "day_month": (
        "ambiguous date: day and month order unclear, write the year first (2026-03-05)",
        "日期不明确:无法区分日和月,请以年份开头填写(如 2026-03-05)",
    ),
    "two_digit_year": (
        "ambiguous date: two-digit year, write the full year (2026-03-05)",
        "日期不明确:年份只有两位,请填四位年份(如 2026-03-05)",
    ),
    "no_such_date": ("no such date", "日期不存在"),
    "no_such_time": ("no such time", "时间无效"),
    "year_range": ("year outside 1900-2200", "年份超出 1900-2200 范围"),
    "serial_range": (
        "not a date: as an Excel date number it is outside 10000-2958465 (1927-2200)",
        "不是日期:作为 Excel 日期序号超出 10000-2958465(1927-2200 年)范围",
    ),
    "id_bool": ("TRUE/FALSE is not an id", "逻辑值 TRUE/FALSE 不能作编号"),
    "id_date": ("a date is not an id", "日期不能作编号"),
    "id_fraction": (
        "an id typed as a number must be whole: format the column as text",
        "以数字填写的编号须为整数:请把该列设为文本格式",
    ),
    "id_long": (
        "number too long for Excel (digits lost): format the column as text and retype it",
        "数字过长,Excel 已丢失末尾数字:请把该列设为文本格式后重新输入",
    ),
}


class CellError(str):
    """An error value a spreadsheet cell holds (``#N/A``, ``#DIV/0!``): a failed formula, never data."""


def refuse_error(value: CellError) -> ParseError:
    """The reason for an error cell, naming the error."""
    return ParseError(
        f"the cell holds the error {value} (a formula failed): fix the formula or type the value",
        f"单元格为错误值 {value}(公式出错):请修正公式或直接填写数值",
    )


# ---- blanks and scalar kinds ---------------------------------------------------------------
def is_blank(value: Any) -> bool:
    """None, NaN, NaT, pd.NA, or text that is empty or whitespace only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    if value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _is_datelike(value: Any) -> bool:
    return isinstance(value, (dt.date, np.datetime64))


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})


def _squeeze(text: str) -> str:
    """NFKC, one kind of minus sign, no whitespace at all."""
    return "".join(_nfkc(text).translate(_MINUS).split())


# ---- numbers ----------------------------------------------------------------------------
_PLAIN = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+", re.ASCII)
_SCI = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
_CURRENCY_PREFIX = ("人民币", "rmb", "cny", "¥")
_CURRENCY_SUFFIX = ("人民币", "元", "rmb", "cny")
_UNITS = (("亿", 10**8), ("万", 10**4))


def _take_sign(text: str) -> tuple[int, str]:
    if text[:1] in "+-" and text:
        return (-1 if text[0] == "-" else 1), text[1:]
    return 0, text


def _take_prefix(text: str, options: tuple[str, ...]) -> tuple[bool, str]:
    low = text.casefold()
    for opt in options:
        if low.startswith(opt):
            return True, text[len(opt) :]
    return False, text


def _take_suffix(text: str, options: tuple[str, ...]) -> tuple[bool, str]:
    low = text.casefold()
    for opt in options:
        if low.endswith(opt) and len(text) > len(opt):
            return True, text[: -len(opt)]
    return False, text


def _decimal(core: str) -> Decimal:
    """A bare unsigned number: plain, with thousands commas, or scientific."""
    if _PLAIN.fullmatch(core):
        return Decimal(core.replace(",", ""))
    if _SCI.fullmatch(core):
        return Decimal(core)
    if "," in core and re.fullmatch(r"[\d.,]+", core, re.ASCII):
        raise _err("commas")
    raise _err("not_number")


def _number_text(text: str, *, currency: bool, units: bool, suffixes: tuple[str, ...] = ()) -> float:
    """Text such as ``"¥-1,200.50"``, ``"(1,200)"``, ``"12万元"`` as a float."""
    t = _squeeze(text)
    if not t:
        raise _err("not_number")
    if t.endswith("%"):
        raise _err("percent")
    brackets = len(t) > 2 and t[0] == "(" and t[-1] == ")"
    if brackets:
        t = t[1:-1]
    sign, t = _take_sign(t)
    if currency:
        found, t = _take_prefix(t, _CURRENCY_PREFIX)
        if found and not sign:
            sign, t = _take_sign(t)
        _, t = _take_suffix(t, _CURRENCY_SUFFIX)
    if suffixes:
        _, t = _take_suffix(t, suffixes)
    scale = 1
    if units:
        for unit, factor in _UNITS:
            if t.endswith(unit) and len(t) > 1:
                t, scale = t[:-1], factor
                break
    if brackets and sign:
        raise _err("sign_brackets")
    try:
        value = _decimal(t) * scale
    except InvalidOperation:  # pragma: no cover - the regexes admit only valid decimals
        raise _err("not_number") from None
    result = float(-value if (brackets or sign < 0) else value)
    if not math.isfinite(result):
        raise _err("infinite")
    return result + 0.0  # no negative zero


def _number(value: Any, *, currency: bool = True, units: bool = True, suffixes: tuple[str, ...] = ()) -> float | None:
    if is_blank(value):
        return None
    if _is_bool(value):
        raise _err("bool")
    if _is_number(value):
        result = float(value)
        if not math.isfinite(result):
            raise _err("infinite")
        return result + 0.0
    if _is_datelike(value):
        raise _err("date_not_number")
    if isinstance(value, str):
        return _number_text(value, currency=currency, units=units, suffixes=suffixes)
    raise _err("not_number")


def parse_money(value: Any) -> float | None:
    """An amount of money in yuan (negative allowed: returns)."""
    return _number(value)


def parse_number(value: Any) -> float | None:
    """A quantity or any other number; the same forms as money."""
    return _number(value)


def parse_integer(value: Any) -> int | None:
    """A whole number (12, 12.0, "1,200", "3万")."""
    number = _number(value, currency=False)
    if number is None:
        return None
    if not number.is_integer():
        raise _err("not_whole")
    return int(number)


def parse_score(value: Any) -> float | None:
    """A subjective score from 0 to 10 inclusive ("8", 8, "8分")."""
    number = _number(value, currency=False, units=False, suffixes=("分",))
    if number is not None and not 0 <= number <= 10:
        raise _err("score_range")
    return number


def parse_share(value: Any) -> float | None:
    """A share as a fraction: 0.8, or "80%" -> 0.8. 80 without % is refused as ambiguous."""
    if isinstance(value, str) and not is_blank(value):
        t = _squeeze(value)
        if t.endswith("%"):
            share = float(_decimal_signed(t[:-1]) / 100)
            if not 0 <= share <= 1:
                raise _err("share_range")
            return share + 0.0
    number = _number(value, currency=False, units=False)
    if number is None:
        return None
    if 1 < number <= 100:
        raise _err("share_ambiguous")
    if not 0 <= number <= 1:
        raise _err("share_range")
    return number


def _decimal_signed(text: str) -> Decimal:
    sign, t = _take_sign(text)
    value = _decimal(t)
    return -value if sign < 0 else value


# ---- dates ------------------------------------------------------------------------------
_CLOCK = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<F>\.\d+)?)?"
_CN_CLOCK = r"(?P<H>\d{1,2})[时時点點](?:(?P<M>\d{1,2})分?(?:(?P<S>\d{1,2})秒)?)?"
_YMD = [
    # 2026-03-05, 2026/3/5, 2026.3.5, optionally followed by " 14:00[:00[.000]]" or "T14:00..."
    re.compile(
        r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
        r"(?:(?:T|\s+)" + _CLOCK + ")?",
        re.ASCII,
    ),
    # 2026年3月5日, optionally followed by "14:30" or "14时30分[15秒]"
    re.compile(
        r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]?"
        r"(?:\s*(?:" + _CLOCK.replace("P<", "P<c") + "|" + _CN_CLOCK + "))?",
        re.ASCII,
    ),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII),
]
_DAY_MONTH_FIRST = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?:\D.*)?", re.ASCII)
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}(?:\D.*)?", re.ASCII)
_SERIAL_TEXT = re.compile(r"\d{1,7}(?:\.\d+)?", re.ASCII)


def _check_year(value: dt.datetime) -> dt.datetime:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise _err("year_range")
    return value


def _build(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> dt.datetime:
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise _err("year_range")
    try:
        day = dt.date(y, m, d)
    except ValueError:
        raise _err("no_such_date") from None
    try:
        return dt.datetime.combine(day, dt.time(hh, mm, ss, us))
    except ValueError:
        raise _err("no_such_time") from None


def _from_serial(serial: float) -> dt.datetime:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        if float(serial).is_integer() and 19000101 <= serial <= 22001231:
            return _from_yyyymmdd(str(int(serial)))
        raise _err("serial_range")
    seconds = round(serial * 86400)
    try:
        value = EXCEL_EPOCH + dt.timedelta(seconds=seconds)
    except OverflowError:  # pragma: no cover - guarded by SERIAL_MAX
        raise _err("serial_range") from None
    return _check_year(value)


def _from_yyyymmdd(text: str) -> dt.datetime:
    return _build(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _datetime_text(text: str) -> dt.datetime:
    t = " ".join(_nfkc(text).split())
    if _SERIAL_TEXT.fullmatch(t):
        return _from_serial(float(t))
    for pattern in _YMD:
        m = pattern.fullmatch(t)
        if m:
            g = {k.lstrip("c"): v for k, v in m.groupdict().items() if v is not None}
            hh, mm, ss = (int(g.get(k, 0)) for k in "HMS")
            us = round(float(g["F"]) * 1_000_000) if "F" in g else 0
            return _build(int(g["y"]), int(g["m"]), int(g["d"]), hh, mm, ss, min(us, 999_999))
    if _DAY_MONTH_FIRST.fullmatch(t):
        raise _err("day_month")
    if _TWO_DIGIT_YEAR.fullmatch(t):
        raise _err("two_digit_year")
    raise _err("not_date")


def _datetime(value: Any) -> dt.datetime | None:
    if is_blank(value):
        return None
    if _is_bool(value):
        raise _err("bool")
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
        if isinstance(naive, pd.Timestamp):
            naive = naive.to_pydatetime(warn=False)
        return _check_year(naive)
    if isinstance(value, dt.date):
        return _check_year(dt.datetime(value.year, value.month, value.day))
    if _is_number(value):
        serial = float(value)
        if not math.isfinite(serial):
            raise _err("serial_range")
        return _from_serial(serial)
    if isinstance(value, str):
        return _datetime_text(value)
    raise _err("not_date")


def parse_datetime(value: Any) -> dt.datetime | None:
    """A date with its time of day (naive ``datetime``)."""
    return _datetime(value)


def parse_date(value: Any) -> dt.datetime | None:
    """A calendar date as a ``datetime`` at midnight (any time part is dropped)."""
    result = _datetime(value)
    return None if result is None else dt.datetime(result.year, result.month, result.day)


# ---- text -------------------------------------------------------------------------------
def _display(value: Any) -> str:
    """A non-text cell as Excel would show it."""
    if _is_bool(value):
        return "TRUE" if value else "FALSE"
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if _is_number(value):
        number = float(value)
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number) if isinstance(value, float) else str(value)
    return str(value)


def parse_text(value: Any) -> str | None:
    """Text as typed, with surrounding whitespace (also full-width) removed."""
    if is_blank(value):
        return None
    return value.strip() if isinstance(value, str) else _display(value)


def parse_grade(value: Any) -> str | None:
    """A grade label: NFKC-normalised (full-width letters) and stripped."""
    if is_blank(value):
        return None
    return _nfkc(value if isinstance(value, str) else _display(value)).strip()


def parse_id(value: Any) -> str | None:
    """An identifier as text: NFKC, stripped; whole numbers without ``.0``."""
    if is_blank(value):
        return None
    if _is_bool(value):
        raise _err("id_bool")
    if _is_datelike(value):
        raise _err("id_date")
    if _is_number(value):
        number = float(value)
        if not math.isfinite(number) or not number.is_integer():
            raise _err("id_fraction")
        if isinstance(value, numbers.Integral):
            return str(int(value))
        text = str(int(number))
        if len(text.lstrip("-")) > ID_DIGITS_MAX:
            raise _err("id_long")
        return text
    return _nfkc(str(value)).strip()


PARSERS: dict[str, Callable[[Any], Any]] = {
    "id": parse_id,
    "text": parse_text,
    "grade": parse_grade,
    "money": parse_money,
    "number": parse_number,
    "integer": parse_integer,
    "ordinal": parse_integer,
    "amount": parse_money,
    "score": parse_score,
    "share": parse_share,
    "date": parse_date,
    "datetime": parse_datetime,
    "sessions": parse_sessions,
}


def parse(value: Any, type_: str) -> Any:
    """Parse ``value`` as column type ``type_`` (one of :data:`xlgrade.schema.model.TYPES`).

    An error cell (:class:`CellError`) is refused whatever the type.
    """
    if isinstance(value, CellError):
        raise refuse_error(value)
    return PARSERS[type_](value)
