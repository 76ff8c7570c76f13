"""Turn a column's formula template into the structured references of one language.

Templates are written with keys, so the one declaration serves zh and en workbooks:

- ``{@key}``            this row of the same table  -> ``Customers[[#This Row],[客户编号]]``
- ``{Table[key]}``      a whole column of a table    -> ``Ledger[[客户编号]]``
- ``{rule:sec.name}``   a rule-book value            -> the defined name ``rule_sec_name``,
                        which points at the value cell of that rule in the rules sheet.
- ``{label:sec.name}``  a list of labels in the workbook's language: ``rule_sec_name`` in
                        Chinese workbooks, ``rule_sec_name_en`` in English ones.

Structured references are written in the file-format form (``[#This Row]``, never ``@``),
which is what Excel stores and what LibreOffice reads.

Two workbook-level names carry the evaluation window into live formulas, so that a live
count equals the monthly job's (docs/rules.md §1.2 The evaluation window): :data:`AS_OF` is the evaluation date (the
last day of the month the job last computed; before any run, the end of the current
month) and :data:`WINDOW_START` the exclusive start of the trailing
``threshold.window_months`` (0 = all history: every date is after 0). Templates may use
them as plain identifiers.
"""

from __future__ import annotations

import re
from datetime import date

from xlgrade.engine.text import in_lang
from xlgrade.schema.model import Sheet

AS_OF = "xlgrade_as_of"
WINDOW_START = "xlgrade_window_start"
AS_OF_BEFORE_ANY_RUN = "EOMONTH(TODAY(),0)"


def as_of_value(as_of: date) -> str:
    """The defined name's value for an evaluation date: ``DATE(2026,10,31)``."""
    return f"DATE({as_of.year},{as_of.month},{as_of.day})"


def window_start_value() -> str:
    months = rule_name("threshold.window_months")
    return f"IF({months}>0,EDATE({AS_OF},-{months}),0)"


_TOKEN = re.compile(
    r"\{(@(?P<this>\w+)|(?P<table>\w+)\[(?P<col>\w+)\]|rule:(?P<rule>[\w.]+)"
    r"|label:(?P<label>[\w.]+))\}"
)


def rule_name(key: str) -> str:
    """The defined name of a rule: ``threshold.a_orders_over`` -> ``rule_threshold_a_orders_over``."""
    return "rule_" + key.replace(".", "_")


def escape(header: str) -> str:
    """A header as a structured-reference column specifier ('[', ']', '#' and ''' are escaped)."""
    return re.sub(r"(['\[\]#])", r"'\1", header)


def render(template: str, sheet: Sheet, lang: str) -> str:
    """``=`` + the template with every token replaced for ``sheet`` in ``lang``."""
    from xlgrade.schema.sheets import TABLES

    def sub(m: re.Match[str]) -> str:
        if m.group("this"):
            header = sheet.column(m.group("this")).header(lang)
            return f"{sheet.table}[[#This Row],[{escape(header)}]]"
        if m.group("table"):
            other = TABLES[m.group("table")]
            return f"{other.table}[[{escape(other.column(m.group('col')).header(lang))}]]"
        if m.group("label"):
            return rule_name(m.group("label") + in_lang(lang, "", "_en"))
        return rule_name(m.group("rule"))

    return "=" + _TOKEN.sub(sub, template)
