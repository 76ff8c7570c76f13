"""xlgrade.xlam as built on Linux: reproducible bytes and everything Linux can check (issue 8 point 7)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xlwings

from xlgrade.addins.excel import names, ribbon, wrappers
from xlgrade.addins.excel.actions import workbook_lang
from xlgrade.addins.excel.xlam import build_xlam, template_path
from xlgrade.cells import FUNCTIONS
from xlgrade.schema.sheets import SUMMARY_SHEET

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
LO_VBA_FILTER = "Calc MS Excel 2007 VBA XML"
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    return build_xlam(tmp_path_factory.mktemp("xlam"))


@pytest.fixture(scope="module")
def modules(xlam) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_two_builds_write_the_same_bytes(xlam, tmp_path):
    assert build_xlam(tmp_path).read_bytes() == xlam.read_bytes()


def test_template_comes_from_the_installed_xlwings():
    assert template_path().parent == Path(xlwings.__file__).resolve().parent


def test_parts_and_content_types(xlam):
    with zipfile.ZipFile(xlam) as z:
        parts = set(z.namelist())
        types = ET.fromstring(z.read("[Content_Types].xml"))
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CT}Default")}
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}
    assert {
        "customUI/customUI.xml",
        "xl/workbook.xml",
        "xl/vbaProject.bin",
        "xl/worksheets/sheet1.xml",
        "xl/sharedStrings.xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
    } <= parts
    for part in parts - {"[Content_Types].xml"}:
        assert "/" + part in overrides or part.rsplit(".", 1)[-1] in defaults, part
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for name in overrides:
        assert name.lstrip("/") in parts, name


def test_customui_is_ours_and_related(xlam):
    with zipfile.ZipFile(xlam) as z:
        rels = ET.fromstring(z.read("_rels/.rels"))
        ui = z.read("customUI/customUI.xml")
    assert [r.get("Target") for r in rels.iter(f"{REL}Relationship") if r.get("Type") == UI_REL] == [
        "customUI/customUI.xml"
    ]
    assert ui == (names.macros_dir() / "customUI.xml").read_bytes()
    assert ET.fromstring(ui).tag == "{http://schemas.microsoft.com/office/2006/01/customui}customUI"
    # no text in the ribbon XML: every label comes from the table (getLabel)
    assert "客户分级".encode() not in ui and ui.isascii()


def test_vba_decoded_equals_macros(modules):
    for name, suffix in (
        (names.RIBBON_VBA_MODULE, ".bas"),
        (names.UDF_VBA_MODULE, ".bas"),
        (names.EVENTS_VBA_CLASS, ".cls"),
    ):
        source = (names.macros_dir() / f"{name}{suffix}").read_text(encoding="ascii")
        assert modules[name].rstrip("\n") == source.rstrip("\n"), name
        assert modules[name].isascii(), name
    assert names.TEMPLATE_RIBBON_MODULE not in modules
    assert modules[names.UDF_VBA_MODULE].rstrip("\n") == wrappers.module_vba().rstrip("\n")


def test_every_onaction_names_a_sub_of_the_built_project(xlam, modules):
    with zipfile.ZipFile(xlam) as z:
        ui = ET.fromstring(z.read("customUI/customUI.xml"))
    actions = [el.get("onAction") for el in ui.iter() if el.get("onAction")]
    assert actions
    for action in actions:
        module, _, sub = action.partition(".")
        assert re.search(rf"^Sub {sub}\(control As IRibbonControl\)$", modules[module], re.M), action


def test_every_registry_function_has_a_wrapper_in_the_build(modules):
    found = dict(re.findall(r"^Function (\w+)\(([^)]*)\)$", modules[names.UDF_VBA_MODULE], re.M))
    assert set(found) == {cf.name for cf in FUNCTIONS}
    for cf in FUNCTIONS:
        params = [p.replace("Optional ", "") for p in found[cf.name].split(", ")]
        assert params == [a.name for a in cf.args], cf.name
        assert (
            f'XLPy.CallUDF("{names.UDF_MODULE}", "{cf.name}", Array({", ".join(params)}), ActiveWorkbook, '
            "Application.Caller)" in modules[names.UDF_VBA_MODULE]
        )


def test_dll_declare_version_equals_the_installed_xlwings(modules):
    dlls = re.findall(r'Lib "(xlwings(?:32|64)-([^"]+)\.dll)"', modules["xlwings"])
    assert {d for d, _ in dlls} == {f"xlwings32-{xlwings.__version__}.dll", f"xlwings64-{xlwings.__version__}.dll"}
    assert {v for _, v in dlls} == {xlwings.__version__}


def test_project_name_is_xlgrade(modules):
    assert re.findall(r'^Public Const PROJECT_NAME As String = "(.*)"$', modules["xlwings"], re.M) == ["xlgrade"]


def _conf(xlam) -> tuple[list[str], dict[str, str]]:
    """The sheet names of the built add-in and its conf sheet's cells ({"A1": text, ...})."""
    with zipfile.ZipFile(xlam) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        raw = z.read("xl/workbook.xml")
    assert b"absPath" not in raw and b"felix" not in raw.lower()
    strings = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in sst.iter(f"{MAIN}si")]
    assert len(strings) == len(set(strings)) == int(sst.get("uniqueCount"))
    cells = {c.get("r"): strings[int(c.find(f"{MAIN}v").text)] for c in sheet.iter(f"{MAIN}c")}
    assert int(sst.get("count")) == len(cells)
    return [s.get("name") for s in wb.iter(f"{MAIN}sheet")], cells


