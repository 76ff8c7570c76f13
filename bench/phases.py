"""Where one monthly run spends its time and builds its peak: the seconds, resident memory and
peak memory after each call the job makes on its Book.

    python bench/phases.py BOOK.xlsx [--month 2026-10]

BOOK is recalculated in place (copy it first). Linux only (reads /proc/self/status). The gaps
between calls are the job's own work: grading between the last read and History's read, the
derived tables before the backup.
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import checkout  # noqa: F401  (this checkout's xlgrade, not the installed one)

from xlgrade.io import duckfigures
from xlgrade.job.monthly import run_month
from xlgrade.workbook.filebook import FileBook

CALLS = (
    "read_rules",
    "read_table",
    "read_history_before",
    "backup",
    "write_computed",
    "write_list",
    "write_history",
    "write_table",
    "write_notes",
    "write_cards",
    "write_summary",
    "save",
)


def resident_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book")
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    duckfigures.install()
    started = time.perf_counter()
    book = FileBook(args.book)

    def watched(name: str, call: Any) -> Any:
        def run(*a: Any, **k: Any) -> Any:
            out = call(*a, **k)
            sheet = getattr(a[0], "key", "") if a else ""
            seconds = time.perf_counter() - started
            print(f"{seconds:7.2f} s  {name:20} {sheet:16} rss {resident_mb():5} MB  peak {peak_mb():5} MB", flush=True)
            return out

        return run

    for name in CALLS:
        setattr(book, name, watched(name, getattr(book, name)))
    run_month(book, args.month)
    print(f"{time.perf_counter() - started:7.2f} s  end  peak {peak_mb()} MB")


if __name__ == "__main__":
    main()
