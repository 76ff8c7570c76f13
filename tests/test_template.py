"""The workbook templates (issue 3, item 2): layout, validations, protection, print set-up, cards.

Expected values come from the sheet declaration (:mod:`xlgrade.schema.sheets`), the rule
book, literal texts, or the built file read back with openpyxl -- never from the template
module's own private helpers.

The committed templates (``workbook_templates/xlgrade-<lang>.xlsx``) are compared with a fresh
build part by part after normalisation, so an openpyxl release that serialises the same
workbook differently does not fail the test, while any change of content does. Normalised
(i.e. ignored):

- zip container: member order, timestamps, compression method and level, file attributes;
- XML parts (``*.xml``, ``*.rels``, ``*.vml``): the XML declaration (present or not, quote
  style, encoding, standalone), attribute order, namespace prefixes and where namespaces are
  declared, ``<a/>`` versus ``<a></a>``, character references versus literal characters, and
  whitespace-only text between tags (text inside an element that has no child is kept as is).

Not normalised: the set of member names, element order, element and attribute names,
attribute values, text content, and every non-XML part (compared byte for byte).
(:func:`test_two_builds_are_byte_identical` separately proves that the build is deterministic.)
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest

from xlgrade import demo_data
from xlgrade.engine.rules import RuleBook
from xlgrade.job import forms
from xlgrade.schema import formulas, model
from xlgrade.schema.sheets import (
    ANALYSIS,
    COMPLAINTS,
    CREDIT,
    CUSTOMERS,
    FORM_NO,
    LEDGER,
    LISTS_SHEET,
    PROFILES,
    RULES_SHEET,
    SHEETS,
    credit_sheet,
)
from xlgrade.workbook import cards, formhead, pagelayout, styles, template
from xlgrade.workbook.template import InputData, build, save

LANGS = ("zh", "en")
REFERENCE = {"loyalty_types": forms.loyalty_types_table, "grade_strategy": forms.grade_strategy_table}
INPUTS = {"customers": CUSTOMERS, "profiles": PROFILES, "ledger": LEDGER, "complaints": COMPLAINTS}


def declared(key: str):
    return credit_sheet(RuleBook().credit.aging_days) if key == "credit" else SHEETS[key]


def header_row(sheet) -> int:
    """The table's header row: 1, or below a form's head (the 顾客档案分析表)."""
    return formhead.TABLE_ROW if sheet.fields else 1


def reopen(wb) -> openpyxl.Workbook:
    """The workbook as a reader sees it after a save."""
    return openpyxl.load_workbook(io.BytesIO(template.to_bytes(wb)))


@pytest.fixture(scope="module", params=LANGS)
def lang(request):
    return request.param


@pytest.fixture(scope="module")
def empty(lang):
    return reopen(build(lang))


@pytest.fixture(scope="module")
def demo():
    return demo_data.generate(n_customers=40, months=12)


@pytest.fixture(scope="module")
def filled(demo):
    return reopen(build("zh", InputData.from_demo(demo)))


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


# ---- the committed files and determinism ------------------------------------------------------
XML_PARTS = (".xml", ".rels", ".vml")
Normal = tuple


def normal_xml(data: bytes) -> Normal:
    """An XML part as a comparable value, with the differences listed in the module docstring gone."""

    def walk(el: ElementTree.Element) -> Normal:
        kids = [walk(child) for child in el]
        text = el.text or ""
        if kids and not text.strip():
            text = ""  # whitespace between tags
        tails = tuple((child.tail or "") if (child.tail or "").strip() else "" for child in el)
        return (el.tag, tuple(sorted(el.attrib.items())), text, tuple(kids), tails)

    return walk(ElementTree.fromstring(data))


def normal_parts(data: bytes) -> dict[str, Normal | bytes]:
    """Every member of an .xlsx by name: XML parts normalised, other parts as bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: normal_xml(z.read(name)) if name.endswith(XML_PARTS) else z.read(name) for name in z.namelist()}


