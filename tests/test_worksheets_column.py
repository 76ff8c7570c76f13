"""worksheets.all_cells(column=...): one column's cells, as all_cells finds them, without
parsing the other cells of each row (the lists sheet: 4,800 rows x 11 columns)."""

from __future__ import annotations

import re

import pytest
from test_package import SP, build_book

from xlgrade.workbook import worksheets
from xlgrade.workbook.package import Package

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

ROWS = {
    "plain": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>2</v></c>'
        '<c r="AB1" s="3"><v>5</v></c></row>'
        '<row r="2"><c r="B2" s="1"/><c r="G2" t="str"><f>1+1</f><v>2</v></c></row>'
        '<row r="4" ht="20"><c s="2" r="B4" t="inlineStr"><is><t>r="G4" &gt; x</t></is></c></row>'
        '<row r="5"><c t=\'inlineStr\' r=\'b5\' x="a>b"><is><t>q</t></is></c><c r="BA5"><v>7</v></c></row>'
    ),
    "a cell without a reference": '<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
}


@pytest.mark.parametrize("rows", ROWS.values(), ids=ROWS.keys())
@pytest.mark.parametrize("prefix", ["", "x:"])
def test_one_column_is_the_column_of_all_cells(tmp_path, rows, prefix):
    p = Package(build_book(tmp_path / "b.xlsx"))
    part = p.sheet_part(SP)
    if prefix:
        rows = rows.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c", "<x:c")
        rows = rows.replace("</c>", "</x:c>").replace("<v>", "<x:v>").replace("</v>", "</x:v>")
        rows = rows.replace("<is>", "<x:is>").replace("</is>", "</x:is>").replace("<t>", "<x:t>")
        rows = rows.replace("</t>", "</x:t>").replace("<f>", "<x:f>").replace("</f>", "</x:f>")
        xml = f"<x:worksheet {NS.replace('xmlns', 'xmlns:x')}><x:sheetData>{rows}</x:sheetData></x:worksheet>"
    else:
        xml = f"<worksheet {NS}><sheetData>{rows}</sheetData></worksheet>"
    p.write(part, xml)
    every = worksheets.all_cells(p, SP)
    assert every
    for column in (1, 2, 7, 28, 53, 99):
        assert p.all_cells(SP, column) == {k: v for k, v in every.items() if k[1] == column}


def test_one_column_does_not_parse_the_others(tmp_path, monkeypatch):
    p = Package(build_book(tmp_path / "b.xlsx"))
    part = p.sheet_part(SP)
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(1, 50))
    p.write(part, f"<worksheet {NS}><sheetData>{body}</sheetData></worksheet>")
    every = p.all_cells(SP)

    def refused(*a, **k):
        raise AssertionError("every cell parsed")

    monkeypatch.setattr(worksheets.Worksheet, "cells", refused)
    assert p.all_cells(SP, 2) == {k: v for k, v in every.items() if k[1] == 2}


def test_column_widths_are_read_from_the_head_of_a_stored_sheet(tmp_path, monkeypatch):
    path = build_book(tmp_path / "b.xlsx")
    p = Package(path)
    p.write_table(SP, "SalesPower", ["a", "b", "c"], [[1, 2, 3]] * 3000, [10, 0, 31.5])
    p.save()
    p = Package(path)
    part = p.sheet_part(SP)
    whole = p.text(part)
    monkeypatch.setattr(p, "text", lambda name: pytest.fail(f"{name} read whole"))
    assert p.col_widths(SP) == {1: 10.0, 3: 31.5}
    monkeypatch.undo()
    p.write(part, re.sub(r"<cols>.*?</cols>", "", whole, count=1, flags=re.S))  # none in the head: read whole
    p.save()
    assert Package(path).col_widths(SP) == {}
