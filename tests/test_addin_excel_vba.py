"""The Excel add-in's VBA sources (macros/) and the xlwings UDF module, on Linux."""

from __future__ import annotations

import importlib
import io
import re
import sys
import types
import xml.etree.ElementTree as ET

import pytest

from xlgrade.addins.excel import names, ribbon, wrappers
from xlgrade.cells import FUNCTIONS, CellValueError, by_name

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"


@pytest.fixture
def xlwings_udfs(monkeypatch):
    """xlwings.udfs importable on Linux (pywin32 stubbed), and the udfs module re-imported with
    xlwings' real decorators, as on Windows."""
    stubs = {n: types.ModuleType(n) for n in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = type("com_error", (Exception,), {})
    stubs["win32com.client"].Dispatch = lambda *a, **k: None
    stubs["win32com"].client = stubs["win32com.client"]
    for name, mod in stubs.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    udfs = importlib.import_module("xlwings.udfs")
    import xlwings

    monkeypatch.setattr(xlwings, "func", udfs.xlfunc)
    monkeypatch.setattr(xlwings, "arg", udfs.xlarg)
    monkeypatch.setattr(xlwings, "ret", udfs.xlret)
    monkeypatch.delitem(sys.modules, names.UDF_MODULE, raising=False)
    module = importlib.import_module(names.UDF_MODULE)
    yield udfs, module
    sys.modules.pop(names.UDF_MODULE, None)
    sys.modules.pop("xlwings.udfs", None)


class _AddinBook:
    Name = names.XLAM_NAME


def test_committed_wrappers_equal_a_fresh_generation():
    assert wrappers.path().read_text(encoding="ascii") == wrappers.module_vba()


def test_wrappers_equal_xlwings_own_generator(xlwings_udfs):
    udfs, module = xlwings_udfs
    out = io.StringIO()
    udfs.generate_vba_wrapper(names.UDF_MODULE, module, out, _AddinBook())
    assert out.getvalue() == wrappers.functions_vba()
    assert wrappers.module_vba().endswith(out.getvalue())


def test_xlwings_sees_every_registry_function_with_its_arguments(xlwings_udfs):
    _, module = xlwings_udfs
    for cf in FUNCTIONS:
        info = getattr(module, cf.name).__xlfunc__
        assert info["name"] == cf.name and info["category"] == "xlgrade"
        assert [a["name"] for a in info["args"]] == [a.name for a in cf.args]
        assert ["optional" in a for a in info["args"]] == [a.optional for a in cf.args]
        for a, xa in zip(cf.args, info["args"]):
            assert xa["options"].get("ndim") == (2 if a.kind == "range" else None)


def test_every_function_has_a_wrapper_with_its_arguments():
    text = wrappers.path().read_text(encoding="ascii")
    found = dict(re.findall(r"^Function (\w+)\(([^)]*)\)$", text, re.M))
    assert set(found) == {cf.name for cf in FUNCTIONS}
    for cf in FUNCTIONS:
        params = [p.replace("Optional ", "") for p in found[cf.name].split(", ")]
        assert params == [a.name for a in cf.args]


def test_vba_sources_are_ascii():
    paths = [*names.macros_dir().glob("*.bas"), *names.macros_dir().glob("*.cls")]
    assert {p.name for p in paths} >= {f"{names.RIBBON_VBA_MODULE}.bas", f"{names.EVENTS_VBA_CLASS}.cls"}
    for path in paths:
        assert path.read_bytes().isascii(), path


def test_every_onaction_names_a_ribbon_sub():
    root = ET.parse(names.macros_dir() / "customUI.xml").getroot()
    assert root.tag == f"{{{CUSTOMUI_NS}}}customUI"
    bas = (names.macros_dir() / f"{names.RIBBON_VBA_MODULE}.bas").read_text(encoding="ascii")
    subs = set(re.findall(r"^Sub (\w+)\(control As IRibbonControl\)$", bas, re.M))
    actions = [el.get("onAction") for el in root.iter() if el.get("onAction")]
    assert len(actions) == 8
    for action in actions:
        module, _, sub = action.partition(".")
        assert module == names.RIBBON_VBA_MODULE and sub in subs, action
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    # the texts are the catalogue's, each control's once, none in the XML
    assert set(ids) == {c.id for c in ribbon.CONTROLS} and len(ribbon.CONTROLS) == len(ids)
    buttons = [el.get("id") for el in root.iter(f"{{{CUSTOMUI_NS}}}button")]
    assert buttons == [c.id for c in ribbon.BUTTONS]
    assert [c.zh for c in ribbon.BUTTONS] == [
        "月度重算",
        "新建工作簿",
        "打开规则",
        "打印资料卡",
        "投诉到期检查",
        "导出脱敏副本",
        "规则说明",
        "关于",
    ]
    assert not [el for el in root.iter() if el.get("label") or el.get("screentip") or el.get("supertip")]


def test_ribbon_catalogue_says_each_text_once_in_both_languages():
    texts = ribbon.texts()
    assert len(texts) == 1 + len(ribbon.CONTROLS) + len(ribbon.BUTTONS)
    for key, (zh, en) in texts.items():
        assert zh and en and zh != en, key
        assert not zh.isascii() and en.isascii(), key  # Chinese in zh, English in en
    assert ribbon.table_rows()[0] == ribbon.TABLE_HEADER
    assert [r[0] for r in ribbon.table_rows()[1:]] == list(texts)
    assert ribbon.TAB.label("zh") == "客户分级" and ribbon.TAB.label("en") == "Customer grading"
    monthly = ribbon.BUTTONS[0]
    assert monthly.supertip("en").startswith("Saves") and monthly.supertip("zh").startswith("保存")


# ---- the UDFs as plain callables (Linux) ----------------------------------------------------
def test_udfs_compute_as_the_registry():
    from xlgrade.addins.excel import udfs

    assert udfs.ABCGRADE(6, 100001) == by_name("ABCGRADE")(6.0, 100001.0)
    assert udfs.ABCGRADE(6.0, 100001.0, None, None, None, None, None) == "A"
    # a range arrives as a list of rows (ndim=2); an array result goes back as rows
    assert udfs.PARETOGRADES([[100.0], [1.0], [None]]) == [
        list(r) for r in by_name("PARETOGRADES")(((100.0,), (1.0,), (None,)))
    ]
    assert udfs.PARETOGRADE(100.0, [[100.0], [1.0]]) == by_name("PARETOGRADE")(100.0, ((100.0,), (1.0,)))


def test_udf_dates_arrive_as_datetime():
    import datetime as dt

    from xlgrade.addins.excel import udfs

    assert udfs.COMPLAINTDUE("A", dt.datetime(2026, 3, 5, 12)) == by_name("COMPLAINTDUE")("A", 46086.5)


def test_udf_refusal_is_one_value_line():
    from xlgrade.addins.excel import udfs

    with pytest.raises(CellValueError) as info:
        udfs.ABCGRADE("x", 1)
    assert str(info.value).startswith("#VALUE! ")
    assert info.value.en == "#VALUE! orders is not a number: “x”"
    assert "\n" not in str(info.value)
