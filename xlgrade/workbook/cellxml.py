"""Cell values as worksheet XML: a Python value to a ``<c>`` element and back, cell references.

Strings are written inline (``t="inlineStr"``); dates become Excel serial numbers; text is
cut at Excel's 32,767 characters and characters XML 1.0 forbids are dropped. Reading
(:func:`cell_value`) resolves inline, shared (given the shared strings), boolean and number
cells. ``"B3"`` / ``"A1:C5"`` references and quoted sheet names are here too.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any

from xlgrade.errors import PackageError
from xlgrade.workbook.xmlscan import INVALID_XML, esc, unesc

MAX_TEXT = 32767  # Excel's limit on the characters of one cell


@dataclass(frozen=True)
class Formula:
    """A formula (without the leading ``=``), optionally with a cached result."""

    text: str
    value: Any = None


@dataclass(frozen=True)
class Cell:
    """A value (str, int, float, bool, date/datetime, :class:`Formula` or None) and a style index.

    ``style`` None means "no style" for new cells (and "keep" under ``keep_styles``).
    """

    value: Any = None
    style: int | None = None


_ESCAPE_X = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def clean_text(text: str) -> str:
    """Text as Excel should read it back: no XML-invalid characters, ``_xHHHH_`` kept literal."""
    text = INVALID_XML.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "_x" in text:
        text = _ESCAPE_X.sub(r"_x005F_\1", text)
    return text[:MAX_TEXT]


def excel_serial(value: dt.date | dt.datetime | dt.time, date1904: bool = False) -> float | None:
    """The Excel serial number of a date / datetime / time (None before 1900-03-01)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if serial < (0 if date1904 else 61):  # Excel's 1900 leap-year bug makes earlier serials wrong
        return None
    return serial


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    try:
        return _LETTERS[col]
    except KeyError:
        pass
    col_, out = col, ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    if 0 < col_ <= 16384:  # the columns a sheet has: each spelled once
        _LETTERS[col_] = out
    return out


_LETTERS: dict[int, str] = {}


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def parse_ref(ref: str) -> tuple[int, int]:
    """``"B3"`` -> (3, 2)."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise PackageError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C5"`` -> (1, 1, 5, 3); a single cell is a 1x1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_ref(r1: int, c1: int, r2: int, c2: int, *, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    a = f"{d}{col_letter(c1)}{d}{r1}"
    return a if (r1, c1) == (r2, c2) else f"{a}:{d}{col_letter(c2)}{d}{r2}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def plain_value(value: Any) -> Any:
    """A plain Python value: None for NaN / NaT / NA, numpy scalars unwrapped."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (str, bool, int, Formula)):
        return value
    if hasattr(value, "item") and type(value).__module__ == "numpy":  # numpy scalar
        if str(getattr(value, "dtype", "")).startswith(("datetime64", "timedelta64")):
            import pandas as pd

            value = pd.Timestamp(value)
            return None if value is pd.NaT else value.to_pydatetime()
        return plain_value(value.item())
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return None
    if name == "Timestamp":
        return value.to_pydatetime()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):  # every non-complex number
        return plain_value(float(value))
    return value


_PLAIN_TYPES = {str, type(None), bool, int}  # the exact types plain_value returns as they are


def plain_values(values: Sequence[Any]) -> list[Any]:
    """:func:`plain_value` of each value; a column of texts, blanks, booleans, whole numbers
    and floats (the usual) is seen by its types at once, not value by value."""
    held = set(map(type, values))
    if held <= _PLAIN_TYPES:
        return list(values)
    if held <= _PLAIN_TYPES | {float}:  # NaN and the infinities are blanks
        return [v if type(v) is not float or math.isfinite(v) else None for v in values]
    return [plain_value(v) for v in values]


def xml_number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _value_xml(value: Any, date1904: bool) -> tuple[str, str]:
    """(t attribute or "", inner XML) of a plain value; ("", "") for no value."""
    if value is None:
        return "", ""
    if isinstance(value, bool):
        return "b", f"<v>{int(value)}</v>"
    if isinstance(value, (int, float)):
        return "", f"<v>{xml_number(value)}</v>"
    if isinstance(value, (dt.date, dt.time)):
        serial = excel_serial(value, date1904)
        if serial is None:
            return _value_xml(value.isoformat(), date1904)
        return "", f"<v>{xml_number(serial)}</v>"
    text = clean_text(str(value))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return "inlineStr", f"<is><t{space}>{esc(text)}</t></is>"


