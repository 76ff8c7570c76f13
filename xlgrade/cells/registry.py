"""The registry: every cell function with its Excel name, arguments, defaults and help.

Everything that exposes the functions (the LibreOffice component and its descriptions, the
Excel wrappers, docs/functions.md) is generated from :data:`FUNCTIONS`; nothing else states
a signature. Defaults come from the generated :mod:`.defaults` (the rule book's defaults).
"""

from __future__ import annotations

from typing import Any, Iterable

from . import defaults as D
from . import functions as F
from .model import DATE, NUMBER, RANGE, TEXT, Arg, CellFunction, CellValueError

CATEGORY = "xlgrade"


def _list(values: Iterable[Any]) -> str:
    """A list default as the rules sheet writes it: ``"A; B; C"``, ``"90; 75; 60"``."""
    return "; ".join(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values)


def _deadlines_text() -> str:
    return _list([f"{g}={d}" for g, d in D.COMPLAINT_DEADLINES] + [f"*={D.COMPLAINT_OTHER_DAYS}"])


def _orders(name: str = "orders") -> Arg:
    return Arg(
        name,
        NUMBER,
        "订单次数",
        "orders",
        "统计期内的订单次数(不同销售序号的个数)",
        "number of orders in the evaluation window (distinct sale numbers)",
    )


def _volume() -> Arg:
    return Arg(
        "volume",
        NUMBER,
        "累计金额",
        "volume",
        "统计期内的累计金额(退货为负)",
        "total amount in the evaluation window (returns negative)",
    )


def _thresholds() -> tuple[Arg, ...]:
    return (
        Arg(
            "a_orders",
            NUMBER,
            "A 类订单门槛",
            "A orders",
            "A 类:订单次数超过此数(默认规则 threshold.a_orders_over)",
            "A: orders more than this (rule threshold.a_orders_over)",
            True,
            D.A_ORDERS_OVER,
        ),
        Arg(
            "a_volume",
            NUMBER,
            "A 类金额门槛",
            "A volume",
            "A 类:累计金额超过此数(默认规则 threshold.a_volume_over)",
            "A: volume more than this (rule threshold.a_volume_over)",
            True,
            D.A_VOLUME_OVER,
        ),
        Arg(
            "b_orders",
            NUMBER,
            "B 类订单门槛",
            "B orders",
            "B 类:订单次数超过此数(默认规则 threshold.b_orders_over)",
            "B: orders more than this (rule threshold.b_orders_over)",
            True,
            D.B_ORDERS_OVER,
        ),
        Arg(
            "b_volume",
            NUMBER,
            "B 类金额门槛",
            "B volume",
            "B 类:累计金额超过此数(默认规则 threshold.b_volume_over)",
            "B: volume more than this (rule threshold.b_volume_over)",
            True,
            D.B_VOLUME_OVER,
        ),
    )


def _labels(default: tuple[str, ...], zh: str, en: str) -> Arg:
    return Arg(
        "labels",
        TEXT,
        "等级名称",
        "labels",
        f"{zh},由高到低,用分号分隔",
        f"{en}, best first, separated by ;",
        True,
        _list(default),
    )


def _shares() -> tuple[Arg, ...]:
    return (
        Arg(
            "a_share",
            NUMBER,
            "A 类占比界限",
            "A share",
            "排在前面的客户累计占比低于此为 A(0.8 或 80%)",
            "A while the customers above hold less than this share (0.8 or 80%)",
            True,
            D.PARETO_A_SHARE,
        ),
        Arg(
            "b_share",
            NUMBER,
            "B 类占比界限",
            "B share",
            "排在前面的客户累计占比低于此为 B",
            "B while the customers above hold less than this share",
            True,
            D.PARETO_B_SHARE,
        ),
    )


def _values() -> Arg:
    return Arg(
        "values",
        RANGE,
        "数值区域",
        "values",
        "全部客户的数值(如累计金额列);空白和文本忽略",
        "every customer's value (e.g. the volume column); blanks and text are ignored",
    )


def _score_arg(zh_help: str, en_help: str) -> Arg:
    return Arg("score", NUMBER, "分数", "score", zh_help, en_help)


def _minimums(default: tuple[float, ...], zh: str, en: str) -> Arg:
    return Arg(
        "minimums",
        TEXT,
        "各级最低分",
        "minimums",
        f"{zh},由高到低,用分号分隔(分数 ≥ 最低分)",
        f"{en}, highest first, separated by ; (score >= minimum)",
        True,
        _list(default),
    )


