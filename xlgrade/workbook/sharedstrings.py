"""The shared strings part (``xl/sharedStrings.xml``), read only.

xlgrade writes every string inline (``t="inlineStr"``), so this part is never changed (but
in a masked copy, where :mod:`xlgrade.workbook.masked` masks the personal values in every
part's text, this one included); it is read to resolve the ``t="s"`` cells staff or Excel wrote (:func:`shared_strings`, only
the indices asked for). Takes the :class:`~xlgrade.workbook.package.Package` it reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from xlgrade.workbook import rels
from xlgrade.workbook.cellxml import inline_text

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

_SI = re.compile(r"<(?:[\w.\-]+:)?si\b(?:[^>]*?/>|.*?</(?:[\w.\-]+:)?si>)", re.S)


def shared_strings(pkg: Package, wanted: Iterable[int] | None = None) -> dict[int, str]:
    """Shared strings by index (only ``wanted`` ones if given)."""
    part = next((r.part for r in rels.read(pkg, pkg.workbook) if r.type == rels.REL_SST and r.part), None)
    if part is None or not pkg.exists(part):
        return {}
    xml = pkg.text(part)
    wanted = None if wanted is None else set(wanted)
    last = max(wanted) if wanted else None
    out: dict[int, str] = {}
    for i, m in enumerate(_SI.finditer(xml)):
        if last is not None and i > last:
            break
        if wanted is None or i in wanted:
            out[i] = inline_text(m.group(0))
    return out
