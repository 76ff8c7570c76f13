"""History in a file book: a run reads one month of it and rewrites one month of it.

The part is stored month by month (:mod:`xlgrade.workbook.historypart`). What a run does:

- :func:`read_before`: the rows of the latest month before the month computed (the migration
  matrix and the summary's "previous grade" need nothing else), parsed from that month's
  segment alone, through the same calamine read and normalisation as every table;
- :func:`write_months`: the computed month's rows are rendered (sorted by customer_id,
  ``merge_history``'s rule 3), placed in month order, and every other month's segment is
  copied as it is stored -- compressed bytes, no cell parsed or formatted, no frame of them.
  A month that lands before others renumbers the rows after it (``r`` attributes only).

When the part has no sound month index (a workbook from before, a History Excel saved or a
person edited, another language's workbook) both fall back to the whole sheet, once:
read it all, :func:`~xlgrade.job.history.merge_history` (older rows' method names rewritten
into the workbook's language, unreadable months last) and :func:`write_all`, which stores it
month by month; the next run appends. :func:`write_all` also serves ``write_table(HISTORY,
frame)``: rows not grouped by month in order are written as one plain part (no index).
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

import pandas as pd

from xlgrade.io.tables import read_book_rows
from xlgrade.job.derive import month_text
from xlgrade.job.history import merge_history
from xlgrade.job.months import month_keys
from xlgrade.normalize import Normalized, normalize_rows
from xlgrade.schema.sheets import HISTORY
from xlgrade.workbook import historypart
from xlgrade.workbook.historypart import SegmentedPart, new_segment
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.worksheets import rows_xml

if TYPE_CHECKING:
    from xlgrade.workbook.filebook import FileBook


def _runs(frame: pd.DataFrame) -> list[tuple[str | None, int, int]] | None:
    """(month key, first, end) of each month's run of rows, or None when the rows are not
    grouped by month in increasing order (unreadable months last)."""
    keys = month_keys(frame["month"]).tolist() if len(frame) else []
    runs: list[tuple[str | None, int, int]] = []
    for i, key in enumerate(keys):
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1], i + 1)
            continue
        if runs and (runs[-1][0] is None or (key is not None and key < runs[-1][0])):
            return None
        runs.append((key, i, i + 1))
    return runs


def write_all(book: FileBook, name: str, frame: pd.DataFrame) -> None:
    """Replace History's body with ``frame`` (sorted as ``merge_history`` leaves it), month by month."""
    headers, rows, widths, styles = book.table_layout(HISTORY, name, frame)
    header_style = book.styles()["header"]
    runs = _runs(frame)
    if not rows or runs is None:
        book.package.write_table(name, HISTORY.table, headers, rows, widths, styles=styles, header_style=header_style)
        return
    date1904 = book.package.date1904

    def make(head: str, tail: str) -> SegmentedPart:
        p = Worksheet(head + tail).p
        segments = [
            new_segment(key, 2 + a, b - a, rows_xml(rows[a:b], styles, date1904, p, 2 + a).encode())
            for key, a, b in runs
        ]
        return SegmentedPart(book.lang, head.encode(), segments, tail.encode())

    book.package.write_table(
        name, HISTORY.table, headers, [], widths, styles=styles, header_style=header_style, place=(len(rows), make)
    )


def write_months(book: FileBook, name: str, current: pd.DataFrame) -> None:
    """History with the month of ``current`` replaced (or inserted in order), the others copied."""
    part = book.package.sheet_part(name)
    found = historypart.found(book.package, part, book.lang)
    keys = set(month_keys(current["month"])) if len(current) else set()
    key = next(iter(keys)) if len(keys) == 1 else None
    if found is None or key is None:  # no index, or not one month: the whole sheet, merged
        write_all(book, name, merge_history(_whole(book).frame, current, book.lang))
        return
    cur = merge_history(None, current)  # rule 3: by customer_id
    first = 2 + sum(s.rows for s in found.segments if s.key is not None and s.key < key)
    total = sum(s.rows for s in found.segments if s.key != key) + len(cur)
    book.package.write(part, found.skeleton())  # the layout below reads widths from the head only
    headers, rows, widths, styles = book.table_layout(HISTORY, name, cur)
    date1904 = book.package.date1904

    def make(head: str, tail: str) -> SegmentedPart:
        p = Worksheet(head + tail).p
        new = historypart.same_or_new(found.segments, key, first, len(rows), rows_xml(rows, styles, date1904, p, first))
        return SegmentedPart(book.lang, head.encode(), historypart.placed(found.segments, key, new), tail.encode())

    book.package.write_table(
        name,
        HISTORY.table,
        headers,
        [],
        widths,
        styles=styles,
        header_style=book.styles()["header"],
        place=(total, make),
    )


def read_before(book: FileBook, month: pd.Period) -> Normalized:
    """History's rows of the latest month before ``month``: only that segment is parsed when
    the month index is sound; else the whole sheet (kept for :func:`write_months`)."""
    name = book.sheet_name(HISTORY)
    if name is None:
        return book.read_table(HISTORY)
    found = historypart.found(book.package, book.package.sheet_part(name), book.lang)
    if found is None:
        return _whole(book)
    segment = found.latest_before(month_text(month))
    if segment is None:
        return book.empty_table(HISTORY, name)
    data = _one_sheet_book(name, found.sheet_of(segment))  # the rows keep their numbers in the sheet
    rows, offset, _ = read_book_rows(book.path, HISTORY, data=data, checked=True)
    bound = book.rules_read.input.max_abs_amount if book.rules_read is not None else None
    return normalize_rows(rows, HISTORY, source=book.source_of(name), row_offset=offset, max_abs=bound)


def _whole(book: FileBook) -> Normalized:
    """All of History, read once per opening of the file."""
    if book.history_read is None:
        book.history_read = book.read_table(HISTORY)
    return book.history_read


def _one_sheet_book(name: str, sheet_xml: bytes) -> bytes:
    """A minimal .xlsx holding one worksheet (stored, not deflated), for calamine to read."""
    ns = "http://schemas.openxmlformats.org/"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{ns}package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships">'
            f'<sheets><sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for part, text in parts.items():
            zf.writestr(part, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()
