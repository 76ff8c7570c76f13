"""The LibreOffice extension as files (no soffice needed; unoidl-write is, from libreoffice-dev):
IDL, CalcAddIns.xcu, description.xml, manifest, vendored registry, a deterministic zip, and the
value bridge the component uses inside Calc.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import require_unoidl_write

import xlgrade
from xlgrade.addins.lo import build_oxt, idl, names, package
from xlgrade.addins.lo.xcu import generate_xcu
from xlgrade.cells import FUNCTIONS, by_name
from xlgrade.cells.model import NUMBER, RANGE, TEXT, Arg, CellFunction, CellValueError
from xlgrade.cli import main

OOR = "{http://openoffice.org/2001/registry}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OXT_DIR = Path(package.__file__).with_name("oxt")


def _bridge():
    spec = importlib.util.spec_from_file_location("xlgradeaddin_under_test", OXT_DIR / "xlgradeaddin.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bridge = _bridge()


# ---- a small registry of our own: the generator must not depend on the real one's content ----
def _echo(first_arg, values, b_opt):
    return f"{first_arg!r}|{values!r}|{b_opt!r}"


def _column(values, k):
    return tuple((str(len(row)),) for row in values)


SMALL = (
    CellFunction(
        "ECHO",
        _echo,
        (
            Arg("first_arg", NUMBER, "第一", "first", "第一个参数", "the first argument"),
            Arg("values", RANGE, "区域", "values", "一个区域", "a range"),
            Arg("b_opt", TEXT, "可选", "optional", "可选参数", "an optional one", True, "x"),
        ),
        TEXT,
        "回显",
        'echo <&> "quoted"',
        "Test",
    ),
    CellFunction(
        "COLUMNS2",
        _column,
        (
            Arg("values", RANGE, "区域", "values", "区域", "range"),
            Arg("k", NUMBER, "k", "k", "k", "k", True, 1),
        ),
        "array",
        "数组",
        "array",
    ),
)


# ---- IDL ------------------------------------------------------------------------------------
def test_idl_one_method_per_function_with_idl_names_and_types():
    text = idl.generate_idl(SMALL)
    assert "interface XCells : com::sun::star::uno::XInterface" in text
    assert "service Cells : XCells;" in text
    assert "any ECHO([in] any firstArg, [in] sequence< sequence< any > > values, [in] any bOpt);" in text
    assert "sequence< sequence< any > > COLUMNS2([in] sequence< sequence< any > > values, [in] any k);" in text


def test_idl_of_the_real_registry_has_every_function_and_no_underscore_in_parameters():
    text = idl.generate_idl(FUNCTIONS)
    methods = re.findall(r"^\s+(?:any|sequence< sequence< any > >) (\w+)\((.*)\);$", text, re.M)
    assert [m[0] for m in methods] == [f.name for f in FUNCTIONS]
    for (name, params), f in zip(methods, FUNCTIONS):
        got = [p.split()[-1] for p in params.split(", ")]
        assert got == [a.idl_name for a in f.args]
        assert not any("_" in p for p in got), name


def test_optional_ranges_are_any_so_calc_lets_them_be_left_out():
    # measured: a sequence< sequence< any > > parameter cannot be omitted (Err:504)
    f = CellFunction(
        "OPTR",
        lambda v, w=None: "",
        (Arg("values", RANGE, "a", "a", "a", "a"), Arg("more", RANGE, "b", "b", "b", "b", True)),
        TEXT,
        "z",
        "e",
    )
    assert "any OPTR([in] sequence< sequence< any > > values, [in] any more);" in idl.generate_idl([f])


def test_idl_compiles_and_a_missing_tool_says_which_package(tmp_path, monkeypatch):
    require_unoidl_write()
    rdb = idl.compile_idl(idl.generate_idl(FUNCTIONS), tmp_path)
    assert rdb.startswith(b"UNOIDL")
    monkeypatch.setattr(idl.shutil, "which", lambda name: None)
    monkeypatch.setattr(idl, "_UNOIDL_CANDIDATES", (str(tmp_path / "nowhere" / "unoidl-write"),))
    with pytest.raises(idl.BuildToolMissing) as err:
        idl.find_unoidl_write()
    assert "libreoffice-dev" in str(err.value) and "\n" not in str(err.value)
    out = tmp_path / "dist"
    assert main(["addins", "build", str(out)]) == 2
    assert not (out / "xlgrade.oxt").exists()


def test_a_rejected_idl_is_one_line(tmp_path):
    require_unoidl_write()
    with pytest.raises(idl.IdlCompileError) as err:
        idl.compile_idl("module org { interface Broken : nothing::Known {}; };", tmp_path)
    assert "\n" not in str(err.value)


# ---- CalcAddIns.xcu ---------------------------------------------------------------------------
def _functions_node(xcu: str):
    root = ET.fromstring(xcu)
    assert root.get(OOR + "name") == "CalcAddIns" and root.get(OOR + "package") == "org.openoffice.Office"
    (info,) = root
    (service,) = info
    assert service.get(OOR + "name") == names.SERVICE
    (functions,) = service
    return functions


def _props(node):
    return {p.get(OOR + "name"): {v.get(XML_LANG): v.text for v in p} for p in node if p.tag == "prop"}


def test_xcu_describes_every_function_in_both_languages_with_its_excel_name():
    nodes = list(_functions_node(generate_xcu(FUNCTIONS)))
    assert [n.get(OOR + "name") for n in nodes] == [f.name for f in FUNCTIONS]
    for node, f in zip(nodes, FUNCTIONS):
        props = _props(node)
        assert props["CompatibilityName"] == {"en-US": f.name}
        assert props["Description"] == {"en-US": f.en, "zh-CN": f.zh}
        # Calc parses formulas typed in the UI by the display name: the Excel name in every
        # language, so =ABCGRADE(...) works in a Chinese Calc too.
        assert props["DisplayName"] == {"en-US": f.name, "zh-CN": f.name}
        assert props["Category"] == {None: f.category}
        (params,) = [c for c in node if c.tag == "node"]
        assert [p.get(OOR + "name") for p in params] == [a.idl_name for a in f.args]
        for p, a in zip(params, f.args):
            pp = _props(p)
            assert pp["DisplayName"] == {"en-US": a.en, "zh-CN": a.zh}
            assert pp["Description"]["en-US"].startswith(a.help_en)
            assert pp["Description"]["zh-CN"].startswith(a.help_zh)
            assert pp["Description"]["en-US"].endswith("(optional)") == a.optional


def test_xcu_escapes_text():
    props = _props(list(_functions_node(generate_xcu(SMALL)))[0])
    assert props["Description"]["en-US"] == 'echo <&> "quoted"'


# ---- the package ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_unoidl_write()
    out = tmp_path_factory.mktemp("oxt")
    return build_oxt(out)


def test_build_is_byte_for_byte_deterministic(built, tmp_path, capsys):
    assert main(["addins", "build", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed == [str(tmp_path / "xlgrade.xlam"), str(tmp_path / "xlgrade.oxt")]  # the Excel add-in too
    assert (tmp_path / "xlgrade.oxt").read_bytes() == built.read_bytes()
    with zipfile.ZipFile(built) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {package.ZIP_DATE}


def test_build_default_dir_is_dist(tmp_path, monkeypatch, capsys):
    require_unoidl_write()
    monkeypatch.chdir(tmp_path)
    assert main(["addins", "build"]) == 0
    assert capsys.readouterr().out.strip().splitlines() == [
        str(Path("dist") / "xlgrade.xlam"),
        str(Path("dist") / "xlgrade.oxt"),
    ]
    assert (tmp_path / "dist" / "xlgrade.oxt").is_file()


def test_package_contents(built):
    with zipfile.ZipFile(built) as z:
        files = set(z.namelist())
        manifest = ET.fromstring(z.read("META-INF/manifest.xml"))
        desc = z.read("description.xml").decode()
        vendored = {n: z.read(n) for n in files if n.startswith("pythonpath/xlgradecells/")}
        component = z.read(names.COMPONENT_FILE).decode()
    entries = {
        e.get("{http://openoffice.org/2001/manifest}full-path"): e.get(
            "{http://openoffice.org/2001/manifest}media-type"
        )
        for e in manifest
    }
    assert entries == {
        names.TYPES_FILE: "application/vnd.sun.star.uno-typelibrary;type=RDB",
        names.COMPONENT_FILE: "application/vnd.sun.star.uno-component;type=Python",
        names.MENU_COMPONENT_FILE: "application/vnd.sun.star.uno-component;type=Python",
        names.XCU_FILE: "application/vnd.sun.star.configuration-data",
        names.ADDONS_FILE: "application/vnd.sun.star.configuration-data",
        names.SCRIPTS_DIR: "application/vnd.sun.star.framework-script",
    }
    assert set(entries) - {names.SCRIPTS_DIR} <= files and f"python/{names.MENU_SCRIPT}" in files
    assert {"pythonpath/xlgradeaddin.py", "pythonpath/xlgrademenu.py", "pythonpath/xlgrade_menu.json"} <= files
    d = ET.fromstring(desc)
    ns = {
        "d": "http://openoffice.org/extensions/description/2006",
        "lo": "http://libreoffice.org/extensions/description/2011",
    }
    assert d.find("d:identifier", ns).get("value") == names.EXTENSION_ID
    assert d.find("d:version", ns).get("value") == xlgrade.__version__
    minimal = d.find("d:dependencies/lo:LibreOffice-minimal-version", ns)
    assert minimal.get("value") == "25.2"
    need = minimal.get("{http://openoffice.org/extensions/description/2006}name")
    assert "请升级" in need and "upgrade" in need
    # The registry is vendored as it is (its imports are relative), without its dev-time generator.
    cells_dir = Path(xlgrade.cells.__file__).parent
    expected = {
        f"pythonpath/xlgradecells/{p.name}": p.read_bytes()
        for p in cells_dir.glob("*.py")
        if p.name not in package.DEV_ONLY
    }
    assert vendored == expected
    for name, data in vendored.items():
        for node in ast.walk(ast.parse(data)):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] not in ("xlgrade", "pandas", "numpy", "openpyxl"), name
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] in ("xlgrade", "pandas", "numpy") for a in node.names), name
    # The component's service name is the add-in's own, not com.sun.star.sheet.AddIn.
    assert f'SERVICE = "{names.SERVICE}"' in component
    (cls,) = [n for n in ast.parse(component).body if isinstance(n, ast.ClassDef)]
    bases = {b.id for b in cls.bases if isinstance(b, ast.Name)}
    assert "XCells" in bases and "XAddIn" not in bases


def test_vendored_registry_imports_under_its_new_name(built, tmp_path):
    with zipfile.ZipFile(built) as z:
        z.extractall(tmp_path)
    sys.path.insert(0, str(tmp_path / "pythonpath"))
    try:
        import xlgradecells  # noqa: F401  (the copy, as LibreOffice's Python imports it)

        assert xlgradecells.__file__.startswith(str(tmp_path))
        assert [f.name for f in xlgradecells.FUNCTIONS] == [f.name for f in FUNCTIONS]
        assert xlgradecells.by_name("ABCGRADE")(6.0, 100000.01) == "A"
    finally:
        sys.path.remove(str(tmp_path / "pythonpath"))
        for mod in [m for m in sys.modules if m == "xlgradecells" or m.startswith("xlgradecells.")]:
            del sys.modules[mod]


# ---- the bridge: UNO values -> registry values -> UNO values -----------------------------------
def test_bridge_converts_what_calc_passes():
    f = SMALL[0]
    # a number; a range with an empty cell; an omitted optional argument
    got = bridge.call(f, (6.0, ((1.0, None), ("t", "")), None), RuntimeError)
    assert got == "6.0|((1.0, None), ('t', None))|'x'"
    # one cell handed to a range argument is a 1 x 1 range; a 1 x 1 block to a scalar is its value
    assert bridge.call(f, (((6.0,),), 3.0, "y"), RuntimeError) == "6.0|((3.0,),)|'y'"
    # an empty string (="") is an empty cell
    assert bridge.call(f, ("", 1.0, ""), RuntimeError) == "None|((1.0,),)|'x'"
    # a block where one value is expected: its non-empty cells, flat (labels can be a range)
    assert bridge.call(f, (((1.0, None), ("b", 2.0)), 1.0, None), RuntimeError) == "(1.0, 'b', 2.0)|((1.0,),)|'x'"


def test_bridge_converts_a_range_once_per_content(monkeypatch):
    """Calc passes the whole range to every PARETOGRADE call: the bridge converts one content
    once (bench: 10,000 cells over 10,000 values), and a changed range is converted anew."""
    mod = _bridge()
    converted = []
    real = mod._convert_rows
    monkeypatch.setattr(mod, "_convert_rows", lambda v: converted.append(v) or real(v))
    pareto = by_name("PARETOGRADE")
    column = ((50.0,), (30.0,), ("",), (10.0,), (5.0,))
    fresh = lambda: tuple(tuple(list(r)) for r in column)  # equal content, new objects
    grades = [mod.call(pareto, (v, fresh(), None, None, None), RuntimeError) for v in (50.0, 10.0, 1.0)]
    assert grades == ["A", "B", "C"] and len(converted) == 1  # 10 has 80 of 95 before: B
    assert mod._rows(fresh()) == ((50.0,), (30.0,), (None,), (10.0,), (5.0,))  # "" is empty
    changed = ((50.0,), (30.0,), (None,), (10.0,), (500.0,))
    assert mod.call(pareto, (50.0, changed, None, None, None), RuntimeError) == "B" and len(converted) == 2
    with pytest.raises(RuntimeError):  # a bad cell is never kept
        mod.call(pareto, (1.0, ((1.0,), (object(),)), None, None, None), RuntimeError)
    assert mod._rows([[1.0], [2.0]]) == ((1.0,), (2.0,))  # unhashable: converted each time
    for i in range(mod._RANGES_KEPT + 3):  # only the last few ranges are kept
        mod._rows(((float(i),),))
    assert len(mod._RANGES) == mod._RANGES_KEPT


def test_bridge_turns_a_wrong_argument_into_the_given_error():
    class ValueShown(Exception):
        pass

    abc = by_name("ABCGRADE")
    with pytest.raises(ValueShown, match="ABCGRADE"):
        bridge.call(abc, ("abc", 1.0, None, None, None, None, None), ValueShown)
    with pytest.raises(ValueShown):
        bridge.call(abc, (-1.0, 1.0, None, None, None, None, None), ValueShown)
    with pytest.raises(ValueShown):  # a block of numbers where one number is expected
        bridge.call(abc, (((1.0,), (2.0,)), 1.0, None, None, None, None, None), ValueShown)
    with pytest.raises(CellValueError):
        abc("abc", 1.0)


def test_bridge_results():
    assert bridge.call(by_name("SCORECARD"), (10.0, 0.5, 5.0, 5.0, 5.0), RuntimeError) == 75.0
    grades = bridge.call(by_name("PARETOGRADES"), (((50.0,), (None,), (30.0,), ("x",)), None, None, None), RuntimeError)
    assert grades == (("A",), ("",), ("A",), ("",))
    assert bridge.call(SMALL[1], (((1.0, 2.0),), None), RuntimeError) == (("2",),)


def test_bridge_array_results_are_rectangular():
    f = CellFunction("RAGGED", lambda v: ((1, None), (2,)), (Arg("v", RANGE, "v", "v", "v", "v"),), "array", "r", "r")
    assert bridge.call(f, (((1.0,),),), RuntimeError) == ((1.0, ""), (2.0, ""))
    g = CellFunction("FLAT", lambda v: ("A", "B"), (Arg("v", RANGE, "v", "v", "v", "v"),), "array", "r", "r")
    assert bridge.call(g, (((1.0,),),), RuntimeError) == (("A",), ("B",))


def test_bridge_and_component_need_only_the_standard_library_and_uno():
    allowed = set(sys.stdlib_module_names) | {
        "uno",
        "unohelper",
        "com",
        "org",
        "xlgradeaddin",
        "xlgradecells",
        "xlgrademenu",
    }
    assert len(list(OXT_DIR.glob("*.py"))) == 5
    for path in sorted(OXT_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for m in mods:
                assert m.split(".")[0] in allowed, (path.name, m)
