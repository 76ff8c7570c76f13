"""The cell functions computed by real Calc, from an .xlsx that openpyxl wrote with plain
Excel names (``=ABCGRADE(...)``), with the extension built by ``xlgrade addins build`` and
installed into the session's throwaway profile. Every value is compared with the registry's
Python result and with the value docs/rules.md states; a Calc-saved .xlsx keeps plain names.

One soffice for the module (starting it and installing the extension take about 2 s).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from xlgrade.cells import by_name
from xlgrade.cells.model import CellValueError

pytestmark = pytest.mark.libreoffice

VALUE_ERROR = "#VALUE!"
OMIT = object()  # an argument left empty between commas: ABCGRADE(6,200000,,,,,"X;Y;Z")


@dataclass(frozen=True)
class Ref:
    """A reference to the data sheet, and the value Calc hands the function for it."""

    address: str
    value: Any


# Data sheet: populations for PARETOGRADE (exact 80 % and 95 % shares before; ties; decimals),
# a blank and a text cell in the first one (ignored).
P1 = [50, 30, 10, 5, None, "n/a", 3, 2]  # T = 100: 10 has exactly 80 before, 3 exactly 95
P2 = [40, 30, 15, 15]  # ties: both 15s have 70 before
P3 = [0.5, 0.3, 0.1, 0.1]  # decimals: 0.1 has exactly 0.8 before (in decimal)


def _column(values):
    return tuple((None if v is None else (float(v) if isinstance(v, (int, float)) else v),) for v in values)


R1 = Ref(f"Data!$A$1:$A${len(P1)}", _column(P1))
R2 = Ref(f"Data!$B$1:$B${len(P2)}", _column(P2))
R3 = Ref(f"Data!$C$1:$C${len(P3)}", _column(P3))
ORDERS_CELL = Ref("Data!$D$1", 6.0)  # 6 orders and exactly 100,000 typed in cells
VOLUME_CELL = Ref("Data!$D$2", 100000.0)
LABEL_CELLS = Ref("Data!$E$1:$E$3", ("甲", "乙", "丙"))  # labels from a range: its cells, flat
# ABCGRADES over two columns at the §3.1 boundaries (F orders, G volume); row 4 is blank.
ABC_ORDERS = [6, 6, 5, None, 4, 4, 3, 0]
ABC_VOLUME = [100000, 100000.01, 200000, None, 10000, 10000.5, 50000, None]
ABC_GRADES = ["B", "A", "B", "", "C", "B", "C", "C"]
ORDERS_COLUMN = Ref("Data!$F$1:$F$8", _column(ABC_ORDERS))
VOLUME_COLUMN = Ref("Data!$G$1:$G$8", _column(ABC_VOLUME))

CASES = [
    # ---- threshold ABC (§3.1): strict "more than" -----------------------------------------
    ("ABCGRADE", (6, 100000), "B"),  # exactly 100,000 is not > 100,000
    ("ABCGRADE", (6, 100000.01), "A"),
    ("ABCGRADE", (5, 200000), "B"),  # exactly 5 orders is not > 5
    ("ABCGRADE", (6, 200000), "A"),
    ("ABCGRADE", (4, 10000), "C"),  # exactly 10,000 is not > 10,000
    ("ABCGRADE", (4, 10000.5), "B"),
    ("ABCGRADE", (3, 50000), "C"),  # exactly 3 orders is not > 3
    ("ABCGRADE", (ORDERS_CELL, VOLUME_CELL), "B"),  # the same from cells
    ("ABCGRADE", (6, 200000, 5, 100000, 3, 10000, "A;B;C"), "A"),  # every optional argument given
    ("ABCGRADE", (6, 200000, 6), "B"),  # a_orders given: 6 is not > 6
    ("ABCGRADE", (6, 200000, OMIT, OMIT, OMIT, OMIT, "X;Y;Z"), "X"),  # empty slots take defaults
    ("ABCGRADE", (4, 50000, OMIT, OMIT, OMIT, OMIT, LABEL_CELLS), "乙"),
    ("ABCGRADE", (6, "100,000.01"), "A"),  # a number typed as text
    ("ABCGRADE", ("abc", 1), VALUE_ERROR),  # text that is not a number
    ("ABCGRADE", (-1, 5), VALUE_ERROR),  # a negative count
    ("ABCGRADE", (6, 200000, OMIT, OMIT, OMIT, OMIT, "A;B"), VALUE_ERROR),  # two labels for three grades
    # ---- Pareto (§3.2): share_before ------------------------------------------------------
    ("PARETOGRADE", (50, R1), "A"),  # the largest customer is always A
    ("PARETOGRADE", (30, R1), "A"),  # 50 % before
    ("PARETOGRADE", (10, R1), "B"),  # exactly 80 % before: not < 80 %
    ("PARETOGRADE", (5, R1), "B"),  # 90 % before
    ("PARETOGRADE", (3, R1), "C"),  # exactly 95 % before: not < 95 %
    ("PARETOGRADE", (2, R1), "C"),
    ("PARETOGRADE", (0, R1), "C"),  # value <= 0 is C
    ("PARETOGRADE", (-5, R1), "C"),
    ("PARETOGRADE", (10, R1, 0.85), "A"),  # a_share given
    ("PARETOGRADE", (10, R1, "85%"), "A"),
    ("PARETOGRADE", (10, R1, OMIT, OMIT, "甲;乙;丙"), "乙"),
    ("PARETOGRADE", (15, R2), "A"),  # ties get the same grade: 70 % before
    ("PARETOGRADE", (0.1, R3), "B"),  # exactly 0.8 before, in decimals
    ("PARETOGRADE", (0.3, R3), "A"),
    ("PARETOGRADE", ("x", R1), VALUE_ERROR),
    ("PARETOGRADE", (10, R1, 0.99), VALUE_ERROR),  # a_share above b_share
    # ---- scorecard (§3.3) -----------------------------------------------------------------
    ("SCORECARD", (10, 0.5, 5, 5, 5), 75.0),
    ("SCORECARD", (10, 1, 10, 10, 10), 100.0),
    ("SCORECARD", (10, "", 10, 0, 0), 80.0),  # blank growth: no earlier sales, 20 points
    ("SCORECARD", (0.5, 0.2, 0, 0, 0), 5.0),
    ("SCORECARD", (10, 0.5, 11, 0, 0), VALUE_ERROR),  # channel is 0-10
    ("SCOREGRADE", (90,), "VIP客户"),
    ("SCOREGRADE", (89.999,), "骨干客户"),
    ("SCOREGRADE", (75,), "骨干客户"),
    ("SCOREGRADE", (74.999,), "有效客户"),
    ("SCOREGRADE", (60,), "有效客户"),
    ("SCOREGRADE", (50,), "休眠客户"),
    ("SCOREGRADE", (49.999,), "潜在客户"),
    ("SCOREGRADE", (90, "V;C;A;D;P"), "V"),
    ("SCOREGRADE", (85, OMIT, "85;70;60;50"), "VIP客户"),
    ("SCOREGRADE", ("ninety",), VALUE_ERROR),
    # ---- credit (§3.5) ----------------------------------------------------------------------
    ("CREDITGRADE", (90,), "优"),
    ("CREDITGRADE", (89.999,), "良"),
    ("CREDITGRADE", (75,), "良"),
    ("CREDITGRADE", (60,), "中"),
    ("CREDITGRADE", (59.999,), "差"),
    # ---- RFM (§3.6): equal to the mean is low ------------------------------------------------
    ("RFMCLASS", (9, 6, 101, 10, 5, 100), "重要价值客户"),
    ("RFMCLASS", (9, 5, 101, 10, 5, 100), "重要发展客户"),
    ("RFMCLASS", (11, 6, 101, 10, 5, 100), "重要保持客户"),
    ("RFMCLASS", (10, 5, 101, 10, 5, 100), "重要挽留客户"),
    ("RFMCLASS", (9, 6, 100, 10, 5, 100), "一般价值客户"),
    ("RFMCLASS", (9, 5, 100, 10, 5, 100), "一般发展客户"),
    ("RFMCLASS", (10, 6, 100, 10, 5, 100), "一般保持客户"),
    ("RFMCLASS", (10, 5, 100, 10, 5, 100), "一般挽留客户"),
    ("RFMCLASS", (-1, 5, 100, 10, 5, 100), VALUE_ERROR),
    # ---- complaint deadline (§3.8) ------------------------------------------------------------
    ("COMPLAINTDUE", ("A", 46000.5), 46001.5),
    ("COMPLAINTDUE", ("VIP客户", 46000), 46001.0),
    ("COMPLAINTDUE", ("B", 46000), 46003.0),
    ("COMPLAINTDUE", ("C", 46000), 46007.0),
    ("COMPLAINTDUE", ("C", 46000, "A=1; C=2; *=9"), 46002.0),
    ("COMPLAINTDUE", ("A", "yesterday"), VALUE_ERROR),
    # ---- the explanation ----------------------------------------------------------------------
    ("GRADEWHY", (6, 100000), None),  # None: compared with the registry only
    ("GRADEWHY", (6, 200000, OMIT, OMIT, OMIT, OMIT, "en"), None),
    ("GRADEWHY", ("abc", 1), None),  # says what is wrong, no #VALUE!
]


def _literal(v) -> str:
    if v is OMIT:
        return ""
    if isinstance(v, Ref):
        return v.address
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    return repr(v)


def formula(name: str, args) -> str:
    return f"={name}({','.join(_literal(a) for a in args)})"


def python_result(name: str, args):
    """What the registry computes for the values Calc hands over."""
    values = [
        None if a is OMIT else a.value if isinstance(a, Ref) else float(a) if isinstance(a, (int, float)) else a
        for a in args
    ]
    try:
        return by_name(name)(*values)
    except CellValueError:
        return VALUE_ERROR


@pytest.fixture(scope="module")
def calc(oxt):
    """One soffice with the extension installed into its throwaway profile."""
    from conftest import require_libreoffice

    from xlgrade.lo import LibreOffice

    require_libreoffice()
    with LibreOffice(extensions=[oxt]) as lo:
        installed = lo.extensions_installed()
        assert [e["identifier"] for e in installed] == ["org.xlgrade.calc"]
        yield lo


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "cases.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    data = wb.create_sheet("Data")
    for col, values in (("A", P1), ("B", P2), ("C", P3)):
        for i, v in enumerate(values, 1):
            if v is not None:
                data[f"{col}{i}"] = v
    data["D1"], data["D2"] = ORDERS_CELL.value, VOLUME_CELL.value
    for i, label in enumerate(LABEL_CELLS.value, 1):
        data[f"E{i}"] = label
    for col, values in (("F", ABC_ORDERS), ("G", ABC_VOLUME)):
        for i, v in enumerate(values, 1):
            if v is not None:
                data[f"{col}{i}"] = v
    data["H1"], data["H2"] = 6, "六"  # a column with a text cell: the whole array refuses
    for row, (name, args, _) in enumerate(CASES, 1):
        ws[f"A{row}"] = formula(name, args)
    # The array form over P1 (8 rows), entered as an array formula.
    ws["C1"] = ArrayFormula("C1:C8", f"=PARETOGRADES({R1.address})")
    ws["D1"] = ArrayFormula("D1:D8", f"=ABCGRADES({ORDERS_COLUMN.address},{VOLUME_COLUMN.address})")
    ws["F1"] = ArrayFormula("F1:F2", "=ABCGRADES(Data!$H$1:$H$2,Data!$G$1:$G$2)")
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def computed(calc, book):
    with calc.open(book) as doc:
        values = [row[0] for row in doc.get("Cases", f"A1:A{len(CASES)}")]
        grades = [row[0] for row in doc.get("Cases", "C1:C8")]
        abc = [row[0] for row in doc.get("Cases", "D1:D8")]
        refused = [row[0] for row in doc.get("Cases", "F1:F2")]
    return values, grades, abc, refused


@pytest.mark.parametrize("i", range(len(CASES)), ids=[formula(n, a) for n, a, _ in CASES])
def test_calc_equals_the_registry_and_domain(computed, i):
    name, args, expected = CASES[i]
    got = computed[0][i]
    assert got == python_result(name, args), formula(name, args)
    if expected is not None:
        assert got == expected, formula(name, args)


def test_gradewhy_explains_in_calc(computed):
    why = {CASES[i][1]: computed[0][i] for i in range(len(CASES)) if CASES[i][0] == "GRADEWHY"}
    assert why[(6, 100000)].startswith("B")
    assert "100,000" in why[(6, 100000)]
    assert why[(6, 200000, OMIT, OMIT, OMIT, OMIT, "en")].startswith("A")
    assert why[("abc", 1)] != VALUE_ERROR and "abc" in why[("abc", 1)]


def test_paretogrades_array_in_calc(computed):
    grades = computed[1]
    expected = by_name("PARETOGRADES")(R1.value)
    assert grades == [row[0] for row in expected]
    assert grades == ["A", "A", "B", "B", "", "", "C", "C"]  # blank and text rows give ""


def test_abcgrades_array_in_calc(computed):
    abc, refused = computed[2], computed[3]
    assert abc == [row[0] for row in by_name("ABCGRADES")(ORDERS_COLUMN.value, VOLUME_COLUMN.value)]
    assert abc == ABC_GRADES  # exactly 100,000 / 5 / 10,000 / 3 are not "more than"
    assert refused == [VALUE_ERROR, VALUE_ERROR]


def test_omitted_and_empty_optional_arguments_mean_the_default(calc, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    forms = [
        "=ABCGRADE(6,200000)",
        "=ABCGRADE(6,200000,,,,,)",
        "=ABCGRADE(6,200000,5,100000,3,10000)",
        '=ABCGRADE(6,200000,5,100000,3,10000,"A;B;C")',
        "=PARETOGRADE(10,Data!A1:A3)",
        "=PARETOGRADE(10,Data!A1:A3,,)",
        "=PARETOGRADE(10,Data!A1:A3,0.8,0.95)",
    ]
    for i, f in enumerate(forms, 1):
        ws[f"A{i}"] = f
    data = wb.create_sheet("Data")
    data["A1"], data["A2"], data["A3"] = 80, 10, 10
    path = tmp_path / "optional.xlsx"
    wb.save(path)
    with calc.open(path) as doc:
        got = [r[0] for r in doc.get("S", f"A1:A{len(forms)}")]
    assert got == ["A"] * 4 + ["B"] * 3


def test_calc_saves_plain_excel_names(calc, book, tmp_path):
    out = tmp_path / "saved.xlsx"
    with calc.open(book) as doc:
        # typed in Calc with the long programmatic name: saved as the Excel name too
        doc.set_formula("Cases", "E1", "=ORG.XLGRADE.CELLS.ABCGRADE(6;200000)")
        assert doc.value("Cases", "E1") == "A"
        doc.save_copy(out)
    with zipfile.ZipFile(out) as z:
        sheets = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
    xml = "\n".join(sheets.values())
    formulas = re.findall(r"<f[^>]*>([^<]*)</f>", xml)
    assert formulas, "Calc wrote no formulas"
    assert not re.search(r"ORG\.XLGRADE|org\.xlgrade|_xll\.", xml)
    names_used = {m for f in formulas for m in re.findall(r"([A-Z][A-Z0-9.]*)\(", f)}
    assert {
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
    } <= names_used
    assert any(f.startswith("ABCGRADE(6,200000)") for f in formulas)
    # ... and the saved file computes the same when Calc opens it again
    with calc.open(out) as doc:
        assert doc.value("Cases", "A1") == "B" and doc.value("Cases", "E1") == "A"
        errors = doc.errors()
    assert {e.cell for e in errors} == (
        {f"A{i}" for i, c in enumerate(CASES, 1) if c[2] == VALUE_ERROR} | {"F1", "F2"}
    )  # the refused ABCGRADES array
    assert {e.text for e in errors} == {VALUE_ERROR}


def test_demo_workbook_has_no_error_cell_with_the_extension(calc, tmp_path):
    """The workbook's own ABCGRADE column (rules from the 规则 sheet) computes in Calc."""
    from xlgrade import demo_data
    from xlgrade.job.monthly import run_month
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    path = tmp_path / "demo.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=40))), path)
    run_month(FileBook(path), "2026-10")
    with calc.open(path) as doc:
        assert doc.errors() == []
        header = doc.get("客户归类汇总表", "A1:Z1")[0]
        col = {name: i for i, name in enumerate(header) if name}
        rows = doc.get("客户归类汇总表", "A2:Z41")
    abc = by_name("ABCGRADE")
    for row in rows:
        assert row[col["客户等级"]] == abc(row[col["订单次数"]], row[col["累计金额"]]), row[0]
    assert {row[col["客户等级"]] for row in rows} <= {"A", "B", "C"}
    # every live grade Calc computes equals the computed grade (before overrides) the job wrote to 历史
    history = pd.DataFrame(openpyxl.load_workbook(path, read_only=True)["历史"].values)
    history.columns = history.iloc[0]
    october = history[history["月份"] == "2026-10"].set_index("客户编号")["计算等级"]
    live = {row[0]: row[col["客户等级"]] for row in rows}
    assert len(live) == 40 and live == {cid: october[cid] for cid in live}
    assert len(set(live.values())) > 1


@pytest.mark.parametrize("method,lang", [("pareto", "zh"), ("scorecard", "zh"), ("scorecard", "en")])
def test_live_grades_of_each_method_equal_the_cached_ones(calc, tmp_path, method, lang):
    """The grade formula of the workbook's method, computed by Calc, yields what the job cached."""
    from python_calamine import CalamineWorkbook

    from xlgrade import demo_data
    from xlgrade.engine.rules import RuleBook
    from xlgrade.job.monthly import run_month
    from xlgrade.schema.sheets import CUSTOMERS
    from xlgrade.workbook.filebook import FileBook
    from xlgrade.workbook.template import InputData, build, save

    path = tmp_path / f"{method}-{lang}.xlsx"
    rules = RuleBook().updated({"general.method": method})
    save(build(lang, InputData.from_demo(demo_data.generate(n_customers=40)), rules), path)
    run_month(FileBook(path), "2026-10")
    sheet = CUSTOMERS.name(lang)
    cached = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()[1:41]
    with calc.open(path) as doc:
        assert doc.errors() == []
        computed = doc.get(sheet, "A2:M41")
    assert [r[12] for r in computed] == [r[12] for r in cached]
    assert len({r[12] for r in computed}) > 1
