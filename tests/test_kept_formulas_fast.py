"""Setting a computed value into a cell that holds a formula keeps the formula and writes the value
as its cached result (:meth:`Worksheet.set_cells`, ``keep_formulas``); the fast path (the formula
cell's tail formatted once per value and split where its ``<f>`` goes) writes exactly what
formatting the whole cell and splicing the old ``<f>`` in writes, for varied values (texts with
CJK and XML specials, numbers, NaN, None, booleans, dates, error texts), styles kept or not,
``cm`` attributes and namespace prefixes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from xlgrade.workbook.cellxml import Cell, Formula, cell_xml, col_letter
from xlgrade.workbook.sheetxml import Worksheet

VALUES = [
    "客户甲",
    "",
    " lead",
    "<&>",
    "#N/A",
    "a\nb",
    1.5,
    -0.0,
    1e16,
    -123456789.25,
    7,
    float("nan"),
    None,
    True,
    False,
    dt.date(2026, 10, 31),
    dt.datetime(2026, 10, 1, 8, 0),
]
FORMULAS = ["<{p}f>SUM(A{r}:A9)</{p}f>", '<{p}f t="shared" si="0"/>', '<{p}f t="array" ref="C{r}">A{r}*2</{p}f>']


def _old_cell(p, ref, value, style, old_f, cm):
    """The formula cell as the whole-cell formatting wrote it."""
    made = cell_xml(ref, Formula("x", value), style, False, p)
    f_new = re.search(rf"<{re.escape(p)}f>.*?</{re.escape(p)}f>", made, re.S)
    made = made[: f_new.start()] + old_f + made[f_new.end() :]
    if cm is not None:
        made = made.replace(f'<{p}c r="{ref}"', f'<{p}c r="{ref}" cm="{cm}"', 1)
    return made


@pytest.mark.parametrize("p", ["", "x:"])
@pytest.mark.parametrize("keep_styles", [True, False])
def test_kept_formula_cells_equal_whole_cell_formatting(p, keep_styles):
    ns = ' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if p else ""
    rows, want, cells = [], [], {}
    for i, value in enumerate(VALUES * 2):
        r = i + 2
        old_f = FORMULAS[i % len(FORMULAS)].format(p=p, r=r)
        cm = "1" if i % 2 else None
        cm_attr = f' cm="{cm}"' if cm else ""
        rows.append(
            f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>1</{p}v></{p}c><{p}c r="B{r}" s="4"{cm_attr}>{old_f}<{p}v>0</{p}v></{p}c></{p}row>'
        )
        style = 4 if keep_styles else 9
        cells[(r, 2)] = Cell(value, 9)
        want.append(
            f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>1</{p}v></{p}c>'
            + _old_cell(p, f"{col_letter(2)}{r}", value, style, old_f, cm)
            + f"</{p}row>"
        )
    xml = f"<{p}worksheet{ns}><{p}sheetData>{''.join(rows)}</{p}sheetData></{p}worksheet>"
    out = Worksheet(xml).set_cells(xml, cells, date1904=False, keep_styles=keep_styles, keep_formulas=True)
    assert out == f"<{p}worksheet{ns}><{p}sheetData>{''.join(want)}</{p}sheetData></{p}worksheet>"
    # a new Formula replaces the old one; a column not kept gets the plain value
    out = Worksheet(xml).set_cells(
        xml, {(2, 2): Cell(Formula("A2+1", 3.0), 9)}, date1904=False, keep_styles=False, keep_formulas=True
    )
    assert "<f>A2+1</f>" in out.replace(p, "") and "SUM(A2:A9)" not in out
    out = Worksheet(xml).set_cells(xml, {(2, 2): Cell("甲", 9)}, date1904=False, keep_styles=False, keep_formulas={1})
    assert "SUM(A2:A9)" not in out and "甲" in out


def test_cell_attributes_read_as_attrs_of_reads_them():
    from xlgrade.workbook.rowedit import quick_attrs as _attrs
    from xlgrade.workbook.xmlscan import attrs_of

    rng = __import__("random").Random(1)
    parts = [' r="A1"', ' s="12"', ' t="inlineStr"', ' x:cm = "1"', " a='q'", ' b="&amp;"', ' r="B2"', ' spans="1:14"']
    parts += [' ht="15.5" customHeight="1"', "  ", ' r=""', ' s="3" s="4"', ' v="it\'s"']
    for _ in range(5000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 6)))
        assert _attrs(text) == attrs_of(text), text
