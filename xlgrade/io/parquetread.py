"""Parquet ledgers as tables: a ``.parquet`` file, or a folder of them, read through DuckDB.

Rules of this module:

1. DuckDB (a core dependency: every grade runs the figure SQL on it) reads the file; in an
   installation without it the command stops with one line saying what to install.
2. A folder is every ``*.parquet`` file in it and its sub-folders (as Hive-partitioned
   exports lay them out), read as one table with columns matched by name; a folder with
   none is refused.
3. Column names are the header: Chinese, English, keys or aliases, as for every table.
   Parquet columns are already typed (numbers, timestamps, text), so the column-wise paths
   of :mod:`xlgrade.normalize` take them; text in a number or date column is parsed and
   reported cell by cell as in a workbook.
4. Row numbers in issues are record numbers counted from 2, as if the column names were
   row 1, in the order DuckDB reads the files (file by file, in name order).
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from pathlib import Path
from types import ModuleType
from typing import Any

from xlgrade.errors import InputError, MissingExtraError, MissingFileError
from xlgrade.normalize import Normalized, normalize
from xlgrade.schema.model import Sheet

PARQUET_SUFFIXES = (".parquet", ".parq")


def duckdb_module() -> ModuleType:
    """The duckdb module, or the one-line error that says how to install it (rule 1)."""
    try:
        import duckdb
    except ImportError:
        raise MissingExtraError(
            "xlgrade needs DuckDB, which is not installed: pip install duckdb (xlgrade 需要 DuckDB:请安装 duckdb)"
        ) from None
    return duckdb


def connect(database: str = ":memory:", *, read_only: bool = False) -> Any:
    """A DuckDB connection; its progress bar only where a person watches stderr (a terminal):
    piped into a log or the add-ins' job window, its redrawn English line is only noise."""
    con = duckdb_module().connect(database, read_only=read_only)
    if not sys.stderr.isatty():
        con.execute("SET enable_progress_bar = false")
    return con


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files ``path`` names: itself, or those under the folder (rule 2)."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in PARQUET_SUFFIXES and p.is_file())
        if not found:
            raise InputError("the folder holds no .parquet file (文件夹中没有 .parquet 文件)", source=str(path))
        return found
    return [path]


def read_parquet_table(
    path: Path, sheet: Sheet, *, allow_missing: Collection[str] = (), max_abs: float | None = None
) -> Normalized:
    """``sheet``'s table from a Parquet file or folder, normalised (see the module's rules)."""
    if not path.exists():
        raise MissingFileError(f"{path}: file not found (找不到文件)")
    duckdb = duckdb_module()
    files = [str(p) for p in parquet_files(path)]
    con = connect()
    try:
        raw = con.execute("select * from read_parquet(?, union_by_name = true)", [files]).df()
    except duckdb.Error as exc:
        detail = " ".join(str(exc).split())
        raise InputError(f"not a readable Parquet file: {detail} (Parquet 文件无法读取)", source=path.name) from None
    finally:
        con.close()
    return normalize(
        raw,
        sheet,
        source=path.name,
        first_row=2,
        header_row=1,
        allow_missing=allow_missing,
        max_abs=max_abs,
        text_cells=False,
    )
