"""The defined names xlgrade's formulas use exist in every workbook it writes.

The live formulas of the customer summary and the cards read the rules through defined names
(``rule_threshold_a_orders_over``, ``rule_abc_labels``, ``xlgrade_window_start`` ...; see
:mod:`xlgrade.schema.formulas`). A template defines them over the rules sheet. A workbook
without that sheet (deleted, or never made from a template) would show ``#NAME?`` (or, with
the sheet deleted in Excel, ``#REF!``) the moment a spreadsheet recalculates. So, before a
save:

1. every such name used in the sheet parts given (the save passes every worksheet but
   History's), or inside another such name, is looked up in workbook.xml; when every name
   xlgrade may define exists and works (any workbook made from a template), nothing can be
   missing, so no sheet part is read at all;
2. a name that is missing, whose value has become ``#REF!`` or that points at a sheet the
   workbook no longer has, is defined as a constant: the
   value of the rule the job used (a number, or the list text ``"A; B; C"``), so the cells
   compute what the job computed;
3. names that exist and work are never touched, nor names xlgrade does not own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from xlgrade.engine.rules import RuleBook
from xlgrade.schema import formulas
from xlgrade.workbook.package import Package

_SHEET_REF = re.compile(r"'((?:[^']|'')+)'!|([^\W\d][\w.]*)!")
_OWNED = re.compile(r"\b(rule_[A-Za-z0-9_]+|" + formulas.AS_OF + "|" + formulas.WINDOW_START + r")\b")
_STARTS = ("rule_", *sorted({formulas.AS_OF.split("_")[0] + "_", formulas.WINDOW_START.split("_")[0] + "_"}))


def constant(value: Any) -> str:
    """A rule value as a defined name's formula: ``5``, ``100000``, ``0.8``, ``"A; B; C"``."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).replace('"', '""')
    return f'"{text}"'


def _definitions(rules: RuleBook) -> dict[str, str]:
    """Every name xlgrade may define, with the value a workbook without a rules sheet gets."""
    out = {formulas.rule_name(spec.key): constant(spec.format(rules.get(spec.key))) for spec in RuleBook.specs()}
    out[formulas.AS_OF] = formulas.AS_OF_BEFORE_ANY_RUN
    out[formulas.WINDOW_START] = formulas.window_start_value()
    return out


def _broken(value: str | None, sheets: set[str]) -> bool:
    if not value or "#REF!" in value:
        return True
    for quoted, plain in _SHEET_REF.findall(value):
        if (quoted.replace("''", "'") if quoted else plain) not in sheets:
            return True
    return False


def used_names(texts: Iterable[str]) -> set[str]:
    """The names of :data:`_OWNED` the texts use: found by their literal starts (``str.find``,
    fast on a 200,000-line sheet with no formula at all) and matched there, which finds exactly
    what ``_OWNED.findall`` does (a match is one word: nothing can start inside another)."""
    out: set[str] = set()
    for text in texts:
        for start in _STARTS:
            i = text.find(start)
            while i >= 0:
                m = _OWNED.match(text, i)  # its leading \b looks at the character before i
                if m is not None:
                    out.add(m.group(1))
                    i = text.find(start, m.end())
                else:
                    i = text.find(start, i + 1)
    return out


def ensure(pkg: Package, rules: RuleBook, sheet_parts: Iterable[str]) -> list[str]:
    """Define the missing or broken names the given sheet parts use; returns the names defined."""
    have = {d.name: d.value for d in pkg.defined_names() if d.local_sheet is None}
    sheets = set(pkg.sheet_names())
    definitions = _definitions(rules)
    if not any(_broken(have.get(name), sheets) for name in definitions):  # rule 1: nothing to define
        return []
    pending = sorted(used_names(chunk for part in sheet_parts for chunk in pkg.text_chunks(part)))
    defined: list[str] = []
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen.add(name)
        value = have.get(name)
        if value is None or _broken(value, sheets):
            value = definitions[name]
            pkg.set_defined_name(name, value)
            defined.append(name)
        pending.extend(sorted(used_names([value]) - seen))
    return sorted(defined)
