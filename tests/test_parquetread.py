"""Parquet ledgers (issue 12 item 3): a file or a folder of files, graded as the same CSV is."""

from __future__ import annotations

import builtins
import csv
from pathlib import Path

import pandas as pd
import pytest

from xlgrade.cli import main
from xlgrade.errors import InputError, MissingExtraError, MissingFileError
from xlgrade.io import parquetread
from xlgrade.io.tables import read_table
from xlgrade.schema.sheets import LEDGER

duckdb = pytest.importorskip("duckdb")

LEDGER_ROWS = [
    ("C001", "2026-03-05", 1200.0, 3.0),
    ("C001", "2026-04-01", 80000.0, 1.0),
    ("C002", "2026-03-06", 300.5, None),
    ("C003", "2026-05-07", 12.0, 2.0),
    ("C002", "2026-09-30", 15000.0, 4.0),
]


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"copy frame to '{path}' (format parquet)")
    con.close()


def frame(rows=LEDGER_ROWS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "客户编号": [r[0] for r in rows],
            "提货日期": pd.to_datetime([r[1] for r in rows]),
            "货物价款": [r[2] for r in rows],
            "提货量": [r[3] for r in rows],
        }
    )


def test_a_parquet_ledger_is_typed_and_numbered(tmp_path):
    path = tmp_path / "ledger.parquet"
    write_parquet(frame(), path)
    out = read_table(path, LEDGER)
    assert out.frame["customer_id"].tolist() == [r[0] for r in LEDGER_ROWS]
    assert out.frame["amount"].tolist() == [r[2] for r in LEDGER_ROWS]
    assert out.frame["date"].tolist() == [pd.Timestamp(r[1]) for r in LEDGER_ROWS]
    assert out.frame["row"].tolist() == [2, 3, 4, 5, 6]  # rule 4
    assert out.issues == []


def test_text_in_a_number_column_is_parsed_and_reported_by_row(tmp_path):
    f = frame().astype({"货物价款": object})
    f.loc[1, "货物价款"] = "8万"
    f.loc[3, "货物价款"] = "abc"
    path = tmp_path / "ledger.parquet"
    write_parquet(f, path)
    out = read_table(path, LEDGER)
    assert 80000.0 in out.frame["amount"].tolist()
    assert [(i.row, i.column, i.value) for i in out.issues] == [(5, "货物价款", "abc")]


def test_grade_of_parquet_file_and_folder_equals_grade_of_the_csv(tmp_path, capsys):
    csv_path = tmp_path / "ledger.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["客户编号", "提货日期", "货物价款", "提货量"])
        w.writerows([[c, d, a, "" if q is None else q] for c, d, a, q in LEDGER_ROWS])
    folder = tmp_path / "exports"
    (folder / "month=3").mkdir(parents=True)
    (folder / "month=9").mkdir()
    write_parquet(frame(LEDGER_ROWS[:4]), folder / "month=3" / "part-0.parquet")
    write_parquet(frame(LEDGER_ROWS[4:]), folder / "month=9" / "part-0.parquet")
    single = tmp_path / "ledger.parquet"
    write_parquet(frame(), single)
    outputs = []
    for source in (csv_path, single, folder):
        assert main(["grade", str(source), "--as-of", "2026-10-31", "--format", "csv"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "C001" in outputs[0]


def test_refusals(tmp_path, monkeypatch):
    with pytest.raises(MissingFileError):
        read_table(tmp_path / "none.parquet", LEDGER)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_table(bad, LEDGER)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no .parquet file"):
        parquetread.read_parquet_table(empty, LEDGER)
    real_import = builtins.__import__

    def no_duckdb(name, *args, **kwargs):
        if name == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    with pytest.raises(MissingExtraError, match="pip install duckdb"):
        parquetread.duckdb_module()


def test_duckdb_draws_no_progress_bar_into_a_pipe(monkeypatch):
    """Piped stderr (a log, the add-ins' job window) gets no redrawn English progress line."""
    from xlgrade.io.parquetread import connect

    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert connect().execute("select current_setting('enable_progress_bar')").fetchall() == [(False,)]
