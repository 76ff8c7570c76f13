"""xlgrade's own lock on a workbook: one run (recalc, restore) at a time per file.

What it owns: the lock file ``.~xlgrade.<workbook name>.lock`` beside the workbook, and
the decision whether a lock found there is live, stale and ours to take over, or someone
else's to wait for.

Rules:

1. The lock is a file created atomically (``os.open(O_CREAT | O_EXCL)``), which works on a
   folder two PCs share over the network; it holds JSON: app, version, workbook, user,
   host, pid, command and the time it was taken (ISO with offset, and Unix seconds).
2. Beside the file, the holder keeps an OS-level lock on it (``fcntl.flock`` /
   ``msvcrt.locking`` of one byte far beyond the text, so the JSON stays readable) where
   the file system honours it. It is only ever *trusted* on the holder's own host: there it
   tells a live holder from a dead one even when the pid was reused.
3. A lock of this host whose pid is gone (or whose OS lock nobody holds) is stale: it is
   taken over automatically, safely against a second taker (the old file is OS-locked,
   checked to be still the same file with the same text, then removed) and a note says so.
4. A lock of another host cannot be checked: it is waited for; past
   :data:`STALE_AFTER_SECONDS` the refusal names it as probably stale and says which file to
   delete. It is never removed automatically.
5. The waiter polls for at most ``wait`` seconds, then refuses with
   :class:`~xlgrade.errors.RunLockedError`: one line naming the workbook, the holder (user,
   host, pid) and since when, and what to do.
6. The holder removes the lock file only if it is still its own, always (``finally``).
7. Messages are in the workbook's language (``zh`` / ``en``), or in both when it is unknown.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from xlgrade import __version__, who
from xlgrade.errors import NotWritableError, RunLockedError

LOCK_PREFIX = ".~xlgrade."
LOCK_SUFFIX = ".lock"
DEFAULT_WAIT_SECONDS = 10.0
# A monthly run of even a 200,000-line ledger takes a few minutes; a lock from another PC
# older than this was almost surely left by a run that was killed (PC switched off, network
# lost). A module constant, not a rule: the lock is judged before the workbook (and so its
# rules sheet) may be read.
STALE_AFTER_SECONDS = 2 * 3600.0
POLL_SECONDS = 0.1
# An unreadable lock file younger than this may be one being written: never taken over.
INCOMPLETE_GRACE_SECONDS = 5.0
_OS_LOCK_OFFSET = 1 << 30  # msvcrt locks a byte range (mandatory on Windows): lock one far off


def lock_path(workbook: Path) -> Path:
    """Where the lock of ``workbook`` lives: ``<folder>/.~xlgrade.<name>.lock``."""
    return workbook.parent / f"{LOCK_PREFIX}{workbook.name}{LOCK_SUFFIX}"


def say(lang: str | None, zh: str, en: str) -> str:
    """The message in the workbook's language; both (English first) when it is unknown."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return f"{en} ({zh})"


def local_time(seconds: float) -> str:
    """A moment as people read it in messages: local time to the minute."""
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def age_text(seconds: float, lang: str | None) -> str:
    hours = seconds / 3600
    if hours >= 48:
        return say(lang, f"{hours / 24:.0f} 天", f"{hours / 24:.0f} days")
    if hours >= 1:
        return say(lang, f"{hours:.1f} 小时", f"{hours:.1f} h")
    return say(lang, f"{max(seconds, 0) / 60:.0f} 分钟", f"{max(seconds, 0) / 60:.0f} min")


# ---- processes and OS locks --------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (True when that cannot be told)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return True
    return True


