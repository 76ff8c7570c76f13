"""The small interface the monthly job needs from a workbook, whatever holds it.

:class:`Book` is what every book does. What only some books can do is a capability of its
own, a runtime-checkable Protocol the job tests with ``isinstance`` (so the job is typed and
the list of optional abilities is here, not scattered as attribute probes): a file book checks
its template (:class:`ChecksTemplate`), says where rule defaults stood in
(:class:`ReportsRuleDefaults`), appends History month by month (:class:`AppendsHistory`) and
finds Excel's references to the add-in (:class:`ChecksAddinReferences`); a book whose ledger
lines come from elsewhere says so (:class:`LedgerElsewhere`). A book without one gets the
job's general behaviour (no note; History read whole and written back merged).

Implementations: :class:`xlgrade.workbook.filebook.FileBook` (an .xlsx file on disk, read
with python-calamine, written part by part) and, later, the live Excel book through xlwings
and LibreOffice through UNO. The job never imports a spreadsheet library itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pandas as pd

from xlgrade.engine.rules import RuleBook
from xlgrade.issues import Issue
from xlgrade.job.outputs import Note, Summary
from xlgrade.normalize import Normalized
from xlgrade.schema.model import Sheet

if TYPE_CHECKING:
    from xlgrade.io.engines import LedgerSource


class Book(Protocol):
    name: str  # how messages name the workbook ("demo.xlsx")
    lang: str  # "zh" or "en": sheet names and headers of this workbook

    def read_table(self, sheet: Sheet) -> Normalized:
        """The sheet's table, normalised (input sheets, and History / Run log for appending)."""

    def read_rules(self) -> RuleBook:
        """The rules sheet as a rule book; raises RuleError naming the rule if it is inconsistent."""

    def write_table(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        """Replace the whole body of a derived sheet's table with ``frame`` (columns = sheet keys)."""

    def write_notes(self, sheet: Sheet, notes: Sequence[Note]) -> None:
        """Print ``notes`` under a derived sheet's table, just written by :meth:`write_table`
        (one blank row between, one line per note, in column A); the print area takes them in.
        A form's definitions and its sign-off line; the next :meth:`write_table` clears them."""

    def write_computed(
        self, sheet: Sheet, frame: pd.DataFrame, formulas: Mapping[str, str | None] | None = None
    ) -> None:
        """Write the computed columns of an input sheet.

        ``frame`` has a ``row`` column (sheet row numbers, as the reader reported them) and one
        column per computed key to write. Only those cells change; every typed cell stays.
        A cell that holds a formula keeps it and gets the value as the formula's cached result.
        ``formulas`` sets the formula of a column (a template of
        :func:`xlgrade.schema.formulas.render`, the values being its cached results), or with
        None leaves plain values there.
        """

    def write_cards(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Give every printable card's lookup cells the value they show for the card's current
        pick, as their cached results. ``tables`` maps a table name (``Customers``, ``Profiles``,
        ``Credit``, ``Complaints``) to its rows, columns named by column key, as this run leaves them."""

    def write_list(self, key: str, values: Sequence[str]) -> bool:
        """Make the drop-down list ``key`` of the lists sheet hold exactly ``values`` (the 等级
        list follows the rules' method); True if it changed. No other list and no typed cell
        elsewhere changes; a workbook without that list is left alone."""

    def write_summary(self, summary: Summary) -> None:
        """Lay out the summary blocks and their charts on the summary sheet."""

    def set_as_of(self, as_of: pd.Timestamp) -> None:
        """Record the evaluation date, from which the live formulas count their window."""

    def backup(self) -> str | None:
        """Where a copy of the workbook as it is, before this run writes, is kept (or None); a
        file book writes that copy only when it saves, so a run that fails leaves none."""

    def save(self) -> str | None:
        """Make every write permanent, all at once: a failure leaves the workbook as it was.
        Returns where the backup made before the write is (None: no backup)."""


@runtime_checkable
class ChecksTemplate(Protocol):
    def template_issues(self) -> list[Issue]:
        """Notes (or refusals, when a sheet or column the run writes is missing) for a book made
        from an older template, saying to run ``xlgrade upgrade BOOK``."""


@runtime_checkable
class ReportsRuleDefaults(Protocol):
    rule_issues: list[Issue]  # after read_rules: where defaults stood in for missing or blank rules


@runtime_checkable
class AppendsHistory(Protocol):
    def read_history_before(self, month: pd.Period) -> Normalized:
        """History's latest month before ``month`` (the only one the job compares with)."""

    def write_history(self, current: pd.DataFrame) -> None:
        """Store ``current`` (one month's rows) as its month, every other month kept as stored."""


@runtime_checkable
class ChecksAddinReferences(Protocol):
    def addin_references(self) -> list[Issue]:
        """Notes for cells that call the add-in by a reference this install cannot answer."""


@runtime_checkable
class LedgerElsewhere(Protocol):
    ledger_source: LedgerSource  # recalc --ledger: the lines are not the ledger sheet's
