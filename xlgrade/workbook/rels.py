"""Relationships: the ``_rels/*.rels`` parts that tie a package's parts together.

Owns reading a part's relationships (:func:`read`), adding and removing one, the parts that
refer to a part (:func:`referrers`) and removing a part with everything only it refers to
(:func:`remove_tree`). Also the relationship namespaces and types xlgrade uses. Every
function takes the :class:`~xlgrade.workbook.package.Package` whose parts it reads and writes.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlgrade.workbook import contenttypes
from xlgrade.workbook.xmlscan import XML_DECL, children, esc_attr, insert_child, root_elem

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOC = NS_REL + "/officeDocument"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_TABLE = NS_REL + "/table"
REL_DRAWING = NS_REL + "/drawing"
REL_CHART = NS_REL + "/chart"
REL_SST = NS_REL + "/sharedStrings"
REL_STYLES = NS_REL + "/styles"
REL_CALC_CHAIN = NS_REL + "/calcChain"


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # as written
    part: str | None  # resolved part name (None if external)


def rels_name(part: str) -> str:
    d, base = posixpath.split(part)
    return posixpath.join(d, "_rels", base + ".rels")


def resolve(source: str, target: str) -> str:
    """The part a relationship target in ``source``'s rels points at."""
    target = target.split("#")[0]
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


def read(pkg: Package, part: str) -> list[Rel]:
    """The relationships of ``part`` ("" for the package's own, ``_rels/.rels``); parsed once per
    version of the rels part (:meth:`Package.memo`)."""
    name = rels_name(part) if part else "_rels/.rels"
    return list(pkg.memo(f"rels:{part}", (name,), lambda: tuple(_read(pkg, part, name))))


def _read(pkg: Package, part: str, name: str) -> list[Rel]:
    if not pkg.exists(name):
        return []
    root = ET.fromstring(pkg.read(name))
    out = []
    for el in root:
        if el.tag.rsplit("}", 1)[-1] != "Relationship":
            continue
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        out.append(Rel(el.get("Id", ""), el.get("Type", ""), target, None if external else resolve(part, target)))
    return out


def add(pkg: Package, part: str, rel_type: str, target_part: str) -> str:
    """Add a relationship from ``part`` to ``target_part``; returns its new id."""
    name = rels_name(part)
    ids = {r.id for r in read(pkg, part)}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    rid = f"rId{n}"
    element = f'<Relationship Id="{rid}" Type="{esc_attr(rel_type)}" Target="{esc_attr(relative(part, target_part))}"/>'
    if not pkg.exists(name):
        pkg.write(name, f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{element}</Relationships>')
        return rid
    xml = pkg.text(name)
    root = root_elem(xml)
    pkg.write(name, insert_child(xml, root, children(xml, root), "Relationship", element, ("Relationship",)))
    return rid


def remove(pkg: Package, part: str, rid: str) -> None:
    name = rels_name(part)
    if not pkg.exists(name):
        return
    xml = pkg.text(name)
    root = root_elem(xml)
    for kid in children(xml, root):
        if kid.name == "Relationship" and kid.attrs.get("Id") == rid:
            xml = xml[: kid.start] + xml[kid.end :]
            break
    pkg.write(name, xml)


def referrers(pkg: Package, part: str) -> list[str]:
    """Parts whose relationships point at ``part``."""
    out = []
    for name in pkg.names():
        d, base = posixpath.split(name)
        if posixpath.basename(d) != "_rels" or not base.endswith(".rels"):
            continue
        source = posixpath.join(posixpath.dirname(d), base[:-5])
        if any(r.part == part for r in read(pkg, source)):
            out.append(source)
    return out


def remove_tree(pkg: Package, part: str) -> None:
    """Remove ``part``, its rels and every part only it refers to."""
    targets = [r.part for r in read(pkg, part) if r.part]
    pkg.remove(part)
    pkg.remove(rels_name(part))
    contenttypes.remove_override(pkg, part)
    for target in targets:
        if pkg.exists(target) and not referrers(pkg, target):
            remove_tree(pkg, target)
