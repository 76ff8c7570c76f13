"""`xlgrade export-masked BOOK OUT`: nothing personal anywhere in the copy, grades as they were,
formulas as values, the export in both run logs, and the refusals."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from xlgrade import mask
from xlgrade.cli import main
from xlgrade.errors import PersonalDataLeftError
from xlgrade.schema.model import DERIVED, Column, Sheet
from xlgrade.schema.sheets import (
    COMPLAINTS,
    CUSTOMERS,
    HISTORY,
    ORG_CARD,
    PERSON_CARD,
    PROFILES,
    RUN_LOG,
    SHEETS,
    VALIDATION,
)
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.masked import leaks, masked_cells
from xlgrade.workbook.template import template_path
from xlgrade.workbook.xmlscan import esc


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The zh demo workbook (40 customers) and its masked copy."""
    folder = tmp_path_factory.mktemp("masked")
    assert main(["demo", str(folder / "demo"), "--customers", "40"]) == 0
    book = folder / "demo" / "xlgrade-demo.xlsx"
    before = book.read_bytes()
    kept = folder / "before.xlsx"
    kept.write_bytes(before)
    out = folder / "shared" / "脱敏副本.xlsx"
    out.parent.mkdir()
    assert main(["export-masked", str(book), str(out)]) == 0
    return book, kept, out


def _originals(path: Path) -> dict[tuple[str, str], list]:
    """{(sheet, column): values} of every personal column of the workbook, as read."""
    fb = FileBook(path)
    out = {}
    for sheet in SHEETS.values():
        if sheet.personal and fb.sheet_name(sheet) is not None:
            frame = fb.read_table(sheet).frame
            for col in sheet.personal:
                out[(sheet.key, col.key)] = frame[col.key].tolist()
    return out


def _secrets(path: Path) -> mask.Secrets:
    secrets = mask.Secrets()
    for (sheet, key), values in _originals(path).items():
        for v in values:
            secrets.add(SHEETS[sheet].column(key).mask, v)
    return secrets


def _secret_texts(path: Path) -> set[str]:
    return set(_secrets(path).masked)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _assert_nothing_left(out: Path, originals: set[str]) -> None:
    assert originals
    for part, data in _parts(out).items():
        text = data.decode("utf-8", "ignore")
        for value in originals:
            assert value not in text and esc(value) not in text, (part, value)


def _sheet_rows(path: Path, name: str) -> list[list]:
    with python_calamine.CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(name).to_python()


def test_no_personal_value_survives_anywhere_in_the_package(exported):
    book, kept, out = exported
    originals = _secret_texts(kept)
    assert any("@" in v for v in originals) and any(v.startswith("1") and "-" in v for v in originals)
    _assert_nothing_left(out, originals)


def test_personal_cells_show_their_masked_form(exported):
    _book, kept, out = exported
    before, after = _originals(kept), _originals(out)
    for (sheet, key), values in before.items():
        kind = SHEETS[sheet].column(key).mask
        text = SHEETS[sheet].column(key).type in ("text", "id")
        derived = SHEETS[sheet].kind == DERIVED  # rule 2: a sheet the job rewrites loses the value
        shown = [None if mask.blank(v) or not text or derived else str(mask.mask(kind, v)) for v in values]
        got = [None if pd.isna(v) else str(v) for v in after[(sheet, key)]]
        assert got == shown, (sheet, key)
    contacts = after[("customers", "contact")]
    assert all(len(c) >= 2 and c[1:] == "*" * (len(c) - 1) for c in contacts if c)


