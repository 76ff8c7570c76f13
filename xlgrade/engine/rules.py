"""The rule book: every threshold, weight, label and deadline the engine uses, as data.

Rules of this module:

1. Defaults are the business rules' starting values, stated here and nowhere else
   (docs/rules.md §6 Rule reference is generated from this module by
   ``python -m xlgrade.rulesdoc``); nothing in the engine hard-wires a number that appears here.
2. A rule is addressed as ``section.field`` (``threshold.a_orders_over``) and holds one
   scalar, or a list written in one cell as ``"10; 5; 3"``. That makes the whole book a
   two-column table (key, value): the workbook's rules sheet, or a TOML / JSON file.
3. Shares and weights are fractions (0.8); text such as ``"80%"`` is accepted on input.
   A person reads a rule by its name and a choice by its name in the workbook's language
   (:mod:`xlgrade.engine.rulelabels`); :meth:`RuleBook.updated` accepts those names in place of
   the key, and a choice's zh / en name in place of the value, so a rules sheet showing names
   reads back as the keys it stands for. :meth:`RuleSpec.shown` is a value in a person's form.
4. ``RuleBook.from_*`` refuses unknown keys, unparsable values and inconsistent books
   (a B cutoff above the A cutoff, weights not summing to 100 %, negative deadlines) with a
   :class:`~xlgrade.errors.RuleError` that names the rule. A book that exists is valid.
5. Pure: no file access. Reading and writing files is the caller's business; this module
   converts to and from dicts, tables and TOML/JSON text.

Size: one module on purpose. It is the single typed declaration of every rule (about 90,
with zh/en help, kinds and limits) and the book's readers and writers; split, a rule's
declaration and its checks would live apart.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

from xlgrade.engine import rulelabels
from xlgrade.engine.text import in_lang
from xlgrade.errors import RuleError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

# Kinds of rule values. Lists are tuples so that the book stays immutable and hashable.
INT, NUM, PCT, TEXT, NUMS, PCTS, TEXTS = "int", "num", "pct", "text", "nums", "pcts", "texts"
LIST_KINDS = {NUMS, PCTS, TEXTS}
MEASURES = ("amount", "quantity", "profit", "orders")
# The evaluation window of threshold and Pareto grading (docs/rules.md §1.2): the trailing 12
# months up to the as-of date; 0 is the seed-000 reading 累计 (all history).
WINDOW_ZH = "统计月数:截至评估日的近 N 个月(0 = 全部历史,即累计)"
WINDOW_EN = "months evaluated: the trailing N months up to the as-of date (0 = all history, cumulative)"


def rule(
    default: Any,
    kind: str,
    zh: str,
    en: str,
    *,
    minimum: float | None = None,
    choices: tuple[str, ...] | None = None,
    prominent: bool = False,
) -> Any:
    """Declare one rule: its default, kind, bilingual description and simple bounds.

    A *prominent* rule changes what most grades mean (the evaluation window); the rules
    sheet highlights it.
    """
    return field(
        default=default,
        metadata={"kind": kind, "zh": zh, "en": en, "min": minimum, "choices": choices, "prominent": prominent},
    )


@dataclass(frozen=True)
class GeneralRules:
    method: str = rule(
        "threshold",
        TEXT,
        "工作簿默认分级方法",
        "default grading method of the workbook",
        choices=("threshold", "pareto", "scorecard", "composite", "credit", "rfm"),
    )


@dataclass(frozen=True)
class InputRules:
    max_abs_amount: float = rule(
        1e15,
        NUM,
        "数值上限:金额、数量、利润等任一数字的绝对值达到此值即视为录入错误,该行不参与计算",
        "number bound: a row whose amount, quantity, profit or other number has an absolute value at "
        "least this is a typing error and is left out",
        minimum=1,
    )


@dataclass(frozen=True)
class AbcRules:
    labels: tuple[str, ...] = rule(("A", "B", "C"), TEXTS, "ABC 等级名称(由高到低)", "ABC grade labels, best first")
    names_zh: tuple[str, ...] = rule(
        ("关键客户", "主要客户", "普通客户"), TEXTS, "ABC 等级中文含义", "meaning of each ABC grade (zh)"
    )
    names_en: tuple[str, ...] = rule(
        ("key", "major", "ordinary"), TEXTS, "ABC 等级英文含义", "meaning of each ABC grade (en)"
    )
    # seed 000's 4S-style grading strategy (客户分级管理策略表): what the company does for each grade
    strategy_a: str = rule(
        "重点维护:专人负责,定期拜访决策层,优先供货、优先处理投诉,提供专属价格与服务,及时掌握其最新需求。",
        TEXT,
        "第一级(A)客户的管理策略(客户分级管理策略表)",
        "management strategy of the first grade (grading strategy table), in Chinese",
    )
    strategy_a_en: str = rule(
        "Look after first: a dedicated salesperson, regular visits to the decision makers, first call on supply "
        "and complaints, tailored prices and service, follow their latest needs.",
        TEXT,
        "第一级(A)客户管理策略的英文",
        "management strategy of the first grade (grading strategy table)",
    )
    strategy_b: str = rule(
        "积极发展:定期回访,及时响应,提供优惠与增值服务,挖掘采购潜力,争取升为上一级。",
        TEXT,
        "第二级(B)客户的管理策略(客户分级管理策略表)",
        "management strategy of the second grade (grading strategy table), in Chinese",
    )
    strategy_b_en: str = rule(
        "Develop: regular follow-ups, quick response, discounts and added services, grow their purchases towards "
        "the grade above.",
        TEXT,
        "第二级(B)客户管理策略的英文",
        "management strategy of the second grade (grading strategy table)",
    )
    strategy_c: str = rule(
        "标准服务:按规范流程服务并控制服务成本,以电话或集中活动维护;有潜力的重点培养,长期无交易的适时淘汰。",
        TEXT,
        "第三级(C)客户的管理策略(客户分级管理策略表)",
        "management strategy of the third grade (grading strategy table), in Chinese",
    )
    strategy_c_en: str = rule(
        "Standard service: the standard process at a controlled cost, by phone or group events; develop those "
        "with potential, drop those that stay inactive.",
        TEXT,
        "第三级(C)客户管理策略的英文",
        "management strategy of the third grade (grading strategy table)",
    )


@dataclass(frozen=True)
class ThresholdRules:
    a_orders_over: int = rule(5, INT, "A 类:订单次数超过", "A: orders more than", minimum=0)
    a_volume_over: float = rule(100_000.0, NUM, "A 类:累计金额超过", "A: volume more than", minimum=0)
    b_orders_over: int = rule(3, INT, "B 类:订单次数超过", "B: orders more than", minimum=0)
    b_volume_over: float = rule(10_000.0, NUM, "B 类:累计金额超过", "B: volume more than", minimum=0)
    measure: str = rule("amount", TEXT, "累计量的口径", "measure summed as volume", choices=MEASURES)
    window_months: int = rule(12, INT, WINDOW_ZH, WINDOW_EN, minimum=0, prominent=True)


@dataclass(frozen=True)
class ParetoRules:
    measure: str = rule("amount", TEXT, "排序口径", "measure ranked", choices=MEASURES)
    strategy: str = rule(
        "value_share", TEXT, "划分方式", "split strategy", choices=("value_share", "count_share", "absolute", "top_n")
    )
    a_share: float = rule(0.80, PCT, "A 类:排在前面的客户累计占比低于", "A: share before below")
    b_share: float = rule(0.95, PCT, "B 类:排在前面的客户累计占比低于", "B: share before below")
    a_count_share: float = rule(0.20, PCT, "按客户数:前百分之几为 A", "by count: top share of customers A")
    b_count_share: float = rule(0.50, PCT, "按客户数:前百分之几以内为 B", "by count: customers up to this share B")
    a_min_value: float = rule(100_000.0, NUM, "按绝对值:A 类至少", "absolute: A at least", minimum=0)
    b_min_value: float = rule(10_000.0, NUM, "按绝对值:B 类至少", "absolute: B at least", minimum=0)
    a_top_n: int = rule(10, INT, "前 N 名:A 类名额", "top-N: number of A customers", minimum=0)
    b_top_n: int = rule(30, INT, "前 N 名:A+B 类名额", "top-N: number of A and B customers", minimum=0)
    window_months: int = rule(12, INT, WINDOW_ZH, WINDOW_EN, minimum=0, prominent=True)


@dataclass(frozen=True)
class ScorecardRules:
    months: int = rule(12, INT, "统计月数", "trailing months", minimum=1)
    units_min: tuple[float, ...] = rule(
        (10.0, 5.0, 3.0, 2.0, 1.0), NUMS, "平均月销售(件)档位", "average monthly units, step minimums"
    )
    units_points: tuple[float, ...] = rule(
        (50.0, 40.0, 30.0, 20.0, 10.0), NUMS, "平均月销售各档得分", "points of each units step"
    )
    growth_breaks: tuple[float, ...] = rule(
        (0.0, 0.20, 0.50, 1.00), PCTS, "销售额增长率折点", "sales growth break points"
    )
    growth_points: tuple[float, ...] = rule(
        (0.0, 5.0, 10.0, 20.0), NUMS, "增长率折点得分(折点间线性)", "points at the break points (linear between)"
    )
    new_growth_points: float = rule(
        20.0, NUM, "上期无销售、本期有销售的增长得分", "growth points when the earlier period had no sales", minimum=0
    )
    channel_points: float = rule(10.0, NUM, "渠道覆盖满分", "channel coverage points", minimum=0)
    loyalty_points: float = rule(10.0, NUM, "忠诚度满分", "loyalty points", minimum=0)
    prospects_points: float = rule(10.0, NUM, "发展前景满分", "prospects points", minimum=0)
    level_min: tuple[float, ...] = rule((90.0, 75.0, 60.0, 50.0), NUMS, "各级最低分", "level minimum scores")
    level_labels: tuple[str, ...] = rule(
        ("VIP客户", "骨干客户", "有效客户", "休眠客户", "潜在客户"), TEXTS, "级别名称", "level labels"
    )
    level_labels_en: tuple[str, ...] = rule(
        ("VIP", "core", "active", "dormant", "potential"), TEXTS, "级别英文名称", "level labels in English"
    )


@dataclass(frozen=True)
class CompositeRules:
    credit_weight: float = rule(0.10, PCT, "信用状况权重", "credit weight")
    amount_weight: float = rule(0.30, PCT, "下单金额权重", "order amount weight")
    profit_weight: float = rule(0.60, PCT, "利润贡献权重", "profit contribution weight")
    months: int = rule(
        12,
        INT,
        "统计月数(只对窗口内有交易的客户排名,百分位 = 不高于本客户的客户占比)",
        "trailing months (only customers with a line in them are ranked; percentile = share of "
        "ranked customers with a value <= this one)",
        minimum=1,
    )
    no_credit_score: float = rule(
        100.0,
        NUM,
        "被排名但无应收记录(只有退货)的客户,信用分项取",
        "credit sub-score of a ranked customer without receivables (returns only)",
        minimum=0,
    )
    split: str = rule("count", TEXT, "划分方式(按人数 / 按分数)", "split: count or bands", choices=("count", "bands"))
    a_count_share: float = rule(0.20, PCT, "按人数:前百分之几为 A", "by count: top share A")
    b_count_share: float = rule(0.50, PCT, "按人数:前百分之几以内为 B", "by count: up to this share B")
    a_min_score: float = rule(80.0, NUM, "按分数:A 类最低分", "by bands: A minimum score", minimum=0)
    b_min_score: float = rule(60.0, NUM, "按分数:B 类最低分", "by bands: B minimum score", minimum=0)


@dataclass(frozen=True)
class CreditRules:
    credit_days: int = rule(30, INT, "信用期(天),未填应收日期时使用", "credit days when no due date", minimum=0)
    months: int = rule(
        12,
        INT,
        "评估月数(平均逾期天数;回款率取全部历史)",
        "trailing months of the average days late (the collection rate is over all history)",
        minimum=1,
    )
    penalty_per_day: float = rule(2.0, NUM, "每逾期一天扣分", "points off per day late", minimum=0)
    grade_min: tuple[float, ...] = rule((90.0, 75.0, 60.0), NUMS, "各信用等级最低分", "grade minimum scores")
    grade_labels: tuple[str, ...] = rule(("优", "良", "中", "差"), TEXTS, "信用等级名称", "credit grade labels")
    grade_labels_en: tuple[str, ...] = rule(
        ("excellent", "good", "fair", "poor"), TEXTS, "信用等级英文名称", "credit grade labels in English"
    )
    aging_days: tuple[float, ...] = rule((30.0, 60.0, 90.0), NUMS, "账龄分段(天)", "aging bucket limits (days)")
    no_record_label: str = rule(
        "无记录", TEXT, "期内无应收记录时显示(无信用分)", "shown in Chinese when a period has no receivables (no score)"
    )
    no_record_label_en: str = rule(
        "no record", TEXT, "期内无应收记录时的英文显示", "shown in English when a period has no receivables (no score)"
    )


RFM_PATTERNS = ("HHH", "HLH", "LHH", "LLH", "HHL", "HLL", "LHL", "LLL")  # R, F, M high/low


@dataclass(frozen=True)
class RfmRules:
    months: int = rule(12, INT, "统计月数", "trailing months", minimum=1)
    split: str = rule(
        "mean",
        TEXT,
        "高低分界(平均值 / 中位数),取窗口内有购买的客户;等于分界为低",
        "high/low split (mean or median) over the customers with a purchase in the window; a value equal to it is low",
        choices=("mean", "median"),
    )
    labels: tuple[str, ...] = rule(
        (
            "重要价值客户",
            "重要发展客户",
            "重要保持客户",
            "重要挽留客户",
            "一般价值客户",
            "一般发展客户",
            "一般保持客户",
            "一般挽留客户",
        ),
        TEXTS,
        "八类名称(RFM 高低组合 HHH HLH LHH LLH HHL HLL LHL LLL)",
        "eight class labels for RFM patterns HHH HLH LHH LLH HHL HLL LHL LLL",
    )
    labels_en: tuple[str, ...] = rule(
        (
            "important value",
            "important development",
            "important retention",
            "important win-back",
            "general value",
            "general development",
            "general retention",
            "general win-back",
        ),
        TEXTS,
        "八类英文名称",
        "eight class labels in English",
    )


@dataclass(frozen=True)
class MatrixRules:
    months: int = rule(12, INT, "统计月数", "trailing months", minimum=1)
    volume_split: str = rule("mean", TEXT, "销量大小分界", "large/small volume split", choices=("mean", "median"))
    loyal_min: float = rule(5.0, NUM, "忠诚度不低于此分为忠诚", "loyal when loyalty at least", minimum=0)
    not_assessed_label: str = rule("未评估", TEXT, "缺少评估数据时的名称", "label when inputs are missing")
    not_assessed_label_en: str = rule(
        "not assessed", TEXT, "缺少评估数据时的英文名称", "label when inputs are missing, in English"
    )
    loyalty_labels: tuple[str, ...] = rule(
        ("最宝贵的财富", "最危险的敌人", "明日之星", "淘汰"),
        TEXTS,
        "销量×忠诚度:大忠诚、大不忠诚、小忠诚、小不忠诚",
        "sales x loyalty: large+loyal, large+disloyal, small+loyal, small+disloyal",
    )
    loyalty_labels_en: tuple[str, ...] = rule(
        ("most valuable asset", "most dangerous enemy", "star of tomorrow", "drop"),
        TEXTS,
        "销量×忠诚度英文名称",
        "sales x loyalty labels in English",
    )
    # seed 004"s customer-type table (客户类型划分一览表): each type"s strategy and what it means
    loyalty_strategies: tuple[str, ...] = rule(
        ("重点保持", "严密关注", "扶持培养", "适时淘汰"),
        TEXTS,
        "销量×忠诚度各类对策:大忠诚、大不忠诚、小忠诚、小不忠诚",
        "strategy of each sales x loyalty type (large+loyal, large+disloyal, small+loyal, small+disloyal), in Chinese",
    )
    loyalty_strategies_en: tuple[str, ...] = rule(
        ("keep", "watch closely", "develop", "drop in time"),
        TEXTS,
        "销量×忠诚度各类对策的英文",
        "strategy of each sales x loyalty type",
    )
    loyalty_text_large_loyal: str = rule(
        "这是企业最宝贵的财富。一个企业拥有的这类客户越多,市场就越稳定、越有发展潜力。",
        TEXT,
        "销量×忠诚度:大忠诚客户的类型说明",
        "sales x loyalty: what a large and loyal customer means, in Chinese",
    )
    loyalty_text_large_loyal_en: str = rule(
        "The company's most valuable asset: the more of these customers, the steadier the market and the greater "
        "its potential.",
        TEXT,
        "销量×忠诚度:大忠诚客户类型说明的英文",
        "sales x loyalty: what a large and loyal customer means",
    )
    loyalty_text_large_disloyal: str = rule(
        "这些客户常常会成为企业最危险的敌人。如果企业对这些客户管理稍有疏忽,他们就会给企业造成很大的损失;这类客户占比较大时,企业的销售和市场就很危险。",
        TEXT,
        "销量×忠诚度:大不忠诚客户的类型说明",
        "sales x loyalty: what a large and disloyal customer means, in Chinese",
    )
    loyalty_text_large_disloyal_en: str = rule(
        "Often the most dangerous enemy: the least neglect costs the company dearly, and where they hold a large "
        "share, sales and the market are at risk.",
        TEXT,
        "销量×忠诚度:大不忠诚客户类型说明的英文",
        "sales x loyalty: what a large and disloyal customer means",
    )
    loyalty_text_small_loyal: str = rule(
        "这是可以培养的“明日之星”。对此类客户,企业要多扶持、培养,努力使其成为一个好客户。",
        TEXT,
        "销量×忠诚度:小忠诚客户的类型说明",
        "sales x loyalty: what a small and loyal customer means, in Chinese",
    )
    loyalty_text_small_loyal_en: str = rule(
        "A star of tomorrow that can be grown: support and develop them into good customers.",
        TEXT,
        "销量×忠诚度:小忠诚客户类型说明的英文",
        "sales x loyalty: what a small and loyal customer means",
    )
    loyalty_text_small_disloyal: str = rule(
        "这些客户是没有价值的客户。企业对待此类客户的对策是该出手时就出手,该淘汰的就淘汰;没有对差的客户的淘汰,就不能培养出一批好客户。",
        TEXT,
        "销量×忠诚度:小不忠诚客户的类型说明",
        "sales x loyalty: what a small and disloyal customer means, in Chinese",
    )
    loyalty_text_small_disloyal_en: str = rule(
        "Customers without value: act when it is time and drop those that should go; without dropping poor customers "
        "no set of good ones grows.",
        TEXT,
        "销量×忠诚度:小不忠诚客户类型说明的英文",
        "sales x loyalty: what a small and disloyal customer means",
    )
    share_high_min: float = rule(0.50, PCT, "占有率不低于此为高", "share of wallet high when at least")
    upcoming_split: str = rule(
        "mean", TEXT, "即将购买量大小分界", "upcoming purchase split", choices=("mean", "median")
    )
    wallet_labels: tuple[str, ...] = rule(
        ("重点保持", "保持或获取", "发展", "获取或放弃"),
        TEXTS,
        "占有率×即将购买量:高大、高小、低大、低小",
        "share x upcoming: high+large, high+small, low+large, low+small",
    )
    wallet_labels_en: tuple[str, ...] = rule(
        ("keep as priority", "keep or gain", "develop", "gain or give up"),
        TEXTS,
        "占有率×即将购买量英文名称",
        "share x upcoming labels in English",
    )
    mvc_share: float = rule(0.80, PCT, "MVC:利润排名前累计占比低于", "MVC: profit share before below")
    mgc_growth: float = rule(0.50, PCT, "MGC:销售额增长至少", "MGC: sales growth at least")
    value_labels: tuple[str, ...] = rule(
        ("MVC 最有价值", "MGC 最具增长性", "BZC 负值客户", "一般"), TEXTS, "价值类型名称", "value type labels"
    )
    value_labels_en: tuple[str, ...] = rule(
        ("most valuable", "most growth", "below zero", "ordinary"),
        TEXTS,
        "价值类型英文名称",
        "value type labels in English",
    )
    stage_labels: tuple[str, ...] = rule(
        ("曾经有过交易", "正在进行交易", "即将进行交易"), TEXTS, "交易阶段名称", "deal stage labels"
    )
    stage_labels_en: tuple[str, ...] = rule(
        ("traded before", "trading now", "about to trade"), TEXTS, "交易阶段英文名称", "deal stage labels in English"
    )
    potential_min: tuple[float, ...] = rule(
        (0.75, 0.50, 0.25), PCTS, "潜在客户 A/B/C 最低成交可能性", "prospect A/B/C minimum closing probability"
    )
    potential_labels: tuple[str, ...] = rule(("A", "B", "C", "D"), TEXTS, "潜在客户等级", "prospect classes")
    second_measure: str = rule(
        "quantity",
        TEXT,
        "二维矩阵的第二口径",
        "second measure of the 3x3 matrix",
        choices=("quantity", "profit", "orders"),
    )


@dataclass(frozen=True)
class ComplaintRules:
    tier1_grades: tuple[str, ...] = rule(("A", "VIP客户", "优"), TEXTS, "第一优先的等级", "first-priority grades")
    tier1_days: int = rule(1, INT, "第一优先处理期限(天)", "first-priority deadline (days)", minimum=0)
    tier2_grades: tuple[str, ...] = rule(("B", "骨干客户", "良"), TEXTS, "第二优先的等级", "second-priority grades")
    tier2_days: int = rule(3, INT, "第二优先处理期限(天)", "second-priority deadline (days)", minimum=0)
    other_days: int = rule(7, INT, "其他客户处理期限(天)", "deadline for other grades (days)", minimum=0)
    priority_labels: tuple[str, ...] = rule(
        ("高", "中", "低"),
        TEXTS,
        "投诉优先级:第一优先、第二优先、其他",
        "complaint priority levels (zh): first, second, other",
    )
    priority_labels_en: tuple[str, ...] = rule(
        ("High", "Medium", "Low"),
        TEXTS,
        "投诉优先级英文名称",
        "complaint priority levels in English: first, second, other",
    )


@dataclass(frozen=True)
class StaffingRules:
    a_per_rep: float = rule(1.0, NUM, "A 类:每名业务员负责客户数", "A customers per salesperson", minimum=0)
    b_per_rep: float = rule(2.0, NUM, "B 类:每名业务员负责客户数", "B customers per salesperson", minimum=0)
    c_per_rep_min: float = rule(3.0, NUM, "C 类:每名业务员最少负责", "C customers per salesperson, low", minimum=0)
    c_per_rep_max: float = rule(5.0, NUM, "C 类:每名业务员最多负责", "C customers per salesperson, high", minimum=0)


@dataclass(frozen=True)
class StoreRules:
    """Seed 000's 顾客档案分析表 (service stores): spending level, visit frequency, follow-up."""

    spend_min: tuple[float, ...] = rule(
        (3000.0, 1000.0),
        NUMS,
        "消费档次:各档最低消费金额(整理期内,由高到低;不低于即属该档)",
        "spending level: minimum spending of each level in the period, highest first (at least = that level)",
    )
    spend_labels: tuple[str, ...] = rule(("高档", "中档", "低档"), TEXTS, "消费档次名称", "spending level labels")
    spend_labels_en: tuple[str, ...] = rule(
        ("high", "medium", "low"), TEXTS, "消费档次英文名称", "spending level labels in English"
    )
    visit_min: tuple[float, ...] = rule(
        (4.0, 2.0),
        NUMS,
        "到店频率:各档最少到店次数(整理期内,由高到低;不低于即属该档)",
        "visit frequency: minimum visits of each class in the period, highest first (at least = that class)",
    )
    visit_labels: tuple[str, ...] = rule(("高频", "中频", "低频"), TEXTS, "到店频率名称", "visit frequency labels")
    visit_labels_en: tuple[str, ...] = rule(
        ("frequent", "regular", "occasional"), TEXTS, "到店频率英文名称", "visit frequency labels in English"
    )
    away_days: int = rule(
        30,
        INT,
        "超过此天数未到店即提示回访(截至评估日)",
        "follow up when the last visit is more than this many days ago",
        minimum=0,
    )
    renew_left: int = rule(
        2,
        INT,
        "剩余次数不超过此数(且未用完)即提示续卡",
        "suggest renewing when this many sessions or fewer are left (and some are)",
        minimum=0,
    )


