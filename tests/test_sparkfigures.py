"""The Spark figure engine (xlgrade.io.sparkfigures): which Spark, what is missing, every
source, one-line errors, and the very figures (columns, dtypes, values) of the DuckDB engine."""

from __future__ import annotations

import socket
import sys
import warnings

import pandas as pd
import pytest

from xlgrade.engine import figures, frames
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, MissingExtraError, MissingFileError, ServerUnreachableError
from xlgrade.io import sparkfigures
from xlgrade.io.duckfigures import DuckDBEngine
from xlgrade.io.engines import LedgerSource, engine

AS_OF = pd.Timestamp("2026-06-30")
RULES = RuleBook()
HEADERS = {"customer_id": "客户编号", "date": "日期", "amount": "金额", "sale_no": "销售序号"}


def ledger() -> pd.DataFrame:
    """Lines that exercise every figure: orders with and without a sale_no (a number one as
    text), returns, six lines of 16,666.666666666668 (exact sums: 100,000.000000000008 is
    100,000 after rounding), lines paid late, in part, not at all, and 12 months back."""
    rows = [
        ("C1", "2026-06-01", 16666.666666666668, "S1", 1.0, 10.0, None, "2026-06-20", None),
        *[("C1", f"2026-05-{d:02d}", 16666.666666666668, None, 2.0, 5.0, None, None, None) for d in range(1, 6)],
        ("C2", "2026-01-15", 5000.0, "1001", 3.0, 500.0, "2026-02-14", "2026-04-01", 2000.0),
        ("C2", "2026-02-15", -300.0, "1001", -1.0, -30.0, None, None, None),
        ("C2", "2025-06-10", 1200.5, "S9", 4.0, 100.0, "2025-07-10", "2025-09-01", None),
        ("C3", "2025-03-03", 999.99, " ", 1.0, None, None, None, None),
        ("C3", "2026-06-30", 0.01, None, None, 0.0, "2026-07-30", None, None),
        ("C4", "2026-07-01", 123.0, "S7", 1.0, 1.0, None, None, None),  # after the as-of date
    ]
    columns = ["customer_id", "date", "amount", "sale_no", "quantity", "profit", "due_date", "paid_date", "paid_amount"]
    return frames.prepare_ledger(pd.DataFrame(rows, columns=columns))


# ---- which Spark, what is missing (no JVM needed) ------------------------------------------
def test_the_master_comes_from_master_then_spark_defaults(tmp_path):
    assert sparkfigures.configured_master({"MASTER": " spark://h:7077 "}) == "spark://h:7077"
    conf = tmp_path / "spark-defaults.conf"
    conf.write_text("# cluster\nspark.executor.memory 4g\nspark.master   yarn\n", encoding="utf-8")
    assert sparkfigures.configured_master({"SPARK_CONF_DIR": str(tmp_path)}) == "yarn"
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "spark-defaults.conf").write_text("spark.master k8s://h:6443\n", encoding="utf-8")
    assert sparkfigures.configured_master({"SPARK_HOME": str(tmp_path)}) == "k8s://h:6443"
    conf.write_text("spark.executor.memory 4g\n", encoding="utf-8")
    assert sparkfigures.configured_master({"SPARK_CONF_DIR": str(tmp_path)}) is None
    assert sparkfigures.configured_master({}) is None


def test_java_is_found_by_java_home_or_path(tmp_path):
    assert not sparkfigures.java_found({"PATH": str(tmp_path)})
    (tmp_path / "bin").mkdir()
    java = tmp_path / "bin" / "java"
    java.write_text("#!/bin/sh\n", encoding="utf-8")
    java.chmod(0o755)
    assert sparkfigures.java_found({"JAVA_HOME": str(tmp_path), "PATH": ""})
    assert sparkfigures.java_found({"PATH": str(tmp_path / "bin")})


def test_without_pyspark_one_line_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'xlgrade\[spark\]'") as info:
        engine("spark").figures(LedgerSource("frame", frame=ledger()), RULES, AS_OF)
    assert "\n" not in str(info.value)


