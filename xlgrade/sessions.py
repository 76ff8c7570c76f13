"""The treatment-count cell of seed 000's 顾客档案分析表: ``"6∕15"`` = 15 sessions bought, 6 left.

The seed's 使用说明 2: 表格内填写项目次数的格式是“6∕ 15 ”,表明已有项目15次还剩余6次. So the cell
is *left / bought*, in that order. One parser for the column type
:data:`xlgrade.schema.model.SESSIONS` (registered in :data:`xlgrade.parse.PARSERS`).

Accepts (text is first NFKC-normalised, so full-width ``６／１５`` and ideographic spaces read
as ``6/15``): the slash ``/``, the seed's division slash ``∕`` (U+2215) or the fraction
slash ``⁄`` (U+2044); spaces anywhere around the numbers; ``次`` after either number
(``6次/15次``). Both numbers are whole and non-negative, and left ≤ bought (``0/0``, a card
with nothing bought, is read; it has no usage share).

Refuses, with an English and a Chinese reason (:class:`~xlgrade.errors.ParseError`):

- a number cell (``0.4``: the spreadsheet divided 6 by 15) or a date cell (Excel and Calc
  turn a typed ``6/15`` into 15 June in a General cell): the column must be text;
- TRUE/FALSE, text without exactly one slash, a missing number (``6/``), words;
- negative or fractional counts, and more left than bought (``16/15``).

Pure: no file access; no spreadsheet library.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from xlgrade.errors import ParseError

SLASHES = "/\u2215\u2044"  # slash, division slash (the seed's), fraction slash
_SPACES = re.compile(r"\s+")
_NUMBER = r"([+-]?[0-9]+(?:\.[0-9]*)?)"
_FORM = re.compile(rf"{_NUMBER}次?[{SLASHES}]{_NUMBER}次?")


class Sessions(NamedTuple):
    """Sessions of one treatment card: ``left`` of ``bought`` remain."""

    left: int
    bought: int

    @property
    def used(self) -> int:
        return self.bought - self.left


_REASONS = {
    "number": (
        "is a number, not left/bought sessions such as 6/15 (the spreadsheet may have divided 6 by 15): "
        "format the column as text and type it again",
        "是数字而不是“剩余次数/总次数”(如 6∕15,可能被表格软件算成了除法):请把该列设为文本格式后重新输入",
    ),
    "date": (
        "was turned into a date by the spreadsheet (a typed 6/15 becomes 15 June): "
        "format the column as text and type the sessions again, e.g. 6/15",
        "已被表格软件自动转成了日期(输入的 6/15 会变成 6月15日):请把该列设为文本格式后重新输入,如 6∕15",
    ),
    "bool": ("is TRUE/FALSE, not left/bought sessions such as 6/15", "是逻辑值,不是“剩余次数/总次数”(如 6∕15)"),
    "form": (
        "is not left/bought sessions: write e.g. 6/15 (15 bought, 6 left)",
        "格式应为“剩余次数/总次数”,如 6∕15(共 15 次,剩余 6 次)",
    ),
    "negative": ("session counts cannot be negative", "次数不能为负数"),
    "fraction": ("session counts must be whole numbers", "次数应为整数"),
    "more_left": (
        "{left} sessions left is more than the {bought} bought (write left/bought, e.g. 6/15)",
        "剩余次数 {left} 多于总次数 {bought}(应写作“剩余/总次数”,如 6∕15)",
    ),
}


def _err(key: str, **fmt: Any) -> ParseError:
    en, zh = _REASONS[key]
    return ParseError(en.format(**fmt), zh.format(**fmt))


def _count(text: str) -> int:
    number = float(text)
    if number < 0 or text.startswith("-"):
        raise _err("negative")
    if not math.isfinite(number) or not number.is_integer():
        raise _err("fraction")
    return int(number)


def parse_sessions(value: Any) -> Sessions | None:
    """``"6∕15"`` -> ``Sessions(left=6, bought=15)``; blank -> None; anything else refused."""
    from xlgrade.parse import is_blank  # parse registers this module's parser: imported here

    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        raise _err("bool")
    if isinstance(value, (dt.date, dt.datetime, np.datetime64, pd.Timestamp)):
        raise _err("date")
    if not isinstance(value, str):
        if isinstance(value, (int, float, np.integer, np.floating)):
            raise _err("number")
        raise _err("form")
    text = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    match = _FORM.fullmatch(text)
    if match is None:
        raise _err("form")
    left, bought = _count(match.group(1)), _count(match.group(2))
    if left > bought:
        raise _err("more_left", left=left, bought=bought)
    return Sessions(left, bought)


def format_sessions(sessions: Sessions, slash: str = "\u2215") -> str:
    """The cell text for ``sessions``: ``6∕15`` (or with another of :data:`SLASHES`)."""
    return f"{sessions.left}{slash}{sessions.bought}"
