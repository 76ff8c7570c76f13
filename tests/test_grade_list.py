"""The lists sheet's 等级 (the 人工等级 drop-down's source) follows the rules' method: the
monthly job rewrites it when staff change ``general.method`` in the rules sheet, and touches
nothing else (issue 11, item 5's "人工等级 offers only the method's grades")."""

from __future__ import annotations

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.filebookprobe import FileBookProbe, set_rule
from xlgrade import demo_data
from xlgrade.engine import METHODS, grade_choices
from xlgrade.engine.rulelabels import method_name
from xlgrade.engine.rules import RuleBook
from xlgrade.job.monthly import run_month
from xlgrade.schema.sheets import LISTS_SHEET, VALIDATION
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.template import InputData, build, save


def _book(path, lang):
    save(build(lang, InputData.from_demo(demo_data.generate(n_customers=40, lang=lang))), path)
    return path


def _set_method(path, method: str, lang: str) -> None:
    """Staff choose another method in the rules sheet, by the method's name."""
    set_rule(path, "general.method", str(method_name(method, lang)))


def _lists(path, lang) -> dict[str, list]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(LISTS_SHEET.name(lang)).to_python()
    heads = rows[0]
    return {
        col.key: [r[heads.index(col.header(lang))] for r in rows[1:]]
        for col in LISTS_SHEET.columns
        if col.header(lang) in heads
    }


def _filled(values: list) -> list:
    out = list(values)
    while out and out[-1] in ("", None):
        out.pop()
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_changing_the_method_in_the_rules_sheet_changes_the_grade_list(tmp_path, lang):
    path = _book(tmp_path / "book.xlsx", lang)
    before = _lists(path, lang)
    assert _filled(before["grades"]) == ["A", "B", "C"]
    for method, month in (("scorecard", "2026-09"), ("rfm", "2026-10"), ("threshold", "2026-10")):
        _set_method(path, method, lang)
        probe = FileBookProbe(path)
        run_month(probe, month)
        assert probe.typed_changes() == []  # no typed cell of any input sheet changed
        now = _lists(path, lang)
        wanted = grade_choices(method, RuleBook(), lang)
        assert wanted == list(METHODS[method].grade_labels(RuleBook(), lang))
        assert _filled(now["grades"]) == wanted, method  # exactly these: nothing left below
        for key, values in before.items():  # every other list as staff keep it
            if key != "grades":
                assert _filled(now[key]) == _filled(values), key
    # the change is said in 校验 (the last run went back to threshold ABC)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(VALIDATION.name(lang)).to_python()
    assert any(LISTS_SHEET.name(lang) in map(str, r) and "A; B; C" in map(str, r) for r in rows), rows


def test_an_unchanged_list_is_not_written(tmp_path):
    path = _book(tmp_path / "book.xlsx", "zh")
    book = FileBook(path)
    assert book.write_list("grades", grade_choices("threshold", RuleBook(), "zh")) is False
    assert not book.package.dirty
    assert book.write_list("grades", ["A", "B"]) is True
    assert book.package.dirty


def test_a_list_longer_than_the_table_grows_the_table(tmp_path):
    path = _book(tmp_path / "book.xlsx", "zh")
    book = FileBook(path)
    ref = book.package.table_info(LISTS_SHEET.zh, LISTS_SHEET.table)[0]
    long = [f"G{i}" for i in range(1, 41)]
    assert book.write_list("grades", long)
    book.save()
    assert _filled(_lists(path, "zh")["grades"]) == long
    wb = openpyxl.load_workbook(path)
    table = wb[LISTS_SHEET.zh].tables[LISTS_SHEET.table]
    assert table.ref != ref and openpyxl.utils.cell.range_boundaries(table.ref)[3] == 41
    assert FileBook(path).write_list("grades", long) is False
