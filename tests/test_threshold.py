import pandas as pd
import pytest
from ledgers import AS_OF, customers, frame, lines

from xlgrade.engine import RuleBook, grade, threshold


def run(df, rules=None, **kw):
    return threshold.grade(df, customers(), rules or RuleBook(), AS_OF, **kw).frame


@pytest.mark.parametrize(
    "orders,amount_each,expected",
    [
        (6, 100_000 / 6 + 0.01, "A"),  # 6 > 5 and a little over 100,000
        (6, 100_000 / 6, "B"),  # exactly 100,000 is not more than 100,000
        (5, 30_000, "B"),  # 5 orders is not more than 5
        (4, 2_500.01, "B"),  # 4 > 3 and 10,000.04 > 10,000
        (4, 2_500, "C"),  # exactly 10,000 is not more than 10,000
        (3, 50_000, "C"),  # 3 orders is not more than 3
        (9, 1_000, "C"),  # many orders, small volume
    ],
)
def test_boundaries(orders, amount_each, expected):
    out = run(frame(lines("C1", orders, amount_each)))
    assert out.loc["C1", "grade"] == expected
    assert out.loc["C1", "orders"] == orders


def test_explanation_names_the_numbers_and_the_missed_rule():
    out = run(frame(lines("C1", 4, 13_075)))
    assert (
        out.loc["C1", "explanation_en"]
        == "B: 4 orders > 3 and 52,300 > 10,000, but not > 5 orders and 52,300 not > 100,000"
    )
    assert out.loc["C1", "explanation_zh"].startswith("B:订单 4 次 > 3 且金额 52,300 > 10,000")


def test_orders_count_distinct_sale_numbers_where_present():
    df = frame(
        lines("C1", 3, 40_000, sale_no="S1"), lines("C1", 2, 40_000, sale_no="S2"), lines("C1", 2, 1_000)
    )  # two lines without a sale number
    assert run(df).loc["C1", "orders"] == 4  # S1, S2 and two loose lines


def test_sale_numbers_typed_as_numbers_are_their_text():
    """A sale number the workbook holds as a number is the same order as its text (rule 5)."""
    df = frame(lines("C1", 2, 40_000, sale_no=1001), lines("C1", 1, 40_000, sale_no="1001"), lines("C1", 1, 5))
    assert df["sale_no"].dtype == object
    assert run(df).loc["C1", "orders"] == 2  # 1001 (three lines) and one loose line


def test_lines_after_as_of_are_ignored():
    df = frame(lines("C1", 6, 20_000), lines("C1", 1, 20_000, date="2026-07-01"))
    out = run(df)
    assert out.loc["C1", "orders"] == 6 and out.loc["C1", "volume"] == 120_000


def test_returns_reduce_volume():
    df = frame(lines("C1", 6, 20_000), lines("C1", 1, -30_000))
    out = run(df)
    assert out.loc["C1", "volume"] == 90_000
    assert out.loc["C1", "grade"] == "B"  # 7 lines, but 90,000 is not > 100,000


def test_measure_quantity_and_rule_changes():
    df = frame(lines("C1", 6, 10.0, quantity=20_000.0))
    assert run(df).loc["C1", "grade"] == "C"
    assert run(df, measure="quantity").loc["C1", "grade"] == "A"
    rules = RuleBook().updated({"threshold.a_volume_over": 50, "threshold.b_volume_over": 5})
    assert run(df, rules).loc["C1", "grade"] == "A"


def test_window_is_the_trailing_12_months_by_default():
    df = frame(lines("C1", 6, 20_000, date="2024-01-01"), lines("C1", 4, 3_000, date="2026-06-01"))
    out = run(df)
    assert (out.loc["C1", "orders"], out.loc["C1", "grade"]) == (4, "B")
    assert RuleBook().threshold.window_months == 12
    # window 0 is the seed-000 reading 累计: all history
    assert run(df, RuleBook().updated({"threshold.window_months": 0})).loc["C1", "grade"] == "A"


def test_window_boundary_exactly_twelve_months_before():
    # The window is (as_of - 12 months, as_of]: a line dated exactly 12 months before the as-of
    # date is out, one a day later is in.
    start = (AS_OF - pd.DateOffset(months=12)).strftime("%Y-%m-%d")
    day_after = (AS_OF - pd.DateOffset(months=12) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    recent = lines("C1", 5, 20_000, date=AS_OF.strftime("%Y-%m-%d"))
    assert run(frame(recent, lines("C1", 1, 20_000, date=start))).loc["C1", "grade"] == "B"
    out = run(frame(recent, lines("C1", 1, 20_000, date=day_after)))
    assert (out.loc["C1", "orders"], out.loc["C1", "grade"]) == (6, "A")


def test_customers_without_lines_are_graded_c():
    out = threshold.grade(frame(lines("C1", 6, 20_000)), customers([{"customer_id": "C9"}]), RuleBook(), AS_OF).frame
    assert list(out.index) == ["C1", "C9"]
    assert out.loc["C9", "grade"] == "C" and out.loc["C9", "orders"] == 0


def test_public_entry_point_defaults_to_today():
    df = pd.DataFrame({"customer_id": ["C1"], "date": [pd.Timestamp.today().normalize()], "amount": [5.0]})
    assert grade("threshold", df).grades.tolist() == ["C"]


def test_the_column_builder_gives_each_customer_the_sentence_of_one() -> None:
    """threshold_explanations formats each distinct figure once for a whole column: every
    customer's sentence is still the one-customer builder's (GRADEWHY's), in every grade and
    every way of missing a limit, equal figures (0.0 and -0.0, 3 and 3.0) included; a
    language not asked for is not built."""
    from itertools import product

    from xlgrade.cells.explain import threshold_explanation, threshold_explanations

    labels = ("A", "B", "C")
    rows = [
        (g, o, v)
        for g, o, v in product(labels, (0, 1, 3, 3.0, 4, 6), (0.0, -0.0, 999.5, 10_000, 10_000.01, 100_000, 123_456.78))
    ]
    limits = (5, 100_000, 3, 10_000)
    for measure in ("amount", "quantity", "profit"):
        grades, orders, volumes = (list(col) for col in zip(*rows))
        zh, en = threshold_explanations(grades, orders, volumes, *limits, labels, measure)
        assert list(zip(zh, en)) == [threshold_explanation(g, o, v, *limits, labels, measure) for g, o, v in rows]
        only_en = threshold_explanations(grades, orders, volumes, *limits, labels, measure, langs=("en",))
        assert only_en == ([], en)
