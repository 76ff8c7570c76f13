"""The monthly recalculation (月度重算), written once against the Book interface.

Steps, in order:

1. Read the rules sheet (an inconsistent rule stops the run, naming the rule), then the
   input sheets (customer summary, ledger, complaints) and the Run-log table; once the month
   is known, History's latest month before it (a file book reads only that month).
   Every unusable input row becomes a line of the validation sheet; nothing is dropped
   silently and no typed cell is ever written.
2. Month: the one asked for, else the month of the latest ledger line (never later than
   today). The evaluation date is the month's last day; later ledger lines do not count.
3. Grade with the workbook's method (rule ``general.method``; explanation text is built only
   where it is written, in the workbook's language: :func:`explained_in`), its grades in the workbook's
   language (``engine.in_language``: VIP / excellent / important value in an en workbook),
   apply manual grades that have a reason, evaluate credit, the analyses of docs/rules.md
   §3.6-3.7 and the complaints; analyse the service store's 顾客档案分析表 when the workbook
   has one (:mod:`xlgrade.job.store`), per row and per member of staff (服务人员分析).
4. Write the derived sheets, the complaints' and the 顾客档案分析表's computed columns, the ledger's
   per-line 信用评估 (:mod:`xlgrade.job.cardfacts`; a ledger without that column gets a note), the customer summary's live
   columns (their formulas, for the method, with the values they yield as cached results:
   :mod:`xlgrade.job.live`), the summary, the validation sheet and the evaluation date, and
   append one run-log row; the book keeps a backup of the previous version and
   replaces the file only once everything is written.

Re-running a month replaces that month in History (a file book rewrites only that month, the
others' rows are copied as stored); apart from the run log (one row per
run, by design) a second run for the same month leaves the workbook as the first left it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from xlgrade import __version__, who
from xlgrade.checks import check_after, check_duplicates, check_known
from xlgrade.engine import ALL, ANALYSES, METHODS, figures, frames, grade, grade_choices, in_language, label_map
from xlgrade.engine.dynamics import apply_overrides, changes
from xlgrade.engine.result import Grading
from xlgrade.engine.rulelabels import method_name
from xlgrade.errors import MissingSheetError
from xlgrade.issues import NOTE, SKIPPED, Issue
from xlgrade.job import cardfacts, collector, derive, forms, live, store
from xlgrade.job.book import (
    AppendsHistory,
    Book,
    ChecksAddinReferences,
    ChecksTemplate,
    LedgerElsewhere,
    ReportsRuleDefaults,
)
from xlgrade.job.history import history_rows, merge_history, previous_grades
from xlgrade.job.months import parse_month
from xlgrade.job.outputs import Summary
from xlgrade.job.salespower import sales_tables
from xlgrade.job.summary import build_summary
from xlgrade.job.text import TEXT
from xlgrade.normalize import Normalized
from xlgrade.parse import is_blank
from xlgrade.schema.model import Sheet
from xlgrade.schema.sheets import (
    ANALYSIS,
    CLASSIFICATION,
    COMPARISON,
    COMPLAINTS,
    CUSTOMERS,
    GRADE_STRATEGY,
    HISTORY,
    LEDGER,
    LISTS_SHEET,
    LOYALTY_TYPES,
    PROFILES,
    RUN_LOG,
    SALES_POWER,
    STORE_CLIENTS,
    STORE_STAFF,
    VALIDATION,
    credit_sheet,
)


@dataclass(frozen=True)
class RunResult:
    lang: str
    month: pd.Period
    as_of: pd.Timestamp
    method: str
    graded: Grading
    summary: Summary
    changes: pd.DataFrame
    issues: list[Issue]
    customers: int
    ledger_lines: int
    backup: str | None
    seconds: float

    @property
    def skipped(self) -> int:
        return sum(1 for i in self.issues if i.action == SKIPPED)

    def line(self, lang: str) -> str:
        """The one line that reports the run (the CLI prints it, the ribbon shows it)."""
        moved: Mapping[Any, int] = self.changes["direction"].value_counts().to_dict() if len(self.changes) else {}
        text = TEXT(
            "run_line",
            lang,
            month=self.month,
            customers=self.customers,
            lines=self.ledger_lines,
            skipped=self.skipped,
            up=moved.get("up", 0),
            down=moved.get("down", 0),
            seconds=self.seconds,
        )
        return text + (TEXT("run_backup", lang, backup=self.backup) if self.backup else "")


def resolve_month(month: str | pd.Period | None, ledger: pd.DataFrame, today: pd.Timestamp) -> pd.Period:
    """The month asked for (as staff type it: :mod:`xlgrade.job.months`), else the latest
    month with a ledger line up to today."""
    asked = parse_month(month, today)
    if asked is not None:
        return asked
    dates = ledger["date"][ledger["date"] <= today] if len(ledger) else pd.Series(dtype="datetime64[ns]")
    latest = dates.max() if len(dates) else today
    return pd.Period(latest, freq="M")


def explained_in(name: str, method: str, lang: str) -> tuple[str, ...]:
    """The languages the run builds ``name``'s explanations in: the workbook's, for the method
    (History, the summary, the run's changes) and credit (the credit sheet); none for the
    analyses, whose sheets show their classes only."""
    return (lang,) if name in (method, "credit") else ()


def _grade_list_note(choices: list[str], method: str, lang: str) -> Issue:
    """The note that the lists sheet's 等级 (the 人工等级 drop-down) was set to ``choices``."""
    manual = CUSTOMERS.column("manual_grade")
    return Issue(
        LISTS_SHEET.name(lang),
        None,
        LISTS_SHEET.column("grades").header(lang),
        "; ".join(choices),
        f"the {manual.en} drop-down now offers the grades of {method_name(method, 'en')}",
        f"“{manual.zh}”下拉列表已改为{method_name(method, 'zh')}的等级",
        NOTE,
    )


def no_lines_in(period: pd.Period, ledger: pd.DataFrame, source: str) -> list[Issue]:
    """A note when no ledger line is dated in the evaluated month (a typo in --month, or a
    ledger not yet filled in): the grades then only repeat the months before."""
    dates = ledger["date"] if len(ledger) else pd.Series(dtype="datetime64[ns]")
    if ((dates >= period.start_time) & (dates <= period.end_time)).any():
        return []
    return [
        Issue(
            source,
            None,
            None,
            str(period),
            f"no ledger line is dated in {period}: the grades count only the months before it",
            f"台账中没有 {period} 的记录:本次等级只反映此前各月",
            NOTE,
        )
    ]


def run_month(
    book: Book,
    month: str | pd.Period | None = None,
    *,
    user: str | None = None,
    now: datetime | None = None,
    figure_sql: figures.Runner | None = None,  # runs the figure SQL (None: the installed runner)
) -> RunResult:
    with collector.paused():  # the collector walks the run's live objects for nothing (xlgrade.job.collector)
        return _run_month(book, month, user=user, now=now, figure_sql=figure_sql)


def _run_month(
    book: Book,
    month: str | pd.Period | None,
    *,
    user: str | None,
    now: datetime | None,
    figure_sql: figures.Runner | None,
) -> RunResult:
    started = time.perf_counter()
    now = now or datetime.now()
    lang = book.lang
    month = parse_month(month, pd.Timestamp(now).normalize(), lang)  # refused before anything is read
    rules = book.read_rules()
    # a file book made from an older template: a note (or a refusal, when a sheet or column the
    # run writes is missing) saying to run `xlgrade upgrade BOOK`
    template_notes = book.template_issues() if isinstance(book, ChecksTemplate) else []

    cust_n = book.read_table(CUSTOMERS)
    ledger_n = book.read_table(LEDGER)
    complaints_n = book.read_table(COMPLAINTS)
    runlog_n = book.read_table(RUN_LOG)
    customers, dup_issues = check_duplicates(
        cust_n.frame, "customer_id", cust_n.source, column=cust_n.header("customer_id")
    )
    rule_notes = list(book.rule_issues) if isinstance(book, ReportsRuleDefaults) else []
    issues: list[Issue] = [*template_notes, *rule_notes, *cust_n.issues, *dup_issues, *ledger_n.issues]
    issues += check_known(
        ledger_n.frame, set(customers["customer_id"].dropna()), ledger_n.source, column=ledger_n.header("customer_id")
    )
    issues += complaints_n.issues

    ledger = frames.prepare_ledger(ledger_n.frame)
    period = resolve_month(month, ledger, pd.Timestamp(now).normalize())
    as_of = period.end_time.normalize()
    issues += no_lines_in(period, ledger, ledger_n.source)
    issues += check_after(ledger_n.frame, as_of, ledger_n.source, column=ledger_n.header("date"))
    method = rules.general.method
    cust_by_id = customers.set_index("customer_id")

    results: dict[str, Grading] = {}
    figs: list[pd.DataFrame] = []  # the per-customer figures (engine.figures), computed once for every method

    def graded_by(name: str) -> Grading:  # each method once, even when it is also an analysis
        if name not in results:
            takes = name in METHODS or ALL[name].reads_figures
            if takes and not figs:
                # every group, once: of_frame, not of_ledger, whose cache would hash the 200,000 lines
                # (60 ms) for a run that asks once and hands the frame to whatever needs it
                figs.append(figures.indexed(figures.of_frame(ledger, rules, as_of, run=figure_sql)))
            given = figs[0] if takes else None
            results[name] = grade(
                name,
                ledger,
                figures=given,
                customers=customers,
                rules=rules,
                as_of=as_of,
                prepared=True,
                explain=explained_in(name, method, lang),
            )
        return results[name]

    # the method's grades as the workbook shows them (English labels in an en workbook), so
    # manual grades, History, the summary and every sheet speak the workbook's language
    computed = in_language(graded_by(method), rules, lang)
    graded, override_issues = apply_overrides(
        computed, cust_by_id, source=cust_n.source, column=cust_n.header("manual_grade")
    )
    issues += override_issues
    grades = graded.grades
    credit_graded = graded_by("credit")
    analyses = {name: graded_by(name) for name in (*ANALYSES, "rfm")}

    # History: a file book reads only the latest month before this one and appends this month
    # (the other months' rows stay as stored: xlgrade.workbook.historysheet); any other book
    # reads it all and gets it back merged
    if isinstance(book, AppendsHistory):
        previous = book.read_history_before(period).frame
    else:
        previous = book.read_table(HISTORY).frame
    current = history_rows(period, graded, customers, ledger, credit_graded, rules, as_of, lang, figs[0])
    before = previous_grades(previous, period).replace(label_map(method, rules, lang))  # older rows: engine labels
    handled, complaint_notes = derive.handle_complaints(
        complaints_n.frame, grades, customers, rules, as_of, source=complaints_n.source, headers=complaints_n.headers
    )
    complaints = _clear_skipped(derive.complaint_cells(handled, lang), complaints_n)
    complaints, queue_notes = columns_it_has(complaints, complaints_n, COMPLAINTS, lang)
    issues += queue_notes
    issues += complaint_notes
    issues += live.notes(ledger, ledger_n, rules, as_of)
    summary_cells = live.customer_cells(
        cust_n.frame, ledger, ledger_n.typed_as_text, rules, as_of, computed.grades, lang
    )
    summary = build_summary(
        period, graded, customers, ledger, credit_graded, handled, before, rules, as_of, lang, figs[0]
    )
    moved = changes(before, grades, graded.labels, graded.explanation(lang))

    credit_rows = derive.credit_table(credit_graded, customers, grades, rules, lang)
    analysis_rows = derive.analysis_table(analyses, customers, grades, rules, lang, ledger, as_of, figs[0])
    if isinstance(book, LedgerElsewhere):  # recalc --ledger (xlgrade.io.ledgerbook)
        ledger_cells, ledger_note = pd.DataFrame(), [_lines_elsewhere(ledger_n.source, lang)]
    else:
        ledger_cells, ledger_note = _ledger_credit(ledger, ledger_n, rules, as_of, lang)
    issues += ledger_note
    profiles_n = _optional_table(book, PROFILES)
    if profiles_n is not None:
        issues += profiles_n.issues
    store_n = _optional_table(book, STORE_CLIENTS)  # seed 000's 顾客档案分析表 (service stores)
    store_cells = store_staff = None
    if store_n is not None:
        issues += store_n.issues
        issues += check_after(
            store_n.frame, as_of, store_n.source, key="last_visit", column=store_n.header("last_visit")
        )
        store_cells, store_staff = store.outputs(store_n.frame, rules, as_of, lang)
        store_cells = _clear_skipped(store_cells, store_n)
    card_tables = {
        "Customers": _with_cells(cust_n.frame, summary_cells),
        "Complaints": _with_cells(complaints_n.frame, complaints),
        "Credit": credit_rows,
        "Analysis": analysis_rows,
        "Profiles": profiles_n.frame if profiles_n is not None else None,
    }

    backup = book.backup()
    if len(ledger_cells):  # first: the largest part, written while the least else is held
        book.write_computed(LEDGER, ledger_cells)
    # the 人工等级 drop-down offers the grades of the method the rules name now
    choices = grade_choices(method, rules, lang)
    if book.write_list("grades", choices):
        issues.append(_grade_list_note(choices, method, lang))
    if isinstance(book, AppendsHistory):
        book.write_history(current)
    else:
        book.write_table(HISTORY, merge_history(previous, current, lang))
    book.write_table(credit_sheet(rules.credit.aging_days), credit_rows)
    power, compared = sales_tables(ledger, customers, grades, period.year, as_of)
    book.write_table(SALES_POWER, power)
    book.write_table(COMPARISON, compared)
    book.write_table(ANALYSIS, analysis_rows)
    profiles = profiles_n.frame if profiles_n is not None else None
    classified = forms.classification_table(analyses["deal_stage"], customers, profiles, ledger, rules, as_of, lang)
    book.write_table(CLASSIFICATION, classified)
    book.write_notes(CLASSIFICATION, forms.classification_notes(rules, lang, classified, as_of))
    book.write_table(LOYALTY_TYPES, forms.loyalty_types_table(rules, lang))
    book.write_table(GRADE_STRATEGY, forms.grade_strategy_table(rules, lang))
    if len(complaints):
        book.write_computed(COMPLAINTS, complaints)
    if len(summary_cells):
        book.write_computed(CUSTOMERS, summary_cells, {"grade": live.grade_formula(method)})
    if store_cells is not None and len(store_cells):
        book.write_computed(STORE_CLIENTS, store_cells)
    if store_staff is not None:
        book.write_table(STORE_STAFF, store_staff)
    book.write_cards({k: v for k, v in card_tables.items() if v is not None})
    book.write_summary(summary)
    if isinstance(book, ChecksAddinReferences):  # a file book: Excel's [1]!ABCGRADE(...)
        issues += book.addin_references()
    book.write_table(VALIDATION, derive.validation_table(issues, lang))
    book.set_as_of(as_of)
    seconds = round(time.perf_counter() - started, 2)
    row = derive.run_log_row(
        run_at=now,
        action=TEXT("run_monthly", lang),
        user=user or who.login(),
        host=who.host(),
        month=period,
        method=str(method_name(method, lang)),
        graded=graded,
        ledger_lines=len(ledger),
        issues=issues,
        changes=moved,
        backup=backup,
        seconds=seconds,
        version=__version__,
        note=_defaults_note(rule_notes, lang),
    )
    earlier = runlog_n.frame.reindex(columns=RUN_LOG.keys())
    earlier["method"] = earlier["method"].map(lambda m: method_name(m, lang))  # older rows: the key
    log = pd.concat([earlier, pd.DataFrame([row])], ignore_index=True)
    book.write_table(RUN_LOG, log)
    book.save()
    return RunResult(
        lang,
        period,
        as_of,
        method,
        graded,
        summary,
        moved,
        issues,
        len(graded.frame),
        len(ledger),
        backup,
        time.perf_counter() - started,
    )


def _clear_skipped(cells: pd.DataFrame, read: Normalized) -> pd.DataFrame:
    """``cells`` plus an empty row for each skipped row of ``read``: its old computed cells are cleared.

    A complaint whose time cannot be read is left out of the run; the grade, priority, due
    date and status an earlier run wrote into its row would otherwise stay, stale.
    """
    skipped = sorted({int(i.row) for i in read.issues if i.action == SKIPPED and i.row is not None} - set(cells["row"]))
    if not skipped:
        return cells
    blank = pd.DataFrame({"row": skipped}).reindex(columns=cells.columns)
    out = pd.concat([cells.astype(object), blank.astype(object)], ignore_index=True)
    return out.where(out.notna(), None).sort_values("row", ignore_index=True)


def changed_only(cells: pd.DataFrame, read: Normalized, keys: list[str]) -> pd.DataFrame:
    """The rows of ``cells`` (by sheet ``row``) where a value of ``keys`` differs from what the
    sheet held as ``read``: of the same type and equal, or blank in both, is unchanged. A row
    ``read`` does not hold (a skipped row, cleared) always counts as changed. So the steady
    monthly run, whose per-line 信用评估 already says this month's words, writes no cell of
    the ledger's 200,000 rows, and a changed month writes the lines whose words changed."""
    held = read.frame
    if not len(cells) or "row" not in held or any(k not in held for k in keys):
        return cells
    old = held.set_index("row")[keys]
    if not old.index.is_unique:
        return cells
    known = cells["row"].isin(old.index).to_numpy()
    old = old.reindex(cells["row"])
    changed = ~known
    for key in keys:
        new_v, old_v = cells[key].to_numpy(dtype=object), old[key].to_numpy(dtype=object)
        changed |= np.fromiter(
            (not (type(a) is type(b) and a == b) and not (is_blank(a) and is_blank(b)) for a, b in zip(new_v, old_v)),
            dtype=bool,
            count=len(new_v),
        )
    return cells[changed]


def _lines_elsewhere(source: str, lang: str) -> Issue:
    """The note of a run whose ledger lines came from ``source`` rather than the ledger sheet."""
    sheet = LEDGER.name(lang)
    return Issue(
        source,
        None,
        None,
        None,
        f"the ledger lines were read from {source}; the sheet {sheet!r} and its per-line credit column are left as they are",
        f"台账行取自 {source};工作表“{sheet}”及其逐行信用评估保持原样",
        NOTE,
    )


def _ledger_credit(
    ledger: pd.DataFrame, read: Normalized, rules, as_of: pd.Timestamp, lang: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """附表五's per-line 信用评估 (:mod:`xlgrade.job.cardfacts`), skipped rows cleared; a ledger
    made before the column existed gets the note of :func:`later_columns_missing` instead (and
    the lines' credit is not computed at all)."""
    missing, notes = later_columns_missing(["credit_status"], read, LEDGER, lang)
    if missing:
        return pd.DataFrame(), notes
    cells = _clear_skipped(cardfacts.ledger_credit_cells(ledger, rules, as_of, lang), read)
    return changed_only(cells, read, ["credit_status"]), []


def columns_it_has(cells: pd.DataFrame, read: Normalized, sheet: Sheet, lang: str) -> tuple[pd.DataFrame, list[Issue]]:
    """``cells`` without the ``later`` columns (schema.model.Column.later) the sheet as ``read``
    lacks, a note for each; the job never adds a column itself (``xlgrade upgrade`` does)."""
    if not len(cells):
        return cells, []
    missing, notes = later_columns_missing(list(cells.columns), read, sheet, lang)
    return cells.drop(columns=missing), notes


def later_columns_missing(keys: list[str], read: Normalized, sheet: Sheet, lang: str) -> tuple[list[str], list[Issue]]:
    """Which of ``keys`` are ``later`` columns of ``sheet`` that its header row (as ``read``)
    does not have, and a note for each saying which column to add."""
    missing = [k for k in keys if k in sheet.keys() and sheet.column(k).later and k not in read.headers]
    notes = []
    for key in missing:
        col = sheet.column(key)
        notes.append(
            Issue(
                read.source,
                read.header_row,
                col.header(lang),
                None,
                f"the table has no column {col.en!r} ({col.zh}): add a column with that header after "
                "the last one and the monthly job fills it in",
                f"表中没有“{col.zh}”列:在最后一列后添加表头为“{col.zh}”的列,月度重算即会填写",
                NOTE,
            )
        )
    return missing, notes


def _optional_table(book: Book, sheet: Sheet) -> Normalized | None:
    """A sheet the run can do without (the profiles behind the cards): None if the workbook lacks it."""
    try:
        return book.read_table(sheet)
    except MissingSheetError:
        return None


def _with_cells(frame: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``row``) with the computed columns of ``cells`` written into its rows."""
    out = frame.copy()
    if len(cells) and "row" in out:
        at = cells.set_index("row")
        for key in at.columns:
            out[key] = out["row"].map(at[key]).astype(object)
    return out


def _defaults_note(rule_notes: list[Issue], lang: str) -> str | None:
    """The run log's 备注 when rules stood at their defaults (校验 has a line for each)."""
    if not rule_notes:
        return None
    if any(i.row is None for i in rule_notes):  # no rules sheet at all
        return TEXT("run_note_all_defaults", lang)
    return TEXT("run_note_defaults", lang, n=len(rule_notes))
