"""``xlgrade upgrade``: a printable card of an older template rebuilt in place, when provably safe.

A card (sheet kind card, :mod:`xlgrade.workbook.cards`) whose template gained fields since is
rebuilt by the upgrade only when staff wrote nothing on it but the pick cell
(:data:`~xlgrade.workbook.cards.PICK`):

- every constant cell (text or number) of the old card, other than the pick cell, occurs among
  the fresh template card's constant cells (labels, titles, form number, sign-off), and
- every formula of the old card occurs among the fresh card's formulas (formula text; the
  lookups read the pick cell and table columns, never their own row, so a field that moved
  down keeps its text), and
- the pick cell holds no formula, and neither the old nor the fresh card part has any
  relationship (cards have no tables, drawings or comments; a part with one is not replaced).

Anything else (a note typed in a box, a changed label, an extra cell) leaves the card as it is
and the upgrade names it in its advice, as before.

The rebuild replaces the old card's worksheet part with the fresh card's XML, restyled into
the workbook's styles by :func:`xlgrade.workbook.sheetcopy.sheet_xml` (the one copy
:func:`~xlgrade.workbook.sheetcopy.copy_sheet` uses). The sheet keeps its name, tab position
and state (workbook.xml's ``<sheet>`` is not touched); its sheet-local defined names (print
area, print titles) become the fresh card's, pointed at its name; the pick cell keeps the id
staff had chosen, as the same typed value (text stays text, a number a number).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from xlgrade.workbook import rels, sheetcopy, workbookxml
from xlgrade.workbook.cards import PICK_ROW
from xlgrade.workbook.cellxml import Cell, quote_sheet
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.styleimport import StyleImport
from xlgrade.workbook.xmlscan import unesc

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

PICK_AT = (PICK_ROW, 2)
_FORMULA = re.compile(r"<(?:[\w.\-]+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:[\w.\-]+:)?f>)", re.S)


def _formulas(pkg: Package, name: str) -> dict[tuple[int, int], str]:
    """{(row, column): formula text} of every formula cell (a shared formula's follower: "")."""
    xml = pkg.text(workbookxml.sheet_part(pkg, name))
    ws = Worksheet(xml)
    sd = ws.child("sheetData")
    out: dict[tuple[int, int], str] = {}
    if sd is None or sd.empty:
        return out
    for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
        for col, s, e, _attrs, _sc in ws.cells(xml, c_start, c_end):
            m = _FORMULA.search(xml[s:e])
            if m is not None:
                out[(num, col)] = unesc(m.group(1) or "").strip()
    return out


def _content(pkg: Package, name: str) -> tuple[list[Any], set[str]]:
    """(the constant values other than the pick cell's, the formula texts) of a card sheet."""
    formulas = _formulas(pkg, name)
    constants = [
        value
        for at, (value, _style, is_formula) in pkg.all_cells(name).items()
        if not is_formula and at != PICK_AT and at not in formulas
    ]
    return constants, set(formulas.values())


def can_rebuild(dst: Package, name: str, src: Package, src_name: str) -> bool:
    """Whether the card ``name`` of ``dst`` holds nothing staff wrote but the pick cell (module doc)."""
    part = workbookxml.sheet(dst, name).part
    src_part = workbookxml.sheet(src, src_name).part
    if part is None or src_part is None or rels.read(dst, part) or rels.read(src, src_part):
        return False
    if PICK_AT in _formulas(dst, name):
        return False
    old_constants, old_formulas = _content(dst, name)
    new_constants, new_formulas = _content(src, src_name)
    return set(map(repr, old_constants)) <= set(map(repr, new_constants)) and old_formulas <= new_formulas


def _typed(value: Any) -> Any:
    """The pick cell's value as staff typed it: a whole number read as float is written as an int."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def rebuild(src: Package, dst: Package, styles: StyleImport, src_name: str, name: str) -> None:
    """Replace the card ``name`` of ``dst`` by the template's card ``src_name`` (see the module doc)."""
    pick = dst.all_cells(name).get(PICK_AT, (None, 0, False))[0]
    info, xml, src_rels, _ = sheetcopy.sheet_xml(src, styles, src_name)
    assert not src_rels  # can_rebuild refused a card part with relationships
    target = workbookxml.sheet(dst, name)
    assert target.part is not None
    dst.write(target.part, xml)
    for d in dst.defined_names():
        if d.local_sheet == target.index:
            dst.set_defined_name(d.name, None, target.index)
    here = quote_sheet(name) + "!"
    for d in src.defined_names():
        if d.local_sheet == info.index:
            dst.set_defined_name(d.name, d.value.replace(quote_sheet(src_name) + "!", here), target.index)
    style = dst.row_values(name, PICK_ROW).get(PICK_AT[1], (None, 0))[1]
    dst.set_cells(name, {PICK_AT: Cell(_typed(pick), style)})
