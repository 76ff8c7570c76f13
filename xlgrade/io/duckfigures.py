"""The DuckDB figure engine (embedded, no server): the figure SQL over a workbook's
in-memory ledger, Parquet files, CSV files or a DuckDB database.

Rules of this module:

1. Every source becomes the relation ``ledger`` on a fresh in-memory connection (a
   database file is opened read-only and its table ``ledger`` is used); ``--sql`` becomes a
   view over it. Only the figures (one row per customer) come back to pandas; for a file
   source the lines never do.
2. A pandas frame is the engine's own ledger (:func:`xlgrade.engine.frames.prepare_ledger`);
   DuckDB reads it in place (its missing values, NaN and NaT, are NULL). ``sale_no`` is
   handed over as text so that a column mixing numbers and text has one type.
3. DuckDB's errors become one line naming the source (:mod:`xlgrade.io.engines` rule 4).
4. :func:`ledger_table` is the same source read as the ledger sheet's table (normalised,
   every unusable row reported), for the monthly job's ``recalc --ledger``: the job needs the
   lines themselves (monthly sales, the cards' facts), so they do come to pandas there.
5. A file or database source's figures are those of the fast query
   (:mod:`xlgrade.engine.figures` rule 9: millionths summed as DOUBLE), run again exactly
   (rule 4) only where a value has a decimal part or a customer's sums could reach 2^52.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import pandas as pd

from xlgrade.engine import figures
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError
from xlgrade.io.engines import LedgerSource, SourceFacts, column_keys, ledger_view_sql
from xlgrade.io.parquetread import connect, duckdb_module
from xlgrade.normalize import Normalized, normalize
from xlgrade.schema.sheets import LEDGER

LINES = "xlgrade_lines"  # the view of the lines under the engine's column names


class DuckDBEngine:
    """:class:`xlgrade.io.engines.FigureEngine` on DuckDB."""

    name = "duckdb"

    def figures(
        self, source: LedgerSource, rules: RuleBook, as_of: pd.Timestamp, groups: tuple[str, ...] | None = None
    ) -> pd.DataFrame:
        with lines_of(source) as (con, keys):
            raw = _figures(con, source, rules, as_of, list(keys), groups, counted=False)
        return figures.typed(raw, rules, groups)

    def scan(
        self,
        source: LedgerSource,
        rules: RuleBook,
        as_of: pd.Timestamp,
        groups: tuple[str, ...] | None = None,
        *,
        check: Callable[[tuple[str, ...]], None] | None = None,
    ) -> tuple[SourceFacts, pd.DataFrame]:
        with lines_of(source) as (con, keys):
            if check is not None:
                check(tuple(keys))
            raw = _figures(con, source, rules, as_of, list(keys), groups, counted=True)
        fig, counts = figures.split_counts(raw)
        return SourceFacts(tuple(keys), counts), figures.typed(fig, rules, groups)

    def describe(self, source: LedgerSource, as_of: pd.Timestamp) -> SourceFacts:
        with lines_of(source) as (con, keys):
            row = run(con, figures.counts_sql(as_of, "duckdb", LINES), source).iloc[0]
        return SourceFacts(tuple(keys), {str(k): int(v) for k, v in row.items()})

    def typed_columns(self, source: LedgerSource) -> bool:
        """Whether every number and date column the figures read is typed (not text), so that
        the SQL's casts cannot meet 8万 or 2026年3月5日 (those need the normalising reader)."""
        with lines_of(source) as (con, keys):
            types = dict(
                run(con, f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {LINES})", source, fetch="all")
            )
        read = (*figures.SUM_MEASURES, "paid_amount", "date", "due_date", "paid_date")
        return not any(str(types.get(k, "")).upper().startswith("VARCHAR") for k in read if k in keys)


def _figures(
    con, source: LedgerSource, rules: RuleBook, as_of, keys: list[str], groups: tuple[str, ...] | None, *, counted: bool
) -> pd.DataFrame:
    """The figure query's result over ``LINES`` (rule 5): the fast query first, the exact one
    where its bound does not hold."""
    sql = figures.figures_sql(rules, as_of, "duckdb", LINES, columns=keys, groups=groups, counted=counted, fast=True)
    raw = figures.fast_result(run(con, sql, source))
    if raw is None:
        sql = figures.figures_sql(rules, as_of, "duckdb", LINES, columns=keys, groups=groups, counted=counted)
        raw = run(con, sql, source)
    return raw


