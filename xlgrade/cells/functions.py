"""The cell functions' implementations (docs/rules.md §3.1-3.3, 3.5, 3.6, 3.8), standard library only.

Each function takes what the spreadsheet hands over (model.py rule 3) and computes one
customer's result exactly as the pandas engine does for the same figures and rules:

- figures are rounded to 6 decimals (as pandas ``round(6)``) before any comparison, so
  "exactly 100,000" and "a score of 90" mean what they say;
- the Pareto shares are compared in decimal arithmetic (engine/pareto.py), the RFM means in
  whole millionths (engine/rfm.py).

A blank required number counts as 0 (an empty cell is 0 in spreadsheet arithmetic), except
where a blank has a meaning of its own: a blank growth means no sales in the earlier period,
a blank recency means no purchase in the window, a blank mean means no active customers.
"""

from __future__ import annotations

import bisect
import math
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from typing import Any, Iterator

from . import args
from . import defaults as D
from .explain import threshold_explanation
from .model import CellValueError
from .text import count

# (zh, en) names of the arguments, as they appear in messages.
ORDERS, VOLUME = ("订单次数", "orders"), ("累计金额", "volume")
A_ORDERS, A_VOLUME = ("A 类订单门槛", "a_orders"), ("A 类金额门槛", "a_volume")
B_ORDERS, B_VOLUME = ("B 类订单门槛", "b_orders"), ("B 类金额门槛", "b_volume")
LABELS, LANG = ("等级名称", "labels"), ("语言", "lang")
VALUE, VALUES = ("数值", "value"), ("数值区域", "values")
A_SHARE, B_SHARE = ("A 类占比界限", "a_share"), ("B 类占比界限", "b_share")
UNITS, GROWTH = ("平均月销售", "monthly_units"), ("销售额增长率", "growth")
CHANNEL, LOYALTY, PROSPECTS = ("渠道覆盖", "channel"), ("忠诚度", "loyalty"), ("发展前景", "prospects")
SCORE, MINIMUMS = ("分数", "score"), ("各级最低分", "minimums")
RECENCY, FREQUENCY, MONETARY = ("最近购买距今天数", "recency_days"), ("购买频度", "frequency"), ("购买金额", "monetary")
MEAN_R, MEAN_F, MEAN_M = (
    ("平均最近购买天数", "mean_recency"),
    ("平均购买频度", "mean_frequency"),
    ("平均购买金额", "mean_monetary"),
)
GRADE, TIME, DEADLINES = ("客户等级", "grade"), ("投诉时间", "complaint_time"), ("处理期限", "deadlines")

Cell = Any  # what a spreadsheet hands over (model.py rule 3): float, str, None, or a tuple of rows
Limits = tuple[float, float, float, float]  # a_orders, a_volume, b_orders, b_volume

_ENGINE_CONTEXT = Context(prec=28)  # the decimal default context engine/pareto.py compares in


# ---- threshold ABC (§3.1) ----------------------------------------------------------------------
def _figures(orders: Cell, volume: Cell) -> tuple[float, float]:
    o = args.number(orders, ORDERS, blank=0.0, minimum=0, whole=True)
    # Volume may be negative: net returns are a real total (the engine grades them C).
    return o, args.round6(args.number(volume, VOLUME, blank=0.0))


@args.cached(maxsize=256)  # every cell of a sheet passes the same four rules
def _thresholds(a_orders: Cell, a_volume: Cell, b_orders: Cell, b_volume: Cell) -> Limits:
    ao = args.number(a_orders, A_ORDERS, blank=float(D.A_ORDERS_OVER), minimum=0, whole=True)
    av = args.number(a_volume, A_VOLUME, blank=float(D.A_VOLUME_OVER), minimum=0)
    bo = args.number(b_orders, B_ORDERS, blank=float(D.B_ORDERS_OVER), minimum=0, whole=True)
    bv = args.number(b_volume, B_VOLUME, blank=float(D.B_VOLUME_OVER), minimum=0)
    if bo > ao:
        raise args.fail(B_ORDERS, f"不能高于 A 类门槛 {args.show(ao)}", f"must not be above a_orders ({args.show(ao)})")
    if bv > av:
        raise args.fail(B_VOLUME, f"不能高于 A 类门槛 {args.show(av)}", f"must not be above a_volume ({args.show(av)})")
    return ao, av, bo, bv


