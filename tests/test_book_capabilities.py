"""The Book capabilities (xlgrade.job.book) each implementation has.

The job tests a capability with ``isinstance``; a method renamed on one side would silently
drop that ability (no History append, no template check), so this pins who has what."""

from __future__ import annotations

from pathlib import Path

import pytest
from memorybook import MemoryBook

from xlgrade.io.engines import LedgerSource
from xlgrade.io.ledgerbook import LedgerFromSource
from xlgrade.job.book import (
    AppendsHistory,
    Book,
    ChecksAddinReferences,
    ChecksTemplate,
    LedgerElsewhere,
    ReportsRuleDefaults,
)
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import build, save

CAPABILITIES = (ChecksTemplate, ReportsRuleDefaults, AppendsHistory, ChecksAddinReferences, LedgerElsewhere)


@pytest.fixture(scope="module")
def file_book(tmp_path_factory: pytest.TempPathFactory) -> FileBook:
    path = Path(tmp_path_factory.mktemp("cap")) / "book.xlsx"
    save(build("zh"), path)
    return FileBook(path)


def has(book: object) -> set[str]:
    return {c.__name__ for c in CAPABILITIES if isinstance(book, c)}


def test_a_file_book_has_every_capability_but_a_ledger_elsewhere(file_book: FileBook) -> None:
    assert has(file_book) == {"ChecksTemplate", "ReportsRuleDefaults", "AppendsHistory", "ChecksAddinReferences"}


def test_a_ledger_from_a_source_keeps_the_workbooks_and_says_where_its_lines_are(file_book: FileBook) -> None:
    book = LedgerFromSource(file_book, LedgerSource("parquet", "ledger.parquet"))
    assert has(book) == has(file_book) | {"LedgerElsewhere"}


def test_a_memory_book_is_a_plain_book() -> None:
    book: Book = MemoryBook({})
    assert has(book) == set()
