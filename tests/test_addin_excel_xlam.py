"""xlgrade.xlam as built on Linux: reproducible bytes and everything Linux can check (issue 8 point 7)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xlwings

from xlgrade.addins.excel import names, wrappers
from xlgrade.addins.excel.xlam import build_xlam, template_path
from xlgrade.cells import FUNCTIONS

CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
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
    assert {"customUI/customUI.xml", "xl/workbook.xml", "xl/vbaProject.bin", "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"} <= parts
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
    assert [r.get("Target") for r in rels.iter(f"{REL}Relationship") if r.get("Type") == UI_REL] == \
        ["customUI/customUI.xml"]
    assert ui == (names.macros_dir() / "customUI.xml").read_bytes()
    assert ET.fromstring(ui).tag == "{http://schemas.microsoft.com/office/2006/01/customui}customUI"
    assert "客户分级".encode("utf-8") in ui


def test_vba_decoded_equals_macros(modules):
    for name in (names.RIBBON_VBA_MODULE, names.UDF_VBA_MODULE):
        source = (names.macros_dir() / f"{name}.bas").read_text(encoding="ascii")
        assert modules[name].rstrip("\n") == source.rstrip("\n"), name
    assert names.TEMPLATE_RIBBON_MODULE not in modules
    assert modules[names.UDF_VBA_MODULE] .rstrip("\n") == wrappers.module_vba().rstrip("\n")


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
        assert f'XLPy.CallUDF("{names.UDF_MODULE}", "{cf.name}", Array({", ".join(params)}), ActiveWorkbook, ' \
               "Application.Caller)" in modules[names.UDF_VBA_MODULE]


def test_dll_declare_version_equals_the_installed_xlwings(modules):
    dlls = re.findall(r'Lib "(xlwings(?:32|64)-([^"]+)\.dll)"', modules["xlwings"])
    assert {d for d, _ in dlls} == {f"xlwings32-{xlwings.__version__}.dll", f"xlwings64-{xlwings.__version__}.dll"}
    assert {v for _, v in dlls} == {xlwings.__version__}


def test_project_name_is_xlgrade(modules):
    assert re.findall(r'^Public Const PROJECT_NAME As String = "(.*)"$', modules["xlwings"], re.M) == ["xlgrade"]


def _conf(xlam) -> tuple[str, list[list[str]]]:
    with zipfile.ZipFile(xlam) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        raw = z.read("xl/workbook.xml")
    assert b"absPath" not in raw and b"felix" not in raw.lower()
    strings = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in sst.iter(f"{MAIN}si")]
    rows = [[strings[int(c.find(f"{MAIN}v").text)] for c in row.iter(f"{MAIN}c")] for row in sheet.iter(f"{MAIN}row")]
    return [s.get("name") for s in wb.iter(f"{MAIN}sheet")], rows


def test_conf_sheet_holds_machine_independent_keys_only(xlam):
    sheets, rows = _conf(xlam)
    assert sheets == [names.CONF_SHEET]
    # An Interpreter_Win row, even empty, would hide the user's config file from xlwings.
    assert rows == [["UDF Modules", names.UDF_MODULE]]


@pytest.mark.libreoffice
def test_libreoffice_opens_the_xlam_with_the_vba_filter(xlam):
    from xlgrade.lo import LibreOffice

    with LibreOffice() as lo:
        with lo.open(xlam, filter_name=LO_VBA_FILTER, macros=True) as doc:
            assert doc.sheet_names() == [names.CONF_SHEET]
            assert doc.get(0, "A1:B1") == [["UDF Modules", names.UDF_MODULE]]


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
