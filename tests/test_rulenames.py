"""The rule names the job's formulas read exist in every workbook it writes
(xlgrade/workbook/rulenames.py): a workbook without its rules sheet gets the job's rule values
as constants, so a recalculating spreadsheet shows the job's grades instead of #NAME?/#REF!."""

from __future__ import annotations

import openpyxl
import pytest

from xlgrade import demo_data
from xlgrade.engine.rules import RuleBook
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import RULES_SHEET
from xlgrade.workbook import rulenames
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.package import Package
from xlgrade.workbook.template import InputData, build, save


def test_constants_are_what_a_formula_reads():
    assert rulenames.constant(5) == "5"
    assert rulenames.constant(100000.0) == "100000"
    assert rulenames.constant(0.8) == "0.8"
    assert rulenames.constant('A; B; "C"') == '"A; B; ""C"""'
    assert rulenames.constant(True) == "TRUE"


def _without_rules_sheet(tmp_path, keep_names: bool):
    """A demo workbook whose rules sheet was deleted: its names dangle, or are gone as well."""
    path = tmp_path / f"no-rules-{keep_names}.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=30))), path)
    wb = openpyxl.load_workbook(path)
    del wb[RULES_SHEET.zh]
    if not keep_names:
        for name in [n for n in wb.defined_names if n.startswith("rule_")]:
            del wb.defined_names[name]
    wb.save(path)
    return path


def _names(path) -> dict[str, str]:
    return {d.name: d.value for d in Package(path).defined_names() if d.local_sheet is None}


@pytest.mark.parametrize("keep_names", [False, True], ids=["names-gone", "names-dangling"])
def test_a_workbook_without_rules_sheet_gets_the_rules_as_constants(tmp_path, keep_names):
    path = _without_rules_sheet(tmp_path, keep_names)
    before = _names(path)
    assert ("rule_threshold_a_orders_over" in before) is keep_names
    run_month(FileBook(path), "2026-10")
    names = _names(path)
    rules = RuleBook()
    assert names["rule_threshold_a_orders_over"] == str(rules.threshold.a_orders_over)
    assert names["rule_threshold_a_volume_over"] == str(int(rules.threshold.a_volume_over))
    assert names["rule_abc_labels"] == '"' + "; ".join(rules.abc.labels) + '"'
    assert names["rule_threshold_window_months"] == str(rules.threshold.window_months)
    assert names["xlgrade_as_of"] == "DATE(2026,10,31)"
    # names no formula uses are neither invented nor rewritten
    assert ("rule_credit_grade_labels_en" in names) is keep_names
    if keep_names:
        assert names["rule_credit_grade_labels_en"] == before["rule_credit_grade_labels_en"]


def test_working_names_are_left_alone(tmp_path):
    path = tmp_path / "book.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=30))), path)
    before = _names(path)
    run_month(FileBook(path), "2026-10")
    after = _names(path)
    assert {k: v for k, v in after.items() if k.startswith("rule_")} == {
        k: v for k, v in before.items() if k.startswith("rule_")
    }
    assert after["rule_threshold_a_orders_over"].startswith(f"'{RULES_SHEET.zh}'!") or after[
        "rule_threshold_a_orders_over"
    ].startswith(f"{RULES_SHEET.zh}!")


def test_a_workbook_whose_names_all_work_reads_no_sheet_for_them(tmp_path, monkeypatch):
    """Rule 1: with every name defined and working nothing can be missing, so the save does not
    inflate the (large) sheet parts to look for names."""
    path = tmp_path / "book.xlsx"
    save(build("zh", InputData.from_demo(demo_data.generate(n_customers=30))), path)
    pkg = Package(path)
    parts = [pkg.sheet_part(n) for n in pkg.sheet_names()]

    text, chunks = Package.text, Package.text_chunks

    def unread(read):
        def guarded(self, part, *a, **k):
            assert part not in parts, f"{part} was read"
            return read(self, part, *a, **k)

        return guarded

    monkeypatch.setattr(Package, "text", unread(text))
    monkeypatch.setattr(Package, "text_chunks", unread(chunks))
    assert rulenames.ensure(pkg, RuleBook(), parts) == []


def test_names_used_in_a_sheet_the_run_left_as_it_was_are_defined(tmp_path):
    """A sheet part the run did not change (a filled ledger whose computed column is current is
    left as it was) may still read a missing name: the save looks at every sheet then."""
    path = _without_rules_sheet(tmp_path, keep_names=False)
    book = FileBook(path)
    book.package.set_defined_name("unrelated_name", "1")  # a change, but to no sheet part
    assert not [p for p in book.package.changed() if p.startswith("xl/worksheets/")]
    book.save()
    names = _names(path)
    assert names["rule_threshold_a_orders_over"] == str(RuleBook().threshold.a_orders_over)


@pytest.mark.libreoffice
def test_calc_recalculates_a_workbook_without_rules_sheet_to_the_jobs_grades(oxt, tmp_path):
    from conftest import require_libreoffice
    from python_calamine import CalamineWorkbook

    from xlgrade.lo import LibreOffice
    from xlgrade.schema.sheets import CUSTOMERS

    require_libreoffice()
    path = _without_rules_sheet(tmp_path, keep_names=False)
    run_month(FileBook(path), "2026-10")
    sheet = CUSTOMERS.name("zh")
    cached = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header = cached[0]
    col = header.index("客户等级")
    with LibreOffice(extensions=[oxt]) as lo, lo.open(path) as doc:
        assert doc.errors() == []
        computed = doc.get(sheet, f"A1:Z{len(cached)}")
    assert [r[col] for r in computed[1:]] == [r[col] for r in cached[1:]]
    assert len({r[col] for r in cached[1:]}) > 1
