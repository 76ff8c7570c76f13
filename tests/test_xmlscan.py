"""xlgrade.workbook.xmlscan: locating and editing XML as text (examples and hypothesis round trips).

The properties: a rendered element's attributes and children are found exactly where they
were written; editing one attribute or one child changes that and nothing else -- every
other byte of the text stays.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xlgrade.errors import PackageError
from xlgrade.workbook.xmlscan import (
    INVALID_XML,
    XML_DECL,
    Elem,
    attrs_of,
    children,
    decode_part,
    esc,
    esc_attr,
    insert_child,
    ns_prefix,
    root_elem,
    set_attr,
    unesc,
)

# ---- strategies ----------------------------------------------------------------------------
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,7}", fullmatch=True)
PREFIXES = st.none() | st.sampled_from(["x", "r", "mc", "x14ac"])
# attribute values: any text XML can hold (esc_attr drops the rest, so those would not round trip)
VALUES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(lambda t: INVALID_XML.sub("", t))
TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10).map(lambda t: INVALID_XML.sub("", t))
SPACES = st.sampled_from([" ", "  ", "\n ", "\t", "\r\n"])
ATTRS = st.dictionaries(NAMES, VALUES, max_size=4)
FILLERS = st.sampled_from(["", " ", "\n  ", "<!-- a <note> -->", "<?pi x?>", "<![CDATA[<b>x</b>]]>", "text &amp; more"])


@dataclass
class Node:
    prefix: str | None
    name: str
    attrs: dict[str, str]
    quotes: list[str]  # the quote of each attribute, ' or "
    gaps: list[str]  # the whitespace before each attribute
    kids: list[Node] | None  # None: self-closing
    fillers: list[str]  # text between (and around) the kids: len(kids) + 1 of them

    def start_tag(self) -> str:
        attrs = "".join(
            f"{gap}{k}={q}{quote_value(v, q)}{q}" for (k, v), q, gap in zip(self.attrs.items(), self.quotes, self.gaps)
        )
        return f"<{self.qname}{attrs}{'/' if self.kids is None else ''}>"

    @property
    def qname(self) -> str:
        return f"{self.prefix}:{self.name}" if self.prefix else self.name

    def render(self) -> str:
        if self.kids is None:
            return self.start_tag()
        inner = "".join(f + k.render() for f, k in zip(self.fillers, self.kids)) + self.fillers[-1]
        return f"{self.start_tag()}{inner}</{self.qname}>"


def quote_value(value: str, quote: str) -> str:
    out = esc_attr(value)
    return out.replace("&quot;", '"').replace("'", "&apos;") if quote == "'" else out


@st.composite
def nodes(draw: st.DrawFn, depth: int = 2) -> Node:
    attrs = draw(ATTRS)
    n = len(attrs)
    kids = None
    if draw(st.booleans()) or depth == 2:
        kids = draw(st.lists(nodes(depth - 1), max_size=4)) if depth > 0 else []
    fillers = draw(st.lists(FILLERS, min_size=len(kids or []) + 1, max_size=len(kids or []) + 1))
    return Node(
        draw(PREFIXES),
        draw(NAMES),
        attrs,
        draw(st.lists(st.sampled_from("'\""), min_size=n, max_size=n)),
        draw(st.lists(SPACES, min_size=n, max_size=n)),
        kids,
        fillers,
    )


def document(root: Node, head: str = XML_DECL) -> str:
    return head + root.render()


def _spans(xml: str, elems: list[Elem]) -> list[str]:
    return [xml[e.start : e.end] for e in elems]


# ---- escaping --------------------------------------------------------------------------------
@given(VALUES)
def test_attribute_escaping_round_trips(value: str) -> None:
    written = esc_attr(value)
    assert not any(ch in written for ch in '"<\n\r\t')
    assert unesc(written) == value


@given(TEXTS)
def test_text_escaping_round_trips_and_parses(text: str) -> None:
    assert unesc(esc(text)) == text
    assert (ET.fromstring(f"<t>{esc(text)}</t>").text or "") == text.replace("\r\n", "\n").replace("\r", "\n")


def test_unesc_numeric_and_named_entities() -> None:
    assert unesc("&lt;a&gt; &amp;amp; &#10;&#x41;&quot;&apos;") == "<a> &amp; \nA\"'"
    assert unesc("no entities") == "no entities"


def test_invalid_characters_are_dropped_from_attributes() -> None:
    assert esc_attr("a\x00b\x1fc\ufffe") == "abc"


# ---- locating ----------------------------------------------------------------------------
@settings(max_examples=150)
@given(nodes())
def test_root_and_children_are_found_where_they_were_written(root: Node) -> None:
    head = XML_DECL + "<!-- <not-root/> -->\n"
    xml = document(root, head)
    found = root_elem(xml)
    assert (found.prefix, found.name) == (root.prefix, root.name)
    assert found.start == len(head) and xml[found.start : found.tag_end] == root.start_tag()
    assert found.attrs == root.attrs
    assert xml[found.start : found.end] == root.render()
    kids = children(xml, found)
    assert [(k.prefix, k.name) for k in kids] == [(k.prefix, k.name) for k in root.kids or []]
    assert _spans(xml, kids) == [k.render() for k in root.kids or []]
    for elem, node in zip(kids, root.kids or []):
        assert elem.attrs == node.attrs
        assert elem.empty == (node.kids is None)
        assert _spans(xml, children(xml, elem)) == [k.render() for k in node.kids or []]
        if not elem.empty:
            assert xml[elem.inner_end(xml) : elem.end] == f"</{node.qname}>"


def test_the_root_ends_at_its_own_end_tag() -> None:
    xml = '<?xml version="1.0"?>\n<x:root><x:a/></x:root>\n<!-- saved by <tool> -->\n<?pi?>\n'
    root = root_elem(xml)
    assert xml[root.start : root.end] == "<x:root><x:a/></x:root>"
    assert xml[root.inner_end(xml) : root.end] == "</x:root>"
    assert _spans(xml, children(xml, root)) == ["<x:a/>"]


def test_opaque_children_are_skipped_unread() -> None:
    xml = '<ws><a/><sheetData><row><c><v>1</v></c></row><broken></sheetData><b x="1"/></ws>'
    kids = children(xml, root_elem(xml), opaque=("sheetData",))
    assert [k.name for k in kids] == ["a", "sheetData", "b"]
    assert _spans(xml, kids)[1] == "<sheetData><row><c><v>1</v></c></row><broken></sheetData>"
    with pytest.raises(PackageError, match="unclosed"):
        children(xml, root_elem(xml))


def test_not_xml_and_unclosed() -> None:
    with pytest.raises(PackageError, match="no root element"):
        root_elem("<?xml version='1.0'?><!-- only a comment -->")
    xml = "<a><b><c/>"
    with pytest.raises(PackageError, match="unclosed element <a>"):
        children(xml, root_elem(xml))
    xml = "<a><b><c/></a>"
    with pytest.raises(PackageError, match="unclosed element <b>"):
        children(xml, root_elem(xml), opaque=("b",))


def test_ns_prefix() -> None:
    tag = '<worksheet xmlns="urn:main" xmlns:r="urn:rel" xmlns:x14ac="urn:ac">'
    assert ns_prefix(tag, "urn:main") == ""
    assert ns_prefix(tag, "urn:rel") == "r"
    assert ns_prefix(tag, "urn:other") is None


def test_decode_part() -> None:
    assert decode_part("<a>é</a>".encode(), "p.xml") == "<a>é</a>"
    assert decode_part("<a>é</a>".encode("utf-16"), "p.xml") == "<a>é</a>"
    with pytest.raises(PackageError, match="p.xml: not UTF-8"):
        decode_part(b"<a>\xe9</a>", "p.xml")


# ---- editing attributes ------------------------------------------------------------------------
@settings(max_examples=200)
@given(nodes(depth=0), NAMES, VALUES)
def test_set_attr_changes_that_attribute_only(node: Node, name: str, value: str) -> None:
    # a value holding ` name='...'` would look like the attribute itself to set_attr (see below)
    assume(f"{name}=" not in "".join(node.attrs.values()))
    tag = node.start_tag()
    new = set_attr(tag, name, value)
    assert attrs_of(new) == {**node.attrs, name: value}
    assert list(attrs_of(new)) == list({**node.attrs, name: value})  # order kept, a new one last
    if name in node.attrs:  # only that value's text differs
        i = list(node.attrs).index(name)
        q = node.quotes[i]
        old_attr = f"{node.gaps[i]}{name}={q}{quote_value(node.attrs[name], q)}{q}"
        assert tag.count(old_attr) >= 1
        assert new == tag.replace(old_attr, f'{node.gaps[i]}{name}="{esc_attr(value)}"', 1)
    else:
        assert new.startswith(tag[: -2 if node.kids is None else -1].rstrip())
        assert new.endswith("/>" if node.kids is None else ">")
    assert set_attr(new, name, value) == new  # idempotent


@settings(max_examples=200)
@given(nodes(depth=0), NAMES)
def test_set_attr_none_removes_that_attribute_only(node: Node, name: str) -> None:
    assume(f"{name}=" not in "".join(node.attrs.values()))
    tag = node.start_tag()
    new = set_attr(tag, name, None)
    expected = {k: v for k, v in node.attrs.items() if k != name}
    assert attrs_of(new) == expected
    if name not in node.attrs:
        assert new == tag  # byte-identical
    else:  # the attribute goes with the one whitespace character before it
        i = list(node.attrs).index(name)
        q = node.quotes[i]
        assert new == tag.replace(f"{node.gaps[i][-1]}{name}={q}{quote_value(node.attrs[name], q)}{q}", "", 1)


def test_set_attr_does_not_confuse_prefixed_names() -> None:
    tag = '<drawing r:id="rId1" id="7"/>'
    assert set_attr(tag, "id", "8") == '<drawing r:id="rId1" id="8"/>'
    assert set_attr(tag, "r:id", "rId2") == '<drawing r:id="rId2" id="7"/>'
    assert set_attr('<row r="3" spans="1:4">', "spans", None) == '<row r="3">'


# ---- editing children --------------------------------------------------------------------------
ORDER = ("a", "b", "c", "d", "e")


@st.composite
def ordered_parents(draw: st.DrawFn) -> tuple[str, str]:
    """(xml, name to insert): a parent whose children follow ORDER, with fillers between them."""
    names = sorted(draw(st.lists(st.sampled_from(ORDER), unique=True, max_size=4)), key=ORDER.index)
    fillers = draw(st.lists(FILLERS, min_size=len(names) + 1, max_size=len(names) + 1))
    kids = [draw(st.sampled_from([f"<{n}/>", f'<{n} v="1">x</{n}>', f"<{n}><{n}/></{n}>"])) for n in names]
    inner = "".join(f + k for f, k in zip(fillers, kids)) + fillers[-1]
    prefix = draw(PREFIXES)
    p = f"{prefix}:" if prefix else ""
    body = f"<{p}root a='1'/>" if not names and draw(st.booleans()) else f"<{p}root a='1'>{inner}</{p}root>"
    missing = [n for n in ORDER if n not in names]
    assume(missing)
    return XML_DECL + body + "\n<!-- after -->", draw(st.sampled_from(missing))


@settings(max_examples=200)
@given(ordered_parents())
def test_insert_child_puts_it_at_its_schema_place_and_keeps_every_other_byte(case: tuple[str, str]) -> None:
    xml, name = case
    root = root_elem(xml)
    kids = children(xml, root)
    element = f'<{name} new="yes"/>'
    new = insert_child(xml, root, kids, name, element, ORDER)
    new_root = root_elem(new)
    new_kids = children(new, new_root)
    assert sorted((k.name for k in new_kids), key=ORDER.index) == [k.name for k in new_kids]
    assert [new[k.start : k.end] for k in new_kids if k.name != name] == _spans(xml, kids)
    added = next(k for k in new_kids if k.name == name)
    assert new[added.start : added.end] == element
    if root.empty:  # <root a='1'/> was opened: <root a='1'>element</root>
        assert new == xml.replace("a='1'/>", "a='1'>" + element + f"</{root.p}root>", 1)
    else:  # the text is the old one with the element spliced in
        assert new[: added.start] + new[added.end :] == xml


@settings(max_examples=200)
@given(nodes(), st.data())
def test_removing_or_replacing_a_child_by_its_span_keeps_the_rest(root: Node, data: st.DataObject) -> None:
    assume(root.kids)
    xml = document(root)
    kids = children(xml, root_elem(xml))
    i = data.draw(st.integers(0, len(kids) - 1))
    k = kids[i]
    replacement = data.draw(st.sampled_from(["", "<new/>", "<new a='1'>t</new>"]))
    new = xml[: k.start] + replacement + xml[k.end :]
    new_kids = children(new, root_elem(new))
    expected = _spans(xml, kids)
    expected[i : i + 1] = [replacement] if replacement else []
    assert _spans(new, new_kids) == expected
    assert new[: k.start] == xml[: k.start] and new[k.start + len(replacement) :] == xml[k.end :]
