"""What a person sees on paper (issue 11 item 7): the zh and en demo workbooks, after a monthly run,
rendered to PDF by LibreOffice and read back as text.

- page counts per sheet: each card one page; the summary the pages its layout planned; the
  comparison whole column blocks times the same row pages; every other table one page wide;
- no chart crosses a page break (LibreOffice's own pagination against each chart's rows);
- no cell renders as ``###``, and long text (rule descriptions, backup paths) prints whole;
- printing the whole workbook leaves out the drop-down lists;
- in the zh workbook the rules sheet shows no English rule key.

Each language renders once per session (module-scoped fixtures): one PDF per sheet.
"""

from __future__ import annotations

import math
import re
import zipfile

import pytest

from xlgrade import demo_data
from xlgrade.engine import rulelabels
from xlgrade.engine.rules import RuleBook
from xlgrade.job import forms
from xlgrade.job.monthly import run_month
from xlgrade.lo import pdf_page_sizes, pdf_pages
from xlgrade.schema import model
from xlgrade.schema.sheets import COMPARISON, RULES_SHEET, RUN_LOG, SHEETS, SUMMARY_SHEET
from xlgrade.workbook import reference, workbookxml
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.package import Package
from xlgrade.workbook.template import InputData, build, form_header, save

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.libreoffice
A4_LANDSCAPE = {(842, 595)}


class Rendered:
    """One language's demo workbook, each visible sheet as a PDF and its text."""

    def __init__(self, lang, path, pdfs, whole):
        self.lang, self.path, self.pdfs, self.whole = lang, path, pdfs, whole
        self.texts = {name: [p.extract_text() or "" for p in pypdf.PdfReader(pdf).pages] for name, pdf in pdfs.items()}

    def pages(self, sheet) -> int:
        return pdf_pages(self.pdfs[sheet.name(self.lang)])

    def text(self, sheet) -> str:
        return "\n".join(self.texts[sheet.name(self.lang)])


@pytest.fixture(scope="module")
def demo():
    return demo_data.generate(n_customers=120)


@pytest.fixture(scope="module", params=["zh", "en"])
def rendered(request, lo, tmp_path_factory, demo):
    lang = request.param
    out = tmp_path_factory.mktemp(f"print-{lang}")
    path = out / "demo.xlsx"
    save(build(lang, InputData.from_demo(demo)), path)
    run_month(FileBook(path), "2026-10")
    pdfs, breaks = {}, {}
    hidden = _hidden_sheets(path)
    with lo.open(path, recalculate=False) as doc:
        for name in doc.sheet_names():
            if name in hidden:
                continue
            pdfs[name] = doc.export_pdf(out / f"{len(pdfs):02d}.pdf", sheet=name)
            breaks[name] = doc.page_breaks(name)
        whole = doc.export_pdf(out / "whole.pdf")
    r = Rendered(lang, path, pdfs, whole)
    r.breaks = breaks
    return r


