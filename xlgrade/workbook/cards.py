"""The printable cards: 客户资料卡 (组织 / 个人, 附表四) and 客户投诉管理卡 (附表八).

Each card is a one-page A4 portrait form: the appendix and form number (MF/Q 102/A) at the
top right, a title, a pick cell with a drop-down of customer ids (complaint numbers for the
complaint card), then label / value boxes whose values are lookup formulas on the tables
(structured references, so they follow the tables as they grow), and the 记录 / 审核 / 日期
sign-off line at the bottom (also in the printed page footer).

Every text a card shows is declared here or is the header of the column a field reads (a
field states its own zh / en label only where the card words it differently): the layout
code below only places them. The grid is six columns: label | value value | label | value value;
a wide field's value spans the five columns right of its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xlgrade.schema import formulas
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import FORM_NO, TABLES
from xlgrade.workbook import styles
from xlgrade.workbook.text import in_lang

CUSTOMER_IDS = "list_customer_ids"
COMPLAINT_NOS = "list_complaint_nos"
WIDTHS = (13.0, 17.0, 13.0, 13.0, 17.0, 13.0)
PICK_ROW = 3
PICK = f"$B${PICK_ROW}"
ROW_HEIGHT = 22.0
WIDE_HEIGHT = 30.0
# The id column each table is looked up by.
KEYS = {"Customers": "customer_id", "Profiles": "customer_id", "Credit": "customer_id", "Complaints": "complaint_no"}


@dataclass(frozen=True)
class Field:
    """One label / value box. A field that reads a column (``table`` and the column ``key``)
    is labelled with that column's header unless it states its own ``zh`` or ``en``; a blank
    box (no table) states both."""

    key: str  # the column read (in ``table``), or the blank box's name
    table: str | None = None  # table read; None: a blank box filled in by hand on paper
    zh: str | None = None  # label, when not the column's Chinese header
    en: str | None = None  # label, when not the column's English header
    wide: bool = False  # the value spans the rest of the row
    height: float | None = None  # row height (points) of a wide field or a blank box
    fmt: str | None = None  # number format of the value
    grade: bool = False  # coloured like a grade
    via: str | None = None  # "complaint": look the customer up through the chosen complaint

    def __post_init__(self) -> None:
        if self.table is None and (self.zh is None or self.en is None):
            raise ValueError(f"card field {self.key}: a blank box needs its own zh and en labels")
        if self.table is not None:
            TABLES[self.table].column(self.key)  # a KeyError now, not when a card is built

    @property
    def column(self) -> str | None:
        """The column key read in ``table`` (None for a blank box)."""
        return self.key if self.table else None

    def label(self, lang: str) -> str:
        own = in_lang(lang, self.zh, self.en)
        if own is not None:
            return own
        assert self.table is not None  # a blank box states both labels (checked when declared)
        return TABLES[self.table].column(self.key).header(lang)


@dataclass(frozen=True)
class Section:
    key: str
    zh: str
    en: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Card:
    sheet_key: str
    title_zh: str
    title_en: str
    pick: Field  # label of the pick cell; table/column = the ids offered
    list_name: str
    first: str  # which InputData frame gives the first pick ("customers"...)
    beside: Field  # shown right of the pick cell
    sections: tuple[Section, ...]

    def title(self, lang: str) -> str:
        return in_lang(lang, self.title_zh, self.title_en)


F = Field
FOOTER = (("recorded", "记录:", "Recorded by:"), ("checked", "审核:", "Checked by:"), ("date", "日期:", "Date:"))
# the grade of the customer's row on 客户归类汇总表, like the card's 订单次数 and 累计金额: one consistent set
CARD_GRADE = F("grade", "Customers", grade=True)

ORG_CARD = Card(
    "org_card",
    "客户资料卡(组织)",
    "Customer record card (organisation)",
    pick=F("customer_id", "Customers"),
    list_name=CUSTOMER_IDS,
    first="customers",
    beside=CARD_GRADE,
    sections=(
        Section(
            "company",
            "企业概况",
            "Company",
            (
                F("company", "Customers", zh="企业名称", wide=True),
                F("address", "Customers", zh="所在地址", wide=True),
                F("industry", "Customers", zh="行业"),
                F("nature", "Profiles"),
                F("customer_type", "Customers"),
                F("scale", "Profiles"),
                F("salesperson", "Customers"),
                F("region", "Customers"),
                F("contact", "Customers"),
                F("phone", "Customers", zh="电话"),
            ),
        ),
        Section(
            "management",
            "决策与管理",
            "Management",
            (
                F("decision_maker", "Profiles"),
                F("decision_maker_gender", "Profiles", zh="性别", en="Gender"),
                F("decision_maker_title", "Profiles", zh="职务", en="Title"),
                F("person_in_charge", "Profiles"),
                F("managers", "Profiles", wide=True),
            ),
        ),
        Section(
            "business",
            "经营情况",
            "Business",
            (
                F("business_scope", "Profiles", wide=True),
                F("competitors", "Profiles", wide=True),
                F("suppliers", "Profiles", wide=True),
                F("sales_status", "Profiles"),
                F("our_share", "Profiles", fmt=styles.FMT_SHARE),
            ),
        ),
        Section(
            "terms",
            "合作条件",
            "Terms of business",
            (
                F("policy", "Profiles"),
                F("price", "Profiles"),
                F("usage", "Profiles"),
                F("purchase_volume", "Profiles"),
                F("tech_requirements", "Profiles"),
                F("payment_terms", "Profiles"),
            ),
        ),
        Section(
            "performance",
            "业绩与信用",
            "Performance and credit",
            (
                F("orders_all", "Customers", fmt=styles.FMT_INT),
                F("volume_all", "Customers", fmt=styles.FMT_MONEY),
                F("credit_grade", "Credit", zh="信用等级", grade=True),
                F("collection_rate", "Credit", fmt=styles.FMT_SHARE),
                F("remarks", zh="备注", en="Remarks", wide=True, height=48),
            ),
        ),
    ),
)

PERSON_CARD = Card(
    "person_card",
    "客户资料卡(个人)",
    "Customer record card (person)",
    pick=F("customer_id", "Customers"),
    list_name=CUSTOMER_IDS,
    first="customers",
    beside=F("company", "Customers", zh="企业名称"),
    sections=(
        Section(
            "person",
            "个人资料",
            "Personal details",
            (
                F("person_name", "Profiles"),
                F("gender", "Profiles"),
                F("age", "Profiles", fmt=styles.FMT_INT),
                F("education", "Profiles"),
                F("birth_month", "Profiles"),
                F("native_place", "Profiles"),
                F("department_title", "Profiles"),
                F("character", "Profiles"),
            ),
        ),
        Section(
            "contact",
            "联系方式",
            "Contact details",
            (
                F("person_phone", "Profiles"),
                F("fax", "Profiles"),
                F("postcode", "Profiles"),
                F("email", "Profiles"),
                F("home_address", "Profiles", wide=True),
            ),
        ),
        Section(
            "relations",
            "爱好与关系",
            "Interests and relations",
            (
                F("hobbies", "Profiles", wide=True),
                F("relation", "Profiles", wide=True),
                F("remarks", zh="备注", en="Remarks", wide=True, height=60),
            ),
        ),
    ),
)

COMPLAINT_CARD = Card(
    "complaint_card",
    "客户投诉管理卡",
    "Customer complaint card",
    pick=F("complaint_no", "Complaints"),
    list_name=COMPLAINT_NOS,
    first="complaints",
    beside=F("grade", "Complaints", grade=True),
    sections=(
        Section(
            "complaint",
            "投诉信息",
            "Complaint",
            (
                F("customer_name", "Complaints", wide=True),
                F("customer_id", "Complaints"),
                F("salesperson", "Customers", via="complaint"),
                F("complaint_time", "Complaints", fmt=styles.FMT_DATETIME),
                F("complainant", "Complaints"),
                F("subject", "Complaints", wide=True, height=36),
            ),
        ),
        Section(
            "handling",
            "处理",
            "Handling",
            (
                F("priority", "Complaints"),
                F("queue", "Complaints", fmt=styles.FMT_INT),
                F("due", "Complaints", fmt=styles.FMT_DATETIME),
                F("status", "Complaints"),
                F("handler", "Complaints"),
                F("replier", "Complaints"),
                F("reply_time", "Complaints", fmt=styles.FMT_DATETIME),
                F("result", zh="处理结果", en="Outcome", wide=True, height=90),
                F("opinion", zh="客户意见", en="Customer's opinion", wide=True, height=60),
            ),
        ),
    ),
)

CARDS = {c.sheet_key: c for c in (ORG_CARD, PERSON_CARD, COMPLAINT_CARD)}


# ---- formulas --------------------------------------------------------------------------------
def _col(table: str, key: str, lang: str) -> str:
    sheet = TABLES[table]
    return f"{sheet.table}[[{formulas.escape(sheet.column(key).header(lang))}]]"


def _index(table: str, column: str, key_expr: str, lang: str) -> str:
    return f"INDEX({_col(table, column, lang)},MATCH({key_expr},{_col(table, KEYS[table], lang)},0))"


def value_formula(f: Field, lang: str, pick: str = PICK) -> str:
    """The lookup formula of a field: blank when nothing is picked, found or filled in."""
    key = pick
    if f.via == "complaint":
        key = _index("Complaints", "customer_id", pick, lang)
    assert f.table is not None and f.column is not None  # only fields that show a column have a formula
    expr = _index(f.table, f.column, key, lang)
    return f'=IF({pick}="","",IFERROR(IF({expr}="","",{expr}),""))'


# ---- layout ------------------------------------------------------------------------------------
def _box(ctx, ws, row: int, first: int, last: int, role: str, value=None, fmt: str | None = None):
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for col in range(first, last + 1):
        cell = ws.cell(row=row, column=col)
        ctx.style(cell, role)
        if fmt:
            cell.number_format = fmt
    top = ws.cell(row=row, column=first)
    if value is not None:
        top.value = value
    return top


def _field(ctx, ws, row: int, col: int, f: Field, span: int) -> None:
    """Label in ``col``, value box over the next ``span`` columns."""
    lang = ctx.lang
    _box(ctx, ws, row, col, col, "card_label", f.label(lang))
    value = value_formula(f, lang) if f.table else None
    cell = _box(ctx, ws, row, col + 1, col + span, "card_value", value, f.fmt)
    if f.grade:
        last = get_column_letter(col + span)
        ctx.grade_colours(ws, f"{cell.coordinate}:{last}{row}")


@dataclass(frozen=True)
class Placed:
    """A field on the card grid: its label in ``col`` of ``row``, its value box the next ``span`` columns."""

    field: Field
    row: int
    col: int
    span: int

    @property
    def value_cell(self) -> tuple[int, int]:
        return self.row, self.col + 1


def layout(card: Card) -> tuple[list[tuple[int, Section]], list[Placed], int]:
    """Where everything goes: (section title rows, placed fields, the sign-off row).

    The beside-the-pick field comes first; wide fields take a row of their own, the others
    pair up two to a row.
    """
    ncols = len(WIDTHS)
    placed = [Placed(card.beside, PICK_ROW, 4, 2)]
    titles: list[tuple[int, Section]] = []
    row = PICK_ROW + 1
    for section in card.sections:
        row += 1
        titles.append((row, section))
        pending: Field | None = None
        for f in section.fields:
            if f.wide:
                if pending is not None:
                    row += 1
                    placed.append(Placed(pending, row, 1, 2))
                    pending = None
                row += 1
                placed.append(Placed(f, row, 1, ncols - 1))
            elif pending is None:
                pending = f
            else:
                row += 1
                placed += [Placed(pending, row, 1, 2), Placed(f, row, 4, 2)]
                pending = None
        if pending is not None:
            row += 1
            placed.append(Placed(pending, row, 1, 2))
    return titles, placed, row + 2


def shown_value(f: Field, pick: Any, tables: Mapping[str, pd.DataFrame]) -> Any:
    """What a field's lookup formula (:func:`value_formula`) shows for ``pick``: its cached result.

    ``tables`` maps table names to their rows (columns = column keys); the first row whose id
    equals the pick wins, as MATCH(..., 0) finds it; a blank, a missing table or no match shows "".
    """
    if f.table is None or pick is None or str(pick).strip() == "":
        return ""
    key = str(pick).strip()
    if f.via == "complaint":
        key = _lookup(tables, "Complaints", "customer_id", key)
        if key == "":
            return ""
        key = str(key).strip()
    return _lookup(tables, f.table, f.column, key)


def _lookup(tables: Mapping[str, pd.DataFrame], table: str, column: str | None, key: str) -> Any:
    frame = tables.get(table)
    id_key = KEYS[table]
    if frame is None or column not in frame.columns or id_key not in frame.columns:
        return ""
    ids = frame[id_key].astype(object)
    hit = np.flatnonzero((ids.notna() & (ids.astype(str).str.strip().str.casefold() == key.casefold())).to_numpy())
    if len(hit) == 0:
        return ""
    value = frame[column].iloc[hit[0]]
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def build_card(ctx, ws, sheet: Sheet) -> None:
    """Lay out the card of ``sheet`` (kind card) on ``ws``."""
    card = CARDS[sheet.key]
    lang = ctx.lang
    ncols = len(WIDTHS)
    for idx, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.sheet_view.showGridLines = False
    appendix = ctx.appendix(sheet)
    # row 1: appendix and form number at the top right; row 2: the title
    _box(ctx, ws, 1, ncols - 1, ncols - 1, "form_no", appendix)
    _box(ctx, ws, 1, ncols, ncols, "form_no", FORM_NO)
    _box(ctx, ws, 2, 1, ncols, "card_title", card.title(lang))
    ws.row_dimensions[2].height = 32
    # row 3: the pick cell (a drop-down) and the field beside it
    _box(ctx, ws, PICK_ROW, 1, 1, "card_label", card.pick.label(lang))
    pick = _box(ctx, ws, PICK_ROW, 2, 3, "card_pick", ctx.first.get(card.first))
    dv = DataValidation(
        type="list",
        formula1=card.list_name,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=ctx.text("list_title"),
        error=ctx.text("list_error"),
    )
    dv.add(f"B{PICK_ROW}:C{PICK_ROW}")
    ws.add_data_validation(dv)
    ws.row_dimensions[PICK_ROW].height = 26
    assert pick.coordinate == PICK.replace("$", "")
    titles, placed, footer_row = layout(card)
    for row, section in titles:
        _box(ctx, ws, row, 1, ncols, "block_title", in_lang(lang, section.zh, section.en))
        ws.row_dimensions[row].height = 20
    for p in placed:
        _field(ctx, ws, p.row, p.col, p.field, p.span)
        if p.row != PICK_ROW:
            ws.row_dimensions[p.row].height = (p.field.height or WIDE_HEIGHT) if p.field.wide else ROW_HEIGHT
    # the sign-off line: 记录 ____ 审核 ____ 日期 ____
    row = footer_row
    for i, (_, zh, en) in enumerate(FOOTER):
        label = _box(ctx, ws, row, 1 + 2 * i, 1 + 2 * i, "subtitle", in_lang(lang, zh, en))
        label.alignment = Alignment(horizontal="right", vertical="center")
        _box(ctx, ws, row, 2 + 2 * i, 2 + 2 * i, "card_footer")
    ws.row_dimensions[footer_row].height = 28
    # print: one A4 portrait page, centred, with the sign-off line in the page footer too
    ctx.print_setup(
        ws, f"A1:{get_column_letter(ncols)}{footer_row}", landscape=False, fit_height=1, title_rows=None, centred=True
    )
    ws.oddFooter.center.text = footer_text(lang)
    ws.page_margins.left = ws.page_margins.right = 0.6
    ctx.protect(ws)


def footer_text(lang: str) -> str:
    return "    ".join(f"{in_lang(lang, zh, en)} ________" for _, zh, en in FOOTER)
