"""Package: part-by-part edits of an .xlsx, checked with zipfile, openpyxl and python-calamine."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from xlgrade.engine.rules import RuleBook
from xlgrade.errors import PackageError
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, HISTORY, LEDGER, RULES_SHEET, SALES_POWER, SUMMARY_SHEET
from xlgrade.workbook import cellxml, rels, styles, tables, workbookxml, xmlscan, zipio
from xlgrade.workbook import package as pk
from xlgrade.workbook.cellxml import Cell, Formula
from xlgrade.workbook.charts import ChartSpec, Series
from xlgrade.workbook.package import Package

# ---- a staff workbook, built with openpyxl ---------------------------------------------------------
STAFF_SHEET = "备注"


def _table(wb, sheet, lang, rows, *, print_area=False):
    ws = wb.create_sheet(sheet.name(lang))
    headers = sheet.headers(lang)
    ws.append(headers)
    for r in rows:
        ws.append(list(r) + [None] * (len(headers) - len(r)))
    last = max(2, len(rows) + 1)
    ref = f"A1:{get_column_letter(len(headers))}{last}"
    table = Table(displayName=sheet.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    if print_area:
        ws.print_area = ref
    return ws


def customers_rows(n=6):
    rows = []
    for i in range(1, n + 1):
        row = [
            f"C{i:03d}",
            f"公司{i} & <Co>",
            "张三",
            "经理",
            "13800000000",
            "上海",
            "化工",
            "经销商",
            "李四",
            "华东",
            f"=COUNTIFS(Ledger[客户编号],A{i + 1})",
            None,
            f'=IF(K{i + 1}>5,"A","C")',
            None,
            None,
            7,
            8,
            6,
        ]
        rows.append(row)
    return rows


def build_book(path, lang="zh", *, ledger_rows=20, customers=6, palette=True, rules=True) -> Path:
    """A workbook like staff keep: input tables, derived tables, summary, rules, palette, their own sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = _table(wb, CUSTOMERS, lang, customers_rows(customers))
    ws.conditional_formatting.add(
        "M2:M100",
        openpyxl.formatting.rule.CellIsRule(
            operator="equal", formula=['"A"'], fill=openpyxl.styles.PatternFill("solid", start_color="C6EFCE")
        ),
    )
    dv = DataValidation(type="whole", operator="between", formula1="0", formula2="10", allow_blank=True)
    dv.add("P2:R100")
    ws.add_data_validation(dv)
    ws.protection.sheet = True
    ledger = [
        [
            f"C{i % customers + 1:03d}",
            "",
            f"S{i}",
            "",
            None,
            "",
            2,
            dt.datetime(2026, 1, 1) + dt.timedelta(days=i),
            100.0 + i,
            None,
            50.0,
            None,
            None,
            "产品甲",
        ]
        for i in range(ledger_rows)
    ]
    _table(wb, LEDGER, lang, ledger)
    complaints = [
        [f"T{i}", f"C{i:03d}", "", dt.datetime(2026, 3, i, 9, 30), None, "质量问题 <急>", "王五"] for i in range(1, 5)
    ]
    _table(wb, COMPLAINTS, lang, complaints)
    _table(wb, SALES_POWER, lang, [], print_area=True)
    _table(wb, HISTORY, lang, [])
    summary = wb.create_sheet(SUMMARY_SHEET.name(lang))
    summary["A1"] = "汇总"
    if rules:
        table = RuleBook().to_table(lang)
        _table(wb, RULES_SHEET, lang, list(table.itertuples(index=False, name=None)))
    staff = wb.create_sheet(STAFF_SHEET)
    staff["A1"] = "自己的笔记"
    staff["B3"] = 42
    staff.merge_cells("A5:C5")
    staff["A5"] = "合并"
    if palette:
        pal = wb.create_sheet(styles.PALETTE_SHEET)
        for idx, role in enumerate(styles.ROLES, start=1):
            cell = pal.cell(row=1, column=idx, value=role)
            styles.apply(cell, role)
        pal.sheet_state = "hidden"
    wb.defined_names["staff_total"] = openpyxl.workbook.defined_name.DefinedName(
        "staff_total", attr_text=f"'{STAFF_SHEET}'!$B$3"
    )
    wb.save(path)
    return Path(path)


# ---- helpers -------------------------------------------------------------------------------------
def members(path) -> dict[str, tuple[bytes, zipfile.ZipInfo]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (z.read(i.filename), i) for i in z.infolist()}


