"""The printable forms the monthly job writes from the rules: seed 000's 客户分类/等级划分表
(MF/Q 102/A), seed 004's 客户类型划分一览表 and seed 000's 4S-style 客户分级管理策略表.

Pure: frames and the rule book in, frames and text lines out (declaration keys of
:mod:`xlgrade.schema.sheets` as columns, in order); ``lang`` picks every word a person reads.

Rules of this module:

1. Classification (:func:`classification_table`). One row per customer of the deal-stage
   analysis (``matrices.deal_stage``: the customer summary plus every ledger customer up to
   the as-of date), in exactly one of the seed's three groups of 交易过程: the deal stage's
   ``stage`` (0 曾经有过交易, 1 正在进行交易, 2 即将进行交易: the three labels of rule
   ``matrix.stage_labels`` are the seed's groups, so no further mapping is needed; a customer
   without any purchase, ledger lines or not, is 即将进行交易). Groups in the seed's order
   (曾经, 正在, 即将), ids ascending within a group; the group column shows the rule's label.
   客户名称 = derive.company_names; 地址 and 联系电话 = the customer summary's address and
   phone; 法人代表 = the profile's 企业决策领导 (decision_maker); 主要产品 = the product with
   the largest summed amount over the deal-stage window (rule ``matrix.months``), or, for a
   customer without a line in it, over all its lines up to the as-of date; lines with a
   blank product do not count, a product whose sum is not above 0 is never the main one,
   ties go to the product named first in sort order; "" when there is none.
2. Definitions (:func:`definitions`): the A / B / C of the workbook's method (rule
   ``general.method``) as the rule book states it, labels ``abc.labels`` and meanings
   ``abc.names_*``. Threshold (seed 000's own definitions, also printed for a workbook
   graded by a method without A / B / C: scorecard levels, credit, RFM):
   ``threshold.a_orders_over`` / ``a_volume_over`` / ``b_orders_over`` / ``b_volume_over``,
   the measure (``threshold.measure``) and the window (``threshold.window_months``,
   0 = 累计); C is "the rest": orders not above the B orders or volume not above the B
   volume (a consistent rule book has the A thresholds at or above B's). Pareto: the
   strategy ``pareto.strategy`` with its two limits, ``pareto.measure`` and
   ``pareto.window_months``; C includes the customers with a value <= 0. Composite: the
   weights, ``composite.months`` and the split ``composite.split`` with its two limits; C
   includes the customers not ranked. The same criteria fill the strategy table's 划分标准.
3. Notes under the classification (:func:`classification_notes`): the definitions (a line
   wider than 90 % of the table, counting a CJK character as two, continues on the next,
   indented), the customers per group when a table is given, then the sign-off line
   (``SIGN_OFF``) once.
4. Customer types (:func:`loyalty_types_table`): the four quadrants of
   ``matrices.sales_loyalty`` in the rule's label order (large+loyal, large+disloyal,
   small+loyal, small+disloyal) and the not-assessed row, each with the split as the rules
   set it (``matrix.months``, ``matrix.volume_split``, ``matrix.loyal_min``) and seed 004's
   description and strategy, which are rules staff edit in the rules sheet
   (``matrix.loyalty_text_*``, ``matrix.loyalty_strategies``, each with its ``_en`` twin); the
   not-assessed row's texts say how to fill the sheet in (catalogue text).
5. Grading strategy (:func:`grade_strategy_table`): per ABC label its meaning, criteria
   (rule 2), complaint deadline (``RuleBook.deadline_days``), staffing
   (``staffing.*``) and the management strategy of its rank (rules ``abc.strategy_a`` / ``_b``
   / ``_c`` and their ``_en`` twins, edited in the rules sheet).
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from xlgrade.cells.text import NAMES_EN, NAMES_ZH
from xlgrade.engine import frames
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import MatrixRules, RuleBook
from xlgrade.engine.text import num, pct
from xlgrade.job import derive
from xlgrade.job.outputs import Note
from xlgrade.job.text import TEXT, in_lang
from xlgrade.schema.sheets import CLASSIFICATION, GRADE_STRATEGY, LOYALTY_TYPES, SIGN_OFF

STAGE_ORDER = (0, 1, 2)  # the seed's order: 曾经有过交易, 正在进行交易, 即将进行交易
# Notes print in column A and run on over the empty cells to their right: a line wider than
# the table would be cut off at the print area, so a long line breaks (fit) within 90 % of it.
NOTE_WIDTH = 0.9 * sum(c.width for c in CLASSIFICATION.columns)
BREAKS = ",;,;、 "
CONTINUATION = "    "
SPLIT_WORDS = {"mean": ("平均值", "the mean"), "median": ("中位数", "the median")}


# ---- 1. classification by deal stage ------------------------------------------------------------
def stage_labels(rules: RuleBook, lang: str) -> tuple[str, ...]:
    m = rules.matrix
    return in_lang(lang, m.stage_labels, m.stage_labels_en)


def main_products(ledger: pd.DataFrame, ids: pd.Index, as_of, months: int) -> pd.Series:
    """Each customer's main product (rule 1): "" where there is none."""
    as_of = frames.as_timestamp(as_of)
    out = pd.Series("", index=ids, dtype=object)
    if ledger is None or ledger.empty or "product" not in ledger.columns:
        return out
    lines = frames.upto(ledger, as_of)
    product = derive.text_of(lines["product"])
    lines = lines.assign(_product=product, _id=lines["customer_id"].astype(str))[product != ""]
    start = frames.window_start(as_of, months)
    recent = lines if start is None else lines[lines["date"] > start]
    for scope in (recent, lines):  # the window first, all history for the rest
        todo = out.index[out == ""]
        part = scope[scope["_id"].isin(todo.astype(str))]
        if part.empty:
            continue
        sums = part.groupby(["_id", "_product"])["amount"].sum().round(frames.DECIMALS).reset_index()
        sums = sums[sums["amount"] > 0]
        best = sums.sort_values(["_id", "amount", "_product"], ascending=[True, False, True], kind="stable")
        top = best.drop_duplicates("_id").set_index("_id")["_product"]
        found = top.reindex(todo.astype(str)).set_axis(todo)
        out.loc[todo] = found.fillna("").astype(object)
    return out


