"""One run at a time per workbook (issue 10.1): xlgrade's lock file, the spreadsheets' lock
files, writability and the leftovers of killed runs, checked before anything is read."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import demobooks
import pytest
from demobooks import history_months

from xlgrade.cli import main
from xlgrade.errors import NotWritableError, RunLockedError, XlgradeError
from xlgrade.workbook import guard
from xlgrade.workbook import runlock as runlock_module
from xlgrade.workbook.filebook import WorkbookLockedError
from xlgrade.workbook.runlock import RunLock, lock_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    """A small zh demo workbook (6 customers, two years of ledger), built once."""
    return demobooks.built(tmp_path_factory, "small", n_customers=6, months=24)


@pytest.fixture
def book(small_book, tmp_path) -> Path:
    return demobooks.copy_of(small_book, tmp_path)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xlgrade: "), err
    assert "Traceback" not in err
    return lines[0]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


# ---- the lock file ---------------------------------------------------------------------------------
def test_lock_file_holds_user_host_pid_and_time_and_goes_away(book):
    before = time.time()
    with RunLock(book) as lock:
        assert lock.path == book.parent / ".~xlgrade.b.xlsx.lock"
        record = json.loads(lock.path.read_text("utf-8"))
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        assert record["workbook"] == "b.xlsx" and record["command"] == "recalc" and "user" in record
        assert before - 1 <= record["started_unix"] <= time.time() + 1
        assert record["started"][:4].isdigit() and ("+" in record["started"][10:] or "-" in record["started"][10:])
    assert not lock.path.exists()


def test_lock_is_released_when_the_run_fails(book):
    with pytest.raises(ZeroDivisionError):
        with RunLock(book):
            raise ZeroDivisionError("the run failed")
    assert not lock_path(book).exists()


def test_a_second_lock_waits_the_given_time_then_refuses_naming_the_holder(book):
    with RunLock(book):
        started = time.monotonic()
        with pytest.raises(RunLockedError) as err:
            RunLock(book, wait=0.5, lang="en").acquire()
        assert time.monotonic() - started >= 0.45
        msg = str(err.value)
        assert isinstance(err.value, XlgradeError) and isinstance(err.value, PermissionError)
        assert "\n" not in msg and msg.startswith("b.xlsx: another xlgrade of ")
        assert f"pid {os.getpid()}" in msg and socket.gethostname() in msg and "since " in msg
        assert ".~xlgrade.b.xlsx.lock" in msg and "--wait" in msg
        with pytest.raises(RunLockedError, match="正在处理这个工作簿.*等待更久"):
            RunLock(book, wait=0, lang="zh").acquire()


def test_the_waiter_gets_the_lock_once_the_holder_finishes(book):
    first = RunLock(book)
    first.acquire()
    threading.Timer(0.4, first.release).start()
    with RunLock(book, wait=10) as second:
        assert json.loads(second.path.read_text("utf-8"))["pid"] == os.getpid()
    assert not lock_path(book).exists()


def test_a_killed_runs_lock_is_taken_over_and_said(book, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from xlgrade.workbook.runlock import "
            "RunLock; RunLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(120)",
            str(book),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        os.kill(holder.pid, signal.SIGKILL)
    finally:
        holder.wait(30)
    assert json.loads(lock_path(book).read_text("utf-8"))["pid"] == holder.pid  # left behind
    assert main(["recalc", str(book), "--month", "2026-09", "--wait", "0"]) == 0
    err = capsys.readouterr().err
    assert f"进程 {holder.pid}" in err and "接管" in err and ".~xlgrade.b.xlsx.lock" in err
    assert not lock_path(book).exists() and history_months(book) == {"2026-09"}


def test_a_live_pid_that_holds_no_os_lock_is_not_a_holder(book):
    """The pid was reused by another process: the OS lock tells."""
    lock_path(book).write_text(
        json.dumps({"user": "x", "host": socket.gethostname(), "pid": os.getppid(), "started_unix": time.time() - 60})
    )
    with RunLock(book, wait=0, lang="en") as lock:
        assert json.loads(lock.path.read_text("utf-8"))["pid"] == os.getpid()
    assert any(f"pid {os.getppid()}" in n and "took over" in n for n in lock.notes)


def test_another_pcs_lock_is_waited_for_and_called_stale_only_when_old(book):
    path = lock_path(book)
    path.write_text(json.dumps({"user": "li", "host": "ACCT-PC-2", "pid": 4242, "started_unix": time.time() - 120}))
    with pytest.raises(RunLockedError) as err:
        RunLock(book, wait=0.2, lang="en").acquire()
    assert "li on ACCT-PC-2 (pid 4242)" in str(err.value) and "stale" not in str(err.value)
    path.write_text(
        json.dumps({"user": "li", "host": "ACCT-PC-2", "pid": 4242, "started_unix": time.time() - 3 * 3600})
    )
    with pytest.raises(RunLockedError) as err:
        RunLock(book, wait=0, lang="en").acquire()
    msg = str(err.value)
    assert "probably stale" in msg and f"delete {path}" in msg and "ACCT-PC-2" in msg
    with pytest.raises(RunLockedError, match="很可能是失效的锁.*请删除"):
        RunLock(book, wait=0, lang="zh").acquire()
    assert path.exists()  # never removed automatically


def test_an_unreadable_lock_is_waited_for(book):
    lock_path(book).write_bytes(b"")  # a holder that has not written yet
    with pytest.raises(RunLockedError, match="unknown xlgrade run"):
        RunLock(book, wait=0.2, lang="en").acquire()


def test_an_old_incomplete_lock_nobody_holds_is_taken_over(book):
    """A kill between creating the lock file and writing it leaves it empty: once it is older
    than the grace period and no process holds its OS lock, the next run takes it over."""
    path = lock_path(book)
    path.write_bytes(b"")
    old = time.time() - runlock_module.INCOMPLETE_GRACE_SECONDS - 1
    os.utime(path, (old, old))
    lock = RunLock(book, wait=0.2, lang="en")
    with lock:
        assert json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert any("incomplete lock" in note for note in lock.notes)
    assert not path.exists()


def test_an_old_incomplete_lock_someone_holds_is_not_taken_over(book):
    path = lock_path(book)
    path.write_bytes(b"")
    old = time.time() - runlock_module.INCOMPLETE_GRACE_SECONDS - 1
    os.utime(path, (old, old))
    fd = os.open(path, os.O_RDWR)
    try:
        assert runlock_module.os_lock(fd) is True  # a live creator still writing (held)
        with pytest.raises(RunLockedError, match="unknown xlgrade run"):
            RunLock(book, wait=0.2, lang="en").acquire()
    finally:
        runlock_module.os_unlock(fd)
        os.close(fd)


# ---- through the command line ------------------------------------------------------------------------
def test_a_refused_run_says_one_line_and_writes_no_backup(book, capsys):
    original = book.read_bytes()
    with RunLock(book):
        assert main(["recalc", str(book), "--month", "2026-09", "--wait", "0.2"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "b.xlsx" in line and f"进程 {os.getpid()}" in line and "--wait" in line
    assert book.read_bytes() == original and not (book.parent / "xlgrade-backup").exists()


def test_libreoffice_lock_names_user_host_and_time(book, capsys):
    lo = book.parent / ".~lock.b.xlsx#"
    lo.write_text(f",alice,PC-7,{time.strftime('%d.%m.%Y %H:%M')},file:///home/alice/.config/libreoffice/4;")
    original = book.read_bytes()
    assert main(["recalc", str(book)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "alice" in line and "PC-7" in line and "LibreOffice" in line and ".~lock.b.xlsx#" in line
    assert time.strftime("%Y-%m-%d") in line and "关闭后重试" in line and "失效" not in line
    assert book.read_bytes() == original and not (book.parent / "xlgrade-backup").exists()
    assert not lock_path(book).exists() and lo.exists()


def test_an_old_libreoffice_lock_is_called_probably_stale(book, capsys):
    lo = book.parent / ".~lock.b.xlsx#"
    lo.write_text("Alice Wang,alice,PC-7,02.03.2026 08:15,file:///x;")
    assert main(["recalc", str(book)]) == 2
    line = one_line(capsys.readouterr().err)
    assert "Alice Wang" in line and "2026-03-02 08:15" in line and "很可能已失效" in line and str(lo) in line
    assert lo.exists()  # xlgrade never deletes it
    msg = guard.open_elsewhere(book, "en")
    assert "probably stale" in msg and f"delete {lo}" in msg


def test_excel_owner_file_names_the_user(book):
    name = "王伟"
    raw = bytes([len(name.encode("gbk"))]) + name.encode("gbk")
    raw = raw.ljust(54, b" ") + bytes([len(name), 0]) + name.encode("utf-16-le")
    (book.parent / "~$b.xlsx").write_bytes(raw.ljust(165, b"\x00"))
    with pytest.raises(WorkbookLockedError) as err:
        with guard.exclusive(book, wait=0):
            pass
    assert "王伟" in str(err.value) and "Excel / WPS" in str(err.value) and "~$b.xlsx" in str(err.value)
    assert not lock_path(book).exists()


def test_a_read_only_workbook_is_refused_before_anything_is_written(book, monkeypatch, capsys):
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == book else real(p, mode, **kw))
    with pytest.raises(NotWritableError, match="只读"):
        with guard.exclusive(book, wait=0):
            pass
    assert main(["recalc", str(book)]) == 2
    assert "read-only" not in one_line(capsys.readouterr().err)  # a zh workbook: the zh message
    assert not (book.parent / "xlgrade-backup").exists() and not lock_path(book).exists()


def test_temp_files_of_a_killed_run_are_removed_by_the_next(book, capsys):
    bak = book.parent / "xlgrade-backup"
    bak.mkdir()
    ours = [book.parent / ".b-k3j_9x2a.xlgrade-tmp", bak / ".b-a1b2c3.xlgrade-tmp"]
    theirs = [book.parent / ".b-notes.tmp", book.parent / ".other-abc.xlgrade-tmp", book.parent / "b.xlgrade-tmp"]
    for f in ours + theirs:
        f.write_bytes(b"PK\x03\x04 half a zip")
    assert main(["recalc", str(book), "--month", "2026-09"]) == 0
    err = capsys.readouterr().err
    assert not any(f.exists() for f in ours) and all(f.exists() for f in theirs)
    assert ".b-k3j_9x2a.xlgrade-tmp" in err and "临时文件" in err


def test_temp_files_stay_while_a_workbook_of_the_same_stem_is_locked(book):
    tmp = book.parent / ".b-k3j_9x2a.xlgrade-tmp"
    tmp.write_bytes(b"in use")
    other = book.parent / "b.xlsm"
    other.write_bytes(b"")
    with RunLock(other):
        with guard.exclusive(book, wait=0) as lock:
            assert lock.held
        assert tmp.exists()
    with guard.exclusive(book, wait=0):
        assert not tmp.exists()


# ---- the proof: simultaneous runs ----------------------------------------------------------------------
_RUNNER = (
    "import sys, time\n"
    "from xlgrade.cli import main\n"
    "start = float(sys.argv[1])\n"
    "time.sleep(max(0.0, start - time.time()))\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


def test_simultaneous_recalcs_never_lose_a_month(book):
    """Several processes recalculate the same workbook for different months at the same
    instant, round after round (about a minute in all): every one either succeeds or refuses
    with the one-line message (exit 2), and History holds every month that succeeded."""
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][::-1]
    expected: set[str] = set()
    refused = succeeded = rounds = 0
    budget = time.monotonic() + 40
    while months and (rounds < 2 or time.monotonic() < budget):
        batch, months = months[:3], months[3:]
        start = time.time() + 3.0  # past every import: a real race
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _RUNNER, str(start), "recalc", str(book), "--month", m, "--wait", wait],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env(),
            )
            for m, wait in zip(batch, ("60", "60", "0"))
        ]
        won = 0
        for m, p in zip(batch, procs):
            out, err = p.communicate(timeout=120)
            assert p.returncode in (0, 2), (m, p.returncode, err)
            if p.returncode == 0:
                expected.add(m)
                succeeded += 1
                won += 1
                assert m in out
            else:
                line = one_line(err)
                assert "b.xlsx" in line and "锁文件 .~xlgrade.b.xlsx.lock" in line and "--wait" in line
                refused += 1
        rounds += 1
        assert won >= 1, f"round {rounds}: nobody got the workbook"
        assert history_months(book) == expected, f"round {rounds}: a month vanished"
    assert rounds >= 2 and succeeded + refused == 3 * rounds
    assert not lock_path(book).exists()
