"""What a person reads for each rule: its name and its choices' names, in Chinese and English.

The rule book (:mod:`xlgrade.engine.rules`) addresses a rule by its stable key
(``threshold.a_orders_over``) and a choice by its stable value (``"threshold"``). Staff do not
read keys: the rules sheet shows the rule's name in the workbook's language ("阈值 ABC:A 类订单
次数超过" / "Threshold ABC: A orders more than") and a choice by its name ("阈值 ABC", "金额").

Rules of this module:

1. Said once: a rule's display name is its section's name (:data:`SECTIONS`) and its own short
   name (:data:`NAMES`), joined by :func:`rule_name`; a choice's name is in :data:`CHOICES`.
   The grading methods' names (``general.method``) are the ones :class:`xlgrade.engine.Method`
   shows everywhere.
2. Both ways: :func:`key_of` maps a key, a zh name or an en name back to the key (NFKC,
   case and spaces ignored); :func:`choice_of` does the same for a choice. Names are unique
   within a language (a test checks it), so reading back never guesses.
3. A rule added to the book without a name here still shows: its description stands in
   (``tests/test_rulelabels.py`` fails until it gets a name).
4. Language-bound rules (:func:`rule_lang`): a rule whose values are labels of one language
   (``scorecard.level_labels_en``, ``abc.names_zh``, ``credit.grade_labels``...) is "zh" or
   "en"; the rules sheet of the other language's workbook hides its row (it stays readable).

Pure: strings only.
"""

from __future__ import annotations

import unicodedata

from xlgrade.cells.text import NAMES_EN, NAMES_ZH

SECTIONS: dict[str, tuple[str, str]] = {
    "general": ("常规", "General"),
    "abc": ("ABC 等级", "ABC grades"),
    "threshold": ("阈值 ABC", "Threshold ABC"),
    "pareto": ("帕累托 ABC", "Pareto ABC"),
    "scorecard": ("百分制评分", "Scorecard"),
    "composite": ("综合加权", "Weighted composite"),
    "credit": ("信用评估", "Credit evaluation"),
    "rfm": ("RFM 八类", "RFM classes"),
    "matrix": ("矩阵分析", "Matrices"),
    "complaints": ("投诉处理", "Complaints"),
    "staffing": ("人员配置", "Staffing"),
    "input": ("录入检查", "Input checks"),
    "store": ("顾客档案分析", "Client file analysis"),
    "activity": ("交易情况", "Trading facts"),
}

