"""The sheets of docs/rules.md §2 (seed 000's 附表) and the sheets xlgrade derives, declared once.

Order of ``SHEETS`` is the order of the tabs in a workbook. Every table's header is on row 1
of its sheet; cards and the summary are laid out by :mod:`xlgrade.workbook`.

Size: one module on purpose. It is the one declaration of every sheet and column (data,
not logic); splitting it would scatter the tab order and the cross-sheet references.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlgrade import mask
from xlgrade.engine.credit import aging_buckets
from xlgrade.schema import formulas
from xlgrade.schema.model import (
    AMOUNT,
    CARD,
    DATE,
    DATETIME,
    DERIVED,
    GRADE,
    ID,
    INTEGER,
    LISTS,
    MONEY,
    NUMBER,
    ORDINAL,
    RULES,
    SCORE,
    SESSIONS,
    SHARE,
    SUMMARY,
    TEXT,
    Sheet,
)
from xlgrade.schema.model import Column as C

MONTHS_ZH = tuple(f"{m}月" for m in range(1, 13))
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FORM_NO = "MF/Q 102/A"
# The sign-off line of seed 000's forms (记录 / 审核 / 日期), printed once under a form.
SIGN_OFF = (("recorded", "记录:", "Recorded by:"), ("checked", "审核:", "Checked by:"), ("date", "日期:", "Date:"))
# COUNTIFS / SUMIFS criteria: ledger dates in the evaluation window (see xlgrade.schema.formulas)
_IN_WINDOW = f'{{Ledger[date]}},">"&{formulas.WINDOW_START},{{Ledger[date]}},"<="&{formulas.AS_OF}'


def _window_sum(measure: str, months: str, end: str) -> str:
    """SUMIFS of a ledger column for this customer over ``(EDATE(end, -months), end]``."""
    return (
        f"SUMIFS({{Ledger[{measure}]}},{{Ledger[customer_id]}},{{@customer_id}},"
        f'{{Ledger[date]}},">"&EDATE({end},-{months}),{{Ledger[date]}},"<="&{end})'
    )


_SC_MONTHS = "{rule:scorecard.months}"
_SC_NOW = _window_sum("amount", _SC_MONTHS, formulas.AS_OF)
_SC_BEFORE = _window_sum("amount", _SC_MONTHS, f"EDATE({formulas.AS_OF},-{_SC_MONTHS})")
# 客户等级 by method (docs/rules.md §3.1-3.3): a cell can compute threshold, Pareto (over the volume
# column) and the scorecard; composite, credit and RFM need the whole ledger: the job writes them.
_GRADE_FORMULAS = (
    (
        "threshold",
        "ABCGRADE({@orders_all},{@volume_all},{rule:threshold.a_orders_over},"
        "{rule:threshold.a_volume_over},{rule:threshold.b_orders_over},{rule:threshold.b_volume_over},"
        "{rule:abc.labels})",
    ),
    (
        "pareto",
        "PARETOGRADE({@volume_all},{Customers[volume_all]},{rule:pareto.a_share},{rule:pareto.b_share},"
        "{rule:abc.labels})",
    ),
    (
        "scorecard",
        "SCOREGRADE(SCORECARD("
        + _window_sum("quantity", _SC_MONTHS, formulas.AS_OF)
        + "/"
        + _SC_MONTHS
        + f',IF({_SC_BEFORE}>0,{_SC_NOW}/{_SC_BEFORE}-1,IF({_SC_NOW}>0,"",-1)),'
        "{@channel},{@loyalty},{@prospects}),{label:scorecard.level_labels},{rule:scorecard.level_min})",
    ),
)

# ---- input sheets -------------------------------------------------------------------------
CUSTOMERS = Sheet(
    "customers",
    "客户归类汇总表",
    "Customer summary",
    form="附表一",
    table="Customers",
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, required=True, aliases=("编号", "客户代码", "id"), width=12),
        C(
            "company",
            "公司名称",
            "Company",
            TEXT,
            aliases=("客户名称", "企业名称", "名称", "customer", "name"),
            width=28,
        ),
        C("contact", "联系人", "Contact", TEXT, width=10, mask=mask.NAME),
        C("title", "职务", "Title", TEXT, width=10),
        C("phone", "联系方式", "Phone", TEXT, aliases=("电话", "联系电话"), width=15, mask=mask.PHONE),
        C("address", "公司地址", "Address", TEXT, aliases=("地址",), width=30, mask=mask.ADDRESS),
        C("industry", "所属行业", "Industry", TEXT, aliases=("行业",), choices="industries", width=12),
        C("customer_type", "客户类型", "Customer type", TEXT, aliases=("类型",), choices="customer_types", width=12),
        C(
            "salesperson",
            "责任业务员",
            "Salesperson",
            TEXT,
            aliases=("业务员", "销售员"),
            choices="salespeople",
            width=10,
        ),
        C("region", "区域", "Region", TEXT, aliases=("地区",), choices="regions", width=8),
        C(
            "orders_all",
            "订单次数",
            "Orders",
            INTEGER,
            computed=True,
            width=9,
            formula="COUNTIFS({Ledger[customer_id]},{@customer_id}," + _IN_WINDOW + ")",
        ),
        C(
            "volume_all",
            "累计金额",
            "Volume",
            MONEY,
            computed=True,
            width=14,
            formula="SUMIFS({Ledger[amount]},{Ledger[customer_id]},{@customer_id}," + _IN_WINDOW + ")",
        ),
        C(
            "grade",
            "客户等级",
            "Grade",
            GRADE,
            computed=True,
            aliases=("等级",),
            width=9,
            formula=_GRADE_FORMULAS[0][1],
            method_formulas=_GRADE_FORMULAS,
        ),
        C("manual_grade", "人工等级", "Manual grade", GRADE, choices="grades", width=9),
        C("override_reason", "调整原因", "Override reason", TEXT, aliases=("原因",), width=20),
        C(
            "channel",
            "渠道覆盖",
            "Channel coverage",
            SCORE,
            aliases=("渠道覆盖深度与广度", "渠道"),
            choices="scores",
            width=9,
            note_zh="0-10 分",
            note_en="0-10",
        ),
        C("loyalty", "忠诚度", "Loyalty", SCORE, choices="scores", width=8, note_zh="0-10 分", note_en="0-10"),
        C(
            "prospects",
            "发展前景",
            "Prospects",
            SCORE,
            aliases=("前景",),
            choices="scores",
            width=9,
            note_zh="0-10 分",
            note_en="0-10",
        ),
        C("share_of_wallet", "产品占有率", "Share of wallet", SHARE, aliases=("占有率",), width=10),
        C("upcoming_purchase", "即将购买量", "Upcoming purchase", MONEY, aliases=("预计采购量",), width=12),
        C("close_probability", "成交可能性", "Closing probability", SHARE, aliases=("成交概率",), width=10),
    ),
)

PROFILES = Sheet(
    "profiles",
    "客户资料",
    "Customer profiles",
    form="附表四",
    table="Profiles",
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, required=True, aliases=("编号",), width=12),
        # organisation card (客户(组织)资料卡)
        C("decision_maker", "企业决策领导", "Decision maker", TEXT, width=12, mask=mask.NAME),
        C(
            "decision_maker_gender",
            "决策领导性别",
            "Decision maker's gender",
            TEXT,
            choices="genders",
            width=8,
            mask=mask.HIDDEN,
        ),
        C("decision_maker_title", "决策领导职务", "Decision maker's title", TEXT, width=12),
        C("managers", "主要管理人员", "Key managers", TEXT, width=18, mask=mask.HIDDEN),
        C("business_scope", "经营范围", "Business scope", TEXT, width=24),
        C("competitors", "主要竞争对手", "Main competitors", TEXT, width=18),
        C("suppliers", "货源客户", "Supply sources", TEXT, width=16),
        C("sales_status", "销售情况", "Sales situation", TEXT, width=16),
        C("nature", "性质", "Ownership", TEXT, aliases=("企业性质",), choices="natures", width=10),
        C("scale", "企业规模", "Size", TEXT, width=10),
        C("policy", "政策", "Policy", TEXT, width=14),
        C("price", "价格", "Price terms", TEXT, width=12),
        C("usage", "用量", "Usage", TEXT, width=10),
        C("purchase_volume", "进货量", "Purchase volume", TEXT, width=10),
        C("tech_requirements", "技术要求", "Technical requirements", TEXT, width=16),
        C("payment_terms", "付款方式", "Payment terms", TEXT, width=12),
        C("person_in_charge", "负责人", "Person in charge", TEXT, width=10, mask=mask.NAME),
        C("our_share", "所占比例", "Our share", SHARE, width=9),
        # person card (客户(个人)资料卡)
        C("person_name", "姓名", "Name", TEXT, aliases=("客户姓名",), width=10, mask=mask.NAME),
        C("occupation", "职业", "Occupation", TEXT, width=12, mask=mask.HIDDEN),
        C("annual_income", "年均收入", "Annual income", MONEY, aliases=("年收入",), width=12, mask=mask.HIDDEN),
        C("gender", "性别", "Gender", TEXT, choices="genders", width=6, mask=mask.HIDDEN),
        C("age", "年龄", "Age", INTEGER, width=6, mask=mask.HIDDEN),
        C("education", "学历", "Education", TEXT, choices="educations", width=8, mask=mask.HIDDEN),
        C("birth_month", "出生年月", "Born", TEXT, width=10, mask=mask.HIDDEN),
        C("native_place", "籍贯", "Native place", TEXT, width=10, mask=mask.HIDDEN),
        C("character", "性格", "Character", TEXT, width=12, mask=mask.HIDDEN),
        C("department_title", "部门职务", "Department and title", TEXT, width=14),
        C("person_phone", "电话", "Telephone", TEXT, width=15, mask=mask.PHONE),
        C("postcode", "邮编", "Postcode", TEXT, width=8, mask=mask.ID),
        C("fax", "传真", "Fax", TEXT, width=14, mask=mask.PHONE),
        C("email", "Email", "Email", TEXT, aliases=("电子邮箱", "邮箱"), width=22, mask=mask.EMAIL),
        C("home_address", "家庭住址", "Home address", TEXT, width=24, mask=mask.ADDRESS),
        C("hobbies", "嗜好", "Hobbies", TEXT, aliases=("爱好",), width=14, mask=mask.HIDDEN),
        C("relation", "与决策层关系", "Relation to decision makers", TEXT, width=14, mask=mask.HIDDEN),
    ),
)

LEDGER = Sheet(
    "ledger",
    "客户业绩统计及信用评估表",
    "Performance & credit",
    form="附表五",
    table="Ledger",
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, required=True, aliases=("编号", "客户代码"), width=12),
        C("customer_name", "客户名称", "Customer", TEXT, aliases=("公司名称", "company"), width=24),
        C("sale_no", "销售序号", "Sale no.", TEXT, aliases=("销售单号", "单号", "订单号", "order_no"), width=14),
        C("contract_no", "合同号", "Contract no.", TEXT, width=12),
        C("contract_amount", "合计", "Contract total", MONEY, aliases=("合同金额",), width=12),
        C("contract_change", "合同存异于变更情况", "Contract changes", TEXT, aliases=("合同变更",), width=18),
        C("quantity", "提货量", "Quantity", NUMBER, aliases=("数量", "件数", "units"), width=9),
        C("date", "提货日期", "Date", DATE, required=True, aliases=("日期", "销售日期", "发货日期"), width=12),
        C(
            "amount",
            "货物价款",
            "Amount",
            MONEY,
            required=True,
            aliases=("金额", "销售额", "销售金额", "价款"),
            width=13,
        ),
        C("profit", "毛利", "Profit", MONEY, aliases=("利润", "毛利润"), width=12),
        C("paid_amount", "货款回收", "Paid amount", MONEY, aliases=("回款金额", "回款", "paid"), width=13),
        C("paid_date", "回收日期", "Paid date", DATE, aliases=("回款日期",), width=12),
        C("due_date", "应收日期", "Due date", DATE, aliases=("到期日", "到期日期"), width=12),
        C("product", "产品", "Product", TEXT, aliases=("产品名称",), width=14),
        C("channel_name", "渠道", "Channel", TEXT, choices="channels", width=10),
        C("region", "区域", "Region", TEXT, aliases=("地区",), choices="regions", width=10),
        # 附表五's 信用评估 of each line (engine.credit.line_status), as of the evaluation date
        C(
            "credit_status",
            "信用评估",
            "Credit evaluation",
            TEXT,
            computed=True,
            later=True,
            aliases=("信用情况",),
            width=26,
        ),
    ),
)

COMPLAINTS = Sheet(
    "complaints",
    "客户投诉管理卡",
    "Complaints",
    form="附表八",
    table="Complaints",
    columns=(
        C("complaint_no", "投诉编号", "Complaint no.", TEXT, aliases=("编号",), width=10),
        C("customer_id", "客户编号", "Customer ID", ID, aliases=("客户代码",), width=12),
        C("customer_name", "客户名称", "Customer", TEXT, aliases=("公司名称",), width=24),
        C("complaint_time", "投诉时间", "Complaint time", DATETIME, required=True, width=17),
        C("reply_time", "回复时间", "Reply time", DATETIME, width=17),
        C("subject", "投诉主题", "Subject", TEXT, width=28),
        C("handler", "处理人", "Handler", TEXT, choices="handlers", width=12),
        C("complainant", "投诉人", "Complainant", TEXT, width=10, mask=mask.NAME),
        C("replier", "回复人", "Replier", TEXT, width=12),
        C("grade", "客户等级", "Grade", GRADE, computed=True, width=9),
        C("priority", "优先级", "Priority", TEXT, computed=True, width=8),
        C("due", "应处理期限", "Due", DATETIME, computed=True, width=17),
        C("status", "状态", "Status", TEXT, computed=True, width=10),
        # the work-queue position (docs/rules.md §3.8.1); last, so older workbooks keep their columns
        C("queue", "处理顺序", "Queue", INTEGER, aliases=("Queue order",), computed=True, later=True, width=9),
    ),
)

# Seed 000's 顾客档案分析表 for service trades (a beauty store): per card holder, who sold the card
# and who serves them, the treatment and its sessions "6∕15" (15 bought, 6 left), spending and
# visits in the period; the monthly job fills the computed columns (xlgrade.engine.store). The
# seed gives the form no number.
STORE_CLIENTS = Sheet(
    "store_clients",
    "顾客档案分析表",
    "Client file analysis",
    table="StoreClients",
    fields=(
        C("store", "店名", "Store", TEXT),
        C("manager", "店经理", "Store manager", TEXT),
        C("compiled", "整理时间", "Compiled on", DATE),
    ),
    columns=(
        C(
            "holder",
            "持卡人",
            "Card holder",
            TEXT,
            required=True,
            aliases=("顾客姓名", "顾客", "姓名", "客户姓名", "customer", "client", "customer name"),
            width=10,
            mask=mask.NAME,
        ),
        C("card_seller", "办卡人", "Sold by", TEXT, aliases=("开卡人", "card sold by", "card seller"), width=9),
        C(
            "staff",
            "服务人员",
            "Served by",
            TEXT,
            aliases=("美容师", "服务美容师", "技师", "服务员工", "beautician", "staff"),
            width=9,
        ),
        C("treatment", "项目", "Treatment", TEXT, aliases=("项目名称", "护理项目", "疗程"), width=12),
        C(
            "sessions",
            "项目次数",
            "Sessions left/bought",
            SESSIONS,
            aliases=("次数", "剩余/总次数", "treatment sessions"),
            width=13,
            note_zh="剩余/总次数,如 6∕15",
            note_en="left/bought, e.g. 6/15",
        ),
        C("spend", "消费金额", "Spending", MONEY, aliases=("消费额", "本期消费", "spent"), width=11),
        C("visits", "到店次数", "Visits", INTEGER, aliases=("进店次数", "本期到店次数"), width=7),
        C("last_visit", "最近到店", "Last visit", DATE, aliases=("进店时间", "最近进店", "最近到店日期"), width=12),
        C(
            "needs",
            "顾客需求与问题",
            "Needs and problems",
            TEXT,
            aliases=("顾客需求", "需求", "问题"),
            width=15,
            mask=mask.HIDDEN,
        ),
        C("bought", "总次数", "Sessions bought", INTEGER, computed=True, width=10),
        C("left", "剩余次数", "Sessions left", INTEGER, computed=True, width=10),
        C("usage", "使用率", "Usage", SHARE, computed=True, aliases=("使用比例",), width=8),
        C("spend_level", "消费档次", "Spending level", TEXT, computed=True, aliases=("档次",), width=11),
        C("visit_class", "到店频率", "Visit frequency", TEXT, computed=True, aliases=("频率",), width=12),
        C("days_away", "未到店天数", "Days away", INTEGER, computed=True, aliases=("days since visit",), width=9),
        C("follow_up", "跟进提示", "Follow-up", TEXT, computed=True, aliases=("跟进",), width=26),
    ),
)

# The same form seen per member of staff (使用说明 3: 还可看出美容师的特长和问题): rewritten by the
# monthly job from the 顾客档案分析表 (xlgrade.engine.store.staff_table).
STORE_STAFF = Sheet(
    "store_staff",
    "服务人员分析",
    "Staff analysis",
    kind=DERIVED,
    table="StoreStaff",
    columns=(
        C("staff", "服务人员", "Staff", TEXT, width=12),
        C("clients", "服务顾客数", "Clients served", INTEGER, width=9),
        C("cards_sold", "办卡数", "Cards sold", INTEGER, width=8),
        C("spend", "顾客消费金额", "Clients' spending", MONEY, width=13),
        C("avg_visits", "平均到店次数", "Average visits", NUMBER, width=10),
        C("bought", "总次数", "Sessions bought", INTEGER, width=10),
        C("left", "剩余次数", "Sessions left", INTEGER, width=10),
        C("usage", "使用率", "Usage", SHARE, width=8),
        C("top_level", "最高档顾客数", "Top-level clients", INTEGER, width=11),
        C("frequent", "最高频顾客数", "Frequent clients", INTEGER, width=11),
        C("follow_up", "需回访顾客数", "Clients to call", INTEGER, width=10),
    ),
)

# ---- the rule book and the drop-down lists -------------------------------------------------
RULES_SHEET = Sheet(
    "rules",
    "规则",
    "Rules",
    kind=RULES,
    table="Rules",
    columns=(
        # 规则 shows the rule's name in the workbook's language; the stable key (hidden column
        # 键) is what the job reads. An older workbook's 规则 column holds the key itself: both
        # read back (RuleBook.updated accepts a key or a zh / en name; see engine/rulelabels.py).
        C("name", "规则", "Rule", TEXT, computed=True, width=40),
        C("value", "值", "Value", TEXT, width=34, wrap=True),  # long texts (a strategy) wrap
        C("description", "说明", "Description", TEXT, computed=True, width=46),
        C("default", "默认值", "Default", TEXT, computed=True, width=34),
        C("key", "键", "Key", TEXT, aliases=("rule key", "规则键"), computed=True, width=30),
    ),
)

LISTS_SHEET = Sheet(
    "lists",
    "下拉列表",
    "Lists",
    kind=LISTS,
    table="Lists",
    columns=(
        C("industries", "行业", "Industries", TEXT, width=12),
        C("customer_types", "客户类型", "Customer types", TEXT, width=12),
        C("salespeople", "业务员", "Salespeople", TEXT, width=10),
        C("regions", "区域", "Regions", TEXT, width=8),
        C("channels", "渠道", "Channels", TEXT, width=8),
        C("handlers", "处理人", "Complaint handlers", TEXT, width=14),
        C("grades", "等级", "Grades", TEXT, width=10),
        C("scores", "评分", "Scores", TEXT, width=6),
        C("genders", "性别", "Genders", TEXT, width=6),
        C("educations", "学历", "Education", TEXT, width=8),
        C("natures", "企业性质", "Ownership", TEXT, width=10),
    ),
)

# ---- printable cards ------------------------------------------------------------------------
ORG_CARD = Sheet("org_card", "客户资料卡", "Record card", form="附表四", kind=CARD)
PERSON_CARD = Sheet("person_card", "客户资料卡(个人)", "Record card (person)", form="附表四", kind=CARD)
COMPLAINT_CARD = Sheet("complaint_card", "投诉卡", "Complaint card", form="附表八", kind=CARD)

# ---- derived sheets (rewritten by the monthly run) ------------------------------------------
SALES_POWER = Sheet(
    "sales_power",
    "客户综合销售力分析表",
    "Sales-power analysis",
    form="附表六",
    kind=DERIVED,
    table="SalesPower",
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, width=12),
        C("company", "公司名称", "Company", TEXT, width=26),
        C("grade", "客户等级", "Grade", GRADE, width=9),
        C("year", "年度", "Year", ORDINAL, width=7),
        *(C(f"m{m}", MONTHS_ZH[m - 1], MONTHS_EN[m - 1], MONEY, width=12) for m in range(1, 13)),
        C("total", "合计", "Total", MONEY, width=14),
    ),
)

_PERIODS = tuple((f"m{m}", MONTHS_ZH[m - 1], MONTHS_EN[m - 1]) for m in range(1, 13)) + (("total", "合计", "Total"),)
# whole amounts: with the cents two months of this year / last year / change would not fit a
# page at a readable size
_PARTS = (
    ("this", "本年", "this year", AMOUNT),
    ("last", "上年", "last year", AMOUNT),
    ("change", "增减", "change", AMOUNT),
    ("change_pct", "增减%", "change %", SHARE),
)
COMPARISON = Sheet(
    "comparison",
    "客户综合销售力对比分析表",
    "Sales-power comparison",
    form="附表七",
    kind=DERIVED,
    table="Comparison",
    print_keys=4,  # id, company, grade, year on every page
    print_group=len(_PARTS),  # a month's this year / last year / change / change % stay together
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, width=12),
        C("company", "公司名称", "Company", TEXT, width=26),
        C("grade", "客户等级", "Grade", GRADE, width=9),
        C("year", "年度", "Year", ORDINAL, width=7),
        *(
            C(f"{period}_{part}", f"{zh_p}{zh}", f"{en_p} {en}", kind, width=11 if kind == AMOUNT else 8)
            for period, zh_p, en_p in _PERIODS
            for part, zh, en, kind in _PARTS
        ),
    ),
)


def credit_sheet(aging_days: tuple[float, ...] = (30.0, 60.0, 90.0)) -> Sheet:
    """The per-customer credit evaluation (附表五's computed part); aging columns follow the rule."""
    aging = [C(b.key, b.zh, b.en, MONEY, width=12) for b in aging_buckets(aging_days)]
    return Sheet(
        "credit",
        "客户信用评估",
        "Credit evaluation",
        form="附表五",
        kind=DERIVED,
        table="Credit",
        columns=(
            C("customer_id", "客户编号", "Customer ID", ID, width=12),
            C("company", "公司名称", "Company", TEXT, width=26),
            C("grade", "客户等级", "Grade", GRADE, width=9),
            C("cumulative_sales", "累计销售", "Cumulative sales", MONEY, width=14),
            C("cumulative_collections", "累计回款", "Cumulative collections", MONEY, width=14),
            C("collection_rate", "回款率", "Collection rate", SHARE, width=9),
            C("credit_score", "信用分", "Credit score", NUMBER, width=8),
            C("credit_grade", "当期信用评估", "Credit grade", GRADE, width=10),
            C("avg_days_late", "平均逾期天数", "Avg days late", NUMBER, width=10),
            C("outstanding", "未收余额", "Outstanding", MONEY, width=13),
            C("overdue_balance", "逾期余额", "Overdue balance", MONEY, width=13),
            C("max_days_overdue", "最长逾期天数", "Max days overdue", NUMBER, width=10),
            *aging,
            C("ly_credit_score", "上年同期信用分", "Credit score last year", NUMBER, width=10),
            C("ly_credit_grade", "上年同期信用", "Credit grade last year", GRADE, width=10),
            C("ly_collection_rate", "上年同期回款率", "Collection rate last year", SHARE, width=10),
            C("explanation", "说明", "Explanation", TEXT, width=60),
        ),
    )


CREDIT = credit_sheet()

ANALYSIS = Sheet(
    "analysis",
    "客户分析",
    "Customer analysis",
    kind=DERIVED,
    table="Analysis",
    columns=(
        C("customer_id", "客户编号", "Customer ID", ID, width=12),
        C("company", "公司名称", "Company", TEXT, width=26),
        C("grade", "客户等级", "Grade", GRADE, width=9),
        C("rfm", "RFM 分类", "RFM class", TEXT, width=14),
        C("r_score", "R", "R", INTEGER, width=4),
        C("f_score", "F", "F", INTEGER, width=4),
        C("m_score", "M", "M", INTEGER, width=4),
        C("sales_loyalty", "销量×忠诚度", "Sales x loyalty", TEXT, width=14),
        C("wallet", "占有率×购买量", "Share x upcoming", TEXT, width=14),
        C("value_type", "价值类型", "Value type", TEXT, width=14),
        C("deal_stage", "交易阶段", "Deal stage", TEXT, width=16),
        C("two_criteria", "金额×数量矩阵", "Two-criteria", TEXT, width=10),
        # the record cards' trading facts (engine.activity; seed 004's 资料卡)
        C("last_order_date", "交易日期", "Last order", DATE, width=12),
        C("last_paid_date", "收款日期", "Last payment", DATE, width=12),
        C("daily_sales", "日销金额", "Daily sales", MONEY, width=12),
        C("business_status", "营业状况", "Business trend", TEXT, width=10),
        C("products", "订购商品", "Products ordered", TEXT, width=30),
    ),
)

# ---- printable forms written by the monthly run from the rules (xlgrade.job.forms) -----------
# seed 000's 客户分类/等级划分表: customers by 交易过程 (the deal stage), the grade definitions and the
# sign-off line printed under the table
CLASSIFICATION = Sheet(
    "classification",
    "客户分类等级划分表",
    "Classification and grades",
    form=FORM_NO,
    kind=DERIVED,
    table="Classification",
    columns=(
        C("stage", "交易过程", "Deal stage", TEXT, width=16),
        C("customer_id", "客户编号", "Customer ID", ID, width=12),
        C("company", "客户名称", "Customer", TEXT, width=32, wrap=True),
        C("address", "地址", "Address", TEXT, width=28, wrap=True, mask=mask.ADDRESS),
        C("legal_rep", "法人代表", "Legal representative", TEXT, width=17, mask=mask.NAME),
        C("phone", "联系电话", "Phone", TEXT, width=15, mask=mask.PHONE),
        C("main_product", "主要产品", "Main product", TEXT, width=16, wrap=True),
    ),
)

# seed 004's 客户类型划分一览表: sales volume x loyalty, with the rule's split and each type's strategy
LOYALTY_TYPES = Sheet(
    "loyalty_types",
    "客户类型划分一览表",
    "Customer types",
    kind=DERIVED,
    table="LoyaltyTypes",
    columns=(
        C("type", "客户类型", "Customer type", TEXT, width=22, wrap=True),
        C("label", "类型名称", "Name", TEXT, width=14, wrap=True),
        C("sales", "销售量", "Sales volume", TEXT, width=24, wrap=True),
        C("loyalty", "忠诚度", "Loyalty", TEXT, width=16, wrap=True),
        C("description", "客户类型说明", "What it means", TEXT, width=46, wrap=True),
        C("strategy", "对策", "Strategy", TEXT, width=16, wrap=True),
    ),
)

# seed 000's 4S-style 客户分级管理策略表: per ABC grade its definition and the service it gets
GRADE_STRATEGY = Sheet(
    "grade_strategy",
    "客户分级管理策略表",
    "Grading strategy",
    kind=DERIVED,
    table="GradeStrategy",
    columns=(
        C("grade", "客户等级", "Grade", GRADE, width=9),
        C("meaning", "客户类别", "Class", TEXT, width=12),
        C("criteria", "划分标准", "Criteria", TEXT, width=36, wrap=True),
        C("complaint_days", "投诉处理期限(天)", "Complaint deadline (days)", INTEGER, width=11),
        C("staffing", "业务员配置", "Salesforce", TEXT, width=20, wrap=True),
        C("service", "管理策略", "Management strategy", TEXT, width=48, wrap=True),
    ),
)

HISTORY = Sheet(
    "history",
    "历史",
    "History",
    kind=DERIVED,
    table="History",
    columns=(
        C("month", "月份", "Month", TEXT, required=True, width=9),
        C("customer_id", "客户编号", "Customer ID", ID, required=True, width=12),
        C("company", "公司名称", "Company", TEXT, width=26),
        C("method", "方法", "Method", TEXT, width=10),
        C("grade", "客户等级", "Grade", GRADE, width=9),
        C("computed_grade", "计算等级", "Computed grade", GRADE, width=9),
        C("manual_grade", "人工等级", "Manual grade", GRADE, width=9),
        C("score", "得分", "Score", NUMBER, width=8),
        C("orders", "订单次数", "Orders", INTEGER, width=9),
        C("amount", "销售金额", "Amount", MONEY, width=14),
        C("quantity", "销售数量", "Quantity", NUMBER, width=10),
        C("profit", "毛利", "Profit", MONEY, width=12),
        C("credit_score", "信用分", "Credit score", NUMBER, width=8),
        C("credit_grade", "信用等级", "Credit grade", GRADE, width=8),
        C("explanation", "说明", "Explanation", TEXT, width=60),
    ),
)

VALIDATION = Sheet(
    "validation",
    "校验",
    "Validation",
    kind=DERIVED,
    table="Validation",
    columns=(
        C("sheet", "工作表", "Sheet", TEXT, width=24),
        C("row", "行", "Row", ORDINAL, width=7),
        C("column", "列", "Column", TEXT, width=14),
        C("value", "值", "Value", TEXT, width=18),
        C("reason", "原因", "Reason", TEXT, width=60),
        C("action", "处理", "Action", TEXT, width=10),
    ),
)

RUN_LOG = Sheet(
    "run_log",
    "运行日志",
    "Run log",
    kind=DERIVED,
    table="RunLog",
    columns=(
        C("run_at", "运行时间", "Run at", DATETIME, width=17),
        C("user", "操作人", "User", TEXT, width=12),
        C("month", "月份", "Month", TEXT, width=9),
        C("method", "方法", "Method", TEXT, width=10),
        C("customers", "客户数", "Customers", INTEGER, width=8),
        C("ledger_lines", "台账行数", "Ledger lines", INTEGER, width=9),
        C("skipped_rows", "未用行数", "Rows skipped", INTEGER, width=9),
        C("upgrades", "升级", "Upgrades", INTEGER, width=6),
        C("downgrades", "降级", "Downgrades", INTEGER, width=6),
        C("new_customers", "新增", "New", INTEGER, width=6),
        C("overrides", "人工调整", "Overrides", INTEGER, width=8),
        C("backup", "备份文件", "Backup", TEXT, width=30),
        C("seconds", "耗时(秒)", "Seconds", NUMBER, width=8),
        C("version", "版本", "Version", TEXT, width=8),
        # what the run was (月度重算, 导出脱敏副本 ...), on which computer, and the file it wrote
        C("action", "操作", "Action", TEXT, width=14),
        C("host", "计算机", "Computer", TEXT, width=14),
        C("output", "输出文件", "Output file", TEXT, width=30),
        C("note", "备注", "Note", TEXT, width=60),
    ),
)

SUMMARY_SHEET = Sheet("summary", "汇总", "Summary", kind=SUMMARY)

SHEETS: dict[str, Sheet] = {
    s.key: s
    for s in (
        CUSTOMERS,
        PROFILES,
        ORG_CARD,
        PERSON_CARD,
        LEDGER,
        CREDIT,
        SALES_POWER,
        COMPARISON,
        COMPLAINTS,
        COMPLAINT_CARD,
        STORE_CLIENTS,
        STORE_STAFF,
        ANALYSIS,
        CLASSIFICATION,
        LOYALTY_TYPES,
        GRADE_STRATEGY,
        SUMMARY_SHEET,
        HISTORY,
        VALIDATION,
        RUN_LOG,
        RULES_SHEET,
        LISTS_SHEET,
    )
}
TABLES: dict[str, Sheet] = {s.table: s for s in SHEETS.values() if s.table}


def language_of(sheet_names: Iterable[str]) -> str:
    """A workbook's language from its sheet names: the language most declared sheets are named in
    (a workbook missing some sheets, an older release's, is still recognised); ``en`` on a tie
    without the Chinese customer summary, as before there was more than that one sheet to go by."""
    names = set(sheet_names)
    zh = sum(s.zh in names for s in SHEETS.values() if s.zh != s.en)
    en = sum(s.en in names for s in SHEETS.values() if s.zh != s.en)
    return "zh" if zh > en or (zh == en and CUSTOMERS.zh in names) else "en"
