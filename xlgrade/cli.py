"""The ``xlgrade`` command line.

Exit status: 0 on success; 2 with a one-line message (file, row, column) when the input
cannot be used at all (the system refusing a file included: full disk, read-only, size
limit); 130 after Ctrl-C; 1 for an unexpected error (a bug: one line, the traceback in a log
file it names). Rows that are skipped are listed on stderr and never dropped silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd
import python_calamine

from xlgrade import __version__, clihelp
from xlgrade.checks import check_after, check_duplicates, check_known
from xlgrade.clifail import (
    Watched,
    crash_line,
    crash_log,
    damaged_text,
    ignore_file_size_signal,
    ignore_interrupts,
    os_error_text,
    say_error,
)
from xlgrade.csvout import csv_text, write_csv
from xlgrade.engine import METHODS, Grading, RuleBook, figures, grade, in_language
from xlgrade.engine.dynamics import apply_overrides
from xlgrade.engine.rules import MEASURES
from xlgrade.engine.text import Catalogue
from xlgrade.errors import FolderNotFileError, InputError, XlgradeError
from xlgrade.io import duckfigures
from xlgrade.io.tables import read_table
from xlgrade.issues import Issue
from xlgrade.schema import CUSTOMERS, LEDGER
from xlgrade.schema.figures import figure
from xlgrade.schema.sheets import RULES_SHEET
from xlgrade.textout import clean, render

LANGS = ("zh", "en")
# The command line's own words (tables printed in the terminal), zh and en.
TEXT = Catalogue(
    {
        "customer": ("客户编号", "customer"),
        "company": ("公司名称", "company"),
        "grade": ("等级", "grade"),
        "explanation": ("说明", "explanation"),
        "customers": ("客户数", "customers"),
        "pct_customers": ("占客户", "% customers"),
        "sum_of": ("{name}合计", "total {name}"),
        "mean_of": ("平均{name}", "mean {name}"),
        "share": ("占比", "share"),
        "total": ("合计", "total"),
        "demo_file": ("xlgrade-demo.xlsx", "xlgrade-demo-en.xlsx"),
        "demo_replaced": ("已替换上次演示的文件:{files}", "replaced the files of an earlier demo: {files}"),
        "demo_kept": ("原工作簿已备份到 {backup}", "the workbook it replaced is kept as {backup}"),
        "demo_history": (
            "历史:{first} 至 {last},共 {n} 个月的月度重算",
            "History: {n} monthly runs, {first} to {last}",
        ),
        "new_done": ("{path}:已新建空白 xlgrade 工作簿(中文)", "{path}: empty xlgrade workbook (English)"),
        "demo_done": (
            "{path}:{customers} 个客户,{lines} 行台账,{complaints} 条投诉;CSV 副本在 {folder}/",
            "{path}: {customers} customers, {lines} ledger lines, {complaints} complaints; CSV copies in {folder}/",
        ),
    }
)
DEMO_MONTHS = 6  # months of History the demo's monthly job builds
DEMO_MONTHS_BIG, DEMO_BIG = 2, 5_000  # ... and for a demo of more customers (a benchmark size)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one line on stderr and an exit status.

    0 success; 2 input that cannot be used (an :class:`XlgradeError`, a file or folder the
    system refuses: full disk, read-only, file-size limit ...; too little memory for it);
    130 interrupted (Ctrl-C); 1 an unexpected error, whose traceback goes to a log file the
    line names. A workbook being rewritten is either as it was or completely new.
    """
    ignore_file_size_signal()
    duckfigures.install()  # the figures of a workbook's or a CSV's ledger run on embedded DuckDB
    parser = build_parser(clihelp.help_lang(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    watched = Watched.of(args)
    try:
        return args.run(args)
    except XlgradeError as exc:
        say_error(exc.text(watched.lang))
        return 2
    except BrokenPipeError:  # `xlgrade ... | head`
        return 0
    except KeyboardInterrupt:
        say_error(watched.after("interrupted"))
        return 130
    except MemoryError:
        say_error(watched.after("memory"))
        return 2
    except python_calamine.CalamineError as exc:  # a sheet read outside FileBook (grade LEDGER.xlsx)
        say_error(damaged_text(exc, watched))
        return 2
    except OSError as exc:  # the system refused a file operation xlgrade did not foresee
        say_error(os_error_text(exc, watched.lang))
        return 2
    except Exception as exc:  # a bug: one line, the traceback in a log file
        say_error(crash_line(exc, crash_log(exc, argv)))
        return 1
    finally:
        if argv is None:  # the program itself: what is left is exiting, a Ctrl-C now has nothing to stop
            ignore_interrupts()


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The parser, its help in ``lang`` (see :mod:`xlgrade.clihelp`)."""
    fmt = clihelp.formatter(lang)

    def h(key: str, **values) -> str:
        return clihelp.HELP(key, lang, **values)

    p = argparse.ArgumentParser(prog="xlgrade", description=h("description"), formatter_class=fmt)
    p.add_argument("--version", action="version", version=f"xlgrade {__version__}", help=h("version"))
    sub = p.add_subparsers(title=h("commands"), metavar="COMMAND")

    def command(name: str, key: str | None = None, parent=sub) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=h(key or name), description=h(key or name), formatter_class=fmt)

    g = command("grade")
    g.add_argument("ledger", metavar="LEDGER", help=h("grade.ledger"))
    g.add_argument("--method", choices=list(METHODS), default=None, help=h("grade.method"))
    g.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help=h("grade.as_of"))
    g.add_argument("--customers", metavar="FILE", help=h("grade.customers"))
    g.add_argument("--rules", metavar="FILE", help=h("grade.rules"))
    g.add_argument("--measure", choices=MEASURES, help=h("grade.measure"))
    g.add_argument("--format", choices=("table", "csv", "json"), default="table", help=h("grade.format"))
    g.add_argument("--lang", choices=LANGS, default="zh", help=h("grade.lang"))
    g.add_argument("--sql", metavar="QUERY", default=None, help=h("grade.sql"))
    g.add_argument("--engine", choices=("duckdb", "spark"), default=None, help=h("grade.engine"))
    g.set_defaults(run=cmd_grade)

    n = command("new")
    n.add_argument("path", metavar="PATH", help=h("new.path"))
    n.add_argument("--lang", choices=LANGS, default="zh", help=h("new.lang"))
    n.add_argument("--force", action="store_true", help=h("new.force"))
    n.set_defaults(run=cmd_new, workbook_lang=True)

    d = command("demo")
    d.add_argument("dir", metavar="DIR", nargs="?", default="demo", help=h("demo.dir"))
    d.add_argument("--lang", choices=LANGS, default="zh", help=h("demo.lang"))
    d.add_argument("--customers", type=int, default=300, help=h("demo.customers"))
    d.add_argument(
        "--months",
        type=int,
        default=None,
        metavar="N",
        help=h("demo.months", months=DEMO_MONTHS, big_months=DEMO_MONTHS_BIG, big=f"{DEMO_BIG:,}"),
    )
    d.set_defaults(run=cmd_demo, workbook_lang=True)

    rc = command("recalc")
    rc.add_argument("path", metavar="PATH", help=h("path"))
    rc.add_argument("--month", default=None, metavar="YYYY-MM", help=h("recalc.month"))
    rc.add_argument("--ledger", metavar="SOURCE", default=None, help=h("recalc.ledger"))
    rc.add_argument("--sql", metavar="QUERY", default=None, help=h("grade.sql"))
    _add_wait(rc, lang)
    rc.set_defaults(run=cmd_recalc)

    up = command("upgrade")
    up.add_argument("path", metavar="PATH", help=h("path"))
    _add_wait(up, lang)
    up.set_defaults(run=cmd_upgrade)

    rs = command("restore")
    rs.add_argument("path", metavar="PATH", help=h("path"))
    rs.add_argument("--list", action="store_true", help=h("restore.list"))
    rs.add_argument("--from", dest="source", metavar="BACKUP", default=None, help=h("restore.from"))
    _add_wait(rs, lang)
    rs.set_defaults(run=cmd_restore)

    em = command("export-masked", "export_masked")
    em.add_argument("path", metavar="BOOK", help=h("export_masked.book"))
    em.add_argument("out", metavar="OUT", help=h("export_masked.out"))
    em.add_argument("--force", action="store_true", help=h("export_masked.force"))
    _add_wait(em, lang)
    em.set_defaults(run=cmd_export_masked)

    rp = command("report")
    rp.add_argument("path", metavar="PATH", help=h("path"))
    rp.set_defaults(run=cmd_report)

    ad = command("addins")
    ad_sub = ad.add_subparsers(title=h("addins.commands"), metavar="ADDIN_COMMAND")
    ad.set_defaults(run=lambda args: _usage(ad))
    ab = command("build", "addins.build", parent=ad_sub)
    ab.add_argument("dir", metavar="DIR", nargs="?", default="dist", help=h("addins.dir"))
    ab.set_defaults(run=cmd_addins_build)

    for verb, fn in (("install", cmd_install), ("uninstall", cmd_uninstall)):
        ip = command(verb)
        ip.add_argument("target", choices=["libreoffice", "excel"], help=h("install.target"))
        ip.add_argument("--profile", metavar="DIR", default=None, help=h("install.profile"))
        ip.add_argument("--dry-run", action="store_true", help=h("install.dry_run"))
        ip.set_defaults(run=fn)

    r = command("rules")
    r.add_argument("--rules", metavar="FILE", help=h("rules.rules"))
    r.add_argument("--format", choices=("toml", "json", "table"), default="toml", help=h("rules.format"))
    r.add_argument("--lang", choices=LANGS, default="zh", help=h("rules.lang"))
    r.set_defaults(run=cmd_rules)
    for parser in (p, g, n, d, rc, rs, rp, ad, ab, r, *(sub.choices[v] for v in ("install", "uninstall"))):
        clihelp.localise(parser, lang)
    return p


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


# ---- grade ------------------------------------------------------------------------------
def _rule_book(path: str | None) -> RuleBook:
    """The rules of ``--rules`` (a TOML file or a workbook's 规则 sheet), else the defaults;
    the reader is imported only when a file is named (the grade path's import weight)."""
    if not path:
        return RuleBook()
    from xlgrade.io.rulesfile import load_rules

    return load_rules(path)


def cmd_grade(args: argparse.Namespace) -> int:
    rules = _rule_book(args.rules)
    method = args.method or rules.general.method
    spec = METHODS[method]
    as_of = args.as_of or date.today()
    issues: list[Issue] = []
    if figures_where_the_data_is(args):
        return grade_source(args, rules, method, as_of)

    bound = rules.input.max_abs_amount
    ledger = read_table(args.ledger, LEDGER, max_abs=bound)
    issues += ledger.issues
    customers = None
    if args.customers:
        cust = read_table(args.customers, CUSTOMERS, max_abs=bound)
        customers, dup_issues = check_duplicates(cust.frame, "customer_id", cust.source)
        issues += cust.issues + dup_issues
        issues += check_known(ledger.frame, set(customers["customer_id"]), ledger.source)
    for group in spec.missing(ledger.frame.columns):
        wanted = " or ".join(f"{key} ({LEDGER.column(key).zh})" for key in group)
        raise InputError(
            f"the {method} method needs a {wanted} column", source=ledger.source, row=ledger.header_row, column=group[0]
        )
    issues += check_after(ledger.frame, as_of, ledger.source, column=ledger.header("date"))
    if ledger.frame.empty and (customers is None or customers.empty):
        _report_issues(issues, args.lang)  # every row was bad: say which and why before giving up
        raise InputError(
            "no usable ledger rows to grade" + (f" ({len(issues)} rows reported above)" if issues else ""),
            source=ledger.source,
        )
    if args.measure and not spec.uses_measure:
        print(f"xlgrade: note: --measure does not apply to the {method} method and was ignored", file=sys.stderr)

    with figures.used_once():  # one grade of one ledger: nothing asks for its figures again
        result = grade(method, ledger.frame, customers=customers, rules=rules, as_of=as_of, measure=args.measure)
    # the grades as a workbook in --lang shows them (scorecard VIP客户 -> VIP, credit 优 -> excellent ...)
    result = in_language(result, rules, args.lang)
    if customers is not None:
        result, override_issues = apply_overrides(
            result, customers.set_index("customer_id"), source=cust.source, column=cust.header("manual_grade")
        )
        issues += override_issues
    _report_issues(issues, args.lang)
    names = None
    if customers is not None and "company" in customers.columns:
        names = customers.drop_duplicates("customer_id").set_index("customer_id")["company"]
    print(_render(result, args.format, args.lang, names))
    return 0


def figures_where_the_data_is(args: argparse.Namespace) -> bool:
    """Whether ``grade`` computes the figures inside an engine (docs: ledgers beyond one
    workbook): a DuckDB database, a glob, a Parquet file or folder whose columns are typed,
    or any source with ``--sql`` or ``--engine``. A Parquet ledger with text in a number or
    date column is read by the normalising reader instead, which parses 8万 and ¥1,200 and
    reports a bad cell by its row."""
    from xlgrade.io import engines

    if args.sql is not None or args.engine is not None or engines.is_query_source(args.ledger):
        return True
    path = Path(args.ledger)
    if path.suffix.lower() in engines.PARQUET_SUFFIXES or (path.is_dir() and not path.suffix):
        source = engines.source_of(args.ledger)
        from xlgrade.io.duckfigures import DuckDBEngine

        return source.kind == "parquet" and path.exists() and DuckDBEngine().typed_columns(source)
    return False


def grade_source(args: argparse.Namespace, rules: RuleBook, method: str, as_of: date) -> int:
    """``grade`` with the figures computed where the lines are: only one row per customer
    reaches pandas (:mod:`xlgrade.io.engines`)."""
    from xlgrade.io import engines

    spec = METHODS[method]
    source = engines.source_of(args.ledger, args.sql)
    engine = engines.engine(args.engine or "duckdb")
    day = pd.Timestamp(as_of)

    def check(columns: tuple[str, ...]) -> None:
        for group in spec.missing(columns):
            wanted = " or ".join(f"{key} ({LEDGER.column(key).zh})" for key in group)
            zh = " 或 ".join(LEDGER.column(key).zh for key in group)
            raise InputError(
                f"the {method} method needs a {wanted} column", source=source.name, zh=f"{method} 方法需要“{zh}”列"
            )

    customers, cust = None, None
    if args.customers:
        cust = read_table(args.customers, CUSTOMERS, max_abs=rules.input.max_abs_amount)
    # one scan: the figures this method grades and the counts of the lines they do not read
    facts, figs = engine.scan(source, rules, day, figures.NEEDS[method], check=check)
    issues: list[Issue] = facts.issues(source.name, day)
    if cust is not None:
        customers, dup_issues = check_duplicates(cust.frame, "customer_id", cust.source)
        issues += cust.issues + dup_issues
    if figs.empty and (customers is None or customers.empty):
        _report_issues(issues, args.lang)
        raise InputError("no usable ledger rows to grade", source=source.name, zh="没有可分级的台账行")
    if args.measure and not spec.uses_measure:
        print(f"xlgrade: note: --measure does not apply to the {method} method and was ignored", file=sys.stderr)
    # only --lang's explanation is printed: the other language's text is not built
    result = grade(
        method, figures=figs, customers=customers, rules=rules, as_of=as_of, measure=args.measure, explain=(args.lang,)
    )
    names = None
    if customers is not None and cust is not None:
        result, override_issues = apply_overrides(result, customers.set_index("customer_id"), source=cust.source)
        issues += override_issues
        if "company" in customers.columns:
            names = customers.drop_duplicates("customer_id").set_index("customer_id")["company"]
    _report_issues(issues, args.lang)
    print(_render(result, args.format, args.lang, names))
    return 0


def _report_issues(issues: list[Issue], lang: str) -> None:
    for issue in issues:
        print(f"xlgrade: {clean(issue.message(lang))}", file=sys.stderr)


def _render(result: Grading, fmt: str, lang: str, names: pd.Series | None) -> str:
    if fmt == "json":
        return json.dumps(result.records(lang), ensure_ascii=False, indent=2, allow_nan=False)
    if fmt == "csv":
        return csv_text(result.table(lang)).rstrip("\n")
    return grade_table(result, lang, names)


def grade_table(result: Grading, lang: str, names: pd.Series | None = None, *, totals: bool = True) -> str:
    """A table a person can read, then (with ``totals``) one totals line per grade."""
    table = result.table(lang)
    shown = list(result.figures[:3])
    headers = [TEXT("customer", lang), TEXT("grade", lang)]
    if names is not None:
        headers.insert(1, TEXT("company", lang))
    headers += [figure(f).name(lang) for f in shown] + [TEXT("explanation", lang)]
    rows = []
    for rec in table.to_dict("records"):
        row = [rec["customer_id"], rec["grade"]]
        if names is not None:
            row.insert(1, names.get(rec["customer_id"], ""))
        rows.append(row + [_shown(rec[f], figure(f).kind) for f in shown] + [rec["explanation"]])
    text = render(headers, rows)
    return text + "\n\n" + grade_totals(result, lang) if totals else text


def _shown(value, kind: str):
    """Shares read as percentages in the terminal; everything else as the value itself."""
    if kind == "share" and isinstance(value, float) and value == value:
        return f"{100 * value:.1f}%"
    return value


def grade_totals(result: Grading, lang: str) -> str:
    spec = METHODS[result.method]
    frame = result.frame
    column, how = spec.summary
    name = figure(column).name(lang)
    total = float(frame[column].sum()) if how == "sum" else 0.0
    order = list(result.labels) + sorted(set(frame["grade"]) - set(result.labels))
    headers = [
        TEXT("grade", lang),
        TEXT("customers", lang),
        TEXT("pct_customers", lang),
        TEXT("sum_of" if how == "sum" else "mean_of", lang, name=name),
    ]
    if how == "sum":
        headers.append(TEXT("share", lang))
    rows = []
    for label in order:
        part = frame[frame["grade"] == label]
        row = [label, len(part), _pct(len(part), len(frame))]
        if how == "sum":
            value = float(part[column].sum())
            row += [value, _pct(value, total)]
        else:
            row.append(float(part[column].mean()) if len(part) else None)
        rows.append(row)
    all_row = [TEXT("total", lang), len(frame), _pct(len(frame), len(frame))]
    all_row += [total, _pct(total, total)] if how == "sum" else [float(frame[column].mean())]
    rows.append(all_row)
    return render(headers, rows)


def _pct(part: float, whole: float | None) -> str:
    if not whole:
        return "-"
    return f"{100 * part / whole:.1f}%"


# ---- workbook commands ---------------------------------------------------------------------
def cmd_new(args: argparse.Namespace) -> int:
    from xlgrade.workbook.template import new_workbook

    path = Path(args.path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError("the workbook must be an .xlsx file", source=str(path), zh="工作簿须为 .xlsx 文件")
    if path.is_dir():  # --force or not: a folder is never replaced by a workbook
        raise FolderNotFileError(f"{path} is a folder; give the path of the new workbook file").with_zh(
            f"{path} 是文件夹;请给出新工作簿的文件路径"
        )
    if path.exists() and not args.force:
        raise InputError(
            "already exists; use --force to overwrite it", source=str(path), zh="文件已存在;要覆盖请加 --force"
        )
    new_workbook(path, args.lang)
    print(TEXT("new_done", args.lang, path=path))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from xlgrade import demo_data

    out = Path(args.dir)
    if out.exists() and not out.is_dir():
        raise InputError(
            "is a file; demo writes its workbook and CSV copies into a folder: give a folder",
            source=str(out),
            zh="这是文件;演示会把工作簿和 CSV 副本写入一个文件夹,请给出文件夹",
        )
    n_months = (
        args.months if args.months is not None else DEMO_MONTHS if args.customers <= DEMO_BIG else DEMO_MONTHS_BIG
    )
    if args.customers < 1 or n_months < 1:
        raise InputError("--customers and --months must be at least 1", source=str(out), zh="客户数与月数至少为 1")
    data = demo_data.generate(n_customers=args.customers, lang=args.lang)
    out.mkdir(parents=True, exist_ok=True)
    path = out / TEXT("demo_file", args.lang)
    csvs = [out / f"{name}.csv" for name in ("customers", "ledger", "complaints")]
    replaced = [p for p in (path, *csvs) if p.exists()]
    kept = _replace_demo_workbook(path, args.lang, data)
    for name, csv in zip(("customers", "ledger", "complaints"), csvs):
        write_csv(getattr(data, name), csv, date_format="%Y-%m-%d")
    last = pd.Period(data.as_of, freq="M")
    months = [last - k for k in range(n_months - 1, -1, -1)]
    for month in months:  # the monthly job, month after month: History and the migration are its own
        result = _recalc(path, month)
    print(
        TEXT(
            "demo_done",
            args.lang,
            path=path,
            customers=len(data.customers),
            lines=len(data.ledger),
            complaints=len(data.complaints),
            folder=out,
        )
    )
    if replaced:
        print(TEXT("demo_replaced", args.lang, files=", ".join(str(p) for p in replaced)))
    if kept:
        print(TEXT("demo_kept", args.lang, backup=kept))
    print(TEXT("demo_history", args.lang, n=len(months), first=months[0], last=months[-1]))
    print(result.line(args.lang) + "\n")
    return cmd_report(argparse.Namespace(path=str(path)))


def _replace_demo_workbook(path: Path, lang: str, data) -> str | None:
    """Write the demo workbook at ``path``; a workbook already there (an earlier demo, perhaps
    edited) is refused while open and otherwise kept in xlgrade-backup first: its backup's path."""
    from xlgrade.workbook import backups
    from xlgrade.workbook.guard import exclusive
    from xlgrade.workbook.runlock import DEFAULT_WAIT_SECONDS
    from xlgrade.workbook.template import InputData, build, save

    book = build(lang, InputData.from_demo(data))  # its cards open on the largest customer
    if not path.exists():
        save(book, path)
        return None
    with exclusive(path, wait=DEFAULT_WAIT_SECONDS, command="demo", lang=lang, notify=_note):
        kept, _ = backups.write(path, lang=lang)
        save(book, path)
    return str(kept)


def _add_wait(parser: argparse.ArgumentParser, lang: str) -> None:
    from xlgrade.workbook.runlock import DEFAULT_WAIT_SECONDS

    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help=clihelp.HELP("wait", lang, default=f"{DEFAULT_WAIT_SECONDS:g}"),
    )


def _note(text: str) -> None:
    print(f"xlgrade: {text}", file=sys.stderr)


def _recalc(path: Path, month, wait: float | None = None, ledger: str | None = None, sql: str | None = None):
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.guard import exclusive
    from xlgrade.workbook.runlock import DEFAULT_WAIT_SECONDS

    source = None
    if ledger is not None:  # recalc --ledger SOURCE: checked before the workbook is locked
        from xlgrade.io.engines import source_of

        source = source_of(ledger, sql)
    elif sql is not None:
        raise InputError("--sql needs --ledger SOURCE", zh="--sql 需要同时给出 --ledger 来源")
    with exclusive(path, wait=DEFAULT_WAIT_SECONDS if wait is None else wait, notify=_note):
        book = FileBook(path)
        if source is not None:
            from xlgrade.io.ledgerbook import LedgerFromSource

            book = LedgerFromSource(book, source)  # type: ignore[assignment]
        return run_month(book, month, figure_sql=duckfigures.frame_sql)


def cmd_recalc(args: argparse.Namespace) -> int:
    result = _recalc(Path(args.path), args.month, args.wait, args.ledger, args.sql)
    _report_issues(result.issues, result.lang)
    print(result.line(result.lang))
    return 0


def cmd_export_masked(args: argparse.Namespace) -> int:
    from xlgrade.workbook.masked import export_masked

    result = export_masked(args.path, args.out, force=args.force, wait=args.wait, notify=_note)
    print(result.line())
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from xlgrade.workbook import upgrade
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.guard import exclusive

    path = Path(args.path)
    with exclusive(path, wait=args.wait, command="upgrade", notify=_note):
        from xlgrade import who

        result = upgrade.run(FileBook(path), user=who.login())
    print(result.line())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from xlgrade.workbook import backups
    from xlgrade.workbook.guard import exclusive

    path = Path(args.path)
    if args.list and args.source is not None:
        from xlgrade.workbook.guard import workbook_lang
        from xlgrade.workbook.runlock import say

        both = say(workbook_lang(path), "--list 与 --from 只能选一个", "give --list or --from BACKUP, not both")
        raise InputError(both, source=str(path))
    with exclusive(path, wait=args.wait, command="restore", notify=_note, writing=args.source is not None) as lock:
        zh = lock.lang == "zh"
        if args.source is None:
            found = backups.backups_of(path)
            rows = [
                [
                    b.path.name,
                    b.made.strftime("%Y-%m-%d %H:%M:%S"),
                    f"{b.size / 1024:,.1f} KB",
                    backups.last_run_month(b.path) or "-",
                ]
                for b in reversed(found)
            ]
            folder = backups.backup_dir(path)
            if not rows:
                print(f"{path.name}: {folder} 中没有备份" if zh else f"{path.name}: no backups in {folder}")
                return 0
            headers = ["备份", "时间", "大小", "月份"] if zh else ["backup", "made", "size", "month"]
            print(render(headers, rows))
            print(
                f"{folder};恢复:xlgrade restore {path} --from 备份名"
                if zh
                else f"in {folder}; put one back with: xlgrade restore {path} --from NAME"
            )
            return 0
        chosen = backups.find(path, args.source, lock.lang)
        kept = backups.restore(path, chosen, lang=lock.lang)
        print(
            f"{path.name}:已恢复为 {chosen.name};恢复前的文件保存在 {kept}"
            if zh
            else f"{path.name}: restored from {chosen.name}; the file as it was is kept as {kept}"
        )
        return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The summary the last run wrote; exit 1, saying how to run the job, when none has."""
    from xlgrade.workbook.guard import workbook_lang
    from xlgrade.workbook.report import format_summary, never_recalculated, read_summary
    from xlgrade.workbook.runlock import say

    rows = read_summary(args.path)
    if never_recalculated(rows):
        name = Path(args.path).name
        say_error(
            say(
                workbook_lang(Path(args.path)),
                f"{name}:还没有运行过月度重算,汇总表是空的;请先运行 xlgrade recalc {args.path}"
                "(或在表格中点 客户分级 → 月度重算)",
                f"{name}: the monthly job has not run on it yet, so its summary is empty; run "
                f"xlgrade recalc {args.path} first (or Customer grading → Monthly recalculation in the spreadsheet)",
            )
        )
        return 1
    print(format_summary(rows), end="")
    return 0


# ---- add-ins ----------------------------------------------------------------------------
def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def cmd_addins_build(args: argparse.Namespace) -> int:
    from xlgrade.addins.excel.xlam import build_xlam
    from xlgrade.addins.lo import build_oxt

    print(build_xlam(args.dir))
    print(build_oxt(args.dir))
    return 0


def _excel_install(args: argparse.Namespace, verb: str) -> int:
    from xlgrade.addins.excel import install as excel

    return (excel.install if verb == "install" else excel.uninstall)(args.dry_run)


def cmd_install(args: argparse.Namespace) -> int:
    if args.target == "excel":
        return _excel_install(args, "install")
    from xlgrade.addins.lo.install import install

    print(install(args.profile))
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    if args.target == "excel":
        return _excel_install(args, "uninstall")
    from xlgrade.addins.lo.install import uninstall

    print(uninstall(args.profile))
    return 0


# ---- rules ------------------------------------------------------------------------------
def cmd_rules(args: argparse.Namespace) -> int:
    book = _rule_book(args.rules)
    if args.format == "toml":
        print(book.to_toml(), end="")
    elif args.format == "json":
        print(book.to_json(), end="")
    else:
        # the rules sheet's view: name and value in a person's form, with the key TOML files use
        rows = [[s.name_in(args.lang), s.text(book.get(s.key), args.lang), s.key] for s in RuleBook.specs()]
        heads = [c.header(args.lang) for c in (RULES_SHEET.column("name"), RULES_SHEET.column("value"))]
        print(render([*heads, RULES_SHEET.column("key").header(args.lang)], rows))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
