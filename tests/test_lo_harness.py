"""The LibreOffice harness (xlgrade.lo): real soffice, small workbooks built with openpyxl.

One soffice for the session (fixture ``lo`` in conftest.py); each test opens its own documents.
The PDF reader and the skip/fail logic are tested without LibreOffice.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import shutil
import subprocess
import time
import zlib
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

import xlgrade.lo as xlo
from xlgrade.lo import (
    CellError,
    CommandError,
    LibreOffice,
    LibreOfficeError,
    LibreOfficeTimeout,
    LibreOfficeUnavailable,
    available,
    pdf_page_sizes,
    pdf_pages,
)

A4 = (595.3, 841.9)


def is_a4(size, landscape=False):
    w, h = size
    if landscape:
        w, h = h, w
    return abs(w - A4[0]) < 2 and abs(h - A4[1]) < 2


def save(wb, path):
    wb.save(path)
    return path


def a4(ws, landscape=False):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if landscape:
        ws.page_setup.orientation = "landscape"


# ---- without LibreOffice ------------------------------------------------------------------


def _pdf(objects: dict[int, bytes], extra: bytes = b"") -> bytes:
    out = b"%PDF-1.5\n"
    for num, body in objects.items():
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    return out + extra + b"trailer\n<</Root 1 0 R>>\n%%EOF\n"


def test_pdf_reader_plain_pages_inherited_box_rotation_and_order(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(
        _pdf(
            {
                1: b"<</Type/Catalog/Pages 2 0 R>>",
                2: b"<</Type/Pages/Kids[4 0 R 3 0 R 5 0 R]/Count 3/MediaBox[0 0 595.28 841.89]>>",
                3: b"<</Type /Page /Parent 2 0 R /Resources<</Font<</F1 9 0 R>>>>>>",  # inherits A4
                4: b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Rotate 90>>",  # letter, turned
                5: b"<</Type/Page/Parent 2 0 R/MediaBox [ 10 10 420.5 605.5 ]/Contents 6 0 R>>",
                6: b"<</Length 12>>stream\n/Type /Page \nendstream",  # not a page
            }
        )
    )
    assert pdf_pages(path) == 3
    assert pdf_page_sizes(path) == [(792.0, 612.0), (595.28, 841.89), (410.5, 595.5)]


def test_pdf_reader_object_streams(tmp_path):
    inner = [b"<</Type/Page/Parent 2 0 R>>", b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 841.89 595.28]>>"]
    offsets, body = [], b""
    for obj in inner:
        offsets.append(len(body))
        body += obj + b" "
    header = b"3 %d 4 %d " % tuple(offsets)
    raw = zlib.compress(header + body)
    stm = (
        b"<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length %d>>stream\n" % (len(header), len(raw))
        + raw
        + b"\nendstream"
    )
    path = tmp_path / "b.pdf"
    path.write_bytes(
        _pdf(
            {
                1: b"<</Type/Catalog/Pages 2 0 R>>",
                2: b"<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2/MediaBox[0 0 595.28 841.89]>>",
                5: stm,
            }
        )
    )
    assert pdf_page_sizes(path) == [(595.28, 841.89), (841.89, 595.28)]


def test_available_names_what_is_missing(tmp_path):
    ok, why = available(soffice=str(tmp_path / "no-soffice"))
    assert not ok and "soffice" in why
    if xlo.find_soffice():
        ok, why = available(python=str(tmp_path / "no-python"))
        assert not ok and "no-python" in why
    with pytest.raises(LibreOfficeUnavailable, match="soffice"):
        LibreOffice(soffice=str(tmp_path / "no-soffice")).start()


def test_missing_libreoffice_skips_locally_and_fails_under_ci(monkeypatch):
    from conftest import require_libreoffice

    monkeypatch.setattr(xlo, "available", lambda: (False, "soffice not found"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="soffice not found"):
        require_libreoffice()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true.*soffice not found"):
        require_libreoffice()


def test_worker_needs_only_stdlib_and_uno():
    tree = ast.parse(Path(xlo.harness.WORKER).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
    assert roots <= {
        "__future__",
        "argparse",
        "json",
        "os",
        "sys",
        "time",
        "traceback",
        "uno",
        "unohelper",
        "com",
    }  # unohelper ships with uno


# ---- with LibreOffice ---------------------------------------------------------------------


@pytest.fixture
def errors_book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws["A1"], ws["A2"], ws["A3"] = 2, 3, "=A1+A2"
    ws["B1"], ws["B2"], ws["B3"] = "=1/0", "=NOSUCHFUNC(1)", "=SUM(A1:A2)"
    other = wb.create_sheet("Other")
    other["A1"], other["A2"] = "=数据!A3*2", "=SQRT(-1)"
    return save(wb, tmp_path / "errors.xlsx")


@pytest.mark.libreoffice
def test_formula_errors_are_found_and_correct_formulas_are_not(lo, errors_book):
    with lo.open(errors_book) as doc:
        assert doc.sheet_names() == ["数据", "Other"]
        errs = doc.errors()
        assert {(e.sheet, e.cell, e.error_code, e.text) for e in errs} == {
            ("数据", "B1", 532, "#DIV/0!"),
            ("数据", "B2", 525, "#NAME?"),
            ("Other", "A2", 502, "Err:502"),
        }  # Excel: #NUM!
        by_cell = {e.cell: e for e in errs}
        assert by_cell["B1"].formula == "=1/0"
        assert by_cell["B2"].formula.upper() == "=NOSUCHFUNC(1)"
        assert all(isinstance(e, CellError) for e in errs)
        assert [e.cell for e in doc.errors("Other")] == ["A2"]
        assert [e.sheet for e in doc.errors(["数据"])] == ["数据", "数据"]
        assert len(doc.errors(limit=1)) == 1
        assert doc.get("数据", "A3:B3") == [[5.0, 5.0]]
        assert doc.value("Other", "A1") == 10.0


@pytest.mark.libreoffice
def test_errors_is_fast_on_thousands_of_formula_rows(lo, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ledger"
    ws.append(["id", "amount", "double", "running", "share"])
    for r in range(2, 3002):
        ws.append(
            [
                f"C{r:05d}",
                r,
                f"=B{r}*2",
                f"=D{r - 1}+B{r}" if r > 2 else f"=B{r}",
                f"=IF(B{r}>0,B{r}/SUM(B$2:B$3001),0)",
            ]
        )
    ws["E2999"] = "=B2999/0"
    with lo.open(save(wb, tmp_path / "big.xlsx")) as doc:
        assert doc.formula_count("Ledger") == 9000
        assert doc.used_range("Ledger") == "A1:E3001"
        t0 = time.monotonic()
        errs = doc.errors()
        assert time.monotonic() - t0 < 5
        assert [(e.cell, e.text) for e in errs] == [("E2999", "#DIV/0!")]
        assert doc.value("Ledger", "D3001") == sum(range(2, 3002))


@pytest.mark.libreoffice
def test_set_recalculates_dependent_formulas(lo, tmp_path):
    wb = openpyxl.Workbook()
    card = wb.active
    card.title = "Card"
    lists = wb.create_sheet("Lists")
    for i, (code, name) in enumerate([("C001", "Acme"), ("C002", "Globex"), ("C003", "Initech")], start=1):
        lists.cell(i, 1, code)
        lists.cell(i, 2, name)
    card["A1"], card["B1"] = 2, "=A1*10"
    card["C2"] = "C001"  # the drop-down pick cell
    dv = DataValidation(type="list", formula1="Lists!$A$1:$A$3", allow_blank=True)
    card.add_data_validation(dv)
    dv.add("C2")
    card["D2"] = '=IFERROR(VLOOKUP(C2,Lists!$A$1:$B$3,2,0),"?")'
    card["E2"], card["E3"] = None, '=IF(E2="","-",YEAR(E2))'
    with lo.open(save(wb, tmp_path / "card.xlsx")) as doc:
        assert doc.get("Card", "A1:B1") == [[2.0, 20.0]]
        assert doc.value("Card", "D2") == "Acme"
        assert doc.get_formula("Card", "B1") == "=A1*10"
        doc.set("Card", "A1", 7)
        assert doc.value("Card", "B1") == 70.0
        doc.set("Card", "C2", "C003")
        assert doc.value("Card", "D2") == "Initech"
        assert doc.value("Card", "E3") == "-"
        doc.set("Card", "E2", dt.date(2026, 10, 31))
        assert doc.value("Card", "E3") == 2026.0
        doc.set("Card", "C2", "=1/0")  # text stays text, never a formula
        assert doc.value("Card", "D2") == "?" and doc.errors() == []
        doc.set("Card", "A1", None)
        assert doc.get("Card", "A1:B1") == [[None, 0.0]]
        doc.set("Card", "A1", 1, recalculate=False)
        doc.recalculate()
        assert doc.value("Card", "B1") == 10.0
        doc.set_formula("Card", "A1", "=1/0")
        assert [e.cell for e in doc.errors("Card")] == ["A1", "B1"]


@pytest.mark.libreoffice
def test_get_returns_numbers_text_none_and_error_text(lo, errors_book):
    with lo.open(errors_book) as doc:
        doc.set("数据", "C1", "文本")
        doc.set_formula("数据", "C2", '=""')
        assert doc.get("数据", "A1:C3") == [[2.0, "#DIV/0!", "文本"], [3.0, "#NAME?", ""], [5.0, 5.0, None]]


@pytest.mark.libreoffice
def test_bad_requests_raise_and_leave_the_instance_usable(lo, tmp_path, errors_book):
    with pytest.raises(FileNotFoundError):
        lo.open(tmp_path / "missing.xlsx")
    junk = tmp_path / "junk.txt"
    junk.write_text("not a workbook\n")
    with pytest.raises(CommandError, match="could not open"):
        lo.open(junk)
    doc = lo.open(errors_book)
    with pytest.raises(CommandError, match=r"no sheet 'Nope'.*数据"):
        doc.get("Nope", "A1")
    assert doc.value(0, "A1") == 2.0
    doc.close()
    with pytest.raises(LibreOfficeError, match="closed"):
        doc.sheet_names()
    assert lo.call("ping") == "pong"
    assert not list(tmp_path.glob(".~lock*"))  # no lock files left beside workbooks


@pytest.fixture
def print_book(tmp_path):
    wb = openpyxl.Workbook()
    small = wb.active
    small.title = "Small"
    a4(small)
    small.append(["id", "name", "amount"])
    for i in range(1, 6):
        small.append([i, f"customer {i}", i * 100])
    fit = wb.create_sheet("Fit")
    long = wb.create_sheet("Long")
    for ws in (fit, long):
        for r in range(1, 401):
            ws.append([r, f"row {r}", r * 1.5, f"=C{r}*2"])
    a4(fit, landscape=True)
    fit.print_area = "A1:D150"  # LibreOffice shrinks at most to 10 %: fit what fits
    fit.sheet_properties.pageSetUpPr.fitToPage = True
    fit.page_setup.fitToWidth = fit.page_setup.fitToHeight = 1
    a4(long)
    return save(wb, tmp_path / "print.xlsx")


@pytest.mark.libreoffice
def test_export_pdf_renders_only_the_chosen_sheet(lo, print_book, tmp_path):
    with lo.open(print_book) as doc:
        small = doc.export_pdf(tmp_path / "small.pdf", sheet="Small")
        fit = doc.export_pdf(tmp_path / "fit.pdf", sheet="Fit")
        long = doc.export_pdf(tmp_path / "out" / "long.pdf", sheet=2)
        book = doc.export_pdf(tmp_path / "book.pdf")
    assert pdf_pages(small) == 1
    assert pdf_pages(fit) == 1  # print area + fit to 1x1
    assert pdf_pages(long) >= 3  # no fit: several pages
    assert pdf_pages(book) == pdf_pages(small) + pdf_pages(fit) + pdf_pages(long)
    assert all(is_a4(s) for s in pdf_page_sizes(small) + pdf_page_sizes(long))
    assert [is_a4(s, landscape=True) for s in pdf_page_sizes(fit)] == [True]


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.mark.libreoffice
def test_cjk_sheets_text_and_pdf(lo, tmp_path):
    wb = openpyxl.Workbook()
    card = wb.active
    card.title = "客户资料卡"
    a4(card)
    card["A1"], card["B1"] = "公司名称", "上海某某贸易有限公司"
    card["A2"], card["B2"] = "等级", "=客户归类汇总表!C2"
    card["A3"], card["B3"] = "字数", "=LEN(B1)"
    card["B4"] = '=B2&"类客户"'
    summary = wb.create_sheet("客户归类汇总表")
    summary.append(["客户编号", "公司名称", "客户等级"])
    summary.append(["C001", "上海某某贸易有限公司", "A"])
    with lo.open(save(wb, tmp_path / "客户.xlsx")) as doc:
        assert doc.sheet_names() == ["客户资料卡", "客户归类汇总表"]
        assert doc.errors() == []
        assert doc.get("客户资料卡", "B1:B4") == [["上海某某贸易有限公司"], ["A"], [10.0], ["A类客户"]]
        doc.set("客户归类汇总表", "C2", "乙")
        assert doc.value("客户资料卡", "B4") == "乙类客户"
        pdf = doc.export_pdf(tmp_path / "资料卡.pdf", sheet="客户资料卡")
    assert pdf_pages(pdf) == 1 and is_a4(pdf_page_sizes(pdf)[0])
    if _has_cjk_font() or os.environ.get("CI") == "true":
        assert b"CJK" in pdf.read_bytes()  # rendered with a CJK font (Noto), not boxes


@pytest.mark.libreoffice
def test_timeouts_kill_soffice_and_worker(tmp_path):
    with pytest.raises(LibreOfficeTimeout, match="did not start"):
        LibreOffice(start_timeout=0.01).start()

    lo2 = LibreOffice()
    with pytest.raises(LibreOfficeTimeout, match="did not answer"):
        with lo2:
            soffice, worker, profile = lo2._soffice, lo2._worker, lo2._tmp
            assert lo2.call("ping") == "pong"
            lo2.call("ping", timeout=0)
    assert soffice.poll() is not None and worker.poll() is not None
    assert not profile.exists()
    with pytest.raises(LibreOfficeError, match="not"):
        lo2.call("ping")
