"""The cell functions (xlgrade.cells): registry, purity, generated files, the boundaries of docs/rules.md."""

from __future__ import annotations

import ast
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import xlgrade.cells as cells
from xlgrade.cells import FUNCTIONS, Arg, CellFunction, CellValueError, args, by_name, functions, gen

PACKAGE = Path(cells.__file__).parent
ABCGRADE, ABCGRADES, PARETOGRADE, PARETOGRADES, SCORECARD, SCOREGRADE, CREDITGRADE, RFMCLASS, COMPLAINTDUE, GRADEWHY = (
    by_name(n)
    for n in (
        "ABCGRADE",
        "ABCGRADES",
        "PARETOGRADE",
        "PARETOGRADES",
        "SCORECARD",
        "SCOREGRADE",
        "CREDITGRADE",
        "RFMCLASS",
        "COMPLAINTDUE",
        "GRADEWHY",
    )
)


# ---- the registry ---------------------------------------------------------------------------
SIGNATURES = {
    "ABCGRADE": "orders volume [a_orders] [a_volume] [b_orders] [b_volume] [labels]",
    "ABCGRADES": "orders volume [a_orders] [a_volume] [b_orders] [b_volume] [labels]",
    "PARETOGRADE": "value values [a_share] [b_share] [labels]",
    "PARETOGRADES": "values [a_share] [b_share] [labels]",
    "SCORECARD": "monthly_units growth channel loyalty prospects",
    "SCOREGRADE": "score [labels] [minimums]",
    "CREDITGRADE": "score [labels] [minimums]",
    "RFMCLASS": "recency_days frequency monetary mean_recency mean_frequency mean_monetary [labels]",
    "COMPLAINTDUE": "grade complaint_time [deadlines]",
    "GRADEWHY": "orders volume [a_orders] [a_volume] [b_orders] [b_volume] [lang]",
}


def test_functions_in_order_with_the_agreed_signatures():
    assert [f.name for f in FUNCTIONS] == list(SIGNATURES)
    for f in FUNCTIONS:
        sig = " ".join(f"[{a.name}]" if a.optional else a.name for a in f.args)
        assert sig == SIGNATURES[f.name]


def test_every_entry_is_described_in_both_languages():
    for f in FUNCTIONS:
        assert isinstance(f, CellFunction) and f.category == "xlgrade"
        assert f.zh.strip() and f.en.strip()
        for a in f.args:
            assert isinstance(a, Arg)
            assert all(s.strip() for s in (a.zh, a.en, a.help_zh, a.help_en)), (f.name, a.name)
            assert "_" not in a.idl_name
            if a.optional:
                assert a.default is not None, (f.name, a.name)
    assert SCORECARD.returns == "number" and COMPLAINTDUE.returns == "date" and PARETOGRADES.returns == "array"
    assert PARETOGRADE.args[1].kind == "range" and COMPLAINTDUE.args[1].kind == "date"
    assert ABCGRADES.returns == "array" and [a.kind for a in ABCGRADES.args[:2]] == ["range", "range"]
    assert ABCGRADES.args[2:] == ABCGRADE.args[2:]  # the same thresholds and labels, said once


def test_messages_name_arguments_as_the_function_wizard_does():
    declared = {(a.zh, a.name) for f in FUNCTIONS for a in f.args}
    named = {
        v
        for v in vars(functions).values()
        if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, str) for x in v)
    }
    assert named and named <= declared, named - declared


def test_by_name_and_package_exports():
    assert by_name("abcgrade") is ABCGRADE
    with pytest.raises(KeyError):
        by_name("NOSUCH")
    assert set(cells.__all__) == {"FUNCTIONS", "by_name", "CellFunction", "Arg", "CellValueError"}


def test_argument_count_is_checked():
    with pytest.raises(CellValueError):
        ABCGRADE(5)
    with pytest.raises(CellValueError):
        ABCGRADE(5, 1, 1, 1, 1, 1, "A;B;C", "extra")


# ---- standard library only, relative imports only ------------------------------------------
def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""


