"""Rule books in files: TOML, JSON, or a (key, value) table in .csv / .xlsx.

A table is either two plain columns (key, value), or laid out as the workbook's rules sheet
(``RULES_SHEET``: 规则 name, 值, 说明, 默认值 and the key column 键), recognised by its headers.
:func:`rule_pairs` is how both this reader and the workbook's (``FileBook.read_rules``) turn
such rows into (rule, value) pairs: the key column where a row has one, else the 规则 column,
which may hold the key (workbooks made before the names) or the rule's zh / en name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, MissingFileError
from xlgrade.schema.sheets import RULES_SHEET


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
    where = _sheet_layout(list(table.columns))
    if where is not None:
        return RuleBook.from_table(rule_pairs(table.values.tolist(), where))
    table = table.iloc[:, :2].set_axis(["key", "value"], axis=1)
    return RuleBook.from_table(table)


def _sheet_layout(headers: list[Any]) -> dict[str, int] | None:
    """Column positions by key when ``headers`` are the rules sheet's (a value column and a
    name or key column), else None (a plain two-column table)."""
    where: dict[str, int] = {}
    for i, cell in enumerate(headers):
        col = RULES_SHEET.match_header(cell) if str(cell).strip() else None
        if col is not None:
            where.setdefault(col.key, i)
    return where if "value" in where and ("name" in where or "key" in where) else None


def rule_pairs(rows: Sequence[Sequence[Any]], where: Mapping[str, int]) -> list[tuple[Any, Any]]:
    """(rule, value) of each row below a rules-sheet header whose columns are ``where``."""

    def cell(row: Sequence[Any], key: str) -> Any:
        i = where.get(key)
        return row[i] if i is not None and i < len(row) else None

    out = []
    for row in rows:
        key = cell(row, "key")
        out.append((key if not _blank(key) else cell(row, "name"), cell(row, "value")))
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def save_rules(book: RuleBook, path: str | Path) -> None:
    path = Path(path)
    text = book.to_json() if path.suffix.lower() == ".json" else book.to_toml()
    path.write_text(text, encoding="utf-8")
