"""The Calc part of the benchmark (issue 7 item 8): the extension's cell functions recalculated
by real LibreOffice, against native formulas on the same inputs.

Each measurement is one .xlsx written by openpyxl (deterministic inputs, only that
measurement's formulas in it), opened in a headless soffice with xlgrade.oxt installed into a
throwaway profile (the harness, :mod:`xlgrade.lo`). Opening recalculates every formula once,
untimed (that warms the component's caches, as a user's open sheet is warm); then
``calculateAll()`` is timed ``runs`` times inside the UNO worker, and the median is the
measurement. The computed column is read back so the caller can check the
values: a benchmark of ``#NAME?`` cells would be fast and meaningless.

bench/run.py runs :func:`measure` in a fresh process per measurement; tests/test_bench_calc.py
runs it on a tiny size to prove the values.
"""

from __future__ import annotations

import random
import statistics
from pathlib import Path

# name -> what the sheet holds; every formula is in column C of the sheet "Bench", rows 1..n.
KINDS = {
    "calc_abcgrade": "n × ABCGRADE(orders, volume)",
    "calc_native_if": "n × IF(AND(...)) equivalent to ABCGRADE's defaults",
    "calc_abcgrades_array": "one ABCGRADES(orders column, volume column) array over n rows",
    "calc_python_floor": "n × XLGFLOOR(orders, volume): ABCGRADE's signature and bridge, no grading",
    "calc_cpp_addin": "n × DELTA(orders, 5): Calc's own C++ analysis add-in, called through UNO",
    "calc_paretograde_cells": "n × PARETOGRADE(value, the n-value range)",
    "calc_paretogrades_array": "one PARETOGRADES(the n-value range) array over n rows",
}
ORDERS_VOLUME = ("calc_abcgrade", "calc_native_if", "calc_abcgrades_array", "calc_python_floor", "calc_cpp_addin")
FLOOR = "XLGFLOOR"

# The floor extension's registry: a copy of xlgrade.cells whose FUNCTIONS is one function with
# ABCGRADE's arguments that grades nothing. Calc, pyuno, the component and the value bridge
# (xlgradeaddin) do all they do for ABCGRADE; only the registry's own work is missing, so
# ABCGRADE / floor is the share of the time xlgrade's Python can still win back.
FLOOR_MODULE = f"""\"\"\"Benchmark only (bench/calc.py): {FLOOR}, ABCGRADE's signature doing no work.\"\"\"
from dataclasses import replace

from .registry import by_name


def _no_work(*values):
    return "A"


FUNCTIONS = (replace(by_name("ABCGRADE"), name="{FLOOR}", fn=_no_work),)
"""

SHEET = "Bench"
SEED = 20261201

# ABCGRADE's defaults (docs/rules.md §3.1 Threshold ABC: more than 5 orders and more than 100,000 is A; more than
# 3 and more than 10,000 is B), written out as the native formula a user would type.
NATIVE = '=IF(AND(A{r}>5,B{r}>100000),"A",IF(AND(A{r}>3,B{r}>10000),"B","C"))'


def inputs(n: int) -> list[tuple[int, float]]:
    """n deterministic (orders, volume) pairs spread over every grade and its boundaries."""
    rng = random.Random(SEED)
    out = []
    for i in range(n):
        orders = rng.randint(0, 10)
        volume = round(rng.uniform(0, 200_000), 2)
        if i % 50 == 0:  # the boundaries themselves: not "more than"
            orders, volume = rng.choice([(5, 200_000.0), (6, 100_000.0), (3, 50_000.0), (4, 10_000.0)])
        out.append((orders, volume))
    return out


def build_book(kind: str, n: int, path: str | Path) -> Path:
    """The .xlsx of one measurement: inputs in A (and B), n result rows in C."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    if kind not in KINDS:
        raise ValueError(f"unknown Calc measurement {kind!r}")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    rows = inputs(n)
    for r, (orders, volume) in enumerate(rows, 1):
        ws.cell(r, 1, orders if kind in ORDERS_VOLUME else volume)
        if kind in ORDERS_VOLUME:
            ws.cell(r, 2, volume)
    rng_ref = f"$A$1:$A${n}"
    if kind == "calc_paretogrades_array":
        ws["C1"] = ArrayFormula(f"C1:C{n}", f"=PARETOGRADES({rng_ref})")
    elif kind == "calc_abcgrades_array":
        ws["C1"] = ArrayFormula(f"C1:C{n}", f"=ABCGRADES($A$1:$A${n},$B$1:$B${n})")
    else:
        for r in range(1, n + 1):
            ws.cell(
                r,
                3,
                {
                    "calc_abcgrade": f"=ABCGRADE(A{r},B{r})",
                    "calc_native_if": NATIVE.format(r=r),
                    "calc_python_floor": f"={FLOOR}(A{r},B{r})",
                    "calc_cpp_addin": f"=DELTA(A{r},5)",
                    "calc_paretograde_cells": f"=PARETOGRADE(A{r},{rng_ref})",
                }[kind],
            )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def expected(kind: str, n: int) -> list[str]:
    """The grades the registry computes for the same inputs (what every cell must show)."""
    from xlgrade.cells import by_name

    rows = inputs(n)
    if kind == "calc_python_floor":
        return ["A"] * n
    if kind == "calc_cpp_addin":
        return [1.0 if o == 5 else 0.0 for o, _ in rows]
    if kind in ORDERS_VOLUME:
        f = by_name("ABCGRADE")
        return [f(float(o), v) for o, v in rows]
    population = tuple((v,) for _, v in rows)
    return [g for (g,) in by_name("PARETOGRADES")(population)]


def build_floor_oxt(out_dir: str | Path) -> Path:
    """An extension whose only function is the floor (:data:`FLOOR_MODULE`), built like
    xlgrade.oxt from a copy of the registry package."""
    import shutil
    import tempfile

    from xlgrade import cells
    from xlgrade.addins.lo import build_oxt

    with tempfile.TemporaryDirectory(prefix="xlgrade-floor-") as tmp:
        registry = Path(tmp) / "cells"
        shutil.copytree(Path(cells.__file__).parent, registry, ignore=shutil.ignore_patterns("__pycache__"))
        (registry / "floor.py").write_text(FLOOR_MODULE, encoding="utf-8")
        with open(registry / "__init__.py", "a", encoding="utf-8") as init:
            init.write("\nfrom .floor import FUNCTIONS  # noqa: E402,F811  (the benchmark's floor)\n")
        namespace: dict = {}
        exec(
            compile(
                FLOOR_MODULE.replace("from .registry import", "from xlgrade.cells.registry import"), "floor", "exec"
            ),
            namespace,
        )
        return build_oxt(out_dir, namespace["FUNCTIONS"], registry_dir=registry)


def measure(oxt: str | Path, book: str | Path, n: int, runs: int = 5) -> dict:
    """Open ``book`` in Calc with ``oxt`` installed; time ``runs`` calculateAll() calls.

    Returns {"seconds": median, "runs": [each], "load_seconds": opening (it recalculates),
    "values": column C as Calc shows it}.
    """
    import time

    from xlgrade.lo import LibreOffice

    with LibreOffice(extensions=[oxt], timeout=1800) as lo:
        t0 = time.perf_counter()
        doc = lo.open(book)
        load = time.perf_counter() - t0
        times = [doc.recalculate() for _ in range(runs)]
        values = [row[0] for row in doc.get(SHEET, f"C1:C{n}")]
        doc.close()
    return {"seconds": statistics.median(times), "runs": times, "load_seconds": load, "values": values}
