"""Rule names and choice names (xlgrade/engine/rulelabels.py): complete, unique, both ways."""

from __future__ import annotations

import pytest

from xlgrade.engine import METHODS
from xlgrade.engine.rulelabels import CHOICES, NAMES, choice_of, method_name
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import RuleError


def test_every_rule_has_a_name_and_every_choice_a_name():
    specs = RuleBook.specs()
    assert {s.key for s in specs} == set(NAMES), "give each new rule a (zh, en) name in rulelabels.NAMES"
    for spec in specs:
        if spec.choices:
            assert set(CHOICES[spec.key]) == set(spec.choices), spec.key


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_names_are_unique_and_read_back(lang):
    names = [s.name_in(lang) for s in RuleBook.specs()]
    assert len(set(names)) == len(names)
    for spec in RuleBook.specs():
        assert RuleBook.spec_of(spec.name_in(lang)) is spec
        assert RuleBook.spec_of(f"  {spec.name_in(lang).upper()} ") is spec  # case and spaces ignored
        assert RuleBook.spec_of(spec.key) is spec
    assert RuleBook.spec_of("no such rule") is None


def test_choices_read_back_by_key_or_either_name():
    for text in ("pareto", "帕累托 ABC", "pareto abc"):
        assert RuleBook().updated({"常规:分级方法": text}).general.method == "pareto"
    assert choice_of("threshold.measure", "利润") == "profit"
    with pytest.raises(RuleError, match="general.method"):
        RuleBook().updated({"general.method": "阈值"})


def test_values_in_a_persons_form():
    spec = {s.key: s for s in RuleBook.specs()}
    assert spec["pareto.a_share"].text(0.8, "zh") == "80%"
    assert spec["threshold.a_volume_over"].text(100000.0, "zh") == "100,000"
    assert spec["scorecard.growth_breaks"].shown((0.0, 0.2, 0.5, 1.0), "en") == "0%; 20%; 50%; 100%"
    assert spec["general.method"].shown("rfm", "zh") == "RFM 八类"
    book = RuleBook.from_table(RuleBook().updated({"pareto.b_share": 0.9}).to_table("zh"))
    assert book == RuleBook().updated({"pareto.b_share": 0.9})  # the shown forms parse back


def test_method_names_are_the_engines():
    for key, method in METHODS.items():
        assert method_name(key, "zh") == method.zh and method_name(method.en, "zh") == method.zh
        assert method_name(method.zh, "en") == method.en
    assert method_name("own words", "zh") == "own words" and method_name(None, "zh") is None
