"""Speed and memory of xlgrade against baselines measured in the same run.

    .venv/bin/python bench/run.py [--customers 11000]

Builds a demo workbook with a ledger of about 200,000 lines (a mid-size distributor), then
runs every measurement in a fresh process (so peak memory is that process's own) and prints
each one as a ratio to its baseline:

- monthly recalc (``xlgrade recalc``) vs opening and saving the same workbook with openpyxl,
  the usual way Python tools update a workbook;
- reading the ledger sheet (python-calamine + normalisation) vs ``pandas.read_excel``;
- grading, the mean time of one method, vs one plain pandas group-by of the same ledger
  (sum, count and last date per customer: the least any method has to do).

Targets are ratios, so they hold on any machine; the script exits 1 if one is missed.
The workbook is cached in bench/out/ (delete it to rebuild).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

# name: (code, baseline name or None, max time ratio, max memory ratio)
TARGETS = {
    "recalc": ("openpyxl_roundtrip", 0.25, 0.5),
    # calamine holds the sheet at once, which makes it ~6x faster than openpyxl's streaming
    # reader at a little more memory; the whole recalc is what must stay lean.
    "read_ledger": ("pandas_read_excel", 0.5, 1.5),
    "grade_one_method": ("pandas_groupby", 20.0, None),
}

SNIPPETS = {
    "recalc": """
        from xlgrade.job.monthly import run_month
        from xlgrade.workbook.filebook import FileBook
        run_month(FileBook(WORK), "2026-10")
    """,
    "openpyxl_roundtrip": """
        import openpyxl
        wb = openpyxl.load_workbook(WORK)
        wb.save(WORK)
    """,
    "read_ledger": """
        from xlgrade.schema.sheets import LEDGER
        from xlgrade.workbook.filebook import FileBook
        FileBook(WORK).read_table(LEDGER)
    """,
    "pandas_read_excel": """
        import pandas as pd
        from xlgrade.schema.sheets import LEDGER
        pd.read_excel(WORK, sheet_name=LEDGER.zh, engine="openpyxl")
    """,
    "grade_one_method": """
        import pandas as pd
        from xlgrade.engine import ALL, grade
        ledger = pd.read_pickle(LEDGER_PICKLE)
        customers = pd.read_pickle(CUSTOMERS_PICKLE)
        START()
        for method in ALL:
            grade(method, ledger, customers=customers, as_of="2026-10-31")
        SCALE[0] = 1 / len(ALL)
    """,
    "pandas_groupby": """
        import pandas as pd
        ledger = pd.read_pickle(LEDGER_PICKLE)
        START()
        for _ in range(10):
            ledger.groupby("customer_id").agg(amount=("amount", "sum"), lines=("amount", "size"),
                                              last=("date", "max"))
        SCALE[0] = 1 / 10
    """,
}


BUILD = """
import sys
from xlgrade import demo_data
from xlgrade.workbook.template import InputData, build, save
customers, book, ledger_pickle, customers_pickle = int(sys.argv[1]), *sys.argv[2:]
data = demo_data.generate(n_customers=customers)
save(build("zh", InputData.from_demo(data)), book)
data.ledger.to_pickle(ledger_pickle)
data.customers.to_pickle(customers_pickle)
print(len(data.ledger))
"""


def prepare(customers: int) -> dict[str, str]:
    """The cached workbook and pickles for this size (built once, in another process so that
    this one stays small: a forked child starts with its parent's resident memory)."""
    OUT.mkdir(parents=True, exist_ok=True)
    book = OUT / f"bench-{customers}.xlsx"
    ledger_pickle, customers_pickle = OUT / f"ledger-{customers}.pkl", OUT / f"customers-{customers}.pkl"
    if not (book.exists() and ledger_pickle.exists() and customers_pickle.exists()):
        print(f"building a {customers}-customer workbook in {OUT} (once, a few minutes) ...", flush=True)
        done = subprocess.run([sys.executable, "-c", BUILD, str(customers), str(book), str(ledger_pickle),
                               str(customers_pickle)], cwd=ROOT, check=True, capture_output=True, text=True)
        print(f"{int(done.stdout.strip()):,} ledger lines", flush=True)
    return {"BOOK": str(book), "LEDGER_PICKLE": str(ledger_pickle), "CUSTOMERS_PICKLE": str(customers_pickle)}


def measure(name: str, paths: dict[str, str]) -> dict[str, float]:
    """Run one snippet in a fresh process on a fresh copy; its wall time and peak RSS."""
    work = OUT / f"work-{name}.xlsx"
    shutil.copyfile(paths["BOOK"], work)
    prelude = ("import time\n_t = [time.perf_counter()]\nSCALE = [1.0]\n"
               "def START():\n    _t[0] = time.perf_counter()\n")
    consts = "".join(f"{k} = {v!r}\n" for k, v in {**paths, "WORK": str(work)}.items())
    body = textwrap.dedent(SNIPPETS[name])
    code = (prelude + consts + body +
            "\nimport json, sys\njson.dump({'seconds': (time.perf_counter() - _t[0]) * SCALE[0]}, sys.stdout)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"bench {name} failed (status {status})")
    result = json.loads(out)
    result["peak_mb"] = usage.ru_maxrss / 1024          # Linux reports KiB
    for extra in OUT.glob(f"work-{name}*"):
        if extra.is_file():
            extra.unlink()
    shutil.rmtree(OUT / "xlgrade-backup", ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=11000, help="demo customers (11000 ≈ 200,000 lines)")
    args = parser.parse_args()
    paths = prepare(args.customers)
    started = time.perf_counter()
    results = {name: measure(name, paths) for name in SNIPPETS}
    failed = False
    print(f"\n{'measurement':<20} {'seconds':>8} {'peak MB':>8}   {'vs baseline':<20} {'time':>6} "
          f"{'memory':>7}   target")
    for name, (baseline, max_time, max_mem) in TARGETS.items():
        r, b = results[name], results[baseline]
        t_ratio, m_ratio = r["seconds"] / b["seconds"], r["peak_mb"] / b["peak_mb"]
        ok = t_ratio <= max_time and (max_mem is None or m_ratio <= max_mem)
        failed |= not ok
        target = f"time ≤ {max_time:g}x" + (f", memory ≤ {max_mem:g}x" if max_mem else "")
        print(f"{name:<20} {r['seconds']:8.2f} {r['peak_mb']:8.0f}   {baseline:<20} {t_ratio:6.2f} "
              f"{m_ratio:7.2f}   {target}  {'PASS' if ok else 'FAIL'}")
    for name in {t[0] for t in TARGETS.values()}:
        r = results[name]
        print(f"{name:<20} {r['seconds']:8.2f} {r['peak_mb']:8.0f}   (baseline)")
    print(f"\n{args.customers} customers; measured in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