NAMES: dict[str, tuple[str, str]] = {
    "general.method": ("分级方法", "grading method"),
    "abc.labels": ("等级名称", "grade labels"),
    "abc.names_zh": ("等级中文含义", "meanings in Chinese"),
    "abc.names_en": ("等级英文含义", "meanings"),
    "abc.strategy_a": ("第一级管理策略", "first grade's strategy in Chinese"),
    "abc.strategy_a_en": ("第一级管理策略英文", "first grade's strategy"),
    "abc.strategy_b": ("第二级管理策略", "second grade's strategy in Chinese"),
    "abc.strategy_b_en": ("第二级管理策略英文", "second grade's strategy"),
    "abc.strategy_c": ("第三级管理策略", "third grade's strategy in Chinese"),
    "abc.strategy_c_en": ("第三级管理策略英文", "third grade's strategy"),
    "threshold.a_orders_over": ("A 类订单次数超过", "A: orders more than"),
    "threshold.a_volume_over": ("A 类累计金额超过", "A: volume more than"),
    "threshold.b_orders_over": ("B 类订单次数超过", "B: orders more than"),
    "threshold.b_volume_over": ("B 类累计金额超过", "B: volume more than"),
    "threshold.measure": ("累计口径", "volume measure"),
    "threshold.window_months": ("统计月数", "months evaluated"),
    "pareto.measure": ("排序口径", "measure ranked"),
    "pareto.strategy": ("划分方式", "split strategy"),
    "pareto.a_share": ("A 类累计占比低于", "A: share before below"),
    "pareto.b_share": ("B 类累计占比低于", "B: share before below"),
    "pareto.a_count_share": ("按客户数 A 类占比", "by count: A share of customers"),
    "pareto.b_count_share": ("按客户数 A+B 类占比", "by count: A and B share of customers"),
    "pareto.a_min_value": ("按绝对值 A 类至少", "absolute: A at least"),
    "pareto.b_min_value": ("按绝对值 B 类至少", "absolute: B at least"),
    "pareto.a_top_n": ("前 N 名 A 类名额", "top N: A customers"),
    "pareto.b_top_n": ("前 N 名 A+B 类名额", "top N: A and B customers"),
    "pareto.window_months": ("统计月数", "months evaluated"),
    "scorecard.months": ("统计月数", "months evaluated"),
    "scorecard.units_min": ("平均月销售档位", "monthly units steps"),
    "scorecard.units_points": ("平均月销售各档得分", "monthly units points"),
    "scorecard.growth_breaks": ("增长率折点", "growth break points"),
    "scorecard.growth_points": ("增长率折点得分", "growth points"),
    "scorecard.new_growth_points": ("新增销售增长得分", "growth points for new sales"),
    "scorecard.channel_points": ("渠道覆盖满分", "channel coverage points"),
    "scorecard.loyalty_points": ("忠诚度满分", "loyalty points"),
    "scorecard.prospects_points": ("发展前景满分", "prospects points"),
    "scorecard.level_min": ("各级最低分", "level minimum scores"),
    "scorecard.level_labels": ("级别名称", "level labels in Chinese"),
    "scorecard.level_labels_en": ("级别英文名称", "level labels"),
    "composite.credit_weight": ("信用状况权重", "credit weight"),
    "composite.amount_weight": ("下单金额权重", "order amount weight"),
    "composite.profit_weight": ("利润贡献权重", "profit weight"),
    "composite.months": ("统计月数", "months evaluated"),
    "composite.no_credit_score": ("无应收记录的信用分项", "credit sub-score without receivables"),
    "composite.split": ("划分方式", "split"),
    "composite.a_count_share": ("按人数 A 类占比", "by count: A share"),
    "composite.b_count_share": ("按人数 A+B 类占比", "by count: A and B share"),
    "composite.a_min_score": ("按分数 A 类最低分", "by bands: A minimum score"),
    "composite.b_min_score": ("按分数 B 类最低分", "by bands: B minimum score"),
    "credit.credit_days": ("信用期(天)", "credit days"),
    "credit.months": ("评估月数", "months evaluated"),
    "credit.penalty_per_day": ("每逾期一天扣分", "points off per day late"),
    "credit.grade_min": ("各信用等级最低分", "grade minimum scores"),
    "credit.grade_labels": ("信用等级名称", "grade labels in Chinese"),
    "credit.grade_labels_en": ("信用等级英文名称", "grade labels"),
    "credit.aging_days": ("账龄分段(天)", "aging buckets (days)"),
    "credit.no_record_label": ("无记录时显示", "no-record label in Chinese"),
    "credit.no_record_label_en": ("无记录时的英文显示", "no-record label"),
    "rfm.months": ("统计月数", "months evaluated"),
    "rfm.split": ("高低分界", "high/low split"),
    "rfm.labels": ("八类名称", "class labels in Chinese"),
    "rfm.labels_en": ("八类英文名称", "class labels"),
    "matrix.months": ("统计月数", "months evaluated"),
    "matrix.volume_split": ("销量大小分界", "volume split"),
    "matrix.loyal_min": ("忠诚最低分", "loyal at least"),
    "matrix.not_assessed_label": ("未评估时的名称", "not-assessed label in Chinese"),
    "matrix.not_assessed_label_en": ("未评估时的英文名称", "not-assessed label"),
    "matrix.loyalty_labels": ("销量×忠诚度名称", "sales x loyalty labels in Chinese"),
    "matrix.loyalty_labels_en": ("销量×忠诚度英文名称", "sales x loyalty labels"),
    "matrix.loyalty_strategies": ("销量×忠诚度对策", "sales x loyalty strategies in Chinese"),
    "matrix.loyalty_strategies_en": ("销量×忠诚度英文对策", "sales x loyalty strategies"),
    "matrix.loyalty_text_large_loyal": ("大忠诚客户说明", "large and loyal: meaning in Chinese"),
    "matrix.loyalty_text_large_loyal_en": ("大忠诚客户英文说明", "large and loyal: meaning"),
    "matrix.loyalty_text_large_disloyal": ("大不忠诚客户说明", "large and disloyal: meaning in Chinese"),
    "matrix.loyalty_text_large_disloyal_en": ("大不忠诚客户英文说明", "large and disloyal: meaning"),
    "matrix.loyalty_text_small_loyal": ("小忠诚客户说明", "small and loyal: meaning in Chinese"),
    "matrix.loyalty_text_small_loyal_en": ("小忠诚客户英文说明", "small and loyal: meaning"),
    "matrix.loyalty_text_small_disloyal": ("小不忠诚客户说明", "small and disloyal: meaning in Chinese"),
    "matrix.loyalty_text_small_disloyal_en": ("小不忠诚客户英文说明", "small and disloyal: meaning"),
    "matrix.share_high_min": ("占有率高的下限", "share of wallet high from"),
    "matrix.upcoming_split": ("即将购买量分界", "upcoming purchase split"),
    "matrix.wallet_labels": ("占有率×即将购买量名称", "wallet labels in Chinese"),
    "matrix.wallet_labels_en": ("占有率×即将购买量英文名称", "wallet labels"),
    "matrix.mvc_share": ("MVC 利润累计占比低于", "MVC: profit share before below"),
    "matrix.mgc_growth": ("MGC 销售额增长至少", "MGC: sales growth at least"),
    "matrix.value_labels": ("价值类型名称", "value type labels in Chinese"),
    "matrix.value_labels_en": ("价值类型英文名称", "value type labels"),
    "matrix.stage_labels": ("交易阶段名称", "deal stage labels in Chinese"),
    "matrix.stage_labels_en": ("交易阶段英文名称", "deal stage labels"),
    "matrix.potential_min": ("潜在客户最低成交可能性", "prospect minimum closing probability"),
    "matrix.potential_labels": ("潜在客户等级", "prospect classes"),
    "matrix.second_measure": ("二维矩阵第二口径", "second measure of the 3x3 matrix"),
    "complaints.tier1_grades": ("第一优先的等级", "first-priority grades"),
    "complaints.tier1_days": ("第一优先处理期限(天)", "first-priority deadline (days)"),
    "complaints.tier2_grades": ("第二优先的等级", "second-priority grades"),
    "complaints.tier2_days": ("第二优先处理期限(天)", "second-priority deadline (days)"),
    "complaints.other_days": ("其他等级处理期限(天)", "other grades' deadline (days)"),
    "staffing.a_per_rep": ("A 类每人负责客户数", "A customers per salesperson"),
    "staffing.b_per_rep": ("B 类每人负责客户数", "B customers per salesperson"),
    "staffing.c_per_rep_min": ("C 类每人最少负责", "C customers per salesperson, low"),
    "staffing.c_per_rep_max": ("C 类每人最多负责", "C customers per salesperson, high"),
    "input.max_abs_amount": ("数值上限", "number bound"),
    "complaints.priority_labels": ("优先级名称", "priority levels in Chinese"),
    "complaints.priority_labels_en": ("优先级英文名称", "priority levels"),
    "store.spend_min": ("各消费档次最低金额", "minimum spending per level"),
    "store.spend_labels": ("消费档次名称", "spending levels in Chinese"),
    "store.spend_labels_en": ("消费档次英文名称", "spending levels"),
    "store.visit_min": ("各到店频率最少次数", "minimum visits per class"),
    "store.visit_labels": ("到店频率名称", "visit classes in Chinese"),
    "store.visit_labels_en": ("到店频率英文名称", "visit classes"),
    "store.away_days": ("回访提示天数", "days away before a call"),
    "store.renew_left": ("续卡提示剩余次数", "sessions left before renewal"),
    "activity.months": ("统计月数", "months counted"),
    "activity.trend_change": ("营业状况变化幅度", "business trend change"),
    "activity.labels": ("营业状况名称", "business trend labels in Chinese"),
    "activity.labels_en": ("营业状况英文名称", "business trend labels"),
    "activity.products_shown": ("列出的商品数", "products named"),
}

