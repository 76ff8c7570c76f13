"""Opening a workbook file that may be hostile or broken: limits checked before anything inflates.

What this module owns: every way xlgrade gets at the bytes of a user's .xlsx / .xlsm (and the
zip-based .ods / .xlsb that ``grade`` reads) goes through it first -- the part store
(:class:`~xlgrade.workbook.package.Package`, i.e. ``recalc``), the calamine reader of ``grade``
and rule books (:mod:`xlgrade.io.tables`, :mod:`xlgrade.io.rulesfile`), openpyxl in ``report``
and the lock guard's look at ``xl/workbook.xml``.

Its rules:

1. The file is looked at before it is taken for a zip: a folder, an empty file, a
   password-protected workbook (an OLE2 compound file holding ``EncryptionInfo`` /
   ``EncryptedPackage``, which is how Excel stores an encrypted .xlsx) and a legacy .xls
   (a compound file without them) each get a one-line message saying what to do.
2. The zip directory is judged from its own records before :mod:`zipfile` parses it (so a
   directory of a million entries is refused without building a million ``ZipInfo``), then
   every member's *declared* sizes against the limits below. Nothing has been inflated yet.
3. A member is inflated only by :func:`inflate`: a streaming decompressor fed in chunks that
   stops as soon as the output passes the declared size (the header is never trusted: data
   longer than declared is refused, not truncated), then checks the length and the CRC-32.
   Memory is therefore bounded by the declared size of the one part being read.
4. :func:`verify` inflates every member once this way and throws the output away, so a part
   that is copied on unread (the package writer copies unchanged members compressed) or read
   later by calamine / openpyxl (which inflate on their own) is known to be sound first.
   Damaged members (bad CRC, truncated data, an unknown compression method) are refused with
   the part's name: an unreadable part is never copied on silently.
5. :class:`Verifier` is that pass for the part store, which reads a package part by part: the
   same checks, the same parts noted, the same error (the first damaged member in the zip's
   order), but from :data:`BACKGROUND_BYTES` of declared data the parts of
   :data:`BACKGROUND_PART_BYTES` or more are verified in background threads while the caller
   works on. The caller asks :meth:`Verifier.check` for a part before anything reads it (it
   waits for that part's check, or does it at once if no thread has started it) and
   :meth:`Verifier.check_all` before anything is copied or written; a failure found in a
   thread is raised there, in the caller's thread, never lost and never a thread's traceback.

The limits are module constants, not rules: rules are read from inside the workbook, so they
cannot guard its own opening.
"""

from __future__ import annotations

import functools
import io
import os
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from xlgrade.errors import (
    CorruptPartError,
    EncryptedWorkbookError,
    MissingFileError,
    OversizedPartError,
    PackageError,
)

# ---- the limits ---------------------------------------------------------------------------------
# One part (a worksheet's XML is the big one): a sheet at Excel's full 1,048,576 rows with ten
# filled columns is about 0.5 GiB of XML, so 1 GiB refuses nothing real while keeping what one
# part can cost in memory (its bytes, then its text) to a few GiB at worst.
MAX_PART_BYTES = 1 << 30
# All parts together, as declared: twice the largest part.
MAX_TOTAL_BYTES = 2 << 30
# Compression ratio (inflated / compressed), checked per part and for the whole file once the
# inflated size is above RATIO_FLOOR_BYTES (tiny parts may compress oddly and are harmless).
# Real worksheets compress 5:1 to 30:1 (the demo's: at most 12:1); runs of identical empty
# styled cells reach ~100:1. Deflate's ceiling is ~1032:1, which only made-up data reaches.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 16 << 20
# Members: a workbook has ~3 per sheet plus pictures; 10,000 is far beyond any real one.
MAX_MEMBERS = 10_000
# The central directory (46 bytes + name per member): bounds what zipfile builds from it.
MAX_DIRECTORY_BYTES = 4 << 20
# Inflate this much output at a time.
CHUNK_BYTES = 1 << 20
# verify() inflates in threads from this much declared data (a small workbook is not worth a pool).
PARALLEL_BYTES = 32 << 20
VERIFY_THREADS = 2
# Verifier: from this much declared data, the parts of BACKGROUND_PART_BYTES or more (the large
# sheets) are verified in background threads, the others at once; as many threads as there are
# cores beside the one the caller works on, at least one, at most VERIFY_THREADS.
BACKGROUND_BYTES = 32 << 20
BACKGROUND_PART_BYTES = 1 << 20

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_EOCD = struct.Struct("<4sHHHHIIH")
_ZIP64_LOCATOR = struct.Struct("<4sIQI")
_ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # all Excel, LibreOffice and WPS write

