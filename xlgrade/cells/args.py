"""Reading what a spreadsheet hands a cell function: numbers, lists, labels, deadlines.

Standard library only. Every refusal is a :class:`CellValueError` with a Chinese and an
English message naming the argument (GRADEWHY shows the message; other functions #VALUE!).

- A blank is ``None`` (an empty cell) or text that is empty after NFKC and trimming.
- A number is an ``int`` or ``float`` (never a bool), or text that is a plain decimal number
  after NFKC (full-width digits) with thousands commas removed: ``"１００,０００"`` is 100000.
  NaN and infinities are refused. Shares also accept ``"80%"``.
- A list is text separated by ``;``, ``、`` or ``,`` (full-width forms too): ``"A; B; C"``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache, wraps
from typing import Any, Callable, TypeVar

from .defaults import DECIMALS
from .model import CellValueError
from .text import num

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATORS = re.compile(r"[;、,]")
_EXACT_LIMIT = 2.0**50 / 1e6  # below this, round(v * 1e6) is the exact count of millionths
T = TypeVar("T")
REQUIRED = object()  # ``blank=REQUIRED``: a blank is refused


def cached(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache`` for argument readers, safe for any cell value.

    Keys are typed (``True`` and ``1.0`` are different keys: one is refused, the other is a
    number), only results are kept (a refusal is raised again each time), and unhashable
    arguments (a list from xlwings) skip the cache.
    """

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        keep = lru_cache(maxsize=maxsize, typed=True)(fn)

        @wraps(fn)
        def call(*values: Any) -> T:
            try:
                hash(values)
            except TypeError:
                return fn(*values)
            return keep(*values)

        call.cache_info = keep.cache_info  # type: ignore[attr-defined]
        return call

    return wrap


@lru_cache(maxsize=4096)
def _clean_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def clean(value: Any) -> str:
    # Cached: a sheet hands the same label and threshold texts to every one of its cells.
    return _clean_text(value if type(value) is str else str(value))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean(value))


def show(value: Any) -> str:
    """A value as it appears in a message."""
    if isinstance(value, float) and math.isfinite(value):
        return num(value, 6)
    return f"“{value}”" if isinstance(value, str) else str(value)


def fail(label: tuple[str, str], zh: str, en: str) -> CellValueError:
    """``label`` is the argument's (zh, en) name; ``zh``/``en`` the rest of the sentence."""
    return CellValueError(f"{label[1]} {en}", zh=f"{label[0]}{zh}")


def number(
    value: Any,
    label: tuple[str, str],
    *,
    blank: Any = REQUIRED,
    minimum: float | None = None,
    maximum: float | None = None,
    whole: bool = False,
    percent: bool = False,
) -> Any:
    """The number in ``value`` (see the module rules); ``blank`` is returned for a blank."""
    if type(value) is float:  # what a spreadsheet hands over most: straight to the checks
        x = value
        if (
            math.isfinite(x)
            and not (whole and x != int(x))
            and (minimum is None or x >= minimum)
            and (maximum is None or x <= maximum)
        ):
            return x
    if is_blank(value):
        if blank is REQUIRED:
            raise fail(label, "为空", "is empty")
        return blank
    if isinstance(value, bool):
        raise fail(label, f"不能是逻辑值:{value}", f"must be a number, not {value}")
    if isinstance(value, (int, float)):
        try:
            x = float(value)
        except OverflowError:  # a Python int beyond the float range
            x = math.inf
    elif isinstance(value, str):
        text = clean(value).replace(",", "")
        scale = 1.0
        if percent and text.endswith("%"):
            text, scale = text[:-1].strip(), 0.01
        if not _NUMBER.fullmatch(text):
            raise fail(label, f"不是数字:{show(value)}", f"is not a number: {show(value)}")
        x = round(float(text) * scale, 12)  # as the rule book reads text: "95%" is 0.95, exactly
    else:
        raise fail(label, f"不是数字:{show(value)}", f"is not a number: {show(value)}")
    if not math.isfinite(x):
        raise fail(label, f"不是有限的数字:{show(value)}", f"is not a finite number: {show(value)}")
    if whole and x != int(x):
        raise fail(label, f"必须是整数:{show(x)}", f"must be a whole number: {show(x)}")
    if minimum is not None and x < minimum:
        if minimum == 0:
            raise fail(label, f"不能为负数:{show(x)}", f"must not be negative: {show(x)}")
        raise fail(label, f"不能小于 {num(minimum)}:{show(x)}", f"must not be below {num(minimum)}: {show(x)}")
    if maximum is not None and x > maximum:
        raise fail(label, f"不能大于 {num(maximum)}:{show(x)}", f"must not be above {num(maximum)}: {show(x)}")
    return x


