"""The Spark figure engine (``--engine spark``, the ``xlgrade[spark]`` extra): the figure SQL of
:mod:`xlgrade.engine.figures` in its ``spark`` dialect, run by Apache Spark where the data
lives, so that only one row per customer comes back to pandas.

Rules of this module:

1. Which Spark (:func:`session`), in this order: an active session of the process (a test's,
   or a notebook's); ``SPARK_REMOTE`` set: Spark Connect to that server (``sc://host:15002``;
   the client needs ``pip install 'pyspark[connect]'``; a server that does not accept a
   connection within 10 s is said at once); ``MASTER`` set, or ``spark.master`` in
   ``spark-defaults.conf`` (``$SPARK_CONF_DIR``, else ``$SPARK_HOME/conf``): that master
   (``yarn``, ``spark://host:7077``, ``k8s://…``), its other settings left to the cluster's
   configuration; else a local Spark in this process, ``local[2]``, with no web UI, no
   progress bar, two shuffle partitions and no log but fatal errors. The session is made once
   per process and reused.
2. Spark needs Java 17 or newer on this machine unless it talks to a Spark Connect server.
   Without pyspark, or without Java, the command stops with one line naming what to install
   (:class:`xlgrade.errors.MissingExtraError`).
3. Sources (:class:`xlgrade.io.engines.LedgerSource`) become the temporary view ``ledger``:
   Parquet files or folders (schemas merged by column name), CSV files or globs (a header row,
   UTF-8, every column read as text: the figure SQL casts through text anyway, so numbers
   stay exact), or a pandas frame (the tests', a workbook's ledger: NaN and NaT are NULL,
   dates without a time zone, text columns as text). A location with a scheme
   (``hdfs://``, ``s3a://``, ``file://``) is handed to Spark as it is, for Spark to list;
   a local path is listed here, so that a missing file is said as for DuckDB. A DuckDB
   database is not a Spark source: it is refused with what to do instead. ``--sql`` is a
   Spark SQL query over ``ledger``.
4. Then as every engine (:mod:`xlgrade.io.engines` rule 3): the columns are matched by
   their headers, the view ``xlgrade_lines`` renames them, the figure SQL runs, and the
   result is ``figures.typed``: the same columns and dtypes as the DuckDB engine's.
5. Spark's errors become one line naming the source (its first line: Spark appends the SQL
   and a stack); Spark runs with ANSI SQL on (its default), so a value that is not a number
   or a date is refused, never read as NULL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from xlgrade.engine import figures
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, MissingExtraError, ServerUnreachableError
from xlgrade.io.engines import LedgerSource, SourceFacts, column_keys, ledger_view_sql

LINES = "xlgrade_lines"  # the view of the lines under the engine's column names
QUERY = "xlgrade_query"  # the view of --sql
LOCAL_MASTER = "local[2]"
CONNECT_PORT = 15002  # Spark Connect's default port
CONNECT_TIMEOUT = 10.0  # seconds for the Connect server to accept a connection
# The local session's settings (rule 1): small, quiet, no server of its own.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
}
LOG_CONF = Path(__file__).with_name("spark-log4j2.properties")  # fatal errors only
EXTRA = "pip install 'xlgrade[spark]'"
_lock = threading.Lock()


class SparkEngine:
    """:class:`xlgrade.io.engines.FigureEngine` on Apache Spark; ``spark``: a session to use
    instead of :func:`session`'s."""

    name = "spark"

    def __init__(self, spark: Any = None) -> None:
        self._spark = spark

    def figures(
        self, source: LedgerSource, rules: RuleBook, as_of: pd.Timestamp, groups: tuple[str, ...] | None = None
    ) -> pd.DataFrame:
        spark = self._session()
        keys = register(spark, source)
        sql = figures.figures_sql(rules, as_of, "spark", LINES, columns=list(keys), groups=groups)
        raw = run(lambda: collected(spark.sql(sql)), source)
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
        spark = self._session()
        keys = register(spark, source)
        if check is not None:
            check(tuple(keys))
        sql = figures.figures_sql(rules, as_of, "spark", LINES, columns=list(keys), groups=groups, counted=True)
        fig, counts = figures.split_counts(run(lambda: collected(spark.sql(sql)), source))
        return SourceFacts(tuple(keys), counts), figures.typed(fig, rules, groups)

    def describe(self, source: LedgerSource, as_of: pd.Timestamp) -> SourceFacts:
        spark = self._session()
        keys = register(spark, source)
        sql = figures.counts_sql(as_of, "spark", LINES)
        row = run(lambda: spark.sql(sql).collect()[0].asDict(), source)
        return SourceFacts(tuple(keys), {str(k): int(v or 0) for k, v in row.items()})

    def _session(self):
        return self._spark if self._spark is not None else session()


