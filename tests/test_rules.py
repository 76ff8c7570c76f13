import json

import pytest

from xlgrade.engine.rules import RuleBook
from xlgrade.errors import RuleError


def test_defaults_are_domain_values():
    rb = RuleBook()
    assert (rb.threshold.a_orders_over, rb.threshold.a_volume_over) == (5, 100_000)
    assert (rb.threshold.b_orders_over, rb.threshold.b_volume_over) == (3, 10_000)
    assert (rb.pareto.a_share, rb.pareto.b_share) == (0.80, 0.95)
    assert rb.scorecard.level_min == (90, 75, 60, 50)
    assert rb.scorecard.level_labels[0] == "VIP客户"
    assert (rb.composite.credit_weight, rb.composite.amount_weight, rb.composite.profit_weight) == (0.1, 0.3, 0.6)
    assert rb.credit.credit_days == 30
    assert (rb.complaints.tier1_days, rb.complaints.tier2_days, rb.complaints.other_days) == (1, 3, 7)


@pytest.mark.parametrize("dump,load", [("to_toml", "from_toml"), ("to_json", "from_json")])
def test_round_trip_through_text(dump, load):
    rb = RuleBook().updated({"threshold.a_volume_over": 200_000, "scorecard.level_labels": "S;A;B;C;D"})
    text = getattr(rb, dump)()
    assert getattr(RuleBook, load)(text) == rb


def test_round_trip_through_the_two_column_table():
    rb = RuleBook().updated({"pareto.strategy": "top_n", "credit.aging_days": "15; 45; 120"})
    table = rb.to_table("en")
    assert list(table.columns) == ["name", "value", "description", "default", "key"]
    assert RuleBook.from_table(table) == rb
    assert table.set_index("key").loc["credit.aging_days", "value"] == "15; 45; 120"


def test_table_values_accept_what_staff_type():
    rb = RuleBook.from_table(
        [
            ("pareto.a_share", "75%"),  # a percentage as text
            ("threshold.a_volume_over", "200,000"),
            ("complaints.tier1_days", 2.0),  # Excel gives whole numbers as floats
            ("scorecard.level_labels", "甲；乙；丙；丁；戊"),  # full-width semicolons
            ("", "ignored"),  # blank key
            ("threshold.b_volume_over", None),  # blank value keeps the default
        ]
    )
    assert rb.pareto.a_share == 0.75
    assert rb.threshold.a_volume_over == 200_000
    assert rb.complaints.tier1_days == 2 and isinstance(rb.complaints.tier1_days, int)
    assert rb.scorecard.level_labels == ("甲", "乙", "丙", "丁", "戊")
    assert rb.threshold.b_volume_over == 10_000


@pytest.mark.parametrize(
    "change,key,words",
    [
        ({"threshold.b_volume_over": 200_000}, "threshold.b_volume_over", "must not be above"),
        ({"threshold.b_orders_over": 6}, "threshold.b_orders_over", "must not be above"),
        ({"pareto.a_share": 0.96}, "pareto.a_share", "must not be above"),
        ({"composite.profit_weight": 0.5}, "composite.profit_weight", "sum to 100"),
        ({"complaints.tier1_days": -1}, "complaints.tier1_days", "below 0"),
        ({"complaints.priority_labels": "高; 低"}, "complaints.priority_labels", "exactly 3"),
        ({"complaints.priority_labels_en": "Hi; Hi; Lo"}, "complaints.priority_labels_en", "differ"),
        ({"scorecard.level_min": "90; 95; 60; 50"}, "scorecard.level_min", "decreasing"),
        ({"scorecard.level_labels": "a; b"}, "scorecard.level_labels", "exactly 5"),
        ({"scorecard.units_points": "60; 40; 30; 20; 10"}, "scorecard.units_points", "100 points"),
        ({"pareto.a_share": 80}, "pareto.a_share", "between 0 and 1"),
        ({"pareto.strategy": "random"}, "pareto.strategy", "one of"),
        ({"threshold.a_orders_over": 5.5}, "threshold.a_orders_over", "whole number"),
        ({"threshold.a_orders_over": "many"}, "threshold.a_orders_over", "not a number"),
        ({"threshold.nonsense": 1}, "threshold.nonsense", "unknown rule"),
    ],
)
def test_inconsistent_rules_are_refused_naming_the_rule(change, key, words):
    with pytest.raises(RuleError) as err:
        RuleBook().updated(change)
    assert err.value.key == key
    assert key in str(err.value) and words in str(err.value)
    assert isinstance(err.value, ValueError)


def test_bad_files_are_refused():
    with pytest.raises(RuleError, match="TOML"):
        RuleBook.from_toml("[threshold\n")
    with pytest.raises(RuleError, match="JSON"):
        RuleBook.from_json("{")
    with pytest.raises(RuleError, match="threshold.zzz"):
        RuleBook.from_json(json.dumps({"threshold": {"zzz": 1}}))


def test_every_rule_has_both_descriptions_and_round_trips_its_default():
    for spec in RuleBook.specs():
        assert spec.zh and spec.en
        assert spec.parse(spec.format(spec.default)) == spec.default


def test_complaint_tiers():
    rb = RuleBook()
    assert [rb.deadline_days(g) for g in ("A", "VIP客户", "B", "骨干客户", "C", "潜在客户")] == [1, 1, 3, 3, 7, 7]
    assert [rb.priority_tier(g) for g in ("A", "B", "C")] == [1, 2, 3]
    assert [rb.priority_level(g) for g in ("A", "骨干客户", "C", "")] == ["高", "中", "低", "低"]
    assert [rb.priority_level(g, "en") for g in ("VIP客户", "B", "潜在客户")] == ["High", "Medium", "Low"]