def test_sources_import_only_the_standard_library_and_the_package_itself():
    for path in sorted(PACKAGE.glob("*.py")):
        for level, module in _imports(path):
            if path.name == "gen.py" and module.startswith("xlgrade.engine"):
                continue  # the generator runs at development time and reads the rule book
            if level:
                assert module != "gen", f"{path.name} imports the generator"
                continue
            top = module.split(".")[0]
            assert top in sys.stdlib_module_names, f"{path.name} imports {module}"


def test_a_renamed_copy_works_without_pandas_numpy_or_xlgrade(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "vendored_cells", ignore=shutil.ignore_patterns("__pycache__"))
    code = "\n".join(
        [
            "import sys",
            "for name in ('pandas', 'numpy', 'openpyxl', 'xlgrade'):",
            "    sys.modules[name] = None",
            f"sys.path.insert(0, {str(tmp_path)!r})",
            "import vendored_cells as c",
            "from vendored_cells import registry, functions",
            "assert [f.name for f in c.FUNCTIONS][0] == 'ABCGRADE'",
            "print(c.by_name('ABCGRADE')(6, 100000.01), c.by_name('PARETOGRADE')(80, ((80,), (20,))),",
            "      c.by_name('SCORECARD')(10, None, 10, 10, 10), c.by_name('GRADEWHY')(6, 200000, None, None, None, None, 'en'))",
            "print(sorted(m for m in sys.modules if m.startswith('xlgrade') and sys.modules[m] is not None))",
        ]
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["A A 100.0 A: 6 orders > 5 and 200,000 > 100,000", "[]"]


# ---- generated files ---------------------------------------------------------------------------
def test_committed_defaults_equal_the_rule_book_defaults():
    text = (PACKAGE / "defaults.py").read_text(encoding="utf-8")
    assert text.startswith("# generated by python -m xlgrade.cells.gen; do not edit\n")
    assert text == gen.render_defaults(), "rule-book defaults changed: run python -m xlgrade.cells.gen"
    assert not [n for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_committed_docs_page_equals_the_generated_one():
    page = gen.DOCS_PATH.read_text(encoding="utf-8")
    assert page == gen.render_docs(), "registry changed: run python -m xlgrade.cells.gen"
    for f in FUNCTIONS:
        assert f"## {f.name}" in page and f.zh in page and f.en in page
        for a in f.args:
            assert a.help_en in page and a.help_zh in page


def test_generator_writes_both_files(tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "DEFAULTS_PATH", tmp_path / "defaults.py")
    monkeypatch.setattr(gen, "DOCS_PATH", tmp_path / "functions.md")
    assert gen.main([]) == 0
    assert (tmp_path / "defaults.py").read_text(encoding="utf-8") == (PACKAGE / "defaults.py").read_text(
        encoding="utf-8"
    )
    assert (tmp_path / "functions.md").read_text(encoding="utf-8") == gen.render_docs()


# ---- ABCGRADE (§3.1) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "orders,volume,expected",
    [
        (6, 100_000.000001, "A"),
        (6, 100_000, "B"),  # exactly 100,000 is not more than 100,000
        (6, 100_000.0000001, "B"),  # below a millionth: rounds to exactly 100,000
        (6, 16666.666666666668 * 6, "B"),  # six lines summing to 100,000 in floating point
        (5, 500_000, "B"),  # exactly 5 orders is not more than 5
        (4, 10_000.01, "B"),
        (4, 10_000, "C"),
        (3, 50_000, "C"),
        (9, -5_000, "C"),  # net returns
        (0, 0, "C"),
        (None, None, "C"),  # empty cells count 0
    ],
)
def test_abcgrade_boundaries(orders, volume, expected):
    assert ABCGRADE(orders, volume) == expected


def test_abcgrade_thresholds_and_labels():
    assert ABCGRADE(3, 600, 2, 500, 1, 100) == "A"
    assert ABCGRADE(2, 600, 2, 500, 1, 100) == "B"
    assert ABCGRADE(6, 200_000, None, None, None, None, "战略; 主要; 零星") == "战略"
    assert ABCGRADE(4, 20_000, None, None, None, None, "甲、乙、丙") == "乙"
    assert ABCGRADE(1, 1, None, None, None, None, "X,Y,Z") == "Z"
    assert ABCGRADE(6, 200_000, "５", "１００,０００") == "A"  # full-width text numbers
    assert ABCGRADE("6", " 100,000.5 ") == "A"


def test_optional_arguments_omitted_none_or_empty_take_the_default():
    for call in (
        ABCGRADE(6, 100_001),
        ABCGRADE(6, 100_001, None, None, None, None, None),
        ABCGRADE(6, 100_001, "", "", "", "", ""),
        ABCGRADE(6, 100_001, "  ", None, "", None, " "),
    ):
        assert call == "A"
    assert functions.abcgrade(6, 100_001) == "A"
    assert SCOREGRADE(90) == SCOREGRADE(90, None, None) == SCOREGRADE(90, "", "") == "VIP客户"
    assert PARETOGRADE(1, ((1,),)) == PARETOGRADE(1, ((1,),), "", "", "") == "A"
    assert COMPLAINTDUE("A", 100) == COMPLAINTDUE("A", 100, "") == 101
    assert GRADEWHY(6, 200_000) == GRADEWHY(6, 200_000, None, None, None, None, "") == why(6, 200_000, lang="zh")


@pytest.mark.parametrize(
    "args",
    [
        ("x", 1),
        (1, "12万"),
        (True, 1),
        (1, False),
        (float("nan"), 1),
        (1, float("inf")),
        (-1, 1),
        (5.5, 1),
        (1, 1, -1),
        (1, 1, 5, -100),
        (1, 1, 5.5),
        (1, 1, 3, None, 4),  # b_orders above a_orders
        (1, 1, None, 100, None, 200),  # b_volume above a_volume
        (1, 1, None, None, None, None, "A; B"),
        (1, 1, None, None, None, None, "A; A; C"),
        (1, 1, None, None, None, None, True),
        ("1e", 1),
        ("1_000", 1),
        ("nan", 1),
        ("inf", 1),
        ([1], 1),
        (10**400, 1),
        ("12%", 1),
    ],
)
def test_abcgrade_refuses_wrong_arguments(args):
    with pytest.raises(CellValueError):
        ABCGRADE(*args)


# ---- GRADEWHY ------------------------------------------------------------------------------
def why(orders, volume, *thresholds, lang=None):
    """GRADEWHY with ``lang`` as its 7th argument (spreadsheet calls are positional)."""
    padded = list(thresholds) + [None] * (4 - len(thresholds))
    return GRADEWHY(orders, volume, *padded, lang)


def test_gradewhy_is_the_engine_sentence():
    assert why(4, 52_300, lang="en") == (
        "B: 4 orders > 3 and 52,300 > 10,000, but not > 5 orders and 52,300 not > 100,000"
    )
    assert GRADEWHY(4, 52_300) == "B:订单 4 次 > 3 且金额 52,300 > 10,000,但订单未超过 5 次且金额未超过 100,000"
    assert why(6, 100_000.5, lang="en") == "A: 6 orders > 5 and 100,000.5 > 100,000"
    assert why(1, 10_000, lang="en") == "C: 1 order not > 3 and 10,000 not > 10,000"
    assert GRADEWHY(1, 10_000) == "C:订单 1 次未超过 3 次且金额 10,000 未超过 10,000"
    assert GRADEWHY(2, 100, 1, 50, 0, 10, "EN") == "A: 2 orders > 1 and 100 > 50"


def test_gradewhy_says_what_was_wrong_instead_of_raising():
    assert GRADEWHY("abc", 1) == "订单次数不是数字:“abc”"
    assert why("abc", 1, lang="en") == "orders is not a number: “abc”"
    assert why(-2, 1, lang="en") == "orders must not be negative: -2"
    assert GRADEWHY(-2, 1) == "订单次数不能为负数:-2"
    assert why(2.5, 1, lang="en") == "orders must be a whole number: 2.5"
    assert why(1, True, lang="en") == "volume must be a number, not True"
    assert why(1, 1, None, "x", lang="en") == "a_volume is not a number: “x”"
    assert why(1, 1, 2, None, 3, lang="en") == "b_orders must not be above a_orders (2)"
    assert why(1, 1, lang="fr") == "语言必须是 zh 或 en,而不是 “fr” / lang must be zh or en, not “fr”"
    assert why(1, 1, lang="en-US").startswith("C: 1 order")


def test_errors_carry_both_languages():
    with pytest.raises(CellValueError) as info:
        ABCGRADE("x", 1)
    assert str(info.value) == info.value.en == "orders is not a number: “x”"
    assert info.value.zh == "订单次数不是数字:“x”"


def test_abcgrades_is_abcgrade_row_by_row():
    orders = ((6,), (5,), (None,), (4,), (3,), ("6",), (None,), (0,))
    volume = ((200_000,), (200_000,), (None,), (10_000.5,), (50_000,), ("100,000.01",), (20_000,), (-5,))
    assert ABCGRADES(orders, volume) == (("A",), ("B",), ("",), ("B",), ("C",), ("A",), ("C",), ("C",))
    for args_ in ((2, 500, 1, 100, "X;Y;Z"), (None, None, None, None, "甲、乙、丙")):
        expected = tuple(
            ("" if o is None and v is None else ABCGRADE(o, v, *args_),) for (o,), (v,) in zip(orders, volume)
        )
        assert ABCGRADES(orders, volume, *args_) == expected
    assert ABCGRADES(6, 200_000) == (("A",),)  # one cell is a one-row column


def test_abcgrades_names_the_row_of_a_wrong_cell():
    with pytest.raises(CellValueError) as e:
        ABCGRADES(((6,), ("六",), (1,)), ((1,), (2,), (3,)))
    assert str(e.value) == "row 2: orders is not a number: “六”"
    assert e.value.zh == "第 2 行:订单次数不是数字:“六”"
    with pytest.raises(CellValueError, match="as many rows"):
        ABCGRADES(((1,), (2,)), ((1,),))
    with pytest.raises(CellValueError, match="single column"):
        ABCGRADES(((1, 2),), ((1,),))
    with pytest.raises(CellValueError, match="b_orders"):  # the thresholds are checked once
        ABCGRADES(((1,),), ((1,),), 2, None, 3)


def test_cached_argument_readers_never_change_an_answer():
    """Thresholds and labels are cached by value (every cell passes the same ones): a cached
    1.0 must not answer for TRUE, which is refused, and a list (xlwings) must still work."""
    for order in ((10.0, True), (True, 10.0)):
        for a_orders in order:
            if a_orders is True:
                with pytest.raises(CellValueError, match="not True"):
                    ABCGRADE(6, 200_000, a_orders)
            else:
                assert ABCGRADE(6, 200_000, a_orders) == "B"
    with pytest.raises(CellValueError, match="is not a number"):
        ABCGRADE(6, 200_000, [5.0])
    assert ABCGRADE(6, 200_000, None, None, None, None, ["X", "Y", "Z"]) == "X"
    for _ in range(2):  # a refusal is not cached as an answer
        with pytest.raises(CellValueError, match="needs 3 labels"):
            ABCGRADE(6, 200_000, None, None, None, None, "X;Y")


# ---- PARETOGRADE / PARETOGRADES (§3.2) ------------------------------------------------------
COLUMN = ((50,), (30,), (10,), (5,), (5,), (None,), ("text",), (0,), (-3,))


@pytest.mark.parametrize(
    "value,expected",
    [
        (50, "A"),  # the largest customer is always A
        (30, "A"),  # 50 / 100 before it: crosses the 80 % line, still A
        (10, "B"),  # exactly 80 % before it: not below 80 %
        (5, "B"),  # 90 % before both fives (ties share a grade)
        (0, "C"),
        (-3, "C"),
        (None, "C"),
    ],
)
def test_paretograde_share_before(value, expected):
    assert PARETOGRADE(value, COLUMN) == expected


def test_paretograde_exact_decimal_shares():
    values = ((0.7,), (0.1,), (0.2,))  # 0.9 before 0.1 is exactly 90 %, not 0.8999999
    assert PARETOGRADE(0.1, values, 0.9, 0.95) == "B"
    assert PARETOGRADE(0.1, values, 0.9000001, 0.95) == "A"
    assert PARETOGRADE(0.2, values) == "A"
    assert PARETOGRADE(10, ((50,), (30,), (10,), (10,)), "80%", "95%", "甲;乙;丙") == "乙"
    assert PARETOGRADE(5, ((95,), (5,)), 0.8, 0.95) == "C"  # 95 % before: not below 95 %
    assert PARETOGRADE(5, ((95,), (5,)), "80%", "95%") == "C"  # "95%" is 0.95, not 0.9500000000000001
    assert PARETOGRADE(35, ((65,), (35,)), "65%", "１００％") == "B"
    assert PARETOGRADE(1, ((10**400,), (1,), (float("nan"),), (float("inf"),))) == "A"


def test_paretograde_range_shapes_blanks_and_text():
    assert PARETOGRADE(10, ((50, None, "x"), (30, 10), (5, 5))) == "B"  # a block range
    assert PARETOGRADE(10, [[50], [30], [10], [5], [5]]) == "B"  # lists from Python
    assert PARETOGRADE(10, 10) == "A"  # a one-cell range
    assert PARETOGRADE(5, ((5,), ("100",))) == "A"  # text in the range is ignored


def test_percent_text_is_the_share_the_rules_sheet_means():
    for k in range(101):
        assert args.share(f"{k}%", ("占比", "share"), 0.8) == k / 100  # "95%" is 0.95 exactly
        assert args.share(f"{k / 100}", ("占比", "share"), 0.8) == k / 100


def test_paretograde_refuses_wrong_shares():
    for a, b in ((0.96, 0.95), (1.5, None), (-0.1, None), ("x", None), (None, "200%")):
        with pytest.raises(CellValueError):
            PARETOGRADE(1, ((1,),), a, b)


def test_paretogrades_returns_the_column():
    assert PARETOGRADES(COLUMN) == (("A",), ("A",), ("B",), ("B",), ("B",), ("",), ("",), ("C",), ("C",))
    assert PARETOGRADES(COLUMN) == tuple(
        (PARETOGRADE(r[0], COLUMN) if isinstance(r[0], (int, float)) else "",) for r in COLUMN
    )
    with pytest.raises(CellValueError):
        PARETOGRADES(((1, 2), (3, 4)))


def test_paretograde_sorts_a_range_once():
    column = tuple((float(i % 997),) for i in range(10_000))
    functions._population_of.cache_clear()
    grades = [PARETOGRADE(row[0], column) for row in column]
    info = functions._population_of.cache_info()
    assert info.misses == 1 and info.hits == len(column) - 1
    assert tuple((g,) for g in grades) == PARETOGRADES(column)
    copy = tuple((v,) for (v,) in column)  # equal content, another tuple: still a hit
    PARETOGRADE(3, copy)
    assert functions._population_of.cache_info().misses == 1


# ---- SCORECARD (§3.3) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "growth,points",
    [
        (1.0, 20),
        (2.5, 20),
        (0.75, 15),
        (0.5, 10),
        (0.35, 7.5),
        (0.2, 5),
        (0.1, 2.5),
        (0, 0),
        (-0.3, 0),
        ("50%", 10),
        ("35%", 7.5),
        (None, 20),
        ("", 20),
    ],
)
def test_scorecard_growth_points(growth, points):
    assert SCORECARD(0.5, growth, 0, 0, 0) == points  # 0.5 units/month: 0 unit points


