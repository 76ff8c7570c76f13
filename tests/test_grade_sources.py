"""``xlgrade grade SOURCE`` beyond one workbook (README: ledgers beyond one workbook): Parquet,
a CSV glob, a DuckDB database and ``--sql`` give the grades the CSV ledger gives, with the
figures computed inside DuckDB; bad sources end in one line; ``recalc --ledger``."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from xlgrade.cli import main
from xlgrade.engine import METHODS

duckdb = pytest.importorskip("duckdb")

ROWS = [
    # customer, sale no, date, amount, quantity, profit, paid amount, paid date, due date, region
    ("C001", "S1", "2026-03-05", 16666.666666666668, 3.0, 100.0, None, "2026-04-01", None, "华东"),
    ("C001", "S2", "2026-04-01", 16666.666666666668, 1.0, 50.0, 5000.0, "2026-05-20", "2026-04-30", "华东"),
    ("C001", "S3", "2026-04-02", 16666.666666666668, 2.0, 80.0, None, None, None, "华东"),
    ("C001", "S4", "2026-05-02", 16666.666666666668, 2.0, 80.0, None, "2026-05-03", None, "华东"),
    ("C001", "S5", "2026-06-02", 16666.666666666668, 2.0, 80.0, None, None, None, "华东"),
    ("C001", "S6", "2026-07-02", 16666.666666666668, 2.0, 80.0, None, "2026-07-03", None, "华东"),
    ("C002", None, "2026-03-06", 300.5, None, 12.0, None, None, None, "华北"),
    ("C002", None, "2026-03-06", -100.0, None, -4.0, None, None, None, "华北"),
    ("C003", "S9", "2026-05-07", 12000.0, 2.0, 900.0, 12000.0, "2026-09-30", "2026-06-06", "华南"),
    ("C002", "S10", "2026-09-30", 15000.0, 4.0, 600.0, None, None, None, "华北"),
    ("C004", "S11", "2025-09-30", 90000.0, 9.0, 6000.0, None, "2025-10-15", None, "华南"),
]
HEADERS = ["客户编号", "销售序号", "提货日期", "货物价款", "提货量", "毛利", "货款回收", "回收日期", "应收日期", "区域"]
DATES = ("提货日期", "回收日期", "应收日期")


def ledger_frame(rows=ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=HEADERS)
    for col in DATES:
        frame[col] = pd.to_datetime(frame[col])
    return frame


def write_csv(path: Path, rows=ROWS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows([["" if v is None else repr(v) if isinstance(v, float) else v for v in r] for r in rows])
    return path


def write_duckdb(path: Path, frame: pd.DataFrame, table: str = "ledger") -> Path:
    con = duckdb.connect(str(path))
    con.register("frame", frame)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
    con.close()
    return path


def write_parquet(path: Path, frame: pd.DataFrame) -> Path:
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    con.close()
    return path


def graded(capsys, source, *extra) -> str:
    assert main(["grade", str(source), "--as-of", "2026-10-31", "--format", "csv", *extra]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("method", list(METHODS))
def test_every_source_grades_as_the_csv_ledger(tmp_path, capsys, method):
    reference = graded(capsys, write_csv(tmp_path / "ledger.csv"), "--method", method)
    parts = tmp_path / "exports"
    parts.mkdir()
    write_csv(parts / "a.csv", ROWS[:5])
    write_csv(parts / "b.csv", ROWS[5:])
    sources = [
        write_parquet(tmp_path / "ledger.parquet", ledger_frame()),
        write_duckdb(tmp_path / "erp.duckdb", ledger_frame()),
        f"{parts}/*.csv",
    ]
    for source in sources:
        assert graded(capsys, source, "--method", method) == reference, source
    assert "C001" in reference


def test_sql_selects_the_lines(tmp_path, capsys):
    db = write_duckdb(tmp_path / "erp.duckdb", ledger_frame())
    east = graded(capsys, db, "--sql", "select * from ledger where 区域 = '华东'")
    assert "C001" in east and "C002" not in east
    # the query may rename columns too; the result's headers are matched as a sheet's
    renamed = graded(
        capsys, db, "--sql", "select 客户编号 as customer_id, 提货日期 as date, 货物价款 as 金额 from ledger"
    )
    assert "C002" in renamed


def test_lines_not_counted_are_said(tmp_path, capsys):
    rows = [*ROWS, (None, "S99", "2026-03-01", 5.0, None, None, None, None, None, "华东")]
    db = write_duckdb(tmp_path / "erp.duckdb", ledger_frame(rows))
    assert main(["grade", str(db), "--as-of", "2026-06-30", "--format", "csv", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "1 line(s) without a customer id are not counted" in err
    assert "2 line(s) dated after the as-of date 2026-06-30 are not counted" in err
    assert main(["grade", str(db), "--as-of", "2026-06-30", "--format", "csv"]) == 0
    assert "1 行没有客户编号,未计入" in capsys.readouterr().err  # zh, as --lang says


def test_bad_sources_end_in_one_line(tmp_path, capsys):
    db = write_duckdb(tmp_path / "erp.duckdb", ledger_frame())
    other = write_duckdb(tmp_path / "other.duckdb", ledger_frame(), table="sales")
    cases = [
        ([str(other)], "the database has no table ledger; its tables are: sales"),
        ([str(db), "--sql", "selec * from ledger"], "the --sql query failed"),
        ([str(db), "--sql", "select * from nowhere"], "no such table or column"),
        ([str(db), "--sql", "select 客户编号, 提货日期 from ledger"], "the ledger lacks the column Amount (amount)"),
        (
            [str(db), "--sql", "select 客户编号, 提货日期, 区域 as 货物价款 from ledger"],
            "a value is not a number or a date",
        ),
        (
            [str(db), "--method", "scorecard", "--sql", "select 客户编号, 提货日期, 货物价款 from ledger"],
            "needs a quantity",
        ),
        ([f"{tmp_path}/none-*.csv"], "no file matches"),
        ([str(tmp_path / "missing.duckdb")], "file not found"),
    ]
    for args, expected in cases:
        assert main(["grade", *args, "--as-of", "2026-10-31"]) == 2, args
        err = capsys.readouterr().err
        assert expected in err, (args, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_a_missing_column_is_named_in_chinese_too(tmp_path):
    from xlgrade.errors import InputError
    from xlgrade.io.duckfigures import DuckDBEngine
    from xlgrade.io.engines import source_of

    db = write_duckdb(tmp_path / "erp.duckdb", ledger_frame()[["客户编号", "提货日期"]])
    with pytest.raises(InputError) as caught:
        DuckDBEngine().describe(source_of(str(db)), pd.Timestamp("2026-10-31"))
    assert "台账缺少列 货物价款" in caught.value.text("zh")


def test_recalc_takes_its_ledger_from_a_source(tmp_path, capsys):
    from xlgrade.schema.sheets import HISTORY, LEDGER
    from xlgrade.workbook.filebook import FileBook

    book = tmp_path / "a.xlsx"
    assert main(["new", str(book)]) == 0
    source = write_parquet(tmp_path / "ledger.parquet", ledger_frame())
    expected = graded(capsys, source)  # threshold, as of 2026-10-31
    assert main(["recalc", str(book), "--month", "2026-10", "--ledger", str(source)]) == 0
    assert "ledger.parquet" in capsys.readouterr().err  # the note: lines from the source, the sheet as typed
    history = FileBook(book).read_table(HISTORY).frame
    grades = dict(zip(history["customer_id"], history["grade"]))
    assert set(grades) == {"C001", "C002", "C003", "C004"}
    for cid, grade in grades.items():
        assert f"{cid},{grade}," in expected.replace("\ufeff", "").replace("\r", "")
    assert FileBook(book).read_table(LEDGER).frame.empty  # the workbook's ledger sheet stays as it was


def test_sql_without_a_ledger_source_is_refused(tmp_path, capsys):
    book = tmp_path / "a.xlsx"
    assert main(["new", str(book)]) == 0
    capsys.readouterr()
    assert main(["recalc", str(book), "--sql", "select * from ledger"]) == 2
    assert "--sql 需要同时给出 --ledger 来源" in capsys.readouterr().err  # the workbook speaks zh
