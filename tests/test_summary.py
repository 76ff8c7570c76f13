"""The summary sheet's blocks, hand-computed on a small book (xlgrade.job.summary)."""

from __future__ import annotations

import pandas as pd
import pytest

from xlgrade import engine
from xlgrade.engine import dynamics, frames
from xlgrade.engine.rules import RuleBook
from xlgrade.job import derive
from xlgrade.job.outputs import GRADE, INT, MONEY, SHARE, Summary
from xlgrade.job.summary import BLOCKS, build_summary

AS_OF = pd.Timestamp("2026-10-31")
MONTH = pd.Period("2026-10", freq="M")
RULES = RuleBook.from_dict(
    {"threshold": {"a_orders_over": 1, "a_volume_over": 500, "b_orders_over": 0, "b_volume_over": 100}}
)
COLUMNS = ("customer_id", "date", "amount", "profit", "product", "channel_name", "region", "paid_date")

# K1: 3 orders, 900 -> A; K2: 2 orders, 300 -> B; K3: 50 -> C; K4: no lines -> C; K5: 100 - 100 = 0 -> C.
LEDGER = frames.prepare_ledger(
    pd.DataFrame(
        [
            ("K1", "2026-08-01", 300.0, 30.0, "P1", "直销", None, "2026-08-20"),
            ("K1", "2026-09-01", 300.0, 30.0, "P1", "直销", None, "2026-09-20"),
            ("K1", "2026-10-01", 300.0, 40.0, "P2", "分销", None, "2026-10-20"),
            ("K2", "2026-05-01", 200.0, 20.0, "P2", None, "华北", None),  # unpaid: 123 days overdue
            ("K2", "2026-10-10", 100.0, -5.0, "P2", "分销", "华南", None),  # latest line: region 华南
            ("K3", "2026-10-05", 50.0, 5.0, None, "直销", None, "2026-10-06"),
            ("K5", "2026-06-01", 100.0, 10.0, "P1", "直销", None, "2026-06-02"),
            ("K5", "2026-06-15", -100.0, -10.0, "P1", "直销", None, None),
            ("K1", "2026-11-03", 5000.0, 500.0, "P9", "直销", "X", None),  # after as-of: never counts
        ],
        columns=COLUMNS,
    )
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["K1", "K2", "K3", "K4", "K5"],
        "company": ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司"],
        "industry": ["医药", "医药", "电子", None, "电子"],
        "salesperson": ["张", "张", "李", None, "李"],
        "region": ["华东", None, None, None, ""],
        "row": [2, 3, 4, 5, 6],
    }
)
PREVIOUS = pd.Series({"K1": "B", "K2": "B", "K3": "C", "K6": "A"}, name="grade")


def _book(
    lang: str = "zh",
    previous: pd.Series = PREVIOUS,
    ledger: pd.DataFrame = LEDGER,
    complaints: bool = True,
    credit: bool = True,
) -> tuple[Summary, object]:
    graded = engine.grade("threshold", ledger, customers=CUSTOMERS, rules=RULES, as_of=AS_OF)
    graded, _ = dynamics.apply_overrides(graded, CUSTOMERS.set_index("customer_id"))
    cr = engine.grade("credit", ledger, customers=CUSTOMERS, rules=RULES, as_of=AS_OF) if credit else None
    handled = None
    if complaints:
        log = pd.DataFrame(
            {
                "customer_id": ["K1", "K3", "K3", None, "K1"],
                "customer_name": [None, None, None, "无名", None],
                "complaint_time": pd.to_datetime(
                    ["2026-10-20 09:00", "2026-10-10 08:00", "2026-10-12 08:00", "2026-10-30 10:00", "2026-11-02 10:00"]
                ),
                "reply_time": pd.to_datetime([None, "2026-10-10 13:00", "2026-10-12 10:00", None, None]),
                "row": [2, 3, 4, 5, 6],
            }
        )
        handled = derive.handled_complaints(log, graded.grades, CUSTOMERS, RULES, AS_OF)
    summary = build_summary(MONTH, graded, CUSTOMERS, ledger, cr, handled, previous, RULES, AS_OF, lang)
    return summary, graded


@pytest.fixture(scope="module")
def zh() -> Summary:
    return _book("zh")[0]


def _body(block):
    return [list(r) for r in block.rows]


