"""xlgrade.errors: every error class in one module, each an XlgradeError and a builtin error."""

from __future__ import annotations

import inspect

import pytest

from xlgrade import errors
from xlgrade.cli import main
from xlgrade.errors import XlgradeError

BUILTINS = (ValueError, FileNotFoundError, PermissionError, RuntimeError, OSError, ImportError)


def _classes() -> list[type[BaseException]]:
    return [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, BaseException) and c.__module__ == errors.__name__
    ]


def test_every_error_is_an_xlgrade_error_and_a_builtin() -> None:
    found = _classes()
    assert len(found) >= 17
    for cls in found:
        assert issubclass(cls, XlgradeError), cls
        if cls is not XlgradeError:
            assert issubclass(cls, BUILTINS), cls


def test_the_old_import_places_give_the_same_classes() -> None:
    from xlgrade import parse
    from xlgrade.addins.excel import install as excel_install
    from xlgrade.addins.excel import udfs, xlam
    from xlgrade.addins.lo import idl
    from xlgrade.addins.lo import install as lo_install
    from xlgrade.lo import harness
    from xlgrade.workbook import filebook, sheetxml, xmlscan

    assert parse.ParseError is errors.ParseError
    assert sheetxml.PackageError is xmlscan.PackageError is errors.PackageError
    assert filebook.WorkbookLockedError is errors.WorkbookLockedError
    assert xlam.BuildError is errors.BuildError
    assert excel_install.InstallError is lo_install.InstallError is errors.InstallError
    assert idl.BuildToolMissing is errors.BuildToolMissing and idl.IdlCompileError is errors.IdlCompileError
    assert harness.LibreOfficeError is errors.LibreOfficeError and harness.CommandError is errors.CommandError
    assert udfs.UdfError is errors.UdfError


def test_stdlib_only_errors_stay_outside() -> None:
    from xlgrade.cells.model import CellValueError

    assert not issubclass(CellValueError, XlgradeError)
    assert issubclass(errors.UdfError, CellValueError)
    assert str(errors.UdfError(CellValueError("bad", zh="坏"))) == "#VALUE! 坏"


@pytest.mark.parametrize(
    "error",
    [
        errors.ParseError("is not a number", "不是数字"),
        errors.PackageError("book.xlsx: not an .xlsx workbook"),
        errors.LibreOfficeTimeout("soffice did not start"),
    ],
)
def test_cli_prints_one_line(
    error: XlgradeError, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(args: object) -> int:
        raise error

    import xlgrade.cli as cli

    monkeypatch.setattr(cli, "cmd_rules", boom)
    assert main(["rules"]) == 2
    assert capsys.readouterr().err == f"xlgrade: {error}\n"
