"""The summary sheet of the monthly job (docs/rules.md §5 Summaries): a :class:`Summary` of blocks.

Pure: no file access, no spreadsheet library. Blocks, always all of them and in this order:
``grades``, ``industry``, ``salesperson``, ``region``, ``product``, ``channel``,
``migration``, ``changes``, ``complaints``, ``credit``, ``poor_credit``, ``pareto`` (the long
per-customer list last, so the printed summary opens with the overview). A block without data
keeps its columns, has no rows and a note saying why, so the layout is stable.

Rules:

1. Grade order (rows or columns) = ``graded.labels`` (best first), then any other grade seen,
   sorted. Cells are plain Python values; a blank cell is None.
2. Sales / profit = amount / profit over the method's evaluation window
   (:func:`xlgrade.job.derive.evaluation_months`). A share divides by the total of all rows
   and is blank when that total is <= 0 (or there is no profit data). A totals row is the
   sum of the rows above it, shares 100 %.
3. ``grades``: per grade customers, % customers, sales, % sales, profit, % profit; a column
   chart of % customers against % sales (the 80/20 view: same scale for both series).
4. ``pareto``: value = the pareto method's ranked value (its measure) when the method is
   pareto, else sales. One row per customer with value > 0, by value descending then id:
   rank (ties share a rank), share and cumulative share, computed exactly so the last row is
   100 % and the curve never decreases; a pareto chart with the A share (``pareto.a_share``)
   drawn across it as a level line. The note says how many customers
   make up ``pareto.a_share`` of the value.
5. ``industry`` / ``region``: customer counts, categories sorted, blank "(未填)" last.
   Region = customers.region, else the region of the customer's latest ledger line.
6. ``salesperson``: counts per grade and :func:`service.staffing` (people required low-high,
   status); the A/B/C staffing classes are shown too when the grades are not the ABC labels.
7. ``product`` / ``channel`` (ledger ``product`` / ``channel_name``): sales by the grade of
   the customer over the window, rows by total descending, share of the total. No such
   column, or no value in it -> no rows and a note.
8. ``migration``: dynamics.migration, rows last month's grade (plus 新客户), columns this
   month's (plus 流失), every grade of either month on both axes; ``last month`` = row sum
   of a grade row, ``this month`` = column sum of that grade. Chart: those two per grade.
9. ``changes``: dynamics.changes with this month's explanation as the reason. With no
   previous month in History there is nothing to compare: no rows and a note.
10. ``complaints``: service.complaint_summary of the complaints logged up to the as-of date
   (``complaints_handled`` = derive.handle_complaints' frame), each grade with the priority
   level its complaints get (rules.priority_level; the unknown row the last level); average
   reply hours in the totals row = mean over every replied complaint.
11. ``credit``: per grade customers, customers with an overdue balance, overdue balance,
   average credit score. ``poor_credit``: customers whose credit grade is the last credit
   label (差), by overdue balance descending.

Size: one module on purpose. Its eleven blocks share the context and the row helpers
above, and their order is the sheet's; each block is a short function of its own.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.engine import METHODS, dynamics, frames, service
from xlgrade.engine.pareto import rank_values
from xlgrade.engine.result import Grading
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import num, pct
from xlgrade.job import derive
from xlgrade.job.outputs import GRADE, INT, MONEY, NUMBER, SHARE, TEXT, Block, Chart, Summary
from xlgrade.job.text import TEXT as WORDS
from xlgrade.job.text import direction_words, in_lang

# The long per-customer Pareto list comes last, so the printed summary opens with the overview.
BLOCKS = (
    "grades",
    "industry",
    "salesperson",
    "region",
    "product",
    "channel",
    "migration",
    "changes",
    "complaints",
    "credit",
    "poor_credit",
    "pareto",
)
MEASURE_KIND = {"amount": MONEY, "profit": MONEY, "quantity": NUMBER, "orders": NUMBER}


def _t(key: str, lang: str, **values: Any) -> str:
    return WORDS(key, lang, **values)


def _cell(value: Any) -> Any:
    """A plain Python cell value; missing -> None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row(*values: Any) -> tuple[Any, ...]:
    return tuple(_cell(v) for v in values)