def test_every_block_present_in_order_with_consistent_shapes(zh):
    en, graded = _book("en")
    assert graded.grades.to_dict() == {"K1": "A", "K2": "B", "K3": "C", "K4": "C", "K5": "C"}
    for summary in (zh, en):
        assert tuple(b.key for b in summary.blocks) == BLOCKS
        for b in summary.blocks:
            assert len(b.headers) == len(b.kinds) and b.title
            assert all(len(r) == len(b.headers) for r in b.rows)
            assert b.total is None or len(b.total) == len(b.headers)
            if b.chart is not None:
                used = (b.chart.categories, *b.chart.values) + ((b.chart.line,) if b.chart.line is not None else ())
                assert all(0 <= i < len(b.headers) for i in used)
            if b.grade_column is not None:
                assert b.kinds[b.grade_column] == GRADE
        assert summary.grade_order == ("A", "B", "C")
    assert zh.title == "客户分级汇总 2026-10" and en.title == "Customer grading summary 2026-10"
    assert "阈值 ABC" in zh.subtitle and "2026-10-31" in zh.subtitle and "5 家" in zh.subtitle
    assert "8 行" in zh.subtitle  # ledger lines up to the as-of date
    assert "threshold ABC" in en.subtitle
    assert zh.block("grades").headers[0] == "等级" and en.block("grades").headers[0] == "Grade"


def test_grades_block_counts_sales_profit_and_shares(zh):
    b = zh.block("grades")
    assert b.kinds == (GRADE, INT, SHARE, MONEY, SHARE, MONEY, SHARE)
    assert _body(b) == [
        ["A", 1, 0.2, 900.0, 0.72, 100.0, pytest.approx(100 / 120)],
        ["B", 1, 0.2, 300.0, 0.24, 15.0, pytest.approx(15 / 120)],
        ["C", 3, pytest.approx(0.6), 50.0, 0.04, 5.0, pytest.approx(5 / 120)],
    ]
    assert b.total == ("合计", 5, 1.0, 1250.0, 1.0, 120.0, 1.0)
    for col in (1, 3, 5):
        assert sum(r[col] for r in b.rows) == pytest.approx(b.total[col])
    for col in (2, 4, 6):
        assert sum(r[col] for r in b.rows) == pytest.approx(1.0)
    assert b.chart.kind == "column" and b.chart.values == (2, 4)


def test_pareto_block_is_the_80_20_curve(zh):
    b = zh.block("pareto")
    assert [list(r[:5]) for r in b.rows] == [
        [1, "K1", "甲公司", "A", 900.0],
        [2, "K2", "乙公司", "B", 300.0],
        [3, "K3", "丙公司", "C", 50.0],
    ]  # K4, K5 have no positive sales
    cumulative = [r[6] for r in b.rows]
    assert cumulative == [0.72, 0.96, 1.0]
    assert all(a <= c for a, c in zip(cumulative, cumulative[1:])) and cumulative[-1] == 1.0
    assert sum(r[5] for r in b.rows) == pytest.approx(1.0)
    assert b.total[4] == 1250.0
    assert b.chart.kind == "pareto" and b.chart.values == (4,) and b.chart.line == 6
    assert "前 2 家客户" in b.note  # 72 % < 80 % <= 96 %


def test_pareto_block_uses_the_pareto_value_when_grading_by_pareto():
    graded = engine.grade(
        "pareto", LEDGER, customers=CUSTOMERS, rules=RULES.updated({"pareto.measure": "profit"}), as_of=AS_OF
    )
    s = build_summary(
        MONTH, graded, CUSTOMERS, LEDGER, None, None, None, RULES.updated({"pareto.measure": "profit"}), AS_OF, "en"
    )
    b = s.block("pareto")
    assert b.headers[4] == "Profit"
    assert [(r[1], r[4]) for r in b.rows] == [("K1", 100.0), ("K2", 15.0), ("K3", 5.0)]


def test_category_blocks(zh):
    industry = zh.block("industry")
    assert industry.headers == ("行业", "A", "B", "C", "合计")
    assert _body(industry) == [["医药", 1, 1, 0, 2], ["电子", 0, 0, 2, 2], ["(未填)", 0, 0, 1, 1]]
    assert industry.total == ("合计", 1, 1, 3, 5)
    region = zh.block("region")  # K1 own; K2 from its latest ledger line
    assert _body(region) == [["华东", 1, 0, 0, 1], ["华南", 0, 1, 0, 1], ["(未填)", 0, 0, 3, 3]]
    sp = zh.block("salesperson")
    assert sp.headers == ("业务员", "A", "B", "C", "合计", "所需人数(下限)", "所需人数(上限)", "状态")
    # 张: 1 A + 1 B = 1/1 + 1/2 = 1.5 people -> overloaded; 李: 2 C = 0.4-0.667 -> ok
    assert _body(sp) == [
        ["张", 1, 1, 0, 2, 1.5, 1.5, "超负荷"],
        ["李", 0, 0, 2, 2, 0.4, 0.666667, "正常"],
        ["(未分配)", 0, 0, 1, 1, 0.2, pytest.approx(1 / 3, abs=1e-6), "未分配"],
    ]
    assert sp.total[:5] == ("合计", 1, 1, 3, 5)


