"""The job layer's bilingual text (summary sheet, derived sheets, run line): one catalogue.

``TEXT(key, lang, **values)`` is the text in ``lang``; the word maps below give the
language's word for a code the engine returns (a direction, a complaint status, an issue
action). The engine's own words (explanations, 已回复 ...) stay in the engine.
"""

from __future__ import annotations

from xlgrade.engine import dynamics, service
from xlgrade.engine.text import Catalogue, in_lang
from xlgrade.issues import IGNORED, NOTE, SKIPPED

TEXT = Catalogue(
    {
        # ---- the summary sheet (xlgrade.job.summary)
        "title": ("客户分级汇总 {month}", "Customer grading summary {month}"),
        "subtitle": (
            "分级方法:{method};截至 {day};客户 {customers} 家;台账 {lines} 行;销售统计期:{window}",
            "method: {method}; as of {day}; {customers} customers; {lines} ledger lines; sales over {window}",
        ),
        "total": ("合计", "Total"),
        "blank": ("(未填)", "(not entered)"),
        "grade": ("等级", "Grade"),
        "customers": ("客户数", "Customers"),
        "pct_customers": ("客户占比", "% customers"),
        "pct_sales": ("销售占比", "% sales"),
        "profit": ("毛利", "Profit"),
        "pct_profit": ("毛利占比", "% profit"),
        "share": ("占比", "Share"),
        "cumulative": ("累计占比", "Cumulative share"),
        "rank": ("排名", "Rank"),
        "customer_id": ("客户编号", "Customer ID"),
        "company": ("公司名称", "Company"),
        "no_customers": ("没有客户", "no customers"),
        # summary 1 grades
        "grades_title": ("各等级客户数、销售与毛利", "Customers, sales and profit by grade"),
        "grades_note": ("销售额、毛利:{window}", "sales and profit over {window}"),
        "grades_no_profit": ("台账无毛利数据", "the ledger has no profit"),
        "grades_chart": ("各等级客户占比与销售占比", "% customers and % sales by grade"),
        # summary 2 pareto
        "pareto_title": ("帕累托分析(80/20)", "Pareto analysis (80/20)"),
        "pareto_note": (
            "按{measure}从高到低;前 {k} 家客户(有{measure}客户的 {kp})合计占 {cum},达到 {a}",
            "by {measure}, highest first; the top {k} customers ({kp} of those with {measure}) "
            "hold {cum}, reaching {a}",
        ),
        "pareto_empty": ("统计期内没有{measure}为正的客户", "no customer with a positive {measure} in the window"),
        "pareto_chart": ("帕累托曲线", "Pareto curve"),
        "pareto_guide": ("A 类界线 {a}", "A boundary {a}"),
        # summary 3-5 counts
        "industry_title": ("等级 × 行业(客户数)", "Customers by industry and grade"),
        "industry": ("行业", "Industry"),
        "salesperson_title": ("等级 × 业务员(人员配置检查)", "Customers by salesperson and grade (staffing check)"),
        "salesperson": ("业务员", "Salesperson"),
        "staffing_note": (
            "配置标准:A 类每人 {a} 家,B 类每人 {b} 家,C 类每人 {c_min}–{c_max} 家;所需人数超过 1 为超负荷",
            "policy: A {a} per salesperson, B {b}, C {c_min}-{c_max}; more than 1 person needed means overloaded",
        ),
        "class": ("{c} 类", "class {c}"),
        "required_low": ("所需人数(下限)", "People needed (low)"),
        "required_high": ("所需人数(上限)", "People needed (high)"),
        "status": ("状态", "Status"),
        "unassigned": ("(未分配)", "(unassigned)"),
        "region_title": ("等级 × 区域(客户数)", "Customers by region and grade"),
        "region": ("区域", "Region"),
        # summary 6-7 breakdowns
        "product_title": ("产品销售(按客户等级)", "Sales by product and customer grade"),
        "product": ("产品", "Product"),
        "channel_title": ("渠道销售(按客户等级)", "Sales by channel and customer grade"),
        "channel": ("渠道", "Channel"),
        "no_column": ("台账没有{column}列", "the ledger has no {column} column"),
        "no_sales": ("统计期内没有销售", "no sales in the window"),
        "breakdown_note": ("销售额:{window}", "sales over {window}"),
        # summary 8-9 migration and changes
        "migration_title": ("等级迁移矩阵(行:上月,列:本月)", "Grade migration (rows: last month, columns: this month)"),
        "migration_corner": ("上月 \\ 本月", "Last \\ this month"),
        "new": ("新客户", "(new)"),
        "gone": ("流失", "(gone)"),
        "last_month": ("上月人数", "Last month"),
        "this_month": ("本月人数", "This month"),
        "migration_chart": ("各等级客户数:上月与本月", "Customers per grade, last month and this month"),
        "migration_note": ("上月为 {previous}", "last month is {previous}"),
        "migration_first": (
            "历史表中没有上月记录,全部客户计为新客户",
            "no earlier month in History: every customer counts as new",
        ),
        "changes_title": ("等级变动明细", "Grade changes"),
        "previous": ("上月等级", "Last month"),
        "current": ("本月等级", "This month"),
        "direction": ("变动", "Change"),
        "reason": ("原因", "Reason"),
        "changes_none": ("本月无变动", "no changes this month"),
        "changes_first": (
            "历史表中没有上月记录,本月为首次分级({n} 家客户),不逐一列出",
            "no earlier month in History: this is the first grading ({n} customers), not listed",
        ),
        "changes_note": (
            "升级 {up},降级 {down},新增 {new},流失 {gone}",
            "{up} up, {down} down, {new} new, {gone} gone",
        ),
        # summary 10 complaints
        "complaints_title": ("投诉(按客户等级)", "Complaints by customer grade"),
        "count": ("投诉数", "Complaints"),
        "open": ("处理中", "Open"),
        "overdue": ("已超期", "Overdue"),
        "replied": ("已回复", "Replied"),
        "replied_late": ("超期回复", "Replied late"),
        "reply_hours": ("平均回复(小时)", "Avg reply (hours)"),
        "unknown": ("(未知)", "(unknown)"),
        "complaints_note": ("截至 {day} 登记的全部投诉", "all complaints logged up to {day}"),
        "complaints_none": ("截至 {day} 没有投诉记录", "no complaints logged up to {day}"),
        # summary 11 credit
        "credit_title": ("信用(按客户等级)", "Credit by customer grade"),
        "overdue_customers": ("逾期客户数", "Customers overdue"),
        "overdue_balance": ("逾期余额", "Overdue balance"),
        "avg_score": ("平均信用分", "Avg credit score"),
        "credit_none": ("没有信用评估数据", "no credit evaluation"),
        "poor_title": ("信用等级为{label}的客户", "Customers with credit grade {label}"),
        "credit_score": ("信用分", "Credit score"),
        "max_days": ("最长逾期天数", "Max days overdue"),
        "poor_none": ("没有信用等级为{label}的客户", "no customer has credit grade {label}"),
        # summary 2 pareto: the measure ranked (values by rule pareto.measure)
        "measure_amount": ("销售额", "Sales"),
        "measure_profit": ("毛利", "Profit"),
        "measure_quantity": ("数量", "Quantity"),
        "measure_orders": ("订单数", "Orders"),
        "note_and": (";", "; "),
        "short_window_all": ("全部历史", "all history"),
        "short_window": ("近 {months} 个月", "the last {months} months"),
        # ---- windows and sheets (xlgrade.job.derive)
        "window_all": ("全部历史(截至 {day})", "all history to {day}"),
        "window": ("近 {months} 个月(截至 {day})", "last {months} months to {day}"),
        # ---- the run line (xlgrade.job.monthly.RunResult.line)
        "run_line": (
            "{month} 月度重算完成:{customers} 位客户,{lines} 行台账,{skipped} 行未使用(见“校验”),"
            "升级 {up},降级 {down},用时 {seconds:.1f} 秒",
            "{month} recalculated: {customers} customers, {lines} ledger lines, {skipped} rows not used "
            "(see Validation), {up} upgrades, {down} downgrades in {seconds:.1f} s",
        ),
        "run_backup": (";备份 {backup}", "; backup {backup}"),
    }
)