def check_consistent(path) -> None:
    """Every rels target exists, every part has a content type, every override names a part, XML parses."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        ct = ET.fromstring(z.read("[Content_Types].xml"))
        defaults, overrides = {}, {}
        for el in ct:
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "Default":
                defaults[el.get("Extension").lower()] = el.get("ContentType")
            else:
                overrides[el.get("PartName").lstrip("/")] = el.get("ContentType")
        for part in overrides:
            assert part in names, f"content type for missing part {part}"
        for name in names - {"[Content_Types].xml"}:
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, f"no content type: {name}"
            if name.endswith((".xml", ".rels")):
                ET.fromstring(z.read(name))
        for name in names:
            if not name.endswith(".rels"):
                continue
            d, base = posixpath.split(name)
            source = posixpath.join(posixpath.dirname(d), base[:-5])
            for rel in ET.fromstring(z.read(name)):
                if rel.get("TargetMode") == "External":
                    continue
                target = rels.resolve(source, rel.get("Target"))
                assert target in names, f"{name}: {rel.get('Id')} -> missing {target}"
        # no orphans among the parts xlgrade creates
        referenced = set()
        for name in names:
            if name.endswith(".rels"):
                d, base = posixpath.split(name)
                source = posixpath.join(posixpath.dirname(d), base[:-5])
                referenced |= {
                    rels.resolve(source, r.get("Target"))
                    for r in ET.fromstring(z.read(name))
                    if r.get("TargetMode") != "External"
                }
        for name in names:
            if name.startswith(("xl/charts/", "xl/drawings/", "xl/tables/")) and not name.endswith(".rels"):
                assert name in referenced, f"orphan part {name}"


def calamine_rows(path, sheet):
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def sheet_values(ws):
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.fixture
def book(tmp_path):
    return build_book(tmp_path / "book.xlsx")


SP = SALES_POWER.name("zh")


# ---- reading -------------------------------------------------------------------------------------------
def test_sheets_tables_names_and_palette(book):
    p = Package(book)
    assert p.sheet_names()[:3] == [CUSTOMERS.zh, LEDGER.zh, COMPLAINTS.zh]
    assert set(p.tables(SP)) == {"SalesPower"}
    assert p.table_info(SP, "salespower")[1] == SALES_POWER.headers("zh")
    assert p.print_area(SP) == f"'{SP}'!$A$1:$Q$2"
    assert any(d.name == "staff_total" for d in p.defined_names())
    pal = p.palette()
    assert set(pal) == set(styles.ROLES)
    assert len({pal[r] for r in ("header", "money", "date", "grade_1", "grade_2")}) == 5
    assert all(v > 0 for v in pal.values())


def test_palette_missing_roles_fall_back_to_zero(tmp_path):
    p = Package(build_book(tmp_path / "b.xlsx", palette=False))
    assert set(p.palette().values()) == {0}


# ---- write_table -------------------------------------------------------------------------------------
def _rows(n):
    return [
        [f"C{i:03d}", f"公司{i}", "A" if i % 2 else "B", 2026, *[float(i * m) for m in range(1, 13)], i * 78.0]
        for i in range(n)
    ]


def test_write_table_readable_by_openpyxl_and_calamine(book):
    p = Package(book)
    pal = p.palette()
    col_styles = [pal["text"], pal["text"], pal["grade"], pal["int"]] + [pal["money"]] * 13
    ref = p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(5), [12] * 17, styles=col_styles)
    assert ref == "A1:Q6"
    p.save()
    check_consistent(book)
    wb = openpyxl.load_workbook(book)
    ws = wb[SP]
    assert ws.tables["SalesPower"].ref == "A1:Q6"
    assert ws.tables["SalesPower"].autoFilter.ref == "A1:Q6"
    assert [c.value for c in ws[1]] == SALES_POWER.headers("zh")
    assert [c.value for c in ws[3]][:5] == ["C001", "公司1", "A", 2026, 1]
    assert ws["E3"].number_format == styles.FMT_MONEY and ws["D3"].number_format == styles.FMT_INT
    assert ws["A1"].font.b and ws["A1"].fill.start_color.rgb.endswith(styles.HEADER_FILL)
    assert ws.freeze_panes == "A2"
    assert wb.defined_names is not None and ws.print_area == f"'{SP}'!$A$1:$Q$6"
    assert ws.column_dimensions["A"].width == 12
    rows = calamine_rows(book, SP)
    assert len(rows) == 6 and rows[5][:3] == ["C004", "公司4", "B"] and rows[5][16] == 312.0


def test_second_write_shrinks_table(book):
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(50))
    p.save()
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(3))
    p.save()
    ws = openpyxl.load_workbook(book)[SP]
    assert ws.tables["SalesPower"].ref == "A1:Q4" and ws.max_row == 4
    assert len(calamine_rows(book, SP)) == 4
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), [])
    p.save()
    ws = openpyxl.load_workbook(book)[SP]
    assert ws.tables["SalesPower"].ref == "A1:Q2"  # a table keeps one (empty) body row
    assert all(c.value is None for c in ws[2])
    check_consistent(book)


def test_write_table_keeps_the_rest_of_the_sheet(book):
    before = members(book)
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(3))
    part = p.sheet_part(SP)
    p.save()
    old, new = before[part][0].decode(), members(book)[part][0].decode()

    def outside(xml):
        xml = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", "", xml, flags=re.S)
        return re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)

    assert outside(old) == outside(new)
    assert "<sheetViews>" in new and "<pane " in new and "<tableParts" in new


def test_untouched_members_byte_identical_and_not_recompressed(book):
    before = members(book)
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(4))
    p.set_cells(COMPLAINTS.zh, {(2, 10): Cell("A"), (3, 10): Cell("B")})
    p.set_charts(SUMMARY_SHEET.zh, [_chart("column")])
    changed = set(p.changed())
    p.save()
    after = members(book)
    assert changed >= {p.sheet_part(SP), p.sheet_part(COMPLAINTS.zh)}
    untouched = [n for n in before if n not in changed]
    assert len(untouched) >= 10
    for name in untouched:
        data, info = before[name]
        new_data, new_info = after[name]
        assert new_data == data, name
        assert (new_info.CRC, new_info.compress_size, new_info.compress_type) == (
            info.CRC,
            info.compress_size,
            info.compress_type,
        ), name
    ledger_part = Package(book).sheet_part(LEDGER.zh)
    assert ledger_part in untouched
    check_consistent(book)


def test_inline_strings_escaped_cleaned_and_cjk(book):
    p = Package(book)
    nasty = [
        "a & b < c > d \"q\" 's'",
        "中文 客户 ＡＢＣ",
        "bad\x00\x07\x1bchars",
        "  spaces kept  ",
        "line\nbreak",
        "_x0041_ literal",
        "emoji 😀 ok",
        "x" * 40000,
    ]
    rows = [[s] + [None] * 16 for s in nasty]
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), rows)
    p.save()
    got = [r[0] for r in calamine_rows(book, SP)[1:]]
    assert got[:7] == [
        "a & b < c > d \"q\" 's'",
        "中文 客户 ＡＢＣ",
        "badchars",
        "  spaces kept  ",
        "line\nbreak",
        "_x0041_ literal",
        "emoji 😀 ok",
    ]
    assert got[7] == "x" * cellxml.MAX_TEXT
    ws = openpyxl.load_workbook(book)[SP]
    assert ws["A2"].value == nasty[0] and ws["A3"].value == nasty[1]
    assert b"sharedStrings" not in b"".join(n.encode() for n in Package(book).changed())


def test_values_dates_bools_formulas(book):
    p = Package(book)
    row = [
        "x",
        dt.date(2026, 3, 5),
        True,
        3,
        2.5,
        None,
        dt.datetime(2026, 3, 5, 14, 30),
        Formula("D2*2"),
        Formula('"q"', "q"),
        float("nan"),
        10**12,
        -0.0,
        1e-7,
        123456789.123,
    ]
    headers = [f"h{i}" for i in range(len(row))]
    p.write_table(SP, "SalesPower", headers, [row])
    p.trust_cached_values()
    p.save()
    ws = openpyxl.load_workbook(book)[SP]
    assert ws["B2"].value == dt.datetime(2026, 3, 5) or ws["B2"].value == 46086
    assert ws["C2"].value is True and ws["D2"].value == 3 and ws["E2"].value == 2.5 and ws["F2"].value is None
    assert ws["H2"].value == "=D2*2" and ws["I2"].value == '="q"' and ws["J2"].value is None
    assert ws["K2"].value == 10**12 and ws["M2"].value == 1e-7 and ws["N2"].value == 123456789.123
    rows = calamine_rows(book, SP)
    assert rows[1][1] == 46086.0 and abs(rows[1][6] - 46086.604166666) < 1e-6 and rows[1][8] == "q"
    assert rows[0] == headers
    workbook_xml = zipfile.ZipFile(book).read("xl/workbook.xml").decode()
    assert "fullCalcOnLoad" not in workbook_xml and 'calcId="191029"' in workbook_xml


def test_headers_made_unique_for_the_table(book):
    p = Package(book)
    p.write_table(SP, "SalesPower", ["a", "A", "", "b", "c_x0041_"], [[1, 2, 3, 4, 5]])
    p.save()
    ws = openpyxl.load_workbook(book)[SP]
    assert [c.value for c in ws[1]][:4] == ["a", "A2", "Column3", "b"]
    assert [c.name for c in ws.tables["SalesPower"].tableColumns][:4] == ["a", "A2", "Column3", "b"]
    assert calamine_rows(book, SP)[0][4] == "c_x0041_"  # escaped once, read back literally
    assert Package(book).table_info(SP, "SalesPower")[1][4] == "c_x0041_"


def test_write_table_creates_a_missing_table_and_sheet(book):
    p = Package(book)
    p.add_sheet("新表")
    p.write_table("新表", "NewTable", ["x", "y"], [[1, "a"], [2, "b"]], [10, 20])
    p.write_table(HISTORY.zh, "Renamed", ["m"], [["2026-10"]])  # staff renamed the table: theirs is kept
    p.save()
    check_consistent(book)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[-1] == "新表"
    assert wb["新表"].tables["NewTable"].ref == "A1:B3"
    assert set(wb[HISTORY.zh].tables) == {"History"} and wb[HISTORY.zh].tables["History"].ref == "A1:A2"
    with pytest.raises(PackageError, match="already"):
        Package(book).add_sheet("新表")


# ---- set_cells ------------------------------------------------------------------------------------------
def test_set_cells_keeps_every_typed_cell(book):
    before = sheet_values(openpyxl.load_workbook(book)[COMPLAINTS.zh])
    p = Package(book)
    targets = {(r, c): Cell(v) for r in range(2, 6) for c, v in ((10, "A"), (11, r), (13, "open"))}
    targets[(3, 12)] = Cell(dt.datetime(2026, 3, 4, 9, 30), p.palette()["datetime"])
    p.set_cells(COMPLAINTS.zh, targets)
    p.save()
    after = sheet_values(openpyxl.load_workbook(book)[COMPLAINTS.zh])
    for key, value in before.items():
        assert after[key] == value, key
    assert {k: after[k] for k in targets} == {
        k: (dt.datetime(2026, 3, 4, 9, 30) if k == (3, 12) else c.value) for k, c in targets.items()
    }
    assert openpyxl.load_workbook(book)[COMPLAINTS.zh]["L3"].number_format == styles.FMT_DATETIME


RAW_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="A1:E5"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><sheetData>\n'
    '<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"/>'
    '<c r="C1" t="inlineStr"><is><t>inline &amp; kept</t></is></c><c r="E1"><v>5</v></c></row>\n'
    '<row r="3" spans="1:2" ht="20" customHeight="1"><c r="A3"><v>1</v></c>'
    '<c r="B3" s="1" t="str"><f>A3&amp;"x"</f><v>1x</v></c></row>\n'
    '<row r="5"/>\n'
    '<row><c><v>7</v></c><c t="s"><v>1</v></c></row>\n'
    '</sheetData><mergeCells count="1"><mergeCell ref="A8:B8"/></mergeCells>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
)


SST = ("shared 0 & co", "rich 1")


def rewrite(book, parts: dict[str, str], shared: tuple[str, ...] = SST) -> None:
    """Replace parts of ``book`` and give it a shared string table (as Excel-saved files have)."""
    data = {n: c for n, (c, _i) in members(book).items()}
    sst = "".join(f"<si><t>{xmlscan.esc(t)}</t></si>" for t in shared[:-1])
    sst += (
        f"<si><r><t>{xmlscan.esc(shared[-1][:4])}</t></r><r><rPr><b/></rPr><t>{xmlscan.esc(shared[-1][4:])}</t></r>"
        '<rPh sb="0" eb="1"><t>phonetic</t></rPh></si>'
    )
    data["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{workbookxml.NS_MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">{sst}</sst>'
    ).encode()
    wb_rels = data["xl/_rels/workbook.xml.rels"].decode()
    if "sharedStrings" not in wb_rels:
        data["xl/_rels/workbook.xml.rels"] = wb_rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdSst" Type="{rels.REL_SST}" Target="sharedStrings.xml"/></Relationships>',
        ).encode()
        data["[Content_Types].xml"] = (
            data["[Content_Types].xml"]
            .decode()
            .replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
            .encode()
        )
    data.update({k: v.encode() for k, v in parts.items()})
    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in data.items():
            z.writestr(name, content)
    tmp.replace(book)


def _with_raw_sheet(book, xml=RAW_SHEET) -> str:
    """Replace the staff sheet of ``book`` by hand-written XML; returns the part name."""
    part = Package(book).sheet_part(STAFF_SHEET)
    rewrite(book, {part: xml})
    return part


def test_palette_from_shared_strings(book):
    p = Package(book)
    part = p.sheet_part(styles.PALETTE_SHEET)
    roles = list(styles.ROLES)
    xml = p.text(part)
    for i, role in enumerate(roles):
        xml = re.sub(rf'(<c r="[A-Z]+1" s="\d+") t="inlineStr"><is><t>{role}</t></is>', rf'\1 t="s"><v>{i}</v>', xml)
    assert "inlineStr" not in xml
    expected = p.palette()
    rewrite(book, {part: xml}, tuple(roles) + ("x",))
    assert Package(book).palette() == expected


def test_set_cells_surgical_on_shared_inline_selfclosing_and_spans(book):
    part = _with_raw_sheet(book)
    sst0 = SST[0]
    p = Package(book)
    p.set_cells(
        STAFF_SHEET,
        {
            (1, 4): Cell("D-new"),  # into the middle of a row
            (1, 2): Cell(2.5, 3),  # replaces a self-closing <c/>
            (1, 7): Cell("G"),  # beyond the row's spans
            (2, 1): Cell("new row 2"),  # a row that does not exist, between rows
            (3, 2): Cell("2x"),  # a formula cell: kept as formula with the new cached value
            (5, 3): Cell(9),  # into a self-closing row
            (6, 2): Cell("after implicit"),  # a row written without r= (row 6)
            (9, 1): Cell(True),  # past the last row
        },
        keep_formulas=True,
        keep_styles=True,
    )
    xml = p.text(part)
    p.save()
    old = RAW_SHEET
    # untouched cells and everything outside sheetData are the same bytes
    for piece in (
        '<c r="A1" t="s"><v>0</v></c>',
        '<c r="C1" t="inlineStr"><is><t>inline &amp; kept</t></is></c>',
        '<c r="E1"><v>5</v></c>',
        '<c r="A3"><v>1</v></c>',
        '<f>A3&amp;"x"</f>',
    ):
        assert piece in xml
    assert old.split("<sheetData>")[0].replace('ref="A1:E5"', 'ref="A1:G9"') == xml.split("<sheetData>")[0]
    assert old.split("</sheetData>")[1] == xml.split("</sheetData>")[1]
    assert '<row r="1" spans="1:7">' in xml and '<row r="3" spans="1:2" ht="20" customHeight="1">' in xml
    assert '<c r="B1" s="1"><v>2.5</v></c>' in xml  # keep_styles kept s="1"
    rows = calamine_rows(book, STAFF_SHEET)
    assert rows[0][0] == sst0 and rows[0][2:] == ["inline & kept", "D-new", 5.0, "", "G"]  # B1: s="1" is a date
    assert rows[1][0] == "new row 2"
    assert rows[2][:2] == [1.0, "2x"]
    assert rows[4][2] == 9.0
    assert rows[5][:2] == [7.0, "after implicit"] and rows[8][0] is True
    assert Package(book).row_values(STAFF_SHEET, 6) == {1: (7.0, 0), 2: ("after implicit", 0)}
    assert Package(book).row_values(STAFF_SHEET, 1)[1] == (SST[0], 0)
    ws = openpyxl.load_workbook(book)[STAFF_SHEET]
    assert ws["B3"].value == '=A3&"x"' and ws["D1"].value == "D-new" and ws["A6"].value == 7
    check_consistent(book)


def test_set_cells_on_an_empty_sheet_and_prefixed_namespace(book):
    prefixed = (
        '<?xml version="1.0" encoding="UTF-8"?><x:worksheet '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData/></x:worksheet>'
    )
    part = _with_raw_sheet(book, prefixed)
    p = Package(book)
    p.set_cells(STAFF_SHEET, {(2, 2): Cell("b2 <&>"), (1, 1): Cell(1)})
    xml = p.text(part)
    assert '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>' in xml
    p.save()
    assert calamine_rows(book, STAFF_SHEET) == [[1.0, ""], ["", "b2 <&>"]]
    assert openpyxl.load_workbook(book)[STAFF_SHEET]["B2"].value == "b2 <&>"


def test_write_sheet_free_layout_with_merges_and_widths(book):
    p = Package(book)
    pal = p.palette()
    cells = {(1, 1): Cell("标题", pal["title"]), (3, 2): Cell(12.5, pal["money"]), (3, 1): "x", (2, 5): None}
    ref = p.write_sheet(SUMMARY_SHEET.zh, cells, ["A1:D1"], {1: 20, 2: 14})
    p.set_print_area(SUMMARY_SHEET.zh, "A1:D3")
    p.save()
    ws = openpyxl.load_workbook(book)[SUMMARY_SHEET.zh]
    assert ref == "A1:E3"
    assert ws["A1"].value == "标题" and ws["B3"].value == 12.5 and ws["B3"].number_format == styles.FMT_MONEY
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:D1"]
    assert ws.column_dimensions["A"].width == 20
    assert ws.print_area == f"'{SUMMARY_SHEET.zh}'!$A$1:$D$3"


# ---- charts ---------------------------------------------------------------------------------------------
def _chart(kind, anchor=(4, 10)):
    s = f"'{SUMMARY_SHEET.zh}'"
    line = Series(f"{s}!$D$5:$D$7", "累计占比", f"{s}!$D$4", (0.8, 0.95, 1.0)) if kind == "pareto" else None
    return ChartSpec(
        kind,
        f"{kind} 图",
        f"{s}!$A$5:$A$7",
        (
            Series(f"{s}!$B$5:$B$7", "金额", f"{s}!$B$4", (800.0, 150.0, 50.0)),
            Series(f"{s}!$C$5:$C$7", "客户数", f"{s}!$C$4", (1, 2, 3)),
        ),
        line=line,
        category_cache=("A", "B", "C"),
        anchor=anchor,
    )


def test_charts_written_referenced_and_replaced_without_orphans(book):
    p = Package(book)
    p.write_sheet(
        SUMMARY_SHEET.zh,
        {
            (4, 1): "等级",
            (4, 2): "金额",
            (4, 3): "客户数",
            (4, 4): "累计占比",
            **{(5 + i, 1): g for i, g in enumerate("ABC")},
            **{(5 + i, 2): v for i, v in enumerate((800.0, 150.0, 50.0))},
        },
    )
    parts = p.set_charts(SUMMARY_SHEET.zh, [_chart("pareto"), _chart("column", (21, 10)), _chart("pie", (38, 10))])
    p.save()
    check_consistent(book)
    z = zipfile.ZipFile(book)
    assert parts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    pareto = z.read(parts[0]).decode()
    assert "<c:barChart>" in pareto and "<c:lineChart>" in pareto and '<c:crosses val="max"/>' in pareto
    assert f"<c:f>'{SUMMARY_SHEET.zh}'!$B$5:$B$7</c:f>" in pareto
    assert f"<c:f>'{SUMMARY_SHEET.zh}'!$D$5:$D$7</c:f>" in pareto and '<c:max val="1"/>' in pareto
    assert "<c:pieChart>" in z.read(parts[2]).decode()
    wb = openpyxl.load_workbook(book)
    assert len(wb[SUMMARY_SHEET.zh]._charts) == 3
    before = set(z.namelist())

    p = Package(book)
    parts2 = p.set_charts(SUMMARY_SHEET.zh, [_chart("column")])
    p.save()
    check_consistent(book)
    names = set(zipfile.ZipFile(book).namelist())
    assert [n for n in names if n.startswith("xl/charts/")] == parts2
    assert len([n for n in names if n.startswith("xl/drawings/") and n.endswith(".xml")]) == 1
    assert len(openpyxl.load_workbook(book)[SUMMARY_SHEET.zh]._charts) == 1
    assert before - names == {"xl/charts/chart2.xml", "xl/charts/chart3.xml"}

    p = Package(book)
    assert p.set_charts(SUMMARY_SHEET.zh, []) == []
    p.save()
    check_consistent(book)
    names = set(zipfile.ZipFile(book).namelist())
    assert not [n for n in names if n.startswith(("xl/charts/", "xl/drawings/"))]
    assert "<drawing" not in Package(book).text(Package(book).sheet_part(SUMMARY_SHEET.zh))


def test_charts_keep_drawing_objects_xlgrade_did_not_make(book):
    p = Package(book)
    p.set_charts(SUMMARY_SHEET.zh, [_chart("column")])
    drawing = p.drawing_part(SUMMARY_SHEET.zh)
    xml = p.text(drawing)
    staff_shape = (
        "<xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>30</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff>"
        '<xdr:row>33</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink="">'
        '<xdr:nvSpPr><xdr:cNvPr id="90" name="Staff note"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:sp><xdr:clientData/>'
        "</xdr:twoCellAnchor>"
    )
    p.write(drawing, xml.replace("</xdr:wsDr>", staff_shape + "</xdr:wsDr>"))
    p.save()
    p = Package(book)
    p.set_charts(SUMMARY_SHEET.zh, [_chart("pie"), _chart("column", (20, 10))])
    p.save()
    p = Package(book)
    xml = p.text(p.drawing_part(SUMMARY_SHEET.zh))
    assert 'name="Staff note"' in xml and xml.count("<c:chart ") == 2
    p.set_charts(SUMMARY_SHEET.zh, [])
    p.save()
    check_consistent(book)
    p = Package(book)
    assert 'name="Staff note"' in p.text(p.drawing_part(SUMMARY_SHEET.zh)) and p.charts(SUMMARY_SHEET.zh) == []


# ---- save -------------------------------------------------------------------------------------------------
def test_save_makes_a_backup_and_replaces_atomically(book):
    original = book.read_bytes()
    os.chmod(book, 0o640)
    p = Package(book)
    p.set_cells(STAFF_SHEET, {(1, 1): Cell("changed")})
    backup = p.save(backup_dir=book.parent / "bak")
    assert Path(backup).read_bytes() == original
    assert re.fullmatch(r"book-\d{8}-\d{6}\.xlsx", Path(backup).name)
    assert stat.S_IMODE(os.stat(book).st_mode) == 0o640
    assert calamine_rows(book, STAFF_SHEET)[0][0] == "changed"
    assert sorted(os.listdir(book.parent)) == ["bak", "book.xlsx"]


def test_backups_keep_the_ten_newest_and_the_oldest_of_each_month(tmp_path):
    target = tmp_path / "b.xlsx"
    target.write_bytes(b"x")
    bak = tmp_path / "bak"
    bak.mkdir()
    for i in range(12):
        (bak / f"b-202601{i + 1:02d}-000000.xlsx").write_bytes(b"old")
    (bak / "other-20260101-000000.xlsx").write_bytes(b"keep")
    made = zipio.make_backup(target, bak)
    names = sorted(os.listdir(bak))
    assert len([n for n in names if n.startswith("b-")]) == 11 and Path(made).name in names
    assert "b-20260101-000000.xlsx" in names  # the oldest of January 2026 stays
    assert "b-20260102-000000.xlsx" not in names and "b-20260103-000000.xlsx" not in names
    assert "other-20260101-000000.xlsx" in names


def test_failed_save_leaves_the_original_untouched(book, monkeypatch):
    original = book.read_bytes()
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(10))

    def broken(out, entries):
        out.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pk, "write_zip", broken)
    with pytest.raises(OSError, match="disk full"):
        p.save(backup_dir=book.parent / "bak")
    assert book.read_bytes() == original
    assert sorted(os.listdir(book.parent)) == ["book.xlsx"]


def test_failed_replace_leaves_the_original_untouched(book, monkeypatch):
    original = book.read_bytes()
    p = Package(book)
    p.set_cells(STAFF_SHEET, {(1, 1): Cell("changed")})

    def refuse(src, dst):
        raise PermissionError("locked by Excel")

    monkeypatch.setattr(pk.os, "replace", refuse)
    with pytest.raises(PermissionError):
        p.save()
    assert book.read_bytes() == original and os.listdir(book.parent) == ["book.xlsx"]


def test_save_refuses_a_file_changed_since_it_was_read(book):
    p = Package(book)
    p.set_cells(STAFF_SHEET, {(1, 1): Cell("mine")})
    other = Package(book)
    other.set_cells(STAFF_SHEET, {(1, 1): Cell("theirs")})
    other.save()
    with pytest.raises(PackageError, match="changed"):
        p.save()
    assert calamine_rows(book, STAFF_SHEET)[0][0] == "theirs"


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PackageError, match="not an .xlsx"):
        Package(bad)


def test_serial_dates():
    assert cellxml.excel_serial(dt.date(1900, 3, 1)) == 61
    assert cellxml.excel_serial(dt.datetime(2026, 3, 5, 12)) == 46086.5
    assert cellxml.excel_serial(dt.date(2026, 3, 5), date1904=True) == 46086 - 1462
    assert cellxml.excel_serial(dt.date(1900, 1, 1)) is None
    assert (
        cellxml.col_letter(28) == "AB"
        and cellxml.col_index("AB") == 28
        and cellxml.parse_range("B3:A1") == (1, 1, 3, 2)
    )


def test_derived_sheet_guards_header_height_merges_calc_chain(book):
    p = Package(book)
    part = p.sheet_part(SP)
    xml = p.text(part).replace('<row r="1">', '<row r="1" spans="1:17" ht="30" customHeight="1">', 1)
    xml = xml.replace(
        "<pageMargins",
        '<mergeCells count="2"><mergeCell ref="B3:C3"/><mergeCell ref="T1:U1"/></mergeCells><pageMargins',
        1,
    )
    chain = f'<calcChain xmlns="{workbookxml.NS_MAIN}"><c r="K2" i="1"/></calcChain>'
    rewrite(book, {part: xml, "xl/calcChain.xml": chain})
    data = {n: c for n, (c, _i) in members(book).items()}
    rewrite(
        book,
        {
            "xl/_rels/workbook.xml.rels": data["xl/_rels/workbook.xml.rels"]
            .decode()
            .replace(
                "</Relationships>",
                f'<Relationship Id="rIdCc" Type="{rels.REL_CALC_CHAIN}" Target="calcChain.xml"/></Relationships>',
            ),
            "[Content_Types].xml": data["[Content_Types].xml"]
            .decode()
            .replace(
                "</Types>",
                '<Override PartName="/xl/calcChain.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
            ),
        },
    )
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), _rows(4))
    p.save()
    check_consistent(book)
    xml = Package(book).text(part)
    assert '<row r="1" ht="30" customHeight="1">' in xml
    assert '<mergeCell ref="T1:U1"/>' in xml and "B3:C3" not in xml
    assert "xl/calcChain.xml" not in zipfile.ZipFile(book).namelist()


def test_refuses_to_rewrite_a_sheet_holding_other_tables(book):
    p = Package(book)
    p.write_table(STAFF_SHEET, "StaffOwn", ["x"], [[1]])  # staff put a table of their own there
    p.save()
    p = Package(book)
    with pytest.raises(PackageError, match="StaffOwn"):
        p.write_sheet(STAFF_SHEET, {(1, 1): "x"})
    p.add_sheet("两表")
    p.write_table("两表", "One", ["a"], [[1]])
    p.write_table("两表", "One", ["a"], [[2]])
    part = tables.new_table(p, p.sheet_part("两表"), "Two")
    assert part.startswith("xl/tables/")
    with pytest.raises(PackageError, match="other tables"):
        p.write_table("两表", "One", ["a"], [[3]])


@pytest.mark.parametrize("at", [0, 1, (1 << 20) - 3, (1 << 20) - 1, 1 << 20, 3 << 19])
def test_verify_finds_bytes_across_inflate_chunks(tmp_path, at):
    # the parts that may hold an error cell (t="e") are noted while verifying, chunk by chunk
    from xlgrade.workbook import ziplimits

    data = bytearray(b"x" * (2 << 20))
    data[at : at + 5] = b't="e"'
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", bytes(data))
        zf.writestr("b.xml", b"x" * (2 << 20))
        zf.writestr("c.xml", bytes(data), compress_type=zipfile.ZIP_STORED)
    buf = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert ziplimits.verify(buf, zf, "z.zip", find=b't="e"') == {"a.xml", "c.xml"}
        assert ziplimits.verify(buf, zf, "z.zip") == set()
