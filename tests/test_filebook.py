"""FileBook: the monthly job's Book on an .xlsx file, checked with openpyxl and python-calamine."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from test_package import STAFF_SHEET, build_book, calamine_rows, check_consistent, members, sheet_values

from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, RuleError, XlgradeError
from xlgrade.job.outputs import Block, Chart, Summary
from xlgrade.schema.sheets import (
    COMPLAINTS,
    CUSTOMERS,
    HISTORY,
    LEDGER,
    RULES_SHEET,
    SALES_POWER,
    SUMMARY_SHEET,
    VALIDATION,
)
from xlgrade.workbook import pagelayout, styles
from xlgrade.workbook.filebook import FileBook, WorkbookLockedError
from xlgrade.workbook.package import Package


@pytest.fixture
def path(tmp_path):
    return build_book(tmp_path / "book.xlsx")


def fill(ws, path):
    """(fill colour, bold) of a cell as openpyxl sees it."""
    return ws[path].fill.start_color.rgb[-6:], ws[path].font.b


# ---- reading -------------------------------------------------------------------------------------
def test_language_from_sheet_names(tmp_path, path):
    assert FileBook(path).lang == "zh"
    assert FileBook(build_book(tmp_path / "en.xlsx", "en")).lang == "en"


def test_read_table_normalises_with_the_file_as_source(path):
    book = FileBook(path)
    out = book.read_table(LEDGER)
    assert out.source == f"[book.xlsx]{LEDGER.zh}" and out.header_row == 1
    assert len(out.frame) == 20 and out.frame["row"].tolist() == list(range(2, 22))
    assert out.frame["amount"].iloc[3] == 103.0 and out.frame["date"].iloc[0] == pd.Timestamp("2026-01-01")
    customers = book.read_table(CUSTOMERS).frame
    assert customers["company"].iloc[0] == "公司1 & <Co>" and customers["loyalty"].iloc[0] == 8.0


def test_missing_sheets(path):
    p = Package(path)
    book = FileBook(path)
    empty = book.read_table(VALIDATION)  # a derived sheet the file lacks: empty
    assert empty.frame.empty and {"sheet", "row", "reason"} <= set(empty.frame.columns)
    history = book.read_table(HISTORY)  # present, empty table
    assert history.frame.empty and "customer_id" in history.frame.columns
    assert VALIDATION.zh not in p.sheet_names()
    from xlgrade.schema.sheets import PROFILES

    with pytest.raises(InputError, match=PROFILES.zh):
        book.read_table(PROFILES)


def test_read_rules_from_the_rules_sheet(tmp_path, path):
    wb = openpyxl.load_workbook(path)
    ws = wb[RULES_SHEET.zh]
    for row in ws.iter_rows(min_row=2):
        if row[-1].value == "threshold.a_orders_over":  # the hidden key column
            row[1].value = 7
        if row[-1].value == "pareto.a_share":
            row[1].value = "75%"
        if row[-1].value == "general.method":
            row[1].value = "帕累托 ABC"  # a choice by its name
    wb.save(path)
    rules = FileBook(path).read_rules()
    assert rules.threshold.a_orders_over == 7 and rules.pareto.a_share == 0.75
    assert rules.general.method == "pareto"
    assert FileBook(build_book(tmp_path / "none.xlsx", rules=False)).read_rules().threshold.a_orders_over == 5
    for row in ws.iter_rows(min_row=2):
        if row[-1].value == "threshold.b_orders_over":
            row[1].value = 9  # above the A threshold of 7
    wb.save(path)
    with pytest.raises(RuleError, match="threshold.b_orders_over"):
        FileBook(path).read_rules()


def test_rules_sheet_of_an_older_workbook_reads_back(tmp_path, path):
    """Workbooks made before the rule names: 规则 holds the key, no key column, shares as 0.8."""
    wb = openpyxl.load_workbook(path)
    ws = wb[RULES_SHEET.zh]
    ws.delete_cols(len(RULES_SHEET.columns))
    for row in ws.iter_rows(min_row=2):
        spec = RuleBook.spec_of(row[0].value)
        row[0].value = spec.key
        row[1].value = spec.format(spec.default)
        if spec.key == "pareto.b_share":
            row[1].value = 0.9
        if spec.key == "pareto.a_share":
            row[1].value = "70%"
    wb.save(path)
    rules = FileBook(path).read_rules()
    assert rules.pareto.a_share == 0.7 and rules.pareto.b_share == 0.9
    assert rules.threshold == RuleBook().threshold


def test_rules_sheet_rows_by_name_when_the_key_cell_is_blank(tmp_path, path):
    wb = openpyxl.load_workbook(path)
    ws = wb[RULES_SHEET.zh]
    for row in ws.iter_rows(min_row=2):
        if row[-1].value == "threshold.a_orders_over":
            row[-1].value = None  # 规则 still says 阈值 ABC:A 类订单次数超过
            row[1].value = 8
    wb.save(path)
    assert FileBook(path).read_rules().threshold.a_orders_over == 8


# ---- write_table ---------------------------------------------------------------------------------
def sales_power(n=5):
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(n)],
            "company": [f"公司{i}" for i in range(n)],
            "grade": ["A", "B", "C", "X", None][:n] + ["A"] * max(0, n - 5),
            "year": 2026,
        }
    )
    for m in range(1, 13):
        frame[f"m{m}"] = [float(i * m) for i in range(n)]
    frame["total"] = frame[[f"m{m}" for m in range(1, 13)]].sum(axis=1)
    frame.loc[1, "m3"] = float("nan")
    return frame


def test_write_table_headers_styles_grade_colours_and_dates(path):
    book = FileBook(path)
    book.write_table(SALES_POWER, sales_power())
    history = pd.DataFrame(
        {
            "month": ["2026-10", "2026-10"],
            "customer_id": ["C001", "C002"],
            "company": ["甲", "乙"],
            "grade": ["VIP客户", "潜在客户"],
            "score": [91.5, 10.0],
            "orders": pd.array([3, None], dtype="Int64"),
            "amount": [1234.5, None],
        }
    )
    history = history.reindex(columns=HISTORY.keys())
    book.write_table(HISTORY, history)
    book.save()
    wb = openpyxl.load_workbook(path)
    ws = wb[SALES_POWER.zh]
    assert [c.value for c in ws[1]] == SALES_POWER.headers("zh")
    assert ws.tables["SalesPower"].ref == "A1:Q6"
    assert ws["E3"].number_format == styles.FMT_MONEY and ws["D2"].number_format == styles.FMT_ORDINAL  # 2026
    assert ws["G3"].value is None and ws["G4"].value == 6
    grades = [fill(ws, f"C{r}") for r in range(2, 7)]
    assert grades[:3] == [(c, True) for c in styles.GRADE_COLOURS[:3]]  # A, B, C by rank
    assert grades[3][0] != styles.GRADE_COLOURS[3] and ws["C5"].value == "X"  # unknown grade stays plain
    assert ws.column_dimensions["B"].width >= SALES_POWER.column("company").width  # widths.py: at least
    hs = wb[HISTORY.zh]
    assert fill(hs, "E2")[0] == styles.GRADE_COLOURS[0] and fill(hs, "E3")[0] == styles.GRADE_COLOURS[4]
    assert hs["J2"].number_format == styles.FMT_MONEY and hs["I3"].value is None
    back = FileBook(path).read_table(HISTORY).frame
    assert back["grade"].tolist() == ["VIP客户", "潜在客户"] and back["orders"].tolist()[0] == 3


def test_dates_written_as_dates_and_grade_order_attribute(path):
    book = FileBook(path)
    book.grade_order = ("C", "B", "A")  # set by the caller: C is best here
    frame = sales_power(3)
    book.write_table(SALES_POWER, frame)
    log = pd.DataFrame({"run_at": [pd.Timestamp("2026-10-31 18:05")], "user": ["王"], "customers": [3]})
    from xlgrade.schema.sheets import RUN_LOG

    book.write_table(RUN_LOG, log.reindex(columns=RUN_LOG.keys()))
    book.save()
    wb = openpyxl.load_workbook(path)
    assert fill(wb[SALES_POWER.zh], "C4")[0] == styles.GRADE_COLOURS[0]
    run = wb[RUN_LOG.en if RUN_LOG.en in wb.sheetnames else RUN_LOG.zh]
    assert run["A2"].value == dt.datetime(2026, 10, 31, 18, 5) and run["A2"].number_format == styles.FMT_DATETIME
    assert calamine_rows(path, RUN_LOG.zh)[1][0] == dt.datetime(2026, 10, 31, 18, 5)
    check_consistent(path)


def test_dates_stay_dates_without_a_palette(tmp_path):
    path = build_book(tmp_path / "plain.xlsx", palette=False)
    book = FileBook(path)
    complaints = book.read_table(COMPLAINTS).frame
    book.write_computed(COMPLAINTS, pd.DataFrame({"row": complaints["row"], "due": complaints["complaint_time"]}))
    from xlgrade.schema.sheets import RUN_LOG

    book.write_table(RUN_LOG, pd.DataFrame({"run_at": [pd.Timestamp("2026-10-31")]}).reindex(columns=RUN_LOG.keys()))
    book.save()
    rows = calamine_rows(path, RUN_LOG.zh)
    assert pd.Timestamp(rows[1][0]) == pd.Timestamp("2026-10-31")
    assert calamine_rows(path, COMPLAINTS.zh)[1][11] == dt.datetime(2026, 3, 1, 9, 30)


def test_second_run_shrinks_and_keeps_staff_widths(path):
    book = FileBook(path)
    book.write_table(SALES_POWER, sales_power(40))
    book.save()
    p = Package(path)
    part = p.sheet_part(SALES_POWER.zh)
    xml = p.text(part).replace('width="26"', 'width="33"')  # staff widened the company column
    p.write(part, xml)
    p.save()
    book = FileBook(path)
    book.write_table(SALES_POWER, sales_power(2))
    book.save()
    ws = openpyxl.load_workbook(path)[SALES_POWER.zh]
    assert ws.tables["SalesPower"].ref == "A1:Q3" and ws.max_row == 3
    assert ws.column_dimensions["B"].width == 33
    assert ws.print_area == f"'{SALES_POWER.zh}'!$A$1:$Q$3"


def test_writes_are_read_back_before_saving(path):
    book = FileBook(path)
    book.write_table(
        HISTORY, pd.DataFrame({"month": ["2026-09"], "customer_id": ["C9"]}).reindex(columns=HISTORY.keys())
    )
    assert book.read_table(HISTORY).frame["customer_id"].tolist() == ["C9"]
    assert FileBook(path).read_table(HISTORY).frame.empty  # nothing on disk yet


# ---- write_computed ----------------------------------------------------------------------------------
def complaint_columns(frame):
    return pd.DataFrame(
        {
            "row": frame["row"],
            "grade": ["A", "B", "C", "Z"][: len(frame)],
            "priority": ["高", "中", "低", "低"][: len(frame)],
            "due": frame["complaint_time"] + pd.Timedelta(days=1),
            "status": ["open", "overdue", "replied", "open"][: len(frame)],
            "queue": pd.array(range(1, len(frame) + 1), dtype="Int64"),
        }
    )


def test_write_computed_changes_only_the_computed_cells(path):
    before = sheet_values(openpyxl.load_workbook(path)[COMPLAINTS.zh])
    before_members = members(path)
    book = FileBook(path)
    frame = book.read_table(COMPLAINTS).frame
    book.write_computed(COMPLAINTS, complaint_columns(frame))
    changed = set(book.package.changed())
    book.save()
    ws = openpyxl.load_workbook(path)[COMPLAINTS.zh]
    after = sheet_values(ws)
    for key, value in before.items():
        assert after[key] == value, key
    assert [ws[f"J{r}"].value for r in range(2, 6)] == ["A", "B", "C", "Z"]
    assert [ws[f"K{r}"].value for r in range(2, 6)] == ["高", "中", "低", "低"]
    assert [ws[f"N{r}"].value for r in range(2, 6)] == [1, 2, 3, 4]
    assert ws["L2"].value == dt.datetime(2026, 3, 2, 9, 30) and ws["L2"].number_format == styles.FMT_DATETIME
    assert fill(ws, "J2")[0] == styles.GRADE_COLOURS[0] and fill(ws, "J3")[0] == styles.GRADE_COLOURS[1]
    assert changed == {Package(path).sheet_part(COMPLAINTS.zh)}
    after_members = members(path)
    # saving also declares the cached results current in workbook.xml (Package.trust_cached_values)
    assert all(
        after_members[n][0] == before_members[n][0] for n in before_members if n not in changed | {"xl/workbook.xml"}
    )
    assert "fullCalcOnLoad" not in zipfile.ZipFile(path).read("xl/workbook.xml").decode()


def test_write_computed_finds_columns_where_the_file_has_them(path):
    wb = openpyxl.load_workbook(path)
    ws = wb[COMPLAINTS.zh]
    ws.insert_rows(1)  # a title row above the header
    ws["A1"] = "客户投诉管理卡 2026"
    ws.move_range("J2:M6", cols=2)  # computed columns moved right, gap of two
    del ws.tables["Complaints"]
    wb.save(path)
    book = FileBook(path)
    frame = book.read_table(COMPLAINTS).frame
    assert frame["row"].tolist() == [3, 4, 5, 6]
    book.write_computed(COMPLAINTS, complaint_columns(frame)[["row", "status", "grade"]])
    book.save()
    ws = openpyxl.load_workbook(path)[COMPLAINTS.zh]
    assert [ws[f"L{r}"].value for r in range(3, 7)] == ["A", "B", "C", "Z"]
    assert [ws[f"O{r}"].value for r in range(3, 7)] == ["open", "overdue", "replied", "open"]
    assert ws["J3"].value is None and ws["A1"].value == "客户投诉管理卡 2026"


def test_write_computed_keeps_formulas_as_cached_values(path):
    book = FileBook(path)
    customers = book.read_table(CUSTOMERS).frame
    book.write_computed(CUSTOMERS, pd.DataFrame({"row": customers["row"], "grade": ["A", "B"] * 3}))
    book.save()
    ws = openpyxl.load_workbook(path)[CUSTOMERS.zh]
    assert ws["M2"].value == '=IF(K2>5,"A","C")'  # the formula stays
    assert [r[12] for r in calamine_rows(path, CUSTOMERS.zh)[1:]] == ["A", "B"] * 3  # its cached value


def test_write_computed_refuses_missing_columns_and_header_rows(path):
    wb = openpyxl.load_workbook(path)
    ws = wb[COMPLAINTS.zh]
    ws["M1"] = "备注"
    ws.tables["Complaints"].tableColumns[12].name = "备注"  # as Excel renames the column
    wb.save(path)
    book = FileBook(path)
    frame = book.read_table(COMPLAINTS).frame
    with pytest.raises(InputError, match="the header row has no column “状态”"):
        book.write_computed(COMPLAINTS, complaint_columns(frame))
    with pytest.raises(InputError, match="header"):
        book.write_computed(COMPLAINTS, pd.DataFrame({"row": [1], "grade": ["A"]}))


# ---- write_summary -------------------------------------------------------------------------------------
def summary(rows=3):
    grades = Block(
        "grades",
        "按等级汇总",
        ("等级", "客户数", "销售额", "累计占比"),
        ("grade", "int", "money", "share"),
        (("A", 10, 800000.0, 0.8), ("B", 20, 150000.0, 0.95), ("C", 70, 50000.0, 1.0))[:rows],
        total=("合计", 100, 1000000.0, None),
        note="按销售额排序",
        chart=Chart("pareto", "帕累托图", 0, (2,), line=3),
        grade_column=0,
    )
    industry = Block(
        "industry",
        "等级 × 行业",
        ("行业", "A", "B", "C"),
        ("text", "int", "int", "int"),
        (("化工", 1, 2, 3), ("机械", 4, 5, 6)),
        chart=Chart("column", "行业", 0, (1, 2, 3)),
    )
    pie = Block(
        "pie",
        "客户数",
        ("等级", "客户数"),
        ("grade", "int"),
        (("A", 10), ("B", 20), ("C", 70)),
        chart=Chart("pie", "客户数占比", 0, (1,)),
        grade_column=0,
    )
    empty = Block(
        "migration",
        "等级迁移",
        ("上月", "本月"),
        ("grade", "grade"),
        (),
        note="无上月数据",
        chart=Chart("column", "迁移", 0, (1,)),
    )
    return Summary(
        "客户分级汇总 2026-10", "方法: threshold", (grades, industry, pie, empty), grade_order=("A", "B", "C")
    )


def test_write_summary_lays_out_blocks_and_charts(path):
    book = FileBook(path)
    book.write_summary(summary())
    book.save()
    check_consistent(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SUMMARY_SHEET.zh]
    # each block: title, note, its chart (16 rows and a blank one), header, rows, totals, a blank row
    col_a = [ws[f"A{r}"].value for r in range(1, 50)]
    assert col_a[:5] == ["客户分级汇总 2026-10", "方法: threshold", None, "按等级汇总", "按销售额排序"]
    assert col_a[5:22] == [None] * 17  # the chart's rows
    assert col_a[22:27] == ["等级", "A", "B", "C", "合计"]
    assert col_a[27:29] == [None, "等级 × 行业"] and col_a[29:46] == [None] * 17  # no note: the chart next
    assert col_a[46:48] == ["行业", "化工"]
    assert ws["A1"].font.sz == styles.TITLE_SIZE and ws["A4"].font.b
    assert fill(ws, "A23")[0] == styles.HEADER_FILL and fill(ws, "A24")[0] == styles.GRADE_COLOURS[0]
    assert fill(ws, "A26")[0] == styles.GRADE_COLOURS[2] and ws["C24"].number_format == styles.FMT_MONEY
    assert (
        ws["D25"].number_format == styles.FMT_SHARE and ws["B27"].font.b and ws["B27"].number_format == styles.FMT_INT
    )
    # every row has its height (the layout knows its pages); a fixed scale, no fit to page
    assert all(ws.row_dimensions[r].height for r in range(1, 28))
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.scale) >= pagelayout.MIN_SCALE
    assert len(ws._charts) == 3  # the empty block draws no chart
    p = Package(path)
    z = zipfile.ZipFile(path)
    pareto = z.read(p.charts(SUMMARY_SHEET.zh)[0]).decode()
    q = f"'{SUMMARY_SHEET.zh}'"
    assert f"<c:f>{q}!$A$24:$A$26</c:f>" in pareto and f"<c:f>{q}!$C$24:$C$26</c:f>" in pareto
    assert f"<c:f>{q}!$D$24:$D$26</c:f>" in pareto and f"<c:f>{q}!$C$23</c:f>" in pareto
    column = z.read(p.charts(SUMMARY_SHEET.zh)[1]).decode()
    assert column.count("<c:ser>") == 3 and f"<c:f>{q}!$D$48:$D$49</c:f>" in column
    drawing = z.read(p.drawing_part(SUMMARY_SHEET.zh)).decode()
    rows = [
        int(r)
        for r in re.findall(
            r"<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing
        )
    ]
    assert rows[:2] == [5, 29] and len(rows) == 3  # in column A, right under each block's title / note
    last = max(
        int(r)
        for r in re.findall(
            r"<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing
        )
    )
    right = max(int(c) for c in re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col>", drawing))
    assert (
        ws.print_area == f"'{SUMMARY_SHEET.zh}'!$A$1:${openpyxl.utils.get_column_letter(right)}${max(last, ws.max_row)}"
    )

    book = FileBook(path)  # next month: fewer rows, charts replaced
    book.write_summary(summary(rows=2))
    book.save()
    check_consistent(path)
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET.zh]
    assert len(ws._charts) == 3 and ws["A26"].value == "合计"
    assert len([n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/")]) == 3


# ---- saving ------------------------------------------------------------------------------------------
def test_save_backs_up_once_into_the_backup_folder(path):
    original = path.read_bytes()
    book = FileBook(path)
    made = book.backup()
    assert made and os.path.dirname(made) == str(path.parent / "xlgrade-backup")
    book.write_table(SALES_POWER, sales_power())
    assert book.save() == made
    assert os.listdir(path.parent / "xlgrade-backup") == [os.path.basename(made)]
    assert open(made, "rb").read() == original
    book.write_table(SALES_POWER, sales_power(2))  # the book is usable after saving
    second = book.save()
    assert second != made and len(os.listdir(path.parent / "xlgrade-backup")) == 2
    assert FileBook(path).save() is None  # nothing written: nothing done


@pytest.mark.parametrize("lock", [".~lock.book.xlsx#", "~$book.xlsx"])
def test_refuses_a_workbook_open_elsewhere(path, lock):
    original = path.read_bytes()
    book = FileBook(path)
    book.read_table(LEDGER)  # reading is fine
    (path.parent / lock).write_text("user,host")
    with pytest.raises(WorkbookLockedError, match="close it") as err:
        book.write_table(SALES_POWER, sales_power())
    assert isinstance(err.value, XlgradeError)
    os.remove(path.parent / lock)
    book.write_table(SALES_POWER, sales_power())
    (path.parent / lock).write_text("user,host")
    with pytest.raises(WorkbookLockedError):
        book.save()
    assert path.read_bytes() == original


def test_staff_sheet_and_defined_names_survive(path):
    book = FileBook(path)
    book.write_table(SALES_POWER, sales_power())
    book.write_summary(summary())
    book.save()
    wb = openpyxl.load_workbook(path)
    assert wb[STAFF_SHEET]["B3"].value == 42 and [str(r) for r in wb[STAFF_SHEET].merged_cells.ranges] == ["A5:C5"]
    assert "staff_total" in wb.defined_names
    assert wb[CUSTOMERS.zh].protection.sheet and wb[CUSTOMERS.zh].data_validations.dataValidation


def test_on_a_template_workbook(tmp_path):
    template = pytest.importorskip("xlgrade.workbook.template")
    path = template.new_workbook(tmp_path / "t.xlsx", "en")
    book = FileBook(path)
    assert book.lang == "en" and book.read_rules().abc.labels == ("A", "B", "C")
    assert book.read_table(CUSTOMERS).frame.empty
    book.write_table(SALES_POWER, sales_power())
    book.write_summary(summary())
    book.save()
    check_consistent(path)
    ws = openpyxl.load_workbook(path)[SALES_POWER.en]
    assert [c.value for c in ws[1]] == SALES_POWER.headers("en") and ws.tables["SalesPower"].ref == "A1:Q6"
    assert ws["E2"].number_format == styles.FMT_MONEY


def test_set_as_of_sets_the_live_window_date(tmp_path):
    from xlgrade.schema import formulas
    from xlgrade.workbook.template import new_workbook

    path = new_workbook(tmp_path / "book.xlsx")
    names = {d.name: d.value for d in Package(path).defined_names()}
    assert names[formulas.AS_OF] == "EOMONTH(TODAY(),0)"  # before any run
    assert names[formulas.WINDOW_START] == (
        "IF(rule_threshold_window_months>0,EDATE(xlgrade_as_of,-rule_threshold_window_months),0)"
    )
    book = FileBook(path)
    book.set_as_of(pd.Timestamp("2026-02-28"))
    book.save()
    names = {d.name: d.value for d in Package(path).defined_names()}
    assert names[formulas.AS_OF] == "DATE(2026,2,28)"
    assert openpyxl.load_workbook(path).defined_names[formulas.AS_OF].attr_text == "DATE(2026,2,28)"
