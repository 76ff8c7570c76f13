"""The workbook templates, built with openpyxl as a person would lay them out in Excel.

``build(lang, data, rules)`` makes the whole workbook from the one declaration of the sheets
(:mod:`xlgrade.schema.sheets`): tabs in ``SHEETS`` order, one Excel table per declared table
(header on row 1, at least one body row), column widths, number formats and protection by
column type and kind, drop-downs from the lists sheet, grade colours, print set-up, the rule
book with one defined name per rule, the printable cards (:mod:`xlgrade.workbook.cards`) and
the hidden style palette (:mod:`xlgrade.workbook.styles`).

Without ``data`` it is the empty template staff start from (``workbook_templates/``); with
``data`` the input tables hold the rows (typed cells; computed columns get their formulas).

``save`` writes a workbook deterministically: the same build gives the same bytes.
Run ``python -m xlgrade.workbook.template [DIR]`` to rebuild the committed templates.

Why one module of some 630 lines (above the ~500 of the rest of :mod:`xlgrade.workbook`): it
is a single openpyxl build, read in build order, whose sections (context, typed values,
tables, validations, sheets, lists, saving) all work on the shared :class:`Context`; the
parts with a life of their own, the printable cards and the styles, are modules already.
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import Rule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.writer.excel import ExcelWriter

from xlgrade import demo_data, demo_store, parse
from xlgrade.engine import grade_choices
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import WriteFailedError, XlgradeError
from xlgrade.job import forms
from xlgrade.schema import formulas, model
from xlgrade.schema.lists import DEFAULT_LISTS, OPEN_LISTS
from xlgrade.schema.model import Column, Sheet
from xlgrade.schema.sheets import (
    COMPLAINTS,
    CUSTOMERS,
    FORM_NO,
    LISTS_SHEET,
    RULES_SHEET,
    SHEETS,
    STORE_CLIENTS,
    credit_sheet,
)
from xlgrade.workbook import cards, formhead, pagelayout, reference, styles, version
from xlgrade.workbook.text import TEXT, in_lang
from xlgrade.workbook.widths import column_width

LANGS = ("zh", "en")
MAX_ROW = 20000  # validations and grade colours reach this row (or further with more data)
LIST_ROWS = 1000  # rows of the lists sheet a drop-down list may use
TABLE_STYLE = "TableStyleMedium2"
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)  # created / modified: the build is deterministic
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644 << 16  # a regular file, rw-r--r--
HEADER_HEIGHT = 30.0
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "workbook_templates"

PROTECT_ALLOW = (
    "formatCells",
    "formatColumns",
    "formatRows",
    "insertRows",
    "deleteRows",
    "sort",
    "autoFilter",
    "selectLockedCells",
    "selectUnlockedCells",
)


@dataclass
class InputData:
    """Rows for the input tables; columns are sheet declaration keys (extra columns are ignored)."""

    customers: pd.DataFrame | None = None
    profiles: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    complaints: pd.DataFrame | None = None
    store_clients: pd.DataFrame | None = None
    lists: dict[str, list[str]] = field(default_factory=dict)  # drop-down lists by choice name
    # a form's head fields by sheet key, then field key (店名 ... of the 顾客档案分析表)
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)
    picks: dict[str, str] = field(default_factory=dict)  # the cards' first pick ("customers": id); else row 1

    @classmethod
    def from_demo(cls, demo: demo_data.DemoData) -> InputData:
        """The demo's tables; the record cards show its largest customer, whose card has every field filled."""
        store = demo_store.generate(as_of=demo.as_of)  # its own generator: the other draws stay as they were
        ledger = demo.ledger
        picks = {}
        if len(ledger):
            picks["customers"] = str(ledger.groupby("customer_id")["amount"].sum().idxmax())
        return cls(
            customers=demo.customers,
            profiles=demo.profiles,
            ledger=ledger,
            complaints=demo.complaints,
            store_clients=store.clients,
            heads={STORE_CLIENTS.key: store.head},
            picks=picks,
        )

    def frame(self, key: str) -> pd.DataFrame | None:
        return getattr(self, key, None)


def text(key: str, lang: str) -> str:
    return TEXT(key, lang)


def appendix(sheet: Sheet, lang: str) -> str:
    """The sheet's form (附表五) as the workbook's language writes it ("Appendix 5")."""
    return TEXT(sheet.form, lang) if sheet.form in TEXT else sheet.form


