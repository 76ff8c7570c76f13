"""``xlgrade upgrade BOOK``: a workbook made by an older release gets what today's template has.

What is added is never a hand-written list of changes: it is the difference between the
workbook and the one sheet declaration (:mod:`xlgrade.schema.sheets`) with a fresh template
of the workbook's language built from it (:func:`xlgrade.workbook.template.build`, with the
workbook's own rules, so the grade formula follows its method and the credit sheet its aging
buckets). :func:`plan` finds

- the declared sheets the workbook lacks (and the hidden style palette): copied from the
  template, each inserted in the declared tab order after the declared sheet that precedes
  it (sheets staff added keep their place);
- the declared columns an existing table lacks: appended to the table as its last column
  (header, the formula of a computed column in every body row, width, style, drop-down or
  range validation, grade colours; the table's ref grows). Appended, not inserted at their
  declared position: inserting would move every cell to the right of it and break the
  references staff's own formulas make; every reader finds a column by its header;
- the rules the 规则 sheet lacks: appended below its table with their defaults; the rules
  staff changed are not touched;
- the template's workbook-level defined names the workbook lacks, pointed at this
  workbook's cells (the drop-down lists, the rule names of the new rule rows ...);
- the printable cards whose template gained fields since: rebuilt in place from the template
  when staff wrote nothing on them but the pick cell (:mod:`xlgrade.workbook.cardrebuild`,
  the chosen id kept), else named in the advice (delete the sheet and upgrade again).

Why edit in place rather than rebuild: a rebuild would have to carry over everything staff
did that xlgrade does not declare (their own sheets, formulas, formats, comments, pictures,
changed widths, print settings ...). Edited part by part (:mod:`xlgrade.workbook.sheetcopy`,
on the same :class:`~xlgrade.workbook.package.Package` as the monthly job), every part the
upgrade does not add to is copied byte for byte, and in the parts it adds to only the new
cells, columns, rows and names are new: every typed cell, style and formula stays.

It runs with the monthly job's safety: the run lock and the spreadsheets' lock files
(:func:`xlgrade.workbook.guard.exclusive`, in the CLI), a backup in ``xlgrade-backup/`` and
the new file written aside and renamed (:meth:`FileBook.save`). It records the template
version (:mod:`xlgrade.workbook.version`) and a run-log row naming what it added. A second
upgrade finds nothing to add and writes nothing.

:func:`check` is what the monthly job does with an older workbook: a note in 校验 and on
stderr to run ``xlgrade upgrade``; a refusal with that message when a missing computed column
of an input table makes the run impossible (the job writes those columns), and the same hint
in the job's own refusal when an input sheet it reads is missing (:func:`hint`, in
:meth:`FileBook.read_table`); anything else missing (a derived sheet, a card, an input sheet
the job can do without such as the profiles, a rule, a name) the job does without.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from xlgrade import __version__, parse, who
from xlgrade.engine.rules import RuleBook
from xlgrade.errors import InputError, RuleError, TemplateOutdatedError, XlgradeError
from xlgrade.issues import NOTE, Issue
from xlgrade.job.text import TEXT as JOB_TEXT
from xlgrade.normalize import find_header
from xlgrade.schema import model
from xlgrade.schema.model import Column, Sheet
from xlgrade.schema.sheets import RULES_SHEET, RUN_LOG, SHEETS, credit_sheet
from xlgrade.workbook import cardrebuild, sheetcopy, tables, template, version
from xlgrade.workbook.cellxml import Cell
from xlgrade.workbook.filebook import FileBook, formula_text
from xlgrade.workbook.runlock import say
from xlgrade.workbook.styleimport import StyleImport
from xlgrade.workbook.styles import PALETTE_SHEET


def declared(rules: RuleBook) -> list[Sheet]:
    """The declared sheets in tab order, the credit sheet with this workbook's aging buckets."""
    return [credit_sheet(rules.credit.aging_days) if s.key == "credit" else s for s in SHEETS.values()]


