"""The per-customer figures every grading method grades, defined once, as SQL text.

This module owns *what* the figures are (orders, volume, monthly units, growth, days late,
aging, recency, frequency, monetary; one row per customer); the methods
(:mod:`xlgrade.engine.threshold` ... :mod:`xlgrade.engine.rfm`) own the rules that grade
them. The SQL is built from the rule book (the windows, the credit days, the aging limits)
and the as-of date; running it is an adapter's job (:mod:`xlgrade.io.engines`: DuckDB over a
workbook's in-memory ledger, over Parquet, CSV or a DuckDB database; Spark over anything
Spark reads). No I/O here: this module only writes text.

Rules of this module:

1. The input relation (``table``) has the engine's ledger columns of
   :mod:`xlgrade.engine.frames` rule 1 (``customer_id``, ``date``, ``amount``, and the
   optional ``sale_no``, ``quantity``, ``profit``, ``paid_amount``, ``due_date``,
   ``paid_date``). With ``columns`` given, an optional column not among them counts as
   all-missing (a typed NULL), as :func:`frames.prepare_ledger` adds it.
2. The SQL is the common subset of DuckDB and Spark SQL: ``CAST`` (never ``::``), no
   ``QUALIFY``, no ``FILTER``, window bounds written as ``DATE '…'`` literals computed here in
   Python with pandas' calendar-month arithmetic (:func:`frames.window_start`), identifiers
   quoted. Where the dialects really differ, the small table :data:`DIALECTS` says how:

   ========  ================================  ============================
   key       duckdb                            spark
   ========  ================================  ============================
   quote     ``"name"``                        ```name```
   days      ``date_diff('day', a, b)``        ``datediff(b, a)``
   ========  ================================  ============================

3. Only lines dated on or before the as-of date are read; the result has one row per
   customer with such a line (the methods add the customers table, frames rule 3). Windows
   are ``(start, as_of]`` (frames rule 4).
4. Money and quantities are summed exactly, and fast (:func:`exact_parts`, :func:`total`):
   every value is read as a DOUBLE and stands for its shortest decimal text (so
   16666.666666666668 stays 16666.666666666668 and six of them sum to 100000.000000000008,
   not 100000.000002). A value that is a whole number of millionths (|value| < 4e9: all
   money and quantities staff type) is that many micro-units, a BIGINT found by arithmetic
   (no text), and those are summed as integers; only the other values (more decimals, huge)
   are cast through their text to ``DECIMAL(28,12)`` and summed as decimals. A sum is the
   two added exactly, rounded to 6 decimals and returned as DOUBLE (frames rule 6). A sum
   over no line is 0; the order of the lines never matters. Signs are decided on the exact
   parts; a choice between two values (the recorded payment's clamp) compares the DOUBLEs,
   whose order is their texts' order.
5. Orders are distinct non-blank ``sale_no`` (as text; blank is what ``str.strip()`` leaves
   empty, tabs and ideographic spaces included: :func:`non_blank`) plus one per line
   without one (frames rule 5).
6. Days are whole calendar days between dates (no time of day).

7. ``figures_sql(..., counted=True)`` reads every line (no WHERE) and adds the counts of
   :func:`counts_sql` per customer (:data:`COUNTED`); every figure's condition bounds the
   date, so the figures are those of rule 3, and :func:`split_counts` keeps the customers of
   rule 3 and sums the counts: one scan gives both.
8. This module runs no SQL: an adapter hands it a :class:`Runner` (SQL over a pandas ledger;
   :func:`xlgrade.io.duckfigures.frame_sql` is DuckDB's), per call (``run=``) or once per
   process (:func:`install`); the engine package imports no adapter.
9. ``figures_sql(..., fast=True)`` is rule 4 for the usual ledger, cheaper: the millionths are
   summed as DOUBLE (an integer sum is exact in a DOUBLE while every partial sum is below
   2^53; a 64-bit integer sum is a 128-bit one in DuckDB, about twice the cost) and there are
   no decimal sums. It adds :data:`BOUND` per customer: the sum of a bound of every value a
   line adds to any figure (2|amount| + |paid_amount| + |quantity| + |profit| in millionths),
   huge where a line has a decimal part. :func:`fast_result` says whether every bound is
   below 2^52 (the bound's own sum rounds by far less than that margin), and then the
   figures are exactly rule 4's; else the engine runs the query without ``fast``.

The result's columns, in order, are :func:`figure_columns` (name -> dtype of the pandas
frame an engine returns; ``customer_id`` is the first column, not an index).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from xlgrade.engine import credit, frames  # credit imports this module too: names used at call time
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import NoFigureRunnerError

EXACT = "DECIMAL(28,12)"  # one value, exactly as its shortest decimal text says
ZERO = f"CAST(0 AS {EXACT})"
# Days late / overdue are integers; times a decimal (rule 4's slow path) they are this decimal,
# small enough that the product fits 38 digits with its 12 decimals: Spark keeps the scale of
# DECIMAL(29,12) x DECIMAL(7,0) (37 digits) but cuts DECIMAL(29,12) x DECIMAL(10,0) (an INT)
# to 10 decimals, DuckDB keeps 12. 9,999,999 days.
DAYS = "DECIMAL(7,0)"
# What str.strip() strips (pandas' blank test, frames rule 5): TRIM differs between the
# engines (Spark: spaces only; DuckDB: also U+3000, not a tab), so these become spaces first.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
SUM_MEASURES = ("amount", "quantity", "profit")  # the measures a window sums (orders are counted)
OPTIONAL_TYPES = {
    "sale_no": "STRING",
    "quantity": "DOUBLE",
    "profit": "DOUBLE",
    "paid_amount": "DOUBLE",
    "due_date": "DATE",
    "paid_date": "DATE",
}
RANKED_WINDOWS = (
    "threshold",
    "pareto",
    "matrix",
    "report",
)  # windows with orders and every measure (a --measure applies)
CREDIT_PREFIXES = ("credit", "ly")  # credit figures as of the as-of date, and 12 months before
# The figures come in groups (their columns' prefixes); a method needs only some of them, and
# every figure costs an aggregate per line (rule 9). ``credit_late`` is the one credit figure
# the composite score reads (credit_avg_days_late, also in ``credit``).
GROUPS = (
    "threshold",
    "pareto",
    "scorecard",
    "composite",
    "rfm",
    "credit",
    "credit_late",
    "ly",
    "matrix",
    "report",
    "activity",
)
NEEDS = {
    "threshold": ("threshold",),
    "pareto": ("pareto",),
    "scorecard": ("scorecard",),
    "composite": ("composite", "credit_late"),
    "credit": ("credit", "ly"),
    "rfm": ("rfm",),
    "sales_loyalty": ("matrix",),
    "value_type": ("matrix",),
    "two_criteria": ("pareto",),
}


@dataclass(frozen=True)
class Dialect:
    """What differs between the SQL engines (rule 2); everything else is written once."""

    name: str
    quote_char: str
    days_template: str  # {a}, {b}: whole days from date a to date b
    wide_template: str  # {x}: a BIGINT to sum without overflow (DuckDB sums BIGINT as HUGEINT, Spark as BIGINT)

    def quote(self, name: str) -> str:
        q = self.quote_char
        return f"{q}{name.replace(q, q + q)}{q}"

    def days(self, a: str, b: str) -> str:
        return self.days_template.format(a=a, b=b)

    def wide(self, x: str) -> str:
        return self.wide_template.format(x=x)


DIALECTS: dict[str, Dialect] = {
    "duckdb": Dialect("duckdb", '"', "date_diff('day', {a}, {b})", "{x}"),
    "spark": Dialect("spark", "`", "datediff({b}, {a})", "CAST({x} AS DECIMAL(38,0))"),
}


MICRO_LIMIT = "4.0E9"  # below this a DOUBLE's neighbours are < 1e-6 apart: its micro-units are unique (rule 4)
PER_MICRO = "CAST(1000000 AS DOUBLE)"
MICRO = "CAST(0.000001 AS DECIMAL(7,6))"
MEASURES = ("amount", "quantity", "profit", "paid_amount")  # the numbers a line has (rule 4's parts)
# The counts a figure query with ``counted`` adds (rule 7), each summed over its rows by :func:`split_counts`.
COUNTED = ("xlgrade_lines", "xlgrade_dated", "xlgrade_upto", "xlgrade_amounts")
BOUND = "xlgrade_bound"  # rule 9's bound per customer, in millionths
FAST_LIMIT = 2.0**52  # rule 9: a bound below this keeps every DOUBLE partial sum exact
FAST_GUARD = "XLGRADE_FAST_GUARD"  # in a fast figure: where BOUND < FAST_LIMIT (figures_sql writes it)


def exact(expr: str) -> str:
    """``expr`` (a number) as an exact decimal, cast through its text (rule 4's slow path)."""
    return f"CAST(CAST({expr} AS STRING) AS {EXACT})"


def exact_parts(name: str) -> tuple[list[str], list[str]]:
    """Rule 4 for the DOUBLE column ``{name}_d``: the select items of two steps, the first
    giving ``{name}_i`` (its micro-units if it has any: a candidate, by arithmetic), the second
    ``{name}_m`` (those micro-units when they are exactly the value, else 0; 0 for NULL) and
    ``{name}_r`` (the value as a decimal through its text when they are not, else NULL).
    The value is exactly ``{name}_m`` millionths plus ``{name}_r``."""
    d, i = f"{name}_d", f"{name}_i"
    first = [f"CASE WHEN ABS({d}) < {MICRO_LIMIT} THEN CAST(FLOOR({d} * {PER_MICRO} + 0.5) AS BIGINT) END AS {i}"]
    whole = f"CAST({i} AS DOUBLE) / {PER_MICRO} = {d}"
    second = [
        f"CASE WHEN {whole} THEN {i} ELSE 0 END AS {name}_m",
        f"CASE WHEN {whole} THEN NULL ELSE {exact(d)} END AS {name}_r",
    ]
    return first, second


def decimal_of(m: str, r: str, digits: int = 19) -> str:
    """The exact decimal of ``m`` millionths (at most ``digits`` digits) plus ``r`` (NULL: 0).
    The types keep every product and sum within 38 digits with 12 decimals: beyond, Spark cuts
    the scale (DECIMAL(38,6) + DECIMAL(38,12) keeps 6 decimals), DuckDB does not."""
    return f"(CAST({m} AS DECIMAL({digits},0)) * {MICRO} + COALESCE(CAST({r} AS DECIMAL(30,12)), {ZERO}))"


def positive(name: str) -> str:
    """Whether the exact value of ``{name}_m`` / ``{name}_r`` is > 0 (rule 4: on the parts)."""
    m, r = f"{name}_m", f"{name}_r"
    return f"(CASE WHEN {r} IS NULL THEN {m} > 0 ELSE {decimal_of(m, r)} > 0 END)"


def total(cond: str, name: str) -> str:
    """The exact sum of the value ``name`` (its parts ``{name}_m``, ``{name}_r``) over the lines
    where ``cond`` holds, rounded, as DOUBLE (rule 4): every figure that sums money or a
    quantity is this."""
    return summed(f"SUM(CASE WHEN {cond} THEN {name}_m END)", f"SUM(CASE WHEN {cond} THEN {name}_r END)")


def fast_total(cond: str, name: str) -> str:
    """:func:`total` by rule 9: the millionths summed as DOUBLE, no decimal part."""
    return summed(f"SUM(CASE WHEN {cond} THEN CAST({name}_m AS DOUBLE) END)", None)


def summed(sm: str, sr: str | None) -> str:
    """A sum of millionths ``sm`` plus a decimal sum ``sr`` (NULL: none; None: there is none,
    rule 9), rounded, as DOUBLE (rule 4). Without a decimal part the millionths divided as
    DOUBLEs are that already (the nearest DOUBLE to the exact sum while it has fewer than 16
    digits), with no decimal arithmetic; the engines share identical aggregates, so ``sm`` and
    ``sr`` are summed once."""
    whole = f"COALESCE(CAST({sm} AS DOUBLE) / {PER_MICRO}, CAST(0 AS DOUBLE))"
    if sr is None:
        return whole
    return f"CASE WHEN {sr} IS NULL THEN {whole} ELSE {money(decimal_of(f'COALESCE({sm}, 0)', sr))} END"


def difference(a: str, b: str, when: str) -> list[str]:
    """The parts of ``a - b`` where ``when`` holds (else 0), as ``{out}_m`` / ``{out}_r`` items
    without their names: [m expression, r expression]."""
    m = f"CASE WHEN {when} THEN {a}_m - {b}_m ELSE 0 END"
    r = (
        f"CASE WHEN {when} AND ({a}_r IS NOT NULL OR {b}_r IS NOT NULL) "
        f"THEN COALESCE({a}_r, {ZERO}) - COALESCE({b}_r, {ZERO}) END"
    )
    return [m, r]


def blank_free(expr: str) -> str:
    """``expr`` (text) trimmed of every kind of whitespace, '' when it is blank (rule 5)."""
    spaces = " " * len(WHITESPACE)
    return f"TRIM(TRANSLATE({expr}, '{WHITESPACE}', '{spaces}'))"


def non_blank(expr: str) -> str:
    """``expr`` (text) where it is not blank (rule 5), else NULL. A text whose first character
    is no whitespace is not blank: that test (one character looked up) decides nearly every
    value; only the others (empty, NULL, a leading space or tab) are trimmed by
    :func:`blank_free`, whose TRANSLATE costs DuckDB about 0.1 s per 170,000 values."""
    first_ok = f"INSTR('{WHITESPACE} ', SUBSTR({expr}, 1, 1)) = 0 AND {expr} <> ''"
    return f"CASE WHEN {first_ok} THEN {expr} WHEN {blank_free(expr)} <> '' THEN {expr} END"


def date_literal(day: pd.Timestamp) -> str:
    return f"DATE '{pd.Timestamp(day).date().isoformat()}'"


def money(expr: str) -> str:
    """A rounded exact sum as DOUBLE (rule 4)."""
    return f"CAST(ROUND({expr}, 6) AS DOUBLE)"


def window_months(rules: RuleBook) -> dict[str, int]:
    """The months of each method's window (0 = all history up to the as-of date)."""
    return {
        "threshold": rules.threshold.window_months,
        "pareto": rules.pareto.window_months,
        "scorecard": rules.scorecard.months,
        "composite": rules.composite.months,
        "rfm": rules.rfm.months,
        "matrix": rules.matrix.months,
        "report": evaluation_months(rules.general.method, rules),
    }


# ---- the monthly job's own figures: the report window and the record cards' trading facts ----
DEFAULT_MONTHS = 12  # the window of a method without a window rule


def evaluation_months(method: str, rules: RuleBook) -> int:
    """Months of the window ``method`` grades over (its ``Method.window`` rule; 0 = all history
    up to the as-of date; 12 for a method without one). The ``report_`` figures (orders,
    amount, quantity, profit: History and the summary) are over the window of
    ``general.method``."""
    from xlgrade.engine import ALL  # the method table imports this module

    spec = ALL.get(method)
    months = spec.window_months(rules) if spec else None
    return DEFAULT_MONTHS if months is None else months


def activity_columns() -> dict[str, str]:
    """The record cards' trading facts (:mod:`xlgrade.engine.activity`) as figures: the
    amount of the trailing ``activity.months`` and of the months just before them; days from
    the latest sale (a line with amount > 0) and from the latest payment received (paid_date
    on or before the as-of date) to the as-of date, NaN when there is none; and the sales
    dated before the window (a count)."""
    return {
        "activity_amount": "float64",
        "activity_amount_before": "float64",
        "activity_last_order": "float64",
        "activity_last_paid": "float64",
        "activity_sold_before": "int64",
    }


def activity_select(rules: RuleBook, as_of: pd.Timestamp, d: Dialect, inside, total) -> list[str]:
    """The SELECT expressions of :func:`activity_columns` (``inside(months, end)``: a window's
    condition; ``total(cond, value)``: an exact rounded sum)."""
    months = rules.activity.months
    start = frames.window_start(as_of, months)
    assert start is not None  # activity.months is at least 1
    day = date_literal(as_of)
    return [
        f"{total(inside(months), 'amount')} AS activity_amount",
        f"{total(inside(months, start), 'amount')} AS activity_amount_before",
        f"CAST({d.days(f'MAX(CASE WHEN sells = 1 AND d <= {day} THEN d END)', day)} AS DOUBLE) AS activity_last_order",
        f"CAST({d.days(f'MAX(CASE WHEN d <= {day} AND paid_on <= {day} THEN paid_on END)', day)} AS DOUBLE)"
        " AS activity_last_paid",
        f"CAST(SUM(CASE WHEN sells = 1 AND d <= {date_literal(start)} THEN 1 ELSE 0 END) AS BIGINT)"
        " AS activity_sold_before",
    ]


# the figures of the evaluation 12 months earlier: what the credit method shows of it (credit.LAST_YEAR)
LAST_YEAR_FIGURES = ("sales", "collections", "overdue_balance", "avg_days_late")


def credit_figures(rules: RuleBook, prefix: str = "credit") -> tuple[str, ...]:
    """The credit figures of one evaluation date, without their prefix: every one as of the
    as-of date (credit_), :data:`LAST_YEAR_FIGURES` twelve months before (ly_)."""
    if prefix == "ly":
        return LAST_YEAR_FIGURES
    aging = tuple(b.key for b in credit.aging_buckets(rules.credit.aging_days))
    return (
        "sales",
        "collections",
        "outstanding",
        "not_due",
        "overdue_balance",
        "max_days_overdue",
        *aging,
        "avg_days_late",
    )


def figure_columns(rules: RuleBook, groups: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every column of the figures frame, in order, with its pandas dtype; with ``groups``
    (names of :data:`GROUPS`) only theirs."""
    wanted = set(GROUPS if groups is None else groups)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown figure groups {sorted(unknown)}; choose from {', '.join(GROUPS)}")
    out = {"customer_id": "object"}
    for w in RANKED_WINDOWS:
        if w in wanted:
            out[f"{w}_orders"] = "int64"
            out |= {f"{w}_{m}": "float64" for m in SUM_MEASURES}
    if "matrix" in wanted:
        out["matrix_amount_before"] = "float64"
    if "scorecard" in wanted:
        out |= {"scorecard_quantity": "float64", "scorecard_amount": "float64", "scorecard_amount_before": "float64"}
    if "composite" in wanted:
        out |= {"composite_lines": "int64", "composite_amount": "float64", "composite_profit": "float64"}
    if "rfm" in wanted:
        out |= {"rfm_recency": "float64", "rfm_frequency": "int64", "rfm_monetary": "float64"}
    for prefix in CREDIT_PREFIXES:
        if prefix in wanted:
            out |= {f"{prefix}_{name}": "float64" for name in credit_figures(rules, prefix)}
        elif prefix == "credit" and "credit_late" in wanted:
            out["credit_avg_days_late"] = "float64"
    if "activity" in wanted:
        out |= activity_columns()
    return out


def as_dates(rules: RuleBook, as_of) -> dict[str, pd.Timestamp]:
    """The as-of date of each credit evaluation (credit_ now, ly_ twelve months before)."""
    now = frames.as_timestamp(as_of)
    return {"credit": now, "ly": now - pd.DateOffset(months=credit.LAST_YEAR_MONTHS)}


def figures_sql(
    rules: RuleBook,
    as_of,
    dialect: str = "duckdb",
    table: str = "ledger",
    columns: tuple[str, ...] | list[str] | None = None,
    groups: tuple[str, ...] | None = None,
    counted: bool = False,
    fast: bool = False,
) -> str:
    """The SQL computing :func:`figure_columns` (of ``groups``, default all) from ``table``
    (see the module's rules). With ``counted``, the same query also counts what
    :func:`counts_sql` counts (rule 7): :func:`split_counts` parts its result. With ``fast``,
    rule 9's query (and its :data:`BOUND` column): :func:`fast_result` says if it holds."""
    total_ = fast_total if fast else total
    wanted = set(figure_columns(rules, groups))
    d = DIALECTS[dialect]
    q = d.quote
    as_of = frames.as_timestamp(as_of)
    have = None if columns is None else set(columns)

    def col(name: str) -> str:
        if have is not None and name not in have:
            return f"CAST(NULL AS {OPTIONAL_TYPES[name]})"
        return q(name)

    day = date_literal(as_of)
    numbers = [q("amount") if m == "amount" else col(m) for m in MEASURES]
    source = f"""
    SELECT CAST({q("customer_id")} AS STRING) AS cid,
           CAST({q("date")} AS DATE) AS d,
           {", ".join(f"CAST({x} AS DOUBLE) AS {m}_d" for m, x in zip(MEASURES, numbers))},
           CAST({col("due_date")} AS DATE) AS due,
           CAST({col("paid_date")} AS DATE) AS paid_on,
           {non_blank(f"CAST({col('sale_no')} AS STRING)")} AS sale_no
    FROM {table}"""
    if not counted:
        source += f"\n    WHERE CAST({q('date')} AS DATE) <= {day} AND {q('customer_id')} IS NOT NULL"
    steps = [exact_parts(m) for m in MEASURES]
    micro = [item for first, _ in steps for item in first]
    parts = [item for _, second in steps for item in second]
    # the recorded payment, LEAST(GREATEST(p, LEAST(amt, 0)), GREATEST(amt, 0)) with p the paid
    # amount, else the amount once paid, else 0: which of paid_amount (2), amount (1) or 0 it is,
    # chosen on the DOUBLEs (rule 4)
    amt_d = "COALESCE(amount_d, CAST(0 AS DOUBLE))"
    p_of = "CASE WHEN paid_amount_d IS NOT NULL THEN {paid} WHEN paid_on IS NOT NULL THEN {amt} ELSE {zero} END"
    p_d = p_of.format(paid="paid_amount_d", amt=amt_d, zero="CAST(0 AS DOUBLE)")
    which = (
        f"CASE WHEN {p_d} < LEAST({amt_d}, CAST(0 AS DOUBLE)) THEN CASE WHEN {amt_d} < 0 THEN 1 ELSE 0 END "
        f"WHEN {p_d} > GREATEST({amt_d}, CAST(0 AS DOUBLE)) THEN CASE WHEN {amt_d} > 0 THEN 1 ELSE 0 END "
        f"ELSE {p_of.format(paid='2', amt='1', zero='0')} END AS rec_of, "
        "CASE WHEN amount_m > 0 OR amount_r > 0 THEN 1 ELSE 0 END AS sells"  # > 0 exactly (a part is 0 or NULL)
    )
    # whole days since 1970 (rule 6): every difference of days below is one subtraction
    epoch = "DATE '1970-01-01'"
    micro += [f"{d.days(epoch, x)} AS {x}_n" for x in ("d", "due", "paid_on")]
    facts = [
        "CASE rec_of WHEN 2 THEN paid_amount_m WHEN 1 THEN amount_m ELSE 0 END AS rec_m",
        "CASE rec_of WHEN 2 THEN paid_amount_r WHEN 1 THEN amount_r END AS rec_r",
    ]
    credit_days = int(rules.credit.credit_days)
    sells = "sells = 1"
    late = f"GREATEST(COALESCE(paid_on_n - due_n, paid_on_n - d_n - {credit_days}), 0)"
    facts.append(f"CASE WHEN {sells} AND paid_on IS NOT NULL THEN {late} ELSE 0 END AS late")
    opens = []
    limits = [float(x) for x in rules.credit.aging_days]
    for prefix, t in as_dates(rules, as_of).items():
        lit = date_literal(t)
        lit_n = (pd.Timestamp(t).normalize() - pd.Timestamp("1970-01-01")).days
        age = f"COALESCE({lit_n} - due_n, {lit_n} - d_n - {credit_days})"
        facts.append(f"CASE WHEN d <= {lit} THEN 1 ELSE 0 END AS {prefix}_in")
        facts.append(f"CASE WHEN paid_on > {lit} THEN 0 ELSE rec_m END AS {prefix}_paid_m")
        facts.append(f"CASE WHEN paid_on > {lit} THEN NULL ELSE rec_r END AS {prefix}_paid_r")
        facts.append(f"CASE WHEN {sells} AND {age} > 0 THEN {age} ELSE 0 END AS {prefix}_over")
        m, r = difference("amount", f"{prefix}_paid", sells)
        opens += [f"{m} AS {prefix}_open_m", f"{r} AS {prefix}_open_r"]
        # the aging bucket: 0 not overdue, i + 1 for (L[i-1], L[i]] days overdue
        ages = "".join(f"WHEN {prefix}_over <= {limit!r} THEN {i + 1} " for i, limit in enumerate(limits))
        opens.append(f"CASE WHEN {prefix}_over <= 0 THEN 0 {ages}ELSE {len(limits) + 1} END AS {prefix}_aged")
    owed = [f"CASE WHEN {positive(f'{p}_open')} THEN 1 ELSE 0 END AS {p}_owed" for p in CREDIT_PREFIXES]

    select = [f"cid AS {q('customer_id')}"]
    months = window_months(rules)

    def inside(months_: int, end: pd.Timestamp = as_of) -> str:
        start = frames.window_start(end, months_)
        upper = f"d <= {date_literal(end)}"
        return upper if start is None else f"d > {date_literal(start)} AND {upper}"

    def orders(cond: str) -> str:
        if have is not None and "sale_no" not in have:  # every line is an order of its own (rule 5)
            return f"CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT)"
        distinct = f"COUNT(DISTINCT CASE WHEN {cond} THEN sale_no END)"
        loose = f"SUM(CASE WHEN {cond} AND sale_no IS NULL THEN 1 ELSE 0 END)"
        return f"CAST({distinct} + {loose} AS BIGINT)"

    for w in RANKED_WINDOWS:
        cond = inside(months[w])
        select.append(f"{orders(cond)} AS {w}_orders")
        select += [f"{total_(cond, m)} AS {w}_{m}" for m in SUM_MEASURES]
    now = inside(months["scorecard"])
    before = inside(months["scorecard"], as_of - pd.DateOffset(months=months["scorecard"]))
    select += [
        f"{total_(now, 'quantity')} AS scorecard_quantity",
        f"{total_(now, 'amount')} AS scorecard_amount",
        f"{total_(before, 'amount')} AS scorecard_amount_before",
    ]
    matrix_before = inside(months["matrix"], as_of - pd.DateOffset(months=months["matrix"]))
    select.append(f"{total_(matrix_before, 'amount')} AS matrix_amount_before")
    comp = inside(months["composite"])
    select += [
        f"CAST(SUM(CASE WHEN {comp} THEN 1 ELSE 0 END) AS BIGINT) AS composite_lines",
        f"{total_(comp, 'amount')} AS composite_amount",
        f"{total_(comp, 'profit')} AS composite_profit",
    ]
    buys = f"{inside(months['rfm'])} AND {sells}"
    select += [
        f"CAST({d.days(f'MAX(CASE WHEN {buys} THEN d END)', day)} AS DOUBLE) AS rfm_recency",
        f"{orders(buys)} AS rfm_frequency",
        f"{total_(inside(months['rfm']), 'amount')} AS rfm_monetary",
    ]
    for prefix, t in as_dates(rules, as_of).items():
        at = f"{prefix}_in = 1"
        paid, open_, over, owes = f"{prefix}_paid", f"{prefix}_open", f"{prefix}_over", f"{prefix}_owed = 1"
        overdue = f"{at} AND {prefix}_aged > 0"
        if f"{prefix}_not_due" in wanted:  # overdue = outstanding - not due, exactly: two aggregates fewer
            whole_open = f"CAST({open_}_m AS DOUBLE)" if fast else f"{open_}_m"  # rule 9: as total_ sums it
            sums = [
                f"SUM(CASE WHEN {c} THEN {whole_open if part == 'm' else open_ + '_r'} END)"
                for c in (at, f"{at} AND {prefix}_aged = 0")
                for part in "mr"
            ]
            decimals = None if fast else f"({sums[1]} - COALESCE({sums[3]}, {ZERO}))"
            overdue_sum = summed(f"({sums[0]} - COALESCE({sums[2]}, 0))", decimals)
        else:
            overdue_sum = total_(overdue, open_)
        select += [
            f"{total_(at, 'amount')} AS {prefix}_sales",
            f"{total_(at, paid)} AS {prefix}_collections",
            f"{total_(at, open_)} AS {prefix}_outstanding",
            f"{total_(f'{at} AND {prefix}_aged = 0', open_)} AS {prefix}_not_due",
            f"{overdue_sum} AS {prefix}_overdue_balance",
            f"CAST(COALESCE(MAX(CASE WHEN {at} AND {owes} THEN {over} END), 0) AS DOUBLE) AS {prefix}_max_days_overdue",
        ]
        for i, bucket in enumerate(credit.aging_buckets(rules.credit.aging_days)):  # (L[i-1], L[i]] days
            select.append(f"{total_(f'{at} AND {owes} AND {prefix}_aged = {i + 1}', open_)} AS {prefix}_{bucket.key}")
        recent = f"{at} AND {sells}" + (
            "" if (s := frames.window_start(t, rules.credit.months)) is None else f" AND d > {date_literal(s)}"
        )
        # sum of paid x days late + open x days overdue, exactly: the millionths' products, then the rest's
        whole = d.wide(f"{paid}_m * late + {open_}_m * {over}")
        rest = (
            f"COALESCE({paid}_r, {ZERO}) * CAST(late AS {DAYS}) + COALESCE({open_}_r, {ZERO}) * CAST({over} AS {DAYS})"
        )
        weighted = decimal_of(
            f"SUM(CASE WHEN {recent} THEN {whole} END)",
            "NULL"
            if fast
            else f"SUM(CASE WHEN {recent} AND ({paid}_r IS NOT NULL OR {open_}_r IS NOT NULL) THEN {rest} END)",
            24,  # millionths x days: up to 10^18 money-days
        )
        weight = decimal_of(  # rule 9: the millionths as DOUBLE, an exact whole number cast to the decimal
            f"SUM(CASE WHEN {recent} THEN {'CAST(amount_m AS DOUBLE)' if fast else 'amount_m'} END)",
            "NULL" if fast else f"SUM(CASE WHEN {recent} THEN amount_r END)",
        )
        # rounded as a decimal, through the quotient's text: ROUND of a DOUBLE rounds 0.0046875 down in
        # DuckDB (binary) and up in Spark (its decimal text); a decimal rounds half up in both
        ratio = f"CAST({weighted} AS DOUBLE) / CAST({weight} AS DOUBLE)"
        average = money(exact(ratio))
        if fast:  # without its decimal parts the ratio may be no number (NaN, 1e17): not cast where refused
            average = f"CASE WHEN {FAST_GUARD} THEN {average} END"
        select.append(f"{average} AS {prefix}_avg_days_late")
    select += activity_select(rules, as_of, d, inside, total_)
    select = [expr for expr in select if expr.rsplit(" AS ", 1)[1].strip('"`') in wanted]
    if counted:
        select += [
            f"COUNT(*) AS {COUNTED[0]}",
            f"COUNT(d) AS {COUNTED[1]}",
            f"COUNT(CASE WHEN d <= {day} THEN 1 END) AS {COUNTED[2]}",
            f"COUNT(amount_d) AS {COUNTED[3]}",
        ]
    if fast:
        bound = fast_bound(select)
        select = [e.replace(FAST_GUARD, f"{bound} < {FAST_LIMIT!r}") for e in select]
        select.append(f"{bound} AS {BOUND}")
    nl = ",\n           "
    return (
        f"WITH src AS ({source}\n),\n"
        f"micro AS (SELECT src.*, {', '.join(micro)} FROM src),\n"
        f"parts AS (SELECT micro.*, {', '.join(parts)} FROM micro),\n"
        f"chosen AS (SELECT parts.*, {which} FROM parts),\n"
        f"facts AS (SELECT chosen.*, {', '.join(facts)} FROM chosen),\n"
        f"opened AS (SELECT facts.*, {', '.join(opens)} FROM facts),\n"
        f"lines AS (SELECT opened.*, {', '.join(owed)} FROM opened)\n"
        f"SELECT {nl.join(select)}\nFROM lines\nGROUP BY cid\nORDER BY cid"
    )


def split_counts(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The result of ``figures_sql(..., counted=True)`` as the figures (the customers with a
    line up to the as-of date, rule 3) and the counts of :func:`counts_sql` (rule 7)."""
    n = {c: raw[c].fillna(0).astype("int64") for c in COUNTED}
    lines, dated, upto, amounts = (n[c] for c in COUNTED)
    has_id = raw["customer_id"].notna()
    counts = {
        "lines": int(lines.sum()),
        "no_customer": int(lines[~has_id].sum()),
        "no_date": int((lines - dated).sum()),
        "later": int((dated - upto).sum()),
        "no_amount": int((lines - amounts).sum()),
    }
    kept = raw[has_id & (upto > 0)].drop(columns=list(COUNTED))
    return kept.reset_index(drop=True), counts


def fast_bound(select: list[str]) -> str:
    """Rule 9's :data:`BOUND` aggregate for the figures ``select``: of the measures they sum
    (the recorded payment, and so what is paid and open, is of amount and paid_amount), a
    line adds at most 2|amount| + |paid_amount| + |quantity| + |profit| millionths to a
    figure; a line where one of them has a decimal part adds 1e300. A figure that could fail
    on a refused customer (a cast) is computed only where :data:`FAST_GUARD`, the bound, holds."""
    text = " ".join(select)
    credit_parts = any(f"{p}_{part}_m" in text for p in CREDIT_PREFIXES for part in ("paid", "open"))
    used = [m for m in MEASURES if f"{m}_m" in text or (credit_parts and m in ("amount", "paid_amount"))]
    if not used:
        return "CAST(0 AS DOUBLE)"
    exact_line = " AND ".join(f"{m}_r IS NULL" for m in used)
    bound = " + ".join(f"{2 if m == 'amount' and credit_parts else 1} * ABS({m}_m)" for m in used)
    return f"SUM(CASE WHEN {exact_line} THEN CAST({bound} AS DOUBLE) ELSE 1.0E300 END)"


def fast_result(raw: pd.DataFrame) -> pd.DataFrame | None:
    """The result of ``figures_sql(..., fast=True)`` without its :data:`BOUND` column when
    rule 9 holds for every customer (then it is rule 4's result), else None."""
    bound = pd.to_numeric(raw[BOUND]).astype("float64")
    if not bool((bound.fillna(0.0) < FAST_LIMIT).all()):
        return None
    return raw.drop(columns=[BOUND])


def counts_sql(as_of, dialect: str = "duckdb", table: str = "ledger") -> str:
    """One row counting the lines of ``table`` the figures do not read (rule 3): ``lines``
    (all), ``no_customer`` (blank customer id), ``no_date``, ``later`` (dated after the as-of
    date) and ``no_amount`` (a blank amount, counted as 0)."""
    q = DIALECTS[dialect].quote
    day = date_literal(frames.as_timestamp(as_of))
    d = f"CAST({q('date')} AS DATE)"
    return (
        f"SELECT CAST(COUNT(*) AS BIGINT) AS lines,"
        f" CAST(SUM(CASE WHEN {q('customer_id')} IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS no_customer,"
        f" CAST(SUM(CASE WHEN {d} IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS no_date,"
        f" CAST(SUM(CASE WHEN {d} > {day} THEN 1 ELSE 0 END) AS BIGINT) AS later,"
        f" CAST(SUM(CASE WHEN {q('amount')} IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS no_amount"
        f" FROM {table}"
    )


def typed(frame: pd.DataFrame, rules: RuleBook, groups: tuple[str, ...] | None = None) -> pd.DataFrame:
    """An engine's result with the columns and dtypes of :func:`figure_columns` (NULL counts 0)."""
    cols = figure_columns(rules, groups)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"figures lack columns {missing}")
    out = pd.DataFrame(index=range(len(frame)))
    for name, dtype in cols.items():
        values = frame[name].reset_index(drop=True)
        if dtype == "int64":
            out[name] = pd.to_numeric(values).fillna(0).astype("int64")
        elif dtype == "float64":
            out[name] = pd.to_numeric(values).astype("float64")
        else:
            out[name] = values.astype(str)
    return out


class Runner(Protocol):
    """Runs figure SQL over a pandas ledger (rule 8): an adapter's, handed to the engine."""

    def __call__(self, sql: str, ledger: pd.DataFrame) -> pd.DataFrame:
        """The result of ``sql`` (DuckDB's dialect) with ``ledger`` as the relation ``ledger``."""
        ...


_installed: list[Runner] = []  # the process's runner (install), when no call names one


def install(run: Runner) -> None:
    """Make ``run`` the runner of every :func:`of_ledger` call that names none (rule 8): what
    the command line, the add-ins and the tests do once, with DuckDB's."""
    _installed[:] = [run]


def runner(run: Runner | None = None) -> Runner:
    """``run``, else the installed runner; a clear error when there is neither."""
    if run is not None:
        return run
    if not _installed:
        raise NoFigureRunnerError(
            "no SQL runner for the figures: pass run= (e.g. xlgrade.io.duckfigures.frame_sql) "
            "or call xlgrade.io.duckfigures.install() once"
        )
    return _installed[0]


def of_frame(
    ledger: pd.DataFrame, rules: RuleBook, as_of, groups: tuple[str, ...] | None = None, run: Runner | None = None
) -> pd.DataFrame:
    """The figures of an engine ledger frame by ``run`` (rule 8), as an engine returns them
    (``customer_id`` a column), without the cache of :func:`of_ledger`."""
    if len(ledger) == 0:
        return typed(pd.DataFrame({c: [] for c in figure_columns(rules, groups)}), rules, groups)
    frame = ledger[[c for c in ledger.columns if c in frames.LEDGER_COLUMNS]]
    sale_no = frame["sale_no"] if "sale_no" in frame else None
    if sale_no is not None and sale_no.dtype == object and pd.api.types.infer_dtype(sale_no, skipna=True) != "string":
        # one type for the SQL: text (numbers typed as sale numbers become their text)
        frame = frame.assign(sale_no=frame["sale_no"].map(lambda v: v if v is None or pd.isna(v) else str(v)))
    sql = figures_sql(rules, as_of, "duckdb", "ledger", columns=list(frame.columns), groups=groups)
    return typed(runner(run)(sql, frame), rules, groups)


def of_ledger(
    ledger: pd.DataFrame, rules: RuleBook, as_of, groups: tuple[str, ...] | None = None, run: Runner | None = None
) -> pd.DataFrame:
    """The figures (of ``groups``, default all) of an engine ledger frame
    (frames.prepare_ledger), indexed by customer_id. Do not change the frame returned.

    Running the SQL is an adapter's job (rule 8): ``run`` (else the installed runner) runs it
    over the frame, so the workbook and pandas paths grade by the very definitions a Parquet
    file or a Spark cluster is graded by. The last few results are kept, keyed by the SQL
    (rules, as-of date, groups) and the ledger's content; once every group of a ledger is
    known, a request for some groups is answered from it, so the monthly job (which computes
    every group once for the methods) runs the SQL once. Within :func:`used_once` there is no
    cache (no hash of the ledger): the figures are :func:`of_frame`'s.
    """
    as_of = frames.as_timestamp(as_of)
    if _USED_ONCE.get():  # nothing will ask again: no hash of the ledger, nothing kept
        return indexed(of_frame(ledger, rules, as_of, groups, run))
    cols = [c for c in ledger.columns if c in frames.LEDGER_COLUMNS]
    content = hashlib.blake2b(pd.util.hash_pandas_object(ledger[cols], index=False).to_numpy().tobytes())
    content.update(repr([(c, str(ledger[c].dtype)) for c in cols]).encode())
    every = (figures_sql(rules, as_of, columns=cols), content.hexdigest())
    if every in _RECENT:  # every group is known: a subset is its columns (the rows do not depend on groups)
        known = _RECENT[every]
        return known if groups is None else known[[c for c in figure_columns(rules, groups) if c != "customer_id"]]
    key = every if groups is None else (figures_sql(rules, as_of, columns=cols, groups=groups), every[1])
    if key not in _RECENT:
        _RECENT[key] = indexed(of_frame(ledger, rules, as_of, groups, run))
        while len(_RECENT) > _KEEP:
            _RECENT.pop(next(iter(_RECENT)))
    return _RECENT[key]


_RECENT: dict[tuple[str, str], pd.DataFrame] = {}
_KEEP = 4
_USED_ONCE: ContextVar[bool] = ContextVar("xlgrade_figures_used_once", default=False)


@contextmanager
def used_once() -> Iterator[None]:
    """Within this block (this thread or task), :func:`of_ledger` neither consults nor fills
    its cache: for a caller that grades one ledger once, as ``xlgrade grade`` does, where
    keying the cache (a hash of every line: 0.07-0.1 s for 171,000 lines) buys nothing. The
    monthly job, which asks for the same ledger's figures once per method, does not use it."""
    token = _USED_ONCE.set(True)
    try:
        yield
    finally:
        _USED_ONCE.reset(token)


def indexed(fig: pd.DataFrame) -> pd.DataFrame:
    """A figures frame indexed by ``customer_id`` (as the methods read it); an indexed one as it is."""
    if fig.index.name == "customer_id":
        return fig
    return fig.set_index("customer_id")


def population(fig: pd.DataFrame, customers: pd.DataFrame) -> pd.Index:
    """Sorted customer ids to grade: the customers table plus everyone with figures (frames rule 3)."""
    ids = pd.Index(fig.index.astype(str)).union(customers.index)
    return pd.Index(sorted(ids.astype(str)), name="customer_id")


def measured(fig: pd.DataFrame, ids: pd.Index, window: str, measure: str) -> pd.Series:
    """The total of ``measure`` (amount, quantity, profit, or the orders) over a ranked
    window (threshold, pareto, matrix) on the graded population, as floats."""
    if measure == "orders":
        return on(fig, ids, f"{window}_orders").astype("float64")
    return on(fig, ids, f"{window}_{measure}")


def on(fig: pd.DataFrame, ids: pd.Index, column: str, fill: float | None = 0.0) -> pd.Series:
    """Figure ``column`` on the graded population; customers without figures get ``fill``
    (None: left missing)."""
    values = fig[column].reindex(ids)
    return values if fill is None else values.fillna(fill)
