"""``xlgrade export-masked BOOK OUT``: a copy of a workbook to share, without personal data.

DOMAIN.md §6 (seed 000: 客户档案资料作为公司最高级机密): a masked copy hides contacts, phones and
addresses. What it owns: building that copy part by part, through the same
:class:`~xlgrade.workbook.filebook.FileBook` / :class:`~xlgrade.workbook.package.Package`
writer the monthly job uses, and recording the export in the run logs. How a value is masked
is :mod:`xlgrade.mask` (pure); *which* columns are personal is declared once, on the columns
(``Column.mask``, :mod:`xlgrade.schema.sheets`); nothing here names a column.

Rules, in this order:

1. Refusals before anything is read: OUT is BOOK (the same path or the same file), OUT is a
   folder, OUT has another suffix than BOOK (.xlsx / .xlsm: the package's content types
   follow it), OUT's folder does not exist, OUT exists (without ``--force``) or is open in a
   spreadsheet. BOOK is held as for ``xlgrade recalc`` (:func:`xlgrade.workbook.guard.exclusive`:
   xlgrade's lock, refused while open in LibreOffice / Excel), because the export writes the
   run log of BOOK (rule 6).
2. Every cell below the header of a personal column, on every sheet that declares one, is
   masked (input sheets: ``mask(kind, value)``, the style kept) or dropped (a derived sheet:
   nothing personal is kept in History or any sheet the job rewrites) — the rows the job
   could not use and the rows below the table too. A personal column that is not text (年龄,
   an integer) is left blank: its masked text would be a value the job cannot read. A row of
   校验 about a personal column loses the value it quotes (in its 值 and in its reason).
3. The cards' lookups get the masked tables' values as their results, then every formula of
   every sheet is replaced by its value (cached result), and the tables' calculated-column
   formulas are removed: the copy computes nothing and shows what the workbook showed.
4. Every original value of an identifying column (names, phones, e-mails, addresses, IDs;
   :class:`xlgrade.mask.Secrets`) is replaced by its masked form wherever else it is in the
   package: other cells' text (a name in a complaint's subject), the shared-strings table
   (the masked cells' old strings stay there otherwise), comments, defined names, document
   properties, chart and pivot caches. In a worksheet only the text outside the cell data and
   the cells' inline strings are touched, never a number.
5. Then every part is searched again; a part that still holds an original value (a binary
   part, a number equal to a phone number ...) stops the export (:class:`PersonalDataLeftError`,
   naming the part) and OUT is not written. OUT is written atomically, without a backup.
6. The run log records the export (操作 导出脱敏副本, who, which computer, when, OUT's full
   path) in **both** workbooks. In BOOK's, because that is where the company looks for who
   took its customer data out: the copy leaves the company and can be edited or lost, and
   §6 logs every run in the workbook itself (BOOK is backed up first, as for every write). In
   the copy's, so whoever receives it sees that it is a masked copy, made when and by whom.
   If BOOK's log cannot be written, OUT is removed: no export goes unrecorded.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from xlgrade import __version__, mask, who
from xlgrade.engine.text import in_lang
from xlgrade.errors import (
    FolderNotFileError,
    InputError,
    MissingSheetError,
    OutputExistsError,
    PersonalDataLeftError,
    WorkbookLockedError,
)
from xlgrade.job.text import TEXT as JOB_TEXT
from xlgrade.schema.model import DERIVED, ID, TEXT, Column, Sheet
from xlgrade.schema.sheets import CUSTOMERS, RUN_LOG, SHEETS, TABLES, VALIDATION
from xlgrade.workbook import cards
from xlgrade.workbook.cellxml import Cell
from xlgrade.workbook.filebook import FileBook
from xlgrade.workbook.guard import exclusive, open_elsewhere, require_file, workbook_lang
from xlgrade.workbook.runlock import DEFAULT_WAIT_SECONDS, say
from xlgrade.workbook.xmlscan import decode_part, esc

_SHEET_DATA = re.compile(r"<(?:[\w.\-]+:)?sheetData\b.*?(?:/>|</(?:[\w.\-]+:)?sheetData>)", re.S)
_INLINE = re.compile(r"<(?:[\w.\-]+:)?is>.*?</(?:[\w.\-]+:)?is>", re.S)
_TAG = re.compile(r"<[^>]*>")
_ATTR = re.compile(r'(=\s*")([^"]*)(")')
_CALCULATED = re.compile(
    r"<(?:[\w.\-]+:)?calculatedColumnFormula\b(?:[^>]*/>|.*?</(?:[\w.\-]+:)?calculatedColumnFormula>)", re.S
)
_XML_PART = (".xml", ".rels", ".vml")


@dataclass
class ExportResult:
    lang: str
    out: Path
    masked_cells: int
    formulas: int
    secrets: int
    backup: str | None

    def line(self, lang: str | None = None) -> str:
        return say(
            lang or self.lang,
            f"{self.out}:已导出脱敏副本(脱敏 {self.masked_cells} 个单元格,{self.formulas} 个公式已改为数值);"
            "导出记录已写入原工作簿的运行日志",
            f"{self.out}: masked copy written ({self.masked_cells} cells masked, {self.formulas} formulas "
            "replaced by their values); the export is recorded in the workbook's run log",
        )


def export_masked(
    book: str | Path,
    out: str | Path,
    *,
    force: bool = False,
    wait: float = DEFAULT_WAIT_SECONDS,
    user: str | None = None,
    now: datetime | None = None,
    notify: Callable[[str], None] | None = None,
) -> ExportResult:
    """Write the masked copy of ``book`` to ``out`` and log it in both (see the module's rules)."""
    started = time.perf_counter()
    book, out = Path(book), Path(out)
    require_file(book)
    lang = workbook_lang(book)
    refuse_target(book, out, force=force, lang=lang)
    now = now or datetime.now()
    with exclusive(book, wait=wait, command="export-masked", notify=notify):
        copy = FileBook(book)
        lang = copy.lang
        secrets = mask.Secrets()
        masked = mask_personal(copy, secrets) + mask_validation(copy)
        fill_cards(copy)
        formulas = formulas_to_values(copy)
        row = export_log_row(
            lang, now=now, user=user if user is not None else who.login(), output=out.resolve(), customers=_count(copy)
        )
        _append_log(copy, row)
        scrub_package(copy, secrets)
        check_no_secrets(copy, secrets, out)
        copy.package.trust_cached_values()
        copy.package.save(out)
        try:
            source = FileBook(book)
            row["seconds"] = round(time.perf_counter() - started, 2)
            row["backup"] = source.backup()
            _append_log(source, row)
            backup = source.save()
        except BaseException:
            out.unlink(missing_ok=True)  # an export the workbook does not record must not exist
            raise
    return ExportResult(lang, out, masked, formulas, len(secrets), backup)


def proposed_copy(book: Path, lang: str) -> Path:
    """The copy a save dialog proposes: beside the workbook, ``<name>-脱敏.xlsx`` / ``<name>-masked.xlsx``
    (the LibreOffice menu says the same in ``oxt/xlgrademenu.py``, which cannot import xlgrade)."""
    return book.with_name(book.stem + in_lang(lang, "-脱敏", "-masked") + book.suffix)


# ---- 1. refusals ------------------------------------------------------------------------------
def refuse_target(book: Path, out: Path, *, force: bool, lang: str | None) -> None:
    """Raise unless ``out`` is a place a copy of ``book`` may be written (rule 1)."""
    same = out.resolve() == book.resolve() or (out.exists() and book.exists() and os.path.samefile(out, book))
    if same:
        raise InputError(
            say(
                lang,
                "副本不能覆盖原工作簿:请给出另一个文件名",
                "the masked copy cannot replace the workbook itself: give another file name",
            ),
            source=str(out),
        )
    if out.is_dir():
        raise FolderNotFileError(
            say(
                lang,
                f"{out} 是文件夹;请给出脱敏副本的文件路径",
                f"{out} is a folder; give the path of the masked copy's file",
            )
        )
    if out.suffix.lower() != book.suffix.lower():
        raise InputError(
            say(
                lang,
                f"副本的扩展名应与原工作簿相同({book.suffix})",
                f"the copy must have the workbook's suffix ({book.suffix})",
            ),
            source=str(out),
        )
    if not out.parent.is_dir():
        raise InputError(
            say(lang, f"文件夹 {out.parent} 不存在", f"the folder {out.parent} does not exist"), source=str(out)
        )
    if out.exists():
        if not force:
            raise OutputExistsError(
                say(
                    lang,
                    f"{out} 已存在;如要覆盖,请加 --force",
                    f"{out} already exists; add --force to overwrite it",
                )
            )
        elsewhere = open_elsewhere(out, lang)
        if elsewhere is not None:
            raise WorkbookLockedError(elsewhere)


# ---- 2. personal columns --------------------------------------------------------------------
def personal_sheets() -> list[Sheet]:
    """The declared sheets with at least one personal column."""
    return [s for s in SHEETS.values() if s.personal]


def masked_cells(
    sheet: Sheet,
    header_row: int,
    where: dict[str, int],
    cells: dict[tuple[int, int], tuple[Any, int, bool]],
    secrets: mask.Secrets,
) -> dict[tuple[int, int], Any]:
    """{cell: new value} for the personal cells of one sheet (rule 2); records the secrets."""
    columns = {where[c.key]: c for c in sheet.personal if c.key in where}
    out: dict[tuple[int, int], Any] = {}
    for (r, c), (value, _style, _formula) in cells.items():
        col = columns.get(c)
        if col is None or col.mask is None or r <= header_row:
            continue
        secrets.add(col.mask, value)
        shown = None if sheet.kind == DERIVED else mask.mask(col.mask, value)
        if isinstance(shown, str) and col.type not in (TEXT, ID):  # 年龄 *** would be an unreadable number
            shown = None
        out[(r, c)] = shown
    return out


def mask_personal(book: FileBook, secrets: mask.Secrets) -> int:
    """Mask (input sheets) or drop (derived sheets) every personal cell; the number of cells."""
    n = 0
    for sheet in personal_sheets():
        name = book.sheet_name(sheet)
        if name is None:
            continue
        header_row, where = book.header_columns(sheet, name)
        changes = masked_cells(sheet, header_row, where, book.package.all_cells(name), secrets)
        book.package.set_cells(name, {at: Cell(v) for at, v in changes.items()}, keep_styles=True)
        n += len(changes)
    return n


def personal_column(sheet_text: object, column_text: object) -> Column | None:
    """The personal column a 校验 row names (its 工作表 ``[book.xlsx]客户资料`` and 列 header), if any."""
    if mask.blank(sheet_text) or mask.blank(column_text):
        return None
    name = str(sheet_text).rsplit("]", 1)[-1].strip()
    for sheet in personal_sheets():
        if name in (sheet.zh, sheet.en):
            col = sheet.match_header(column_text)
            return col if col is not None and col.personal else None
    return None


def validation_cells(
    header_row: int, where: dict[str, int], cells: dict[tuple[int, int], tuple[Any, int, bool]]
) -> dict[tuple[int, int], Any]:
    """{cell: new value} of 校验: a row about a personal column loses its value, and the value is
    cut out of its reason too (the value a person typed is as personal as the column)."""
    keys = ("sheet", "column", "value", "reason")
    if any(k not in where for k in keys):
        return {}
    at = {k: where[k] for k in keys}
    rows = sorted({r for r, _c in cells if r > header_row})
    out: dict[tuple[int, int], Any] = {}
    for r in rows:
        got = {k: cells.get((r, c), (None, 0, False))[0] for k, c in at.items()}
        if personal_column(got["sheet"], got["column"]) is None or mask.blank(got["value"]):
            continue
        out[(r, at["value"])] = None
        text = mask.as_text(got["value"])
        if isinstance(got["reason"], str) and text in got["reason"]:
            out[(r, at["reason"])] = got["reason"].replace(text, mask.STARS)
    return out


def mask_validation(book: FileBook) -> int:
    """Rule 2 on the 校验 sheet (its rows name the column a value came from); the cells changed."""
    name = book.sheet_name(VALIDATION)
    if name is None:
        return 0
    header_row, where = book.header_columns(VALIDATION, name)
    changes = validation_cells(header_row, where, book.package.all_cells(name))
    book.package.set_cells(name, {at: Cell(v) for at, v in changes.items()}, keep_styles=True)
    return len(changes)


# ---- 3. cards and formulas ------------------------------------------------------------------
def fill_cards(book: FileBook) -> None:
    """The cards' lookups show the masked tables' values (:meth:`FileBook.write_cards`)."""
    tables: dict[str, pd.DataFrame] = {}
    for table in cards.KEYS:
        try:
            tables[table] = book.read_table(TABLES[table]).frame
        except MissingSheetError:
            continue
    book.write_cards(tables)


def formulas_to_values(book: FileBook) -> int:
    """Every formula cell of every sheet becomes its cached result; the number of formulas."""
    pkg = book.package
    n = 0
    for info in pkg.sheets():
        if info.part is None:
            continue
        values = {at: Cell(value) for at, (value, _s, formula) in pkg.all_cells(info.name).items() if formula}
        pkg.set_cells(info.name, values, keep_styles=True)
        n += len(values)
    for part in [p for p in pkg.names() if p.startswith("xl/tables/") and p.endswith(".xml")]:
        xml = pkg.text(part)
        new = _CALCULATED.sub("", xml)
        if new != xml:
            pkg.write(part, new)
    return n


# ---- 4. and 5. the originals anywhere else --------------------------------------------------
def scrub_xml(xml: str, secrets: mask.Secrets, *, worksheet: bool) -> str:
    """``xml`` with every original value in its text and attribute values masked (rule 4)."""
    if not secrets:
        return xml
    if worksheet:
        m = _SHEET_DATA.search(xml)
        if m is not None:
            data = _INLINE.sub(lambda s: _scrub_text(s.group(0), secrets), m.group(0))
            return (
                scrub_xml(xml[: m.start()], secrets, worksheet=False)
                + data
                + scrub_xml(xml[m.end() :], secrets, worksheet=False)
            )
    return _scrub_text(xml, secrets)


def _scrub_text(xml: str, secrets: mask.Secrets) -> str:
    def text(chunk: str) -> str:
        return secrets.replace(chunk, esc)

    out, pos = [], 0
    for tag in _TAG.finditer(xml):
        out.append(text(xml[pos : tag.start()]))
        out.append(_ATTR.sub(lambda a: a.group(1) + text(a.group(2)) + a.group(3), tag.group(0)))
        pos = tag.end()
    out.append(text(xml[pos:]))
    return "".join(out)


def _is_xml(part: str) -> bool:
    return part.lower().endswith(_XML_PART)


def scrub_package(book: FileBook, secrets: mask.Secrets) -> None:
    """Rule 4 on every XML part of the package."""
    pkg = book.package
    sheets = {info.part for info in pkg.sheets() if info.part}
    for part in pkg.names():
        if not _is_xml(part):
            continue
        xml = pkg.text(part)
        new = scrub_xml(xml, secrets, worksheet=part in sheets)
        if new != xml:
            pkg.write(part, new)


def leaks(parts: Iterable[tuple[str, bytes]], secrets: mask.Secrets) -> list[tuple[str, str]]:
    """(part, original value) for each part that still holds a value of ``secrets`` (rule 5)."""
    if not secrets:
        return []
    escaped = secrets.pattern(esc)
    plain = secrets.pattern()
    found = []
    for part, data in parts:
        if _is_xml(part):
            hit = escaped.search(decode_part(data, part))
        else:  # a binary part: its strings as UTF-8 or UTF-16
            hit = plain.search(data.decode("utf-8", "ignore")) or plain.search(data.decode("utf-16-le", "ignore"))
        if hit is not None:
            found.append((part, hit.group(0)))
    return found


def check_no_secrets(book: FileBook, secrets: mask.Secrets, out: Path) -> None:
    pkg = book.package
    found = leaks(((p, pkg.read(p)) for p in pkg.names()), secrets)
    if found:
        part, value = found[0]
        shown = mask.mask(mask.NAME, value)
        raise PersonalDataLeftError(
            say(
                book.lang,
                f"{out.name} 未写出:部件 {part} 中仍有个人信息({shown}),无法脱敏;请删除该处内容后重试",
                f"{out.name} was not written: part {part} still holds personal data ({shown}) that cannot be "
                "masked; remove it there and run again",
            )
        )


# ---- 6. the run log -------------------------------------------------------------------------
def export_log_row(lang: str, *, now: datetime, user: str, output: Path, customers: int | None) -> dict[str, Any]:
    """The run log's row of an export (rule 6); ``backup`` and ``seconds`` are filled in later."""
    host = who.host()
    row: dict[str, Any] = {key: None for key in RUN_LOG.keys()}
    row.update(
        run_at=pd.Timestamp(now),
        action=JOB_TEXT("run_export_masked", lang),
        user=user,
        host=host,
        customers=customers,
        output=str(output),
        version=__version__,
    )
    return row


def _count(book: FileBook) -> int | None:
    try:
        return int(book.read_table(CUSTOMERS).frame["customer_id"].notna().sum())
    except MissingSheetError:
        return None


def _append_log(book: FileBook, row: dict[str, Any]) -> None:
    log = book.read_table(RUN_LOG).frame.reindex(columns=RUN_LOG.keys())
    book.write_table(RUN_LOG, pd.concat([log, pd.DataFrame([row])], ignore_index=True))


__all__ = [
    "ExportResult",
    "check_no_secrets",
    "export_log_row",
    "export_masked",
    "formulas_to_values",
    "leaks",
    "mask_personal",
    "masked_cells",
    "personal_column",
    "personal_sheets",
    "proposed_copy",
    "refuse_target",
    "scrub_package",
    "scrub_xml",
    "validation_cells",
]
