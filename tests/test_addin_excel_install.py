"""xlgrade install / uninstall excel: every step printed by --dry-run, and the steps run into a
fake Windows user profile on Linux."""

from __future__ import annotations

import pytest
import xlwings

from xlgrade.addins.excel import install as I
from xlgrade.addins.excel import names
from xlgrade.cli import main


@pytest.fixture
def windows(tmp_path, monkeypatch):
    env = {
        "APPDATA": str(tmp_path / "Roaming"),
        "LOCALAPPDATA": str(tmp_path / "Local"),
        "USERPROFILE": str(tmp_path / "user"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    venv = tmp_path / "venv"
    (venv / "Scripts").mkdir(parents=True)
    for exe in ("python.exe", "pythonw.exe"):
        (venv / "Scripts" / exe).write_bytes(b"")
    return env, venv


def test_dry_run_prints_every_step_and_changes_nothing(windows, tmp_path, capsys):
    env, venv = windows
    assert main(["install", "excel", "--dry-run"]) in (0, 1)
    out = capsys.readouterr().out.splitlines()
    assert [ln.split(" ", 1)[0] for ln in out] == ["1.", "2.", "3.", "4."]
    assert "XLSTART" in out[1] and "INTERPRETER_WIN" in out[2] and "would" in out[0]
    assert not (tmp_path / "Roaming").exists() and not (tmp_path / "user").exists()
    assert main(["uninstall", "excel", "--dry-run"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_install_and_uninstall_steps(windows, tmp_path):
    env, venv = windows
    version = xlwings.__version__
    (venv / f"xlwings64-{version}.dll").write_bytes(b"")  # pip puts it in the environment's root
    conf = tmp_path / "user" / ".xlgrade" / "xlgrade.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"INTERPRETER_WIN","C:\\old\\pythonw.exe"\r\n"SHOW CONSOLE","False"\r\n', encoding="utf-8")
    lines: list[str] = []
    steps = I.install_steps(env, executable=str(venv / "Scripts" / "python.exe"), prefix=str(venv))
    assert I.run(steps, dry_run=False, out=lines.append)
    target = tmp_path / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / names.XLAM_NAME
    from xlgrade.addins.excel.xlam import build_xlam

    assert target.read_bytes() == build_xlam(tmp_path / "fresh").read_bytes()
    assert (
        conf.read_bytes().decode("utf-8")
        == f'"SHOW CONSOLE","False"\r\n"INTERPRETER_WIN","{venv / "Scripts" / "pythonw.exe"}"\r\n'
    )
    assert lines[3].startswith("4. check: xlwings DLL found") and "64-bit Office" in lines[3]
    assert f"xlwings32-{version}.dll" in lines[3]  # says what 32-bit Office would need
    I.run(I.uninstall_steps(env), dry_run=False, out=lines.append)
    assert not target.exists()
    assert conf.read_bytes().decode("utf-8") == '"SHOW CONSOLE","False"\r\n'
    conf.write_text('"INTERPRETER_WIN","x"\r\n', encoding="utf-8")
    I.run(I.uninstall_steps(env), dry_run=False, out=lines.append)
    assert not conf.parent.exists()


def test_missing_dll_says_what_to_do(tmp_path):
    python = tmp_path / "Python311" / "pythonw.exe"
    python.parent.mkdir()
    ok, line = I.dll_check(python, python.parent, "0.37.8")
    assert not ok and "xlwings64-0.37.8.dll" in line and "pip install --force-reinstall xlwings==0.37.8" in line
    assert "bitness" in line and "\n" not in line
    (python.parent / "xlwings32-0.37.8.dll").write_bytes(b"")
    ok, line = I.dll_check(python, python.parent, "0.37.8")
    assert ok and "32-bit Office" in line and "64-bit Office would need xlwings64-0.37.8.dll" in line


def test_a_real_install_needs_windows(windows, capsys):
    if __import__("os").name == "nt":
        pytest.skip("Linux behaviour")
    assert main(["install", "excel"]) == 2
    assert "Windows only" in capsys.readouterr().err
