"""Speed and memory of xlgrade against baselines measured in the same run.

    .venv/bin/python bench/run.py [--quick] [--customers 11000] [--only engine|calc] [--cells 10000]
                                  [--calc-runs 3] [--json bench/out/results.json]

Builds a demo workbook with a ledger of about 200,000 lines (a mid-size distributor), then
runs every measurement in a fresh process (so peak memory is that process's own) and prints
each one as a ratio to its baseline:

- monthly recalc (``xlgrade recalc``) vs opening and saving the same workbook with openpyxl,
  the usual way Python tools update a workbook;
- reading the ledger sheet (python-calamine + normalisation) vs ``pandas.read_excel``;
- grading, the mean time of one method, vs one plain pandas group-by of the same ledger
  (sum, count and last date per customer: the least any method has to do);
- ``xlgrade grade`` of the ledger as CSV, the whole command from a cold interpreter, vs
  ``pandas.read_csv`` and one group-by of the same file (issue 12.3: ≤ 2x).

and, in LibreOffice Calc with xlgrade.oxt installed into a throwaway profile (bench/calc.py,
the median of ``--calc-runs`` timed ``calculateAll()`` of the opened document):

- 10,000 ABCGRADE cells vs 10,000 native IF(AND(...)) cells on the same inputs;
- one PARETOGRADES array over a 10,000-value column vs the 10,000 ABCGRADE cells;
- 10,000 PARETOGRADE cells over that column vs the one array (a ratio reported, no target).

Every Calc result column is compared with the registry's grades first: a wrong or #NAME?
cell fails the run. ``--only calc`` runs just the Calc part (it needs LibreOffice >= 25.2 and
unoidl-write to build the extension); ``--only engine`` just the rest.

Targets are ratios, so they hold on any machine; the script exits 1 if one is missed.
Every figure also goes to a JSON record (``--json``). ``--quick`` is the one-minute version:
1,000 customers, the engine part only. It prints every ratio and verdict, but exits 1 only if
a measurement breaks: the targets are set at the full size, where fixed costs (starting
Python, importing pandas) no longer dominate.
The workbook is cached in bench/out/ (delete it to rebuild); the extension and the Calc
workbooks are rebuilt every run (seconds).
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
    # issue 12.3: the whole `xlgrade grade LEDGER.csv` command against the least a script does
    # with the same file (read it, one group-by), both from a cold interpreter
    "grade_csv": ("pandas_read_csv_groupby", 2.0, None),
}
# The Calc part: memory is soffice's, not the measuring process's, so only time is compared.
# A max time ratio of None: reported, no target.
#
# Issue 7 asked for 10,000 ABCGRADE cells within 5x of native IF(AND()) cells. Measured, that
# cannot be met by a Python UNO component: a Python add-in function doing no work at all
# (calc_python_floor) costs about 30x native, and even Calc's own C++ add-in (DELTA) costs
# about 3.5x. So the ABCGRADE cells are held to what xlgrade controls, the floor plus at most
# 25 %, their ratio to native is reported, and the array form ABCGRADES carries the ≤ 5x target.
CALC_TARGETS = {
    "calc_abcgrade": ("calc_python_floor", 1.25, None),
    "calc_abcgrades_array": ("calc_native_if", 5.0, None),
    "calc_python_floor": ("calc_native_if", None, None),
    "calc_cpp_addin": ("calc_native_if", None, None),
    "calc_paretogrades_array": ("calc_abcgrade", 2.0, None),
    "calc_paretograde_cells": ("calc_paretogrades_array", None, None),
}
# Reported beside the targets: ABCGRADE cells against native (issue 7's ≤ 5x, see above).
CALC_REPORTED = {"calc_abcgrade_vs_native": ("calc_abcgrade", "calc_native_if")}

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
    "grade_csv": """
        import contextlib, io
        from xlgrade.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["grade", LEDGER_CSV, "--as-of", "2026-10-31", "--format", "csv"]) == 0
    """,
    "pandas_read_csv_groupby": """
        import pandas as pd
        ledger = pd.read_csv(LEDGER_CSV)
        ledger.groupby("customer_id").agg(amount=("amount", "sum"), lines=("amount", "size"), last=("date", "max"))
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


