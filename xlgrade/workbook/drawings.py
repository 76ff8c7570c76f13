"""Drawings and charts: the drawing part of a sheet and the chart parts it anchors.

Owns finding a sheet's drawing and its charts and :func:`set_charts`, which replaces the
charts xlgrade drew (their drawing objects are named ``xlgrade:...``) by new ones, creating
the drawing part, its relationships and content types as needed and removing parts left
without a referrer. Pictures, shapes and staff's own charts on the drawing stay. The chart
XML itself comes from :mod:`xlgrade.workbook.charts`. Every function takes the
:class:`~xlgrade.workbook.package.Package` whose parts it reads and writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from xlgrade.workbook import charts as charts_mod
from xlgrade.workbook import contenttypes, rels, workbookxml
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.xmlscan import XML_DECL, Elem, children, ns_prefix, root_elem, unesc

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

CHART_MARK = "xlgrade:"  # name prefix of the drawing objects xlgrade owns


def find_drawing(pkg: Package, sheet_part: str) -> tuple[str, str] | None:
    """(rel id, drawing part) of a sheet's drawing."""
    xml = pkg.text(sheet_part)
    el = Worksheet(xml).child("drawing")
    if el is None:
        return None
    rid = next((v for k, v in el.attrs.items() if k.endswith(":id")), None)
    for rel in rels.read(pkg, sheet_part):
        if rel.id == rid and rel.part:
            return rid, rel.part
    return None


def drawing_part(pkg: Package, sheet_name: str) -> str | None:
    found = find_drawing(pkg, workbookxml.sheet_part(pkg, sheet_name))
    return found[1] if found else None


def charts(pkg: Package, sheet_name: str) -> list[str]:
    """Chart parts drawn on a sheet."""
    found = drawing_part(pkg, sheet_name)
    if not found:
        return []
    return [r.part for r in rels.read(pkg, found) if r.type == rels.REL_CHART and r.part]


def set_charts(pkg: Package, sheet_name: str, specs: Sequence[charts_mod.ChartSpec]) -> list[str]:
    """Replace the charts xlgrade drew on a sheet with ``specs``; returns the new chart parts.

    Drawing objects xlgrade did not create (pictures, shapes, staff's own charts) stay.
    """
    sheet_part = workbookxml.sheet_part(pkg, sheet_name)
    found = find_drawing(pkg, sheet_part)
    if found is None and not specs:
        return []
    if found is None:
        drawing = pkg.free_name("xl/drawings/drawing{}.xml")
        pkg.write(
            drawing, f'{XML_DECL}<xdr:wsDr xmlns:xdr="{charts_mod.NS_XDR}" xmlns:a="{charts_mod.NS_A}"></xdr:wsDr>'
        )
        contenttypes.set_override(pkg, drawing, contenttypes.CT_DRAWING)
        rid = rels.add(pkg, sheet_part, rels.REL_DRAWING, drawing)
        xml = pkg.text(sheet_part)
        ws = Worksheet(xml)
        r = ws.rel_prefix()
        rattr = f"{r}:id" if r else f'xmlns:xr_="{rels.NS_REL}" xr_:id'
        pkg.write(sheet_part, ws.insert(xml, "drawing", f'<{ws.p}drawing {rattr}="{rid}"/>'))
        found = (rid, drawing)
    drawing_rid, drawing = found
    xml = pkg.text(drawing)
    root = root_elem(xml)
    by_id = {r.id: r for r in rels.read(pkg, drawing)}
    kept: list[Elem] = []
    removed_rids: list[str] = []
    pieces, pos = [], root.tag_end
    # New objects are numbered after the objects that stay, not after the ones being replaced:
    # numbering past the old charts made every run add to the ids, so a second run for the same
    # month rewrote the drawing part with different bytes.
    max_id = 1
    for anchor in children(xml, root):
        body = xml[anchor.start : anchor.end]
        name = re.search(r'<(?:[\w.\-]+:)?cNvPr\b[^>]*?\bname="([^"]*)"', body)
        if name and unesc(name.group(1)).startswith(CHART_MARK):
            pieces.append(xml[pos : anchor.start])
            pos = anchor.end
            removed_rids += re.findall(r'<(?:[\w.\-]+:)?chart\b[^>]*?\b[\w.\-]+:id="([^"]+)"', body)
        else:
            kept.append(anchor)
            for m in re.finditer(r'<(?:[\w.\-]+:)?cNvPr\b[^>]*?\bid="(\d+)"', body):
                max_id = max(max_id, int(m.group(1)))
    for rid in removed_rids:
        rels.remove(pkg, drawing, rid)
        rel = by_id.get(rid)
        if rel and rel.part and pkg.exists(rel.part) and not rels.referrers(pkg, rel.part):
            rels.remove_tree(pkg, rel.part)
    if not kept and not specs:
        rels.remove_tree(pkg, drawing)
        rels.remove(pkg, sheet_part, drawing_rid)
        sxml = pkg.text(sheet_part)
        el = Worksheet(sxml).child("drawing")
        assert el is not None  # the sheet referred to this drawing
        pkg.write(sheet_part, sxml[: el.start] + sxml[el.end :])
        return []
    new_parts = []
    anchors = []
    bound = root_elem(xml)
    tag = xml[bound.start : bound.tag_end]
    declare = not (
        bound.prefix == "xdr" and ns_prefix(tag, charts_mod.NS_XDR) == "xdr" and ns_prefix(tag, charts_mod.NS_A) == "a"
    )
    for i, spec in enumerate(specs):
        chart = pkg.free_name("xl/charts/chart{}.xml")
        pkg.write(chart, charts_mod.chart_xml(spec))
        contenttypes.set_override(pkg, chart, contenttypes.CT_CHART)
        rid = rels.add(pkg, drawing, rels.REL_CHART, chart)
        max_id += 1
        anchors.append(charts_mod.anchor_xml(spec, rid, max_id, f"{CHART_MARK}{spec.kind} {i + 1}", declare_ns=declare))
        new_parts.append(chart)
    pieces.append(xml[pos : root.inner_end(xml)] if not root.empty else "")
    head = xml[: root.tag_end] if not root.empty else xml[: root.start] + tag[:-2].rstrip() + ">"
    close = f"</{root.p}{root.name}>"
    pkg.write(drawing, head + "".join(pieces) + "".join(anchors) + close)
    return new_parts
