"""Every error xlgrade raises on purpose, in one place.

All derive from :class:`XlgradeError` (the CLI turns any of them into one line and exit
status 2), and each also subclasses the builtin a caller would naturally catch
(``ValueError``, ``FileNotFoundError``, ``PermissionError``, ``RuntimeError``), so code that
knows nothing of xlgrade still handles it. Messages name where the problem is: file or
sheet, row, column and the offending value.

Two error classes live elsewhere on purpose and derive from ``ValueError`` only:
:class:`xlgrade.cells.model.CellValueError` and ``ArgumentError`` of
``xlgrade/addins/lo/oxt/xlgradeaddin.py``. Those modules are copied into LibreOffice's own
Python with the extension, so they must import nothing but the standard library (and
nothing of xlgrade, this module included). :class:`UdfError`, the Excel side's form of a
``CellValueError``, is here.
"""

from __future__ import annotations

from typing import Any

from xlgrade.cells.model import CellValueError


class XlgradeError(Exception):
    """Base class: the CLI turns any of these into a one-line message and exit status 2.

    An error may carry its Chinese text (``zh``); :meth:`text` is the message in a language:
    the CLI says it in the language of the workbook the command works on (or ``--lang``).
    Without a Chinese text, or with the language unknown, it is ``str(error)``."""

    def with_zh(self, zh: str) -> XlgradeError:
        """This error with its Chinese text (returned, to ``raise X(...).with_zh(...)``)."""
        self.__dict__["zh"] = zh
        return self

    def text(self, lang: str | None) -> str:
        zh = getattr(self, "zh", None)
        return zh if lang == "zh" and isinstance(zh, str) and zh else str(self)


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
        zh: str | None = None,
    ) -> None:
        self.source, self.row, self.column, self.value = source, row, column, value
        where = [
            p for p in (source, f"row {row}" if row is not None else None, f"column {column}" if column else None) if p
        ]
        shown = "" if value is None else f": value {value!r}"
        prefix = ", ".join(where)
        super().__init__(f"{prefix}{shown}: {message}" if prefix else f"{message}{shown}")
        if zh is not None:
            where_zh = [
                p
                for p in (source, f"第 {row} 行" if row is not None else None, f"“{column}”列" if column else None)
                if p
            ]
            shown_zh = "" if value is None else f":值 {value!r}"
            prefix_zh = ",".join(where_zh)
            self.with_zh(f"{prefix_zh}{shown_zh}:{zh}" if prefix_zh else f"{zh}{shown_zh}")


class MissingSheetError(InputError):
    """The workbook has no sheet of that name."""


class MissingFileError(XlgradeError, FileNotFoundError):
    """A file named on the command line or in a workbook does not exist."""


class FolderNotFileError(XlgradeError, IsADirectoryError):
    """A folder was given where a workbook file is wanted (or a new one is to be written)."""


# ---- reading cells ----------------------------------------------------------------------------
class ParseError(XlgradeError, ValueError):
    """A cell that cannot be read as its column's type; ``reason`` (en) and ``reason_zh``."""

    def __init__(self, reason: str, reason_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh


# ---- workbook files ----------------------------------------------------------------------------
class PackageError(XlgradeError, ValueError):
    """The workbook file cannot be read or edited as asked."""


class DamagedSheetError(PackageError):
    """A sheet of the workbook cannot be read (its XML is cut off or not XML); the message
    names the sheet and says to open and re-save the file in the spreadsheet, or restore a
    backup."""


class OversizedPartError(PackageError):
    """A part, or the package as a whole, would inflate beyond xlgrade's limits (a zip bomb?):
    refused before it is inflated (:mod:`xlgrade.workbook.ziplimits`)."""


class CorruptPartError(PackageError):
    """A part of the package is damaged: bad CRC, truncated data or XML, unknown compression."""


class EncryptedWorkbookError(PackageError):
    """The workbook is password-protected (an encrypted OLE2 container, not a zip package)."""


class WorkbookLockedError(XlgradeError, PermissionError):
    """The workbook is open in another program."""


class RunLockedError(XlgradeError, PermissionError):
    """Another xlgrade run holds the workbook's lock (``.~xlgrade.<name>.lock``), or left one
    that is probably stale but cannot be taken over safely from this PC."""


class NotWritableError(XlgradeError, PermissionError):
    """The workbook, its folder or its backup folder cannot be written, so a run would fail
    half-way; refused before anything is computed or copied."""


class WriteFailedError(XlgradeError, OSError):
    """Writing a backup or the new workbook failed (disk full, access lost); nothing
    half-written was left behind and the workbook is as it was."""


class OutputExistsError(XlgradeError, FileExistsError):
    """The file a command would write already exists and ``--force`` was not given."""


class PersonalDataLeftError(XlgradeError, RuntimeError):
    """A masked copy would still hold an original personal value (``xlgrade export-masked``):
    the copy is not written; the message names the part."""


# ---- LibreOffice (xlgrade.lo) ----------------------------------------------------------------------
class LibreOfficeError(XlgradeError, RuntimeError):
    """LibreOffice or the worker failed; the message says what and carries stderr."""


class LibreOfficeUnavailable(LibreOfficeError):
    """soffice or /usr/bin/python3 with uno is missing."""


class LibreOfficeTimeout(LibreOfficeError):
    """soffice did not start, or a command did not answer, in time (everything was killed)."""


class CommandError(LibreOfficeError):
    """A command failed inside the worker (bad sheet name, unreadable file, a UNO exception).

    The instance stays usable.
    """

    def __init__(self, message: str, kind: str = "", remote_traceback: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.remote_traceback = remote_traceback


# ---- the add-ins (xlgrade.addins) ------------------------------------------------------------------
class BuildError(XlgradeError, RuntimeError):
    """The xlwings add-in template is not what the build expects (another xlwings version?)."""


class OvbaError(XlgradeError, ValueError):
    """A VBA project is not laid out as [MS-OVBA] says, or a new name is not a VBA name."""


class BuildToolMissing(XlgradeError, FileNotFoundError):
    """unoidl-write (or the types.rdb it compiles against) is not installed."""


class IdlCompileError(XlgradeError, RuntimeError):
    """unoidl-write rejected the generated IDL."""


class ServerUnreachableError(XlgradeError, ConnectionError):
    """A server the settings name does not answer (``SPARK_REMOTE``'s Spark Connect server):
    said at once, before a client would retry for minutes."""


class NoFigureRunnerError(XlgradeError, RuntimeError):
    """The engine was asked for figures with no SQL runner handed to it (``run=``) or
    installed (``xlgrade.io.duckfigures.install()``): a mistake of the calling program, said
    with what to do."""


class MissingExtraError(XlgradeError, ImportError):
    """An optional part of xlgrade is not installed (e.g. pyspark for ``--engine spark``: ``xlgrade[spark]``)."""


class InstallError(XlgradeError, RuntimeError):
    """An add-in cannot be installed or removed here (LibreOffice missing, not Windows, a
    failed unopkg ...); the message says what to do."""


class LibreOfficeTooOld(InstallError):
    """The installed LibreOffice is older than 25.2."""


class UdfError(XlgradeError, CellValueError):
    """A cell function refused Excel's arguments; ``str()`` is the cell's text ``#VALUE! ...``."""

    def __init__(self, error: CellValueError) -> None:
        super().__init__(f"#VALUE! {error.en}", zh=f"#VALUE! {error.zh}")

    def __str__(self) -> str:
        return self.zh


class TemplateOutdatedError(InputError):
    """The workbook was made from an older template and lacks a sheet or column the run needs:
    ``xlgrade upgrade BOOK`` adds it."""
