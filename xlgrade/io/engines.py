"""Where the figures are computed: a figure engine runs :mod:`xlgrade.engine.figures`' SQL
where the ledger lives and hands back one row per customer.

Rules of this module:

1. A :class:`LedgerSource` is a pandas frame (a workbook's normalised ledger), a Parquet
   file or folder, a CSV file or glob (``exports/*.csv``), or a DuckDB database file whose
   table ``ledger`` holds the lines; with ``sql``, the lines are that query's result, the
   source being visible to it as the relation ``ledger``.
2. The lines' column names are headers as everywhere (Chinese, English, keys or aliases of
   the ledger sheet, :data:`xlgrade.schema.sheets.LEDGER`); :func:`ledger_view_sql` renames
   them to the engine's keys. A missing required column is refused naming it; columns the
   figures do not use are ignored.
3. A :class:`FigureEngine` (``typing.Protocol``) registers a source as ``ledger``, runs the
   figure SQL of its dialect, and returns the frame of
   :func:`xlgrade.engine.figures.figure_columns` (typed with ``figures.typed``). The DuckDB
   engine (:mod:`xlgrade.io.duckfigures`) is the default and needs no server; the Spark
   engine is ``xlgrade.io.sparkfigures``.
4. Bad sources fail with one line (:class:`xlgrade.errors.InputError`, English with its
   Chinese text): no such file, no such table, a column missing, an SQL error, a value that
   is not a number or a date.
"""

from __future__ import annotations

import glob
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, cast

import pandas as pd

from xlgrade.engine import figures, frames
from xlgrade.engine.frames import LEDGER_COLUMNS, REQUIRED
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, MissingExtraError, MissingFileError
from xlgrade.issues import NOTE, Issue
from xlgrade.schema.sheets import LEDGER

DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".parq")
KINDS = ("frame", "parquet", "csv", "duckdb")


@dataclass(frozen=True)
class LedgerSource:
    """Where the ledger lines are (rule 1). ``kind`` is one of :data:`KINDS`."""

    kind: str
    location: str = ""  # a path or glob; "" for a frame
    sql: str | None = None  # a query over the relation ``ledger``
    frame: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """How messages name it."""
        return Path(self.location).name if self.location else "ledger"

    def files(self) -> list[str]:
        """The files of a Parquet or CSV source (a folder: its files, a glob: its matches)."""
        path = Path(self.location)
        suffixes = PARQUET_SUFFIXES if self.kind == "parquet" else CSV_SUFFIXES
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file())
        elif any(ch in self.location for ch in "*?["):
            found = sorted(glob.glob(self.location, recursive=True))
        else:
            found = [self.location] if path.exists() else []
        if not found:
            what = "no file matches" if any(ch in self.location for ch in "*?[") else "file not found"
            raise MissingFileError(f"{self.location}: {what} (找不到文件)")
        return found


def source_of(location: str, sql: str | None = None) -> LedgerSource:
    """The source a command-line argument names (rule 1): by its suffix, a folder by the
    files in it (Parquet, else CSV)."""
    path = Path(location)
    suffix = path.suffix.lower()
    if suffix in DUCKDB_SUFFIXES:
        if not path.exists():
            raise MissingFileError(f"{location}: file not found (找不到文件)")
        return LedgerSource("duckdb", location, sql)
    if suffix in PARQUET_SUFFIXES:
        return LedgerSource("parquet", location, sql)
    if path.is_dir():
        has_parquet = any(p.suffix.lower() in PARQUET_SUFFIXES for p in path.rglob("*"))
        return LedgerSource("parquet" if has_parquet else "csv", location, sql)
    return LedgerSource("csv", location, sql)


def is_query_source(location: str) -> bool:
    """Whether ``location`` is a source that only a figure engine reads (a DuckDB database
    or a glob); Parquet and CSV files are that too when ``--sql`` or ``--engine`` asks for it."""
    return Path(location).suffix.lower() in DUCKDB_SUFFIXES or any(ch in location for ch in "*?[")


