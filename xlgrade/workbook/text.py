"""The workbook layer's bilingual text: every user-visible text of a workbook outside the
sheet declarations (:mod:`xlgrade.schema`) and the card declarations
(:mod:`xlgrade.workbook.cards`), in one catalogue: ``TEXT(key, lang)``.

The forms (附表一 ...) are keys too: their English names.
"""

from __future__ import annotations

from xlgrade.engine.text import Catalogue, in_lang

TEXT = Catalogue(
    {
        "title": ("xlgrade 客户分级", "xlgrade customer grading"),
        "subject": ("客户分级管理工作簿", "Customer grading workbook"),
        "summary_title": ("客户分级汇总", "Customer grading summary"),
        "page_footer": ("第 &P 页,共 &N 页", "Page &P of &N"),
        "list_title": ("请从列表中选择", "Choose from the list"),
        "list_error": (
            "请从下拉列表中选择;如需新增选项,请先在「下拉列表」工作表中添加(该表已隐藏:右键工作表标签 → 取消隐藏)。"
            "(Choose a value from the drop-down list; add new values on the Lists sheet.)",
            "Choose a value from the drop-down list; add new values on the Lists sheet first "
            "(a hidden sheet: right-click a sheet tab -> Unhide).",
        ),
        "score_title": ("评分 0-10", "Score 0-10"),
        "score_error": (
            "评分应为 0-10 分(可从下拉列表选择,也可输入 7.5 这样的小数)。(A score is 0 to 10.)",
            "A score is 0 to 10 (choose from the list, or type a decimal such as 7.5).",
        ),
        "share_title": ("比例 0-1", "Share 0-1"),
        "share_error": (
            "请输入 0 到 1 之间的小数,或输入百分比,如 0.8 或 80%。(Enter a share between 0 and 1, e.g. 0.8 or 80%.)",
            "Enter a share between 0 and 1, e.g. 0.8 or 80%.",
        ),
        "date_title": ("日期", "Date"),
        "date_error": (
            "请输入 1900 年以后的日期,例如 2026-03-05、2026/3/5 或 2026年3月5日。"
            "(Enter a date such as 2026-03-05 or 2026/3/5.)",
            "Enter a date after 1900, such as 2026-03-05 or 2026/3/5.",
        ),
        "datetime_error": (
            "请输入日期和时间,例如 2026-03-05 14:30 或 2026/3/5 9:05(时间可省略)。"
            "(Enter a date and time such as 2026-03-05 14:30.)",
            "Enter a date and time such as 2026-03-05 14:30 or 2026/3/5 9:05 (time optional).",
        ),
        "language": ("zh-CN", "en"),  # the document property
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
