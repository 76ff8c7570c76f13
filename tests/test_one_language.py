"""One language per workbook (issue 11 item 4): what a person sees is in the workbook's language.

The demo workbooks are built as ``xlgrade demo --lang en|zh`` builds them (the template with
the demo data, then the monthly job) and every visible text is scanned: each cell of every
visible sheet (hidden rows and columns excepted; formula cells by the value the job cached),
sheet names, table headers, chart texts, data-validation titles and messages, headers and
footers, comments and the document properties. The scan is generic: a sheet, table or chart
added later is scanned too.

The en rule: no CJK character (CJK ideographs, CJK punctuation, full-width forms) in any
of these, with exactly these exceptions:

1. **Data**: a text staff typed into a free-text input column (an input sheet's column that is
   typed, not computed, and has no drop-down list) -- a customer's Chinese company name,
   contact, address, product, complaint subject, override reason -- and any text that quotes
   such a value (the company column of a derived sheet, a chart's category names, an
   explanation quoting the override reason): the quoted values are removed before the scan.
   Values from drop-down lists (industry, region, salesperson ...) are UI and must be English.
2. **The complaint tier rules** ``complaints.tier1_grades`` / ``tier2_grades``: their values
   are the grades the engine matches, which are its Chinese labels (VIP客户, 优) whatever the
   language; they are listed by key in :data:`EN_ALLOWED_RULES`.

The zh rule (the rules sheet at least): no visible cell shows a rule key
(``threshold.a_orders_over``) or a choice's key (``threshold``, ``value_share``); no English word
other than the acronyms the business uses (:data:`ZH_LATIN_OK`); sheet names and every
table header are Chinese; History and the run log name the method in Chinese.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest

from xlgrade.engine.rulelabels import CHOICES
from xlgrade.engine.rules import RuleBook
from xlgrade.schema import model
from xlgrade.schema.sheets import FORM_NO, HISTORY, RULES_SHEET, RUN_LOG, SHEETS

CJK = re.compile(r"[\u2e80-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
EN_ALLOWED_RULES = ("complaints.tier1_grades", "complaints.tier2_grades")
# the acronyms the business writes in Chinese text; Email is seed 004's own field name (附表四)
ZH_LATIN_OK = {"A", "B", "C", "D", "N", "R", "F", "M", "ABC", "VIP", "RFM", "MVC", "MGC", "BZC", "Email"} | {
    a + b + c for a in "HL" for b in "HL" for c in "HL"
}
TEXT_PARTS = re.compile(r"xl/(charts/chart|tables/table|comments|drawings/drawing)\d*\.xml$|docProps/(core|app)\.xml$")


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory):
    from xlgrade.cli import main

    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"demo-{lang}")
        assert main(["demo", str(folder), "--lang", lang]) == 0
        out[lang] = next(folder.glob("*.xlsx"))
    return out


@pytest.fixture(scope="module")
def loaded(demo_books):
    """Each demo workbook opened once, formula cells by the values the job cached."""
    return {lang: openpyxl.load_workbook(path, data_only=True) for lang, path in demo_books.items()}


def _visible_cells(ws):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or ws.row_dimensions[cell.row].hidden:
                continue
            if ws.column_dimensions[cell.column_letter].hidden:
                continue
            yield cell


def _typed_free_text(wb, lang: str) -> set[str]:
    """Rule 1: every text staff typed into a free-text input column."""
    texts: set[str] = set()
    for sheet in SHEETS.values():
        if sheet.kind != model.INPUT or sheet.name(lang) not in wb.sheetnames:
            continue
        ws = wb[sheet.name(lang)]
        table = next(iter(ws.tables.values()), None)
        top = openpyxl.utils.cell.range_boundaries(table.ref)[1] if table is not None else 1
        labels = {f.header(lang) for f in sheet.fields}  # a form's head: the cell right of a label is typed
        for row in ws.iter_rows(max_row=top - 1):
            after_label = False
            for cell in row:
                if cell.value in labels:
                    after_label = True
                elif after_label and isinstance(cell.value, str) and cell.value.strip():
                    texts.add(cell.value.strip())  # the first text after a label is its typed value
                    after_label = False
        for idx, head in enumerate(next(ws.iter_rows(min_row=top, max_row=top, values_only=True)), start=1):
            col = sheet.match_header(head) if head else None
            if col is None or col.computed or col.choices:
                continue
            for (value,) in ws.iter_rows(min_row=top + 1, min_col=idx, max_col=idx, values_only=True):
                if isinstance(value, str) and value.strip():
                    texts.add(value.strip())
    return texts


class Leaks:
    def __init__(self, data: set[str]):
        self.data = data
        self.quoted = sorted((t for t in data if CJK.search(t)), key=len, reverse=True)
        self.found: list[tuple[str, str]] = []

    def check(self, where: str, text: str) -> None:
        if not CJK.search(text) or text.strip() in self.data:
            return
        rest = text
        for value in self.quoted:
            if value in rest:
                rest = rest.replace(value, "")
        if CJK.search(rest):
            self.found.append((where, text[:120]))


def _rules_rows_allowed(ws) -> set[int]:
    key_col = len(RULES_SHEET.columns)
    return {c.row for c in ws[openpyxl.utils.get_column_letter(key_col)] if c.value in EN_ALLOWED_RULES}


def _scan_parts(path: Path, leaks: Leaks) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name == "xl/workbook.xml":
                root = ElementTree.fromstring(z.read(name))
                for el in root.iter():
                    if el.tag.endswith("}sheet") and el.get("state") not in ("hidden", "veryHidden"):
                        leaks.check(f"{name} sheet name", el.get("name", ""))
            elif TEXT_PARTS.search(name):
                root = ElementTree.fromstring(z.read(name))
                for el in root.iter():
                    for text in (el.text, *el.attrib.values()):
                        if text:
                            leaks.check(f"{name} <{el.tag.split('}')[-1]}>", text)


def _scan_cells(wb, leaks: Leaks, skipped: Callable[[str, Any], bool]) -> None:
    """Every visible sheet's name, text cells (but those ``skipped(sheet title, cell)``),
    validation messages, headers/footers and table headers."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        leaks.check(f"{ws.title} name", ws.title)
        for cell in _visible_cells(ws):
            if isinstance(cell.value, str) and not skipped(ws.title, cell):
                leaks.check(f"{ws.title}!{cell.coordinate}", cell.value)
        for dv in ws.data_validations.dataValidation:
            for text in (dv.error, dv.errorTitle, dv.prompt, dv.promptTitle):
                if text:
                    leaks.check(f"{ws.title} validation {dv.sqref}", text)
        for hf in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter, ws.firstHeader, ws.firstFooter):
            for part in (hf.left, hf.center, hf.right):
                if part.text:
                    # &P, &N, &D: the page-field codes, not words
                    leaks.check(f"{ws.title} header/footer", re.sub(r"&[A-Z]|&\"[^\"]*\"|&\d+", " ", part.text))
        for table in ws.tables.values():
            for col in table.tableColumns:
                leaks.check(f"{ws.title} table {table.name}", col.name)


