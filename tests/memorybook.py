"""An in-memory Book: the monthly job's contract without any spreadsheet library."""

from __future__ import annotations

import pandas as pd

from xlgrade.engine import grade_choices
from xlgrade.engine.rules import RuleBook
from xlgrade.normalize import Normalized, normalize
from xlgrade.schema.model import Sheet


class MemoryBook:
    """Tables as raw frames (header texts as columns, as a sheet would hold them)."""

    def __init__(self, tables: dict[str, pd.DataFrame], *, rules: RuleBook | None = None, lang: str = "zh"):
        self.name = "memory.xlsx"
        self.lang = lang
        self.raw = dict(tables)  # sheet key -> raw frame with header texts
        self.rules = rules or RuleBook()
        self.written: dict[str, pd.DataFrame] = {}
        self.computed: dict[str, pd.DataFrame] = {}
        self.formulas: dict[str, dict] = {}
        self.summary = None
        self.notes: dict[str, list] = {}
        self.saves = 0
        self.backups = 0
        self.calls: list[str] = []
        # the lists sheet's columns the job sets, as a template made with ``rules`` holds them
        self.lists: dict[str, list] = {"grades": grade_choices(self.rules.general.method, self.rules, lang)}

    def read_table(self, sheet: Sheet) -> Normalized:
        self.calls.append(f"read:{sheet.key}")
        if sheet.key in self.written:  # derived tables read back what was written
            frame = self.written[sheet.key]
            raw = frame.rename(columns={c.key: c.header(self.lang) for c in sheet.columns})
        else:
            raw = self.raw.get(sheet.key, pd.DataFrame(columns=sheet.headers(self.lang)))
        return normalize(raw.astype(object), sheet, source=sheet.name(self.lang), first_row=2)

    def read_rules(self) -> RuleBook:
        return self.rules

    def write_table(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        assert sheet.kind == "derived", sheet.key
        assert list(frame.columns) == sheet.keys(), (sheet.key, list(frame.columns))
        self.calls.append(f"write:{sheet.key}")
        self.written[sheet.key] = frame.copy()

    def write_notes(self, sheet: Sheet, notes) -> None:
        assert sheet.key in self.written, sheet.key  # under the table just written
        self.calls.append(f"notes:{sheet.key}")
        self.notes[sheet.key] = list(notes)

    def write_computed(self, sheet: Sheet, frame: pd.DataFrame, formulas=None) -> None:
        keys = [c for c in frame.columns if c != "row"]
        assert all(sheet.column(k).computed for k in keys), keys
        assert set(formulas or {}) <= set(keys)
        self.calls.append(f"computed:{sheet.key}")
        self.computed[sheet.key] = frame.copy()
        self.formulas[sheet.key] = dict(formulas or {})

    def write_cards(self, tables) -> None:
        self.calls.append("cards")
        self.card_tables = dict(tables)

    def write_list(self, key: str, values) -> bool:
        self.calls.append(f"list:{key}")
        changed = self.lists.get(key) != list(values)
        self.lists[key] = list(values)
        return changed

    def write_summary(self, summary) -> None:
        self.calls.append("summary")
        self.summary = summary

    def typed_changes(self) -> list:
        """Typed cells changed by the run: none can be, write_computed only takes computed keys."""
        return []

    def summary_lines(self) -> list[str]:
        """The summary's title, subtitle and block titles, top to bottom."""
        if self.summary is None:
            return []
        return [self.summary.title, self.summary.subtitle, *(b.title for b in self.summary.blocks)]

    def set_as_of(self, as_of) -> None:
        self.calls.append("as_of")
        self.as_of = as_of

    def backup(self) -> str | None:
        self.backups += 1
        self.calls.append("backup")
        return f"backup-{self.backups}.xlsx"

    def save(self) -> None:
        self.calls.append("save")
        self.saves += 1