def test_the_copy_opens_with_the_same_grades_and_no_formula(exported):
    _book, kept, out = exported
    wb = openpyxl.load_workbook(out)
    formulas = [
        (ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    with zipfile.ZipFile(out) as z:
        assert not any(n.startswith("xl/tables/") and b"calculatedColumnFormula" in z.read(n) for n in z.namelist())
    grade = CUSTOMERS.column("grade").zh
    secrets = _secrets(kept)
    for sheet in (CUSTOMERS.zh, HISTORY.zh, "汇总", "客户信用评估"):
        a, b = _sheet_rows(kept, sheet), _sheet_rows(out, sheet)
        if sheet == CUSTOMERS.zh:
            col = a[0].index(grade)
            assert [r[col] for r in a] == [r[col] for r in b] and any(r[col] == "A" for r in b)
        else:  # nothing personal there: History and the derived sheets as they were, but a
            # salesperson who has a customer contact's name is masked too (no masked name survives)
            assert [[secrets.replace(v) if isinstance(v, str) else v for v in r] for r in a] == b, sheet


def test_the_cards_show_masked_values(exported):
    _book, kept, out = exported
    originals = _secret_texts(kept)
    for card in (ORG_CARD, PERSON_CARD):
        shown = [str(v) for row in _sheet_rows(out, card.zh) for v in row if v not in ("", None)]
        assert shown and not set(shown) & originals
        assert any(s.endswith("*") for s in shown), card.zh


def test_the_export_is_in_both_run_logs(exported):
    book, kept, out = exported
    for path in (book, out):
        log = FileBook(path).read_table(RUN_LOG).frame
        last = log.iloc[-1]
        assert last["action"] == "导出脱敏副本"
        assert last["output"] == str(out.resolve())
        assert last["host"] and last["user"] is not None
        assert log.iloc[0]["action"] == "月度重算"
    source_row = FileBook(book).read_table(RUN_LOG).frame.iloc[-1]
    assert Path(source_row["backup"]).exists()  # the workbook was backed up before its log was written
    # the workbook itself changed in its run log only
    sheets = [s.zh for s in SHEETS.values() if s.key not in ("run_log",) and s.zh in _names(kept)]
    for name in sheets:
        assert _sheet_rows(kept, name) == _sheet_rows(book, name), name


def _names(path: Path) -> list[str]:
    with python_calamine.CalamineWorkbook.from_path(str(path)) as wb:
        return wb.sheet_names


def test_refusals(exported, tmp_path, capsys):
    book, _kept, out = exported
    stamp = out.read_bytes()
    assert main(["export-masked", str(book), str(book)]) == 2
    assert "不能覆盖原工作簿" in capsys.readouterr().err
    assert main(["export-masked", str(book), str(book.parent / "." / book.name)]) == 2
    assert main(["export-masked", str(book), str(out)]) == 2
    assert "已存在" in capsys.readouterr().err and out.read_bytes() == stamp
    assert main(["export-masked", str(book), str(tmp_path / "copy.xlsm")]) == 2
    assert main(["export-masked", str(book), str(tmp_path)]) == 2
    assert main(["export-masked", str(book), str(tmp_path / "no" / "copy.xlsx")]) == 2
    assert not list(tmp_path.glob("**/*.xls*"))
    lock = book.parent / f".~lock.{book.name}#"
    lock.write_text("1,someone,pc,01.12.2026 10:00,file:///x;\n")
    try:
        assert main(["export-masked", str(book), str(tmp_path / "copy.xlsx")]) == 2
        assert "LibreOffice" in capsys.readouterr().err
    finally:
        lock.unlink()
    again = tmp_path / "again.xlsx"
    shutil.copyfile(out, again)
    assert main(["export-masked", str(book), str(again), "--force"]) == 0
    assert again.read_bytes() != stamp


def test_names_in_comments_defined_names_properties_and_free_text_are_masked(tmp_path):
    path = tmp_path / "手工.xlsx"
    shutil.copyfile(template_path("zh"), path)
    wb = openpyxl.load_workbook(path)
    cust = wb[CUSTOMERS.zh]
    cols = {c.key: i + 1 for i, c in enumerate(CUSTOMERS.columns)}
    for r, (cid, company, contact, phone) in enumerate(
        (("C001", "杭州恒达医药有限公司", "诸葛明亮", "0571-88886666"), ("C002", "宁波华信电子", "Li Na", 13812345678)),
        start=2,
    ):
        for key, value in (("customer_id", cid), ("company", company), ("contact", contact), ("phone", phone)):
            cust.cell(r, cols[key], value)
    cust.cell(2, cols["company"]).comment = Comment("联系人诸葛明亮,电话 0571-88886666", "王芳")
    comp = wb[COMPLAINTS.zh]
    ccols = {c.key: i + 1 for i, c in enumerate(COMPLAINTS.columns)}
    comp.cell(2, ccols["complaint_no"], "T1")
    comp.cell(2, ccols["customer_id"], "C001")
    comp.cell(2, ccols["complaint_time"], "2026-10-05 09:00")
    comp.cell(2, ccols["subject"], "诸葛明亮反映送货延迟;Li Na 要求回电")
    comp.cell(2, ccols["complainant"], "诸葛明亮")
    prof = wb[PROFILES.zh]
    pcols = {c.key: i + 1 for i, c in enumerate(PROFILES.columns)}
    prof.cell(2, pcols["customer_id"], "C001")
    prof.cell(2, pcols["age"], "三十五岁")  # not a number: 校验 quotes it
    wb.defined_names["contact_note"] = DefinedName("contact_note", attr_text='"诸葛明亮"')
    wb.properties.creator = "Li Na"
    wb.properties.title = "诸葛明亮的客户"
    wb.save(path)
    assert main(["recalc", str(path), "--month", "2026-10"]) == 0
    checks = _sheet_rows(path, VALIDATION.zh)
    assert [r for r in checks if r[1] == 2 and r[2] == "年龄" and r[3] == "三十五岁"]
    out = tmp_path / "out.xlsx"
    assert main(["export-masked", str(path), str(out)]) == 0
    masked_checks = _sheet_rows(out, VALIDATION.zh)
    assert len(masked_checks) == len(checks)
    assert not [v for r in masked_checks for v in r if isinstance(v, str) and "三十五岁" in v]
    _assert_nothing_left(out, {"诸葛明亮", "Li Na", "0571-88886666", "13812345678"})
    text = "".join(d.decode("utf-8", "ignore") for d in _parts(out).values())
    assert "诸葛**" in text and "L*** N***" in text and "0571-****6666" in text and "138****5678" in text
    assert "Lists" in text or "下拉列表" in text  # whole words only: the sheet names stay
    rows = _sheet_rows(out, COMPLAINTS.zh)
    assert rows[1][[c.key for c in COMPLAINTS.columns].index("subject")] == "诸葛**反映送货延迟;L*** N*** 要求回电"


def test_a_value_that_cannot_be_masked_stops_the_export():
    secrets = mask.Secrets()
    secrets.add(mask.NAME, "王小明")
    secrets.add(mask.PHONE, "13812345678")
    parts = [
        ("xl/worksheets/sheet1.xml", b"<c><v>13812345678</v></c>"),
        ("xl/media/image1.png", b"\x89PNG" + "王小明".encode("utf-16-le")),
        ("xl/styles.xml", b"<styleSheet/>"),
    ]
    assert leaks(parts, secrets) == [("xl/worksheets/sheet1.xml", "13812345678"), ("xl/media/image1.png", "王小明")]
    assert issubclass(PersonalDataLeftError, RuntimeError)


def test_a_derived_sheet_drops_its_personal_columns():
    sheet = Sheet(
        "t", "t", "t", kind=DERIVED, columns=(Column("id", "id", "id"), Column("who", "who", "who", mask=mask.NAME))
    )
    cells = {(1, 1): ("id", 0, False), (1, 2): ("who", 0, False), (2, 1): ("C1", 0, False), (2, 2): ("王伟", 0, False)}
    secrets = mask.Secrets()
    assert masked_cells(sheet, 1, {"id": 1, "who": 2}, cells, secrets) == {(2, 2): None}
    assert secrets.masked == {"王伟": "王*"}
    typed = Sheet("t", "t", "t", columns=sheet.columns)
    assert masked_cells(typed, 1, {"id": 1, "who": 2}, cells, secrets) == {(2, 2): "王*"}
    assert PROFILES.personal and SHEETS["classification"].personal  # a form the job writes can hold them too
