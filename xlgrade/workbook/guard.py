"""The checks before a run that rewrites a workbook file, and the lock held while it runs.

What it owns: :func:`exclusive`, the one way into a run that writes a workbook (``xlgrade
recalc``, ``xlgrade restore``); reading the spreadsheets' own lock files; the writability
check; removing the temporary files a killed run left.

Rules, in this order, all *before* anything is read for computing and before any backup:

1. Take xlgrade's own lock (:class:`~xlgrade.workbook.runlock.RunLock`), waiting at most
   ``wait`` seconds for another run.
2. Refuse (:class:`~xlgrade.errors.WorkbookLockedError`) while the workbook is
   open in LibreOffice (``.~lock.<name>#``: user, host and time, no pid) or Excel / WPS
   (``~$<name>``: the user name; the time is the file's). The message names the user, host
   and since when; past :data:`SPREADSHEET_STALE_AFTER_SECONDS` it calls the lock file
   probably stale and says which file to delete once nobody has the workbook open. Such a
   file is never removed by xlgrade.
3. Refuse (:class:`~xlgrade.errors.NotWritableError`) if the workbook or its backup folder
   cannot be written.
4. Remove the temporary files of a killed run: only xlgrade's own names
   (``.<stem>-*.xlgrade-tmp`` in the workbook folder and its backup folder), and only when no
   live lock of another workbook with the same stem (``book.xlsx`` / ``book.xlsm``) is there.
5. The lock is released when the block ends, however it ends.
6. Listing the backups (``writing=False``) takes only the lock (rule 1): it writes nothing,
   so a workbook open in a spreadsheet does not stop it.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from xlgrade.errors import FolderNotFileError, MissingFileError, NotWritableError
from xlgrade.workbook.runlock import (
    DEFAULT_WAIT_SECONDS,
    LOCK_PREFIX,
    LOCK_SUFFIX,
    RunLock,
    age_text,
    local_time,
    read_holder,
    say,
)

BACKUP_DIR = "xlgrade-backup"
TEMP_SUFFIX = ".xlgrade-tmp"  # Package.save and the backups write aside under this suffix
# A spreadsheet lock file this old was most likely left by a crash: people do not keep a
# workbook open for a day on end. Only ever said in the message; the file is not touched.
SPREADSHEET_STALE_AFTER_SECONDS = 12 * 3600.0
_SHEETS_XML = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"')


def workbook_lang(path: Path) -> str | None:
    """The workbook's language from its sheet names (``zh`` / ``en``), None if unreadable."""
    from xlgrade.errors import XlgradeError
    from xlgrade.schema.sheets import language_of
    from xlgrade.workbook import ziplimits

    try:  # within the limits: a zip bomb is refused (later, with its message), not inflated here
        xml = ziplimits.read_part(path, "xl/workbook.xml")
    except (OSError, KeyError, XlgradeError):
        return None
    names = {m.decode("utf-8", "replace") for m in _SHEETS_XML.findall(xml)}
    return language_of(names)


def require_file(path: Path, lang: str | None = None) -> None:
    """Raise unless ``path`` is a file: a folder gets its own message, not "file not found"."""
    if path.is_dir():
        raise FolderNotFileError(
            say(
                lang,
                f"{path} 是文件夹,不是工作簿文件;请给出工作簿(.xlsx)的路径",
                f"{path} is a folder, not a workbook file; give the path of the workbook (.xlsx)",
            )
        )
    if not path.is_file():
        raise MissingFileError(f"{path}: file not found (找不到文件)")


# ---- the spreadsheets' lock files ----------------------------------------------------------------
def _lo_fields(text: str) -> list[str]:
    """The comma-separated fields of a LibreOffice lock file (``\\`` escapes ``,`` ``;`` ``\\``)."""
    fields, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i + 1])
            i += 2
            continue
        if ch in ",;":
            fields.append("".join(cur))
            cur = []
            if ch == ";":
                break
        else:
            cur.append(ch)
        i += 1
    else:
        fields.append("".join(cur))
    return fields


def libreoffice_holder(lock: Path) -> tuple[str, str, float]:
    """(user, host, since as Unix seconds) from LibreOffice's ``.~lock.<name>#``."""
    mtime = lock.stat().st_mtime
    try:
        text = lock.read_bytes().decode("utf-8", "replace").strip()
    except OSError:
        return "", "", mtime
    f = _lo_fields(text) + ["", "", "", ""]
    user = f[0].strip() or f[1].strip()
    since = mtime
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"):
        try:
            since = time.mktime(time.strptime(f[3].strip(), fmt))
            break
        except ValueError:
            continue
    return user, f[2].strip(), since


def excel_holder(lock: Path) -> tuple[str, str, float]:
    """(user, "", since) from Excel's / WPS's owner file ``~$<name>``: the user name (a length
    byte and the name, then at offset 54 the length again and the name in UTF-16)."""
    mtime = lock.stat().st_mtime
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return "", "", mtime
    user = ""
    if len(data) > 56 and data[54]:
        n = data[54]
        user = data[56 : 56 + 2 * n].decode("utf-16-le", "replace").strip("\x00 ")
    if not user and data:
        n = data[0]
        raw = data[1 : 1 + n]
        for enc in ("utf-8", "gbk", "latin-1"):
            try:
                user = raw.decode(enc).strip()
                break
            except UnicodeDecodeError:
                continue
    if not user.isprintable():
        user = ""
    return user, "", mtime