def test_normal_xml_ignores_only_serialisation():
    a = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<x:r xmlns:x="urn:a" b="2" a="1">\n  <x:c/>\n</x:r>'
    b = b"<r xmlns='urn:a' a='1' b='2'><c></c></r>"
    assert normal_xml(a) == normal_xml(b)
    assert normal_xml(b) != normal_xml(b"<r xmlns='urn:a' a='1' b='3'><c></c></r>")  # a value
    assert normal_xml(b) != normal_xml(b"<r xmlns='urn:b' a='1' b='2'><c></c></r>")  # a namespace
    assert normal_xml(b"<t> x </t>") != normal_xml(b"<t>x</t>")  # text is kept
    assert normal_xml(b"<r><a/><b/></r>") != normal_xml(b"<r><b/><a/></r>")  # element order


@pytest.mark.parametrize("code", LANGS)
def test_committed_template_equals_a_fresh_build(code):
    """workbook_templates/xlgrade-<lang>.xlsx holds what build(lang) makes, part by part.

    After the normalisation of the module docstring every member must be equal. If this fails
    after a change to the schema, styles or layout, rebuild with
    ``python -m xlgrade.workbook.template``.
    """
    committed = template.template_path(code)
    assert committed.is_file(), "run python -m xlgrade.workbook.template"
    old, new = normal_parts(committed.read_bytes()), normal_parts(template.to_bytes(build(code)))
    assert sorted(old) == sorted(new)
    changed = [name for name in new if old[name] != new[name]]
    assert not changed, f"parts differ from a fresh build: {changed}"


def test_two_builds_are_byte_identical(tmp_path, demo):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    save(build("zh", InputData.from_demo(demo)), a)
    save(build("zh", InputData.from_demo(demo)), b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}  # the zip format's earliest time
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert {i.external_attr for i in infos} == {0o100644 << 16}  # a regular file, rw-r--r--


def test_new_workbook_copies_the_template(tmp_path):
    path = template.new_workbook(tmp_path / "sub" / "new.xlsx", "en")
    assert path.read_bytes() == template.template_path("en").read_bytes()
    with pytest.raises(ValueError):
        template.new_workbook(tmp_path / "x.xlsx", "fr")


def test_properties(empty, lang):
    props = empty.properties
    assert props.creator == "xlgrade"
    assert props.title == {"zh": "xlgrade 客户分级", "en": "xlgrade customer grading"}[lang]
    assert props.created == dt.datetime(2026, 1, 1) and props.modified == dt.datetime(2026, 1, 1)
    names = list(empty.defined_names)
    assert names == sorted(names)
    assert not empty.security or not empty.security.lockStructure


# ---- sheets and tables --------------------------------------------------------------------------
def test_sheet_names_and_order(empty, lang):
    expected = [s.name(lang) for s in SHEETS.values()] + [styles.PALETTE_SHEET]
    assert empty.sheetnames == expected


def test_every_table_matches_the_declaration(empty, lang):
    for key, sheet in SHEETS.items():
        ws = empty[sheet.name(lang)]
        if not sheet.table:
            assert not ws.tables
            continue
        sheet = declared(key)
        table = ws.tables[sheet.table]
        assert table.displayName == sheet.table
        assert table.tableStyleInfo.name.startswith("TableStyleMedium")
        if key == "rules":
            last = RuleBook().to_table(lang).shape[0] + 1
        elif key == "lists":  # the table ends at the last row holding a list value
            last = max(c.row for row in ws.iter_rows() for c in row if c.value is not None)
            assert last > 2
        elif key in REFERENCE:  # filled from the rule book (xlgrade.job.forms)
            last = len(REFERENCE[key](RuleBook(), lang)) + 1
        else:
            last = header_row(sheet) + 1
        top = header_row(sheet)
        last_col = openpyxl.utils.get_column_letter(len(sheet.columns))
        assert table.ref == f"A{top}:{last_col}{last}", key
        assert [c.name for c in table.tableColumns] == sheet.headers(lang)
        assert [c.value for c in ws[top]] == sheet.headers(lang)
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref
        for idx, col in enumerate(sheet.columns, start=1):
            # at least the declared width; wider for the values or a long header word (widths.py)
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(idx)].width >= col.width
        assert ws.freeze_panes == ("B" if sheet.columns[0].type == model.ID else "A") + str(top + 1)


