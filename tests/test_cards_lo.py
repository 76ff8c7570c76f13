"""The record cards in LibreOffice (issue 11): seed 004's trading fields, the unknown-id
message, labels that are not cut off and the sign-off printed once.

- Calc's own recalculation of the new fields (日销金额, 营业状况, 交易日期, 收款日期, 订购商品,
  职业, 年均收入, 信用状况) gives what the job cached;
- an id that is not in the customer summary says so on the card (the message names the sheet),
  a known id leaves the message blank;
- the printed card (PDF, read back as text with Ghostscript's txtwrite) has every word of every
  label and the 记录 / 审核 / 日期 sign-off exactly once.
"""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from xlgrade import demo_data
from xlgrade.job.cardfacts import ACTIVITY_COLUMNS
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import ANALYSIS, CREDIT, ORG_CARD, PERSON_CARD, PROFILES, SHEETS
from xlgrade.workbook import cards
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save

pytestmark = pytest.mark.libreoffice
PICK = cards.PICK.replace("$", "")
MESSAGE = f"A{cards.MESSAGE_ROW}"


@pytest.fixture(scope="module", params=["zh", "en"])
def workbook(request, tmp_path_factory):
    lang = request.param
    path = tmp_path_factory.mktemp(f"cards-{lang}") / "demo.xlsx"
    save(build(lang, InputData.from_demo(demo_data.generate(n_customers=40))), path)
    run_month(FileBook(path), "2026-10")
    return lang, path


def _new_field_cells(path, lang: str) -> dict[tuple[str, str], str]:
    """(sheet, column header) -> the card cell whose formula reads that new column."""
    wb = openpyxl.load_workbook(path)
    wanted = {
        ORG_CARD: [f"Analysis[[{ANALYSIS.column(k).header(lang)}]]" for k in ACTIVITY_COLUMNS],
        PERSON_CARD: [f"Profiles[[{PROFILES.column(k).header(lang)}]]" for k in ("occupation", "annual_income")]
        + [f"Analysis[[{ANALYSIS.column(k).header(lang)}]]" for k in ("last_order_date", "products")]
        + [f"Credit[[{CREDIT.column('credit_grade').header(lang)}]]"],  # 信用状况
    }
    out = {}
    for sheet, needles in wanted.items():
        ws = wb[sheet.name(lang)]
        for needle in needles:
            (cell,) = [
                c.coordinate for row in ws.iter_rows() for c in row if isinstance(c.value, str) and needle in c.value
            ]
            out[(sheet.name(lang), needle)] = cell
    return out


def test_calc_recalculates_the_new_fields_to_what_the_job_cached(lo, workbook):
    lang, path = workbook
    cells = _new_field_cells(path, lang)
    cached = openpyxl.load_workbook(path, data_only=True)
    with lo.open(path) as doc:  # recalculated by Calc
        for (sheet, needle), cell in cells.items():
            job = cached[sheet][cell].value
            assert job not in (None, ""), (sheet, needle)  # the demo's card has every new field filled
            calc = doc.value(sheet, cell)
            if isinstance(job, (int, float)):
                assert calc == pytest.approx(job), needle
            elif hasattr(job, "date"):  # Calc gives a date as its serial number
                assert calc == pytest.approx((job - type(job)(1899, 12, 30)).days), needle
            else:
                assert calc == job, needle


@pytest.mark.parametrize("card", [ORG_CARD, PERSON_CARD, SHEETS["complaint_card"]])
def test_an_unknown_id_says_so_on_the_card(lo, workbook, card):
    lang, path = workbook
    declared = cards.CARDS[card.key]
    sheet = card.name(lang)
    with lo.open(path) as doc:
        assert doc.value(sheet, MESSAGE) == ""
        doc.set(sheet, PICK, "NO-SUCH-ID")
        message = doc.value(sheet, MESSAGE)
        assert message == cards.shown_message(declared, "NO-SUCH-ID", {declared.id_table: _empty(declared)}, lang)
        assert "NO-SUCH-ID" in message and declared.ids.name(lang) in message


def _empty(card) -> pd.DataFrame:
    return pd.DataFrame({cards.KEYS[card.id_table]: []})


def _pdf_text(pdf) -> str:
    gs = shutil.which("gs")
    if gs is None:
        pytest.skip("Ghostscript (gs) reads the PDF's text; it is not installed")
    return subprocess.run(
        [gs, "-q", "-sDEVICE=txtwrite", "-o", "-", str(pdf)], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("card", [ORG_CARD, PERSON_CARD, SHEETS["complaint_card"]])
def test_printed_cards_show_whole_labels_and_the_sign_off_once(lo, workbook, tmp_path, card):
    lang, path = workbook
    pdf = tmp_path / f"{card.key}.pdf"
    with lo.open(path, recalculate=False) as doc:
        doc.export_pdf(pdf, sheet=card.name(lang))
    text = _pdf_text(pdf)
    words = " ".join(text.split())
    declared = cards.CARDS[card.key]
    _, placed, _ = cards.layout(declared)
    for p in placed:
        for word in p.field.label(lang).split():
            assert word in words, (p.field.key, word)
    for _, zh, en in cards.FOOTER:
        label = zh if lang == "zh" else en
        assert words.count(label) == 1, label
