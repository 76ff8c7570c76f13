"""The 客户分级 / Customer grading menu: Addons.xcu, the menu's settings and its logic without
UNO; in real Calc, the menu is registered and its commands run on an opened document --
月度重算 leaves 历史 and 汇总 exactly as ``xlgrade recalc`` does."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

from xlgrade.addins.lo import menu, names, package
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, RUN_LOG

OOR = "{http://openoffice.org/2001/registry}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OXT_DIR = Path(package.__file__).with_name("oxt")


def _load(name):
    spec = importlib.util.spec_from_file_location(name + "_under_test", OXT_DIR / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


M = _load("xlgrademenu")
CFG = json.loads(menu.settings_json("9.9", None))


def _titles(node):
    (title,) = [p for p in node if p.tag == "prop" and p.get(OOR + "name") == "Title"]
    return {v.get(XML_LANG): v.text for v in title}


def _url(node):
    (url,) = [p for p in node if p.tag == "prop" and p.get(OOR + "name") == "URL"]
    return url[0].text


def test_addons_xcu_menu_and_toolbar():
    root = ET.fromstring(menu.generate_addons_xcu())
    assert root.get(OOR + "name") == "Addons"
    (ui,) = root
    bars = {n.get(OOR + "name"): n for n in ui}
    (top,) = bars["OfficeMenuBar"]
    assert _titles(top) == {"zh-CN": "客户分级", "en-US": "Customer grading"}
    (sub,) = [n for n in top if n.tag == "node"]
    entries = [(_titles(e)["zh-CN"], _titles(e)["en-US"], _url(e)) for e in sub]
    assert [e[0] for e in entries] == ["月度重算", "新建工作簿", "打开规则", "投诉到期检查", "导出脱敏副本", "关于"]
    assert entries[0] == ("月度重算", "Monthly recalculation", "service:org.xlgrade.Menu?monthly")
    assert entries[4] == ("导出脱敏副本", "Export masked copy", "service:org.xlgrade.Menu?export_masked")
    (toolbar,) = bars["OfficeToolBar"]
    assert [_url(e) for e in toolbar][0] == "service:org.xlgrade.Menu?monthly"


def test_settings_carry_the_schema_names():
    assert CFG["sheets"]["summary"] == {"zh": "汇总", "en": "Summary"}
    assert CFG["sheets"]["rules"] == {"zh": "规则", "en": "Rules"}
    assert CFG["complaint_columns"]["due"] == {"zh": COMPLAINTS.column("due").zh, "en": COMPLAINTS.column("due").en}
    assert CFG["python"] is None and CFG["version"] == "9.9"


def test_workbook_language():
    assert M.workbook_lang(["汇总", "历史"], CFG) == "zh"
    assert M.workbook_lang(["Summary", "History"], CFG) == "en"
    assert M.workbook_lang(["Sheet1"], CFG) == "zh"


def test_complaint_check():
    cols = CFG["complaint_columns"]
    header = [cols[k]["zh"] for k in ("complaint_no", "customer_name", "complaint_time", "reply_time", "due")]
    now = datetime(2026, 10, 10, 12, 0)
    day = (now - M.EPOCH).total_seconds() / 86400
    rows = [
        ("T1", "甲公司", day - 3, None, day - 1),  # overdue
        ("T2", "乙公司", day - 3, day - 2.5, day - 1),  # replied: not listed
        ("T3", "丙公司", day, None, day + 0.5),  # due within 24 h
        ("T4", "丁公司", day, None, day + 3),
    ]  # later
    msg = M.complaint_check(rows, header, "zh", CFG, now)
    assert msg.splitlines() == [
        "1 件投诉已超期未回复:T1 甲公司 (2026-10-09 12:00)",
        "1 件投诉将在 24 小时内到期:T3 丙公司 (2026-10-11 00:00)",
    ]
    assert M.complaint_check(rows[3:], header, "zh", CFG, now) == M.say("zh", "complaints_none")


def test_complaint_check_in_queue_order_with_the_level():
    cols = CFG["complaint_columns"]
    keys = ("complaint_no", "customer_name", "complaint_time", "reply_time", "due", "priority", "queue")
    header = [cols[k]["en"] for k in keys]
    now = datetime(2026, 10, 10, 12, 0)
    day = (now - M.EPOCH).total_seconds() / 86400
    rows = [
        ("T1", "Alpha", day - 9, None, day - 2, "Low", 3),
        ("T2", "Beta", day - 3, None, day - 1, "High", 1),
        ("T3", "Gamma", day - 4, None, day - 1, "Medium", 2),
        ("T4", "Delta", day, None, day + 0.5, "Low", 4),
    ]
    msg = M.complaint_check(rows, header, "en", CFG, now)
    assert msg.splitlines() == [
        "3 unanswered complaints are overdue: T2 Beta (2026-10-09 12:00, priority High); "
        "T3 Gamma (2026-10-09 12:00, priority Medium); T1 Alpha (2026-10-08 12:00, priority Low)",
        "1 complaints are due within 24 hours: T4 Delta (2026-10-11 00:00, priority Low)",
    ]


def test_job_command_prefers_the_recorded_installation(monkeypatch):
    assert M.job_command({"python": sys.executable}, "recalc", "b.xlsx") == [
        sys.executable,
        "-m",
        "xlgrade",
        "recalc",
        "b.xlsx",
    ]
    monkeypatch.setattr(M.shutil, "which", lambda name: None)
    assert M.job_command({"python": None}, "recalc", "b.xlsx") is None
    ok, line = M.run_job({"python": None}, "en", "recalc", "b.xlsx")
    assert not ok and "xlgrade install libreoffice" in line


def test_run_job_reports_the_one_line_result_or_error(tmp_path):
    ok, line = M.run_job({"python": sys.executable}, "en", "recalc", str(tmp_path / "missing.xlsx"))
    assert not ok and line.startswith("The monthly recalculation failed: ") and "missing.xlsx" in line
    ok, line = M.run_job({"python": sys.executable}, "zh", "new", str(tmp_path / "n.xlsx"))
    assert ok and "n.xlsx" in line and (tmp_path / "n.xlsx").is_file()


def test_export_masked_proposes_a_copy_beside_the_workbook_and_runs_xlgrade(tmp_path):
    from xlgrade.workbook.masked import proposed_copy

    for path, lang in (("/d/客户.xlsx", "zh"), ("/d/book.xlsm", "en")):
        assert M.masked_copy_path(path, lang) == str(proposed_copy(Path(path), lang))  # as the Excel button
    assert M.masked_copy_path("/d/客户.xlsx", "zh") == "/d/客户-脱敏.xlsx"
    from xlgrade.workbook.template import new_workbook

    book = tmp_path / "b.xlsx"
    new_workbook(book, "zh")
    out = M.masked_copy_path(str(book), "zh")
    ok, line = M.run_job({"python": sys.executable}, "zh", "export-masked", str(book), out, failed="export_failed")
    assert ok and "已导出脱敏副本" in line and Path(out).is_file()
    ok, line = M.run_job({"python": sys.executable}, "zh", "export-masked", str(book), out, failed="export_failed")
    assert not ok and line.startswith("导出脱敏副本失败:") and "--force" in line


def test_every_menu_command_has_its_script():
    text = (OXT_DIR / "xlgrade_menu_script.py").read_text(encoding="utf-8")
    component = (OXT_DIR / "xlgrade_menu.py").read_text(encoding="utf-8")
    for command, *_ in menu.COMMANDS:
        assert f'_run("{command}", doc' in text, command
        assert f'command == "{command}"' in component, command


# ---- in real Calc ---------------------------------------------------------------------------
def script_url(function: str) -> str:
    return (
        f"vnd.sun.star.script:{names.OXT_NAME}|{names.SCRIPTS_DIR}|{names.MENU_SCRIPT}${function}"
        "?language=Python&location=user:uno_packages"
    )


@pytest.fixture(scope="module")
def calc(tmp_path_factory):
    from conftest import require_libreoffice, require_unoidl_write

    from xlgrade.addins.lo import build_oxt
    from xlgrade.lo import LibreOffice

    require_unoidl_write()
    require_libreoffice()
    oxt = build_oxt(tmp_path_factory.mktemp("oxt"), python=sys.executable)
    with LibreOffice(extensions=[oxt]) as lo:
        yield lo


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    from xlgrade import demo_data
    from xlgrade.workbook.template import InputData, build, save

    path = tmp_path_factory.mktemp("wb") / "demo.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=30))), path)
    return path


def _sheet_values(path, name):
    import openpyxl

    ws = openpyxl.load_workbook(path, data_only=False)[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.libreoffice
def test_menu_is_registered(calc):
    entries = calc.call("config_names", path="/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar")
    assert f"{names.EXTENSION_ID}.toolbar" in calc.call(
        "config_names", path="/org.openoffice.Office.Addons/AddonUI/OfficeToolBar"
    )
    assert f"{names.EXTENSION_ID}.menu" in entries


@pytest.mark.libreoffice
def test_monthly_from_the_menu_equals_xlgrade_recalc(calc, workbook, tmp_path):
    from xlgrade.cli import main

    by_menu, by_cli = tmp_path / "menu" / "book.xlsx", tmp_path / "cli" / "book.xlsx"
    for p in (by_menu, by_cli):
        p.parent.mkdir()
        shutil.copy(workbook, p)
    doc = calc.open(by_menu)
    line = calc.call("script", url=script_url("monthly"), doc=doc.key, closes_document=True, timeout=300)
    doc.closed = True  # the menu closed it, ran the job and reopened it
    assert "月度重算完成" in line, line
    assert calc.call("opened", path=str(by_menu), close=True) == ["汇总"]  # reopened on 汇总
    assert main(["recalc", str(by_cli)]) == 0
    for sheet in ("历史", "汇总"):
        assert _sheet_values(by_menu, sheet) == _sheet_values(by_cli, sheet), sheet
    with calc.open(by_menu) as again:
        assert again.errors() == []


@pytest.mark.libreoffice
def test_rules_complaints_and_about(calc, workbook, tmp_path):
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "book.xlsx"
    shutil.copy(workbook, path)
    run_month(FileBook(path), "2026-10")  # writes the complaints' due and status
    with calc.open(path) as doc:
        assert calc.call("script", url=script_url("rules"), doc=doc.key).startswith("已打开“规则”")
        assert calc.call("active_sheet", doc=doc.key) == "规则"
        msg = calc.call("script", url=script_url("complaints"), doc=doc.key)
        sheet = CFG["sheets"]["complaints"]["zh"]
        data = doc.get(sheet, doc.used_range(sheet).replace("A1:", "A1:", 1))
    head = next(i for i, row in enumerate(data) if CFG["complaint_columns"]["complaint_time"]["zh"] in row)
    expected = M.complaint_check([tuple(r) for r in data[head + 1 :]], data[head], "zh", CFG, datetime.now())
    assert msg == expected
    assert "已超期" in msg  # the demo's complaints of 2026 are past due now
    with calc.open(path) as doc:
        about = calc.call("script", url=script_url("about"), doc=doc.key)
        assert sys.executable in about and "xlgrade" in about


@pytest.mark.libreoffice
def test_export_masked_from_the_menu(calc, workbook, tmp_path):
    from xlgrade.cli import main
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "book.xlsx"
    shutil.copy(workbook, path)
    assert main(["recalc", str(path)]) == 0
    contacts = [c for c in FileBook(path).read_table(CUSTOMERS).frame["contact"] if c]
    out = tmp_path / "shared.xlsx"
    doc = calc.open(path)
    line = calc.call(
        "script", url=script_url("export_masked"), doc=doc.key, args=[str(out)], closes_document=True, timeout=300
    )
    doc.closed = True  # the menu closed it while xlgrade wrote its run log, and reopened it
    assert "已导出脱敏副本" in line, line
    assert calc.call("opened", path=str(path), close=True)
    import zipfile

    with zipfile.ZipFile(out) as z:
        text = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    assert contacts and not [c for c in contacts if c in text]
    assert FileBook(path).read_table(RUN_LOG).frame.iloc[-1]["output"] == str(out)
