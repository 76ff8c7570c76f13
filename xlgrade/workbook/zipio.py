"""Writing the zip of a package: unchanged members copied compressed, changed ones deflated
(in worker threads, :func:`deflate_later`), atomic saves, backups."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from xlgrade.errors import PackageError

BACKUPS_KEPT = 10


# ---- deflating parts, in worker threads ---------------------------------------------------------
# zlib's level 5, not its default 6: on the 171k-line demo's ledger part (156 MB of XML) 1.10 s
# instead of 1.65 s for 2 % more bytes (17.39 MB against 17.01; level 4 and below switch to
# zlib's fast matcher, 19.8 MB); a changed ledger's streamed edit waits on its deflater.
DEFLATE_LEVEL = 5
_POOL: ThreadPoolExecutor | None = None


def deflate(data: str | bytes | Deflated) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, uncompressed size) of a part's text (as UTF-8) or bytes."""
    if isinstance(data, Deflated):
        return data.data, data.crc, data.usize
    raw = data.encode("utf-8") if isinstance(data, str) else data
    comp = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return comp.compress(raw) + comp.flush(), zlib.crc32(raw), len(raw)


def deflate_later(data: str | bytes | Deflated) -> Future[tuple[bytes, int, int]]:
    """:func:`deflate` in a worker thread: zlib lets go of the interpreter while it compresses,
    so a large part deflates while the next one is rendered (the result is the same bytes)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="xlgrade-deflate")
    return _POOL.submit(deflate, data)


@dataclass(frozen=True)
class Deflated:
    """A part kept deflated (:class:`StreamDeflater`): its raw deflate stream, CRC-32 and size."""

    data: bytes
    crc: int
    usize: int

    def inflate(self) -> bytes:
        return zlib.decompress(self.data, -15)

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The inflated bytes in pieces of at most ``size``, never whole."""
        d = zlib.decompressobj(-15)
        pos = 0
        while not d.eof:
            if d.unconsumed_tail:
                block = d.decompress(d.unconsumed_tail, size)
            elif pos < len(self.data):
                block = d.decompress(self.data[pos : pos + size], size)
                pos += size
            else:
                break
            if block:
                yield block


class StreamDeflater:
    """Deflates a part's text as it is rendered, piece by piece, in a worker thread (pieces
    compressing while the next ones are rendered), so a 200,000-line sheet is never held whole.
    The result is the same bytes as one deflate of the whole text."""

    WAITING = 4  # pieces queued for the worker at most: memory stays bounded

    def __init__(self) -> None:
        self._comp = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        self._out: list[bytes] = []
        self._crc = self._size = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlgrade-stream")
        self._pending: deque[Future[None]] = deque()

    def _step(self, raw: bytes) -> None:
        self._crc = zlib.crc32(raw, self._crc)
        self._size += len(raw)
        self._out.append(self._comp.compress(raw))

    def _copy(self, chunks: Iterable[bytes], size: int) -> None:
        """The first ``size`` bytes of ``chunks`` deflated (in the worker: inflating them, when they
        are inflated as taken, happens there too)."""
        for chunk in chunks:
            if size <= 0:
                break
            self._step(chunk[:size] if len(chunk) > size else chunk)
            size -= len(chunk)
        if size > 0:
            raise PackageError("the part ended before the text to copy from it")

    def _submit(self, fn: Callable[..., None], *args: object) -> None:
        while len(self._pending) >= self.WAITING:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(fn, *args))

    def write(self, text: str | bytes) -> None:
        self._submit(self._step, text.encode("utf-8") if isinstance(text, str) else text)

    def write_from(self, chunks: Iterable[bytes], size: int) -> None:
        """Deflate the first ``size`` bytes of ``chunks`` next (taken in the worker thread)."""
        self._submit(self._copy, chunks, size)

    def close(self) -> Deflated:
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)
        self._out.append(self._comp.flush())
        return Deflated(b"".join(self._out), self._crc, self._size)

    def abort(self) -> None:
        """Stop without a result (the pieces not started are dropped)."""
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True)