def _threshold_grade(figures: tuple[float, float], limits: Limits, labels: tuple[str, ...]) -> str:
    (o, v), (ao, av, bo, bv), (a, b, c) = figures, limits, labels
    return a if o > ao and v > av else b if o > bo and v > bv else c


def abcgrade(
    orders: Cell,
    volume: Cell,
    a_orders: Cell = None,
    a_volume: Cell = None,
    b_orders: Cell = None,
    b_volume: Cell = None,
    labels: Cell = None,
) -> str:
    figures = _figures(orders, volume)
    limits = _thresholds(a_orders, a_volume, b_orders, b_volume)
    return _threshold_grade(figures, limits, args.labels(labels, LABELS, D.ABC_LABELS, 3))


def _column(value: Cell, label: tuple[str, str]) -> tuple[Cell, ...]:
    """The cells of a one-column range, top to bottom (a single value is a 1-row column)."""
    rows = value if isinstance(value, (tuple, list)) else ((value,),)
    cells = []
    for row in rows:
        if isinstance(row, (tuple, list)):
            if len(row) != 1:
                raise args.fail(label, "只能是一列", "must be a single column")
            row = row[0]
        cells.append(row)
    return tuple(cells)


def abcgrades(
    orders: Cell,
    volume: Cell,
    a_orders: Cell = None,
    a_volume: Cell = None,
    b_orders: Cell = None,
    b_volume: Cell = None,
    labels: Cell = None,
) -> tuple[tuple[str], ...]:
    """ABCGRADE of every row of two one-column ranges in one call; "" where both are blank.

    A wrong cell refuses the whole array with a message naming its row (1 = the first row of
    the range), since an array cannot hold one #VALUE! among its grades.
    """
    os_, vs = _column(orders, ORDERS), _column(volume, VOLUME)
    if len(os_) != len(vs):
        raise args.fail(
            VOLUME,
            f"的行数({len(vs)})必须与订单次数的行数({len(os_)})相同",
            f"must have as many rows ({len(vs)}) as orders ({len(os_)})",
        )
    limits = _thresholds(a_orders, a_volume, b_orders, b_volume)
    names = args.labels(labels, LABELS, D.ABC_LABELS, 3)
    out: list[tuple[str]] = []
    for i, (o, v) in enumerate(zip(os_, vs), 1):
        if args.is_blank(o) and args.is_blank(v):
            out.append(("",))
            continue
        try:
            figures = _figures(o, v)
        except CellValueError as exc:
            raise CellValueError(f"row {i}: {exc}", zh=f"第 {i} 行:{exc.zh}") from None
        out.append((_threshold_grade(figures, limits, names),))
    return tuple(out)


def gradewhy(
    orders: Cell,
    volume: Cell,
    a_orders: Cell = None,
    a_volume: Cell = None,
    b_orders: Cell = None,
    b_volume: Cell = None,
    lang: Cell = None,
) -> str:
    """The engine's explanation; a wrong argument gives a sentence saying what was wrong."""
    code = "zh" if args.is_blank(lang) else args.clean(lang).lower()
    if code.startswith("zh"):
        code = "zh"
    elif code.startswith("en"):
        code = "en"
    else:
        return f"语言必须是 zh 或 en,而不是 {args.show(lang)} / lang must be zh or en, not {args.show(lang)}"
    try:
        figures = _figures(orders, volume)
        limits = _thresholds(a_orders, a_volume, b_orders, b_volume)
    except CellValueError as exc:
        return exc.message(code)
    grade = _threshold_grade(figures, limits, D.ABC_LABELS)
    zh, en = threshold_explanation(grade, *figures, *limits, D.ABC_LABELS)
    return zh if code == "zh" else en


# ---- Pareto ABC (§3.2) -------------------------------------------------------------------------
def _exact(x: float) -> Decimal:
    """A figure rounded to 6 decimals, exactly (engine/pareto.py rank_values)."""
    return Decimal(f"{args.round6(x):.6f}")


def _cells(values: Any) -> Iterator[Cell]:
    """Every cell of a range (a tuple of rows, a row, or a single value)."""
    if isinstance(values, (tuple, list)):
        for row in values:
            if isinstance(row, (tuple, list)):
                yield from row
            else:
                yield row
    else:
        yield values


def _as_number(cell: Any) -> float | None:
    """A range cell's number; blanks and text are ignored (None). TRUE/FALSE count 1/0 as in Calc."""
    if isinstance(cell, (int, float)):
        try:
            x = float(cell)
        except OverflowError:
            return None
        return x if math.isfinite(x) else None
    return None


