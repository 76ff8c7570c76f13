"""Shared formulas (Excel's form of a formula filled down) survive xlgrade's cell writes.

Excel stores the formula once in the range's first cell, ``<f t="shared" ref="E2:E13"
si="0">C2*100</f>``, and only ``<f t="shared" si="0"/>`` in the others. Replacing that first
cell alone used to leave the others pointing at nothing (Excel: "We found a problem with some
content"; openpyxl reads them as ``=``). These tests prove that each such cell now holds the
formula moved to its own row, read back by openpyxl (an independent reader), with its cached
value unchanged; and that nothing changes when the first cell keeps its formula.
"""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlgrade.schema.sheets import LEDGER
from xlgrade.workbook.cellxml import Cell, Formula
from xlgrade.workbook.package import Package

FIXTURE = Path(__file__).resolve().parent / "files" / "excel-forms.xlsx"
QUANTITIES = [200, 300, 250, 250, 300, 200, 50, 50, 50, 50, 8, 2]  # ledger C2:C13 of the fixture


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(FIXTURE, path)
    return path


def ledger_xml(path: Path) -> str:
    pkg = Package(path)
    return pkg.text(pkg.sheet_part(LEDGER.zh))


def orphans(xml: str) -> set[str]:
    """si numbers used by followers but defined by no master."""
    masters = set(re.findall(r'<f t="shared" ref="[^"]+" si="(\d+)">', xml))
    followers = set(re.findall(r'<f t="shared" si="(\d+)"/>', xml))
    return followers - masters


def amounts(path: Path) -> list:
    return [r[4] for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(LEDGER.zh).to_python()[1:]]


@pytest.mark.parametrize("new", [Cell(123), Cell(Formula("C2*7", 1400))], ids=["value", "formula"])
def test_replacing_the_first_cell_writes_the_formula_out_in_the_others(book: Path, new: Cell) -> None:
    pkg = Package(book)
    pkg.set_cells(LEDGER.zh, {(2, 5): new})
    pkg.save(book)
    xml = ledger_xml(book)
    assert not orphans(xml) and 'si="0"' not in xml
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ws = openpyxl.load_workbook(book)[LEDGER.zh]
    assert [ws[f"E{r}"].value for r in range(3, 14)] == [f"=C{r}*100" for r in range(3, 14)]
    assert ws["E2"].value == (123 if new.value == 123 else "=C2*7")
    assert amounts(book)[1:] == [q * 100 for q in QUANTITIES[1:]]  # cached values as they were


def test_a_kept_first_cell_leaves_the_shared_formula_alone(book: Path) -> None:
    before = ledger_xml(book)
    pkg = Package(book)
    pkg.set_cells(LEDGER.zh, {(2, 5): Cell(99)}, keep_formulas=True)  # a new cached result only
    pkg.save(book)
    after = ledger_xml(book)
    assert '<f t="shared" ref="E2:E13" si="0">C2*100</f><v>99</v>' in after
    assert after.count('<f t="shared" si="0"/>') == before.count('<f t="shared" si="0"/>') == 11
    assert re.sub(r'(<c r="E2"[^>]*>.*?</c>)', "", after) == re.sub(r'(<c r="E2"[^>]*>.*?</c>)', "", before)


def test_replacing_every_cell_of_the_range_leaves_nothing_behind(book: Path) -> None:
    pkg = Package(book)
    pkg.set_cells(LEDGER.zh, {(r, 5): Cell(float(r)) for r in range(2, 14)})
    pkg.save(book)
    xml = ledger_xml(book)
    assert 't="shared"' not in xml and amounts(book) == [float(r) for r in range(2, 14)]
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
