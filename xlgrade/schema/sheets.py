"""The sheets of DOMAIN.md §2 (seed 000's 附表), declared once."""

from __future__ import annotations

from xlgrade.schema.model import (DATE, DATETIME, GRADE, ID, MONEY, NUMBER, SCORE, SHARE, TEXT,
                                  Column as C, Sheet)

CUSTOMERS = Sheet("customers", "客户归类汇总表", "Customer summary", form="附表一", columns=(
    C("customer_id", "客户编号", "Customer ID", ID, required=True, aliases=("编号", "客户代码", "id"), width=12),
    C("company", "公司名称", "Company", TEXT, aliases=("客户名称", "企业名称", "名称", "customer", "name"), width=28),
    C("contact", "联系人", "Contact", TEXT, width=10),
    C("title", "职务", "Title", TEXT, width=10),
    C("phone", "联系方式", "Phone", TEXT, aliases=("电话", "联系电话"), width=15),
    C("address", "公司地址", "Address", TEXT, aliases=("地址",), width=30),
    C("industry", "所属行业", "Industry", TEXT, aliases=("行业",), choices="industries", width=12),
    C("customer_type", "客户类型", "Customer type", TEXT, aliases=("类型",), choices="customer_types", width=12),
    C("salesperson", "责任业务员", "Salesperson", TEXT, aliases=("业务员", "销售员"), choices="salespeople",
      width=10),
    C("grade", "客户等级", "Grade", GRADE, computed=True, aliases=("等级",), width=9),
    C("manual_grade", "人工等级", "Manual grade", GRADE, choices="grades", width=9),
    C("override_reason", "调整原因", "Override reason", TEXT, aliases=("原因",), width=20),
    C("channel", "渠道覆盖", "Channel coverage", SCORE, aliases=("渠道覆盖深度与广度", "渠道"), choices="scores",
      width=9, note_zh="0-10 分", note_en="0-10"),
    C("loyalty", "忠诚度", "Loyalty", SCORE, choices="scores", width=8, note_zh="0-10 分", note_en="0-10"),
    C("prospects", "发展前景", "Prospects", SCORE, aliases=("前景",), choices="scores", width=9,
      note_zh="0-10 分", note_en="0-10"),
    C("share_of_wallet", "产品占有率", "Share of wallet", SHARE, aliases=("占有率",), width=10),
    C("upcoming_purchase", "即将购买量", "Upcoming purchase", MONEY, aliases=("预计采购量",), width=12),
    C("close_probability", "成交可能性", "Closing probability", SHARE, aliases=("成交概率",), width=10),
))

LEDGER = Sheet("ledger", "客户业绩统计及信用评估表", "Performance & credit", form="附表五", columns=(
    C("customer_id", "客户编号", "Customer ID", ID, required=True, aliases=("编号", "客户代码"), width=12),
    C("customer_name", "客户名称", "Customer", TEXT, aliases=("公司名称", "company"), width=24),
    C("sale_no", "销售序号", "Sale no.", TEXT, aliases=("销售单号", "单号", "订单号", "order_no"), width=12),
    C("contract_no", "合同号", "Contract no.", TEXT, width=12),
    C("contract_amount", "合计", "Contract total", MONEY, aliases=("合同金额",), width=12),
    C("contract_change", "合同存异于变更情况", "Contract changes", TEXT, aliases=("合同变更",), width=18),
    C("quantity", "提货量", "Quantity", NUMBER, aliases=("数量", "件数", "units"), width=9),
    C("date", "提货日期", "Date", DATE, required=True, aliases=("日期", "销售日期", "发货日期"), width=12),
    C("amount", "货物价款", "Amount", MONEY, required=True, aliases=("金额", "销售额", "销售金额", "价款"), width=13),
    C("profit", "毛利", "Profit", MONEY, aliases=("利润", "毛利润"), width=12),
    C("paid_amount", "货款回收", "Paid amount", MONEY, aliases=("回款金额", "回款", "paid"), width=13),
    C("paid_date", "回收日期", "Paid date", DATE, aliases=("回款日期",), width=12),
    C("due_date", "应收日期", "Due date", DATE, aliases=("到期日", "到期日期"), width=12),
    C("product", "产品", "Product", TEXT, aliases=("产品名称",), width=14),
    C("channel_name", "渠道", "Channel", TEXT, width=10),
    C("region", "区域", "Region", TEXT, aliases=("地区",), width=10),
))

COMPLAINTS = Sheet("complaints", "客户投诉管理卡", "Complaints", form="附表八", columns=(
    C("complaint_no", "投诉编号", "Complaint no.", TEXT, aliases=("编号",), width=10),
    C("customer_id", "客户编号", "Customer ID", ID, aliases=("客户代码",), width=12),
    C("customer_name", "客户名称", "Customer", TEXT, aliases=("公司名称",), width=24),
    C("complaint_time", "投诉时间", "Complaint time", DATETIME, required=True, width=17),
    C("reply_time", "回复时间", "Reply time", DATETIME, width=17),
    C("subject", "投诉主题", "Subject", TEXT, width=28),
    C("handler", "处理人", "Handler", TEXT, choices="handlers", width=10),
    C("complainant", "投诉人", "Complainant", TEXT, width=10),
    C("replier", "回复人", "Replier", TEXT, width=10),
    C("grade", "客户等级", "Grade", GRADE, computed=True, width=9),
    C("priority", "优先级", "Priority", NUMBER, computed=True, width=8),
    C("due", "应处理期限", "Due", DATETIME, computed=True, width=17),
    C("status", "状态", "Status", TEXT, computed=True, width=10),
))

SHEETS = {s.key: s for s in (CUSTOMERS, LEDGER, COMPLAINTS)}