def test_english_workbook_is_english():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for ws in reopen(build("en")).worksheets:
        assert not cjk.search(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    # rule values hold the rule book's Chinese labels (they are data, not layout)
                    if ws.title == RULES_SHEET.en and cell.column_letter in ("B", "D"):
                        continue
                    assert not cjk.search(cell.value), (ws.title, cell.coordinate, cell.value)


def test_number_formats_and_column_defaults(empty, lang):
    ws = empty[LEDGER.name(lang)]
    letters = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(LEDGER.columns, start=1)}
    assert ws[f"{letters['amount']}2"].number_format == styles.FMT_MONEY
    assert ws[f"{letters['date']}2"].number_format == styles.FMT_DATE
    # the column default style makes rows typed later look the same and stay unlocked
    dim = ws.column_dimensions[letters["amount"]]
    assert dim.number_format == styles.FMT_MONEY and dim.protection.locked is False
    cust = empty[CUSTOMERS.name(lang)]
    grade = openpyxl.utils.get_column_letter(CUSTOMERS.keys().index("grade") + 1)
    assert cust.column_dimensions[grade].protection.locked is True


# ---- validations and grade colours -------------------------------------------------------------------
def validations_by_column(ws) -> dict[str, list]:
    out: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out.setdefault(openpyxl.utils.get_column_letter(rng.min_col), []).append((dv, rng))
    return out


def test_choices_columns_have_list_validations(empty, lang):
    for sheet in INPUTS.values():
        ws = empty[sheet.name(lang)]
        found = validations_by_column(ws)
        for idx, col in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(idx)
            if col.choices:
                ((dv, rng),) = found[letter]
                assert dv.type == "list" and dv.formula1 == f"list_{col.choices}"
                assert rng.min_row == 2 and rng.max_row >= template.MAX_ROW
                assert dv.showErrorMessage and dv.error
            elif col.type == model.SHARE and not col.computed:
                ((dv, _),) = found[letter]
                assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "1")
            elif col.type in (model.DATE, model.DATETIME) and not col.computed:
                ((dv, _),) = found[letter]
                assert dv.type == "date" and dv.operator == "greaterThanOrEqual" and "2026" in dv.error
            else:
                assert letter not in found, (sheet.key, col.key)
    scores = validations_by_column(empty[CUSTOMERS.name(lang)])["P"][0][0]
    assert scores.formula1 == "list_scores" and scores.errorStyle == "warning"  # 7.5 is allowed; the reader checks 0-10


def test_list_names_cover_the_lists_table(empty, lang):
    quoted = openpyxl.utils.quote_sheetname(LISTS_SHEET.name(lang))
    for idx, key in enumerate(LISTS_SHEET.keys(), start=1):
        letter = openpyxl.utils.get_column_letter(idx)
        value = empty.defined_names[f"list_{key}"].value
        assert value == (
            f"OFFSET({quoted}!${letter}$2,0,0,MAX(1,COUNTA({quoted}!${letter}$2:${letter}${template.LIST_ROWS})),1)"
        )
    lists = empty[LISTS_SHEET.name(lang)]
    column = {
        k: [c.value for c in lists[openpyxl.utils.get_column_letter(i)][1:] if c.value is not None]
        for i, k in enumerate(LISTS_SHEET.keys(), start=1)
    }
    assert column["scores"] == list(range(11))
    assert column["genders"] == (["男", "女"] if lang == "zh" else ["Male", "Female"])
    assert column["natures"][:5] == (
        ["国有", "民营", "外资", "合资", "个体"]
        if lang == "zh"
        else ["State-owned", "Private", "Foreign-owned", "Joint venture", "Sole proprietor"]
    )
    assert column["grades"] == ["A", "B", "C"]  # 人工等级: the default method's (threshold) grades only
    # literals, not the declaration the template reads them from (an independent truth)
    assert column["salespeople"] == (
        ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇"]
        if lang == "zh"
        else ["Zhang Wei", "Wang Fang", "Li Na", "Liu Yang", "Chen Jing", "Yang Lei", "Zhao Min", "Huang Yong"]
    )


