"""How much History costs a monthly run: the same workbook with N months of History vs 1.

    python bench/history_probe.py BOOK.xlsx [--months 24] [--repeat 3] [--work DIR]

BOOK is a workbook after one monthly run (e.g. ``xlgrade demo --customers 11000 --months 1``).
The probe makes two copies: one as it is (1 month of History), one whose History holds the
same customers' rows for N months (the months before the one computed, filled in from it, so
every month has as many rows). Each copy gets one untimed ``xlgrade recalc`` first (a workbook
from before History was stored by months is converted by it), then the two are recalculated
``--repeat`` times in turn (the machine may be shared: they are timed in the same stretch) and
the medians and their ratio printed, with each run's peak memory. Target: ratio <= 1.25.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import checkout  # noqa: F401  (this checkout's xlgrade, not the installed one)
import pandas as pd

from xlgrade.job.history import merge_history
from xlgrade.job.months import month_key
from xlgrade.schema.sheets import HISTORY
from xlgrade.workbook.filebook import FileBook


def with_months(path: Path, months: int) -> int:
    """Fill History of ``path`` with ``months`` months: the latest one's rows copied to the
    months before it. Returns the number of History rows."""
    book = FileBook(path)
    book.read_rules()
    history = book.read_table(HISTORY).frame
    latest = max(k for k in history["month"].map(month_key) if k is not None)
    rows = history[history["month"].map(month_key) == latest].drop(columns=["row"], errors="ignore")
    period = pd.Period(latest, freq="M")
    frames = [rows.assign(month=str(period - i)) for i in range(months - 1, 0, -1)]
    full = merge_history(pd.concat(frames, ignore_index=True), rows.reset_index(drop=True), book.lang)
    book.write_table(HISTORY, full)
    book.save()
    return len(full)


_CHILD = (
    "import resource, sys\n"
    "from xlgrade.cli import main\n"
    "code = main(['recalc', sys.argv[1]])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def recalc(path: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one ``xlgrade recalc`` in a child process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("book", type=Path)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("history-probe"))
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    one, many = args.work / "one" / args.book.name, args.work / "many" / args.book.name
    for copy in (one, many):
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(args.book, copy)
    rows = with_months(many, args.months)
    for copy in (one, many):
        recalc(copy)  # untimed: converts an older History to months, warms the file cache
    times: dict[str, list[float]] = {"1": [], str(args.months): []}
    peaks: dict[str, float] = {}
    for _ in range(args.repeat):
        for label, copy in (("1", one), (str(args.months), many)):
            seconds, peak = recalc(copy)
            times[label].append(round(seconds, 2))
            peaks[label] = max(peaks.get(label, 0.0), round(peak, 1))
    medians = {k: statistics.median(v) for k, v in times.items()}
    ratio = medians[str(args.months)] / medians["1"]
    record = {
        "history_rows": rows,
        "seconds": times,
        "median": medians,
        "ratio": round(ratio, 3),
        "target": 1.25,
        "peaks_mb": peaks,
        "file_mb": {k: round(p.stat().st_size / 1e6, 1) for k, p in (("1", one), (str(args.months), many))},
    }
    print(json.dumps(record, indent=2))
    return 0 if ratio <= 1.25 else 1


if __name__ == "__main__":
    raise SystemExit(main())
