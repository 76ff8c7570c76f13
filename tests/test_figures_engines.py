"""One definition of each figure, whatever computes it: on the same random ledgers every
engine gives the same figures (after rounding to 6 decimals) and the same grades and
explanations for every method.

An engine here is ``(name, callable(ledger, rules, as_of, folder) -> figures frame)``,
``ledger`` being an engine ledger frame (frames.prepare_ledger) and ``folder`` a fresh
directory it may write the ledger to. To add an engine, append it to :data:`ENGINES`. Spark,
whose every query is a JVM job of seconds, is proved on these same ledgers in batches by
tests/test_spark_properties.py.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlgrade.engine import METHODS, RuleBook, figures, frames, grade
from xlgrade.io.duckfigures import DuckDBEngine, figures_of_frame
from xlgrade.io.engines import LedgerSource

duckdb = pytest.importorskip("duckdb")

AS_OF = pd.Timestamp("2026-06-30")
Engine = Callable[[pd.DataFrame, RuleBook, pd.Timestamp, Path], pd.DataFrame]


def _workbook(ledger: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, folder: Path) -> pd.DataFrame:
    """The workbook / pandas path: DuckDB over the in-memory frame."""
    return figures_of_frame(ledger, rules, as_of)


def _parquet(ledger: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, folder: Path) -> pd.DataFrame:
    path = folder / "ledger.parquet"
    con = duckdb.connect()
    con.register("frame", ledger)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()
    return DuckDBEngine().figures(LedgerSource("parquet", str(path)), rules, as_of)


def _csv_glob(ledger: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, folder: Path) -> pd.DataFrame:
    """Two CSV files, read as one by a glob (the lines split in two halves)."""
    half = len(ledger) // 2
    out = ledger.copy()
    for col in frames.DATES:
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.iloc[:half].to_csv(folder / "part-1.csv", index=False)
    out.iloc[half:].to_csv(folder / "part-2.csv", index=False)
    return DuckDBEngine().figures(LedgerSource("csv", str(folder / "part-*.csv")), rules, as_of)


ENGINES: list[tuple[str, Engine]] = [("workbook", _workbook), ("parquet", _parquet), ("csv", _csv_glob)]

AMOUNTS = [16666.666666666668, 100000.0, 0.1, 0.2, 1234.5, -500.0, -16666.666666666668, 0.0, 99999.99, 1e-6, 7.000001]
# values that are no whole number of millionths, or too large for the 64-bit micro-units:
# summed through their text (figures rule 4's slow path), alone and beside the others
SLOW = [0.1 + 0.2, 1 / 3, -2 / 3, 123456789.12345679, 5e9, -4.2e9, -2.675e-7, 1234.5678901234, 9.999999999e-5]
AMOUNTS += SLOW
DAYS = list(range(-800, 40, 7))  # days from the as-of date: two years back to lines after it


@st.composite
def ledgers(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 30))
    rows = []
    for _ in range(n):
        day = AS_OF + pd.Timedelta(days=draw(st.sampled_from(DAYS)))
        amount = draw(st.sampled_from(AMOUNTS))
        paid = draw(st.sampled_from(["none", "full", "part", "late", "after"]))
        due = draw(st.sampled_from([None, 0, 30, 60]))
        row = {
            "customer_id": draw(st.sampled_from(["C1", "C2", "C3", "C4"])),
            "date": day,
            "amount": amount,
            # blank (spaces, a tab, an ideographic space, empty) or not, told by its first character
            # or later (each padded number only ever padded so: the SQL counts untrimmed texts)
            "sale_no": draw(
                st.sampled_from([None, None, "S1", "S2", "S3", " ", "\t\u3000", "", " S4", "\u3000S5", "S6\t"])
            ),
            "quantity": draw(st.sampled_from([np.nan, 1.0, 2.5, 12.0])),
            "profit": draw(st.sampled_from([np.nan, 10.0, 16666.666666666668, -3.0])),
            "due_date": None if due is None else day + pd.Timedelta(days=due),
            "paid_date": None,
            "paid_amount": np.nan,
        }
        if paid in ("full", "late", "after"):
            row["paid_date"] = day + pd.Timedelta(days={"full": 10, "late": 95, "after": 900}[paid])
        if paid == "part":
            row["paid_date"] = day + pd.Timedelta(days=20)
            row["paid_amount"] = amount / 3
        rows.append(row)
    return frames.prepare_ledger(pd.DataFrame(rows))


CUSTOMERS = pd.DataFrame({"customer_id": ["C1", "C9"], "channel": [5, 8], "loyalty": [7, 2], "prospects": [9, 1]})
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rounded(fig: pd.DataFrame) -> pd.DataFrame:
    return figures.indexed(fig).apply(lambda c: c.round(6) if c.dtype.kind == "f" else c)


@SETTINGS
@given(ledger=ledgers(), window=st.sampled_from([0, 3, 12]))
def test_every_engine_gives_the_same_figures_and_grades(ledger, window):
    rules = RuleBook().updated({"threshold.window_months": window, "rfm.months": max(window, 1)})
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, engine in ENGINES:
            folder = Path(tmp) / name
            folder.mkdir()
            results[name] = engine(ledger, rules, AS_OF, folder)
    first, *others = ENGINES
    expected = _rounded(results[first[0]])
    assert list(expected.columns) == list(figures.figure_columns(rules))[1:]
    for name, _ in others:
        pd.testing.assert_frame_equal(_rounded(results[name]), expected, obj=f"figures of {name}")
    for method in METHODS:
        graded = {
            name: grade(method, figures=fig, customers=CUSTOMERS, rules=rules, as_of=AS_OF).frame
            for name, fig in results.items()
        }
        for a, b in itertools.pairwise(graded):
            pd.testing.assert_frame_equal(graded[a], graded[b], obj=f"{method}: {a} vs {b}")


def test_six_lines_of_a_sixth_make_exactly_the_threshold():
    """frames rule 6, on every engine: 6 x 16,666.666666666668 is 100,000, not more."""
    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1"] * 6,
                "date": pd.to_datetime(["2026-01-05"] * 6),
                "amount": [16666.666666666668] * 6,
                "sale_no": [f"S{i}" for i in range(6)],
            }
        )
    )
    rules = RuleBook()
    with tempfile.TemporaryDirectory() as tmp:
        for name, engine in ENGINES:
            folder = Path(tmp) / name
            folder.mkdir()
            fig = figures.indexed(engine(ledger, rules, AS_OF, folder))
            assert fig.at["C1", "threshold_amount"] == 100000.0, name
            result = grade("threshold", figures=fig, rules=rules, as_of=AS_OF)
            assert result.grades["C1"] == "B", name  # 6 orders > 5 but 100,000 is not > 100,000


def _decimal(x: float) -> Decimal:
    """A value as the figures take it: its shortest text, to 12 decimals (figures rule 4)."""
    return Decimal(repr(float(x))).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def _rounded_sum(values) -> float:
    return float(sum((_decimal(v) for v in values), Decimal(0)).quantize(Decimal("1e-6"), rounding=ROUND_HALF_UP))


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.sampled_from(AMOUNTS),
            st.floats(-1e9, 1e9, allow_nan=False).filter(lambda v: v != 0),
            st.integers(-(10**12), 10**12).map(lambda n: n / 1e6),  # whole millionths
        ),
        min_size=1,
        max_size=12,
    )
)
def test_sums_are_exact_decimal_sums_of_the_values_texts(values):
    """Rule 4 against Python's decimals, on every engine: micro-units and the text path, mixed."""
    n = len(values)
    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1"] * n,
                "date": pd.to_datetime(["2026-03-05"] * n),
                "amount": values,
                "quantity": values[::-1],
                "paid_amount": [v / 7 for v in values],
                "paid_date": pd.to_datetime(["2026-03-20"] * n),
            }
        )
    )
    rules = RuleBook().updated({"threshold.window_months": 0})
    with tempfile.TemporaryDirectory() as tmp:
        for name, engine in ENGINES:
            folder = Path(tmp) / name
            folder.mkdir()
            fig = figures.indexed(engine(ledger, rules, AS_OF, folder))
            assert fig.at["C1", "threshold_amount"] == _rounded_sum(values), name
            assert fig.at["C1", "threshold_quantity"] == _rounded_sum(values[::-1]), name
            assert fig.at["C1", "credit_sales"] == _rounded_sum(values), name
            # collections: each line's payment clamped between 0 and its amount (docs/rules.md credit)
            paid = [min(max(_decimal(v / 7), min(_decimal(v), 0)), max(_decimal(v), 0)) for v in values]
            assert fig.at["C1", "credit_collections"] == _rounded_sum(paid), name