def encoded_blocks(pieces: Sequence[str | bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """The bytes of ``pieces`` (texts as UTF-8) in blocks of about ``size``: small pieces (a
    table's rows) joined first, so each block is one encode, and a large text (a whole sheet)
    encoded a slice at a time: never the whole encoded at once."""
    at = 0
    while at < len(pieces):
        if len(pieces[at]) > size:
            piece = pieces[at]
            if isinstance(piece, str):
                yield from (piece[i : i + size].encode("utf-8") for i in range(0, len(piece), size))
            else:
                yield piece
            at += 1
            continue
        stop, held = at, 0
        while stop < len(pieces) and held < size and len(pieces[stop]) <= size:
            held += len(pieces[stop])
            stop += 1
        group = pieces[at:stop]
        if all(isinstance(p, str) for p in group):
            yield "".join(group).encode("utf-8")  # type: ignore[arg-type]
        else:
            yield from (p.encode("utf-8") if isinstance(p, str) else p for p in group)
        at = stop


def same_bytes(a: Iterable[bytes], b: Iterable[bytes]) -> bool:
    """Whether two streams of bytes, each cut anywhere, are the same bytes (read only up to the
    first difference)."""
    left = (memoryview(c) for c in a if c)
    right = (memoryview(c) for c in b if c)
    x = y = memoryview(b"")
    while True:
        if not x:
            x = next(left, x)
        if not y:
            y = next(right, y)
        if not x or not y:
            return not x and not y
        n = min(len(x), len(y))
        if x[:n] != y[:n]:
            return False
        x, y = x[n:], y[n:]


# ---- the zip writer ---------------------------------------------------------------------------
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
ZIP32_LIMIT = 0xFFFFFFFF


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = max(1980, min(2107, y))
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


class Entry:
    """One member as written: its header fields and its data, already compressed."""

    __slots__ = (
        "name",
        "flags",
        "method",
        "date_time",
        "crc",
        "csize",
        "usize",
        "data",
        "create_system",
        "create_version",
        "extract_version",
        "external_attr",
        "internal_attr",
        "offset",
        "comment",
    )
    name: str
    flags: int
    method: int
    date_time: tuple[int, int, int, int, int, int]
    crc: int
    csize: int
    usize: int
    data: bytes
    create_system: int
    create_version: int
    extract_version: int
    external_attr: int
    internal_attr: int
    offset: int
    comment: bytes  # the central directory's file comment (History's index: historypart)

    def __init__(self) -> None:
        self.comment = b""


def raw_member(buf: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of ``info`` as stored in ``buf``."""
    off = info.header_offset
    sig, *_rest = _LOCAL.unpack_from(buf, off)
    if sig != b"PK\x03\x04":
        raise PackageError(f"corrupt zip member {info.filename}")
    name_len, extra_len = _rest[-2], _rest[-1]
    start = off + _LOCAL.size + name_len + extra_len
    return buf[start : start + info.compress_size]


def _header_fields(e: Entry) -> tuple[bytes, int, int, int]:
    """The name bytes, flags (no data descriptor; UTF-8 flag for non-ASCII names) and DOS time/date."""
    name = e.name.encode("utf-8")
    flags = e.flags & ~0x08
    if not name.isascii():
        flags |= 0x800
    return (name, flags, *_dos_time(e.date_time))


def write_zip(out: io.BufferedIOBase, entries: list[Entry]) -> None:
    """Write a zip of ``entries`` (data already compressed) to ``out``."""
    pos = 0
    for e in entries:
        name, flags, tm, dm = _header_fields(e)
        header = _LOCAL.pack(
            b"PK\x03\x04", e.extract_version, flags, e.method, tm, dm, e.crc, e.csize, e.usize, len(name), 0
        )
        e.offset = pos
        out.write(header)
        out.write(name)
        out.write(e.data)
        pos += len(header) + len(name) + len(e.data)
    start = pos
    for e in entries:
        name, flags, tm, dm = _header_fields(e)
        rec = _CENTRAL.pack(
            b"PK\x01\x02",
            e.create_version | (e.create_system << 8),
            e.extract_version,
            flags,
            e.method,
            tm,
            dm,
            e.crc,
            e.csize,
            e.usize,
            len(name),
            0,
            len(e.comment),
            0,
            e.internal_attr,
            e.external_attr,
            e.offset,
        )
        out.write(rec)
        out.write(name)
        out.write(e.comment)
        pos += len(rec) + len(name) + len(e.comment)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), pos - start, start, 0))


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_backup(target: Path, backup_dir: Path, keep: int = BACKUPS_KEPT) -> str:
    """Copy ``target`` into ``backup_dir`` (written aside, deduplicated, pruned): see
    :mod:`xlgrade.workbook.backups`; returns where the copy is."""
    from xlgrade.workbook import backups

    return backups.make_backup(Path(target), Path(backup_dir), keep)
