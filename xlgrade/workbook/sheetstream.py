"""Setting cells on a large worksheet part read and written in pieces, never held whole.

Why: the ledger of a 200,000-line workbook is a 155 MB part; as one Python string (Chinese
text: 2 bytes a character) and its edited copy it made the monthly run's peak. :func:`set_cells`
inflates the part a MiB at a time, edits its rows in windows of whole rows (a row is never
split: a window ends after a ``</row>``) with the same :class:`~xlgrade.workbook.rowedit.RowEdit`
as the whole-text edit (:meth:`Worksheet.set_cells`), the head (up to ``<sheetData>``: the
dimension and the column widths) as there, and hands the result to a
:class:`~xlgrade.workbook.zipio.StreamDeflater`. The text it gives is the whole-text edit's,
byte for byte.

A window that comes out as it went in is not encoded again: its bytes go to the deflater as
read. While every window so far is unchanged nothing is deflated at all; at the first change
the unchanged text before it is inflated once more and deflated in the worker thread (the same
bytes as deflating it then). A part that comes out unchanged (the steady monthly run over an
already filled ledger) is left as it is: nothing to deflate, and the file keeps its member.

Shared formulas: when an edit replaces the master cell of a shared formula
(:func:`~xlgrade.workbook.sheetxml.keep_shared_formulas`) its followers must be written out,
which needs the whole text: that sheet (only that one) takes the whole-text path
(:data:`WHOLE`). So does a part held as text (it is whole already), one in UTF-16, one whose
``sheetData`` is empty or cannot be found in its head.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from xlgrade.errors import PackageError
from xlgrade.workbook.rowedit import RowEdit, cells_by_row
from xlgrade.workbook.sheetxml import Worksheet, _shared_masters
from xlgrade.workbook.xmlscan import check_complete, root_elem
from xlgrade.workbook.zipio import Deflated, StreamDeflater

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

WINDOW_BYTES = 1 << 20  # rows are edited this many bytes at a time (then the window ends at a row's end)
WHOLE = object()  # set_cells' answer when the part must be edited as one text
HEAD_BYTES = 64 << 20  # a head (before the rows) longer than this is not looked for further


class _Out:
    """Where the edited text goes: nothing is deflated while it equals the input; at the first
    change the input so far is deflated again from the part (in the worker), then every piece."""

    def __init__(self, pkg: Package, part: str) -> None:
        self._pkg, self._part = pkg, part
        self.same = 0  # bytes of the output so far, equal to the input's (while nothing changed)
        self.deflater: StreamDeflater | None = None

    def piece(self, new: str, old: str, raw: bytes) -> None:
        """``new``: the edit of ``old`` (the text of ``raw``, the part's next bytes)."""
        if self.deflater is None:
            if new == old:
                self.same += len(raw)
                return
            self.deflater = StreamDeflater()
            if self.same:
                chunks = self._pkg.byte_chunks(self._part)
                assert chunks is not None  # it gave them the first time
                self.deflater.write_from(chunks, self.same)
        self.deflater.write(raw if new == old else new)

    def close(self) -> Deflated | None:
        return self.deflater.close() if self.deflater is not None else None

    def abort(self) -> None:
        if self.deflater is not None:
            self.deflater.abort()


def set_cells(
    pkg: Package,
    part: str,
    cells: Mapping[tuple[int, int], Any],
    *,
    date1904: bool,
    keep_styles: bool,
    keep_formulas: bool | Collection[int],
    widths: Mapping[int, float] | None = None,
) -> Deflated | None | object:
    """:meth:`Worksheet.set_cells` of the part ``part`` read in pieces: the new part, deflated;
    None when it comes out as it was; :data:`WHOLE` when it must be edited as one text."""
    chunks = pkg.byte_chunks(part)
    if chunks is None:
        return WHOLE
    out = _Out(pkg, part)
    try:
        result = _edit(pkg, part, chunks, out, cells, date1904, keep_styles, keep_formulas, widths)
    except BaseException:
        out.abort()
        raise
    if result is WHOLE:
        out.abort()
        return WHOLE
    return out.close()


def head_only(pkg: Package, part: str) -> str | None:
    """The part's text before ``<sheetData``, the root closed after it (a worksheet whose views,
    widths and dimension can be read), inflated only as far as that; None for a part held as
    text (it is whole already), one in UTF-16 or without ``sheetData`` in its first
    :data:`HEAD_BYTES`, or whose head is not a worksheet's."""
    chunks = pkg.byte_chunks(part)
    if chunks is None:
        return None
    buf = _head_bytes(chunks, whole_tag=False)
    if buf is None:
        return None
    at = buf.find(b"sheetData")
    head = _decode(pkg, part, buf[: buf.rfind(b"<", 0, at)])
    try:
        root = root_elem(head)
        xml = f"{head}</{root.p}{root.name}>"
        Worksheet(xml)
    except PackageError:
        return None
    return xml


def _head_bytes(chunks: Iterator[bytes], *, whole_tag: bool) -> bytes | None:
    """The part's first chunks, up to where ``sheetData`` first appears (with ``whole_tag``:
    up to its start tag's ``>``); None when that is not within :data:`HEAD_BYTES` or the
    part is UTF-16 (the streamed paths read UTF-8 only)."""
    buf = b""
    while (at := buf.find(b"sheetData")) < 0 or (whole_tag and buf.find(b">", at) < 0):
        more = next(chunks, None)
        if more is None or len(buf) > HEAD_BYTES:
            return None
        buf += more
    if buf[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16
        return None
    return buf


def _decode(pkg: Package, part: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise pkg.unreadable(part, PackageError(f"{part}: not UTF-8 XML")) from None


def _edit(
    pkg: Package,
    part: str,
    chunks: Iterator[bytes],
    out: _Out,
    cells: Mapping[tuple[int, int], Any],
    date1904: bool,
    keep_styles: bool,
    keep_formulas: bool | Collection[int],
    widths: Mapping[int, float] | None,
) -> object:
    # ---- the head: the text up to <sheetData>'s start tag, edited as a whole part's would be
    buf = _head_bytes(chunks, whole_tag=True)
    if buf is None:
        return WHOLE
    at = buf.find(b"sheetData")
    cut = buf.find(b">", at) + 1
    head = _decode(pkg, part, buf[:cut])
    root = root_elem(head)
    if root.name != "worksheet":
        return WHOLE  # Worksheet() refuses it, naming what it is
    p = root.p
    tag = re.compile(rf"""<{re.escape(p)}sheetData\b((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""").search(head)
    if tag is None or tag.end() != len(head) or tag.group(2):
        return WHOLE  # no sheetData start tag there, or an empty one
    ws = Worksheet(f"{head}</{p}sheetData></{p}{root.name}>")
    sd = ws.child("sheetData")
    if sd is None or sd.tag_end != len(head):
        return WHOLE
    by_row = cells_by_row(cells)
    edit = RowEdit(ws, by_row, date1904, keep_styles, keep_formulas)
    masters = _shared_masters(head, p)
    new_head = ws.edit_head(head, by_row, widths)
    kept = _shared_masters(new_head, p)
    out.piece(new_head, head, buf[:cut])
    # ---- the rows, a window at a time; the window ending before </sheetData> is the last
    close, row_close = f"</{p}sheetData>".encode(), f"</{p}row>".encode()
    buf = buf[cut:]
    seen = 0  # buf[:seen] holds no </sheetData>
    while True:
        end = buf.find(close, max(0, seen - len(close) + 1))
        if end < 0 and len(buf) >= WINDOW_BYTES and (stop := buf.rfind(row_close)) >= 0:
            window, buf = buf[: stop + len(row_close)], buf[stop + len(row_close) :]
            seen = 0
        elif end >= 0:
            window, buf = buf[:end], buf[end:]
        else:
            more = next(chunks, None)
            if more is None:
                raise pkg.unreadable(part, PackageError(f"truncated: <{p}sheetData> is never closed"))
            seen = len(buf)
            buf += more
            continue
        text = _decode(pkg, part, window)
        pieces: list[str] = []
        pos = edit.rows(text, 0, len(text), pieces)
        if pieces:
            pieces.append(text[pos:])
        if end >= 0:
            pieces = pieces or [text]
            pieces += edit.rest()
        new = "".join(pieces) if pieces else text
        if "shared" in text:
            masters.update(_shared_masters(text, p))
            kept.update(_shared_masters(new, p))
        out.piece(new, text, window)
        if end >= 0:
            break
    # ---- the tail: </sheetData> and what follows, as it is
    for more in chunks:
        buf += more
    tail = _decode(pkg, part, buf)
    try:
        check_complete(ws._tag + tail[len(close.decode()) :])
    except PackageError as exc:
        raise pkg.unreadable(part, exc) from None
    Worksheet(ws._tag + tail[len(close.decode()) :])  # its elements closed as in a whole part's
    masters.update(_shared_masters(tail, p))
    kept.update(_shared_masters(tail, p))
    if any(si not in kept for si in masters):
        return WHOLE  # a shared formula's first cell was replaced: its followers need the whole text
    out.piece(tail, tail, buf)
    return None
