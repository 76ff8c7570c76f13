"""Every bad input ends in one line on stderr and an exit status, never a traceback (issue 10, item 7).

In-process through ``main([...])`` where the failure can be staged there; in a subprocess for
what needs a process of its own: a read-only folder and a full disk (mounts, as root), a
file-size limit (``RLIMIT_FSIZE``) and Ctrl-C (SIGINT during ``recalc``).
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlgrade import cli
from xlgrade.cli import main
from xlgrade.schema.sheets import CUSTOMERS, LEDGER, SUMMARY_SHEET
from xlgrade.workbook.package import Package

ROOT = Path(__file__).resolve().parents[1]


def one_line(err: str) -> str:
    """The single ``xlgrade: ...`` line of stderr (and that there is no traceback)."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("xlgrade: ")
    return lines[0]


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small zh demo workbook, recalculated once (copied by each test that changes it)."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdout", open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
        assert main(["demo", str(folder), "--customers", "40"]) == 0
    return folder / "xlgrade-demo.xlsx"


@pytest.fixture
def book(demo_book: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(demo_book, path)
    return path


# ---- in process -------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["recalc"], ["report"], ["restore"], ["restore", "--list"]])
def test_a_folder_given_as_a_workbook_is_called_a_folder(tmp_path, capsys, command):
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    assert main([command[0], str(folder), *command[1:]]) == 2
    line = one_line(capsys.readouterr().err)
    assert "is a folder" in line and "not found" not in line


def test_report_on_a_csv_or_a_non_workbook_says_so(tmp_path, capsys):
    csv = tmp_path / "ledger.csv"
    csv.write_text("customer_id,date,amount\nC1,2026-01-01,5\n", encoding="utf-8")
    assert main(["report", str(csv)]) == 2
    assert "no summary sheet" in one_line(capsys.readouterr().err)
    fake = tmp_path / "fake.xlsx"
    shutil.copyfile(csv, fake)
    assert main(["report", str(fake)]) == 2
    assert "not an .xlsx workbook" in one_line(capsys.readouterr().err)


def _damage(path: Path, part: str) -> None:
    """Cut ``part`` of the package in half (its XML no longer closes)."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            out.writestr(info, data[: len(data) // 2] if info.filename == part else data)


def test_recalc_of_a_damaged_sheet_names_the_sheet_and_its_part(book, capsys):
    part = Package(book).sheet_part(CUSTOMERS.zh)
    _damage(book, part)
    before = book.read_bytes()
    assert main(["recalc", str(book)]) == 2
    line = one_line(capsys.readouterr().err)
    # found when the package is opened (every part is checked before anything is read)
    assert CUSTOMERS.zh in line and part in line and "已损坏" in line and "restore" in line
    assert book.read_bytes() == before


def test_grade_of_a_damaged_ledger_sheet_is_bad_input_not_a_bug(book, capsys):
    _damage(book, Package(book).sheet_part(LEDGER.zh))
    assert main(["grade", str(book)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "damaged" in line and "bug" not in line


def test_report_of_a_damaged_summary_sheet_says_so(book, capsys):
    pkg = Package(book)
    _damage(book, pkg.sheet_part(SUMMARY_SHEET.zh))
    code = main(["report", str(book)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be read" in one_line(err)


def test_new_never_replaces_a_folder_or_a_file_without_force(book, tmp_path, capsys):
    folder = tmp_path / "new.xlsx"
    folder.mkdir()
    for extra in (["--lang", "en"], ["--force", "--lang", "en"]):
        assert main(["new", str(folder), *extra]) == 2
        assert "is a folder" in one_line(capsys.readouterr().err)
    assert main(["new", str(folder)]) == 2  # a zh workbook (the default): the message in Chinese
    assert "是文件夹" in one_line(capsys.readouterr().err)
    assert folder.is_dir()
    before = book.read_bytes()
    assert main(["new", str(book)]) == 2
    assert "--force" in one_line(capsys.readouterr().err)
    assert book.read_bytes() == before


def test_new_force_on_a_full_disk_leaves_the_old_file_whole(book, monkeypatch, capsys):
    before = book.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    assert main(["new", str(book), "--force"]) == 2
    assert "No space left on device" in one_line(capsys.readouterr().err)
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["book.xlsx"]  # no temporary file left


def test_demo_onto_a_file_and_addins_onto_a_file_are_refused(book, capsys):
    before = book.read_bytes()
    assert main(["demo", str(book), "--lang", "en"]) == 2
    assert "is a file" in one_line(capsys.readouterr().err)
    assert main(["demo", str(book)]) == 2  # the zh demo: in Chinese
    assert "这是文件" in one_line(capsys.readouterr().err)
    assert main(["addins", "build", str(book)]) == 2  # an OSError no check foresaw: still one line
    assert "File exists" in one_line(capsys.readouterr().err)
    assert book.read_bytes() == before


def test_a_memory_error_is_one_line_and_leaves_the_workbook(book, monkeypatch, capsys):
    import xlgrade.job.monthly as monthly

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(monthly, "build_summary", no_memory)
    before = book.read_bytes()
    assert main(["recalc", str(book)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "内存不足" in line and "book.xlsx 未改动" in line  # the zh workbook's language
    assert book.read_bytes() == before


@pytest.mark.parametrize("when", ["before the save", "after the save"])
def test_ctrl_c_says_whether_the_workbook_was_saved(book, monkeypatch, capsys, when):
    """Ctrl-C at a fixed point: while computing (nothing written) or while the run's lines are
    printed (the new version is in place): the one line says which, in the workbook's language."""
    import xlgrade.job.monthly as monthly

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if when == "before the save":
        monkeypatch.setattr(monthly, "build_summary", interrupted)
    else:
        monkeypatch.setattr(cli, "_report_issues", interrupted)  # runs once the file is saved
    before = book.read_bytes()
    assert main(["recalc", str(book), "--month", "2026-09"]) == 130
    line = one_line(capsys.readouterr().err)
    assert line.startswith("xlgrade: 已中断(Ctrl-C)")
    if when == "before the save":
        assert line.endswith("book.xlsx 未改动") and book.read_bytes() == before
    else:
        assert "book.xlsx 已完整保存为新版本" in line and "xlgrade-backup" in line
        assert book.read_bytes() != before
        with zipfile.ZipFile(book) as z:
            assert z.testzip() is None
        assert len(list((book.parent / "xlgrade-backup").iterdir())) == 1  # the version before
    assert not (book.parent / f".~xlgrade.{book.name}.lock").exists()


def test_an_unexpected_error_is_one_line_naming_a_log_with_the_traceback(book, monkeypatch, capsys, tmp_path):
    import xlgrade.job.monthly as monthly

    def bug(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(monthly, "build_summary", bug)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert main(["recalc", str(book)]) == 1
    line = one_line(capsys.readouterr().err)
    assert "ZeroDivisionError" in line and "report" in line
    log = Path(line.rsplit(" ", 1)[-1])
    assert log.parent == tmp_path and log.name.startswith("xlgrade-error-")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "build_summary" in text and "recalc" in text


def test_os_error_text_names_the_file_and_what_to_do():
    text = cli.os_error_text(OSError(errno.EROFS, "Read-only file system", "/mnt/x.xlsx"), "en")
    assert text == "/mnt/x.xlsx: Read-only file system; that place is read-only; use a folder you can write to"
    assert "磁盘空间" in cli.os_error_text(OSError(errno.ENOSPC, "No space left on device", "a"), "zh")


# ---- in a process of its own ---------------------------------------------------------------------
def xlgrade(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "xlgrade", *args], capture_output=True, text=True, env=env, timeout=300, **kwargs
    )


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[list[Path]]:
    """Mount points made by the test, unmounted after it (skips unless mounting works here)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount")
    made: list[Path] = []
    yield made
    for point in reversed(made):
        subprocess.run(["umount", str(point)], check=False)


def _mount(made: list[Path], *args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    made.append(Path(args[-1]))


def test_recalc_new_and_demo_in_a_read_only_folder(book, tmp_path, mounted):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copyfile(book, folder / "book.xlsx")
    _mount(mounted, "--bind", str(folder), str(folder))
    _mount(mounted, "-o", "remount,bind,ro", str(folder))
    before = (folder / "book.xlsx").read_bytes()
    for args in (["recalc", str(folder / "book.xlsx")], ["new", str(folder / "n.xlsx")], ["demo", str(folder / "d")]):
        done = xlgrade(*args)
        assert done.returncode == 2, done.stderr
        one_line(done.stderr)
    assert (folder / "book.xlsx").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["book.xlsx"]


def test_recalc_on_a_full_disk_leaves_the_workbook_and_no_leftovers(book, tmp_path, mounted):
    folder = tmp_path / "full"
    folder.mkdir()
    size = book.stat().st_size
    _mount(mounted, "-t", "tmpfs", "-o", f"size={size * 2 + 64 * 1024}", "tmpfs", str(folder))
    target = folder / "book.xlsx"
    shutil.copyfile(book, target)
    before = target.read_bytes()
    done = xlgrade("recalc", str(target))
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in one_line(done.stderr)
    assert target.read_bytes() == before
    leftovers = [p.name for p in folder.rglob("*") if p.is_file() and p != target]
    assert leftovers == []  # no half-written backup, temporary file or lock


def test_recalc_past_the_file_size_limit_fails_cleanly(book):
    limit = book.stat().st_size // 2

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    before = book.read_bytes()
    done = xlgrade("recalc", str(book), preexec_fn=small_files)
    assert done.returncode == 2, done.stderr  # not killed by SIGXFSZ (-25)
    assert "File too large" in one_line(done.stderr)
    assert book.read_bytes() == before


@pytest.fixture(scope="module")
def larger_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workbook large enough that recalc takes a few seconds."""
    folder = tmp_path_factory.mktemp("larger")
    done = xlgrade("demo", str(folder), "--customers", "400")
    assert done.returncode == 0, done.stderr
    return folder / "xlgrade-demo.xlsx"


@pytest.mark.parametrize("delay", [0.0, 0.4, 1.0, 2.0])
def test_ctrl_c_during_recalc_leaves_the_workbook_as_it_was_or_completely_new(larger_book, tmp_path, delay):
    path = tmp_path / "big.xlsx"
    shutil.copyfile(larger_book, path)
    before = path.read_bytes()
    lock = tmp_path / f".~xlgrade.{path.name}.lock"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlgrade", "recalc", str(path), "--month", "2026-10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while not lock.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # the run is under way once it holds the workbook's lock
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    after = path.read_bytes()
    if proc.returncode == 0:  # finished before the signal came
        assert after != before
        return
    assert proc.returncode == 130, err
    line = one_line(err)
    assert "已中断" in line  # the zh workbook's language
    if after == before:
        assert "big.xlsx 未改动" in line
    else:  # interrupted after the new version was in place: it must be whole
        assert "已完整保存" in line
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
    assert not lock.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".xlgrade-tmp")]
    leftovers += [p.name for p in (tmp_path / "xlgrade-backup").glob("*.xlgrade-tmp")] if delay else []
    assert leftovers == []
