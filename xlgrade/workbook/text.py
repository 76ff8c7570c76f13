"""The workbook layer's bilingual text: every user-visible text of a workbook outside the
sheet declarations (:mod:`xlgrade.schema`) and the card declarations
(:mod:`xlgrade.workbook.cards`), in one catalogue: ``TEXT(key, lang)``.

The forms (附表一 ...) are keys too: their English names.
"""

from __future__ import annotations

from xlgrade.engine.rulelabels import SECTIONS
from xlgrade.engine.text import Catalogue, in_lang

STORE_RULES = SECTIONS["store"]  # the 规则 sheet's section the store form's notes point to

TEXT = Catalogue(
    {
        "title": ("xlgrade 客户分级", "xlgrade customer grading"),
        "subject": ("客户分级管理工作簿", "Customer grading workbook"),
        "summary_title": ("客户分级汇总", "Customer grading summary"),
        "page_footer": ("第 &P 页,共 &N 页", "Page &P of &N"),
        "list_title": ("请从列表中选择", "Choose from the list"),
        "list_error": (
            "请从下拉列表中选择;如需新增选项,请先在「下拉列表」工作表中添加(该表已隐藏:右键工作表标签 → 取消隐藏)。",
            "Choose a value from the drop-down list; add new values on the Lists sheet first "
            "(a hidden sheet: right-click a sheet tab -> Unhide).",
        ),
        "score_title": ("评分 0-10", "Score 0-10"),
        "score_error": (
            "评分应为 0-10 分(可从下拉列表选择,也可输入 7.5 这样的小数)。",
            "A score is 0 to 10 (choose from the list, or type a decimal such as 7.5).",
        ),
        "share_title": ("比例 0-1", "Share 0-1"),
        "share_error": (
            "请输入 0 到 1 之间的小数,或输入百分比,如 0.8 或 80%。",
            "Enter a share between 0 and 1, e.g. 0.8 or 80%.",
        ),
        "date_title": ("日期", "Date"),
        "date_error": (
            "请输入 1900 年以后的日期,例如 2026-03-05、2026/3/5 或 2026年3月5日。",
            "Enter a date after 1900, such as 2026-03-05 or 2026/3/5.",
        ),
        "datetime_error": (
            "请输入日期和时间,例如 2026-03-05 14:30 或 2026/3/5 9:05(时间可省略)。",
            "Enter a date and time such as 2026-03-05 14:30 or 2026/3/5 9:05 (time optional).",
        ),
        "language": ("zh-CN", "en"),  # the document property
        # seed 000's 顾客档案分析表: its slogans and 使用说明, printed with the form
        "store_clients_motto": (
            "最好的拓客方法就是留客!提升顾客满意度是店永续长存的关键所在!",
            "The best way to win clients is to keep them! Client satisfaction is what keeps a store in business.",
        ),
        "store_clients_notes": (
            "使用说明:\n"
            "1.用途:此表用于月总结跟踪顾客满意度或启动项目前分析顾客用,检查并提升该店的顾客满意度;\n"
            "2.表格内填写项目次数的格式是“6∕15”,表明已有项目15次还剩余6次;\n"
            "3.从表中可观察的信息有:是谁办的卡?是谁服务的?了解该顾客的消费档次和到店频率,根据进店时间等判断满意度,"
            "及时发现顾客需求和解决问题,另外还可看出美容师的特长和问题。\n"
            f"4.“总次数”至“跟进提示”各列由月度重算填写;消费档次、到店频率的分界和回访、续卡提示的天数、次数见「规则」表「{STORE_RULES[0]}」各项。",
            "Instructions:\n"
            "1. Purpose: the monthly review of client satisfaction, or a look at the clients before a treatment is "
            "launched; check and raise the store's client satisfaction.\n"
            '2. Write the sessions as "6/15": 15 sessions bought, 6 of them left.\n'
            "3. What the sheet shows: who sold the card, who serves the client, the client's spending level and visit "
            "frequency; judge satisfaction from the visits, spot needs and problems early, and see each beautician's "
            "strengths and problems.\n"
            '4. The columns from "Sessions bought" to "Follow-up" are filled by the monthly recalculation; the limits '
            f"of the levels and classes and of the follow-up hints are the {STORE_RULES[1]} rules on the Rules sheet.",
        ),
        # the seed's appendix tables (a sheet's form)
        **{
            zh: (zh, f"Appendix {n}")
            for n, zh in enumerate(
                ("附表一", "附表二", "附表三", "附表四", "附表五", "附表六", "附表七", "附表八"), start=1
            )
        },
    }
)

__all__ = ["TEXT", "in_lang"]
