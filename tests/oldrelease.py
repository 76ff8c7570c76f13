"""Make "a workbook of an older release" from a current one, for the upgrade tests.

An older release's workbook lacks what later releases added: whole sheets, columns of
tables, rules, the names over them, and the template-version property. :func:`make_old`
takes a current workbook and removes those with openpyxl, which also re-saves every part
as another program would (styles renumbered, strings shared): the upgrade must cope with
a workbook that Excel or Calc has saved since.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from copy import copy
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.cell_range import CellRange

from xlgrade.schema import formulas
from xlgrade.schema.sheets import RULES_SHEET, SHEETS
from xlgrade.workbook import version


def _shift_refs(text: str, sheet: str, col: int) -> str:
    """References to ``sheet`` right of column ``col`` move one column left."""
    quoted = re.escape(quote_sheetname(sheet))

    def left(letters: str) -> str:
        idx = openpyxl.utils.column_index_from_string(letters)
        return get_column_letter(idx - 1) if idx > col else letters

    def sub(m: re.Match[str]) -> str:
        out = f"{m.group(1)}${left(m.group(2))}{m.group(3)}"
        return out + (f":${left(m.group(4))}{m.group(5)}" if m.group(4) else "")

    return re.sub(rf"({quoted}!)\$([A-Z]{{1,3}})(\$\d+)(?::\$([A-Z]{{1,3}})(\$\d+))?", sub, text)


def _drop_column(wb, ws, table, key: str, lang: str) -> None:
    sheet = next(s for s in SHEETS.values() if s.table == table.name)
    header = sheet.column(key).header(lang)
    names = [c.name for c in table.tableColumns]
    idx = names.index(header) + 1
    letter = get_column_letter(idx)
    own = re.compile(rf"{re.escape(quote_sheetname(ws.title))}!\${letter}\$")
    for name in [n for n, dn in wb.defined_names.items() if own.search(dn.attr_text)]:
        del wb.defined_names[name]  # an older release had no name over a column it did not have
    ws.delete_cols(idx)
    dims = ws.column_dimensions  # openpyxl does not move the widths and column styles: move them
    last = max((openpyxl.utils.column_index_from_string(k) for k in list(dims)), default=0)
    for i in range(idx, last):
        moved = copy(dims[get_column_letter(i + 1)])
        moved.index, moved.min, moved.max = get_column_letter(i), i, i
        dims[get_column_letter(i)] = moved
    if last >= idx:
        del dims[get_column_letter(last)]
    r = CellRange(table.ref)
    r.shrink(right=1)
    table.ref = r.coord
    table.autoFilter.ref = r.coord
    del table.tableColumns[idx - 1]
    for i, c in enumerate(table.tableColumns, start=1):
        c.id = i
    keep = []
    for dv in ws.data_validations.dataValidation:
        ranges = [cr for cr in dv.sqref.ranges if not (cr.min_col == idx == cr.max_col)]
        if not ranges:
            continue
        for cr in ranges:
            if cr.min_col > idx:
                cr.shift(col_shift=-1)
        dv.sqref = openpyxl.worksheet.cell_range.MultiCellRange(ranges)
        keep.append(dv)
    ws.data_validations.dataValidation = keep
    old_cf = ws.conditional_formatting
    ws.conditional_formatting = openpyxl.formatting.formatting.ConditionalFormattingList()
    for cf in old_cf:
        ranges = list(cf.sqref.ranges)
        if any(cr.min_col == idx for cr in ranges):
            continue
        for rule in cf.rules:
            for cr in ranges:
                if cr.min_col > idx:
                    old = get_column_letter(cr.min_col)
                    rule.formula = [
                        re.sub(rf"\b{old}(\d)", get_column_letter(cr.min_col - 1) + r"\1", f) for f in rule.formula
                    ]
            for cr in ranges:
                if cr.min_col > idx:
                    cr.shift(col_shift=-1)
            ws.conditional_formatting.add(" ".join(c.coord for c in ranges), rule)
    for dn in list(wb.defined_names.values()):
        dn.attr_text = _shift_refs(dn.attr_text, ws.title, idx)
    if ws.print_area:
        ws.print_area = table.ref


def make_old(
    source: str | Path,
    target: str | Path,
    *,
    drop_sheets: Iterable[str] = (),
    drop_columns: Mapping[str, Iterable[str]] | None = None,
    drop_rules: Iterable[str] = (),
) -> Path:
    """``source`` as an older release would have made it: without the declared sheets
    ``drop_sheets`` (keys), the columns ``drop_columns`` ({table name: column keys}), the rules
    ``drop_rules`` (their rows, names) and without the template version."""
    wb = openpyxl.load_workbook(source)
    lang = "zh" if SHEETS["customers"].zh in wb.sheetnames else "en"
    for key in drop_sheets:
        name = SHEETS[key].name(lang)
        wb.remove(wb[name])
        quoted = quote_sheetname(name)
        for dn_name, dn in list(wb.defined_names.items()):
            if f"{quoted}!" in dn.attr_text or f"{name}!" in dn.attr_text:
                del wb.defined_names[dn_name]
    for table_name, keys in (drop_columns or {}).items():
        for ws in wb.worksheets:
            if table_name in ws.tables:
                for key in keys:
                    _drop_column(wb, ws, ws.tables[table_name], key, lang)
    drop_rules = list(drop_rules)
    if drop_rules:
        ws = wb[RULES_SHEET.name(lang)]
        table = ws.tables["Rules"]
        for key in drop_rules:
            row = next(
                r for r in range(2, ws.max_row + 1) if ws.cell(r, RULES_SHEET.keys().index("key") + 1).value == key
            )
            ws.delete_rows(row)
            r = CellRange(table.ref)
            r.shrink(bottom=1)
            table.ref = r.coord
            table.autoFilter.ref = r.coord
            del wb.defined_names[formulas.rule_name(key)]
            quoted = re.escape(quote_sheetname(ws.title))
            for dn in wb.defined_names.values():
                dn.attr_text = re.sub(
                    rf"({quoted}!\$B\$)(\d+)",
                    lambda m, row=row: m.group(1) + str(int(m.group(2)) - (int(m.group(2)) > row)),
                    dn.attr_text,
                )
        if ws.print_area:
            ws.print_area = table.ref
    props = wb.custom_doc_props
    for prop in list(props):
        if prop.name == version.PROPERTY:
            props.props.remove(prop)
    wb.save(target)
    return Path(target)