def test_one_scan_gives_the_figures_and_the_counts_of_their_own_queries(tmp_path):
    """FigureEngine.scan: the figures of ``figures`` and the counts of ``describe``, from one query."""
    frame = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", None, "C2", "C3", "C3"],
            "date": pd.to_datetime(["2026-01-05", "2026-05-02", "2026-03-10", None, "2026-08-01", "2026-02-01"]),
            "amount": [100.0, None, 250.5, 20.0, 5.0, 1 / 3],
        }
    )
    path = tmp_path / "ledger.parquet"
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()
    source = LedgerSource("parquet", str(path))
    rules = RuleBook()
    seen: list[tuple[str, ...]] = []
    facts, fig = DuckDBEngine().scan(source, rules, AS_OF, ("threshold",), check=seen.append)
    assert seen == [("customer_id", "date", "amount")]
    assert facts == DuckDBEngine().describe(source, AS_OF)
    assert facts.counts == {"lines": 6, "no_customer": 1, "no_date": 1, "later": 1, "no_amount": 1}
    pd.testing.assert_frame_equal(fig, DuckDBEngine().figures(source, rules, AS_OF, ("threshold",)))
    assert list(fig["customer_id"]) == ["C1", "C3"]  # C2's one line has no date, C3's August line is later
    # without a sale_no column every line is an order, as with one that is blank throughout
    blank = tmp_path / "blank.parquet"
    con = duckdb.connect()
    con.register("frame", frame.assign(sale_no=pd.Series([None] * len(frame), dtype=object)))
    con.execute(
        f"COPY (SELECT * REPLACE (CAST(sale_no AS VARCHAR) AS sale_no) FROM frame) TO '{blank}' (FORMAT parquet)"
    )
    con.close()
    with_blank = DuckDBEngine().figures(LedgerSource("parquet", str(blank)), rules, AS_OF)
    pd.testing.assert_frame_equal(DuckDBEngine().figures(source, rules, AS_OF), with_blank)
    assert list(with_blank["threshold_orders"]) == [2, 1]


