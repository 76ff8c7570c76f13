"""`xlgrade upgrade BOOK`: an older release's workbook gets what today's template has.

"Older releases" are made from current workbooks by :mod:`oldrelease` (sheets, table columns,
rules and the version property removed, every part re-saved by openpyxl). The tests are
parametrised over the declaration (every sheet, every table), so sheets and columns added
later are covered without a change here.
"""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest
from oldrelease import make_old

from xlgrade import demo_data
from xlgrade.cli import main
from xlgrade.schema import formulas, model
from xlgrade.schema.sheets import (
    ANALYSIS,
    COMPLAINT_CARD,
    CUSTOMERS,
    RULES_SHEET,
    RUN_LOG,
    SHEETS,
    TABLES,
    VALIDATION,
)
from xlgrade.workbook import version
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save, template_path

MONTH = "2026-10"
STAFF_RULE, STAFF_VALUE = "threshold.b_orders_over", 2
DROPPED_SHEETS = [ANALYSIS.key, COMPLAINT_CARD.key]
DROPPED_COLUMNS = {
    "Customers": ["region", "grade"],  # a typed column with a drop-down, a computed one with a formula
    "Complaints": ["status"],  # computed, written by the job
    "Profiles": ["email"],
    "RunLog": ["note"],
}
DROPPED_RULES = ["input.max_abs_amount", "rfm.labels", "complaints.tier2_days"]


def header_row(ws) -> int:
    """The header row of the sheet's table (row 1, or below a form's head)."""
    table = next(iter(ws.tables.values()), None)
    return openpyxl.utils.cell.range_boundaries(table.ref)[1] if table is not None else 1


def header_col(ws, header: str) -> int:
    return next(c.column for c in ws[header_row(ws)] if c.value == header)


def validations_of(ws, col: int) -> list[tuple]:
    out = []
    for dv in ws.data_validations.dataValidation:
        if any(cr.min_col <= col <= cr.max_col for cr in dv.sqref.ranges):
            out.append((dv.type, dv.formula1, dv.formula2, dv.operator, dv.errorStyle, dv.error))
    return sorted(out, key=repr)


def colours_of(ws, col: int) -> list[tuple]:
    out = []
    for cf in ws.conditional_formatting:
        if any(cr.min_col <= col <= cr.max_col for cr in cf.sqref.ranges):
            for rule in cf.rules:
                # the formula names the column's first cell: compare it without the letter
                text = [f.replace(openpyxl.utils.get_column_letter(col), "#") for f in rule.formula]
                out.append((rule.type, tuple(text), rule.dxf.fill.fgColor.rgb if rule.dxf and rule.dxf.fill else None))
    return sorted(out, key=repr)


def assert_column_like_template(got_ws, want_ws, sheet, col) -> None:
    header = col.header(lang_of(got_ws.parent))
    g, w = header_col(got_ws, header), header_col(want_ws, header)
    first = header_row(want_ws) + 1
    # the run log's first row is the upgrade's own; a derived sheet's rows are the job's (the
    # reference tables come filled in a fresh template, the next recalc writes them)
    if sheet.key != RUN_LOG.key and sheet.kind != model.DERIVED:
        assert got_ws.cell(first, g).value == want_ws.cell(first, w).value, (sheet.key, col.key, "first row")
    assert validations_of(got_ws, g) == validations_of(want_ws, w), (sheet.key, col.key)
    assert colours_of(got_ws, g) == colours_of(want_ws, w), (sheet.key, col.key)
    assert got_ws.cell(first, g).number_format == want_ws.cell(first, w).number_format
    assert got_ws.cell(first, g).protection.locked == want_ws.cell(first, w).protection.locked
    if sheet.kind != model.DERIVED:  # a derived sheet's widths follow what the job writes, every run
        got_width = got_ws.column_dimensions[openpyxl.utils.get_column_letter(g)].width
        assert got_width == pytest.approx(want_ws.column_dimensions[openpyxl.utils.get_column_letter(w)].width)


def lang_of(wb) -> str:
    return "zh" if CUSTOMERS.zh in wb.sheetnames else "en"


def declared_order(names: list[str], lang: str) -> list[str]:
    wanted = [s.name(lang) for s in SHEETS.values()]
    return [n for n in names if n in wanted]