@dataclass(frozen=True)
class ActivityRules:
    """The record card's trading facts (seed 004 客户(组织)资料卡: 日销金额, 营业状况)."""

    months: int = rule(
        12,
        INT,
        "营业状况、日销金额的统计月数:近 N 个月(与此前 N 个月比较)",
        "months for business trend and daily sales: the trailing N months (against the N months before)",
        minimum=1,
    )
    trend_change: float = rule(
        0.10,
        PCT,
        "营业状况:销售额比此前同样长的期间增减超过此比例为上升 / 下滑,否则平稳",
        "business trend: sales up or down by more than this share against the period before are growing / "
        "declining, otherwise steady",
    )
    labels: tuple[str, ...] = rule(
        ("上升", "平稳", "下滑", "新客户", "停止进货", "无交易"),
        TEXTS,
        "营业状况名称:上升、平稳、下滑、新客户(此前无销售)、停止进货(近期无销售)、无交易",
        "business trend labels: growing, steady, declining, new (no sales before), stopped (no recent sales), no trade",
    )
    labels_en: tuple[str, ...] = rule(
        ("growing", "steady", "declining", "new", "stopped buying", "no trade"),
        TEXTS,
        "营业状况英文名称",
        "business trend labels in English",
    )
    products_shown: int = rule(
        5,
        INT,
        "订购商品:按金额列出的产品数,其余写作“等 N 种”",
        "products ordered: how many are named, by amount",
        minimum=1,
    )


