"""One truth, two implementations: every cell function equals the pandas engine (hypothesis).

For random ledgers (and random rule books where the function takes the rules as arguments)
each customer's cell result, computed from the figures a workbook would hand the cell, is
the engine's result for that customer.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xlgrade.cells import args, by_name
from xlgrade.engine import RuleBook, grade, rfm, service

AS_OF = pd.Timestamp("2026-06-30")
START = pd.Timestamp("2024-01-01")
EPOCH = pd.Timestamp("1899-12-30")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ABCGRADE, ABCGRADES, PARETOGRADE, PARETOGRADES, SCORECARD, SCOREGRADE, CREDITGRADE, RFMCLASS, COMPLAINTDUE, GRADEWHY = (
    by_name(n)
    for n in (
        "ABCGRADE",
        "ABCGRADES",
        "PARETOGRADE",
        "PARETOGRADES",
        "SCORECARD",
        "SCOREGRADE",
        "CREDITGRADE",
        "RFMCLASS",
        "COMPLAINTDUE",
        "GRADEWHY",
    )
)

amounts = st.one_of(
    st.integers(-20_000, 60_000).map(float),  # whole yuan, returns included
    st.integers(-2_000_000, 6_000_000).map(lambda c: c / 100),  # yuan and fen
    st.sampled_from([16_666.666666666668, 2_500.0, 20_000.0, 0.1, 0.2, 0.7]),
)
line = st.tuples(
    st.integers(0, 7),  # customer
    st.integers(0, 950),  # day offset (some after the as-of date)
    amounts,
    st.integers(0, 40),  # quantity
    st.one_of(st.none(), st.sampled_from(["S1", "S2", "S3", " "])),  # sale number, or none
    st.one_of(st.none(), st.integers(0, 120)),  # days until paid, or unpaid
)
ledgers = st.lists(line, min_size=1, max_size=40)


def build(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["c", "day", "amount", "quantity", "sale_no", "paid_after"])
    ledger = pd.DataFrame(
        {
            "customer_id": "C" + df["c"].astype(str),
            "date": START + pd.to_timedelta(df["day"], unit="D"),
            "amount": df["amount"].astype(float),
            "quantity": df["quantity"].astype(float),
            "sale_no": df["sale_no"],
        }
    )
    paid = df["paid_after"].astype("float64")
    ledger["paid_date"] = ledger["date"] + pd.to_timedelta(paid, unit="D")
    ledger["paid_amount"] = ledger["amount"].where(paid.notna())
    return ledger


def spreadsheet_figures(ledger: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """(orders, volume) per customer as the workbook's cells compute them, without pandas grouping."""
    out: dict[str, tuple[set, int, float]] = {}
    start = AS_OF - pd.DateOffset(months=12)  # threshold.window_months: 12 by default
    for row in ledger[(ledger["date"] > start) & (ledger["date"] <= AS_OF)].itertuples():
        sale_nos, loose, total = out.get(row.customer_id, (set(), 0, 0.0))
        if isinstance(row.sale_no, str) and row.sale_no.strip():
            sale_nos = sale_nos | {row.sale_no}
        else:
            loose += 1
        out[row.customer_id] = (sale_nos, loose, total + row.amount)
    return {cid: (len(s) + n, v) for cid, (s, n, v) in out.items()}


@st.composite
def threshold_rules(draw):
    b_orders = draw(st.integers(0, 6))
    a_orders = b_orders + draw(st.integers(0, 4))
    b_volume = draw(st.sampled_from([0, 2_500, 10_000, 16_666.67, 20_000, 59_999.99]))
    a_volume = b_volume + draw(st.sampled_from([0, 40_000, 90_000, 100_000, 83_333.33]))
    return b_orders, a_orders, float(b_volume), float(a_volume)


def _rules(b_orders, a_orders, b_volume, a_volume, labels=("A", "B", "C")) -> RuleBook:
    return RuleBook().updated(
        {
            "threshold.a_orders_over": a_orders,
            "threshold.a_volume_over": a_volume,
            "threshold.b_orders_over": b_orders,
            "threshold.b_volume_over": b_volume,
            "abc.labels": "; ".join(labels),
        }
    )


