"""Aligned plain-text tables for the terminal, counting CJK characters as two columns.

Text from input (names, ids) is printed without its control characters and escape sequences
(:func:`clean`): a name cannot recolour, clear or rewrite the terminal.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

# ANSI / VT100 escape sequences (CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL|ESC \\``, and
# two-character ``ESC x``), then any other C0 / C1 control character and the bidirectional
# overrides that can make a name read backwards on screen.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` safe to print in a terminal: escape sequences and control characters removed.

    Tabs and line breaks become one space each (they would break the table's columns).
    """
    text = _ANSI.sub("", text)
    text = re.sub(r"[\t\r\n]", " ", text)
    return _CONTROL.sub("", text)


def width(text: str) -> int:
    """Terminal columns: 2 for a wide (CJK) character, 1 for any other."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cell(value: Any) -> str:
    """How a value reads in a table: thousands separators, at most 2 decimals, '-' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if hasattr(value, "item"):
        return cell(value.item())
    return clean(str(value))


def render(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int = 0) -> str:
    """Rows under headers; numbers right-aligned, text left-aligned, a rule under the header."""
    texts = [[cell(v) for v in row] for row in rows]
    numeric = [bool(rows) and all(_numeric(r[i]) for r in rows) for i in range(len(headers))]
    widths = [max([width(h)] + [width(r[i]) for r in texts]) for i, h in enumerate(headers)]
    if max_width:
        widths = [min(w, max_width) for w in widths]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            v = _clip(v, widths[i])
            gap = " " * (widths[i] - width(v))
            parts.append(gap + v if numeric[i] else v + gap)
        return "  ".join(parts).rstrip()

    out = [line([clean(h) for h in headers]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in texts]
    return "\n".join(out)


def _numeric(value: Any) -> bool:
    if isinstance(value, str):
        return value in ("", "…", "-") or bool(_PERCENT.fullmatch(value))
    return value is None or isinstance(value, (int, float)) or hasattr(value, "item")


_PERCENT = re.compile(r"-?[\d,.]+%")


def _clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out, used = out + ch, used + w
    return out + "…"