def test_the_sql_is_the_common_subset_with_a_dialect_table():
    rules = RuleBook()
    for dialect in figures.DIALECTS:
        sql = figures.figures_sql(rules, AS_OF, dialect, columns=["customer_id", "date", "amount"])
        for word in ("::", "QUALIFY", "FILTER (", "INTERVAL", "VARCHAR"):
            assert word not in sql.upper(), (dialect, word)
        assert "CAST(NULL AS DOUBLE)" in sql  # a column the relation lacks is a typed NULL
    duck = figures.figures_sql(rules, AS_OF, "duckdb")
    spark = figures.figures_sql(rules, AS_OF, "spark")
    assert "date_diff('day'," in duck and "datediff(" not in duck
    assert "datediff(" in spark and "date_diff" not in spark and '"' not in spark
    # the windows are DATE literals computed in Python: (2025-06-30, 2026-06-30] for 12 months
    assert "d > DATE '2025-06-30' AND d <= DATE '2026-06-30'" in spark


def test_some_groups_are_answered_from_every_group_once_known():
    """The monthly job computes every group for the methods; the analyses' requests for some
    groups then run no SQL again, and read what running their own SQL would give."""
    import xlgrade.io.duckfigures as duck

    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1", "C1", "C2", "C3"],
                "date": pd.to_datetime(["2026-01-05", "2026-05-02", "2026-03-10", "2025-02-01"]),
                "amount": [100.0, 16666.666666666668, 250.5, -20.0],
                "profit": [10.0, 2.0, 30.0, -1.0],
                "sale_no": ["S1", None, "S2", "S3"],
            }
        )
    )
    rules = RuleBook()
    direct = {g: figures.indexed(figures_of_frame(ledger, rules, AS_OF, figures.NEEDS[g])) for g in figures.NEEDS}
    calls: list[str] = []

    def counting(sql: str, frame: pd.DataFrame) -> pd.DataFrame:  # the runner the adapter hands over
        calls.append(sql)
        return duck.frame_sql(sql, frame)

    figures._RECENT.clear()
    figures.of_ledger(ledger, rules, AS_OF, run=counting)
    assert len(calls) == 1  # every group: one query, by the runner given
    calls.clear()
    for g, want in direct.items():
        pd.testing.assert_frame_equal(figures.of_ledger(ledger, rules, AS_OF, figures.NEEDS[g], run=counting), want)
    assert calls == []