class _Population:
    """The positive values of a range, sorted once: share_before of any value is a lookup."""

    def __init__(self, values: Any) -> None:
        counts: dict[Decimal, int] = {}
        for cell in _cells(values):
            x = _as_number(cell)
            if x is not None:
                d = _exact(x)
                if d > 0:
                    counts[d] = counts.get(d, 0) + 1
        with localcontext() as ctx:
            ctx.prec = 60
            self.ascending = sorted(counts)
            self.prefix = [Decimal(0)]  # prefix[i] = sum of the i smallest distinct values
            for d in self.ascending:
                self.prefix.append(self.prefix[-1] + d * counts[d])
        self.total = self.prefix[-1]

    def sum_above(self, d: Decimal) -> Decimal:
        """Sum of the values strictly greater than ``d``."""
        with localcontext() as ctx:
            ctx.prec = 60
            return self.total - self.prefix[bisect.bisect_right(self.ascending, d)]

    def grade(self, d: Decimal, a_cut: Decimal, b_cut: Decimal, labels: tuple[str, ...]) -> str:
        a, b, c = labels
        if d <= 0:
            return c
        before = self.sum_above(d)
        with localcontext(_ENGINE_CONTEXT):
            return a if before < a_cut * self.total else b if before < b_cut * self.total else c


@lru_cache(maxsize=16)
def _population_of(values: tuple[Any, ...]) -> _Population:
    return _Population(values)


def population(values: Any) -> _Population:
    """The cached population of a range, keyed by its content.

    Equal keys always give equal populations (1, 1.0 and TRUE are all the number 1), so a
    cache hit is always right. Unhashable input (lists) is converted first.
    """
    if not isinstance(values, tuple):
        values = (values,) if not isinstance(values, list) else tuple(values)
    try:
        hash(values)
    except TypeError:
        values = tuple(tuple(r) if isinstance(r, (list, tuple)) else r for r in values)
    return _population_of(values)


def _pareto_args(a_share: Cell, b_share: Cell, labels: Cell) -> tuple[Decimal, Decimal, tuple[str, ...]]:
    a = args.share(a_share, A_SHARE, D.PARETO_A_SHARE)
    b = args.share(b_share, B_SHARE, D.PARETO_B_SHARE)
    if a > b:
        raise args.fail(A_SHARE, f"不能高于 B 类界限 {args.show(b)}", f"must not be above b_share ({args.show(b)})")
    return Decimal(str(a)), Decimal(str(b)), args.labels(labels, LABELS, D.ABC_LABELS, 3)


def paretograde(value: Cell, values: Cell, a_share: Cell = None, b_share: Cell = None, labels: Cell = None) -> str:
    v = args.number(value, VALUE, blank=0.0)
    a_cut, b_cut, names = _pareto_args(a_share, b_share, labels)
    return population(values).grade(_exact(v), a_cut, b_cut, names)


def paretogrades(
    values: Cell, a_share: Cell = None, b_share: Cell = None, labels: Cell = None
) -> tuple[tuple[str], ...]:
    """One grade per row of a one-column range; "" for a blank or text row."""
    a_cut, b_cut, names = _pareto_args(a_share, b_share, labels)
    pop = population(values)
    out: list[tuple[str]] = []
    for cell in _column(values, VALUES):
        x = _as_number(cell)
        out.append(("" if x is None else pop.grade(_exact(x), a_cut, b_cut, names),))
    return tuple(out)


