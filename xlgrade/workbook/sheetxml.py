"""A worksheet part as text: its top-level children, rows and cells, edited in place.

:class:`Worksheet` locates the children of ``<worksheet>`` (``sheetData`` is skipped over,
not read), replaces or inserts them at their schema position (dimension, cols, merged
cells, the drawing and table references ...) and changes single cells inside
``sheetData`` (:meth:`Worksheet.set_cells`) leaving every other byte of the part as it was
(views, protection, conditional formats, validations, extension lists, namespace
declarations, ``mc:Ignorable`` prefixes ...). The cells themselves are written by
:mod:`xlgrade.workbook.cellxml`; the scanning is :mod:`xlgrade.workbook.xmlscan`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from xlgrade.errors import PackageError
from xlgrade.workbook.cellxml import (
    parse_range,
    parse_ref,
    range_ref,
    xml_number,
)
from xlgrade.workbook.rels import NS_REL
from xlgrade.workbook.rowedit import RowEdit, cells_by_row, quick_attrs
from xlgrade.workbook.xmlscan import Elem, attrs_of, children, esc, insert_child, ns_prefix, root_elem, set_attr, unesc

# Top-level children of <worksheet>, in schema order (ECMA-376 CT_Worksheet).
WORKSHEET_ORDER = (
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)


# ---- the worksheet XML ------------------------------------------------------------------------
class Worksheet:
    """A worksheet part's text with its top-level children located (sheetData is not parsed)."""

    def __init__(self, xml: str) -> None:
        self.root = root_elem(xml)
        if self.root.name != "worksheet":
            raise PackageError(f"not a worksheet part (<{self.root.name}>)")
        self.p = self.root.p
        self.kids = children(xml, self.root, opaque=("sheetData",))
        self._tag = xml[self.root.start : self.root.tag_end]
        self._row = re.compile(rf"""<{re.escape(self.p)}row\b((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
        self._cell = re.compile(rf"""<{re.escape(self.p)}c\b((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
        self._formula = re.compile(rf"<{re.escape(self.p)}f\b(?:[^>]*?/>|.*?</{re.escape(self.p)}f>)", re.S)

    def child(self, name: str) -> Elem | None:
        return next((k for k in self.kids if k.name == name), None)

    def rel_prefix(self) -> str | None:
        return ns_prefix(self._tag, NS_REL) or None

    def insert(self, xml: str, name: str, element: str) -> str:
        return insert_child(xml, self.root, self.kids, name, element, WORKSHEET_ORDER)

    def replace(self, xml: str, name: str, element: str) -> str:
        """Replace child ``name`` by ``element`` ("" removes it), or insert it at its place."""
        el = self.child(name)
        if el is not None:
            return xml[: el.start] + element + xml[el.end :]
        return self.insert(xml, name, element) if element else xml

    def replace_sheet_data(self, xml: str, sheet_data: str) -> str:
        return self.replace(xml, "sheetData", sheet_data)

    def set_dimension(self, xml: str, ref: str) -> str:
        return self.replace(xml, "dimension", f'<{self.p}dimension ref="{ref}"/>')

    def set_cols(self, xml: str, widths: Mapping[int, float]) -> str:
        if not widths:
            return self.replace(xml, "cols", "")
        p = self.p
        cols = "".join(
            f'<{p}col min="{c}" max="{c}" width="{xml_number(float(w))}" customWidth="1"/>'
            for c, w in sorted(widths.items())
        )
        return self.replace(xml, "cols", f"<{p}cols>{cols}</{p}cols>")

    def col_widths(self, xml: str) -> dict[int, float]:
        """{column: width} of the columns <cols> sizes (a range of columns gives each its width)."""
        holder = self.child("cols")
        out: dict[int, float] = {}
        if holder is None:
            return out
        for k in children(xml, holder):
            if k.name != "col":
                continue
            try:
                lo, hi, width = int(k.attrs["min"]), int(k.attrs["max"]), float(k.attrs["width"])
            except (KeyError, ValueError):
                continue
            for c in range(lo, min(hi, lo + 16384) + 1):
                out[c] = width
        return out

    def widen_cols(self, xml: str, widths: Mapping[int, float]) -> str:
        """Columns at least ``widths`` wide; each <col> keeps its other attributes (a column's
        style: new rows typed below a table keep it), a range is split where it must be."""
        holder = self.child("cols")
        have = self.col_widths(xml)
        wider = {c: float(w) for c, w in widths.items() if w > have.get(c, 0.0)}
        if not wider:
            return xml
        p = self.p
        out: list[str] = []
        covered: set[int] = set()
        for k in children(xml, holder) if holder is not None else []:
            if k.name != "col":
                out.append(xml[k.start : k.end])
                continue
            try:
                lo, hi = int(k.attrs["min"]), int(k.attrs["max"])
            except (KeyError, ValueError):
                out.append(xml[k.start : k.end])
                continue
            tag = xml[k.start : k.tag_end]
            if not any(lo <= c <= hi for c in wider):
                out.append(xml[k.start : k.end])
                covered.update(range(lo, min(hi, lo + 16384) + 1))
                continue
            runs: list[tuple[int, int, float | None]] = []  # (from, to, new width or None)
            for c in range(lo, hi + 1):
                w = wider.get(c)
                if runs and runs[-1][2] is None and w is None and runs[-1][1] == c - 1:
                    runs[-1] = (runs[-1][0], c, None)
                else:
                    runs.append((c, c, w))
                covered.add(c)
            for a, b, w in runs:
                t = set_attr(set_attr(tag, "min", str(a)), "max", str(b))
                if w is not None:
                    t = set_attr(set_attr(t, "width", xml_number(w)), "customWidth", "1")
                out.append(t if t.endswith("/>") else t[:-1].rstrip() + "/>")
        for c in sorted(set(wider) - covered):
            out.append(f'<{p}col min="{c}" max="{c}" width="{xml_number(wider[c])}" customWidth="1"/>')

        def first(e: str) -> int:
            m = re.search(r'\bmin="(\d+)"', e)
            return int(m.group(1)) if m else 0

        out.sort(key=first)
        return self.replace(xml, "cols", f"<{p}cols>{''.join(out)}</{p}cols>")

    def row_start(self, xml: str, row: int) -> str:
        """A start tag for ``row`` keeping the old row's height and format attributes (not its spans)."""
        sd = self.child("sheetData")
        tag = f'<{self.p}row r="{row}">'
        if sd is None or sd.empty:
            return tag
        for num, _s, _cs, _ce, _e, _a, old in self.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
            if num == row:
                tag = set_attr(set_attr(old, "spans", None), "r", str(row))
                return tag[:-2].rstrip() + ">" if tag.endswith("/>") else tag
            if num > row:
                break
        return tag

    def drop_merges(self, xml: str, area: tuple[int, int, int, int]) -> str:
        """Remove merged ranges that intersect ``area`` (r1, c1, r2, c2)."""
        holder = self.child("mergeCells")
        if holder is None:
            return xml
        r1, c1, r2, c2 = area
        kids = [k for k in children(xml, holder) if k.name == "mergeCell"]
        keep = []
        for k in kids:
            try:
                a1, b1, a2, b2 = parse_range(k.attrs.get("ref", ""))
            except PackageError:
                continue
            if a2 < r1 or a1 > r2 or b2 < c1 or b1 > c2:
                keep.append(k.attrs["ref"])
        if len(keep) == len(kids):
            return xml
        return self.set_merges(xml, keep)

    def set_merges(self, xml: str, refs: Sequence[str]) -> str:
        p = self.p
        if not refs:
            return self.replace(xml, "mergeCells", "")
        body = "".join(f'<{p}mergeCell ref="{r}"/>' for r in refs)
        return self.replace(xml, "mergeCells", f'<{p}mergeCells count="{len(refs)}">{body}</{p}mergeCells>')

    # ---- rows and cells --------------------------------------------------------------------------
    def _data_span(self, xml: str) -> tuple[int, int]:
        sd = self.child("sheetData")
        if sd is None:
            raise PackageError("worksheet without sheetData")
        return sd.tag_end, sd.inner_end(xml)

    def _elements(self, pattern: re.Pattern, close: str, xml: str, start: int, end: int):
        """(start tag match, content end, element end) of each element ``pattern`` finds in [start, end)."""
        pos = start
        while (m := pattern.search(xml, pos, end)) is not None:
            if m.group(2):  # self-closing: no content
                yield m, m.end(), m.end()
                pos = m.end()
                continue
            idx = xml.find(close, m.end(), end)
            if idx < 0:
                raise PackageError(f"unclosed <{close[2:-1]}> at offset {m.start()}")
            yield m, idx, idx + len(close)
            pos = idx + len(close)

    def iter_rows(self, xml: str, start: int, end: int, prev: int = 0):
        """(row number, start, content start, content end, end, attrs, start tag) of each row;
        ``prev``: the number of the row before ``start`` (a row without ``r`` follows it)."""
        for m, content_end, stop in self._elements(self._row, f"</{self.p}row>", xml, start, end):
            a = quick_attrs(m.group(1))
            prev = int(a["r"]) if "r" in a else prev + 1
            yield prev, m.start(), m.end(), content_end, stop, a, m.group(0)

    def cells(self, xml: str, start: int, end: int):
        """(column, start, end, attrs, self-closing) of each cell in a row's content."""
        prev = 0
        for m, _content_end, stop in self._elements(self._cell, f"</{self.p}c>", xml, start, end):
            a = quick_attrs(m.group(1))
            prev = parse_ref(a["r"])[1] if "r" in a else prev + 1
            yield prev, m.start(), stop, a, bool(m.group(2))

    def set_cells(
        self,
        xml: str,
        cells: Mapping[tuple[int, int], Any],
        *,
        date1904: bool,
        keep_styles: bool,
        keep_formulas: bool | Collection[int],
        widths: Mapping[int, float] | None = None,
    ) -> str:
        """``xml`` with ``cells`` written; ``widths``: columns made at least that wide
        (:meth:`widen_cols`) in the same pass, so a large sheet is copied once, not twice.
        The whole text in, the whole text out: :mod:`xlgrade.workbook.sheetstream` does the
        same edit on a large part read and written in pieces (:class:`RowEdit`, :meth:`edit_head`)."""
        p = self.p
        by_row = cells_by_row(cells)
        sd = self.child("sheetData")
        if sd is None:
            raise PackageError("worksheet without sheetData")
        edit = RowEdit(self, by_row, date1904, keep_styles, keep_formulas)
        if sd.empty:
            rows_xml = "".join(edit.new_row(r) for r in edit.pending)
            new = f"<{p}sheetData>{rows_xml}</{p}sheetData>"
            xml = xml[: sd.start] + new + xml[sd.end :]
            xml = self._grow_dimension(xml, by_row)  # <dimension> precedes <sheetData>
            return Worksheet(xml).widen_cols(xml, widths) if widths else xml
        start, end = sd.tag_end, sd.inner_end(xml)
        out: list[str] = [self.edit_head(xml[:start], by_row, widths)]
        pos = edit.rows(xml, start, end, out)
        out.append(xml[pos:end])
        out += edit.rest()
        out.append(xml[end:])
        new_xml = "".join(out)  # the whole part joined once
        del out
        return keep_shared_formulas(xml, new_xml, p)

    def edit_head(self, head: str, by_row: Mapping[int, Mapping[int, Any]], widths: Mapping[int, float] | None) -> str:
        """The text before the rows (up to ``<sheetData>``'s start tag) with <cols> widened and
        <dimension> grown to the cells written (the later one first, so the earlier one's offsets hold)."""
        if widths:
            head = self.widen_cols(head, widths)
        return self._grow_dimension(head, by_row)

    def _grow_dimension(self, xml: str, by_row: Mapping[int, Mapping[int, Any]]) -> str:
        dim = self.child("dimension")
        if dim is None:
            return xml
        rows = list(by_row)
        cols = [c for cs in by_row.values() for c in cs]
        r1, c1, r2, c2 = min(rows), min(cols), max(rows), max(cols)
        ref = dim.attrs.get("ref", "")
        try:
            a1, b1, a2, b2 = parse_range(ref)
            if (a1, b1) == (1, 1) and (a2, b2) == (1, 1):  # "A1" means an empty sheet
                a1, b1, a2, b2 = r1, c1, r2, c2
            new = range_ref(min(a1, r1), min(b1, c1), max(a2, r2), max(b2, c2))
        except PackageError:
            new = range_ref(r1, c1, r2, c2)
        if new == ref:
            return xml
        tag = set_attr(xml[dim.start : dim.tag_end], "ref", new)
        return xml[: dim.start] + tag + xml[dim.tag_end :]


# ---- shared formulas ----------------------------------------------------------------------------
def _cell_ref(xml: str, at: int, p: str) -> str | None:
    """The r attribute of the cell whose content holds position ``at``."""
    start = xml.rfind(f"<{p}c ", 0, at)
    m = re.compile(rf"""<{re.escape(p)}c\b((?:[^>"']|"[^"]*"|'[^']*')*?)>""").match(xml, start) if start >= 0 else None
    return attrs_of(m.group(1)).get("r") if m else None


def _shared_masters(xml: str, p: str) -> dict[str, tuple[str, str]]:
    """{si: (master cell, formula text)} of a worksheet's shared formulas."""
    if "shared" not in xml:
        return {}
    out = {}
    for fm in re.finditer(
        rf"""<{re.escape(p)}f\b((?:[^>"']|"[^"]*"|'[^']*')*?)(?<!/)>(.*?)</{re.escape(p)}f>""", xml, re.S
    ):
        fa = attrs_of(fm.group(1))
        if fa.get("t") == "shared" and "ref" in fa and "si" in fa and fm.group(2).strip():
            ref = _cell_ref(xml, fm.start(), p)
            if ref:
                out[fa["si"]] = (ref, unesc(fm.group(2)))
    return out


def keep_shared_formulas(before: str, after: str, p: str = "") -> str:
    """Write out the formula of shared-formula followers whose master cell was rewritten.

    Excel stores a formula filled down a column once, in its first cell
    (``<f t="shared" ref="G2:G9" si="0">..</f>``); the other cells hold ``<f t="shared"
    si="0"/>``. When :meth:`Worksheet.set_cells` replaces that first cell (a new formula, a
    plain value) but not all the others, they would point at a formula that is gone -- Excel
    reports the file as damaged, openpyxl reads ``=``. Each such cell gets the formula
    translated to its own position, as Excel does when it breaks up a shared formula.
    """
    masters = _shared_masters(before, p)
    if not masters:
        return after
    kept = _shared_masters(after, p)
    lost = {si: master for si, master in masters.items() if si not in kept}
    if not lost:
        return after
    from openpyxl.formula.translate import Translator

    translators = {si: (Translator("=" + text, origin=origin), origin) for si, (origin, text) in lost.items()}
    follower = re.compile(rf"""<{re.escape(p)}f\b((?:[^>"']|"[^"]*"|'[^']*')*?)(?:/>|(?<!/)>\s*</{re.escape(p)}f>)""")
    out, pos = [], 0
    for fm in follower.finditer(after):
        fa = attrs_of(fm.group(1))
        if fa.get("t") != "shared" or fa.get("si") not in lost:
            continue
        ref = _cell_ref(after, fm.start(), p)
        try:
            text = translators[fa["si"]][0].translate_formula(ref)[1:]
            formula = f"<{p}f>{esc(text)}</{p}f>"
        except Exception:  # a formula the translator cannot move: keep the cached value only
            formula = ""
        out += [after[pos : fm.start()], formula]
        pos = fm.end()
    out.append(after[pos:])
    return "".join(out)
