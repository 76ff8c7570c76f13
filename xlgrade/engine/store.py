"""Seed 000's 顾客档案分析表 (service stores): what the form lets a store manager see, per card holder.

The seed's 使用说明 3: 是谁办的卡?是谁服务的?了解该顾客的消费档次和到店频率,根据进店时间等判断
满意度,及时发现顾客需求和解决问题. Per row of the form (one card holder's treatment card):

- sessions: ``bought`` and ``left`` from the "6∕15" cell (:mod:`xlgrade.sessions`), and the
  usage share ``(bought - left) / bought`` (none when nothing was bought);
- spending level: the first of the rule ``store.spend_min`` (highest first) that the period's
  spending is **at least**; below all of them the last level. Visit class: the same with
  ``store.visit_min`` and the period's visits. A blank value has no level;
- days since the last visit, counted to the as-of date (none for a blank date or one after it);
- follow-up flags: ``away`` when those days are **more than** ``store.away_days``; ``used_up``
  when sessions were bought and none is left; ``renew`` when 1 to ``store.renew_left`` are left.

Levels are returned as ranks (0 = best) for the caller to name in the workbook's language
with the rule book's labels.

Per member of staff (使用说明 3: 还可看出美容师的特长和问题), :func:`staff_table`: one row per
name found in 服务人员 or 办卡人 (sorted; rows without a 服务人员 last, under None): distinct
card holders served, cards sold (rows naming them as 办卡人), their clients' spending (sum)
and average visits (over rows with visits), sessions bought and left (sums) and the usage
share of those sums, and how many of the rows they serve are at the top spending level, the
top visit class, and due a follow-up call (``away``).

Pure: frames in, frames out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.engine.rules import StoreRules

STAFF_COLUMNS = (
    "staff",
    "clients",
    "cards_sold",
    "spend",
    "avg_visits",
    "bought",
    "left",
    "usage",
    "top_level",
    "frequent",
    "follow_up",
)
COLUMNS = ("row", "bought", "left", "usage", "spend_level", "visit_class", "days_away", "away", "used_up", "renew")


def step_rank(values: pd.Series, minimums: Sequence[float]) -> pd.Series:
    """Rank (0 = best) of each value: the first minimum (highest first) it is at least;
    ``len(minimums)`` below all of them; missing for a missing value."""
    x = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    rank = np.full(len(x), len(minimums), dtype="float64")
    for i in reversed(range(len(minimums))):
        rank[x >= minimums[i]] = i
    rank[np.isnan(x)] = np.nan
    return pd.Series(rank, index=values.index).astype("Int64")


def _counts(sessions: pd.Series) -> tuple[pd.Series, pd.Series]:
    def part(i: int) -> list[Any]:
        return [None if s is None or (isinstance(s, float) and np.isnan(s)) else s[i] for s in sessions]

    left = pd.array(part(0), dtype="Int64")
    bought = pd.array(part(1), dtype="Int64")
    return pd.Series(bought, index=sessions.index), pd.Series(left, index=sessions.index)


def analyse(frame: pd.DataFrame, rules: StoreRules, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per row of ``frame`` (a normalised 顾客档案分析表), columns :data:`COLUMNS`.

    ``frame`` needs ``row``; ``sessions``, ``spend``, ``visits`` and ``last_visit`` are used
    where present (an absent column gives blank results).
    """
    n = len(frame)
    index = frame.index

    def col(key: str, dtype: str) -> pd.Series:
        return frame[key] if key in frame else pd.Series([None] * n, index=index, dtype=dtype)

    bought, left = _counts(col("sessions", "object"))
    used = bought - left
    usage = (used.astype("float64") / bought.astype("float64").where(bought > 0)).astype("float64")
    day = pd.Timestamp(as_of).normalize()
    last = pd.to_datetime(col("last_visit", "datetime64[ns]"))
    days = (day - last.dt.normalize()).dt.days
    days = days.where(days >= 0).astype("Int64")
    away = (days > rules.away_days).fillna(False).astype(bool)
    used_up = ((bought > 0) & (left == 0)).fillna(False).astype(bool)
    renew = ((left > 0) & (left <= rules.renew_left)).fillna(False).astype(bool)
    out = {
        "row": frame["row"],
        "bought": bought,
        "left": left,
        "usage": usage,
        "spend_level": step_rank(col("spend", "float64"), rules.spend_min),
        "visit_class": step_rank(col("visits", "float64"), rules.visit_min),
        "days_away": days,
        "away": away,
        "used_up": used_up,
        "renew": renew,
    }
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in out.items()}, columns=list(COLUMNS))


def _names(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return pd.Series([None if pd.isna(v) else str(v) for v in frame[key]], index=frame.index, dtype=object)


def staff_table(frame: pd.DataFrame, analysed: pd.DataFrame) -> pd.DataFrame:
    """One row per member of staff (see the module docstring); ``analysed`` is :func:`analyse` of ``frame``."""
    frame = frame.reset_index(drop=True)
    a = analysed.reset_index(drop=True)
    staff, seller = _names(frame, "staff"), _names(frame, "card_seller")
    named = sorted({str(v) for v in (*staff, *seller) if v is not None})
    keys: list[str | None] = [*named, *([None] if staff.isna().any() else [])]
    spend = pd.to_numeric(frame["spend"], errors="coerce") if "spend" in frame else pd.Series(np.nan, index=a.index)
    visits = pd.to_numeric(frame["visits"], errors="coerce") if "visits" in frame else pd.Series(np.nan, index=a.index)
    rows = []
    for key in keys:
        mine = staff.isna() if key is None else (staff == key)
        bought = a.loc[mine, "bought"].sum()
        left = a.loc[mine, "left"].sum()
        seen = visits[mine].dropna()
        rows.append(
            {
                "staff": key,
                "clients": int(frame.loc[mine, "holder"].nunique()) if "holder" in frame else int(mine.sum()),
                "cards_sold": 0 if key is None else int((seller == key).sum()),
                "spend": float(spend[mine].sum()),
                "avg_visits": float(seen.mean()) if len(seen) else np.nan,
                "bought": int(bought),
                "left": int(left),
                "usage": (bought - left) / bought if bought > 0 else np.nan,
                "top_level": int((a.loc[mine, "spend_level"] == 0).sum()),
                "frequent": int((a.loc[mine, "visit_class"] == 0).sum()),
                "follow_up": int(a.loc[mine, "away"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=list(STAFF_COLUMNS))
