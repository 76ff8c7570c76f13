"""Bring cell styles and conditional-format styles from one package's styles part into another's.

Why: :mod:`xlgrade.workbook.upgrade` copies sheets, columns and rule rows from a fresh
template into a workbook an older release made (and that Excel or LibreOffice may have saved
since, renumbering every style). A style index of the template means nothing in the
workbook; :class:`StyleImport` maps it: the template's ``cellXfs`` entry is rebuilt in the
workbook's ``styles.xml`` with the font, fill, border and number format it uses (each reused
when the workbook has an identical one, else appended), and a ``dxfs`` entry (the grade
colours' conditional formats) likewise. Nothing the workbook has is changed or removed: its
own styles, the ones staff made included, keep their indices.

Edits are collected in memory and written once by :meth:`StyleImport.finish`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xlgrade.workbook import rels
from xlgrade.workbook.xmlscan import Elem, children, insert_child, root_elem, set_attr

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

# children of <styleSheet>, in schema order (ECMA-376 CT_Stylesheet)
STYLESHEET_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in number formats


def styles_part(pkg: Package) -> str | None:
    return next((r.part for r in rels.read(pkg, pkg.workbook) if r.type == rels.REL_STYLES and r.part), None)


class _Sheet:
    """One styles part as text, with its containers' children located on demand."""

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def container(self, name: str) -> tuple[Elem, list[Elem]] | None:
        root = root_elem(self.xml)
        el = next((k for k in children(self.xml, root) if k.name == name), None)
        if el is None:
            return None
        return el, [k for k in children(self.xml, el)]

    def items(self, name: str) -> list[str]:
        found = self.container(name)
        return [] if found is None else [self.xml[k.start : k.end] for k in found[1]]

    def append(self, name: str, element: str) -> int:
        """Append ``element`` to container ``name`` (made if missing); returns its index."""
        found = self.container(name)
        root = root_elem(self.xml)
        if found is None:
            p = root.p
            self.xml = insert_child(
                self.xml,
                root,
                children(self.xml, root),
                name,
                f'<{p}{name} count="1">{element}</{p}{name}>',
                STYLESHEET_ORDER,
            )
            return 0
        el, kids = found
        xml = insert_child(self.xml, el, kids, "_", element, ("_",))
        found2 = self.container(name)
        assert found2 is not None
        el2 = found2[0]
        tag = set_attr(xml[el2.start : el2.tag_end], "count", str(len(kids) + 1))
        self.xml = xml[: el2.start] + tag + xml[el2.tag_end :]
        return len(kids)

    def find_or_append(self, name: str, element: str) -> int:
        items = self.items(name)
        if element in items:
            return items.index(element)
        return self.append(name, element)


class StyleImport:
    """Maps style indices of ``src`` (a fresh template) to equivalent ones in ``dst``."""

    def __init__(self, src: Package, dst: Package) -> None:
        src_part = styles_part(src)
        self._src = _Sheet(src.text(src_part)) if src_part else None
        self._dst_pkg = dst
        self._dst_part = styles_part(dst)
        self._dst = _Sheet(dst.text(self._dst_part)) if self._dst_part else None
        self._xf: dict[int, int] = {}
        self._dxf: dict[int, int] = {}
        self._changed = False

    def _num_fmt(self, fmt_id: str) -> str:
        assert self._src is not None and self._dst is not None
        if not fmt_id.isdigit() or int(fmt_id) < _FIRST_CUSTOM_FORMAT:
            return fmt_id
        code = next(
            (
                re.search(r'formatCode="([^"]*)"', el).group(1)  # type: ignore[union-attr]
                for el in self._src.items("numFmts")
                if re.search(rf'numFmtId="{fmt_id}"', el) and 'formatCode="' in el
            ),
            None,
        )
        if code is None:
            return "0"
        ids = []
        for el in self._dst.items("numFmts"):
            m_id = re.search(r'numFmtId="(\d+)"', el)
            m_code = re.search(r'formatCode="([^"]*)"', el)
            if m_id:
                ids.append(int(m_id.group(1)))
                if m_code and m_code.group(1) == code:
                    return m_id.group(1)
        new_id = max([_FIRST_CUSTOM_FORMAT - 1, *ids]) + 1
        self._dst.append("numFmts", f'<numFmt numFmtId="{new_id}" formatCode="{code}"/>')
        return str(new_id)

    def xf(self, index: int) -> int:
        """The ``dst`` cell style that looks like ``src``'s cell style ``index``."""
        if index == 0 or self._src is None or self._dst is None:
            return 0
        if index in self._xf:
            return self._xf[index]
        src_xfs = self._src.items("cellXfs")
        if index >= len(src_xfs):
            return 0
        xf = src_xfs[index]
        tag_end = xf.index(">") + 1
        tag = xf[:tag_end]
        for attr, container in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            m = re.search(rf'\b{attr}="(\d+)"', tag)
            if m is None:
                continue
            items = self._src.items(container)
            i = int(m.group(1))
            new = self._dst.find_or_append(container, items[i]) if i < len(items) else 0
            tag = set_attr(tag, attr, str(new))
        m = re.search(r'\bnumFmtId="(\d+)"', tag)
        if m is not None:
            tag = set_attr(tag, "numFmtId", self._num_fmt(m.group(1)))
        tag = set_attr(tag, "xfId", "0")  # the workbook's Normal cell style
        out = self._dst.find_or_append("cellXfs", tag + xf[tag_end:])
        self._xf[index] = out
        self._changed = True
        return out

    def dxf(self, index: int) -> int:
        """The ``dst`` differential style (conditional format) equal to ``src``'s ``index``."""
        if self._src is None or self._dst is None:
            return index
        if index in self._dxf:
            return self._dxf[index]
        items = self._src.items("dxfs")
        if index >= len(items):
            return 0
        out = self._dst.find_or_append("dxfs", items[index])
        self._dxf[index] = out
        self._changed = True
        return out

    def finish(self) -> None:
        """Write the workbook's styles part if a style was added."""
        if self._changed and self._dst is not None and self._dst_part is not None:
            if self._dst.xml != self._dst_pkg.text(self._dst_part):
                self._dst_pkg.write(self._dst_part, self._dst.xml)
