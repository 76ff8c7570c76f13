"""The pure grading engine: pandas in, pandas and dataclasses out.

No file access and no spreadsheet libraries here (a test enforces it). Adapters read the
workbook or files, normalise the frames (see :mod:`xlgrade.engine.frames` for the
contract) and call :func:`grade` or :func:`analyse`.

The grading methods (:data:`METHODS`) grade the per-customer figures of
:mod:`xlgrade.engine.figures` (defined once, as SQL): :func:`grade` takes either a ledger
(its figures are computed by the embedded DuckDB engine) or the figures frame itself, as a
figure engine computed it where the data lives (:mod:`xlgrade.io.engines`). The analyses
(:data:`ANALYSES`) read the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlgrade.engine import composite, credit, frames, matrices, pareto, rfm, scorecard, threshold
from xlgrade.engine import figures as figures_module
from xlgrade.engine.result import LANGS, Explain, Grading
from xlgrade.engine.rulelabels import METHOD_NAMES
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import in_lang

GradeFn = Callable[..., Grading]
PAYMENTS = ("paid_date", "paid_amount")


@dataclass(frozen=True)
class Method:
    """What is known about one grading method or analysis, said here and nowhere else."""

    name: str
    run: GradeFn  # (ledger, customers, rules, as_of[, measure], *, explain) -> Grading
    zh: str  # its name in Chinese ("阈值 ABC"; a method's from rulelabels.METHOD_NAMES) ...
    en: str  # ... and in English ("threshold ABC")
    needs: tuple[tuple[str, ...], ...] = ()  # ledger columns: one of each inner tuple is required
    uses_measure: bool = False  # whether a --measure applies
    summary: tuple[str, str] = ("score", "mean")  # figure totalled per grade: (column, sum|mean)
    window: str | None = None  # the rule giving the months it grades over (0: all)
    labels: str = "abc.labels"  # the rule holding its grades, best first (an ``_en`` twin: English)
    rate: GradeFn | None = None  # (figures, customers, rules, as_of[, measure], *, explain) -> Grading: a method
    reads_figures: bool = False  # an analysis whose run takes fig= (the figures of engine.figures)

    def grade_labels(self, rules: RuleBook, lang: str) -> tuple[str, ...]:
        """The grades it gives, best first, as a workbook in ``lang`` shows them (the 人工等级
        drop-down offers these)."""
        twin = self.labels + "_en"
        has_twin = any(spec.key == twin for spec in RuleBook.specs())
        return tuple(rules.get(twin if lang != "zh" and has_twin else self.labels))

    def label(self, lang: str) -> str:
        """Its name in ``lang`` (zh or en)."""
        return in_lang(lang, self.zh, self.en)

    def window_months(self, rules: RuleBook) -> int | None:
        """The months of its evaluation window under ``rules`` (0 = all history), None if it has no rule."""
        return None if self.window is None else int(rules.get(self.window))

    def missing(self, columns) -> list[tuple[str, ...]]:
        """The column groups of ``needs`` of which ``columns`` has none."""
        have = set(columns)
        return [group for group in self.needs if not have.intersection(group)]


# The grading methods of docs/rules.md §3.1-3.6: one grade per customer, the workbook's choice.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "threshold",
            threshold.grade,
            *METHOD_NAMES["threshold"],
            rate=threshold.rate,
            uses_measure=True,
            summary=("volume", "sum"),
            window="threshold.window_months",
        ),
        Method(
            "pareto",
            pareto.grade,
            *METHOD_NAMES["pareto"],
            rate=pareto.rate,
            uses_measure=True,
            summary=("value", "sum"),
            window="pareto.window_months",
        ),
        Method(
            "scorecard",
            scorecard.grade,
            *METHOD_NAMES["scorecard"],
            rate=scorecard.rate,
            needs=(("quantity",),),
            window="scorecard.months",
            labels="scorecard.level_labels",
        ),
        Method(
            "composite",
            composite.grade,
            *METHOD_NAMES["composite"],
            rate=composite.rate,
            needs=(("profit",), PAYMENTS),
            window="composite.months",
        ),
        Method(
            "credit",
            credit.grade,
            *METHOD_NAMES["credit"],
            rate=credit.rate,
            needs=(PAYMENTS,),
            window="credit.months",
            labels="credit.grade_labels",
        ),
        Method(
            "rfm",
            rfm.grade,
            *METHOD_NAMES["rfm"],
            rate=rfm.rate,
            summary=("monetary", "sum"),
            window="rfm.months",
            labels="rfm.labels",
        ),
    )
}

# The matrices and types of docs/rules.md §3.7: further views on the same customers.
ANALYSES: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "sales_loyalty",
            matrices.sales_loyalty,
            "销量×忠诚度",
            "sales x loyalty",
            uses_measure=True,
            summary=("volume", "sum"),
            reads_figures=True,
        ),
        Method(
            "wallet",
            matrices.wallet,
            "占有率×即将购买量",
            "share of wallet x upcoming purchases",
            summary=("upcoming_purchase", "sum"),
        ),
        Method(
            "value_type",
            matrices.value_type,
            "价值类型",
            "value type",
            needs=(("profit",),),
            summary=("profit", "sum"),
            reads_figures=True,
        ),
        Method("deal_stage", matrices.deal_stage, "交易阶段", "deal stage", summary=("days_since", "mean")),
        Method(
            "two_criteria",
            matrices.two_criteria,
            "二维 ABC 矩阵",
            "two-criteria ABC matrix",
            uses_measure=True,
            summary=("first_value", "sum"),
            reads_figures=True,
        ),
    )
}

ALL = {**METHODS, **ANALYSES}


def grade(
    method: str,
    ledger: pd.DataFrame | None = None,
    *,
    figures: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    rules: RuleBook | None = None,
    as_of=None,
    measure: str | None = None,
    prepared: bool = False,
    explain: Explain = LANGS,
) -> Grading:
    """Grade every customer with ``method`` (any of :data:`ALL`) as of ``as_of`` (default today).

    A grading method (:data:`METHODS`) grades ``figures`` (the frame of
    :func:`xlgrade.engine.figures.figure_columns`, computed for these rules and this as-of
    date) when given, else the figures of ``ledger``; an analysis needs the ledger (and an
    analysis that grades figures, ``reads_figures``, takes them from ``figures`` when given:
    they must then hold every group, as ``figures.of_ledger(ledger, rules, as_of)`` gives them).
    ``prepared``: ``ledger`` is :func:`frames.prepare_ledger`'s result already (the monthly
    job prepares it once for every method), so it is not copied and typed again.
    ``explain``: the languages whose explanation text is built (both by default; the monthly
    job asks for the workbook's language where it writes the explanations, for none elsewhere)."""
    if method not in ALL:
        raise ValueError(f"unknown method {method!r}; choose from {', '.join(ALL)}")
    m = ALL[method]
    as_of = frames.as_timestamp(as_of if as_of is not None else pd.Timestamp.today())
    rules = rules or RuleBook()
    unknown = set(explain) - set(LANGS)
    if unknown:
        raise ValueError(f"explanations in {sorted(unknown)}? choose from {', '.join(LANGS)}")
    kwargs: dict[str, Any] = {"measure": measure} if m.uses_measure else {}
    kwargs["explain"] = tuple(explain)
    people = frames.prepare_customers(customers)
    if m.rate is not None and figures is not None:
        return m.rate(figures_module.indexed(figures), people, rules, as_of, **kwargs)
    if ledger is None:
        raise ValueError(f"{method} needs the ledger")
    if m.reads_figures and figures is not None:
        kwargs["fig"] = figures_module.indexed(figures)
    return m.run(ledger if prepared else frames.prepare_ledger(ledger), people, rules, as_of, **kwargs)


def grade_choices(method: str, rules: RuleBook, lang: str) -> list[str]:
    """What the 人工等级 drop-down offers (the lists sheet's 等级): the grades ``method`` gives,
    best first, each once, as a workbook in ``lang`` shows them."""
    return list(dict.fromkeys(METHODS[method].grade_labels(rules, lang)))


def label_map(method: str, rules: RuleBook, lang: str) -> dict[str, str]:
    """The engine's grade labels of ``method`` -> the labels a workbook in ``lang`` shows
    (scorecard VIP客户 -> VIP, credit 优 -> excellent, 无记录 -> no record, RFM ...); empty
    for zh and for methods whose labels have no English twin (A/B/C)."""
    m = METHODS[method]
    if lang == "zh" or m.labels + "_en" not in {s.key for s in RuleBook.specs()}:
        return {}
    out = dict(zip(rules.get(m.labels), m.grade_labels(rules, lang)))
    if method == "credit":
        out[rules.credit.no_record_label] = rules.credit.no_record_label_en
    return out


def in_language(result: Grading, rules: RuleBook, lang: str) -> Grading:
    """``result`` with its grades, labels and English explanations as a workbook in ``lang``
    shows them (label_map). A new Grading: ``result`` is left as it is."""
    mapping = label_map(result.method, rules, lang)
    # a figure that is itself a credit grade (credit's ly_credit_grade: 上年同期信用) too
    credit_figures = [f for f in result.figures if f.endswith("credit_grade")]
    credit = label_map("credit", rules, lang) if credit_figures else {}
    if not mapping and not credit:
        return result
    frame = result.frame.copy()
    frame["grade"] = frame["grade"].map(lambda g: mapping.get(g, g) if isinstance(g, str) else g)
    for column in credit_figures:
        frame[column] = frame[column].map(lambda g: credit.get(g, g) if isinstance(g, str) else g)
    # the English explanation names the engine's label first ("有效客户 (active): ..."): only English
    starts = {f"{zh} ({en}): ": f"{en}: " for zh, en in mapping.items()}
    starts |= {f"{zh} ({en}, ": f"{en} (" for zh, en in mapping.items()}

    def english(text: object) -> object:
        if isinstance(text, str):
            for old, new in starts.items():
                if text.startswith(old):
                    return new + text[len(old) :]
        return text

    if "en" in result.explained:
        frame["explanation_en"] = frame["explanation_en"].map(english)
    labels = tuple(mapping.get(label, label) for label in result.labels)
    return Grading(result.method, frame, result.figures, labels, result.explained)


__all__ = [
    "ALL",
    "ANALYSES",
    "METHODS",
    "Grading",
    "Method",
    "RuleBook",
    "grade",
    "grade_choices",
    "in_language",
    "label_map",
]