# ---- threshold ABC and its explanation -----------------------------------------------------
@SETTINGS
@given(
    rows=ledgers,
    thresholds=st.one_of(st.none(), threshold_rules()),
    labels=st.sampled_from([("A", "B", "C"), ("战略", "主要", "零星")]),
)
def test_abcgrade_and_gradewhy_equal_the_engine(rows, thresholds, labels):
    ledger = build(rows)
    rules = RuleBook() if thresholds is None else _rules(*thresholds, labels=labels)
    t = rules.threshold
    out = grade("threshold", ledger, rules=rules, as_of=AS_OF).frame
    figures = spreadsheet_figures(ledger)
    columns = [figures.get(cid, (0, 0.0)) for cid in out.index]
    limits = () if thresholds is None else (t.a_orders_over, t.a_volume_over, t.b_orders_over, t.b_volume_over)
    padded_limits = list(limits) + [None] * (4 - len(limits))
    assert ABCGRADES(
        tuple((o,) for o, _ in columns), tuple((v,) for _, v in columns), *padded_limits, "; ".join(rules.abc.labels)
    ) == tuple((g,) for g in out["grade"])
    for cid, row in out.iterrows():
        orders, volume = figures.get(cid, (0, 0.0))  # no line in the window: 0 and 0
        assert orders == row["orders"]
        if thresholds is None:
            cell_args = (orders, volume)
        else:
            cell_args = (orders, volume, t.a_orders_over, t.a_volume_over, t.b_orders_over, t.b_volume_over)
        labels_text = "; ".join(rules.abc.labels)
        padded = list(cell_args) + [None] * (6 - len(cell_args))
        assert ABCGRADE(*padded, labels_text) == row["grade"], cid
        if rules.abc.labels == ("A", "B", "C"):
            assert GRADEWHY(*padded, "zh") == row["explanation_zh"], cid
            assert GRADEWHY(*padded, "en") == row["explanation_en"], cid


@SETTINGS
@given(rows=ledgers, data=st.data())
def test_abcgrade_at_thresholds_equal_to_a_customers_own_figures(rows, data):
    """Thresholds set to exactly some customer's orders and volume: strictness decides."""
    ledger = build(rows)
    figures = spreadsheet_figures(ledger)
    assume(figures)  # some line on or before the as-of date
    orders, volume = figures[data.draw(st.sampled_from(sorted(figures)))]
    volume = max(round(volume, 6), 0.0)
    a_orders = data.draw(st.integers(0, int(orders)))  # equal to, or below, the customer's orders
    b_orders = data.draw(st.integers(0, a_orders))
    b_volume = data.draw(st.sampled_from([min(volume, 10_000.0), volume]))
    rules = _rules(b_orders, a_orders, b_volume, volume)
    out = grade("threshold", ledger, rules=rules, as_of=AS_OF).frame
    t = rules.threshold
    for cid, row in out.iterrows():
        o, v = figures.get(cid, (0, 0.0))
        cell = (o, v, t.a_orders_over, t.a_volume_over, t.b_orders_over, t.b_volume_over)
        assert ABCGRADE(*cell) == row["grade"]
        assert GRADEWHY(*cell, "en") == row["explanation_en"]


# ---- Pareto ---------------------------------------------------------------------------------
@st.composite
def shares(draw):
    """(a, b) as the rules sheet may hold them: fractions (0.35) or percent text ("35%")."""
    a = draw(st.integers(0, 100))
    b = draw(st.integers(a, 100))
    if draw(st.booleans()):
        return f"{a}%", f"{b}%"
    return a / 100, b / 100


@SETTINGS
@given(
    rows=ledgers,
    split=st.one_of(st.none(), shares()),
    noise=st.lists(st.sampled_from([None, "", "合计", "n/a"]), max_size=3),
)
def test_paretograde_and_paretogrades_equal_the_engine(rows, split, noise):
    ledger = build(rows)
    rules = (
        RuleBook() if split is None else RuleBook().updated({"pareto.a_share": split[0], "pareto.b_share": split[1]})
    )
    out = grade("pareto", ledger, rules=rules, as_of=AS_OF).frame
    column = tuple((v,) for v in out["value"]) + tuple((x,) for x in noise)  # blanks and text ignored
    extra = (None, None, None) if split is None else (split[0], split[1], None)
    expected = list(out["grade"])
    assert [PARETOGRADE(v, column, *extra) for v in out["value"]] == expected
    assert PARETOGRADES(column, *extra) == tuple((g,) for g in expected) + tuple(("",) for _ in noise)


@SETTINGS
@given(amounts=st.lists(st.integers(1, 12).map(lambda k: k * 10.0), min_size=2, max_size=12), data=st.data())
def test_paretograde_at_a_share_exactly_equal_to_a_share_before(amounts, data):
    """The A (or B) share set to exactly some customer's share before: not below it, so not A."""
    total = sum(Fraction(int(a)) for a in amounts)
    pick = data.draw(st.sampled_from(amounts))
    before = sum(Fraction(int(a)) for a in amounts if a > pick) / total
    share = Decimal(before.numerator) / Decimal(before.denominator)
    assume(share == share.quantize(Decimal("0.0001")))  # a share a person can type exactly
    typed = f"{(share * 100).normalize():f}%" if data.draw(st.booleans()) else float(share)  # "95%" or 0.95
    a, b = (typed, 1.0) if data.draw(st.booleans()) else (0.0, typed)
    ledger = pd.DataFrame({"customer_id": [f"C{i:02d}" for i in range(len(amounts))], "date": AS_OF, "amount": amounts})
    rules = RuleBook().updated({"pareto.a_share": a, "pareto.b_share": b})
    out = grade("pareto", ledger, rules=rules, as_of=AS_OF).frame
    column = tuple((v,) for v in amounts)
    assert [PARETOGRADE(v, column, a, b) for v in out["value"]] == list(out["grade"])
    assert PARETOGRADES(column, a, b) == tuple((g,) for g in out["grade"])


