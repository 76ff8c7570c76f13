"""Explanations are built only in the languages asked for (``grade(..., explain=...)``), and the
monthly job asks for the workbook's language where it writes them, for none elsewhere.

- every method and analysis graded with ``explain`` holds exactly those explanation columns,
  each equal to the one a full (both languages) grading gives, and the same grades and figures;
- the monthly job builds the credit explanations once per customer, in the workbook's
  language only, and no analysis explanation at all (counted calls of the builders);
- what it writes (History's explanations, the credit sheet's) equals the full grading's text.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from memorybook import MemoryBook
from test_monthly import raw, with_later

from xlgrade import demo_data
from xlgrade.engine import ALL, METHODS, credit, figures, frames, grade, in_language, matrices, rfm
from xlgrade.engine.dynamics import apply_overrides
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import RuleBook
from xlgrade.job.monthly import explained_in, run_month
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, LEDGER

NOW = datetime(2026, 11, 23, 9, 30)
AS_OF = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def data() -> demo_data.DemoData:
    return demo_data.generate(n_customers=40)


@pytest.fixture(scope="module")
def prepared(data: demo_data.DemoData) -> tuple[pd.DataFrame, pd.DataFrame]:
    ledger = frames.prepare_ledger(data.ledger)
    return ledger, figures.of_ledger(ledger, RuleBook(), AS_OF)


def graded(name: str, prepared, data, explain) -> Grading:
    ledger, fig = prepared
    takes = name in METHODS or ALL[name].reads_figures
    kw = {} if explain is None else {"explain": explain}
    return grade(
        name,
        ledger,
        figures=fig if takes else None,
        customers=data.customers,
        rules=RuleBook(),
        as_of=AS_OF,
        prepared=True,
        **kw,
    )


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("explain", [(), ("zh",), ("en",)])
def test_only_the_languages_asked_for(name: str, explain: tuple[str, ...], prepared, data) -> None:
    full = graded(name, prepared, data, None)
    assert full.explained == ("zh", "en")
    part = graded(name, prepared, data, explain)
    assert part.explained == explain
    texts = {c for c in part.frame.columns if c.startswith("explanation_")}
    assert texts == {f"explanation_{lang}" for lang in explain}
    for lang in explain:  # the text asked for is the full grading's, customer by customer
        pd.testing.assert_series_equal(part.explanation(lang), full.explanation(lang))
        assert part.explanation(lang).str.len().min() > 0
    for lang in {"zh", "en"} - set(explain):
        with pytest.raises(ValueError, match=f"not {lang}"):
            part.explanation(lang)
    rest = [c for c in full.frame.columns if not c.startswith("explanation_")]
    pd.testing.assert_frame_equal(part.frame[rest], full.frame[rest])
    assert part.labels == full.labels and part.figures == full.figures


def test_a_grading_holds_exactly_the_languages_it_says(prepared, data) -> None:
    full = graded("threshold", prepared, data, None)
    with pytest.raises(ValueError, match="lacks columns"):
        Grading("threshold", full.frame.drop(columns="explanation_en"), full.figures, full.labels)
    with pytest.raises(ValueError, match="not in explained"):
        Grading("threshold", full.frame, full.figures, full.labels, ("zh",))
    with pytest.raises(ValueError, match="explanations in"):
        graded("threshold", prepared, data, ("fr",))


def test_in_language_keeps_what_was_explained(prepared, data) -> None:
    zh_only = in_language(graded("credit", prepared, data, ("zh",)), RuleBook(), "en")
    assert zh_only.explained == ("zh",) and "explanation_en" not in zh_only.frame
    en_only = in_language(graded("credit", prepared, data, ("en",)), RuleBook(), "en")
    full = in_language(graded("credit", prepared, data, None), RuleBook(), "en")
    pd.testing.assert_series_equal(en_only.explanation("en"), full.explanation("en"))


def test_explained_in() -> None:
    assert explained_in("threshold", "threshold", "en") == ("en",)
    assert explained_in("credit", "threshold", "zh") == ("zh",)
    assert explained_in("rfm", "rfm", "zh") == ("zh",)
    assert explained_in("rfm", "threshold", "zh") == ()
    assert all(explained_in(name, "threshold", "en") == () for name in ALL if name not in ("threshold", "credit"))


def _book(data: demo_data.DemoData, lang: str) -> MemoryBook:
    return MemoryBook(
        {
            "customers": raw(CUSTOMERS, data.customers, lang),
            "ledger": with_later(LEDGER, data.ledger, lang),
            "complaints": with_later(COMPLAINTS, data.complaints, lang),
        },
        lang=lang,
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_monthly_job_builds_the_written_language_only(
    lang: str, data: demo_data.DemoData, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, int] = {"zh": 0, "en": 0, "analyses": 0}
    real = credit.explanations

    def counted(table, grades, c, language):
        calls[language] += len(grades)
        return real(table, grades, c, language)

    def never(*a, **k):
        calls["analyses"] += 1
        raise AssertionError("an analysis explanation was built")

    monkeypatch.setattr(credit, "explanations", counted)
    monkeypatch.setattr(matrices, "_abc_phrase", never)  # two_criteria's text
    monkeypatch.setattr(rfm, "_explain", never)  # rfm is an analysis when the method is threshold
    book = _book(data, lang)
    result = run_month(book, "2026-10", now=NOW, user="tester")
    other = "en" if lang == "zh" else "zh"
    assert calls[lang] == result.customers and calls[other] == 0 and calls["analyses"] == 0

    # what was written is the full grading's text (both languages built, as before)
    monkeypatch.undo()
    rules, ledger = RuleBook(), frames.prepare_ledger(data.ledger)
    fig = figures.of_ledger(ledger, rules, AS_OF)
    full_credit = grade("credit", ledger, figures=fig, customers=data.customers, rules=rules, as_of=AS_OF)
    written = book.written["credit"].set_index("customer_id")["explanation"]
    expected = full_credit.explanation(lang).reindex(written.index)
    assert written.tolist() == expected.tolist()
    method = in_language(
        grade("threshold", ledger, figures=fig, customers=data.customers, rules=rules, as_of=AS_OF), rules, lang
    )
    method, _ = apply_overrides(method, data.customers.set_index("customer_id"))
    history = book.written["history"].set_index("customer_id")["explanation"]
    assert history.tolist() == method.explanation(lang).astype(str).reindex(history.index).tolist()


@pytest.mark.parametrize("strategy", ["value_share", "count_share", "absolute", "top_n"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pareto_builds_no_text_in_a_language_not_asked_for(strategy, lang, prepared, data, monkeypatch) -> None:
    """Each Pareto strategy phrases the measure (measures.zh / en, or the zh name table and
    measure_en_text of the column-wise value_share) only for the language asked for:
    100,000 customers' unused texts were half of a grade's explaining."""
    from xlgrade.engine import measures, pareto

    ledger, fig = prepared
    rules = RuleBook().updated({"pareto.strategy": strategy})
    other = "en" if lang == "zh" else "zh"
    calls = {"zh": 0, "en": 0}

    def counting(real, name):
        def counted(*a, **k):
            calls[name] += 1
            return real(*a, **k)

        return counted

    class CountedNames(dict):
        def __getitem__(self, key):
            calls["zh"] += 1
            return super().__getitem__(key)

    monkeypatch.setattr(measures, "zh", counting(measures.zh, "zh"))
    monkeypatch.setattr(measures, "en", counting(measures.en, "en"))
    monkeypatch.setattr(measures, "NAMES_ZH", CountedNames(measures.NAMES_ZH))
    monkeypatch.setattr(pareto, "measure_en_text", counting(pareto.measure_en_text, "en"))
    part = grade(
        "pareto",
        ledger,
        figures=fig,
        customers=data.customers,
        rules=rules,
        as_of=AS_OF,
        prepared=True,
        explain=(lang,),
    )
    assert part.explained == (lang,) and calls[lang] > 0 and calls[other] == 0