def _entered(name: str, zh: str, en: str) -> Arg:
    return Arg(name, NUMBER, zh, en, f"{zh}评分 0-10(空白为 0)", f"{en} score 0-10 (blank counts 0)")


FUNCTIONS: tuple[CellFunction, ...] = (
    CellFunction(
        "ABCGRADE",
        F.abcgrade,
        (
            _orders(),
            _volume(),
            *_thresholds(),
            _labels(D.ABC_LABELS, "A、B、C 三级的名称", "names of the three grades"),
        ),
        TEXT,
        "阈值 ABC 分级:订单次数和累计金额都超过 A 类门槛为 A,都超过 B 类门槛为 B,否则 C",
        "threshold ABC: A when orders and volume are both more than the A thresholds, B when more than the "
        "B thresholds, else C",
        CATEGORY,
    ),
    CellFunction(
        "ABCGRADES",
        F.abcgrades,
        (
            Arg(
                "orders",
                RANGE,
                "订单次数列",
                "orders column",
                "各客户的订单次数(一列)",
                "every customer's number of orders (one column)",
            ),
            Arg(
                "volume",
                RANGE,
                "累计金额列",
                "volume column",
                "各客户的累计金额(一列,行数与订单次数列相同)",
                "every customer's volume (one column, as many rows as the orders)",
            ),
            *_thresholds(),
            _labels(D.ABC_LABELS, "A、B、C 三级的名称", "names of the three grades"),
        ),
        "array",
        "阈值 ABC 的数组形式:为两列(订单次数、累计金额)的每一行返回等级(两格都空的行为空);长表用它比逐格 ABCGRADE 快得多",
        'threshold ABC as an array: the grade of every row of two columns (orders, volume; "" where both are '
        "blank); much faster than one ABCGRADE per cell on long sheets",
        CATEGORY,
    ),
    CellFunction(
        "PARETOGRADE",
        F.paretograde,
        (
            Arg(
                "value",
                NUMBER,
                "数值",
                "value",
                "本客户的数值(如累计金额);≤ 0 为 C",
                "this customer's value (e.g. volume); 0 or less is C",
            ),
            _values(),
            *_shares(),
            _labels(D.ABC_LABELS, "A、B、C 三级的名称", "names of the three grades"),
        ),
        TEXT,
        "帕累托 ABC(80/20):数值更大的客户合计占总数的比例低于 A 类界限为 A,低于 B 类界限为 B,否则 C",
        "Pareto ABC (80/20): A while the customers with a larger value hold less than the A share of the total, "
        "B below the B share, else C",
        CATEGORY,
    ),
    CellFunction(
        "PARETOGRADES",
        F.paretogrades,
        (_values(), *_shares(), _labels(D.ABC_LABELS, "A、B、C 三级的名称", "names of the three grades")),
        "array",
        "帕累托 ABC 的数组形式:为一列数值的每一行返回等级(空白或文本行为空)",
        'Pareto ABC as an array: the grade of every row of a one-column range (blank or text rows give "")',
        CATEGORY,
    ),
    CellFunction(
        "SCORECARD",
        F.scorecard,
        (
            Arg(
                "monthly_units",
                NUMBER,
                "平均月销售",
                "monthly units",
                "近 12 个月的平均月销售数量(件)",
                "average monthly units over the trailing 12 months",
            ),
            Arg(
                "growth",
                NUMBER,
                "销售额增长率",
                "growth",
                "近 12 个月比前 12 个月的销售额增长率(0.5 = 50%);空白表示前 12 个月无销售",
                "sales growth of the trailing 12 months over the 12 before (0.5 = 50%); blank: no earlier sales",
            ),
            _entered("channel", "渠道覆盖", "channel coverage"),
            _entered("loyalty", "忠诚度", "loyalty"),
            _entered("prospects", "发展前景", "prospects"),
        ),
        NUMBER,
        "百分制评分:月均销售 50 分、销售增长 20 分、渠道覆盖、忠诚度、发展前景各 10 分",
        "100-point scorecard: monthly units 50, sales growth 20, channel, loyalty and prospects 10 each",
        CATEGORY,
    ),
    CellFunction(
        "SCOREGRADE",
        F.scoregrade,
        (
            _score_arg("百分制评分(SCORECARD 的结果)", "the 100-point score (SCORECARD's result)"),
            _labels(D.LEVEL_LABELS, "各级名称", "level names"),
            _minimums(D.LEVEL_MIN, "各级最低分", "level minimum scores"),
        ),
        TEXT,
        "评分等级:分数达到的第一个最低分对应的级别(VIP客户、骨干客户、有效客户、休眠客户、潜在客户)",
        "score level: the first level whose minimum the score reaches (VIP, core, active, dormant, potential)",
        CATEGORY,
    ),
    CellFunction(
        "CREDITGRADE",
        F.creditgrade,
        (
            _score_arg("信用分 0-100", "credit score 0-100"),
            _labels(D.CREDIT_LABELS, "信用等级名称", "credit grade names"),
            _minimums(D.CREDIT_MIN, "各信用等级最低分", "credit grade minimum scores"),
        ),
        TEXT,
        "信用等级:信用分达到的第一个最低分对应的等级(优、良、中、差);信用分为空(期内无应收)时为无记录",
        "credit grade: the first grade whose minimum the score reaches (excellent, good, fair, poor); "
        "no record (无记录) for an empty score (no receivables in the period)",
        CATEGORY,
    ),
    CellFunction(
        "RFMCLASS",
        F.rfmclass,
        (
            Arg(
                "recency_days",
                NUMBER,
                "最近购买距今天数",
                "recency days",
                "最近一次购买距评估日的天数;空白表示统计期内无购买",
                "days since the last purchase; blank: no purchase",
            ),
            Arg("frequency", NUMBER, "购买频度", "frequency", "统计期内的购买次数", "orders in the window"),
            Arg("monetary", NUMBER, "购买金额", "monetary", "统计期内的购买金额", "amount in the window"),
            Arg(
                "mean_recency",
                NUMBER,
                "平均最近购买天数",
                "mean recency",
                "有购买客户的平均最近购买天数",
                "mean recency of the customers with a purchase",
            ),
            Arg(
                "mean_frequency",
                NUMBER,
                "平均购买频度",
                "mean frequency",
                "有购买客户的平均购买次数",
                "mean frequency of the customers with a purchase",
            ),
            Arg(
                "mean_monetary",
                NUMBER,
                "平均购买金额",
                "mean monetary",
                "有购买客户的平均购买金额",
                "mean monetary of the customers with a purchase",
            ),
            Arg(
                "labels",
                TEXT,
                "八类名称",
                "labels",
                "八类名称,依次为 RFM 高低组合 " + " ".join(D.RFM_PATTERNS) + ",用分号分隔",
                "the eight class names for the R, F, M patterns " + " ".join(D.RFM_PATTERNS) + ", separated by ;",
                True,
                _list(D.RFM_LABELS),
            ),
        ),
        TEXT,
        "RFM 八类:R(比平均更近)、F、M(高于平均)各分高低,等于平均为低",
        "RFM class: R high when more recent than the mean, F and M high when above the mean; equal is low",
        CATEGORY,
    ),
    CellFunction(
        "COMPLAINTDUE",
        F.complaintdue,
        (
            Arg("grade", TEXT, "客户等级", "grade", "投诉客户的等级", "the complaining customer's grade"),
            Arg(
                "complaint_time",
                DATE,
                "投诉时间",
                "complaint time",
                "投诉的日期和时间",
                "date and time of the complaint",
            ),
            Arg(
                "deadlines",
                TEXT,
                "处理期限",
                "deadlines",
                "各等级的处理天数,如 A=1; B=3; *=7(* 为其他等级)",
                "days to handle per grade, e.g. A=1; B=3; *=7 (* = every other grade)",
                True,
                _deadlines_text(),
            ),
        ),
        DATE,
        "投诉应处理期限:投诉时间加上该等级的处理天数(日历日,保留时刻)",
        "complaint deadline: the complaint time plus the grade's days (calendar days, time of day kept)",
        CATEGORY,
    ),
    CellFunction(
        "GRADEWHY",
        F.gradewhy,
        (
            _orders(),
            _volume(),
            *_thresholds(),
            Arg(
                "lang",
                TEXT,
                "语言",
                "language",
                "说明的语言:zh(默认)或 en",
                "language of the sentence: zh (default) or en",
                True,
                "zh",
            ),
        ),
        TEXT,
        "阈值 ABC 等级的说明(与月度重算写入的说明相同);参数有误时说明错在哪里",
        "why the threshold ABC grade is what it is (the sentence the monthly job writes); "
        "for a wrong argument, what is wrong",
        CATEGORY,
    ),
)

_BY_NAME = {f.name: f for f in FUNCTIONS}


def by_name(name: str) -> CellFunction:
    """The function called ``name`` (case-insensitive); KeyError if there is none."""
    try:
        return _BY_NAME[str(name).strip().upper()]
    except KeyError:
        raise KeyError(f"no cell function {name!r}; there are {', '.join(_BY_NAME)}") from None


__all__ = ["FUNCTIONS", "by_name", "CellFunction", "Arg", "CellValueError"]
