"""Error cells (``#N/A``, ``#DIV/0!``, ``#REF!`` ...) of an .xlsx sheet, which python-calamine reads as "".

python-calamine 0.9 gives an empty string for a cell of type ``e``, so a failed formula
would read as a blank cell. :func:`error_cells` finds them in the sheet's XML, and
:func:`mark_errors` puts a :class:`~xlgrade.parse.CellError` in their place, which every
parser refuses with the error's own name.

Accepts the bytes of an .xlsx / .xlsm package; anything else (or a part it cannot find)
gives no error cells: the reader's own checks decide about broken files.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

from xlgrade.parse import CellError

_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _attrs(text: str) -> dict[str, str]:
    return {k.split(":")[-1] if k.startswith("r:") else k: v for k, v in _ATTR.findall(text)}


def _unesc(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def sheet_part(z: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The member holding the sheet ``sheet_name`` (None if the workbook names none)."""
    book = z.read("xl/workbook.xml").decode("utf-8", "replace")
    rid = next(
        (a.get("id") for a in map(_attrs, _SHEET.findall(book)) if _unesc(a.get("name", "")) == sheet_name), None
    )
    if rid is None:
        return None
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    for a in map(_attrs, _REL.findall(rels)):
        if a.get("Id") == rid:
            target = a.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


_MARK = b't="e"'
_CHUNK = 1 << 20


def _has_mark(z: zipfile.ZipFile, part: str) -> bool:
    """Whether the part holds ``t="e"``, read in chunks (a 200,000-line sheet is never held
    whole, nor decoded, when it has no error cell: the usual case)."""
    tail = b""
    with z.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            if _MARK in tail + chunk[: len(_MARK)] or _MARK in chunk:
                return True
            tail = chunk[-(len(_MARK) - 1) :]
    return False


def error_cells(data: bytes | str | os.PathLike, sheet_name: str) -> dict[tuple[int, int], str]:
    """{(row, column), both 0-based: error text} for the cells of type ``e`` in ``sheet_name``
    of the package ``data`` (its bytes, or the path of its file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            part = sheet_part(z, sheet_name)
            if part is None or part not in z.namelist() or not _has_mark(z, part):
                return {}
            xml = z.read(part).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    found: dict[tuple[int, int], str] = {}
    for attrs, body in _CELL.findall(xml):
        a = _attrs(attrs)
        m = _REF.fullmatch(a.get("r", ""))
        if a.get("t") != "e" or m is None:
            continue
        v = _VALUE.search(body or "")
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        found[(int(m.group(2)) - 1, col - 1)] = _unesc(v.group(1)) if v else "#VALUE!"
    return found


def mark_errors(rows: list[list[Any]], start: tuple[int, int] | None, errors: dict[tuple[int, int], str]) -> None:
    """Put a :class:`CellError` into ``rows`` (read from ``start``) wherever an error cell is."""
    r0, c0 = start or (0, 0)
    for (r, c), text in errors.items():
        i, j = r - r0, c - c0
        if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
            rows[i][j] = CellError(text)
