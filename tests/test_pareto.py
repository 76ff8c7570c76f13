import pytest
from ledgers import AS_OF, customers, frame, lines

from xlgrade.engine import RuleBook, pareto


def run(values: dict[str, float], rules=None, measure=None):
    df = frame(*[lines(c, 1, v) for c, v in values.items()])
    return pareto.grade(df, customers(), rules or RuleBook(), AS_OF, measure=measure).frame


def test_share_before_rule_with_exact_80_percent():
    # T = 100. X: before 0 -> A; Y: before 0.70 -> A (crosses the 80 % line, still A);
    # Z: before 0.80 exactly -> not < 0.80 -> B; W: before 0.89 -> B; V: before 0.95 -> C.
    out = run({"X": 70, "Y": 10, "Z": 9, "W": 6, "V": 5})
    assert out["grade"].to_dict() == {"V": "C", "W": "B", "X": "A", "Y": "A", "Z": "B"}
    assert out.loc["Z", "share_before"] == pytest.approx(0.80)


def test_ties_share_a_grade():
    # 40, 40, 20: both 40s have share_before 0 -> A; 20 has 0.8 -> B.
    out = run({"P": 40, "Q": 40, "R": 20})
    assert out["grade"].tolist() == ["A", "A", "B"]
    assert out["rank"].tolist() == [1, 1, 3]


def test_largest_customer_is_always_a_and_non_positive_is_c():
    out = run({"big": 1, "zero": 0, "ret": -50})
    assert out["grade"].to_dict() == {"big": "A", "ret": "C", "zero": "C"}


def test_net_returns_make_a_customer_c_and_are_not_in_the_total():
    df = frame(lines("A1", 1, 80), lines("B1", 1, 20), lines("N1", 1, 500), lines("N1", 1, -600))
    out = pareto.grade(df, customers(), RuleBook(), AS_OF).frame
    assert out.loc["N1", "grade"] == "C"
    assert out.loc["B1", "share_before"] == pytest.approx(0.8)  # T = 100, not 0


def test_decimal_amounts_compare_exactly():
    # 0.1 + 0.7 is 0.7999999999999999 in binary floats; decimal arithmetic keeps it 0.8.
    out = run({"a": 0.7, "b": 0.1, "c": 0.1, "d": 0.1})
    assert out.loc["b", "grade"] == "A" and out.loc["c", "grade"] == "A"  # ties: before = 0.7
    # values 0.7 0.1 0.1 0.1 -> b,c,d tied, share_before = 0.7 -> all A


@pytest.mark.parametrize(
    "strategy,expected",
    [
        (
            "count_share",
            {
                "c1": "A",
                "c2": "A",
                "c3": "B",
                "c4": "B",
                "c5": "B",
                "c6": "C",
                "c7": "C",
                "c8": "C",
                "c9": "C",
                "c10": "C",
            },
        ),
        (
            "top_n",
            {
                "c1": "A",
                "c2": "A",
                "c3": "A",
                "c4": "B",
                "c5": "B",
                "c6": "C",
                "c7": "C",
                "c8": "C",
                "c9": "C",
                "c10": "C",
            },
        ),
        (
            "absolute",
            {
                "c1": "A",
                "c2": "A",
                "c3": "B",
                "c4": "B",
                "c5": "B",
                "c6": "B",
                "c7": "B",
                "c8": "B",
                "c9": "C",
                "c10": "C",
            },
        ),
    ],
)
def test_sap_strategies(strategy, expected):
    values = {f"c{i}": 110 - 10 * i for i in range(1, 11)}  # 100, 90, ..., 10
    rules = RuleBook().updated(
        {
            "pareto.strategy": strategy,
            "pareto.a_top_n": 3,
            "pareto.b_top_n": 5,
            "pareto.a_min_value": 90,
            "pareto.b_min_value": 30,
        }
    )
    assert run(values, rules)["grade"].to_dict() == expected


def test_count_share_ties_at_the_boundary():
    # 10 customers, top 20 % = 2. Three tied at the top: all have 0 before -> all A.
    values = {f"c{i}": (100 if i < 3 else 10) for i in range(10)}
    rules = RuleBook().updated({"pareto.strategy": "count_share"})
    assert (run(values, rules)["grade"] == "A").sum() == 3


def test_measure_by_rule_or_argument():
    df = frame(lines("A", 1, 10, quantity=1.0, profit=9.0), lines("B", 1, 90, quantity=99.0, profit=1.0))
    g = lambda m: pareto.grade(df, customers(), RuleBook(), AS_OF, measure=m).frame["grade"].to_dict()
    assert g("amount") == {"A": "B", "B": "A"}
    assert g("profit") == {"A": "A", "B": "B"}
    rules = RuleBook().updated({"pareto.measure": "quantity"})
    assert pareto.grade(df, customers(), rules, AS_OF).frame["grade"].to_dict() == {"A": "C", "B": "A"}


def test_explanations():
    out = run({"X": 70, "Y": 10, "Z": 9, "W": 6, "V": 5})
    assert out.loc["Z", "explanation_en"] == "B: 9; customers above it hold 80% of the total, not < 80% but < 95%"
    assert out.loc["Z", "explanation_zh"] == "B:金额 9,排在其前的客户合计占 80%,不低于 80% 但 < 95%"