def open_elsewhere(path: Path, lang: str | None, now: float | None = None) -> str | None:
    """The refusal message if a spreadsheet has ``path`` open (by its lock file), else None."""
    now = time.time() if now is None else now
    folder, name = path.parent, path.name
    for lock, app, read in (
        (folder / f".~lock.{name}#", "LibreOffice", libreoffice_holder),
        (folder / f"~${name}", "Excel / WPS", excel_holder),
    ):
        try:
            user, host, since = read(lock)
        except FileNotFoundError:
            continue
        user = user or "?"
        at_zh = f"{host} 上的 " if host else ""
        at_en = f" on {host}" if host else ""
        msg = say(
            lang,
            f"{name} 正在被{at_zh}{user} 用 {app} 打开(自 {local_time(since)} 起,锁文件 {lock.name});"
            f"请在那里关闭后重试",
            f"{name} is open in {app} by {user}{at_en} since {local_time(since)} (lock file {lock.name}); "
            f"close it there and run again",
        )
        age = now - since
        if age > SPREADSHEET_STALE_AFTER_SECONDS:
            msg += say(
                lang,
                f";该锁文件已存在 {age_text(age, 'zh')},很可能已失效({app} 异常退出留下的):"
                f"如确认无人打开此工作簿,请删除 {lock} 后重试",
                f"; the lock file is {age_text(age, 'en')} old and probably stale (left by {app} when it "
                f"crashed): if nobody has the workbook open, delete {lock} and run again",
            )
        return msg
    return None


# ---- writability -------------------------------------------------------------------------------
def not_writable(path: Path, lang: str | None) -> str | None:
    """Why a run could not replace ``path`` or write its backup, or None."""
    name = path.name
    st = path.stat()
    # No write bit for anyone: the file was marked read-only on purpose. os.access alone says
    # yes to root (and to an administrator's service account), which would then replace it.
    marked = not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if marked or not os.access(path, os.W_OK) or (os.name == "nt" and not st.st_mode & stat.S_IWRITE):
        return say(
            lang,
            f"{name} 是只读文件(或你无权修改它);请取消只读属性或取得写权限后重试",
            f"{name} is read-only (or you may not change it); make it writable and run again",
        )
    backups = path.parent / BACKUP_DIR
    if backups.exists() and (not backups.is_dir() or not os.access(backups, os.W_OK | os.X_OK)):
        return say(
            lang,
            f"{name}:备份文件夹 {backups} 无法写入;请取得写权限(或移走同名文件)后重试",
            f"{name}: the backup folder {backups} cannot be written; get write access to it "
            f"(or move away a file of that name) and run again",
        )
    return None


# ---- temporary files of killed runs ----------------------------------------------------------------
def temp_pattern(path: Path) -> re.Pattern[str]:
    """xlgrade's own temporary names for ``path``: ``.<stem>-<random>.xlgrade-tmp``."""
    return re.compile(r"\." + re.escape(path.stem) + r"-[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")


def _other_live_lock_shares_stem(path: Path, own: RunLock) -> bool:
    """Whether a lock of another workbook with the same stem (and so the same temporary names)
    is there: held or not, its temporary files may be in use, so none are touched."""
    for lock in path.parent.glob(f"{LOCK_PREFIX}*{LOCK_SUFFIX}"):
        book = Path(lock.name[len(LOCK_PREFIX) : -len(LOCK_SUFFIX)])
        if lock == own.path or book.stem != path.stem:
            continue
        holder = read_holder(lock)
        if holder is not None:
            return True
    return False


def clean_temps(path: Path, lock: RunLock) -> list[Path]:
    """Remove the temporary files a killed run on ``path`` left; returns those removed."""
    if _other_live_lock_shares_stem(path, lock):
        return []
    pattern = temp_pattern(path)
    removed = []
    for folder in (path.parent, path.parent / BACKUP_DIR):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for f in entries:
            if pattern.match(f.name) and f.is_file():
                try:
                    f.unlink()
                    removed.append(f)
                except OSError:
                    pass
    return removed


# ---- the way in ----------------------------------------------------------------------------------
@contextmanager
def exclusive(
    path: str | Path,
    *,
    wait: float = DEFAULT_WAIT_SECONDS,
    command: str = "recalc",
    lang: str | None = None,
    notify: Callable[[str], None] | None = None,
    writing: bool = True,
) -> Iterator[RunLock]:
    """Hold ``path`` for one run: lock taken, spreadsheets' locks and writability checked,
    leftovers of a killed run removed; raises an :class:`~xlgrade.errors.XlgradeError`
    with a one-line message otherwise. The lock is released when the block ends.

    ``notify`` hears, as they happen, the notes for the user (a stale lock taken over,
    temporary files removed); they are also in the lock's ``notes``. With ``writing`` false
    (listing the backups) only the lock is taken: the workbook may be open elsewhere."""
    from xlgrade.errors import WorkbookLockedError

    path = Path(path)
    require_file(path, lang)
    lang = lang or workbook_lang(path)
    lock = RunLock(path, wait=wait, command=command, lang=lang)
    with lock:
        for note in lock.notes:
            if notify is not None:
                notify(note)
        if not writing:
            yield lock
            return
        elsewhere = open_elsewhere(path, lang)
        if elsewhere is not None:
            raise WorkbookLockedError(elsewhere)
        why = not_writable(path, lang)
        if why is not None:
            raise NotWritableError(why)
        removed = clean_temps(path, lock)
        if removed:
            names = ", ".join(f.name for f in removed)
            note = say(
                lang,
                f"注意:{path.name}:已删除被中断的运行留下的临时文件 {names}",
                f"note: {path.name}: removed temporary files a cut-off run left: {names}",
            )
            lock.notes.append(note)
            if notify is not None:
                notify(note)
        yield lock
