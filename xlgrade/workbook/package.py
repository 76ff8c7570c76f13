"""Edit an .xlsx / .xlsm package part by part, leaving every part xlgrade does not own as it was.

Why: a staff workbook may hold a 200,000-line ledger. Loading and saving it with openpyxl
takes minutes and gigabytes and drops what openpyxl does not understand. :class:`Package`
reads the zip directory, rewrites only the parts it is asked to change (a derived sheet, its
table, the summary's charts, a few computed cells) and copies every other member's
*compressed* bytes unchanged into the new file (no decompress / recompress).

XML is edited as text, never parsed and re-serialised: a worksheet keeps every byte outside
the elements an operation replaces (views, protection, conditional formats, validations,
page setup, extension lists, namespace declarations, ``mc:Ignorable`` prefixes ...).

Cells are written with inline strings (``t="inlineStr"``) so ``sharedStrings.xml`` is never
touched; style indices come from the hidden palette sheet (:meth:`Package.palette`, see
:mod:`xlgrade.workbook.styles`).

Saving is atomic: the new package goes to a temporary file next to the target, is flushed
and fsynced, the old file is copied to the backup folder, then the temporary file replaces
the target. On any failure the original file is untouched and the temporary file removed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import numbers
import os
import posixpath
import re
import shutil
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from xlgrade.errors import XlgradeError
from xlgrade.workbook import charts as charts_mod
from xlgrade.workbook.styles import PALETTE_SHEET, ROLES

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_OFFICE_DOC = NS_REL + "/officeDocument"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_TABLE = NS_REL + "/table"
REL_DRAWING = NS_REL + "/drawing"
REL_CHART = NS_REL + "/chart"
REL_SST = NS_REL + "/sharedStrings"
REL_STYLES = NS_REL + "/styles"
REL_CALC_CHAIN = NS_REL + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CONTENT_TYPES = "[Content_Types].xml"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CHART_MARK = "xlgrade:"            # name prefix of the drawing objects xlgrade owns
MAX_TEXT = 32767                   # Excel's limit on the characters of one cell
BACKUPS_KEPT = 10
NEW_TABLE_STYLE = "TableStyleMedium2"

# Top-level children of <worksheet>, in schema order (ECMA-376 CT_Worksheet).
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
    "extLst")
WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
    "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
    "extLst")


class PackageError(XlgradeError, ValueError):
    """The workbook file cannot be read or edited as asked."""


# ---- cell values ------------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A formula (without the leading ``=``), optionally with a cached result."""

    text: str
    value: Any = None


@dataclass(frozen=True)
class Cell:
    """A value (str, int, float, bool, date/datetime, :class:`Formula` or None) and a style index.

    ``style`` None means "no style" for new cells (and "keep" under ``keep_styles``).
    """

    value: Any = None
    style: int | None = None


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPE_X = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


def clean_text(text: str) -> str:
    """Text as Excel should read it back: no XML-invalid characters, ``_xHHHH_`` kept literal."""
    text = _INVALID_XML.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "_x" in text:
        text = _ESCAPE_X.sub(r"_x005F_\1", text)
    return text[:MAX_TEXT]


def esc(text: str) -> str:
    """Escape text content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    """Escape an attribute value written between double quotes."""
    return (esc(_INVALID_XML.sub("", text)).replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def unesc(text: str) -> str:
    if "&" not in text:
        return text
    def sub(m: re.Match) -> str:
        ent = m.group(1)
        if ent[0] == "#":
            return chr(int(ent[2:], 16) if ent[1] in "xX" else int(ent[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}[ent]
    return re.sub(r"&(#[xX]?[0-9A-Fa-f]+|amp|lt|gt|quot|apos);", sub, text)


def excel_serial(value: dt.date | dt.datetime | dt.time, date1904: bool = False) -> float | None:
    """The Excel serial number of a date / datetime / time (None before 1900-03-01)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if serial < (0 if date1904 else 61):   # Excel's 1900 leap-year bug makes earlier serials wrong
        return None
    return serial


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def parse_ref(ref: str) -> tuple[int, int]:
    """``"B3"`` -> (3, 2)."""
    m = _REF.fullmatch(ref.strip())
    if not m:
        raise PackageError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"A1:C5"`` -> (1, 1, 5, 3); a single cell is a 1x1 range."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_ref(r1: int, c1: int, r2: int, c2: int, *, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    a = f"{d}{col_letter(c1)}{d}{r1}"
    return a if (r1, c1) == (r2, c2) else f"{a}:{d}{col_letter(c2)}{d}{r2}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _py(value: Any) -> Any:
    """A plain Python value: None for NaN / NaT / NA, numpy scalars unwrapped."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (str, bool, int, Formula)):
        return value
    if hasattr(value, "item") and type(value).__module__ == "numpy":   # numpy scalar
        if str(getattr(value, "dtype", "")).startswith(("datetime64", "timedelta64")):
            import pandas as pd
            value = pd.Timestamp(value)
            return None if value is pd.NaT else value.to_pydatetime()
        return _py(value.item())
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return None
    if name == "Timestamp":
        return value.to_pydatetime()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return _py(float(value))
    return value


def _number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _value_xml(value: Any, date1904: bool) -> tuple[str, str]:
    """(t attribute or "", inner XML) of a plain value; ("", "") for no value."""
    if value is None:
        return "", ""
    if isinstance(value, bool):
        return "b", f"<v>{int(value)}</v>"
    if isinstance(value, (int, float)):
        return "", f"<v>{_number(value)}</v>"
    if isinstance(value, (dt.date, dt.time)):
        serial = excel_serial(value, date1904)
        if serial is None:
            return _value_xml(value.isoformat(), date1904)
        return "", f"<v>{_number(serial)}</v>"
    text = clean_text(str(value))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return "inlineStr", f"<is><t{space}>{esc(text)}</t></is>"


def cell_xml(ref: str, value: Any, style: int | None, date1904: bool = False, p: str = "") -> str:
    """One ``<c>`` element (``p`` is the namespace prefix with its colon, usually "")."""
    s = f' s="{style}"' if style else ""
    value = _py(value)
    if isinstance(value, Formula):
        cached = _py(value.value)
        t, inner = _value_xml(cached, date1904)
        if t == "inlineStr":
            t, inner = "str", f"<{p}v>{esc(clean_text(str(cached)))}</{p}v>"
        elif p and inner:
            inner = inner.replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>")
        ta = f' t="{t}"' if t else ""
        return f'<{p}c r="{ref}"{s}{ta}><{p}f>{esc(clean_text(value.text.lstrip("=")))}</{p}f>{inner}</{p}c>'
    t, inner = _value_xml(value, date1904)
    if not inner:
        return f'<{p}c r="{ref}"{s}/>' if style else ""
    if p:
        inner = re.sub(r"<(/?)(v|is|t)\b", rf"<\1{p}\2", inner)
    ta = f' t="{t}"' if t else ""
    return f'<{p}c r="{ref}"{s}{ta}>{inner}</{p}c>'


# ---- XML as text --------------------------------------------------------------------------
_TAG = re.compile(
    r"""<(?:(/?)(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>"""
    r"""|!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>|![^>]*>)""", re.S)
_ATTR = re.compile(r"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass
class Elem:
    """An element located in an XML text: [start, tag_end) is the start tag, [start, end) all of it."""

    prefix: str | None
    name: str
    start: int
    tag_end: int
    end: int
    attrs_text: str

    @property
    def empty(self) -> bool:
        return self.tag_end == self.end

    @property
    def attrs(self) -> dict[str, str]:
        return attrs_of(self.attrs_text)

    @property
    def p(self) -> str:
        return f"{self.prefix}:" if self.prefix else ""

    def inner_end(self, xml: str) -> int:
        """Where the end tag starts (== end for an empty element)."""
        return self.end if self.empty else xml.rfind("<", self.start, self.end)


def attrs_of(text: str) -> dict[str, str]:
    return {m.group(1): unesc(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(text)}


def root_elem(xml: str) -> Elem:
    pos = 0
    while True:
        m = _TAG.search(xml, pos)
        if m is None:
            raise PackageError("not an XML part (no root element)")
        if m.group(3) is not None and not m.group(1):
            end = m.end() if m.group(5) else xml.rfind("<")
            close = xml.find(">", end) + 1 if not m.group(5) else m.end()
            return Elem(m.group(2), m.group(3), m.start(), m.end(), close, m.group(4))
        pos = m.end()


def children(xml: str, parent: Elem, opaque: Sequence[str] = ()) -> list[Elem]:
    """Direct children of ``parent``; elements named in ``opaque`` are skipped over unread."""
    out: list[Elem] = []
    if parent.empty:
        return out
    pos, depth, cur = parent.tag_end, 0, None
    while True:
        m = _TAG.search(xml, pos)
        if m is None:
            raise PackageError(f"unclosed element <{parent.name}>")
        pos = m.end()
        closing, prefix, name, attrs, selfclosing = m.groups()
        if name is None:
            continue
        if closing:
            if depth == 0:
                return out
            depth -= 1
            if depth == 0:
                cur.end = m.end()
                out.append(cur)
            continue
        if depth == 0:
            cur = Elem(prefix, name, m.start(), m.end(), m.end(), attrs)
            if selfclosing:
                out.append(cur)
            elif name in opaque:
                close = f"</{cur.p}{name}>"
                idx = xml.find(close, pos)
                if idx < 0:
                    raise PackageError(f"unclosed element <{name}>")
                cur.end = pos = idx + len(close)
                out.append(cur)
            else:
                depth = 1
        elif not selfclosing:
            depth += 1


def set_attr(tag: str, name: str, value: str | None) -> str:
    """A start tag with attribute ``name`` set (None: removed)."""
    pat = re.compile(rf"""(\s){re.escape(name)}\s*=\s*("[^"]*"|'[^']*')""")
    if value is None:
        return pat.sub("", tag, count=1)
    new = f'{name}="{esc_attr(value)}"'
    if pat.search(tag):
        return pat.sub(lambda m: m.group(1) + new, tag, count=1)
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f"{tag[:end].rstrip()} {new}{tag[end:]}"


