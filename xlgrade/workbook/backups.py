"""The backups of a workbook in ``<workbook folder>/xlgrade-backup``, and putting one back.

What it owns: backup names, when a backup is written, which are kept, listing them and
restoring one.

Rules:

1. A backup is named ``<stem>-<YYYYmmdd-HHMMSS>[-n]<suffix>`` (local time it was made); the
   time in the name is the backup's date for listing and retention.
2. A backup is written aside (``.<stem>-<random>.xlgrade-tmp`` in the backup folder),
   flushed, fsynced, then renamed: a full disk or a kill never leaves a truncated file that
   looks like a backup. A failed write removes its temporary file; a killed one is removed
   by the next run (:func:`xlgrade.workbook.guard.clean_temps`).
3. A backup of a file whose content (size, then SHA-256) equals the newest backup is not
   written again: the newest backup is the answer.
4. Kept: the ``keep`` newest, and always the oldest backup made in each calendar month.
5. The monthly job asks for the backup's name before it writes (:func:`plan`, for its run
   log) and the file is written only when the workbook is saved (:func:`write`), so a run
   refused or failed before saving leaves no backup; a save that fails after writing it
   removes it again (:func:`discard`).
6. :func:`restore` keeps the current file as a backup first (rule 3 applies), then puts the
   chosen backup in place by write-aside and rename. The caller holds the run lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlgrade.errors import MissingFileError, WriteFailedError
from xlgrade.workbook.guard import BACKUP_DIR, TEMP_SUFFIX
from xlgrade.workbook.runlock import say

BACKUPS_KEPT = 10
_CHUNK = 1 << 20

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Backup:
    path: Path
    made: dt.datetime  # from the name
    size: int

    @property
    def month(self) -> str:
        return self.made.strftime("%Y-%m")


def backup_dir(target: Path) -> Path:
    return target.parent / BACKUP_DIR


def _pattern(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(target.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(target.suffix) + "$")


def backups_of(target: Path, folder: Path | None = None) -> list[Backup]:
    """Every backup of ``target``, oldest first."""
    folder = backup_dir(target) if folder is None else folder
    pattern = _pattern(target)
    found: list[tuple[dt.datetime, int, Backup]] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for f in entries:
        m = pattern.match(f.name)
        if not m:
            continue
        try:
            made = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
            size = f.stat().st_size
        except (ValueError, OSError):
            continue
        found.append((made, int(m.group(2) or 1), Backup(f, made, size)))
    return [b for _, _, b in sorted(found, key=lambda t: (t[0], t[1]))]


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def same_content(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and digest(a) == digest(b)
    except OSError:
        return False


def _free_name(target: Path, folder: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    dest = folder / f"{target.stem}-{stamp}{target.suffix}"
    n = 2
    while dest.exists():
        dest = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
        n += 1
    return dest


def plan(target: Path, folder: Path | None = None, clock: Clock = dt.datetime.now) -> Path:
    """Where the backup of ``target`` as it is now will be: the newest backup if it holds the
    same content, else a new name (nothing is written)."""
    folder = backup_dir(target) if folder is None else folder
    olds = backups_of(target, folder)
    if olds and same_content(target, olds[-1].path):
        return olds[-1].path
    return _free_name(target, folder, clock())


def write(
    target: Path,
    folder: Path | None = None,
    planned: Path | None = None,
    *,
    keep: int = BACKUPS_KEPT,
    clock: Clock = dt.datetime.now,
    lang: str | None = None,
) -> tuple[Path, bool]:
    """Keep a copy of ``target`` as it is now: (where, whether a new file was written).
    ``lang``: the workbook's language, for the message when the copy cannot be written."""
    folder = backup_dir(target) if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    if planned is not None and planned.exists() and same_content(target, planned):
        return planned, False
    olds = backups_of(target, folder)
    if olds and same_content(target, olds[-1].path):
        return olds[-1].path, False
    dest = (
        planned
        if planned is not None
        and not planned.exists()
        and planned.parent == folder
        and _pattern(target).match(planned.name)
        else _free_name(target, folder, clock())
    )
    try:
        _copy_backup(target, dest)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise WriteFailedError(
            say(
                lang,
                f"{target.name}:备份 {dest} 写入失败({why}),工作簿未改动;请腾出磁盘空间或取得 {folder} 的写权限后重试",
                f"{target.name}: could not write the backup {dest}: {why}; the workbook was not changed: "
                f"free disk space or get write access to {folder} and run again",
            )
        ) from None
    prune(target, folder, keep)
    return dest, True


