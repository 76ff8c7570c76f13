"""What the buttons of the ribbon tab 客户分级 do; each VBA Sub of ``macros/XlgradeRibbon.bas``
calls one function here through xlwings' ``RunPython``.

The functions take an :class:`ExcelApp` (a small Protocol: the active workbook, the status
bar, a message box, a yes/no question, opening a file) so the logic runs on Linux against a
fake; from Excel they get :class:`XlwingsApp`, the adapter over xlwings. Messages follow the
active workbook's language (Chinese when no xlgrade workbook is active).

- :func:`monthly` (月度重算): asks to save the workbook, saves and closes it, runs the same
  :func:`~xlgrade.job.monthly.run_month` on the file as ``xlgrade recalc`` (so the results
  are equal by construction), reopens it on 汇总 and shows the one-line result or the error;
- :func:`new_workbook` (新建工作簿), :func:`open_rules` (打开规则), :func:`print_card`
  (打印资料卡), :func:`complaint_check` (投诉到期检查: the unanswered complaints past or within
  a day of their deadline, in the work-queue order 处理顺序, each with its priority level
  高 / 中 / 低), :func:`rules_help` (规则说明), :func:`about` (关于);
- :func:`export_masked` (导出脱敏副本): asks where to write the copy (proposing
  ``<name>-脱敏.xlsx`` beside the workbook) and, for an existing file, whether to replace it;
  saves and closes the workbook (the export writes its run log), runs the same
  :func:`~xlgrade.workbook.masked.export_masked` as ``xlgrade export-masked``, reopens the
  workbook and shows the one-line result or the error.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from xlgrade import __version__
from xlgrade.engine.text import in_lang
from xlgrade.schema.sheets import COMPLAINTS, ORG_CARD, RULES_SHEET, SUMMARY_SHEET

EPOCH = _dt.datetime(1899, 12, 30)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

TEXT = {
    "zh": {
        "no_workbook": "请先打开一个 xlgrade 工作簿(含“{sheet}”工作表)。",
        "not_saved": "请先把工作簿保存为 .xlsx 文件,再运行月度重算。",
        "not_xlsx": "月度重算只处理 .xlsx 工作簿:{name}",
        "ask_save": "月度重算要先保存并关闭工作簿,完成后重新打开。现在保存吗?",
        "cancelled": "已取消月度重算。",
        "running": "xlgrade:正在对 {name} 运行月度重算……",
        "reopening": "xlgrade:正在重新打开 {name}……",
        "failed": "月度重算失败:{why}",
        "no_sheet": "工作簿中没有“{sheet}”工作表。",
        "rules_opened": "已打开“{sheet}”工作表:修改“值”一列即可调整规则,然后运行月度重算。",
        "card_printed": "已打印“{sheet}”。",
        "complaints_none": "没有超期或 24 小时内到期的未回复投诉。",
        "complaints_overdue": "已超期未回复({n} 件):",
        "complaints_soon": "24 小时内到期({n} 件):",
        "priority": "优先级",
        "rules_help": "评级方法:{method}。规则在“{sheet}”工作表,改“值”一列后运行月度重算:\n{rules}",
        "about": "xlgrade {version} 客户分级(Excel 加载项,xlwings {xlwings})。",
        "new_done": "已新建工作簿:{path}",
        "new_cancelled": "未新建工作簿。",
        "export_not_saved": "请先把工作簿保存为 .xlsx 文件,再导出脱敏副本。",
        "export_not_xlsx": "导出脱敏副本只处理 .xlsx 工作簿:{name}",
        "export_title": "脱敏副本保存为",
        "export_replace": "{name} 已存在。替换它吗?",
        "export_ask_save": "导出脱敏副本要先保存并关闭工作簿(导出记录写入它的运行日志),完成后重新打开。现在保存吗?",
        "export_cancelled": "已取消导出脱敏副本。",
        "export_running": "xlgrade:正在导出 {name} 的脱敏副本……",
        "export_failed": "导出脱敏副本失败:{why}",
    },
    "en": {
        "no_workbook": 'Open an xlgrade workbook (with a "{sheet}" sheet) first.',
        "not_saved": "Save the workbook as an .xlsx file first, then run the monthly recalculation.",
        "not_xlsx": "The monthly recalculation works on .xlsx workbooks only: {name}",
        "ask_save": "The monthly recalculation saves and closes the workbook, then reopens it. Save it now?",
        "cancelled": "Monthly recalculation cancelled.",
        "running": "xlgrade: running the monthly recalculation on {name}...",
        "reopening": "xlgrade: reopening {name}...",
        "failed": "The monthly recalculation failed: {why}",
        "no_sheet": 'The workbook has no sheet "{sheet}".',
        "rules_opened": 'Opened the "{sheet}" sheet: edit its value column, then run the monthly recalculation.',
        "card_printed": 'Printed "{sheet}".',
        "complaints_none": "No unanswered complaint is overdue or due within 24 hours.",
        "complaints_overdue": "Overdue, unanswered ({n}):",
        "complaints_soon": "Due within 24 hours ({n}):",
        "priority": "priority",
        "rules_help": 'Grading method: {method}. The rules are on the "{sheet}" sheet; edit the value column, '
        "then run the monthly recalculation:\n{rules}",
        "about": "xlgrade {version} customer grading (Excel add-in, xlwings {xlwings}).",
        "new_done": "New workbook: {path}",
        "new_cancelled": "No workbook created.",
        "export_not_saved": "Save the workbook as an .xlsx file first, then export the masked copy.",
        "export_not_xlsx": "The masked copy works on .xlsx workbooks only: {name}",
        "export_title": "Save the masked copy as",
        "export_replace": "{name} already exists. Replace it?",
        "export_ask_save": "The masked copy saves and closes the workbook (the export goes into its run log), "
        "then reopens it. Save it now?",
        "export_cancelled": "Masked copy cancelled.",
        "export_running": "xlgrade: exporting the masked copy of {name}...",
        "export_failed": "The masked copy failed: {why}",
    },
}


def say(lang: str, key: str, **values: Any) -> str:
    return in_lang(lang, TEXT["zh"], TEXT["en"])[key].format(**values)


class Workbook(Protocol):
    @property
    def path(self) -> str: ...  # full path, "" while never saved
    @property
    def saved(self) -> bool: ...  # no unsaved changes

    def sheet_names(self) -> list[str]: ...
    def save(self) -> None: ...
    def close(self) -> None: ...
    def activate(self, sheet: str) -> None: ...
    def values(self, sheet: str) -> list[list[Any]]: ...  # the used range, row by row
    def print_sheet(self, sheet: str) -> None: ...


class ExcelApp(Protocol):
    def active_workbook(self) -> Workbook | None: ...
    def open(self, path: str) -> Workbook: ...
    def status(self, text: str | None) -> None: ...  # None gives the status bar back to Excel
    def message(self, text: str) -> None: ...
    def ask_yes_no(self, text: str) -> bool: ...
    def ask_save_path(self, title: str, proposed: str = "") -> str | None: ...


def workbook_lang(sheet_names: Sequence[str]) -> str:
    names = set(sheet_names)
    return "en" if SUMMARY_SHEET.en in names and SUMMARY_SHEET.zh not in names else "zh"


def _book(app: ExcelApp) -> tuple[Workbook | None, str]:
    wb = app.active_workbook()
    if wb is None:
        return None, "zh"
    names = wb.sheet_names()
    if SUMMARY_SHEET.zh not in names and SUMMARY_SHEET.en not in names:
        return None, "zh"
    return wb, workbook_lang(names)


def _done(app: ExcelApp, text: str) -> str:
    app.message(text)
    return text


def _app(app: ExcelApp | None) -> ExcelApp:
    return app if app is not None else XlwingsApp()


# ---- 月度重算 ---------------------------------------------------------------------------------
def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def run_job(path: str) -> tuple[bool, str, str]:
    """The monthly job on a closed workbook file: (ok, lang, the one line to show)."""
    from xlgrade.io.duckfigures import frame_sql
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook

    lang = "zh"
    try:
        book = FileBook(path)
        lang = book.lang
        result = run_month(book, figure_sql=frame_sql)
    except Exception as exc:  # every failure is shown to the person who pressed the button
        return False, lang, say(lang, "failed", why=_first_line(exc))
    return True, result.lang, result.line(result.lang)


def monthly(app: ExcelApp | None = None) -> str:
    app = _app(app)
    wb, lang = _book(app)
    if wb is None:
        return _done(app, say(lang, "no_workbook", sheet=SUMMARY_SHEET.zh))
    if not wb.path:
        return _done(app, say(lang, "not_saved"))
    path = wb.path
    if not path.lower().endswith(WORKBOOK_SUFFIXES):
        return _done(app, say(lang, "not_xlsx", name=path))
    if not app.ask_yes_no(say(lang, "ask_save")):
        return _done(app, say(lang, "cancelled"))
    wb.save()
    name = Path(path).name
    app.status(say(lang, "running", name=name))
    try:
        wb.close()
        ok, _, line = run_job(path)
        app.status(say(lang, "reopening", name=name))
        reopened = app.open(path)
        summary = SUMMARY_SHEET.name(lang)
        if summary in reopened.sheet_names():
            reopened.activate(summary)
    finally:
        app.status(None)
    return _done(app, line)


# ---- 导出脱敏副本 -----------------------------------------------------------------------------
def run_export(path: str, target: str, force: bool) -> tuple[bool, str]:
    """``xlgrade export-masked`` on a closed workbook file: (ok, the one line to show)."""
    from xlgrade.workbook.guard import workbook_lang as file_lang
    from xlgrade.workbook.masked import export_masked as export

    lang = file_lang(Path(path)) or "zh"
    try:
        result = export(path, target, force=force)
    except Exception as exc:  # every failure is shown to the person who pressed the button
        return False, say(lang, "export_failed", why=_first_line(exc))
    return True, result.line(lang)


def export_masked(app: ExcelApp | None = None) -> str:
    from xlgrade.workbook.masked import proposed_copy

    app = _app(app)
    wb, lang = _book(app)
    if wb is None:
        return _done(app, say(lang, "no_workbook", sheet=SUMMARY_SHEET.zh))
    if not wb.path:
        return _done(app, say(lang, "export_not_saved"))
    path = wb.path
    if not path.lower().endswith(WORKBOOK_SUFFIXES):
        return _done(app, say(lang, "export_not_xlsx", name=path))
    target = app.ask_save_path(say(lang, "export_title"), str(proposed_copy(Path(path), lang)))
    if not target:
        return _done(app, say(lang, "export_cancelled"))
    suffix = Path(path).suffix
    if not target.lower().endswith(suffix.lower()):
        target += suffix
    force = Path(target).exists()  # Excel's save dialog does not ask before replacing
    if force and not app.ask_yes_no(say(lang, "export_replace", name=target)):
        return _done(app, say(lang, "export_cancelled"))
    if not app.ask_yes_no(say(lang, "export_ask_save")):
        return _done(app, say(lang, "export_cancelled"))
    wb.save()
    name = Path(path).name
    app.status(say(lang, "export_running", name=name))
    try:
        wb.close()
        _, line = run_export(path, target, force)
        app.status(say(lang, "reopening", name=name))
        app.open(path)
    finally:
        app.status(None)
    return _done(app, line)


# ---- the other buttons ------------------------------------------------------------------
def new_workbook(app: ExcelApp | None = None) -> str:
    from xlgrade.workbook.template import new_workbook as create

    app = _app(app)
    wb, lang = _book(app)
    path = app.ask_save_path("xlgrade")
    if not path:
        return _done(app, say(lang, "new_cancelled"))
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    create(path, lang=lang)
    app.open(path)
    return _done(app, say(lang, "new_done", path=path))


def _on_sheet(app: ExcelApp, sheet, act) -> str:
    """``act(workbook, sheet name, lang)`` on a sheet of the active xlgrade workbook; its message,
    or why there is no such workbook or sheet."""
    wb, lang = _book(app)
    if wb is None:
        return _done(app, say(lang, "no_workbook", sheet=SUMMARY_SHEET.zh))
    name = sheet.name(lang)
    if name not in wb.sheet_names():
        return _done(app, say(lang, "no_sheet", sheet=name))
    return _done(app, act(wb, name, lang))


def _sheet_action(app: ExcelApp, sheet, key: str, act) -> str:
    def run(wb, name, lang):
        act(wb, name)
        return say(lang, key, sheet=name)

    return _on_sheet(app, sheet, run)


def open_rules(app: ExcelApp | None = None) -> str:
    return _sheet_action(_app(app), RULES_SHEET, "rules_opened", lambda wb, name: wb.activate(name))


def print_card(app: ExcelApp | None = None) -> str:
    return _sheet_action(_app(app), ORG_CARD, "card_printed", lambda wb, name: wb.print_sheet(name))


def _when(value: Any) -> _dt.datetime | None:
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return EPOCH + _dt.timedelta(days=float(value))
    return None


def complaint_lines(rows: list[list[Any]], lang: str, now: _dt.datetime) -> str:
    """投诉到期检查 over the complaints sheet's cells: the header row is the one with 投诉时间
    (or Complaint time) among the first ten rows."""
    col = {
        key: COMPLAINTS.column(key).header(lang)
        for key in ("complaint_no", "customer_name", "complaint_time", "reply_time", "due", "priority", "queue")
    }
    first = next((i for i, header in enumerate(rows[:10]) if col["complaint_time"] in header), None)
    if first is None:
        return say(lang, "no_sheet", sheet=col["complaint_time"])
    header = rows[first]
    at = {key: header.index(name) if name in header else None for key, name in col.items()}

    def cell(row, key):
        j = at[key]
        return row[j] if j is not None and j < len(row) else None

    overdue, soon = [], []
    for row in rows[first + 1 :]:
        due = _when(cell(row, "due"))
        if due is None or cell(row, "reply_time") not in (None, ""):
            continue
        queue = cell(row, "queue")
        queue = queue if isinstance(queue, (int, float)) and not isinstance(queue, bool) else float("inf")
        level = cell(row, "priority")
        label = " ".join(str(v) for v in (cell(row, "complaint_no"), cell(row, "customer_name")) if v not in (None, ""))
        item = (
            queue,
            due,
            f"{label} ({due:%Y-%m-%d %H:%M}"
            + (f", {say(lang, 'priority')} {level})" if level not in (None, "") else ")"),
        )
        if due < now:
            overdue.append(item)
        elif due < now + _dt.timedelta(days=1):
            soon.append(item)
    parts = []
    for key, items in (("complaints_overdue", overdue), ("complaints_soon", soon)):
        if items:
            parts.append(say(lang, key, n=len(items)))
            parts += [f"  {text}" for _, _, text in sorted(items)]
    return "\n".join(parts) or say(lang, "complaints_none")


def complaint_check(app: ExcelApp | None = None, now: _dt.datetime | None = None) -> str:
    return _on_sheet(
        _app(app), COMPLAINTS, lambda wb, name, lang: complaint_lines(wb.values(name), lang, now or _dt.datetime.now())
    )


def rules_help(app: ExcelApp | None = None) -> str:
    from xlgrade.engine.rules import RuleBook
    from xlgrade.workbook.filebook import FileBook

    app = _app(app)
    wb, lang = _book(app)
    if wb is None:
        return _done(app, say(lang, "no_workbook", sheet=SUMMARY_SHEET.zh))
    book = FileBook(wb.path).read_rules() if wb.path else RuleBook()
    method = book.get("general.method")
    # as the rules sheet shows them: the rule's name and its value in a person's form (80%)
    rules = "\n".join(
        f"  {spec.name_in(lang)} = {spec.text(book.get(spec.key), lang)}"
        for spec in RuleBook.specs()
        if spec.section == method
    )
    sheet = RULES_SHEET.name(lang)
    name = RuleBook.spec_of("general.method").shown(method, lang)  # type: ignore[union-attr]
    return _done(app, say(lang, "rules_help", method=name, sheet=sheet, rules=rules))


def about(app: ExcelApp | None = None) -> str:
    import xlwings

    app = _app(app)
    _, lang = _book(app)
    return _done(app, say(lang, "about", version=__version__, xlwings=xlwings.__version__))


# ---- the adapter over xlwings (Windows, inside Excel) -----------------------------------
class XlwingsWorkbook:
    def __init__(self, book) -> None:
        self.book = book

    @property
    def path(self) -> str:
        full = self.book.fullname
        return full if Path(full).suffix else ""

    @property
    def saved(self) -> bool:
        return bool(self.book.api.Saved)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def save(self) -> None:
        self.book.save()

    def close(self) -> None:
        self.book.close()

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    def values(self, sheet: str) -> list[list[Any]]:
        data = self.book.sheets[sheet].used_range.options(ndim=2).value
        return [list(row) for row in data]

    def print_sheet(self, sheet: str) -> None:
        self.book.sheets[sheet].api.PrintOut()


class XlwingsApp:  # pragma: no cover - needs Excel
    """The running Excel, as RunPython sees it."""

    def __init__(self) -> None:
        import xlwings as xw

        self.xw = xw
        # xlwings types it App | None; the ribbon runs this only inside a running Excel.
        self.app: Any = xw.apps.active

    def active_workbook(self) -> XlwingsWorkbook | None:
        try:
            book = self.app.books.active
        except Exception:
            return None
        return XlwingsWorkbook(book) if book is not None else None

    def open(self, path: str) -> XlwingsWorkbook:
        return XlwingsWorkbook(self.app.books.open(path))

    def status(self, text: str | None) -> None:
        self.app.status_bar = text if text else False

    def message(self, text: str) -> None:
        self.app.alert(text, title="xlgrade")

    def ask_yes_no(self, text: str) -> bool:
        return self.app.alert(text, title="xlgrade", buttons="yes_no") == "yes"

    def ask_save_path(self, title: str, proposed: str = "") -> str | None:
        path = self.app.api.GetSaveAsFilename(proposed, "Excel (*.xlsx), *.xlsx", 1, title)
        return path if isinstance(path, str) and path else None