_MEASURES = {key: (NAMES_ZH[key], NAMES_EN[key]) for key in NAMES_ZH}
_SPLITS = {"mean": ("平均值", "mean"), "median": ("中位数", "median")}
METHOD_NAMES: dict[str, tuple[str, str]] = {
    "threshold": ("阈值 ABC", "threshold ABC"),
    "pareto": ("帕累托 ABC", "Pareto ABC"),
    "scorecard": ("百分制评分", "100-point scorecard"),
    "composite": ("综合加权", "weighted composite"),
    "credit": ("信用评估", "credit evaluation"),
    "rfm": ("RFM 八类", "RFM classes"),
}
CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "general.method": METHOD_NAMES,
    "threshold.measure": _MEASURES,
    "pareto.measure": _MEASURES,
    "pareto.strategy": {
        "value_share": ("按金额占比", "by value share"),
        "count_share": ("按客户数占比", "by customer count"),
        "absolute": ("按绝对值", "by absolute value"),
        "top_n": ("前 N 名", "top N"),
    },
    "composite.split": {"count": ("按人数", "by count"), "bands": ("按分数", "by score bands")},
    "rfm.split": _SPLITS,
    "matrix.volume_split": _SPLITS,
    "matrix.upcoming_split": _SPLITS,
    "matrix.second_measure": {k: v for k, v in _MEASURES.items() if k != "amount"},
}

