"""normalize: headers, types, blank rows, bad cells with their real row numbers, duplicates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlgrade import parse
from xlgrade.checks import check_duplicates, check_known, resolve_names
from xlgrade.engine import frames
from xlgrade.errors import InputError
from xlgrade.issues import IGNORED, NOTE, SKIPPED
from xlgrade.normalize import (
    Normalized,
    find_header,
    normalize,
    normalize_rows,
    parse_column,
    scan,
)
from xlgrade.schema import COMPLAINTS, CUSTOMERS, LEDGER
from xlgrade.schema import sheets as sheet_declarations
from xlgrade.schema.model import header_key

D = dt.datetime


def ledger_rows() -> list[list]:
    """A ledger as staff type it: merged title row, Chinese headers, an extra column, mess."""
    return [
        ["客户业绩统计及信用评估表", None, None, None, None],  # row 1: title
        ["客户编号", "提货日期", "货物价款", "备注", "提货量"],  # row 2: header
        ["C001", dt.date(2026, 3, 5), 1200.0, "首单", 3.0],  # row 3
        [1002.0, "2026/3/6", "¥1,200", None, "5"],  # row 4
        [None, None, "", "  ", None],  # row 5: blank
        ["C003", "3/5/2026", "12万", "补单", None],  # row 6: ambiguous date
        ["C004", "2026-03-07", "abc", None, None],  # row 7: bad amount
        ["", "2026-03-08", 50.0, None, None],  # row 8: blank id
        ["C005", "2026年3月9日", "(300)", None, "几箱"],  # row 9: bad optional
        [None, None, None, None, None],  # row 10: trailing blank
    ]


@pytest.fixture
def ledger() -> Normalized:
    return normalize_rows(ledger_rows(), LEDGER, source="book.xlsx")


def test_header_found_below_the_title_row(ledger):
    assert ledger.header_row == 2
    assert ledger.headers == {"customer_id": "客户编号", "date": "提货日期", "amount": "货物价款", "quantity": "提货量"}


def test_frame_is_typed_with_keys_row_numbers_and_extra_columns(ledger):
    f = ledger.frame
    assert list(f.columns) == ["customer_id", "quantity", "date", "amount", "row", "备注"]
    assert f["customer_id"].dtype == object and f["备注"].dtype == object
    assert f["amount"].dtype == "float64" and f["quantity"].dtype == "float64"
    assert f["date"].dtype == "datetime64[ns]" and f["row"].dtype == "int64"
    assert f["row"].tolist() == [3, 4, 9]
    assert f["customer_id"].tolist() == ["C001", "1002", "C005"]
    assert f["amount"].tolist() == [1200.0, 1200.0, -300.0]
    assert f["date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06"), pd.Timestamp("2026-03-09")]
    assert f["quantity"].iloc[:2].tolist() == [3.0, 5.0] and np.isnan(f["quantity"].iloc[2])
    assert f["备注"].tolist() == ["首单", None, None]


def test_every_unusable_row_is_reported_with_row_column_and_raw_value(ledger):
    got = [(i.row, i.column, i.value, i.action) for i in ledger.issues]
    assert got == [
        (5, None, None, NOTE),
        (6, "提货日期", "3/5/2026", SKIPPED),
        (7, "货物价款", "abc", SKIPPED),
        (8, "客户编号", None, SKIPPED),
        (9, "提货量", "几箱", IGNORED),
    ]
    assert all(i.source == "book.xlsx" for i in ledger.issues)
    by_row = {i.row: i for i in ledger.issues}
    assert "blank row" in by_row[5].reason and by_row[5].reason_zh == "空行"
    assert "day and month" in by_row[6].reason
    assert "not a number" in by_row[7].reason and by_row[7].reason_zh
    assert "blank" in by_row[8].reason


def test_no_row_is_lost_silently(ledger):
    data_rows = set(range(3, 10))
    assert set(ledger.frame["row"]) | {i.row for i in ledger.issues if i.action != IGNORED} == data_rows


def test_result_feeds_the_engine(ledger):
    prepared = frames.prepare_ledger(ledger.frame)
    assert prepared["amount"].sum() == 2100.0


def test_raw_frame_is_not_modified():
    raw = pd.DataFrame(
        {
            "客户编号": [" C1 ", "C2", None],
            "日期": ["2026/3/5", "bad", None],
            "金额": ["1,200", "5", None],
            "Notes": ["x", None, None],
        }
    )
    before = raw.copy()
    out = normalize(raw, LEDGER, source="s", first_row=2)
    pd.testing.assert_frame_equal(raw, before)
    assert out.frame["customer_id"].tolist() == ["C1"]
    assert out.headers["date"] == "日期"


def test_english_headers_and_already_typed_columns():
    raw = pd.DataFrame(
        {
            "Customer ID": ["C1", "C2"],
            "Date": pd.to_datetime(["2026-03-05 10:00", "2026-03-06 00:00"]),
            "Amount": [10.5, -2.0],
            "Paid date": [pd.NaT, pd.Timestamp("2026-04-01")],
        }
    )
    out = normalize(raw, LEDGER, source="s", first_row=2)
    assert out.issues == []
    assert out.frame["date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06")]
    assert out.frame["amount"].tolist() == [10.5, -2.0]
    assert out.frame["paid_date"].isna().tolist() == [True, False]


def test_header_variants_are_matched():
    raw = pd.DataFrame({" 客户 编号* ": ["C1"], "销售日期": ["2026-03-05"], "AMOUNT": ["1"], "ＰＲＯＦＩＴ": ["2"]})
    out = normalize(raw, LEDGER, source="s", first_row=2)
    assert set(out.headers) == {"customer_id", "date", "amount", "profit"}
    assert out.frame["profit"].tolist() == [2.0]


def test_missing_required_column_names_source_row_and_column():
    raw = pd.DataFrame({"客户编号": ["C1"], "提货日期": ["2026-03-05"], "备注": ["x"]})
    with pytest.raises(InputError) as info:
        normalize(raw, LEDGER, source="ledger.csv", first_row=3, header_row=2)
    text = str(info.value)
    assert "ledger.csv" in text and "row 2" in text
    assert "amount" in text and "货物价款" in text
    assert info.value.source == "ledger.csv" and info.value.row == 2


def test_missing_required_column_found_by_header_scan():
    rows = [["title"], ["客户编号", "提货日期", "备注"], ["C1", "2026-03-05", "x"]]
    with pytest.raises(InputError, match=r"book\.csv, row 2.*货物价款"):
        normalize_rows(rows, LEDGER, source="book.csv")


def test_no_header_at_all():
    rows = [["a", "b"], [1, 2]]
    with pytest.raises(InputError, match="no header row"):
        normalize_rows(rows, LEDGER, source="x.csv")


def test_two_headers_for_one_column_refused():
    raw = pd.DataFrame([["C1", "2026-03-05", 1, 2]], columns=["客户编号", "日期", "金额", "货物价款"])
    with pytest.raises(InputError, match="金额.*货物价款.*amount"):
        normalize(raw, LEDGER, source="s", first_row=2)


def test_extra_columns_blank_and_repeated_headers():
    raw = pd.DataFrame(
        [["C1", "2026-03-05", 1, "a", "b", None, "z"]], columns=["客户编号", "日期", "金额", "备注", "备注", "", ""]
    )
    raw.iloc[0, 5] = None
    out = normalize(raw, LEDGER, source="s", first_row=2)
    assert out.extras == ["备注", "备注.2", "column 7"]
    assert out.frame[["备注", "备注.2", "column 7"]].iloc[0].tolist() == ["a", "b", "z"]


def test_header_row_is_the_best_match_in_the_first_ten_rows():
    rows = [
        ["说明: 客户编号必须填写"],
        [],
        ["客户编号", "金额"],
        ["客户编号", "日期", "金额", "产品"],
        ["C1", "2026-03-05", 3, "p"],
    ]
    assert find_header(rows, LEDGER, source="s") == 3
    out = normalize_rows(rows, LEDGER, source="s", row_offset=4)
    assert out.header_row == 8 and out.frame["row"].tolist() == [9]


def test_header_beyond_row_ten_is_not_searched():
    rows = [["x"]] * 10 + [["客户编号", "日期", "金额"], ["C1", "2026-03-05", 1]]
    with pytest.raises(InputError):
        find_header(rows, LEDGER, source="s")


def test_optional_bad_values_are_ignored_but_row_kept():
    raw = pd.DataFrame(
        {
            "客户编号": ["C1", "C2", "C3"],
            "渠道覆盖": [8, "12", "很好"],
            "忠诚度": ["7分", 5, None],
            "产品占有率": ["80%", 80, 0.5],
            "人工等级": ["Ａ", None, "B"],
        }
    )
    out = normalize(raw, CUSTOMERS, source="客户归类汇总表", first_row=2)
    f = out.frame
    assert f["row"].tolist() == [2, 3, 4]
    assert f["channel"].tolist()[0] == 8.0 and f["channel"].iloc[1:].isna().all()
    assert f["loyalty"].tolist()[:2] == [7.0, 5.0]
    assert f["share_of_wallet"].iloc[0] == 0.8 and np.isnan(f["share_of_wallet"].iloc[1])
    assert f["manual_grade"].tolist() == ["A", None, "B"]
    got = [(i.row, i.column, i.value, i.action) for i in out.issues]
    assert got == [(3, "渠道覆盖", "12", IGNORED), (3, "产品占有率", 80, IGNORED), (4, "渠道覆盖", "很好", IGNORED)]
    assert "outside 0-10" in out.issues[0].reason


def test_bad_optional_cell_on_a_skipped_row_is_not_reported_twice():
    raw = pd.DataFrame({"客户编号": ["C1"], "日期": ["bad"], "金额": ["bad"], "毛利": ["bad"]})
    out = normalize(raw, LEDGER, source="s", first_row=2)
    assert [(i.column, i.action) for i in out.issues] == [("日期", SKIPPED), ("金额", SKIPPED)]
    assert out.frame.empty and list(out.frame.columns) == ["customer_id", "date", "amount", "profit", "row"]


def test_datetime_columns_keep_time():
    raw = pd.DataFrame(
        {
            "客户编号": ["C1", "C2"],
            "投诉时间": ["2026-03-05 14:30", "2026年3月5日 9时"],
            "回复时间": [None, "2026/3/6 10:00"],
        }
    )
    out = normalize(raw, COMPLAINTS, source="s", first_row=2)
    assert out.frame["complaint_time"].tolist() == [pd.Timestamp("2026-03-05 14:30"), pd.Timestamp("2026-03-05 09:00")]
    assert out.frame["reply_time"].iloc[1] == pd.Timestamp("2026-03-06 10:00")


def test_blank_rows_detected_across_extra_columns_but_not_computed_ones():
    raw = pd.DataFrame(
        {"客户编号": ["C1", None, None, "C4"], "客户等级": [None, "C", None, None], "备注": [None, None, "note", None]}
    )
    out = normalize(raw, CUSTOMERS, source="s", first_row=2)
    assert [(i.row, i.action) for i in out.issues] == [(3, NOTE), (4, SKIPPED)]
    assert out.frame["row"].tolist() == [2, 5]


def test_parse_column_fast_and_slow_paths_agree():
    values = pd.Series(["1,200", "5", " 7.5 ", 3.0, 4, "１２", None, "", "x", True], dtype=object)
    typed, blank, errors = parse_column(values, "money")
    assert typed.iloc[:6].tolist() == [1200.0, 5.0, 7.5, 3.0, 4.0, 12.0]
    assert blank.tolist() == [False] * 6 + [True, True, False, False]
    assert sorted(errors) == [8, 9]


def test_parse_column_dates_mixed_cells():
    values = pd.Series(
        [
            dt.date(2026, 3, 5),
            D(2026, 3, 5, 14),
            "2026-03-05",
            "2026/3/5",
            45000,
            "2026-02-30",
            D(1800, 1, 1),
            pd.Timestamp("2026-03-05"),
        ],
        dtype=object,
    )
    typed, _, errors = parse_column(values, "date")
    assert typed.dtype == "datetime64[ns]"
    assert typed.iloc[:4].tolist() == [pd.Timestamp("2026-03-05")] * 4
    assert typed.iloc[4] == pd.Timestamp("2023-03-15") and typed.iloc[7] == pd.Timestamp("2026-03-05")
    assert sorted(errors) == [5, 6]


def test_parse_column_integer_and_string_dtype():
    typed, _, errors = parse_column(pd.Series(["1", "2.0", None, "2.5"], dtype="str"), "integer")
    assert str(typed.dtype) == "Int64" and typed.iloc[:2].tolist() == [1, 2] and typed.isna().tolist()[2]
    assert list(errors) == [3]


# ---- checks across rows -------------------------------------------------------------------
def test_duplicates_keep_the_first_row():
    raw = pd.DataFrame({"客户编号": ["C1", "C2", "C1", " C1", "C2"], "公司名称": list("abcde")})
    out = normalize(raw, CUSTOMERS, source="客户归类汇总表", first_row=3)
    frame, issues = check_duplicates(out.frame, "customer_id", out.source, column=out.header("customer_id"))
    assert frame["company"].tolist() == ["a", "b"]
    assert [(i.row, i.column, i.value, i.reason, i.action) for i in issues] == [
        (5, "客户编号", "C1", "duplicate of row 3", SKIPPED),
        (6, "客户编号", "C1", "duplicate of row 3", SKIPPED),
        (7, "客户编号", "C2", "duplicate of row 4", SKIPPED),
    ]
    assert issues[0].reason_zh == "与第 3 行重复"


def test_no_duplicates_returns_the_frame_unchanged():
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "row": [2, 3]})
    out, issues = check_duplicates(frame, "customer_id", "s")
    assert issues == [] and out is frame


def test_unknown_customers_are_noted_but_kept():
    frame = pd.DataFrame({"customer_id": ["C1", "C9", "C1", "C8"], "row": [2, 3, 4, 5]})
    issues = check_known(frame, {"C1", "C2"}, "ledger.csv", column="客户编号")
    assert [(i.row, i.value, i.action) for i in issues] == [(3, "C9", NOTE), (5, "C8", NOTE)]
    assert all(i.column == "客户编号" for i in issues)
    assert check_known(frame, set(), "s") == []


def test_resolve_names_maps_ledger_names_to_ids():
    customers = normalize(
        pd.DataFrame({"客户编号": ["C1", "C2", "C3"], "公司名称": ["甲公司", "乙 公司", "乙公司"]}),
        CUSTOMERS,
        source="c",
        first_row=2,
    ).frame
    raw = pd.DataFrame(
        {
            "客户名称": ["甲公司", "丙公司", "乙公司", "", "ＪＩＡ", "甲公司 "],
            "日期": ["2026-03-05"] * 6,
            "金额": [1, 2, 3, 4, 5, 6],
        }
    )
    out = normalize(raw, LEDGER, source="ledger.csv", first_row=2, allow_missing=("customer_id",))
    assert "customer_id" not in out.frame
    frame, issues = resolve_names(out.frame, customers, out.source, column=out.header("customer_name"))
    assert frame["customer_id"].tolist() == ["C1", "C1"]
    assert frame["row"].tolist() == [2, 7]
    assert [(i.row, i.value, i.action) for i in issues] == [
        (3, "丙公司", SKIPPED),
        (4, "乙公司", SKIPPED),
        (5, None, SKIPPED),
        (6, "ＪＩＡ", SKIPPED),
    ]
    assert "several" in issues[1].reason and "C2, C3" in issues[1].reason
    assert frames.prepare_ledger(frame)["amount"].sum() == 7.0


def test_resolve_names_needs_a_name_column():
    frame = pd.DataFrame({"date": [], "amount": [], "row": []})
    with pytest.raises(InputError):
        resolve_names(frame, pd.DataFrame({"customer_id": [], "company": []}), "s")


# ---- property: the vectorised column parser agrees with the cell parser ---------------------
CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.just("  "),
    st.booleans(),
    st.just(float("nan")),
    st.just(float("inf")),
    st.integers(-(10**6), 10**6),
    st.floats(-1e7, 1e7, allow_nan=False),
    st.integers(-(10**7), 10**7).map(lambda n: f"{n:,}"),
    st.integers(-(10**7), 10**7).map(str),
    st.floats(-1e5, 1e5, allow_nan=False).map(lambda x: f" {x:.2f} "),
    st.sampled_from(
        [
            "1,2",
            "1.234,5",
            "12%",
            "80%",
            "¥1,200",
            "12万",
            "(5)",
            "abc",
            "８",
            "C001",
            " Ｃ１ ",
            "2026-03-05",
            "2026/3/5",
            "2026-3-5",
            "2026-02-30",
            "3/5/2026",
            "2026年3月5日",
            "45000",
            "2026-03-05 14:30",
            "1899-12-31",
            "0.5",
            "10",
            "10.5",
            "-0",
            "1e3",
        ]
    ),
    st.dates(dt.date(1800, 1, 1), dt.date(2300, 1, 1)),
    st.datetimes(dt.datetime(1890, 1, 1), dt.datetime(2210, 1, 1)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=30), st.sampled_from(sorted(parse.PARSERS)))
def test_parse_column_agrees_with_parse(cells, kind):
    agrees_with_parse(pd.Series(cells, dtype=object), cells, kind)


# A column of one type throughout takes a shorter way through scan (a reader's float column,
# a CSV's text column): it must agree with parse just the same, and with the general scan.
TEXTS = st.one_of(
    st.just(""),
    st.just("  "),
    st.integers(-(10**7), 10**7).map(str),
    st.floats(-1e5, 1e5, allow_nan=False).map(lambda x: f" {x:.2f} "),
    st.sampled_from(
        ["2026-03-05", "2026/3/5", "２０２６-０３-０５", "2026年3月5日", "1899-12-31", "1900-01-01", "2200-12-31"]
        + ["2201-01-01", "2026-02-30", "¥1,200", "12万", "１２", "1,234.50", "abc", " C1 ", "Ｃ１", "80%", "6∕15"]
    ),
)
FLOATS = st.one_of(st.floats(-1e7, 1e7), st.just(float("nan")), st.just(float("inf")), st.integers(0, 12).map(float))


def agrees_with_parse(values: pd.Series, cells: list, kind: str) -> None:
    typed, blank, errors = parse_column(values, kind)
    for pos, cell in enumerate(cells):
        assert blank[pos] == parse.is_blank(cell)
        try:
            expected = parse.parse(cell, kind)
        except parse.ParseError as exc:
            assert pos in errors and errors[pos].reason == exc.reason, (cell, kind)
            assert pd.isna(typed.iloc[pos])
            continue
        assert pos not in errors, (cell, kind, errors.get(pos))
        got = typed.iloc[pos]
        if expected is None:
            assert pd.isna(got)
        elif kind in ("date", "datetime"):
            assert got == pd.Timestamp(expected), (cell, kind)
        else:
            assert got == expected, (cell, kind)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=30), st.sampled_from(sorted(parse.PARSERS)))
def test_a_text_column_agrees_with_parse(cells, kind):
    agrees_with_parse(pd.Series(cells, dtype=object), cells, kind)


@settings(max_examples=200, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=30), st.sampled_from(sorted(parse.PARSERS)))
def test_a_float_column_agrees_with_parse(cells, kind):
    agrees_with_parse(pd.Series(cells, dtype="float64"), cells, kind)


def general_scan(values: list):
    """The scan of ``values`` by the general way: the same cells with a None after them."""
    cells = scan(pd.Series([*values, None], dtype=object))
    return [getattr(cells, f)[:-1] for f in ("raw", "kinds", "text", "blank")]


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.lists(TEXTS, min_size=1, max_size=20), st.lists(FLOATS, min_size=1, max_size=20)))
def test_one_type_throughout_scans_as_the_general_way(cells):
    dtype = "float64" if isinstance(cells[0], float) else "object"
    for plain_str in (False, True):
        fast = scan(pd.Series(cells, dtype=dtype), plain_str=plain_str)
        assert fast.uniform is type(cells[0])
        same_cells(fast, general_scan(cells))


def same_cells(got_cells, want: list) -> None:
    got = [got_cells.raw, got_cells.kinds, got_cells.text, got_cells.blank]
    for g, w in zip(got, want, strict=True):
        assert len(g) == len(w)
        for a, b in zip(g, w, strict=True):
            assert type(a) is type(b) and (a == b or (a != a and b != b)), (a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=20))
def test_plain_str_is_only_a_hint(cells):
    """A column said to hold no str subclass but holding other cells scans the general way."""
    got = scan(pd.Series(cells, dtype=object), plain_str=True)
    same_cells(got, general_scan(cells))


def test_a_cell_error_among_texts_is_refused_as_before():
    """#N/A is a str subclass: a column of texts with one is not a column of str throughout."""
    values = pd.Series(["2026-03-05", parse.CellError("#N/A"), "2026-03-06"], dtype=object)
    assert scan(values).uniform is None
    typed, _, errors = parse_column(values, "date")
    assert list(errors) == [1] and errors[1].reason == parse.refuse_error(parse.CellError("#N/A")).reason
    assert typed.iloc[[0, 2]].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-03-06")]
    _, _, errors = parse_column(values, "text")
    assert list(errors) == [1]


def test_iso_dates_at_the_year_bounds():
    cells = ["1899-12-31", "1900-01-01", "2200-12-31", "2201-01-01", "1900-01-01"]
    typed, _, errors = parse_column(pd.Series(cells, dtype=object), "date")
    assert sorted(errors) == [0, 3]
    assert typed.iloc[[1, 2, 4]].tolist() == [pd.Timestamp("1900-01-01"), pd.Timestamp("2200-12-31")] + [
        pd.Timestamp("1900-01-01")
    ]
    with pytest.raises(parse.ParseError) as exc:
        parse.parse_date("1899-12-31")
    assert errors[0].reason == exc.value.reason


@pytest.mark.parametrize("sheet", [s for s in vars(sheet_declarations).values() if isinstance(s, type(LEDGER))])
def test_match_header_is_the_column_accepting_the_header(sheet):
    for col in sheet.columns:
        for header in (col.key, col.zh, col.en, *col.aliases, f" {col.zh} ", col.en.upper()):
            assert sheet.match_header(header) is col
    for header in ("no such column", "", "备注x"):
        want = [c for c in sheet.columns if header_key(header) in c.accepted_headers()]
        assert sheet.match_header(header) is (want[0] if want else None)
