"""xlgrade's reader and part-by-part writer on workbooks other programs wrote (tests/files/).

- ``excel-forms.xlsx`` (hand-made by ``tests/files/make_excel_forms.py``, literal XML): the
  job's reader (:class:`~xlgrade.workbook.filebook.FileBook`, what ``xlgrade recalc`` reads)
  gets rich-text shared strings as their concatenated text (without the phonetic run), inline
  strings as text and shared formulas' cached values, masters and followers alike; after
  ``xlgrade recalc`` the parts xlgrade does not own are still there (the untouched ledger byte
  for byte, the x14 / x15 extension lists, rich text, inline strings, shared formulas with
  xlgrade's results as cached values) and the link to the Excel add-in is gone, as
  :mod:`xlgrade.workbook.addinrefs` promises when no staff cell calls through it.
- ``libreoffice-saved.xlsx`` (an xlgrade workbook saved by LibreOffice Calc 25.2,
  ``tests/files/make_libreoffice_saved.py``): read values agree with openpyxl and with what
  LibreOffice itself computed (its cached results of the order-count and volume formulas);
  ``xlgrade recalc`` fills the derived sheets and grade cells and keeps LibreOffice's parts.

Expected values are literals written down from the fixtures' data (see tests/files/README.md),
or come from independent readers (openpyxl, python-calamine, LibreOffice's cached results).
Every result must open with openpyxl and python-calamine.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlgrade.cli import main
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, HISTORY, LEDGER, VALIDATION
from xlgrade.workbook.filebook import FileBook

FILES = Path(__file__).resolve().parent / "files"
EXCEL = FILES / "excel-forms.xlsx"
LIBREOFFICE = FILES / "libreoffice-saved.xlsx"

COMPANIES = ["青岛嘉禾汽配集团有限公司", "佛山天成化工股份有限公司", "Acme Trading", "杭州恒远机械有限公司"]
QUANTITIES = [200, 300, 250, 250, 300, 200, 50, 50, 50, 50, 8, 2]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part, from workbook.xml and its relationships."""
    m = members(path)
    wb = m["xl/workbook.xml"].decode()
    rels: dict[str, str] = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", m["xl/_rels/workbook.xml.rels"].decode()):
        rid, target = re.search(r'Id="([^"]+)"', rel).group(1), re.search(r'Target="([^"]+)"', rel).group(1)
        rels[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return {name: rels[rid] for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*?r:id="([^"]+)"', wb)}