def classification_table(
    deal: Grading,
    customers: pd.DataFrame | None,
    profiles: pd.DataFrame | None,
    ledger: pd.DataFrame,
    rules: RuleBook,
    as_of,
    lang: str = "zh",
) -> pd.DataFrame:
    """The form's rows: every customer of ``deal`` in its group, the seed's columns (rule 1)."""
    frame = deal.frame
    ids = pd.Index(frame.index.astype(str), name="customer_id")
    stage = pd.Series(frame["stage"].to_numpy(dtype="int64"), index=ids)
    labels = stage_labels(rules, lang)
    out = pd.DataFrame(
        {
            "stage": [labels[s] for s in stage],
            "customer_id": ids,
            "company": derive.company_names(ids, customers, ledger).to_numpy(),
            "address": derive.attribute_text(customers, ids, "address").to_numpy(),
            "legal_rep": derive.attribute_text(profiles, ids, "decision_maker").to_numpy(),
            "phone": derive.attribute_text(customers, ids, "phone").to_numpy(),
            "main_product": main_products(ledger, ids, as_of, rules.matrix.months).to_numpy(),
        },
        index=ids,
    )
    order = pd.Series({s: i for i, s in enumerate(STAGE_ORDER)}).reindex(stage.to_numpy()).to_numpy()
    out = out.assign(_order=order, _id=ids).sort_values(["_order", "_id"], kind="stable")
    out = out.drop(columns=["_order", "_id"]).reset_index(drop=True)
    for key in ("company", "address", "legal_rep", "phone", "main_product"):
        out[key] = out[key].astype(object).where(out[key] != "", None)
    return out[CLASSIFICATION.keys()]


# ---- 2. the grade definitions -----------------------------------------------------------------
def _window(months: int, lang: str) -> str:
    return TEXT("form_window_all", lang) if months <= 0 else TEXT("form_window", lang, months=months)


def _measure(measure: str, lang: str) -> str:
    return in_lang(lang, NAMES_ZH, NAMES_EN)[measure]


def _threshold(rules: RuleBook, lang: str) -> tuple[str, str, str]:
    t = rules.threshold
    measure = in_lang(lang, f"累计{NAMES_ZH[t.measure]}", NAMES_EN[t.measure])
    values = {"window": _window(t.window_months, lang), "measure": measure}
    return (
        TEXT("form_crit_a", lang, orders=t.a_orders_over, volume=num(t.a_volume_over), **values),
        TEXT("form_crit_b", lang, orders=t.b_orders_over, volume=num(t.b_volume_over), a=rules.abc.labels[0], **values),
        TEXT("form_crit_c", lang, orders=t.b_orders_over, volume=num(t.b_volume_over), **values),
    )


