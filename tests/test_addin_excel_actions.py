"""The ribbon's actions against a fake Excel (the Protocol of xlgrade.addins.excel.actions)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from xlgrade.addins.excel import actions, names
from xlgrade.cli import main
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, ORG_CARD, PROFILES, RULES_SHEET, RUN_LOG, SUMMARY_SHEET


class FakeBook:
    def __init__(self, app, path: str, sheets: list[str], values=None, saved=True):
        self.app, self.path, self._sheets, self._values, self.saved = app, path, sheets, values or {}, saved

    def sheet_names(self):
        return list(self._sheets)

    def save(self):
        self.app.log.append(("save", self.path))
        self.saved = True

    def close(self):
        self.app.log.append(("close", self.path))
        self.app.books.remove(self)

    def activate(self, sheet):
        self.app.log.append(("activate", sheet))

    def values(self, sheet):
        return self._values[sheet]

    def print_sheet(self, sheet):
        self.app.log.append(("print", sheet))


class FakeApp:
    def __init__(self, answer=True, save_path=None):
        self.books: list[FakeBook] = []
        self.log: list[tuple] = []
        self.messages: list[str] = []
        self.answer, self.save_path = answer, save_path

    def add(self, path, sheets, **kw):
        book = FakeBook(self, str(path), sheets, **kw)
        self.books.append(book)
        return book

    def active_workbook(self):
        return self.books[-1] if self.books else None

    def open(self, path):
        from openpyxl import load_workbook

        self.log.append(("open", str(path)))
        wb = load_workbook(path, read_only=True)
        sheets = wb.sheetnames
        wb.close()
        return self.add(path, sheets)

    def status(self, text):
        self.log.append(("status", text))

    def message(self, text):
        self.messages.append(text)

    def ask_yes_no(self, text):
        self.log.append(("ask", text))
        return self.answer

    def ask_save_path(self, title, proposed=""):
        self.log.append(("ask_path", title, proposed))
        return self.save_path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(out), "--customers", "12"]) == 0
    return next(out.glob("*.xlsx"))


def test_ribbon_subs_call_existing_actions():
    bas = (names.macros_dir() / f"{names.RIBBON_VBA_MODULE}.bas").read_text(encoding="ascii")
    called = re.findall(r'RunPython "import (\S+) as (\w+); \2\.(\w+)\(\)"', bas)
    assert len(called) == 8
    for module, _, fn in called:
        assert module == names.ACTIONS_MODULE and callable(getattr(actions, fn)), fn


def test_monthly_equals_xlgrade_recalc(demo, tmp_path, capsys):
    from xlgrade.workbook.report import format_summary, read_summary

    mine, theirs = tmp_path / "mine.xlsx", tmp_path / "theirs.xlsx"
    shutil.copyfile(demo, mine)
    shutil.copyfile(demo, theirs)
    app = FakeApp()
    app.add(mine, ["客户归类汇总表", SUMMARY_SHEET.zh], saved=False)
    line = actions.monthly(app)
    assert main(["recalc", str(theirs)]) == 0
    cli_line = capsys.readouterr().out.strip().splitlines()[-1]
    # the same one-line result as the command line (but for the seconds and the backup path)
    strip = lambda s: re.sub(r"用时 [\d.]+ 秒.*$", "", s)  # noqa: E731
    assert strip(line) == strip(cli_line) and "月度重算完成" in line
    assert app.messages == [line]
    assert format_summary(read_summary(mine)) == format_summary(read_summary(theirs))
    steps = [s for s, *_ in app.log]
    assert steps == ["ask", "save", "status", "close", "status", "open", "activate", "status"]
    assert app.log[-2] == ("activate", SUMMARY_SHEET.zh) and app.log[-1] == ("status", None)
    assert "正在" in app.log[2][1]


def test_monthly_refused_and_cancelled(tmp_path):
    app = FakeApp(answer=False)
    assert actions.monthly(app) == actions.say("zh", "no_workbook", sheet=SUMMARY_SHEET.zh)
    app.add("", [SUMMARY_SHEET.en])
    assert actions.monthly(app) == actions.say("en", "not_saved")
    app.add(tmp_path / "a.csv", [SUMMARY_SHEET.en])
    assert "xlsx" in actions.monthly(app)
    app.add(tmp_path / "a.xlsx", [SUMMARY_SHEET.en])
    assert actions.monthly(app) == "Monthly recalculation cancelled."
    assert ("save", str(tmp_path / "a.xlsx")) not in app.log


def test_monthly_failure_is_one_line_in_the_workbook_language(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    app = FakeApp()
    app.add(broken, [SUMMARY_SHEET.en])
    with pytest.raises(Exception):  # noqa: B017  (any error: the reopen fails too: the status bar is given back anyway
        actions.monthly(app)
    assert app.log[-1] == ("status", None)
    ok, _, line = actions.run_job(str(broken))
    assert not ok and line.startswith("月度重算失败:") and "\n" not in line


def test_new_workbook_open_rules_print_card(tmp_path):
    app = FakeApp(save_path=str(tmp_path / "new"))
    msg = actions.new_workbook(app)
    assert msg == actions.say("zh", "new_done", path=str(tmp_path / "new.xlsx"))
    assert (tmp_path / "new.xlsx").is_file() and app.log[-1] == ("open", str(tmp_path / "new.xlsx"))
    assert actions.open_rules(app) == actions.say("zh", "rules_opened", sheet=RULES_SHEET.zh)
    assert app.log[-1] == ("activate", RULES_SHEET.zh)
    actions.print_card(app)
    assert app.log[-1] == ("print", ORG_CARD.zh)
    assert actions.new_workbook(FakeApp(save_path=None)) == actions.say("zh", "new_cancelled")


def test_export_masked_equals_xlgrade_export_masked(demo, tmp_path, capsys):
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.masked import proposed_copy

    book = tmp_path / "book.xlsx"
    shutil.copyfile(demo, book)
    contacts = [c for c in FileBook(book).read_table(CUSTOMERS).frame["contact"] if c]
    target = tmp_path / "shared"
    app = FakeApp(save_path=str(target))
    app.add(book, [CUSTOMERS.zh, SUMMARY_SHEET.zh], saved=False)
    line = actions.export_masked(app)
    out = tmp_path / "shared.xlsx"
    assert "已导出脱敏副本" in line and app.messages == [line] and out.is_file()
    assert app.log[0] == ("ask_path", "脱敏副本保存为", str(proposed_copy(book, "zh")))
    assert [s for s, *_ in app.log] == ["ask_path", "ask", "save", "status", "close", "status", "open", "status"]
    with zipfile.ZipFile(out) as z:
        text = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
    assert contacts and not [c for c in contacts if c in text]
    assert FileBook(book).read_table(RUN_LOG).frame.iloc[-1]["output"] == str(out.resolve())
    # the same copy as the command line's, but for the run log (its time, path and seconds)
    cli = tmp_path / "cli.xlsx"
    assert main(["export-masked", str(demo), str(cli)]) == 0
    for name in (CUSTOMERS.zh, PROFILES.zh, ORG_CARD.zh):
        assert _rows(out, name) == _rows(cli, name), name
    # an existing copy: asked before replacing; no: nothing written
    stamp = out.read_bytes()
    app = FakeApp(answer=False, save_path=str(out))
    app.add(book, [SUMMARY_SHEET.zh])
    assert actions.export_masked(app) == actions.say("zh", "export_cancelled")
    assert app.log[1][0] == "ask" and "已存在" in app.log[1][1] and out.read_bytes() == stamp
    app = FakeApp(save_path=None)
    app.add(book, [SUMMARY_SHEET.en])
    assert actions.export_masked(app) == "Masked copy cancelled."
    app.add("", [SUMMARY_SHEET.en])
    assert actions.export_masked(app) == actions.say("en", "export_not_saved")
    ok, why = actions.run_export(str(book), str(book), False)
    assert not ok and why.startswith("导出脱敏副本失败:") and "\n" not in why


def _rows(path, sheet):
    import python_calamine

    with python_calamine.CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(sheet).to_python()


def test_complaint_check_in_queue_order_with_the_level():
    c = {
        k: COMPLAINTS.column(k).zh
        for k in ("complaint_no", "customer_name", "complaint_time", "reply_time", "due", "priority", "queue")
    }
    header = [c["complaint_no"], c["customer_name"], c["complaint_time"], c["reply_time"], c["priority"], c["queue"]]
    header.append(c["due"])
    now = dt.datetime(2026, 3, 10, 12)
    rows = [
        ["附表八"],
        header,
        ["T1", "甲", now, None, "中", 2, dt.datetime(2026, 3, 9)],  # overdue, second in the queue
        ["T2", "乙", now, None, "高", 1, dt.datetime(2026, 3, 10)],  # overdue, first
        ["T3", "丙", now, None, "低", 3, dt.datetime(2026, 3, 11, 6)],  # due within a day
        ["T4", "丁", now, now, "高", 5, dt.datetime(2026, 3, 9)],  # answered
        ["T5", "戊", now, None, "高", 4, dt.datetime(2026, 3, 20)],
    ]  # later
    app = FakeApp()
    app.add("x.xlsx", [SUMMARY_SHEET.zh, COMPLAINTS.zh], values={COMPLAINTS.zh: rows})
    text = actions.complaint_check(app, now=now)
    lines = text.splitlines()
    assert lines[0] == "已超期未回复(2 件):" and lines[1].startswith("  T2 乙") and lines[2].startswith("  T1 甲")
    assert lines[3] == "24 小时内到期(1 件):" and lines[4].startswith("  T3 丙") and len(lines) == 5
    assert lines[1] == "  T2 乙 (2026-03-10 00:00, 优先级 高)" and lines[2].endswith("优先级 中)")
    # serial numbers (as Excel may hand them over) work the same
    serial = [[*r[:6], (r[6] - actions.EPOCH).total_seconds() / 86400] if i > 1 else r for i, r in enumerate(rows)]
    assert actions.complaint_lines(serial, "zh", now) == text
    assert actions.complaint_lines([header], "zh", now) == actions.say("zh", "complaints_none")


def test_rules_help_and_about(demo):
    import xlwings

    app = FakeApp()
    app.add(demo, [SUMMARY_SHEET.zh])
    text = actions.rules_help(app)
    assert text.startswith("评级方法:阈值 ABC") and "阈值 ABC:A 类订单次数超过 = 5" in text
    assert "threshold.a_orders_over" not in text  # names, not keys, as the rules sheet shows them
    assert xlwings.__version__ in actions.about(app)
    assert actions.about(FakeApp()).startswith("xlgrade ")