@dataclass
class Plan:
    """What the workbook lacks of the current template."""

    version: int
    sheets: list[Sheet] = field(default_factory=list)
    palette: bool = False
    columns: list[tuple[Sheet, str, Column]] = field(default_factory=list)  # (sheet, its name here, column)
    rules: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    # printable cards lacking a label of the template's (a field added since) that staff wrote
    # on (not rebuilt, named in the advice): (sheet, labels)
    cards: list[tuple[str, list[str]]] = field(default_factory=list)
    # such cards holding nothing staff wrote but the pick cell: rebuilt (:mod:`cardrebuild`)
    rebuilt: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sheets or self.palette or self.columns or self.rules or self.names or self.rebuilt)

    def blocking(self, lang: str) -> list[str]:
        """What the monthly job cannot run without: the computed columns of input tables, which it
        writes. (An input sheet it needs and does not find is refused by the job itself, naming
        the sheet, with the same hint: :func:`hint`.) The ``later`` columns it does without."""
        return [
            f"{name} · {c.header(lang)}"
            for s, name, c in self.columns
            if s.kind == model.INPUT and c.computed and not c.later
        ]

    def describe(self, lang: str) -> str:
        """What was (or would be) added, in ``lang``: one line for the run log and the terminal."""
        parts = []
        if self.sheets or self.palette:
            names = [s.name(lang) for s in self.sheets] + ([PALETTE_SHEET] if self.palette else [])
            parts.append(say(lang, "工作表 ", "sheets ") + ", ".join(names))
        if self.columns:
            cols = ", ".join(f"{name} · {c.header(lang)}" for _, name, c in self.columns)
            parts.append(say(lang, "列 ", "columns ") + cols)
        if self.rules:
            parts.append(say(lang, "规则 ", "rules ") + ", ".join(self.rules))
        if self.names:
            parts.append(say(lang, "名称 ", "names ") + ", ".join(self.names))
        if self.rebuilt:
            parts.append(say(lang, "按新模板重建的卡片 ", "cards rebuilt from the template ") + ", ".join(self.rebuilt))
        return say(lang, ";", "; ").join(parts)

    def advice(self, lang: str) -> str:
        """What the upgrade does not do by itself: a card staff may have edited is not rebuilt."""
        return say(lang, ";", "; ").join(
            say(
                lang,
                f"卡片“{name}”缺少新字段 {', '.join(labels)}:如需新版卡片,请删除该工作表后再运行 xlgrade upgrade",
                f"the card {name!r} lacks the new fields {', '.join(labels)}: to get the new card, delete "
                "that sheet and run xlgrade upgrade again",
            )
            for name, labels in self.cards
        )


@contextmanager
def fresh_template(lang: str, rules: RuleBook) -> Iterator[FileBook]:
    """Today's template in ``lang`` for a workbook with ``rules``, as a file book (read only)."""
    with tempfile.TemporaryDirectory(prefix="xlgrade-template-") as folder:
        path = Path(folder) / f"xlgrade-{lang}.xlsx"
        template.save(template.build(lang, rules=rules), path)
        yield FileBook(path)


def _rules_of(book: FileBook) -> RuleBook:
    try:
        return book.read_rules()
    except (RuleError, InputError):
        return RuleBook()  # an unreadable rule: the defaults decide what the template looks like


def table_part(book: FileBook, sheet: Sheet, name: str) -> str | None:
    """The part of the sheet's declared table (or of its only table, renamed by staff)."""
    part = tables.table_part(book.package, name, sheet.table)
    if part is None:
        found = tables.tables(book.package, name)
        part = next(iter(found.values())) if len(found) == 1 else None
    return part