def _column(cells: dict[str, str], letter: str) -> list[str]:
    """Column ``letter`` of the cells from row 1 down to the first empty one."""
    out = []
    while f"{letter}{len(out) + 1}" in cells:
        out.append(cells[f"{letter}{len(out) + 1}"])
    return out


def _table(cells: dict[str, str]) -> list[tuple[str, ...]]:
    """The ribbon's text table as XlgradeText reads it: from the key column, row 1 down."""
    first = ribbon.TABLE_FIRST_COLUMN
    letters = [chr(ord("A") + first - 1 + i) for i in range(len(ribbon.TABLE_HEADER))]
    keys = _column(cells, letters[0])
    return [tuple(cells.get(f"{c}{r}", "") for c in letters) for r in range(1, len(keys) + 1)]


def test_conf_sheet_holds_machine_independent_keys_only(xlam):
    sheets, cells = _conf(xlam)
    assert sheets == [names.CONF_SHEET]
    # xlwings reads A1 down to the first blank, with B beside; an Interpreter_Win row, even
    # empty, would hide the user's config file from xlwings.
    assert _column(cells, "A") == ["UDF Modules"] and cells["B1"] == names.UDF_MODULE
    assert "C1" not in cells and "A2" not in cells


def test_label_table_in_the_build_equals_the_catalogue(xlam):
    _, cells = _conf(xlam)
    table = _table(cells)
    assert table == ribbon.table_rows()
    assert set(cells) == {f"{c}{r}" for r in range(1, len(table) + 1) for c in "DEF"} | {"A1", "B1"}
    assert dict((k, (zh, en)) for k, zh, en in table[1:]) == ribbon.texts()
    assert ribbon.texts()[ribbon.LANG_SHEET_KEY] == (SUMMARY_SHEET.zh, SUMMARY_SHEET.en)


def _customui(xlam) -> ET.Element:
    with zipfile.ZipFile(xlam) as z:
        return ET.fromstring(z.read("customUI/customUI.xml"))


def test_every_control_has_a_zh_and_an_en_text_in_the_built_table(xlam):
    _, cells = _conf(xlam)
    texts = {key: (zh, en) for key, zh, en in _table(cells)[1:]}
    ui = _customui(xlam)
    controls = [el for el in ui.iter() if el.get("id")]
    assert sorted(el.get("id") for el in controls) == sorted(c.id for c in ribbon.CONTROLS)
    for el in controls:
        # a static text would conflict with its callback (Excel refuses the whole ribbon XML)
        assert not {"label", "screentip", "supertip"} & set(el.attrib), el.get("id")
        assert el.get("getLabel") == f"{names.RIBBON_VBA_MODULE}.XlgradeGetLabel", el.get("id")
        zh, en = texts[el.get("id")]
        assert zh and en and not zh.isascii() and en.isascii(), el.get("id")
    buttons = list(ui.iter(f"{UI}button"))
    assert len(buttons) == 8
    for el in buttons:
        assert el.get("getScreentip") == f"{names.RIBBON_VBA_MODULE}.XlgradeGetScreentip"
        assert el.get("getSupertip") == f"{names.RIBBON_VBA_MODULE}.XlgradeGetSupertip"
        zh, en = texts[el.get("id") + ribbon.SUPERTIP]
        assert zh and en and not zh.isascii() and en.isascii(), el.get("id")
    assert [texts[el.get("id")][0] for el in buttons] == [
        "月度重算",
        "新建工作簿",
        "打开规则",
        "打印资料卡",
        "投诉到期检查",
        "导出脱敏副本",
        "规则说明",
        "关于",
    ]
    assert texts[ui.find(f".//{UI}tab").get("id")] == ("客户分级", "Customer grading")


