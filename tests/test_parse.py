"""Every form xlgrade.parse accepts, and every form it refuses, per column type."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlgrade import parse
from xlgrade.parse import ParseError
from xlgrade.schema.model import TYPES

D = dt.datetime


def refused(fn, value) -> ParseError:
    with pytest.raises(ParseError) as info:
        fn(value)
    err = info.value
    assert err.reason and err.reason_zh and str(err) == err.reason
    return err


# ---- blanks -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", TYPES)
@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NaT, pd.NA, "", "   ", "\u3000", "\t\n"])
def test_every_parser_returns_none_for_blank(kind, value):
    assert parse.parse(value, kind) is None


def test_there_is_one_parser_per_column_type():
    assert set(parse.PARSERS) == set(TYPES)


# ---- money / number ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        (1200, 1200.0),
        (1200.5, 1200.5),
        (-35.0, -35.0),
        (np.int64(7), 7.0),
        (np.float64(2.5), 2.5),
        ("1200", 1200.0),
        ("1,234.50", 1234.5),
        ("1,234,567", 1234567.0),
        (" 1,200 ", 1200.0),
        ("¥1,200", 1200.0),
        ("￥1200", 1200.0),
        ("¥ 1,200.00", 1200.0),
        ("1200元", 1200.0),
        ("1,200 元", 1200.0),
        ("RMB 1200", 1200.0),
        ("rmb1200", 1200.0),
        ("CNY 1,200", 1200.0),
        ("人民币1200元", 1200.0),
        ("12万", 120000.0),
        ("12万元", 120000.0),
        ("1.5亿", 150000000.0),
        ("0.1万", 1000.0),
        ("¥12万", 120000.0),
        ("(1,200)", -1200.0),
        ("(¥1,200.50)", -1200.5),
        ("-1,200", -1200.0),
        ("-¥1,200", -1200.0),
        ("¥-1,200", -1200.0),
        ("+5", 5.0),
        ("−5", -5.0),
        ("１，２３４．５０", 1234.5),
        ("１２００\u3000元", 1200.0),
        ("（１，２００）", -1200.0),
        ("1 234", 1234.0),
        (".5", 0.5),
        ("1.2E+05", 120000.0),
        ("-0", 0.0),
    ],
)
@pytest.mark.parametrize("fn", [parse.parse_money, parse.parse_number])
def test_amounts_accepted(fn, value, expected):
    result = fn(value)
    assert isinstance(result, float)
    assert result == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize(
    "value, hint",
    [
        ("1.234,50", "groups of three"),
        ("1,2", "groups of three"),
        ("12,34.5", "groups of three"),
        ("12%", "percentage"),
        ("abc", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        (float("inf"), "finite"),
        (float("-inf"), "finite"),
        (True, "TRUE/FALSE"),
        (False, "TRUE/FALSE"),
        (np.bool_(True), "TRUE/FALSE"),
        (dt.date(2026, 3, 5), "date"),
        ("--5", "not a number"),
        ("(-5)", "brackets"),
        ("¥", "not a number"),
        ("元", "not a number"),
        ("万", "not a number"),
        ("$1,200", "not a number"),
        ("12万万", "not a number"),
        ("1.2.3", "not a number"),
        ("-", "not a number"),
        ("1e999", "finite"),
    ],
)
@pytest.mark.parametrize("fn", [parse.parse_money, parse.parse_number])
def test_amounts_refused(fn, value, hint):
    assert hint in refused(fn, value).reason


def test_refusal_carries_chinese_reason():
    err = refused(parse.parse_money, "1.234,50")
    assert "小数点" in err.reason_zh
    assert isinstance(err, ValueError)


# ---- integer ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected", [(12, 12), (12.0, 12), ("1,200", 1200), ("3万", 30000), ("-4", -4), ("１２", 12)]
)
def test_integer_accepted(value, expected):
    result = parse.parse_integer(value)
    assert result == expected and isinstance(result, int)


@pytest.mark.parametrize("value", [12.5, "12.5", "abc", True, "5%"])
def test_integer_refused(value):
    refused(parse.parse_integer, value)


# ---- score ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected", [(0, 0.0), (10, 10.0), (7.5, 7.5), ("8", 8.0), ("8分", 8.0), ("８", 8.0), (" 9.5 ", 9.5)]
)
def test_score_accepted(value, expected):
    assert parse.parse_score(value) == expected


@pytest.mark.parametrize("value", [11, -1, 10.01, "12", "-0.5", "100"])
def test_score_outside_range_refused(value):
    assert "outside 0-10" in refused(parse.parse_score, value).reason


@pytest.mark.parametrize("value", ["abc", "80%", True, "¥5", "1万"])
def test_score_non_numbers_refused(value):
    refused(parse.parse_score, value)


# ---- share ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        (0, 0.0),
        (0.8, 0.8),
        (1, 1.0),
        ("0.8", 0.8),
        ("80%", 0.8),
        ("80 %", 0.8),
        ("８０％", 0.8),
        ("100%", 1.0),
        ("0%", 0.0),
        ("12.5%", 0.125),
        ("0.5%", 0.005),
    ],
)
def test_share_accepted(value, expected):
    assert parse.parse_share(value) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("value", [80, 1.5, "80", "100", 100])
def test_share_between_1_and_100_without_percent_is_ambiguous(value):
    err = refused(parse.parse_share, value)
    assert "ambiguous" in err.reason and "80%" in err.reason


@pytest.mark.parametrize("value", [-0.1, 101, "120%", "-5%", "150"])
def test_share_outside_range_refused(value):
    assert "outside" in refused(parse.parse_share, value).reason


@pytest.mark.parametrize("value", ["abc", "abc%", True])
def test_share_non_numbers_refused(value):
    refused(parse.parse_share, value)


# ---- dates ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 3, 5), D(2026, 3, 5)),
        (D(2026, 3, 5, 14, 0), D(2026, 3, 5)),
        (pd.Timestamp("2026-03-05 14:00"), D(2026, 3, 5)),
        (np.datetime64("2026-03-05T10:00"), D(2026, 3, 5)),
        (45000, D(2023, 3, 15)),
        (45000.0, D(2023, 3, 15)),
        (45000.75, D(2023, 3, 15)),
        ("45000", D(2023, 3, 15)),
        ("2026/3/5", D(2026, 3, 5)),
        ("2026-03-05", D(2026, 3, 5)),
        ("2026.3.5", D(2026, 3, 5)),
        ("2026年3月5日", D(2026, 3, 5)),
        ("2026年03月05日", D(2026, 3, 5)),
        ("2026 年 3 月 5 日", D(2026, 3, 5)),
        ("2026-03-05 14:00", D(2026, 3, 5)),
        ("2026/3/5 9:05:30", D(2026, 3, 5)),
        ("20260305", D(2026, 3, 5)),
        (20260305, D(2026, 3, 5)),
        ("２０２６－０３－０５", D(2026, 3, 5)),
        (" 2026-03-05 ", D(2026, 3, 5)),
        ("2026-3-5", D(2026, 3, 5)),
        ("1900-01-01", D(1900, 1, 1)),
        ("2200-12-31", D(2200, 12, 31)),
    ],
)
def test_date_accepted(value, expected):
    result = parse.parse_date(value)
    assert result == expected and type(result) is dt.datetime


@pytest.mark.parametrize(
    "value, hint",
    [
        ("3/5/2026", "day and month"),
        ("05/03/2026", "day and month"),
        ("5.3.2026", "day and month"),
        ("26/3/5", "two-digit"),
        ("2026-02-30", "no such date"),
        ("2026-13-01", "no such date"),
        ("2026年2月29日", "no such date"),
        ("1899-12-31", "1900-2200"),
        ("2201-01-01", "1900-2200"),
        (D(1850, 1, 1), "1900-2200"),
        (0, "outside"),
        (-5, "outside"),
        (2958466, "outside"),
        (2026, "outside"),
        ("2026", "outside"),
        (9999, "outside"),
        (2958465, "1900-2200"),
        ("abc", "not a date"),
        ("2026年3月", "not a date"),
        ("2026/3-5", "not a date"),
        (True, "TRUE/FALSE"),
        ("2026-03-05 25:00", "no such time"),
        (float("inf"), "outside"),
    ],
)
def test_date_refused(value, hint):
    assert hint in refused(parse.parse_date, value).reason


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-05 14:00", D(2026, 3, 5, 14, 0)),
        ("2026/3/5 9:05:30", D(2026, 3, 5, 9, 5, 30)),
        ("2026-03-05T14:00:00", D(2026, 3, 5, 14)),
        ("2026年3月5日 14时30分", D(2026, 3, 5, 14, 30)),
        ("2026年3月5日14:30", D(2026, 3, 5, 14, 30)),
        ("2026年3月5日 9点", D(2026, 3, 5, 9)),
        ("2026年3月5日14时30分15秒", D(2026, 3, 5, 14, 30, 15)),
        ("2026-03-05", D(2026, 3, 5)),
        (D(2026, 3, 5, 14, 30), D(2026, 3, 5, 14, 30)),
        (45000.5, D(2023, 3, 15, 12)),
        (45000.604166666664, D(2023, 3, 15, 14, 30)),
        ("2026-03-05 14:00:00.5", D(2026, 3, 5, 14, 0, 0, 500000)),
        (pd.Timestamp("2026-03-05 14:00", tz="Asia/Shanghai"), D(2026, 3, 5, 14)),
    ],
)
def test_datetime_keeps_the_time(value, expected):
    assert parse.parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["3/5/2026 14:00", "2026-03-05 14", "2026-03-05 14:60", "14:00", "abc"])
def test_datetime_refused(value):
    refused(parse.parse_datetime, value)


# ---- id / text / grade ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("C001", "C001"),
        ("  C001\u3000", "C001"),
        ("Ｃ００１", "C001"),
        (1001, "1001"),
        (1001.0, "1001"),
        (np.float64(1001.0), "1001"),
        ("1001.0", "1001.0"),
        ("001", "001"),
        (123456789012345678, "123456789012345678"),
    ],
)
def test_id_accepted(value, expected):
    assert parse.parse_id(value) == expected


@pytest.mark.parametrize(
    "value, hint",
    [
        (True, "TRUE/FALSE"),
        (1001.5, "whole"),
        (dt.date(2026, 1, 1), "date"),
        (1.2345678901234567e17, "too long"),
        (float("inf"), "whole"),
    ],
)
def test_id_refused(value, hint):
    assert hint in refused(parse.parse_id, value).reason


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  华东 区 ", "华东 区"),
        ("\u3000Ｃ公司\u3000", "Ｃ公司"),
        (13800138000.0, "13800138000"),
        (12, "12"),
        (1.5, "1.5"),
        (True, "TRUE"),
        (dt.date(2026, 3, 5), "2026-03-05"),
        (D(2026, 3, 5, 14, 0), "2026-03-05 14:00:00"),
        ("line1\nline2", "line1\nline2"),
    ],
)
def test_text_keeps_content_as_typed(value, expected):
    assert parse.parse_text(value) == expected


@pytest.mark.parametrize("value, expected", [(" A ", "A"), ("Ａ", "A"), ("VIP客户", "VIP客户"), (1, "1")])
def test_grade(value, expected):
    assert parse.parse_grade(value) == expected


# ---- property: formatted amounts parse back ------------------------------------------------------
FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


def _formatted(cents: int, style: int, full: bool) -> str:
    value = cents / 100
    text = f"{abs(value):,.2f}"
    if style == 0:
        text = ("-" if value < 0 else "") + text
    elif style == 1:
        text = ("-" if value < 0 else "") + "¥" + text
    elif style == 2:
        text = f"({text})" if value < 0 else text
    elif style == 3:
        text = ("-" if value < 0 else "") + text + "元"
    else:
        text = ("-" if value < 0 else "") + "RMB " + text
    return text.translate(FULL_WIDTH) if full else text


@settings(max_examples=300)
@given(st.integers(min_value=-(10**13), max_value=10**13), st.integers(min_value=0, max_value=4), st.booleans())
def test_formatted_amount_parses_back(cents, style, full):
    text = _formatted(cents, style, full)
    assert parse.parse_money(text) == pytest.approx(cents / 100, rel=1e-12, abs=1e-9), text


@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=0, max_value=4))
def test_wan_amounts_parse_back(n, decimals):
    text = f"{n / 10**decimals:.{decimals}f}万"
    assert math.isclose(parse.parse_money(text), n / 10**decimals * 10_000, rel_tol=1e-12)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_round_trip_in_every_written_form(day):
    expected = dt.datetime(day.year, day.month, day.day)
    serial = (expected - parse.EXCEL_EPOCH).days
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
    ]
    if serial >= parse.SERIAL_MIN:  # smaller numbers are refused as probable years
        forms += [serial, str(serial)]
    for form in forms:
        assert parse.parse_date(form) == expected, form
