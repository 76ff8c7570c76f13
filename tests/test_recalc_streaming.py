"""The monthly job's fast paths write what the plain ones write.

A large sheet's cells are set as a stream deflated piece by piece (worksheets.STREAM_BYTES), large
worksheets deflate in a worker thread once the job moves on (package.DEFLATE_EARLY_CHARS), computed
cells are found by their reference (Worksheet._find_cells) and each distinct value is formatted
once. Forcing every fast path on a small workbook must give the same file, part for part and
byte for byte (compressed too), as forcing them all off.
"""

from __future__ import annotations

import random
import re
import shutil
import zipfile
from datetime import datetime

import pytest

from xlgrade import demo_data
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import LEDGER, RUN_LOG
from xlgrade.workbook import package, rulenames, worksheets
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "book.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=40))), path)
    return path


def _run(book, folder, monkeypatch, *, fast: bool):
    folder.mkdir()
    path = folder / "book.xlsx"
    shutil.copyfile(book, path)
    monkeypatch.setattr(worksheets, "STREAM_BYTES", 1 if fast else 1 << 40)
    monkeypatch.setattr(package, "DEFLATE_EARLY_CHARS", 1 if fast else 1 << 40)
    run_month(FileBook(path), "2026-10", user="u", now=datetime(2026, 11, 5, 9, 0))
    return path


def test_streamed_and_early_deflated_parts_equal_the_plain_ones(book, tmp_path, monkeypatch):
    fast = _run(book, tmp_path / "fast", monkeypatch, fast=True)
    plain = _run(book, tmp_path / "plain", monkeypatch, fast=False)
    fb = FileBook(plain)
    run_log = fb.package.sheet_part(fb.sheet_name(RUN_LOG))  # its time and backup path differ
    ledger = fb.package.sheet_part(fb.sheet_name(LEDGER))
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(plain) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != run_log:
                assert a.read(name) == b.read(name), name
                assert a.getinfo(name).compress_size == b.getinfo(name).compress_size, name
        text = a.read(ledger).decode()
    assert "信用评估" in text and "按期回款" in text  # the ledger's computed column was written


def test_the_streamed_ledger_reads_back_and_names_are_found_in_it(book, tmp_path, monkeypatch):
    path = tmp_path / "b.xlsx"
    shutil.copyfile(book, path)
    monkeypatch.setattr(worksheets, "STREAM_BYTES", 1)
    fb = FileBook(path)
    part = fb.package.sheet_part(fb.sheet_name(LEDGER))
    before = fb.package.text(part)
    fb.package.set_cells(fb.sheet_name(LEDGER), {(2, 3): "=rule_x", (9999, 2): "new"})
    after = fb.package.text(part)
    assert isinstance(fb.package._parts[part], package.Deflated)
    assert "".join(fb.package.text_chunks(part)) == after
    assert all(chunk.endswith(">") for chunk in fb.package.text_chunks(part))
    assert after.count("<row ") == before.count("<row ") + 1 and '<c r="B9999"' in after


def test_used_names_finds_what_findall_finds():
    rng = random.Random(5)
    pieces = ["rule_", "xlgrade_as_of", "xlgrade_window_start", "a", "_", " ", "(", "é", "9", "rule_abc", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert rulenames.used_names([text]) == set(rulenames._OWNED.findall(text)), text
    assert re.search("rule_", "xrule_a") and rulenames.used_names(["xrule_a rule_b"]) == {"rule_b"}