def _pareto(rules: RuleBook, lang: str) -> tuple[str, str, str]:
    p = rules.pareto
    values = {"window": _window(p.window_months, lang), "measure": _measure(p.measure, lang)}
    key = f"form_crit_{p.strategy}"
    limits: dict[str, tuple[dict[str, object], dict[str, object]]] = {
        "value_share": ({"share": pct(p.a_share)}, {"share": pct(p.b_share)}),
        "count_share": ({"share": pct(p.a_count_share)}, {"share": pct(p.b_count_share)}),
        "absolute": ({"value": num(p.a_min_value)}, {"value": num(p.b_min_value)}),
        "top_n": ({"n": p.a_top_n}, {"n": p.b_top_n}),
    }
    a, b = limits[p.strategy]
    rank = "" if p.strategy == "absolute" else TEXT("form_rank", lang, **values)
    not_a = TEXT("form_not_above", lang, a=rules.abc.labels[0])
    return (
        rank + TEXT(key, lang, **values, **a),
        not_a + TEXT(key, lang, **values, **b),
        TEXT("form_crit_pareto_c", lang, **values),
    )


def _composite(rules: RuleBook, lang: str) -> tuple[str, str, str]:
    c = rules.composite
    score = TEXT(
        "form_composite_score",
        lang,
        months=c.months,
        credit=pct(c.credit_weight),
        amount=pct(c.amount_weight),
        profit=pct(c.profit_weight),
    )
    if c.split == "bands":
        a = TEXT("form_crit_bands", lang, score=num(c.a_min_score))
        b = TEXT("form_score_word", lang) + TEXT("form_crit_bands", lang, score=num(c.b_min_score))
    else:
        a = TEXT("form_crit_count", lang, share=pct(c.a_count_share))
        b = TEXT("form_crit_count", lang, share=pct(c.b_count_share))
    not_a = TEXT("form_not_above", lang, a=rules.abc.labels[0])
    return score + a, not_a + b, TEXT("form_crit_composite_c", lang, months=c.months)


# The ABC methods whose criteria the forms print; any other method (levels or credit grades,
# not A/B/C) prints the seed's own definitions, the threshold ones.
CRITERIA = {"threshold": _threshold, "pareto": _pareto, "composite": _composite}


def definitions_method(rules: RuleBook) -> str:
    """The method whose A / B / C the forms define: the workbook's, if it grades A / B / C."""
    return rules.general.method if rules.general.method in CRITERIA else "threshold"


def criteria(rules: RuleBook, lang: str) -> tuple[str, str, str]:
    """The A, B and C criteria as the rule book states them (rule 2)."""
    return CRITERIA[definitions_method(rules)](rules, lang)


def grade_names(rules: RuleBook, lang: str) -> tuple[str, ...]:
    abc = rules.abc
    return in_lang(lang, abc.names_zh, abc.names_en)


def definitions(rules: RuleBook, lang: str) -> list[str]:
    """The definitions printed under the form: a heading and one line per ABC grade."""
    labels, names = rules.abc.labels, grade_names(rules, lang)
    method = definitions_method(rules)
    measure = {"threshold": rules.threshold.measure, "pareto": rules.pareto.measure}.get(method, "amount")
    heading = TEXT(f"form_definitions_{method}", lang, labels="/".join(labels), measure=_measure(measure, lang))
    return [heading] + [
        TEXT("form_definition", lang, label=label, name=name, criteria=text)
        for label, name, text in zip(labels, names, criteria(rules, lang))
    ]


def sign_off(lang: str) -> str:
    """记录:________    审核:________    日期:________"""
    return "        ".join(f"{in_lang(lang, zh, en)}____________" for _, zh, en in SIGN_OFF)


def stage_counts(table: pd.DataFrame, rules: RuleBook, lang: str, as_of) -> str:
    """ "截至 2026-10-31:曾经有过交易 3 家,正在进行交易 40 家,即将进行交易 2 家"."""
    labels = stage_labels(rules, lang)
    counts = table["stage"].value_counts()
    parts = [TEXT("form_count", lang, stage=labels[s], n=int(counts.get(labels[s], 0))) for s in STAGE_ORDER]
    day = frames.as_timestamp(as_of).date().isoformat()
    return TEXT("form_counts", lang, day=day, counts=in_lang(lang, ",", ", ").join(parts))


def classification_notes(rules: RuleBook, lang: str, table: pd.DataFrame | None = None, as_of=None) -> list[Note]:
    """What is printed under the classification table (rule 3)."""
    heading, *lines = definitions(rules, lang)
    notes = [Note(heading, "title"), *(Note(piece) for line in lines for piece in fit(line, NOTE_WIDTH))]
    if table is not None and as_of is not None:
        notes.append(Note(stage_counts(table, rules, lang, as_of), "note"))
    notes.append(Note(sign_off(lang), "sign_off"))
    return notes


