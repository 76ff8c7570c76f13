"""The monthly job writes the ledger's per-line 信用评估 only where it changes
(monthly.changed_only): the steady run, whose words are already this month's, leaves the
ledger sheet as it is, and a cell whose words (or type) changed, or a row the read skipped,
is written."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from demobooks import built, copy_of

from xlgrade.job.monthly import changed_only, run_month
from xlgrade.normalize import Normalized
from xlgrade.schema.sheets import LEDGER
from xlgrade.workbook.filebook import FileBook


def _read(rows, values) -> Normalized:
    return Normalized(pd.DataFrame({"row": rows, "credit_status": pd.Series(values, dtype=object)}))


def test_only_rows_whose_value_differs_are_kept():
    read = _read([2, 3, 4, 5, 6, 7], ["按期回款", "逾期 3 天", None, "", 5.0, "x"])
    cells = pd.DataFrame(
        {
            "row": [2, 3, 4, 5, 6, 7, 9],
            "credit_status": pd.Series(["按期回款", "逾期 4 天", "", None, "5", "x", None], dtype=object),
        }
    )
    kept = changed_only(cells, read, ["credit_status"])
    # 3: other words; 6: text where a number was (not equal by type); 9: a row the read skipped
    assert kept["row"].tolist() == [3, 6, 9]
    assert kept["credit_status"].tolist() == ["逾期 4 天", "5", None]


def test_without_the_column_or_rows_every_row_is_kept():
    cells = pd.DataFrame({"row": [2, 3], "credit_status": ["a", "b"]})
    assert changed_only(cells, Normalized(pd.DataFrame({"row": [2, 3]})), ["credit_status"]).equals(cells)
    duplicated = _read([2, 2], ["a", "b"])
    assert changed_only(cells, duplicated, ["credit_status"]).equals(cells)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return built(tmp_path_factory, "changed-only", n_customers=40)


def _ledger_part(path) -> bytes:
    book = FileBook(path)
    part = book.package.sheet_part(book.sheet_name(LEDGER))
    with zipfile.ZipFile(path) as z:
        return z.read(part)


def test_a_steady_run_writes_no_ledger_cell_and_a_new_month_writes_the_changes(demo, tmp_path, monkeypatch):
    path = copy_of(demo, tmp_path)
    run_month(FileBook(path), "2026-10")
    first = _ledger_part(path)
    written: list[int] = []
    real = FileBook.write_computed

    def watched(self, sheet, frame, formulas=None):
        if sheet.key == LEDGER.key:
            written.append(len(frame))
        return real(self, sheet, frame, formulas)

    monkeypatch.setattr(FileBook, "write_computed", watched)
    run_month(FileBook(path), "2026-10")
    assert written == [] and _ledger_part(path) == first
    before = _words(path)
    run_month(FileBook(path), "2026-11")  # a month later: the words of open lines change
    assert len(written) == 1 and 0 < written[0]
    after = _words(path)
    assert written[0] == int((after != before).sum())  # the lines whose words changed, no more
    (tmp_path / "fresh").mkdir()
    fresh = copy_of(demo, tmp_path / "fresh")
    run_month(FileBook(fresh), "2026-11")  # every line written
    pd.testing.assert_series_equal(after, _words(fresh))


def _words(path) -> pd.Series:
    frame = FileBook(path).read_table(LEDGER).frame
    return frame.set_index("row")["credit_status"].fillna("")
