"""The printable cards: 客户资料卡 (组织 / 个人, 附表四) and 客户投诉管理卡 (附表八).

Each card is a one-page A4 portrait form: the appendix and form number (MF/Q 102/A) at the
top right, a title, a pick cell with a drop-down of customer ids (complaint numbers for the
complaint card), then label / value boxes whose values are lookup formulas on the tables
(structured references, so they follow the tables as they grow), and the 记录 / 审核 / 日期
sign-off line at the bottom, printed once (the page footer does not repeat it).

Under the pick cell a message cell says so when the id typed there is not in the table the
ids come from (the drop-down's error message names that sheet too), instead of a blank card.
Labels wrap; a row is as tall as its longest label needs in the card's column widths
(:func:`label_lines`), so no English label is cut off.

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

from xlgrade import textout
from xlgrade.schema import formulas
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import FORM_NO, SIGN_OFF, TABLES
from xlgrade.workbook import styles
from xlgrade.workbook.text import in_lang

CUSTOMER_IDS = "list_customer_ids"
COMPLAINT_NOS = "list_complaint_nos"
# label | value value | label | value value; English labels are longer, their columns wider
WIDTHS = {"zh": (13.0, 17.0, 13.0, 13.0, 17.0, 13.0), "en": (18.0, 15.0, 11.0, 18.0, 15.0, 11.0)}
PICK_ROW = 3
PICK = f"$B${PICK_ROW}"
MESSAGE_ROW = PICK_ROW + 1  # the unknown-id message, the row between the pick and the first section
ROW_HEIGHT = 22.0
LINE_HEIGHT = 14.0  # points per wrapped line of a 10.5 pt label
WIDE_HEIGHT = 30.0
# The id column each table is looked up by.
KEYS = {
    "Customers": "customer_id",
    "Profiles": "customer_id",
    "Credit": "customer_id",
    "Analysis": "customer_id",
    "Complaints": "complaint_no",
}


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

    @property
    def id_table(self) -> str:
        """The table the pick's ids come from (its sheet: ``TABLES[card.id_table]``)."""
        assert self.pick.table is not None  # a pick reads a column (checked when declared)
        return self.pick.table

    @property
    def ids(self) -> Sheet:
        """The sheet the pick's ids come from."""
        return TABLES[self.id_table]