# ---- the build context: styles, names, shared helpers (cards use it too) ------------------------
class Context:
    def __init__(self, wb: Workbook, lang: str, rules: RuleBook, lists: dict[str, list]):
        self.wb, self.lang, self.rules, self.lists = wb, lang, rules, lists
        self.names: dict[str, str] = {}
        self._styles: dict[str, Any] = {}
        self.first: dict[str, str | None] = {}  # first customer id / complaint no (cards' picks)
        self.grade_rules = _grade_rules(rules)

    def style(self, cell, role: str) -> None:
        """``styles.apply`` once per role, then copies of that style (fast for big tables)."""
        cached = self._styles.get(role)
        if cached is None:
            styles.apply(cell, role)
            self._styles[role] = copy(cell._style)
        else:
            cell._style = copy(cached)

    def column_style(self, ws, idx: int, role: str, width: float) -> None:
        dim = ws.column_dimensions[get_column_letter(idx)]
        dim.width = width
        self.style(dim, role)

    def name(self, name: str, value: str) -> None:
        if name in self.names:
            raise ValueError(f"defined name {name} declared twice")
        self.names[name] = value

    def sheet_name(self, sheet: Sheet) -> str:
        return quote_sheetname(sheet.name(self.lang))

    def grade_colours(self, ws, ref: str) -> None:
        """Colour the grade cells of ``ref`` by rank (A / VIP客户 / 优 first)."""
        top_left = ref.split(":")[0].replace("$", "")
        for rank, labels in enumerate(self.grade_rules):
            if not labels:
                continue
            cond = ",".join(f'{top_left}="{_quote(label)}"' for label in labels)
            dxf = DifferentialStyle(
                font=Font(bold=True, color=styles.GRADE_TEXT[rank]),
                fill=PatternFill("solid", start_color=styles.GRADE_COLOURS[rank], end_color=styles.GRADE_COLOURS[rank]),
            )
            ws.conditional_formatting.add(ref, Rule(type="expression", dxf=dxf, formula=[f"OR({cond})"]))

    def protect(self, ws) -> None:
        """Protected without a password; formatting, rows, sorting and filtering stay allowed."""
        p = ws.protection
        p.sheet = True
        for flag in PROTECT_ALLOW:
            setattr(p, flag, False)  # in the file format False means "allowed"

    def text(self, key: str) -> str:
        return text(key, self.lang)

    def appendix(self, sheet: Sheet) -> str:
        return appendix(sheet, self.lang)

    def date_validation(self, message: str) -> DataValidation:
        """Cells that take only a date (from 1900 on), refusing anything else with ``message``."""
        return DataValidation(
            type="date",
            operator="greaterThanOrEqual",
            formula1="DATE(1900,1,1)",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle=self.text("date_title"),
            error=message,
        )

    @staticmethod
    def print_setup(ws, area: str | None, **kw) -> None:
        print_setup(ws, area, **kw)


def _quote(label: str) -> str:
    return str(label).replace('"', '""')


def _grade_rules(rules: RuleBook) -> list[list[str]]:
    """Labels of each rank 1..5: ABC labels, scorecard levels and credit grades, zh and en."""
    sources = (
        rules.abc.labels,
        rules.scorecard.level_labels,
        rules.scorecard.level_labels_en,
        rules.credit.grade_labels,
        rules.credit.grade_labels_en,
    )
    ranks: list[list[str]] = [[] for _ in styles.GRADE_COLOURS]
    for labels in sources:
        for i, label in enumerate(labels):
            rank = min(i, len(ranks) - 1)
            if label not in ranks[rank]:
                ranks[rank].append(label)
    return ranks