def test_grade_columns_are_coloured(empty, lang):
    for key, sheet in SHEETS.items():
        if not sheet.table:
            continue
        sheet = declared(key)
        ws = empty[sheet.name(lang)]
        coloured = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
        for idx, col in enumerate(sheet.columns, start=1):
            if col.type != model.GRADE:
                continue
            letter = openpyxl.utils.get_column_letter(idx)
            rules = coloured[f"{letter}2:{letter}{template.MAX_ROW}"]
            assert len(rules) == len(styles.GRADE_COLOURS)
            assert f'{letter}2="A"' in rules[0].formula[0] and "VIP客户" in rules[0].formula[0]
            assert "潜在客户" in rules[4].formula[0]
            assert rules[0].dxf.fill.fgColor.rgb.endswith(styles.GRADE_COLOURS[0])
    assert any(str(cf.sqref).startswith("E3") for cf in empty[SHEETS["org_card"].name(lang)].conditional_formatting)


# ---- protection -------------------------------------------------------------------------------------
def test_every_sheet_protected_without_password(empty):
    for ws in empty.worksheets:
        p = ws.protection
        assert p.sheet and not p.password, ws.title
        for flag in template.PROTECT_ALLOW:
            assert getattr(p, flag) is False, (ws.title, flag)


def test_input_cells_unlocked_and_computed_cells_locked(filled):
    for sheet in INPUTS.values():
        ws = filled[sheet.zh]
        for idx, col in enumerate(sheet.columns, start=1):
            for row in (2, ws.max_row):
                locked = ws.cell(row=row, column=idx).protection.locked
                assert locked is col.computed, (sheet.key, col.key, row)
    rules = filled[RULES_SHEET.zh]
    assert rules["B2"].protection.locked is False and rules["A2"].protection.locked is True
    for key in ("history", "credit", "run_log"):
        ws = filled[SHEETS[key].zh]
        assert all(c.protection.locked for c in ws[2])
    card = filled[SHEETS["org_card"].zh]
    assert card["B3"].protection.locked is False
    assert all(c.protection.locked for row in card.iter_rows() for c in row if c.coordinate not in ("B3", "C3"))


# ---- print set-up -------------------------------------------------------------------------------------
def test_print_setup_of_tables(empty, lang):
    for key, sheet in SHEETS.items():
        ws = empty[sheet.name(lang)]
        if not sheet.table:
            continue
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        # the drop-down lists do not print with the workbook: hidden, without a print area
        assert ws.sheet_state == ("hidden" if sheet.kind == model.LISTS else "visible")
        if sheet.kind == model.LISTS:
            assert not ws.print_area
            continue
        if sheet.print_group:  # column blocks at a readable scale, the key columns on every page
            assert not ws.sheet_properties.pageSetUpPr.fitToPage
            assert int(ws.page_setup.scale) >= pagelayout.MIN_SCALE
            assert ws.print_title_cols == f"$A:${openpyxl.utils.get_column_letter(sheet.print_keys)}"
            assert ws.col_breaks.brk
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        top = header_row(sheet)
        assert ws.print_title_rows == f"${top}:${top}"
        assert ws.print_area.startswith(openpyxl.utils.quote_sheetname(ws.title) + "!")
        area = ws.print_area.split("!")[1].replace("$", "")
        ref = ws.tables[declared(key).table].ref
        notes = forms.classification_notes(RuleBook(), lang) if key == "classification" else []
        if notes:  # the definitions and the sign-off line under the table print too
            assert area == f"{ref.split(':')[0]}:{ref.split(':')[1][0]}{2 + 1 + len(notes)}"
        else:
            assert area == (ref if top == 1 else "A1:" + ref.split(":")[1])  # a form's head prints too
        # a seed form: appendix and form number in the header, the sign-off once (in the footer,
        # or, for a form whose notes end with it, under the table)
        if sheet.form:
            assert FORM_NO in ws.oddHeader.right.text and template.appendix(sheet, lang) in ws.oddHeader.right.text
            assert ws.oddFooter.left.text == (None if notes else forms.sign_off(lang))
            assert "&P" in ws.oddFooter.right.text and not ws.oddFooter.center.text
        else:
            assert not ws.oddHeader.right.text and not ws.oddFooter.left.text
    summary = empty[SHEETS["summary"].name(lang)]
    assert summary["A1"].value == {"zh": "客户分级汇总", "en": "Customer grading summary"}[lang]
    assert summary.page_setup.orientation == "landscape"


