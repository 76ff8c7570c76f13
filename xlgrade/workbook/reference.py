"""The forms written from the rules (:mod:`xlgrade.job.forms`) as the templates hold them.

A template is built with a rule book, so the two reference sheets (客户类型划分一览表,
客户分级管理策略表) are filled before any monthly run, and the classification form
(客户分类等级划分表, MF/Q 102/A) prints its grade definitions and the sign-off line under
its empty table. The monthly job rewrites all three from the workbook's own rules.

Print: the table sheets' set-up (A4 landscape, fit to width, header row repeated), the
print area taking in the notes, and the form number at the top right of every page.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

from xlgrade.engine.rules import RuleBook
from xlgrade.job import forms
from xlgrade.job.outputs import Note
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import CLASSIFICATION, GRADE_STRATEGY, LOYALTY_TYPES
from xlgrade.workbook import styles


def content(sheet: Sheet, rules: RuleBook, lang: str) -> tuple[pd.DataFrame | None, list[Note]]:
    """(rows, notes) a template's derived sheet starts with: None and [] for all but the forms."""
    if sheet.key == LOYALTY_TYPES.key:
        return forms.loyalty_types_table(rules, lang), []
    if sheet.key == GRADE_STRATEGY.key:
        return forms.grade_strategy_table(rules, lang), []
    if sheet.key == CLASSIFICATION.key:
        return None, forms.classification_notes(rules, lang)
    return None, []


def print_notes(ctx, written, notes: list[Note]) -> None:
    """The notes under the table (one blank row between), inside the print area (the form
    number on each page is the table's print set-up, :func:`xlgrade.workbook.template._table_print`)."""
    ws = written.ws
    for i, note in enumerate(notes):
        cell = ws.cell(row=written.last_row + 2 + i, column=1, value=note.text)
        ctx.style(cell, styles.NOTE_ROLE.get(note.kind, "form_text"))
    last = written.last_row + 1 + len(notes)
    ws.print_area = f"A1:{get_column_letter(len(written.sheet.columns))}{last}"
