"""Content types: ``[Content_Types].xml``, which says what each part of the package is.

Owns looking a part's content type up (its ``Override``, else its extension's ``Default``)
and adding or removing a part's ``Override``; the content types of the parts xlgrade
creates are here too. Every function takes the :class:`~xlgrade.workbook.package.Package`
whose parts it reads and writes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from xlgrade.workbook.xmlscan import children, esc_attr, insert_child, root_elem

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

CONTENT_TYPES = "[Content_Types].xml"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


def content_type(pkg: Package, part: str) -> str | None:
    root = ET.fromstring(pkg.read(CONTENT_TYPES))
    ext = part.rsplit(".", 1)[-1].lower()
    default = None
    for el in root:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Override" and el.get("PartName", "").lstrip("/").lower() == part.lower():
            return el.get("ContentType")
        if tag == "Default" and el.get("Extension", "").lower() == ext:
            default = el.get("ContentType")
    return default


def set_override(pkg: Package, part: str, content_type: str) -> None:
    remove_override(pkg, part)
    xml = pkg.text(CONTENT_TYPES)
    root = root_elem(xml)
    element = f'<Override PartName="/{esc_attr(part)}" ContentType="{content_type}"/>'
    pkg.write(CONTENT_TYPES, insert_child(xml, root, children(xml, root), "Override", element, ("Default", "Override")))


def remove_override(pkg: Package, part: str) -> None:
    xml = pkg.text(CONTENT_TYPES)
    root = root_elem(xml)
    for kid in children(xml, root):
        if kid.name == "Override" and kid.attrs.get("PartName", "").lstrip("/").lower() == part.lower():
            pkg.write(CONTENT_TYPES, xml[: kid.start] + xml[kid.end :])
            return