def cell_xml(ref: str, value: Any, style: int | None, date1904: bool = False, p: str = "") -> str:
    """One ``<c>`` element (``p`` is the namespace prefix with its colon, usually "")."""
    tail = cell_tail(value, style, date1904, p)
    return f'<{p}c r="{ref}"{tail}' if tail else ""


def cell_tail(value: Any, style: int | None, date1904: bool = False, p: str = "") -> str:
    """A ``<c>`` element after its ``r`` attribute ("" for no element): the same for every row,
    so a column's repeated values are formatted once (:func:`column_tails`)."""
    s = f' s="{style}"' if style else ""
    value = plain_value(value)
    if isinstance(value, Formula):
        cached = plain_value(value.value)
        t, inner = _value_xml(cached, date1904)
        if t == "inlineStr":
            t, inner = "str", f"<{p}v>{esc(clean_text(str(cached)))}</{p}v>"
        elif p and inner:
            inner = inner.replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>")
        ta = f' t="{t}"' if t else ""
        return f"{s}{ta}><{p}f>{esc(clean_text(value.text.lstrip('=')))}</{p}f>{inner}</{p}c>"
    t, inner = _value_xml(value, date1904)
    if not inner:
        return f"{s}/>" if style else ""
    if p:
        inner = re.sub(r"<(/?)(v|is|t)\b", rf"<\1{p}\2", inner)
    ta = f' t="{t}"' if t else ""
    return f"{s}{ta}>{inner}</{p}c>"


def cached_cell_xml(
    ref: str, value: Any, style: int | None, date1904: bool, p: str, tails: dict[tuple[type, Any, int | None], str]
) -> str:
    """:func:`cell_xml`, each distinct (type, value, style) formatted once into ``tails``."""
    key = (type(value), value, style)
    try:
        tail = tails[key]
    except KeyError:
        tail = tails[key] = cell_tail(value, style, date1904, p)
    except TypeError:  # an unhashable value: formatted where it stands
        tail = cell_tail(value, style, date1904, p)
    return f'<{p}c r="{ref}"{tail}' if tail else ""


def column_tails(items: Sequence[Any], style: int | None, date1904: bool = False, p: str = "") -> list[str]:
    """:func:`cell_tail` of each item of a column (a :class:`Cell` brings its own style),
    each distinct (style, type, value) formatted once. A column of one type (floats, ints or
    texts, with blanks) is formatted by that type alone (:func:`_typed_tails`); in any other
    column (Cells of several styles: a summary block's header, rows and totals; ints and
    floats together) the values of each style and type are, each float, int and text group
    by its type (:func:`_kind_tails`), any other value on its own."""
    types = set(map(type, items))
    kinds = types - {type(None)}
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _TYPED:
        return _typed_tails(items, kind, style, p)
    values: Sequence[Any]
    if Cell in types:
        values = [i.value if isinstance(i, Cell) else i for i in items]
        styles: Iterable[int | None] = [i.style if isinstance(i, Cell) else style for i in items]
    else:
        values, styles = items, repeat(style)
    keys = list(zip(styles, map(type, values), values))
    try:
        distinct = dict.fromkeys(keys)
    except TypeError:  # an unhashable value: formatted where it stands
        return [cell_tail(v, st, date1904, p) for st, _t, v in keys]
    groups: dict[tuple[int | None, type], list[Any]] = {}
    for st, t, v in distinct:
        groups.setdefault((st, t), []).append(v)
    done: dict[tuple[int | None, type, Any], str] = {}
    for (st, t), group in groups.items():
        if t in _TYPED_SET:
            tails = _kind_tails(group, t, st, p)
        elif t is type(None):
            tails = [f' s="{st}"/>' if st else ""]
        else:
            tails = [cell_tail(v, st, date1904, p) for v in group]
        done.update(zip(((st, t, v) for v in group), tails))
    return list(map(done.__getitem__, keys))


_TYPED = (float, int, str)
_TYPED_SET = set(_TYPED)


