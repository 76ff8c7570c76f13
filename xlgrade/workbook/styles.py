"""Cell styles by role, and the palette that lets the part writer reuse them.

Every cell xlgrade writes has a *role* (``header``, ``money``, ``grade_1`` ...). The template
builder styles cells through :func:`apply`; it also writes one cell per role on the hidden
palette sheet (``PALETTE_SHEET``, row 1, role names as values). The part-by-part writer
(:mod:`xlgrade.workbook.stylesheet`) reads that row to learn each role's style index in *this*
workbook's styles.xml, so cells written later look exactly like the template's, and a
workbook whose styles staff have changed keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from xlgrade.schema import model

PALETTE_SHEET = "xlgrade"
FONT_NAME = "等线"  # DengXian: Excel's default CJK font; LibreOffice falls back to Noto CJK
GRADE_COLOURS = ("C6EFCE", "DDEBF7", "FFF2CC", "FCE4D6", "EDEDED")  # rank 1..5: green, blue, yellow, orange, grey
GRADE_TEXT = ("006100", "1F4E78", "7F6000", "833C0B", "404040")
HEADER_FILL = "1F4E78"
TITLE_SIZE = 14

FMT_MONEY = "#,##0.00"
FMT_INT = "#,##0"
FMT_ORDINAL = "0"  # years, row numbers: 2026, not 2,026
FMT_NUMBER = "#,##0.##"
FMT_SHARE = "0.0%"
FMT_SCORE = "0.00"
FMT_DATE = "yyyy-mm-dd"
FMT_DATETIME = "yyyy-mm-dd hh:mm"

_thin = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_BOTTOM = Border(bottom=Side(style="thin", color="000000"))


@dataclass(frozen=True)
class Role:
    number_format: str = "General"
    bold: bool = False
    size: float = 10.5
    colour: str | None = None  # font colour
    fill: str | None = None
    horizontal: str | None = None
    vertical: str | None = "center"
    wrap: bool = False
    locked: bool = True
    border: str | None = None  # "box", "bottom" or None


ROLES: dict[str, Role] = {
    "title": Role(bold=True, size=TITLE_SIZE),
    "subtitle": Role(colour="595959"),
    "header": Role(bold=True, colour="FFFFFF", fill=HEADER_FILL, horizontal="center", wrap=True, border="box"),
    "block_title": Role(bold=True, size=12, colour=HEADER_FILL),
    "note": Role(colour="7F7F7F", size=9),
    "form_text": Role(),  # a line printed under a form's table (definitions, sign-off)
    "text": Role(border="box"),
    "wrap": Role(border="box", wrap=True, vertical="top"),
    "int": Role(FMT_INT, border="box"),
    "ordinal": Role(FMT_ORDINAL, horizontal="center", border="box"),
    "money": Role(FMT_MONEY, border="box"),
    "number": Role(FMT_NUMBER, border="box"),
    "score": Role(FMT_SCORE, border="box"),
    "share": Role(FMT_SHARE, border="box"),
    "date": Role(FMT_DATE, horizontal="center", border="box"),
    "datetime": Role(FMT_DATETIME, horizontal="center", border="box"),
    "grade": Role(horizontal="center", bold=True, border="box"),
    "total_text": Role(bold=True, border="box", fill="F2F2F2"),
    "total_int": Role(FMT_INT, bold=True, border="box", fill="F2F2F2"),
    "total_money": Role(FMT_MONEY, bold=True, border="box", fill="F2F2F2"),
    "total_share": Role(FMT_SHARE, bold=True, border="box", fill="F2F2F2"),
    "total_number": Role(FMT_NUMBER, bold=True, border="box", fill="F2F2F2"),
    # input cells staff type into: unlocked under sheet protection
    "input_text": Role(locked=False, border="box"),
    "input_wrap": Role(locked=False, border="box", wrap=True, vertical="top"),  # long typed text (a rule's value)
    "input_money": Role(FMT_MONEY, locked=False, border="box"),
    "input_number": Role(FMT_NUMBER, locked=False, border="box"),
    "input_int": Role(FMT_INT, locked=False, border="box"),
    "input_ordinal": Role(FMT_ORDINAL, locked=False, horizontal="center", border="box"),
    "input_date": Role(FMT_DATE, locked=False, horizontal="center", border="box"),
    "input_datetime": Role(FMT_DATETIME, locked=False, horizontal="center", border="box"),
    "input_share": Role(FMT_SHARE, locked=False, border="box"),
    "input_grade": Role(locked=False, horizontal="center", border="box"),
    # text format (@): a typed 6/15 stays "6/15" instead of becoming 15 June
    "input_sessions": Role("@", locked=False, horizontal="center", border="box"),
    "input_key": Role(locked=False, bold=True, fill="FFF2CC", border="box"),  # a prominent rule
    # cards
    "card_title": Role(bold=True, size=16, horizontal="center"),
    "card_label": Role(bold=True, fill="F2F2F2", horizontal="center", wrap=True, border="box"),
    "card_value": Role(wrap=True, border="box", vertical="center"),
    "card_pick": Role(locked=False, bold=True, fill="FFF2CC", horizontal="center", border="box"),
    "card_footer": Role(border="bottom"),
    "card_message": Role(bold=True, colour="C00000", horizontal="center"),
    "form_no": Role(size=9, horizontal="right"),
    **{
        f"grade_{i + 1}": Role(
            horizontal="center", bold=True, colour=GRADE_TEXT[i], fill=GRADE_COLOURS[i], border="box"
        )
        for i in range(len(GRADE_COLOURS))
    },
}

# Column type (schema) -> role of a computed / derived cell and of an input cell.
TYPE_ROLE = {
    model.ID: "text",
    model.TEXT: "text",
    model.MONEY: "money",
    model.NUMBER: "number",
    model.DATE: "date",
    model.DATETIME: "datetime",
    model.SCORE: "number",
    model.SHARE: "share",
    model.GRADE: "grade",
    model.INTEGER: "int",
    model.SESSIONS: "text",
    model.ORDINAL: "ordinal",
    model.AMOUNT: "int",
}
INPUT_ROLE = {
    model.ID: "input_text",
    model.TEXT: "input_text",
    model.MONEY: "input_money",
    model.NUMBER: "input_number",
    model.DATE: "input_date",
    model.DATETIME: "input_datetime",
    model.SCORE: "input_number",
    model.SHARE: "input_share",
    model.GRADE: "input_grade",
    model.INTEGER: "input_int",
    model.SESSIONS: "input_sessions",
    model.ORDINAL: "input_ordinal",
    model.AMOUNT: "input_int",
}
# A form's note (xlgrade.job.outputs.Note) kind -> role.
NOTE_ROLE = {"title": "block_title", "text": "form_text", "note": "note", "sign_off": "form_text"}


def column_role(col: model.Column, roles: dict[str, str]) -> str:
    """The role of a column's cells: ``roles`` by type, ``wrap`` (``input_wrap`` among the
    input roles) for a wrapped text column."""
    if col.wrap and col.type in (model.TEXT, model.ID):
        return "input_wrap" if roles is INPUT_ROLE else "wrap"
    return roles[col.type]


# Summary block column kinds (xlgrade.job.outputs) -> role, and the bold role of a totals row.
KIND_ROLE = {
    "text": "text",
    "int": "int",
    "money": "money",
    "share": "share",
    "number": "number",
    "grade": "grade",
    "date": "date",
}
TOTAL_ROLE = {
    "text": "total_text",
    "int": "total_int",
    "money": "total_money",
    "share": "total_share",
    "number": "total_number",
    "grade": "total_text",
    "date": "total_text",
}


def grade_role(rank: int | None) -> str:
    """The role colouring a grade of rank 0 (best) .. n; unknown grades stay plain."""
    if rank is None or rank < 0:
        return "grade"
    return f"grade_{min(rank, len(GRADE_COLOURS) - 1) + 1}"


def apply(cell, role: str) -> None:
    """Style an openpyxl cell as ``role``."""
    r = ROLES[role]
    cell.font = Font(name=FONT_NAME, bold=r.bold, size=r.size, color=r.colour)
    if r.fill:
        cell.fill = PatternFill("solid", start_color=r.fill, end_color=r.fill)
    cell.alignment = Alignment(horizontal=r.horizontal, vertical=r.vertical, wrap_text=r.wrap)
    cell.number_format = r.number_format
    cell.protection = Protection(locked=r.locked)
    if r.border == "box":
        cell.border = _BOX
    elif r.border == "bottom":
        cell.border = _BOTTOM
