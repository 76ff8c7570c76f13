"""What the customer summary's live formulas yield, worked out by the monthly job.

The job writes these values into the formula cells as their cached results, so a file
viewer, a phone app, pandas, Excel's Protected View or Calc without the extension shows
the job's figures, and a spreadsheet that recalculates gets the same ones (docs/rules.md §1.2
The evaluation window: live 订单次数 / 累计金额).

Rules of this module:

1. 订单次数 (``orders_all``) = the customer's ledger lines dated in the threshold window
   ``(xlgrade_as_of − threshold.window_months, xlgrade_as_of]`` (COUNTIFS counts lines);
   累计金额 (``volume_all``) = the sum of their amounts (SUMIFS). A line whose date was
   typed as text counts in neither, an amount typed as text adds nothing: a spreadsheet's
   COUNTIFS / SUMIFS compare numbers only.
2. 客户等级 (``grade``) = the cell function of the workbook's method (rule
   ``general.method``) on those figures and the rule book as the rules sheet holds it
   (``Column.formula_for``): ABCGRADE for threshold, PARETOGRADE over the column of
   累计金额 for Pareto, SCOREGRADE(SCORECARD(...)) for the scorecard (level labels in the
   workbook's language). Methods a cell cannot
   compute (composite, credit, RFM) have no formula: the job writes the computed grade
   (before manual overrides; 人工等级 is its own column).
3. Where a live formula cannot see what the job sees, each ledger row concerned is a
   validation note: lines sharing one 销售序号 (the job counts one order, COUNTIFS each
   line), and amounts or dates typed as text, in the window.

Pure: frames in, frames and issues out; the cell functions come from :mod:`xlgrade.cells`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.cells import by_name
from xlgrade.engine import frames
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import in_lang
from xlgrade.issues import NOTE, Issue
from xlgrade.normalize import Normalized
from xlgrade.schema.sheets import CUSTOMERS

COLUMNS = ("orders_all", "volume_all", "grade")


def grade_formula(method: str) -> str | None:
    """The 客户等级 formula template for a workbook graded by ``method`` (None: a plain value)."""
    return CUSTOMERS.column("grade").formula_for(method)


def live_ledger(ledger: pd.DataFrame, typed_as_text: Mapping[str, Mapping[int, str]]) -> pd.DataFrame:
    """The prepared ledger (with its sheet ``row``) as a spreadsheet's COUNTIFS / SUMIFS see it (rule 1)."""
    lines = ledger[~ledger["row"].isin(list(typed_as_text.get("date", {})))].copy()
    for measure in ("amount", "quantity"):
        typed = lines["row"].isin(list(typed_as_text.get(measure, {})))
        lines[measure] = lines[measure].where(~typed, np.nan)
    return lines


def customer_cells(
    customers: pd.DataFrame,
    ledger: pd.DataFrame,
    typed_as_text: Mapping[str, Mapping[int, str]],
    rules: RuleBook,
    as_of: pd.Timestamp,
    computed: pd.Series,
    lang: str = "zh",
) -> pd.DataFrame:
    """``row`` and the cached value of each live column for every row of the customer summary.

    ``customers`` is the normalised customer summary (with ``row``), ``ledger`` the prepared
    ledger with its sheet ``row``; ``computed`` the computed grade of each customer id (rule 2,
    for methods without a formula).
    """
    ids = customers["customer_id"].astype(str)
    lines = live_ledger(ledger, typed_as_text)
    window = frames.window(lines, as_of, rules.threshold.window_months)
    by = window.groupby("customer_id")
    orders = by.size().reindex(ids).fillna(0).astype("int64").to_numpy()
    volume = by["amount"].sum().reindex(ids).fillna(0.0).round(frames.DECIMALS).to_numpy()
    method = rules.general.method
    grades: Sequence[Any] | np.ndarray
    if method == "threshold":
        grades = _threshold(orders, volume, rules)
    elif method == "pareto":
        grades = _pareto(volume, rules)
    elif method == "scorecard":
        grades = _scorecard(customers, lines, rules, as_of, lang)
    else:
        mine = computed.reindex(ids).astype(object)
        grades = mine.where(mine.notna(), None).to_numpy()
    return pd.DataFrame(
        {"row": customers["row"].to_numpy(), "orders_all": orders, "volume_all": volume, "grade": grades}
    )