def _typed_tails(items: Sequence[Any], kind: type, style: int | None, p: str) -> list[str]:
    """:func:`cell_tail` of a column whose values are all ``kind`` (float, int or str) or None,
    written out for that type (the same text, without the per-value dispatch): each distinct
    value formatted once, then looked up for every cell."""
    distinct = dict.fromkeys(items)
    distinct.pop(None, None)
    values = list(distinct)
    lookup = dict(zip(values, _kind_tails(values, kind, style, p)))
    lookup[None] = f' s="{style}"/>' if style else ""
    return list(map(lookup.__getitem__, items))


def _kind_tails(values: list[Any], kind: type, style: int | None, p: str) -> list[str]:
    """The tail of each of ``values`` (distinct, all ``kind``: float, int or str)."""
    s = f' s="{style}"' if style else ""
    blank = f"{s}/>" if style else ""
    if kind is str:
        start, close = f'{s} t="inlineStr"><{p}is><{p}t', f"</{p}t></{p}is></{p}c>"
        tails = [
            f"{start}{_PRESERVE if t != t.strip() or _LF in t else ''}>{x}{close}"
            for t, x in zip(*_clean_escaped(values))
        ]
    else:
        start, close = f"{s}><{p}v>", f"</{p}v></{p}c>"
        if kind is int:
            tails = [f"{start}{v}{close}" for v in values]
        else:  # NaN and the infinities have no value (plain_value); xml_number, inline
            tails = [
                blank
                if v != v or v in _INFINITE
                else f"{start}{int(v) if v.is_integer() and abs(v) < 1e15 else repr(v)}{close}"
                for v in values
            ]
    return tails


_PRESERVE = ' xml:space="preserve"'
_LF = "\n"
_INFINITE = (math.inf, -math.inf)


def _clean_escaped(texts: list[str]) -> tuple[list[str], list[str]]:
    """(:func:`clean_text`, and that escaped) of each text; texts that need neither (no
    character to drop, escape or rewrite: seen by one scan of them all) are only cut to length."""
    joined = _LF.join(texts)
    if (
        "&" in joined
        or "<" in joined
        or ">" in joined
        or "\r" in joined
        or "_x" in joined
        or INVALID_XML.search(joined)
    ):
        cleaned = [clean_text(t) for t in texts]
        return cleaned, [esc(t) for t in cleaned]
    cut = [t[:MAX_TEXT] for t in texts]
    return cut, cut


# ---- helpers on cell text ----------------------------------------------------------------------
def unescape_x(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def escape_x_name(text: str) -> str:
    """A table column name as Excel stores it (line breaks as _x000a_)."""
    return clean_text(text).replace("\n", "_x000a_")


def unique_headers(headers: Sequence[Any]) -> list[str]:
    """Header texts a table accepts: non-blank and unique ignoring case ("Name", "Name2" ...)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, h in enumerate(headers):
        text = INVALID_XML.sub("", "" if h is None else str(h)).strip()[:MAX_TEXT] or f"Column{i + 1}"
        name, n = text, 2
        while name.lower() in taken:
            name = f"{text}{n}"
            n += 1
        taken.add(name.lower())
        out.append(name)
    return out


def inline_text(xml: str) -> str:
    """The text of an <si> or <is> element: its <t> runs, phonetic runs left out."""
    xml = re.sub(r"<(?:[\w.\-]+:)?rPh\b.*?</(?:[\w.\-]+:)?rPh>", "", xml, flags=re.S)
    parts = re.findall(r"<(?:[\w.\-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.\-]+:)?t>", xml, re.S)
    return unescape_x(unesc("".join(parts)))


def cell_value(body: str, a: dict[str, str], sst: Mapping[int, str]) -> Any:
    t = a.get("t", "n")
    if t == "inlineStr":
        return inline_text(body)
    m = re.search(r"<(?:[\w.\-]+:)?v>(.*?)</(?:[\w.\-]+:)?v>", body, re.S)
    if m is None:
        return None
    v = unesc(m.group(1))
    if t == "s":
        return sst.get(int(v))
    if t == "b":
        return v.strip() in ("1", "true")
    if t in ("str", "e", "d"):
        return unescape_x(v) if t == "str" else v
    try:
        return float(v)
    except ValueError:
        return v
