"""``xlgrade install / uninstall libreoffice``: the version check, the unopkg command lines,
and (in real LibreOffice) a profile that has the extension before soffice starts on it."""

from __future__ import annotations

import os
import stat

import openpyxl
import pytest

from xlgrade.addins.lo import install as inst
from xlgrade.addins.lo import names
from xlgrade.cli import main


def test_parse_version():
    assert inst.parse_version("LibreOffice 25.2.3.2 520(Build:2)") == (25, 2, 3)
    assert inst.parse_version("LibreOffice 7.4.7.2 40(Build:2)") == (7, 4, 7)
    assert inst.parse_version("LibreOfficeDev 26.8.0.0.alpha0") == (26, 8, 0)
    assert inst.parse_version("something else") is None


def test_old_libreoffice_is_refused_in_one_line_zh_and_en(monkeypatch, capsys):
    monkeypatch.setattr(inst, "_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(inst, "installed_version", lambda soffice=None: (7, 4, 7))
    monkeypatch.setattr(inst, "_run_unopkg", lambda cmd: pytest.fail("must not install"))
    assert main(["install", "libreoffice"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "7.4.7" in err and "25.2" in err and "请升级" in err and "upgrade" in err
    for ok in ((25, 2), (25, 2, 0), (25, 8, 1), (26, 2)):
        inst.check_version(ok)
    with pytest.raises(inst.LibreOfficeTooOld):
        inst.check_version((24, 8, 7))


def test_unopkg_command_lines():
    assert inst.unopkg_command("add", "/x/unopkg", "/d/xlgrade.oxt", root=False) == [
        "/x/unopkg",
        "add",
        "--force",
        "--suppress-license",
        "/d/xlgrade.oxt",
    ]
    assert inst.unopkg_command("add", "/x/unopkg", "/d/xlgrade.oxt", root=True)[-1] == "--shared"
    assert inst.unopkg_command("remove", "/x/unopkg", root=False) == ["/x/unopkg", "remove", names.EXTENSION_ID]
    assert inst.unopkg_command("remove", "/x/unopkg", root=True)[-1] == "--shared"


def test_without_profile_unopkg_runs_and_its_failure_is_one_line(tmp_path, monkeypatch, capsys):
    """A stand-in unopkg records its arguments (the real one as root would change the machine)."""
    from conftest import require_unoidl_write

    require_unoidl_write()
    log = tmp_path / "args"
    fake = tmp_path / "unopkg"
    fake.write_text(
        f'#!/bin/sh\necho "$@" >> {log}\n[ "$1" = remove ] && {{ echo "ERROR: no such extension" >&2; exit 1; }}\nexit 0\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(inst, "_soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(inst, "installed_version", lambda soffice=None: (25, 2, 3))
    monkeypatch.setattr(inst, "_unopkg", lambda soffice: str(fake))
    monkeypatch.setattr(inst, "_is_root", lambda: True)
    assert main(["install", "libreoffice"]) == 0
    assert "every user" in capsys.readouterr().out
    args = log.read_text().split()
    assert args[:3] == ["add", "--force", "--suppress-license"] and args[-1] == "--shared"
    assert args[3].endswith("xlgrade.oxt")
    monkeypatch.setattr(inst, "_is_root", lambda: False)
    assert main(["uninstall", "libreoffice"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "xlgrade: unopkg remove failed: ERROR: no such extension"
    assert log.read_text().splitlines()[-1] == f"remove {names.EXTENSION_ID}"


def _book(path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=ABCGRADE(6,100000.01)"
    wb.save(path)
    return path


@pytest.mark.libreoffice
def test_install_into_a_profile_then_calc_starts_with_it(tmp_path, capsys):
    from conftest import require_unoidl_write

    from xlgrade.lo import LibreOffice

    require_unoidl_write()
    profile, book = tmp_path / "profile", _book(tmp_path / "b.xlsx")
    assert main(["install", "libreoffice", "--profile", str(profile)]) == 0
    assert str(profile) in capsys.readouterr().out
    with LibreOffice(profile=profile) as lo:
        assert [e["identifier"] for e in lo.extensions_installed()] == [names.EXTENSION_ID]
        with lo.open(book) as doc:
            assert doc.value(0, "A1") == "A"
    assert main(["uninstall", "libreoffice", "--profile", str(profile)]) == 0
    capsys.readouterr()
    with LibreOffice(profile=profile) as lo:
        assert lo.extensions_installed() == []
        with lo.open(book) as doc:
            assert doc.value(0, "A1") == "#NAME?"
    assert main(["uninstall", "libreoffice", "--profile", str(profile)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not installed" in err
    assert os.path.isdir(profile)  # a profile we were given is never removed