@pytest.mark.parametrize(
    "units,points",
    [(10, 50), (9.999999, 40), (5, 40), (3, 30), (2, 20), (1, 10), (0.999999, 0), (0.9999999, 10), (-1, 0)],
)
def test_scorecard_unit_steps(units, points):
    assert SCORECARD(units, 0, 0, 0, 0) == points


def test_scorecard_total_and_entered_scores():
    assert SCORECARD(10, 1.0, 10, 10, 10) == 100
    assert SCORECARD(5, 0.35, 8, 6.5, None) == 40 + 7.5 + 8 + 6.5
    assert SCORECARD(0, None, 0, 0, 0) == 0  # no sales at all: no new-customer points
    assert SCORECARD(0.1, None, 0, 0, 0) == 20
    assert SCORECARD(3, 0.3, 7, 7, 7) == round(30 + 5 + 5 * 0.1 / 0.3 + 21, 6)
    for bad in (10.5, -1, "x", True):
        with pytest.raises(CellValueError):
            SCORECARD(1, 0, bad, 0, 0)
    with pytest.raises(CellValueError):
        SCORECARD("many", 0, 0, 0, 0)
    with pytest.raises(CellValueError):
        SCORECARD(1, "fast", 0, 0, 0)


# ---- SCOREGRADE / CREDITGRADE (§3.3, §3.5) ------------------------------------------------------
@pytest.mark.parametrize(
    "score,level",
    [
        (100, "VIP客户"),
        (90, "VIP客户"),
        (89.999999, "骨干客户"),
        (89.9999999, "VIP客户"),
        (75, "骨干客户"),
        (60, "有效客户"),
        (50, "休眠客户"),
        (49.99, "潜在客户"),
        (0, "潜在客户"),
    ],
)
def test_scoregrade_levels(score, level):
    assert SCOREGRADE(score) == level