# ---- typed cell values ----------------------------------------------------------------------------
def _number(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return value


def cell_value(value: Any, kind: str) -> Any:
    """A pandas / numpy / Python value as the cell openpyxl should write for a column type."""
    if parse.is_blank(value):
        return None
    if kind in (model.DATE, model.DATETIME):
        if isinstance(value, str):
            return value  # as typed; the reader parses it
        ts = pd.Timestamp(value)
        if kind == model.DATE:
            return ts.to_pydatetime().replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        return ts.floor("s").to_pydatetime().replace(tzinfo=None)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Number):
        return _number(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


# ---- tables ---------------------------------------------------------------------------------------
@dataclass
class Written:
    """Where a table landed: its sheet, last row and the column letters by key."""

    ws: Any
    sheet: Sheet
    last_row: int
    letters: dict[str, str]
    top: int = 1  # the header row (below a form's head: xlgrade.workbook.formhead)

    @property
    def ref(self) -> str:
        return f"A{self.top}:{get_column_letter(len(self.sheet.columns))}{self.last_row}"

    @property
    def extent(self) -> int:
        return max(MAX_ROW, self.last_row + 1000)


def write_table(
    ctx: Context, ws, sheet: Sheet, frame: pd.DataFrame | None, role: Callable[[Column], str], *, top: int = 1
) -> Written:
    """The declared table with its header on row ``top`` of ``ws`` (1, or below a form's head):
    headers, typed rows (or one empty row), styles, widths."""
    lang = ctx.lang
    n = 0 if frame is None else len(frame)
    body = max(n, 1)
    last = top + body
    letters = {}
    for idx, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(idx)
        letters[col.key] = letter
        r = role(col)
        template = col.formula_for(ctx.rules.general.method)
        formula = formulas.render(template, sheet, lang) if template else None
        values: list[Any]
        if formula is not None:
            values = [formula] * body
        elif frame is not None and n and col.key in frame.columns:
            values = [cell_value(v, col.type) for v in frame[col.key].tolist()]
        else:
            values = [None] * body
        # as wide as the values written (nothing prints cut off); long text xlgrade writes wraps
        width, wraps = column_width(col.type, [] if formula else values, col.width, col.header(lang))
        if wraps and r == "text":
            r = "wrap"
        ctx.column_style(ws, idx, r, width)
        head = ws.cell(row=top, column=idx, value=col.header(lang))
        ctx.style(head, "header")
        for row, value in enumerate(values, start=top + 1):
            cell = ws.cell(row=row, column=idx)
            if value is not None:
                cell.value = value
                if formula is None and isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # typed text such as "=HYPERLINK(...)" stays text, never a formula
            ctx.style(cell, r)
    ws.row_dimensions[top].height = HEADER_HEIGHT
    ref = f"A{top}:{get_column_letter(len(sheet.columns))}{last}"
    table = Table(
        displayName=sheet.table,
        ref=ref,
        tableStyleInfo=TableStyleInfo(
            name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False, showFirstColumn=False, showLastColumn=False
        ),
    )
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(sheet.headers(lang), start=1)]
    table.autoFilter = AutoFilter(ref=ref)
    ws.add_table(table)
    first = sheet.columns[0]
    ws.freeze_panes = f"B{top + 1}" if first.type == model.ID else f"A{top + 1}"
    written = Written(ws, sheet, last, letters, top)
    for col in sheet.columns:
        if col.type == model.GRADE:
            letter = letters[col.key]
            ctx.grade_colours(ws, f"{letter}{top + 1}:{letter}{written.extent}")
    return written


def print_setup(
    ws,
    area: str | None,
    *,
    landscape: bool,
    fit_height: int,
    title_rows: str | None = "1:1",
    centred: bool = False,
    footer: str | None = None,
) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_height
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    if centred:
        ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if area:
        ws.print_area = area
    if footer:
        ws.oddFooter.center.text = footer


def _table_print(ctx: Context, written: Written) -> None:
    """A table prints landscape, one page wide, the sheet's name top left (a form's head prints
    too, its header row repeated on every page); a seed form (a sheet with a ``form``, 附表一 ...)
    also carries its appendix and form number (MF/Q 102/A) top right and the sign-off
    记录 / 审核 / 日期 once, bottom left of every page (the page number moves to the right)."""
    ws, sheet = written.ws, written.sheet
    area = written.ref if written.top == 1 else f"A1:{written.ref.split(':')[1]}"
    title_rows = f"{written.top}:{written.top}"
    print_setup(ws, area, landscape=True, fit_height=0, title_rows=title_rows, footer=ctx.text("page_footer"))
    ws.oddHeader.left.text = "&A"
    if sheet.form:
        ws.oddHeader.right.text = form_header(sheet, ctx.lang)
        ws.oddFooter.left.text = forms.sign_off(ctx.lang)
        ws.oddFooter.right.text = ctx.text("page_footer")
        ws.oddFooter.center.text = None


def form_header(sheet: Sheet, lang: str) -> str:
    """The printed header's right part of a seed form: "附表五  MF/Q 102/A" (a form that is
    itself MF/Q 102/A, the classification form, just that)."""
    shown = appendix(sheet, lang)
    return FORM_NO if shown == FORM_NO else f"{shown}  {FORM_NO}"


