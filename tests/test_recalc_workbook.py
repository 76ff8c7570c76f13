"""`xlgrade recalc` on workbook files: a hand-filled workbook, typed cells, idempotence."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import openpyxl
import pytest

from xlgrade.cli import main
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, HISTORY, LEDGER, PROFILES, RUN_LOG, SHEETS, VALIDATION
from xlgrade.workbook.package import Package
from xlgrade.workbook.template import template_path

INPUT_SHEETS = [s.zh for s in (CUSTOMERS, PROFILES, LEDGER, COMPLAINTS)]


def cells(path, sheets=None, *, skip=()):
    """Every non-empty cell value (formulas as text) of the given sheets."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        if (sheets is not None and ws.title not in sheets) or ws.title in skip:
            continue
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = c.value
    return out


@pytest.fixture
def handmade(tmp_path):
    """The zh template filled in the way a person types: text amounts and dates, blank rows,
    a duplicate id, a ledger line for an unknown customer, a return, a title-less paste below."""
    path = tmp_path / "手工.xlsx"
    shutil.copyfile(template_path("zh"), path)
    book = openpyxl.load_workbook(path)
    cust = book[CUSTOMERS.zh]
    typed = [
        ("C001", "杭州恒达医药有限公司", "王伟", "医药", "张伟", 8, 9, 7),
        ("C002", "宁波华信电子科技有限公司", "李娜", "电子", "王芳", 5, "7.5", 6),
        (None, None, None, None, None, None, None, None),  # blank row inside
        ("C003", "苏州鑫源机械有限公司", "陈静", "机械", "张伟", 12, 4, 3),  # score 12: out of range
        ("C002", "重复录入的公司", "某人", "电子", "王芳", 1, 1, 1),  # duplicate id
    ]
    cols = {c.key: i + 1 for i, c in enumerate(CUSTOMERS.columns)}
    for r, (cid, company, contact, industry, sales, ch, loy, pro) in enumerate(typed, start=2):
        for key, value in (
            ("customer_id", cid),
            ("company", company),
            ("contact", contact),
            ("industry", industry),
            ("salesperson", sales),
            ("channel", ch),
            ("loyalty", loy),
            ("prospects", pro),
        ):
            cust.cell(row=r, column=cols[key], value=value)
    led = book[LEDGER.zh]
    lcols = {c.key: i + 1 for i, c in enumerate(LEDGER.columns)}
    lines = [
        ("C001", "2026/3/5", "120,000.50", 10),
        ("C001", "2026年4月1日", "¥8,000", 2),
        ("C001", dt.datetime(2026, 5, 2), 30000, 3),
        ("C001", "2026-06-01", "1.2万", 1),
        ("C001", "2026-07-15", "15,000", 1),
        ("C001", "2026-08-15", "9000", 1),
        (None, None, None, None),  # blank row
        ("C002", "2026-02-01", "52,300", 4),
        ("C002", "3/5/2026", "100", 1),  # ambiguous date
        ("C002", "2026-09-01", "-1,500", -1),  # a return
        ("C002", "2026-09-02", "许多", 1),  # not an amount
        ("C009", "2026-09-03", "5,000", 1),  # unknown customer
        ("", "2026-09-04", "700", 1),  # no customer id
    ]
    for r, (cid, date, amount, qty) in enumerate(lines, start=2):
        for key, value in (("customer_id", cid), ("date", date), ("amount", amount), ("quantity", qty)):
            led.cell(row=r, column=lcols[key], value=value)
    book.save(path)
    return path


def test_handmade_workbook_recalculates_without_losing_a_row(handmade, capsys):
    before = cells(handmade, INPUT_SHEETS)
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    err = capsys.readouterr().err
    after = cells(handmade, INPUT_SHEETS)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing typed changed
    book = openpyxl.load_workbook(handmade)
    history = [r for r in book[HISTORY.zh].iter_rows(min_row=2, values_only=True) if r[0]]
    graded = {r[1]: r for r in history}
    assert set(graded) == {"C001", "C002", "C003", "C009"}  # the unknown customer too
    assert graded["C001"][4] == "A"  # 6 orders > 5, 120,000.50 + 8,000 + ... > 100,000
    assert graded["C002"][9] == pytest.approx(52_300 - 1_500)  # the return counts
    validation = [r for r in book[VALIDATION.zh].iter_rows(min_row=2, values_only=True) if r[0]]
    where = {(r[0].split("]")[-1], r[1], r[2]) for r in validation}
    ledger, customers = LEDGER.zh, CUSTOMERS.zh
    assert (ledger, 10, "提货日期") in where  # 3/5/2026
    assert (ledger, 12, "货物价款") in where  # 许多
    assert (ledger, 14, "客户编号") in where  # blank id
    assert (ledger, 13, "客户编号") in where  # unknown C009 (noted, used)
    assert (customers, 6, "客户编号") in where  # duplicate C002
    assert (customers, 5, "渠道覆盖") in where  # score 12
    values = {str(r[3]) for r in validation}
    assert "3/5/2026" in values and "许多" in values
    assert "3/5/2026" in err