@pytest.mark.parametrize(
    "score,grade", [(90, "优"), (89.999999, "良"), (75, "良"), (74.9, "中"), (60, "中"), (59.999999, "差"), (0, "差")]
)
def test_creditgrade(score, grade):
    assert CREDITGRADE(score) == grade


def test_creditgrade_of_an_empty_score_is_no_record():
    # docs/rules.md §3.5: a period without receivables has no score, shown as 无记录 (never as 100 or 0)
    assert CREDITGRADE(None) == CREDITGRADE("") == "无记录"
    assert CREDITGRADE(None, "excellent; good; fair; poor") == "无记录"


def test_grade_labels_and_minimums_from_the_rules_sheet():
    assert SCOREGRADE(80, "VIP; core; active; dormant; potential") == "core"
    assert SCOREGRADE(80, "甲、乙、丙", "85; 70") == "乙"
    assert SCOREGRADE(80, "甲;乙;丙", "８５；７０") == "乙"
    assert CREDITGRADE(92, "excellent, good, fair, poor") == "excellent"
    assert CREDITGRADE(70, "好;坏", "60") == "好"
    for labels, mins in (
        ("a; b", None),
        ("a; b; c", "10; 20"),
        ("a; b; c", "10; x"),
        ("a; a; b", "2; 1"),
        ("a; b; c", "5; 5"),
    ):
        with pytest.raises(CellValueError):
            SCOREGRADE(50, labels, mins)
    with pytest.raises(CellValueError):
        CREDITGRADE("good")