def calamine(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def opens_everywhere(path: Path) -> None:
    """openpyxl and python-calamine open the file and every sheet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl: "extension is not supported"
        wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for _ in ws.iter_rows():
            pass
    cw = CalamineWorkbook.from_path(str(path))
    assert cw.sheet_names == wb.sheetnames
    for name in cw.sheet_names:
        cw.get_sheet_by_name(name).to_python()


def column(rows: list[list[Any]], header: str) -> list[Any]:
    i = rows[0].index(header)
    return [r[i] if i < len(r) else None for r in rows[1:] if any(v not in ("", None) for v in r)]


@pytest.fixture
def excel_copy(tmp_path: Path) -> Path:
    path = tmp_path / "excel-forms.xlsx"
    shutil.copyfile(EXCEL, path)
    return path


# ---- excel-forms.xlsx ------------------------------------------------------------------------------
def test_the_excel_fixture_is_what_its_script_writes_and_has_the_forms(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_excel_forms", FILES / "make_excel_forms.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    fresh = {name: text.encode("utf-8") for name, text in script.build().items()}
    committed = members(EXCEL)
    assert committed == fresh, "run python tests/files/make_excel_forms.py and commit the output"
    parts = sheet_parts(EXCEL)
    sst = committed["xl/sharedStrings.xml"].decode()
    assert re.search(r"<si><r><rPr><b/>.*?</rPr><t>青岛</t></r><r><rPr>", sst) and "<rPh " in sst
    assert '<t xml:space="preserve"> Trading</t>' in sst
    cust, ledger = committed[parts[CUSTOMERS.zh]].decode(), committed[parts[LEDGER.zh]].decode()
    assert '<f t="shared" ref="E2:E13" si="0">C2*100</f>' in ledger and ledger.count('<f t="shared" si="0"/>') == 11
    assert '<c r="A5" t="inlineStr"><is><t>KH0004</t></is></c>' in cust
    assert "<extLst><ext " in cust and "<x14:dataValidations" in cust
    assert cust.count("[1]!ABCGRADE(") == 4 and "xl/externalLinks/externalLink1.xml" in committed
    assert "<externalReference " in committed["xl/workbook.xml"].decode()
    assert len(EXCEL.read_bytes()) < 16_000


def test_the_reader_reads_excel_forms_as_their_values() -> None:
    book = FileBook(EXCEL)
    customers = book.read_table(CUSTOMERS)
    assert not customers.issues
    c = customers.frame
    assert c["customer_id"].tolist() == ["KH0001", "KH0002", "KH0003", "KH0004"]  # KH0004 an inline string
    assert c["company"].tolist() == COMPANIES  # rich runs joined, no phonetic "qingdao", the space kept
    assert c["orders_all"].tolist() == [6, 4, 1, 1]  # shared formula, cached
    assert c["volume_all"].tolist() == [150000, 20000, 800, 200]
    assert c["grade"].tolist() == ["A", "B", "C", "C"]  # [1]!ABCGRADE's results
    ledger = book.read_table(LEDGER)
    assert not ledger.issues
    frame = ledger.frame
    assert frame["amount"].tolist() == [q * 100 for q in QUANTITIES]  # master and followers
    assert frame["quantity"].tolist() == QUANTITIES
    assert frame["date"].iloc[0] == dt.datetime(2026, 5, 6) and frame["date"].iloc[-1] == dt.datetime(2026, 10, 25)
    complaints = book.read_table(COMPLAINTS).frame
    assert complaints["subject"].tolist() == ["包装破损", "送货延误 2 天"]  # inline strings
    assert complaints["complaint_time"].tolist() == [dt.datetime(2026, 10, 9, 14, 30), dt.datetime(2026, 10, 21, 9, 5)]
    # an independent reader agrees on the texts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ws = openpyxl.load_workbook(EXCEL)[CUSTOMERS.zh]
    assert [ws[f"B{r}"].value for r in range(2, 6)] == COMPANIES


def test_recalc_keeps_the_parts_xlgrade_does_not_own(excel_copy: Path) -> None:
    before = members(excel_copy)
    parts = sheet_parts(excel_copy)
    assert main(["recalc", str(excel_copy)]) == 0
    after = members(excel_copy)
    opens_everywhere(excel_copy)

    # the ledger is input only: its part (shared formulas and all) is untouched
    assert after[parts[LEDGER.zh]] == before[parts[LEDGER.zh]]
    assert [r[4] for r in calamine(excel_copy, LEDGER.zh)[1:]] == [q * 100 for q in QUANTITIES]

    cust_before, cust = before[parts[CUSTOMERS.zh]].decode(), after[parts[CUSTOMERS.zh]].decode()
    ext = re.search(r"<extLst>.*</extLst>", cust_before, re.S).group(0)
    assert ext in cust  # x14 validation, as it was
    assert cust.count('<f t="shared" si="0"/>') == 3 and cust.count('<f t="shared" si="1"/>') == 3
    assert '<f t="shared" ref="E2:E5" si="0">COUNTIF(' in cust
    assert '<c r="A5" t="inlineStr"><is><t>KH0004</t></is></c>' in cust
    assert "<is><r><t>杭州</t></r><r><rPr><b/></rPr><t>恒远机械有限公司</t></r></is>" in cust
    wb_before, wb_after = before["xl/workbook.xml"].decode(), after["xl/workbook.xml"].decode()
    x15 = re.search(r"<extLst>.*</extLst>", wb_before, re.S).group(0)
    assert x15 in wb_after
    old_si = re.findall(r"<si>.*?</si>", before["xl/sharedStrings.xml"].decode(), re.S)
    new_si = re.findall(r"<si>.*?</si>", after["xl/sharedStrings.xml"].decode(), re.S)
    assert new_si[: len(old_si)] == old_si  # rich text and phonetic run kept

    # xlgrade's results: the computed columns of the customer summary, by hand from the ledger
    # (KH0001: 6 lines, 150,000 > A's 5 and 100,000; KH0002: 4 lines, 20,000 > B's 3 and 10,000)
    rows = calamine(excel_copy, CUSTOMERS.zh)
    assert column(rows, "订单次数") == [6, 4, 1, 1] and column(rows, "累计金额") == [150000, 20000, 800, 200]
    assert column(rows, "客户等级") == ["A", "B", "C", "C"]
    assert column(rows, "公司名称") == COMPANIES and column(rows, "客户编号")[3] == "KH0004"
    complaints = calamine(excel_copy, COMPLAINTS.zh)
    assert column(complaints, "客户等级") == ["B", "C"] and column(complaints, "投诉主题") == [
        "包装破损",
        "送货延误 2 天",
    ]
    assert all(column(complaints, "状态"))
    # a sheet made before 处理顺序 existed: the level goes into 优先级, 校验 says which column to add
    assert column(complaints, "优先级") == ["中", "低"]
    reasons = FileBook(excel_copy).read_table(VALIDATION).frame["reason"].tolist()
    assert sum("处理顺序" in str(r) for r in reasons) == 1

    # the add-in link: every call was in a column xlgrade owns, so it is rewritten and the link dropped
    assert not any(
        "[1]!" in data.decode("utf-8", "replace") for name, data in after.items() if name.startswith("xl/worksheets/")
    )
    assert not any(name.startswith("xl/externalLinks/") for name in after)
    assert "externalReference" not in wb_after
    assert "externalLink" not in after["[Content_Types].xml"].decode()
    assert "externalLink" not in after["xl/_rels/workbook.xml.rels"].decode()
    reread = FileBook(excel_copy).read_table(CUSTOMERS).frame
    assert reread["company"].tolist() == COMPANIES and reread["grade"].tolist() == ["A", "B", "C", "C"]
    history = FileBook(excel_copy).read_table(HISTORY).frame
    assert sorted(zip(history["customer_id"], history["grade"])) == [
        ("KH0001", "A"),
        ("KH0002", "B"),
        ("KH0003", "C"),
        ("KH0004", "C"),
    ]


def test_recalc_twice_on_excel_forms_is_stable(excel_copy: Path) -> None:
    assert main(["recalc", str(excel_copy)]) == 0
    first = members(excel_copy)
    assert main(["recalc", str(excel_copy)]) == 0
    second = members(excel_copy)
    parts = sheet_parts(excel_copy)
    for name in (CUSTOMERS.zh, LEDGER.zh, COMPLAINTS.zh):
        assert second[parts[name]] == first[parts[name]], name
    opens_everywhere(excel_copy)


# ---- libreoffice-saved.xlsx ------------------------------------------------------------------------
def test_the_libreoffice_fixture_is_libreoffices() -> None:
    m = members(LIBREOFFICE)
    assert b"<Application>LibreOffice/25.2" in m["docProps/app.xml"]
    assert b'aca="false"' in m[sheet_parts(LIBREOFFICE)[CUSTOMERS.zh]]  # Calc's form of a formula cell


def test_the_reader_agrees_with_openpyxl_and_with_libreoffices_results() -> None:
    book = FileBook(LIBREOFFICE)
    ledger = book.read_table(LEDGER)
    assert not ledger.issues and len(ledger.frame) == 15
    ws = openpyxl.load_workbook(LIBREOFFICE)[LEDGER.zh]
    headers = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value is not None]
    by = {h: [r[headers.index(h)] for r in rows] for h in ("客户编号", "提货日期", "货物价款")}
    frame = ledger.frame
    assert frame["customer_id"].tolist() == by["客户编号"]
    assert frame["amount"].tolist() == by["货物价款"]
    assert [d.to_pydatetime() for d in frame["date"]] == by["提货日期"]
    # LibreOffice computed the order counts and volumes (COUNTIFS / SUMIFS over the ledger table);
    # they equal the count and sum of what xlgrade's reader read
    customers = book.read_table(CUSTOMERS).frame
    assert len(customers) == 5
    for cid, orders, volume in zip(customers["customer_id"], customers["orders_all"], customers["volume_all"]):
        mine = frame[frame["customer_id"] == cid]
        assert (orders, volume) == (len(mine), pytest.approx(mine["amount"].sum())), cid
    # no Calc extension when it was saved: the grade cells hold #NAME? errors, the name lower-cased
    cust = members(LIBREOFFICE)[sheet_parts(LIBREOFFICE)[CUSTOMERS.zh]].decode()
    assert cust.count('t="e"><f aca="false">abcgrade(') == 5 and cust.count("<v>#NAME?</v>") == 5
    assert customers["grade"].isna().all()  # an error is no grade
    assert len(book.read_table(COMPLAINTS).frame) == 10


def test_recalc_on_a_libreoffice_saved_workbook(tmp_path: Path) -> None:
    path = tmp_path / "lo.xlsx"
    shutil.copyfile(LIBREOFFICE, path)
    lo_orders = column(calamine(path, CUSTOMERS.zh), "订单次数")
    before = members(path)
    parts = sheet_parts(path)
    assert main(["recalc", str(path)]) == 0
    after = members(path)
    opens_everywhere(path)
    assert after[parts[LEDGER.zh]] == before[parts[LEDGER.zh]]  # LibreOffice's ledger untouched
    for name in ("xl/theme/theme1.xml", "docProps/custom.xml"):
        assert after[name] == before[name]
    book = FileBook(path)
    history = book.read_table(HISTORY).frame
    assert len(history) == 5 and set(history["month"]) == {"2026-10"}
    rows = calamine(path, CUSTOMERS.zh)
    grades = dict(zip(column(rows, "客户编号"), column(rows, "客户等级")))
    assert grades == dict(zip(history["customer_id"], history["computed_grade"]))  # cached, no more #NAME?
    assert column(rows, "订单次数") == lo_orders  # xlgrade's counts = Calc's
    cust = after[parts[CUSTOMERS.zh]].decode()
    assert "abcgrade(" not in cust and cust.count("<f>ABCGRADE(") == 5 and "#NAME?" not in cust
    validation = book.read_table(VALIDATION)
    assert validation.header_row is not None


def test_recalc_keeps_a_grade_formula_filled_below_the_customers(excel_copy: Path) -> None:
    """Staff filled the grade formula one row further than the customers (Excel: one shared
    formula G2:G6). xlgrade rewrites G2:G5; G6 keeps a formula of its own, not a dangling
    follower of the shared formula that is gone."""
    with zipfile.ZipFile(excel_copy) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    part = sheet_parts(excel_copy)[CUSTOMERS.zh]
    xml = parts[part].decode()
    xml = re.sub(r'<c r="G2" t="str"><f>', '<c r="G2" t="str"><f t="shared" ref="G2:G6" si="2">', xml)
    xml, n = re.subn(r'(<c r="G[345]" t="str">)<f>[^<]*</f>', r'\1<f t="shared" si="2"/>', xml)
    assert n == 3
    xml = xml.replace(
        "</sheetData>",
        '<row r="6" spans="1:7" x14ac:dyDescent="0.25"><c r="G6" t="str">'
        '<f t="shared" si="2"/><v>C</v></c></row></sheetData>',
    )
    parts[part] = xml.replace('<dimension ref="A1:G5"/>', '<dimension ref="A1:G6"/>').encode()
    with zipfile.ZipFile(excel_copy, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert main(["recalc", str(excel_copy)]) == 0
    opens_everywhere(excel_copy)
    after = members(excel_copy)[part].decode()
    assert sorted(re.findall(r'<f t="shared" si="(\d+)"/>', after)) == ["0"] * 3 + ["1"] * 3  # E, F only
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ws = openpyxl.load_workbook(excel_copy)[CUSTOMERS.zh]
    # moved to row 6, and (a column xlgrade owns) without the link to the add-in
    assert ws["G6"].value == '=ABCGRADE(E6,F6,5,100000,3,10000,"A; B; C")'
    assert ws["G2"].value.startswith("=ABCGRADE(Customers[[#This Row],[订单次数]],")
    assert not any(name.startswith("xl/externalLinks/") for name in members(excel_copy))


@pytest.mark.libreoffice
def test_libreoffice_computes_the_recalculated_excel_forms_as_xlgrade_cached_them(lo: Any, excel_copy: Path) -> None:
    """A third reader: LibreOffice opens xlgrade's result and, recalculating every formula, gets
    the shared formulas' values xlgrade left as cached results (the grade cells call
    ABCGRADE, which this LibreOffice has no extension for, so they are left out)."""
    assert main(["recalc", str(excel_copy)]) == 0
    with lo.open(excel_copy) as doc:
        assert doc.sheet_names()[:3] == [CUSTOMERS.zh, LEDGER.zh, COMPLAINTS.zh]
        ledger = doc.get(LEDGER.zh, "C2:E13")
        assert [row[2] for row in ledger] == [q * 100 for q in QUANTITIES]
        customers = doc.get(CUSTOMERS.zh, "A2:F5")
    assert [row[0] for row in customers] == ["KH0001", "KH0002", "KH0003", "KH0004"]
    assert [row[1] for row in customers] == COMPANIES
    assert [(row[4], row[5]) for row in customers] == [(6, 150000), (4, 20000), (1, 800), (1, 200)]
