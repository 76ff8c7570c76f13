"""The printable forms written from the rules (xlgrade.job.forms): seed 000's 客户分类/等级划分表
grouped by deal stage with its definitions and sign-off, seed 004's customer types and seed
000's grading strategy, in the templates and in a recalculated demo workbook."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from tests.memorybook import MemoryBook
from xlgrade import demo_data
from xlgrade.engine import frames, matrices
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import RuleError
from xlgrade.job import forms
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import CLASSIFICATION, CUSTOMERS, GRADE_STRATEGY, LEDGER, LOYALTY_TYPES, PROFILES, SHEETS
from xlgrade.workbook import template
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save

AS_OF = pd.Timestamp("2026-10-31")
FORMS = (CLASSIFICATION, LOYALTY_TYPES, GRADE_STRATEGY)


def _ledger(rows) -> pd.DataFrame:
    return frames.prepare_ledger(pd.DataFrame(rows, columns=["customer_id", "date", "amount", "product"]))


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["now", "old", "new", "ret", "prob"],
            "company": ["现有公司", "老客户公司", "新客户公司", "退货公司", "意向公司"],
            "address": ["北京市一路1号", "上海市二路2号", None, "", "广州市三路3号"],
            "phone": ["010-1", "021-2", "", None, "020-5"],
            "close_probability": [None, None, None, None, 0.8],
        }
    )


LEDGER_ROWS = [
    ("now", "2026-09-01", 500.0, "电芯 B21"),
    ("now", "2026-08-01", 300.0, "移动电源 P10"),
    ("now", "2026-07-01", 300.0, "移动电源 P10"),  # P10 600 > B21 500 in the window
    ("now", "2024-01-01", 9000.0, "电芯 B21"),  # before the window: does not count
    ("old", "2024-03-01", 800.0, "移动电源 P20"),
    ("old", "2024-04-01", 200.0, "电芯 B21"),
    ("old", "2024-05-01", 900.0, ""),  # no product: not counted
    ("ret", "2026-09-01", -100.0, "电芯 B21"),  # only a return: no purchase
    ("led", "2026-10-01", 50.0, "B"),  # in the ledger only, not on the customer summary
    ("led", "2026-10-02", 50.0, "A"),  # a tie: the product named first wins
    ("late", "2026-11-05", 70.0, "X"),  # after the as-of date: not in the population
]


def _classified(lang="zh", rules=None, profiles=None):
    rules = rules or RuleBook()
    ledger, customers = _ledger(LEDGER_ROWS), _customers()
    deal = matrices.deal_stage(ledger, frames.prepare_customers(customers), rules, AS_OF)
    return forms.classification_table(deal, customers, profiles, ledger, rules, AS_OF, lang)


# ---- the grouping ---------------------------------------------------------------------------------
def test_every_customer_in_exactly_one_group_in_the_seeds_order():
    table = _classified()
    assert list(table.columns) == CLASSIFICATION.keys()
    assert sorted(table["customer_id"]) == sorted(["now", "old", "new", "ret", "prob", "led"])
    assert table["customer_id"].is_unique
    groups = dict(zip(table["customer_id"], table["stage"]))
    assert groups == {
        "old": "曾经有过交易",
        "led": "正在进行交易",
        "now": "正在进行交易",
        "new": "即将进行交易",  # no ledger line at all
        "prob": "即将进行交易",  # a prospect: its potential class does not make another group
        "ret": "即将进行交易",  # a return is not a purchase
    }
    # 曾经 / 正在 / 即将, ids ascending within a group
    assert list(table["customer_id"]) == ["old", "led", "now", "new", "prob", "ret"]


def test_groups_follow_the_stage_rules_and_language():
    rules = RuleBook().updated({"matrix.months": 36, "matrix.stage_labels_en": "past; current; prospect"})
    zh = _classified("zh", rules)
    assert set(zh.loc[zh["customer_id"] == "old", "stage"]) == {"正在进行交易"}  # 2024 is within 36 months
    en = _classified("en", rules)
    assert dict(zip(en["customer_id"], en["stage"]))["new"] == "prospect"
    assert set(en["stage"]) == {"current", "prospect"}


def test_the_seed_columns_come_from_the_summary_profiles_and_ledger():
    profiles = pd.DataFrame({"customer_id": ["now", "old"], "decision_maker": ["张伟", " 李娜 "]})
    table = _classified(profiles=profiles).set_index("customer_id")
    assert table.at["now", "company"] == "现有公司"
    assert table.at["now", "address"] == "北京市一路1号" and table.at["now", "phone"] == "010-1"
    assert table.at["now", "legal_rep"] == "张伟" and table.at["old", "legal_rep"] == "李娜"
    assert table.at["new", "legal_rep"] is None and table.at["new", "address"] is None
    assert table.at["now", "main_product"] == "移动电源 P10"  # the top product in the window
    assert table.at["old", "main_product"] == "移动电源 P20"  # no line in the window: all history
    assert table.at["led", "main_product"] == "A"  # tie: first in sort order
    assert table.at["ret", "main_product"] is None  # a return is never the main product
    assert table.at["new", "main_product"] is None


# ---- the definitions follow the rules ------------------------------------------------------------------
def test_definitions_are_the_rule_books_thresholds():
    lines = forms.definitions(RuleBook(), "zh")
    assert lines[1] == "A级客户(关键客户):近 12 个月订单次数超过 5 次并且累计金额超过 100,000。"
    assert "超过 3 次并且累计金额超过 10,000" in lines[2]
    assert "不超过 3 次或累计金额不超过 10,000" in lines[3]
    changed = RuleBook().updated(
        {
            "threshold.a_orders_over": 8,
            "threshold.a_volume_over": 250000,
            "threshold.window_months": 0,
            "abc.labels": "甲; 乙; 丙",
            "abc.names_en": "strategic; main; small",
        }
    )
    zh = forms.definitions(changed, "zh")
    assert zh[1] == "甲级客户(关键客户):累计订单次数超过 8 次并且累计金额超过 250,000。"
    assert zh[2].startswith("乙级客户") and "不属 甲 级" in zh[2]
    en = forms.definitions(changed, "en")
    assert en[1] == "甲 (strategic customers): more than 8 orders and amount above 250,000 over all history."
    assert not any("100,000" in line for line in zh + en)


@pytest.mark.parametrize(
    "rules,a_line,b_part",
    [
        ({"general.method": "pareto", "pareto.a_share": "70%"}, "排在其前面的客户合计占比低于 70%", "低于 95%"),
        (
            {"general.method": "pareto", "pareto.strategy": "top_n", "pareto.a_top_n": 12},
            "排在其前面的客户少于 12 家",
            "少于 30 家",
        ),
        (
            {"general.method": "pareto", "pareto.strategy": "absolute", "pareto.window_months": 0},
            "A级客户(关键客户):累计金额至少 100,000。",
            "累计金额至少 10,000",
        ),
        (
            {"general.method": "composite", "composite.split": "bands", "composite.b_min_score": 55},
            "至少 80 分",
            "综合得分至少 55 分",
        ),
        ({"general.method": "composite", "composite.a_count_share": 0.1}, "参与排名客户的 10%", "客户的 50%"),
        ({"general.method": "scorecard"}, "订单次数超过 5 次", "订单次数超过 3 次"),  # no A/B/C: the seed's own
    ],
)
def test_definitions_follow_the_workbooks_method(rules, a_line, b_part):
    book = RuleBook().updated(rules)
    lines = forms.definitions(book, "zh")
    assert a_line in lines[1] and b_part in lines[2] and lines[3].startswith("C级客户")
    assert list(forms.grade_strategy_table(book, "zh")["criteria"]) == list(forms.criteria(book, "zh"))
    assert len(forms.definitions(book, "en")) == 4


def test_notes_end_with_the_sign_off_line_once():
    table = _classified()
    notes = forms.classification_notes(RuleBook(), "zh", table, AS_OF)
    texts = [n.text for n in notes]
    assert [n.kind for n in notes][-1] == "sign_off"
    assert sum("记录" in t for t in texts) == 1 and "审核" in texts[-1] and "日期" in texts[-1]
    assert "截至 2026-10-31:曾经有过交易 1 家,正在进行交易 2 家,即将进行交易 3 家" in texts
    en = [n.text for n in forms.classification_notes(RuleBook(), "en")]
    assert en[-1].startswith("Recorded by:") and not any("记录" in t or "等级" in t for t in en)


@pytest.mark.parametrize("method", ["threshold", "pareto", "composite"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_note_line_is_wider_than_the_printed_table(method, lang):
    rules = RuleBook().updated({"general.method": method, "threshold.a_volume_over": 123456789.5})
    notes = forms.classification_notes(rules, lang)
    assert all(forms.text_width(n.text) <= forms.NOTE_WIDTH for n in notes)
    lines = forms.definitions(rules, lang)[1:]
    body = [n.text for n in notes[1:-1]]
    assert "".join("".join(body).split()) == "".join("".join(lines).split())  # nothing lost, nothing added


def test_fit_breaks_after_punctuation_else_at_the_width():
    cont = forms.CONTINUATION
    assert forms.fit("短句", 10) == ["短句"]
    assert forms.fit("一二,三四五六", 8) == ["一二,", cont + "三四", cont + "五六"]
    assert forms.fit("abc defg hij", 8) == ["abc", cont + "defg", cont + "hij"]
    assert forms.fit("abcdefghij", 6) == ["abcdef", cont + "gh", cont + "ij"]


# ---- the reference sheets follow the rules ---------------------------------------------------------------
def test_customer_types_say_what_the_matrix_rules_say():
    rules = RuleBook().updated({"matrix.loyal_min": 7, "matrix.months": 6, "matrix.volume_split": "median"})
    table = forms.loyalty_types_table(rules, "zh")
    assert list(table.columns) == LOYALTY_TYPES.keys()
    assert list(table["label"]) == [*rules.matrix.loyalty_labels, rules.matrix.not_assessed_label]
    assert table.at[0, "loyalty"] == "忠诚:忠诚度 ≥ 7" and table.at[1, "loyalty"] == "不忠诚:忠诚度 < 7"
    assert table.at[0, "sales"] == "大:近 6 个月销售金额高于中位数(有销售的客户)"
    assert "最宝贵的财富" in table.at[0, "description"] and "淘汰" in table.at[3, "description"]
    en = forms.loyalty_types_table(rules, "en")
    assert list(en["label"])[:4] == list(rules.matrix.loyalty_labels_en)
    assert en.at[0, "loyalty"] == "loyal: loyalty ≥ 7" and "median" in en.at[0, "sales"]


def test_grading_strategy_says_what_the_rules_say():
    rules = RuleBook().updated(
        {"complaints.tier1_days": 2, "staffing.b_per_rep": 4, "staffing.c_per_rep_max": 8, "threshold.b_orders_over": 2}
    )
    table = forms.grade_strategy_table(rules, "zh")
    assert list(table.columns) == GRADE_STRATEGY.keys()
    assert list(table["grade"]) == ["A", "B", "C"] and list(table["meaning"]) == ["关键客户", "主要客户", "普通客户"]
    assert list(table["complaint_days"]) == [2, 3, 7]
    assert list(table["staffing"]) == ["每名业务员负责 1 家", "每名业务员负责 4 家", "每名业务员负责 3–8 家"]
    assert list(table["criteria"]) == list(forms.criteria(rules, "zh"))
    assert "超过 2 次" in table.at[1, "criteria"]
    en = forms.grade_strategy_table(rules, "en")
    assert list(en["meaning"]) == ["key", "major", "ordinary"] and en.at[0, "service"].startswith("Look after")


def test_the_strategy_texts_are_rules_shown_in_the_rules_sheet():
    """Seed 004's type texts and seed 000's strategies are rules (zh and en twins), not catalogue text."""
    rules = RuleBook().updated(
        {
            "abc.strategy_b": "每月回访一次",
            "abc.strategy_b_en": "call monthly",
            "matrix.loyalty_strategies": "保持; 盯紧; 培养; 放弃",
            "matrix.loyalty_text_small_loyal": "值得培养的新客户",
        }
    )
    assert forms.grade_strategy_table(rules, "zh").at[1, "service"] == "每月回访一次"
    assert forms.grade_strategy_table(rules, "en").at[1, "service"] == "call monthly"
    types = forms.loyalty_types_table(rules, "zh")
    assert list(types["strategy"])[:4] == ["保持", "盯紧", "培养", "放弃"]
    assert types.at[2, "description"] == "值得培养的新客户"
    keys = {spec.key: spec for spec in RuleBook.specs()}
    for key in ("abc.strategy_a", "matrix.loyalty_strategies", "matrix.loyalty_text_large_loyal"):
        assert keys[key].lang == "zh" and keys[key + "_en"].lang == "en"
        assert keys[key].zh and keys[key].en and keys[key + "_en"].name_in("zh") != keys[key].name_in("zh")
    with pytest.raises(RuleError, match="matrix.loyalty_strategies"):
        RuleBook().updated({"matrix.loyalty_strategies": "保持; 培养"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_strategy_changed_in_the_rules_sheet_is_printed_after_recalc(tmp_path, lang):
    from tests.filebookprobe import set_rule
    from xlgrade import demo_data
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    path = tmp_path / "book.xlsx"
    save(build(lang, InputData.from_demo(demo_data.generate(n_customers=30, lang=lang))), path)
    twin = "" if lang == "zh" else "_en"
    texts = {
        f"abc.strategy_c{twin}": "电话维护为主" if lang == "zh" else "phone calls only",
        f"matrix.loyalty_text_large_disloyal{twin}": "要特别小心" if lang == "zh" else "take great care",
        f"matrix.loyalty_strategies{twin}": "保持; 盯紧; 培养; 放弃" if lang == "zh" else "keep; watch; grow; drop",
    }
    wb = openpyxl.load_workbook(path, read_only=True)
    before = _texts(wb[GRADE_STRATEGY.name(lang)]) + _texts(wb[LOYALTY_TYPES.name(lang)])
    wb.close()
    assert not any(t in before for t in ("电话维护为主", "phone calls only", "要特别小心", "take great care"))
    for key, value in texts.items():
        set_rule(path, key, value)
    run_month(FileBook(path), "2026-10")
    wb = openpyxl.load_workbook(path, read_only=True)
    strategy, types = _texts(wb[GRADE_STRATEGY.name(lang)]), _texts(wb[LOYALTY_TYPES.name(lang)])
    assert texts[f"abc.strategy_c{twin}"] in strategy
    assert texts[f"matrix.loyalty_text_large_disloyal{twin}"] in types
    assert all(t in types for t in texts[f"matrix.loyalty_strategies{twin}"].split("; "))


# ---- the monthly job writes them ---------------------------------------------------------------------
def test_the_job_writes_the_forms_and_the_notes_under_the_classification():
    raw = {
        "customers": _customers().rename(columns={c.key: c.zh for c in CUSTOMERS.columns}),
        "ledger": pd.DataFrame(LEDGER_ROWS[:-1], columns=["客户编号", "提货日期", "货物价款", "产品"]),
        "profiles": pd.DataFrame({"客户编号": ["now"], "企业决策领导": ["张伟"]}),
    }
    rules = RuleBook().updated({"complaints.tier2_days": 4})
    book = MemoryBook(raw, rules=rules)
    run_month(book, "2026-10", now=pd.Timestamp("2026-11-10").to_pydatetime())
    table = book.written["classification"].set_index("customer_id")
    assert table.at["now", "legal_rep"] == "张伟" and table.at["old", "stage"] == "曾经有过交易"
    assert book.notes["classification"][-1].kind == "sign_off"
    assert list(book.written["grade_strategy"]["complaint_days"]) == [1, 4, 7]
    assert len(book.written["loyalty_types"]) == 5


# ---- templates and the demo workbook ------------------------------------------------------------------
def _texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_committed_templates_hold_the_forms(lang):
    wb = openpyxl.load_workbook(template.template_path(lang))
    for sheet in FORMS:
        ws = wb[sheet.name(lang)]
        assert [c.value for c in ws[1]][: len(sheet.columns)] == sheet.headers(lang)
        assert ws.tables[sheet.table].ref.startswith("A1:")
        assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
    rules = RuleBook()
    strategy = wb[GRADE_STRATEGY.name(lang)]
    assert [c.value for c in strategy["C"][1:4]] == list(forms.criteria(rules, lang))
    types = wb[LOYALTY_TYPES.name(lang)]
    assert types.max_row == 6
    form = wb[CLASSIFICATION.name(lang)]
    texts = _texts(form)
    sign = forms.sign_off(lang)
    assert texts.count(sign) == 1 and texts[-1] == sign
    assert forms.definitions(rules, lang)[1] in texts
    assert form.oddHeader.right.text == CLASSIFICATION.form == "MF/Q 102/A"
    last = int(form.print_area.split("$")[-1])
    assert form.cell(row=last, column=1).value == sign  # the sign-off line prints, once, last
    if lang == "en":
        assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for s in FORMS for t in _texts(wb[s.en]))


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    demo = demo_data.generate(n_customers=40)
    path = tmp_path_factory.mktemp("forms") / "demo.xlsx"
    save(build("zh", InputData.from_demo(demo)), path)
    run_month(FileBook(path), "2026-10")
    return demo, path


def test_the_demo_workbook_has_the_forms_filled(demo_book):
    demo, path = demo_book
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(CLASSIFICATION.zh).to_python()
    assert rows[0] == CLASSIFICATION.headers("zh")
    n = len(demo.customers)
    body = rows[1 : 1 + n]
    assert sorted(r[1] for r in body) == sorted(demo.customers["customer_id"])
    assert {r[0] for r in body} <= set(RuleBook().matrix.stage_labels)
    assert sum(1 for r in body if r[6]) > n // 2  # most customers have a main product
    notes = [r[0] for r in rows[1 + n :] if r[0]]
    assert notes[-1] == forms.sign_off("zh") and sum("记录" in t for t in notes) == 1
    assert any(t.startswith("截至 2026-10-31:") for t in notes)
    for sheet, count in ((LOYALTY_TYPES, 5), (GRADE_STRATEGY, 3)):
        assert len(wb.get_sheet_by_name(sheet.zh).to_python()) == count + 1
    area = openpyxl.load_workbook(path)[CLASSIFICATION.zh].print_area
    assert area.endswith(f"$G${len(rows)}")  # the print area takes in the sign-off line


def test_a_second_run_leaves_the_forms_as_they_were(demo_book):
    _, path = demo_book
    before = {s.zh: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(s.zh).to_python() for s in FORMS}
    run_month(FileBook(path), "2026-10")
    after = {s.zh: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(s.zh).to_python() for s in FORMS}
    assert after == before  # the notes are replaced, never stacked under the old ones


def test_the_forms_are_declared_once():
    for sheet in FORMS:
        assert SHEETS[sheet.key] is sheet
    assert {c.key for c in CLASSIFICATION.columns} >= {"company", "address", "legal_rep", "phone", "main_product"}
    assert PROFILES.column("decision_maker").zh == "企业决策领导" and LEDGER.column("product").zh == "产品"
