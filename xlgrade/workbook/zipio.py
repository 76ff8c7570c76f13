"""Writing the zip of a package: unchanged members copied compressed, atomic saves, backups."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

from xlgrade.errors import PackageError

BACKUPS_KEPT = 10


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
