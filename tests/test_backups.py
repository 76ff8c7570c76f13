"""Backups that keep their promise (issue 10.2): written only by a run that saves, never
twice for the same content, written aside, kept by month, and put back by ``xlgrade restore``."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from pathlib import Path

import pytest
from test_runlock import book, one_line, small_book  # noqa: F401  (fixtures)

from xlgrade.cli import main
from xlgrade.job.monthly import run_month
from xlgrade.workbook import backups
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.runlock import RunLock, lock_path


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


class Clock:
    """An injectable clock: each call returns the next of ``moments``."""

    def __init__(self, *moments: dt.datetime) -> None:
        self.moments = list(moments)

    def __call__(self) -> dt.datetime:
        return self.moments.pop(0)


# ---- dedupe, retention, write-aside --------------------------------------------------------------------
def test_an_unchanged_file_is_backed_up_once(tmp_path):
    target = tmp_path / "b.xlsx"
    target.write_bytes(b"v1")
    first, new = backups.write(target, clock=Clock(dt.datetime(2026, 11, 1, 9)))
    again, new_again = backups.write(target, clock=Clock(dt.datetime(2026, 11, 2, 9)))
    assert new and not new_again and again == first and names(tmp_path / "xlgrade-backup") == [first.name]
    assert backups.plan(target) == first  # the name the run log would get
    target.write_bytes(b"v2")  # changed: a new one
    third, new_third = backups.write(target, clock=Clock(dt.datetime(2026, 11, 3, 9)))
    assert new_third and third != first and third.read_bytes() == b"v2"
    target.write_bytes(b"v3")  # same size, other content
    assert backups.write(target, clock=Clock(dt.datetime(2026, 11, 4, 9)))[1]


def test_retention_keeps_the_newest_and_the_oldest_of_each_month(tmp_path):
    target = tmp_path / "b.xlsx"
    folder = tmp_path / "xlgrade-backup"
    folder.mkdir()
    days = [
        dt.datetime(2026, 8, 5),
        dt.datetime(2026, 8, 20),
        dt.datetime(2026, 9, 1, 8),
        dt.datetime(2026, 9, 1, 9),
        *(dt.datetime(2026, 10, d) for d in range(1, 9)),
    ]
    for i, day in enumerate(days[:-1]):
        (folder / f"b-{day:%Y%m%d-%H%M%S}.xlsx").write_bytes(b"old %d" % i)
    target.write_bytes(b"now")
    made, new = backups.write(target, keep=3, clock=Clock(days[-1]))
    assert new and made.name == "b-20261008-000000.xlsx"
    assert names(folder) == [
        "b-20260805-000000.xlsx",  # oldest of August
        "b-20260901-080000.xlsx",  # oldest of September
        "b-20261001-000000.xlsx",  # oldest of October
        "b-20261006-000000.xlsx",
        "b-20261007-000000.xlsx",
        made.name,
    ]  # the 3 newest
    assert [b.month for b in backups.kept(backups.backups_of(target), keep=0)] == ["2026-08", "2026-09", "2026-10"]


def test_a_backup_that_fails_half_way_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "b.xlsx"
    target.write_bytes(b"PK" + b"x" * 100_000)
    folder = tmp_path / "xlgrade-backup"

    def disk_full(src, dst, length=0):
        dst.write(src.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups.shutil, "copyfileobj", disk_full)
    with pytest.raises(OSError, match="No space"):
        backups.write(target)
    assert names(folder) == []  # neither a backup nor its temp
    monkeypatch.undo()
    made, _ = backups.write(target)
    assert made.read_bytes() == target.read_bytes()


# ---- backups of runs -----------------------------------------------------------------------------------
def test_a_run_that_fails_writes_no_backup(book, monkeypatch):  # noqa: F811
    original = book.read_bytes()
    fb = FileBook(book)

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fb, "write_summary", broken)  # fails half-way through the writes
    with pytest.raises(OSError):
        run_month(fb, "2026-09")
    assert names(book.parent / "xlgrade-backup") == []

    fb = FileBook(book)
    monkeypatch.setattr(fb.package, "save", broken)  # fails in the final save
    with pytest.raises(OSError):
        run_month(fb, "2026-09")
    assert names(book.parent / "xlgrade-backup") == [] and book.read_bytes() == original
    assert [f for f in names(book.parent) if f.endswith(".xlgrade-tmp")] == []


def test_the_run_log_names_the_backup_that_was_written(book):  # noqa: F811
    import openpyxl

    original = book.read_bytes()
    result = run_month(FileBook(book), "2026-09")
    assert result.backup and Path(result.backup).read_bytes() == original
    log = list(openpyxl.load_workbook(book, read_only=True)["运行日志"].iter_rows(min_row=2, values_only=True))
    assert log[-1][11] == result.backup


# ---- restore --------------------------------------------------------------------------------------------
def test_restore_lists_and_puts_a_backup_back(book, capsys):  # noqa: F811
    original = book.read_bytes()
    assert main(["recalc", str(book), "--month", "2026-08"]) == 0
    after_august = book.read_bytes()
    assert main(["recalc", str(book), "--month", "2026-09"]) == 0
    current = book.read_bytes()
    capsys.readouterr()
    made = backups.backups_of(book)
    assert [b.path.read_bytes() for b in made] == [original, after_august]

    assert main(["restore", str(book), "--list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["备份", "时间", "大小", "月份"]
    newest, oldest = lines[2], lines[3]  # newest first
    assert newest.startswith(made[1].path.name) and newest.split()[-1] == "2026-08"
    assert oldest.startswith(made[0].path.name) and oldest.split()[-1] == "-"  # before any run
    assert f"{made[0].made:%Y-%m-%d %H:%M:%S}" in oldest and "KB" in oldest and "--from" in lines[-1]

    assert main(["restore", str(book), "--from", made[0].path.name]) == 0
    out = capsys.readouterr().out
    assert book.read_bytes() == original and made[0].path.name in out
    kept = backups.backups_of(book)[-1]
    assert kept.path.read_bytes() == current and kept.path.name in out  # the file as it was is kept
    assert not lock_path(book).exists()

    assert main(["restore", str(book), "--from", str(kept.path)]) == 0  # a path works too
    assert book.read_bytes() == current
    assert [b.path.read_bytes() for b in backups.backups_of(book)] == [original, after_august, current, original]


def test_restore_refuses_an_unknown_backup_and_a_held_lock(book, capsys):  # noqa: F811
    assert main(["restore", str(book), "--from", "nope.xlsx"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "b.xlsx" in line and "nope.xlsx" in line and "--list" in line
    assert "找不到备份" in line and "no backup" not in line  # the zh workbook's language only
    assert main(["recalc", str(book), "--month", "2026-09"]) == 0
    capsys.readouterr()
    name = backups.backups_of(book)[0].path.name
    before = book.read_bytes()
    with RunLock(book):
        assert main(["restore", str(book), "--from", name, "--wait", "0"]) == 2
    assert "--wait" in one_line(capsys.readouterr().err) and book.read_bytes() == before
    assert main(["restore", str(book), "--list", "--from", name]) == 2
    assert one_line(capsys.readouterr().err).endswith("--list 与 --from 只能选一个")


def test_restore_that_cannot_write_says_so_in_the_workbooks_language(book, monkeypatch, capsys):  # noqa: F811
    assert main(["recalc", str(book), "--month", "2026-09"]) == 0
    capsys.readouterr()
    name = backups.backups_of(book)[0].path.name
    before = book.read_bytes()

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups.tempfile, "mkstemp", no_room)
    assert main(["restore", str(book), "--from", name]) == 2
    line = one_line(capsys.readouterr().err)
    assert "无法在它旁边写入(No space left on device),未恢复任何文件" in line and "nothing" not in line
    assert book.read_bytes() == before


def test_restore_with_no_backups_says_so(book, capsys):  # noqa: F811
    assert main(["restore", str(book)]) == 0
    assert "没有备份" in capsys.readouterr().out
    shutil.rmtree(book.parent / "xlgrade-backup", ignore_errors=True)


def test_a_full_disk_during_recalc_is_one_line_and_leaves_no_backup(book, monkeypatch, capsys):  # noqa: F811
    from xlgrade.workbook.package import Package

    original = book.read_bytes()

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Package, "save", disk_full)
    assert main(["recalc", str(book), "--month", "2026-09"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "b.xlsx" in line and "No space left on device" in line and "腾出磁盘空间" in line
    assert book.read_bytes() == original and names(book.parent / "xlgrade-backup") == []
    assert not lock_path(book).exists()


def test_the_list_is_shown_while_the_workbook_is_open_but_restore_refuses(book, capsys):  # noqa: F811
    assert main(["recalc", str(book), "--month", "2026-09"]) == 0
    name = backups.backups_of(book)[0].path.name
    (book.parent / ".~lock.b.xlsx#").write_text(",bob,PC-3,01.12.2026 10:00,file:///x;")
    capsys.readouterr()
    assert main(["restore", str(book), "--list"]) == 0
    assert name in capsys.readouterr().out
    before = book.read_bytes()
    assert main(["restore", str(book), "--from", name]) == 2
    assert "bob" in one_line(capsys.readouterr().err) and book.read_bytes() == before


def test_write_failures_speak_the_workbooks_language(tmp_path, monkeypatch, capsys):
    """A full disk while the backup or the new version is written: one line, in the workbook's
    language only (an English workbook gets no Chinese, a Chinese one no English)."""
    from xlgrade import demo_data
    from xlgrade.workbook import backups as backups_module
    from xlgrade.workbook.package import Package
    from xlgrade.workbook.template import InputData, build, save

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    for lang in ("en", "zh"):
        path = tmp_path / f"{lang}.xlsx"
        save(build(lang, InputData.from_demo(demo_data.generate(n_customers=8))), path)
        for target, attr in ((backups_module, "_copy_backup"), (Package, "save")):
            with monkeypatch.context() as m:
                m.setattr(target, attr, disk_full)
                assert main(["recalc", str(path), "--month", "2026-09"]) == 2
            line = one_line(capsys.readouterr().err)
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in line.split(":", 2)[-1])
            assert ("could not write" in line) is (lang == "en") and chinese is (lang == "zh"), line