# ---- the session (rules 1 and 2) -----------------------------------------------------------
def pyspark_module():
    """The pyspark.sql module, or the one-line error that says how to install it (rule 2)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            import pyspark.sql

            # pyspark warns, once, on importing this, that it does not yet fully support pandas 3
            # (xlgrade hands it no pandas frames: see frame_to_spark and collected)
            with contextlib.suppress(ImportError):
                import pyspark.testing.utils  # noqa: F401
    except ImportError:
        raise MissingExtraError(
            f"the Spark engine needs pyspark, which is not installed: {EXTRA} "
            "(Spark 引擎需要 pyspark:请安装 xlgrade[spark])"
        ) from None
    return pyspark.sql


def remote_address(url: str) -> tuple[str, int]:
    """Host and port of a Spark Connect URL (``sc://host:port/;param=value``; port 15002 unless given)."""
    rest = url.strip()
    if rest.startswith("sc://"):
        rest = rest[5:]
    rest = rest.split("/", 1)[0].split(";", 1)[0]
    if rest.startswith("["):  # an IPv6 address: [::1]:15002
        host, _, tail = rest[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port = rest.partition(":")
    return host or "localhost", int(port) if port.isdigit() else CONNECT_PORT


def answers(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Nothing if the Spark Connect server of ``url`` accepts a connection within ``timeout``
    seconds; else one line naming it (the client itself would retry for about ten minutes,
    measured, and then end in a gRPC error)."""
    host, port = remote_address(url)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ServerUnreachableError(
            f"SPARK_REMOTE={url}: the Spark Connect server at {host}:{port} does not answer ({reason}); "
            "start it, or correct SPARK_REMOTE "
            f"(Spark Connect 服务器 {host}:{port} 无应答:请启动服务器或更正 SPARK_REMOTE)"
        ) from None


def java_found(environ: dict[str, str] | None = None) -> bool:
    """Whether a ``java`` is there for pyspark to start: ``$JAVA_HOME/bin/java`` or on PATH."""
    env = os.environ if environ is None else environ
    home = env.get("JAVA_HOME", "")
    if home and (Path(home) / "bin" / "java").is_file():
        return True
    return shutil.which("java", path=env.get("PATH")) is not None


def configured_master(environ: dict[str, str] | None = None) -> str | None:
    """The master the usual settings name (rule 1): ``MASTER``, else ``spark.master`` in
    spark-defaults.conf; None when neither does."""
    env = os.environ if environ is None else environ
    if env.get("MASTER", "").strip():
        return env["MASTER"].strip()
    folder = env.get("SPARK_CONF_DIR") or (str(Path(env["SPARK_HOME"]) / "conf") if env.get("SPARK_HOME") else "")
    conf = Path(folder) / "spark-defaults.conf" if folder else None
    if conf is None or not conf.is_file():
        return None
    for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and parts[0] == "spark.master":
            return parts[1].strip()
    return None


def session():
    """The process's Spark session (rule 1), made on first use."""
    sql = pyspark_module()
    with _lock:
        _quiet()
        active = sql.SparkSession.getActiveSession()
        if active is not None:
            return active
        builder = sql.SparkSession.builder.appName("xlgrade")
        remote = os.environ.get("SPARK_REMOTE", "").strip()
        if remote:
            answers(remote)
            try:
                with warnings.catch_warnings():  # the Connect client warns on pandas 3, as the import does
                    warnings.simplefilter("ignore", FutureWarning)
                    return builder.remote(remote).getOrCreate()
            except ImportError as exc:
                raise MissingExtraError(
                    f"SPARK_REMOTE={remote} needs the Spark Connect client: pip install 'pyspark[connect]' ({exc}) "
                    "(Spark Connect 需要客户端:请安装 pyspark[connect])"
                ) from None
        if not java_found():
            raise MissingExtraError(
                "the Spark engine (xlgrade[spark]) needs Java 17 or newer, which is not installed: "
                "apt-get install default-jre-headless, or set JAVA_HOME "
                "(Spark 引擎需要 Java 17 或更高版本:请安装 default-jre-headless 或设置 JAVA_HOME)"
            )
        master = configured_master()
        if master is None:
            builder = builder.master(LOCAL_MASTER)
            for key, value in LOCAL_CONF.items():
                builder = builder.config(key, value)
            # passed to the JVM as it starts (pyspark hands the builder's settings to spark-submit)
            builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={LOG_CONF.as_uri()}")
        else:
            builder = builder.master(master)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: a Java too old, a broken install
            detail = _first_line(exc)
            raise MissingExtraError(
                f"Spark did not start ({detail}); it needs Java 17 or newer and {EXTRA} "
                f"(Spark 无法启动:需要 Java 17 或更高版本)"
            ) from None
        if master is None:
            spark.sparkContext.setLogLevel("FATAL")  # failures come back as one line (rule 5)
        return spark


def _quiet() -> None:
    """No logs of pyspark's own on stderr (rule 1): its Python loggers log every failed
    query as JSON, which the command says as one line anyway (rule 5)."""
    import logging

    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def collected(frame) -> pd.DataFrame:
    """A (small) Spark result as a pandas frame of its plain values (Decimal, date, str, int),
    for ``figures.typed`` to type: not ``toPandas``, whose conversion pyspark does not yet
    support for pandas 3 (it warns on every call) and which without pyarrow collects too."""
    rows = frame.collect()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=list(frame.columns))


# ---- the source (rules 3 and 4) ------------------------------------------------------------
def register(spark, source: LedgerSource) -> dict[str, str]:
    """Make ``source`` the view ``ledger`` (and ``--sql`` a view over it), then ``LINES`` the
    lines under the engine's names; returns the column keys found (engine key -> column)."""
    if source.kind == "duckdb":
        raise InputError(
            "Spark does not read a DuckDB database: use --engine duckdb, or export the table to Parquet "
            "(COPY ledger TO 'ledger.parquet')",
            source=source.name,
            zh="Spark 不能读取 DuckDB 数据库:请用 --engine duckdb,或把表导出为 Parquet(COPY ledger TO 'ledger.parquet')",
        )
    frame = run(lambda: _dataframe(spark, source), source)
    frame.createOrReplaceTempView("ledger")
    relation = "ledger"
    if source.sql is not None:
        query = source.sql.strip().rstrip(";")
        run(lambda: spark.sql(query).createOrReplaceTempView(QUERY), source, query=True)
        relation = QUERY
    names = run(lambda: spark.table(relation).columns, source, query=source.sql is not None)
    keys = column_keys(list(names), source.name)
    view = ledger_view_sql(keys, relation, "spark")
    run(lambda: spark.sql(view).createOrReplaceTempView(LINES), source)
    return keys


def _dataframe(spark, source: LedgerSource):
    if source.kind == "frame":
        return frame_to_spark(spark, source.frame if source.frame is not None else pd.DataFrame())
    paths = [source.location] if _remote(source.location) else source.files()
    if source.kind == "parquet":
        return spark.read.option("mergeSchema", "true").parquet(*paths)
    frame = spark.read.options(header="true", encoding="UTF-8", inferSchema="false").csv(paths)
    # a BOM (Excel's "CSV UTF-8") or spaces around a header are not part of its name
    clean = [name.lstrip("\ufeff").strip() for name in frame.columns]
    return frame.toDF(*clean) if clean != frame.columns else frame


def _remote(location: str) -> bool:
    return "://" in location


def frame_to_spark(spark, frame: pd.DataFrame):
    """A pandas frame as a Spark DataFrame (rule 3): missing values NULL, datetimes as
    timestamps without a time zone, numbers as DOUBLE or BIGINT, everything else as text."""
    types = pyspark_module().types
    fields, columns = [], []
    for name in frame.columns:
        values = frame[name]
        missing = values.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(values):
            kind: Any = types.TimestampNTZType()
            data = [None if m else v.to_pydatetime() for v, m in zip(values, missing)]
            if getattr(values.dt, "tz", None) is not None:
                data = [None if m else v.tz_convert(None).to_pydatetime() for v, m in zip(values, missing)]
        elif pd.api.types.is_bool_dtype(values):
            kind, data = types.BooleanType(), [None if m else bool(v) for v, m in zip(values, missing)]
        elif pd.api.types.is_integer_dtype(values):
            kind, data = types.LongType(), [None if m else int(v) for v, m in zip(values, missing)]
        elif pd.api.types.is_float_dtype(values):
            kind, data = types.DoubleType(), [None if m else float(v) for v, m in zip(values, missing)]
        else:
            kind, data = types.StringType(), [None if m else str(v) for v, m in zip(values, missing)]
        fields.append(types.StructField(str(name), kind, True))
        columns.append(data)
    rows = list(zip(*columns)) if columns else []
    return spark.createDataFrame(rows, types.StructType(fields))


# ---- errors (rule 5) -----------------------------------------------------------------------
def run(step, source: LedgerSource, *, query: bool = False):
    """``step()`` with Spark's errors as one line naming the source (rule 5)."""
    from pyspark.errors import AnalysisException, PySparkException

    try:
        return step()
    except (InputError, MissingExtraError):
        raise
    except AnalysisException as exc:
        if query:
            raise _error(source, exc, "the --sql query failed", "--sql 查询出错") from None
        raise _error(source, exc, "no such table, column or file", "没有这个表、列或文件") from None
    except Exception as exc:
        if _bad_value(exc):
            raise _error(source, exc, "a value is not a number or a date", "有值不是数字或日期") from None
        if isinstance(exc, PySparkException) or type(exc).__module__.startswith(("py4j", "pyspark")):
            raise _error(source, exc, "cannot be read", "无法读取") from None
        raise


def _bad_value(exc: Exception) -> bool:
    """Whether Spark refused a value (ANSI casts and arithmetic: CAST_INVALID_INPUT, overflow)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"NumberFormatException", "DateTimeException", "ArithmeticException"}:
        return True
    condition = getattr(exc, "getCondition", None)
    try:
        cond = condition() if callable(condition) else None
    except Exception:
        cond = None
    return bool(cond) and str(cond).startswith(("CAST_INVALID_INPUT", "CAST_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE"))


def _first_line(exc: BaseException) -> str:
    """The first line of the message (of the Java exception, for py4j's "An error occurred while calling ...")."""
    text = str(exc).strip()
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            cause = java
            while cause.getCause() is not None:  # the root cause says what (SparkException wraps it)
                cause = cause.getCause()
            text = str(cause.toString()).strip()
        except Exception:  # the JVM is gone: py4j's own text
            pass
    first = text.splitlines()[0] if text else type(exc).__name__
    first = " ".join(first.split())
    return first if len(first) <= 300 else first[:297] + "..."


def _error(source: LedgerSource, exc: Exception, en: str, zh: str) -> InputError:
    detail = _first_line(exc)
    if "TIMESTAMP(NANOS" in detail:  # pandas' datetime64[ns], DuckDB's TIMESTAMP_NS: DuckDB reads them, Spark does not
        en += " (Spark reads Parquet timestamps in micro- or milliseconds, not nanoseconds: write them as DATE or TIMESTAMP)"
        zh += "(Spark 不能读取纳秒精度的 Parquet 时间戳:请写为 DATE 或微秒精度的 TIMESTAMP)"
    return InputError(f"{en}: {detail}", source=source.name, zh=f"{zh}:{detail}")