# ---- scorecard (§3.3) ---------------------------------------------------------------------------
def _interp(x: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """numpy.interp(x, xs, ys) for xs[0] <= x < xs[-1], with numpy's arithmetic."""
    j = bisect.bisect_right(xs, x) - 1
    if x == xs[j]:
        return ys[j]
    slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
    return slope * (x - xs[j]) + ys[j]


def units_points(units: float) -> float:
    for low, pts in zip(D.UNITS_MIN, D.UNITS_POINTS):
        if units >= low:
            return pts
    return 0.0


def growth_points(growth: float | None, units: float) -> float:
    """Points for growth; ``None`` = no earlier sales: full new-customer points when units > 0."""
    if growth is None:
        return D.NEW_GROWTH_POINTS if units > 0 else 0.0
    breaks, pts = D.GROWTH_BREAKS, D.GROWTH_POINTS
    if growth < breaks[0]:
        return 0.0
    if growth >= breaks[-1]:
        return pts[-1]
    return _interp(growth, breaks, pts)


def scorecard(monthly_units: Cell, growth: Cell, channel: Cell, loyalty: Cell, prospects: Cell) -> float:
    # Units may be negative after returns (0 points), as in the engine.
    units = args.round6(args.number(monthly_units, UNITS, blank=0.0))
    g = args.number(growth, GROWTH, blank=None, percent=True)
    entered = [
        args.number(v, label, blank=0.0, minimum=0, maximum=10) * pts / 10.0
        for v, label, pts in (
            (channel, CHANNEL, D.CHANNEL_POINTS),
            (loyalty, LOYALTY, D.LOYALTY_POINTS),
            (prospects, PROSPECTS, D.PROSPECTS_POINTS),
        )
    ]
    return args.round6(units_points(units) + growth_points(g, units) + sum(entered))


def _level(score: float, names: tuple[str, ...], mins: tuple[float, ...], label: tuple[str, str]) -> str:
    if len(names) != len(mins) + 1:
        raise args.fail(
            label,
            f"需要 {len(mins) + 1} 个名称(比最低分多一个),现有 {len(names)} 个",
            f"needs {len(mins) + 1} labels (one more than the minimums), has {len(names)}",
        )
    for low, name in zip(mins, names):
        if score >= low:
            return name
    return names[-1]


def scoregrade(score: Cell, labels: Cell = None, minimums: Cell = None) -> str:
    s = args.round6(args.number(score, SCORE, blank=0.0))
    mins = args.minimums(minimums, MINIMUMS, D.LEVEL_MIN)
    return _level(s, args.labels(labels, LABELS, D.LEVEL_LABELS, None), mins, LABELS)


# ---- credit (§3.5) -------------------------------------------------------------------------------
def creditgrade(score: Cell, labels: Cell = None, minimums: Cell = None) -> str:
    if args.is_blank(score):  # a period without receivables has no score (docs/rules.md §3.5)
        return D.CREDIT_NO_RECORD
    s = args.round6(args.number(score, SCORE))
    mins = args.minimums(minimums, MINIMUMS, D.CREDIT_MIN)
    return _level(s, args.labels(labels, LABELS, D.CREDIT_LABELS, None), mins, LABELS)


# ---- RFM (§3.6) ----------------------------------------------------------------------------------
def rfmclass(
    recency_days: Cell,
    frequency: Cell,
    monetary: Cell,
    mean_recency: Cell,
    mean_frequency: Cell,
    mean_monetary: Cell,
    labels: Cell = None,
) -> str:
    names = args.labels(labels, LABELS, D.RFM_LABELS, len(D.RFM_PATTERNS))
    r = args.number(recency_days, RECENCY, blank=None, minimum=0)
    f = args.number(frequency, FREQUENCY, blank=0.0, minimum=0)
    m = args.number(monetary, MONETARY, blank=0.0)
    mr = args.number(mean_recency, MEAN_R, blank=None)
    mf = args.number(mean_frequency, MEAN_F, blank=None)
    mm = args.number(mean_monetary, MEAN_M, blank=None)
    if r is None:  # no purchase in the window: 一般挽留客户 (LLL)
        return names[D.RFM_PATTERNS.index("LLL")]
    high_r = mr is not None and args.micro(r) < args.micro(mr)
    high_f = mf is not None and args.micro(f) > args.micro(mf)
    high_m = mm is not None and args.micro(m) > args.micro(mm)
    pattern = "".join("H" if h else "L" for h in (high_r, high_f, high_m))
    return names[D.RFM_PATTERNS.index(pattern)]


# ---- complaint deadline (§3.8) -------------------------------------------------------------------
def complaintdue(grade: Cell, complaint_time: Cell, deadlines: Cell = None) -> float:
    """complaint_time (a date-time serial) + the grade's deadline in calendar days."""
    at: float = args.number(complaint_time, TIME, minimum=0)
    per, other = args.deadlines(deadlines, DEADLINES, D.COMPLAINT_DEADLINES, D.COMPLAINT_OTHER_DAYS)
    if isinstance(grade, bool):
        raise args.fail(GRADE, f"不能是逻辑值:{grade}", f"must be text, not {grade}")
    if args.is_blank(grade):
        key = ""
    elif isinstance(grade, (int, float)):
        key = count(float(grade))  # a grade typed as a number: 1 and 1.0 are the label "1"
    else:
        key = args.clean(grade)
    return at + per.get(key, other)
