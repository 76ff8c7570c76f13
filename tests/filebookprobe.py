"""A :class:`~xlgrade.workbook.filebook.FileBook` watched like :class:`memorybook.MemoryBook`.

The monthly job's contract tests (``test_monthly.py``) look at what a book was asked to do
(``calls``, ``saves``, ``backups``) and at what it holds afterwards (``written``, ``computed``,
``formulas``, the summary). :class:`FileBookProbe` delegates every Book call to a real FileBook
on an .xlsx file and answers the second kind of question **from the file on disk**, read back
by a fresh FileBook (python-calamine) and by openpyxl (the formulas) -- never from the frames
the job passed in. So a test passing for both books shows the file holds what the contract
promises, not merely that the job called the right methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from python_calamine import CalamineWorkbook

from xlgrade.engine.rules import RuleBook
from xlgrade.job.outputs import Summary
from xlgrade.normalize import Normalized, find_header
from xlgrade.schema import formulas as formula_templates
from xlgrade.schema.model import INPUT, Sheet
from xlgrade.schema.sheets import SHEETS, SUMMARY_SHEET
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save


def file_book_of(
    path: Path, tables: Mapping[str, pd.DataFrame], *, rules: RuleBook | None = None, lang: str = "zh"
) -> FileBookProbe:
    """An xlgrade workbook (the template, ``lang``) whose input tables hold ``tables``.

    ``tables`` are raw frames as :class:`MemoryBook` takes them (header texts as columns,
    values as typed, text such as "3/5/2026" included); ``rules`` go into the rules sheet.
    """
    data: dict[str, pd.DataFrame] = {}
    for key, raw in tables.items():
        sheet = SHEETS[key]
        data[key] = raw.rename(columns={c.header(lang): c.key for c in sheet.columns})
    save(build(lang, InputData(**data), rules=rules), path)
    return FileBookProbe(path)


def set_rule(path: Path, key: str, value: Any) -> None:
    """Staff type ``value`` into the rules sheet's value cell of rule ``key`` (the row whose
    hidden key column holds it); only that cell of the file changes."""
    from xlgrade.schema.sheets import RULES_SHEET, language_of
    from xlgrade.workbook.cellxml import Cell
    from xlgrade.workbook.package import Package

    pkg = Package(path)
    name = RULES_SHEET.name(language_of(pkg.sheet_names()))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    keys, value_col = RULES_SHEET.keys(), RULES_SHEET.keys().index("value") + 1
    row = next(i for i, r in enumerate(rows, start=1) if len(r) >= len(keys) and r[len(keys) - 1] == key)
    pkg.set_cells(name, {(row, value_col): Cell(value, None)}, keep_styles=True)
    pkg.save()


class FileBookProbe:
    """Every Book method goes to the FileBook; the observations are read back from the file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.book = FileBook(self.path)
        self.name = self.book.name
        self.lang = self.book.lang
        self.calls: list[str] = []
        self.saves = 0
        self.backups = 0
        self._written: dict[str, Sheet] = {}  # sheet key -> the declaration it was written with
        self._computed: dict[str, list[str]] = {}  # sheet key -> the computed keys written
        self._typed = self._typed_cells()  # the input sheets' typed cells, before any write

    # ---- the Book protocol, delegated ------------------------------------------------------------
    def read_table(self, sheet: Sheet) -> Normalized:
        self.calls.append(f"read:{sheet.key}")
        return self.book.read_table(sheet)

    def read_rules(self) -> RuleBook:
        return self.book.read_rules()

    def write_table(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        self.calls.append(f"write:{sheet.key}")
        self._written[sheet.key] = sheet
        self.book.write_table(sheet, frame)

    def write_notes(self, sheet: Sheet, notes) -> None:
        self.calls.append(f"notes:{sheet.key}")
        self.book.write_notes(sheet, notes)

    def write_computed(
        self, sheet: Sheet, frame: pd.DataFrame, formulas: Mapping[str, str | None] | None = None
    ) -> None:
        self.calls.append(f"computed:{sheet.key}")
        self._computed[sheet.key] = [c for c in frame.columns if c != "row"]
        self.book.write_computed(sheet, frame, formulas)

    def write_cards(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.calls.append("cards")
        self.book.write_cards(tables)

    def write_list(self, key: str, values: Sequence[str]) -> bool:
        self.calls.append(f"list:{key}")
        return self.book.write_list(key, values)

    def write_summary(self, summary: Summary) -> None:
        self.calls.append("summary")
        self.book.write_summary(summary)

    def set_as_of(self, as_of: pd.Timestamp) -> None:
        self.calls.append("as_of")
        self.book.set_as_of(as_of)

    def addin_references(self) -> list:
        return self.book.addin_references()

    def backup(self) -> str | None:
        self.backups += 1
        self.calls.append("backup")
        return self.book.backup()

    def save(self) -> None:
        self.calls.append("save")
        self.saves += 1
        self.book.save()

    # ---- what the file holds ---------------------------------------------------------------------
    @property
    def written(self) -> dict[str, pd.DataFrame]:
        """Each derived table written, as a fresh reader finds it in the file (columns = keys)."""
        disk = FileBook(self.path)
        out = {}
        for key, sheet in self._written.items():
            if "row" in sheet.keys():
                # The reader's own ``row`` column (the sheet row) replaces a declared column of that
                # name (Validation's "row": the row an issue is about), so read those sheets raw.
                out[key] = self._raw_table(sheet, disk.sheet_name(sheet))
            else:
                out[key] = disk.read_table(sheet).frame[sheet.keys()].reset_index(drop=True)
        return out

    def _raw_table(self, sheet: Sheet, name: str) -> pd.DataFrame:
        rows = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_name(name).to_python()
        header = [sheet.match_header(h) for h in rows[0]]
        body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
        frame = pd.DataFrame(
            [[v if v != "" else None for v in r] for r in body],
            columns=[c.key if c is not None else f"?{i}" for i, c in enumerate(header)],
        )
        return frame.reindex(columns=sheet.keys())

    @property
    def computed(self) -> dict[str, pd.DataFrame]:
        """The computed columns written to each input sheet, read back with their sheet rows."""
        disk = FileBook(self.path)
        return {
            key: disk.read_table(SHEETS[key]).frame[["row", *keys]].reset_index(drop=True)
            for key, keys in self._computed.items()
        }

    @property
    def formulas(self) -> dict[str, dict[str, str | None]]:
        """Per computed column: the formula template whose rendering every data cell holds
        (read with openpyxl), None for plain values, else the set of formulas found."""
        wb = openpyxl.load_workbook(self.path)
        out: dict[str, dict[str, Any]] = {}
        for key, keys in self._computed.items():
            sheet = SHEETS[key]
            ws = wb[self.book.sheet_name(sheet)]
            headers = [c.value for c in ws[1]]
            rows = list(ws.iter_rows(min_row=2, max_row=ws.max_row))
            found: dict[str, Any] = {}
            for k in keys:
                col = sheet.column(k)
                template = col.formula
                texts = {r[headers.index(col.header(self.lang))].value for r in rows}
                texts.discard(None)
                if not any(isinstance(t, str) and t.startswith("=") for t in texts):
                    continue  # plain values: not in the mapping
                if template and texts == {formula_templates.render(template, sheet, self.lang)}:
                    found[k] = template
                else:
                    found[k] = texts
            out[key] = found
        return out

    def _typed_cells(self) -> dict[tuple[str, int, int], Any]:
        """{(sheet, row, column): value} of every cell of the input sheets outside computed columns."""
        wb = CalamineWorkbook.from_path(str(self.path))
        out: dict[tuple[str, int, int], Any] = {}
        for sheet in SHEETS.values():
            if sheet.kind != INPUT or sheet.name(self.lang) not in wb.sheet_names:
                continue
            rows = wb.get_sheet_by_name(sheet.name(self.lang)).to_python()
            # the header row: row 1, or below a form's head (the 顾客档案分析表)
            top = find_header(rows, sheet, source=sheet.key, allow_missing=sheet.keys()) if rows else 0
            computed = {
                i
                for i, h in enumerate(rows[top] if rows else [])
                if (col := sheet.match_header(h)) is not None and col.computed
            }
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if c not in computed and value not in ("", None):
                        out[(sheet.key, r + 1, c + 1)] = value
        return out

    def typed_changes(self) -> list[tuple[str, int, int]]:
        """Typed cells of the input sheets whose value is not what it was before the run."""
        now = self._typed_cells()
        return sorted(k for k in set(self._typed) | set(now) if self._typed.get(k) != now.get(k))

    def summary_lines(self) -> list[str]:
        """The texts of column A of the summary sheet, top to bottom (title first)."""
        wb = CalamineWorkbook.from_path(str(self.path))
        rows = wb.get_sheet_by_name(self.book.sheet_name(SUMMARY_SHEET)).to_python()
        return [str(r[0]) for r in rows if r and r[0] not in (None, "")]

    @property
    def summary(self) -> list[list[Any]]:
        """Everything the summary sheet shows (cell values, row by row)."""
        wb = CalamineWorkbook.from_path(str(self.path))
        return wb.get_sheet_by_name(self.book.sheet_name(SUMMARY_SHEET)).to_python()