def figures_of_frame(
    ledger: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, groups: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """The figures of an engine ledger frame (rule 2) by DuckDB, uncached: how the workbook
    and pandas paths grade (:func:`xlgrade.engine.figures.of_frame` with :func:`frame_sql`)."""
    return figures.of_frame(ledger, rules, as_of, groups, frame_sql)


def frame_sql(sql: str, ledger: pd.DataFrame) -> pd.DataFrame:
    """:class:`xlgrade.engine.figures.Runner` on DuckDB: ``sql`` over ``ledger`` (rule 2), on
    this thread's in-memory connection; a ledger of :data:`OWN_CONNECTION` lines or more gets
    a connection of its own, closed after the query, so that the memory DuckDB kept for it
    (about 100 MB for 200,000 lines, measured) is given back before the workbook is written."""
    if len(ledger) >= OWN_CONNECTION:
        with contextlib.closing(connect()) as own:
            own.register("ledger", ledger)
            return run(own, sql, LedgerSource("frame"))
    con = _frame_connection()
    con.register("ledger", ledger)
    try:
        return run(con, sql, LedgerSource("frame"))
    finally:
        try:
            con.unregister("ledger")
        except Exception:  # interrupted while its result was fetched: the connection is done, the error stays
            _local.con = None
            with contextlib.suppress(Exception):
                con.close()


def install() -> None:
    """Make DuckDB the runner of the figures of pandas ledgers in this process
    (:func:`xlgrade.engine.figures.install`): the command line and the add-ins call it once."""
    figures.install(frame_sql)


_local = threading.local()
OWN_CONNECTION = 50_000  # ledger lines from which a query gets a connection of its own


def _frame_connection():
    """One in-memory connection per thread for frame sources (opening one costs more than a
    small ledger's figures)."""
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = connect()
    return con


def ledger_table(source: LedgerSource, *, max_abs: float | None = None) -> Normalized:
    """The lines of ``source`` as the ledger sheet's table (rule 4): its own columns read by
    DuckDB, then normalised and reported row by row (rows numbered from 2) as a workbook's."""
    with lines_of(source) as (con, _keys):
        relation = "xlgrade_query" if source.sql is not None else "ledger"
        raw = run(con, f"SELECT * FROM {relation}", source)
    return normalize(raw, LEDGER, source=source.name, first_row=2, header_row=1, max_abs=max_abs, text_cells=False)


@contextmanager
def lines_of(source: LedgerSource) -> Iterator[tuple[Any, dict[str, str]]]:
    """A connection where ``LINES`` is the source's lines, and the column keys it has."""
    duckdb = duckdb_module()
    if source.kind == "duckdb":
        try:
            con = connect(source.location, read_only=True)
        except duckdb.Error as exc:
            raise _error(source, exc, "not a readable DuckDB database", "不是可读取的 DuckDB 数据库") from None
    elif source.kind == "frame":
        con = _frame_connection()
    else:
        con = connect()
    try:
        if source.kind == "frame":
            con.register("ledger", source.frame if source.frame is not None else pd.DataFrame())
        elif source.kind == "parquet":
            run(
                con,
                f"CREATE VIEW ledger AS SELECT * FROM read_parquet({_list(source.files())}, union_by_name = true)",
                source,
                fetch="none",
            )
        elif source.kind == "csv":
            run(
                con,
                f"CREATE VIEW ledger AS SELECT * FROM read_csv({_list(source.files())}, union_by_name = true, header = true)",
                source,
                fetch="none",
            )
        else:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if "ledger" not in tables and source.sql is None:
                found = ", ".join(sorted(tables)) or "-"
                raise InputError(
                    f"the database has no table ledger; its tables are: {found}",
                    source=source.name,
                    zh=f"数据库中没有表 ledger;现有表:{found}",
                )
        relation = "ledger"
        if source.sql is not None:
            run(
                con,
                f"CREATE OR REPLACE TEMP VIEW xlgrade_query AS {source.sql.strip().rstrip(';')}",
                source,
                query=True,
                fetch="none",
            )
            relation = "xlgrade_query"
        names = [
            r[0]
            for r in run(con, f"DESCRIBE SELECT * FROM {relation}", source, query=source.sql is not None, fetch="all")
        ]
        keys = column_keys(names, source.name)
        run(
            con,
            f"CREATE OR REPLACE TEMP VIEW {LINES} AS {ledger_view_sql(keys, relation, 'duckdb')}",
            source,
            fetch="none",
        )
        yield con, keys
    finally:
        if source.kind == "frame":
            con.unregister("ledger")
        else:
            con.close()


def run(con, sql: str, source: LedgerSource, *, query: bool = False, fetch: str = "df"):
    """``con.execute(sql)`` and its result (``fetch``: ``df`` a frame, ``all`` the rows,
    ``none`` nothing) with DuckDB's errors as one line (rule 3). DuckDB answers Ctrl-C by
    interrupting the query: that is a KeyboardInterrupt again, for the command's own handling."""
    duckdb = duckdb_module()
    try:
        cursor = con.execute(sql)
        return cursor.df() if fetch == "df" else cursor.fetchall() if fetch == "all" else None
    except duckdb.InterruptException:
        _interrupted()
    except RuntimeError as exc:  # an interrupt while the result is fetched
        if "interrupted" in str(exc).lower():
            _interrupted()
        raise
    except duckdb.ConversionException as exc:
        raise _error(source, exc, "a value is not a number or a date", "有值不是数字或日期") from None
    except duckdb.CatalogException as exc:
        raise _error(source, exc, "no such table or column", "没有这个表或列") from None
    except duckdb.Error as exc:
        if query:
            raise _error(source, exc, "the --sql query failed", "--sql 查询出错") from None
        raise _error(source, exc, "cannot be read", "无法读取") from None


def _interrupted() -> NoReturn:
    """Raise the KeyboardInterrupt of a Ctrl-C DuckDB answered. The signal may still be
    pending for Python too: let it fire here, so that it is this one interrupt and no second
    one reaches the command while it ends."""
    try:
        for _ in range(100):
            time.sleep(0)
    except KeyboardInterrupt:
        pass
    raise KeyboardInterrupt


def _error(source: LedgerSource, exc: Exception, en: str, zh: str) -> InputError:
    detail = " ".join(str(exc).split()).split(" LINE ")[0]  # not the SQL xlgrade wrapped around it
    if len(detail) > 300:
        detail = detail[:297] + "..."
    return InputError(f"{en}: {detail}", source=source.name, zh=f"{zh}:{detail}")


def _list(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
