"""Seed 000's 顾客档案分析表 (service stores): the "6∕15" sessions cell, its validation
messages, the computed columns at their boundaries, the monthly job writing them, the form
in the zh and en templates and the demo rows."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from filebookprobe import file_book_of
from hypothesis import given, settings
from hypothesis import strategies as st
from memorybook import MemoryBook

from xlgrade import demo_data, demo_store, parse
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.store import analyse, step_rank
from xlgrade.errors import ParseError, RuleError
from xlgrade.issues import IGNORED
from xlgrade.job import store as job_store
from xlgrade.job.monthly import run_month
from xlgrade.normalize import normalize
from xlgrade.schema import model
from xlgrade.schema.sheets import CUSTOMERS, LEDGER, STORE_CLIENTS, VALIDATION
from xlgrade.sessions import Sessions, format_sessions, parse_sessions
from xlgrade.workbook import formhead, styles, template
from xlgrade.workbook.template import InputData, build

AS_OF = pd.Timestamp("2026-10-31")
NOW = dt.datetime(2026, 11, 23, 9, 30)


# ---- the sessions cell ----------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(
    bought=st.integers(0, 10_000),
    data=st.data(),
    slash=st.sampled_from(["/", "\u2215", "\u2044", "\uff0f"]),
    pad=st.lists(st.sampled_from(["", " ", "  ", "\u3000", "\t"]), min_size=4, max_size=4),
    wide=st.booleans(),
    times=st.booleans(),
)
def test_sessions_round_trip(bought, data, slash, pad, wide, times):
    left = data.draw(st.integers(0, bought))
    one, two = str(left), str(bought)
    if wide:  # full-width digits, as an IME types them
        one, two = (s.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}) for s in (one, two))
    unit = "次" if times else ""
    text = f"{pad[0]}{one}{unit}{pad[1]}{slash}{pad[2]}{two}{unit}{pad[3]}"
    got = parse_sessions(text)
    assert got == Sessions(left, bought)
    assert got.used == bought - left
    assert parse_sessions(format_sessions(got)) == got
    assert parse.parse(text, model.SESSIONS) == got


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6/15", (6, 15)),
        ("6\u221515", (6, 15)),  # the seed's division slash
        ("6\u2215 15 ", (6, 15)),  # as the seed prints it: “6∕ 15 ”
        ("６／１５", (6, 15)),
        ("0/0", (0, 0)),
        ("15/15", (15, 15)),
        ("6次/15次", (6, 15)),
        ("+6/15", (6, 15)),
    ],
)
def test_sessions_accepted(text, expected):
    assert parse_sessions(text) == Sessions(*expected)


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000", float("nan"), pd.NaT])
def test_blank_sessions_are_none(blank):
    assert parse_sessions(blank) is None


@pytest.mark.parametrize(
    "value, en, zh",
    [
        ("16/15", "16 sessions left is more than the 15 bought", "剩余次数 16 多于总次数 15"),
        ("6.5/15", "whole numbers", "次数应为整数"),
        ("6/15.5", "whole numbers", "次数应为整数"),
        ("-1/15", "cannot be negative", "次数不能为负数"),
        ("6/-15", "cannot be negative", "次数不能为负数"),
        ("15", "is not left/bought", "剩余次数/总次数"),
        ("6/", "is not left/bought", "剩余次数/总次数"),
        ("/15", "is not left/bought", "剩余次数/总次数"),
        ("6/15/20", "is not left/bought", "剩余次数/总次数"),
        ("6-15", "is not left/bought", "剩余次数/总次数"),
        ("六/十五", "is not left/bought", "剩余次数/总次数"),
        (0.4, "is a number", "是数字"),
        (6, "is a number", "是数字"),
        (np.float64(0.4), "is a number", "是数字"),
        (dt.datetime(2026, 6, 15), "turned into a date", "转成了日期"),
        (pd.Timestamp("2026-06-15"), "turned into a date", "转成了日期"),
        (True, "TRUE/FALSE", "逻辑值"),
    ],
)
def test_sessions_refused(value, en, zh):
    with pytest.raises(ParseError) as info:
        parse_sessions(value)
    assert en in info.value.reason and zh in info.value.reason_zh


# ---- the validation messages ----------------------------------------------------------------------
def raw_store(rows: list[dict], lang: str = "zh") -> pd.DataFrame:
    """Rows as the sheet holds them: header texts of the input columns."""
    frame = pd.DataFrame(rows)
    return frame.rename(columns={k: STORE_CLIENTS.column(k).header(lang) for k in frame.columns}).astype(object)


def test_a_bad_sessions_cell_is_reported_and_the_row_kept():
    raw = raw_store(
        [
            {"holder": "赵敏", "sessions": "6∕15", "spend": 800},
            {"holder": "孙悦", "sessions": "16/15", "spend": 900},
            {"holder": "钱晓燕", "sessions": dt.datetime(2026, 6, 15), "spend": 700},
        ]
    )
    out = normalize(raw, STORE_CLIENTS, source="顾客档案分析表", first_row=6)
    assert out.frame["holder"].tolist() == ["赵敏", "孙悦", "钱晓燕"]  # nothing dropped
    assert out.frame["sessions"].tolist() == [Sessions(6, 15), None, None]
    assert [(i.source, i.row, i.column, i.action) for i in out.issues] == [
        ("顾客档案分析表", 7, "项目次数", IGNORED),
        ("顾客档案分析表", 8, "项目次数", IGNORED),
    ]
    first, second = out.issues
    assert first.value == "16/15"
    assert first.reason_in("zh") == "剩余次数 16 多于总次数 15(应写作“剩余/总次数”,如 6∕15)"
    assert first.reason_in("en") == "16 sessions left is more than the 15 bought (write left/bought, e.g. 6/15)"
    assert "6月15日" in second.reason_in("zh") and "15 June" in second.reason_in("en")


def test_english_headers_and_aliases_are_accepted():
    raw = pd.DataFrame(
        {"Customer": ["Amy"], "Beautician": ["Lily"], "Sessions left/bought": ["2/10"], "Visits": [3]}, dtype=object
    )
    out = normalize(raw, STORE_CLIENTS, source="Client file analysis", first_row=6)
    assert out.issues == []
    row = out.frame.iloc[0]
    assert (row["holder"], row["staff"], row["sessions"], row["visits"]) == ("Amy", "Lily", Sessions(2, 10), 3)
    for alias in ("顾客姓名", "美容师", "进店时间", "剩余/总次数"):
        assert STORE_CLIENTS.match_header(alias) is not None, alias


# ---- the computed columns at their boundaries -----------------------------------------------------
def frame_of(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"row": range(6, 6 + n), **columns})


def test_spending_levels_and_visit_classes_at_their_boundaries():
    rules = RuleBook().store  # spend 3000 / 1000, visits 4 / 2: at least = that level
    spend = [3000.0, 2999.99, 1000.0, 999.99, 0.0, None]
    assert step_rank(pd.Series(spend), rules.spend_min).tolist() == [0, 1, 1, 2, 2, pd.NA]
    visits = pd.Series(pd.array([4, 3, 2, 1, 0, None], dtype="Int64"))
    assert step_rank(visits, rules.visit_min).tolist() == [0, 1, 1, 2, 2, pd.NA]


def test_days_away_and_follow_up_at_their_boundaries():
    last = pd.to_datetime(["2026-10-01", "2026-09-30", "2026-10-31", "2026-11-02", None])
    out = analyse(frame_of(last_visit=last), RuleBook().store, AS_OF)
    assert out["days_away"].tolist() == [30, 31, 0, pd.NA, pd.NA]  # a later visit counts no days
    assert out["away"].tolist() == [False, True, False, False, False]  # more than 30 days


def test_sessions_columns_and_renewal_hints():
    sessions = [Sessions(6, 15), Sessions(0, 10), Sessions(2, 10), Sessions(3, 10), Sessions(0, 0), None]
    out = analyse(frame_of(sessions=sessions), RuleBook().store, AS_OF)
    assert out["bought"].tolist() == [15, 10, 10, 10, 0, pd.NA]
    assert out["left"].tolist() == [6, 0, 2, 3, 0, pd.NA]
    assert out["usage"].round(6).tolist()[:4] == [0.6, 1.0, 0.8, 0.7]
    assert out["usage"].isna().tolist()[4:] == [True, True]  # 0∕0 and blank: no share
    assert out["used_up"].tolist() == [False, True, False, False, False, False]
    assert out["renew"].tolist() == [False, False, True, False, False, False]  # 1 to store.renew_left (2)


def test_the_rules_drive_the_classes():
    rules = RuleBook.from_dict(
        {
            "store": {
                "spend_min": "5000; 2000; 500",
                "spend_labels": "钻石; 金; 银; 普通",
                "spend_labels_en": "diamond; gold; silver; basic",
                "away_days": 10,
            }
        }
    )
    frame = frame_of(spend=[5000.0, 1999.0, 499.0], last_visit=pd.to_datetime(["2026-10-21", "2026-10-20", None]))
    cells, _ = job_store.outputs(frame, rules, AS_OF, "zh")
    assert cells["spend_level"].tolist() == ["钻石", "银", "普通"]
    assert cells["follow_up"].tolist() == [None, "11 天未到店,请回访", None]
    with pytest.raises(RuleError, match="store.spend_labels"):
        RuleBook.from_dict({"store": {"spend_min": "5000; 2000; 500"}})  # 4 levels need 4 labels
    with pytest.raises(RuleError, match="store.visit_min"):
        RuleBook.from_dict({"store": {"visit_min": "2; 4"}})


@pytest.mark.parametrize(
    "lang, spend, visits, hint",
    [
        ("zh", "高档", "中频", "40 天未到店,请回访;项目已用完,可推荐续卡"),
        (
            "en",
            "high",
            "regular",
            "40 days away: call the client; sessions used up: offer a new card",
        ),
    ],
)
def test_cells_in_the_workbook_language(lang, spend, visits, hint):
    frame = frame_of(
        sessions=[Sessions(0, 12), Sessions(1, 12)],
        spend=[3200.0, None],
        visits=pd.array([2, None], dtype="Int64"),
        last_visit=pd.to_datetime(["2026-09-21", "2026-10-30"]),
    )
    cells, _ = job_store.outputs(frame, RuleBook(), AS_OF, lang)
    assert list(cells.columns) == ["row", *(c.key for c in STORE_CLIENTS.columns if c.computed)]
    first, second = cells.iloc[0], cells.iloc[1]
    assert (first["spend_level"], first["visit_class"], first["follow_up"]) == (spend, visits, hint)
    assert second["spend_level"] is None and second["visit_class"] is None
    assert second["follow_up"] == {"zh": "仅剩 1 次,可提醒续卡", "en": "1 left: remind to renew"}[lang]


def test_staff_table_sums_what_each_member_of_staff_serves_and_sells():
    frame = pd.DataFrame(
        {
            "row": [6, 7, 8, 9, 10],
            "holder": ["赵敏", "赵敏", "孙悦", "钱晓燕", "吴倩"],
            "card_seller": ["周丽", "王芳", "王芳", None, "王芳"],
            "staff": ["王芳", "王芳", "李娜", "李娜", None],
            "sessions": [Sessions(6, 15), Sessions(0, 5), Sessions(2, 10), None, Sessions(1, 1)],
            "spend": [3000.0, 500.0, None, 1200.0, 100.0],
            "visits": pd.array([4, 1, None, 2, 0], dtype="Int64"),
            "last_visit": pd.to_datetime(["2026-10-30", "2026-10-30", "2026-09-01", "2026-10-30", None]),
        }
    )
    analysed = analyse(frame, RuleBook().store, AS_OF)
    table = job_store.staff_rows(frame, analysed, "zh").set_index("staff")
    assert table.index.tolist() == sorted(["周丽", "李娜", "王芳"]) + ["(未填)"]  # a row without 服务人员 last
    wang, li, zhou, blank = table.loc["王芳"], table.loc["李娜"], table.loc["周丽"], table.loc["(未填)"]
    assert (wang["clients"], wang["cards_sold"], wang["spend"]) == (1, 3, 3500.0)  # one holder, two cards
    assert (wang["bought"], wang["left"], wang["usage"]) == (20, 6, pytest.approx(0.7))
    assert (wang["avg_visits"], wang["top_level"], wang["frequent"], wang["follow_up"]) == (2.5, 1, 1, 0)
    assert (li["clients"], li["cards_sold"], li["spend"], li["avg_visits"]) == (2, 0, 1200.0, 2.0)
    assert (li["bought"], li["left"], li["follow_up"]) == (10, 2, 1)  # 孙悦: 60 days away
    assert (zhou["clients"], zhou["cards_sold"], zhou["bought"]) == (0, 1, 0) and pd.isna(zhou["usage"])
    assert (blank["clients"], blank["cards_sold"], blank["bought"], blank["left"]) == (1, 0, 1, 1)
    assert list(job_store.staff_rows(frame, analysed, "en")["staff"])[-1] == "(not entered)"


# ---- the monthly job -------------------------------------------------------------------------------
def inputs(lang: str) -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame({"customer_id": ["K1"], "company": ["恒达商贸"]})
    ledger = pd.DataFrame({"customer_id": ["K1"], "date": [pd.Timestamp("2026-10-05")], "amount": [1200.0]})
    store = [
        {"holder": "赵敏", "staff": "王芳", "sessions": "6∕15", "spend": 3000, "visits": 4, "last_visit": "2026-10-01"},
        {
            "holder": "孙悦",
            "staff": "李娜",
            "sessions": "16/15",
            "spend": 999.99,
            "visits": 1,
            "last_visit": "2026-09-30",
        },
        {"holder": "钱晓燕", "staff": "李娜", "sessions": "６／１５", "spend": None, "visits": None},
    ]

    def header(sheet, frame):
        return frame.rename(columns={c.key: c.header(lang) for c in sheet.columns}).astype(object)

    return {
        "customers": header(CUSTOMERS, customers),
        "ledger": header(LEDGER, ledger),
        "store_clients": raw_store(store, lang),
    }


@pytest.fixture(params=["memory", "file"])
def make_book(request, tmp_path: Path):
    if request.param == "memory":
        return MemoryBook
    return lambda tables, **kw: file_book_of(tmp_path / "book.xlsx", tables, **kw)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_monthly_job_fills_the_computed_columns_and_reports_bad_cells(make_book, lang):
    book = make_book(inputs(lang), lang=lang)
    run_month(book, "2026-10", now=NOW)
    cells = book.computed["store_clients"].set_index("row")
    first_row = 2 if isinstance(book, MemoryBook) else formhead.TABLE_ROW + 1
    rows = [first_row, first_row + 1, first_row + 2]

    def ints(key: str) -> list[int | None]:
        return [None if pd.isna(v) else int(v) for v in cells.loc[rows, key]]

    assert ints("bought") == [15, None, 15]  # 16/15 is refused: no session figures
    assert ints("left") == [6, None, 6]
    assert float(cells.loc[rows[0], "usage"]) == pytest.approx(0.6)
    words = {"zh": ("高档", "高频", "低档", "低频"), "en": ("high", "frequent", "low", "occasional")}[lang]
    assert (cells.loc[rows[0], "spend_level"], cells.loc[rows[0], "visit_class"]) == words[:2]
    assert (cells.loc[rows[1], "spend_level"], cells.loc[rows[1], "visit_class"]) == words[2:]
    assert int(cells.loc[rows[0], "days_away"]) == 30 and int(cells.loc[rows[1], "days_away"]) == 31
    assert pd.isna(cells.loc[rows[0], "follow_up"])
    assert cells.loc[rows[1], "follow_up"] == {"zh": "31 天未到店,请回访", "en": "31 days away: call the client"}[lang]
    validation = book.written["validation"]
    bad = validation[validation["value"] == "16/15"]
    assert len(bad) == 1
    line = bad.iloc[0]
    assert str(line["sheet"]).endswith(STORE_CLIENTS.name(lang))
    assert int(line["row"]) == rows[1]
    assert line["column"] == STORE_CLIENTS.column("sessions").header(lang)
    expected = {
        "zh": "剩余次数 16 多于总次数 15(应写作“剩余/总次数”,如 6∕15)",
        "en": "16 sessions left is more than the 15 bought (write left/bought, e.g. 6/15)",
    }[lang]
    assert line["reason"] == expected
    assert list(validation.columns) == VALIDATION.keys()
    staff = book.written["store_staff"].set_index("staff")
    assert sorted(staff.index) == ["李娜", "王芳"]
    assert int(staff.loc["李娜", "clients"]) == 2 and int(staff.loc["李娜", "follow_up"]) == 1
    assert int(staff.loc["王芳", "bought"]) == 15 and int(staff.loc["王芳", "left"]) == 6
    if not isinstance(book, MemoryBook):
        assert book.typed_changes() == []  # no cell staff typed was changed


def test_a_last_visit_after_the_as_of_date_is_noted():
    tables = inputs("zh")
    tables["store_clients"].loc[2, "最近到店"] = "2026-11-05"  # typed ahead: recalculating October
    book = MemoryBook(tables)
    run_month(book, "2026-10", now=NOW)
    assert pd.isna(book.computed["store_clients"].set_index("row").loc[4, "days_away"])
    validation = book.written["validation"]
    note = validation[validation["sheet"] == STORE_CLIENTS.zh]
    assert note["column"].tolist() == ["项目次数", "最近到店"]
    assert "晚于评估日 2026-10-31" in note["reason"].iloc[1] and "第 4 行" in note["reason"].iloc[1]


def test_a_workbook_without_the_store_sheet_still_runs(tmp_path):
    from xlgrade.workbook.filebook import FileBook

    path = tmp_path / "old.xlsx"
    wb = build("zh")
    del wb[STORE_CLIENTS.zh]  # a workbook from before the 顾客档案分析表
    template.save(wb, path)
    result = run_month(FileBook(path), "2026-10", now=NOW)
    assert result.month == pd.Period("2026-10", freq="M")


# ---- the form in the templates ---------------------------------------------------------------------
@pytest.fixture(scope="module", params=["zh", "en"])
def committed(request):
    lang = request.param
    return lang, openpyxl.load_workbook(template.template_path(lang))


def test_the_form_is_in_both_committed_templates(committed):
    lang, wb = committed
    ws = wb[STORE_CLIENTS.name(lang)]
    top = formhead.TABLE_ROW
    assert [c.value for c in ws[top]] == STORE_CLIENTS.headers(lang)
    assert ws.tables[STORE_CLIENTS.table].ref.startswith(f"A{top}:")
    assert ws["A1"].value == STORE_CLIENTS.name(lang)
    # the head: 店名, 店经理, 整理时间, each with an unlocked cell to type into
    for col, (row, label, at) in formhead.head_cells(STORE_CLIENTS, lang).items():
        field = next(f for f in STORE_CLIENTS.fields if f.key == col)
        assert ws.cell(row=row, column=label).value == field.header(lang)
        assert ws.cell(row=row, column=at).protection.locked is False
    assert [f.zh for f in STORE_CLIENTS.fields] == ["店名", "店经理", "整理时间"]
    notes = ws.cell(row=formhead.NOTES_ROW, column=1).value
    if lang == "zh":
        assert notes.startswith("使用说明:") and "已有项目15次还剩余6次" in notes and "美容师的特长和问题" in notes
        assert "留客" in ws.cell(row=formhead.MOTTO_ROW, column=1).value
    else:
        assert notes.startswith("Instructions:") and "15 sessions bought, 6 of them left" in notes
    # print: A4 landscape, one page wide, head and notes printed, the header row repeated
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_area.split("!")[1].replace("$", "").startswith("A1:")
    assert ws.print_title_rows == f"${top}:${top}"
    # the sessions column is text, so a typed 6/15 is not turned into a date; computed columns locked
    letter = {c.key: openpyxl.utils.get_column_letter(i) for i, c in enumerate(STORE_CLIENTS.columns, start=1)}
    assert ws[f"{letter['sessions']}{top + 1}"].number_format == "@"
    assert ws[f"{letter['holder']}{top + 1}"].protection.locked is False
    assert ws[f"{letter['follow_up']}{top + 1}"].protection.locked is True


def test_the_sessions_role_is_text():
    assert styles.ROLES[styles.INPUT_ROLE[model.SESSIONS]].number_format == "@"


# ---- the demo --------------------------------------------------------------------------------------
def test_demo_store_rows_are_deterministic_and_valid():
    one, two = demo_store.generate(), demo_store.generate()
    pd.testing.assert_frame_equal(one.clients, two.clients)
    assert 8 <= len(one.clients) <= 20
    assert set(one.head) == {f.key for f in STORE_CLIENTS.fields}
    assert all(parse_sessions(s) is not None for s in one.clients["sessions"])
    raw = raw_store(one.clients.to_dict("records"))
    assert normalize(raw, STORE_CLIENTS, source="s", first_row=6).issues == []


def test_the_demo_workbook_shows_the_form_filled():
    demo = demo_data.generate(n_customers=20, months=12)
    wb = openpyxl.load_workbook(io.BytesIO(template.to_bytes(build("zh", InputData.from_demo(demo)))))
    ws = wb[STORE_CLIENTS.zh]
    store = demo_store.generate(as_of=demo.as_of)
    (row, _, at) = formhead.head_cells(STORE_CLIENTS)["store"]
    assert ws.cell(row=row, column=at).value == store.head["store"]
    top = formhead.TABLE_ROW
    assert ws.tables[STORE_CLIENTS.table].ref.endswith(str(top + len(store.clients)))
    assert ws.cell(row=top + 1, column=1).value == store.clients["holder"].iloc[0]
    # the other demo tables draw as they did: the store rows come from their own generator
    again = demo_data.generate(n_customers=20, months=12)
    pd.testing.assert_frame_equal(demo.ledger, again.ledger)
