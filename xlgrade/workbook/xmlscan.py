"""XML as text: find elements and attributes in a part's text and edit them in place.

What :mod:`xlgrade.workbook` builds every part edit on. Nothing is parsed into a tree and
re-serialised: :func:`root_elem` and :func:`children` locate elements (:class:`Elem`, start
and end offsets in the text), :func:`set_attr` edits one attribute of a start tag and
:func:`insert_child` puts a new child at its schema position; everything else of the text
stays byte for byte (comments, processing instructions, CDATA, namespace declarations,
whitespace). Also the escaping of text and attribute values, and the decoding of a part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from xlgrade.errors import PackageError

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# characters XML 1.0 forbids (and lone surrogates, which UTF-8 cannot encode)
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# ---- escaping -------------------------------------------------------------------------------
def esc(text: str) -> str:
    """Escape text content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    """Escape an attribute value written between double quotes."""
    return (
        esc(INVALID_XML.sub("", text))
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def unesc(text: str) -> str:
    if "&" not in text:
        return text

    def sub(m: re.Match) -> str:
        ent = m.group(1)
        if ent[0] == "#":
            return chr(int(ent[2:], 16) if ent[1] in "xX" else int(ent[1:]))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}[ent]

    return re.sub(r"&(#[xX]?[0-9A-Fa-f]+|amp|lt|gt|quot|apos);", sub, text)


# ---- XML as text --------------------------------------------------------------------------
_TAG = re.compile(
    r"""<(?:(/?)(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>"""
    r"""|!--.*?-->|\?.*?\?>|!\[CDATA\[.*?\]\]>|![^>]*>)""",
    re.S,
)
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
    """The document element: the first start tag, ending at the last end tag of its name
    (comments or processing instructions may follow it)."""
    pos = 0
    while True:
        m = _TAG.search(xml, pos)
        if m is None:
            raise PackageError("not an XML part (no root element)")
        if m.group(3) is not None and not m.group(1):
            if m.group(5):
                return Elem(m.group(2), m.group(3), m.start(), m.end(), m.end(), m.group(4))
            qname = f"{m.group(2)}:{m.group(3)}" if m.group(2) else m.group(3)
            end_tag = re.compile(rf"</{re.escape(qname)}\s*>")
            end = hi = len(xml)
            while (end := xml.rfind(f"</{qname}", m.end(), hi)) >= 0 and not end_tag.match(xml, end):
                hi = end  # "</rootx" or "</root" without ">": look further back
            if end < 0:
                end = xml.rfind("<")
            close = xml.find(">", end) + 1
            return Elem(m.group(2), m.group(3), m.start(), m.end(), close, m.group(4))
        pos = m.end()


def children(xml: str, parent: Elem, opaque: Sequence[str] = ()) -> list[Elem]:
    """Direct children of ``parent``; elements named in ``opaque`` are skipped over unread."""
    out: list[Elem] = []
    if parent.empty:
        return out
    pos, depth = parent.tag_end, 0
    cur: Elem | None = None
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
            if depth == 0 and cur is not None:  # cur: the child this end tag closes
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


def insert_child(xml: str, parent: Elem, kids: list[Elem], name: str, element: str, order: Sequence[str]) -> str:
    """``xml`` with ``element`` inserted among ``parent``'s children at ``name``'s schema position."""
    later = set(order[order.index(name) + 1 :])
    for kid in kids:
        if kid.name in later:
            return xml[: kid.start] + element + xml[kid.start :]
    if parent.empty:
        tag = xml[parent.start : parent.tag_end]
        opened = tag[:-2].rstrip() + ">"
        return xml[: parent.start] + opened + element + f"</{parent.p}{parent.name}>" + xml[parent.end :]
    at = parent.inner_end(xml)
    return xml[:at] + element + xml[at:]


def decode_part(data: bytes, part: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        raise PackageError(f"{part}: not UTF-8 XML") from None


_TRAILER = re.compile(r"\s*(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*", re.S)


def check_complete(xml: str) -> None:
    """Refuse (:class:`PackageError`) an XML text cut off before its document element closes.

    Cheap on a big part: only the document element's start tag and the text after its end
    tag are looked at (a truncated part has no end tag, or text after it).
    """
    root = root_elem(xml)
    if not root.empty:
        at = xml.rfind("</", root.tag_end, root.end)
        if at < 0 or not re.fullmatch(rf"</{re.escape(root.p + root.name)}\s*>", xml[at : root.end]):
            raise PackageError(f"truncated: <{root.p}{root.name}> is never closed")
    if _TRAILER.fullmatch(xml, root.end) is None:
        raise PackageError(f"text after the end of <{root.p}{root.name}>")
