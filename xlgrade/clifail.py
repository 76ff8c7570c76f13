"""How a command that failed ends: one line on stderr, in the workbook's language where it is
known, and an exit status (:func:`xlgrade.cli.main` says which). Ctrl-C, too little memory, a
file or folder the system refuses, a damaged sheet; and for a bug, a log file with the
traceback that the line names. The workbook being rewritten is named as unchanged or whole.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from xlgrade import __version__


def ignore_interrupts() -> None:
    """Ignore SIGINT from here on (a Ctrl-C while Python exits would print a traceback and
    exit by the signal, after the command already ended and said how)."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (OSError, ValueError):  # not the main thread
        pass


def damaged_text(exc: Exception, watched: Watched) -> str:
    """The line for a sheet the reader could not parse (cut off, not XML)."""
    from xlgrade.workbook.runlock import say

    detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else '-'}"
    return say(
        watched.lang,
        f"有工作表已损坏,无法读取({detail});请用 Excel 或 LibreOffice 打开并另存此文件",
        f"a sheet is damaged and cannot be read ({detail}); open and save the file again in Excel or LibreOffice",
    )


def say_error(text: str) -> None:
    """One line on stderr, whatever the message holds."""
    line = " ".join(str(text).split())
    try:
        print(f"xlgrade: {line}", file=sys.stderr)
    except (OSError, ValueError):  # stderr closed: nothing more to do
        pass


def ignore_file_size_signal() -> None:
    """Past a file-size limit (``ulimit -f``) the kernel sends SIGXFSZ, whose default action
    kills the process mid-write; ignored, the write fails with EFBIG and the run reports it
    like a full disk (Python ignores it at start-up already; this makes sure of it)."""
    import signal

    sig = getattr(signal, "SIGXFSZ", None)
    if sig is not None:
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):  # not the main thread: leave it
            pass


class Watched:
    """The workbook a command works on, as it was before the command ran: how its
    interruption is reported (unchanged, or saved completely) and in which language."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stamp: tuple[int, int] | None = None
        self.lang: str | None = None
        if path is None:
            return
        try:
            st = path.stat()
        except OSError:
            return
        if path.is_file():
            from xlgrade.workbook.guard import workbook_lang

            self.stamp = (st.st_size, st.st_mtime_ns)
            self.lang = workbook_lang(path)

    @classmethod
    def of(cls, args: argparse.Namespace) -> Watched:
        """The command's workbook; its language, else the ``--lang`` of a command that makes a
        workbook in that language (``new``, ``demo``: ``workbook_lang`` set by the parser)."""
        path = getattr(args, "path", None)
        watched = cls(Path(path) if isinstance(path, str) else None)
        if watched.lang is None and getattr(args, "workbook_lang", False) and getattr(args, "lang", None):
            watched.lang = args.lang
        return watched

    def changed(self) -> bool:
        assert self.path is not None
        try:
            st = self.path.stat()
        except OSError:
            return True
        return (st.st_size, st.st_mtime_ns) != self.stamp

    def after(self, what: str) -> str:
        """The line for an interruption (``interrupted``) or a MemoryError (``memory``)."""
        from xlgrade.workbook.runlock import say

        lang = self.lang
        if what == "interrupted":
            zh, en = "已中断(Ctrl-C)", "interrupted (Ctrl-C)"
        else:
            zh = "内存不足,无法完成;请关闭其他程序后重试,或把台账拆成较小的文件"
            en = "out of memory; close other programs and run again, or split the ledger into smaller files"
        if self.path is None or self.stamp is None:
            return say(lang, f"{zh};没有留下写了一半的文件", f"{en}; no file was left half-written")
        name = self.path.name
        if self.changed():
            return say(
                lang,
                f"{zh};{name} 已完整保存为新版本(之前的版本在备份文件夹 xlgrade-backup 中)",
                f"{en} after {name} was saved: the new version is complete (the one before is in xlgrade-backup)",
            )
        return say(lang, f"{zh};{name} 未改动", f"{en}; {name} is unchanged")


def os_error_text(exc: OSError, lang: str | None = None) -> str:
    """One line for a refused file operation: the file, the system's reason and what to do."""
    import errno

    from xlgrade.workbook.runlock import say

    where = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        where = f"{where} -> {exc.filename2}"
    reason = exc.strerror or type(exc).__name__
    hints = {
        errno.ENOSPC: ("请腾出磁盘空间后重试", "free disk space and run again"),
        errno.EFBIG: (
            "文件超过了允许的大小(ulimit -f 或文件系统的限制)",
            "the file exceeds the size allowed (ulimit -f or the file system's limit)",
        ),
        errno.EROFS: ("该位置只读;请换一个可写的文件夹", "that place is read-only; use a folder you can write to"),
        errno.EACCES: ("请取得写权限后重试", "get access to it and run again"),
        errno.EPERM: ("请取得写权限后重试", "get access to it and run again"),
        errno.EISDIR: ("这是文件夹,需要的是文件", "that is a folder where a file is needed"),
        errno.ENOTDIR: ("路径中有一项是文件,需要的是文件夹", "a part of the path is a file where a folder is needed"),
        errno.EEXIST: ("已有同名的文件或文件夹", "a file or folder of that name is in the way"),
    }
    zh, en = hints.get(exc.errno or 0, ("", ""))
    head = f"{where}: {reason}" if where else reason
    return say(lang, f"{head};{zh}" if zh else head, f"{head}; {en}" if en else head)


def crash_log(exc: BaseException, argv: Sequence[str] | None) -> Path | None:
    """Write the traceback of an unexpected error to a log file in the temp folder."""
    import tempfile
    import time
    import traceback

    try:
        fd, name = tempfile.mkstemp(prefix=f"xlgrade-error-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".log")
        with open(fd, "w", encoding="utf-8") as log:
            log.write(f"xlgrade {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n")
            log.write(f"command: xlgrade {' '.join(sys.argv[1:] if argv is None else argv)}\n\n")
            log.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        return Path(name)
    except OSError:
        return None


def crash_line(exc: BaseException, log: Path | None) -> str:
    detail = str(exc)
    detail = detail if len(detail) <= 200 else detail[:200] + "..."
    head = f"internal error ({type(exc).__name__}{': ' + detail if detail else ''})"
    if log is None:
        return f"{head}; this is a bug in xlgrade {__version__}: please report it with the command you ran"
    return f"{head}; this is a bug in xlgrade {__version__}: please report it with the log {log}"
