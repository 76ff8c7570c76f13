"""A problem found in input: where it is, what was there, and what xlgrade did about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlgrade.engine.text import in_lang

# What happened to the row: it was left out of grading, or used with one value ignored.
SKIPPED, IGNORED, NOTE = "skipped", "ignored", "note"


@dataclass(frozen=True)
class Issue:
    source: str  # file name or sheet name, as the person knows it
    row: int | None  # row number as seen in the file / sheet (header row included)
    column: str | None  # column header as written in the input
    value: Any  # the raw value, unchanged
    reason: str  # English
    reason_zh: str  # Chinese
    action: str = SKIPPED

    def message(self, lang: str = "en") -> str:
        where = ", ".join(
            p
            for p in (
                self.source,
                f"row {self.row}" if self.row is not None else None,
                f"column {self.column}" if self.column else None,
            )
            if p
        )
        value = "" if self.value is None else f" {self.value!r}"
        return f"{where}:{value} {self.reason_in(lang)} ({self.action})"

    def reason_in(self, lang: str) -> str:
        """The reason in ``lang`` (zh or en)."""
        return in_lang(lang, self.reason_zh, self.reason)