def test_a_large_ledger_gets_a_connection_of_its_own_with_the_same_figures(monkeypatch):
    """From OWN_CONNECTION lines a query runs on its own connection, closed afterwards (its
    memory given back); the figures are those of the thread's shared connection."""
    from xlgrade.io import duckfigures as duck

    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1", "C2", "C1", "C3"],
                "date": pd.to_datetime(["2026-01-05", "2026-05-02", "2026-03-10", "2025-02-01"]),
                "amount": [100.0, 16666.666666666668, 250.5, -20.0],
            }
        )
    )
    sql = figures.figures_sql(RuleBook(), AS_OF, columns=list(ledger.columns))
    shared = duck.frame_sql(sql, ledger)
    kept = duck._local.con
    opened: list[object] = []
    real = duck.connect
    monkeypatch.setattr(duck, "connect", lambda *a, **k: opened.append(real(*a, **k)) or opened[-1])
    monkeypatch.setattr(duck, "OWN_CONNECTION", len(ledger))
    own = duck.frame_sql(sql, ledger)
    pd.testing.assert_frame_equal(own, shared)
    assert len(opened) == 1 and duck._local.con is kept
    with pytest.raises(duckdb.ConnectionException):  # closed after the query
        opened[0].execute("SELECT 1")


BLANKS = figures.WHITESPACE + " "


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet=BLANKS + "S1中", max_size=4)), min_size=1, max_size=20))
def test_non_blank_keeps_a_text_exactly_where_str_strip_leaves_something(texts):
    """Rule 5's blank test, whose first-character shortcut decides most sale numbers without
    TRANSLATE: a text is kept, as it is, exactly where Python's str.strip() leaves something."""
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"i": range(len(texts)), "x": pd.Series(texts, dtype=object)}))
    got = [r[0] for r in con.execute(f"SELECT {figures.non_blank('x')} FROM t ORDER BY i").fetchall()]
    assert got == [t if t is not None and t.strip() else None for t in texts]


def test_used_once_neither_hashes_the_ledger_nor_keeps_its_figures(monkeypatch):
    """``xlgrade grade`` grades one ledger once: within used_once() the figures are computed
    as of_frame computes them, without the cache's hash of every line, and nothing is kept;
    outside it the cache is used as before."""
    ledger = frames.prepare_ledger(
        pd.DataFrame(
            {
                "customer_id": ["C1", "C1", "C2"],
                "date": pd.to_datetime(["2026-01-05", "2026-05-02", "2026-03-10"]),
                "amount": [100.0, 16666.666666666668, 250.5],
                "sale_no": ["S1", " S2", "\u3000"],
            }
        )
    )
    rules, groups = RuleBook(), figures.NEEDS["threshold"]
    want = figures.indexed(figures_of_frame(ledger, rules, AS_OF, groups))
    figures._RECENT.clear()
    real_hash = pd.util.hash_pandas_object
    hashed: list[int] = []
    monkeypatch.setattr(pd.util, "hash_pandas_object", lambda *a, **k: hashed.append(1) or real_hash(*a, **k))
    with figures.used_once():
        got = figures.of_ledger(ledger, rules, AS_OF, groups)
    pd.testing.assert_frame_equal(got, want)
    assert hashed == [] and figures._RECENT == {}
    assert list(got["threshold_orders"]) == [2, 1]  # S1 and " S2"; the ideographic space is blank
    pd.testing.assert_frame_equal(figures.of_ledger(ledger, rules, AS_OF, groups), want)
    assert hashed == [1] and len(figures._RECENT) == 1  # outside the block: hashed and kept


def test_a_sale_number_is_blank_exactly_when_str_strip_leaves_nothing():
    """figures rule 5 in DuckDB: the first-character shortcut of ``non_blank`` and its
    character-by-character fallback agree with ``str.strip()`` for every whitespace character
    the rule names, alone, leading, trailing, doubled and around text."""
    texts = ["", "S1", "s 1", "1", "\r\n", "\r\nS1"]  # CR LF: one grapheme, two characters
    for ws in figures.WHITESPACE + " ":
        texts += [ws, ws + ws, ws + "S1", "S1" + ws, ws + "S1" + ws, ws + " ", " " + ws + "x"]
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"v": texts}))
    got = [r[0] for r in con.execute(f"SELECT {figures.non_blank('v')} FROM t").fetchall()]
    assert got == [v if v.strip() else None for v in texts]
