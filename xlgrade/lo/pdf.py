"""PDF, just enough to count the pages LibreOffice rendered and measure them (the print tests).

Reads the page tree of an uncompressed or Flate-compressed PDF (object streams included) and
nothing else: no fonts, no content. Standard library only.
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

_OBJ_HEAD = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_TYPE_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_TYPE_PAGES = re.compile(rb"/Type\s*/Pages(?![A-Za-z])")
_TYPE_CATALOG = re.compile(rb"/Type\s*/Catalog(?![A-Za-z])")
_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_MEDIABOX = re.compile(
    rb"/MediaBox\s*\[\s*(" + _NUM + rb")\s+(" + _NUM + rb")\s+(" + _NUM + rb")\s+(" + _NUM + rb")\s*\]"
)
_ROTATE = re.compile(rb"/Rotate\s+(-?\d+)")


def _pdf_objects(data: bytes) -> dict[int, bytes]:
    """Object number -> its dictionary text (streams cut off), incl. objects in object streams."""
    objs: dict[int, bytes] = {}
    streams: list[tuple[bytes, bytes]] = []
    heads = list(_OBJ_HEAD.finditer(data))
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(data)
        body = data[m.end() : end]
        cut = body.find(b"endobj")
        if cut >= 0:
            body = body[:cut]
        s = body.find(b"stream")
        head = body if s < 0 else body[:s]
        objs[int(m.group(1))] = head  # later definitions (incremental updates) win
        if s >= 0 and b"/ObjStm" in head:
            raw = body[s + 6 :].lstrip(b"\r\n")
            e = raw.rfind(b"endstream")
            streams.append((head, raw[:e] if e >= 0 else raw))
    for head, raw in streams:
        try:
            text = zlib.decompressobj().decompress(raw) if b"/FlateDecode" in head else raw
            first = int(re.search(rb"/First\s+(\d+)", head).group(1))  # type: ignore[union-attr]  # no match: AttributeError, below
            n = int(re.search(rb"/N\s+(\d+)", head).group(1))  # type: ignore[union-attr]
        except (zlib.error, AttributeError, ValueError):
            continue
        nums = [int(x) for x in text[:first].split()[: 2 * n]]
        pairs = list(zip(nums[::2], nums[1::2]))
        for j, (num, off) in enumerate(pairs):
            stop = first + pairs[j + 1][1] if j + 1 < len(pairs) else len(text)
            objs.setdefault(num, text[first + off : stop])
    return objs


def _page_objects(objs: dict[int, bytes]) -> list[int]:
    catalog = next((b for b in objs.values() if _TYPE_CATALOG.search(b)), None)
    root = re.search(rb"/Pages\s+(\d+)\s+\d+\s+R", catalog) if catalog else None
    pages: list[int] = []
    if root:
        seen: set[int] = set()

        def walk(num: int) -> None:
            if num in seen or num not in objs:
                return
            seen.add(num)
            body = objs[num]
            if _TYPE_PAGES.search(body):
                kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
                for k in _REF.finditer(kids.group(1) if kids else b""):
                    walk(int(k.group(1)))
            elif _TYPE_PAGE.search(body):
                pages.append(num)

        walk(int(root.group(1)))
    if not pages:  # no readable page tree: every page object, in object order
        pages = sorted(n for n, b in objs.items() if _TYPE_PAGE.search(b))
    return pages


def pdf_page_sizes(path: str | os.PathLike) -> list[tuple[float, float]]:
    """(width, height) in points of every page, in order (MediaBox, inherited, /Rotate applied)."""
    objs = _pdf_objects(Path(path).read_bytes())
    sizes = []
    for num in _page_objects(objs):
        box: list[float] | None = None
        rotate: int | None = None
        node: int | None = num
        hops = 0
        while node is not None and hops < 64:
            body = objs.get(node, b"")
            if box is None and (m := _MEDIABOX.search(body)):
                box = [float(x) for x in m.groups()]
            if rotate is None and (r := _ROTATE.search(body)):
                rotate = int(r.group(1))
            parent = re.search(rb"/Parent\s+(\d+)\s+\d+\s+R", body)
            node, hops = (int(parent.group(1)) if parent else None), hops + 1
        if box is None:
            raise ValueError(f"{path}: page object {num} has no MediaBox")
        w, h = abs(box[2] - box[0]), abs(box[3] - box[1])
        if (rotate or 0) % 180:
            w, h = h, w
        sizes.append((round(w, 2), round(h, 2)))
    return sizes


def pdf_pages(path: str | os.PathLike) -> int:
    """Number of pages of a PDF."""
    return len(_page_objects(_pdf_objects(Path(path).read_bytes())))