SECTIONS: dict[str, type] = {
    "general": GeneralRules,
    "abc": AbcRules,
    "threshold": ThresholdRules,
    "pareto": ParetoRules,
    "scorecard": ScorecardRules,
    "composite": CompositeRules,
    "credit": CreditRules,
    "rfm": RfmRules,
    "matrix": MatrixRules,
    "complaints": ComplaintRules,
    "staffing": StaffingRules,
    "input": InputRules,  # rules added later come after it: existing workbooks' rule rows stay in place
    "store": StoreRules,
    "activity": ActivityRules,
}


@dataclass(frozen=True)
class RuleBook:
    general: GeneralRules = field(default_factory=GeneralRules)
    abc: AbcRules = field(default_factory=AbcRules)
    threshold: ThresholdRules = field(default_factory=ThresholdRules)
    pareto: ParetoRules = field(default_factory=ParetoRules)
    scorecard: ScorecardRules = field(default_factory=ScorecardRules)
    composite: CompositeRules = field(default_factory=CompositeRules)
    credit: CreditRules = field(default_factory=CreditRules)
    rfm: RfmRules = field(default_factory=RfmRules)
    matrix: MatrixRules = field(default_factory=MatrixRules)
    complaints: ComplaintRules = field(default_factory=ComplaintRules)
    staffing: StaffingRules = field(default_factory=StaffingRules)
    input: InputRules = field(default_factory=InputRules)
    store: StoreRules = field(default_factory=StoreRules)
    activity: ActivityRules = field(default_factory=ActivityRules)

    def __post_init__(self) -> None:
        _check_consistency(self)

    # ---- flat view -------------------------------------------------------------------
    @staticmethod
    def specs() -> list[RuleSpec]:
        """Every rule in book order, with its default and description."""
        return list(_SPECS.values())

    @staticmethod
    def spec_of(text: Any) -> RuleSpec | None:
        """The rule ``text`` names: its key, or its display name in zh or en; else None."""
        if _blank(text):
            return None
        key = str(text).strip()
        return _SPECS.get(key) or _SPECS.get(rulelabels.key_of(key, _DESCRIPTIONS) or "")

    def get(self, key: str) -> Any:
        section, name = _split_key(key)
        return getattr(getattr(self, section), name)

    def items(self) -> Iterable[tuple[str, Any]]:
        for key in _SPECS:
            yield key, self.get(key)

    def updated(self, values: Mapping[str, Any]) -> RuleBook:
        """A new book with ``values`` (``{"section.field": raw value}``) parsed and applied."""
        changes: dict[str, dict[str, Any]] = {}
        for key, raw in values.items():
            spec = self.spec_of(key)
            if spec is None:
                raise RuleError(str(key), "unknown rule; see `xlgrade rules` for the list")
            changes.setdefault(spec.section, {})[spec.name] = spec.parse(raw)
        sections = {name: replace(getattr(self, name), **vals) for name, vals in changes.items()}
        return replace(self, **sections)

    # ---- dict / table / text ---------------------------------------------------------
    def to_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for spec in _SPECS.values():
            value = self.get(spec.key)
            out.setdefault(spec.section, {})[spec.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleBook:
        """Accept nested ``{"threshold": {"a_orders_over": 5}}`` or flat dotted keys."""
        flat: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, Mapping):
                for name, inner in value.items():
                    flat[f"{key}.{name}"] = inner
            else:
                flat[str(key)] = value
        return cls().updated(flat)

    def to_table(self, lang: str = "zh") -> pd.DataFrame:
        """The rules as the rules sheet shows them: name, value and default in a person's form
        (:meth:`RuleSpec.shown`), description, and the stable key."""
        rows = [
            (
                s.name_in(lang),
                s.shown(self.get(s.key), lang),
                in_lang(lang, s.zh, s.en),
                s.shown(s.default, lang),
                s.key,
            )
            for s in _SPECS.values()
        ]
        return pd.DataFrame(rows, columns=["name", "value", "description", "default", "key"])

    @classmethod
    def from_table(cls, table: pd.DataFrame | Iterable[tuple[Any, Any]]) -> RuleBook:
        """Read (key, value) pairs; blank keys are skipped, blank values keep the default."""
        pairs = table[["key", "value"]].itertuples(index=False, name=None) if isinstance(table, pd.DataFrame) else table
        values: dict[str, Any] = {}
        for key, value in pairs:
            if _blank(key):
                continue
            if _blank(value):
                continue
            values[str(key).strip()] = value
        return cls().updated(values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> RuleBook:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleError("(file)", f"not valid JSON: {exc}") from None
        return cls.from_dict(data)

    def to_toml(self) -> str:
        lines = ["# xlgrade rule book. Shares and weights are fractions (0.8 = 80 %)."]
        for section, values in self.to_dict().items():
            lines.append(f"\n[{section}]")
            for name, value in values.items():
                spec = _SPECS[f"{section}.{name}"]
                lines.append(f"{name} = {_toml_value(value)}  # {spec.en}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str) -> RuleBook:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RuleError("(file)", f"not valid TOML: {exc}") from None
        return cls.from_dict(data)

    # ---- conveniences used by several methods ---------------------------------------
    def _in_tier(self, grade: str, tier: tuple[str, ...]) -> bool:
        """A grade of the tier, or the English twin of one (VIP for VIP客户, excellent for 优)."""
        if grade in tier:
            return True
        s, cr = self.scorecard, self.credit
        twins = {**dict(zip(s.level_labels_en, s.level_labels)), **dict(zip(cr.grade_labels_en, cr.grade_labels))}
        return twins.get(grade) in tier

    def deadline_days(self, grade: str) -> int:
        c = self.complaints
        if self._in_tier(grade, c.tier1_grades):
            return c.tier1_days
        if self._in_tier(grade, c.tier2_grades):
            return c.tier2_days
        return c.other_days

    def priority_tier(self, grade: str) -> int:
        """1 for first-priority grades, 2 for second, 3 for everything else."""
        c = self.complaints
        return 1 if self._in_tier(grade, c.tier1_grades) else 2 if self._in_tier(grade, c.tier2_grades) else 3

    def priority_level(self, grade: str, lang: str = "zh") -> str:
        """The priority level staff read (高 / 中 / 低 by default) of a grade's tier."""
        c = self.complaints
        return in_lang(lang, c.priority_labels, c.priority_labels_en)[self.priority_tier(grade) - 1]


@dataclass(frozen=True)
class RuleSpec:
    section: str
    name: str
    kind: str
    default: Any
    zh: str
    en: str
    minimum: float | None
    choices: tuple[str, ...] | None
    prominent: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    def name_in(self, lang: str) -> str:
        """The rule's display name in ``lang`` ("阈值 ABC:A 类订单次数超过")."""
        return rulelabels.rule_name(self.key, lang, (self.zh, self.en))

    @property
    def lang(self) -> str | None:
        """ "zh" / "en" when the rule holds one language's labels, else None."""
        return rulelabels.rule_lang(self.key)

    def shown(self, value: Any, lang: str) -> Any:
        """The value in a person's form, as one cell: numbers stay numbers (a share is the
        fraction, which the sheet formats as 80%), lists are typed ``10; 5; 3`` with shares as
        ``20%``, and a choice is its name ("阈值 ABC")."""
        if self.kind == PCTS:
            return "; ".join(_fmt_pct(v) for v in value)
        if self.kind in LIST_KINDS:
            return "; ".join(_fmt_scalar(v) for v in value)
        if self.choices:
            return rulelabels.choice_name(self.key, value, lang)
        return value

    def text(self, value: Any, lang: str) -> str:
        """:meth:`shown` as one line of text, as the sheet displays it: ``80%``, ``100,000``."""
        if self.kind == PCT:
            return _fmt_pct(value)
        shown = self.shown(value, lang)
        if isinstance(shown, (int, float)) and not isinstance(shown, bool):
            return f"{int(shown):,}" if float(shown).is_integer() else f"{shown:,.4f}".rstrip("0")
        return str(shown)

    def format(self, value: Any) -> Any:
        """The value as one table cell: numbers stay numbers, lists become ``a; b; c``."""
        if self.kind in LIST_KINDS:
            return "; ".join(_fmt_scalar(v) for v in value)
        return value

    def parse(self, raw: Any) -> Any:
        if self.kind in LIST_KINDS:
            items = list(raw) if isinstance(raw, (list, tuple)) else _split_list(raw)
            item_kind = {NUMS: NUM, PCTS: PCT, TEXTS: TEXT}[self.kind]
            return tuple(self._scalar(item, item_kind, raw) for item in items)
        return self._scalar(raw, self.kind, raw)

    def _scalar(self, raw: Any, kind: str, whole: Any) -> Any:
        if kind == TEXT:
            text = _clean(raw)
            if not text:
                raise RuleError(self.key, "must not be empty", whole)
            if self.choices and text not in self.choices:
                text = rulelabels.choice_of(self.key, text) or text
            if self.choices and text not in self.choices:
                raise RuleError(self.key, f"must be one of {', '.join(self.choices)}", whole)
            return text
        number = _to_number(raw, percent=(kind == PCT))
        if number is None:
            raise RuleError(self.key, "is not a number", whole)
        if kind == INT:
            if number != int(number):
                raise RuleError(self.key, "must be a whole number", whole)
            number = int(number)
        if kind == PCT and not 0 <= number <= 1:
            raise RuleError(self.key, "must be a share between 0 and 1 (or type it as 80%)", whole)
        if self.minimum is not None and number < self.minimum:
            raise RuleError(self.key, f"must not be below {_fmt_scalar(self.minimum)}", whole)
        return number


def _build_specs() -> dict[str, RuleSpec]:
    specs: dict[str, RuleSpec] = {}
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            m = f.metadata
            specs[f"{section}.{f.name}"] = RuleSpec(
                section, f.name, m["kind"], f.default, m["zh"], m["en"], m["min"], m["choices"], m["prominent"]
            )
    return specs


_SPECS = _build_specs()
_DESCRIPTIONS = {key: (spec.zh, spec.en) for key, spec in _SPECS.items()}


def _split_key(key: str) -> tuple[str, str]:
    if key not in _SPECS:
        raise RuleError(key, "unknown rule")
    section, name = key.split(".", 1)
    return section, name


# ---- consistency ------------------------------------------------------------------------
def _check_consistency(book: RuleBook) -> None:
    t, p, s, c, cr = book.threshold, book.pareto, book.scorecard, book.composite, book.credit
    _not_above("threshold.b_orders_over", t.b_orders_over, "threshold.a_orders_over", t.a_orders_over)
    _not_above("threshold.b_volume_over", t.b_volume_over, "threshold.a_volume_over", t.a_volume_over)
    _not_above("pareto.a_share", p.a_share, "pareto.b_share", p.b_share)
    _not_above("pareto.a_count_share", p.a_count_share, "pareto.b_count_share", p.b_count_share)
    _not_above("pareto.b_min_value", p.b_min_value, "pareto.a_min_value", p.a_min_value)
    _not_above("pareto.a_top_n", p.a_top_n, "pareto.b_top_n", p.b_top_n)
    _not_above("composite.a_count_share", c.a_count_share, "composite.b_count_share", c.b_count_share)
    _not_above("composite.b_min_score", c.b_min_score, "composite.a_min_score", c.a_min_score)
    _length("abc.labels", book.abc.labels, 3)
    _length("abc.names_zh", book.abc.names_zh, 3)
    _length("abc.names_en", book.abc.names_en, 3)
    _distinct("abc.labels", book.abc.labels)

    _length("scorecard.units_points", s.units_points, len(s.units_min))
    _descending("scorecard.units_min", s.units_min)
    _ascending("scorecard.growth_breaks", s.growth_breaks)
    _length("scorecard.growth_points", s.growth_points, len(s.growth_breaks))
    _descending("scorecard.level_min", s.level_min)
    _length("scorecard.level_labels", s.level_labels, len(s.level_min) + 1)
    _length("scorecard.level_labels_en", s.level_labels_en, len(s.level_min) + 1)
    _distinct("scorecard.level_labels", s.level_labels)
    if s.level_min and (s.level_min[0] > 100 or s.level_min[-1] < 0):
        raise RuleError("scorecard.level_min", "level minimums must lie within 0-100", s.level_min)
    top = (
        max(s.units_points, default=0)
        + max(max(s.growth_points, default=0), s.new_growth_points)
        + s.channel_points
        + s.loyalty_points
        + s.prospects_points
    )
    if not math.isclose(top, 100.0, abs_tol=1e-9):
        raise RuleError(
            "scorecard.units_points", f"the five criteria must add up to 100 points, they add up to {_fmt_scalar(top)}"
        )

    weights = c.credit_weight + c.amount_weight + c.profit_weight
    if not math.isclose(weights, 1.0, abs_tol=1e-9):
        raise RuleError("composite.profit_weight", f"composite weights must sum to 100 %, they sum to {weights:.0%}")

    _descending("credit.grade_min", cr.grade_min)
    _length("credit.grade_labels", cr.grade_labels, len(cr.grade_min) + 1)
    _length("credit.grade_labels_en", cr.grade_labels_en, len(cr.grade_min) + 1)
    _distinct("credit.grade_labels", (*cr.grade_labels, cr.no_record_label))
    _ascending("credit.aging_days", cr.aging_days)
    if cr.aging_days and cr.aging_days[0] <= 0:
        raise RuleError("credit.aging_days", "aging limits must be positive", cr.aging_days)

    r, m = book.rfm, book.matrix
    _length("rfm.labels", r.labels, 8)
    _length("rfm.labels_en", r.labels_en, 8)
    for name, n in (("loyalty", 4), ("wallet", 4), ("value", 4), ("stage", 3)):
        _length(f"matrix.{name}_labels", getattr(m, f"{name}_labels"), n)
        _length(f"matrix.{name}_labels_en", getattr(m, f"{name}_labels_en"), n)
    _length("matrix.loyalty_strategies", m.loyalty_strategies, 4)
    _length("matrix.loyalty_strategies_en", m.loyalty_strategies_en, 4)
    _descending("matrix.potential_min", m.potential_min)
    _length("matrix.potential_labels", m.potential_labels, len(m.potential_min) + 1)

    a = book.activity
    _length("activity.labels", a.labels, 6)
    _length("activity.labels_en", a.labels_en, 6)
    _distinct("activity.labels", a.labels)
    cp = book.complaints
    _length("complaints.priority_labels", cp.priority_labels, 3)
    _length("complaints.priority_labels_en", cp.priority_labels_en, 3)
    _distinct("complaints.priority_labels", cp.priority_labels)
    _distinct("complaints.priority_labels_en", cp.priority_labels_en)

    st = book.staffing
    for key in ("a_per_rep", "b_per_rep", "c_per_rep_min", "c_per_rep_max"):
        if getattr(st, key) <= 0:
            raise RuleError(f"staffing.{key}", "must be more than 0", getattr(st, key))
    _not_above("staffing.c_per_rep_min", st.c_per_rep_min, "staffing.c_per_rep_max", st.c_per_rep_max)

    so = book.store
    for name in ("spend", "visit"):
        steps = getattr(so, f"{name}_min")
        _descending(f"store.{name}_min", steps)
        _length(f"store.{name}_labels", getattr(so, f"{name}_labels"), len(steps) + 1)
        _length(f"store.{name}_labels_en", getattr(so, f"{name}_labels_en"), len(steps) + 1)
        if steps and steps[-1] < 0:
            raise RuleError(f"store.{name}_min", "minimums cannot be negative", "; ".join(map(_fmt_scalar, steps)))


def _not_above(low_key: str, low: float, high_key: str, high: float) -> None:
    if low > high:
        raise RuleError(low_key, f"must not be above {high_key} ({_fmt_scalar(high)})", low)


def _length(key: str, values: tuple, n: int) -> None:
    if len(values) != n:
        raise RuleError(key, f"needs exactly {n} entries, has {len(values)}", "; ".join(map(_fmt_scalar, values)))


def _distinct(key: str, values: tuple) -> None:
    if len(set(values)) != len(values):
        raise RuleError(key, "entries must all differ", "; ".join(map(str, values)))


def _descending(key: str, values: tuple) -> None:
    if any(b >= a for a, b in zip(values, values[1:])):
        raise RuleError(key, "must be strictly decreasing (highest first)", "; ".join(map(_fmt_scalar, values)))


def _ascending(key: str, values: tuple) -> None:
    if any(b <= a for a, b in zip(values, values[1:])):
        raise RuleError(key, "must be strictly increasing", "; ".join(map(_fmt_scalar, values)))


# ---- scalar helpers ----------------------------------------------------------------------
def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not _clean(value)


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _split_list(raw: Any) -> list[str]:
    if isinstance(raw, (int, float)):
        return [str(raw)]
    text = _clean(raw).replace("、", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _to_number(raw: Any, *, percent: bool) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return None if math.isnan(raw) else float(raw)
    text = _clean(raw).replace(",", "").replace(" ", "")
    scale = 1.0
    if percent and text.endswith("%"):
        text, scale = text[:-1], 0.01
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return round(value * scale, 12)


def _fmt_scalar(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fmt_pct(value: Any) -> str:
    return _fmt_scalar(round(float(value) * 100, 9)) + "%"


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