# The callbacks' VBA signatures, as Microsoft documents them ("Customizing the 2007 Office Fluent
# Ribbon for Developers", part 3, callback table): Excel binds a callback by name and argument count.
CALLBACK_SIGNATURES = {
    "onLoad": r"Sub {sub}\(ribbon As IRibbonUI\)",
    "onAction": r"Sub {sub}\(control As IRibbonControl\)",
    "getLabel": r"Sub {sub}\(control As IRibbonControl, ByRef label\)",
    "getScreentip": r"Sub {sub}\(control As IRibbonControl, ByRef screentip\)",
    "getSupertip": r"Sub {sub}\(control As IRibbonControl, ByRef supertip\)",
}


def test_every_callback_names_a_sub_of_the_built_project_with_its_signature(xlam, modules):
    ui = _customui(xlam)
    assert ui.get("onLoad") == f"{names.RIBBON_VBA_MODULE}.XlgradeRibbonLoad"
    found = {attr: 0 for attr in CALLBACK_SIGNATURES}
    for el in ui.iter():
        for attr, signature in CALLBACK_SIGNATURES.items():
            if el.get(attr):
                module, _, sub = el.get(attr).partition(".")
                assert re.search("^" + signature.format(sub=sub) + "$", modules[module], re.M), el.get(attr)
                found[attr] += 1
        assert not {a for a in el.attrib if a.startswith("get") or a.startswith("on")} - set(CALLBACK_SIGNATURES)
    assert found == {"onLoad": 1, "onAction": 8, "getLabel": 11, "getScreentip": 8, "getSupertip": 8}


def test_vba_constants_match_the_table_layout(modules):
    consts = dict(
        re.findall(r'^Private Const (\w+) As (?:String|Long) = "?([^"\n]*)"?$', modules[names.RIBBON_VBA_MODULE], re.M)
    )
    assert consts == {
        "TEXT_SHEET": names.CONF_SHEET,
        "TEXT_KEY_COLUMN": str(ribbon.TABLE_FIRST_COLUMN),
        "LANG_SHEET_KEY": ribbon.LANG_SHEET_KEY,
        "SUPERTIP_SUFFIX": ribbon.SUPERTIP,
    }


def test_workbook_events_invalidate_the_ribbon(xlam, modules):
    """The class module is declared a class (WithEvents compiles only there), follows the
    application's events, and XlgradeRibbonLoad keeps the ribbon and starts the events."""
    import olefile

    with zipfile.ZipFile(xlam) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    try:
        project = ole.openstream("PROJECT").read().decode("latin-1").splitlines()
    finally:
        ole.close()
    assert f"Class={names.EVENTS_VBA_CLASS}" in project and f"Module={names.EVENTS_VBA_CLASS}" not in project
    events = modules[names.EVENTS_VBA_CLASS]
    assert re.search(r"^Attribute VB_Base = \"0\{FCFB3D2A-A0FA-1068-A738-08002B3371B5\}\"$", events, re.M)
    assert re.search(r"^Public WithEvents App As Application$", events, re.M)
    for event in ("WorkbookActivate", "WorkbookDeactivate"):
        assert re.search(
            rf"^Private Sub App_{event}\(ByVal Wb As Workbook\)\n    XlgradeRefreshRibbon\nEnd Sub$", events, re.M
        ), event
    bas = modules[names.RIBBON_VBA_MODULE]
    assert re.search(
        r"^Sub XlgradeRefreshRibbon\(\)\n    If Not XlgradeRibbonUI Is Nothing Then "
        r"XlgradeRibbonUI\.Invalidate\nEnd Sub$",
        bas,
        re.M,
    )
    load = re.search(r"^Sub XlgradeRibbonLoad\(ribbon As IRibbonUI\)\n(.*?)^End Sub$", bas, re.M | re.S).group(1)
    assert load.split("\n")[:3] == [
        "    Set XlgradeRibbonUI = ribbon",
        f"    Set XlgradeEvents = New {names.EVENTS_VBA_CLASS}",
        "    Set XlgradeEvents.App = Application",
    ]