def test_cards(empty, lang):
    for key in ("org_card", "person_card", "complaint_card"):
        sheet = SHEETS[key]
        ws = empty[sheet.name(lang)]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
        assert ws.print_options.horizontalCentered
        values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
        numeral = "一二三四五六七八".index(sheet.form[-1]) + 1  # the declaration's 附表N
        assert FORM_NO in values and (sheet.form if lang == "zh" else f"Appendix {numeral}") in values
        assert cards.CARDS[key].title(lang) in values
        labels = [zh if lang == "zh" else en for _, zh, en in cards.FOOTER]
        # the sign-off line is printed exactly once: on the form, not again in the page footer
        assert all(values.count(label) == 1 for label in labels)
        footers = [ws.oddFooter, ws.evenFooter, ws.firstFooter]
        assert not any(
            label in (part.text or "") for f in footers for part in (f.left, f.center, f.right) for label in labels
        )
        area = ws.print_area.split("!")[1].replace("$", "")
        footer_row = max(c.row for row in ws.iter_rows() for c in row if c.value in labels)
        assert area == f"A1:F{footer_row}"
        assert ws["B3"].value is None  # no data: nothing picked
        (dv,) = ws.data_validations.dataValidation
        assert dv.formula1 == cards.CARDS[key].list_name and "B3" in str(dv.sqref)
    ids = empty.defined_names[cards.CUSTOMER_IDS].value
    assert ids.startswith(f"OFFSET({openpyxl.utils.quote_sheetname(CUSTOMERS.name(lang))}!$A$2,")
    assert cards.COMPLAINT_NOS in empty.defined_names