# ---- RFMCLASS (§3.6) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "r,f,m,label",
    [
        (10, 5, 900, "重要价值客户"),
        (10, 2, 900, "重要发展客户"),
        (40, 5, 900, "重要保持客户"),
        (40, 2, 900, "重要挽留客户"),
        (10, 5, 100, "一般价值客户"),
        (10, 2, 100, "一般发展客户"),
        (40, 5, 100, "一般保持客户"),
        (40, 2, 100, "一般挽留客户"),
        (30, 3, 500, "一般挽留客户"),  # equal to every mean: all three low
        (29, 3.000001, 500.000001, "重要价值客户"),
        (None, 9, 9_000, "一般挽留客户"),  # no purchase in the window
    ],
)
def test_rfmclass_patterns(r, f, m, label):
    assert RFMCLASS(r, f, m, 30, 3, 500) == label


def test_rfmclass_means_and_labels():
    assert RFMCLASS(1, 1, 1, None, None, None) == "一般挽留客户"  # no active customers: no split
    assert RFMCLASS(10, 3, 500, 30, 10 / 3, 500) == "一般发展客户"  # 3 < 3.33: F low
    labels = "HHH; HLH; LHH; LLH; HHL; HLL; LHL; LLL"
    assert RFMCLASS(10, 5, 100, 30, 3, 500, labels) == "HHL"
    with pytest.raises(CellValueError):
        RFMCLASS(10, 5, 100, 30, 3, 500, "a; b; c")
    for bad in ((-1, 1, 1, 1, 1, 1), (1, -1, 1, 1, 1, 1), (1, 1, "x", 1, 1, 1), (1, 1, 1, 1, True, 1)):
        with pytest.raises(CellValueError):
            RFMCLASS(*bad)


