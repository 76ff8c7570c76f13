"""Print layout computed by xlgrade: how much of a sheet fits on an A4 page, and the page set-up
(scale, manual page breaks) written into a worksheet part.

Layouts that must not split something across pages (the summary's blocks and charts, the
comparison sheet's month blocks) place the page breaks themselves, at a scale they choose,
instead of leaving both to the spreadsheet's fit-to-width. Rules:

1. Geometry: A4 (595 x 842 pt), the templates' margins (0.5 in left and right, 0.6 in top and
   bottom). A column of width ``w`` (Excel's units) is ``w * POINTS_PER_CHAR + COLUMN_PAD`` pt
   wide, counted generously so that a computed fit really fits.
2. Text stays readable: the body text is 10.5 pt, so a scale below ``MIN_SCALE`` % (8 pt
   text) is never chosen; what does not fit at that scale goes to further pages.
3. :func:`set_page_layout` sets ``pageSetup/@scale`` with fit-to-page off, and writes
   ``<rowBreaks>`` / ``<colBreaks>`` (manual breaks; ``brk/@id`` is the last row / column
   before the break); every other byte of the part stays. Excel and LibreOffice both honour
   manual breaks at a fixed scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.xmlscan import children, set_attr

A4 = (595.0, 842.0)  # width, height in points (portrait)
MARGINS = (36.0, 36.0, 43.2, 43.2)  # left, right, top, bottom (0.5 / 0.6 in)
POINTS_PER_CHAR = 5.6  # one digit of the default font, with room to spare
COLUMN_PAD = 4.0
BODY_FONT = 10.5
MIN_FONT = 8.0
MIN_SCALE = math.ceil(100 * MIN_FONT / BODY_FONT)  # 77 %
MAX_ROW = 1048575
MAX_COL = 16383


def usable(landscape: bool = True) -> tuple[float, float]:
    """(width, height) in points of the printable area of an A4 page."""
    w, h = (A4[1], A4[0]) if landscape else A4
    left, right, top, bottom = MARGINS
    return w - left - right, h - top - bottom


def columns_points(widths: Iterable[float]) -> float:
    """Printed width in points (at 100 %) of columns of these widths."""
    return sum(w * POINTS_PER_CHAR + COLUMN_PAD for w in widths)


def fit_scale(points: float, landscape: bool = True) -> int:
    """The largest whole scale (at most 100 %) at which ``points`` fit across one page."""
    if points <= 0:
        return 100
    return max(10, min(100, math.floor(100 * usable(landscape)[0] / points)))


def column_blocks(widths: Sequence[float], keys: int, group: int, landscape: bool = True) -> tuple[list[int], int]:
    """(column breaks, scale) printing a wide table in blocks of whole column groups.

    The first ``keys`` columns repeat on every page (print titles); the others come in groups
    of ``group`` columns (a month's this year / last year / change / change %). Every page
    holds the same number of groups, as many as fit at ``MIN_SCALE`` or more; a table that
    fits one page wide at that scale gets no break. A break is the last column (1-based)
    before it.
    """
    key_pts = columns_points(widths[:keys])
    rest = list(widths[keys:])
    groups = [rest[i : i + group] for i in range(0, len(rest), group)]
    if fit_scale(key_pts + columns_points(rest), landscape) >= MIN_SCALE or not groups:
        return [], fit_scale(key_pts + columns_points(rest), landscape)
    room = usable(landscape)[0] * 100 / MIN_SCALE - key_pts
    per_page = 1
    for k in range(len(groups), 0, -1):
        if all(columns_points(sum(groups[i : i + k], [])) <= room for i in range(0, len(groups), k)):
            per_page = k
            break
    breaks, widest = [], 0.0
    for i in range(0, len(groups), per_page):
        block = sum(groups[i : i + per_page], [])
        widest = max(widest, columns_points(block))
        last = keys + group * i + len(block)
        if last < len(widths):
            breaks.append(last)
    return breaks, max(MIN_SCALE, fit_scale(key_pts + widest, landscape))


def rows_per_page(row_points: float, scale: int, landscape: bool = True, reserve: float = 0.0) -> int:
    """How many rows of ``row_points`` height fit on one page at ``scale`` %."""
    height = usable(landscape)[1] - reserve
    return max(1, math.floor(height * 100 / scale / row_points))


def _breaks(tag: str, ids: Sequence[int], p: str, max_: int) -> str:
    if not ids:
        return ""
    brks = "".join(f'<{p}brk id="{i}" max="{max_}" man="1"/>' for i in ids)
    return f'<{p}{tag} count="{len(ids)}" manualBreakCount="{len(ids)}">{brks}</{p}{tag}>'


def set_page_layout(
    xml: str,
    *,
    scale: int | None = None,
    row_breaks: Sequence[int] | None = None,
    col_breaks: Sequence[int] | None = None,
) -> str:
    """The worksheet ``xml`` printing at ``scale`` % (fit-to-page off) with these manual breaks.

    ``None`` leaves that part as it is; an empty sequence removes the breaks.
    """
    ws = Worksheet(xml)
    p = ws.p
    if scale is not None:
        setup = ws.child("pageSetup")
        if setup is None:
            xml = ws.insert(xml, "pageSetup", f'<{p}pageSetup paperSize="9" orientation="landscape" scale="{scale}"/>')
        else:
            tag = set_attr(xml[setup.start : setup.tag_end], "scale", str(scale))
            xml = xml[: setup.start] + tag + xml[setup.tag_end :]
        ws = Worksheet(xml)
        pr = ws.child("sheetPr")
        if pr is not None:
            fit = next((k for k in children(xml, pr) if k.name == "pageSetUpPr"), None)
            if fit is not None:
                tag = set_attr(xml[fit.start : fit.tag_end], "fitToPage", "0")
                xml = xml[: fit.start] + tag + xml[fit.tag_end :]
    if row_breaks is not None:
        xml = Worksheet(xml).replace(xml, "rowBreaks", _breaks("rowBreaks", row_breaks, p, MAX_COL))
    if col_breaks is not None:
        xml = Worksheet(xml).replace(xml, "colBreaks", _breaks("colBreaks", col_breaks, p, MAX_ROW))
    return xml
