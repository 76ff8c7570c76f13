"""Rule books in files: TOML, JSON, or a two-column (key, value) table in .csv / .xlsx."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, MissingFileError


def load_rules(path: str | Path) -> RuleBook:
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"{path}: no such rules file")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return RuleBook.from_toml(path.read_text(encoding="utf-8-sig"))
    if suffix == ".json":
        return RuleBook.from_json(path.read_text(encoding="utf-8-sig"))
    if suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        from xlgrade.workbook import ziplimits

        ziplimits.check_file(path)  # calamine inflates in Rust, trusting the zip headers
        try:
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # calamine raises several unrelated types for broken files
            detail = " ".join(str(exc).split())
            raise InputError(
                f"cannot read the rules workbook: {detail} (无法读取规则工作簿)", source=str(path)
            ) from None
        table = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]]) if rows else pd.DataFrame()
    else:
        raise InputError("rules files must be .toml, .json, .csv or .xlsx", source=str(path))
    if table.shape[1] < 2:
        raise InputError("a rules table needs two columns: key and value", source=str(path), row=1)
    table = table.iloc[:, :2].set_axis(["key", "value"], axis=1)
    return RuleBook.from_table(table)


def save_rules(book: RuleBook, path: str | Path) -> None:
    path = Path(path)
    text = book.to_json() if path.suffix.lower() == ".json" else book.to_toml()
    path.write_text(text, encoding="utf-8")