# ---- COMPLAINTDUE (§3.8) -------------------------------------------------------------------------
def test_complaintdue_default_deadlines_keep_the_time_of_day():
    t = 46_000.75  # 18:00
    assert COMPLAINTDUE("A", t) == t + 1
    assert COMPLAINTDUE("VIP客户", t) == t + 1
    assert COMPLAINTDUE("良", t) == t + 3
    assert COMPLAINTDUE(" B ", t) == t + 3
    assert COMPLAINTDUE("C", t) == t + 7
    assert COMPLAINTDUE(None, t) == t + 7  # unknown customer
    assert COMPLAINTDUE("潜在客户", 46_000) == 46_007


def test_complaintdue_deadlines_from_the_rules_sheet():
    assert COMPLAINTDUE("A", 100, "A=2; B=4; *=10") == 102
    assert COMPLAINTDUE("Z", 100, "A=2, B=4, *=10") == 110
    assert COMPLAINTDUE("B", 100, "A=2;B=4;B=9;*=10") == 104  # the first entry wins
    assert COMPLAINTDUE("VIP客户", 100, "ＶＩＰ客户＝１；＊＝５") == 101  # full-width
    assert COMPLAINTDUE("A", 100, "A=0.5; *=1") == 100.5
    assert COMPLAINTDUE(1, 100, "1=2; 1234=3; *=9") == COMPLAINTDUE("1", 100, "1=2; *=9") == 102
    assert COMPLAINTDUE(1234.0, 100, "1=2; 1234=3; *=9") == 103
    for bad in ("A=1; B=3", "A; *=7", "A=x; *=7", "A=-1; *=7", "=1; *=7"):
        with pytest.raises(CellValueError):
            COMPLAINTDUE("A", 100, bad)
    for bad in (None, "", "yesterday", -1, True):
        with pytest.raises(CellValueError):
            COMPLAINTDUE("A", bad)


