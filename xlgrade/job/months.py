"""The month the monthly job evaluates, as staff type it.

Rules:

1. Accepted, after NFKC (full-width digits) and trimming: ``2026-9``, ``2026-09``,
   ``2026/9``, ``2026.09``, ``2026年9月``, ``2026年09月``, ``202609``; a pandas Period passes as
   it is. Blank means "not given" (the job then takes the month of the latest ledger line).
2. The month must be 1-12 and not after the current month: a month that has not begun has
   nothing to evaluate, and would write a History month ahead of time.
3. A refusal is a :class:`MonthError` with one line in the workbook's language.
4. :func:`month_key` reads a month cell of History more leniently (``2026-10``, ``2026/10``,
   ``2026年10月``, a date, text that starts with a month): a cell xlgrade or a person wrote.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.engine.text import in_lang
from xlgrade.errors import InputError

_FORMS = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月?|(\d{2}))")


class MonthError(InputError):
    """A --month (or a button's month) that is not a month xlgrade can evaluate."""


def parse_month(value: str | pd.Period | None, today: pd.Timestamp, lang: str = "zh") -> pd.Period | None:
    """The month in ``value`` (rule 1), checked against ``today`` (rule 2); None when blank."""
    if value is None:
        return None
    if isinstance(value, pd.Period):
        period = value.asfreq("M")
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not text:
            return None
        m = _FORMS.fullmatch(text)
        month = int(next(g for g in m.groups()[1:] if g)) if m else 0
        if not m or not 1 <= month <= 12:
            raise MonthError(
                in_lang(
                    lang,
                    f"月份“{value}”无法识别:请写成 2026-09、2026/9、2026年9月 或 202609",
                    f"month {value!r} is not a month: write it as 2026-09, 2026/9, 2026年9月 or 202609",
                )
            )
        period = pd.Period(year=int(m.group(1)), month=month, freq="M")
    current = pd.Period(today, freq="M")
    if period > current:
        raise MonthError(
            in_lang(
                lang,
                f"月份 {period} 还没有到(本月是 {current}):只能重算本月或以前的月份",
                f"month {period} has not begun (this month is {current}): only this month or earlier can be evaluated",
            )
        )
    return period


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})(?!\d)")


def month_key(value: Any) -> str | None:
    """History's month cell as "YYYY-MM", or None when it cannot be read."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Period):
        return value.asfreq("M").strftime("%Y-%m")
    if isinstance(value, (pd.Timestamp, dt.date)):
        return None if pd.isna(value) else f"{value.year:04d}-{value.month:02d}"
    m = _MONTH_RE.match(unicodedata.normalize("NFKC", str(value)))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{m.group(1)}-{int(m.group(2)):02d}"


def month_keys(values: pd.Series) -> pd.Series:
    """:func:`month_key` of each of ``values`` (same index, object: None where unreadable), each
    distinct value read once: History's month column holds one value per month, not per row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = np.array([*(month_key(u) for u in uniques), None], dtype=object)  # codes of -1: a blank
    return pd.Series(keys[codes], index=values.index, dtype=object)