# One Calc measurement (bench/calc.py), in its own process and its own soffice.
CALC_SNIPPET = """
    import sys
    sys.path.insert(0, BENCH_DIR)
    import calc
    r = calc.measure(OXT, WORK, N, RUNS)
    want = calc.expected(KIND, N)
    wrong = [(i + 1, got, exp) for i, (got, exp) in enumerate(zip(r["values"], want)) if got != exp]
    RESULT.update(seconds=r["seconds"], runs=r["runs"], load_seconds=r["load_seconds"],
                  wrong=len(wrong) + abs(len(r["values"]) - len(want)), first_wrong=wrong[:3])
"""
CALC_ORDER = (
    "calc_native_if",
    "calc_cpp_addin",
    "calc_python_floor",
    "calc_abcgrade",
    "calc_abcgrades_array",
    "calc_paretogrades_array",
    "calc_paretograde_cells",
)
for _kind in CALC_ORDER:
    SNIPPETS[_kind] = CALC_SNIPPET

CALC_BUILD = """
import sys
sys.path.insert(0, sys.argv[1])
import calc
from xlgrade.addins.lo import build_oxt
out, n = sys.argv[2], int(sys.argv[3])
print(calc.build_floor_oxt(out + "/floor"))
print(build_oxt(out + "/dist"))
for kind in calc.KINDS:
    calc.build_book(kind, n, f"{out}/{kind}-{n}.xlsx")
"""