def test_card_formulas_cover_every_field(empty, lang):
    org = empty[SHEETS["org_card"].name(lang)]
    formulas_ = [c.value for row in org.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    company = CUSTOMERS.column("company").header(lang)
    assert (
        f'=IF($B$3="","",IFERROR(IF(INDEX(Customers[[{company}]],MATCH($B$3,Customers[['
        f'{CUSTOMERS.column("customer_id").header(lang)}]],0))="",""'
    ) in "\n".join(formulas_)
    # the card's grade, orders and volume all come from the customer's row on the customer summary
    for key in ("grade", "orders_all", "volume_all"):
        assert any(f"INDEX(Customers[[{CUSTOMERS.column(key).header(lang)}]],MATCH($B$3," in f for f in formulas_)
    assert not any("History[[" in f for f in formulas_)
    # every organisation field of the profile table appears on the org card, every person field on the other
    person_keys = set(PROFILES.keys()[PROFILES.keys().index("person_name") :])
    org_keys = set(PROFILES.keys()[1:]) - person_keys
    for key, wanted in (("org_card", org_keys), ("person_card", person_keys)):
        ws = empty[SHEETS[key].name(lang)]
        text = "\n".join(
            c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
        )
        for k in wanted:
            assert f"Profiles[[{formulas.escape(PROFILES.column(k).header(lang))}]]" in text, (key, k)
    # seed 004's trading fields: computed by the job into the analysis sheet, looked up by both cards
    texts = {
        key: "\n".join(
            c.value
            for row in empty[SHEETS[key].name(lang)].iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("=")
        )
        for key in ("org_card", "person_card")
    }
    for key, columns in (
        ("org_card", ("daily_sales", "products", "last_order_date", "last_paid_date", "business_status")),
        ("person_card", ("products", "last_order_date")),
    ):
        for k in columns:
            assert f"Analysis[[{formulas.escape(ANALYSIS.column(k).header(lang))}]]" in texts[key], (key, k)
    for key in ("org_card", "person_card"):  # 信用等级 / 信用状况
        assert f"Credit[[{CREDIT.column('credit_grade').header(lang)}]],MATCH($B$3," in texts[key]
        assert f"Profiles[[{PROFILES.column('payment_terms').header(lang)}]]" in texts[key]  # 付款方式
    complaint = empty[SHEETS["complaint_card"].name(lang)]
    text = "\n".join(
        c.value for row in complaint.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")
    )
    for col in COMPLAINTS.columns:
        if col.key != "complaint_no":
            assert f"Complaints[[{formulas.escape(col.header(lang))}]]" in text, col.key


SEED_004_LABELS = {
    "zh": (
        {"日销金额", "订购商品", "交易日期", "收款日期", "营业状况", "付款方式", "信用等级"},
        {"客户姓名", "职业", "年均收入", "购买商品", "购买日期", "付款方式", "信用状况", "住址", "联系电话"},
    ),
    "en": (
        {
            "Daily sales",
            "Products ordered",
            "Last order",
            "Last payment",
            "Business trend",
            "Payment terms",
            "Credit grade",
        },
        {"Name", "Occupation", "Annual income", "Products bought", "Last purchase", "Payment terms", "Credit status"},
    ),
}


def test_card_labels_of_seed_004(empty, lang):
    labels = {
        key: {c.value for row in empty[SHEETS[key].name(lang)].iter_rows() for c in row if isinstance(c.value, str)}
        for key in ("org_card", "person_card")
    }
    org, person = SEED_004_LABELS[lang]
    assert org <= labels["org_card"] and person <= labels["person_card"]


def test_card_message_cell_and_drop_down_error_name_the_id_sheet(empty, lang):
    for key, ids in (("org_card", CUSTOMERS), ("person_card", CUSTOMERS), ("complaint_card", COMPLAINTS)):
        ws = empty[SHEETS[key].name(lang)]
        card = cards.CARDS[key]
        message = ws[f"A{cards.MESSAGE_ROW}"]
        id_header = ids.column(cards.KEYS[ids.table]).header(lang)
        assert message.value == cards.message_formula(card, lang)
        assert f"ISNA(MATCH($B$3,{ids.table}[[{id_header}]],0))" in message.value
        assert ids.name(lang) in message.value
        assert f"A{cards.MESSAGE_ROW}:F{cards.MESSAGE_ROW}" in {str(r) for r in ws.merged_cells.ranges}
        (dv,) = ws.data_validations.dataValidation
        assert ids.name(lang) in dv.error and id_header in dv.error


def test_card_shown_message_is_the_formulas_result():
    card = cards.ORG_CARD
    tables = {"Customers": pd.DataFrame({"customer_id": ["C1", "C2"]})}
    assert cards.shown_message(card, "C2", tables, "zh") == ""
    assert cards.shown_message(card, " c1 ", tables, "zh") == ""  # MATCH ignores case, the job ignores spaces too
    assert cards.shown_message(card, None, tables, "zh") == ""
    assert cards.shown_message(card, "C9", tables, "zh") == "客户编号“C9”不在「客户归类汇总表」中:请从下拉列表选择"
    assert cards.shown_message(card, "C9", tables, "en") == (
        "Customer ID C9 is not on the Customer summary sheet: choose one from the list"
    )


def test_english_card_rows_are_as_tall_as_their_labels_need(empty, lang):
    for key in ("org_card", "person_card", "complaint_card"):
        ws = empty[SHEETS[key].name(lang)]
        _, placed, _ = cards.layout(cards.CARDS[key])
        for p in placed:
            if p.row == cards.PICK_ROW:
                continue
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(p.col)].width
            lines = cards.label_lines(p.field.label(lang), width)
            assert ws.row_dimensions[p.row].height >= lines * cards.LINE_HEIGHT, (key, p.field.key)


def test_label_lines():
    assert cards.label_lines("Name", 18) == 1
    assert cards.label_lines("Relation to decision makers", 18) >= 2  # rendered in two lines by Calc
    assert cards.label_lines("Relation to decision makers", 40) == 1
    assert cards.label_lines("与决策层关系", 13) == 2  # 12 columns of CJK, bold, in 11
    assert cards.label_lines("企业名称", 13) == 1
    assert cards.label_lines("Supercalifragilistic", 8) == 4  # a long word breaks inside


