"""Errors xlgrade raises on purpose.

Every error also subclasses the builtin a caller would naturally catch (``ValueError``,
``FileNotFoundError``), so code that knows nothing of xlgrade still handles it, and every
message names where the problem is: file or sheet, row, column and the offending value.
"""

from __future__ import annotations

from typing import Any


class XlgradeError(Exception):
    """Base class: the CLI turns any of these into a one-line message and exit status 2."""


class RuleError(XlgradeError, ValueError):
    """A rule-book entry is unknown, unparsable or inconsistent with another one."""

    def __init__(self, key: str, message: str, value: Any = None) -> None:
        self.key = key
        self.value = value
        shown = "" if value is None else f" (value {value!r})"
        super().__init__(f"rule {key}{shown}: {message}")


class InputError(XlgradeError, ValueError):
    """Input that cannot be graded at all (as opposed to single rows that are skipped)."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self.source, self.row, self.column, self.value = source, row, column, value
        where = [p for p in (source, f"row {row}" if row is not None else None,
                             f"column {column}" if column else None) if p]
        shown = "" if value is None else f": value {value!r}"
        prefix = ", ".join(where)
        super().__init__(f"{prefix}{shown}: {message}" if prefix else f"{message}{shown}")


class MissingSheetError(InputError):
    """The workbook has no sheet of that name."""


class MissingFileError(XlgradeError, FileNotFoundError):
    """A file named on the command line or in a workbook does not exist."""


class RunLockedError(XlgradeError, PermissionError):
    """Another xlgrade run holds the workbook's lock (``.~xlgrade.<name>.lock``), or left one
    that is probably stale but cannot be taken over safely from this PC."""


class NotWritableError(XlgradeError, PermissionError):
    """The workbook, its folder or its backup folder cannot be written, so a run would fail
    half-way; refused before anything is computed or copied."""


class WriteFailedError(XlgradeError, OSError):
    """Writing a backup or the new workbook failed (disk full, access lost); nothing
    half-written was left behind and the workbook is as it was."""
