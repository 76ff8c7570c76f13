"""RFM (docs/rules.md §3.6 RFM; seed 003: 近期购买、购买频度、购买金额) - eight classes and quintile scores.

Window: ``(as_of - rfm.months, as_of]`` (frames.window). A *purchase* is a line with
amount > 0. Per customer:

- recency R = days from the last purchase in the window to the as-of date (NaN if none);
- frequency F = orders among the purchase lines (rule 5 of frames: distinct sale_no, a line without one an order of its own);
- monetary M = sum of amount over all lines of the window (returns included).

A customer is *active* when it has at least one purchase in the window. The split (rule
``rfm.split``: mean or median) of each dimension is taken over the active customers only.

- R high when recency < split (strictly: more recent than the split);
- F high when frequency > split; M high when monetary > split (strictly).

A value exactly equal to the split is low; so a lone active customer is LLL. The pattern
"HLH" (R, F, M) gives the label ``rfm.labels[RFM_PATTERNS.index(pattern)]`` (English:
``rfm.labels_en``). Inactive customers are "LLL" with recency NaN.

Quintile scores 1-5 per dimension among the n active customers:
``score = 1 + floor(5 * worse / n)``, ``worse`` being the number of active customers with a
strictly worse value (larger recency, smaller frequency, smaller monetary). Ties share a
score; with distinct values the best gets 5 once there are at least 5 active customers
(1 + floor(5 * (n - 1) / n) is 3 for n = 2, 4 for n = 3 or 4). Inactive customers score 1 everywhere.

Exactness: values are rounded to 6 decimals and compared with the split in integer
millionths (mean: ``n * v`` against the exact sum), so "equal to the mean" is exact.
The ``measure`` argument is accepted for a uniform signature and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from xlgrade.engine import figures
from xlgrade.engine.result import LANGS, Explain, Grading, make_frame, only
from xlgrade.engine.rules import RFM_PATTERNS, RfmRules, RuleBook
from xlgrade.engine.text import num, nums

# pattern code = 4 * R high + 2 * F high + M high
_PATTERN_OF_CODE = np.array(
    [f"{'HL'[1 - (c >> 2 & 1)]}{'HL'[1 - (c >> 1 & 1)]}{'HL'[1 - (c & 1)]}" for c in range(8)], dtype=object
)
_POSITION_OF_CODE = np.array([RFM_PATTERNS.index(p) for p in _PATTERN_OF_CODE])
FIGURES = ("recency", "frequency", "monetary", "r_score", "f_score", "m_score", "pattern")
SPLIT_ZH = {"mean": "平均", "median": "中位数"}
_EXACT_LIMIT = 2.0**50 / 1e6  # below this, rint(v * 1e6) is the exact millionths


# ---- exact splits (shared with matrices) -------------------------------------------------
@dataclass(frozen=True)
class Split:
    """A mean or median held exactly as ``numer / denom`` millionths."""

    numer: int
    denom: int

    @property
    def value(self) -> float:
        return float(Fraction(self.numer, self.denom) / 1_000_000)


def micro(values: pd.Series) -> np.ndarray:
    """Values rounded to 6 decimals as exact Python ints of millionths (object array; NaN -> 0)."""
    v = np.nan_to_num(values.to_numpy(dtype="float64"), nan=0.0)
    big = np.abs(v) >= _EXACT_LIMIT
    # big values are cast through their decimal text below; casting them to int64 here would
    # overflow (a RuntimeWarning "invalid value encountered in cast" from about 9.2e12 on)
    out = np.rint(np.round(np.where(big, 0.0, v), 6) * 1e6).astype("int64").astype(object)
    for i in np.flatnonzero(big):
        out[i] = int(f"{v[i]:.6f}".replace(".", ""))
    return out


def split_of(values: pd.Series, how: str) -> Split | None:
    """The exact mean or median (``how``) of the non-missing ``values``; None if there are none."""
    units = micro(values.dropna())
    n = len(units)
    if n == 0:
        return None
    if how == "mean":
        return Split(int(units.sum()), n)
    ordered = sorted(units)
    mid = n // 2
    return Split(ordered[mid], 1) if n % 2 else Split(ordered[mid - 1] + ordered[mid], 2)


def above(values: pd.Series, split: Split | None) -> np.ndarray:
    """``v > split`` elementwise, exactly; False where v is missing or there is no split."""
    return _compare(values, split, 1)


def below(values: pd.Series, split: Split | None) -> np.ndarray:
    """``v < split`` elementwise, exactly; False where v is missing or there is no split."""
    return _compare(values, split, -1)


def _compare(values: pd.Series, split: Split | None, sign: int) -> np.ndarray:
    if split is None or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    diff = micro(values) * split.denom - split.numer
    return values.notna().to_numpy() & ((diff * sign) > 0).astype(bool)


def quintile(values: pd.Series, active: pd.Series, *, larger_is_better: bool) -> pd.Series:
    """1 + floor(5 * worse / n_active) among active customers; 1 for the others."""
    scores = pd.Series(1, index=values.index, dtype="int64")
    vals = values[active].round(6)
    n = len(vals)
    if n:
        worse = (vals.rank(method="min", ascending=larger_is_better) - 1).astype("int64")
        scores[active] = 1 + (5 * worse) // n
    return scores


# ---- the method --------------------------------------------------------------------------
def grade(
    ledger: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    return rate(figures.of_ledger(ledger, rules, as_of, figures.NEEDS["rfm"]), customers, rules, as_of, explain=explain)


def rate(
    fig: pd.DataFrame,
    customers: pd.DataFrame,
    rules: RuleBook,
    as_of: pd.Timestamp,
    *,
    measure: str | None = None,
    explain: Explain = LANGS,
) -> Grading:
    """Grade the figures ``fig`` (``rfm_recency``, ``rfm_frequency``, ``rfm_monetary``) by the RFM rules."""
    r = rules.rfm
    ids = figures.population(fig, customers)
    recency = figures.on(fig, ids, "rfm_recency", fill=None).astype("float64")
    frequency = figures.on(fig, ids, "rfm_frequency").astype("int64")
    monetary = figures.on(fig, ids, "rfm_monetary")
    active = pd.Series(frequency > 0, index=ids)

    act = active.to_numpy()
    splits = {
        "r": split_of(recency[active], r.split),
        "f": split_of(frequency[active], r.split),
        "m": split_of(monetary[active], r.split),
    }
    code = (
        below(recency, splits["r"]).astype(int) * 4
        + above(frequency, splits["f"]).astype(int) * 2
        + above(monetary, splits["m"]).astype(int)
    ) * act
    patterns = pd.Series(_PATTERN_OF_CODE[code], index=ids, dtype=object)
    pos = _POSITION_OF_CODE[code]
    grades = np.asarray(r.labels, dtype=object)[pos]

    r_score = quintile(recency, active, larger_is_better=False)
    f_score = quintile(frequency, active, larger_is_better=True)
    m_score = quintile(monetary, active, larger_is_better=True)

    split_vals = {k: (s.value if s is not None else float("nan")) for k, s in splits.items()}
    zh, en = (
        _explain(
            grades,
            pos,
            patterns,
            act,
            recency,
            frequency,
            monetary,
            (r_score, f_score, m_score),
            split_vals,
            r,
            explain,
        )
        if explain
        else ([], [])
    )
    frame = make_frame(
        ids,
        grades,
        *only(explain, zh, en),
        recency=recency,
        frequency=frequency,
        monetary=monetary,
        r_score=r_score,
        f_score=f_score,
        m_score=m_score,
        pattern=patterns,
    )
    return Grading("rfm", frame, FIGURES, r.labels, explain)


def _explain(
    grades: np.ndarray,
    pos: np.ndarray,
    patterns: pd.Series,
    active: np.ndarray,
    recency: pd.Series,
    frequency: pd.Series,
    monetary: pd.Series,
    scores: tuple[pd.Series, pd.Series, pd.Series],
    splits: dict[str, float],
    r: RfmRules,
    explain: Explain,
) -> tuple[list[str], list[str]]:
    """The (zh, en) explanation of every customer's class, a column at a time: each figure
    formatted once per distinct value, a language not in ``explain`` not built."""
    months, how = r.months, r.split
    labels_en = [r.labels_en[k] for k in pos.tolist()]
    rec_t, mon_t = nums(recency), nums(monetary)
    freq = [int(x) for x in frequency.tolist()]
    r_s, f_s, m_s = ([int(x) for x in sc.tolist()] for sc in scores)
    sr, sf, sm = num(splits["r"]), num(splits["f"]), num(splits["m"])
    pats = patterns.tolist()
    ops = {
        p: ("<" if p[0] == "H" else "≥", ">" if p[1] == "H" else "≤", ">" if p[2] == "H" else "≤") for p in set(pats)
    }
    rows = list(zip(grades.tolist(), labels_en, pats, active.tolist(), rec_t, freq, mon_t, r_s, f_s, m_s))
    zh: list[str] = []
    en: list[str] = []
    if "zh" in explain:
        s_zh = SPLIT_ZH[how]
        for label, _, pattern, act, rec, fq, mon, rs, fs, ms in rows:
            score = f"评分 R{rs} F{fs} M{ms}"
            if not act:
                zh.append(f"{label}({pattern}):近 {months} 个月无购买(金额 {mon}),三项均为低,{score}")
                continue
            r_op, f_op, m_op = ops[pattern]
            zh.append(
                f"{label}({pattern}):最近购买距今 {rec} 天 {r_op} {s_zh} {sr} 天,"
                f"订单 {fq} 次 {f_op} {s_zh} {sf} 次,金额 {mon} {m_op} {s_zh} {sm};{score}"
            )
    if "en" in explain:
        for label, label_en, pattern, act, rec, fq, mon, rs, fs, ms in rows:
            score = f"scores R{rs} F{fs} M{ms}"
            if not act:
                en.append(
                    f"{label} ({label_en}, {pattern}): no purchase in the last {months} months "
                    f"(amount {mon}), all three low; {score}"
                )
                continue
            r_op, f_op, m_op = ops[pattern]
            en.append(
                f"{label} ({label_en}, {pattern}): last purchase {rec} days ago {r_op} {how} {sr}, "
                f"{fq} order{'s' if fq != 1 else ''} {f_op} {how} {sf}, "
                f"amount {mon} {m_op} {how} {sm}; {score}"
            )
    return zh, en