def test_sales_breakdowns_by_product_and_channel(zh):
    product = zh.block("product")
    assert product.headers == ("产品", "A", "B", "C", "合计", "占比")
    assert _body(product) == [
        ["P1", 600.0, 0.0, 0.0, 600.0, 0.48],
        ["P2", 300.0, 300.0, 0.0, 600.0, 0.48],
        ["(未填)", 0.0, 0.0, 50.0, 50.0, 0.04],
    ]
    assert product.total == ("合计", 900.0, 300.0, 50.0, 1250.0, 1.0)
    channel = zh.block("channel")
    assert _body(channel)[0] == ["直销", 600.0, 0.0, 50.0, 650.0, 0.52]
    assert sum(r[5] for r in channel.rows) == pytest.approx(1.0)


def test_migration_matrix_sums_equal_customer_counts(zh):
    b = zh.block("migration")
    assert b.headers == ("上月 \\ 本月", "A", "B", "C", "流失", "上月人数", "本月人数")
    assert _body(b) == [
        ["A", 0, 0, 0, 1, 1, 1],  # K6 was A and is gone; K1 is A now
        ["B", 1, 1, 0, 0, 2, 1],  # K1 up to A, K2 stays B
        ["C", 0, 0, 1, 0, 1, 3],  # K3 stays C
        ["新客户", 0, 0, 2, 0, None, None],  # K4, K5
    ]
    assert b.total == ("合计", 1, 1, 3, 1, 4, 5)
    cells = [r[1:5] for r in b.rows]
    assert sum(map(sum, cells)) == 6  # K1..K6
    assert sum(sum(r) for r in cells[:-1]) == len(PREVIOUS) == b.total[5]
    assert sum(sum(r[:3]) for r in cells) == 5 == b.total[6]  # this month's customers
    assert b.chart.kind == "column" and b.chart.values == (5, 6)


def test_changes_block_lists_up_new_gone_with_reasons(zh):
    b = zh.block("changes")
    assert [list(r[:5]) for r in b.rows] == [
        ["K1", "甲公司", "B", "A", "升级"],
        ["K4", "丁公司", None, "C", "新增"],
        ["K5", "戊公司", None, "C", "新增"],
        ["K6", None, "A", None, "流失"],
    ]
    assert b.rows[0][5].startswith("A:订单 3 次") and b.rows[3][5] is None
    assert b.note == "升级 1,降级 0,新增 2,流失 1"


def test_blocks_without_data_keep_their_place_with_a_note():
    ledger = LEDGER.drop(columns=["product", "channel_name"])
    same, graded = _book("en")
    current = graded.grades
    s, _ = _book("en", previous=current, ledger=ledger, complaints=False, credit=False)
    assert tuple(b.key for b in s.blocks) == BLOCKS
    assert s.block("changes").rows == () and s.block("changes").note == "no changes this month"
    assert s.block("product").rows == () and "no Product column" in s.block("product").note
    assert s.block("channel").rows == () and s.block("channel").headers == same.block("channel").headers
    assert s.block("complaints").note.startswith("no complaints")
    assert [r[2] for r in s.block("complaints").rows] == [0, 0, 0, 0]
    assert [r[1] for r in s.block("complaints").rows] == ["High", "Medium", "Low", "Low"]
    assert s.block("credit").rows == () and s.block("poor_credit").rows == ()
    first, _ = _book("zh", previous=pd.Series(dtype=object))
    assert first.block("changes").rows == () and "首次分级" in first.block("changes").note
    assert _body(first.block("migration"))[-1] == ["新客户", 1, 1, 3, 0, None, None]


def test_complaints_block_by_grade(zh):
    b = zh.block("complaints")
    assert b.headers == ("等级", "优先级", "投诉数", "处理中", "已超期", "已回复", "超期回复", "平均回复(小时)")
    # the complaint of 11-02 is after the as-of date and left out
    assert _body(b) == [
        ["A", "高", 1, 0, 1, 0, 0, None],
        ["B", "中", 0, 0, 0, 0, 0, None],
        ["C", "低", 2, 0, 0, 2, 0, 3.5],
        ["(未知)", "低", 1, 1, 0, 0, 0, None],
    ]
    assert b.total == ("合计", None, 4, 1, 1, 2, 0, 3.5)


def test_credit_blocks(zh):
    b = zh.block("credit")
    # K2's unpaid 05-01 line (200) is due 05-31 and 153 days overdue; the 10-10 line (100) is not yet due
    assert [list(r[:4]) for r in b.rows] == [["A", 1, 0, 0.0], ["B", 1, 1, 200.0], ["C", 3, 0, 0.0]]
    assert b.total[:4] == ("合计", 5, 1, 200.0)
    poor = zh.block("poor_credit")
    assert poor.title == "信用等级为差的客户"
    assert [list(r[:3]) for r in poor.rows] == [["K2", "乙公司", "B"]]
    assert poor.rows[0][4:] == (200.0, 153.0)
    en, _ = _book("en")
    assert en.block("poor_credit").title == "Customers with credit grade poor"
