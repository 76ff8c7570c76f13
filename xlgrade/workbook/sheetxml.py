"""Cell values and worksheet XML as text: what :mod:`xlgrade.workbook.package` writes.

Rules: XML is edited as text, never parsed and re-serialised, so every byte outside the
elements an operation replaces stays as it was (views, protection, conditional formats,
validations, extension lists, namespace declarations, ``mc:Ignorable`` prefixes ...).
Strings are written inline (``t="inlineStr"``); dates become Excel serial numbers; text is
cut at Excel's 32,767 characters and characters XML 1.0 forbids are dropped.
"""


from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any, Collection, Mapping, Sequence

from xlgrade.errors import XlgradeError

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_TEXT = 32767                   # Excel's limit on the characters of one cell
# Top-level children of <worksheet>, in schema order (ECMA-376 CT_Worksheet).
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
    "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
    "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
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


def plain_value(value: Any) -> Any:
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
        return plain_value(value.item())
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return None
    if name == "Timestamp":
        return value.to_pydatetime()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return plain_value(float(value))
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
    value = plain_value(value)
    if isinstance(value, Formula):
        cached = plain_value(value.value)
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


def decode_part(data: bytes, part: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise PackageError(f"{part}: not UTF-8 XML") from None


# ---- helpers on cell text ----------------------------------------------------------------------
def unescape_x(text: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def escape_x_name(text: str) -> str:
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


def inline_text(xml: str) -> str:
    """The text of an <si> or <is> element: its <t> runs, phonetic runs left out."""
    xml = re.sub(r"<(?:[\w.\-]+:)?rPh\b.*?</(?:[\w.\-]+:)?rPh>", "", xml, flags=re.S)
    parts = re.findall(r"<(?:[\w.\-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.\-]+:)?t>", xml, re.S)
    return unescape_x(unesc("".join(parts)))


def cell_value(body: str, a: dict[str, str], sst: Mapping[int, str]) -> Any:
    t = a.get("t", "n")
    if t == "inlineStr":
        return inline_text(body)
    m = re.search(r"<(?:[\w.\-]+:)?v>(.*?)</(?:[\w.\-]+:)?v>", body, re.S)
    if m is None:
        return None
    v = unesc(m.group(1))
    if t == "s":
        return sst.get(int(v))
    if t == "b":
        return v.strip() in ("1", "true")
    if t in ("str", "e", "d"):
        return unescape_x(v) if t == "str" else v
    try:
        return float(v)
    except ValueError:
        return v


# ---- the worksheet XML ------------------------------------------------------------------------
class Worksheet:
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

    def _elements(self, pattern: re.Pattern, close: str, xml: str, start: int, end: int):
        """(start tag match, content end, element end) of each element ``pattern`` finds in [start, end)."""
        pos = start
        while (m := pattern.search(xml, pos, end)) is not None:
            if m.group(2):                                   # self-closing: no content
                yield m, m.end(), m.end()
                pos = m.end()
                continue
            idx = xml.find(close, m.end(), end)
            if idx < 0:
                raise PackageError(f"unclosed <{close[2:-1]}> at offset {m.start()}")
            yield m, idx, idx + len(close)
            pos = idx + len(close)

    def iter_rows(self, xml: str, start: int, end: int):
        """(row number, start, content start, content end, end, attrs, start tag) of each row."""
        prev = 0
        for m, content_end, stop in self._elements(self._row, f"</{self.p}row>", xml, start, end):
            a = attrs_of(m.group(1))
            prev = int(a["r"]) if "r" in a else prev + 1
            yield prev, m.start(), m.end(), content_end, stop, a, m.group(0)

    def cells(self, xml: str, start: int, end: int):
        """(column, start, end, attrs, self-closing) of each cell in a row's content."""
        prev = 0
        for m, _content_end, stop in self._elements(self._cell, f"</{self.p}c>", xml, start, end):
            a = attrs_of(m.group(1))
            prev = parse_ref(a["r"])[1] if "r" in a else prev + 1
            yield prev, m.start(), stop, a, bool(m.group(2))

    def set_cells(self, xml: str, cells: Mapping[tuple[int, int], Any], *, date1904: bool,
                  keep_styles: bool, keep_formulas: bool | Collection[int]) -> str:
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
        new_xml = xml[:start] + "".join(out) + xml[end:]
        return keep_shared_formulas(xml, self._grow_dimension(new_xml, by_row), p)

    def _edit_row(self, xml: str, num: int, tag: str, c_start: int, c_end: int, a: dict[str, str],
                  targets: dict[int, Cell], date1904: bool, keep_styles: bool,
                  keep_formulas: bool | Collection[int]) -> str:
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
                keep = keep_formulas if isinstance(keep_formulas, bool) else c in keep_formulas
                if keep and fm and not isinstance(plain_value(cell.value), Formula):
                    made = cell_xml(ref, Formula("x", cell.value), style, date1904, p)
                    f_new = re.search(rf"<{re.escape(p)}f>.*?</{re.escape(p)}f>", made, re.S)
                    made = made[:f_new.start()] + fm.group(0) + made[f_new.end():]
                    if "cm" in oa:
                        made = made.replace(f'<{p}c r="{ref}"', f'<{p}c r="{ref}" cm="{oa["cm"]}"', 1)
                    return made
            return cell_xml(ref, cell.value, style, date1904, p)

        last_end = c_start
        for col, s, e, ca, _sc in self.cells(xml, c_start, c_end):
            if k >= len(todo):        # every target is written: the rest of the row stays as it is
                break
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


# ---- shared formulas ----------------------------------------------------------------------------
def _cell_ref(xml: str, at: int, p: str) -> str | None:
    """The r attribute of the cell whose content holds position ``at``."""
    start = xml.rfind(f"<{p}c ", 0, at)
    m = re.compile(rf"""<{re.escape(p)}c\b((?:[^>"']|"[^"]*"|'[^']*')*?)>""").match(xml, start) if start >= 0 else None
    return attrs_of(m.group(1)).get("r") if m else None


def _shared_masters(xml: str, p: str) -> dict[str, tuple[str, str]]:
    """{si: (master cell, formula text)} of a worksheet's shared formulas."""
    if "shared" not in xml:
        return {}
    out = {}
    for fm in re.finditer(rf"""<{re.escape(p)}f\b((?:[^>"']|"[^"]*"|'[^']*')*?)(?<!/)>(.*?)</{re.escape(p)}f>""",
                          xml, re.S):
        fa = attrs_of(fm.group(1))
        if fa.get("t") == "shared" and "ref" in fa and "si" in fa and fm.group(2).strip():
            ref = _cell_ref(xml, fm.start(), p)
            if ref:
                out[fa["si"]] = (ref, unesc(fm.group(2)))
    return out


def keep_shared_formulas(before: str, after: str, p: str = "") -> str:
    """Write out the formula of shared-formula followers whose master cell was rewritten.

    Excel stores a formula filled down a column once, in its first cell
    (``<f t="shared" ref="G2:G9" si="0">..</f>``); the other cells hold ``<f t="shared"
    si="0"/>``. When :meth:`Worksheet.set_cells` replaces that first cell (a new formula, a
    plain value) but not all the others, they would point at a formula that is gone -- Excel
    reports the file as damaged, openpyxl reads ``=``. Each such cell gets the formula
    translated to its own position, as Excel does when it breaks up a shared formula.
    """
    masters = _shared_masters(before, p)
    if not masters:
        return after
    kept = _shared_masters(after, p)
    lost = {si: master for si, master in masters.items() if si not in kept}
    if not lost:
        return after
    from openpyxl.formula.translate import Translator

    translators = {si: (Translator("=" + text, origin=origin), origin) for si, (origin, text) in lost.items()}
    follower = re.compile(rf"""<{re.escape(p)}f\b((?:[^>"']|"[^"]*"|'[^']*')*?)(?:/>|(?<!/)>\s*</{re.escape(p)}f>)""")
    out, pos = [], 0
    for fm in follower.finditer(after):
        fa = attrs_of(fm.group(1))
        if fa.get("t") != "shared" or fa.get("si") not in lost:
            continue
        ref = _cell_ref(after, fm.start(), p)
        try:
            text = translators[fa["si"]][0].translate_formula(ref)[1:]
            formula = f"<{p}f>{esc(text)}</{p}f>"
        except Exception:        # a formula the translator cannot move: keep the cached value only
            formula = ""
        out += [after[pos:fm.start()], formula]
        pos = fm.end()
    out.append(after[pos:])
    return "".join(out)