def _hidden_sheets(path) -> set[str]:
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    return {
        re.search(r'name="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
        for tag in re.findall(r"<sheet [^>]*>", xml)
        if re.search(r'state="(hidden|veryHidden)"', tag)
    }


def _rows(path, sheet_name: str) -> int:
    """Data rows of a table sheet (its print area's last row, less the header)."""
    area = workbookxml.print_area(Package(path), sheet_name)
    return int(re.findall(r"\$?(\d+)$", area)[0]) - 1


def _breaks_in_xml(path, sheet_name: str, tag: str) -> list[int]:
    pkg = Package(path)
    xml = pkg.text(workbookxml.sheet_part(pkg, sheet_name))
    holder = re.search(rf"<{tag}\b.*?</{tag}>", xml, re.S)
    return [int(i) for i in re.findall(r'<brk id="(\d+)"', holder.group(0))] if holder else []


def test_the_drop_down_lists_do_not_print_with_the_workbook(rendered):
    lists = SHEETS["lists"].name(rendered.lang)
    assert lists in _hidden_sheets(rendered.path) and lists not in rendered.pdfs
    # the whole workbook prints exactly the visible sheets' pages
    assert pdf_pages(rendered.whole) == sum(pdf_pages(p) for p in rendered.pdfs.values())


def test_each_card_prints_on_one_page(rendered):
    for sheet in SHEETS.values():
        if sheet.kind == model.CARD:
            assert rendered.pages(sheet) == 1, sheet.key


def test_the_summary_prints_the_pages_its_layout_planned(rendered):
    name = SUMMARY_SHEET.name(rendered.lang)
    planned = _breaks_in_xml(rendered.path, name, "rowBreaks")
    assert planned, "the demo's summary is longer than one page"
    assert rendered.pages(SUMMARY_SHEET) == len(planned) + 1
    assert {(round(w), round(h)) for w, h in pdf_page_sizes(rendered.pdfs[name])} == A4_LANDSCAPE
    # LibreOffice breaks where the layout did (brk id = the last row before a page); it also
    # names the row after the print area, where nothing prints
    last = _rows(rendered.path, name) + 1
    assert [b for b in rendered.breaks[name][0] if b <= last] == [b + 1 for b in planned]


def test_no_chart_crosses_a_page_break(rendered):
    name = SUMMARY_SHEET.name(rendered.lang)
    breaks, charts = rendered.breaks[name]
    assert len(charts) >= 3  # grades, migration, pareto
    for first, last in charts:
        assert not [b for b in breaks if first < b <= last], (first, last, breaks)


def test_the_pareto_chart_draws_the_a_share(rendered):
    pkg = Package(rendered.path)
    charts = [pkg.text(c) for c in pkg.charts(SUMMARY_SHEET.name(rendered.lang))]
    pareto = next(c for c in charts if "<c:lineChart>" in c)
    assert pareto.count("<c:ser>") == 3 and 'prstDash val="dash"' in pareto
    a = RuleBook().pareto.a_share
    assert f"<c:v>{a}</c:v>" in pareto


def test_the_comparison_prints_in_whole_column_blocks(rendered):
    name = COMPARISON.name(rendered.lang)
    blocks = len(_breaks_in_xml(rendered.path, name, "colBreaks")) + 1
    assert 1 < blocks < len(COMPARISON.columns) // COMPARISON.print_group  # more than one month a page
    pages = rendered.pages(COMPARISON)
    assert pages % blocks == 0
    row_pages = pages // blocks
    assert row_pages <= math.ceil(_rows(rendered.path, name) / 30)  # readable, yet not one row page per 10 rows
    # every block repeats the customer columns: each page names customers
    head = _squeeze(COMPARISON.column("customer_id").header(rendered.lang))
    assert all(head in _squeeze(t) for t in rendered.texts[name])


def test_every_other_table_prints_one_page_wide(rendered):
    for sheet in SHEETS.values():
        name = sheet.name(rendered.lang)
        if not sheet.table or sheet.print_group or name not in rendered.pdfs:
            continue
        rows = _rows(rendered.path, name)
        pages = rendered.pages(sheet)
        assert 1 <= pages <= math.ceil((rows + 1) / 20), (sheet.key, rows, pages)
        assert {(round(w), round(h)) for w, h in pdf_page_sizes(rendered.pdfs[name])} == A4_LANDSCAPE, sheet.key


def test_no_cell_prints_as_hashes(rendered):
    bad = [name for name, pages in rendered.texts.items() if any("###" in t for t in pages)]
    assert bad == []


def test_years_and_row_numbers_print_without_separators(rendered):
    text = rendered.text(COMPARISON)
    assert "2026" in text and "2,026" not in text


def test_seed_forms_print_their_form_number_and_sign_off_once(rendered):
    signed = _squeeze(forms.sign_off(rendered.lang))  # 记录: ____ 审核: ____ 日期: ____
    for sheet in SHEETS.values():
        name = sheet.name(rendered.lang)
        if not sheet.table or name not in rendered.pdfs:
            continue
        # a form whose notes end with the sign-off (the classification form) prints it once, under its table
        under_table = bool(reference.content(sheet, RuleBook(), rendered.lang)[1])
        if under_table:
            assert sum(_squeeze(p).count(signed) for p in rendered.texts[name]) == 1, sheet.key
        for page in rendered.texts[name]:
            if sheet.form:
                assert form_header(sheet, rendered.lang) in page, sheet.key
                assert under_table or _squeeze(page).count(signed) == 1, sheet.key
            else:
                assert "MF/Q 102/A" not in page and signed not in _squeeze(page), sheet.key


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_long_text_prints_whole(rendered):
    # the rule descriptions wrap in their column; the run log's backup path too
    printed = _squeeze(rendered.text(RULES_SHEET))
    table = RuleBook().to_table(rendered.lang)
    shown = [
        rulelabels.rule_lang(k) in (None, rendered.lang) for k in table["key"]
    ]  # the other language's rows are hidden
    cut = [d for d, s in zip(table["description"], shown) if s and _squeeze(str(d)) not in printed]
    assert cut == []
    # a long value (a strategy text, abc.strategy_a) wraps in its column too
    long_values = [v for v, s in zip(table["value"], shown) if s and isinstance(v, str) and len(v) > 40]
    assert long_values and [v for v in long_values if _squeeze(v) not in printed] == []
    backup = FileBook(rendered.path).read_table(RUN_LOG).frame["backup"].dropna().tolist()
    assert backup and all(_squeeze(str(b)) in _squeeze(rendered.text(RUN_LOG)) for b in backup)


def test_the_zh_rules_sheet_shows_no_english_key(rendered):
    if rendered.lang != "zh":
        pytest.skip("the zh workbook only")
    printed = rendered.text(RULES_SHEET)
    keys = [spec.key for spec in RuleBook.specs() if spec.key in printed]
    assert keys == []