F = Field
FOOTER = SIGN_OFF  # 记录 / 审核 / 日期, declared with the sheets
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
            "trading",
            "交易情况",
            "Trading",
            (
                F("daily_sales", "Analysis", fmt=styles.FMT_MONEY),
                F("business_status", "Analysis"),
                F("last_order_date", "Analysis", fmt=styles.FMT_DATE),
                F("last_paid_date", "Analysis", fmt=styles.FMT_DATE),
                F("products", "Analysis", wide=True),
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
                F("person_name", "Profiles", zh="客户姓名"),
                F("gender", "Profiles"),
                F("age", "Profiles", fmt=styles.FMT_INT),
                F("education", "Profiles"),
                F("occupation", "Profiles"),
                F("annual_income", "Profiles", fmt=styles.FMT_MONEY),
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
                F("person_phone", "Profiles", zh="联系电话"),
                F("fax", "Profiles"),
                F("postcode", "Profiles"),
                F("email", "Profiles"),
                F("home_address", "Profiles", zh="住址", wide=True),
            ),
        ),
        Section(
            "purchases",
            "购买与信用",
            "Purchases and credit",
            (
                F("last_order_date", "Analysis", zh="购买日期", en="Last purchase", fmt=styles.FMT_DATE),
                F("payment_terms", "Profiles"),
                F("credit_grade", "Credit", zh="信用状况", en="Credit status", grade=True),
                F("products", "Analysis", zh="购买商品", en="Products bought", wide=True),
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


# The unknown-id message (zh, en): the pick's label, the value typed and the sheet of the ids.
NOT_FOUND = (
    "{label}“{value}”不在「{sheet}」中:请从下拉列表选择",
    "{label} {value} is not on the {sheet} sheet: choose one from the list",
)
LIST_ERROR = (
    "请从下拉列表中选择:列表为「{sheet}」工作表的“{label}”列;新的{label}请先在该表中添加。",
    "Choose from the drop-down list: it holds the {label} column of the {sheet} sheet; add a new one there first.",
)


def message_formula(card: Card, lang: str, pick: str = PICK) -> str:
    """The message cell: blank unless the pick is filled and not an id of the card's table."""
    label = card.pick.label(lang)
    head, tail = in_lang(lang, *NOT_FOUND).split("{value}")
    sheet = card.ids.name(lang)
    texts = [part.format(label=label, sheet=sheet).replace('"', '""') for part in (head, tail)]
    key = _col(card.id_table, KEYS[card.id_table], lang)
    return f'=IF({pick}="","",IF(ISNA(MATCH({pick},{key},0)),"{texts[0]}"&{pick}&"{texts[1]}",""))'


def shown_message(card: Card, pick: Any, tables: Mapping[str, pd.DataFrame], lang: str) -> str:
    """What :func:`message_formula` shows for ``pick`` given the tables (its cached result)."""
    if pick is None or str(pick).strip() == "":
        return ""
    table = card.id_table
    frame = tables.get(table)
    if frame is None or KEYS[table] not in frame.columns:
        return ""
    if _row_of(frame, KEYS[table], str(pick).strip()) is not None:
        return ""
    return in_lang(lang, *NOT_FOUND).format(label=card.pick.label(lang), value=pick, sheet=card.ids.name(lang))


def list_error(card: Card, lang: str) -> str:
    """The drop-down's error message: where the ids come from."""
    return in_lang(lang, *LIST_ERROR).format(label=card.pick.label(lang), sheet=card.ids.name(lang))


def label_lines(text: str, width: float) -> int:
    """Wrapped lines a bold label needs in a column ``width`` characters wide (CJK counts 2)."""
    per_line = max(width - 2.0, 1.0)
    words, lines, used = text.split(" "), 1, 0.0
    for word in words:
        w = textout.width(word) * 1.1  # bold
        if used and used + 1 + w > per_line:
            lines, used = lines + 1, w
        else:
            used += (1 if used else 0) + w
        while used > per_line:  # a word longer than the line breaks inside it
            lines, used = lines + 1, used - per_line
    return lines


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
    ncols = len(WIDTHS["zh"])
    placed = [Placed(card.beside, PICK_ROW, 4, 2)]
    titles: list[tuple[int, Section]] = []
    row = MESSAGE_ROW
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


def shown_value(
    f: Field, pick: Any, tables: Mapping[str, pd.DataFrame], found: dict[tuple[str, str], int | None] | None = None
) -> Any:
    """What a field's lookup formula (:func:`value_formula`) shows for ``pick``: its cached result.

    ``tables`` maps table names to their rows (columns = column keys); the first row whose id
    equals the pick wins, as MATCH(..., 0) finds it; a blank, a missing table or no match shows "".
    ``found``: the rows found so far for these ``tables`` ((table, id) -> row), kept by a caller
    that shows many fields of the same pick (a card), so each table is searched once per id,
    not once per field.
    """
    if f.table is None or pick is None or str(pick).strip() == "":
        return ""
    key = str(pick).strip()
    if f.via == "complaint":
        key = _lookup(tables, "Complaints", "customer_id", key, found)
        if key == "":
            return ""
        key = str(key).strip()
    return _lookup(tables, f.table, f.column, key, found)


def _row_of(frame: pd.DataFrame, id_key: str, key: str) -> int | None:
    """Position of the first row whose id is ``key`` (as MATCH(..., 0) finds it), else None."""
    ids = frame[id_key].astype(object)
    hit = np.flatnonzero((ids.notna() & (ids.astype(str).str.strip().str.casefold() == key.casefold())).to_numpy())
    return int(hit[0]) if len(hit) else None


def _lookup(
    tables: Mapping[str, pd.DataFrame],
    table: str,
    column: str | None,
    key: str,
    found: dict[tuple[str, str], int | None] | None = None,
) -> Any:
    frame = tables.get(table)
    id_key = KEYS[table]
    if frame is None or column not in frame.columns or id_key not in frame.columns:
        return ""
    if found is None:
        at = _row_of(frame, id_key, key)
    else:
        if (table, key) not in found:
            found[(table, key)] = _row_of(frame, id_key, key)
        at = found[(table, key)]
    if at is None:
        return ""
    value = frame[column].iloc[at]
    if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def build_card(ctx, ws, sheet: Sheet) -> None:
    """Lay out the card of ``sheet`` (kind card) on ``ws``."""
    card = CARDS[sheet.key]
    lang = ctx.lang
    widths = WIDTHS[lang]
    ncols = len(widths)
    for idx, width in enumerate(widths, start=1):
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
        error=list_error(card, lang),
    )
    dv.add(f"B{PICK_ROW}:C{PICK_ROW}")
    ws.add_data_validation(dv)
    ws.row_dimensions[PICK_ROW].height = 26
    # row 4: says so when the id typed in the pick cell is not in its table
    _box(ctx, ws, MESSAGE_ROW, 1, ncols, "card_message", message_formula(card, lang))
    ws.row_dimensions[MESSAGE_ROW].height = 18
    assert pick.coordinate == PICK.replace("$", "")
    titles, placed, footer_row = layout(card)
    for row, section in titles:
        _box(ctx, ws, row, 1, ncols, "block_title", in_lang(lang, section.zh, section.en))
        ws.row_dimensions[row].height = 20
    heights: dict[int, float] = {}
    for p in placed:
        _field(ctx, ws, p.row, p.col, p.field, p.span)
        if p.row != PICK_ROW:
            base = (p.field.height or WIDE_HEIGHT) if p.field.wide else ROW_HEIGHT
            need = label_lines(p.field.label(lang), widths[p.col - 1]) * LINE_HEIGHT + 6
            heights[p.row] = max(heights.get(p.row, 0.0), base, need)
    for row, height in heights.items():
        ws.row_dimensions[row].height = height
    # the sign-off line: 记录 ____ 审核 ____ 日期 ____
    row = footer_row
    for i, (_, zh, en) in enumerate(FOOTER):
        label = _box(ctx, ws, row, 1 + 2 * i, 1 + 2 * i, "subtitle", in_lang(lang, zh, en))
        label.alignment = Alignment(horizontal="right", vertical="center")
        _box(ctx, ws, row, 2 + 2 * i, 2 + 2 * i, "card_footer")
    ws.row_dimensions[footer_row].height = 28
    # print: one A4 portrait page, centred; the sign-off line above is the only one (no page footer)
    ctx.print_setup(
        ws, f"A1:{get_column_letter(ncols)}{footer_row}", landscape=False, fit_height=1, title_rows=None, centred=True
    )
    ws.page_margins.left = ws.page_margins.right = 0.6
    ctx.protect(ws)
