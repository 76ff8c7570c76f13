"""The History sheet's part, stored one month per deflate segment, so a run touches one month.

Why: History grows by one month of rows per customer each run (11,000 customers: 264,000 rows
after two years, ~210 MB of sheet XML). Rewriting, re-reading and re-deflating all of it each
month made every later run slower. Instead the worksheet part is written as a *segmented*
deflate stream:

- ``head``: the XML up to and including the header row (dimension, column widths, views ...);
- one segment per month, in month order (rows whose month cannot be read: one segment, last);
- ``tail``: ``</sheetData>`` and everything after it (validations, page setup, table parts).

Each segment is deflated by a fresh compressor and ends byte-aligned (``Z_SYNC_FLUSH``), the
tail with the final block, so the concatenation is one ordinary deflate stream any reader
inflates, while each segment can be copied, or inflated, on its own. The member's zip
*comment* (central directory; Excel, LibreOffice and calamine ignore it) holds the index: per
segment its month key, first row, row count, compressed and inflated size and CRC-32, plus the
member's CRC, compressed size and the workbook language. The index is trusted only when all of
that matches the member as found (anything that rewrote the part -- Excel saving the file, a
person editing History -- drops or invalidates it); otherwise the caller reads and writes the
whole sheet once, the old way, and the part is segmented again from then on.

Rules: a segment is copied as compressed bytes when its rows keep their row numbers; when a
month is inserted before it or a month before it changes its row count, its rows are
renumbered (``r`` attributes only, no cell is parsed) and it is deflated again. Nothing here
reads or writes cell values: :mod:`xlgrade.workbook.historysheet` renders and parses rows.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from xlgrade.workbook import zipio

if TYPE_CHECKING:
    from xlgrade.workbook.package import Package

MARK = "xlgrade-history"  # the index's format tag (its version is the value)
VERSION = 1
LEVEL = zipio.DEFLATE_LEVEL  # as Package deflates every other changed part


@dataclass(frozen=True)
class Segment:
    """One month's rows (``key`` "YYYY-MM", None for rows whose month cannot be read)."""

    key: str | None
    first_row: int
    rows: int
    raw: bytes | memoryview  # deflated, byte-aligned, independent of what comes before
    usize: int
    crc: int

    def xml(self) -> bytes:
        """The segment's rows as XML bytes (inflated)."""
        return inflate(self.raw)


@dataclass
class SegmentedPart:
    """A worksheet part as head + month segments + tail, ready to be stored in a zip."""

    lang: str
    head: bytes
    segments: list[Segment]
    tail: bytes
    _head_raw: bytes = field(init=False, repr=False)
    _tail_raw: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._head_raw = deflate(self.head)
        self._tail_raw = deflate(self.tail, final=True)

    @property
    def crc(self) -> int:
        crc = zlib.crc32(self.head)
        for s in self.segments:
            crc = crc32_combine(crc, s.crc, s.usize)
        return crc32_combine(crc, zlib.crc32(self.tail), len(self.tail))

    @property
    def usize(self) -> int:
        return len(self.head) + sum(s.usize for s in self.segments) + len(self.tail)

    def compressed(self) -> bytes:
        return b"".join([self._head_raw, *(bytes(s.raw) for s in self.segments), self._tail_raw])

    def inflated(self) -> bytes:
        return b"".join([self.head, *(s.xml() for s in self.segments), self.tail])

    def comment(self, crc: int, csize: int) -> bytes:
        """The index, as the member's zip comment."""
        index = {
            MARK: VERSION,
            "lang": self.lang,
            "crc": crc,
            "csize": csize,
            "head": [len(self._head_raw), len(self.head), zlib.crc32(self.head)],
            "months": [[s.key, s.first_row, s.rows, len(s.raw), s.usize, s.crc] for s in self.segments],
            "tail": [len(self._tail_raw), len(self.tail), zlib.crc32(self.tail)],
        }
        return json.dumps(index, separators=(",", ":")).encode("ascii")


def deflate(data: bytes, *, final: bool = False) -> bytes:
    """``data`` as raw deflate blocks from a fresh compressor, byte-aligned (the last: final)."""
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def inflate(raw: bytes | memoryview) -> bytes:
    return zlib.decompressobj(-15).decompress(raw)


def new_segment(key: str | None, first_row: int, rows: int, xml: bytes) -> Segment:
    return Segment(key, first_row, rows, deflate(xml), len(xml), zlib.crc32(xml))


def same_or_new(segments: list[Segment], key: str | None, first_row: int, rows: int, text: str) -> Segment:
    """The month ``key``'s segment of ``rows`` rows from ``first_row`` holding ``text``: the one
    stored (its deflated bytes as they are) when it holds exactly that, else a new one."""
    xml = text.encode("utf-8")
    for s in segments:
        if s.key == key and (s.first_row, s.rows, s.usize) == (first_row, rows, len(xml)):
            if s.crc == zlib.crc32(xml) and s.xml() == xml:
                return s
    return new_segment(key, first_row, rows, xml)