def rule_rows(book: FileBook) -> dict[str, int]:
    """{rule key: sheet row} of the workbook's rules sheet ({} without one)."""
    name = book.sheet_name(RULES_SHEET)
    if name is None:
        return {}
    rows, offset = book._rows(RULES_SHEET, name)
    if not rows:
        return {}
    h = find_header(rows, RULES_SHEET, source=book.name, row_offset=offset)
    where: dict[str, int] = {}
    for i, cell in enumerate(rows[h]):
        col = None if parse.is_blank(cell) else RULES_SHEET.match_header(cell)
        if col is not None:
            where.setdefault(col.key, i)
    # the hidden key column, else (an older release's sheet) the 规则 column, which held the key
    # itself; a name in either language names its rule too
    out: dict[str, int] = {}
    for j in range(h + 1, len(rows)):
        row = rows[j]
        for c in (where.get("key"), where.get("name")):
            spec = RuleBook.spec_of(row[c]) if c is not None and c < len(row) else None
            if spec is not None:
                out.setdefault(spec.key, offset + j + 1)
                break
    return out


def plan(book: FileBook, rules: RuleBook, fresh: FileBook | None = None) -> Plan:
    """What ``book`` lacks; the defined names only when the ``fresh`` template is given."""
    pkg = book.package
    found = Plan(version.read(pkg))
    for sheet in declared(rules):
        name = book.sheet_name(sheet)
        if name is None:
            found.sheets.append(sheet)
            continue
        if not sheet.table:
            continue
        part = table_part(book, sheet, name)
        if part is None:
            continue
        _, headers = tables.table_info_of(pkg, part)
        have = {col.key for h in headers if (col := sheet.match_header(h)) is not None}
        found.columns += [(sheet, name, c) for c in sheet.columns if c.key not in have]
    found.palette = PALETTE_SHEET not in pkg.sheet_names()
    if book.sheet_name(RULES_SHEET) is not None:
        have_rules = rule_rows(book)
        found.rules = [spec.key for spec in RuleBook.specs() if spec.key not in have_rules]
    if fresh is not None:
        for name, src_name, missing in _outdated_cards(book, fresh):
            if cardrebuild.can_rebuild(pkg, name, fresh.package, src_name):
                found.rebuilt.append(name)
            else:
                found.cards.append((name, missing))
        have_names = {d.name.lower() for d in pkg.defined_names() if d.local_sheet is None}
        found.names = [
            d.name
            for d in fresh.package.defined_names()
            if d.local_sheet is None and d.name.lower() not in have_names and not d.name.lower().startswith("_xlnm.")
        ]
    return found


def _texts(book: FileBook, sheet: Sheet, name: str) -> set[str]:
    rows, _ = book._rows(sheet, name)
    return {str(v).strip() for row in rows for v in row if isinstance(v, str) and v.strip()}


def _outdated_cards(book: FileBook, fresh: FileBook) -> list[tuple[str, str, list[str]]]:
    """(name here, name in the template, labels it lacks) of each card whose sheet lacks a label
    of today's template card. :func:`plan` rebuilds one staff wrote nothing on but the pick
    cell (:mod:`xlgrade.workbook.cardrebuild`); any other is named in the advice (staff may
    have typed on the printed form; deleting the sheet lets upgrade copy it)."""
    out = []
    for sheet in SHEETS.values():
        name = book.sheet_name(sheet)
        if sheet.kind != model.CARD or name is None:
            continue
        src_name = sheet.name(book.lang)
        missing = sorted(_texts(fresh, sheet, src_name) - _texts(book, sheet, name))
        if missing:
            out.append((name, src_name, missing))
    return out


# ---- applying the plan ---------------------------------------------------------------------------------
def _position(book: FileBook, sheet: Sheet, sheets: list[Sheet]) -> int:
    """Tab index for a missing ``sheet``: after the nearest declared sheet before it that the workbook has."""
    names = book.package.sheet_names()
    before = sheets[: [s.key for s in sheets].index(sheet.key)]
    for other in reversed(before):
        name = book.sheet_name(other)
        if name is not None:
            return names.index(name) + 1
    return 0


