"""The seed forms written from the rules, printed by LibreOffice as a clerk prints them.

客户分类等级划分表 (MF/Q 102/A) prints on whole landscape A4 pages, one page wide, with its
header row on every page, every customer once, the grade definitions and the sign-off
line once at the end; the two reference sheets print on one page each, their long texts
whole. The PDF's text is read with pypdf (skipped where it is not installed).
"""

from __future__ import annotations

import pytest

from xlgrade import demo_data
from xlgrade.engine.rules import RuleBook
from xlgrade.job import forms
from xlgrade.job.monthly import run_month
from xlgrade.lo import pdf_page_sizes
from xlgrade.schema.sheets import CLASSIFICATION, GRADE_STRATEGY, LOYALTY_TYPES, SIGN_OFF
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save

pytestmark = pytest.mark.libreoffice
A4_LANDSCAPE = (842, 595)


@pytest.fixture(scope="module")
def demo():
    return demo_data.generate(n_customers=120)


@pytest.fixture(scope="module", params=["zh", "en"])
def printed(request, lo, tmp_path_factory, demo):
    """{sheet key: (page sizes, page texts)} of the forms of a recalculated demo workbook."""
    pypdf = pytest.importorskip("pypdf")
    lang = request.param
    folder = tmp_path_factory.mktemp(f"forms-{lang}")
    path = folder / "demo.xlsx"
    save(build(lang, InputData.from_demo(demo)), path)
    run_month(FileBook(path), "2026-10")
    out = {}
    with lo.open(path, recalculate=False) as doc:
        for sheet in (CLASSIFICATION, LOYALTY_TYPES, GRADE_STRATEGY):
            pdf = folder / f"{sheet.key}.pdf"
            doc.export_pdf(pdf, sheet=sheet.name(lang))
            sizes = [(round(w), round(h)) for w, h in pdf_page_sizes(pdf)]
            texts = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
            out[sheet.key] = (sizes, texts)
    return lang, out


def _flat(text: str) -> str:
    return "".join(text.split())  # wrapped lines and spaces aside


def test_the_classification_prints_on_whole_pages_with_the_sign_off_once(printed, demo):
    lang, out = printed
    sizes, texts = out[CLASSIFICATION.key]
    assert len(sizes) >= 2 and set(sizes) == {A4_LANDSCAPE}  # 120 customers: several landscape pages
    for text in texts:  # one page wide, the header row repeated: every column's header on every page
        words = [w for h in CLASSIFICATION.headers(lang) for w in h.split()]  # a long header wraps in its cell
        assert all(w in text for w in words), text[:200]
        assert CLASSIFICATION.form in text  # the form number on every page
        assert "###" not in text
    whole = "\n".join(texts)
    label = SIGN_OFF[0][1] if lang == "zh" else SIGN_OFF[0][2]
    assert whole.count(label) == 1 and label in texts[-1]
    for cid in demo.customers["customer_id"]:
        assert whole.count(cid) == 1, cid
    for line in forms.definitions(RuleBook(), lang):
        assert _flat(line) in _flat(texts[-1])


@pytest.mark.parametrize(
    "sheet,build_table",
    [(LOYALTY_TYPES, forms.loyalty_types_table), (GRADE_STRATEGY, forms.grade_strategy_table)],
)
def test_the_reference_sheets_print_whole_on_one_page(printed, sheet, build_table):
    lang, out = printed
    sizes, texts = out[sheet.key]
    assert sizes == [A4_LANDSCAPE]
    shown = _flat(texts[0])
    table = build_table(RuleBook(), lang)
    for key in ("description", "strategy", "criteria", "service", "staffing"):
        if key in table.columns:
            for value in table[key]:
                assert _flat(value) in shown, value
