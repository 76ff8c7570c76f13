"""One measurement of the benchmark: a snippet of Python in a fresh process, its wall time and
its own peak memory, bounded by a timeout and a memory cap.

Rules of this module:

1. Every measurement runs in a new interpreter started by a small launcher process (the
   zip-bomb test's approach, tests/test_hostile.py): Linux keeps a process's peak RSS across
   fork and exec, so a child forked straight from a big parent would report the parent's
   peak. The launcher, a few MB itself, reports its child's own peak (``RUSAGE_CHILDREN``).
2. The child runs under ``RLIMIT_AS`` (``cap_mb``) and a timeout: a measurement that would
   take the machine's memory or an hour stops, in its own process group, and comes back as a
   miss (``status`` "memory cap" or "timeout") with the figures it reached, never as a
   crash of the benchmark. A benchmark that is stopped or dies takes its measurement with
   it: the launcher gets SIGTERM when its parent dies (``PR_SET_PDEATHSIG``) and kills the
   child's process group, soffice included.
3. The time is the snippet's own, from the first line of the child (imports included: a
   user's command pays them too) to its end, unless the snippet calls ``START()``; ``SCALE``
   divides it (a loop of ten counts as one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CAP_MB = 12 * 1024  # far above any measurement here, below what the machine has


def child_env() -> dict[str, str]:
    """The environment of every child: this checkout's xlgrade first, whatever is installed, and
    Python free to use and write bytecode (``PYTHONDONTWRITEBYTECODE`` dropped): an installed
    xlgrade has its modules compiled, as pandas has, so a measured command should not compile
    xlgrade's sources anew each time (about 0.13 s a process, measured on ``grade``)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_checkout() -> None:
    """Compile this checkout's xlgrade once, before anything is measured (what installing it does)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "xlgrade")], env=child_env(), check=True)


# The launcher: starts the measured child under the memory cap, waits for it at most TIMEOUT
# seconds (then kills its process group) and writes what happened as JSON.
_LAUNCHER = r"""
import json, os, resource, signal, subprocess, sys, time
report, cap_mb, timeout, argv = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
def limit():
    os.setsid()
    if cap_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (cap_mb << 20, cap_mb << 20))
t0 = time.perf_counter()
child = subprocess.Popen(argv, preexec_fn=limit)
def stop(signum, frame):  # the benchmark was stopped (or died): the measurement goes with it
    os.killpg(child.pid, signal.SIGKILL)
    sys.exit(128 + signum)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
try:
    code, timed_out = child.wait(timeout), False
except subprocess.TimeoutExpired:
    os.killpg(child.pid, signal.SIGKILL)
    code, timed_out = child.wait(), True
wall = time.perf_counter() - t0
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(report, "w") as out:
    json.dump({"code": code, "timed_out": timed_out, "wall": wall, "peak_kb": peak_kb}, out)
"""

_PRELUDE = """\
import time
_t = [time.perf_counter()]
SCALE = [1.0]
RESULT = {}
def START():
    _t[0] = time.perf_counter()
"""

_EPILOGUE = """
import json
with open(_RESULT_PATH, "w") as _out:
    json.dump({"seconds": (time.perf_counter() - _t[0]) * SCALE[0], **RESULT}, _out)
"""

# A memory error in the child: Python's own, or the allocator's message from a C extension.
_MEMORY_SIGNS = ("MemoryError", "std::bad_alloc", "Out of Memory", "out of memory", "Cannot allocate memory")


def _die_with_parent() -> None:
    """In the launcher, before exec: SIGTERM when the benchmark's process ends (Linux)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def run(snippet: str, consts: dict, *, timeout: float, cap_mb: int, cwd: Path = ROOT) -> dict:
    """Run ``snippet`` (Python, dedented) with ``consts`` defined, in a fresh process.

    Returns {"seconds", "peak_mb", "status", ...RESULT}: ``status`` is "ok", "timeout",
    "memory cap" (the child ran out of address space under ``cap_mb``) or "failed" (any other
    error; ``error`` holds the end of its stderr). ``seconds`` is the snippet's own time when
    it finished, else the wall time until it stopped."""
    with tempfile.TemporaryDirectory(prefix="xlgrade-bench-") as tmp:
        result_path, report_path = Path(tmp) / "result.json", Path(tmp) / "launch.json"
        code = (
            _PRELUDE
            + "".join(f"{k} = {v!r}\n" for k, v in {**consts, "_RESULT_PATH": str(result_path)}.items())
            + textwrap.dedent(snippet)
            + _EPILOGUE
        )
        script = Path(tmp) / "snippet.py"
        script.write_text(code, encoding="utf-8")
        with open(Path(tmp) / "stderr", "wb") as err:
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _LAUNCHER,
                    str(report_path),
                    str(cap_mb),
                    str(timeout),
                    sys.executable,
                    str(script),
                ],
                cwd=cwd,
                env=child_env(),
                stdout=subprocess.DEVNULL,
                stderr=err,
                check=False,
                preexec_fn=_die_with_parent,
            )
        stderr = (Path(tmp) / "stderr").read_text(encoding="utf-8", errors="replace")
        launch = json.loads(report_path.read_text())
        out: dict = {"peak_mb": launch["peak_kb"] / 1024, "seconds": launch["wall"]}
        if launch["timed_out"]:
            out["status"] = "timeout"
        elif launch["code"] != 0:
            out["status"] = "memory cap" if any(s in stderr for s in _MEMORY_SIGNS) else "failed"
            out["error"] = stderr.strip()[-600:]
        else:
            out.update(json.loads(result_path.read_text()), status="ok")
        return out
