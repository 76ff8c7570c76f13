"""Display names and kinds of the figures grading methods return (one place for all of them).

Kinds decide the cell format in the workbook and the text format in the terminal:
``money`` (#,##0.00), ``number`` (#,##0.##), ``int``, ``share`` (0.0%), ``score``
(0.00), ``days`` (0.0), ``date``, ``text``, ``bool``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlgrade.engine.credit import aging_bucket
from xlgrade.engine.text import in_lang


@dataclass(frozen=True)
class Figure:
    zh: str
    en: str
    kind: str

    def name(self, lang: str) -> str:
        return in_lang(lang, self.zh, self.en)


_F = Figure
FIGURES: dict[str, Figure] = {
    # threshold / pareto
    "orders": _F("订单次数", "orders", "int"),
    "volume": _F("累计量", "volume", "money"),
    "value": _F("排序值", "value", "money"),
    "share_before": _F("前序累计占比", "share before", "share"),
    "share": _F("占比", "share", "share"),
    "rank": _F("排名", "rank", "int"),
    # scorecard
    "score": _F("得分", "score", "score"),
    "avg_monthly_units": _F("月均销售(件)", "units / month", "number"),
    "units_points": _F("月均销售得分", "units points", "score"),
    "sales_growth": _F("销售额增长", "sales growth", "share"),
    "growth_points": _F("增长得分", "growth points", "score"),
    "channel_points": _F("渠道得分", "channel points", "score"),
    "loyalty_points": _F("忠诚度得分", "loyalty points", "score"),
    "prospects_points": _F("前景得分", "prospects points", "score"),
    # composite
    "credit_score": _F("信用分", "credit score", "score"),
    "amount_score": _F("金额分", "amount score", "score"),
    "profit_score": _F("利润分", "profit score", "score"),
    "amount": _F("金额", "amount", "money"),
    "profit": _F("利润", "profit", "money"),
    # credit
    "avg_days_late": _F("平均逾期天数", "avg days late", "days"),
    "overdue_balance": _F("逾期余额", "overdue balance", "money"),
    "max_days_overdue": _F("最长逾期天数", "max days overdue", "days"),
    "collection_rate": _F("回款率", "collection rate", "share"),
    "cumulative_sales": _F("累计销售", "cumulative sales", "money"),
    "cumulative_collections": _F("累计回款", "cumulative collections", "money"),
    "outstanding": _F("未收余额", "outstanding", "money"),
    "not_due": _F("未到期", "not yet due", "money"),
    "credit_grade": _F("当期信用评估", "credit grade", "text"),
    # rfm
    "recency": _F("最近购买(天)", "recency (days)", "days"),
    "frequency": _F("购买频度", "frequency", "int"),
    "monetary": _F("购买金额", "monetary", "money"),
    "r_score": _F("R 分", "R score", "int"),
    "f_score": _F("F 分", "F score", "int"),
    "m_score": _F("M 分", "M score", "int"),
    "pattern": _F("RFM 组合", "RFM pattern", "text"),
    # matrices
    "loyalty": _F("忠诚度", "loyalty", "number"),
    "large": _F("销量大", "large volume", "bool"),
    "loyal": _F("忠诚", "loyal", "bool"),
    "share_of_wallet": _F("产品占有率", "share of wallet", "share"),
    "upcoming_purchase": _F("即将购买量", "upcoming purchase", "money"),
    "high_share": _F("占有率高", "high share", "bool"),
    "large_upcoming": _F("即将购买量大", "large upcoming", "bool"),
    "profit_share_before": _F("利润前序占比", "profit share before", "share"),
    "sales_now": _F("近 12 月销售", "sales, last 12 months", "money"),
    "sales_before": _F("前 12 月销售", "sales, 12 months before", "money"),
    "last_purchase": _F("最近购买日", "last purchase", "date"),
    "days_since": _F("距今天数", "days since", "days"),
    "close_probability": _F("成交可能性", "closing probability", "share"),
    "potential": _F("潜在等级", "potential class", "text"),
    "first_value": _F("第一口径值", "first value", "money"),
    "first_share_before": _F("第一口径前序占比", "first share before", "share"),
    "first_class": _F("第一口径等级", "first class", "text"),
    "second_value": _F("第二口径值", "second value", "money"),
    "second_share_before": _F("第二口径前序占比", "second share before", "share"),
    "second_class": _F("第二口径等级", "second class", "text"),
    # overrides
    "computed_grade": _F("计算等级", "computed grade", "text"),
    "manual_grade": _F("人工等级", "manual grade", "text"),
    "override_reason": _F("调整原因", "override reason", "text"),
    "overridden": _F("已人工调整", "overridden", "bool"),
    "differs": _F("与计算不同", "differs", "bool"),
}


def figure(key: str) -> Figure:
    """The display name and kind of a figure column, including rule-shaped ones."""
    if key in FIGURES:
        return FIGURES[key]
    if key.startswith("ly_"):
        base = figure(key[3:])
        return Figure(f"上年同期{base.zh}", f"last year {base.en}", base.kind)
    bucket = aging_bucket(key)
    if bucket:
        return Figure(bucket.zh, bucket.en, "money")
    return Figure(key, key, "text")