_WHAT_TO_DO = (
    "if the workbook is genuine, open it in Excel and save it again, or restore a backup (xlgrade restore FILE --list)"
)
_BOMB = "refused as a possible zip bomb (疑似压缩炸弹，已拒绝)"
_DAMAGED = "the file is damaged (文件已损坏); restore a backup (xlgrade restore FILE --list) or let Excel repair it"


def size_text(n: int) -> str:
    """``n`` bytes as a short text (``8.0 GiB``)."""
    for unit, step in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= step:
            return f"{n / step:.1f} {unit}"
    return f"{n} bytes"


# ---- the file ---------------------------------------------------------------------------------
def read_file(path: str | os.PathLike, *, allow_xls: bool = False) -> bytes:
    """The bytes of the workbook file ``path``, refused if it is no workbook xlgrade can open.

    ``allow_xls``: a legacy .xls (an unencrypted compound file) is returned as is (``grade``
    reads those with calamine) instead of refused.
    """
    path = Path(path)
    if path.is_dir():
        raise PackageError(
            f"{path}: is a folder, not a workbook file (这是文件夹，不是工作簿文件); name the .xlsx file"
        )
    try:
        buf = path.read_bytes()
    except FileNotFoundError:
        raise MissingFileError(f"{path}: file not found (找不到文件)") from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot be read: {exc.strerror or exc} (无法读取文件)") from None
    check_kind(buf, path.name, allow_xls=allow_xls)
    return buf


def check_kind(buf: bytes, name: str, *, allow_xls: bool = False) -> None:
    """Refuse an empty file, a password-protected workbook and (unless ``allow_xls``) an .xls."""
    if not buf:
        raise PackageError(f"{name}: the file is empty (0 bytes), not a workbook (文件为空); restore a backup")
    if buf.startswith(CFB_MAGIC):
        if any(stream in buf for stream in _ENCRYPTED_STREAMS):
            raise EncryptedWorkbookError(
                f"{name}: this workbook is password-protected; remove the password "
                "(File → Info → Protect Workbook) and run again "
                "(工作簿设有密码：请先取消密码（文件 → 信息 → 保护工作簿）后再运行)"
            )
        if not allow_xls:
            raise PackageError(
                f"{name}: this is a legacy .xls workbook (Excel 97-2003), not .xlsx; open it in Excel, "
                "save it as an Excel Workbook (.xlsx) and run again (这是旧版 .xls 工作簿，请另存为 .xlsx 后再运行)"
            )


# ---- the zip directory -----------------------------------------------------------------------------
def _directory_extent(buf: bytes) -> tuple[int, int] | None:
    """(number of members, directory size) as the end records state them; None if no zip."""
    at = buf.rfind(b"PK\x05\x06", max(0, len(buf) - _EOCD.size - 0xFFFF))
    if at < 0 or at + _EOCD.size > len(buf):
        return None
    _sig, _disk, _cd_disk, _n_disk, count, cd_size, _cd_off, _comment = _EOCD.unpack_from(buf, at)
    loc = at - _ZIP64_LOCATOR.size
    if loc >= 0 and buf[loc : loc + 4] == b"PK\x06\x07":
        _s, _d, z64_off, _t = _ZIP64_LOCATOR.unpack_from(buf, loc)
        if z64_off + _ZIP64_EOCD.size <= len(buf) and buf[z64_off : z64_off + 4] == b"PK\x06\x06":
            fields = _ZIP64_EOCD.unpack_from(buf, z64_off)
            count, cd_size = fields[7], fields[8]
    return count, cd_size


