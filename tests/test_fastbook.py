"""The fastexcel read (xlgrade.io.fastbook) gives exactly the calamine read's Normalized where it
is taken, and every rule that sends a sheet back to the calamine path does so."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_columnar import _same, _write

from xlgrade import columnar
from xlgrade.errors import InputError
from xlgrade.io import fastbook
from xlgrade.io.tables import pick_sheet, read_book_table
from xlgrade.schema import CUSTOMERS, LEDGER, Sheet
from xlgrade.workbook.filebook import FileBook

NO_ERRORS = lambda name: False  # noqa: E731  (what a Package says of a part without t="e")


def _fast(path: Path, sheet: Sheet = LEDGER, *, data: bytes | None = None, may_hold_errors=NO_ERRORS, **kw):
    """fastbook.read itself: raises Fallback when the calamine path must read the sheet."""
    return fastbook.read(
        path,
        sheet,
        pick=lambda names: pick_sheet(names, sheet, None, path.name),
        data=data,
        may_hold_errors=may_hold_errors,
        source=lambda n: f"[{path.name}]{n}",
        **kw,
    )


def _calamine(path: Path, sheet: Sheet = LEDGER, **kw):
    return read_book_table(path, sheet, may_hold_errors=NO_ERRORS, fast=False, **kw)


def _taken(path: Path, sheet: Sheet = LEDGER, **kw):
    """The fast path is taken and gives the calamine path's Normalized (and read_book_table's)."""
    fast = _fast(path, sheet, **kw)
    old = _calamine(path, sheet, **kw)
    _same(old[0], fast[0])
    assert fast[1] == old[1]
    _same(old[0], read_book_table(path, sheet, may_hold_errors=NO_ERRORS, **kw)[0])
    return fast[0]


def _refused(path: Path, reason: str, sheet: Sheet = LEDGER, **kw):
    """The fast path refuses for ``reason`` and read_book_table still reads what calamine reads."""
    with pytest.raises(fastbook.Fallback, match=reason):
        _fast(path, sheet, **kw)
    old = _calamine(path, sheet)
    _same(old[0], read_book_table(path, sheet, may_hold_errors=kw.get("may_hold_errors", NO_ERRORS))[0])
    return old[0]


HEADER = [
    "客户编号",
    "客户名称",
    "提货日期",
    "货物价款",
    "货款回收",
    "回收日期",
    "备注",
    "流水",
    "是否",
    "空列",
    " 区域 ",
]


def _clean_rows(n: int, seed: int) -> list[list]:
    """A ledger fastexcel can read exactly: one type per column, blanks anywhere, blank rows."""
    rng = random.Random(seed)
    rows = [HEADER]
    for i in range(n):
        if rng.random() < 0.02:
            rows.append([])  # a blank row inside the table
            continue
        day = dt.datetime(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
        rows.append(
            [
                rng.choice([f"C{rng.randrange(50)}", " C2 ", "Ｃ３", ""]),  # "" is a blank required id
                rng.choice([f"公司{i % 9}", None]),
                day + (dt.timedelta(hours=14, minutes=30) if rng.random() < 0.05 else dt.timedelta()),
                rng.choice([float(rng.randrange(1, 10**6)) / 100, -0.0, 1e16, None]),  # 1e16: too large
                rng.choice([float(rng.randrange(1, 10**4)), None]),
                rng.choice([day + dt.timedelta(days=30), None]),
                rng.choice(["首单", "", None, "退货", "x" * 40]),
                float(i),  # an extra float column without a blank
                rng.choice([True, False, None]),  # a boolean extra
                None,  # a named column of blanks only
                rng.choice(["华东", "华南", None]),
            ]
        )
    rows += [[], []]  # blank rows after the table
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_read_equals_calamine_read_on_a_clean_ledger(tmp_path, seed):
    path = _write(tmp_path / "l.xlsx", _clean_rows(2 * columnar.CHUNK_ROWS + 77, seed), title=LEDGER.zh)
    new = _taken(path)
    assert new.frame["备注"].dtype == object and new.frame["amount"].dtype == "float64"
    assert {i.reason for i in new.issues} >= {"blank row", "required value is blank"}
    assert any(i.reason.startswith("number too large") for i in new.issues)
    assert type(new.frame["是否"].dropna().iat[0]) is bool
    # and the bytes of a package given instead of the file
    _same(_calamine(path)[0], _fast(path, data=path.read_bytes())[0])


def test_fast_read_of_columns_all_text_keeps_the_texts_typed_in_number_and_date_columns(tmp_path):
    rows = [["客户编号", "提货日期", "货物价款", "货款回收"]]
    rows += [[7.0 + i % 3, "2026/3/5", "¥1,200", "12万"] for i in range(40)]  # ids typed as numbers
    rows += [[9.0, "２０２６-０３-０５", "１２３", "abc"], [None, "2026年3月5日", "(1,200.50)", " 8 "]]
    path = _write(tmp_path / "t.xlsx", rows, title=LEDGER.zh)
    new = _taken(path)
    assert new.typed_as_text["amount"][2] == "¥1,200"
    assert new.frame["customer_id"].iat[0] == "7"


def test_fast_read_of_a_day_column_with_times_and_sub_millisecond_iso_dates(tmp_path):
    rows = [["客户编号", "提货日期", "货物价款"]]
    rows += [["C1", dt.datetime(2026, 3, 5, 23, 59, 59, 999999), 1.0], ["C2", dt.datetime(2026, 3, 6), 2.0]]
    rows += [["C3", dt.datetime(1904, 1, 2), 3.0], ["C4", dt.datetime(2200, 12, 31, 12), 4.0]]
    path = _write(tmp_path / "d.xlsx", rows, title=LEDGER.zh)
    _taken(path)
    iso = tmp_path / "iso.xlsx"
    wb = openpyxl.Workbook()
    wb.iso_dates = True
    ws = wb.active
    ws.title = LEDGER.zh
    ws.append(["客户编号", "提货日期", "货物价款"])
    for i, day in enumerate([dt.datetime(2026, 3, 5, 1), dt.datetime(2026, 3, 6), dt.datetime(2026, 3, 7)]):
        ws.append([f"C{i}", day, 1.0])
    wb.save(iso)
    _edit_sheet(iso, lambda x: x.replace("2026-03-05T01:00:00", "2026-03-05T23:59:59.9999"))
    _taken(iso)


def test_fast_read_of_customers_and_through_the_file_book(tmp_path):
    rows = [["客户编号", "公司名称", "忠诚度"]] + [[f"K{i}", f"公司{i % 3}", float(i % 10)] for i in range(30)]
    path = _write(tmp_path / "c.xlsx", rows, title=CUSTOMERS.zh)
    _taken(path, CUSTOMERS)
    ledger = _write(tmp_path / "l.xlsx", _clean_rows(300, 3), title=LEDGER.zh)
    _same(_calamine(ledger)[0], FileBook(ledger).read_table(LEDGER))


def test_fast_read_logs_nothing_for_a_column_of_blanks(tmp_path, capfd):
    path = _write(tmp_path / "l.xlsx", _clean_rows(50, 4), title=LEDGER.zh)
    _fast(path)
    assert capfd.readouterr().err == ""


# ---- every fallback ---------------------------------------------------------------------------
def _ledger(tmp_path, edit=None, **kw) -> Path:
    rows = [["客户编号", "提货日期", "货物价款", "备注"]]
    rows += [[f"C{i}", dt.datetime(2026, 1, 1 + i % 28), float(i), "x"] for i in range(30)]
    if edit:
        edit(rows)
    return _write(tmp_path / "f.xlsx", rows, title=LEDGER.zh, **kw)


def _set(r: int, c: int, v):
    def edit(rows):
        rows[r][c] = v

    return edit


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ((5, 2), "¥1,200"),  # text in a number column
        ((5, 2), "12万"),
        ((5, 2), "１２３"),
        ((5, 2), True),  # a boolean in a number column
        ((5, 0), 7.0),  # a number in a text column
        ((5, 1), "2026/3/5"),  # text in a date column
        ((5, 1), 45000.0),  # a plain number in a date column
        ((5, 3), dt.datetime(2026, 1, 1)),  # a date in a text column
    ],
)
def test_a_column_of_mixed_types_falls_back(tmp_path, cell, value):
    path = _ledger(tmp_path, _set(*cell, value))
    _refused(path, "fastexcel refused the sheet: UnsupportedColumnTypeCombinationError")


def test_a_sheet_that_may_hold_error_cells_falls_back(tmp_path):
    path = _ledger(tmp_path, _set(5, 2, "#DIV/0!"), errors=["C6"])
    with pytest.raises(fastbook.Fallback, match="error cell"):
        _fast(path, may_hold_errors=lambda name: True)
    with pytest.raises(fastbook.Fallback, match="not known to hold no error cell"):
        _fast(path, may_hold_errors=None)
    old = read_book_table(path, LEDGER, fast=False)[0]
    book = FileBook(path)  # its package saw the t="e" cell
    _same(old, book.read_table(LEDGER))
    assert [(i.row, i.value) for i in old.issues] == [(6, "#DIV/0!")]


@pytest.mark.parametrize(("start_row", "start_col"), [(2, 1), (3, 2)])
def test_a_table_below_the_first_row_falls_back(tmp_path, start_row, start_col):
    path = _ledger(tmp_path, start_row=start_row, start_col=start_col)
    _refused(path, "does not start at the sheet's first row")


def test_a_table_right_of_the_first_column_is_read_fast(tmp_path):
    _taken(_ledger(tmp_path, start_col=3))


def test_a_first_row_whose_only_cell_has_an_empty_value_falls_back(tmp_path):
    path = _ledger(tmp_path, start_row=2)
    _edit_sheet(path, lambda x: x.replace("<sheetData>", '<sheetData><row r="1"><c r="A1"><v></v></c></row>', 1))
    _refused(path, "does not start at the sheet's first row")


def test_a_title_row_falls_back(tmp_path):
    path = _ledger(tmp_path, lambda rows: rows.insert(0, ["客户业绩统计及信用评估表"]))
    _refused(path, "fastexcel refused the sheet")  # the header's texts above the dates and numbers


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no text in the first row"),  # a blank header cell
        (dt.datetime(2026, 1, 1), "no text in the first row"),
        (True, "no text in the first row"),
        (2024.0, "may be a number"),  # fastexcel names it "2024", calamine reads 2024.0
        ("2024", "may be a number"),
        ("TRUE", "may be a boolean"),
        ("备注", "made unique"),  # fastexcel names the second 备注 "备注_1"
    ],
)
def test_a_first_row_cell_that_is_no_plain_text_falls_back(tmp_path, header, reason):
    def edit(rows):
        rows[0].append(header)
        for r in rows[1:]:
            r.append("y")

    _refused(_ledger(tmp_path, edit), reason)


def test_a_blank_text_header_is_read_fast(tmp_path):
    def edit(rows):
        rows[0].append("   ")
        for r in rows[1:]:
            r.append("y")

    _taken(_ledger(tmp_path, edit))


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (3, dt.datetime(2026, 1, 1), "holds dates but is not a date column"),  # an extra column of dates
        (1, dt.datetime(1903, 12, 31), "outside 1904-01-02"),
        (1, dt.datetime(2201, 1, 1), "outside 1904-01-02"),
    ],
)
def test_dates_fastexcel_cannot_type_as_calamine_fall_back(tmp_path, column, value, reason):
    def edit(rows):
        for r in rows[1:]:
            r[column] = value

    _refused(_ledger(tmp_path, edit), reason)


def test_a_column_of_times_or_durations_falls_back(tmp_path):
    def times(rows):
        for r in rows[1:]:
            r[1] = dt.time(12, 30)

    _refused(_ledger(tmp_path, times), "outside 1904-01-02")  # a time of day reads as 1899-12-31

    def durations(rows):
        for r in rows[1:]:
            r[3] = dt.timedelta(hours=30)

    _refused(_ledger(tmp_path, durations), "of type duration")


def test_a_header_refused_falls_back_and_the_calamine_path_raises_it(tmp_path):
    path = _ledger(tmp_path, _set(0, 2, "别的"))  # the required 货物价款 is missing
    with pytest.raises(fastbook.Fallback, match="the header is refused: InputError"):
        _fast(path)
    with pytest.raises(InputError, match="货物价款"):
        read_book_table(path, LEDGER, may_hold_errors=NO_ERRORS)


def test_a_broken_file_or_another_format_falls_back(tmp_path):
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(fastbook.Fallback, match="fastexcel cannot open it"):
        _fast(broken)
    with pytest.raises(fastbook.Fallback, match="not an .xlsx"):
        _fast(tmp_path / "l.ods")


def test_names_equal_but_for_case_are_read_fast_by_position(tmp_path):
    def edit(rows):
        rows[0].append("X")
        rows[0].append("x")
        for r in rows[1:]:
            r += ["a", "b"]

    new = _taken(_ledger(tmp_path, edit))  # DuckDB renames one of them: the columns are taken by position
    assert new.frame["X"].iat[0] == "a" and new.frame["x"].iat[0] == "b"


def _edit_sheet(path: Path, change) -> None:
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in items if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    items[name] = change(items[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in items.items():
            z.writestr(n, b)


# ---- why the rules are needed: what calamine reads there, that fastexcel's columns cannot tell
def test_a_serial_just_off_midnight_is_a_datetime_to_calamine_so_an_extra_date_column_falls_back(tmp_path):
    def edit(rows):
        for r in rows[1:]:
            r[3] = 46023.000000001  # 2026-01-01 and 86 microseconds: fastexcel's milliseconds say midnight

    path = _ledger(tmp_path, edit)
    wb = openpyxl.load_workbook(path)
    for row in wb.active.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "yyyy-mm-dd"
    wb.save(path)
    old = _refused(path, "holds dates but is not a date column")
    assert old.frame["备注"].iat[0] == dt.datetime(2026, 1, 1)  # a datetime, where a whole serial is a date
    assert type(old.frame["备注"].iat[0]) is dt.datetime


def test_a_number_header_is_its_float_text_to_calamine_so_it_falls_back(tmp_path):
    def edit(rows):
        rows[0].append(2024.0)
        for r in rows[1:]:
            r.append("y")

    old = _refused(_ledger(tmp_path, edit), "may be a number")
    assert "2024.0" in old.frame.columns  # fastexcel names the column "2024"


def test_the_file_book_takes_the_fast_path_on_a_clean_ledger(tmp_path, monkeypatch):
    taken = []
    read = fastbook.read

    def counted(*a, **kw):
        out = read(*a, **kw)
        taken.append(out[1])
        return out

    monkeypatch.setattr(fastbook, "read", counted)
    path = _write(tmp_path / "l.xlsx", _clean_rows(100, 5), title=LEDGER.zh)
    _same(_calamine(path)[0], FileBook(path).read_table(LEDGER))
    assert taken == [LEDGER.zh]


def test_a_1904_workbook_is_read_fast_with_the_same_days(tmp_path):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = LEDGER.zh
    ws.append(["客户编号", "提货日期", "货物价款", "回收日期"])
    for i in range(20):
        ws.append([f"C{i}", dt.datetime(2026, 1, 1) + dt.timedelta(days=i, hours=i % 3 * 7), float(i), None])
    ws.append(["C9", dt.datetime(1904, 1, 2), 1.0, dt.datetime(2026, 5, 1)])
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    new = _taken(path)
    assert new.frame["date"].iat[1] == dt.datetime(2026, 1, 2)


@pytest.mark.parametrize("damage", ["cut", "unclosed"])
def test_a_sheet_whose_xml_is_cut_off_falls_back_and_is_refused_as_before(tmp_path, damage):
    from xlgrade.errors import CorruptPartError

    rows = [["客户编号", "提货日期", "货物价款"]] + [[f"C{i}", dt.datetime(2026, 1, 1), float(i)] for i in range(3000)]
    path = _write(tmp_path / "t.xlsx", rows, title=LEDGER.zh)
    if damage == "cut":
        _edit_sheet(path, lambda x: x[: len(x) * 2 // 3])
    else:
        _edit_sheet(path, lambda x: x.replace("</sheetData>", "").replace("</worksheet>", ""))
    with pytest.raises(fastbook.Fallback, match="CalamineError"):
        _fast(path)
    with pytest.raises(CorruptPartError, match="not readable XML"):
        read_book_table(path, LEDGER, may_hold_errors=NO_ERRORS)