def _rows(allowed: dict[str, set[int]]) -> Callable[[str, Any], bool]:
    """Skip the rows ``allowed`` names per sheet."""
    return lambda title, cell: cell.row in allowed.get(title, set())


def test_english_demo_workbook_shows_no_chinese_ui(demo_books, loaded):
    path, wb = demo_books["en"], loaded["en"]
    leaks = Leaks(_typed_free_text(wb, "en"))
    assert leaks.quoted, "the en demo keeps the customers' own Chinese names: rule 1 is exercised"
    _scan_cells(wb, leaks, _rows({RULES_SHEET.en: _rules_rows_allowed(wb[RULES_SHEET.en])}))
    _scan_parts(path, leaks)
    assert not leaks.found, "\n".join(f"{w}: {t}" for w, t in leaks.found[:40])


def test_the_scan_finds_a_chinese_ui_word(loaded):
    """The scan can fail: a Chinese word put where UI text goes is found, data is not."""
    wb = loaded["en"]
    leaks = Leaks(_typed_free_text(wb, "en"))
    company = next(t for t in leaks.quoted if t.endswith("公司"))
    leaks.check("quoted", f"{company} (important value)")
    assert not leaks.found
    leaks.check("ui", f"{company}: 优")
    leaks.check("list", "华东")
    assert [w for w, _ in leaks.found] == ["ui", "list"]


