"""Excel's external references to the add-in's functions ([1]!ABCGRADE(...), Microsoft 817578)."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from xlgrade.cli import main
from xlgrade.schema.sheets import CUSTOMERS, VALIDATION
from xlgrade.workbook import addinrefs
from xlgrade.workbook.cellxml import Cell, Formula
from xlgrade.workbook.package import Package

LINK = "xl/externalLinks/externalLink1.xml"
ADDIN = r"file:///C:\Users\li\AppData\Roaming\Microsoft\Excel\XLSTART\xlgrade.xlam"
STAFF_SHEET = "我的表"


def add_addin_link(path: Path, *, staff_cell: bool) -> None:
    """What Excel writes for calls of an .xlam's functions: the link part and [1]! calls."""
    pkg = Package(path)
    part = pkg.sheet_part(CUSTOMERS.zh)
    xml, n = re.subn(r"(<f\b[^>]*>)ABCGRADE\(", r"\1[1]!ABCGRADE(", pkg.text(part))
    assert n > 0
    pkg.write(part, xml)
    if staff_cell:
        pkg.add_sheet(STAFF_SHEET)
        pkg.set_cells(
            STAFF_SHEET,
            {(1, 1): Cell(Formula("[1]!ABCGRADE(6,150000)", "A"), None), (2, 1): Cell(Formula("SUM(1,2)", 3), None)},
        )
    pkg.write(
        LINK,
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1"/></externalLink>',
    )
    pkg.write(
        "xl/externalLinks/_rels/externalLink1.xml.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        f'Target="{ADDIN}" TargetMode="External"/></Relationships>',
    )
    pkg.set_override(LINK, "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml")
    rid = pkg.add_rel(pkg.workbook, addinrefs.REL_EXTERNAL_LINK, LINK)
    wb = pkg.text(pkg.workbook).replace(
        "</sheets>", f'</sheets><externalReferences><externalReference r:id="{rid}"/></externalReferences>', 1
    )
    pkg.write(pkg.workbook, wb)
    pkg.save(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(out), "--customers", "8"]) == 0
    return next(out.glob("*.xlsx"))


def _formulas(path: Path, sheet: str) -> list[str]:
    pkg = Package(path)
    return re.findall(r"<f\b[^>]*>([^<]*)</f>", pkg.text(pkg.sheet_part(sheet)))


def test_the_fixture_has_excels_form(demo, tmp_path):
    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo, book)
    add_addin_link(book, staff_cell=True)
    pkg = Package(book)
    assert [(link.index, link.target) for link in addinrefs.links(pkg)] == [(1, ADDIN)]
    assert any(f.startswith("[1]!ABCGRADE(") for f in _formulas(book, CUSTOMERS.zh))


def test_fix_rewrites_owned_cells_and_reports_the_others(demo, tmp_path):
    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo, book)
    add_addin_link(book, staff_cell=True)
    pkg = Package(book)
    left = addinrefs.fix(pkg, lambda sheet, col, row: sheet == CUSTOMERS.zh)
    assert [(c.sheet, c.column, c.row, c.formula) for c in left] == [(STAFF_SHEET, "A", 1, "[1]!ABCGRADE(6,150000)")]
    xml = pkg.text(pkg.sheet_part(CUSTOMERS.zh))
    assert "[1]!" not in xml and "<f>ABCGRADE(Customers[[#This Row]" in xml
    assert pkg.exists(LINK)  # the staff cell still needs it


def test_recalc_drops_the_dangling_link(demo, tmp_path):
    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo, book)
    add_addin_link(book, staff_cell=False)
    assert main(["recalc", str(book)]) == 0
    assert not any("[1]!" in f for f in _formulas(book, CUSTOMERS.zh))
    assert any(f.startswith("ABCGRADE(") for f in _formulas(book, CUSTOMERS.zh))
    with zipfile.ZipFile(book) as z:
        names = set(z.namelist())
        wb = z.read("xl/workbook.xml").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    assert not any(n.startswith("xl/externalLinks/") for n in names)
    assert "externalReference" not in wb and "externalLink" not in types and "externalLink" not in rels


def test_recalc_keeps_staff_cells_and_lists_them(demo, tmp_path):
    from xlgrade.io.tables import read_book_rows

    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo, book)
    add_addin_link(book, staff_cell=True)
    assert main(["recalc", str(book)]) == 0
    assert "[1]!ABCGRADE(6,150000)" in _formulas(book, STAFF_SHEET)
    assert not any("[1]!" in f for f in _formulas(book, CUSTOMERS.zh))
    assert Package(book).exists(LINK)
    rows, _, _ = read_book_rows(book, VALIDATION)
    text = "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    assert "=[1]!ABCGRADE(6,150000)" in text and "817578" in text and STAFF_SHEET in text