def test_defaults_shown_in_the_registry_are_the_ones_used():
    assert COMPLAINTDUE.args[2].default == "A=1; VIP客户=1; 优=1; B=3; 骨干客户=3; 良=3; *=7"
    assert SCOREGRADE.args[1].default == "VIP客户; 骨干客户; 有效客户; 休眠客户; 潜在客户"
    assert SCOREGRADE.args[2].default == "90; 75; 60; 50"
    assert CREDITGRADE.args[1].default == "优; 良; 中; 差" and CREDITGRADE.args[2].default == "90; 75; 60"
    assert [a.default for a in ABCGRADE.args[2:]] == [5, 100_000.0, 3, 10_000.0, "A; B; C"]
    assert [a.default for a in PARETOGRADE.args[2:]] == [0.8, 0.95, "A; B; C"]
    assert GRADEWHY.args[-1].default == "zh"
    # Passing the shown default explicitly changes nothing.
    for f, head in (
        (ABCGRADE, (6, 100_000)),
        (PARETOGRADE, (10, COLUMN)),
        (SCOREGRADE, (75,)),
        (CREDITGRADE, (60,)),
        (COMPLAINTDUE, ("B", 3.5)),
        (GRADEWHY, (4, 52_300)),
    ):
        explicit = [a.default for a in f.args[len(head) :]]
        assert f(*head) == f(*head, *explicit), f.name
    assert not math.isnan(SCORECARD(1, 1, 1, 1, 1))


def test_number_texts_are_remembered_and_equal_numbers_print_alike():
    """num and count keep their recent answers (an explanation repeats its rule limits and, in
    both languages, its figure); numbers that compare equal print alike, so the cache cannot
    answer one with another's text."""
    from xlgrade.cells.text import count, num

    num.cache_clear()
    count.cache_clear()
    assert [num(x) for x in (52300, 52300.0, 1, 1.0, True, -0.0, 0.0, 1234.5, 1e-7)] == [
        "52,300",
        "52,300",
        "1",
        "1",
        "1",
        "0",
        "0",
        "1,234.5",
        "0",
    ]
    hits = num.cache_info().hits
    assert num(1234.5) == "1,234.5" and num.cache_info().hits == hits + 1  # answered from the cache
    assert num(float("nan")) == "-" and num(None) == "-"
    assert [count(x) for x in (5, 5.0, 1234, 2.5, 5)] == ["5", "5", "1234", "2.5", "5"]
    assert count.cache_info().hits >= 1