def test_recalc_twice_gives_the_same_workbook_content(handmade):
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    first = cells(handmade, skip={RUN_LOG.zh})
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    assert cells(handmade, skip={RUN_LOG.zh}) == first
    log = [r for r in openpyxl.load_workbook(handmade)[RUN_LOG.zh].iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(log) == 2 and {r[2] for r in log} == {"2026-10"}  # one row per run, by design


def test_recalc_keeps_a_backup_and_reports(handmade, capsys):
    original = handmade.read_bytes()
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    backups = list((handmade.parent / "xlgrade-backup").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == original
    out = capsys.readouterr().out
    assert "2026-10" in out and "4 位客户" in out
    assert main(["report", str(handmade)]) == 0
    report = capsys.readouterr().out
    assert "客户分级汇总 2026-10" in report and "等级迁移矩阵" in report


def test_recalc_refuses_a_workbook_open_in_libreoffice(handmade, capsys):
    (handmade.parent / f".~lock.{handmade.name}#").write_text("someone,host,...")
    assert main(["recalc", str(handmade)]) == 2
    assert handmade.name in capsys.readouterr().err


def test_new_and_report_commands(tmp_path, capsys):
    path = tmp_path / "empty.xlsx"
    assert main(["new", str(path), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(path).sheetnames[0] == CUSTOMERS.en
    assert main(["new", str(path)]) == 2  # never overwrites silently
    capsys.readouterr()
    assert main(["report", str(path)]) == 1  # never recalculated: says how to run the job
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has not run on it yet" in err[0] and f"xlgrade recalc {path}" in err[0]
    assert main(["recalc", str(path)]) == 0  # an empty workbook works too
    capsys.readouterr()
    assert main(["report", str(path)]) == 0
    assert "Customer grading summary" in capsys.readouterr().out


def test_every_declared_sheet_survives_a_recalc(handmade):
    main(["recalc", str(handmade), "--month", "2026-10"])
    names = openpyxl.load_workbook(handmade).sheetnames
    assert [s.zh for s in SHEETS.values()] == [n for n in names if n != "xlgrade"]


def test_demo_builds_a_workbook_runs_the_job_and_prints_the_summary(tmp_path, capsys):
    assert main(["demo", str(tmp_path), "--customers", "40"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "xlgrade-demo.xlsx"
    assert path.exists() and (tmp_path / "ledger.csv").exists()
    assert "客户分级汇总" in out and "40 个客户" in out  # the zh demo speaks Chinese
    book = openpyxl.load_workbook(path, read_only=True)
    months = {r[0] for r in book[HISTORY.zh].iter_rows(min_row=2, values_only=True) if r[0]}
    assert months == {f"2026-{m:02d}" for m in range(5, 11)}  # the job ran for each of the last 6 months


# ---- idempotence at the XML level --------------------------------------------------------------
def _zip_members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _run_log_parts(path) -> tuple[set[str], str]:
    """The run log's sheet and table parts, and the sheet's name."""
    pkg = Package(path)
    name = next(n for n in pkg.sheet_names() if n in (RUN_LOG.zh, RUN_LOG.en))
    return {pkg.sheet_part(name), *pkg.tables(name).values()}, name


def _without_run_log_print_area(workbook_xml: bytes, sheet_index: int) -> bytes:
    """workbook.xml minus the run log's print area (it covers the run log's rows, one more each run)."""
    pattern = rb'<definedName name="_xlnm.Print_Area" localSheetId="%d">[^<]*</definedName>' % sheet_index
    out, n = re.subn(pattern, b"", workbook_xml)
    assert n == 1  # the template gives the run log a print area
    return out


def assert_same_but_the_run_log(first: dict[str, bytes], second: dict[str, bytes], path) -> None:
    """Every member byte-identical, except the run log's sheet and table parts and its print area."""
    assert list(second) == list(first)  # the same members, in the same order
    log_parts, log_name = _run_log_parts(path)
    index = Package(path).sheet_names().index(log_name)
    differ = sorted(n for n in first if first[n] != second[n])
    assert set(differ) <= log_parts | {"xl/workbook.xml"}, differ
    assert _without_run_log_print_area(second["xl/workbook.xml"], index) == _without_run_log_print_area(
        first["xl/workbook.xml"], index
    )
    sheet = next(p for p in log_parts if p.startswith("xl/worksheets/"))
    assert first[sheet] != second[sheet]  # the run log did get its row


def test_recalc_twice_changes_no_part_but_the_run_log(handmade):
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    first = _zip_members(handmade)
    assert main(["recalc", str(handmade), "--month", "2026-10"]) == 0
    assert_same_but_the_run_log(first, _zip_members(handmade), handmade)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_recalc_twice_on_a_demo_workbook_with_charts_changes_no_part_but_the_run_log(tmp_path, lang, capsys):
    assert main(["demo", str(tmp_path), "--lang", lang, "--customers", "40"]) == 0
    path = next(tmp_path.glob("*.xlsx"))
    assert main(["recalc", str(path), "--month", "2026-10"]) == 0
    before = _zip_members(path)
    assert any(n.startswith("xl/charts/") for n in before)  # the summary's charts are there to compare
    for _ in range(2):  # a third run too: nothing may drift from run to run
        assert main(["recalc", str(path), "--month", "2026-10"]) == 0
        after = _zip_members(path)
        assert_same_but_the_run_log(before, after, path)
        before = after