# ---- rules --------------------------------------------------------------------------------------------
def test_rules_table_and_names(empty, lang):
    ws = empty[RULES_SHEET.name(lang)]
    table = RuleBook().to_table(lang)
    assert ws.max_row == len(table) + 1
    key_col = len(RULES_SHEET.columns)
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(key_col)].hidden  # the stable key: hidden
    rows = {}
    for row, rec in enumerate(table.itertuples(index=False), start=2):
        assert ws.cell(row=row, column=1).value == rec.name != rec.key
        assert ws.cell(row=row, column=2).value == rec.value
        assert ws.cell(row=row, column=key_col).value == rec.key
        name = empty.defined_names[formulas.rule_name(rec.key)]
        assert name.value == f"{openpyxl.utils.quote_sheetname(ws.title)}!$B${row}"
        rows[rec.key] = row
    dest = next(empty.defined_names["rule_threshold_a_volume_over"].destinations)
    assert empty[dest[0]][dest[1].replace("$", "")].value == 100000
    assert isinstance(ws["B3"].value, str) and ws["B3"].value == "A; B; C"  # abc.labels as one text cell
    # values in a person's form: 80%, 100,000, shares in lists as typed, choices by name
    assert ws[f"B{rows['pareto.a_share']}"].value == 0.8 and ws[f"B{rows['pareto.a_share']}"].number_format == "0%"
    assert ws[f"B{rows['threshold.a_volume_over']}"].number_format == "#,##0"
    assert ws[f"B{rows['scorecard.growth_breaks']}"].value == "0%; 20%; 50%; 100%"
    assert ws[f"B{rows['general.method']}"].value == ("阈值 ABC" if lang == "zh" else "threshold ABC")
    # a rule holding the other language's labels is hidden, its twin shown
    other = "scorecard.level_labels" if lang == "en" else "scorecard.level_labels_en"
    own = "scorecard.level_labels_en" if lang == "en" else "scorecard.level_labels"
    assert ws.row_dimensions[rows[other]].hidden and not ws.row_dimensions[rows[own]].hidden


def test_custom_rules_flow_into_the_workbook():
    rules = RuleBook().updated({"threshold.a_volume_over": 250000, "credit.aging_days": "15; 45"})
    wb = reopen(build("zh", rules=rules))
    dest = next(wb.defined_names["rule_threshold_a_volume_over"].destinations)
    assert wb[dest[0]][dest[1].replace("$", "")].value == 250000
    credit = wb[SHEETS["credit"].zh]
    assert [c.name for c in credit.tables["Credit"].tableColumns] == credit_sheet((15.0, 45.0)).headers("zh")


# ---- palette ------------------------------------------------------------------------------------------
def test_palette_sheet(empty):
    ws = empty[styles.PALETTE_SHEET]
    assert ws.sheet_state == "hidden"
    assert [c.value for c in ws[1]] == list(styles.ROLES)
    for cell in ws[1]:
        role = styles.ROLES[cell.value]
        assert cell.number_format == role.number_format and cell.protection.locked is role.locked
        assert bool(cell.font.b) is role.bold


# ---- data ---------------------------------------------------------------------------------------------
def test_build_with_demo_data(filled, demo):
    frames = {
        "customers": demo.customers,
        "profiles": demo.profiles,
        "ledger": demo.ledger,
        "complaints": demo.complaints,
    }
    for key, sheet in INPUTS.items():
        ws = filled[sheet.zh]
        n = len(frames[key])
        last_col = openpyxl.utils.get_column_letter(len(sheet.columns))
        assert ws.tables[sheet.table].ref == f"A1:{last_col}{n + 1}"
        assert ws.max_row == n + 1
        assert ws.print_area.split("!")[1].replace("$", "") == f"A1:{last_col}{n + 1}"
    cust = filled[CUSTOMERS.zh]
    for idx, col in enumerate(CUSTOMERS.columns, start=1):
        if col.formula:
            rendered = formulas.render(col.formula, CUSTOMERS, "zh")
            assert all(cust.cell(row=r, column=idx).value == rendered for r in range(2, len(demo.customers) + 2))
    assert "ABCGRADE(" in formulas.render(CUSTOMERS.column("grade").formula, CUSTOMERS, "zh")


def test_typed_values(filled, demo):
    ledger = filled[LEDGER.zh]
    keys = LEDGER.keys()
    first = demo.ledger.iloc[0]
    row = [c.value for c in ledger[2]]
    assert row[keys.index("customer_id")] == first["customer_id"]
    assert row[keys.index("amount")] == pytest.approx(first["amount"])
    assert isinstance(row[keys.index("amount")], (int, float))
    assert row[keys.index("date")] == first["date"].to_pydatetime()
    blanks = demo.ledger["paid_date"].isna().to_numpy().nonzero()[0]
    assert ledger.cell(row=int(blanks[0]) + 2, column=keys.index("paid_date") + 1).value is None
    profiles = filled[PROFILES.zh]
    assert [c.value for c in profiles[2]][PROFILES.keys().index("age")] == int(demo.profiles["age"].iloc[0])
    complaints = filled[COMPLAINTS.zh]
    t = complaints.cell(row=2, column=COMPLAINTS.keys().index("complaint_time") + 1).value
    assert t == demo.complaints["complaint_time"].iloc[0].to_pydatetime()