_ROW_NUMBERS = re.compile(rb'(<(?:[\w.\-]+:)?(?:row|c)\s(?:[^>]*?\s)?r="[A-Z]*)(\d+)"')


_DIMENSION = re.compile(rb'(<(?:[\w.\-]+:)?dimension\s+ref="[A-Z]+)\d+:([A-Z]+)\d+"')


def renumbered(xml: bytes, delta: int) -> bytes:
    """``xml`` with the row number of every ``<row>`` and ``<c>`` moved by ``delta``."""
    return _ROW_NUMBERS.sub(lambda m: m.group(1) + str(int(m.group(2)) + delta).encode() + b'"', xml)


def moved(segment: Segment, first_row: int) -> Segment:
    """``segment`` with its rows starting at ``first_row`` (its bytes as they are when unmoved)."""
    delta = first_row - segment.first_row
    if delta == 0:
        return segment
    return new_segment(segment.key, first_row, segment.rows, renumbered(segment.xml(), delta))


@dataclass(frozen=True)
class Found:
    """A segmented part as found in the file: what a run needs to append to it."""

    head: bytes
    segments: list[Segment]
    tail: bytes

    def skeleton(self) -> str:
        """The sheet with the header row only (head + tail): the XML the layout edits work on."""
        return (self.head + self.tail).decode("utf-8")

    def months(self) -> list[str | None]:
        return [s.key for s in self.segments]

    def sheet_of(self, segment: Segment) -> bytes:
        """A sheet of the header row and ``segment``'s rows only, both at their rows in the sheet
        (the header row just above them; the dimension says so), for a reader to parse."""
        head = renumbered(self.head, segment.first_row - 2)
        top, last = segment.first_row - 1, segment.first_row + segment.rows - 1
        head = _DIMENSION.sub(lambda m: b'%s%d:%s%d"' % (m.group(1), top, m.group(2), last), head, count=1)
        return head + segment.xml() + self.tail

    def latest_before(self, key: str) -> Segment | None:
        earlier = [s for s in self.segments if s.key is not None and s.key < key]
        return earlier[-1] if earlier else None


def found(pkg: Package, part: str, lang: str) -> Found | None:
    """The segments of ``part`` when its index is present and matches the member, else None."""
    info = pkg.stored_info(part)
    if info is None or not info.comment:
        return None
    try:
        index = json.loads(info.comment.decode("ascii"))
        if not isinstance(index, dict) or index.get(MARK) != VERSION or index.get("lang") != lang:
            return None
        if index["crc"] != info.CRC or index["csize"] != info.compress_size:
            return None
        raw = memoryview(pkg.raw_member(part))
        pos = 0
        pieces: list[tuple[int, int, int]] = []
        for spec in (index["head"], *[m[3:6] for m in index["months"]], index["tail"]):
            csize, usize, crc = (int(v) for v in spec)
            pieces.append((pos, csize, crc))
            pos += csize
        if pos != info.compress_size or pos != len(raw):
            return None
        head_at, tail_at = pieces[0], pieces[-1]
        head = inflate(raw[head_at[0] : head_at[0] + head_at[1]])
        tail = inflate(raw[tail_at[0] : tail_at[0] + tail_at[1]])
        if zlib.crc32(head) != head_at[2] or zlib.crc32(tail) != tail_at[2]:
            return None
        segments: list[Segment] = []
        row = 2
        last_key: str | None = ""
        for (at, csize, crc), m in zip(pieces[1:-1], index["months"]):
            key, first_row, rows, usize = m[0], int(m[1]), int(m[2]), int(m[4])
            if first_row != row or rows < 1 or last_key is None or (key is not None and key <= last_key):
                return None  # out of order, overlapping or after the unreadable months
            segments.append(Segment(key, first_row, rows, raw[at : at + csize], usize, crc))
            row, last_key = row + rows, key
    except (ValueError, KeyError, TypeError, IndexError, zlib.error):
        return None
    return Found(head, segments, tail)


def placed(segments: list[Segment], key: str | None, new: Segment) -> list[Segment]:
    """``segments`` with the month ``key`` replaced by (or ``new`` inserted in month order),
    the later ones renumbered to follow on (rows whose month cannot be read stay last)."""
    kept = [s for s in segments if s.key != key]
    dated = [s for s in kept if s.key is not None]
    undated = [s for s in kept if s.key is None]
    order = sorted([*dated, new], key=lambda s: s.key or "") + undated
    out, row = [], 2
    for s in order:
        out.append(replace(s, first_row=row) if s is new else moved(s, row))
        row += s.rows
    return out


# ---- CRC-32 of a concatenation (zlib's crc32_combine, which Python's zlib does not expose) -----
def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc32(A), crc32(B) and len(B)."""
    if len2 <= 0:
        return crc1
    op = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    for _ in range(3):
        op = _gf2_square(op)  # ... for one zero byte
    while len2:  # crc1 followed by len2 zero bytes: the operator of each set bit of len2
        if len2 & 1:
            crc1 = _gf2_times(op, crc1)
        len2 >>= 1
        if len2:
            op = _gf2_square(op)
    return crc1 ^ crc2