@pytest.mark.libreoffice
def test_libreoffice_opens_the_xlam_with_the_vba_filter(xlam):
    from xlgrade.lo import LibreOffice

    with LibreOffice() as lo:
        with lo.open(xlam, filter_name=LO_VBA_FILTER, macros=True) as doc:
            assert doc.sheet_names() == [names.CONF_SHEET]
            assert doc.get(0, "A1:B2") == [["UDF Modules", names.UDF_MODULE], [None, None]]
            table = ribbon.table_rows()
            assert doc.get(0, f"D1:F{len(table) + 1}") == [list(r) for r in table] + [[None] * 3]


@pytest.mark.libreoffice
def test_libreoffice_computes_the_vba_self_test_of_our_modules(tmp_path):
    """LibreOffice's Basic cannot compile xlwings' module (procedure headers split by
    ``#If App = ... #Else ... #End If``), which stops the whole library; so the self-test runs in
    an add-in of pyopenvba's empty template carrying exactly our two modules of macros/."""
    from pyopenvba import ExcelFile

    from xlgrade.addins.excel.xlam import macro_source
    from xlgrade.lo import LibreOffice

    empty, ours = tmp_path / "empty.xlam", tmp_path / "ours.xlam"
    with ExcelFile.create_new(empty) as wb:
        for name in (names.RIBBON_VBA_MODULE, names.UDF_VBA_MODULE):
            wb.vba_project().add_module(name, macro_source(name))
        wb.save(ours)
    with LibreOffice() as lo:
        with lo.open(ours, filter_name=LO_VBA_FILTER, macros=True) as doc:
            doc.set_formula(0, "D1", "=XLGRADESELFTEST(3)")
            doc.set_formula(0, "D2", "=XLGRADESELFTEST(-0.5)")
            assert doc.get(0, "D1:D2") == [[7.0], [0.0]]


def _macro_workbook(xlam: Path, dest: Path, extra_sheets: tuple[str, ...]) -> Path:
    """The built add-in as an .xlsm LibreOffice's Basic can compile: without xlwings' module and
    its Dictionary class (their ``#If Mac`` headers stop the whole library there), with our
    modules and the conf sheet as built, plus ``extra_sheets`` (as an xlgrade workbook's)."""
    import openpyxl
    from pyopenvba import ExcelFile

    trimmed = dest.with_suffix(".trimmed.xlam")
    with ExcelFile(xlam) as wb:
        for name in ("xlwings", "Dictionary"):
            wb.vba_project().delete_module(name)
        wb.save(trimmed)
    as_book = dest.with_suffix(".book.xlsm")  # openpyxl reads only a workbook's content type
    with zipfile.ZipFile(trimmed) as zin, zipfile.ZipFile(as_book, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(name, data)
    book = openpyxl.load_workbook(as_book, keep_vba=True)
    for sheet in extra_sheets:
        book.create_sheet(sheet)
    book.save(dest)
    return dest


@pytest.mark.libreoffice
def test_libreoffice_runs_the_ribbon_text_lookup_on_the_built_table(xlam, tmp_path):
    """XlgradeText and XlgradeLang of the built XlgradeRibbon module, run by LibreOffice's Basic
    (as cell functions) on the built conf sheet: every key's text in both languages, the key
    itself when absent, and the language of the active workbook as actions.workbook_lang says."""
    from xlgrade.lo import LibreOffice

    keys = list(ribbon.texts())
    cases = {(): "zh", (SUMMARY_SHEET.en,): "en", (SUMMARY_SHEET.zh,): "zh", (SUMMARY_SHEET.en, SUMMARY_SHEET.zh): "zh"}
    with LibreOffice() as lo:
        for i, (extra, lang) in enumerate(cases.items()):
            assert workbook_lang([names.CONF_SHEET, *extra]) == lang
            book = _macro_workbook(xlam, tmp_path / f"case{i}.xlsm", extra)
            with lo.open(book, macros=True) as doc:
                assert doc.sheet_names() == [names.CONF_SHEET, *extra]
                doc.set_formula(0, "J1", "=XLGRADELANG()")
                assert doc.value(0, "J1") == lang, extra
                if i:
                    continue
                for r, key in enumerate([*keys, "xlgradeNoSuchControl"], 2):
                    doc.set_formula(0, f"J{r}", f'=XLGRADETEXT("{key}";"zh")', recalculate=False)
                    doc.set_formula(0, f"K{r}", f'=XLGRADETEXT("{key}";"en")', recalculate=False)
                doc.recalculate()
                got = doc.get(0, f"J2:K{len(keys) + 2}")
                assert got == [list(ribbon.texts()[k]) for k in keys] + [["xlgradeNoSuchControl"] * 2]
