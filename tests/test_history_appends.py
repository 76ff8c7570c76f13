"""History appends (issue 12 item 2): a monthly run rewrites only the month it computes.

The other months' rows are copied as stored (their compressed bytes, so their row XML too),
reading History parses only the month before the one computed, and the rows a run parses
or renders do not grow with the months History holds.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import demobooks
import openpyxl
import pandas as pd
import pytest

from xlgrade.job.monthly import run_month
from xlgrade.job.months import month_key
from xlgrade.schema.sheets import HISTORY
from xlgrade.workbook import filebook, historypart, historysheet
from xlgrade.workbook.filebook import FileBook

N = 60  # customers


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return demobooks.built(tmp_path_factory, "appends", n_customers=N)


@pytest.fixture
def book(built, tmp_path) -> Path:
    return demobooks.copy_of(built, tmp_path)


def run(path: Path, month: str) -> None:
    run_month(FileBook(path), month)


def history_part(path: Path) -> str:
    fb = FileBook(path)
    return fb.package.sheet_part(fb.sheet_name(HISTORY))


def segments(path: Path) -> dict[str | None, historypart.Segment]:
    fb = FileBook(path)
    found = historypart.found(fb.package, history_part(path), fb.lang)
    assert found is not None, "History has no sound month index"
    return {s.key: s for s in found.segments}


_ROW = re.compile(rb'<row r="(\d+)"[^>]*>.*?</row>', re.S)
_MONTH = re.compile(rb'<c r="A\d+"[^>]*><is><t[^>]*>([^<]*)</t>')


def row_xml(path: Path) -> dict[str, list[bytes]]:
    """{month: its rows' XML, in order} of the History part as the file holds it."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(history_part(path))
    out: dict[str, list[bytes]] = {}
    for m in _ROW.finditer(xml):
        if m.group(1) == b"1":
            continue
        month = _MONTH.search(m.group(0))
        assert month is not None
        out.setdefault(month.group(1).decode(), []).append(m.group(0))
    return out


def unnumbered(rows: list[bytes]) -> list[bytes]:
    return [re.sub(rb' r="([A-Z]*)\d+"', rb' r="\1"', r) for r in rows]


def sheet_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb[HISTORY.zh]
        return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    finally:
        wb.close()


def table_ref(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return wb[HISTORY.zh].tables[HISTORY.table].ref


def test_other_months_are_copied_as_stored_and_a_rerun_replaces_its_month_only(book):
    for month in ("2026-07", "2026-08", "2026-09"):
        run(book, month)
    before_rows, before_segs = row_xml(book), segments(book)
    assert list(before_rows) == ["2026-07", "2026-08", "2026-09"]
    assert all(len(v) == N for v in before_rows.values())

    run(book, "2026-10")  # a new month at the end
    after_rows, after_segs = row_xml(book), segments(book)
    assert list(after_rows) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    for month in ("2026-07", "2026-08", "2026-09"):
        assert after_rows[month] == before_rows[month]
        assert bytes(after_segs[month].raw) == bytes(before_segs[month].raw)  # the compressed bytes

    run(book, "2026-09")  # a rerun: only its month is written again
    rerun_rows, rerun_segs = row_xml(book), segments(book)
    assert list(rerun_rows) == list(after_rows)
    # what the run read: the month before, its rows at their numbers in the sheet
    fb = FileBook(book)
    read = fb.read_history_before(pd.Period("2026-09", freq="M")).frame
    assert set(read["month"]) == {"2026-08"}
    assert read["row"].tolist() == list(range(2 + N, 2 + 2 * N))
    for month in ("2026-07", "2026-08", "2026-10"):
        assert bytes(rerun_segs[month].raw) == bytes(after_segs[month].raw)
    assert len(rerun_rows["2026-09"]) == N
    assert table_ref(book) == f"A1:O{1 + 4 * N}"
    rows = sheet_rows(book)
    assert len(rows) == 4 * N
    assert [(r[0], r[1]) for r in rows] == sorted((r[0], r[1]) for r in rows)


def test_a_month_computed_between_others_lands_in_order(book):
    for month in ("2026-07", "2026-10"):
        run(book, month)
    before = row_xml(book)
    run(book, "2026-08")
    run(book, "2026-09")
    after = row_xml(book)
    assert list(after) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert after["2026-07"] == before["2026-07"]  # before the new months: untouched
    assert after["2026-10"] != before["2026-10"]  # after them: renumbered, nothing else
    assert unnumbered(after["2026-10"]) == unnumbered(before["2026-10"])
    rows = sheet_rows(book)
    assert [(r[0], r[1]) for r in rows] == sorted((r[0], r[1]) for r in rows)
    assert table_ref(book) == f"A1:O{1 + 4 * N}"
    # the months are the ones a reader of the whole sheet finds, in the file's row order
    assert [month_key(r[0]) for r in rows][::N] == ["2026-07", "2026-08", "2026-09", "2026-10"]


def test_the_rows_a_run_parses_and_renders_do_not_grow_with_the_months(book, monkeypatch):
    parsed: list[int] = []
    rendered: list[int] = []
    real_normalize, real_rows = historysheet.normalize_rows, historysheet.rows_xml

    def counting_normalize(rows, sheet, **kw):
        parsed.append(len(rows))
        return real_normalize(rows, sheet, **kw)

    def whole_history(rows, sheet, **kw):  # the fallback read of the whole sheet
        assert sheet.key != HISTORY.key or len(rows) <= 2, "History was read whole"
        return real_normalize(rows, sheet, **kw)

    def counting_rows(rows, *a, **kw):
        rendered.append(len(rows))
        return real_rows(rows, *a, **kw)

    run(book, "2026-05")  # the first run on a template: History has no index yet
    monkeypatch.setattr(historysheet, "normalize_rows", counting_normalize)
    monkeypatch.setattr(filebook, "normalize_rows", whole_history)
    monkeypatch.setattr(historysheet, "rows_xml", counting_rows)
    for month in ("2026-06", "2026-07", "2026-08", "2026-09"):
        run(book, month)
    # one month of rows (and the header) read, one month rendered, whatever History holds
    assert parsed == [N + 1] * 4
    assert rendered == [N] * 4
    assert len(sheet_rows(book)) == 5 * N


def test_a_history_without_its_index_is_read_whole_once_and_then_appended(book, tmp_path):
    for month in ("2026-08", "2026-09"):
        run(book, month)
    # as if another program rewrote the file: the same parts, no member comments
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    fb = FileBook(plain)
    assert historypart.found(fb.package, history_part(plain), fb.lang) is None
    shutil.move(plain, book)
    run(book, "2026-10")
    assert list(segments(book)) == ["2026-08", "2026-09", "2026-10"]
    assert len(sheet_rows(book)) == 3 * N


def test_a_changed_member_is_not_trusted(book):
    run(book, "2026-09")
    fb = FileBook(book)
    part = history_part(book)
    info = fb.package.stored_info(part)
    assert historypart.found(fb.package, part, fb.lang) is not None
    assert historypart.found(fb.package, part, "en") is None  # another language's index
    info.CRC ^= 1  # a member that is not the one indexed
    assert historypart.found(fb.package, part, fb.lang) is None


def test_crc_of_a_concatenation():
    import zlib

    a, b = b"<row r='2'>" * 1000, "月份 2026-10".encode() * 777
    assert historypart.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    assert historypart.crc32_combine(zlib.crc32(a), zlib.crc32(b""), 0) == zlib.crc32(a)


def test_a_steady_rerun_leaves_the_history_member_as_stored(book):
    for month in ("2026-08", "2026-09"):
        run(book, month)
    fb = FileBook(book)
    pending: list[list[str]] = []
    fb.save = lambda **k: pending.append(fb.package.changed())  # type: ignore[method-assign]
    run_month(fb, "2026-09")  # the same month, the same data
    assert pending and history_part(book) not in pending[0]
    assert all(not p.startswith("xl/worksheets/") or p == fb.package.sheet_part("运行日志") for p in pending[0])
