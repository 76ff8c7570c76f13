"""A form's head above its table: title, the fields filled in once per sheet, the seed's text.

Seed 000's 顾客档案分析表 is a form whose head holds 店名, 店经理 and 整理时间 (the sheet
declaration's ``fields``) and whose page carries two slogans and a 使用说明. Layout, rows
from the top (the table's header row comes right after them, on :data:`TABLE_ROW`):

1. the title (the sheet's name), across the table's width;
2. each head field: its label, then an input cell (unlocked, yellow) over the next columns;
3. the slogans (catalogue key ``<sheet key>_motto``), when the catalogue has them;
4. the notes (``<sheet key>_notes``), wrapped over the table's width.

Everything here is typed once by the template; the monthly job never writes these cells.
The reader finds the table's header below them (it looks through the first rows).
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pandas as pd

from xlgrade.schema import model
from xlgrade.schema.model import Sheet
from xlgrade.workbook import styles

TITLE_ROW, FIELD_ROW, MOTTO_ROW, NOTES_ROW = 1, 2, 3, 4
TABLE_ROW = 5  # the table's header row on a sheet with a head
NOTES_HEIGHT = 96.0  # points: five lines of the notes at the sheet's width


def _box(ctx: Any, ws: Any, row: int, first: int, last: int, role: str, value: Any = None) -> Any:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for col in range(first, last + 1):
        ctx.style(ws.cell(row=row, column=col), role)
    cell = ws.cell(row=row, column=first)
    if value is not None:
        cell.value = value
    return cell


def _value(value: Any, kind: str) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind in (model.DATE, model.DATETIME) and not isinstance(value, str):
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    return value


def _display_width(text: str) -> float:
    """Column-width units a text needs: a CJK character takes two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text) + 2.0


def spans(sheet: Sheet, lang: str = "zh") -> list[tuple[int, int, int, int]]:
    """(first and last label column, first and last value column) of each head field, spread over
    the table's width; a label takes as many columns as its text needs (leaving the value at least one)."""
    n, width = len(sheet.fields), len(sheet.columns)
    slot = max(3, width // max(n, 1))
    widths = [c.width for c in sheet.columns]
    out = []
    for i, col in enumerate(sheet.fields):
        start = 1 + i * slot
        end = width if i == n - 1 else start + slot - 1
        need, label_end = _display_width(col.header(lang)), start
        while widths[label_end - 1] < need and label_end < end - 1:
            need -= widths[label_end - 1]
            label_end += 1
        out.append((start, label_end, label_end + 1, end))
    return out


def write_head(ctx: Any, ws: Any, sheet: Sheet, values: dict[str, Any]) -> int:
    """Lay out the head of ``sheet`` on ``ws`` with ``values`` (head field key -> value);
    returns the row for the table's header."""
    lang, ncols = ctx.lang, len(sheet.columns)
    _box(ctx, ws, TITLE_ROW, 1, ncols, "card_title", sheet.name(lang))
    ws.row_dimensions[TITLE_ROW].height = 30
    for col, (label, label_end, first, last) in zip(sheet.fields, spans(sheet, lang)):
        _box(ctx, ws, FIELD_ROW, label, label_end, "card_label", col.header(lang))
        cell = _box(ctx, ws, FIELD_ROW, first, last, "card_pick", _value(values.get(col.key), col.type))
        if col.type == model.DATE:
            for c in range(first, last + 1):
                ws.cell(row=FIELD_ROW, column=c).number_format = styles.FMT_DATE
            dv = ctx.date_validation(ctx.text("date_error"))
            dv.add(cell.coordinate)
            ws.add_data_validation(dv)
    ws.row_dimensions[FIELD_ROW].height = 24
    for row, suffix, role, height in (
        (MOTTO_ROW, "motto", "subtitle", 20.0),
        (NOTES_ROW, "notes", "wrap", NOTES_HEIGHT),
    ):
        key = f"{sheet.key}_{suffix}"
        try:
            text = ctx.text(key)
        except KeyError:
            continue
        _box(ctx, ws, row, 1, ncols, role, text)
        ws.row_dimensions[row].height = height
    return TABLE_ROW


def head_cells(sheet: Sheet, lang: str = "zh") -> dict[str, tuple[int, int, int]]:
    """Where each head field is: key -> (row, label column, value column)."""
    return {col.key: (FIELD_ROW, label, first) for col, (label, _, first, _) in zip(sheet.fields, spans(sheet, lang))}


__all__ = ["TABLE_ROW", "head_cells", "spans", "write_head"]
