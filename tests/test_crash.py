"""A killed or failing monthly job never leaves a broken workbook (issue 10 item 9).

After any interruption the workbook is either byte-for-byte the file it was, or the whole new
file: a valid zip whose History holds the month. Two kinds of proof:

- a deterministic fault (an OSError, or Ctrl-C's KeyboardInterrupt) at each step of the save:
  while the new file is written, at its fsync, when its mode is copied, while the backup is
  made, at the rename; each leaves the old bytes, no temp file, no new backup and no lock;
- ``xlgrade recalc`` killed with SIGKILL at random moments (at least 20 times, bounded to about
  a minute), after which the next run completes and cleans up what the killed ones left.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import demobooks
import pytest
from demobooks import history_months

from xlgrade.job.monthly import run_month
from xlgrade.workbook import package as package_module
from xlgrade.workbook.filebook import BACKUP_DIR, FileBook
from xlgrade.workbook.runlock import lock_path

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-10"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return demobooks.built(tmp_path_factory, "crash", n_customers=150)


@pytest.fixture
def book(built, tmp_path) -> Path:
    return demobooks.copy_of(built, tmp_path)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".xlgrade-tmp"))


def is_old_or_new(path: Path, old: bytes) -> str:
    data = path.read_bytes()
    if data == old:
        return "old"
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, "a member of the workbook is corrupt"
    assert MONTH in history_months(path), "a changed workbook without the month"
    return "new"


class Fault(OSError):
    pass


def _failing(real, when: list[int], exc: BaseException):
    """``real`` that raises ``exc`` on the call numbered ``when[0]`` (0 = the first)."""

    def call(*args, **kwargs):
        if when[0] == 0:
            when[0] = -1
            raise exc
        when[0] -= 1
        return real(*args, **kwargs)

    return call


# Each step of a run's writing, as (what is patched, which call of it fails). Measured order of
# the calls in one run: the backup's copy is fsynced and renamed first (backups._copy_backup),
# then the new workbook is written, fsynced, given the old file's mode and renamed (Package.save).
STEPS = {
    "backup-copy": ("xlgrade.workbook.backups", "write", 0),
    "backup-fsync": ("os", "fsync", 0),
    "backup-rename": ("os", "replace", 0),
    "write": ("xlgrade.workbook.package", "write_zip", 0),
    "fsync": ("os", "fsync", 2),
    "copymode": ("shutil", "copymode", 0),
    "rename": ("os", "replace", 1),
}


def _half_written(out, entries):
    out.write(b"PK\x03\x04 a partial file")
    raise Fault(28, "No space left on device")


@pytest.mark.parametrize("interrupt", [False, True], ids=["oserror", "ctrl-c"])
@pytest.mark.parametrize("step", list(STEPS))
def test_a_fault_at_each_step_of_the_save_leaves_the_old_file(book, monkeypatch, step, interrupt):
    old = book.read_bytes()
    backup_dir = book.parent / BACKUP_DIR
    backups_before = sorted(backup_dir.glob("*")) if backup_dir.exists() else []
    module_name, attr, nth = STEPS[step]
    module = importlib.import_module(module_name)
    exc: BaseException = KeyboardInterrupt() if interrupt else Fault(28, "No space left on device")
    if step == "write" and not interrupt:  # the writer fails after part of the file is written
        monkeypatch.setattr(module, attr, _half_written)
    else:
        monkeypatch.setattr(module, attr, _failing(getattr(module, attr), [nth], exc))
    with pytest.raises((OSError, KeyboardInterrupt)):
        run_month(FileBook(book), MONTH)
    assert book.read_bytes() == old
    assert leftovers(book.parent) == []
    backups_after = sorted(backup_dir.glob("*")) if backup_dir.exists() else []
    assert backups_after == backups_before, "a failed run left a backup"
    assert not lock_path(book).exists()


def test_a_fault_after_the_rename_leaves_the_new_file(book, monkeypatch):
    old = book.read_bytes()
    monkeypatch.setattr(package_module, "fsync_dir", _failing(package_module.fsync_dir, [0], Fault(5, "I/O error")))
    with pytest.raises(OSError):
        run_month(FileBook(book), MONTH)
    assert is_old_or_new(book, old) == "new"
    assert not lock_path(book).exists()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _recalc(path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xlgrade", "recalc", str(path), "--month", MONTH, "--wait", "10"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_recalc_killed_at_random_moments_leaves_the_old_or_the_new_file(book):
    rng = random.Random(20261201)
    old = book.read_bytes()
    started = time.monotonic()
    proc = _recalc(book)  # one full run: how long a run takes here
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode() if proc.stderr else ""
    full = time.monotonic() - started
    new_once = book.read_bytes()
    shutil.copyfile(book, book.with_suffix(".new"))
    seen = {"old": 0, "new": 0}
    kills = 0
    deadline = time.monotonic() + 60
    while kills < 20 or (kills < 40 and time.monotonic() < deadline):
        book.write_bytes(old)
        proc = _recalc(book)
        time.sleep(rng.uniform(0.3, 1.1) * full)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        kills += 1
        seen[is_old_or_new(book, old)] += 1
        if time.monotonic() > deadline + 60:  # a very slow machine: 20 kills still, but no more
            break
    assert kills >= 20
    # what the killed runs left (their lock, temp files) does not stop the next one
    book.write_bytes(old)
    proc = _recalc(book)
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert MONTH in history_months(book)
    assert leftovers(book.parent) == []
    assert not lock_path(book).exists()
    assert len(new_once) > 0 and seen["old"] + seen["new"] == kills
    assert seen["old"] >= 1, seen  # most kills land before the rename: the old file stays