def os_lock(fd: int) -> bool | None:
    """Try the OS-level lock on ``fd`` without blocking: True taken, False held by another,
    None when this file system does not support it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _OS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if sys.platform == "win32" and getattr(exc, "errno", None) in (13, 36):  # EACCES, EDEADLOCK
            return False
        return None


def os_unlock(fd: int) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            os.lseek(fd, _OS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass


# ---- what a lock file says ---------------------------------------------------------------------
@dataclass(frozen=True)
class Holder:
    """What a lock file says about who holds it (fields empty when it is unreadable)."""

    raw: bytes
    user: str = ""
    host: str = ""
    pid: int = 0
    command: str = ""
    started: float = 0.0  # Unix seconds: the recorded time, else the file's mtime
    readable: bool = True

    @classmethod
    def parse(cls, raw: bytes, mtime: float) -> Holder:
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return cls(
                raw,
                str(data.get("user", "")),
                str(data.get("host", "")),
                int(data.get("pid", 0)),
                str(data.get("command", "")),
                float(data.get("started_unix", mtime)),
            )
        except (ValueError, TypeError, UnicodeDecodeError):
            return cls(raw, started=mtime, readable=False)

    def who(self, lang: str | None) -> str:
        if not self.readable:
            return say(
                lang, "未知的 xlgrade 重算(锁文件内容不完整)", "an unknown xlgrade run (the lock file is incomplete)"
            )
        user = self.user or "?"
        return say(
            lang,
            f"{self.host} 上 {user} 的 xlgrade(进程 {self.pid})",
            f"xlgrade of {user} on {self.host} (pid {self.pid})",
        )


def lock_record(command: str, workbook: Path, now: float) -> dict[str, Any]:
    return {
        "app": "xlgrade",
        "version": __version__,
        "workbook": workbook.name,
        "user": who.login(),
        "host": who.host(),
        "pid": os.getpid(),
        "command": command,
        "started": datetime.fromtimestamp(now).astimezone().isoformat(timespec="seconds"),
        "started_unix": now,
    }


def read_holder(path: Path) -> Holder | None:
    """The lock file's holder, or None if there is no lock file (any more)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(64 * 1024)
            mtime = os.fstat(fh.fileno()).st_mtime
    except FileNotFoundError:
        return None
    except OSError:  # Windows: being created or removed this instant
        return Holder(b"", started=time.time(), readable=False)
    return Holder.parse(raw, mtime)


