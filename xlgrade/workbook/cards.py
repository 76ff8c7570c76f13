"""The printable cards: 客户资料卡 (组织 / 个人, 附表四) and 客户投诉管理卡 (附表八).

Each card is a one-page A4 portrait form: the appendix and form number (MF/Q 102/A) at the
top right, a title, a pick cell with a drop-down of customer ids (complaint numbers for the
complaint card), then label / value boxes whose values are lookup formulas on the tables
(structured references, so they follow the tables as they grow), and the 记录 / 审核 / 日期
sign-off line at the bottom (also in the printed page footer).

Every text a card shows is declared here, once per field, as (key, zh, en): the layout code
below only places them. The grid is six columns: label | value value | label | value value;
a wide field's value spans the five columns right of its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xlgrade.schema import formulas
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import FORM_NO, TABLES
from xlgrade.workbook import styles

CUSTOMER_IDS = "list_customer_ids"
COMPLAINT_NOS = "list_complaint_nos"
WIDTHS = (13.0, 17.0, 13.0, 13.0, 17.0, 13.0)
PICK_ROW = 3
PICK = f"$B${PICK_ROW}"
ROW_HEIGHT = 22.0
WIDE_HEIGHT = 30.0
# The id column each table is looked up by.
KEYS = {"Customers": "customer_id", "Profiles": "customer_id", "Credit": "customer_id",
        "Complaints": "complaint_no"}


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    en: str
    table: str | None = None          # table read; None: a blank box filled in by hand on paper
    column: str | None = None         # column key in that table
    wide: bool = False                # the value spans the rest of the row
    height: float | None = None       # row height (points) of a wide field or a blank box
    fmt: str | None = None            # number format of the value
    grade: bool = False               # coloured like a grade
    via: str | None = None            # "complaint": look the customer up through the chosen complaint

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


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
    pick: Field                       # label of the pick cell; table/column = the ids offered
    list_name: str
    first: str                        # which InputData frame gives the first pick ("customers"...)
    beside: Field                     # shown right of the pick cell
    sections: tuple[Section, ...]

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


F = Field
FOOTER = (("recorded", "记录:", "Recorded by:"), ("checked", "审核:", "Checked by:"), ("date", "日期:", "Date:"))
# the grade of the customer's row on 客户归类汇总表, like the card's 订单次数 and 累计金额: one consistent set
CARD_GRADE = F("grade", "客户等级", "Grade", "Customers", "grade", grade=True)

ORG_CARD = Card(
    "org_card", "客户资料卡(组织)", "Customer record card (organisation)",
    pick=F("customer_id", "客户编号", "Customer ID", "Customers", "customer_id"), list_name=CUSTOMER_IDS,
    first="customers", beside=CARD_GRADE, sections=(
        Section("company", "企业概况", "Company", (
            F("company", "企业名称", "Company", "Customers", "company", wide=True),
            F("address", "所在地址", "Address", "Customers", "address", wide=True),
            F("industry", "行业", "Industry", "Customers", "industry"),
            F("nature", "性质", "Ownership", "Profiles", "nature"),
            F("customer_type", "客户类型", "Customer type", "Customers", "customer_type"),
            F("scale", "企业规模", "Size", "Profiles", "scale"),
            F("salesperson", "责任业务员", "Salesperson", "Customers", "salesperson"),
            F("region", "区域", "Region", "Customers", "region"),
            F("contact", "联系人", "Contact", "Customers", "contact"),
            F("phone", "电话", "Phone", "Customers", "phone"),
        )),
        Section("management", "决策与管理", "Management", (
            F("decision_maker", "企业决策领导", "Decision maker", "Profiles", "decision_maker"),
            F("decision_maker_gender", "性别", "Gender", "Profiles", "decision_maker_gender"),
            F("decision_maker_title", "职务", "Title", "Profiles", "decision_maker_title"),
            F("person_in_charge", "负责人", "Person in charge", "Profiles", "person_in_charge"),
            F("managers", "主要管理人员", "Key managers", "Profiles", "managers", wide=True),
        )),
        Section("business", "经营情况", "Business", (
            F("business_scope", "经营范围", "Business scope", "Profiles", "business_scope", wide=True),
            F("competitors", "主要竞争对手", "Main competitors", "Profiles", "competitors", wide=True),
            F("suppliers", "货源客户", "Supply sources", "Profiles", "suppliers", wide=True),
            F("sales_status", "销售情况", "Sales situation", "Profiles", "sales_status"),
            F("our_share", "所占比例", "Our share", "Profiles", "our_share", fmt=styles.FMT_SHARE),
        )),
        Section("terms", "合作条件", "Terms of business", (
            F("policy", "政策", "Policy", "Profiles", "policy"),
            F("price", "价格", "Price terms", "Profiles", "price"),
            F("usage", "用量", "Usage", "Profiles", "usage"),
            F("purchase_volume", "进货量", "Purchase volume", "Profiles", "purchase_volume"),
            F("tech_requirements", "技术要求", "Technical requirements", "Profiles", "tech_requirements"),
            F("payment_terms", "付款方式", "Payment terms", "Profiles", "payment_terms"),
        )),
        Section("performance", "业绩与信用", "Performance and credit", (
            F("orders_all", "订单次数", "Orders", "Customers", "orders_all", fmt=styles.FMT_INT),
            F("volume_all", "累计金额", "Volume", "Customers", "volume_all", fmt=styles.FMT_MONEY),
            F("credit_grade", "信用等级", "Credit grade", "Credit", "credit_grade", grade=True),
            F("collection_rate", "回款率", "Collection rate", "Credit", "collection_rate", fmt=styles.FMT_SHARE),
            F("remarks", "备注", "Remarks", wide=True, height=48),
        )),
    ))

PERSON_CARD = Card(
    "person_card", "客户资料卡(个人)", "Customer record card (person)",
    pick=F("customer_id", "客户编号", "Customer ID", "Customers", "customer_id"), list_name=CUSTOMER_IDS,
    first="customers", beside=F("company", "企业名称", "Company", "Customers", "company"), sections=(
        Section("person", "个人资料", "Personal details", (
            F("person_name", "姓名", "Name", "Profiles", "person_name"),
            F("gender", "性别", "Gender", "Profiles", "gender"),
            F("age", "年龄", "Age", "Profiles", "age", fmt=styles.FMT_INT),
            F("education", "学历", "Education", "Profiles", "education"),
            F("birth_month", "出生年月", "Born", "Profiles", "birth_month"),
            F("native_place", "籍贯", "Native place", "Profiles", "native_place"),
            F("department_title", "部门职务", "Department and title", "Profiles", "department_title"),
            F("character", "性格", "Character", "Profiles", "character"),
        )),
        Section("contact", "联系方式", "Contact details", (
            F("person_phone", "电话", "Telephone", "Profiles", "person_phone"),
            F("fax", "传真", "Fax", "Profiles", "fax"),
            F("postcode", "邮编", "Postcode", "Profiles", "postcode"),
            F("email", "Email", "Email", "Profiles", "email"),
            F("home_address", "家庭住址", "Home address", "Profiles", "home_address", wide=True),
        )),
        Section("relations", "爱好与关系", "Interests and relations", (
            F("hobbies", "嗜好", "Hobbies", "Profiles", "hobbies", wide=True),
            F("relation", "与决策层关系", "Relation to decision makers", "Profiles", "relation", wide=True),
            F("remarks", "备注", "Remarks", wide=True, height=60),
        )),
    ))

COMPLAINT_CARD = Card(
    "complaint_card", "客户投诉管理卡", "Customer complaint card",
    pick=F("complaint_no", "投诉编号", "Complaint no.", "Complaints", "complaint_no"), list_name=COMPLAINT_NOS,
    first="complaints", beside=F("grade", "客户等级", "Grade", "Complaints", "grade", grade=True), sections=(
        Section("complaint", "投诉信息", "Complaint", (
            F("customer_name", "客户名称", "Customer", "Complaints", "customer_name", wide=True),
            F("customer_id", "客户编号", "Customer ID", "Complaints", "customer_id"),
            F("salesperson", "责任业务员", "Salesperson", "Customers", "salesperson", via="complaint"),
            F("complaint_time", "投诉时间", "Complaint time", "Complaints", "complaint_time",
              fmt=styles.FMT_DATETIME),
            F("complainant", "投诉人", "Complainant", "Complaints", "complainant"),
            F("subject", "投诉主题", "Subject", "Complaints", "subject", wide=True, height=36),
        )),
        Section("handling", "处理", "Handling", (
            F("priority", "优先级", "Priority", "Complaints", "priority", fmt=styles.FMT_INT),
            F("due", "应处理期限", "Due", "Complaints", "due", fmt=styles.FMT_DATETIME),
            F("handler", "处理人", "Handler", "Complaints", "handler"),
            F("status", "状态", "Status", "Complaints", "status"),
            F("replier", "回复人", "Replier", "Complaints", "replier"),
            F("reply_time", "回复时间", "Reply time", "Complaints", "reply_time", fmt=styles.FMT_DATETIME),
            F("result", "处理结果", "Outcome", wide=True, height=90),
            F("opinion", "客户意见", "Customer's opinion", wide=True, height=60),
        )),
    ))

CARDS = {c.sheet_key: c for c in (ORG_CARD, PERSON_CARD, COMPLAINT_CARD)}


# ---- formulas --------------------------------------------------------------------------------
def _col(table: str, key: str, lang: str) -> str:
    sheet = TABLES[table]
    return f"{sheet.table}[[{formulas.escape(sheet.column(key).header(lang))}]]"


def _index(table: str, column: str, key_expr: str, lang: str) -> str:
    return (f"INDEX({_col(table, column, lang)},"
            f"MATCH({key_expr},{_col(table, KEYS[table], lang)},0))")


def value_formula(f: Field, lang: str, pick: str = PICK) -> str:
    """The lookup formula of a field: blank when nothing is picked, found or filled in."""
    key = pick
    if f.via == "complaint":
        key = _index("Complaints", "customer_id", pick, lang)
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
    dv = DataValidation(type="list", formula1=card.list_name, allow_blank=True, showErrorMessage=True,
                        errorStyle="stop", errorTitle=ctx.text("list_title"), error=ctx.text("list_error"))
    dv.add(f"B{PICK_ROW}:C{PICK_ROW}")
    ws.add_data_validation(dv)
    ws.row_dimensions[PICK_ROW].height = 26
    assert pick.coordinate == PICK.replace("$", "")
    titles, placed, footer_row = layout(card)
    for row, section in titles:
        _box(ctx, ws, row, 1, ncols, "block_title", section.zh if lang == "zh" else section.en)
        ws.row_dimensions[row].height = 20
    for p in placed:
        _field(ctx, ws, p.row, p.col, p.field, p.span)
        if p.row != PICK_ROW:
            ws.row_dimensions[p.row].height = (p.field.height or WIDE_HEIGHT) if p.field.wide else ROW_HEIGHT
    # the sign-off line: 记录 ____ 审核 ____ 日期 ____
    row = footer_row
    for i, (_, zh, en) in enumerate(FOOTER):
        label = _box(ctx, ws, row, 1 + 2 * i, 1 + 2 * i, "subtitle", zh if lang == "zh" else en)
        label.alignment = Alignment(horizontal="right", vertical="center")
        _box(ctx, ws, row, 2 + 2 * i, 2 + 2 * i, "card_footer")
    ws.row_dimensions[footer_row].height = 28
    # print: one A4 portrait page, centred, with the sign-off line in the page footer too
    ctx.print_setup(ws, f"A1:{get_column_letter(ncols)}{footer_row}", landscape=False, fit_height=1,
                    title_rows=None, centred=True)
    ws.oddFooter.center.text = footer_text(lang)
    ws.page_margins.left = ws.page_margins.right = 0.6
    ctx.protect(ws)


def footer_text(lang: str) -> str:
    return "    ".join(f"{zh if lang == 'zh' else en} ________" for _, zh, en in FOOTER)
