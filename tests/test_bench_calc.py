"""The Calc benchmark's measurement code (bench/calc.py) on a tiny size: it builds the books,
Calc computes them with the extension installed, and every cell shows the registry's grade.
Not a timed test: the times are only checked to be times.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from xlgrade.cells import by_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import calc  # noqa: E402  (bench/calc.py)

pytestmark = pytest.mark.libreoffice

N = 50


def test_inputs_are_deterministic_and_reach_every_grade():
    assert calc.inputs(N) == calc.inputs(N)
    assert set(calc.expected("calc_abcgrade", N)) == {"A", "B", "C"}
    assert set(calc.expected("calc_paretogrades_array", N)) == {"A", "B", "C"}


def test_books_hold_the_formulas_measured(tmp_path):
    cells = {}
    for kind in calc.KINDS:
        ws = openpyxl.load_workbook(calc.build_book(kind, N, tmp_path / f"{kind}.xlsx"))[calc.SHEET]
        cells[kind] = ws
    assert cells["calc_abcgrade"]["C7"].value == "=ABCGRADE(A7,B7)"
    assert cells["calc_native_if"]["C7"].value == calc.NATIVE.format(r=7)
    assert cells["calc_paretograde_cells"]["C7"].value == f"=PARETOGRADE(A7,$A$1:$A${N})"
    array = cells["calc_paretogrades_array"]["C1"].value
    assert array.ref == f"C1:C{N}" and array.text == f"=PARETOGRADES($A$1:$A${N})"
    array = cells["calc_abcgrades_array"]["C1"].value
    assert array.ref == f"C1:C{N}" and array.text == f"=ABCGRADES($A$1:$A${N},$B$1:$B${N})"
    assert cells["calc_python_floor"]["C7"].value == "=XLGFLOOR(A7,B7)"
    assert cells["calc_cpp_addin"]["C7"].value == "=DELTA(A7,5)"
    assert set(calc.expected("calc_cpp_addin", N)) == {0.0, 1.0}
    # the native formula is ABCGRADE's defaults, so both sheets grade the same inputs alike
    abc = by_name("ABCGRADE")
    for orders, volume in calc.inputs(N):
        native = "A" if orders > 5 and volume > 100000 else "B" if orders > 3 and volume > 10000 else "C"
        assert native == abc(float(orders), volume)


@pytest.mark.parametrize("kind", sorted(calc.KINDS))
def test_calc_computes_the_registry_grades(oxt, tmp_path, kind):
    book = calc.build_book(kind, N, tmp_path / f"{kind}.xlsx")
    if kind == "calc_python_floor":  # the floor has an extension of its own
        oxt = calc.build_floor_oxt(tmp_path / "floor")
    result = calc.measure(oxt, book, N, runs=2)
    assert result["values"] == calc.expected(kind, N)
    assert len(result["runs"]) == 2 and all(t >= 0 for t in result["runs"])
    assert result["seconds"] in result["runs"] or min(result["runs"]) <= result["seconds"] <= max(result["runs"])
