"""Turn a column's formula template into the structured references of one language.

Templates are written with keys, so the one declaration serves zh and en workbooks:

- ``{@key}``            this row of the same table  -> ``Customers[[#This Row],[客户编号]]``
- ``{Table[key]}``      a whole column of a table    -> ``Ledger[[客户编号]]``
- ``{rule:sec.name}``   a rule-book value            -> the defined name ``rule_sec_name``,
                        which points at the value cell of that rule in the rules sheet.

Structured references are written in the file-format form (``[#This Row]``, never ``@``),
which is what Excel stores and what LibreOffice reads.
"""

from __future__ import annotations

import re

from xlgrade.schema.model import Sheet

_TOKEN = re.compile(r"\{(@(?P<this>\w+)|(?P<table>\w+)\[(?P<col>\w+)\]|rule:(?P<rule>[\w.]+))\}")


def rule_name(key: str) -> str:
    """The defined name of a rule: ``threshold.a_orders_over`` -> ``rule_threshold_a_orders_over``."""
    return "rule_" + key.replace(".", "_")


def escape(header: str) -> str:
    """A header as a structured-reference column specifier ('[', ']', '#' and ''' are escaped)."""
    return re.sub(r"(['\[\]#])", r"'\1", header)


def render(template: str, sheet: Sheet, lang: str) -> str:
    """``=`` + the template with every token replaced for ``sheet`` in ``lang``."""
    from xlgrade.schema.sheets import TABLES

    def sub(m: re.Match) -> str:
        if m.group("this"):
            header = sheet.column(m.group("this")).header(lang)
            return f"{sheet.table}[[#This Row],[{escape(header)}]]"
        if m.group("table"):
            other = TABLES[m.group("table")]
            return f"{other.table}[[{escape(other.column(m.group('col')).header(lang))}]]"
        return rule_name(m.group("rule"))

    return "=" + _TOKEN.sub(sub, template)
