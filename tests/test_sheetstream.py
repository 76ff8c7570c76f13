"""Cells set on a large sheet part read and written in pieces (:mod:`xlgrade.workbook.sheetstream`)
give the text the whole-text edit (:meth:`Worksheet.set_cells`) gives, byte for byte, and the
whole-text edit with its in-place fast path (``RowEdit._numbered_rows``) gives what the general
scan of every row gives: on rows of every shape (missing target cells, extra cells, rows
without ``r`` or with ``spans``, empty rows, kept and shared formulas, rows to insert before,
between and after the rows there, a namespace prefix), in windows as small as one row.
A large filled sheet is edited without its whole text in memory, and one that comes out as it
was is left as it is.
"""

from __future__ import annotations

import random
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from xlgrade.workbook import sheetstream, worksheets, ziplimits
from xlgrade.workbook.cellxml import Cell, Formula
from xlgrade.workbook.package import Package
from xlgrade.workbook.rowedit import RowEdit
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.zipio import Deflated

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "xl/worksheets/sheet1.xml"


def _book(path: Path, sheet_xml: str) -> Path:
    """A workbook of one sheet ("S") whose part is ``sheet_xml``."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        SHEET: sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def _sheet(rows: list[str], p: str = "", head: str = "", tail: str = "", dim: str = "A1:C9") -> str:
    ns = f'xmlns:x="{MAIN}"' if p else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
        f'<{p}dimension ref="{dim}"/>{head}<{p}sheetData>{"".join(rows)}</{p}sheetData>{tail}</{p}worksheet>'
    )


def _row(rng: random.Random, r: int, p: str, width: int) -> str:
    """A row of one of several shapes."""
    shape = rng.randrange(9)
    cols = sorted(rng.sample(range(1, width + 1), rng.randint(0, width)))
    cells = []
    for c in cols:
        ref = f"{chr(64 + c)}{r}"
        kind = rng.randrange(7)
        if kind == 0:
            cells.append(f'<{p}c r="{ref}" s="{rng.randrange(4)}"/>')
        elif kind == 1:
            cells.append(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>客户{r}&amp;{c}</{p}t></{p}is></{p}c>')
        elif kind == 2:
            cells.append(f'<{p}c r="{ref}" s="2"><{p}f>A{r}*2</{p}f><{p}v>{r}</{p}v></{p}c>')
        elif kind == 3:
            cells.append(f'<{p}c r="{ref}" cm="1"><{p}f t="array" ref="{ref}">B{r}</{p}f><{p}v>1</{p}v></{p}c>')
        elif kind == 4:
            cells.append(f"<{p}c><{p}v>{c}</{p}v></{p}c>")  # no r: it follows the cell before
        else:
            cells.append(f'<{p}c r="{ref}" s="1" t="n"><{p}v>{r * c}</{p}v></{p}c>')
    body = "".join(cells)
    if shape == 0:
        return f'<{p}row r="{r}" spans="2:3"/>'
    if shape == 1:
        return f"<{p}row>{body}</{p}row>"  # numbered by the row before
    if shape == 2:
        return f'<{p}row r="{r}" spans="1:{max(1, width - 1)}" ht="20" customHeight="1">{body}</{p}row>'
    if shape == 3:
        return f'<{p}row r="{r}">{body}<{p}extLst><{p}ext uri="x"/></{p}extLst></{p}row>'
    if shape == 4:
        return f"<{p}row r='{r}'>{body}</{p}row>"
    return f'<{p}row r="{r}">{body}</{p}row>'


def _cells(rng: random.Random, rows: int, width: int) -> dict[tuple[int, int], Cell]:
    values = ["按期回款", "逾期 3 天回款", 1.5, 7, None, "", "<&>", Formula("A1+1", 2.0)]
    out = {}
    for r in rng.sample(range(1, rows + 6), rng.randint(1, rows + 4)):
        for c in rng.sample(range(1, width + 2), rng.randint(1, 2)):
            out[(r, c)] = Cell(rng.choice(values), rng.choice([None, 0, 3, 25]))
    return out


def _whole(xml: str, cells, **how) -> str:
    return Worksheet(xml).set_cells(xml, cells, date1904=False, **how)


def _streamed(tmp_path: Path, xml: str, cells, **how) -> str:
    pkg = Package(_book(tmp_path / "s.xlsx", xml))
    new = sheetstream.set_cells(pkg, SHEET, cells, date1904=False, **how)
    if new is sheetstream.WHOLE:
        return "WHOLE"
    return xml if new is None else new.inflate().decode("utf-8")


def _scanned(monkeypatch, xml: str, cells, **how) -> str:
    """The whole-text edit with every row read by the general scan."""
    with monkeypatch.context() as m:
        m.setattr(RowEdit, "_numbered_rows", lambda self, xml, start, end: None)
        return _whole(xml, cells, **how)


@pytest.mark.parametrize("p", ["", "x:"])
@pytest.mark.parametrize("seed", range(12))
def test_streamed_edit_equals_the_whole_text_edit(tmp_path, monkeypatch, p, seed):
    rng = random.Random(seed)
    width = rng.randint(1, 4)
    numbers = sorted(rng.sample(range(1, 40), rng.randint(0, 25)))
    plain = rng.random() < 0.5  # rows as xlgrade and Excel write them: the fast path's case
    rows = [
        f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>1</{p}v></{p}c><{p}c r="C{r}" s="3" t="inlineStr"><{p}is><{p}t>甲</{p}t></{p}is></{p}c></{p}row>'
        if plain
        else _row(rng, r, p, width)
        for r in numbers
    ]
    head = f'<{p}cols><{p}col min="1" max="3" width="9" style="2"/></{p}cols>' if seed % 2 else ""
    xml = _sheet(rows, p, head, tail=f'<{p}pageMargins left="0.5"/>')
    monkeypatch.setattr(sheetstream, "WINDOW_BYTES", rng.choice([1, 50, 300, 1 << 20]))
    monkeypatch.setattr(ziplimits, "CHUNK_BYTES", rng.choice([7, 64, 1 << 20]))
    for _ in range(4):
        cells = _cells(rng, max(numbers, default=3), width + (0 if plain else 1))
        how = dict(
            keep_styles=rng.random() < 0.5,
            keep_formulas=rng.choice([True, False, {1, 2}]),
            widths=rng.choice([None, {2: 30.0, 5: 12.0}]),
        )
        whole = _whole(xml, cells, **how)
        assert _streamed(tmp_path, xml, cells, **how) == whole
        assert _scanned(monkeypatch, xml, cells, **how) == whole


def test_cells_that_stay_as_they_were_are_found_in_place_and_the_part_left_alone(tmp_path, monkeypatch):
    rows = [
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" s="3" t="inlineStr"><is><t>按期回款</t></is></c></row>'
        for r in range(2, 400)
    ]
    xml = _sheet(rows, dim="A1:B399")
    same = {(r, 2): Cell("按期回款", 9) for r in range(2, 400)}
    monkeypatch.setattr(sheetstream, "WINDOW_BYTES", 1000)
    assert _whole(xml, same, keep_styles=True, keep_formulas=True) == xml
    pkg = Package(_book(tmp_path / "a.xlsx", xml))
    assert sheetstream.set_cells(pkg, SHEET, same, date1904=False, keep_styles=True, keep_formulas=True) is None
    monkeypatch.setattr(worksheets, "STREAM_BYTES", 1)
    pkg.set_cells("S", same, keep_styles=True, keep_formulas=True)
    assert SHEET not in pkg.changed()
    # one change at the end: the unchanged text before it is deflated from the part again
    last = {**same, (399, 2): Cell("逾期 9 天回款", 9)}
    pkg.set_cells("S", last, keep_styles=True, keep_formulas=True)
    assert isinstance(pkg._parts[SHEET], Deflated)
    assert pkg.text(SHEET) == _whole(xml, last, keep_styles=True, keep_formulas=True) != xml


def test_a_replaced_shared_formula_master_takes_the_whole_text_path(tmp_path, monkeypatch):
    rows = [
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}">'
        + ('<f t="shared" ref="B2:B9" si="0">A2*2</f>' if r == 2 else '<f t="shared" si="0"/>')
        + f"<v>{2 * r}</v></c></row>"
        for r in range(2, 10)
    ]
    xml = _sheet(rows)
    monkeypatch.setattr(sheetstream, "WINDOW_BYTES", 1)
    kept = {(r, 2): 1.0 for r in range(2, 10)}  # formulas kept: the master stays, streamed
    assert _streamed(tmp_path, xml, kept, keep_styles=True, keep_formulas=True) == _whole(
        xml, kept, keep_styles=True, keep_formulas=True
    )
    master = {(2, 2): 5.0}  # the master replaced by a value: its followers get its formula
    assert _streamed(tmp_path, xml, master, keep_styles=True, keep_formulas=False) == "WHOLE"
    monkeypatch.setattr(worksheets, "STREAM_BYTES", 1)
    pkg = Package(_book(tmp_path / "m.xlsx", xml))
    pkg.set_cells("S", master, keep_styles=True, keep_formulas=False)
    assert pkg.text(SHEET) == _whole(xml, master, keep_styles=True, keep_formulas=False)
    assert "<f>A3*2</f>" in pkg.text(SHEET)


def test_a_large_filled_sheet_is_edited_without_its_whole_text(tmp_path, monkeypatch):
    n = 80_000
    rows = [
        f'<row r="{r}"><c r="A{r}" s="1" t="inlineStr"><is><t>长沙润泽电子科技集团有限公司 {r}</t></is></c>'
        f'<c r="B{r}" s="8" t="n"><v>{r * 3}</v></c><c r="C{r}" s="25" t="inlineStr"><is><t>按期回款</t></is></c></row>'
        for r in range(2, n)
    ]
    xml = _sheet(rows)
    size = len(xml.encode())
    assert size > 10 << 20
    book = _book(tmp_path / "big.xlsx", xml)
    del rows
    cells = {(r, 3): Cell("按期回款" if r % 97 else "逾期 5 天回款", 25) for r in range(2, n, 10)}
    want = _whole(xml, cells, keep_styles=True, keep_formulas={3})
    del xml
    pkg = Package(book)
    monkeypatch.setattr(sheetstream, "WINDOW_BYTES", 256 << 10)  # rows edited 256 KiB at a time
    monkeypatch.setattr(ziplimits, "CHUNK_BYTES", 128 << 10)  # inflated 128 KiB at a time
    tracemalloc.start()
    try:
        pkg.set_cells("S", cells, keep_styles=True, keep_formulas={3})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(pkg._parts[SHEET], Deflated)
    # the whole text as one str (Chinese: 2 bytes a character) alone takes more than the part's size
    assert peak < size / 2, (peak, size)
    assert pkg.text(SHEET) == want


@pytest.mark.parametrize("stream", [True, False])
def test_a_large_table_is_deflated_as_it_is_made(tmp_path, monkeypatch, stream):
    rows = [[f"客户{i}", i * 1.5, "按期回款"] for i in range(3000)]
    texts = {}
    for label, limit in (("streamed", 1), ("joined", 1 << 40)):
        monkeypatch.setattr(worksheets, "STREAM_BYTES", limit if stream else 1 << 40)
        pkg = Package(_book(tmp_path / f"{label}.xlsx", _sheet([])))
        pkg.write_table("S", "T", ["名称", "金额", "信用"], rows[:2], header_style=0)  # the table made
        pkg.write_table("S", "T", ["名称", "金额", "信用"], rows, header_style=0)
        assert isinstance(pkg._parts[SHEET], Deflated) == (stream and label == "streamed")
        texts[label] = pkg.text(SHEET)
    assert texts["streamed"] == texts["joined"] and texts["joined"].count("<row ") == 3001


def _odd_row(rng: random.Random, r: int, p: str) -> str:
    """Rows the append fast path must leave to the general scan, or get exactly right."""
    rich = f'<{p}c r="B{r}" t="inlineStr"><{p}is><{p}r><{p}rPr><{p}color rgb="FF0000"/></{p}rPr><{p}t>红</{p}t></{p}r></{p}is></{p}c>'
    shapes = [
        f'<{p}row r="{r}"><{p}c r="C{r}"><{p}v>3</{p}v></{p}c><{p}c r="A{r}"><{p}v>1</{p}v></{p}c></{p}row>',  # descending
        f'<{p}row r="{r}"><{p}c r="a{r}"><{p}v>1</{p}v></{p}c></{p}row>',  # a lowercase reference
        f'<{p}row r="{r}"><{p}c s="1" r="A{r}"><{p}v>1</{p}v></{p}c></{p}row>',  # r not first
        f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>1</{p}v></{p}c>{rich}</{p}row>',  # <color> is not a cell
        f'<{p}row r="{r}" spans="1:2"><{p}c r="A{r}"/><{p}c r="B{r}" s="2"/></{p}row>',  # spans to grow
        f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>1</{p}v><{p}extLst/></{p}c><{p}extLst><{p}ext uri="y"/></{p}extLst></{p}row>',
        f'<{p}row r="{r}"><{p}c r="B{r}"/></{p}row>',
        f'<{p}row r="{r}"><{p}c r="A{r}"/><{p}extLstX/><{p}extLst/></{p}row>',  # a name that only starts so
        f'<{p}row r="{r}"><{p}c r="A{r}"/><{p}c r="B{r}"><{p}v>2</{p}v></{p}c><{p}c r="C{r}"/></{p}row>',
        f'<{p}row r="{r}"><{p}c r="C{r}"/><{p}c r="A{r}"/><{p}c r="E{r}"/></{p}row>',  # out of order, last widest
        f'<{p}row r="{r}"><{p}c r="A{r}"/><{p}c r="C{r}"/><{p}c r="E{r}"><{p}v>5</{p}v></{p}c></{p}row>',
        f'<{p}row r="{r}"/>',
    ]
    return rng.choice(shapes)


@pytest.mark.parametrize("p", ["", "x:"])
@pytest.mark.parametrize("seed", range(16))
def test_cells_appended_after_a_rows_cells_equal_the_general_scan(monkeypatch, p, seed):
    """A column filled in right of or between a row's cells (the ledger's 信用评估, the customer
    summary's computed columns on a sheet openpyxl or Excel filled, every row):
    ``RowEdit._place_by_references`` gives what the cell-by-cell scan gives."""
    rng = random.Random(seed)
    numbers = sorted(rng.sample(range(1, 30), rng.randint(1, 20)))
    rows = [_odd_row(rng, r, p) if rng.random() < 0.6 else _row(rng, r, p, 3) for r in numbers]
    xml = _sheet(rows, p)
    for _ in range(4):
        col = rng.choice([2, 4, 5])  # right of some rows' cells, inside others
        cells = {(r, col): Cell(rng.choice(["按期回款", 1.5, None, "<&>"]), rng.choice([None, 3])) for r in numbers}
        if rng.random() < 0.4:
            cells.update({(r, rng.choice([2, 6])): Cell("逾期", None) for r in numbers[::2]})
        how = dict(keep_styles=rng.random() < 0.5, keep_formulas=rng.choice([True, False]))
        fast = _whole(xml, cells, **how)
        with monkeypatch.context() as m:
            m.setattr(RowEdit, "_place_by_references", lambda self, *args: None)
            assert fast == _whole(xml, cells, **how)
            assert fast == _scanned(m, xml, cells, **how)


def test_a_column_filled_in_on_every_row_takes_the_append_path(monkeypatch):
    """The first run's 信用评估 on an openpyxl-filled ledger is appended row by row, not found by
    reading every cell of every row (that took 30 s for 171,000 lines)."""
    rows = [f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}"><v>{r}</v></c></row>' for r in range(2, 50)]
    xml = _sheet(rows)
    calls = []
    real = Worksheet.cells
    monkeypatch.setattr(Worksheet, "cells", lambda self, *a: calls.append(1) or real(self, *a))
    out = _whole(xml, {(r, 17): Cell("按期回款", None) for r in range(2, 50)}, keep_styles=True, keep_formulas=True)
    assert calls == [] and out.count('<c r="Q') == 48
    assert '<c r="B2"><v>2</v></c><c r="Q2" t="inlineStr"><is><t>按期回款</t></is></c></row>' in out