# Issue actions on the validation sheet.
ACTION: dict[str, tuple[str, str]] = {
    SKIPPED: ("未使用", "not used"),
    IGNORED: ("已忽略", "ignored"),
    NOTE: ("提示", "note"),
}
# English for the engine's complaint statuses (the Chinese come with the frame as status_zh).
STATUS_EN = {
    service.OPEN: "open",
    service.REPLIED: "replied",
    service.REPLIED_LATE: "replied late",
    service.OVERDUE: "overdue",
}
# Grade changes: the engine's Chinese words and their English.
DIRECTION_EN = {
    dynamics.UP: "upgrade",
    dynamics.DOWN: "downgrade",
    dynamics.CHANGED: "changed",
    dynamics.NEW_DIR: "new",
    dynamics.GONE_DIR: "gone",
}


def action_words(lang: str) -> dict[str, str]:
    """Issue action -> its word in ``lang``."""
    return {action: in_lang(lang, zh, en) for action, (zh, en) in ACTION.items()}


def status_words(lang: str) -> dict[str, str]:
    """Complaint status code -> its word in ``lang``."""
    return {code: in_lang(lang, zh, STATUS_EN[code]) for code, zh in service.STATUS_ZH.items()}


def direction_words(lang: str) -> dict[str, str]:
    """Grade-change direction -> its word in ``lang``."""
    return {d: in_lang(lang, zh, DIRECTION_EN[d]) for d, zh in dynamics.DIRECTION_ZH.items()}


__all__ = ["ACTION", "DIRECTION_EN", "STATUS_EN", "TEXT", "action_words", "direction_words", "in_lang", "status_words"]