@SETTINGS
@given(k=st.integers(2, 99), typed=st.booleans(), which=st.sampled_from("ab"))
def test_paretograde_share_before_of_exactly_k_percent(k, typed, which):
    """One customer of k and 100 - k customers of 1: each 1 has exactly k % before it."""
    amounts = [float(k)] + [1.0] * (100 - k)
    cut = f"{k}%" if typed else k / 100
    a, b = (cut, 1.0) if which == "a" else (0.0, cut)
    ledger = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(len(amounts))], "date": AS_OF, "amount": amounts})
    out = grade(
        "pareto", ledger, rules=RuleBook().updated({"pareto.a_share": a, "pareto.b_share": b}), as_of=AS_OF
    ).frame
    column = tuple((v,) for v in amounts)
    assert PARETOGRADE(1, column, a, b) == out.loc["C001", "grade"] == ("B" if which == "a" else "C")
    assert PARETOGRADES(column, a, b) == tuple((g,) for g in out["grade"])


# ---- scorecard ------------------------------------------------------------------------------
purchase = st.tuples(
    st.integers(0, 7), st.integers(0, 950), st.integers(1, 60_000).map(float), st.integers(1, 40), st.none(), st.none()
)
entered = st.one_of(st.none(), st.integers(0, 10).map(float), st.integers(0, 100).map(lambda x: x / 10))


@SETTINGS
@given(
    rows=st.lists(purchase, min_size=1, max_size=40),
    scores=st.lists(st.tuples(entered, entered, entered), min_size=9, max_size=9),
)
def test_scorecard_and_scoregrade_equal_the_engine(rows, scores):
    # Every line has amount > 0 and quantity > 0, so "sales now" (the engine, amounts) and
    # "units now" (the cell's only figure) agree on whether the customer sold anything.
    ledger = build(rows)
    ids = sorted(set(ledger["customer_id"]) | {"C8"})
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "channel": [scores[i][0] for i in range(len(ids))],
            "loyalty": [scores[i][1] for i in range(len(ids))],
            "prospects": [scores[i][2] for i in range(len(ids))],
        }
    )
    out = grade("scorecard", ledger, customers=customers, as_of=AS_OF).frame
    entered_by_id = customers.set_index("customer_id")
    for cid, row in out.iterrows():
        growth = None if pd.isna(row["sales_growth"]) else row["sales_growth"]
        c, loyal, p = (None if pd.isna(x) else x for x in entered_by_id.loc[cid, ["channel", "loyalty", "prospects"]])
        score = SCORECARD(row["avg_monthly_units"], growth, c, loyal, p)
        assert score == row["score"], cid
        assert SCOREGRADE(score) == row["grade"], cid


@SETTINGS
@given(
    rate=st.one_of(st.floats(-2, 3, allow_nan=False), st.sampled_from([0.0, 0.2, 0.5, 1.0, -0.0])),
    units=st.one_of(st.floats(0, 20, allow_nan=False), st.sampled_from([1.0, 2.0, 3.0, 5.0, 10.0])),
)
def test_scorecard_points_equal_the_engine_arithmetic(rate, units):
    """Growth and unit points straight against engine/scorecard.py's numpy functions."""
    from xlgrade.engine import scorecard as engine

    s = RuleBook().scorecard
    idx = pd.Index(["x"])
    u = pd.Series([units], index=idx).round(6)
    expected = (
        engine.step_points(u, s.units_min, s.units_points).iat[0]
        + engine.growth_points(
            pd.Series([rate], index=idx), pd.Series([1.0], index=idx), pd.Series([1.0], index=idx), s
        ).iat[0]
    )
    assert SCORECARD(units, rate, 0, 0, 0) == round(expected * 1e6) / 1e6


@SETTINGS
@given(
    score=st.one_of(st.floats(0, 100, allow_nan=False), st.integers(0, 100).map(float)),
    mins=st.lists(st.integers(1, 99), min_size=1, max_size=5, unique=True),
)
def test_scoregrade_with_the_rules_sheets_levels(score, mins):
    mins = sorted(mins, reverse=True)
    labels = [f"L{i}" for i in range(len(mins) + 1)]
    rules = RuleBook().updated(
        {
            "scorecard.level_min": "; ".join(map(str, mins)),
            "scorecard.level_labels": "; ".join(labels),
            "scorecard.level_labels_en": "; ".join(labels),
        }
    )
    from xlgrade.engine import scorecard as engine

    expected = engine.level_of(pd.Series([score]).round(6), rules.scorecard)[0]
    assert SCOREGRADE(score, "; ".join(labels), "; ".join(map(str, mins))) == expected


