"""What the monthly job computes for the record cards and the ledger's per-line credit column.

Pure (frames in, frames out); ``lang`` chooses every text a person reads.

1. Trading facts (:func:`activity_table`): ``engine.activity`` per customer, as the analysis
   sheet's columns last_order_date (交易日期 / 购买日期), last_paid_date (收款日期),
   daily_sales (日销金额), business_status (营业状况: the rule book's label in ``lang``) and
   products (订购商品 / 购买商品: the first ``activity.products_shown`` names by amount, joined
   with 、 / ", ", then "等 N 种" / "and N more" when there are more). A missing date is
   NaT, no products missing: both empty cells.
2. Per-line credit (:func:`ledger_credit_cells`): for each ledger row read (its sheet
   ``row``), ``engine.credit.line_status`` as of the evaluation date in words: 按期回款,
   逾期 N 天回款, 未回款,截至 日期 逾期 N 天, ... (catalogue keys ``line_*``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlgrade.engine import activity, frames
from xlgrade.engine import credit as credit_engine
from xlgrade.engine.rules import RuleBook
from xlgrade.job.text import TEXT

ACTIVITY_COLUMNS = ("last_order_date", "last_paid_date", "daily_sales", "business_status", "products")


def products_text(products: tuple[str, ...], shown: int, lang: str) -> str | None:
    """The products a card lists (rule 1); None when there are none."""
    if not products:
        return None
    names = TEXT("products_join", lang).join(products[:shown])
    if len(products) <= shown:
        return names
    return TEXT("products_more", lang, names=names, n=len(products), more=len(products) - shown)


def activity_table(
    ledger: pd.DataFrame | None, ids: pd.Index, rules: RuleBook, as_of, lang: str, fig: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The trading-fact columns (rule 1) for ``ids``, in ``ids`` order; all blank without a
    ledger (``fig``: the ledger's figures frame, engine.figures, when the caller has it)."""
    if ledger is None or as_of is None:
        return pd.DataFrame({key: [None] * len(ids) for key in ACTIVITY_COLUMNS}, index=ids)
    facts = activity.evaluate(ledger, ids, rules, frames.as_timestamp(as_of), fig)
    shown = rules.activity.products_shown

    def day(values: pd.Series) -> list:
        return [None if pd.isna(v) else v for v in values.astype(object)]

    return pd.DataFrame(
        {
            "last_order_date": day(facts["last_order_date"]),
            "last_paid_date": day(facts["last_paid_date"]),
            "daily_sales": facts["daily_sales"].to_numpy(),
            "business_status": [activity.trend_label(t, rules, lang) for t in facts["trend"]],
            "products": [products_text(p, shown, lang) for p in facts["products"]],
        },
        index=ids,
    )


def _day_text(as_of: pd.Timestamp) -> str:
    return as_of.strftime("%Y-%m-%d")


def line_words(state: str, days: int, as_of: pd.Timestamp, lang: str) -> str:
    """The 信用评估 of one line (rule 2)."""
    unit = "day" if days == 1 else "days"
    return TEXT(f"line_{state}", lang, days=days, unit=unit, day=_day_text(as_of))


def ledger_credit_cells(ledger: pd.DataFrame, rules: RuleBook, as_of, lang: str) -> pd.DataFrame:
    """``row`` and ``credit_status`` of every line of a prepared ledger that has its sheet row."""
    as_of = frames.as_timestamp(as_of)
    if len(ledger) == 0 or "row" not in ledger:
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "credit_status": pd.Series(dtype=object)})
    status = credit_engine.line_status(ledger, rules, as_of)
    # the words of each distinct (state, days) once: a ledger has a few hundred of them, not 200k
    state, states = pd.factorize(status["state"])
    days = status["days"].to_numpy(dtype="int64")  # whole days, never negative
    width = int(days.max(initial=0)) + 1
    codes, pairs = pd.factorize(state.astype("int64") * width + days)
    texts = [line_words(states[int(p) // width], int(p) % width, as_of, lang) for p in pairs]
    words = np.array(texts, dtype=object)[codes] if texts else np.array([], dtype=object)
    return pd.DataFrame({"row": ledger["row"].astype("int64").to_numpy(), "credit_status": words})
