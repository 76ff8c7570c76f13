"""Demo workbooks for tests that run the monthly job on a real file: built once per module,
copied fresh for each test (a run changes its file), and what their History holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from xlgrade import demo_data
from xlgrade.schema.sheets import HISTORY
from xlgrade.workbook.template import InputData, build, save


def built(factory: pytest.TempPathFactory, name: str, lang: str = "zh", **generate) -> Path:
    """A ``lang`` demo workbook of ``demo_data.generate(**generate)`` in a new folder ``name``."""
    path = factory.mktemp(name) / "book.xlsx"
    save(build(lang, InputData.from_demo(demo_data.generate(lang=lang, **generate))), path)
    return path


def copy_of(book: Path, folder: Path) -> Path:
    """A copy of ``book`` in ``folder`` (``b.xlsx``), for one test to change."""
    path = folder / "b.xlsx"
    shutil.copyfile(book, path)
    return path


def history_months(path: Path) -> set[str]:
    """The months History holds (its first column), read by openpyxl."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r[0] for r in wb[HISTORY.zh].iter_rows(min_row=2, values_only=True) if r[0]}
    finally:
        wb.close()