def open_zip(buf: bytes, name: str) -> zipfile.ZipFile:
    """The zip of ``buf`` (file name ``name`` for messages), its directory checked against the limits."""
    extent = _directory_extent(buf)
    if extent is not None:
        count, cd_size = extent
        if count > MAX_MEMBERS:
            raise OversizedPartError(f"{name}: the package declares {count:,} parts (limit {MAX_MEMBERS:,}); {_BOMB}")
        if cd_size > MAX_DIRECTORY_BYTES:
            raise OversizedPartError(
                f"{name}: the package's directory is {size_text(cd_size)} "
                f"(limit {size_text(MAX_DIRECTORY_BYTES)}); {_BOMB}"
            )
    try:
        zf = zipfile.ZipFile(io.BytesIO(buf))  # BytesIO shares the bytes, no copy
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error):
        raise PackageError(
            f"{name}: not an .xlsx workbook (not a zip package, or a truncated one) (不是有效的 .xlsx 工作簿); "
            "an .xls or .et workbook must be saved as .xlsx first"
        ) from None
    check_directory(zf.infolist(), len(buf), name)
    return zf


def check_directory(infos: list[zipfile.ZipInfo], file_size: int, name: str) -> None:
    """Refuse (:class:`OversizedPartError`) a package whose declared sizes pass the limits,
    (:class:`CorruptPartError`) one with members xlgrade cannot inflate."""
    if len(infos) > MAX_MEMBERS:
        raise OversizedPartError(f"{name}: the package holds {len(infos):,} parts (limit {MAX_MEMBERS:,}); {_BOMB}")
    total = 0
    for info in infos:
        part = info.filename
        if info.flag_bits & 0x1:
            raise EncryptedWorkbookError(
                f"{name}: part {part} is encrypted; remove the password and save the workbook again (部件已加密)"
            )
        if info.compress_type not in _METHODS:
            raise CorruptPartError(
                f"{name}: part {part} uses compression method {info.compress_type}, which no spreadsheet "
                f"program writes (无法解压的部件); {_WHAT_TO_DO}"
            )
        if info.file_size > MAX_PART_BYTES:
            raise OversizedPartError(
                f"{name}: part {part} declares {size_text(info.file_size)} inflated "
                f"(limit {size_text(MAX_PART_BYTES)} per part); {_BOMB}; {_WHAT_TO_DO}"
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise OversizedPartError(
                f"{name}: part {part} inflates {info.file_size // max(1, info.compress_size):,}:1 "
                f"({size_text(info.compress_size)} to {size_text(info.file_size)}; limit {MAX_RATIO}:1); "
                f"{_BOMB}; {_WHAT_TO_DO}"
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise OversizedPartError(
                f"{name}: the parts declare more than {size_text(MAX_TOTAL_BYTES)} inflated in all "
                f"(reached at part {part}); {_BOMB}; {_WHAT_TO_DO}"
            )
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(1, file_size):
        raise OversizedPartError(
            f"{name}: the parts declare {size_text(total)} inflated from a {size_text(file_size)} file "
            f"(more than {MAX_RATIO}:1; overlapping parts?); {_BOMB}"
        )


# ---- inflating ----------------------------------------------------------------------------------
def raw_span(buf: bytes, info: zipfile.ZipInfo, name: str) -> tuple[int, int]:
    """(start, end) of ``info``'s compressed bytes in ``buf``."""
    off = info.header_offset
    if off < 0 or off + _LOCAL.size > len(buf) or buf[off : off + 4] != b"PK\x03\x04":
        raise CorruptPartError(f"{name}: part {info.filename} has no local header (部件已损坏); {_DAMAGED}")
    *_rest, name_len, extra_len = _LOCAL.unpack_from(buf, off)
    start = off + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    if end > len(buf):
        raise CorruptPartError(
            f"{name}: part {info.filename} is cut off (the file is truncated) (部件不完整); {_DAMAGED}"
        )
    return start, end


def _inflating(view: memoryview, declared: int, part: str, name: str) -> Iterator[bytes]:
    """A raw-deflate member's data inflated a chunk (at most :data:`CHUNK_BYTES`) at a time:
    refused as soon as it outgrows its ``declared`` size, or is invalid or truncated."""
    d = zlib.decompressobj(-15)
    total = pos = 0
    try:
        while not d.eof:
            if d.unconsumed_tail:
                data = d.decompress(d.unconsumed_tail, CHUNK_BYTES)
            elif pos < len(view):
                data = d.decompress(view[pos : pos + CHUNK_BYTES], CHUNK_BYTES)
                pos += CHUNK_BYTES
            else:
                break
            total += len(data)
            if total > declared:
                raise OversizedPartError(
                    f"{name}: part {part} inflates to more than the {size_text(declared)} its header declares; "
                    f"{_BOMB}; {_WHAT_TO_DO}"
                )
            yield data
    except zlib.error:
        raise CorruptPartError(
            f"{name}: part {part} cannot be inflated (invalid compressed data) (部件已损坏); {_DAMAGED}"
        ) from None
    if not d.eof:
        raise CorruptPartError(
            f"{name}: part {part} is truncated (compressed data ends early) (部件不完整); {_DAMAGED}"
        )


@functools.cache
def _memmem() -> Any:
    """The C library's ``memmem`` (through ctypes, which lets go of the GIL while it runs), or
    None where there is none (Windows)."""
    if os.name != "posix":
        return None
    try:
        import ctypes

        memmem = ctypes.CDLL(None).memmem
    except (OSError, AttributeError):
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)
    return memmem


def contains(data: bytes, find: bytes) -> bool:
    """``find in data``; a large ``data`` searched by the C library's ``memmem`` where there is
    one, twice as fast here and without holding the GIL (the search is a quarter of what
    verifying a sheet costs, and a background check must leave the GIL to the reader)."""
    memmem = _memmem() if len(data) >= 1 << 16 else None
    if memmem is None:
        return find in data
    return bool(memmem(data, len(data), find, len(find)))


def _check(total: int, crc: int, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse a member whose data is not the length or CRC-32 its header declares."""
    part = info.filename
    if total != info.file_size:
        raise CorruptPartError(
            f"{name}: part {part} inflates to {total:,} bytes, its header says {info.file_size:,} (部件已损坏); "
            f"{_DAMAGED}"
        )
    if crc != info.CRC:
        raise CorruptPartError(f"{name}: part {part} fails its CRC check (部件已损坏，CRC 校验失败); {_DAMAGED}")


def inflate(
    buf: bytes, info: zipfile.ZipInfo, name: str, *, keep: bool = True, find: bytes = b"", found: set[str] | None = None
) -> bytes:
    """``info``'s data, inflated in chunks and checked (length, CRC-32); ``keep=False``: only checked
    (returns ``b""``), never holding more than one chunk. ``find``: the part's name is added to
    ``found`` when its data holds these bytes (looked for in the chunks as they pass)."""
    part = info.filename
    tail = b""

    def look(data: bytes | memoryview) -> None:
        nonlocal tail
        if found is None or not find or part in found:
            return
        if isinstance(data, memoryview):  # a stored member
            data = bytes(data)
        if find in tail + bytes(data[: len(find) - 1]) or contains(data, find):
            found.add(part)
        tail = bytes(data[-(len(find) - 1) :]) if len(find) > 1 else b""

    start, end = raw_span(buf, info, name)
    view = memoryview(buf)[start:end]
    declared = info.file_size
    parts: list[bytes] = []
    if info.compress_type == zipfile.ZIP_STORED:
        if len(view) != declared:
            raise CorruptPartError(
                f"{name}: part {part}: stored size and declared size differ (部件已损坏); {_DAMAGED}"
            )
        crc = zlib.crc32(view)
        look(view)
        if keep:
            parts.append(bytes(view))
        total = declared
    else:
        crc = total = 0
        for data in _inflating(view, declared, part, name):
            total += len(data)
            crc = zlib.crc32(data, crc)
            look(data)
            if keep:
                parts.append(data)
    _check(total, crc, info, name)
    return b"".join(parts)


def inflate_chunks(buf: bytes, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """``info``'s data inflated a chunk (at most :data:`CHUNK_BYTES`) at a time, never whole; its
    length and CRC-32 checked as in :func:`inflate` (the last chunk is given only once they hold)."""
    part = info.filename
    start, end = raw_span(buf, info, name)
    view = memoryview(buf)[start:end]
    if info.compress_type == zipfile.ZIP_STORED:
        yield inflate(buf, info, name)
        return
    crc = total = 0
    held = b""  # each chunk is given once the next one is inflated, the last once it is checked
    for data in _inflating(view, info.file_size, part, name):
        total += len(data)
        crc = zlib.crc32(data, crc)
        if held:
            yield held
        held = data
    _check(total, crc, info, name)
    if held:
        yield held


def verify(buf: bytes, zf: zipfile.ZipFile, name: str, find: bytes = b"") -> set[str]:
    """Inflate every member once, discarding the output: refuse the first damaged or oversized one
    (first in the zip's order). Returns the members whose data holds ``find`` (none without it).

    From :data:`PARALLEL_BYTES` of declared data the members are inflated by
    :data:`VERIFY_THREADS` threads (zlib and CRC-32 let go of the GIL while they work, so the
    cores share the inflating); memory stays one chunk per thread."""
    found: set[str] = set()
    members = [info for info in zf.infolist() if not info.is_dir()]

    def check(info: zipfile.ZipInfo) -> None:
        inflate(buf, info, name, keep=False, find=find, found=found)

    if sum(info.file_size for info in members) < PARALLEL_BYTES:
        for info in members:
            check(info)
        return found
    # largest first, so that one big sheet does not start last; errors raised in the zip's order
    order = sorted(range(len(members)), key=lambda i: -members[i].file_size)
    with ThreadPoolExecutor(VERIFY_THREADS) as pool:
        done = {i: pool.submit(check, members[i]) for i in order}
        try:
            for i in range(len(members)):
                done[i].result()
        finally:
            for future in done.values():
                future.cancel()
    return found


def background_threads() -> int:
    """How many threads :class:`Verifier` runs: the cores this process may use but one (the
    caller's, who reads meanwhile), at least one, at most :data:`VERIFY_THREADS` (0: none)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return min(VERIFY_THREADS, max(1, cores - 1))


class Verifier:
    """:func:`verify` of a package that is read part by part (rule 5): every member checked and
    the parts holding ``find`` noted, a large package's large parts in background threads.

    Made, it has checked every part below :data:`BACKGROUND_PART_BYTES` (every part, below
    :data:`BACKGROUND_BYTES` in all); :meth:`check` a part before reading it, :meth:`check_all`
    before copying or writing any. Whatever fails, what is raised is what :func:`verify` raises
    for the same bytes: once any member is found damaged, every member is checked and the first
    damaged one in the zip's order is raised (again at every later call)."""

    _PENDING, _RUNNING, _DONE = 0, 1, 2

    def __init__(self, buf: bytes, zf: zipfile.ZipFile, name: str, find: bytes = b"") -> None:
        self._buf, self._name, self._find = buf, name, find
        self._members = [info for info in zf.infolist() if not info.is_dir()]
        self._of: dict[str, list[int]] = {}  # a part's members (a name may be stored twice)
        for k, info in enumerate(self._members):
            self._of.setdefault(info.filename, []).append(k)
        self.found: set[str] = set()  # the members whose data holds ``find`` (complete once checked)
        self._failed: dict[int, BaseException] = {}
        self._state = [self._DONE] * len(self._members)
        self._queue: list[int] = []  # the background's members, largest first
        self._settled = False  # every member checked, none failed
        self._lock = threading.Condition()
        if sum(info.file_size for info in self._members) < BACKGROUND_BYTES:
            self.found = verify(buf, zf, name, find)  # raises what verify raises
            self._settled = True
            return
        large = [k for k, info in enumerate(self._members) if info.file_size >= BACKGROUND_PART_BYTES]
        self._queue = sorted(large, key=lambda k: -self._members[k].file_size)
        for k in large:
            self._state[k] = self._PENDING
        for _ in range(min(background_threads(), len(large))):
            try:
                threading.Thread(target=self._work, name="xlgrade-verify", daemon=True).start()
            except RuntimeError:  # no thread to be had: the caller checks each part as it asks
                break
        for k, info in enumerate(self._members):
            if info.file_size < BACKGROUND_PART_BYTES:
                self._check_member(k)
        if self._failed:
            self.check_all()

    def check(self, part: str) -> None:
        """Return once ``part`` (every member of that name) is checked and sound; a part the
        package lacks has nothing to check. Raises as :func:`verify` does (see the class)."""
        if self._settled:
            return
        for k in self._of.get(part, ()):
            self._wait(k)
        if self._failed:
            self.check_all()

    def check_all(self) -> None:
        """Return once every member is checked and sound; else raise the first damaged one in
        the zip's order, as :func:`verify` does."""
        if self._settled:
            return
        for k in range(len(self._members)):
            self._wait(k)
        if self._failed:
            raise self._failed[min(self._failed)].with_traceback(None)
        self._settled = True

    def holds(self, part: str) -> bool:
        """Whether ``part``'s data holds ``find`` (it is checked first, see :meth:`check`)."""
        self.check(part)
        return part in self.found

    def _wait(self, k: int) -> None:
        """Member ``k`` checked: by this thread now if no thread has started it, else waited for."""
        with self._lock:
            while self._state[k] != self._PENDING:
                if self._state[k] == self._DONE:
                    return
                self._lock.wait()
            self._state[k] = self._RUNNING
        self._check_member(k)

    def _work(self) -> None:
        """A background thread: check the pending members, largest first, until none is left."""
        while True:
            with self._lock:
                while self._queue and self._state[self._queue[0]] != self._PENDING:
                    self._queue.pop(0)
                if not self._queue:
                    return
                k = self._queue.pop(0)
                self._state[k] = self._RUNNING
            self._check_member(k)

    def _check_member(self, k: int) -> None:
        """Inflate member ``k`` as :func:`verify` does; a failure is kept, for :meth:`check` and
        :meth:`check_all` to raise in the caller's thread. Interrupted (KeyboardInterrupt), the
        member is left to check again."""
        try:
            inflate(self._buf, self._members[k], self._name, keep=False, find=self._find, found=self.found)
        except Exception as exc:
            self._failed[k] = exc
        except BaseException:
            self._set(k, self._PENDING)
            raise
        self._set(k, self._DONE)

    def _set(self, k: int, state: int) -> None:
        with self._lock:
            self._state[k] = state
            self._lock.notify_all()


def check_file(path: str | os.PathLike, *, allow_xls: bool = False) -> None:
    """Everything above for a file another library will open (calamine, openpyxl): refuse it
    unless it is a sound zip within the limits (or, with ``allow_xls``, an unencrypted .xls)."""
    path = Path(path)
    buf = read_file(path, allow_xls=allow_xls)
    if allow_xls and buf.startswith(CFB_MAGIC):
        return
    with open_zip(buf, path.name) as zf:
        verify(buf, zf, path.name)


def read_part(path: str | os.PathLike, part: str) -> bytes:
    """One part of the workbook file ``path``, within the limits; KeyError if it has none."""
    path = Path(path)
    buf = read_file(path)
    with open_zip(buf, path.name) as zf:
        return inflate(buf, zf.getinfo(part), path.name)


def broken_xml_part(buf: bytes, name: str) -> str | None:
    """A one-line account of the first XML part of ``buf`` that is not complete XML, None if all
    are: asked after another library failed to read the workbook, to name the part."""
    from xlgrade.workbook.xmlscan import check_complete, decode_part

    try:
        with open_zip(buf, name) as zf:
            for info in zf.infolist():
                if not info.filename.endswith((".xml", ".rels")) or info.is_dir():
                    continue
                try:
                    check_complete(decode_part(inflate(buf, info, name), info.filename))
                except CorruptPartError as exc:
                    return str(exc)
                except PackageError as exc:
                    return f"{name}: part {info.filename} is not readable XML: {exc} (部件已损坏); {_DAMAGED}"
    except PackageError as exc:
        return str(exc)
    return None