def share(value: Any, label: tuple[str, str], default: float) -> float:
    """A share between 0 and 1 (``0.8`` or ``"80%"``); blank gives ``default``."""
    x: float = number(value, label, blank=default, percent=True)
    if not 0 <= x <= 1:
        raise fail(
            label,
            f"必须是 0 到 1 之间的比例(或写成 80%):{show(x)}",
            f"must be a share between 0 and 1 (or typed as 80%): {show(x)}",
        )
    return x


def items(value: Any, label: tuple[str, str]) -> list[str]:
    """The entries of a list rule: ``"A; B、C"`` -> ``["A", "B", "C"]``; a tuple is taken as is."""
    if isinstance(value, (tuple, list)):
        parts = [clean(v) for v in value]
    elif isinstance(value, bool):
        raise fail(label, f"不能是逻辑值:{value}", f"must be text, not {value}")
    elif isinstance(value, (int, float)):
        parts = [num(float(value), 12)]
    elif isinstance(value, str):
        parts = [p.strip() for p in _SEPARATORS.split(clean(value))]
    else:
        raise fail(label, f"不是文本:{show(value)}", f"is not text: {show(value)}")
    return [p for p in parts if p]


def labels(value: Any, label: tuple[str, str], default: tuple[str, ...], count: int | None) -> tuple[str, ...]:
    """Distinct grade labels, best first; blank gives ``default``; ``count`` entries if given."""
    return _labels(value, label, tuple(default), count)


@cached(maxsize=256)  # a sheet hands the same label text to every one of its cells
def _labels(value: Any, label: tuple[str, str], default: tuple[str, ...], count: int | None) -> tuple[str, ...]:
    out = tuple(items(default if is_blank(value) else value, label))
    if count is not None and len(out) != count:
        raise fail(label, f"需要 {count} 个名称,现有 {len(out)} 个", f"needs {count} labels, has {len(out)}")
    if len(set(out)) != len(out):
        raise fail(label, "中的名称必须互不相同", "must all differ")
    return out


def minimums(value: Any, label: tuple[str, str], default: tuple[float, ...]) -> tuple[float, ...]:
    """Strictly decreasing minimum scores (``"90; 75; 60"``); blank gives ``default``."""
    if is_blank(value):
        return tuple(default)
    out = tuple(number(v, label) for v in items(value, label))
    if not out:
        raise fail(label, "为空", "is empty")
    if any(b >= a for a, b in zip(out, out[1:])):
        raise fail(label, "必须从高到低严格递减", "must be strictly decreasing (highest first)")
    return out


def deadlines(
    value: Any, label: tuple[str, str], default: tuple[tuple[str, float], ...], other: float
) -> tuple[dict[str, float], float]:
    """``"A=1; B=3; *=7"`` -> ({"A": 1, "B": 3}, 7): days per grade and for every other grade.

    The first entry for a grade wins; ``*`` is required in a typed list.
    """
    if is_blank(value):
        per: dict[str, float] = {}
        for grade, days in default:
            per.setdefault(clean(grade), float(days))
        return per, float(other)
    per, rest = {}, None
    for item in items(value, label):
        typed, sep, text = item.partition("=")
        grade = typed.strip()
        if not sep or not grade:
            raise fail(label, f"的每一项应写成 等级=天数:{show(item)}", f"entries must read grade=days: {show(item)}")
        n: float = number(text, label, minimum=0)
        if grade == "*":
            rest = n if rest is None else rest
        else:
            per.setdefault(grade, n)
    if rest is None:
        raise fail(label, "缺少其他等级的期限(*=天数)", "lacks the deadline of every other grade (*=days)")
    return per, rest


# ---- exact arithmetic shared with the engine -------------------------------------------------
_SCALE = 10**DECIMALS


def round6(x: float) -> float:
    """Round to DECIMALS (6) exactly as the engine's pandas ``round(6)`` does (x * 1e6, half-even, / 1e6)."""
    return float(round(x * _SCALE) / _SCALE)


def micro(x: float) -> int:
    """``x`` rounded to 6 decimals as a whole number of millionths (as engine/rfm.py ``micro``)."""
    if abs(x) >= _EXACT_LIMIT:
        return int(f"{x:.6f}".replace(".", ""))
    return round(round6(x) * 1e6)