def _cells(values: Any) -> list[Any]:
    """:func:`_cell` of each value of a column (a list, an array or a Series), by its types at
    once where they are ints, texts and floats (a NaN blank)."""
    out = values.tolist() if hasattr(values, "tolist") else list(values)
    held = set(map(type, out))
    if held <= {int, str, bool, type(None)}:
        return out
    if held <= {int, str, bool, type(None), float}:
        return [None if type(v) is float and math.isnan(v) else v for v in out]
    return [_cell(v) for v in out]


def _share(part: float, whole: float) -> float | None:
    if part is None or whole is None or not whole > 0 or (isinstance(part, float) and math.isnan(part)):
        return None
    return float(part) / float(whole)


def _money(x: float) -> float:
    return round(float(x), frames.DECIMALS)


def _lookup(values: pd.Series) -> dict[Any, Any]:
    """``values`` as a dict (index -> value): one lookup per row without a Series' overhead."""
    return dict(zip(values.index.tolist(), values.to_numpy(dtype=object)))


def _order(labels: tuple[str, ...], *seen: pd.Series) -> list[str]:
    others: set[str] = set()
    for s in seen:
        others |= {str(g) for g in s.dropna().unique()} - set(labels)  # each distinct grade once
    return [*labels, *sorted(others)]


def _category(values: pd.Series, lang: str) -> pd.Series:
    return values.where(values != "", _t("blank", lang))


def _sorted_categories(values: pd.Series, lang: str) -> list[str]:
    blank = _t("blank", lang)
    seen = set(values.unique())  # each distinct category once, not 11,000 values twice
    names = sorted(seen - {blank})
    return names + ([blank] if blank in seen else [])


# ---- the summary -------------------------------------------------------------------------
def build_summary(
    month,
    graded: Grading,
    customers: pd.DataFrame | None,
    ledger: pd.DataFrame,
    credit: Grading | pd.DataFrame | None,
    complaints_handled: pd.DataFrame | None,
    previous_grades: pd.Series | None,
    rules: RuleBook,
    as_of,
    lang: str,
    fig: pd.DataFrame | None = None,
) -> Summary:
    """Every block of docs/rules.md §5, in :data:`BLOCKS` order (see the module rules);
    ``fig``: the ledger's figures frame (engine.figures) when the caller has it."""
    as_of = frames.as_timestamp(as_of)
    month_s = derive.month_text(month)
    ids = pd.Index(graded.frame.index.astype(str), name="customer_id")
    grades = pd.Series(graded.grades.astype(str).to_numpy(), index=ids, name="grade")
    previous = previous_grades if previous_grades is not None else pd.Series(dtype=object)
    order = _order(graded.labels, grades)
    months = derive.evaluation_months(graded.method, rules)
    window = derive.window_text(months, as_of, lang)
    sums = derive.window_totals(ledger, ids, rules, as_of, graded.method, fig)
    names = derive.company_names(ids, customers, ledger)
    ctx = _Context(lang, ids, grades, order, names, sums, window, as_of, months)

    blocks = (
        _grades_block(ctx),
        _count_block(ctx, "industry", derive.attribute_text(customers, ids, "industry")),
        _salesperson_block(ctx, derive.attribute_text(customers, ids, "salesperson"), graded, rules),
        _count_block(ctx, "region", _regions(customers, ledger, ids, as_of)),
        _breakdown_block(ctx, "product", "product", ledger),
        _breakdown_block(ctx, "channel", "channel_name", ledger),
        _migration_block(ctx, previous, graded.labels, month_s),
        _changes_block(ctx, previous, graded, customers, ledger),
        _complaints_block(ctx, complaints_handled, graded.labels, rules),
        *_credit_blocks(ctx, credit, rules),
        _pareto_block(ctx, graded, rules),
    )
    method_name = METHODS[graded.method].label(lang) if graded.method in METHODS else graded.method
    short_window = _t("short_window_all", lang) if months <= 0 else _t("short_window", lang, months=months)
    subtitle = _t(
        "subtitle",
        lang,
        method=method_name,
        day=as_of.date().isoformat(),
        customers=len(ids),
        lines=f"{len(frames.upto(ledger, as_of)):,}",
        window=short_window,
    )
    return Summary(
        title=_t("title", lang, month=month_s),
        subtitle=subtitle,
        blocks=blocks,
        grade_order=tuple(graded.labels),
        extras={"month": month_s, "as_of": as_of.date().isoformat(), "method": graded.method, "window_months": months},
    )