def apply(book: FileBook, fresh: FileBook, found: Plan, rules: RuleBook) -> None:
    """Add everything ``found`` lists to ``book`` (in memory; :meth:`FileBook.save` writes it)."""
    src, dst, lang = fresh.package, book.package, book.lang
    styles = StyleImport(src, dst)
    sheets = declared(rules)
    for sheet in found.sheets:
        sheetcopy.copy_sheet(src, dst, styles, sheet.name(lang), _position(book, sheet, sheets))
    if found.palette:
        sheetcopy.copy_sheet(src, dst, styles, PALETTE_SHEET, len(dst.sheet_names()))
    for sheet, name, col in found.columns:
        src_name = sheet.name(lang)
        src_row, src_cols = fresh.header_columns(sheet, src_name)
        part = table_part(book, sheet, name)
        assert part is not None  # plan() found the table
        _check_free_column(book, sheet, name, part)
        template_text = col.formula_for(rules.general.method) if col.computed else None
        sheetcopy.append_column(
            src,
            dst,
            styles,
            src_sheet=src_name,
            src_col=src_cols[col.key],
            dst_sheet=name,
            table_part=part,
            header=col.header(lang),
            formula=formula_text(template_text, sheet, lang) if template_text else None,
            values=_template_values(book, fresh, sheet, name, src_cols[col.key]),
            src_row=src_row,
        )
    if found.rules:
        _add_rules(book, fresh, found.rules, styles)
    by_name = {book.sheet_name(s): s for s in sheets if s.kind == model.CARD}
    for name in found.rebuilt:
        cardrebuild.rebuild(src, dst, styles, by_name[name].name(lang), name)
    styles.finish()
    if found.names:
        _add_names(book, fresh, found.names)
    book._styles = None  # the palette may be new


def _template_values(book: FileBook, fresh: FileBook, sheet: Sheet, name: str, src_col: int) -> list | None:
    """Body values a new column takes from the template: a drop-down list's defaults, and on the
    rules sheet each rule's cell (found by its key); None elsewhere (typed later by staff)."""
    src_name = sheet.name(book.lang)
    if sheet.kind == model.LISTS:
        rows, offset = fresh._rows(sheet, src_name)
        out = [r[src_col - 1] if src_col - 1 < len(r) else None for r in rows[1 - offset :]]
        while out and parse.is_blank(out[-1]):
            out.pop()
        return out
    if sheet.kind == model.RULES:
        src_rows, dst_rows = rule_rows(fresh), rule_rows(book)
        header_row, _ = book.header_columns(sheet, name)
        last = max(dst_rows.values(), default=header_row)
        by_row = {row: key for key, row in dst_rows.items()}
        return [
            fresh.package.row_values(src_name, src_rows[by_row[r]]).get(src_col, (None, 0))[0]
            if by_row.get(r) in src_rows
            else None
            for r in range(header_row + 1, last + 1)
        ]
    return None


def _check_free_column(book: FileBook, sheet: Sheet, name: str, part: str) -> None:
    """The column right of the table must be empty in the table's rows: nothing typed is covered."""
    from xlgrade.workbook.cellxml import col_letter, parse_range

    ref, _ = tables.table_info_of(book.package, part)
    r1, _, r2, c2 = parse_range(ref)
    for r in range(r1, r2 + 1):
        value = book.package.row_values(name, r).get(c2 + 1, (None, 0))[0]
        if not parse.is_blank(value):
            raise InputError(
                say(
                    book.lang,
                    f"工作表“{name}”的表格右侧第 {col_letter(c2 + 1)} 列第 {r} 行有内容({value!r}),"
                    "xlgrade 需在此处添加新列;请把这些内容移到别处后再运行 xlgrade upgrade;工作簿未改动",
                    f"column {col_letter(c2 + 1)} right of the table on {name!r} holds {value!r} in row {r}; "
                    "xlgrade adds the new column there: move it elsewhere and run xlgrade upgrade again; "
                    "the workbook was not changed",
                ),
                source=book.name,
            )


