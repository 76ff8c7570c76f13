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
    "calc_paretograde_cells": "n × PARETOGRADE(value, the n-value range)",
    "calc_paretogrades_array": "one PARETOGRADES(the n-value range) array over n rows",
}

SHEET = "Bench"
SEED = 20261201

# ABCGRADE's defaults (DOMAIN.md §3.1: more than 5 orders and more than 100,000 is A; more than
# 3 and more than 10,000 is B), written out as the native formula a user would type.
NATIVE = '=IF(AND(A{r}>5,B{r}>100000),"A",IF(AND(A{r}>3,B{r}>10000),"B","C"))'


def inputs(n: int) -> list[tuple[int, float]]:
    """n deterministic (orders, volume) pairs spread over every grade and its boundaries."""
    rng = random.Random(SEED)
    out = []
    for i in range(n):
        orders = rng.randint(0, 10)
        volume = round(rng.uniform(0, 200_000), 2)
        if i % 50 == 0:                       # the boundaries themselves: not "more than"
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
        ws.cell(r, 1, orders if kind in ("calc_abcgrade", "calc_native_if") else volume)
        if kind in ("calc_abcgrade", "calc_native_if"):
            ws.cell(r, 2, volume)
    rng_ref = f"$A$1:$A${n}"
    if kind == "calc_paretogrades_array":
        ws["C1"] = ArrayFormula(f"C1:C{n}", f"=PARETOGRADES({rng_ref})")
    else:
        for r in range(1, n + 1):
            ws.cell(r, 3, {"calc_abcgrade": f"=ABCGRADE(A{r},B{r})",
                           "calc_native_if": NATIVE.format(r=r),
                           "calc_paretograde_cells": f"=PARETOGRADE(A{r},{rng_ref})"}[kind])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def expected(kind: str, n: int) -> list[str]:
    """The grades the registry computes for the same inputs (what every cell must show)."""
    from xlgrade.cells import by_name

    rows = inputs(n)
    if kind in ("calc_abcgrade", "calc_native_if"):
        f = by_name("ABCGRADE")
        return [f(float(o), v) for o, v in rows]
    population = tuple((v,) for _, v in rows)
    return [g for (g,) in by_name("PARETOGRADES")(population)]


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
