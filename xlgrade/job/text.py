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
        # the run log's 操作 / Action column (xlgrade.job.monthly, xlgrade.workbook.masked)
        "run_monthly": ("月度重算", "monthly recalculation"),
        "run_export_masked": ("导出脱敏副本", "masked copy exported"),
        "run_upgrade": ("模板升级", "template upgrade"),
        "run_note_all_defaults": (
            "规则表缺失或为空:所有规则使用默认值",
            "the rules sheet is missing or empty: every rule at its default",
        ),
        "run_note_defaults": (
            "{n} 条规则未填写,使用默认值(见“校验”)",
            "{n} blank rules at their default (see Validation)",
        ),
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
        "priority": ("优先级", "Priority"),
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
        # ---- the printable forms written from the rules (xlgrade.job.forms)
        "form_window": ("近 {months} 个月", "over the last {months} months"),
        "form_window_all": ("累计", "over all history"),
        "form_crit_a": (
            "{window}订单次数超过 {orders} 次并且{measure}超过 {volume}",
            "more than {orders} orders and {measure} above {volume} {window}",
        ),
        "form_crit_b": (
            "不属 {a} 级,{window}订单次数超过 {orders} 次并且{measure}超过 {volume}",
            "not {a}, more than {orders} orders and {measure} above {volume} {window}",
        ),
        "form_crit_c": (
            "其余客户,即{window}订单次数不超过 {orders} 次或{measure}不超过 {volume}(零星订单)",
            "the others, with at most {orders} orders or {measure} at most {volume} {window} (sporadic)",
        ),
        "form_definitions_threshold": (
            "客户的等级(按订单次数和{measure}分为 {labels} 级;规则见“规则”表)",
            "Customer grades ({labels} by orders and {measure}; the rules are on the Rules sheet)",
        ),
        "form_definitions_pareto": (
            "客户的等级(按{measure}的帕累托 ABC 分级,分为 {labels} 级;规则见“规则”表)",
            "Customer grades ({labels} by the Pareto ABC of {measure}; the rules are on the Rules sheet)",
        ),
        "form_definitions_composite": (
            "客户的等级(按综合加权得分分为 {labels} 级;规则见“规则”表)",
            "Customer grades ({labels} by the weighted composite score; the rules are on the Rules sheet)",
        ),
        "form_rank": ("按{window}{measure}从高到低排列,", "ranked by {measure} {window}, "),
        "form_crit_value_share": (
            "排在其前面的客户合计占比低于 {share}",
            "the customers above it hold less than {share}",
        ),
        "form_crit_count_share": (
            "排在其前面的客户少于客户数的 {share}",
            "fewer than {share} of the customers rank above it",
        ),
        "form_crit_absolute": ("{window}{measure}至少 {value}", "{measure} at least {value} {window}"),
        "form_crit_top_n": ("排在其前面的客户少于 {n} 家", "fewer than {n} customers rank above it"),
        "form_not_above": ("不属 {a} 级,", "not {a}, "),
        "form_crit_pareto_c": (
            "其余客户,含{window}{measure}不大于 0 的客户",
            "the others, with those whose {measure} {window} is 0 or less",
        ),
        "form_composite_score": (
            "近 {months} 个月综合得分(信用 {credit}、下单金额 {amount}、利润贡献 {profit})",
            "composite score over the last {months} months (credit {credit}, amount {amount}, profit {profit}): ",
        ),
        "form_crit_count": (
            "排在其前面的客户少于参与排名客户的 {share}",
            "fewer than {share} of the ranked customers score above it",
        ),
        "form_crit_bands": ("至少 {score} 分", "at least {score}"),
        "form_score_word": ("综合得分", "composite score "),
        "form_crit_composite_c": (
            "其余客户,含近 {months} 个月无交易、不参与排名的客户",
            "the others, with those without a line in the last {months} months (not ranked)",
        ),
        "form_definition": ("{label}级客户({name}):{criteria}。", "{label} ({name} customers): {criteria}."),
        "form_count": ("{stage} {n} 家", "{stage} {n}"),
        "form_counts": ("截至 {day}:{counts}", "As of {day}: {counts}"),
        "types_large": (
            "大:近 {months} 个月销售金额高于{split}(有销售的客户)",
            "large: amount over the last {months} months above {split} of the customers with sales",
        ),
        "types_small": ("小:不高于{split},或无销售", "small: not above {split}, or no sales"),
        "types_loyal": ("忠诚:忠诚度 ≥ {min}", "loyal: loyalty ≥ {min}"),
        "types_disloyal": ("不忠诚:忠诚度 < {min}", "disloyal: loyalty < {min}"),
        "types_any": ("任意", "any"),
        "types_no_loyalty": ("忠诚度未填写", "loyalty not entered"),
        "types_large_loyal": ("销售量大,对企业也忠诚的客户", "Large sales, loyal to us"),
        "types_large_disloyal": ("销售量大,但对企业不忠诚的客户", "Large sales, not loyal"),
        "types_small_loyal": ("销售量小,但对企业忠诚的客户", "Small sales, loyal to us"),
        "types_small_disloyal": ("销售量小,对企业也不忠诚的客户", "Small sales, not loyal"),
        "types_unassessed": ("未填写忠诚度的客户", "Loyalty not entered"),
        "types_unassessed_why": (
            "无法归类:请在客户归类汇总表的“忠诚度”列填写 0–10 分。",
            "Cannot be placed: enter a loyalty score of 0-10 on the Customer summary.",
        ),
        "types_unassessed_do": ("补充评估", "assess"),
        "strategy_staffing": ("每名业务员负责 {n} 家", "{n} per salesperson"),
        # ---- the 顾客档案分析表's follow-up column (xlgrade.job.store)
        "store_away": ("{days} 天未到店,请回访", "{days} days away: call the client"),
        "store_used_up": ("项目已用完,可推荐续卡", "sessions used up: offer a new card"),
        "store_renew": ("仅剩 {left} 次,可提醒续卡", "{left} left: remind to renew"),
        "store_join": (";", "; "),
        # ---- 附表五's 信用评估 of each ledger line (xlgrade.job.cardfacts; engine.credit.LINE_STATES)
        "line_paid_on_time": ("按期回款", "paid on time"),
        "line_paid_late": ("逾期 {days} 天回款", "paid {days} {unit} late"),
        "line_paid_no_date": ("已回款(未填回收日期)", "paid (no paid date entered)"),
        "line_not_due": ("未回款,未到期", "open, not yet due"),
        "line_overdue": ("未回款,截至 {day} 逾期 {days} 天", "open, {days} {unit} overdue at {day}"),
        "line_part_not_due": ("部分回款,余额未到期", "part paid, the rest not yet due"),
        "line_part_overdue": (
            "部分回款,余额截至 {day} 逾期 {days} 天",
            "part paid, the rest {days} {unit} overdue at {day}",
        ),
        "line_no_credit": ("退货或零金额,不计信用", "return or zero amount: no credit weight"),
        "line_later": ("晚于评估日 {day},未评估", "after the evaluation date {day}: not evaluated"),
        # ---- the record cards' 订购商品 (xlgrade.job.cardfacts)
        "products_more": ("{names} 等 {n} 种", "{names} and {more} more"),
        "products_join": ("、", ", "),
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