def _held(rules: RuleBook, key: str):
    """A rule as its cell on the rules sheet holds it (lists as ``"A; B; C"``)."""
    spec = next(s for s in RuleBook.specs() if s.key == key)
    return spec.format(rules.get(key))


def _threshold(orders: np.ndarray, volume: np.ndarray, rules: RuleBook) -> list[str]:
    fn = by_name("ABCGRADE")
    args = [
        _held(rules, f"threshold.{k}") for k in ("a_orders_over", "a_volume_over", "b_orders_over", "b_volume_over")
    ]
    labels = _held(rules, "abc.labels")
    return [fn(float(o), float(v), *args, labels) for o, v in zip(orders, volume)]


def _pareto(volume: np.ndarray, rules: RuleBook) -> list[str]:
    column = tuple((float(v),) for v in volume)
    out = by_name("PARETOGRADES")(
        column, _held(rules, "pareto.a_share"), _held(rules, "pareto.b_share"), _held(rules, "abc.labels")
    )
    return [row[0] for row in out]


def _scorecard(
    customers: pd.DataFrame, lines: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, lang: str
) -> list[str]:
    s = rules.scorecard
    ids = customers["customer_id"].astype(str)
    now = frames.window(lines, as_of, s.months).groupby("customer_id")
    before = frames.window(lines, as_of - pd.DateOffset(months=s.months), s.months).groupby("customer_id")
    units = (now["quantity"].sum().reindex(ids).fillna(0.0) / s.months).to_numpy()
    sales_now = now["amount"].sum().reindex(ids).fillna(0.0).to_numpy()
    sales_before = before["amount"].sum().reindex(ids).fillna(0.0).to_numpy()
    card, level = by_name("SCORECARD"), by_name("SCOREGRADE")
    labels = _held(rules, "scorecard.level_labels" + in_lang(lang, "", "_en"))  # {label:...}
    minimums = _held(rules, "scorecard.level_min")
    scores = {
        k: (customers[k] if k in customers else pd.Series(np.nan, index=customers.index)).to_numpy()
        for k in ("channel", "loyalty", "prospects")
    }
    out = []
    for i in range(len(ids)):
        growth = sales_now[i] / sales_before[i] - 1 if sales_before[i] > 0 else "" if sales_now[i] > 0 else -1.0
        entered = [None if pd.isna(scores[k][i]) else float(scores[k][i]) for k in ("channel", "loyalty", "prospects")]
        out.append(level(card(float(units[i]), growth, *entered), labels, minimums))
    return out


def notes(ledger: pd.DataFrame, read: Normalized, rules: RuleBook, as_of: pd.Timestamp) -> list[Issue]:
    """Ledger rows in the window a live formula counts differently from the job (rule 3).

    ``ledger`` is the prepared ledger, ``read`` the normalised sheet it came from.
    """
    window = frames.window(ledger, as_of, rules.threshold.window_months)
    out: list[Issue] = []
    sale = window["sale_no"].astype(object)
    has_no = sale.notna() & (sale.astype(str).str.strip() != "")
    keyed = window[has_no]
    first_row = keyed.groupby(["customer_id", "sale_no"])["row"].transform("min")
    header = read.header("sale_no")
    shared = (keyed["row"] != first_row).to_numpy()  # only these rows get a note: no loop over the others
    for row, no, first in zip(keyed["row"][shared], keyed["sale_no"][shared], first_row[shared]):
        out.append(
            Issue(
                read.source,
                int(row),
                header,
                no,
                f"shares its sale no. with row {int(first)}: the monthly job counts one order, "
                "the live Orders formula (COUNTIFS) counts each line",
                f"与第 {int(first)} 行销售序号相同:月度重算计为一个订单,订单次数公式(COUNTIFS)每行各计一次",
                NOTE,
            )
        )
    in_window = set(window["row"].tolist())
    what = {
        "amount": (
            "the live Volume formula (SUMIFS) leaves out an amount typed as text",
            "金额为文本:累计金额公式(SUMIFS)不计入,月度重算计入",
        ),
        "date": (
            "the live Orders and Volume formulas leave out a line whose date is typed as text",
            "日期为文本:订单次数和累计金额公式不计入此行,月度重算计入",
        ),
    }
    for key, (en, zh) in what.items():
        for row, text in read.typed_as_text.get(key, {}).items():
            if row in in_window:
                out.append(Issue(read.source, int(row), read.header(key), text, en, zh, NOTE))
    return sorted(out, key=lambda i: (i.row or 0, i.column or ""))