# Rules whose values are one language's labels (rule 4); each has its other-language twin.
_LANG_BOUND = {
    "complaints.priority_labels": "zh",
    "complaints.priority_labels_en": "en",
    "store.spend_labels": "zh",
    "store.spend_labels_en": "en",
    "store.visit_labels": "zh",
    "store.visit_labels_en": "en",
    "activity.labels": "zh",
    "activity.labels_en": "en",
    "abc.names_zh": "zh",
    "abc.names_en": "en",
    "scorecard.level_labels": "zh",
    "scorecard.level_labels_en": "en",
    "credit.grade_labels": "zh",
    "credit.grade_labels_en": "en",
    "credit.no_record_label": "zh",
    "credit.no_record_label_en": "en",
    "rfm.labels": "zh",
    "rfm.labels_en": "en",
    "matrix.not_assessed_label": "zh",
    "matrix.not_assessed_label_en": "en",
    "matrix.loyalty_labels": "zh",
    "matrix.loyalty_labels_en": "en",
    "matrix.loyalty_strategies": "zh",
    "matrix.loyalty_strategies_en": "en",
    "matrix.loyalty_text_large_loyal": "zh",
    "matrix.loyalty_text_large_loyal_en": "en",
    "matrix.loyalty_text_large_disloyal": "zh",
    "matrix.loyalty_text_large_disloyal_en": "en",
    "matrix.loyalty_text_small_loyal": "zh",
    "matrix.loyalty_text_small_loyal_en": "en",
    "matrix.loyalty_text_small_disloyal": "zh",
    "matrix.loyalty_text_small_disloyal_en": "en",
    "abc.strategy_a": "zh",
    "abc.strategy_a_en": "en",
    "abc.strategy_b": "zh",
    "abc.strategy_b_en": "en",
    "abc.strategy_c": "zh",
    "abc.strategy_c_en": "en",
    "matrix.wallet_labels": "zh",
    "matrix.wallet_labels_en": "en",
    "matrix.value_labels": "zh",
    "matrix.value_labels_en": "en",
    "matrix.stage_labels": "zh",
    "matrix.stage_labels_en": "en",
}


def _pick(lang: str, pair: tuple[str, str]) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _fold(text: object) -> str:
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


def rule_name(key: str, lang: str, description: tuple[str, str] | None = None) -> str:
    """The rule's display name in ``lang``: "阈值 ABC:A 类订单次数超过" (rules 1 and 3)."""
    section = key.split(".", 1)[0]
    own = NAMES.get(key) or description or (key, key)
    head = SECTIONS.get(section, (section, section))
    return f"{_pick(lang, head)}:{_pick(lang, own)}" if lang == "zh" else f"{_pick(lang, head)}: {_pick(lang, own)}"


def choice_name(key: str, value: str, lang: str) -> str:
    """A choice's name in ``lang`` ("阈值 ABC" for general.method = threshold); else the value."""
    pair = CHOICES.get(key, {}).get(value)
    return _pick(lang, pair) if pair else value


def choice_of(key: str, text: object) -> str | None:
    """The choice value ``text`` names (the value itself or its zh / en name), else None."""
    wanted = _fold(text)
    for value, (zh, en) in CHOICES.get(key, {}).items():
        if wanted in (_fold(value), _fold(zh), _fold(en)):
            return value
    return None


def method_name(text: object, lang: str) -> object:
    """A grading method written as its key or its zh / en name, as its name in ``lang``
    ("threshold" or "threshold ABC" -> "阈值 ABC"); anything else unchanged (History and the
    run log store the name in the workbook's language and read back either)."""
    key = None if text is None else choice_of("general.method", text)
    return choice_name("general.method", key, lang) if key else text


def rule_lang(key: str) -> str | None:
    """ "zh" or "en" for a rule holding one language's labels (rule 4), else None."""
    return _LANG_BOUND.get(key)


def key_of(text: object, keys: dict[str, tuple[str, str]]) -> str | None:
    """The rule key that ``text`` is (a key, or a zh / en display name), else None (rule 2).

    ``keys`` maps every key of the book to its description pair (the rule-3 stand-in)."""
    wanted = _fold(text)
    for key in keys:
        if wanted == _fold(key):
            return key
    for key, description in keys.items():
        if wanted in (_fold(rule_name(key, "zh", description)), _fold(rule_name(key, "en", description))):
            return key
    return None
