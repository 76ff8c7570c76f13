"""Calls of the cell functions through an external reference to the Excel add-in.

When Excel saves a workbook whose cells call functions of an .xlam, it may store each call
qualified with an external reference to the add-in's file: an ``xl/externalLinks/
externalLinkN.xml`` part whose relationship points at ``...\\xlgrade.xlam``, and formulas such
as ``[1]!ABCGRADE(B3,C3)`` (Microsoft support article 817578). On a colleague's PC or in
LibreOffice that link dangles. The monthly job treats such a call as the plain function:

- in cells xlgrade owns (the computed columns of input sheets, the cards), ``[n]!NAME(`` is
  rewritten to ``NAME(`` for the registry's function names;
- in cells staff typed nothing changes; each is listed on the validation sheet with what to do;
- once no formula refers to the add-in's links any more, the links are dropped (their parts,
  relationships, content types and the workbook's ``externalReferences``) — only when every
  external reference of the workbook is such a link, so no other reference is renumbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlgrade.cells import FUNCTIONS
from xlgrade.workbook.xmlscan import children, root_elem

REL_EXTERNAL_LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"
_NAMES = "|".join(sorted((cf.name for cf in FUNCTIONS), key=len, reverse=True))
_CALL = re.compile(rf"\[(\d+)\]!({_NAMES})(?=\s*\()", re.I)
_ANY_REF = re.compile(r"\[(\d+)\]")
_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(r'\br="([A-Z]+)(\d+)"')
_F = re.compile(r"(<f\b[^>]*>)(.*?)(</f>)", re.S)
_RID = re.compile(r'r:id="([^"]+)"')


@dataclass(frozen=True)
class Link:
    index: int  # n of [n]! (1-based position in the workbook's externalReferences)
    rid: str  # the workbook's relationship id
    part: str  # xl/externalLinks/externalLinkN.xml
    target: str  # the file it points at


@dataclass(frozen=True)
class Call:
    sheet: str
    column: str  # column letters
    row: int
    formula: str


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def links(pkg) -> list[Link]:
    """Every external reference of the workbook, in order ([1] first)."""
    xml = pkg.text(pkg.workbook)
    root = root_elem(xml)
    refs = next((k for k in children(xml, root) if k.name == "externalReferences"), None)
    if refs is None:
        return []
    by_id = {r.id: r for r in pkg.rels(pkg.workbook)}
    out = []
    for i, rid in enumerate(_RID.findall(xml[refs.start : refs.end]), 1):
        rel = by_id.get(rid)
        part = rel.part if rel is not None else ""
        target = next((r.target for r in pkg.rels(part)), "") if part else ""
        out.append(Link(i, rid, part, target))
    return out


def addin_links(pkg) -> list[Link]:
    return [link for link in links(pkg) if link.target.lower().replace("\\", "/").endswith(".xlam")]


def _formulas(xml: str):
    """(column letters, row, start, end, text) of each formula text in a sheet's XML."""
    for cell in _CELL.finditer(xml):
        ref = _REF.search(cell.group(1))
        if ref is None or cell.group(3) is None:
            continue
        for f in _F.finditer(cell.group(3)):
            start = cell.start(3) + f.start(2)
            yield ref.group(1), int(ref.group(2)), start, start + len(f.group(2)), f.group(2)


def fix(pkg, owned) -> list[Call]:
    """Rewrite the add-in calls in owned cells; the calls left in the others (staff's cells).

    ``owned(sheet, column_number, row) -> bool``. Drops the links when nothing refers to them.
    """
    found = addin_links(pkg)
    if not found:
        return []
    wanted = {link.index for link in found}

    def plain(text: str) -> str:
        return _CALL.sub(lambda m: m.group(2) if int(m.group(1)) in wanted else m.group(0), text)

    left: list[Call] = []
    still_referred = False
    for name in pkg.sheet_names():
        part = pkg.sheet_part(name)
        xml = pkg.text(part)
        if "]!" not in xml:
            continue
        pieces, pos, changed = [], 0, False
        for col, row, start, end, text in _formulas(xml):
            if not any(int(m.group(1)) in wanted for m in _CALL.finditer(text)):
                still_referred = still_referred or any(int(n) in wanted for n in _ANY_REF.findall(text))
                continue
            if owned(name, _column_number(col), row):
                new = plain(text)
                pieces += [xml[pos:start], new]
                pos, changed = end, True
                text = new
            else:
                left.append(
                    Call(
                        name,
                        col,
                        row,
                        text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"'),
                    )
                )
            still_referred = still_referred or any(int(n) in wanted for n in _ANY_REF.findall(text))
        if changed:
            pkg.write(part, "".join(pieces) + xml[pos:])
    names_xml = pkg.text(pkg.workbook)
    defined = re.findall(r"<definedName\b[^>]*>(.*?)</definedName>", names_xml, re.S)
    still_referred = still_referred or any(int(n) in wanted for d in defined for n in _ANY_REF.findall(d))
    if not still_referred and len(found) == len(links(pkg)):
        _drop(pkg, found)
    return left


def _drop(pkg, dropped: list[Link]) -> None:
    xml = pkg.text(pkg.workbook)
    root = root_elem(xml)
    refs = next(k for k in children(xml, root) if k.name == "externalReferences")
    pkg.write(pkg.workbook, xml[: refs.start] + xml[refs.end :])
    for link in dropped:
        pkg.remove_rel(pkg.workbook, link.rid)
        if link.part:
            pkg.remove_tree(link.part)