def text_width(text: str) -> int:
    """Columns of width a text needs: 2 for a wide (CJK) character, 1 for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: float) -> list[str]:
    """``text`` in lines of at most ``width`` (text_width), broken after a comma, semicolon
    or space where one is in reach, else at the width; continuation lines are indented."""
    lines: list[str] = []
    rest, indent = text, ""
    while text_width(indent + rest) > width:
        used, cut, brk = text_width(indent), 0, 0
        for i, ch in enumerate(rest):
            used += text_width(ch)
            if used > width:
                break
            cut = i + 1
            if ch in BREAKS:
                brk = i + 1
        at = brk or max(cut, 1)
        lines.append(indent + rest[:at].rstrip())
        rest, indent = rest[at:].lstrip(), CONTINUATION
    lines.append(indent + rest)
    return lines


# ---- 4. seed 004's customer types ----------------------------------------------------------------
def _loyalty_text(m: MatrixRules, key: str, lang: str) -> str:
    """What a sales x loyalty type means (rule ``matrix.loyalty_text_<key>``, ``_en`` in English)."""
    return str(in_lang(lang, getattr(m, f"loyalty_text_{key}"), getattr(m, f"loyalty_text_{key}_en")))


def loyalty_types_table(rules: RuleBook, lang: str = "zh") -> pd.DataFrame:
    """Sales volume x loyalty: the four types and the not-assessed row (rule 4)."""
    m = rules.matrix
    split = in_lang(lang, *SPLIT_WORDS[m.volume_split])
    large = TEXT("types_large", lang, months=m.months, split=split)
    small = TEXT("types_small", lang, split=split)
    loyal = TEXT("types_loyal", lang, min=num(m.loyal_min))
    disloyal = TEXT("types_disloyal", lang, min=num(m.loyal_min))
    labels = in_lang(lang, m.loyalty_labels, m.loyalty_labels_en)
    quadrants = (
        ("large_loyal", large, loyal),
        ("large_disloyal", large, disloyal),
        ("small_loyal", small, loyal),
        ("small_disloyal", small, disloyal),
    )
    strategies = in_lang(lang, m.loyalty_strategies, m.loyalty_strategies_en)
    rows = [
        (
            TEXT(f"types_{key}", lang),
            label,
            sales,
            loyalty,
            _loyalty_text(m, key, lang),
            strategy,
        )
        for (key, sales, loyalty), label, strategy in zip(quadrants, labels, strategies)
    ]
    missing = in_lang(lang, m.not_assessed_label, m.not_assessed_label_en)
    rows.append(
        (
            TEXT("types_unassessed", lang),
            missing,
            TEXT("types_any", lang),
            TEXT("types_no_loyalty", lang),
            TEXT("types_unassessed_why", lang),
            TEXT("types_unassessed_do", lang),
        )
    )
    return pd.DataFrame(rows, columns=LOYALTY_TYPES.keys())


# ---- 5. seed 000's grading strategy -------------------------------------------------------------
def staffing_text(rules: RuleBook, lang: str) -> tuple[str, str, str]:
    st = rules.staffing
    c_range = (
        num(st.c_per_rep_min)
        if st.c_per_rep_min == st.c_per_rep_max
        else (f"{num(st.c_per_rep_min)}–{num(st.c_per_rep_max)}")
    )
    a, b = num(st.a_per_rep), num(st.b_per_rep)
    return (
        TEXT("strategy_staffing", lang, n=a),
        TEXT("strategy_staffing", lang, n=b),
        TEXT("strategy_staffing", lang, n=c_range),
    )


def grade_strategy_table(rules: RuleBook, lang: str = "zh") -> pd.DataFrame:
    """Per ABC grade: meaning, criteria, complaint deadline, staffing and strategy (rule 5)."""
    labels = rules.abc.labels
    rows = {
        "grade": list(labels),
        "meaning": list(grade_names(rules, lang)),
        "criteria": list(criteria(rules, lang)),
        "complaint_days": pd.array([rules.deadline_days(g) for g in labels], dtype="Int64"),
        "staffing": list(staffing_text(rules, lang)),
        "service": [
            in_lang(lang, getattr(rules.abc, f"strategy_{rank}"), getattr(rules.abc, f"strategy_{rank}_en"))
            for rank in ("a", "b", "c")
        ],
    }
    out = pd.DataFrame(rows)
    out["complaint_days"] = out["complaint_days"].astype("Int64")
    return out[GRADE_STRATEGY.keys()]


__all__ = [
    "STAGE_ORDER",
    "classification_notes",
    "classification_table",
    "criteria",
    "definitions",
    "grade_strategy_table",
    "loyalty_types_table",
    "main_products",
    "sign_off",
    "stage_counts",
]
