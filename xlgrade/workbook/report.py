"""`xlgrade report`: the summary sheet of a workbook as readable tables in the terminal.

It prints what the workbook holds (as the last monthly run wrote it), not a new
computation: blocks are the runs of non-empty rows under the title; a block's first row is
its title, one-cell rows after it are notes, the rest is its table. Cells formatted as
percentages print as percentages; a block longer than MAX_ROWS rows prints its head, an
ellipsis and its last row.

The file is checked by :mod:`xlgrade.workbook.ziplimits` before openpyxl opens it (sizes,
CRCs, a password), so a hostile or damaged workbook gets a one-line message.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from xlgrade.errors import DamagedSheetError, InputError, PackageError
from xlgrade.schema.sheets import SUMMARY_SHEET
from xlgrade.textout import render
from xlgrade.workbook import ziplimits
from xlgrade.workbook.guard import require_file


def read_summary(path: str | Path) -> list[list[tuple[object, str]]]:
    """Rows of the summary sheet as (value, number format) cells, trailing blanks removed."""
    path = Path(path)
    require_file(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        raise InputError(
            "a text table has no summary sheet; give the workbook that xlgrade recalc wrote (.xlsx) "
            "(文本表格没有汇总表,请给出 xlgrade recalc 写过的工作簿)",
            source=path.name,
        )
    ziplimits.check_file(path)  # limits, CRCs, encryption: before openpyxl inflates anything
    if not zipfile.is_zipfile(path):
        raise PackageError(
            f"{path.name}: not an .xlsx workbook (not a zip package); an encrypted or .xls workbook "
            "must be saved as .xlsx first (不是 .xlsx 工作簿)"
        )
    try:
        return _summary_rows(path)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, SyntaxError, zlib.error) as exc:
        # openpyxl's ways of saying the package or the summary's XML is broken (SyntaxError
        # covers the XML parsers' ParseError / XMLSyntaxError)
        raise DamagedSheetError(
            f"{path.name}: the workbook or its summary sheet cannot be read ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else '-'}); open and save it again in Excel or "
            "LibreOffice, or run xlgrade recalc (工作簿或汇总表已损坏,无法读取)"
        ) from None


def _summary_rows(path: Path) -> list[list[tuple[object, str]]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        name = next((n for n in (SUMMARY_SHEET.zh, SUMMARY_SHEET.en) if n in book.sheetnames), None)
        if name is None:
            raise InputError(
                f"no summary sheet ({SUMMARY_SHEET.zh} / {SUMMARY_SHEET.en}); run `xlgrade recalc` first",
                source=path.name,
                zh=f"没有汇总表({SUMMARY_SHEET.zh});请先运行 xlgrade recalc",
            )
        rows: list[list[tuple[object, str]]] = []
        for row in book[name].iter_rows():
            cells: list[tuple[object, str]] = [
                (c.value, getattr(c, "number_format", "General") or "General") for c in row
            ]
            while cells and cells[-1][0] in (None, ""):
                cells.pop()
            rows.append(cells)
        return rows
    finally:
        book.close()


MAX_ROWS = 25


def never_recalculated(rows: list[list[tuple[object, str]]]) -> bool:
    """A summary sheet as a template leaves it: its title, no block yet."""
    return sum(1 for row in rows if row) <= 1


def _text(value: object, fmt: str) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return f"{100 * value:.1f}%"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M" if "h" in fmt else "%Y-%m-%d")
    return "" if value is None else value


def format_summary(rows: list[list[tuple[object, str]]]) -> str:
    out: list[str] = []
    groups: list[list[list[tuple[object, str]]]] = [[]]
    for cells in rows:
        if cells:
            groups[-1].append(cells)
        elif groups[-1]:
            groups.append([])
    for group in (g for g in groups if g):
        title, rest = group[0], group[1:]
        out.append(str(title[0][0]))
        notes = []
        while rest and len(rest[0]) == 1:
            notes.append(str(rest[0][0][0]))
            rest = rest[1:]
        out += [f"  {n}" for n in notes]
        if rest:
            width = max(len(r) for r in rest)
            header = [str(c[0]) if c[0] is not None else "" for c in rest[0]] + [""] * (width - len(rest[0]))
            body: list[list[object]] = [[*(_text(v, f) for v, f in r), *[""] * (width - len(r))] for r in rest[1:]]
            hidden = len(body) - MAX_ROWS
            if hidden > 1:  # long lists (the Pareto curve) keep their head and their end
                gap: list[object] = ["…", *[""] * (width - 1)]
                body = [*body[: MAX_ROWS - 1], gap, *body[-1:]]
            out.append(render(header, body))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
