"""The building blocks of a sheet declaration."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from xlgrade import mask as masking
from xlgrade.engine.text import in_lang

# Column types. Each has one parser in xlgrade.parse and one cell format in the templates.
# INTEGER is a count (5,536 lines: thousands separators); ORDINAL is a whole number that names
# something, a year or a row number (2026, row 1234: printed without separators). AMOUNT is
# money shown in whole units (#,##0), where the cents would not fit (the comparison sheet).
ID, TEXT, MONEY, NUMBER, DATE, DATETIME, SCORE, SHARE, GRADE, INTEGER, ORDINAL, AMOUNT = (
    "id",
    "text",
    "money",
    "number",
    "date",
    "datetime",
    "score",
    "share",
    "grade",
    "integer",
    "ordinal",
    "amount",
)
SESSIONS = "sessions"  # treatment sessions left / bought, "6∕15" (seed 000 顾客档案分析表; xlgrade.sessions)
TYPES = (ID, TEXT, MONEY, NUMBER, DATE, DATETIME, SCORE, SHARE, GRADE, INTEGER, SESSIONS, ORDINAL, AMOUNT)

# Sheet kinds: who writes the cells.
INPUT = "input"  # staff type rows; xlgrade writes only computed columns
DERIVED = "derived"  # xlgrade rewrites the whole table on every monthly run
CARD = "card"  # a printable form filled by lookup formulas from a drop-down
RULES = "rules"  # the rule book: staff edit the value column
SUMMARY = "summary"  # pivot-style blocks and charts written by the monthly run
LISTS = "lists"  # drop-down sources, edited by staff
KINDS = (INPUT, DERIVED, CARD, RULES, SUMMARY, LISTS)


def header_key(text: object) -> str:
    """How headers are compared: NFKC, no spaces or line breaks, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "*:()()")


@dataclass(frozen=True)
class Column:
    key: str  # stable English identifier
    zh: str  # Chinese header
    en: str  # English header
    type: str = TEXT
    required: bool = False  # a row without it cannot be used
    aliases: tuple[str, ...] = ()  # further headers accepted on input
    computed: bool = False  # written by xlgrade; never typed by staff
    # A computed column added after workbooks were made from older templates: the monthly job
    # writes a sheet without it (its other columns) and 校验 says to add it; `xlgrade upgrade`
    # adds it. Every other computed column of an input sheet is required by the job.
    later: bool = False
    choices: str | None = None  # name of the list a drop-down offers (see templates)
    width: float = 12.0  # column width in characters
    wrap: bool = False  # long text (a form's definitions): wrapped in its cell, the row grows, nothing cut off
    note_zh: str = ""
    note_en: str = ""
    # A computed column's formula, written with keys rather than headers so it reads the same
    # in both languages: ``{@key}`` is this row's cell of the same table, ``{Table[key]}`` a
    # whole column of another table, ``{rule:section.name}`` a rule-book value.
    # :func:`xlgrade.schema.formulas.render` turns it into the language's structured references.
    formula: str | None = None
    # A column whose formula depends on the workbook's grading method (rule general.method):
    # (method, formula template) pairs. A method not listed has no formula there: the monthly
    # job writes the value. ``formula`` is then the formula of the default method.
    method_formulas: tuple[tuple[str, str], ...] = ()
    # Personal data (DOMAIN.md §6): how a masked copy shows the column's values, one of
    # xlgrade.mask.KINDS ("name", "phone", "email", "address", "id", "hidden"); None: not
    # personal, copied as it is. `xlgrade export-masked` derives everything from this.
    mask: str | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.key}: unknown type {self.type!r}")
        if self.mask is not None and self.mask not in masking.KINDS:
            raise ValueError(f"column {self.key}: unknown masking kind {self.mask!r}")

    @property
    def personal(self) -> bool:
        """Whether the column holds personal data (a masked copy masks or drops it)."""
        return self.mask is not None

    def formula_for(self, method: str) -> str | None:
        """The formula template for a workbook graded by ``method``; None: a plain value."""
        if not self.method_formulas:
            return self.formula
        return dict(self.method_formulas).get(method)

    def header(self, lang: str) -> str:
        return in_lang(lang, self.zh, self.en)

    def accepted_headers(self) -> set[str]:
        return {header_key(h) for h in (self.key, self.zh, self.en, *self.aliases)}


@dataclass(frozen=True)
class Sheet:
    key: str  # stable English identifier ("ledger")
    zh: str  # sheet name in Chinese workbooks
    en: str  # sheet name in English workbooks
    columns: tuple[Column, ...] = ()
    form: str = ""  # form number / appendix (附表五)
    kind: str = INPUT
    table: str = ""  # Excel table name (ASCII, the same in zh and en workbooks)
    # A form's head: fields staff fill in once per sheet, above the table (店名, 店经理, 整理时间);
    # the table's header row then sits below them (xlgrade.workbook.formhead lays them out).
    fields: tuple[Column, ...] = ()
    # A table too wide to print one page wide with readable text prints in column blocks: the
    # first ``print_keys`` columns on every page, the rest in whole groups of ``print_group``
    # columns (xlgrade.workbook.pagelayout.column_blocks); 0: one page wide, fit to width.
    print_keys: int = 0
    print_group: int = 0
    _by_key: dict[str, Column] = field(init=False, repr=False, compare=False)
    _by_header: dict[str, Column] = field(init=False, repr=False, compare=False)  # header_key -> column

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"sheet {self.key}: unknown kind {self.kind!r}")
        by_key = {c.key: c for c in self.columns}
        if len(by_key) != len(self.columns):
            raise ValueError(f"sheet {self.key}: duplicate column keys")
        seen: dict[str, str] = {}
        for col in self.columns:
            for h in col.accepted_headers():
                if seen.setdefault(h, col.key) != col.key:
                    raise ValueError(f"sheet {self.key}: header {h!r} claimed by {seen[h]} and {col.key}")
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_by_header", {h: by_key[key] for h, key in seen.items()})

    def name(self, lang: str) -> str:
        return in_lang(lang, self.zh, self.en)

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def inputs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @property
    def personal(self) -> tuple[Column, ...]:
        """The columns holding personal data (see :attr:`Column.mask`)."""
        return tuple(c for c in self.columns if c.personal)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def match_header(self, header: object) -> Column | None:
        """The column a header cell names, or None for an extra column."""
        return self._by_header.get(header_key(header))