# ---- a company's workbook of an older release, with data, history and a run log ---------------------------
@pytest.fixture(scope="module", params=["zh", "en"])
def company(request, tmp_path_factory):
    """(fresh, old, upgraded, upgrade stdout, second upgrade stdout): one company's data in a current
    workbook and in an older release's, both with one earlier run and a rule staff changed."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"company-{lang}")
    data = demo_data.generate(n_customers=40)
    current = folder / "current.xlsx"
    save(build(lang, InputData.from_demo(data)), current)
    assert main(["recalc", str(current), "--month", MONTH]) == 0  # History and a run-log row
    wb = openpyxl.load_workbook(current)
    ws = wb[RULES_SHEET.name(lang)]
    row = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(r, RULES_SHEET.keys().index("key") + 1).value == STAFF_RULE
    )
    ws.cell(row, 2).value = STAFF_VALUE  # staff changed a rule
    wb.create_sheet("我的表" if lang == "zh" else "Mine")["A1"] = "=SUM(1,2)"  # staff's own sheet
    wb.save(current)
    fresh = folder / "fresh" / "book.xlsx"
    fresh.parent.mkdir()
    shutil.copyfile(current, fresh)
    wb = openpyxl.load_workbook(fresh)  # the same input: what the older release had no column for is blank
    for table, keys in DROPPED_COLUMNS.items():
        sheet = TABLES[table]
        if sheet.kind != model.INPUT:
            continue
        ws = wb[sheet.name(lang)]
        for key in keys:
            col = sheet.column(key)
            if not col.computed:
                for row in range(2, ws.max_row + 1):
                    ws.cell(row, header_col(ws, col.header(lang))).value = None
    wb.save(fresh)
    old = folder / "old.xlsx"
    make_old(current, old, drop_sheets=DROPPED_SHEETS, drop_columns=DROPPED_COLUMNS, drop_rules=DROPPED_RULES)
    upgraded = folder / "up" / "book.xlsx"
    upgraded.parent.mkdir()
    shutil.copyfile(old, upgraded)
    return fresh, old, upgraded, lang


@pytest.fixture(scope="module")
def upgraded(company, tmp_path_factory):
    fresh, old, path, lang = company
    first = main(["upgrade", str(path)])
    after_first = path.read_bytes()
    second = main(["upgrade", str(path)])
    return fresh, old, path, lang, (first, second), after_first


def test_removed_things_are_back_like_the_template(upgraded):
    fresh, old, path, lang, codes, _ = upgraded
    assert codes == (0, 0)
    got = openpyxl.load_workbook(path)
    want = openpyxl.load_workbook(template_path(lang))
    for key in DROPPED_SHEETS:
        name = SHEETS[key].name(lang)
        assert name in got.sheetnames
        g, w = got[name], want[name]
        assert {(c.coordinate, c.value) for r in g.iter_rows() for c in r if c.value is not None} == {
            (c.coordinate, c.value) for r in w.iter_rows() for c in r if c.value is not None
        }
        assert len(g.data_validations.dataValidation) == len(w.data_validations.dataValidation)
        assert g.print_area == w.print_area
    assert declared_order(got.sheetnames, lang) == declared_order(want.sheetnames, lang)
    for table, keys in DROPPED_COLUMNS.items():
        sheet = TABLES[table]
        for key in keys:
            assert_column_like_template(got[sheet.name(lang)], want[sheet.name(lang)], sheet, sheet.column(key))
    rules_ws, want_rules = got[RULES_SHEET.name(lang)], want[RULES_SHEET.name(lang)]
    k = RULES_SHEET.keys().index("key")  # rows by the hidden key column
    got_rules = {r[k].value: [c.value for c in r] for r in rules_ws.iter_rows(min_row=2)}
    want_rows = {r[k].value: [c.value for c in r] for r in want_rules.iter_rows(min_row=2)}
    for key in DROPPED_RULES:
        assert got_rules[key] == want_rows[key]
        name = got.defined_names[formulas.rule_name(key)].attr_text
        row = int(name.rsplit("$", 1)[1])
        assert rules_ws.cell(row, k + 1).value == key
    assert got_rules[STAFF_RULE][1] == STAFF_VALUE  # staff's rule kept
    assert set(want.defined_names) <= set(got.defined_names)
    assert version.read(FileBook(path).package) == version.TEMPLATE_VERSION


def test_every_typed_cell_history_and_run_log_are_kept(upgraded):
    fresh, old, path, lang, _, _ = upgraded
    before, after = openpyxl.load_workbook(old), openpyxl.load_workbook(path)
    kept = [s.name(lang) for s in SHEETS.values() if s.kind in (model.INPUT, model.RULES, model.LISTS)]
    kept += [SHEETS["history"].name(lang), "我的表" if lang == "zh" else "Mine"]
    for name in kept:
        b = {(c.row, c.column): c.value for r in before[name].iter_rows() for c in r if c.value is not None}
        a = {(c.row, c.column): c.value for r in after[name].iter_rows() for c in r if c.value is not None}
        assert {k: a.get(k) for k in b} == b, name  # nothing typed changed
        width = before[name].max_column
        assert all(c > width or (r > before[name].max_row) for r, c in set(a) - set(b)), name  # only new columns/rows
    log_before = FileBook(old).read_table(RUN_LOG).frame
    log_after = FileBook(path).read_table(RUN_LOG).frame
    assert len(log_after) == len(log_before) + 1
    keys = [k for k in RUN_LOG.keys() if k != "note"]
    pd.testing.assert_frame_equal(
        log_after.iloc[: len(log_before)][keys].reset_index(drop=True), log_before[keys].reset_index(drop=True)
    )
    note = log_after.iloc[-1]["note"]
    for key in DROPPED_SHEETS:
        assert SHEETS[key].name(lang) in note
    for key in DROPPED_RULES:
        assert key in note
    assert CUSTOMERS.column("region").header(lang) in note


def test_second_upgrade_changes_nothing(upgraded, capsys):
    fresh, old, path, lang, codes, after_first = upgraded
    assert path.read_bytes() == after_first
    assert main(["upgrade", str(path)]) == 0
    assert path.read_bytes() == after_first
    out = capsys.readouterr().out
    assert ("无需升级" if lang == "zh" else "nothing to upgrade") in out


def test_upgrade_kept_a_backup_of_the_old_file(upgraded):
    fresh, old, path, lang, _, _ = upgraded
    backups = list((path.parent / "xlgrade-backup").glob("*.xlsx"))
    assert [b.read_bytes() for b in backups] == [old.read_bytes()]


def test_recalc_after_upgrade_equals_a_fresh_workbook(upgraded):
    fresh, old, path, lang, _, _ = upgraded
    assert main(["recalc", str(path), "--month", MONTH]) == 0
    assert main(["recalc", str(fresh), "--month", MONTH]) == 0
    a, b = FileBook(path), FileBook(fresh)
    for sheet in [*(s for s in SHEETS.values() if s.kind == model.DERIVED and s.key != "run_log"), CUSTOMERS]:
        if sheet.key == "credit":
            continue  # compared below with the workbook's aging buckets
        got, want = a.read_table(sheet).frame, b.read_table(sheet).frame
        got = got[sorted(c for c in got.columns if c != "row")]
        want = want[sorted(c for c in want.columns if c != "row")]
        if sheet is CUSTOMERS:  # the upgraded table has its re-added columns last: compare by key
            got = got[want.columns]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), obj=sheet.key)
    assert not any("upgrade" in str(r) for r in a.read_table(VALIDATION).frame["reason"])


# ---- every declared sheet and every table column ------------------------------------------------------------
@pytest.mark.parametrize("key", list(SHEETS))
def test_every_sheet_comes_back(key, tmp_path):
    lang = "zh"
    old = make_old(template_path(lang), tmp_path / "old.xlsx", drop_sheets=[key])
    assert main(["upgrade", str(old)]) == 0
    got, want = openpyxl.load_workbook(old), openpyxl.load_workbook(template_path(lang))
    name = SHEETS[key].name(lang)
    assert declared_order(got.sheetnames, lang) == declared_order(want.sheetnames, lang)
    last = 1 if key == RUN_LOG.key else None  # the run log has the upgrade's row below its header

    def values(ws) -> set:
        return {(c.coordinate, c.value) for r in ws.iter_rows(max_row=last) for c in r if c.value is not None}

    assert values(got[name]) == values(want[name])
    assert got[name].print_area == want[name].print_area
    assert got[name].protection.sheet == want[name].protection.sheet
    assert {n: d.attr_text for n, d in got.defined_names.items()} == {
        n: d.attr_text for n, d in want.defined_names.items()
    }


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_column_comes_back(table, tmp_path):
    lang = "en"
    sheet = TABLES[table]
    dropped = sheet.keys()[1:]  # all but the first: the table must keep a column
    old = make_old(template_path(lang), tmp_path / "old.xlsx", drop_columns={table: dropped})
    assert main(["upgrade", str(old)]) == 0
    got, want = openpyxl.load_workbook(old), openpyxl.load_workbook(template_path(lang))
    g, w = got[sheet.name(lang)], want[sheet.name(lang)]
    assert [c.value for c in g[header_row(w)]] == [c.value for c in w[header_row(w)]]  # in declared order
    assert g.tables[table].ref == w.tables[table].ref
    for key in dropped:
        assert_column_like_template(g, w, sheet, sheet.column(key))
    names = {n: d.attr_text for n, d in got.defined_names.items()}
    assert names == {n: d.attr_text for n, d in want.defined_names.items()}


# ---- the monthly job on an older workbook ------------------------------------------------------------------------
def test_recalc_on_an_older_workbook_says_to_upgrade(tmp_path, capsys):
    data = demo_data.generate(n_customers=12)
    current = tmp_path / "current.xlsx"
    save(build("zh", InputData.from_demo(data)), current)
    old = make_old(current, tmp_path / "old.xlsx", drop_sheets=[ANALYSIS.key], drop_rules=DROPPED_RULES[:1])
    assert main(["recalc", str(old), "--month", MONTH]) == 0  # it can run: it says so and goes on
    err = capsys.readouterr().err
    hint = [line for line in err.splitlines() if "xlgrade upgrade" in line]
    assert len(hint) == 1 and old.name in hint[0]
    reasons = FileBook(old).read_table(VALIDATION).frame["reason"].tolist()
    assert sum("xlgrade upgrade" in str(r) for r in reasons) == 1


@pytest.mark.parametrize(
    "drop", [{"drop_sheets": ["ledger"]}, {"drop_columns": {"Customers": ["grade"]}}], ids=["sheet", "column"]
)
def test_recalc_refuses_when_the_run_needs_what_is_missing(drop, tmp_path, capsys):
    data = demo_data.generate(n_customers=12)
    current = tmp_path / "current.xlsx"
    save(build("en", InputData.from_demo(data)), current)
    old = make_old(current, tmp_path / "old.xlsx", **drop)
    before = old.read_bytes()
    assert main(["recalc", str(old), "--month", MONTH]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"xlgrade upgrade {old.name}" in err[0]
    assert old.read_bytes() == before
    assert main(["upgrade", str(old)]) == 0
    assert main(["recalc", str(old), "--month", MONTH]) == 0


def test_a_current_workbook_gets_no_hint(tmp_path, capsys):
    path = tmp_path / "new.xlsx"
    assert main(["new", str(path)]) == 0
    assert version.read(FileBook(path).package) == version.TEMPLATE_VERSION
    assert main(["upgrade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "无需升级" in out and "卡片" not in out


CARD_KEYS = [s.key for s in SHEETS.values() if s.kind == model.CARD]


def older_card(path, key: str, pick) -> tuple[str, list[str]]:
    """The card ``key`` of the workbook at ``path`` as an older release had it: one field's row
    (its labels and their value boxes) left out, ``pick`` chosen in the pick cell. Returns (the
    card's sheet name, the labels left out)."""
    wb = openpyxl.load_workbook(path)
    name = SHEETS[key].zh
    ws = wb[name]
    row = next(
        r
        for r in range(ws.max_row, 4, -1)
        if any(isinstance(c.value, str) and c.value.startswith("=") for c in ws[r])
        and any(isinstance(c.value, str) and c.value.strip() and not c.value.startswith("=") for c in ws[r])
    )
    labels = [c.value for c in ws[row] if isinstance(c.value, str) and c.value.strip() and not c.value.startswith("=")]
    for c in ws[row]:
        if not isinstance(c, openpyxl.cell.cell.MergedCell):
            c.value = None
    ws["B3"] = pick
    wb.save(path)
    return name, labels


def card_cells(ws) -> tuple[dict, dict]:
    """({coordinate: formula}, {coordinate: constant}) of a card sheet, the pick cell left out."""
    cells = [c for r in ws.iter_rows() for c in r if c.value is not None and c.coordinate != "B3"]
    formulas_ = {c.coordinate: c.value for c in cells if isinstance(c.value, str) and c.value.startswith("=")}
    return formulas_, {c.coordinate: c.value for c in cells if c.coordinate not in formulas_}


@pytest.mark.parametrize("key", CARD_KEYS)
@pytest.mark.parametrize("pick", ["C0007", 1007])
def test_an_untouched_card_of_an_older_release_is_rebuilt(key, pick, tmp_path, capsys):
    old = make_old(template_path("zh"), tmp_path / "old.xlsx")
    name, labels = older_card(old, key, pick)
    before = openpyxl.load_workbook(old)
    tab, state = before.sheetnames.index(name), before[name].sheet_state
    assert main(["upgrade", str(old)]) == 0
    out = capsys.readouterr().out
    assert "按新模板重建的卡片" in out and name in out and "请删除该工作表" not in out
    wb = openpyxl.load_workbook(old)
    ws, want = wb[name], openpyxl.load_workbook(template_path("zh"))[name]
    assert card_cells(ws) == card_cells(want)  # every current label, the template's formulas
    assert all(label in card_cells(ws)[1].values() for label in labels)
    assert ws["B3"].value == pick and type(ws["B3"].value) is type(pick)  # the id staff chose, as typed
    assert (wb.sheetnames.index(name), ws.sheet_state) == (tab, state)
    assert ws.print_area == want.print_area
    log = wb[RUN_LOG.zh]
    notes = [c.value for c in log[log.max_row] if isinstance(c.value, str)]
    assert any("按新模板重建的卡片" in n and name in n for n in notes)  # the run log names it
    after_first = old.read_bytes()
    assert main(["upgrade", str(old)]) == 0
    assert "无需升级" in capsys.readouterr().out
    assert old.read_bytes() == after_first  # a second upgrade changes nothing


@pytest.mark.parametrize("key", CARD_KEYS)
def test_a_card_staff_wrote_on_is_named_not_rebuilt(key, tmp_path, capsys):
    old = make_old(template_path("zh"), tmp_path / "old.xlsx")
    name, labels = older_card(old, key, "C0007")
    wb = openpyxl.load_workbook(old)
    ws = wb[name]
    box = next(c for r in ws.iter_rows(min_row=5) for c in r if isinstance(c.value, str) and c.value.startswith("="))
    box.value = "客户要求月结"  # a note typed over a value box
    wb.save(old)
    assert main(["upgrade", str(old)]) == 0
    out = capsys.readouterr().out
    assert name in out and "请删除该工作表" in out and all(label.strip() in out for label in labels)
    assert "按新模板重建的卡片" not in out
    ws = openpyxl.load_workbook(old)[name]
    assert ws[box.coordinate].value == "客户要求月结"  # not rebuilt: the note is kept
    assert ws["B3"].value == "C0007"
    wb = openpyxl.load_workbook(old)
    del wb[name]
    wb.save(old)
    assert main(["upgrade", str(old)]) == 0  # deleted: copied afresh
    assert card_cells(openpyxl.load_workbook(old)[name]) == card_cells(
        openpyxl.load_workbook(template_path("zh"))[name]
    )
    assert main(["upgrade", str(old)]) == 0
    assert "卡片" not in capsys.readouterr().out.split("\n")[-2]


def test_upgrade_never_covers_what_staff_typed_beside_a_table(tmp_path):
    old = make_old(template_path("zh"), tmp_path / "old.xlsx", drop_columns={"Customers": ["close_probability"]})
    wb = openpyxl.load_workbook(old)
    ws = wb[CUSTOMERS.zh]
    ws.cell(2, ws.tables["Customers"].tableColumns.__len__() + 1).value = "备注:勿删"
    wb.save(old)
    before = old.read_bytes()
    assert main(["upgrade", str(old)]) == 2
    assert old.read_bytes() == before


def test_version_is_bumped_with_the_declaration():
    assert version.fingerprint() == version.FINGERPRINT, (
        "the sheet declaration, the cards or the rule keys changed: bump TEMPLATE_VERSION in "
        "xlgrade/workbook/version.py and set FINGERPRINT to "
        f"{version.fingerprint()!r} (python -m xlgrade.workbook.version)"
    )


@pytest.mark.libreoffice
def test_marker_survives_calc(lo, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copyfile(template_path("zh"), path)
    doc = lo.open(path)
    doc.save_copy(tmp_path / "saved.xlsx")
    doc.close()
    assert version.read(FileBook(tmp_path / "saved.xlsx").package) == version.TEMPLATE_VERSION


@pytest.mark.libreoffice
def test_calc_opens_an_upgraded_workbook_without_errors(lo, tmp_path):
    data = demo_data.generate(n_customers=15)
    current = tmp_path / "current.xlsx"
    save(build("zh", InputData.from_demo(data)), current)
    old = make_old(current, tmp_path / "old.xlsx", drop_sheets=DROPPED_SHEETS, drop_columns=DROPPED_COLUMNS)
    assert main(["upgrade", str(old)]) == 0
    assert main(["recalc", str(old), "--month", MONTH]) == 0
    with lo.open(old, recalculate=False) as doc:  # as a person opens it: the job's cached results
        assert doc.errors() == []
        assert declared_order(doc.sheet_names(), "zh") == declared_order(build("zh").sheetnames, "zh")
    with lo.open(old) as doc:  # recalculated: only the add-in's function is unknown without the extension
        errors = doc.errors()
    assert [e for e in errors if "abcgrade" not in e.formula.lower()] == []