def test_without_java_one_line_says_what_to_install(monkeypatch):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setattr(sparkfigures, "java_found", lambda environ=None: False)
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    with pytest.raises(MissingExtraError, match=r"Java 17.*default-jre-headless") as info:
        sparkfigures.session()
    assert "xlgrade[spark]" in str(info.value) and "\n" not in str(info.value)


def test_spark_connect_is_asked_for_quietly(monkeypatch):
    """SPARK_REMOTE: the session comes from the Connect client, whose FutureWarning about pandas 3
    (measured with a real Connect server: docs/spark.md) does not reach the terminal."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    made = object()

    class Remote:
        def getOrCreate(self):
            warnings.warn("PySpark does not yet fully support pandas >= 3.0.0", FutureWarning, stacklevel=1)
            return made

    asked: list[str] = []
    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setattr(SparkSession.Builder, "remote", lambda self, url: asked.append(url) or Remote())
    monkeypatch.setattr(sparkfigures, "answers", lambda url: asked.append(f"answers {url}"))
    monkeypatch.setenv("SPARK_REMOTE", "sc://spark.example:15002")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert sparkfigures.session() is made
    assert asked == ["answers sc://spark.example:15002", "sc://spark.example:15002"] and not seen


def test_spark_connect_urls_name_host_and_port():
    assert sparkfigures.remote_address("sc://spark.example:15003/;token=abc") == ("spark.example", 15003)
    assert sparkfigures.remote_address("sc://spark.example") == ("spark.example", 15002)
    assert sparkfigures.remote_address("sc://[::1]:16000") == ("::1", 16000)
    assert sparkfigures.remote_address("sc://[::1]/;use_ssl=true") == ("::1", 15002)


def test_a_spark_connect_server_that_does_not_answer_is_one_line_at_once(monkeypatch):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    with socket.socket() as probe:  # a port nobody listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setenv("SPARK_REMOTE", f"sc://127.0.0.1:{port}")
    with pytest.raises(ServerUnreachableError, match=f"127.0.0.1:{port} does not answer") as info:
        sparkfigures.session()
    assert isinstance(info.value, ConnectionError) and "\n" not in str(info.value)


def test_a_duckdb_database_is_not_a_spark_source(tmp_path):
    with pytest.raises(InputError, match="--engine duckdb"):
        sparkfigures.register(None, LedgerSource("duckdb", str(tmp_path / "ledger.duckdb")))


# ---- the same figures as DuckDB (local Spark) ----------------------------------------------
def test_a_frame_gives_the_duckdb_figures_with_their_dtypes(spark):
    source = LedgerSource("frame", frame=ledger())
    got = sparkfigures.SparkEngine(spark).figures(source, RULES, AS_OF)
    want = DuckDBEngine().figures(source, RULES, AS_OF)
    assert dict(got.dtypes.astype(str)) == dict(want.dtypes.astype(str))
    assert list(got.columns) == list(figures.figure_columns(RULES))
    pd.testing.assert_frame_equal(got, want)
    c1 = got.set_index("customer_id").loc["C1"]
    assert c1["threshold_amount"] == 100000.0  # exact: six lines of 16,666.666666666668
    assert c1["threshold_orders"] == 6  # one sale_no, five lines without
    assert list(got["customer_id"]) == ["C1", "C2", "C3"]  # C4's only line is after the as-of date


def test_parquet_file_folder_and_csv_glob_with_chinese_headers(spark, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    lines = ledger()[["customer_id", "date", "amount", "sale_no"]].rename(columns=HEADERS)
    want = DuckDBEngine().figures(LedgerSource("frame", frame=ledger()[list(HEADERS)]), RULES, AS_OF)
    (tmp_path / "pq" / "year=2026").mkdir(parents=True)
    con = duckdb.connect()
    con.register("lines", lines)
    # the folder's files with dates as DATE; a single file with a TIMESTAMP in microseconds (Spark refuses
    # nanoseconds, and does not merge DATE with TIMESTAMP across files as DuckDB does)
    cols = '"客户编号", "金额", "销售序号"'
    for name, where in (("a.parquet", "<> 'C2'"), ("year=2026/b.parquet", "= 'C2'")):
        con.execute(
            f'COPY (SELECT {cols}, CAST("日期" AS DATE) AS "日期" FROM lines WHERE "客户编号" {where}) '
            f"TO '{tmp_path / 'pq' / name}'"
        )
    con.execute(
        f'COPY (SELECT {cols}, CAST("日期" AS TIMESTAMP) AS "日期" FROM lines) TO \'{tmp_path / "one.parquet"}\''
    )
    con.close()
    spark_engine = sparkfigures.SparkEngine(spark)
    folder = spark_engine.figures(LedgerSource("parquet", str(tmp_path / "pq")), RULES, AS_OF)
    pd.testing.assert_frame_equal(folder, want)
    one = spark_engine.figures(LedgerSource("parquet", str(tmp_path / "one.parquet")), RULES, AS_OF)
    pd.testing.assert_frame_equal(one, want)
    (tmp_path / "csv").mkdir()
    text = lines.assign(日期=lines["日期"].dt.strftime("%Y-%m-%d")).astype(object).where(lines.notna(), "")
    for part, rows in (("1", text.iloc[:4]), ("2", text.iloc[4:])):
        rows.to_csv(tmp_path / "csv" / f"ledger-{part}.csv", index=False, encoding="utf-8-sig")  # Excel's BOM
    got = spark_engine.figures(LedgerSource("csv", str(tmp_path / "csv" / "ledger-*.csv")), RULES, AS_OF)
    pd.testing.assert_frame_equal(got, want)


def test_sql_is_a_spark_query_over_ledger(spark):
    source = LedgerSource("frame", frame=ledger(), sql="SELECT * FROM ledger WHERE customer_id <> 'C2';")
    got = sparkfigures.SparkEngine(spark).figures(source, RULES, AS_OF)
    want = DuckDBEngine().figures(LedgerSource("frame", frame=ledger().query("customer_id != 'C2'")), RULES, AS_OF)
    pd.testing.assert_frame_equal(got, want)


def test_errors_are_one_line_naming_the_source(spark, tmp_path):
    spark_engine = sparkfigures.SparkEngine(spark)
    bad = tmp_path / "bad.csv"
    bad.write_text("客户编号,日期,金额\nC1,2026-01-05,100\nC2,2026-01-06,一百\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^bad\.csv: a value is not a number or a date: ") as info:
        spark_engine.figures(LedgerSource("csv", str(bad)), RULES, AS_OF)
    assert "\n" not in str(info.value) and "有值不是数字或日期" in info.value.text("zh")
    no_amount = tmp_path / "no-amount.csv"
    no_amount.write_text("客户编号,日期\nC1,2026-01-05\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks the column Amount \(amount\); its columns are: 客户编号, 日期"):
        spark_engine.figures(LedgerSource("csv", str(no_amount)), RULES, AS_OF)
    query = LedgerSource("frame", frame=ledger(), sql="SELECT * FROM nowhere")
    with pytest.raises(InputError, match=r"^ledger: the --sql query failed: ") as info:
        spark_engine.figures(query, RULES, AS_OF)
    assert "\n" not in str(info.value)
    with pytest.raises(MissingFileError, match="no file matches"):
        spark_engine.figures(LedgerSource("csv", str(tmp_path / "none-*.csv")), RULES, AS_OF)


def where_the_dialects_differ() -> pd.DataFrame:
    """W: sale_no values that are blank to str.strip() (TRIM differs: Spark trims spaces only,
    DuckDB also U+3000 but not a tab), and two that are not but start with whitespace (past
    the first-character shortcut of figures.non_blank); P: a tiny open amount times its days overdue (Spark
    cuts DECIMAL(29,12) x DECIMAL(10,0) to 10 decimals); R: an average of 3/640 = 0.0046875
    days late (ROUND of a DOUBLE: DuckDB 0.004687, Spark 0.004688)."""
    day = pd.Timestamp("2026-05-01")
    later = {n: day + pd.Timedelta(days=n) for n in (10, 30, 33)}
    rows = [
        *[
            ("W", day, 10.0, s, None, None, None)
            for s in ("\t", "\t", "\u3000", "\u3000", "\xa0\n", "S1", "S1", " S2", "\tS2")
        ],
        (
            "P",
            AS_OF - pd.Timedelta(days=40),
            0.000001,
            None,
            AS_OF - pd.Timedelta(days=36),
            AS_OF - pd.Timedelta(days=30),
            0.000001 / 3,
        ),
        ("R", day, 639.0, "R1", later[30], later[10], None),
        ("R", day, 1.0, "R2", later[30], later[33], None),
    ]
    columns = ["customer_id", "date", "amount", "sale_no", "due_date", "paid_date", "paid_amount"]
    return frames.prepare_ledger(pd.DataFrame(rows, columns=columns))


def order_counts(ledger: pd.DataFrame) -> pd.Series:
    """Rule 5 of xlgrade.engine.frames stated in pandas: orders per customer, distinct sale_no
    where present (blank after stripping counts as absent), one per line otherwise."""
    has_no = ledger["sale_no"].notna() & (ledger["sale_no"].astype(str).str.strip() != "")
    distinct = ledger[has_no].groupby("customer_id")["sale_no"].nunique()
    loose = ledger[~has_no].groupby("customer_id").size()
    return distinct.add(loose, fill_value=0).astype("int64")


def test_duckdb_counts_blank_sale_numbers_as_pandas_strips_them():
    got = DuckDBEngine().figures(LedgerSource("frame", frame=where_the_dialects_differ()), RULES, AS_OF)
    w = got.set_index("customer_id").loc["W"]
    assert w["threshold_orders"] == 8  # five blank sale_no lines, one each, S1 once, " S2" and "\tS2"
    assert w["threshold_orders"] == order_counts(where_the_dialects_differ())["W"]


def test_spark_and_duckdb_agree_where_the_dialects_differ(spark):
    source = LedgerSource("frame", frame=where_the_dialects_differ())
    got = sparkfigures.SparkEngine(spark).figures(source, RULES, AS_OF).set_index("customer_id")
    want = DuckDBEngine().figures(source, RULES, AS_OF).set_index("customer_id")
    pd.testing.assert_frame_equal(got, want)
    assert got.at["W", "threshold_orders"] == 8
    # (0.000000333333 x 6 days late + 0.000000666667 x 36 days overdue) / 0.000001, to 6 decimals
    assert got.at["P", "credit_avg_days_late"] == 26.00001
    assert got.at["R", "credit_avg_days_late"] == 0.004688  # 0.0046875, half up


def test_grade_engine_spark_prints_what_duckdb_prints(spark, tmp_path, capsys):
    from xlgrade.cli import main

    lines = ledger()
    out = lines.rename(columns={**HEADERS, "paid_date": "回收日期", "due_date": "应收日期"})
    for col in ("日期", "回收日期", "应收日期"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out[["客户编号", "日期", "金额", "销售序号", "应收日期", "回收日期"]].to_csv(tmp_path / "ledger-1.csv", index=False)
    for method in ("threshold", "credit"):
        args = [
            "grade",
            str(tmp_path / "ledger-*.csv"),
            "--method",
            method,
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ]
        assert main([*args, "--engine", "duckdb"]) == 0
        duck = capsys.readouterr()
        assert main([*args, "--engine", "spark"]) == 0
        mine = capsys.readouterr()
        assert mine.out == duck.out and '"customer_id": "C1"' in mine.out, method
        assert mine.err == duck.err  # the same notes: C4's line after the as-of date
