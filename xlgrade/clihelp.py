"""The command line's help in Chinese and English: which language, and every help text.

Rules:

1. The language of ``--help`` (:func:`help_lang`): ``--lang zh|en`` on the command line, else
   the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set: ``zh_CN.UTF-8`` ->
   Chinese), else English.
2. Every help text of :func:`xlgrade.cli.build_parser` is one entry of :data:`HELP` (zh, en);
   argparse's own headings ("usage:", "options", "show this help message and exit") are
   given in that language too (:class:`Formatter`, :func:`localise`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

from xlgrade.engine.text import Catalogue

HELP = Catalogue(
    {
        "description": (
            "从销售台账为客户分级 A/B/C(及 VIP/骨干客户 等),在终端或工作簿中使用。",
            "Grade customers A/B/C (and VIP/core ...) from a sales ledger, in the terminal or in a workbook.",
        ),
        "version": ("显示版本号并退出", "show the version and exit"),
        "help": ("显示本帮助并退出", "show this help message and exit"),
        "commands": ("命令", "commands"),
        "usage": ("用法:", "usage:"),
        "positionals": ("参数", "positional arguments"),
        "options": ("选项", "options"),
        "grade": (
            "为台账(.csv、.xlsx、Parquet、CSV 通配符或 DuckDB 数据库)中的每个客户分级",
            "grade every customer of a ledger (.csv, .xlsx, Parquet, a CSV glob or a DuckDB database)",
        ),
        "grade.ledger": (
            "每行一笔交易:客户编号、日期、金额 ……(.csv、.xlsx;Parquet 文件或文件夹、CSV 通配符如 exports/*.csv、"
            "DuckDB 数据库(表 ledger):在 DuckDB 中算出每个客户的指标)",
            "one row per transaction line: customer_id, date, amount ... (.csv, .xlsx; a Parquet file or folder, "
            "a CSV glob such as exports/*.csv or a DuckDB database with a table ledger: the figures are computed "
            "inside DuckDB)",
        ),
        "grade.sql": (
            "台账行取自这条查询,源数据在查询中名为 ledger(如 \"select * from ledger where 区域 = '华东'\")",
            "take the ledger lines from this query, the source being the relation ledger in it "
            "(e.g. \"select * from ledger where region = 'East'\")",
        ),
        "grade.engine": (
            "计算每个客户指标的引擎(默认 duckdb,内嵌;spark 需要 xlgrade[spark])",
            "the engine computing the per-customer figures (default duckdb, embedded; spark needs xlgrade[spark])",
        ),
        "grade.method": (
            "分级方法(默认:规则 general.method,即阈值 ABC)",
            "grading method (default: the rule general.method, i.e. threshold)",
        ),
        "grade.as_of": (
            "评估日期(默认今天);之后的台账行不计",
            "evaluation date (default today); later ledger lines are ignored",
        ),
        "grade.customers": ("客户属性文件(.csv 或 .xlsx)", "per-customer attributes (.csv or .xlsx)"),
        "grade.rules": (
            "规则文件(.toml、.json,或键/值两列的 .csv/.xlsx)",
            "rule book (.toml, .json, or a key/value .csv/.xlsx)",
        ),
        "grade.measure": ("阈值累计量和帕累托排序所用的口径", "measure for threshold volume and Pareto ranking"),
        "grade.format": ("输出格式", "output format"),
        "grade.lang": ("说明文字的语言", "language of explanations"),
        "new": ("按模板新建空白工作簿", "create an empty workbook from the template"),
        "new.path": ("新工作簿的路径(.xlsx)", "path of the new workbook (.xlsx)"),
        "new.lang": ("工作表名称、表头和提示的语言(默认 zh)", "sheet names, headers and messages (default zh)"),
        "new.force": ("覆盖已有文件", "overwrite an existing file"),
        "demo": (
            "在 DIR 中生成一个逼真的演示工作簿,运行月度重算并显示汇总",
            "build a realistic demo workbook in DIR, run the monthly job, print the summary",
        ),
        "demo.dir": ("输出文件夹(默认 demo)", "output folder (default demo)"),
        "demo.lang": ("演示工作簿的语言(默认 zh)", "language of the demo workbook (default zh)"),
        "demo.customers": ("客户数(默认 300)", "number of customers (default 300)"),
        "demo.months": (
            "历史的月数:按顺序为最近 N 个月各运行一次月度重算(默认 {months};客户多于 {big} 时为 {big_months},"
            "使大型演示较快)",
            "months of History: the monthly job runs for each of the last N months in order (default {months}; "
            "{big_months} above {big} customers, to keep a large demo quick)",
        ),
        "upgrade": (
            "为旧版本制作的工作簿补上当前模板的工作表、列和规则,保留每个输入的单元格(先备份)",
            "give a workbook made by an older release what today's template has (sheets, columns, rules), "
            "keeping every typed cell (with a backup)",
        ),
        "export_masked": (
            "写出可对外提供的副本:联系人、电话、地址和个人字段脱敏,公式转为数值;导出记入运行日志",
            "write a copy of a workbook to share: contacts, phones, addresses and person fields masked, "
            "formulas as values; the export is recorded in the run log",
        ),
        "export_masked.book": (
            "工作簿(除运行日志外不作改动)",
            "the workbook (it is not changed except for its run log)",
        ),
        "export_masked.out": ("要写出的脱敏副本(与工作簿后缀相同)", "the masked copy to write (same suffix as BOOK)"),
        "export_masked.force": ("副本已存在时覆盖", "overwrite OUT if it exists"),
        "recalc": (
            "对工作簿做月度重算,原地写回(先备份)",
            "the monthly recalculation of a workbook, in place (with a backup)",
        ),
        "path": ("工作簿路径", "the workbook"),
        "recalc.ledger": (
            "台账行取自此来源(Parquet、CSV 通配符、DuckDB 数据库;可配 --sql),工作簿的台账表保持原样",
            "take the ledger lines from this source (Parquet, a CSV glob, a DuckDB database; with --sql), "
            "leaving the workbook's ledger sheet as staff typed it",
        ),
        "recalc.month": (
            "评估月份,可写作 2026-09、2026/9、2026年9月 或 202609;不晚于本月(默认:台账最新一行所在月份)",
            "month to evaluate, as 2026-09, 2026/9, 2026年9月 or 202609; not after this month "
            "(default: the month of the latest ledger line)",
        ),
        "wait": (
            "另一个 xlgrade 正在处理该工作簿时,最多等待这么多秒后放弃(默认 {default})",
            "while another xlgrade run works on the workbook, wait this long for it, then give up (default {default})",
        ),
        "restore": (
            "列出工作簿的备份,或恢复其中一个(当前文件先另存为备份)",
            "list a workbook's backups, or put one back (the current file is kept as a backup first)",
        ),
        "restore.list": (
            "列出备份:日期、大小、最后一次运行的月份",
            "list the backups: date, size, month of the last run",
        ),
        "restore.from": ("要恢复的备份:列表中的名称或路径", "the backup to put back: its name in the list, or a path"),
        "report": ("以表格形式显示工作簿的汇总表", "print a workbook's summary sheet as tables"),
        "addins": ("从单元格函数清单生成表格插件", "build the spreadsheet add-ins from the cell-function registry"),
        "addins.commands": ("插件命令", "add-in commands"),
        "addins.build": (
            "把 Excel 插件 xlgrade.xlam 和 LibreOffice 扩展 xlgrade.oxt 写入 DIR",
            "write the Excel add-in xlgrade.xlam and the LibreOffice extension xlgrade.oxt into DIR",
        ),
        "addins.dir": ("输出文件夹(默认 dist/)", "output directory (default dist/)"),
        "install": (
            "把单元格函数安装到 LibreOffice Calc 或 Excel",
            "install the cell functions into LibreOffice Calc or Excel",
        ),
        "uninstall": (
            "从 LibreOffice Calc 或 Excel 卸载单元格函数",
            "remove the cell functions from LibreOffice Calc or Excel",
        ),
        "install.target": ("表格软件(libreoffice 或 excel)", "the spreadsheet (libreoffice or excel)"),
        "install.profile": (
            "安装到该 LibreOffice 配置文件夹(-env:UserInstallation)而不是你自己的;以 root 运行且不给此项时,为所有用户安装(unopkg --shared)",
            "a LibreOffice profile directory (-env:UserInstallation) instead of your own; "
            "as root without it, the extension goes to every user (unopkg --shared)",
        ),
        "install.dry_run": ("excel:列出每一步,不做任何改动", "excel: print every step, change nothing"),
        "rules": (
            "以 TOML、JSON 或表格显示规则(默认值,或某个文件中的)",
            "print the rule book (defaults, or a file's) as TOML, JSON or a table",
        ),
        "rules.rules": ("要读取的规则文件(不给则为默认值)", "rule book to read instead of the defaults"),
        "rules.format": ("输出格式", "output format"),
        "rules.lang": ("规则名称和说明的语言", "language of the rule names and descriptions"),
    }
)


def help_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of the help (rule 1)."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in ("zh", "en"):
            return args[i + 1]
        if arg.startswith("--lang=") and arg[7:] in ("zh", "en"):
            return arg[7:]
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Formatter(argparse.HelpFormatter):
    """argparse's help with its "usage:" in the help's language."""

    lang = "en"

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:  # argparse passes "" when it computes a sub-command's prog
            prefix = HELP("usage", self.lang) + " "
        return super().add_usage(usage, actions, groups, prefix=prefix)


def formatter(lang: str) -> type[Formatter]:
    return type(f"Formatter_{lang}", (Formatter,), {"lang": lang})


def localise(parser: argparse.ArgumentParser, lang: str) -> None:
    """Headings and the -h text of ``parser`` in ``lang`` (argparse writes them in English)."""
    parser._positionals.title = HELP("positionals", lang)
    parser._optionals.title = HELP("options", lang)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = HELP("help", lang)
