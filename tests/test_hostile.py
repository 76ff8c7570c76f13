"""Hostile and broken workbook files (issue 10, item 3): zip bombs, damaged parts, encrypted and
legacy workbooks, empty files and folders each give one line (exit 2, no traceback) from
``recalc``, ``grade`` and ``report``, quickly and in bounded memory.

The corpus is built at test time: a real workbook from the template, rewritten member by
member with a small zip writer that can declare whatever sizes and CRCs a hostile file would.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from xlgrade import cli
from xlgrade.errors import CorruptPartError, EncryptedWorkbookError, OversizedPartError, PackageError
from xlgrade.workbook import ziplimits
from xlgrade.workbook.package import Package

COMMANDS = ("recalc", "grade", "report")
MAX_RSS_MB = 400
BOMB_BYTES = 512 << 20  # real inflated size of the bomb members (~0.5 MB compressed)


# ---- building the corpus ------------------------------------------------------------------------
class Member:
    """One zip member as a hostile file may write it: compressed payload and declared fields."""

    def __init__(self, name: str, payload: bytes, *, method: int, crc: int, usize: int) -> None:
        self.name, self.payload, self.method, self.crc, self.usize = name, payload, method, crc, usize


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def honest(name: str, data: bytes) -> Member:
    return Member(name, deflate(data), method=zipfile.ZIP_DEFLATED, crc=zlib.crc32(data), usize=len(data))


def write_zip(path: Path, members: list[Member]) -> Path:
    """A zip of ``members`` as declared (zip64 extra fields for sizes past 4 GiB)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode()
        big = m.usize >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, m.usize, len(m.payload)) if big else b""
        usize, csize = (0xFFFFFFFF, 0xFFFFFFFF) if big else (m.usize, len(m.payload))
        offset = len(out)
        version = 45 if big else 20
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", version, 0, m.method, 0, 0x21, m.crc, csize, usize, len(name), len(extra)
        )
        out += name + extra + m.payload
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            version,
            version,
            0,
            m.method,
            0,
            0x21,
            m.crc,
            csize,
            usize,
            len(name),
            len(extra),
            0,
            0,
            0,
            0,
            offset,
        )
        central += name + extra
    start = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A sound workbook (the English template), and its members as the corpus starts from them."""
    from xlgrade.workbook.template import new_workbook

    path = tmp_path_factory.mktemp("base") / "book.xlsx"
    new_workbook(path, "en")
    return path


def members_of(path: Path) -> list[Member]:
    with zipfile.ZipFile(path) as z:
        return [honest(i.filename, z.read(i)) for i in z.infolist()]


def replaced(base: Path, out: Path, part: str, member: Member) -> Path:
    members = [member if m.name == part else m for m in members_of(base)]
    assert any(m.name == part for m in members), part
    return write_zip(out, members)


@pytest.fixture(scope="module")
def zeros_deflated() -> bytes:
    """BOMB_BYTES of zeros, deflated (what a zip bomb's sheet holds)."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    return b"".join(c.compress(chunk) for _ in range(BOMB_BYTES >> 20)) + c.flush()


def cfb(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors) holding empty ``streams`` (at most 3):
    what an encrypted .xlsx (EncryptionInfo, EncryptedPackage) or an .xls (Workbook) is."""
    end, free, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    header = ziplimits.CFB_MAGIC + bytes(16)
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    assert len(header) == 512
    fat = struct.pack("<128I", 0xFFFFFFFD, end, *([free] * 126))

    def entry(name: str, kind: int, left: int, right: int, child: int) -> bytes:
        raw = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, left, right, child)
            + bytes(16)
            + struct.pack("<IQQIQ", 0, 0, 0, end if kind else 0, 0)
        )

    # the directory tree: the first stream is the root's child, each next one its right sibling
    names = sorted(streams, key=lambda s: (len(s), s.upper()))
    entries = [entry("Root Entry", 5, nostream, nostream, 1 if names else nostream)]
    for i, name in enumerate(names):
        entries.append(entry(name, 2, nostream, i + 2 if i + 1 < len(names) else nostream, nostream))
    while len(entries) < 4:
        entries.append(entry("", 0, nostream, nostream, nostream))
    return header + fat + b"".join(entries)


# ---- running the command line --------------------------------------------------------------------
def run_cli(capsys, command: str, path: Path) -> str:
    """``xlgrade COMMAND PATH`` in process: exit status 2 and one line on stderr, returned."""
    rc = cli.main([command, str(path)])
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("xlgrade: ")
    return lines[0]


# Linux keeps a process's peak RSS across fork and exec, so a child forked straight from this
# (large) test process would report the test process's size. A small launcher process starts
# the command instead and reports its child's own peak (RUSAGE_CHILDREN).
_LAUNCHER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_subprocess(command: str, path: Path) -> tuple[int, str, float, float]:
    """(exit status, stderr, seconds, peak RSS in MB) of ``xlgrade COMMAND PATH`` in a child."""
    import xlgrade

    env = dict(os.environ, PYTHONPATH=str(Path(xlgrade.__file__).parents[1]))  # this checkout's xlgrade
    peak = path.parent / f".peak-{command}-{path.stem}"
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(peak), sys.executable, "-m", "xlgrade", command, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=path.parent,
        env=env,
    )
    _out, err_bytes = proc.communicate()
    err = err_bytes.decode("utf-8", "replace")
    rss_kb = float(peak.read_text())
    peak.unlink()
    return proc.returncode, err, time.monotonic() - t0, rss_kb / 1024


# ---- zip bombs -------------------------------------------------------------------------------------
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def bombs(base, zeros_deflated, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """name: (file, what its message must contain)."""
    d = tmp_path_factory.mktemp("bombs")
    small = Member(SHEET, zeros_deflated, method=zipfile.ZIP_DEFLATED, crc=0, usize=1000)
    huge = Member(SHEET, deflate(b"<worksheet/>"), method=zipfile.ZIP_DEFLATED, crc=0, usize=8 << 30)
    ratio = Member(SHEET, zeros_deflated, method=zipfile.ZIP_DEFLATED, crc=0, usize=BOMB_BYTES)
    many = members_of(base) + [honest(f"xl/media/pad{i}.bin", b"") for i in range(ziplimits.MAX_MEMBERS + 1)]
    return {
        "declared small, inflates large": (replaced(base, d / "lies.xlsx", SHEET, small), SHEET),
        "declared 8 GiB": (replaced(base, d / "huge.xlsx", SHEET, huge), "8.0 GiB"),
        "ratio": (replaced(base, d / "ratio.xlsx", SHEET, ratio), ":1"),
        "many members": (write_zip(d / "many.xlsx", many), f"parts (limit {ziplimits.MAX_MEMBERS:,})"),
    }


@pytest.mark.parametrize("kind", ["declared small, inflates large", "declared 8 GiB", "ratio", "many members"])
@pytest.mark.parametrize("command", COMMANDS)
def test_zip_bombs_are_refused_quickly_in_bounded_memory(bombs, kind, command):
    path, expected = bombs[kind]
    rc, err, seconds, rss_mb = run_subprocess(command, path)
    assert rc == 2, err
    assert "Traceback" not in err
    line = err.strip()
    assert "\n" not in line and line.startswith("xlgrade: "), err
    assert path.name in line and expected in line and "zip bomb" in line, line
    assert rss_mb < MAX_RSS_MB, f"peak RSS {rss_mb:.0f} MB"
    assert seconds < 30
    print(f"{command} {kind}: {seconds:.1f} s, peak RSS {rss_mb:.0f} MB")


def test_bomb_limits_name_the_part(bombs):
    for kind in ("declared small, inflates large", "declared 8 GiB", "ratio"):
        path, _ = bombs[kind]
        with pytest.raises(OversizedPartError, match=SHEET):
            Package(path)


def test_data_longer_than_declared_is_refused_even_with_a_matching_crc(base, tmp_path):
    # the CRC of the declared first bytes: a reader that stops at the declared size accepts it
    data = b"<worksheet>" + b"x" * 100_000 + b"</worksheet>"
    lie = Member(SHEET, deflate(data), method=zipfile.ZIP_DEFLATED, crc=zlib.crc32(data[:500]), usize=500)
    path = replaced(base, tmp_path / "lie.xlsx", SHEET, lie)
    with pytest.raises(OversizedPartError, match="more than the 500 bytes its header declares"):
        Package(path)


def test_overlapping_members_are_refused_by_the_total_ratio(zeros_deflated, tmp_path):
    # every member's data is the same 0.5 MB of compressed zeros (a "non-recursive" bomb)
    body = Member("a", zeros_deflated, method=zipfile.ZIP_DEFLATED, crc=0, usize=BOMB_BYTES)
    path = write_zip(tmp_path / "overlap.xlsx", [body])
    buf = path.read_bytes()
    infos = []
    for i in range(8):
        info = zipfile.ZipInfo(f"xl/p{i}.xml")
        info.file_size, info.compress_size, info.header_offset = 20 << 20, len(zeros_deflated), 0
        info.compress_type = zipfile.ZIP_DEFLATED
        infos.append(info)
    with pytest.raises(OversizedPartError, match="inflated from a"):
        ziplimits.check_directory(infos, len(buf) // 4, "overlap.xlsx")


def test_a_real_workbook_passes_the_limits(base):
    pkg = Package(base)
    assert pkg.sheet_names()


# ---- damaged parts --------------------------------------------------------------------------------
def bad_crc(base: Path, out: Path, part: str) -> Path:
    members = members_of(base)
    for m in members:
        if m.name == part:
            m.crc ^= 0x5A5A5A5A
    return write_zip(out, members)


@pytest.mark.parametrize(
    "part",
    [
        "xl/workbook.xml",  # read by every command
        "xl/theme/theme1.xml",  # never read: copied on compressed by recalc
        "docProps/app.xml",
    ],
)
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_crc_is_one_line_naming_the_part(base, tmp_path, capsys, part, command):
    path = bad_crc(base, tmp_path / "crc.xlsx", part)
    before = path.read_bytes()
    line = run_cli(capsys, command, path)
    assert "crc.xlsx" in line and part in line and "CRC" in line, line
    assert path.read_bytes() == before  # nothing rewritten, nothing copied on


def test_a_damaged_copied_part_is_never_saved_over(base, tmp_path):
    path = bad_crc(base, tmp_path / "crc.xlsx", "xl/theme/theme1.xml")
    with pytest.raises(CorruptPartError, match="xl/theme/theme1.xml"):
        Package(path)


@pytest.mark.parametrize("parallel", [False, True])
def test_the_first_damaged_part_in_the_zip_is_named_when_several_are(base, tmp_path, monkeypatch, parallel):
    # verify() inflates large workbooks in threads, largest part first: the message must still
    # name the first damaged member in the zip's order, as the one-by-one check does
    monkeypatch.setattr(ziplimits, "PARALLEL_BYTES", 0 if parallel else 1 << 62)
    monkeypatch.setattr(ziplimits, "VERIFY_THREADS", 1)  # largest first, one at a time: the last fails first
    members = members_of(base)
    first = members[0]
    last = max(members, key=lambda m: m.usize)  # the largest part: checked first
    assert last is not first
    for m in (first, last):
        m.crc ^= 0x5A5A5A5A
    path = write_zip(tmp_path / "two.xlsx", members)
    with pytest.raises(CorruptPartError) as raised:
        Package(path)
    assert first.name in str(raised.value), raised.value


def test_verify_finds_the_same_parts_in_threads(base, tmp_path, monkeypatch):
    members = members_of(base)
    sheets = [m for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m.name)]
    for m in sheets[:2]:
        data = zlib.decompressobj(-15).decompress(m.payload).replace(b"<sheetData", b'<!-- t="e" --><sheetData', 1)
        assert b't="e"' in data
        m.payload, m.crc, m.usize = deflate(data), zlib.crc32(data), len(data)
    path = write_zip(tmp_path / "errors.xlsx", members)
    buf = path.read_bytes()
    found = {}
    for parallel in (False, True):
        monkeypatch.setattr(ziplimits, "PARALLEL_BYTES", 0 if parallel else 1 << 62)
        with ziplimits.open_zip(buf, path.name) as zf:
            found[parallel] = ziplimits.verify(buf, zf, path.name, find=b't="e"')
    assert found[False] == found[True] == {m.name for m in sheets[:2]}


def test_truncated_compressed_data_names_the_part(base, tmp_path, capsys):
    members = members_of(base)
    for m in members:
        if m.name == "xl/styles.xml":
            m.payload = m.payload[: len(m.payload) // 2]
    path = write_zip(tmp_path / "cut.xlsx", members)
    line = run_cli(capsys, "recalc", path)
    assert "xl/styles.xml" in line and "truncated" in line, line


@pytest.mark.parametrize("damage", ["crc", "truncated"])
def test_a_member_read_in_chunks_is_checked_as_one_read_whole(base, tmp_path, damage):
    """ziplimits.inflate_chunks (the streamed cell edit's reader) refuses what inflate refuses,
    with the same message, before it gives the last chunk."""
    part = "xl/styles.xml"
    if damage == "crc":
        path = bad_crc(base, tmp_path / "crc.xlsx", part)
    else:
        members = members_of(base)
        for m in members:
            if m.name == part:
                m.payload = m.payload[: len(m.payload) // 2]
        path = write_zip(tmp_path / "cut.xlsx", members)
    buf = path.read_bytes()
    info = zipfile.ZipFile(path).getinfo(part)
    with pytest.raises(CorruptPartError) as whole:
        ziplimits.inflate(buf, info, path.name)
    with pytest.raises(CorruptPartError) as chunked:
        list(ziplimits.inflate_chunks(buf, info, path.name))
    assert str(chunked.value) == str(whole.value)
    assert ("CRC" if damage == "crc" else "truncated") in str(chunked.value)


def test_truncated_file_is_one_line(base, tmp_path, capsys):
    path = tmp_path / "half.xlsx"
    path.write_bytes(base.read_bytes()[: base.stat().st_size // 2])
    for command in COMMANDS:
        line = run_cli(capsys, command, path)
        assert "half.xlsx" in line


def truncated_xml(base: Path, out: Path, part: str) -> Path:
    with zipfile.ZipFile(base) as z:
        data = z.read(part)
    return replaced(base, out, part, honest(part, data[: len(data) * 2 // 3]))


def test_truncated_workbook_xml_names_the_part(base, tmp_path, capsys):
    path = truncated_xml(base, tmp_path / "wb.xlsx", "xl/workbook.xml")
    line = run_cli(capsys, "recalc", path)
    assert "xl/workbook.xml" in line and "not readable XML" in line, line


def test_truncated_sheet_xml_names_the_part_and_sheet(base, tmp_path, capsys):
    from xlgrade.schema import LEDGER

    sheet = next(s for s in Package(base).sheets() if s.name == LEDGER.en)  # what grade reads
    assert sheet.part is not None
    path = truncated_xml(base, tmp_path / "sheet.xlsx", sheet.part)
    with pytest.raises(CorruptPartError, match=f"{sheet.part} \\(sheet {sheet.name!r}\\)"):
        Package(path).text(sheet.part)
    for command in ("recalc", "grade"):
        line = run_cli(capsys, command, path)
        print(line)
        assert "sheet.xlsx" in line and sheet.part in line, line


# ---- not a zip package ------------------------------------------------------------------------------
ENCRYPTED_TEXT = "password-protected; remove the password (File → Info → Protect Workbook) and run again"


@pytest.mark.parametrize("command", COMMANDS)
def test_encrypted_workbook_says_remove_the_password(tmp_path, capsys, command):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(cfb(["EncryptionInfo", "EncryptedPackage"]))
    line = run_cli(capsys, command, path)
    assert "secret.xlsx" in line and ENCRYPTED_TEXT in line and "密码" in line, line


def test_the_encrypted_corpus_file_is_a_real_compound_file(tmp_path):
    olefile = pytest.importorskip("olefile")
    path = tmp_path / "secret.xlsx"
    path.write_bytes(cfb(["EncryptionInfo", "EncryptedPackage"]))
    with olefile.OleFileIO(str(path)) as ole:
        assert sorted(ole.listdir()) == [["EncryptedPackage"], ["EncryptionInfo"]]
    with pytest.raises(EncryptedWorkbookError):
        ziplimits.read_file(path)


@pytest.mark.parametrize("command", ["recalc", "report"])
def test_legacy_xls_says_save_as_xlsx(tmp_path, capsys, command):
    path = tmp_path / "old.xls"
    path.write_bytes(cfb(["Workbook"]))
    line = run_cli(capsys, command, path)
    assert "old.xls" in line and "legacy .xls" in line and "save it as" in line, line


def test_legacy_xls_is_still_read_by_grade_not_refused_as_xlsx(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(cfb(["Workbook"]))
    ziplimits.check_file(path, allow_xls=True)  # handed to calamine, which reads .xls
    with pytest.raises(PackageError, match="legacy .xls"):
        ziplimits.check_file(path)


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_file(tmp_path, capsys, command):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    line = run_cli(capsys, command, path)
    assert "empty.xlsx" in line and ("empty" in line.split("empty.xlsx", 1)[1]), line


@pytest.mark.parametrize("command", COMMANDS)
def test_not_a_zip(tmp_path, capsys, command):
    path = tmp_path / "text.xlsx"
    path.write_text("customer_id,date,amount\n")
    line = run_cli(capsys, command, path)
    assert "text.xlsx" in line and "not an .xlsx workbook" in line, line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder(tmp_path, capsys, command):
    path = tmp_path / "folder.xlsx"
    path.mkdir()
    line = run_cli(capsys, command, path)
    assert "folder.xlsx" in line and "folder" in line.split("folder.xlsx", 1)[1], line


def test_a_damaged_rules_workbook_is_one_line(base, tmp_path, capsys):
    rules = bad_crc(base, tmp_path / "rules.xlsx", "xl/workbook.xml")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("customer_id,date,amount\nC1,2026-01-05,100\n", encoding="utf-8")
    rc = cli.main(["grade", str(ledger), "--rules", str(rules)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "rules.xlsx" in err and "xl/workbook.xml" in err and "CRC" in err, err


def test_broken_workbook_xml_structure_names_the_file_and_part(base, tmp_path, capsys):
    # complete to its last byte, but <sheets> is never closed
    with zipfile.ZipFile(base) as z:
        xml = z.read("xl/workbook.xml").decode()
    bad = honest("xl/workbook.xml", xml.replace("</sheets>", "", 1).encode())
    path = replaced(base, tmp_path / "structure.xlsx", "xl/workbook.xml", bad)
    line = run_cli(capsys, "recalc", path)
    assert "structure.xlsx" in line and "xl/workbook.xml" in line, line
