"""The workbook is truthful without any add-in: formula cells carry the values they yield.

After a monthly run the customer summary's 订单次数 / 累计金额 / 客户等级 and the cards' lookup
fields hold, as cached results, what their formulas compute (xlgrade.job.live,
cards.shown_value), read here without any spreadsheet (python-calamine, openpyxl).
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xlgrade import demo_data
from xlgrade.cells import by_name
from xlgrade.engine.rules import RuleBook
from xlgrade.job import live
from xlgrade.job.cardfacts import ACTIVITY_COLUMNS
from xlgrade.job.monthly import run_month
from xlgrade.normalize import normalize
from xlgrade.schema.sheets import ANALYSIS, CUSTOMERS, HISTORY, LEDGER, ORG_CARD, SHEETS, VALIDATION
from xlgrade.workbook import cards
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.package import Package
from xlgrade.workbook.template import InputData, build, save

AS_OF = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def demo():
    return demo_data.generate(n_customers=40)


def _book(tmp_path, demo, rules: RuleBook | None = None):
    path = tmp_path / "demo.xlsx"
    save(build("zh", InputData.from_demo(demo), rules), path)
    run_month(FileBook(path), "2026-10")
    return path


def _rows(path, sheet: str) -> pd.DataFrame:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_cached_values_equal_the_formulas_and_history(tmp_path, demo):
    path = _book(tmp_path, demo)
    summary = _rows(path, CUSTOMERS.zh)
    history = _rows(path, HISTORY.zh)
    october = history[history["月份"] == "2026-10"].set_index("客户编号")
    ledger = demo.ledger.assign(date=pd.to_datetime(demo.ledger["date"]))
    window = ledger[(ledger["date"] > "2025-10-31") & (ledger["date"] <= AS_OF)]
    for _, row in summary.iterrows():
        mine = window[window["customer_id"] == row["客户编号"]]
        assert row["订单次数"] == len(mine)  # COUNTIFS over the window
        assert row["累计金额"] == pytest.approx(mine["amount"].sum())  # SUMIFS over the window
        assert row["客户等级"] == by_name("ABCGRADE")(row["订单次数"], row["累计金额"])
        assert row["客户等级"] == october.at[row["客户编号"], "计算等级"]  # the job's computed grade
    # the formulas are still there, and the file says its cached results are current
    ws = openpyxl.load_workbook(path)[CUSTOMERS.zh]
    assert str(ws["M2"].value).startswith("=ABCGRADE(") and str(ws["K2"].value).startswith("=COUNTIFS(")
    assert "fullCalcOnLoad" not in Package(path).text("xl/workbook.xml")


def test_the_card_shows_its_customers_row(tmp_path, demo):
    path = _book(tmp_path, demo)
    summary = _rows(path, CUSTOMERS.zh).set_index("客户编号")
    first = InputData.from_demo(demo).picks["customers"]  # the template's first pick
    card = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(ORG_CARD.zh).to_python()
    _, placed, _ = cards.layout(cards.ORG_CARD)
    shown = {p.field.key: card[p.value_cell[0] - 1][p.value_cell[1] - 1] for p in placed}
    assert shown["grade"] == summary.at[first, "客户等级"]
    assert shown["orders_all"] == summary.at[first, "订单次数"]
    assert shown["volume_all"] == pytest.approx(summary.at[first, "累计金额"])
    assert shown["company"] == summary.at[first, "公司名称"]
    ws = openpyxl.load_workbook(path)[ORG_CARD.zh]
    row, col = next(p.value_cell for p in placed if p.field.key == "company")
    assert str(ws.cell(row=row, column=col).value).startswith("=IF($B$3")  # the formula is kept


def test_the_cards_trading_fields_are_the_analysis_sheets_row(tmp_path, demo):
    path = _book(tmp_path, demo)
    pick = InputData.from_demo(demo).picks["customers"]
    analysis = _rows(path, ANALYSIS.zh).set_index("客户编号")
    profiles = demo.profiles.set_index("customer_id")
    wb = openpyxl.load_workbook(path, data_only=True)
    for card, keys in (
        (cards.ORG_CARD, ("daily_sales", "products", "last_order_date", "last_paid_date", "business_status")),
        (cards.PERSON_CARD, ("products", "last_order_date", "occupation", "annual_income", "credit_grade")),
    ):
        ws = wb[SHEETS[card.sheet_key].zh]
        _, placed, _ = cards.layout(card)
        shown = {p.field.key: ws.cell(*p.value_cell).value for p in placed}
        for key in keys:
            assert shown[key] not in (None, ""), (card.sheet_key, key)  # the demo's card has them all
        for key in set(keys) & set(ACTIVITY_COLUMNS):
            expected = analysis.at[pick, ANALYSIS.column(key).zh]
            if hasattr(expected, "year"):  # calamine reads a date cell as a date, openpyxl as a datetime
                assert pd.Timestamp(shown[key]) == pd.Timestamp(expected), key
            else:
                assert shown[key] == (pytest.approx(expected) if isinstance(expected, float) else expected), key
        if "occupation" in keys:
            assert shown["occupation"] == profiles.at[pick, "occupation"]
            assert shown["annual_income"] == profiles.at[pick, "annual_income"]
        assert ws[f"A{cards.MESSAGE_ROW}"].value in (None, "")  # a known id: no message


def test_an_unknown_pick_gets_the_message_as_cached_result(tmp_path, demo):
    path = tmp_path / "unknown.xlsx"
    data = InputData.from_demo(demo)
    save(
        build(
            "zh", InputData(data.customers, data.profiles, data.ledger, data.complaints, picks={"customers": "KH9999"})
        ),
        path,
    )
    run_month(FileBook(path), "2026-10")
    ws = openpyxl.load_workbook(path, data_only=True)[ORG_CARD.zh]
    assert ws[f"A{cards.MESSAGE_ROW}"].value == "客户编号“KH9999”不在「客户归类汇总表」中:请从下拉列表选择"
    assert ws["B6"].value in (None, "")  # the fields stay blank
    formula = openpyxl.load_workbook(path)[ORG_CARD.zh][f"A{cards.MESSAGE_ROW}"].value
    assert formula == cards.message_formula(cards.ORG_CARD, "zh")


@pytest.mark.parametrize(
    "method,formula", [("pareto", "=PARETOGRADE("), ("scorecard", "=SCOREGRADE(SCORECARD("), ("composite", None)]
)
def test_the_grade_column_follows_the_method(tmp_path, demo, method, formula):
    rules = RuleBook().updated({"general.method": method})
    path = _book(tmp_path, demo, rules)
    summary = _rows(path, CUSTOMERS.zh)
    history = _rows(path, HISTORY.zh)
    october = history[history["月份"] == "2026-10"].set_index("客户编号")["计算等级"]
    assert summary.set_index("客户编号")["客户等级"].to_dict() == october.to_dict()
    cell = openpyxl.load_workbook(path)[CUSTOMERS.zh]["M2"].value
    if formula is None:
        assert not str(cell).startswith("=") and cell in october.to_numpy()  # a plain value
    else:
        assert str(cell).startswith(formula)


def test_rows_a_live_formula_counts_differently_are_notes():
    raw = pd.DataFrame(
        {
            "客户编号": ["C1", "C1", "C1", "C2"],
            "销售序号": ["S1", "S1", "S2", "S9"],
            "提货日期": [
                pd.Timestamp("2026-09-01"),
                pd.Timestamp("2026-09-02"),
                "2026/9/3",
                pd.Timestamp("2026-09-04"),
            ],
            "货物价款": [100.0, 200.0, 300.0, "1.2万"],
        },
        dtype=object,
    )
    read = normalize(raw, LEDGER, source="台账", first_row=2)
    from xlgrade.engine import frames

    ledger = frames.prepare_ledger(read.frame)
    notes = live.notes(ledger, read, RuleBook(), AS_OF)
    assert [(n.row, n.column, n.value, n.action) for n in notes] == [
        (3, "销售序号", "S1", "note"),
        (4, "提货日期", "2026/9/3", "note"),
        (5, "货物价款", "1.2万", "note"),
    ]
    assert "与第 2 行销售序号相同" in notes[0].reason_zh
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "row": [2, 3]})
    cells = live.customer_cells(
        customers, ledger, read.typed_as_text, RuleBook(), AS_OF, pd.Series({"C1": "C", "C2": "C"})
    )
    # COUNTIFS counts C1's lines with a numeric date (2); SUMIFS leaves out C2's text amount
    assert cells["orders_all"].tolist() == [2, 1] and cells["volume_all"].tolist() == [300.0, 0.0]


def test_notes_reach_the_validation_sheet(tmp_path, demo):
    path = tmp_path / "demo.xlsx"
    data = InputData.from_demo(demo)
    ledger = data.ledger.copy()
    ledger.loc[ledger.index[-1], "sale_no"] = ledger["sale_no"].iloc[-2]
    ledger.loc[ledger.index[-1], "customer_id"] = ledger["customer_id"].iloc[-2]
    save(
        build(
            "zh", InputData(customers=data.customers, ledger=ledger, complaints=data.complaints, profiles=data.profiles)
        ),
        path,
    )
    run_month(FileBook(path), "2026-10")
    validation = _rows(path, VALIDATION.zh)
    assert (validation["列"] == "销售序号").sum() == 1
