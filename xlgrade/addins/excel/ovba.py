"""One MS-OVBA edit pyopenvba does not offer: the VBA *project* name of a ``vbaProject.bin``.

The template's project is called ``MyAddin``; pyopenvba renames modules, not the project. A
project's name is stored twice ([MS-OVBA] 2.3.1.2 and 2.3.4.2.1.6):

- the ``PROJECT`` stream's ``Name="..."`` line (text in the project's code page);
- the ``VBA/dir`` stream's PROJECTNAME record (Id ``0x0004``, SizeOfProjectName: u32 in 1..128,
  the name in the code page; no Unicode twin), one of the PROJECTINFORMATION records that come
  first in the (compressed) dir stream: PROJECTSYSKIND, an optional PROJECTCOMPATVERSION,
  PROJECTLCID, PROJECTLCIDINVOKE, PROJECTCODEPAGE, then PROJECTNAME, all of the plain
  ``Id u16, Size u32, Data`` form.

:func:`rename_project` rewrites both, and zeroes the ``_VBA_PROJECT`` performance cache as
pyopenvba does after its own edits, so Office recompiles from source. The read/compress
helpers are pyopenvba's (its CFB reader/writer and its MS-OVBA compression).
"""

from __future__ import annotations

import re
import struct

from xlgrade.errors import OvbaError

PROJECTNAME = 0x0004
# The records before PROJECTNAME; any other Id there means a layout this edit does not know.
_BEFORE_NAME = {0x0001, 0x004A, 0x0002, 0x0014, 0x0003}
_NAME_LINE = re.compile(rb'^Name="[^"\r\n]*"\r?$', re.M)
_VALID_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")


def _name_record(dir_raw: bytes) -> tuple[int, int]:
    """(offset, length) of the whole PROJECTNAME record in a decompressed dir stream."""
    pos = 0
    while pos + 6 <= len(dir_raw):
        rid, size = struct.unpack_from("<HI", dir_raw, pos)
        if rid == PROJECTNAME:
            if not 1 <= size <= 128 or pos + 6 + size > len(dir_raw):
                raise OvbaError(f"PROJECTNAME record of size {size}")
            return pos, 6 + size
        if rid not in _BEFORE_NAME:
            raise OvbaError(f"dir record 0x{rid:04X} before PROJECTNAME")
        pos += 6 + size
    raise OvbaError("the dir stream has no PROJECTNAME record")


def project_names(vba_bin: bytes) -> tuple[str, str]:
    """The project name as the PROJECT stream and as the dir stream say it."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import decompress

    cfb = CFB.from_bytes(vba_bin)
    lines = _NAME_LINE.findall(cfb.get_stream("PROJECT"))
    if len(lines) != 1:
        raise OvbaError(f"the PROJECT stream has {len(lines)} Name= lines")
    dir_raw = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    at, length = _name_record(dir_raw)
    return lines[0].strip()[6:-1].decode("latin-1"), dir_raw[at + 6 : at + length].decode("latin-1")


def rename_project(vba_bin: bytes, name: str) -> bytes:
    """``vba_bin`` (a ``vbaProject.bin``) with its project called ``name`` (ASCII, a VBA name)."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress, invalidate_vba_project_cache

    if not _VALID_NAME.fullmatch(name):
        raise OvbaError(f"not a VBA project name: {name!r}")
    new = name.encode("ascii")
    cfb = CFB.from_bytes(vba_bin)
    project = cfb.get_stream("PROJECT")
    lines = _NAME_LINE.findall(project)
    if len(lines) != 1:
        raise OvbaError(f"the PROJECT stream has {len(lines)} Name= lines")
    eol = b"\r" if lines[0].endswith(b"\r") else b""
    cfb.write_stream("PROJECT", _NAME_LINE.sub(b'Name="' + new + b'"' + eol, project))
    dir_raw = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    at, length = _name_record(dir_raw)
    record = struct.pack("<HI", PROJECTNAME, len(new)) + new
    cfb.write_stream_in_storage("VBA", "dir", compress(dir_raw[:at] + record + dir_raw[at + length :]))
    invalidate_vba_project_cache(cfb)
    return cfb.to_bytes()