# ---- validations --------------------------------------------------------------------------------
def _list_validation(ctx: Context, choice: str) -> DataValidation:
    style: Literal["warning", "stop"]
    if choice == "scores":
        # A warning, not a stop: 7.5 is a fine score though the list offers whole numbers;
        # the reader refuses anything outside 0-10 and lists it in the validation sheet.
        title, error, style = ctx.text("score_title"), ctx.text("score_error"), "warning"
    else:
        title, error = ctx.text("list_title"), ctx.text("list_error")
        style = "warning" if choice in OPEN_LISTS else "stop"
    return DataValidation(
        type="list",
        formula1=f"list_{choice}",
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle=style,
        errorTitle=title,
        error=error,
    )


def validations(ctx: Context, written: Written) -> None:
    """Drop-downs for ``choices`` columns, shares 0-1 and dates >= 1900 on the input columns."""
    ws, extent = written.ws, written.extent
    for col in written.sheet.inputs:
        rng = f"{written.letters[col.key]}{written.top + 1}:{written.letters[col.key]}{extent}"
        if col.choices:
            dv = _list_validation(ctx, col.choices)
        elif col.type == model.SHARE:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2="1",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=ctx.text("share_title"),
                error=ctx.text("share_error"),
            )
        elif col.type in (model.DATE, model.DATETIME):
            message = ctx.text("date_error" if col.type == model.DATE else "datetime_error")
            dv = ctx.date_validation(message)
        else:
            continue
        dv.add(rng)
        ws.add_data_validation(dv)


# ---- the sheets --------------------------------------------------------------------------------
def _input_role(col: Column) -> str:
    return styles.column_role(col, styles.TYPE_ROLE if col.computed else styles.INPUT_ROLE)


def _derived_role(col: Column) -> str:
    return styles.column_role(col, styles.TYPE_ROLE)


def _input_sheet(ctx: Context, ws, sheet: Sheet, frame: pd.DataFrame | None, head: dict[str, Any]) -> Written:
    top = formhead.write_head(ctx, ws, sheet, head) if sheet.fields else 1
    written = write_table(ctx, ws, sheet, frame, _input_role, top=top)
    validations(ctx, written)
    _table_print(ctx, written)
    ctx.protect(ws)
    return written


def _derived_sheet(ctx: Context, ws, sheet: Sheet) -> Written:
    frame, notes = reference.content(sheet, ctx.rules, ctx.lang)
    written = write_table(ctx, ws, sheet, frame, _derived_role)
    _table_print(ctx, written)
    if notes:  # the notes end with the sign-off, printed once under the table: not in the footer too
        reference.print_notes(ctx, written, notes)
        ws.oddFooter.left.text = None
    if sheet.print_group:  # column blocks (the monthly job redoes them for the widths it writes)
        widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(sheet.columns) + 1)]
        breaks, scale = pagelayout.column_blocks(widths, sheet.print_keys, sheet.print_group)
        for b in breaks:
            ws.col_breaks.append(Break(id=b))
        ws.page_setup.scale = scale
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_title_cols = f"A:{get_column_letter(sheet.print_keys)}"
    ctx.protect(ws)
    return written


def rule_number_format(kind: str, value: Any) -> str | None:
    """How a rules-sheet cell shows a number in a person's form: 80%, 100,000, 2.5; None: as is."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if kind == "pct":
        return "0%" if round(float(value) * 100, 9).is_integer() else "0.0##%"
    return "#,##0" if float(value).is_integer() else "#,##0.0###"


def _rules_sheet(ctx: Context, ws) -> Written:
    """The rule book as staff read it (names, values in a person's form: 80%, 100,000, lists as
    typed, choices by name) with the stable key in the hidden last column 键; a rule holding
    the other language's labels has its row hidden (engine/rulelabels.py rule 4)."""
    table = ctx.rules.to_table(ctx.lang)
    written = write_table(ctx, ws, RULES_SHEET, table, _input_role)
    # the value and default columns hold numbers and text alike: keep the cells as the book gives them
    value_letter, default_letter = written.letters["value"], written.letters["default"]
    ws.column_dimensions[written.letters["key"]].hidden = True
    quoted = ctx.sheet_name(RULES_SHEET)
    for row, spec in enumerate(RuleBook.specs(), start=2):
        ctx.name(formulas.rule_name(spec.key), f"{quoted}!${value_letter}${row}")
        if spec.prominent:
            ctx.style(ws[f"{value_letter}{row}"], "input_key")
        for letter in (value_letter, default_letter):
            cell = ws[f"{letter}{row}"]
            fmt = rule_number_format(spec.kind, cell.value)
            if fmt is not None:
                cell.number_format = fmt
        if spec.lang is not None and spec.lang != ctx.lang:
            ws.row_dimensions[row].hidden = True
    _table_print(ctx, written)
    ctx.protect(ws)
    return written


