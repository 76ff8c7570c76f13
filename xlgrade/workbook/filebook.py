"""The monthly job's :class:`~xlgrade.job.book.Book` for an .xlsx file on disk.

Reads with python-calamine and :mod:`xlgrade.normalize`; writes part by part through
:class:`~xlgrade.workbook.package.Package`, so the ledger, everything staff typed, their own
sheets, pictures and whatever else the file holds are kept byte for byte. Nothing reaches
the file before :meth:`FileBook.save`, which replaces it in one step after a backup copy
(``<workbook folder>/xlgrade-backup``, :mod:`xlgrade.workbook.backups`), written only then.

Refuses to write (:class:`WorkbookLockedError`) while the workbook is open in LibreOffice
(``.~lock.<name>#``) or Excel / WPS (``~$<name>``), and refuses to save over a file that
changed on disk since it was read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import python_calamine

from xlgrade import parse
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import (
    CorruptPartError,
    DamagedSheetError,
    EncryptedWorkbookError,
    InputError,
    MissingSheetError,
    OversizedPartError,
    PackageError,
    RuleError,
    WorkbookLockedError,
    WriteFailedError,
    XlgradeError,
)
from xlgrade.io.rulesfile import rule_pairs
from xlgrade.io.tables import read_book_rows, read_book_table
from xlgrade.issues import NOTE, Issue
from xlgrade.job.outputs import Note, Summary
from xlgrade.normalize import Normalized, find_header, normalize_rows
from xlgrade.schema import formulas
from xlgrade.schema.model import DATE, DATETIME, DERIVED, GRADE, Sheet, header_key
from xlgrade.schema.sheets import HISTORY, LISTS_SHEET, RULES_SHEET, SHEETS, SUMMARY_SHEET, language_of
from xlgrade.workbook import backups, cards, historysheet, pagelayout, rulenames, styles
from xlgrade.workbook.cellxml import Cell, Formula, parse_range, plain_values, range_ref
from xlgrade.workbook.guard import require_file
from xlgrade.workbook.package import Package
from xlgrade.workbook.runlock import say
from xlgrade.workbook.summarysheet import SummaryLayout
from xlgrade.workbook.widths import column_width

BACKUP_DIR = "xlgrade-backup"
# Built-in number formats used when the palette sheet lacks a role (so dates still show as dates).
_BUILTIN_FORMATS = {
    styles.FMT_DATE: 14,
    styles.FMT_DATETIME: 22,
    styles.FMT_MONEY: 4,
    styles.FMT_INT: 3,
    styles.FMT_ORDINAL: 1,
    styles.FMT_SHARE: 10,
    styles.FMT_NUMBER: 4,
    styles.FMT_SCORE: 2,
}


class FileBook:
    """An .xlsx / .xlsm workbook file as the monthly job sees it."""

    def __init__(self, path: str | Path, *, grade_order: Sequence[str] | None = None) -> None:
        self.path = Path(path)
        require_file(self.path)
        self.name = self.path.name
        self.backup_dir = self.path.parent / BACKUP_DIR
        # labels best first, for grade colours of derived tables; else derived from the rules
        self.grade_order: tuple[str, ...] | None = tuple(grade_order) if grade_order else None
        self._backup: str | None = None
        self._package: Package | None = None
        self._open()

    @property
    def package(self) -> Package:
        """The workbook's package; after :meth:`save`, the saved file opened again when next used."""
        if self._package is None:
            self._open()
        assert self._package is not None  # _open sets it
        return self._package

    @package.setter
    def package(self, package: Package) -> None:
        self._package = package

    def _open(self) -> None:
        try:
            self.package = Package(self.path)
            names = self.package.sheet_names()
        except (CorruptPartError, OversizedPartError, EncryptedWorkbookError):
            raise  # these name the file and the part already
        except PackageError as exc:
            if self.name in str(exc):
                raise
            # the XML read so far: _rels/.rels, the workbook part and its relationships
            raise CorruptPartError(
                f"{self.name}: the workbook part (xl/workbook.xml) or its relationships are not readable XML: "
                f"{exc} (工作簿结构已损坏); restore a backup (xlgrade restore FILE --list) or let Excel repair it"
            ) from None
        self.lang = language_of(names)
        self._rules: RuleBook | None = None
        self.rule_issues: list[Issue] = []  # defaults used for a missing rules sheet or blank rules
        self._styles: dict[str, int] | None = None
        self.history_read: Normalized | None = None  # all of History, when it had to be read whole

    # ---- sheets ------------------------------------------------------------------------------
    def sheet_name(self, sheet: Sheet) -> str | None:
        """The name ``sheet`` has in this workbook (its language's name, else any of its names)."""
        names = self.package.sheet_names()
        if sheet.name(self.lang) in names:
            return sheet.name(self.lang)
        wanted = {header_key(n) for n in (sheet.zh, sheet.en, sheet.key)}
        return next((n for n in names if header_key(n) in wanted), None)

    def _source(self, name: str) -> str:
        return f"[{self.name}]{name}"

    source_of = _source

    @property
    def rules_read(self) -> RuleBook | None:
        """The rule book :meth:`read_rules` read (None before)."""
        return self._rules

    def empty_table(self, sheet: Sheet, name: str) -> Normalized:
        """``sheet``'s table without rows, as read from the sheet ``name``."""
        return self._empty(sheet, self._source(name))

    def _rows(self, sheet: Sheet, name: str) -> tuple[list[list[Any]], int]:
        rows, offset, _ = self._reading(name, lambda **kw: read_book_rows(self.path, sheet, sheet_name=name, **kw))
        return rows, offset

    def _reading(self, name: str, read: Callable[..., Any]) -> Any:
        """``read(data=..., checked=..., may_hold_errors=...)`` of the sheet ``name`` (a function of
        :mod:`xlgrade.io.tables`), a damaged sheet reported as :class:`DamagedSheetError`."""
        # the parts calamine reads verified first (it inflates them itself, trusting their headers)
        try:
            part: str | None = self.package.sheet_part(name)
        except (PackageError, KeyError):
            part = None  # no worksheet part of its own: every part verified
        self.package.verified(part)
        data = self.package.to_bytes() if self.package.dirty else None  # pending writes are read back
        try:
            return read(
                data=data,
                checked=True,
                may_hold_errors=lambda n: self.package.may_hold_errors(self.package.sheet_part(n)),
            )
        except python_calamine.CalamineError as exc:  # the sheet's XML is cut off or not XML
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DamagedSheetError(
                say(
                    self.lang,
                    f"{self.name}:工作表“{name}”已损坏,无法读取({detail});请用 Excel 或 LibreOffice "
                    f"打开并另存此文件,或用 xlgrade restore 恢复备份;工作簿未改动",
                    f"{self.name}: the sheet {name!r} is damaged and cannot be read ({detail}); open and "
                    "save the file again in Excel or LibreOffice, or put a backup back with xlgrade restore; "
                    "the workbook was not changed",
                )
            ) from None

    # ---- reading -------------------------------------------------------------------------------
    def read_table(self, sheet: Sheet) -> Normalized:
        name = self.sheet_name(sheet)
        if name is None:
            if sheet.kind == DERIVED:
                return self._empty(sheet, self._source(sheet.name(self.lang)))
            from xlgrade.workbook.upgrade import hint

            later = hint(self)  # in the workbook's language: it ends the message shown
            raise MissingSheetError(
                f"the workbook has no sheet {sheet.name(self.lang)!r}; sheets: {', '.join(self.package.sheet_names())}"
                + later,
                source=self.name,
                zh=f"工作簿中没有工作表“{sheet.zh}”;现有工作表:{'、'.join(self.package.sheet_names())}" + later,
            )
        bound = self._rules.input.max_abs_amount if self._rules is not None else None
        source = self._source(name)
        if sheet.kind != DERIVED:  # the rows stacked into columns as they are read (io.tables)
            read = self._reading(
                name, lambda **kw: read_book_table(self.path, sheet, sheet_name=name, max_abs=bound, **kw)
            )
            return read[0]
        rows, offset = self._rows(sheet, name)
        if not any(not parse.is_blank(v) for r in rows for v in r):
            return self._empty(sheet, source)
        return normalize_rows(rows, sheet, source=source, row_offset=offset, max_abs=bound)

    def _empty(self, sheet: Sheet, source: str) -> Normalized:
        out = normalize_rows([sheet.headers(self.lang)], sheet, source=source)
        out.header_row = None
        return out

    def read_rules(self) -> RuleBook:
        self._rules = self._read_rules()
        return self._rules

    def _read_rules(self) -> RuleBook:
        """The workbook's rule book; :attr:`rule_issues` says where defaults stood in for it."""
        name = self.sheet_name(RULES_SHEET)
        self.rule_issues = []
        if name is None or not (found := self._rows(RULES_SHEET, name))[0]:
            self.rule_issues.append(
                Issue(
                    self._source(name or RULES_SHEET.name(self.lang)),
                    None,
                    None,
                    None,
                    "the rules sheet is missing or empty: every rule uses its default (see `xlgrade rules`)",
                    "规则表缺失或为空:所有规则均使用默认值",
                    NOTE,
                )
            )
            return RuleBook()
        rows, offset = found
        source = self._source(name)
        h = find_header(rows, RULES_SHEET, source=source, row_offset=offset)
        where: dict[str, int] = {}
        for i, cell in enumerate(rows[h]):
            col = None if parse.is_blank(cell) else RULES_SHEET.match_header(cell)
            if col is not None:
                where.setdefault(col.key, i)
        if "value" not in where:
            value = RULES_SHEET.column("value")
            raise InputError(
                f"the rules sheet has no {value.en} column",
                source=source,
                row=offset + h + 1,
                zh=f"规则表缺少“{value.zh}”列",
            )
        pairs = rule_pairs(rows[h + 1 :], where)
        v = where["value"]
        header = str(rows[h][v]).strip()
        for i, (key, cell_value) in enumerate(pairs):
            spec = RuleBook.spec_of(key)
            if spec is not None and parse.is_blank(cell_value):
                shown = spec.format(spec.default)
                self.rule_issues.append(
                    Issue(
                        source,
                        offset + h + 2 + i,
                        header,
                        None,
                        f"rule {spec.name_in('en')} ({spec.key}) is blank: its default {shown} is used",
                        f"规则“{spec.name_in('zh')}”未填写:使用默认值 {shown}",
                        NOTE,
                    )
                )
        return RuleBook.from_table(pairs)

    # ---- styles ------------------------------------------------------------------------------
    def styles(self) -> dict[str, int]:
        """Style index of every role: the palette's, else a built-in number format, else 0."""
        if self._styles is None:
            palette = self.package.palette()
            for role, spec in styles.ROLES.items():
                if not self.package.palette_has(role) and spec.number_format in _BUILTIN_FORMATS:
                    palette[role] = self.package.number_style(_BUILTIN_FORMATS[spec.number_format])
            self._styles = palette
        return self._styles

    def _grade_ranks(self) -> dict[str, int]:
        ranks: dict[str, int] = {}
        for i, label in enumerate(self.grade_order or ()):
            ranks.setdefault(str(label), i)
        rules = self._rules
        if rules is None:
            try:
                rules = self._read_rules()
            except (XlgradeError, RuleError):
                rules = RuleBook()
        for labels in (
            rules.abc.labels,
            rules.scorecard.level_labels,
            rules.scorecard.level_labels_en,
            rules.credit.grade_labels,
            rules.credit.grade_labels_en,
        ):
            for i, label in enumerate(labels):
                ranks.setdefault(label, i)
        return ranks

    def _column(self, series: pd.Series | None, col_type: str, n: int) -> list[Any]:
        """Plain cell values of one frame column (dates as Excel serials)."""
        if series is None:
            return [None] * n
        dtype = series.dtype
        if col_type in (DATE, DATETIME) and pd.api.types.is_datetime64_any_dtype(dtype):
            s = series
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            epoch = pd.Timestamp("1904-01-01") if self.package.date1904 else pd.Timestamp("1899-12-30")
            serial = ((s - epoch) / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)
            if col_type == DATE:
                serial = np.floor(serial)
            return [None if v != v else float(v) for v in serial.tolist()]
        if isinstance(dtype, np.dtype) and dtype.kind in "biu":  # no blanks: Python bools / ints
            return series.to_numpy().tolist()
        if isinstance(dtype, np.dtype) and dtype.kind == "f":  # NaN is a blank
            return [None if v != v else v for v in series.to_numpy().tolist()]
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            return series.astype(object).where(series.notna(), None).tolist()
        return plain_values(series.tolist())

    def _cells(
        self, series: pd.Series | None, col_type: str, n: int, ranks: dict[str, int]
    ) -> tuple[list[Any], int | None]:
        """(values or Cells, the column's style): grade cells are coloured one by one."""
        return self._cells_of(self._column(series, col_type, n), col_type, ranks)

    def _cells_of(self, values: list[Any], col_type: str, ranks: dict[str, int]) -> tuple[list[Any], int | None]:
        """:meth:`_cells` of a column's plain values; one (immutable) Cell per distinct grade."""
        st = self.styles()
        if col_type != GRADE:
            return values, st[styles.TYPE_ROLE[col_type]]
        made: dict[tuple[type, Any], Cell] = {}

        def cell(v: Any) -> Cell:
            try:
                return made[(type(v), v)]
            except KeyError:
                made[(type(v), v)] = c = Cell(v, st[styles.grade_role(ranks.get(str(v)) if v is not None else None)])
                return c
            except TypeError:  # unhashable: a cell of its own
                return Cell(v, st[styles.grade_role(ranks.get(str(v)) if v is not None else None)])

        return [cell(v) for v in values], st["grade"]

    # ---- writing -----------------------------------------------------------------------------
    def check_writable(self) -> None:
        """Raise :class:`WorkbookLockedError` if the workbook is open in another program."""
        folder = self.path.parent
        for lock, app in ((folder / f".~lock.{self.name}#", "LibreOffice"), (folder / f"~${self.name}", "Excel / WPS")):
            if lock.exists():
                raise WorkbookLockedError(
                    f"{self.name} is open in {app} (lock file {lock.name}); close it and run again "
                    f"(工作簿正在被 {app} 打开,请关闭后重试)"
                )

    def _sheet_for_writing(self, sheet: Sheet) -> str:
        self.check_writable()
        name = self.sheet_name(sheet)
        if name is None:
            name = sheet.name(self.lang)
            self.package.add_sheet(name)
        return name

    def write_table(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        name = self._sheet_for_writing(sheet)
        if sheet.key == HISTORY.key:  # stored month by month (historysheet)
            historysheet.write_all(self, name, frame)
            return
        headers, rows, widths, col_styles = self.table_layout(sheet, name, frame)
        page = None
        if sheet.print_group:  # prints in column blocks that fit the widths written
            breaks, scale = pagelayout.column_blocks(widths, sheet.print_keys, sheet.print_group)
            page = {"scale": scale, "col_breaks": breaks}
        self.package.write_table(
            name, sheet.table, headers, rows, widths, styles=col_styles, header_style=self.styles()["header"], page=page
        )

    def read_history_before(self, month: pd.Period) -> Normalized:
        """The History rows of the latest month before ``month`` (:mod:`historysheet`: only
        that month is read when the part's month index is sound)."""
        return historysheet.read_before(self, month)

    def write_history(self, current: pd.DataFrame) -> None:
        """History with the months of ``current`` replaced (``merge_history``'s rules), the other
        months' rows copied as they are stored (:mod:`historysheet`)."""
        historysheet.write_months(self, self._sheet_for_writing(HISTORY), current)

    def table_layout(
        self, sheet: Sheet, name: str, frame: pd.DataFrame
    ) -> tuple[list[str], list[tuple[Any, ...]], list[float], list[int]]:
        """(headers, rows of values or Cells, column widths, column styles) of ``frame`` as the table."""
        n = len(frame)
        ranks = self._grade_ranks()
        columns, col_styles, plain = [], [], []
        for col in sheet.columns:
            values = self._column(frame[col.key] if col.key in frame.columns else None, col.type, n)
            items, style = self._cells_of(values, col.type, ranks)
            if col.wrap:
                style = self.styles()[styles.column_role(col, styles.TYPE_ROLE)]
            columns.append(items)
            plain.append(values)
            col_styles.append(style or 0)
        rows = list(zip(*columns)) if n else []
        headers = sheet.headers(self.lang)
        info = self.package.table_info(name, sheet.table)
        # widths from what the sheet will hold (nothing prints as ### or cut off); a column
        # staff widened keeps its width when the headers are the ones written before
        kept = self.package.col_widths(name) if info is not None and info[1] == headers else {}
        widths = []
        for i, (col, values) in enumerate(zip(sheet.columns, plain)):
            width, wraps = column_width(col.type, values, kept.get(i + 1, col.width), col.header(self.lang))
            widths.append(width)
            if wraps:
                col_styles[i] = self.styles()["wrap"]
        return headers, rows, widths, col_styles

    def write_notes(self, sheet: Sheet, notes: Sequence[Note]) -> None:
        """The notes in column A under the table (one blank row between); the print area grows to them."""
        name = self._sheet_for_writing(sheet)
        info = self.package.table_info(name, sheet.table)
        if info is None:
            raise InputError(f"the sheet has no table {sheet.table} to print notes under", source=self._source(name))
        r1, c1, r2, c2 = parse_range(info[0])
        st = self.styles()
        cells = {
            (r2 + 2 + i, c1): Cell(note.text, st[styles.NOTE_ROLE.get(note.kind, "form_text")])
            for i, note in enumerate(notes)
        }
        if not cells:
            return
        self.package.set_cells(name, cells)
        if self.package.print_area(name) is not None:
            self.package.set_print_area(name, range_ref(r1, c1, r2 + 1 + len(notes), c2))

    def header_columns(self, sheet: Sheet, name: str) -> tuple[int, dict[str, int]]:
        """(header row, {column key: sheet column}) as the file has them."""
        info = self.package.table_info(name, sheet.table)
        if info is not None:
            r1, c1, _, _ = parse_range(info[0])
            found: dict[str, int] = {}
            for i, header in enumerate(info[1]):
                col = sheet.match_header(header)
                if col is not None:
                    found.setdefault(col.key, c1 + i)
            return r1, found
        rows, offset = self._rows(sheet, name)
        h = find_header(rows, sheet, source=self._source(name), row_offset=offset, allow_missing=sheet.keys())
        header_row = offset + h + 1
        found = {}
        for c, (value, _style) in sorted(self.package.row_values(name, header_row).items()):
            col = None if parse.is_blank(value) else sheet.match_header(value)
            if col is not None:
                found.setdefault(col.key, c)
        return header_row, found

    def write_computed(
        self, sheet: Sheet, frame: pd.DataFrame, formulas: Mapping[str, str | None] | None = None
    ) -> None:
        self.check_writable()
        name = self.sheet_name(sheet)
        if name is None:
            raise InputError(
                f"the workbook has no sheet {sheet.name(self.lang)!r}",
                source=self.name,
                zh=f"工作簿中没有工作表“{sheet.zh}”",
            )
        keys = [k for k in frame.columns if k != "row"]
        header_row, where = self.header_columns(sheet, name)
        missing = [sheet.column(k) for k in keys if k not in where]
        if missing:
            names = ", ".join(
                f"“{c.header(self.lang)}”" if self.lang == "zh" else repr(c.header(self.lang)) for c in missing
            )
            raise InputError(
                f"the header row has no column {names} for xlgrade to fill in; add the column to the table",
                source=self._source(name),
                row=header_row,
                zh=f"表头缺少计算列“{'、'.join(c.zh for c in missing)}”;请在表格中加上该列",
            )
        rows = [int(r) for r in frame["row"].tolist()]
        if any(r <= header_row for r in rows):
            raise InputError(
                f"computed values for row {min(rows)}, at or above the header row {header_row}",
                source=self._source(name),
            )
        ranks = self._grade_ranks()
        formulas = formulas or {}
        cells: dict[tuple[int, int], Cell] = {}
        widths: dict[int, float] = {}
        for key in keys:
            col = sheet.column(key)
            values, style = self._cells(frame[key], col.type, len(frame), ranks)
            c = where[key]
            # wide enough for the values written (nothing prints as ###); never narrower
            plain = (v.value if isinstance(v, Cell) else v for v in values)
            widths[c] = column_width(col.type, plain, col.width, col.header(self.lang))[0]
            text = formulas.get(key)
            if text is not None:
                text = formula_text(text, sheet, self.lang)
            for r, v in zip(rows, values):
                cell = v if isinstance(v, Cell) else Cell(v, style)
                cells[(r, c)] = cell if text is None else Cell(Formula(text, cell.value), cell.style)
        # existing formulas stay (the values become their results), except in the columns whose
        # formula is given (or, with None, replaced by plain values); one pass over the sheet
        keep = {where[key] for key in keys if key not in formulas}
        self.package.set_cells(name, cells, keep_styles=True, keep_formulas=keep, widths=widths)

    def write_list(self, key: str, values: Sequence[str]) -> bool:
        """The lists sheet's column ``key`` (a drop-down's source) holds exactly ``values``, top
        down; True if it had to change. Only that column's cells change (its surplus cells are
        emptied, styles kept) and the table grows if the list is longer than it; a workbook
        without the lists sheet or the column is left as it is."""
        name = self.sheet_name(LISTS_SHEET)
        if name is None:
            return False
        header_row, where = self.header_columns(LISTS_SHEET, name)
        if key not in where:
            return False
        c = where[key]
        held = {r: v for (r, _c), (v, _s, _f) in self.package.all_cells(name, c).items() if r > header_row}
        last = max(held, default=header_row)
        now = [held.get(r) for r in range(header_row + 1, last + 1)]
        while now and parse.is_blank(now[-1]):
            now.pop()
        wanted = [str(v) for v in values]
        if [str(v).strip() if not parse.is_blank(v) else "" for v in now] == wanted:
            return False
        self.check_writable()
        style = self.styles()[styles.INPUT_ROLE[LISTS_SHEET.column(key).type]]
        cells = {(header_row + 1 + i, c): Cell(v, style) for i, v in enumerate(wanted)}
        for r in range(header_row + 1 + len(wanted), last + 1):
            cells[(r, c)] = Cell(None, style)
        self.package.set_cells(name, cells, keep_styles=True)
        info = self.package.table_info(name, LISTS_SHEET.table)
        if info is not None:
            r1, c1, r2, c2 = parse_range(info[0])
            if header_row + len(wanted) > r2:
                self.package.set_table_ref(name, LISTS_SHEET.table, range_ref(r1, c1, header_row + len(wanted), c2))
        return True

    def write_cards(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Cached results of the cards' lookup formulas for each card's pick (cards.shown_value).

        Only cells that hold a formula are written, and they keep it: a card a person edited
        keeps every typed cell.
        """
        self.check_writable()
        found: dict[tuple[str, str], int | None] = {}  # each table searched once per pick, not per field
        for key, card in cards.CARDS.items():
            sheet = SHEETS[key]
            name = self.sheet_name(sheet)
            if name is None:
                continue
            pick = self._pick(name)
            with_formula = self.package.formula_cells(name)
            _, placed, _ = cards.layout(card)
            values = {
                p.value_cell: Cell(cards.shown_value(p.field, pick, tables, found))
                for p in placed
                if p.field.table and p.value_cell in with_formula
            }
            message = (cards.MESSAGE_ROW, 1)
            if message in with_formula:
                values[message] = Cell(cards.shown_message(card, pick, tables, self.lang))
            if values:
                self.package.set_cells(name, values, keep_styles=True, keep_formulas=True)

    def _pick(self, name: str) -> Any:
        """The value in a card's pick cell (B3), from the package already in memory."""
        value = self.package.row_values(name, cards.PICK_ROW).get(2, (None, 0))[0]
        if isinstance(value, float) and value.is_integer():  # an id typed as a number
            value = int(value)
        return None if parse.is_blank(value) else value

    def write_summary(self, summary: Summary) -> None:
        name = self._sheet_for_writing(SUMMARY_SHEET)
        st = self.styles()
        layout = SummaryLayout(name, st, summary)
        self.package.write_sheet(name, layout.cells, (), layout.widths, layout.heights)
        self.package.set_charts(name, layout.charts)
        # pages the layout planned: its scale, a break between blocks, never inside a chart
        self.package.set_page_layout(name, scale=layout.scale, row_breaks=layout.row_breaks)
        # The print area takes in the blocks and the charts in them.
        self.package.set_print_area(
            name,
            range_ref(
                1, 1, max(layout.last_row, layout.charts_bottom, 1), max(layout.last_col, layout.charts_right, 1)
            ),
        )

    def set_as_of(self, as_of: pd.Timestamp) -> None:
        self.package.set_defined_name(formulas.AS_OF, formulas.as_of_value(as_of))

    def addin_references(self) -> list:
        """Calls through an external reference to the Excel add-in (``[1]!ABCGRADE(...)``,
        :mod:`xlgrade.workbook.addinrefs`): rewritten to the plain function in the cells xlgrade
        owns (cards, derived sheets, computed columns), listed for the validation sheet (as
        notes) in cells staff typed; the link is dropped once nothing refers to it."""
        from xlgrade.issues import NOTE, Issue
        from xlgrade.schema.model import CARD, INPUT, SUMMARY
        from xlgrade.schema.sheets import SHEETS
        from xlgrade.workbook import addinrefs

        self.check_writable()
        whole: set[str] = set()
        columns: dict[str, tuple[int, set[int]]] = {}
        for sheet in SHEETS.values():
            name = self.sheet_name(sheet)
            if name is None:
                continue
            if sheet.kind in (CARD, DERIVED, SUMMARY):
                whole.add(name)
            elif sheet.kind == INPUT and any(c.computed for c in sheet.columns):
                try:
                    header_row, where = self.header_columns(sheet, name)
                except XlgradeError:
                    continue
                columns[name] = (header_row, {where[c.key] for c in sheet.columns if c.computed and c.key in where})

        def owned(name: str, col: int, row: int) -> bool:
            if name in whole:
                return True
            header_row, cols = columns.get(name, (0, set()))
            return row > header_row and col in cols

        return [
            Issue(
                call.sheet,
                call.row,
                call.column,
                "=" + call.formula,
                "calls an xlgrade function through a link to the Excel add-in's file, which breaks on "
                "other PCs and in LibreOffice; retype it without the [n]! prefix (Microsoft 817578)",
                "通过指向 Excel 加载项文件的外部链接调用 xlgrade 函数,换一台电脑或在 LibreOffice 中会失效;"
                "请去掉 [n]! 前缀重新输入公式(微软支持文章 817578)",
                NOTE,
            )
            for call in addinrefs.fix(self.package, owned)
        ]

    def backup(self) -> str | None:
        """Where the workbook as it is now will be kept (:func:`backups.plan`); the copy itself is
        written only by :meth:`save`, so a run that fails before saving leaves no backup."""
        if self._backup is None:
            self._backup = str(backups.plan(self.path, self.backup_dir))
        return self._backup

    def template_issues(self) -> list[Issue]:
        """A note when the workbook follows an older template (``xlgrade upgrade``); raises
        :class:`~xlgrade.errors.TemplateOutdatedError` when it lacks what the run needs."""
        from xlgrade.workbook import upgrade

        return upgrade.check(self, self._rules or RuleBook())

    def save(self, *, trust_cached: bool = True) -> str | None:
        """Write every change in one step; returns the backup made before it (if any).

        ``trust_cached``: declare every formula's cached result current (the monthly job,
        which has just written them); False leaves the calculation settings as they were."""
        self.check_writable()
        self.package.verified()  # a damaged part is refused even when nothing is written
        if not self.package.dirty:
            return None
        # the rule names its formulas read exist (a workbook without a rules sheet gets constants);
        # every worksheet is looked at (a part the run left as it was may use them too), but only
        # when a name is missing or broken (rulenames rule 1)
        sheets = [  # History (segmented) holds values only: no name to define, and not inflated here
            part
            for part in map(self.package.sheet_part, self.package.sheet_names())
            if part.startswith("xl/worksheets/") and part.endswith(".xml") and not self.package.is_segmented(part)
        ]
        rulenames.ensure(self.package, self._rules or RuleBook(), [p for p in sheets if self.package.exists(p)])
        # every formula cell xlgrade owns now carries its result: Excel and Calc may show them as they are
        if trust_cached:
            self.package.trust_cached_values()
        made, new = backups.write(
            self.path, self.backup_dir, Path(self._backup) if self._backup else None, lang=self.lang
        )
        try:
            self.package.save(self.path, lang=self.lang)
        except BaseException as exc:
            if new:  # a failed save leaves no backup behind
                backups.discard(made)
            if isinstance(exc, OSError) and not isinstance(exc, XlgradeError):
                why = exc.strerror or str(exc)
                raise WriteFailedError(
                    say(
                        self.lang,
                        f"{self.name}:新版本写入失败({why}),工作簿未改动;请腾出磁盘空间或取得写权限后重试",
                        f"{self.name}: could not write the new version: {why}; the workbook is as it was: "
                        "free disk space or get write access and run again",
                    )
                ) from None
            raise
        self._backup = None
        # the saved file is opened again only when next used (the CLI is done with it); what
        # was read from the file before is forgotten now, as that opening would
        self._package = None
        self._rules, self.rule_issues, self._styles, self.history_read = None, [], None, None
        return str(made)


def formula_text(template: str, sheet: Sheet, lang: str) -> str:
    """A formula template as cell formula text (no leading ``=``) for this workbook's language."""
    return formulas.render(template, sheet, lang)[1:]
