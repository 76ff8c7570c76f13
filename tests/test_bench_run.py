"""The benchmark's machinery (bench/launch.py, bench/run.py, bench/chart.py) on tiny inputs:
a measurement's own peak memory, the memory cap and the timeout as misses, the verdicts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import chart  # noqa: E402  (bench/chart.py)
import launch  # noqa: E402
import run  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and ru_maxrss in KiB: Linux")


def test_a_measurement_reports_its_own_time_result_and_peak_not_its_parents():
    ballast = bytearray(400 << 20)  # this process: 400 MB more than the child will ever hold
    ballast[::4096] = b"x" * len(ballast[::4096])
    r = launch.run("START()\nx = sum(range(N))\nRESULT['x'] = x", {"N": 1000}, timeout=60, cap_mb=launch.DEFAULT_CAP_MB)
    assert r["status"] == "ok" and r["x"] == sum(range(1000))
    assert 0 <= r["seconds"] < 5
    assert r["peak_mb"] < 100  # a bare interpreter, not this 400 MB process
    big = launch.run("b = bytearray(300 << 20)\nb[::4096] = b'x' * len(b[::4096])", {}, timeout=60, cap_mb=0)
    assert big["status"] == "ok" and 300 < big["peak_mb"] < 400


def test_the_memory_cap_and_the_timeout_are_misses_not_crashes():
    capped = launch.run("b = bytearray(800 << 20)", {}, timeout=60, cap_mb=300)
    assert capped["status"] == "memory cap"
    slow = launch.run("import time\ntime.sleep(30)", {}, timeout=1, cap_mb=0)
    assert slow["status"] == "timeout" and 1 <= slow["seconds"] < 10
    broken = launch.run("raise ValueError('nope')", {}, timeout=60, cap_mb=0)
    assert broken["status"] == "failed" and "nope" in broken["error"]


def _m(seconds: float, lines: int = 100, peak: float = 50.0, status: str = "ok", kind: str = "recalc") -> dict:
    return {"seconds": seconds, "lines": lines, "peak_mb": peak, "status": status, "kind": kind, "runs": [seconds]}


def test_verdicts_ratios_per_line_memory_and_misses():
    results = {
        "a": _m(5.0),
        "floor": _m(2.0),
        "big": _m(22.0, lines=1000),
        "slow": _m(100.0),
        "capped": _m(9.0, status="memory cap"),
        "broken": _m(1.0, status="failed"),
        "heavy": _m(1.0, peak=600.0),
    }
    judge = run.judge
    assert judge(run.Target("t", "a", "floor", max_ratio=2.5), results) == {
        "label": "t",
        "name": "a",
        "baseline": "floor",
        "means": "",
        "ratio": 2.5,
        "target": "≤ 2.5x",
        "verdict": "PASS",
    }
    assert judge(run.Target("t", "a", "floor", max_ratio=2.4), results)["verdict"] == "MISSED"
    assert judge(run.Target("t", "slow", "a", min_ratio=25), results)["verdict"] == "MISSED"  # 20x faster only
    assert judge(run.Target("t", "slow", "floor", min_ratio=25), results)["verdict"] == "PASS"
    per_line = judge(run.Target("t", "big", "a", max_ratio=1.10, per_line=True), results)
    assert per_line["ratio"] == pytest.approx(0.44) and per_line["verdict"] == "PASS"
    assert judge(run.Target("t", "heavy", max_peak_mb=500), results)["verdict"] == "MISSED"
    assert judge(run.Target("t", "a", max_peak_mb=500), results)["verdict"] == "PASS"
    capped = judge(run.Target("t", "capped", "a", max_ratio=3, max_peak_mb=1024), results)
    assert capped["verdict"] == "MISSED" and "memory cap" in capped["why"]
    assert judge(run.Target("t", "broken", "a", max_ratio=3), results)["verdict"] == "FAILED"
    assert judge(run.Target("t", "a", "capped", max_ratio=3), results)["verdict"] == "FAILED"  # no baseline
    skipped = judge(run.Target("t", "", means="skipped: soffice not found"), results)
    assert skipped["verdict"] == "SKIPPED" and skipped["why"] == "soffice not found"
    shown = judge(run.Target("t", "a", "floor"), results)  # no target: a ratio shown, never a miss
    assert shown["verdict"] == "INFO" and shown["ratio"] == 2.5 and "target" not in shown
    assert judge(run.Target("t", "broken", "a"), results)["verdict"] == "FAILED"  # ... but a break is one


def test_chart_points_are_the_slowest_finished_run_per_size(tmp_path):
    results = {
        "p1": _m(3.0, lines=10, kind="grade_parquet"),
        "p2": _m(4.0, lines=10, kind="grade_parquet"),
        "p3": _m(9.0, lines=10, kind="grade_parquet", status="timeout"),
        "r1": _m(2.0, lines=100),
        "r2": _m(1.0, lines=10),
    }
    assert chart.points(results) == {"grade_parquet": [(10, 4.0)], "recalc": [(10, 1.0), (100, 2.0)]}
    assert chart.points(results, finished=False) == {"grade_parquet": [(10, 9.0)]}  # drawn as a miss
    assert chart.draw(results, tmp_path / "c.png", "t") is None
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("lines", "label"), [(15_981, "16k"), (199_873, "200k"), (1_004_000, "1.0M"), (10**7, "10M")])
def test_sizes_as_a_person_says_them(lines, label):
    assert run.size(lines) == label


def test_a_stopped_benchmark_takes_its_measurement_with_it(tmp_path):
    """Killing the benchmark (even with SIGKILL) ends the measured process, in its own session."""
    import os
    import signal
    import subprocess
    import time

    pid_file = tmp_path / "pid"
    parent = f"""
import sys
sys.path.insert(0, {str(Path(launch.__file__).parent)!r})
import launch
launch.run("import os, time\\nopen(PID, 'w').write(str(os.getpid()))\\ntime.sleep(120)", {{"PID": {str(pid_file)!r}}}, timeout=300, cap_mb=0)
"""
    proc = subprocess.Popen([sys.executable, "-c", parent])
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(pid_file.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the measured process outlived the benchmark")


def test_phases_prints_each_book_call_in_order_with_its_memory(tmp_path_factory, monkeypatch, capsys):
    import demobooks
    import phases  # bench/phases.py

    book = demobooks.built(tmp_path_factory, "phases", n_customers=8)
    monkeypatch.setattr(sys, "argv", ["phases.py", str(book), "--month", "2026-10"])
    phases.main()
    lines = capsys.readouterr().out.splitlines()
    calls = [line.split()[2] for line in lines[:-1]]
    assert calls[0] == "read_rules" and calls[-1] == "save" and "write_computed" in calls
    assert calls.index("read_history_before") < calls.index("backup") < calls.index("write_computed")
    peaks = [int(line.split()[-2]) for line in lines[:-1]]
    assert peaks == sorted(peaks) and peaks[0] > 0  # a peak never goes down
    assert lines[-1].split()[2] == "end"