def ns_prefix(start_tag: str, namespace: str) -> str | None:
    """The prefix a start tag binds to ``namespace`` ("" for the default namespace)."""
    for key, value in attrs_of(start_tag).items():
        if value == namespace:
            if key == "xmlns":
                return ""
            if key.startswith("xmlns:"):
                return key[6:]
    return None


def insert_child(xml: str, parent: Elem, kids: list[Elem], name: str, element: str,
                 order: Sequence[str]) -> str:
    """``xml`` with ``element`` inserted among ``parent``'s children at ``name``'s schema position."""
    later = set(order[order.index(name) + 1:])
    for kid in kids:
        if kid.name in later:
            return xml[:kid.start] + element + xml[kid.start:]
    if parent.empty:
        tag = xml[parent.start:parent.tag_end]
        opened = tag[:-2].rstrip() + ">"
        return xml[:parent.start] + opened + element + f"</{parent.p}{parent.name}>" + xml[parent.end:]
    at = parent.inner_end(xml)
    return xml[:at] + element + xml[at:]


def _decode(data: bytes, part: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise PackageError(f"{part}: not UTF-8 XML") from None


# ---- relationships and content types --------------------------------------------------------
@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str          # as written
    part: str | None     # resolved part name (None if external)


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


@dataclass(frozen=True)
class DefinedName:
    name: str
    value: str
    local_sheet: int | None


# ---- the zip writer ---------------------------------------------------------------------------
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_LIMIT = 0xFFFFFFFF


def _dos_time(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = max(1980, min(2107, y))
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


class _Entry:
    __slots__ = ("name", "flags", "method", "date_time", "crc", "csize", "usize", "data",
                 "create_system", "create_version", "extract_version", "external_attr", "internal_attr", "offset")


def _raw_member(buf: bytes, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of ``info`` as stored in ``buf``."""
    off = info.header_offset
    sig, *_rest = _LOCAL.unpack_from(buf, off)
    if sig != b"PK\x03\x04":
        raise PackageError(f"corrupt zip member {info.filename}")
    name_len, extra_len = _rest[-2], _rest[-1]
    start = off + _LOCAL.size + name_len + extra_len
    return buf[start:start + info.compress_size]


def _write_zip(out: io.BufferedIOBase, entries: list[_Entry]) -> None:
    """Write a zip of ``entries`` (data already compressed) to ``out``."""
    pos = 0
    for e in entries:
        name = e.name.encode("utf-8")
        flags = e.flags & ~0x08
        if not name.isascii():
            flags |= 0x800
        tm, dm = _dos_time(e.date_time)
        header = _LOCAL.pack(b"PK\x03\x04", e.extract_version, flags, e.method, tm, dm, e.crc,
                             e.csize, e.usize, len(name), 0)
        e.offset = pos
        out.write(header)
        out.write(name)
        out.write(e.data)
        pos += len(header) + len(name) + len(e.data)
    start = pos
    for e in entries:
        name = e.name.encode("utf-8")
        flags = e.flags & ~0x08
        if not name.isascii():
            flags |= 0x800
        tm, dm = _dos_time(e.date_time)
        rec = _CENTRAL.pack(b"PK\x01\x02", e.create_version | (e.create_system << 8), e.extract_version,
                            flags, e.method, tm, dm, e.crc, e.csize, e.usize, len(name), 0, 0, 0,
                            e.internal_attr, e.external_attr, e.offset)
        out.write(rec)
        out.write(name)
        pos += len(rec) + len(name)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), pos - start, start, 0))


# ---- the package -----------------------------------------------------------------------------
@dataclass
class _SheetInfo:
    name: str
    part: str | None        # None for a sheet that is not a worksheet (chart sheet ...)
    index: int              # position in <sheets> (localSheetId)
    state: str


class Package:
    """An .xlsx / .xlsm file held in memory and edited part by part."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self._buf = self.path.read_bytes()
            st = os.stat(self.path)
        except FileNotFoundError:
            from xlgrade.errors import MissingFileError
            raise MissingFileError(f"{self.path}: file not found (找不到文件)") from None
        self._stamp = (st.st_size, st.st_mtime_ns)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(self._buf))
        except zipfile.BadZipFile:
            raise PackageError(f"{self.path.name}: not an .xlsx workbook (not a zip package); "
                               "an encrypted or .xls workbook must be saved as .xlsx first") from None
        self._infos = {i.filename: i for i in self._zip.infolist() if not i.is_dir()}
        self._order = list(self._infos)
        for info in self._infos.values():
            if info.flag_bits & 0x1:
                raise PackageError(f"{self.path.name}: encrypted zip members are not supported")
        self._parts: dict[str, str | bytes] = {}   # changed or new parts
        self._removed: set[str] = set()
        self.workbook = self._find_workbook()
        wb = self.text(self.workbook)
        if NS_STRICT_MAIN in wb[:2000]:
            raise PackageError(f"{self.path.name}: Strict Open XML workbooks are not supported; "
                               "save it as an ordinary Excel workbook (.xlsx)")
        self._palette: dict[str, int] | None = None

    # ---- parts ------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return bool(self._parts or self._removed)

    def names(self) -> list[str]:
        out = [n for n in self._order if n not in self._removed]
        out += [n for n in self._parts if n not in self._infos]
        return out

    def exists(self, part: str) -> bool:
        return part in self._parts or (part in self._infos and part not in self._removed)

    def read(self, part: str) -> bytes:
        if part in self._parts:
            data = self._parts[part]
            return data.encode("utf-8") if isinstance(data, str) else data
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        return self._zip.read(part)

    def text(self, part: str) -> str:
        data = self._parts.get(part)
        if isinstance(data, str):
            return data
        return _decode(self.read(part), part)

    def write(self, part: str, data: str | bytes) -> None:
        self._parts[part] = data
        self._removed.discard(part)

    def remove(self, part: str) -> None:
        self._parts.pop(part, None)
        if part in self._infos:
            self._removed.add(part)

    def changed(self) -> list[str]:
        """Parts that will differ from the original file (new, changed or removed)."""
        return sorted(set(self._parts) | self._removed)

    def _free_name(self, pattern: str) -> str:
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # ---- relationships --------------------------------------------------------------------
    def rels(self, part: str) -> list[Rel]:
        name = rels_name(part) if part else "_rels/.rels"
        if not self.exists(name):
            return []
        root = ET.fromstring(self.read(name))
        out = []
        for el in root:
            if el.tag.rsplit("}", 1)[-1] != "Relationship":
                continue
            target = el.get("Target", "")
            external = el.get("TargetMode") == "External"
            out.append(Rel(el.get("Id", ""), el.get("Type", ""), target,
                           None if external else resolve(part, target)))
        return out

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        name = rels_name(part)
        ids = {r.id for r in self.rels(part)}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        element = (f'<Relationship Id="{rid}" Type="{esc_attr(rel_type)}" '
                   f'Target="{esc_attr(relative(part, target_part))}"/>')
        if not self.exists(name):
            self.write(name, f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{element}</Relationships>')
            return rid
        xml = self.text(name)
        root = root_elem(xml)
        self.write(name, insert_child(xml, root, children(xml, root), "Relationship", element, ("Relationship",)))
        return rid

    def remove_rel(self, part: str, rid: str) -> None:
        name = rels_name(part)
        if not self.exists(name):
            return
        xml = self.text(name)
        root = root_elem(xml)
        for kid in children(xml, root):
            if kid.name == "Relationship" and kid.attrs.get("Id") == rid:
                xml = xml[:kid.start] + xml[kid.end:]
                break
        self.write(name, xml)

    def _find_workbook(self) -> str:
        for rel in self.rels(""):
            if rel.type == REL_OFFICE_DOC and rel.part:
                return rel.part
        if "xl/workbook.xml" in self._infos:
            return "xl/workbook.xml"
        raise PackageError(f"{self.path.name}: no workbook part in the package")

    def _referrers(self, part: str) -> list[str]:
        """Parts whose relationships point at ``part``."""
        out = []
        for name in self.names():
            d, base = posixpath.split(name)
            if posixpath.basename(d) != "_rels" or not base.endswith(".rels"):
                continue
            source = posixpath.join(posixpath.dirname(d), base[:-5])
            if any(r.part == part for r in self.rels(source)):
                out.append(source)
        return out

    def remove_tree(self, part: str) -> None:
        """Remove ``part``, its rels and every part only it refers to."""
        targets = [r.part for r in self.rels(part) if r.part]
        self.remove(part)
        self.remove(rels_name(part))
        self.remove_override(part)
        for target in targets:
            if self.exists(target) and not self._referrers(target):
                self.remove_tree(target)

    # ---- content types ---------------------------------------------------------------------
    def content_type(self, part: str) -> str | None:
        root = ET.fromstring(self.read(CONTENT_TYPES))
        ext = part.rsplit(".", 1)[-1].lower()
        default = None
        for el in root:
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "Override" and el.get("PartName", "").lstrip("/").lower() == part.lower():
                return el.get("ContentType")
            if tag == "Default" and el.get("Extension", "").lower() == ext:
                default = el.get("ContentType")
        return default

    def set_override(self, part: str, content_type: str) -> None:
        self.remove_override(part)
        xml = self.text(CONTENT_TYPES)
        root = root_elem(xml)
        element = f'<Override PartName="/{esc_attr(part)}" ContentType="{content_type}"/>'
        self.write(CONTENT_TYPES, insert_child(xml, root, children(xml, root), "Override", element,
                                               ("Default", "Override")))

    def remove_override(self, part: str) -> None:
        xml = self.text(CONTENT_TYPES)
        root = root_elem(xml)
        for kid in children(xml, root):
            if kid.name == "Override" and kid.attrs.get("PartName", "").lstrip("/").lower() == part.lower():
                self.write(CONTENT_TYPES, xml[:kid.start] + xml[kid.end:])
                return

    # ---- the workbook ------------------------------------------------------------------------
    def _workbook_children(self) -> tuple[str, Elem, list[Elem]]:
        xml = self.text(self.workbook)
        root = root_elem(xml)
        return xml, root, children(xml, root)

    def sheets(self) -> list[_SheetInfo]:
        xml, root, kids = self._workbook_children()
        rels = {r.id: r for r in self.rels(self.workbook)}
        out: list[_SheetInfo] = []
        for kid in kids:
            if kid.name != "sheets":
                continue
            for i, el in enumerate(e for e in children(xml, kid) if e.name == "sheet"):
                a = el.attrs
                rid = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), "")
                rel = rels.get(rid)
                part = rel.part if rel and rel.type == REL_WORKSHEET else None
                out.append(_SheetInfo(a.get("name", ""), part, i, a.get("state", "visible")))
        return out

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets()]

    def _sheet(self, name: str) -> _SheetInfo:
        for s in self.sheets():
            if s.name == name:
                return s
        raise PackageError(f"{self.path.name}: no sheet named {name!r} (找不到工作表); "
                           f"sheets: {', '.join(self.sheet_names())}")

    def sheet_part(self, name: str) -> str:
        info = self._sheet(name)
        if info.part is None:
            raise PackageError(f"{self.path.name}: sheet {name!r} is not a worksheet")
        return info.part

    @property
    def date1904(self) -> bool:
        xml, _, kids = self._workbook_children()
        for kid in kids:
            if kid.name == "workbookPr":
                return kid.attrs.get("date1904", "0").lower() in ("1", "true")
        return False

    def defined_names(self) -> list[DefinedName]:
        xml, _, kids = self._workbook_children()
        out = []
        for kid in kids:
            if kid.name == "definedNames":
                for el in children(xml, kid):
                    if el.name == "definedName":
                        a = el.attrs
                        local = a.get("localSheetId")
                        value = "" if el.empty else unesc(xml[el.tag_end:el.inner_end(xml)])
                        out.append(DefinedName(a.get("name", ""), value, int(local) if local else None))
        return out

    def set_defined_name(self, name: str, value: str | None, local_sheet: int | None = None) -> None:
        """Set (or with None remove) a defined name, keeping every other byte of workbook.xml."""
        xml, root, kids = self._workbook_children()
        holder = next((k for k in kids if k.name == "definedNames"), None)
        p = root.p
        element = "" if value is None else (
            f'<{p}definedName name="{esc_attr(name)}"'
            + (f' localSheetId="{local_sheet}"' if local_sheet is not None else "")
            + f">{esc(value)}</{p}definedName>")
        if holder is not None:
            for el in children(xml, holder):
                a = el.attrs
                local = a.get("localSheetId")
                if (el.name == "definedName" and a.get("name", "").lower() == name.lower()
                        and (int(local) if local else None) == local_sheet):
                    if value is None:
                        new = xml[:el.start] + xml[el.end:]
                    else:
                        new = xml[:el.tag_end] + esc(value) + xml[el.inner_end(xml):] if not el.empty else \
                            xml[:el.start] + element + xml[el.end:]
                    self.write(self.workbook, new)
                    return
            if value is None:
                return
            self.write(self.workbook, insert_child(xml, holder, children(xml, holder), "definedName", element,
                                                   ("definedName",)))
            return
        if value is None:
            return
        self.write(self.workbook, insert_child(xml, root, kids, "definedNames",
                                               f"<{p}definedNames>{element}</{p}definedNames>", WORKBOOK_ORDER))

    def print_area(self, sheet_name: str) -> str | None:
        idx = self._sheet(sheet_name).index
        for d in self.defined_names():
            if d.name.lower() == "_xlnm.print_area" and d.local_sheet == idx:
                return d.value
        return None

    def set_print_area(self, sheet_name: str, ref: str | None) -> None:
        """Set the sheet's print area to ``ref`` ("A1:F40"; None removes it)."""
        idx = self._sheet(sheet_name).index
        value = None
        if ref is not None:
            r1, c1, r2, c2 = parse_range(ref)
            value = f"{quote_sheet(sheet_name)}!{range_ref(r1, c1, r2, c2, absolute=True)}"
        self.set_defined_name("_xlnm.Print_Area", value, idx)

    def drop_calc_chain(self) -> None:
        """Remove xl/calcChain.xml: Excel rebuilds it, and a stale one (listing cells that no
        longer hold formulas) makes Excel "repair" the file."""
        for rel in self.rels(self.workbook):
            if rel.type == REL_CALC_CHAIN:
                self.remove_rel(self.workbook, rel.id)
                if rel.part:
                    self.remove_tree(rel.part)

    def request_full_calc(self) -> None:
        """Ask Excel to recalculate every formula when it opens the file (formulas without values)."""
        xml, root, kids = self._workbook_children()
        calc = next((k for k in kids if k.name == "calcPr"), None)
        if calc is None:
            self.write(self.workbook, insert_child(xml, root, kids, "calcPr",
                                                   f'<{root.p}calcPr fullCalcOnLoad="1"/>', WORKBOOK_ORDER))
        elif calc.attrs.get("fullCalcOnLoad") not in ("1", "true"):
            tag = set_attr(xml[calc.start:calc.tag_end], "fullCalcOnLoad", "1")
            self.write(self.workbook, xml[:calc.start] + tag + xml[calc.tag_end:])

    def add_sheet(self, name: str) -> str:
        """Append an empty worksheet named ``name``; returns its part."""
        if any(s.name.lower() == name.lower() for s in self.sheets()):
            raise PackageError(f"{self.path.name}: a sheet named {name!r} already exists")
        if len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise PackageError(f"{name!r} is not a valid sheet name")
        part = self._free_name("xl/worksheets/sheet{}.xml")
        self.write(part, f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="A1"/>'
                         '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
                         '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
                         '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                         '</worksheet>')
        self.set_override(part, CT_WORKSHEET)
        rid = self.add_rel(self.workbook, REL_WORKSHEET, part)
        xml, root, kids = self._workbook_children()
        holder = next(k for k in kids if k.name == "sheets")
        ids = [int(e.attrs.get("sheetId", "0")) for e in children(xml, holder) if e.name == "sheet"]
        r = ns_prefix(xml[root.start:root.tag_end], NS_REL)
        rattr = f'{r}:id' if r else f'xmlns:xr_="{NS_REL}" xr_:id'
        element = f'<{root.p}sheet name="{esc_attr(name)}" sheetId="{max(ids, default=0) + 1}" {rattr}="{rid}"/>'
        self.write(self.workbook, insert_child(xml, holder, children(xml, holder), "sheet", element, ("sheet",)))
        return part

    # ---- reading cells -------------------------------------------------------------------------
    def shared_strings(self, wanted: Iterable[int] | None = None) -> dict[int, str]:
        """Shared strings by index (only ``wanted`` ones if given)."""
        part = next((r.part for r in self.rels(self.workbook) if r.type == REL_SST and r.part), None)
        if part is None or not self.exists(part):
            return {}
        xml = self.text(part)
        wanted = None if wanted is None else set(wanted)
        last = max(wanted) if wanted else None
        out: dict[int, str] = {}
        for i, m in enumerate(re.finditer(r"<(?:[\w.\-]+:)?si\b(?:[^>]*?/>|.*?</(?:[\w.\-]+:)?si>)", xml, re.S)):
            if last is not None and i > last:
                break
            if wanted is None or i in wanted:
                out[i] = _inline_text(m.group(0))
        return out

    def row_values(self, sheet_name: str, row: int) -> dict[int, tuple[Any, int]]:
        """{column: (value, style)} of one row; strings resolved, numbers as float."""
        xml = self.text(self.sheet_part(sheet_name))
        ws = _Worksheet(xml)
        sd = ws.child("sheetData")
        cells: dict[int, tuple[str, dict[str, str]]] = {}
        if sd is None or sd.empty:
            return {}
        for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
            if num == row:
                for col, s, e, a, _sc in ws.cells(xml, c_start, c_end):
                    cells[col] = (xml[s:e], a)
            if num >= row:
                break
        sst_wanted = [int(v) for body, a in cells.values() if a.get("t") == "s"
                      for v in re.findall(r"<(?:[\w.\-]+:)?v>\s*(\d+)\s*<", body)]
        sst = self.shared_strings(sst_wanted) if sst_wanted else {}
        out = {}
        for col, (body, a) in cells.items():
            out[col] = (_cell_value(body, a, sst), int(a.get("s", "0") or 0))
        return out

    def palette(self) -> dict[str, int]:
        """Style index of every role, from the palette sheet's row 1 (0 for a missing role)."""
        if self._palette is None:
            found: dict[str, int] = {}
            if PALETTE_SHEET in self.sheet_names():
                for value, style in self.row_values(PALETTE_SHEET, 1).values():
                    if isinstance(value, str) and value.strip() in ROLES:
                        found.setdefault(value.strip(), style)
            self._palette = {role: found.get(role, 0) for role in ROLES}
            self._palette_found = set(found)
        return dict(self._palette)

    def palette_has(self, role: str) -> bool:
        self.palette()
        return role in self._palette_found

    def number_style(self, num_fmt_id: int) -> int:
        """A cell style (index in cellXfs) showing numbers with built-in format ``num_fmt_id``.

        Used only when the palette sheet lacks a role, so dates still show as dates.
        """
        part = next((r.part for r in self.rels(self.workbook) if r.type == REL_STYLES and r.part), None)
        if part is None or not self.exists(part):
            return 0
        xml = self.text(part)
        root = root_elem(xml)
        xfs = next((k for k in children(xml, root) if k.name == "cellXfs"), None)
        if xfs is None:
            return 0
        kids = [k for k in children(xml, xfs) if k.name == "xf"]
        for i, k in enumerate(kids):
            a = k.attrs
            if (a.get("numFmtId") == str(num_fmt_id) and a.get("fontId", "0") == "0" and a.get("fillId", "0") == "0"
                    and a.get("borderId", "0") == "0" and k.empty):
                return i
        element = (f'<{xfs.p}xf numFmtId="{num_fmt_id}" fontId="0" fillId="0" borderId="0" xfId="0" '
                   f'applyNumberFormat="1"/>')
        xml = insert_child(xml, xfs, kids, "xf", element, ("xf",))
        root = root_elem(xml)
        xfs = next(k for k in children(xml, root) if k.name == "cellXfs")
        tag = set_attr(xml[xfs.start:xfs.tag_end], "count", str(len(kids) + 1))
        self.write(part, xml[:xfs.start] + tag + xml[xfs.tag_end:])
        return len(kids)

    def has_cols(self, sheet_name: str) -> bool:
        """Whether the sheet sets column widths (<cols>)."""
        return _Worksheet(self.text(self.sheet_part(sheet_name))).child("cols") is not None

    # ---- tables ------------------------------------------------------------------------------------
    def tables(self, sheet_name: str) -> dict[str, str]:
        """{table name: part} of the tables on a sheet."""
        part = self.sheet_part(sheet_name)
        out = {}
        for rel in self.rels(part):
            if rel.type == REL_TABLE and rel.part and self.exists(rel.part):
                xml = self.text(rel.part)
                name = root_elem(xml).attrs.get("name", "")
                out[name] = rel.part
        return out

    def _all_tables(self) -> list[tuple[str, str, int]]:
        """(part, name, id) of every table in the workbook."""
        out = []
        for name in self.names():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                a = root_elem(self.text(name)).attrs
                out.append((name, a.get("name", ""), int(a.get("id", "0") or 0)))
        return out

    def table_info(self, sheet_name: str, table_name: str) -> tuple[str, list[str]] | None:
        """(ref, column names) of a table on a sheet, or None."""
        part = self._table_part(sheet_name, table_name)
        if part is None:
            return None
        xml = self.text(part)
        root = root_elem(xml)
        names = []
        for kid in children(xml, root):
            if kid.name == "tableColumns":
                names = [el.attrs.get("name", "") for el in children(xml, kid) if el.name == "tableColumn"]
        return root.attrs.get("ref", ""), [_unescape_x(n) for n in names]

    def _table_part(self, sheet_name: str, table_name: str) -> str | None:
        for name, part in self.tables(sheet_name).items():
            if name.lower() == table_name.lower():
                return part
        return None

    def _new_table(self, sheet_part: str, table_name: str) -> str:
        taken = {n.lower() for _, n, _ in self._all_tables()} | {d.name.lower() for d in self.defined_names()}
        if table_name.lower() in taken:
            raise PackageError(f"{self.path.name}: the name {table_name!r} is already used by another table "
                               "or defined name")
        tid = max((i for _, _, i in self._all_tables()), default=0) + 1
        part = self._free_name("xl/tables/table{}.xml")
        self.write(part, f'{XML_DECL}<table xmlns="{NS_MAIN}" id="{tid}" name="{esc_attr(table_name)}" '
                         f'displayName="{esc_attr(table_name)}" ref="A1:A2" totalsRowShown="0">'
                         '<autoFilter ref="A1:A2"/><tableColumns count="1"><tableColumn id="1" name="x"/>'
                         f'</tableColumns><tableStyleInfo name="{NEW_TABLE_STYLE}" showFirstColumn="0" '
                         'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>')
        self.set_override(part, CT_TABLE)
        rid = self.add_rel(sheet_part, REL_TABLE, part)
        xml = self.text(sheet_part)
        ws = _Worksheet(xml)
        holder = ws.child("tableParts")
        r = ws.rel_prefix()
        rattr = f"{r}:id" if r else f'xmlns:xr_="{NS_REL}" xr_:id'
        el = f'<{ws.p}tablePart {rattr}="{rid}"/>'
        if holder is None:
            xml = ws.insert(xml, "tableParts", f'<{ws.p}tableParts count="1">{el}</{ws.p}tableParts>')
        else:
            kids = [k for k in children(xml, holder) if k.name == "tablePart"]
            xml = insert_child(xml, holder, kids, "tablePart", el, ("tablePart",))
            h2 = _Worksheet(xml).child("tableParts")
            tag = set_attr(xml[h2.start:h2.tag_end], "count", str(len(kids) + 1))
            xml = xml[:h2.start] + tag + xml[h2.tag_end:]
        self.write(sheet_part, xml)
        return part

    def _update_table(self, part: str, ref: str, headers: list[str]) -> None:
        xml = self.text(part)
        root = root_elem(xml)
        p = root.p
        kids = children(xml, root)
        old_cols: list[Elem] = []
        cols_el = next((k for k in kids if k.name == "tableColumns"), None)
        if cols_el is not None:
            old_cols = [k for k in children(xml, cols_el) if k.name == "tableColumn"]
        by_name = {}
        for el in old_cols:
            by_name.setdefault(_unescape_x(el.attrs.get("name", "")).lower(), el)
        next_id = max((int(el.attrs.get("id", "0") or 0) for el in old_cols), default=0) + 1
        columns = []
        for h in headers:
            el = by_name.pop(h.lower(), None)
            if el is not None:
                columns.append(xml[el.start:el.end])
            else:
                columns.append(f'<{p}tableColumn id="{next_id}" name="{esc_attr(_escape_x_name(h))}"/>')
                next_id += 1
        new_cols = f'<{p}tableColumns count="{len(headers)}">{"".join(columns)}</{p}tableColumns>'
        pieces, pos = [], root.tag_end
        for k in kids:
            if k.name in ("autoFilter", "sortState", "tableColumns"):
                pieces.append(xml[pos:k.start])
                if k.name == "autoFilter":      # filter criteria and sort state refer to old rows
                    pieces.append(f'<{p}autoFilter ref="{ref}"/>')
                elif k.name == "tableColumns":
                    pieces.append(new_cols)
                pos = k.end
        pieces.append(xml[pos:])
        body = "".join(pieces)
        tag = xml[root.start:root.tag_end]
        tag = set_attr(tag, "ref", ref)
        for attr in ("totalsRowCount", "headerRowCount", "insertRow", "insertRowShift"):
            tag = set_attr(tag, attr, None)
        self.write(part, xml[:root.start] + tag + body)

    # ---- writing sheets -------------------------------------------------------------------------
    def write_table(self, sheet_name: str, table_name: str, headers: Sequence[str],
                    rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None, *,
                    styles: Sequence[int] | None = None, header_style: int | None = None) -> str:
        """Replace a sheet's content with one table: header row 1, ``rows`` below; returns its ref.

        Items of ``rows`` are :class:`Cell` objects or plain values styled with ``styles[column]``.
        The table part (created if missing) gets the new ref, a reset auto filter and one column
        per header; everything else of the sheet XML stays as it was.
        """
        part = self.sheet_part(sheet_name)
        headers = unique_headers(headers)
        n = len(headers)
        if n == 0:
            raise PackageError("a table needs at least one column")
        table = self._table_part(sheet_name, table_name)
        others = {name: t for name, t in self.tables(sheet_name).items() if t != table}
        if table is None and len(others) == 1:      # staff renamed the table: keep their name
            table = others.popitem()[1]
        if others:
            raise PackageError(f"sheet {sheet_name!r} holds other tables ({', '.join(sorted(others))}); xlgrade "
                               f"rewrites the whole sheet, so move them to another sheet (请将其他表格移到别的工作表)")
        styles = list(styles) if styles is not None else [0] * n
        if header_style is None:
            header_style = self.palette()["header"]
        date1904 = self.date1904
        xml = self.text(part)
        ws = _Worksheet(xml)
        p = ws.p
        letters = [col_letter(c) for c in range(1, n + 1)]
        out = [f"<{p}sheetData>{ws.row_start(xml, 1)}"]
        out += [cell_xml(f"{letters[c]}1", h, header_style, date1904, p) for c, h in enumerate(headers)]
        out.append(f"</{p}row>")
        for i, row in enumerate(rows, start=2):
            out.append(f'<{p}row r="{i}">')
            for c, item in enumerate(row[:n]):
                if isinstance(item, Cell):
                    out.append(cell_xml(f"{letters[c]}{i}", item.value, item.style, date1904, p))
                else:
                    out.append(cell_xml(f"{letters[c]}{i}", item, styles[c], date1904, p))
            out.append(f"</{p}row>")
        if not rows:
            out.append(f'<{p}row r="2">')
            out += [cell_xml(f"{letters[c]}2", None, styles[c], date1904, p) for c in range(n)]
            out.append(f"</{p}row>")
        out.append(f"</{p}sheetData>")
        last = 1 + max(1, len(rows))
        ref = f"A1:{letters[-1]}{last}"
        xml = ws.replace_sheet_data(xml, "".join(out))
        xml = _Worksheet(xml).set_dimension(xml, ref)
        if widths is not None:
            xml = _Worksheet(xml).set_cols(xml, {c + 1: w for c, w in enumerate(widths) if w})
        xml = _Worksheet(xml).drop_merges(xml, (1, 1, last, n))     # a table cannot overlap merged cells
        self.write(part, xml)
        self.drop_calc_chain()
        table = table or self._new_table(part, table_name)
        self._update_table(table, ref, headers)
        if self.print_area(sheet_name) is not None:
            self.set_print_area(sheet_name, ref)
        return ref

    def write_sheet(self, sheet_name: str, cells: Mapping[tuple[int, int], Any],
                    merges: Iterable[str | tuple[int, int, int, int]] = (),
                    widths: Mapping[int, float] | Sequence[float] | None = None) -> str:
        """Replace a sheet's cells with a free layout {(row, col): Cell or value}; returns the used ref."""
        part = self.sheet_part(sheet_name)
        if self.tables(sheet_name):
            raise PackageError(f"sheet {sheet_name!r} holds tables ({', '.join(sorted(self.tables(sheet_name)))}); "
                               "xlgrade rewrites the whole sheet, so move them to another sheet")
        date1904 = self.date1904
        xml = self.text(part)
        ws = _Worksheet(xml)
        p = ws.p
        by_row: dict[int, list[tuple[int, Any]]] = {}
        for (r, c), item in cells.items():
            if r < 1 or c < 1:
                raise PackageError(f"cell ({r}, {c}) is outside the sheet")
            by_row.setdefault(r, []).append((c, item))
        out = [f"<{p}sheetData>"]
        for r in sorted(by_row):
            out.append(f'<{p}row r="{r}">')
            for c, item in sorted(by_row[r], key=lambda t: t[0]):
                cell = item if isinstance(item, Cell) else Cell(item)
                out.append(cell_xml(f"{col_letter(c)}{r}", cell.value, cell.style, date1904, p))
            out.append(f"</{p}row>")
        out.append(f"</{p}sheetData>")
        ref = "A1"
        if cells:
            rows_, cols_ = [r for r, _ in cells], [c for _, c in cells]
            ref = range_ref(min(rows_), min(cols_), max(rows_), max(cols_))
        xml = ws.replace_sheet_data(xml, "".join(out))
        xml = _Worksheet(xml).set_dimension(xml, ref)
        if widths is not None:
            if not isinstance(widths, Mapping):
                widths = {c + 1: w for c, w in enumerate(widths)}
            xml = _Worksheet(xml).set_cols(xml, {c: w for c, w in widths.items() if w})
        refs = [m if isinstance(m, str) else range_ref(*m) for m in merges]
        xml = _Worksheet(xml).set_merges(xml, refs)
        self.write(part, xml)
        self.drop_calc_chain()
        return ref

    def set_cells(self, sheet_name: str, cells: Mapping[tuple[int, int], Any], *,
                  keep_styles: bool = False, keep_formulas: bool = False) -> None:
        """Change only the given cells {(row, col): Cell or value} of an existing sheet.

        Every other byte of the sheet XML stays. ``keep_styles``: an existing cell keeps its
        style. ``keep_formulas``: an existing formula is kept and the value becomes its cached
        result (unless the new value is itself a :class:`Formula`).
        """
        if not cells:
            return
        part = self.sheet_part(sheet_name)
        xml = self.text(part)
        ws = _Worksheet(xml)
        new_xml = ws.set_cells(xml, cells, date1904=self.date1904, keep_styles=keep_styles,
                               keep_formulas=keep_formulas)
        self.write(part, new_xml)
        self.drop_calc_chain()

    # ---- charts ------------------------------------------------------------------------------------
    def _drawing(self, sheet_part: str) -> tuple[str, str] | None:
        """(rel id, drawing part) of a sheet's drawing."""
        xml = self.text(sheet_part)
        el = _Worksheet(xml).child("drawing")
        if el is None:
            return None
        rid = next((v for k, v in el.attrs.items() if k.endswith(":id")), None)
        for rel in self.rels(sheet_part):
            if rel.id == rid and rel.part:
                return rid, rel.part
        return None

    def drawing_part(self, sheet_name: str) -> str | None:
        found = self._drawing(self.sheet_part(sheet_name))
        return found[1] if found else None

    def charts(self, sheet_name: str) -> list[str]:
        """Chart parts drawn on a sheet."""
        found = self.drawing_part(sheet_name)
        if not found:
            return []
        return [r.part for r in self.rels(found) if r.type == REL_CHART and r.part]

    def set_charts(self, sheet_name: str, specs: Sequence[charts_mod.ChartSpec]) -> list[str]:
        """Replace the charts xlgrade drew on a sheet with ``specs``; returns the new chart parts.

        Drawing objects xlgrade did not create (pictures, shapes, staff's own charts) stay.
        """
        sheet_part = self.sheet_part(sheet_name)
        found = self._drawing(sheet_part)
        if found is None and not specs:
            return []
        if found is None:
            drawing = self._free_name("xl/drawings/drawing{}.xml")
            self.write(drawing, f'{XML_DECL}<xdr:wsDr xmlns:xdr="{charts_mod.NS_XDR}" xmlns:a="{charts_mod.NS_A}">'
                                '</xdr:wsDr>')
            self.set_override(drawing, CT_DRAWING)
            rid = self.add_rel(sheet_part, REL_DRAWING, drawing)
            xml = self.text(sheet_part)
            ws = _Worksheet(xml)
            r = ws.rel_prefix()
            rattr = f"{r}:id" if r else f'xmlns:xr_="{NS_REL}" xr_:id'
            self.write(sheet_part, ws.insert(xml, "drawing", f'<{ws.p}drawing {rattr}="{rid}"/>'))
            found = (rid, drawing)
        drawing_rid, drawing = found
        xml = self.text(drawing)
        root = root_elem(xml)
        rels = {r.id: r for r in self.rels(drawing)}
        kept: list[Elem] = []
        removed_rids: list[str] = []
        pieces, pos = [], root.tag_end
        max_id = 1
        for anchor in children(xml, root):
            body = xml[anchor.start:anchor.end]
            for m in re.finditer(r'<(?:[\w.\-]+:)?cNvPr\b[^>]*?\bid="(\d+)"', body):
                max_id = max(max_id, int(m.group(1)))
            name = re.search(r'<(?:[\w.\-]+:)?cNvPr\b[^>]*?\bname="([^"]*)"', body)
            if name and unesc(name.group(1)).startswith(CHART_MARK):
                pieces.append(xml[pos:anchor.start])
                pos = anchor.end
                removed_rids += re.findall(r'<(?:[\w.\-]+:)?chart\b[^>]*?\b[\w.\-]+:id="([^"]+)"', body)
            else:
                kept.append(anchor)
        for rid in removed_rids:
            self.remove_rel(drawing, rid)
            rel = rels.get(rid)
            if rel and rel.part and self.exists(rel.part) and not self._referrers(rel.part):
                self.remove_tree(rel.part)
        if not kept and not specs:
            self.remove_tree(drawing)
            self.remove_rel(sheet_part, drawing_rid)
            sxml = self.text(sheet_part)
            el = _Worksheet(sxml).child("drawing")
            self.write(sheet_part, sxml[:el.start] + sxml[el.end:])
            return []
        new_parts = []
        anchors = []
        bound = root_elem(xml)
        tag = xml[bound.start:bound.tag_end]
        declare = not (bound.prefix == "xdr" and ns_prefix(tag, charts_mod.NS_XDR) == "xdr"
                       and ns_prefix(tag, charts_mod.NS_A) == "a")
        for i, spec in enumerate(specs):
            chart = self._free_name("xl/charts/chart{}.xml")
            self.write(chart, charts_mod.chart_xml(spec))
            self.set_override(chart, CT_CHART)
            rid = self.add_rel(drawing, REL_CHART, chart)
            max_id += 1
            anchors.append(charts_mod.anchor_xml(spec, rid, max_id, f"{CHART_MARK}{spec.kind} {i + 1}",
                                                 declare_ns=declare))
            new_parts.append(chart)
        pieces.append(xml[pos:root.inner_end(xml)] if not root.empty else "")
        head = xml[:root.tag_end] if not root.empty else xml[:root.start] + tag[:-2].rstrip() + ">"
        close = f"</{root.p}{root.name}>"
        self.write(drawing, head + "".join(pieces) + "".join(anchors) + close)
        return new_parts

    # ---- saving ---------------------------------------------------------------------------------------
    def _entries(self) -> list[_Entry]:
        entries = []
        for name in self.names():
            e = _Entry()
            e.name = name
            info = self._infos.get(name)
            if info is not None and name not in self._parts:
                e.data = _raw_member(self._buf, info)
                e.flags, e.method, e.date_time = info.flag_bits, info.compress_type, info.date_time
                e.crc, e.csize, e.usize = info.CRC, info.compress_size, info.file_size
                e.create_system, e.create_version = info.create_system, info.create_version
                e.extract_version, e.external_attr = info.extract_version, info.external_attr
                e.internal_attr = info.internal_attr
            else:
                raw = self.read(name)
                comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                e.data = comp.compress(raw) + comp.flush()
                e.flags, e.method = 0, zipfile.ZIP_DEFLATED
                e.date_time = info.date_time if info is not None else (1980, 1, 1, 0, 0, 0)
                e.crc, e.csize, e.usize = zlib.crc32(raw), len(e.data), len(raw)
                e.create_system, e.create_version, e.extract_version = 0, 20, 20
                e.external_attr, e.internal_attr = (info.external_attr if info else 0), 0
            entries.append(e)
        return entries

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._write_to(out)
        return out.getvalue()

    def _write_to(self, out: io.BufferedIOBase) -> None:
        entries = self._entries()
        total = sum(len(e.data) + 100 + len(e.name) for e in entries)
        if total >= _LIMIT or len(entries) >= 0xFFFF or any(e.usize >= _LIMIT for e in entries):
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:   # rare: zip64
                for name in self.names():
                    zf.writestr(name, self.read(name))
            return
        _write_zip(out, entries)

    def save(self, path: str | os.PathLike | None = None, *, backup_dir: str | os.PathLike | None = None
             ) -> str | None:
        """Write the package to ``path`` (default: where it was read) atomically; returns the backup path."""
        target = Path(path) if path is not None else self.path
        if target.resolve() == self.path.resolve() and target.exists():
            st = os.stat(target)
            if (st.st_size, st.st_mtime_ns) != self._stamp:
                raise PackageError(f"{target.name} was changed by someone else since xlgrade read it "
                                   "(文件已被他人修改); run again")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlgrade-tmp", dir=target.parent)
        backup = None
        try:
            with os.fdopen(fd, "wb") as fh:
                self._write_to(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                shutil.copymode(target, tmp)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            if target.exists() and backup_dir is not None:
                backup = make_backup(target, Path(backup_dir))
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(target.parent)
        return backup


def _fsync_dir(directory: Path) -> None:
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
    """Copy ``target`` to ``backup_dir/<stem>-<YYYYmmdd-HHMMSS><suffix>``; keep the ``keep`` newest."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = backup_dir / f"{target.stem}-{stamp}{target.suffix}"
    n = 2
    while dest.exists():
        dest = backup_dir / f"{target.stem}-{stamp}-{n}{target.suffix}"
        n += 1
    shutil.copy2(target, dest)
    pattern = re.compile(re.escape(target.stem) + r"-\d{8}-\d{6}(?:-\d+)?" + re.escape(target.suffix) + "$")
    olds = sorted((f for f in backup_dir.iterdir() if pattern.match(f.name)),
                  key=lambda f: (f.name[len(target.stem) + 1:len(target.stem) + 16], f.stat().st_mtime_ns))
    for old in olds[:-keep] if len(olds) > keep else []:
        try:
            old.unlink()
        except OSError:
            pass
    return str(dest)


# ---- helpers on cell text ----------------------------------------------------------------------
def _unescape_x(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _escape_x_name(text: str) -> str:
    """A table column name as Excel stores it (line breaks as _x000a_)."""
    return clean_text(text).replace("\n", "_x000a_")


def unique_headers(headers: Sequence[Any]) -> list[str]:
    """Header texts a table accepts: non-blank and unique ignoring case ("Name", "Name2" ...)."""
    out: list[str] = []
    taken: set[str] = set()
    for i, h in enumerate(headers):
        text = _INVALID_XML.sub("", "" if h is None else str(h)).strip()[:MAX_TEXT] or f"Column{i + 1}"
        name, n = text, 2
        while name.lower() in taken:
            name = f"{text}{n}"
            n += 1
        taken.add(name.lower())
        out.append(name)
    return out


def _inline_text(xml: str) -> str:
    """The text of an <si> or <is> element: its <t> runs, phonetic runs left out."""
    xml = re.sub(r"<(?:[\w.\-]+:)?rPh\b.*?</(?:[\w.\-]+:)?rPh>", "", xml, flags=re.S)
    parts = re.findall(r"<(?:[\w.\-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.\-]+:)?t>", xml, re.S)
    return _unescape_x(unesc("".join(parts)))


def _cell_value(body: str, a: dict[str, str], sst: Mapping[int, str]) -> Any:
    t = a.get("t", "n")
    if t == "inlineStr":
        return _inline_text(body)
    m = re.search(r"<(?:[\w.\-]+:)?v>(.*?)</(?:[\w.\-]+:)?v>", body, re.S)
    if m is None:
        return None
    v = unesc(m.group(1))
    if t == "s":
        return sst.get(int(v))
    if t == "b":
        return v.strip() in ("1", "true")
    if t in ("str", "e", "d"):
        return _unescape_x(v) if t == "str" else v
    try:
        return float(v)
    except ValueError:
        return v


# ---- the worksheet XML ------------------------------------------------------------------------
class _Worksheet:
    """A worksheet part's text with its top-level children located (sheetData is not parsed)."""

    def __init__(self, xml: str) -> None:
        self.root = root_elem(xml)
        if self.root.name != "worksheet":
            raise PackageError(f"not a worksheet part (<{self.root.name}>)")
        self.p = self.root.p
        self.kids = children(xml, self.root, opaque=("sheetData",))
        self._tag = xml[self.root.start:self.root.tag_end]
        self._row = re.compile(rf"""<{re.escape(self.p)}row\b((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
        self._cell = re.compile(rf"""<{re.escape(self.p)}c\b((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")

    def child(self, name: str) -> Elem | None:
        return next((k for k in self.kids if k.name == name), None)

    def rel_prefix(self) -> str | None:
        return ns_prefix(self._tag, NS_REL) or None

    def insert(self, xml: str, name: str, element: str) -> str:
        return insert_child(xml, self.root, self.kids, name, element, WORKSHEET_ORDER)

    def replace(self, xml: str, name: str, element: str) -> str:
        """Replace child ``name`` by ``element`` ("" removes it), or insert it at its place."""
        el = self.child(name)
        if el is not None:
            return xml[:el.start] + element + xml[el.end:]
        return self.insert(xml, name, element) if element else xml

    def replace_sheet_data(self, xml: str, sheet_data: str) -> str:
        return self.replace(xml, "sheetData", sheet_data)

    def set_dimension(self, xml: str, ref: str) -> str:
        return self.replace(xml, "dimension", f'<{self.p}dimension ref="{ref}"/>')

    def set_cols(self, xml: str, widths: Mapping[int, float]) -> str:
        if not widths:
            return self.replace(xml, "cols", "")
        p = self.p
        cols = "".join(f'<{p}col min="{c}" max="{c}" width="{_number(float(w))}" customWidth="1"/>'
                       for c, w in sorted(widths.items()))
        return self.replace(xml, "cols", f"<{p}cols>{cols}</{p}cols>")

    def row_start(self, xml: str, row: int) -> str:
        """A start tag for ``row`` keeping the old row's height and format attributes (not its spans)."""
        sd = self.child("sheetData")
        tag = f'<{self.p}row r="{row}">'
        if sd is None or sd.empty:
            return tag
        for num, _s, _cs, _ce, _e, a, old in self.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
            if num == row:
                tag = set_attr(set_attr(old, "spans", None), "r", str(row))
                return tag[:-2].rstrip() + ">" if tag.endswith("/>") else tag
            if num > row:
                break
        return tag

    def drop_merges(self, xml: str, area: tuple[int, int, int, int]) -> str:
        """Remove merged ranges that intersect ``area`` (r1, c1, r2, c2)."""
        holder = self.child("mergeCells")
        if holder is None:
            return xml
        r1, c1, r2, c2 = area
        kids = [k for k in children(xml, holder) if k.name == "mergeCell"]
        keep = []
        for k in kids:
            try:
                a1, b1, a2, b2 = parse_range(k.attrs.get("ref", ""))
            except PackageError:
                continue
            if a2 < r1 or a1 > r2 or b2 < c1 or b1 > c2:
                keep.append(k.attrs["ref"])
        if len(keep) == len(kids):
            return xml
        return self.set_merges(xml, keep)

    def set_merges(self, xml: str, refs: Sequence[str]) -> str:
        p = self.p
        if not refs:
            return self.replace(xml, "mergeCells", "")
        body = "".join(f'<{p}mergeCell ref="{r}"/>' for r in refs)
        return self.replace(xml, "mergeCells", f'<{p}mergeCells count="{len(refs)}">{body}</{p}mergeCells>')

    # ---- rows and cells --------------------------------------------------------------------------
    def _data_span(self, xml: str) -> tuple[int, int]:
        sd = self.child("sheetData")
        if sd is None:
            raise PackageError("worksheet without sheetData")
        return sd.tag_end, sd.inner_end(xml)

    def iter_rows(self, xml: str, start: int, end: int):
        """(row number, start, content start, content end, end, attrs, start tag) of each row."""
        prev = 0
        pos = start
        close = f"</{self.p}row>"
        while True:
            m = self._row.search(xml, pos, end)
            if m is None:
                return
            a = attrs_of(m.group(1))
            num = int(a["r"]) if "r" in a else prev + 1
            prev = num
            if m.group(2):
                yield num, m.start(), m.end(), m.end(), m.end(), a, m.group(0)
                pos = m.end()
            else:
                idx = xml.find(close, m.end(), end)
                if idx < 0:
                    raise PackageError(f"unclosed row {num}")
                yield num, m.start(), m.end(), idx, idx + len(close), a, m.group(0)
                pos = idx + len(close)

    def cells(self, xml: str, start: int, end: int):
        """(column, start, end, attrs, self-closing) of each cell in a row's content."""
        prev = 0
        pos = start
        close = f"</{self.p}c>"
        while True:
            m = self._cell.search(xml, pos, end)
            if m is None:
                return
            a = attrs_of(m.group(1))
            col = parse_ref(a["r"])[1] if "r" in a else prev + 1
            prev = col
            if m.group(2):
                yield col, m.start(), m.end(), a, True
                pos = m.end()
            else:
                idx = xml.find(close, m.end(), end)
                if idx < 0:
                    raise PackageError(f"unclosed cell in column {col}")
                yield col, m.start(), idx + len(close), a, False
                pos = idx + len(close)

    def set_cells(self, xml: str, cells: Mapping[tuple[int, int], Any], *, date1904: bool,
                  keep_styles: bool, keep_formulas: bool) -> str:
        p = self.p
        by_row: dict[int, dict[int, Cell]] = {}
        for (r, c), item in cells.items():
            if r < 1 or c < 1:
                raise PackageError(f"cell ({r}, {c}) is outside the sheet")
            by_row.setdefault(r, {})[c] = item if isinstance(item, Cell) else Cell(item)
        pending = sorted(by_row)
        sd = self.child("sheetData")
        if sd is None:
            raise PackageError("worksheet without sheetData")
        start, end = (sd.tag_end, sd.inner_end(xml)) if not sd.empty else (sd.end, sd.end)
        out: list[str] = []
        pos = start
        k = 0

        def new_row(r: int) -> str:
            body = "".join(cell_xml(f"{col_letter(c)}{r}", cell.value, cell.style, date1904, p)
                           for c, cell in sorted(by_row[r].items()))
            return f'<{p}row r="{r}">{body}</{p}row>'

        if sd.empty:
            rows_xml = "".join(new_row(r) for r in pending)
            new = f"<{p}sheetData>{rows_xml}</{p}sheetData>"
            xml = xml[:sd.start] + new + xml[sd.end:]
            return self._grow_dimension(xml, by_row)   # <dimension> precedes <sheetData>
        for num, r_start, c_start, c_end, r_end, a, tag in self.iter_rows(xml, start, end):
            while k < len(pending) and pending[k] < num:
                out.append(xml[pos:r_start])
                out.append(new_row(pending[k]))
                pos = r_start
                k += 1
            if k < len(pending) and pending[k] == num:
                out.append(xml[pos:r_start])
                out.append(self._edit_row(xml, num, tag, c_start, c_end, a, by_row[num], date1904,
                                          keep_styles, keep_formulas))
                pos = r_end
                k += 1
            if k >= len(pending):
                break
        out.append(xml[pos:end])
        out += [new_row(r) for r in pending[k:]]
        xml = xml[:start] + "".join(out) + xml[end:]
        return self._grow_dimension(xml, by_row)

    def _edit_row(self, xml: str, num: int, tag: str, c_start: int, c_end: int, a: dict[str, str],
                  targets: dict[int, Cell], date1904: bool, keep_styles: bool, keep_formulas: bool) -> str:
        p = self.p
        todo = sorted(targets)
        k = 0
        out: list[str] = []
        pos = c_start
        cols: list[int] = []

        def new(c: int, old: tuple[str, dict[str, str]] | None = None) -> str:
            cell = targets[c]
            style = cell.style
            ref = f"{col_letter(c)}{num}"
            if old is not None:
                body, oa = old
                if keep_styles and "s" in oa:
                    style = int(oa["s"] or 0)
                fm = re.search(rf"<{re.escape(p)}f\b(?:[^>]*?/>|.*?</{re.escape(p)}f>)", body, re.S)
                if keep_formulas and fm and not isinstance(_py(cell.value), Formula):
                    made = cell_xml(ref, Formula("x", cell.value), style, date1904, p)
                    f_new = re.search(rf"<{re.escape(p)}f>.*?</{re.escape(p)}f>", made, re.S)
                    made = made[:f_new.start()] + fm.group(0) + made[f_new.end():]
                    if "cm" in oa:
                        made = made.replace(f'<{p}c r="{ref}"', f'<{p}c r="{ref}" cm="{oa["cm"]}"', 1)
                    return made
            return cell_xml(ref, cell.value, style, date1904, p)

        last_end = c_start
        for col, s, e, ca, _sc in self.cells(xml, c_start, c_end):
            while k < len(todo) and todo[k] < col:
                out.append(xml[pos:s])
                out.append(new(todo[k]))
                cols.append(todo[k])
                pos = s
                k += 1
            if k < len(todo) and todo[k] == col:
                out.append(xml[pos:s])
                out.append(new(col, (xml[s:e], ca)))
                pos = e
                k += 1
            cols.append(col)
            last_end = e
        rest = [new(c) for c in todo[k:]]
        cols += todo[k:]
        if rest:
            ext = re.compile(rf"<{re.escape(p)}extLst\b").search(xml, last_end, c_end)
            at = ext.start() if ext else c_end
            out.append(xml[pos:at])
            out += rest
            pos = at
        out.append(xml[pos:c_end])
        body = "".join(out)
        spans = a.get("spans")
        if spans and cols:
            lo, hi = min(cols), max(cols)
            try:
                bounds = [int(x) for part in spans.split() for x in part.split(":")]
                if lo < min(bounds) or hi > max(bounds):
                    tag = set_attr(tag, "spans", f"{min(lo, min(bounds))}:{max(hi, max(bounds))}")
            except ValueError:
                tag = set_attr(tag, "spans", None)
        if "r" not in a:
            tag = set_attr(tag, "r", str(num))
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
            return f"{tag}{body}</{p}row>"
        return f"{tag}{body}</{p}row>"

    def _grow_dimension(self, xml: str, by_row: Mapping[int, Mapping[int, Any]]) -> str:
        dim = self.child("dimension")
        if dim is None:
            return xml
        rows = list(by_row)
        cols = [c for cs in by_row.values() for c in cs]
        r1, c1, r2, c2 = min(rows), min(cols), max(rows), max(cols)
        ref = dim.attrs.get("ref", "")
        try:
            a1, b1, a2, b2 = parse_range(ref)
            if (a1, b1) == (1, 1) and (a2, b2) == (1, 1):   # "A1" means an empty sheet
                a1, b1, a2, b2 = r1, c1, r2, c2
            new = range_ref(min(a1, r1), min(b1, c1), max(a2, r2), max(b2, c2))
        except PackageError:
            new = range_ref(r1, c1, r2, c2)
        if new == ref:
            return xml
        tag = set_attr(xml[dim.start:dim.tag_end], "ref", new)
        return xml[:dim.start] + tag + xml[dim.tag_end:]
