"""The package verified in the background (issue 12; :class:`ziplimits.Verifier`, rule 5).

A large workbook's large parts are verified in threads while the job reads the small ones.
What must hold, and what these tests force on small workbooks by lowering the thresholds
(``BACKGROUND_BYTES = 0``: every part of one byte or more is left to the background):

- every part is verified before anything reads it: calamine (which inflates a sheet itself,
  trusting its headers), the package's own reads, the save's copy of unchanged members;
- a damaged or hostile part is refused with the error opening the package gave before (the
  first damaged member in the zip's order), wherever the job meets it, as one line from the
  command line: never a thread's traceback, never a hang, the file untouched;
- the parts holding an error cell are known as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import demobooks
import pytest
from test_hostile import members_of, write_zip

from xlgrade import cli
from xlgrade.errors import CorruptPartError, OversizedPartError, PackageError
from xlgrade.schema import CUSTOMERS, LEDGER
from xlgrade.schema.sheets import SUMMARY_SHEET
from xlgrade.workbook import package as package_module
from xlgrade.workbook import ziplimits
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.package import Package

MONTH = "2026-09"  # a month the small demo's ledger covers


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    """A small zh demo workbook (6 customers, two years of ledger), built once."""
    return demobooks.built(tmp_path_factory, "small", n_customers=6, months=24)


@pytest.fixture
def background(monkeypatch):
    """Every part of a byte or more verified in the background, by ``threads`` threads."""

    def use(threads: int = 2) -> None:
        monkeypatch.setattr(ziplimits, "BACKGROUND_BYTES", 0)
        monkeypatch.setattr(ziplimits, "BACKGROUND_PART_BYTES", 1)
        monkeypatch.setattr(ziplimits, "VERIFY_THREADS", threads)

    return use


def sheet_part(path: Path, sheet_name: str) -> str:
    return Package(path).sheet_part(sheet_name)


def damaged(base: Path, out: Path, how: str, *parts: str) -> Path:
    """``base`` with ``parts`` damaged: a bad CRC, or data longer than declared (with the CRC
    of the declared bytes, which a reader stopping at the declared size would accept)."""
    members = members_of(base)
    names = {m.name for m in members}
    assert set(parts) <= names, parts
    for m in members:
        if m.name not in parts:
            continue
        if how == "crc":
            m.crc ^= 0x5A5A5A5A
        else:
            data = zlib.decompressobj(-15).decompress(m.payload)
            m.usize = len(data) // 2
            m.crc = zlib.crc32(data[: m.usize])
    return write_zip(out, members)


def opening_error(path: Path) -> str:
    """The message opening ``path`` gives when every part is verified at once (the check the
    background must not weaken): what :func:`ziplimits.verify` raises for its bytes."""
    buf = path.read_bytes()
    with ziplimits.open_zip(buf, path.name) as zf, pytest.raises(PackageError) as raised:
        ziplimits.verify(buf, zf, path.name, find=b't="e"')
    return str(raised.value)


def cli_line(capsys, *args: str) -> str:
    """``xlgrade ARGS`` in process: exit status 2 and one line on stderr, returned."""
    rc = cli.main(list(args))
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# ---- the Verifier is verify() ---------------------------------------------------------------------
@pytest.mark.parametrize("threads", [0, 1, 2])
def test_the_verifier_finds_and_refuses_what_verify_does(small_book, tmp_path, monkeypatch, threads):
    monkeypatch.setattr(ziplimits, "BACKGROUND_BYTES", 0)
    monkeypatch.setattr(ziplimits, "BACKGROUND_PART_BYTES", 4096)  # small parts at once, the rest later
    monkeypatch.setattr(ziplimits, "VERIFY_THREADS", threads)
    members = [m.name for m in members_of(small_book)]
    buf = small_book.read_bytes()
    with ziplimits.open_zip(buf, small_book.name) as zf:
        sound = ziplimits.Verifier(buf, zf, small_book.name, find=b"<sheetData")
        sound.check_all()
        assert sound.found == ziplimits.verify(buf, zf, small_book.name, find=b"<sheetData") != set()
    # one damaged part anywhere, and two (the first in the zip's order is named, as verify names it)
    for parts in ([members[0]], [members[-1]], [members[len(members) // 2], members[-1]]):
        for how in ("crc", "longer"):
            path = damaged(small_book, tmp_path / "d.xlsx", how, *parts)
            expected = opening_error(path)
            assert parts[0] in expected
            buf = path.read_bytes()
            with ziplimits.open_zip(buf, path.name) as zf:
                try:
                    verifier = ziplimits.Verifier(buf, zf, path.name)  # may meet it at once
                except PackageError as exc:
                    assert str(exc) == expected
                    continue
                for part in (parts[-1], None, members[1]):  # a damaged part, all, a sound one
                    with pytest.raises(PackageError) as raised:
                        verifier.check_all() if part is None else verifier.check(part)
                    assert str(raised.value) == expected  # again at every later call


# ---- verified before read -------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["crc", "longer"])
@pytest.mark.parametrize("threads", [0, 2])
def test_a_sheet_is_verified_before_calamine_reads_it(small_book, tmp_path, background, how, threads):
    # with no thread in the background (0), nothing but the read's own wait checks the sheet:
    # calamine, left to it, would read the part and fail its own way (or read the lie); with
    # threads, the failure may be met before (by any later wait), never after
    background(threads)
    part = sheet_part(small_book, CUSTOMERS.zh)
    path = damaged(small_book, tmp_path / "c.xlsx", how, part)
    expected = opening_error(path)
    reached = []
    with pytest.raises((CorruptPartError, OversizedPartError)) as raised:
        book = FileBook(path)
        book.read_rules()
        reached.append("the rules read")
        book.read_table(CUSTOMERS)
    assert str(raised.value) == expected
    if threads == 0:
        assert reached  # the customers' read met it


def test_a_read_waits_for_a_check_already_under_way(small_book, tmp_path, background, monkeypatch):
    # a background thread has started on the ledger's part and is held there: the read must
    # wait for its verdict (here: damaged), not go ahead while the check is still running
    part = sheet_part(small_book, LEDGER.zh)
    path = damaged(small_book, tmp_path / "l.xlsx", "crc", part)
    expected = opening_error(path)
    background(1)
    started, release = threading.Event(), threading.Event()
    inflate = ziplimits.inflate

    def held(buf, info, name, **kw):  # this file's ledger, in a background thread
        if name == path.name and info.filename == part and threading.current_thread() is not threading.main_thread():
            started.set()
            assert release.wait(30)
        return inflate(buf, info, name, **kw)

    monkeypatch.setattr(ziplimits, "inflate", held)
    book = FileBook(path)
    assert started.wait(30)
    released_at: list[float] = []

    def let_go() -> None:
        released_at.append(time.monotonic())
        release.set()

    timer = threading.Timer(0.3, let_go)
    timer.start()
    try:
        with pytest.raises(CorruptPartError) as raised:
            book.read_table(LEDGER)
        failed_at = time.monotonic()
    finally:
        timer.cancel()
        release.set()
    assert released_at and failed_at >= released_at[0]
    assert str(raised.value) == expected


def test_every_part_the_job_reads_or_copies_is_verified_first(small_book, tmp_path, background, monkeypatch, capsys):
    # no background thread: only the job's own waits verify, so each read of a part as the
    # file holds it (inflated, in chunks, or its compressed bytes copied at save) must come after
    # that part's check in the one thread
    background(0)
    path = demobooks.copy_of(small_book, tmp_path)
    events: list[tuple[str, int, str]] = []
    opening = ziplimits.Verifier.__init__
    check_member = ziplimits.Verifier._check_member
    inflate, inflate_chunks, raw_member = ziplimits.inflate, ziplimits.inflate_chunks, package_module.raw_member

    def opened(self, buf, zf, name, find=b""):
        events.append(("opened", id(buf), ""))
        opening(self, buf, zf, name, find)

    def checked(self, k):
        check_member(self, k)
        events.append(("verified", id(self._buf), self._members[k].filename))

    def read(buf, info, name, **kw):
        if kw.get("keep", True):
            events.append(("read", id(buf), info.filename))
        return inflate(buf, info, name, **kw)

    def chunks(buf, info, name):
        events.append(("read", id(buf), info.filename))
        return inflate_chunks(buf, info, name)

    def copied(buf, info):
        events.append(("read", id(buf), info.filename))
        return raw_member(buf, info)

    monkeypatch.setattr(ziplimits.Verifier, "__init__", opened)
    monkeypatch.setattr(ziplimits.Verifier, "_check_member", checked)
    monkeypatch.setattr(ziplimits, "inflate", read)
    monkeypatch.setattr(ziplimits, "inflate_chunks", chunks)
    monkeypatch.setattr(package_module, "raw_member", copied)
    assert cli.main(["recalc", str(path), "--month", MONTH]) == 0, capsys.readouterr().err
    verified: dict[int, set[str]] = {}  # a package's buffer: the parts verified so far
    reads = 0
    for kind, buf, part in events:
        if kind == "opened":
            verified[buf] = set()
        elif kind == "verified":
            verified[buf].add(part)
        elif buf in verified:  # a package's buffer (not the lock guard's own bounded read before)
            reads += 1
            assert part in verified[buf], f"{part} read before it was verified"
    assert reads > 20  # the sheets, workbook.xml, rels ... and the members copied at save


ACCESSORS = (
    "read",
    "text",
    "byte_chunks",
    "raw_member",
    "stored_as",
    "may_hold_errors",
    "to_bytes",
    "save",
    "book save",
)


@pytest.mark.parametrize("use", ACCESSORS)
def test_each_way_of_using_a_part_verifies_it_first(small_book, tmp_path, background, monkeypatch, use):
    # no background thread, and a damaged sheet nothing else has looked at: whatever gets at
    # its bytes (or copies them on) meets the error opening gave, before any byte is used
    # (inflated in small chunks: a comparison that differs in the first one reads no further)
    background(0)
    monkeypatch.setattr(ziplimits, "CHUNK_BYTES", 256)
    part = sheet_part(small_book, LEDGER.zh)
    path = damaged(small_book, tmp_path / "b.xlsx", "crc", part)
    expected = opening_error(path)
    before = path.read_bytes()
    book = FileBook(path)
    pkg = book.package
    other = sheet_part(small_book, SUMMARY_SHEET.zh)
    uses = {
        "read": lambda: pkg.read(part),
        "text": lambda: pkg.text(part),
        "byte_chunks": lambda: pkg.byte_chunks(part),  # raises when asked, not at its last chunk
        "raw_member": lambda: pkg.raw_member(part),
        "stored_as": lambda: pkg.stored_as(part, ["x" * pkg.size(part)]),  # differs at once
        "may_hold_errors": lambda: pkg.may_hold_errors(part),
        "to_bytes": lambda: (pkg.write(other, "<worksheet/>"), pkg.to_bytes()),
        "save": lambda: (pkg.write(other, "<worksheet/>"), pkg.save()),
        "book save": book.save,  # nothing changed: still refused
    }
    with pytest.raises(CorruptPartError) as raised:
        uses[use]()
    assert str(raised.value) == expected
    assert path.read_bytes() == before


@pytest.mark.parametrize("threads", [0, 2])
def test_the_parts_holding_error_cells_are_known_as_before(tmp_path, background, threads):
    from test_edges import _xlsx_with_errors

    from xlgrade.io.tables import read_book_rows
    from xlgrade.parse import CellError

    path = _xlsx_with_errors(tmp_path / "e.xlsx")
    background(threads)
    book = FileBook(path)
    assert book.package.may_hold_errors(book.package.sheet_part("业绩"))
    assert not book.package.may_hold_errors("xl/styles.xml")
    rows, _ = book._rows(LEDGER, "业绩")
    plain, _, _ = read_book_rows(path, LEDGER)
    assert [[repr(v) for v in r] for r in rows] == [[repr(v) for v in r] for r in plain]
    assert sum(isinstance(v, CellError) for r in rows for v in r) == 2


# ---- a failure found in the background ------------------------------------------------------------
@pytest.mark.parametrize(
    "victims",
    [
        (LEDGER.zh,),  # read by calamine
        (SUMMARY_SHEET.zh,),  # written over (compared with the member first), never read by calamine
        ("xl/theme/theme1.xml",),  # never read: copied on compressed at save
        ("xl/theme/theme1.xml", LEDGER.zh),  # two: the first in the zip is named
    ],
)
@pytest.mark.parametrize("threads", [0, 2])
def test_a_damaged_part_is_refused_by_recalc_as_when_verified_at_once(
    small_book, tmp_path, background, capsys, victims, threads
):
    parts = [v if "/" in v else sheet_part(small_book, v) for v in victims]
    (tmp_path / "at-once").mkdir()
    (tmp_path / "later").mkdir()
    at_once = damaged(small_book, tmp_path / "at-once" / "b.xlsx", "crc", *parts)
    later = damaged(small_book, tmp_path / "later" / "b.xlsx", "crc", *parts)
    expected = cli_line(capsys, "recalc", str(at_once), "--month", MONTH)  # every part verified at open
    assert opening_error(at_once) in expected
    before = later.read_bytes()
    background(threads)
    assert cli_line(capsys, "recalc", str(later), "--month", MONTH) == expected
    assert later.read_bytes() == before  # nothing written
    assert sorted(p.name for p in later.parent.iterdir()) == ["b.xlsx"]  # no backup, no temporary file


def test_a_damaged_part_is_one_line_in_a_child_process_that_ends(small_book, tmp_path):
    # the command line as staff run it: a failure met in a background thread is one line on
    # stderr, exit status 2, and the process ends (no thread left waiting)
    import xlgrade

    part = sheet_part(small_book, LEDGER.zh)
    path = damaged(small_book, tmp_path / "b.xlsx", "longer", part)
    expected = opening_error(path)
    code = (
        "import sys\n"
        "from xlgrade.workbook import ziplimits\n"
        "ziplimits.BACKGROUND_BYTES, ziplimits.BACKGROUND_PART_BYTES = 0, 1\n"
        "from xlgrade import cli\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(xlgrade.__file__).parents[1]))
    proc = subprocess.run(
        [sys.executable, "-c", code, "recalc", str(path), "--month", MONTH],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and expected in proc.stderr, proc.stderr


def test_a_small_workbook_is_still_verified_at_once(small_book, tmp_path):
    # below BACKGROUND_BYTES nothing is left for later: opening refuses the damaged part
    path = damaged(small_book, tmp_path / "b.xlsx", "crc", "xl/theme/theme1.xml")
    assert small_book.stat().st_size < ziplimits.BACKGROUND_BYTES
    with pytest.raises(CorruptPartError) as raised:
        Package(path)
    assert str(raised.value) == opening_error(path)


# ---- the search for error cells -----------------------------------------------------------------
@pytest.mark.parametrize("size", [100, 1 << 16, 3 << 20])
def test_contains_is_the_in_operator(size):
    # large data is searched by the C library's memmem (without the GIL): the same answers
    find = b't="e"'
    blank = b'<c r="A1" t="n"><v>1</v></c>' * (size // 27 + 1)
    assert not ziplimits.contains(blank, find)
    for at in (0, 1, len(blank) // 2, len(blank) - len(find)):
        data = blank[:at] + find + blank[at + len(find) :]
        assert ziplimits.contains(data, find) and find in data
    assert not ziplimits.contains(blank + b't="', find)  # a prefix at the very end is no match
    assert ziplimits.contains(b"\0" * size + find, find)  # NUL bytes do not end the search