def _lists_sheet(ctx: Context, ws) -> Written:
    keys = LISTS_SHEET.keys()
    longest = max(len(ctx.lists.get(k, ())) for k in keys)
    frame = pd.DataFrame(
        {k: list(ctx.lists.get(k, ())) + [None] * (longest - len(ctx.lists.get(k, ()))) for k in keys}, dtype=object
    )
    written = write_table(ctx, ws, LISTS_SHEET, frame, lambda col: styles.INPUT_ROLE[col.type])
    quoted = ctx.sheet_name(LISTS_SHEET)
    end = max(LIST_ROWS, written.last_row + 100)
    for key in keys:
        letter = written.letters[key]
        ctx.name(
            f"list_{key}", f"OFFSET({quoted}!${letter}$2,0,0,MAX(1,COUNTA({quoted}!${letter}$2:${letter}${end})),1)"
        )
    # hidden and without a print area: printing the whole workbook leaves it out (Excel skips
    # hidden sheets; LibreOffice skips them unless they have a print range); staff show it
    # (right-click a sheet tab -> Unhide) to add a value to a drop-down
    print_setup(ws, None, landscape=True, fit_height=0, title_rows=None, footer=ctx.text("page_footer"))
    ws.sheet_state = "hidden"
    ctx.protect(ws)
    return written


def _summary_sheet(ctx: Context, ws, sheet: Sheet) -> None:
    cell = ws.cell(row=1, column=1, value=ctx.text("summary_title"))
    ctx.style(cell, "title")
    ws.row_dimensions[1].height = 24
    ws.column_dimensions["A"].width = 20
    # no print area: the monthly run lays out the blocks (charts beside them), and sets it
    print_setup(ws, None, landscape=True, fit_height=0, title_rows=None, footer=ctx.text("page_footer"))
    ctx.protect(ws)


def _palette(ctx: Context) -> None:
    ws = ctx.wb.create_sheet(styles.PALETTE_SHEET)
    for idx, role in enumerate(styles.ROLES, start=1):
        cell = ws.cell(row=1, column=idx, value=role)
        ctx.style(cell, role)
    ws.sheet_state = "hidden"
    ctx.protect(ws)


def _id_list(ctx: Context, written: Written, key: str, name: str) -> None:
    """A defined name over the non-blank cells of a table's id column (the cards' drop-downs)."""
    quoted = ctx.sheet_name(written.sheet)
    letter = written.letters[key]
    ctx.name(name, f"OFFSET({quoted}!${letter}$2,0,0,MAX(1,COUNTA({quoted}!${letter}$2:${letter}${written.extent})),1)")


# ---- lists -------------------------------------------------------------------------------------
def _lists(lang: str, data: InputData, rules: RuleBook) -> dict[str, list]:
    out: dict[str, list] = {}
    for key, (zh_values, en_values) in DEFAULT_LISTS.items():
        out[key] = list(in_lang(lang, zh_values, en_values))
    # values already in the data join the lists (salespeople: the data's own, not the demo's)
    found: dict[str, list] = {}
    for sheet in (CUSTOMERS, SHEETS["profiles"], SHEETS["ledger"], COMPLAINTS):
        frame = data.frame(sheet.key)
        if frame is None or not len(frame):
            continue
        for col in sheet.columns:
            if col.choices and col.choices in out and col.key in frame.columns:
                for v in frame[col.key].tolist():
                    if not parse.is_blank(v):
                        found.setdefault(col.choices, []).append(str(v).strip())
    for key, values in found.items():
        base = [] if key == "salespeople" else out[key]
        out[key] = list(dict.fromkeys([*base, *values]))
    # 人工等级 offers the grades of the workbook's method only, in its language
    out["grades"] = grade_choices(rules.general.method, rules, lang)
    out["scores"] = list(range(0, 11))
    for key, values in (data.lists or {}).items():
        if key not in LISTS_SHEET.keys():
            raise ValueError(f"unknown list {key!r}; lists are {', '.join(LISTS_SHEET.keys())}")
        out[key] = list(values)
    return out


