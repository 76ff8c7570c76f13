"""LibreOffice Calc, headless, as the spreadsheet that proves our .xlsx workbooks.

    with LibreOffice() as lo:
        doc = lo.open("book.xlsx")          # loads and recalculates
        assert doc.errors() == []           # every formula cell whose result is an error
        doc.set("客户资料卡", "C3", "C0007")  # a pick, then recalc
        doc.export_pdf("card.pdf", sheet="客户资料卡")
        assert pdf_pages("card.pdf") == 1

The ``uno`` bridge only imports in the SYSTEM python, so this side (any python, the venv's)
starts ``soffice`` and a small worker (:mod:`xlgrade.lo.worker`, run by ``/usr/bin/python3``)
and talks to the worker in JSON lines. Both run with a clean environment and their own
temporary profile; both are killed on exit, whatever happened. See docs/libreoffice.md.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlgrade.errors import CommandError, LibreOfficeError, LibreOfficeTimeout, LibreOfficeUnavailable
from xlgrade.lo.doc import Doc

SYSTEM_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).with_name("worker.py")
CLEAN_PATH = "/usr/bin:/bin"
_SOFFICE_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/usr/local/bin/soffice",
)


# Settings of each run's fresh profile. No document locking: a soffice killed with a document
# open leaves ``.~lock.<name>#`` beside the workbook, and the next headless load of that
# workbook then fails silently (no dialog to answer); it would also litter users' folders.
_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseDocumentOOoLockFile" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseDocumentSystemFileLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


# ---- availability -------------------------------------------------------------------------


def find_soffice() -> str | None:
    for cand in (shutil.which("soffice", path=CLEAN_PATH), shutil.which("soffice"), *_SOFFICE_CANDIDATES):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


@functools.cache
def _python_has_uno(python: str) -> tuple[bool, str]:
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        return False, f"{python} does not exist"
    try:
        r = subprocess.run(
            [python, "-I", "-c", "import uno"], env={"PATH": CLEAN_PATH}, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"{python} -c 'import uno' failed: {e}"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        return False, f"{python} cannot import uno ({last}); install python3-uno"
    return True, ""


def available(soffice: str | None = None, python: str = SYSTEM_PYTHON) -> tuple[bool, str]:
    """(True, description) if soffice and ``python`` with uno exist, else (False, what is missing)."""
    soffice = soffice or find_soffice()
    if not soffice or not os.path.isfile(soffice):
        return False, (
            "soffice not found (install libreoffice-calc-nogui python3-uno "
            "libreoffice-script-provider-python fonts-noto-cjk)"
        )
    ok, why = _python_has_uno(python)
    if not ok:
        return False, why
    return True, f"{soffice} with {python} + uno"


# ---- the instance -------------------------------------------------------------------------


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()[-limit:]
    except OSError:
        return ""
    return data.decode("utf-8", "replace").strip()


def _kill_group(proc: subprocess.Popen | None, grace: float) -> None:
    """End a process we started and whatever runs in its own session (the soffice wrapper
    starts oosplash and soffice.bin there): wait ``grace`` s, then SIGTERM, then SIGKILL."""
    if proc is None:
        return
    if proc.poll() is None and grace > 0:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # start_new_session: pgid == pid, only what we started
        except (ProcessLookupError, PermissionError):
            break  # the group is empty
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass


def _cleanup(procs: list, tmpdir: str) -> None:
    for p in procs:
        _kill_group(p, 0)
    shutil.rmtree(tmpdir, ignore_errors=True)


class LibreOffice:
    """One headless soffice and one UNO worker; use as a context manager.

    ``start_timeout``: seconds for soffice to start and the worker to connect (a fresh profile
    takes a few seconds). ``timeout``: default seconds per command. On a timeout everything is
    killed and :class:`LibreOfficeTimeout` is raised; the instance is then closed.

    ``extensions``: .oxt files installed into the (throwaway) profile right after start,
    before any document is opened, through UNO's extension manager: Calc sees their add-in
    functions at once, and it works as root, where ``unopkg`` refuses to touch a user profile.
    ``profile``: use this profile directory (kept on close) instead of a fresh temporary one;
    ``xlgrade install libreoffice --profile DIR`` installs that way.
    """

    def __init__(
        self,
        *,
        start_timeout: float = 90.0,
        timeout: float = 120.0,
        soffice: str | None = None,
        python: str = SYSTEM_PYTHON,
        extensions: Iterable[str | os.PathLike] = (),
        profile: str | os.PathLike | None = None,
    ):
        self.extensions = tuple(Path(e).resolve() for e in extensions)
        self.profile = None if profile is None else Path(profile).resolve()
        self.start_timeout = start_timeout
        self.timeout = timeout
        self.soffice_path: str | None = soffice or find_soffice()
        self.python = python
        self._soffice: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._lines: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = 0
        self._tmp: Path | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self.started_in: float | None = None  # seconds the last start took

    # -- lifecycle --
    def __enter__(self) -> LibreOffice:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return (
            self._worker is not None
            and self._worker.poll() is None
            and self._soffice is not None
            and self._soffice.poll() is None
        )

    def start(self) -> LibreOffice:
        if self._worker is not None:
            raise LibreOfficeError("this LibreOffice is already started")
        ok, why = available(self.soffice_path, self.python)
        if not ok or self.soffice_path is None:
            raise LibreOfficeUnavailable(why)
        t0 = time.monotonic()
        self._lines = queue.Queue()
        self._tmp = Path(tempfile.mkdtemp(prefix="xlgrade-lo-"))
        home = self._tmp / "home"
        home.mkdir()
        if self.profile is None:  # a throwaway profile with our settings
            profile = self._tmp / "profile"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        else:  # somebody's profile: used as it is
            profile = self.profile
            profile.mkdir(parents=True, exist_ok=True)
        # A clean environment: a virtualenv on PATH (or PYTHONHOME/PYTHONPATH) breaks soffice's
        # python script provider and the worker's uno import.
        env = {"PATH": CLEAN_PATH, "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(self._tmp)}
        pipe = f"xlgrade_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        uno_url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
        self._soffice_log = self._tmp / "soffice.log"
        self._worker_log = self._tmp / "worker.log"
        try:
            with open(self._soffice_log, "wb") as log:
                self._soffice = subprocess.Popen(
                    [
                        self.soffice_path,
                        f"-env:UserInstallation={profile.as_uri()}",
                        "--headless",
                        "--invisible",
                        "--nologo",
                        "--norestore",
                        "--nodefault",
                        "--nolockcheck",
                        f"--accept=pipe,name={pipe};urp;",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=str(self._tmp),
                    start_new_session=True,
                )
            with open(self._worker_log, "wb") as log:
                self._worker = subprocess.Popen(
                    [
                        self.python,
                        "-I",
                        str(WORKER),
                        "--uno-url",
                        uno_url,
                        "--connect-timeout",
                        str(self.start_timeout),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    env=env,
                    cwd=str(self._tmp),
                    start_new_session=True,
                )
            self._finalizer = weakref.finalize(self, _cleanup, [self._worker, self._soffice], str(self._tmp))
            threading.Thread(
                target=self._read_lines, args=(self._worker.stdout, self._lines), name="xlgrade-lo-reader", daemon=True
            ).start()
            ready = self._wait_line(t0 + self.start_timeout, starting=True)
            if not ready.get("ready"):
                raise LibreOfficeError(self._describe(f"the UNO worker could not connect: {ready.get('error')}"))
            for oxt in self.extensions:
                self.add_extension(oxt)
        except BaseException:
            self.close(force=True)
            raise
        self.started_in = time.monotonic() - t0
        return self

    def close(self, force: bool = False) -> None:
        """Close every document, terminate soffice, kill what is left, remove the profile."""
        if self._worker is None and self._soffice is None:
            return
        if not force and self.running:
            try:
                self.call("shutdown", timeout=15)
            except LibreOfficeError:
                pass
        if self._worker is not None and self._worker.stdin:
            try:
                self._worker.stdin.close()
            except OSError:
                pass
        _kill_group(self._worker, 0 if force else 5)
        _kill_group(self._soffice, 0 if force else 10)
        if self._finalizer is not None:
            self._finalizer()  # removes the temp dir (profile, logs) once
        elif self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._worker = self._soffice = None

    # -- protocol --
    @staticmethod
    def _read_lines(stream, q: queue.Queue) -> None:
        try:
            for raw in stream:
                q.put(raw)
        except (OSError, ValueError):
            pass
        finally:
            q.put(None)

    def _describe(self, message: str) -> str:
        parts = [message]
        if self._soffice is not None and self._soffice.poll() is not None:
            parts.append(f"soffice exited with code {self._soffice.returncode}")
        for name, path in (
            ("soffice output", getattr(self, "_soffice_log", None)),
            ("worker stderr", getattr(self, "_worker_log", None)),
        ):
            text = _tail(path) if path else ""
            if text:
                parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)

    def _wait_line(self, deadline: float, starting: bool = False) -> dict:
        limit = deadline - time.monotonic()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                what = (
                    "soffice did not start / the worker did not connect" if starting else "LibreOffice did not answer"
                )
                msg = self._describe(f"{what} within {max(limit, 0):.3g} s; killed soffice and the worker")
                self.close(force=True)
                raise LibreOfficeTimeout(msg)
            try:
                raw = self._lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self._soffice is not None and self._soffice.poll() not in (None, 0):
                    msg = self._describe("soffice died")
                    self.close(force=True)
                    raise LibreOfficeError(msg) from None
                continue
            if raw is None:
                msg = self._describe("the UNO worker exited unexpectedly")
                self.close(force=True)
                raise LibreOfficeError(msg)
            try:
                return json.loads(raw)
            except ValueError:
                continue  # not a protocol line; the worker only writes JSON, but be lenient

    def call(self, cmd: str, timeout: float | None = None, **args) -> Any:
        """Send one command to the worker and return its result (raises on error or timeout)."""
        with self._lock:
            worker = self._worker
            if not self.running or worker is None or worker.stdin is None:
                raise LibreOfficeError(
                    self._describe(f"LibreOffice is not running (command {cmd!r})")
                    if self._tmp
                    else "LibreOffice is not started"
                )
            self._next_id += 1
            req_id = self._next_id
            line = json.dumps({"id": req_id, "cmd": cmd, "args": args}, ensure_ascii=True) + "\n"
            try:
                worker.stdin.write(line.encode("ascii"))
                worker.stdin.flush()
            except (OSError, ValueError) as e:
                msg = self._describe(f"cannot talk to the UNO worker: {e}")
                self.close(force=True)
                raise LibreOfficeError(msg) from None
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
            while True:
                reply = self._wait_line(deadline)
                if reply.get("id") == req_id:
                    break
        if not reply.get("ok"):
            raise CommandError(
                f"{cmd}: {reply.get('type', 'Error')}: {reply.get('error')}",
                reply.get("type", ""),
                reply.get("traceback", ""),
            )
        return reply.get("result")

    # -- extensions (the profile's "user" repository) --
    def add_extension(self, path: str | os.PathLike) -> dict:
        """Install an .oxt into this instance's profile; {"identifier", "version"}."""
        p = Path(path).resolve()
        if not p.is_file():
            raise FileNotFoundError(p)
        return self.call("add_extension", path=str(p))

    def remove_extension(self, identifier: str) -> bool:
        """Remove an extension from the profile; False if it was not installed there."""
        return self.call("remove_extension", identifier=identifier)

    def extensions_installed(self) -> list[dict]:
        return self.call("extensions")

    # -- documents --
    def open(
        self,
        path: str | os.PathLike,
        *,
        recalculate: bool = True,
        timeout: float | None = None,
        filter_name: str | None = None,
        macros: bool = False,
    ) -> Doc:
        """Load a workbook (hidden, macros off) and, by default, recalculate every formula.

        ``filter_name``: the import filter, when type detection does not know the file (an
        .xlam needs "Calc MS Excel 2007 VBA XML"); ``macros=True`` lets its macros run."""
        p = Path(path).resolve()
        if not p.is_file():
            raise FileNotFoundError(p)
        extra: dict[str, Any] = {"filter": filter_name} if filter_name else {}
        if macros:
            extra["macros"] = True
        key = self.call("open", timeout=timeout, path=str(p), recalculate=recalculate, **extra)
        return Doc(self, key, p)