def test_cards_pick_the_demos_largest_customer_and_first_complaint(filled, demo):
    largest = demo.ledger.groupby("customer_id")["amount"].sum().idxmax()
    assert filled[SHEETS["org_card"].zh]["B3"].value == largest
    assert filled[SHEETS["person_card"].zh]["B3"].value == largest
    assert filled[SHEETS["complaint_card"].zh]["B3"].value == demo.complaints["complaint_no"].iloc[0]


def test_cards_pick_the_first_rows_without_a_pick():
    customers = pd.DataFrame({"customer_id": ["C2", "C1"]})
    wb = reopen(build("zh", InputData(customers=customers)))
    assert wb[SHEETS["org_card"].zh]["B3"].value == "C2"


def test_lists_from_data():
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "salesperson": ["甲", "乙"], "industry": ["医药", "光伏"]})
    wb = reopen(build("zh", InputData(customers=customers, lists={"handlers": ["客服 A"]})))
    lists = wb[LISTS_SHEET.zh]
    col = {
        k: [c.value for c in lists[openpyxl.utils.get_column_letter(i)][1:] if c.value is not None]
        for i, k in enumerate(LISTS_SHEET.keys(), start=1)
    }
    assert col["salespeople"] == ["甲", "乙"]
    assert col["industries"] == [*demo_data.INDUSTRIES, "光伏"]
    assert col["handlers"] == ["客服 A"]
    with pytest.raises(ValueError):
        build("zh", InputData(lists={"colours": ["red"]}))
    # extra columns are ignored; missing columns stay blank; computed columns get their formulas
    ws = wb[CUSTOMERS.zh]
    assert ws.tables["Customers"].ref.endswith("3") and ws["C2"].value is None
    assert ws["K2"].value.startswith("=COUNTIFS(")


def test_profiles_demo_data(demo):
    p = demo.profiles
    assert list(p.columns) == PROFILES.keys()
    assert list(p["customer_id"]) == list(demo.customers["customer_id"])
    assert set(p["gender"]) <= {"男", "女"} and set(p["decision_maker_gender"]) <= {"男", "女"}
    assert set(p["nature"]) <= set(demo_data.NATURES) and set(p["education"]) <= set(demo_data.EDUCATIONS)
    assert p.notna().all().all()
    again = demo_data.generate(n_customers=40, months=12)
    pd.testing.assert_frame_equal(again.profiles, p)


@pytest.mark.parametrize(
    "method,zh,en",
    [
        (
            "scorecard",
            ["VIP客户", "骨干客户", "有效客户", "休眠客户", "潜在客户"],
            ["VIP", "core", "active", "dormant", "potential"],
        ),
        ("credit", ["优", "良", "中", "差"], ["excellent", "good", "fair", "poor"]),
        ("pareto", ["A", "B", "C"], ["A", "B", "C"]),
    ],
)
def test_manual_grade_offers_only_the_methods_grades(method, zh, en):
    """Issue 11 item 5: the 人工等级 drop-down lists the grades of the workbook's method, in its language."""
    rules = RuleBook().updated({"general.method": method})
    for lang, expected in (("zh", zh), ("en", en)):
        wb = reopen(build(lang, rules=rules))
        lists = wb[LISTS_SHEET.name(lang)]
        letter = openpyxl.utils.get_column_letter(LISTS_SHEET.keys().index("grades") + 1)
        assert [c.value for c in lists[letter][1:] if c.value is not None] == expected
        ws = wb[CUSTOMERS.name(lang)]
        manual = openpyxl.utils.get_column_letter(CUSTOMERS.keys().index("manual_grade") + 1)
        dv = [d for d in ws.data_validations.dataValidation if f"{manual}2" in str(d.sqref)]
        assert [d.formula1 for d in dv] == ["list_grades"]