class _Context:
    def __init__(self, lang, ids, grades, order, names, sums, window, as_of, months):
        self.lang, self.ids, self.grades, self.order = lang, ids, grades, order
        self.names, self.sums, self.window, self.as_of, self.months = names, sums, window, as_of, months
        self._lines: tuple[pd.DataFrame, pd.Series] | None = None

    def t(self, key: str, **fmt: Any) -> str:
        return _t(key, self.lang, **fmt)

    def lines(self, ledger: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        """The ledger's lines in the window and the grade of each line's customer ("" for none),
        found once for both sales breakdowns."""
        if self._lines is None:
            lines = frames.window(ledger, self.as_of, self.months)
            self._lines = lines, lines["customer_id"].astype(str).map(self.grades).fillna("")
        return self._lines


# ---- 1. grades -----------------------------------------------------------------------------
def _grades_block(c: _Context) -> Block:
    has_profit = bool(c.sums["profit"].notna().any())
    count = c.grades.value_counts()
    sales = c.sums["amount"].groupby(c.grades).sum()
    profit = c.sums["profit"].groupby(c.grades).sum() if has_profit else None
    n = len(c.ids)
    parts: list[tuple[str, int, float, Any]] = []
    for g in c.order:
        s = _money(sales.get(g, 0.0))
        p = _money(profit.get(g, 0.0)) if profit is not None else None
        parts.append((g, int(count.get(g, 0)), s, p))
    total_sales = _money(sum(s for _, _, s, _ in parts))
    total_profit = _money(sum(p for *_, p in parts)) if has_profit else None
    rows = tuple(
        _row(g, k, _share(k, n), s, _share(s, total_sales), p, _share(p, total_profit)) for g, k, s, p in parts
    )
    total = _row(
        c.t("total"),
        n,
        1.0 if n else None,
        total_sales,
        1.0 if total_sales > 0 else None,
        total_profit,
        1.0 if total_profit is not None and total_profit > 0 else None,
    )
    note = c.t("grades_note", window=c.window)
    if not has_profit:
        note += c.t("note_and") + c.t("grades_no_profit")
    if not n:
        note = c.t("no_customers")
    headers = (
        c.t("grade"),
        c.t("customers"),
        c.t("pct_customers"),
        c.t("measure_amount"),
        c.t("pct_sales"),
        c.t("profit"),
        c.t("pct_profit"),
    )
    return Block(
        "grades",
        c.t("grades_title"),
        headers,
        (GRADE, INT, SHARE, MONEY, SHARE, MONEY, SHARE),
        rows,
        total,
        note,
        Chart("column", c.t("grades_chart"), categories=0, values=(2, 4)),
        grade_column=0,
    )


# ---- 2. pareto -----------------------------------------------------------------------------
def _pareto_block(c: _Context, graded: Grading, rules: RuleBook) -> Block:
    if graded.method == "pareto" and "value" in graded.frame:
        measure = rules.pareto.measure
        values = pd.Series(graded.frame["value"].astype("float64").to_numpy(), index=c.ids)
    else:
        measure = "amount"
        values = c.sums["amount"]
    name, kind = c.t(f"measure_{measure}"), MEASURE_KIND[measure]
    what = in_lang(c.lang, name, name.lower())
    headers = (c.t("rank"), c.t("customer_id"), c.t("company"), c.t("grade"), name, c.t("share"), c.t("cumulative"))
    kinds = (INT, TEXT, TEXT, GRADE, kind, SHARE, SHARE)
    a_line = rules.pareto.a_share
    chart = Chart(
        "pareto",
        c.t("pareto_chart"),
        categories=2,
        values=(4,),
        line=6,
        guide=a_line,
        guide_name=c.t("pareto_guide", a=pct(a_line)),
    )
    found = _pareto_rows(values.round(frames.DECIMALS), _lookup(c.names), _lookup(c.grades), rules.pareto.a_share)
    if found is None:
        return Block(
            "pareto",
            c.t("pareto_title"),
            headers,
            kinds,
            (),
            None,
            c.t("pareto_empty", measure=what),
            chart,
            grade_column=3,
        )
    rows, total, (k, cum) = found
    note = c.t("pareto_note", measure=what, k=k, kp=pct(k / len(rows), 1), cum=pct(cum, 1), a=pct(rules.pareto.a_share))
    total_row = _row(c.t("total"), None, None, None, total, 1.0, None)
    return Block("pareto", c.t("pareto_title"), headers, kinds, tuple(rows), total_row, note, chart, grade_column=3)


ParetoRows = tuple[list[tuple[Any, ...]], float, tuple[int, float]]


def _pareto_rows(values: pd.Series, names: dict[Any, Any], grades: dict[Any, Any], a_share: float) -> ParetoRows | None:
    """Rule 4's rows of the customers with a positive value (rank, id, company, grade, value,
    share, cumulative share), the total and (customers, cumulative share) where the cumulative
    share first reaches ``a_share``; None when no value is positive. The ranking is the
    engine's (:func:`pareto.rank_values`, exact decimals), the running sums 60-digit decimals."""
    ranked = rank_values(values) if len(values) else None
    if ranked is None or not (ranked["exact"] > 0).any():
        return None
    positive = ranked[ranked["exact"] > 0]
    ordered = positive.assign(_v=positive["exact"].astype(float), _id=positive.index.astype(str)).sort_values(
        ["_v", "_id"], ascending=[False, True], kind="stable"
    )
    rows, crossed = [], None
    a_cut = Decimal(str(a_share))
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum((d for d in ordered["exact"]), Decimal(0))
        running = Decimal(0)
        for cid, rank, exact in zip(ordered.index, ordered["rank"].tolist(), ordered["exact"]):
            running += exact
            rows.append(
                _row(
                    int(rank),
                    cid,
                    names[cid] or cid,
                    grades[cid],
                    float(exact),
                    float(exact / total),
                    float(running / total),
                )
            )
            if crossed is None and running >= a_cut * total:
                crossed = (len(rows), float(running / total))
    return rows, float(total), crossed if crossed is not None else (len(rows), 1.0)


# ---- 3-5. counts by category -----------------------------------------------------------------
def _crosstab(category: pd.Series, grades: pd.Series, rows: list[str], cols: list[str]) -> pd.DataFrame:
    if len(category) == 0:
        return pd.DataFrame(0, index=rows, columns=cols, dtype="int64")
    table = frames.count_table(category.rename("category"), grades.rename("grade"))
    return table.reindex(index=rows, columns=cols, fill_value=0).astype("int64")


def _count_block(c: _Context, key: str, values: pd.Series) -> Block:
    category = _category(values.reindex(c.ids).fillna(""), c.lang)
    cats = _sorted_categories(category, c.lang)
    table = _crosstab(category, c.grades, cats, c.order)
    rows = tuple(_row(cat, *table.loc[cat].tolist(), int(table.loc[cat].sum())) for cat in cats)
    total = _row(c.t("total"), *table.sum().tolist(), int(table.to_numpy().sum())) if rows else None
    headers = (c.t(key), *c.order, c.t("total"))
    kinds = (TEXT, *([INT] * len(c.order)), INT)
    return Block(key, c.t(f"{key}_title"), headers, kinds, rows, total, "" if rows else c.t("no_customers"))


def _regions(customers, ledger: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp) -> pd.Series:
    own = derive.attribute_text(customers, ids, "region")
    if (own == "").any():
        own = own.where(own != "", derive.latest_ledger_text(ledger, ids, "region", as_of))
    return own


def _salesperson_block(c: _Context, reps: pd.Series, graded: Grading, rules: RuleBook) -> Block:
    staff = service.staffing(c.grades, reps, rules)
    unassigned = c.t("unassigned")
    rep = reps.reindex(c.ids).fillna("")
    rep = rep.where(rep != "", service.UNASSIGNED)
    table = _crosstab(rep, c.grades, list(staff.index), c.order)
    classes = service.default_classes(rules)
    show_classes = [classes.get(label, "C") for label in c.order] != list(service.CLASSES)[: len(c.order)] or len(
        c.order
    ) != 3
    status = staff[in_lang(c.lang, "status_zh", "status")]
    # a column at a time: a row per salesperson (4,800) is one zip of plain columns
    who = [unassigned if name == service.UNASSIGNED else name for name in staff.index.tolist()]
    columns = [who, *table.to_numpy().T, staff["customers"]]
    if show_classes:
        columns += [staff["a"], staff["b"], staff["c"]]
    columns += [staff["required_low"].astype("float64"), staff["required_high"].astype("float64"), status]
    rows = list(zip(*(_cells(col) for col in columns)))
    cls_total = tuple(int(staff[k].sum()) for k in ("a", "b", "c")) if show_classes else ()
    total = (
        _row(
            c.t("total"),
            *table.sum().tolist(),
            int(staff["customers"].sum()),
            *cls_total,
            round(float(staff["required_low"].sum()), 6),
            round(float(staff["required_high"].sum()), 6),
            None,
        )
        if rows
        else None
    )
    st = rules.staffing
    headers = (
        c.t("salesperson"),
        *c.order,
        c.t("total"),
        *((c.t("class", c=k) for k in service.CLASSES) if show_classes else ()),
        c.t("required_low"),
        c.t("required_high"),
        c.t("status"),
    )
    kinds = (TEXT, *([INT] * len(c.order)), INT, *([INT] * (3 if show_classes else 0)), NUMBER, NUMBER, TEXT)
    note = c.t(
        "staffing_note",
        a=num(st.a_per_rep),
        b=num(st.b_per_rep),
        c_min=num(st.c_per_rep_min),
        c_max=num(st.c_per_rep_max),
    )
    return Block(
        "salesperson",
        c.t("salesperson_title"),
        headers,
        kinds,
        tuple(rows),
        total,
        note if rows else c.t("no_customers"),
    )


# ---- 6-7. sales breakdowns ----------------------------------------------------------------------
def _breakdown_block(c: _Context, key: str, column: str, ledger: pd.DataFrame) -> Block:
    headers = (c.t(key), *c.order, c.t("total"), c.t("share"))
    kinds = (TEXT, *([MONEY] * len(c.order)), MONEY, SHARE)
    title = c.t(f"{key}_title")
    text = derive.text_of(ledger[column]) if column in ledger else None
    if text is None or not text.to_numpy(dtype=object).any():  # no text but ""
        return Block(key, title, headers, kinds, (), None, c.t("no_column", column=c.t(key)))
    lines, grade = c.lines(ledger)
    if lines.empty:
        return Block(key, title, headers, kinds, (), None, c.t("no_sales"))
    category = _category(text.loc[lines.index], c.lang)
    cols = c.order + sorted(set(grade.unique()) - set(c.order))
    if len(cols) != len(c.order):
        headers = (c.t(key), *cols, c.t("total"), c.t("share"))
        kinds = (TEXT, *([MONEY] * len(cols)), MONEY, SHARE)
    sums = lines["amount"].groupby([category.rename("category"), grade.rename("grade")]).sum()
    table = sums.unstack(fill_value=0.0).reindex(columns=cols, fill_value=0.0).round(frames.DECIMALS)
    row_total = table.sum(axis=1).round(frames.DECIMALS)
    ranked = (
        pd.DataFrame({"total": row_total, "name": table.index})
        .sort_values(["total", "name"], ascending=[False, True], kind="stable")
        .index
    )
    grand = _money(row_total.sum())
    rows = tuple(
        _row(cat, *table.loc[cat].tolist(), float(row_total[cat]), _share(row_total[cat], grand)) for cat in ranked
    )
    total = _row(c.t("total"), *(_money(v) for v in table.sum()), grand, 1.0 if grand > 0 else None)
    return Block(key, title, headers, kinds, rows, total, c.t("breakdown_note", window=c.window))


# ---- 8-9. migration and changes ------------------------------------------------------------------
def _has_grades(previous: pd.Series) -> bool:
    return bool(len(previous)) and bool((derive.text_of(previous) != "").any())


def _migration_block(c: _Context, previous: pd.Series, labels: tuple[str, ...], month: str) -> Block:
    matrix = dynamics.migration(previous, c.grades, labels)
    grade_rows = [r for r in matrix.index if r != dynamics.NEW]
    grade_cols = [g for g in matrix.columns if g != dynamics.GONE]
    every = [*labels, *sorted((set(grade_rows) | set(grade_cols)) - set(labels))]
    matrix = matrix.reindex(index=[*every, dynamics.NEW], columns=[*every, dynamics.GONE], fill_value=0)
    new, gone = c.t("new"), c.t("gone")
    rows = []
    for g in matrix.index:
        cells = matrix.loc[g].tolist()
        if g == dynamics.NEW:
            rows.append(_row(new, *cells, None, None))
        else:
            rows.append(_row(g, *cells, int(sum(cells)), int(matrix[g].sum())))
    last_total = int(matrix.loc[every].to_numpy().sum())
    this_total = int(matrix[every].to_numpy().sum())
    total = _row(c.t("total"), *matrix.sum().tolist(), last_total, this_total)
    headers = (c.t("migration_corner"), *every, gone, c.t("last_month"), c.t("this_month"))
    kinds = (GRADE, *([INT] * (len(every) + 1)), INT, INT)
    n = len(headers)
    chart = Chart("column", c.t("migration_chart"), categories=0, values=(n - 2, n - 1))
    prev_month = (pd.Period(month, freq="M") - 1).strftime("%Y-%m")
    note = c.t("migration_first") if not _has_grades(previous) else c.t("migration_note", previous=prev_month)
    return Block("migration", c.t("migration_title"), headers, kinds, tuple(rows), total, note, chart, grade_column=0)


def _changes_block(c: _Context, previous: pd.Series, graded: Grading, customers, ledger) -> Block:
    headers = (c.t("customer_id"), c.t("company"), c.t("previous"), c.t("current"), c.t("direction"), c.t("reason"))
    kinds = (TEXT, TEXT, GRADE, GRADE, TEXT, TEXT)
    title = c.t("changes_title")
    if not _has_grades(previous):
        return Block("changes", title, headers, kinds, (), None, c.t("changes_first", n=len(c.ids)), grade_column=3)
    reasons = pd.Series(graded.explanation(c.lang).astype(str).to_numpy(), index=c.ids)
    changed = dynamics.changes(previous, c.grades, graded.labels, reasons)
    if changed.empty:
        return Block("changes", title, headers, kinds, (), None, c.t("changes_none"), grade_column=3)
    ids = pd.Index(changed["customer_id"].astype(str))
    names = derive.company_names(ids, customers, ledger)
    words = direction_words(c.lang)
    rows = tuple(
        _row(cid, names[cid] or None, prev or None, cur or None, words[d], why or None)
        for cid, prev, cur, d, why in zip(
            ids, changed["previous"], changed["current"], changed["direction"], changed["reason"]
        )
    )
    counts = changed["direction"].value_counts()
    note = c.t(
        "changes_note",
        up=int(counts.get(dynamics.UP, 0)),
        down=int(counts.get(dynamics.DOWN, 0)),
        new=int(counts.get(dynamics.NEW_DIR, 0)),
        gone=int(counts.get(dynamics.GONE_DIR, 0)),
    )
    return Block("changes", title, headers, kinds, rows, None, note, grade_column=3)


# ---- 10. complaints ---------------------------------------------------------------------------------
_COUNTS = ("count", "open", "overdue", "replied", "replied_late")


def _complaints_block(c: _Context, handled: pd.DataFrame | None, labels: tuple[str, ...], rules: RuleBook) -> Block:
    day = c.as_of.date().isoformat()
    headers = (c.t("grade"), c.t("priority"), *(c.t(k) for k in _COUNTS), c.t("reply_hours"))
    kinds = (GRADE, TEXT, *([INT] * len(_COUNTS)), NUMBER)
    if handled is not None and len(handled):
        at = pd.to_datetime(handled["complaint_time"])
        handled = handled[~(at > service.effective_as_of(c.as_of))]
    if handled is None or len(handled) == 0:
        grades = [*labels, service.UNKNOWN_GRADE]
        table = pd.DataFrame(0, index=grades, columns=list(_COUNTS), dtype="int64")
        table["avg_reply_hours"] = np.nan
        hours = []
        note = c.t("complaints_none", day=day)
    else:
        table = service.complaint_summary(handled, labels)
        hours = handled["reply_hours"].dropna().tolist()
        note = c.t("complaints_note", day=day)
    unknown = c.t("unknown")
    rows = tuple(
        _row(
            unknown if g == service.UNKNOWN_GRADE else g,
            rules.priority_level("" if g == service.UNKNOWN_GRADE else g, c.lang),
            *(int(table.at[g, k]) for k in _COUNTS),
            table.at[g, "avg_reply_hours"],
        )
        for g in table.index
    )
    total = _row(c.t("total"), None, *(int(table[k].sum()) for k in _COUNTS), float(np.mean(hours)) if hours else None)
    return Block("complaints", c.t("complaints_title"), headers, kinds, rows, total, note, grade_column=0)


# ---- 11. credit ---------------------------------------------------------------------------------------
def _credit_blocks(c: _Context, credit: Grading | pd.DataFrame | None, rules: RuleBook) -> tuple[Block, Block]:
    cr = rules.credit
    poor = cr.grade_labels[-1]
    poor_name = in_lang(c.lang, poor, cr.grade_labels_en[-1])
    h1 = (c.t("grade"), c.t("customers"), c.t("overdue_customers"), c.t("overdue_balance"), c.t("avg_score"))
    k1 = (GRADE, INT, INT, MONEY, NUMBER)
    h2 = (
        c.t("customer_id"),
        c.t("company"),
        c.t("grade"),
        c.t("credit_score"),
        c.t("overdue_balance"),
        c.t("max_days"),
    )
    k2 = (TEXT, TEXT, GRADE, NUMBER, MONEY, NUMBER)
    t1, t2 = c.t("credit_title"), c.t("poor_title", label=poor_name)
    facts = derive.credit_facts(credit, rules)
    if credit is None or "score" not in facts:
        return (
            Block("credit", t1, h1, k1, (), None, c.t("credit_none"), grade_column=0),
            Block("poor_credit", t2, h2, k2, (), None, c.t("credit_none"), grade_column=2),
        )
    facts = facts.reindex(c.ids)
    overdue = facts["overdue_balance"].fillna(0.0).astype("float64")
    score = facts["score"].astype("float64")
    rows = []
    for g in c.order:
        mine = (c.grades == g).to_numpy()
        rows.append(
            _row(
                g,
                int(mine.sum()),
                int((overdue[mine] > 0).sum()),
                _money(overdue[mine].sum()),
                float(score[mine].mean()) if score[mine].notna().any() else None,
            )
        )
    total = _row(
        c.t("total"),
        len(c.ids),
        int((overdue > 0).sum()),
        _money(sum(r[3] for r in rows)),
        float(score.mean()) if score.notna().any() else None,
    )
    block1 = Block("credit", t1, h1, k1, tuple(rows), total, "" if len(c.ids) else c.t("no_customers"), grade_column=0)

    poor_ids = facts.index[(facts["credit_grade"] == poor).to_numpy()]
    if len(poor_ids) == 0:
        return block1, Block("poor_credit", t2, h2, k2, (), None, c.t("poor_none", label=poor_name), grade_column=2)
    sel = pd.DataFrame({"overdue": overdue[poor_ids], "id": poor_ids.astype(str)}, index=poor_ids).sort_values(
        ["overdue", "id"], ascending=[False, True], kind="stable"
    )
    days = _lookup(facts["max_days_overdue"] if "max_days_overdue" in facts else pd.Series(np.nan, index=c.ids))
    names, grades, scores, owed = _lookup(c.names), _lookup(c.grades), _lookup(score), _lookup(overdue)
    cids = sel.index.tolist()
    columns = (
        cids,
        [names[cid] or None for cid in cids],
        [grades[cid] for cid in cids],
        [scores[cid] for cid in cids],
        [_money(owed[cid]) for cid in cids],
        [days[cid] for cid in cids],
    )
    rows2 = tuple(zip(*(_cells(col) for col in columns)))
    total2 = _row(c.t("total"), None, None, None, _money(sum(r[4] for r in rows2)), None)
    return block1, Block("poor_credit", t2, h2, k2, rows2, total2, "", grade_column=2)


__all__ = ["BLOCKS", "build_summary"]