# ---- credit ---------------------------------------------------------------------------------
@SETTINGS
@given(rows=ledgers, mins=st.one_of(st.none(), st.lists(st.integers(1, 99), min_size=3, max_size=3, unique=True)))
def test_creditgrade_equals_the_engine(rows, mins):
    ledger = build(rows)
    rules = RuleBook()
    if mins is not None:
        mins = sorted(mins, reverse=True)
        rules = rules.updated({"credit.grade_min": "; ".join(map(str, mins))})
    out = grade("credit", ledger, rules=rules, as_of=AS_OF).frame
    text = None if mins is None else "; ".join(map(str, mins))
    for cid, row in out.iterrows():
        # a cell hands an empty score over as None (no receivables: 无记录)
        score, ly_score = (None if pd.isna(v) else v for v in (row["score"], row["ly_score"]))
        assert CREDITGRADE(score, None, text) == row["grade"], cid
        assert CREDITGRADE(ly_score, None, text) == row["ly_credit_grade"], cid


# ---- RFM ------------------------------------------------------------------------------------
@SETTINGS
@given(rows=ledgers)
def test_rfmclass_equals_the_engine(rows):
    ledger = build(rows)
    out = grade("rfm", ledger, as_of=AS_OF).frame
    active = out[out["frequency"] > 0]
    means = [None] * 3 if active.empty else [sum(active[c]) / len(active) for c in ("recency", "frequency", "monetary")]
    for cid, row in out.iterrows():
        recency = None if pd.isna(row["recency"]) else row["recency"]
        assert RFMCLASS(recency, row["frequency"], row["monetary"], *means) == row["grade"], cid


@SETTINGS
@given(
    x=st.one_of(
        st.floats(-1e9, 1e9, allow_nan=False),
        st.integers(-(10**8), 10**8).map(lambda i: i / 1e6 + 0.5e-6),
        st.floats(1e9, 1e12, allow_nan=False),
    )
)
def test_rounding_is_the_engines(x):
    assert args.round6(x) == pd.Series([x]).round(6).iat[0]
    assert args.micro(x) == rfm.micro(pd.Series([x]))[0]


# ---- complaint deadline ---------------------------------------------------------------------
GRADES = ["A", "B", "C", "VIP客户", "骨干客户", "有效客户", "优", "良", "差", ""]


@st.composite
def complaint_rules(draw):
    tier1 = draw(st.lists(st.sampled_from(GRADES[:-1]), min_size=1, max_size=3, unique=True))
    tier2 = draw(st.lists(st.sampled_from(GRADES[:-1]), min_size=1, max_size=3, unique=True))
    days = draw(st.tuples(st.integers(0, 5), st.integers(0, 10), st.integers(0, 30)))
    return tier1, tier2, days


def deadlines_text(rules: RuleBook) -> str:
    c = rules.complaints
    items = [f"{g}={c.tier1_days}" for g in c.tier1_grades] + [f"{g}={c.tier2_days}" for g in c.tier2_grades]
    return "; ".join(items + [f"*={c.other_days}"])


@SETTINGS
@given(
    log=st.lists(st.tuples(st.sampled_from(GRADES), st.integers(0, 10**8)), min_size=1, max_size=20),
    policy=st.one_of(st.none(), complaint_rules()),
)
def test_complaintdue_equals_the_engine(log, policy):
    rules = RuleBook()
    if policy is not None:
        tier1, tier2, (d1, d2, other) = policy
        rules = rules.updated(
            {
                "complaints.tier1_grades": "; ".join(tier1),
                "complaints.tier2_grades": "; ".join(tier2),
                "complaints.tier1_days": d1,
                "complaints.tier2_days": d2,
                "complaints.other_days": other,
            }
        )
    ids = [f"K{i}" for i in range(len(log))]
    times = [pd.Timestamp("2026-01-01") + pd.Timedelta(seconds=s) for _, s in log]
    grades = pd.Series([g for g, _ in log], index=ids)
    frame = pd.DataFrame({"customer_id": ids, "complaint_time": times})
    handled = service.complaints(frame, grades[grades != ""], rules, AS_OF)
    deadlines = None if policy is None else deadlines_text(rules)
    for (g, _), at, due in zip(log, times, handled["due"]):
        serial = (at - EPOCH) / pd.Timedelta(days=1)
        cell = EPOCH + pd.Timedelta(days=COMPLAINTDUE(g, serial, deadlines))
        assert abs(cell - due) < pd.Timedelta(milliseconds=1), (g, at)