def test_chinese_rules_sheet_shows_no_english_key(loaded):
    wb = loaded["zh"]
    ws = wb[RULES_SHEET.zh]
    keys = {spec.key for spec in RuleBook.specs()}
    choice_keys = {value for values in CHOICES.values() for value in values}
    shown = [c for c in _visible_cells(ws) if isinstance(c.value, str)]
    assert len(shown) > 4 * 50
    for cell in shown:
        assert not any(k in cell.value for k in keys), (cell.coordinate, cell.value)
        assert cell.value not in choice_keys, (cell.coordinate, cell.value)
        latin = set(re.findall(r"[A-Za-z][A-Za-z_.]*", cell.value)) - ZH_LATIN_OK
        assert not latin, (cell.coordinate, cell.value, latin)
    numbers = {c.number_format for c in _visible_cells(ws) if isinstance(c.value, (int, float))}
    assert "General" not in numbers and {"0%", "#,##0"} <= numbers  # 80%, 100,000


def test_chinese_workbook_names_sheets_headers_and_method_in_chinese(loaded):
    wb = loaded["zh"]
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert CJK.search(ws.title), ws.title
        for table in ws.tables.values():
            for col in table.tableColumns:
                latin = set(re.findall(r"[A-Za-z][A-Za-z_.]*", col.name)) - ZH_LATIN_OK
                assert not latin, (ws.title, col.name, latin)
    for sheet in (HISTORY, RUN_LOG):
        ws = wb[sheet.zh]
        idx = sheet.keys().index("method") + 1
        methods = {v for (v,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx, values_only=True) if v}
        assert methods == {"阈值 ABC"}, (sheet.zh, methods)
    ws = loaded["en"][HISTORY.en]
    idx = HISTORY.keys().index("method") + 1
    assert {v for (v,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx, values_only=True) if v} == {"threshold ABC"}


@pytest.mark.parametrize("method", ["scorecard", "credit", "rfm"])
def test_english_workbook_of_every_method_shows_its_grades_in_english(tmp_path, method):
    """Methods whose engine labels are Chinese (VIP客户, 优, 重要价值客户) show their English
    labels everywhere in an en workbook: summary, History, derived sheets, complaints."""
    from xlgrade import demo_data
    from xlgrade.engine import METHODS
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    rules = RuleBook().updated({"general.method": method})
    path = tmp_path / "en.xlsx"
    save(build("en", InputData.from_demo(demo_data.generate(n_customers=60, lang="en")), rules), path)
    for month in ("2026-09", "2026-10"):
        run_month(FileBook(path), month)
    wb = openpyxl.load_workbook(path, data_only=True)
    leaks = Leaks(_typed_free_text(wb, "en"))
    _scan_cells(wb, leaks, _rows({RULES_SHEET.en: _rules_rows_allowed(wb[RULES_SHEET.en])}))
    _scan_parts(path, leaks)
    assert not leaks.found, "\n".join(f"{w}: {t}" for w, t in leaks.found[:40])
    ws = wb[HISTORY.en]
    idx = HISTORY.keys().index("grade") + 1
    grades = {v for (v,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx, values_only=True) if v}
    english = set(METHODS[method].grade_labels(rules, "en")) | {rules.credit.no_record_label_en}
    assert grades and grades <= english, grades


# ---- the zh rule on every visible text (not only the rules sheet)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# what is legitimately not Chinese in a zh workbook, besides ZH_LATIN_OK and the data:
# record numbers (KH0001, XS2024110008, HT-00040, TS0001), two-criteria matrix cells (AB),
# the form number (MF/Q 102/A) and RFM's high/low codes (already in ZH_LATIN_OK)
ZH_ID = re.compile(r"^(?:[A-Z]{1,3}\d+|[ABCD]{2})$")
ZH_FORM_NO = set(LATIN.findall(FORM_NO))
# cells the machine fills with the environment's own names, verbatim: who ran it, on which
# computer, to which file
ZH_VERBATIM = {(RUN_LOG.zh, key) for key in ("user", "host", "backup", "output")}