def _add_rules(book: FileBook, fresh: FileBook, keys: list[str], styles: StyleImport) -> None:
    name = book.sheet_name(RULES_SHEET)
    assert name is not None
    part = table_part(book, RULES_SHEET, name)
    if part is None:
        raise InputError(
            say(
                book.lang,
                f"规则表“{name}”中没有表格,无法补充规则",
                f"the rules sheet {name!r} has no table to add rules to",
            ),
            source=book.name,
        )
    src_name = RULES_SHEET.name(book.lang)
    _, dst_cols = book.header_columns(RULES_SHEET, name)
    _, src_cols = fresh.header_columns(RULES_SHEET, src_name)
    src_rows = rule_rows(fresh)
    rows = []
    for key in keys:
        values = fresh.package.row_values(src_name, src_rows[key])
        row = {}
        for k, c in dst_cols.items():
            if src_cols.get(k) in values:
                value, style = values[src_cols[k]]
                row[c] = Cell(value, styles.xf(style))
        rows.append(row)
    sheetcopy.append_rows(book.package, dst_sheet=name, table_part=part, rows=rows)


def _add_names(book: FileBook, fresh: FileBook, names: list[str]) -> None:
    lang = book.lang
    by_name = {s.name(lang): s for s in declared(_rules_of(book))}
    src_rules = {row: key for key, row in rule_rows(fresh).items()}
    dst_rules = rule_rows(book)
    columns: dict[str, tuple[dict[int, str], dict[str, int], int]] = {}

    def where(sheet_name: str, row: int, col: int) -> tuple[int, int] | None:
        sheet = by_name.get(sheet_name)
        here = book.sheet_name(sheet) if sheet is not None else None
        if sheet is None or here is None:
            return None
        if sheet.table:
            if sheet_name not in columns:
                header_row, src_cols = fresh.header_columns(sheet, sheet_name)
                _, dst_cols = book.header_columns(sheet, here)
                columns[sheet_name] = ({c: k for k, c in src_cols.items()}, dst_cols, header_row)
            src_keys, dst_cols, header_row = columns[sheet_name]
            key = src_keys.get(col)
            if key is None or key not in dst_cols:
                return None
            col = dst_cols[key]
            if sheet.key == RULES_SHEET.key and row > header_row:
                rule = src_rules.get(row)
                if rule is None or rule not in dst_rules:
                    return None
                row = dst_rules[rule]
        return row, col

    values = {d.name: d.value for d in fresh.package.defined_names() if d.local_sheet is None}
    for name in names:
        value = sheetcopy.translate_name(values[name], where)
        if value is not None:
            book.package.set_defined_name(name, value)


# ---- the command ------------------------------------------------------------------------------------------
@dataclass
class Result:
    lang: str
    name: str
    before: int
    added: Plan
    backup: str | None

    def line(self) -> str:
        advice = self.added.advice(self.lang)
        if advice:
            return self._line() + say(self.lang, ";", "; ") + advice
        return self._line()

    def _line(self) -> str:
        v = version.TEMPLATE_VERSION
        if self.added.empty and self.before == v:
            return say(
                self.lang,
                f"{self.name}:已是第 {v} 版模板,无需升级,文件未改动",
                f"{self.name}: already follows template version {v}; nothing to upgrade, the file was not changed",
            )
        what = self.added.describe(self.lang) or say(self.lang, "无新增内容", "nothing was missing")
        return say(
            self.lang,
            f"{self.name}:已从第 {self.before} 版升级到第 {v} 版模板;新增 {what};请运行 xlgrade recalc 计算新增内容",
            f"{self.name}: upgraded from template version {self.before} to {v}; added {what}; "
            "run xlgrade recalc to compute what was added",
        )