def column_keys(names: list[str], source: str) -> dict[str, str]:
    """Engine key -> the source's column name, by the ledger sheet's headers (rule 2)."""
    keys: dict[str, str] = {}
    for name in names:
        col = LEDGER.match_header(name)
        if col is not None and col.key in LEDGER_COLUMNS and col.key not in keys:
            keys[col.key] = name
    missing = [LEDGER.column(k) for k in REQUIRED if k not in keys]
    if missing:
        en = ", ".join(f"{c.en} ({c.key})" for c in missing)
        zh = "、".join(c.zh for c in missing)
        found = ", ".join(names) or "-"
        raise InputError(
            f"the ledger lacks the column {en}; its columns are: {found}",
            source=source,
            zh=f"台账缺少列 {zh};现有列:{found}",
        )
    return keys


def ledger_view_sql(keys: dict[str, str], relation: str, dialect: str) -> str:
    """``SELECT`` the lines of ``relation`` under the engine's column names (rule 2)."""
    q = figures.DIALECTS[dialect].quote
    return "SELECT " + ", ".join(f"{q(src)} AS {q(key)}" for key, src in keys.items()) + f" FROM {relation}"


@dataclass(frozen=True)
class SourceFacts:
    """What an engine says about a source before grading it: the engine keys of its columns
    and the counts of :func:`xlgrade.engine.figures.counts_sql`."""

    columns: tuple[str, ...]
    counts: dict[str, int]

    def issues(self, source: str, as_of: pd.Timestamp) -> list[Issue]:
        """One note per kind of line the figures do not read (nothing is dropped silently)."""
        when = frames.as_timestamp(as_of).date().isoformat()
        texts = {
            "no_customer": ("customer_id", "line(s) without a customer id are not counted", "行没有客户编号,未计入"),
            "no_date": ("date", "line(s) without a date are not counted", "行没有日期,未计入"),
            "later": (
                "date",
                f"line(s) dated after the as-of date {when} are not counted",
                f"行日期晚于评估日 {when},未计入",
            ),
            "no_amount": ("amount", "line(s) without an amount count 0", "行没有金额,按 0 计"),
        }
        out = []
        for key, (column, en, zh) in texts.items():
            n = int(self.counts.get(key, 0) or 0)
            if n:
                out.append(Issue(source, None, LEDGER.column(column).zh, None, f"{n} {en}", f"{n} {zh}", NOTE))
        return out


class FigureEngine(Protocol):
    """Computes the figures frame of a source where the lines live (rule 3)."""

    name: str  # the SQL dialect of xlgrade.engine.figures.DIALECTS

    def figures(
        self, source: LedgerSource, rules: RuleBook, as_of: pd.Timestamp, groups: tuple[str, ...] | None = None
    ) -> pd.DataFrame:
        """One row per customer with a line up to ``as_of``: ``figures.figure_columns(rules, groups)``."""
        ...

    def describe(self, source: LedgerSource, as_of: pd.Timestamp) -> SourceFacts:
        """The source's column keys and the counts of ``figures.counts_sql`` (a scan of its own)."""
        ...

    def scan(
        self,
        source: LedgerSource,
        rules: RuleBook,
        as_of: pd.Timestamp,
        groups: tuple[str, ...] | None = None,
        *,
        check: Callable[[tuple[str, ...]], None] | None = None,
    ) -> tuple[SourceFacts, pd.DataFrame]:
        """What ``describe`` and ``figures`` give, from one connection and one scan of the lines
        (the counts are part of the figure query: ``figures_sql(..., counted=True)``).
        ``check`` is called with the source's column keys before the scan (to refuse a source
        that lacks a column the method needs)."""
        ...


def engine(name: str = "duckdb") -> FigureEngine:
    """The figure engine called ``name`` (duckdb or spark)."""
    if name == "duckdb":
        from xlgrade.io.duckfigures import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":  # xlgrade.io.sparkfigures (the xlgrade[spark] extra) brings its own message
        try:
            engine_class = importlib.import_module("xlgrade.io.sparkfigures").SparkEngine
        except ModuleNotFoundError as exc:
            if exc.name != "xlgrade.io.sparkfigures":
                raise
            raise MissingExtraError(
                "this xlgrade has no Spark engine (xlgrade.io.sparkfigures) (此 xlgrade 没有 Spark 引擎)"
            ) from None
        return cast(FigureEngine, engine_class())
    raise InputError(f"unknown engine {name!r}; choose duckdb or spark").with_zh(
        f"未知的计算引擎 {name!r}:可选 duckdb 或 spark"
    )