# ---- the workbook ------------------------------------------------------------------------------
def build(lang: str = "zh", data: InputData | None = None, rules: RuleBook | None = None) -> Workbook:
    """The whole workbook in ``lang``; with ``data`` its input tables hold the rows."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    data = data or InputData()
    rules = rules or RuleBook()
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the default sheet: every sheet is declared
    ctx = Context(wb, lang, rules, _lists(lang, data, rules))
    written: dict[str, Written] = {}
    card_sheets = []
    for key, sheet in SHEETS.items():
        if key == "credit":
            sheet = credit_sheet(rules.credit.aging_days)
        ws = wb.create_sheet(sheet.name(lang))
        if sheet.kind == model.INPUT:
            written[key] = _input_sheet(ctx, ws, sheet, data.frame(key), data.heads.get(key, {}))
        elif sheet.kind == model.DERIVED:
            written[key] = _derived_sheet(ctx, ws, sheet)
        elif sheet.kind == model.RULES:
            written[key] = _rules_sheet(ctx, ws)
        elif sheet.kind == model.LISTS:
            written[key] = _lists_sheet(ctx, ws)
        elif sheet.kind == model.SUMMARY:
            _summary_sheet(ctx, ws, sheet)
        elif sheet.kind == model.CARD:
            card_sheets.append((ws, sheet))
    ctx.name(formulas.AS_OF, formulas.AS_OF_BEFORE_ANY_RUN)  # the monthly job sets the date
    ctx.name(formulas.WINDOW_START, formulas.window_start_value())
    _id_list(ctx, written["customers"], "customer_id", cards.CUSTOMER_IDS)
    _id_list(ctx, written["complaints"], "complaint_no", cards.COMPLAINT_NOS)
    ctx.first = {
        "customers": data.picks.get("customers") or _first(data.customers, "customer_id"),
        "complaints": data.picks.get("complaints") or _first(data.complaints, "complaint_no"),
    }
    for ws, sheet in card_sheets:
        cards.build_card(ctx, ws, sheet)
    _palette(ctx)
    for name in sorted(ctx.names):
        wb.defined_names[name] = DefinedName(name, attr_text=ctx.names[name])
    props = wb.properties
    props.title = ctx.text("title")
    props.subject = ctx.text("subject")
    props.creator = "xlgrade"
    props.lastModifiedBy = "xlgrade"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.language = ctx.text("language")
    # the template version this workbook follows (xlgrade upgrade; see xlgrade.workbook.version)
    wb.custom_doc_props.append(  # type: ignore[attr-defined]  # openpyxl 3.1 has it; its stubs do not
        StringProperty(name=version.PROPERTY, value=str(version.TEMPLATE_VERSION))
    )
    wb.active = 0
    return wb


def _first(frame: pd.DataFrame | None, key: str) -> str | None:
    if frame is None or key not in frame.columns:
        return None
    for v in frame[key].tolist():
        if not parse.is_blank(v):
            v = cell_value(v, model.ID)
            return v if isinstance(v, str) else str(v)
    return None


# ---- saving ----------------------------------------------------------------------------------------
def to_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes: openpyxl's parts in openpyxl's order, fixed zip metadata."""
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # not workbook.save(): that stamps "modified" with now
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = ZIP_MODE
            dst.writestr(entry, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def save(workbook: Workbook, path: str | Path) -> Path:
    """Write ``workbook`` to ``path`` deterministically (two saves of one build are byte-identical)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = to_bytes(workbook)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def template_path(lang: str, directory: str | Path | None = None) -> Path:
    return Path(directory or TEMPLATE_DIR) / f"xlgrade-{lang}.xlsx"


def build_template_files(directory: str | Path | None = None) -> list[Path]:
    """Write xlgrade-zh.xlsx and xlgrade-en.xlsx (empty templates) into ``directory``."""
    return [save(build(lang), template_path(lang, directory)) for lang in LANGS]


def new_workbook(path: str | Path, lang: str = "zh") -> Path:
    """An empty workbook at ``path``: a copy of the committed template (built afresh if it is missing)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = template_path(lang)
    # Written aside and moved into place in one step: a full disk or a killed run leaves no
    # half-written file, and a file replaced with --force stays as it was until then.
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlgrade-tmp", dir=path.parent)
        os.close(fd)
        if source.is_file():
            shutil.copyfile(source, tmp)
        else:
            save(build(lang), tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if isinstance(exc, OSError) and not isinstance(exc, XlgradeError):
            raise WriteFailedError(
                f"{path}: could not write the new workbook: {exc.strerror or exc}; nothing was written "
                "(新工作簿写入失败,未写入任何文件;请腾出磁盘空间或取得写权限后重试)"
            ) from None
        raise
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in build_template_files(args[0] if args else None):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