BUILD = """
import sys
from xlgrade import demo_data
from xlgrade.workbook.template import InputData, build, save
customers, book, ledger_pickle, customers_pickle, ledger_csv = int(sys.argv[1]), *sys.argv[2:]
data = demo_data.generate(n_customers=customers)
save(build("zh", InputData.from_demo(data)), book)
data.ledger.to_csv(ledger_csv, index=False, encoding="utf-8-sig")
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
    ledger_csv = OUT / f"ledger-{customers}.csv"
    if not all(p.exists() for p in (book, ledger_pickle, customers_pickle, ledger_csv)):
        print(f"building a {customers}-customer workbook in {OUT} (once, a few minutes) ...", flush=True)
        done = subprocess.run(
            [sys.executable, "-c", BUILD, *map(str, (customers, book, ledger_pickle, customers_pickle, ledger_csv))],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"{int(done.stdout.strip()):,} ledger lines", flush=True)
    return {
        "BOOK": str(book),
        "LEDGER_PICKLE": str(ledger_pickle),
        "CUSTOMERS_PICKLE": str(customers_pickle),
        "LEDGER_CSV": str(ledger_csv),
    }


def prepare_calc(cells: int, runs: int) -> dict[str, dict]:
    """xlgrade.oxt built from the registry and one workbook per Calc measurement (another
    process, as for the demo workbook); the paths each Calc snippet gets."""
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"building xlgrade.oxt and the {cells}-cell Calc workbooks in {OUT} ...", flush=True)
    done = subprocess.run(
        [sys.executable, "-c", CALC_BUILD, str(ROOT / "bench"), str(OUT), str(cells)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"building the extension or the Calc workbooks failed:\n{done.stderr.strip()}")
    floor, oxt = done.stdout.strip().splitlines()[-2:]
    return {
        kind: {
            "BOOK": str(OUT / f"{kind}-{cells}.xlsx"),
            "OXT": floor if kind == "calc_python_floor" else oxt,
            "N": cells,
            "RUNS": runs,
            "KIND": kind,
            "BENCH_DIR": str(ROOT / "bench"),
        }
        for kind in CALC_ORDER
    }


def measure(name: str, paths: dict[str, str]) -> dict[str, float]:
    """Run one snippet in a fresh process on a fresh copy; its wall time and peak RSS."""
    work = OUT / f"work-{name}.xlsx"  # a fresh copy: Calc never writes the cached book
    shutil.copyfile(paths["BOOK"], work)
    prelude = (
        "import time\n_t = [time.perf_counter()]\nSCALE = [1.0]\nRESULT = {}\n"
        "def START():\n    _t[0] = time.perf_counter()\n"
    )
    consts = "".join(f"{k} = {v!r}\n" for k, v in {**paths, "WORK": str(work)}.items())
    body = textwrap.dedent(SNIPPETS[name])
    code = (
        prelude
        + consts
        + body
        + "\nimport json, sys\njson.dump({'seconds': (time.perf_counter() - _t[0]) * SCALE[0], **RESULT}, sys.stdout)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"bench {name} failed (status {status})")
    result = json.loads(out)
    result["peak_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    for extra in OUT.glob(f"work-{name}*"):
        if extra.is_file():
            extra.unlink()
    shutil.rmtree(OUT / "xlgrade-backup", ignore_errors=True)
    return result


def report(targets: dict, results: dict, record: dict | None = None) -> bool:
    """Print each measurement against its baseline; True if a target was missed.

    ``record`` (the JSON record) gets one entry per measurement: seconds, peak MB, and for a
    target its baseline, ratios, target and verdict."""
    failed = False
    if record is not None:
        for name, r in results.items():
            record[name] = {k: v for k, v in r.items() if k in ("seconds", "peak_mb", "runs", "wrong")}
    print(
        f"\n{'measurement':<24} {'seconds':>8} {'peak MB':>8}   {'vs baseline':<24} {'time':>7} {'memory':>7}   target"
    )
    for name, (baseline, max_time, max_mem) in targets.items():
        r, b = results[name], results[baseline]
        t_ratio = r["seconds"] / b["seconds"]
        m_ratio = None if r["peak_mb"] is None else r["peak_mb"] / b["peak_mb"]
        ok = (
            (max_time is None or t_ratio <= max_time)
            and (max_mem is None or m_ratio <= max_mem)
            and not r.get("wrong")
            and not b.get("wrong")
        )
        failed |= not ok
        target = ("(reported)" if max_time is None else f"time ≤ {max_time:g}x") + (
            f", memory ≤ {max_mem:g}x" if max_mem else ""
        )
        mem = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
        mr = "-" if m_ratio is None else f"{m_ratio:.2f}"
        verdict = "" if max_time is None and ok else "PASS" if ok else "FAIL"
        if record is not None:
            record[name].update(
                baseline=baseline,
                time_ratio=t_ratio,
                memory_ratio=m_ratio,
                max_time=max_time,
                max_memory=max_mem,
                ok=ok,
            )
        print(f"{name:<24} {r['seconds']:8.3f} {mem:>8}   {baseline:<24} {t_ratio:7.2f} {mr:>7}   {target}  {verdict}")
    for name in {t[0] for t in targets.values()} - targets.keys():
        r = results[name]
        mem = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
        print(f"{name:<24} {r['seconds']:8.3f} {mem:>8}   (baseline)")
    for name, r in results.items():
        if "runs" in r:
            print(
                f"  {name}: calculateAll {', '.join(f'{t:.3f}' for t in r['runs'])} s "
                f"(median {r['seconds']:.3f}); opening (recalculates) {r['load_seconds']:.1f} s"
                + (f"; {r['wrong']} WRONG cells, first {r['first_wrong']}" if r.get("wrong") else "")
            )
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=11000, help="demo customers (11000 ≈ 200,000 lines)")
    parser.add_argument("--only", choices=("engine", "calc"), help="run only this part (default: both)")
    parser.add_argument("--cells", type=int, default=10000, help="formula cells per Calc measurement")
    parser.add_argument("--calc-runs", type=int, default=3, help="timed calculateAll() per Calc measurement")
    parser.add_argument("--quick", action="store_true", help="about a minute: 1,000 customers, no Calc part")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where the JSON record goes")
    args = parser.parse_args()
    if args.quick:
        args.customers, args.only = min(args.customers, 1000), "engine"
    started = time.perf_counter()
    failed = False
    record: dict = {"customers": args.customers, "quick": args.quick, "measurements": {}}
    if args.only != "calc":
        paths = prepare(args.customers)
        results = {name: measure(name, paths) for name in SNIPPETS if not name.startswith("calc_")}
        failed |= report(TARGETS, results, record["measurements"])
        print(f"\n{args.customers} customers")
    if args.only != "engine":
        calc_paths = prepare_calc(args.cells, args.calc_runs)
        results = {}
        for name in CALC_ORDER:
            print(f"measuring {name} ({args.cells} cells) ...", flush=True)
            results[name] = r = {**measure(name, calc_paths[name]), "peak_mb": None}
            print(
                f"  calculateAll {', '.join(f'{t:.3f}' for t in r['runs'])} s; "  # seen at once: the
                f"{r['wrong']} wrong cells",
                flush=True,
            )  # last one is long
        failed |= report(CALC_TARGETS, results, record["measurements"])
        for label, (name, baseline) in CALC_REPORTED.items():
            print(
                f"{label}: {results[name]['seconds'] / results[baseline]['seconds']:.1f}x "
                f"(issue 7 asked ≤ 5x; unreachable for a Python component, see CALC_TARGETS)"
            )
        print(f"\nCalc: {args.cells} cells, median of {args.calc_runs} calculateAll()")
    print(f"measured in {time.perf_counter() - started:.0f} s")
    if args.quick and failed:
        print("(--quick: targets hold at the full size; run make bench for the verdict)")
        failed = False
    record.update(seconds=time.perf_counter() - started, failed=failed)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"record: {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
