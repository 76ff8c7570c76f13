"""Package: a part written back as the file holds it keeps its member, and what is read from
workbook.xml and the rels is parsed once per version of those parts."""

from __future__ import annotations

import pytest
from test_package import SP, _rows, build_book

from xlgrade.schema.sheets import SALES_POWER
from xlgrade.workbook import worksheets, zipio
from xlgrade.workbook.package import Package


@pytest.fixture
def book(tmp_path):
    return build_book(tmp_path / "book.xlsx")


def _written_once(book, rows):
    p = Package(book)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), rows, [12] * 17)
    p.save()
    return Package(book)


def test_text_equal_to_the_stored_part_is_not_a_change(book):
    p = Package(book)
    part = p.sheet_part(SP)
    original = p.text(part)
    p.write(part, original)
    assert part not in p.changed() and p.stored_info(part) is not None
    p.write(part, original.replace("<sheetData", "<sheetData ", 1))
    assert part in p.changed()
    p.write(part, original.encode())  # written back as it was: the pending change is dropped
    assert part not in p.changed() and p.stored_info(part) is not None
    assert p.text(part) == original


@pytest.mark.parametrize("streamed", [False, True])
def test_a_table_written_as_the_file_holds_it_keeps_its_members(book, monkeypatch, streamed):
    rows = _rows(40)
    p = _written_once(book, rows)
    if streamed:  # the large-table path: the rows would be deflated as they are joined
        monkeypatch.setattr(worksheets, "STREAM_BYTES", 1)

        def no_deflate(pieces):
            raise AssertionError("an unchanged sheet was deflated")

        monkeypatch.setattr(worksheets, "_deflated", no_deflate)
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), rows, [12] * 17)
    assert p.changed() == []
    changed = rows[:-1] + [rows[-1][:-1] + [1.5]]
    monkeypatch.undo()
    p.write_table(SP, "SalesPower", SALES_POWER.headers("zh"), changed, [12] * 17)
    assert p.sheet_part(SP) in p.changed()


def test_stored_as_compares_every_byte(book):
    p = Package(book)
    part = p.sheet_part(SP)
    original = p.text(part)
    assert p.stored_as(part, [original[:10], original[10:].encode()])
    assert not p.stored_as(part, [original.replace("<sheetData", "<sheetDatb", 1)])  # same length
    assert not p.stored_as(part, [original[:-1]]) and not p.stored_as(part, [original, " "])
    assert not p.stored_as("xl/no-such-part.xml", [original])


def test_the_sheet_list_is_parsed_once_per_version_of_workbook_xml(book, monkeypatch):
    p = Package(book)
    reads = []
    text = p.text
    monkeypatch.setattr(p, "text", lambda part: reads.append(part) or text(part))
    names = p.sheet_names()
    for _ in range(5):
        assert p.sheet_names() == names
        p.sheet_part(SP)
        assert p.date1904 is False
    assert reads.count(p.workbook) <= 1
    p.add_sheet("新表")  # workbook.xml and its rels change: read again
    assert p.sheet_names() == [*names, "新表"]
    p.set_print_area(SP, "A1:B2")
    assert p.print_area(SP) == f"'{SP}'!$A$1:$B$2"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ([b"ab", b"c"], [b"a", b"bc"], True),
        ([b"", b"abc"], [b"abc", b""], True),
        ([], [b""], True),
        ([b"ab"], [b"abc"], False),
        ([b"abc"], [b"ab"], False),
        ([b"abd"], [b"a", b"bc"], False),
    ],
)
def test_same_bytes_whatever_the_cuts(a, b, same):
    assert zipio.same_bytes(a, b) is same


def test_encoded_blocks_join_small_pieces():
    pieces = ["ab", "汉字", b"\x00", "zz"]
    blocks = list(zipio.encoded_blocks(pieces, size=3))
    assert b"".join(blocks) == "ab汉字".encode() + b"\x00zz"
    assert len(blocks) < len(pieces)
    big = "汉" * 10 + "a" * 25  # a text longer than a block: encoded a slice at a time
    blocks = list(zipio.encoded_blocks(["x", big, b"\x01"], size=8))
    assert b"".join(blocks) == b"x" + big.encode() + b"\x01"
    assert max(map(len, blocks)) <= 8 * 3