def run(book: FileBook, *, user: str = "", now: datetime | None = None) -> Result:
    """Upgrade ``book`` in place (the caller holds the lock); a current workbook is left as it is."""
    started = time.perf_counter()
    now = now or datetime.now()
    lang = book.lang
    rules = _rules_of(book)
    before = version.read(book.package)
    if before > version.TEMPLATE_VERSION:
        raise InputError(
            say(
                lang,
                f"此工作簿按更新版本的模板(第 {before} 版)制作,当前 xlgrade 只认识第 {version.TEMPLATE_VERSION} 版;"
                "请升级 xlgrade",
                f"this workbook follows template version {before}, newer than this xlgrade's "
                f"{version.TEMPLATE_VERSION}: update xlgrade",
            ),
            source=book.name,
        )
    with fresh_template(lang, rules) as fresh:
        found = plan(book, rules, fresh)
        if found.empty and before == version.TEMPLATE_VERSION:
            return Result(lang, book.name, before, found, None)
        book.check_writable()
        backup = book.backup()
        apply(book, fresh, found, rules)
    version.write(book.package)
    log = book.read_table(RUN_LOG).frame.reindex(columns=RUN_LOG.keys())
    row: dict[str, object] = {key: None for key in RUN_LOG.keys()}
    v = version.TEMPLATE_VERSION
    row.update(
        run_at=pd.Timestamp(now),
        action=JOB_TEXT("run_upgrade", lang),
        user=user,
        host=who.host(),
        backup=backup,
        seconds=round(time.perf_counter() - started, 2),
        version=__version__,
        note=say(lang, f"模板第 {before} 版 → 第 {v} 版;新增 ", f"template version {before} → {v}; added ")
        + (found.describe(lang) or say(lang, "无", "nothing")),
    )
    book.write_table(RUN_LOG, pd.concat([log, pd.DataFrame([row])], ignore_index=True))
    made = book.save(trust_cached=False)
    return Result(lang, book.name, before, found, made)


def hint(book: FileBook) -> str:
    """ " run xlgrade upgrade BOOK" for a refusal on a workbook of an older template, else ""."""
    before = version.read(book.package)
    if before >= version.TEMPLATE_VERSION:
        return ""
    return say(
        book.lang,
        f";此工作簿按旧版模板(第 {before} 版,当前第 {version.TEMPLATE_VERSION} 版)制作:请先运行 xlgrade upgrade {book.name}",
        f"; the workbook was made from template version {before} (current {version.TEMPLATE_VERSION}): "
        f"run xlgrade upgrade {book.name} first",
    )


def check(book: FileBook, rules: RuleBook) -> list[Issue]:
    """The monthly job on an older workbook: a note to upgrade, or a refusal (see the module doc)."""
    before = version.read(book.package)
    if before >= version.TEMPLATE_VERSION:
        return []
    lang = book.lang
    try:
        found = plan(book, rules)
    except XlgradeError:
        found = Plan(before)
    v = version.TEMPLATE_VERSION
    blocking = found.blocking(lang)
    if blocking:
        raise TemplateOutdatedError(
            say(
                lang,
                f"{book.name}:按旧版模板(第 {before} 版,当前第 {v} 版)制作,缺少 {', '.join(blocking)},"
                f"本次无法运行;请先运行 xlgrade upgrade {book.name};工作簿未改动",
                f"{book.name}: made from template version {before} (current {v}) and lacks "
                f"{', '.join(blocking)}, which the run needs: run xlgrade upgrade {book.name} first; "
                "the workbook was not changed",
            )
        )
    return [
        Issue(
            book.name,
            None,
            None,
            None,
            f"made from template version {before} (current {v}): run xlgrade upgrade {book.name} "
            "to add the new sheets, columns and rules",
            f"按旧版模板(第 {before} 版,当前第 {v} 版)制作:请运行 xlgrade upgrade {book.name} 补齐新的工作表、列和规则",
            NOTE,
        )
    ]