def _copy_backup(target: Path, dest: Path) -> None:
    """Write-aside copy whose temporary name is the workbook's own (``.<stem>-*.xlgrade-tmp``)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=TEMP_SUFFIX, dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(target, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(target, tmp)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    from xlgrade.workbook.zipio import fsync_dir

    fsync_dir(dest.parent)


def discard(path: Path) -> None:
    """Remove a backup this run wrote, because the run failed after all."""
    try:
        path.unlink()
    except OSError:
        pass


def kept(backups: list[Backup], keep: int = BACKUPS_KEPT) -> list[Backup]:
    """Which of ``backups`` (oldest first) retention keeps: the ``keep`` newest and the
    oldest of every calendar month."""
    keep_paths = {b.path for b in backups[-keep:]} if keep > 0 else set()
    first_of_month: dict[str, Path] = {}
    for b in backups:
        first_of_month.setdefault(b.month, b.path)
    keep_paths |= set(first_of_month.values())
    return [b for b in backups if b.path in keep_paths]


def prune(target: Path, folder: Path | None = None, keep: int = BACKUPS_KEPT) -> list[Path]:
    """Delete the backups retention does not keep; returns those deleted."""
    all_ = backups_of(target, folder)
    keep_paths = {b.path for b in kept(all_, keep)}
    gone = []
    for b in all_:
        if b.path not in keep_paths:
            try:
                b.path.unlink()
                gone.append(b.path)
            except OSError:
                pass
    return gone


def make_backup(target: Path, folder: Path, keep: int = BACKUPS_KEPT, clock: Clock = dt.datetime.now) -> str:
    """Copy ``target`` into ``folder`` now (deduplicated, written aside, pruned); returns where."""
    return str(write(target, folder, keep=keep, clock=clock)[0])


# ---- restore --------------------------------------------------------------------------------------
def find(target: Path, chosen: str, lang: str | None = None) -> Path:
    """The backup ``chosen`` names: a path, or a name in the backup folder."""
    folder = backup_dir(target)
    candidates = [Path(chosen), folder / chosen]
    for c in candidates:
        if c.is_file():
            return c
    names = ", ".join(b.path.name for b in backups_of(target)[-3:]) or "none"
    raise MissingFileError(
        say(
            lang,
            f"{target.name}:{folder} 中找不到备份 {chosen!r};列出备份:xlgrade restore {target} --list(最新的:{names})",
            f"{target.name}: no backup {chosen!r} in {folder}; "
            f"list them with: xlgrade restore {target} --list (newest: {names})",
        )
    )


def restore(
    target: Path,
    chosen: Path,
    *,
    keep: int = BACKUPS_KEPT,
    clock: Clock = dt.datetime.now,
    lang: str | None = None,
) -> Path:
    """Put ``chosen`` in place of ``target``; returns the backup now holding the file as it was.

    ``lang``: the workbook's language for a failure's message (both when None)."""
    kept_as: Path | None = None
    new = False
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise WriteFailedError(
            say(
                lang,
                f"{target.name}:无法在它旁边写入({why}),未恢复任何文件",
                f"{target.name}: cannot write beside it: {why}; nothing was restored",
            )
        ) from None
    try:
        with os.fdopen(fd, "wb") as out, open(chosen, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(target, tmp)
        kept_as, new = write(target, keep=keep, clock=clock, lang=lang)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if new and kept_as is not None:
            discard(kept_as)
        if isinstance(exc, OSError) and not isinstance(exc, WriteFailedError):
            why = exc.strerror or str(exc)
            raise WriteFailedError(
                say(
                    lang,
                    f"{target.name}:无法恢复 {chosen.name}({why}),工作簿未改动;请腾出磁盘空间或取得写权限后重试",
                    f"{target.name}: could not put {chosen.name} back: {why}; the workbook is as it was: "
                    "free disk space or get write access and run again",
                )
            ) from None
        raise
    from xlgrade.workbook.zipio import fsync_dir

    fsync_dir(target.parent)
    return kept_as


def last_run_month(path: Path) -> str | None:
    """The month of the last run the run log of workbook ``path`` records, None if it has none."""
    from xlgrade import parse
    from xlgrade.errors import XlgradeError
    from xlgrade.io.tables import read_book_rows
    from xlgrade.normalize import normalize_rows
    from xlgrade.schema.sheets import RUN_LOG

    try:
        rows, offset, name = read_book_rows(path, RUN_LOG)
        if name not in (RUN_LOG.zh, RUN_LOG.en) or not rows:
            return None
        months = normalize_rows(rows, RUN_LOG, source=path.name, row_offset=offset).frame["month"]
    except (XlgradeError, KeyError, ValueError):
        return None
    shown = [str(m) for m in months.tolist() if not parse.is_blank(m)]
    return shown[-1] if shown else None
