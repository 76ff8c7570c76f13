"""The texts of the ribbon tab 客户分级 / Customer grading, in Chinese and English: said once, here.

``macros/customUI.xml`` carries no text: the tab, its groups and its buttons take their label,
screentip and supertip from ``getLabel`` / ``getScreentip`` / ``getSupertip`` callbacks of
``macros/XlgradeRibbon.bas``. Those read the table :func:`table_rows` that the build writes into
the add-in's ``xlgrade.conf`` sheet (its cells hold Unicode; VBA source must stay ASCII), in the
language of the active workbook.

The language rule is :func:`xlgrade.addins.excel.actions.workbook_lang` (the one the buttons'
messages follow): English when the active workbook has a sheet ``Summary`` and none ``汇总``,
else Chinese, also when no workbook is active. VBA cannot spell ``汇总``, so both sheet names
travel in the table too, under the key :data:`LANG_SHEET_KEY`.

Table layout (sheet ``xlgrade.conf``; xlwings reads only columns A:B of that sheet): the header
row :data:`TABLE_HEADER` in D1:F1, then one row per key from row 2 down to the first empty key:
``key`` in column D, the Chinese text in E, the English text in F. A control's label has its
id as key, its supertip ``<id>.supertip``; its screentip is its label.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlgrade.schema.sheets import COMPLAINTS, ORG_CARD, RULES_SHEET, SUMMARY_SHEET

TABLE_FIRST_COLUMN = 4  # D: the key; E zh; F en (1-based, as VBA's Cells(row, column))
TABLE_HEADER = ("key", "zh", "en")
LANG_SHEET_KEY = "lang.sheet"  # the sheet whose name tells an xlgrade workbook's language
SUPERTIP = ".supertip"


@dataclass(frozen=True)
class Control:
    """One control of the tab: its customUI id and its texts; a button has a supertip."""

    id: str
    zh: str
    en: str
    tip_zh: str = ""
    tip_en: str = ""

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def supertip(self, lang: str) -> str:
        return self.tip_en if lang == "en" else self.tip_zh


TAB = Control("xlgradeTab", "客户分级", "Customer grading")
GROUPS = (
    Control("xlgradeGroupRun", "月度重算", "Monthly"),
    Control("xlgradeGroupTools", "工具", "Tools"),
)
BUTTONS = (
    Control(
        "xlgradeMonthly",
        "月度重算",
        "Monthly recalculation",
        f"保存并关闭工作簿,运行月度重算(与 xlgrade recalc 相同),完成后重新打开到“{SUMMARY_SHEET.zh}”。",
        "Saves and closes the workbook, runs the monthly recalculation (as xlgrade recalc does), "
        f'then reopens it on "{SUMMARY_SHEET.en}".',
    ),
    Control(
        "xlgradeNewWorkbook",
        "新建工作簿",
        "New workbook",
        "从模板新建一个 xlgrade 工作簿(语言与当前工作簿相同)。",
        "Creates an xlgrade workbook from the template (in the active workbook's language).",
    ),
    Control(
        "xlgradeOpenRules",
        "打开规则",
        "Open rules",
        f"打开“{RULES_SHEET.zh}”工作表:修改“值”一列即可调整规则。",
        f'Opens the "{RULES_SHEET.en}" sheet: edit its value column to change the rules.',
    ),
    Control(
        "xlgradePrintCard",
        "打印资料卡",
        "Print record card",
        f"打印“{ORG_CARD.zh}”。",
        f'Prints the "{ORG_CARD.en}" sheet.',
    ),
    Control(
        "xlgradeComplaintCheck",
        "投诉到期检查",
        "Complaint deadlines",
        f"列出“{COMPLAINTS.zh}”中已超期或 24 小时内到期的未回复投诉。",
        f'Lists the unanswered complaints of "{COMPLAINTS.en}" that are overdue or due within 24 hours.',
    ),
    Control(
        "xlgradeExportMasked",
        "导出脱敏副本",
        "Export masked copy",
        "另存一份副本:联系人、电话、地址等个人信息已脱敏,公式已改为数值(与 xlgrade export-masked 相同);"
        "导出记录写入本工作簿的运行日志。",
        "Saves a copy with contacts, phones, addresses and other personal data masked and formulas as values "
        "(as xlgrade export-masked does); the export is recorded in this workbook's run log.",
    ),
    Control(
        "xlgradeRulesHelp",
        "规则说明",
        "About the rules",
        "显示评级方法和它的规则。",
        "Shows the grading method and its rules.",
    ),
    Control(
        "xlgradeAbout",
        "关于",
        "About",
        "显示 xlgrade 和 xlwings 的版本。",
        "Shows the versions of xlgrade and xlwings.",
    ),
)
CONTROLS: tuple[Control, ...] = (TAB, *GROUPS, *BUTTONS)


def texts() -> dict[str, tuple[str, str]]:
    """Every key of the table with its (zh, en) text, in table order."""
    out: dict[str, tuple[str, str]] = {LANG_SHEET_KEY: (SUMMARY_SHEET.zh, SUMMARY_SHEET.en)}
    for c in CONTROLS:
        out[c.id] = (c.zh, c.en)
        if c.tip_zh or c.tip_en:
            out[c.id + SUPERTIP] = (c.tip_zh, c.tip_en)
    return out


def table_rows() -> list[tuple[str, str, str]]:
    """The label table as the build writes it: the header row, then (key, zh, en) rows."""
    return [TABLE_HEADER, *((key, zh, en) for key, (zh, en) in texts().items())]