class LatinLeaks:
    """The zh scan: every Latin word that is not an allowed acronym, id, form number or a word
    of the data (a word that occurs in a text staff typed, e.g. a product "移动电源 P10", an
    e-mail address) is a leak."""

    def __init__(self, data: set[str]):
        self.data_words = {w for text in data for w in LATIN.findall(text)}
        self.found: list[tuple[str, str]] = []

    def check(self, where: str, text: str) -> None:
        bad = [
            w
            for w in LATIN.findall(text)
            if w not in ZH_LATIN_OK and w not in ZH_FORM_NO and w not in self.data_words and not ZH_ID.match(w)
        ]
        if bad:
            self.found.append((where, f"{bad}: {text[:120]}"))


def _verbatim_columns(wb) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sheet_name, key in ZH_VERBATIM:
        if sheet_name in wb.sheetnames:
            ws = wb[sheet_name]
            heads = [c.value for c in ws[1]]
            header = next(s for s in SHEETS.values() if s.zh == sheet_name).column(key).header("zh")
            if header in heads:
                out.setdefault(sheet_name, set()).add(openpyxl.utils.get_column_letter(heads.index(header) + 1))
    return out


def _scan_zh(path: Path, wb) -> list[tuple[str, str]]:
    leaks = LatinLeaks(_typed_free_text(wb, "zh") | {path.name})  # 校验 names the file: "[book.xlsx]客户资料"
    verbatim = _verbatim_columns(wb)
    _scan_cells(wb, leaks, lambda title, cell: cell.column_letter in verbatim.get(title, set()))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.search(r"xl/(charts/chart|comments)\d*\.xml$", name):
                for el in ElementTree.fromstring(z.read(name)).iter():
                    if el.tag.split("}")[-1] in ("t", "v") and el.text:  # a:t runs, c:v cached texts
                        leaks.check(f"{name}", el.text)
    props = wb.properties
    for text in (props.title, props.subject, props.description, props.keywords, props.category):
        if text:
            leaks.check("document properties", text.replace("xlgrade", ""))  # the product's name
    return leaks.found


def test_chinese_demo_workbook_shows_no_english_word(demo_books, loaded):
    """Every visible text of the zh demo (after the monthly job) is Chinese but the allowed
    acronyms, ids, the form number and the data's own words."""
    found = _scan_zh(demo_books["zh"], loaded["zh"])
    assert not found, "\n".join(f"{w}: {t}" for w, t in found[:40])


def test_chinese_template_shows_no_english_word():
    path = Path(__file__).resolve().parents[1] / "workbook_templates" / "xlgrade-zh.xlsx"
    found = _scan_zh(path, openpyxl.load_workbook(path, data_only=True))
    assert not found, "\n".join(f"{w}: {t}" for w, t in found[:40])


def test_the_zh_scan_finds_an_english_word(loaded):
    wb = loaded["zh"]
    leaks = LatinLeaks(_typed_free_text(wb, "zh"))
    product = next(w for w in leaks.data_words if re.match(r"[A-Z]\d+$", w) is None and len(w) > 3)
    leaks.check("data", f"{product} 与 KH0001、MF/Q 102/A、VIP客户、AB")
    assert not leaks.found
    leaks.check("ui", "见「规则」表 store 各项")
    leaks.check("method", "方法:threshold")
    assert [w for w, _ in leaks.found] == ["ui", "method"]


@pytest.mark.parametrize("method", ["scorecard", "credit", "rfm", "pareto", "composite"])
def test_chinese_workbook_of_every_method_shows_no_english_word(tmp_path, method):
    from xlgrade import demo_data
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    rules = RuleBook().updated({"general.method": method})
    path = tmp_path / "zh.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=60, lang="zh")), rules), path)
    for month in ("2026-09", "2026-10"):
        run_month(FileBook(path), month)
    found = _scan_zh(path, openpyxl.load_workbook(path, data_only=True))
    assert not found, "\n".join(f"{w}: {t}" for w, t in found[:40])
