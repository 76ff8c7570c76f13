"""``grade`` of a Parquet ledger per method against DuckDB's own scan and group-by of it.

    python bench/grade_methods.py [--methods threshold,credit] [--repeat 3]
        [--ledger bench/out/ledger-10000000.parquet] [--before /work/main]

Each repetition runs, per method and in one loop (so that load on a shared machine falls on
all of them alike), three fresh processes: DuckDB's ``select customer_id, sum(amount),
count(*), max(date) from read_parquet(...) group by customer_id``; ``python -m xlgrade grade
LEDGER --method M --as-of 2026-10-31 --format csv`` of this checkout; and, with ``--before``,
the same command in another checkout (e.g. main before a change). It prints the medians, each
ratio to DuckDB's median, the peak resident memory (``/usr/bin/time``) and whether the two
checkouts printed the same CSV. The issue's target is ratio <= 3 and peak <= 1 GB per method.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
METHODS = ("threshold", "pareto", "rfm", "scorecard", "composite", "credit")


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Seconds, peak MB and stdout of ``python ARGS`` run in ``cwd``."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, *args], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ledger", default=str(HERE / "bench/out/ledger-10000000.parquet"))
    parser.add_argument("--before", help="another checkout to time the same command in")
    args = parser.parse_args()
    ledger = str(Path(args.ledger).resolve())
    baseline = (
        'import duckdb; duckdb.sql("select customer_id, sum(amount), count(*), max(date) '
        f"from read_parquet('{ledger}') group by customer_id\").fetchall()"
    )
    runs = {"duckdb": (["-c", baseline], HERE), "after": (None, HERE)}
    if args.before:
        runs["before"] = (None, Path(args.before))
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    outputs: dict[tuple[str, str], str] = {}
    methods = args.methods.split(",")
    for rep in range(args.repeat):
        for method in methods:
            grade = ["-m", "xlgrade", "grade", ledger, "--method", method, "--as-of", "2026-10-31", "--format", "csv"]
            for name, (cmd, cwd) in runs.items():
                seconds, peak, out = timed(cmd or grade, cwd)
                times.setdefault((method, name), []).append((seconds, peak))
                outputs[(method, name)] = out
            print(
                f"rep {rep} {method}: " + " ".join(f"{n} {times[(method, n)][-1][0]:.2f} s" for n in runs), flush=True
            )
    for method in methods:
        base = statistics.median(s for s, _ in times[(method, "duckdb")])
        parts = [f"{method:10s} duckdb {base:6.2f} s"]
        for name in runs:
            if name != "duckdb":
                med = statistics.median(s for s, _ in times[(method, name)])
                peak = max(p for _, p in times[(method, name)])
                parts.append(f"{name} {med:6.2f} s {med / base:5.2f}x peak {peak:5.0f} MB")
        if args.before:
            parts.append("same CSV" if outputs[(method, "before")] == outputs[(method, "after")] else "CSV DIFFERS")
        print("  ".join(parts))


if __name__ == "__main__":
    main()