# ---- the lock ----------------------------------------------------------------------------------
@dataclass
class RunLock:
    """``with RunLock(workbook):`` -- the workbook is this process's until the block ends."""

    workbook: Path
    wait: float = DEFAULT_WAIT_SECONDS
    command: str = "recalc"
    lang: str | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    stale_after: float = STALE_AFTER_SECONDS
    notes: list[str] = field(default_factory=list)  # what the caller should tell the user
    _fd: int | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return lock_path(self.workbook)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        deadline = self.clock() + max(self.wait, 0.0)
        while True:
            if self._create():
                return
            holder = read_holder(self.path)
            if holder is None:  # removed meanwhile: try again at once
                if self.clock() < deadline:
                    continue
                holder = Holder(b"", started=self.clock(), readable=False)
                raise RunLockedError(self._refusal(holder))
            if self._stale_here(holder) and self._take_over(holder):
                continue
            if self.clock() >= deadline:
                raise RunLockedError(self._refusal(holder))
            self.sleep(min(POLL_SECONDS, max(deadline - self.clock(), 0.0)) or POLL_SECONDS / 10)

    def _create(self) -> bool:
        flags = os.O_CREAT | os.O_EXCL | os.O_RDWR | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileExistsError:
            return False
        except PermissionError:
            if self.path.exists():  # Windows: the old one is being removed
                return False
            raise NotWritableError(self._not_writable()) from None
        except OSError as exc:
            raise NotWritableError(self._not_writable(exc)) from None
        try:
            os_lock(fd)
            record = json.dumps(lock_record(self.command, self.workbook, self.clock()), ensure_ascii=False)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, record.encode("utf-8"))
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            try:
                os.unlink(self.path)
            except OSError:
                pass
            raise
        self._fd = fd
        return True

    def _stale_here(self, holder: Holder) -> bool:
        """A lock of this host that no live process holds; or an empty (incomplete) lock file
        older than :data:`INCOMPLETE_GRACE_SECONDS` whose OS lock nobody holds: its creator
        died between creating it and writing it (a kill in that instant)."""
        if not holder.readable:
            if self.clock() - holder.started < INCOMPLETE_GRACE_SECONDS:
                return False  # being written this instant
            return self._nobody_holds()
        if holder.host != who.host():
            return False
        if not pid_alive(holder.pid):
            return True
        return self._nobody_holds()

    def _nobody_holds(self) -> bool:
        """True when the OS lock on the file can be taken (where the file system has one)."""
        try:
            fd = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            return False
        try:
            got = os_lock(fd)
            if got:
                os_unlock(fd)
            return got is True  # the pid lives, but is someone else now
        finally:
            os.close(fd)

    def _take_over(self, holder: Holder) -> bool:
        """Remove a stale lock file of this host if it is still the one read; True if gone."""
        try:
            fd = os.open(self.path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return True
        except OSError:
            return False
        removed = False
        try:
            if os_lock(fd) is False:  # another taker, or a live holder
                return False
            try:
                now_st = os.stat(self.path)
            except FileNotFoundError:
                return True
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != (now_st.st_dev, now_st.st_ino):
                return True  # replaced meanwhile: look again
            os.lseek(fd, 0, os.SEEK_SET)
            if os.read(fd, 64 * 1024) != holder.raw:
                return False
            if sys.platform != "win32":
                os.unlink(self.path)
                removed = True
        finally:
            os_unlock(fd)
            os.close(fd)
        if not removed:
            try:
                os.unlink(self.path)  # Windows: only once closed
            except FileNotFoundError:
                pass
            except OSError:
                return False
        if not holder.readable:
            self.notes.append(
                say(
                    self.lang,
                    f"注意:{self.workbook.name}:被中断的运行留下了不完整的锁 {self.path.name}"
                    f"(自 {local_time(holder.started)} 起),已由本次接管",
                    f"note: {self.workbook.name}: took over the incomplete lock {self.path.name} left by a run "
                    f"that was cut off (since {local_time(holder.started)})",
                )
            )
            return True
        self.notes.append(
            say(
                self.lang,
                f"注意:{self.workbook.name}:上次的 xlgrade 重算(进程 {holder.pid},{holder.user or '?'},"
                f"自 {local_time(holder.started)} 起)已不在运行,它留下的锁 {self.path.name} 已由本次接管",
                f"note: {self.workbook.name}: took over the lock {self.path.name} left by xlgrade pid {holder.pid} "
                f"({holder.user or '?'}, since {local_time(holder.started)}), which is no longer running",
            )
        )
        return True

    def _refusal(self, holder: Holder) -> str:
        name, lock = self.workbook.name, self.path.name
        age = self.clock() - holder.started
        since = local_time(holder.started)
        if age > self.stale_after and holder.host != who.host():
            host = holder.host or "?"
            return say(
                self.lang,
                f"{name}:自 {since} 起被 {holder.who('zh')} 锁定,已 {age_text(age, 'zh')},很可能是失效的锁"
                f"(被中断的运行留下的);如确认 {host} 上没有 xlgrade 在运行,请删除 {self.path} 后重试",
                f"{name}: locked since {since} by {holder.who('en')}, {age_text(age, 'en')} ago, probably stale "
                f"(left by a run that was cut off); if no xlgrade runs on {host}, delete {self.path} and run again",
            )
        waited = f"{self.wait:g}"
        return say(
            self.lang,
            f"{name}:另一个 {holder.who('zh')} 自 {since} 起正在处理这个工作簿(锁文件 {lock}),已等待 {waited} 秒;"
            f"请等它结束后重试,或用 --wait 等待更久",
            f"{name}: another {holder.who('en')} has been working on it since {since} (lock file {lock}); "
            f"waited {waited} s; run again when it has finished, or wait longer with --wait",
        )

    def _not_writable(self, exc: OSError | None = None) -> str:
        folder = self.workbook.parent
        why = f": {exc.strerror}" if exc is not None and exc.strerror else ""
        return say(
            self.lang,
            f"{self.workbook.name}:无法在文件夹 {folder} 中创建文件{why};xlgrade 需要在那里写锁文件、临时文件和备份,"
            f"请取得该文件夹的写权限后重试",
            f"{self.workbook.name}: cannot create files in the folder {folder}{why}; xlgrade writes its lock, "
            f"a temporary copy and the backups there: get write access to it and run again",
        )

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        mine = False
        try:
            try:
                st, now_st = os.fstat(fd), os.stat(self.path)
                mine = (st.st_dev, st.st_ino) == (now_st.st_dev, now_st.st_ino)
            except OSError:
                mine = False
            if mine and sys.platform != "win32":
                os.unlink(self.path)
                mine = False
        finally:
            os_unlock(fd)
            os.close(fd)
            if mine:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
