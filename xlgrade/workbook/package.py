"""Edit an .xlsx / .xlsm package part by part, leaving every part xlgrade does not own as it was.

Why: a staff workbook may hold a 200,000-line ledger. Loading and saving it with openpyxl
takes minutes and gigabytes and drops what openpyxl does not understand. :class:`Package`
reads the zip directory, rewrites only the parts it is asked to change (a derived sheet, its
table, the summary's charts, a few computed cells) and copies every other member's
*compressed* bytes unchanged into the new file (no decompress / recompress).

XML is edited as text, never parsed and re-serialised: a worksheet keeps every byte outside
the elements an operation replaces (views, protection, conditional formats, validations,
page setup, extension lists, namespace declarations, ``mc:Ignorable`` prefixes ...).

Cells are written with inline strings (``t="inlineStr"``) so ``sharedStrings.xml`` is never
touched; style indices come from the hidden palette sheet (:meth:`Package.palette`, see
:mod:`xlgrade.workbook.styles`).

Saving is atomic: the new package goes to a temporary file next to the target, is flushed
and fsynced, the old file is copied to the backup folder, then the temporary file replaces
the target. On any failure the original file is untouched and the temporary file removed.
"""


from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Sequence

from xlgrade.workbook.styles import PALETTE_SHEET, ROLES

from xlgrade.errors import PackageError
from xlgrade.workbook import contenttypes, drawings, rels, workbookxml
from xlgrade.workbook.cellxml import (Cell, cell_value, cell_xml, col_index, col_letter, escape_x_name, inline_text,
                                      range_ref, unescape_x, unique_headers)
from xlgrade.workbook.charts import ChartSpec
from xlgrade.workbook.contenttypes import CT_TABLE
from xlgrade.workbook.rels import NS_REL, REL_SST, REL_STYLES, REL_TABLE
from xlgrade.workbook.sheetxml import Worksheet
from xlgrade.workbook.workbookxml import NS_MAIN
from xlgrade.workbook.xmlscan import XML_DECL, Elem, children, decode_part, esc_attr, insert_child, root_elem, set_attr
from xlgrade.workbook.zipio import ZIP32_LIMIT, Entry, fsync_dir, make_backup, raw_member, write_zip

NEW_TABLE_STYLE = "TableStyleMedium2"
# a <c r="B5" ...> element whose body holds an <f> (any namespace prefix)
_FORMULA_CELL = re.compile(r'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f[\s>/]',
                           re.S)




class Package:
    """An .xlsx / .xlsm file held in memory and edited part by part."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self._buf = self.path.read_bytes()
            st = os.stat(self.path)
        except FileNotFoundError:
            from xlgrade.errors import MissingFileError
            raise MissingFileError(f"{self.path}: file not found (找不到文件)") from None
        self._stamp = (st.st_size, st.st_mtime_ns)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(self._buf))
        except zipfile.BadZipFile:
            raise PackageError(f"{self.path.name}: not an .xlsx workbook (not a zip package); "
                               "an encrypted or .xls workbook must be saved as .xlsx first") from None
        self._infos = {i.filename: i for i in self._zip.infolist() if not i.is_dir()}
        self._order = list(self._infos)
        for info in self._infos.values():
            if info.flag_bits & 0x1:
                raise PackageError(f"{self.path.name}: encrypted zip members are not supported")
        self._parts: dict[str, str | bytes] = {}   # changed or new parts
        self._removed: set[str] = set()
        self.workbook = workbookxml.find_workbook(self)
        workbookxml.check_not_strict(self)
        self._palette: dict[str, int] | None = None

    # ---- parts ------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return bool(self._parts or self._removed)

    def names(self) -> list[str]:
        out = [n for n in self._order if n not in self._removed]
        out += [n for n in self._parts if n not in self._infos]
        return out

    def exists(self, part: str) -> bool:
        return part in self._parts or (part in self._infos and part not in self._removed)

    def read(self, part: str) -> bytes:
        if part in self._parts:
            data = self._parts[part]
            return data.encode("utf-8") if isinstance(data, str) else data
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        return self._zip.read(part)

    def text(self, part: str) -> str:
        data = self._parts.get(part)
        if isinstance(data, str):
            return data
        return decode_part(self.read(part), part)

    def write(self, part: str, data: str | bytes) -> None:
        self._parts[part] = data
        self._removed.discard(part)

    def remove(self, part: str) -> None:
        self._parts.pop(part, None)
        if part in self._infos:
            self._removed.add(part)

    def changed(self) -> list[str]:
        """Parts that will differ from the original file (new, changed or removed)."""
        return sorted(set(self._parts) | self._removed)

    def free_name(self, pattern: str) -> str:
        """The first part name ``pattern.format(n)`` (n = 1, 2 ...) not in the package."""
        n = 1
        while self.exists(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # ---- relationships and content types (rels.py, contenttypes.py) ----------------------------------
    def rels(self, part: str) -> list[rels.Rel]:
        return rels.read(self, part)

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        return rels.add(self, part, rel_type, target_part)

    def remove_rel(self, part: str, rid: str) -> None:
        rels.remove(self, part, rid)

    def remove_tree(self, part: str) -> None:
        """Remove ``part``, its rels and every part only it refers to."""
        rels.remove_tree(self, part)

    def content_type(self, part: str) -> str | None:
        return contenttypes.content_type(self, part)

    def set_override(self, part: str, content_type: str) -> None:
        contenttypes.set_override(self, part, content_type)

    def remove_override(self, part: str) -> None:
        contenttypes.remove_override(self, part)

    # ---- the workbook part (workbookxml.py) ----------------------------------------------------------
    def sheets(self) -> list[workbookxml.SheetInfo]:
        return workbookxml.sheets(self)

    def sheet_names(self) -> list[str]:
        return workbookxml.sheet_names(self)

    def sheet_part(self, name: str) -> str:
        return workbookxml.sheet_part(self, name)

    @property
    def date1904(self) -> bool:
        return workbookxml.date1904(self)

    def defined_names(self) -> list[workbookxml.DefinedName]:
        return workbookxml.defined_names(self)

    def set_defined_name(self, name: str, value: str | None, local_sheet: int | None = None) -> None:
        workbookxml.set_defined_name(self, name, value, local_sheet)

    def print_area(self, sheet_name: str) -> str | None:
        return workbookxml.print_area(self, sheet_name)

    def set_print_area(self, sheet_name: str, ref: str | None) -> None:
        workbookxml.set_print_area(self, sheet_name, ref)

    def drop_calc_chain(self) -> None:
        workbookxml.drop_calc_chain(self)

    def trust_cached_values(self) -> None:
        """Declare every formula's cached result current (see :func:`workbookxml.trust_cached_values`)."""
        workbookxml.trust_cached_values(self)

    def add_sheet(self, name: str) -> str:
        return workbookxml.add_sheet(self, name)

    def formula_cells(self, name: str) -> set[tuple[int, int]]:
        """(row, column) of every cell of the sheet that holds a formula."""
        xml = self.text(self.sheet_part(name))
        return {(int(m.group(2)), col_index(m.group(1))) for m in _FORMULA_CELL.finditer(xml)}

    # ---- reading cells -------------------------------------------------------------------------
    def shared_strings(self, wanted: Iterable[int] | None = None) -> dict[int, str]:
        """Shared strings by index (only ``wanted`` ones if given)."""
        part = next((r.part for r in self.rels(self.workbook) if r.type == REL_SST and r.part), None)
        if part is None or not self.exists(part):
            return {}
        xml = self.text(part)
        wanted = None if wanted is None else set(wanted)
        last = max(wanted) if wanted else None
        out: dict[int, str] = {}
        for i, m in enumerate(re.finditer(r"<(?:[\w.\-]+:)?si\b(?:[^>]*?/>|.*?</(?:[\w.\-]+:)?si>)", xml, re.S)):
            if last is not None and i > last:
                break
            if wanted is None or i in wanted:
                out[i] = inline_text(m.group(0))
        return out

    def row_values(self, sheet_name: str, row: int) -> dict[int, tuple[Any, int]]:
        """{column: (value, style)} of one row; strings resolved, numbers as float."""
        xml = self.text(self.sheet_part(sheet_name))
        ws = Worksheet(xml)
        sd = ws.child("sheetData")
        cells: dict[int, tuple[str, dict[str, str]]] = {}
        if sd is None or sd.empty:
            return {}
        for num, _s, c_start, c_end, _e, _a, _tag in ws.iter_rows(xml, sd.tag_end, sd.inner_end(xml)):
            if num == row:
                for col, s, e, a, _sc in ws.cells(xml, c_start, c_end):
                    cells[col] = (xml[s:e], a)
            if num >= row:
                break
        sst_wanted = [int(v) for body, a in cells.values() if a.get("t") == "s"
                      for v in re.findall(r"<(?:[\w.\-]+:)?v>\s*(\d+)\s*<", body)]
        sst = self.shared_strings(sst_wanted) if sst_wanted else {}
        out = {}
        for col, (body, a) in cells.items():
            out[col] = (cell_value(body, a, sst), int(a.get("s", "0") or 0))
        return out

    def palette(self) -> dict[str, int]:
        """Style index of every role, from the palette sheet's row 1 (0 for a missing role)."""
        if self._palette is None:
            found: dict[str, int] = {}
            if PALETTE_SHEET in self.sheet_names():
                for value, style in self.row_values(PALETTE_SHEET, 1).values():
                    if isinstance(value, str) and value.strip() in ROLES:
                        found.setdefault(value.strip(), style)
            self._palette = {role: found.get(role, 0) for role in ROLES}
            self._palette_found = set(found)
        return dict(self._palette)

    def palette_has(self, role: str) -> bool:
        self.palette()
        return role in self._palette_found

    def number_style(self, num_fmt_id: int) -> int:
        """A cell style (index in cellXfs) showing numbers with built-in format ``num_fmt_id``.

        Used only when the palette sheet lacks a role, so dates still show as dates.
        """
        part = next((r.part for r in self.rels(self.workbook) if r.type == REL_STYLES and r.part), None)
        if part is None or not self.exists(part):
            return 0
        xml = self.text(part)
        root = root_elem(xml)
        xfs = next((k for k in children(xml, root) if k.name == "cellXfs"), None)
        if xfs is None:
            return 0
        kids = [k for k in children(xml, xfs) if k.name == "xf"]
        for i, k in enumerate(kids):
            a = k.attrs
            if (a.get("numFmtId") == str(num_fmt_id) and a.get("fontId", "0") == "0" and a.get("fillId", "0") == "0"
                    and a.get("borderId", "0") == "0" and k.empty):
                return i
        element = (f'<{xfs.p}xf numFmtId="{num_fmt_id}" fontId="0" fillId="0" borderId="0" xfId="0" '
                   f'applyNumberFormat="1"/>')
        xml = insert_child(xml, xfs, kids, "xf", element, ("xf",))
        root = root_elem(xml)
        xfs = next(k for k in children(xml, root) if k.name == "cellXfs")
        tag = set_attr(xml[xfs.start:xfs.tag_end], "count", str(len(kids) + 1))
        self.write(part, xml[:xfs.start] + tag + xml[xfs.tag_end:])
        return len(kids)

    def has_cols(self, sheet_name: str) -> bool:
        """Whether the sheet sets column widths (<cols>)."""
        return Worksheet(self.text(self.sheet_part(sheet_name))).child("cols") is not None

    # ---- tables ------------------------------------------------------------------------------------
    def tables(self, sheet_name: str) -> dict[str, str]:
        """{table name: part} of the tables on a sheet."""
        part = self.sheet_part(sheet_name)
        out = {}
        for rel in self.rels(part):
            if rel.type == REL_TABLE and rel.part and self.exists(rel.part):
                xml = self.text(rel.part)
                name = root_elem(xml).attrs.get("name", "")
                out[name] = rel.part
        return out

    def _all_tables(self) -> list[tuple[str, str, int]]:
        """(part, name, id) of every table in the workbook."""
        out = []
        for name in self.names():
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                a = root_elem(self.text(name)).attrs
                out.append((name, a.get("name", ""), int(a.get("id", "0") or 0)))
        return out

    def table_info(self, sheet_name: str, table_name: str) -> tuple[str, list[str]] | None:
        """(ref, column names) of a table on a sheet, or None."""
        part = self._table_part(sheet_name, table_name)
        if part is None:
            return None
        xml = self.text(part)
        root = root_elem(xml)
        names = []
        for kid in children(xml, root):
            if kid.name == "tableColumns":
                names = [el.attrs.get("name", "") for el in children(xml, kid) if el.name == "tableColumn"]
        return root.attrs.get("ref", ""), [unescape_x(n) for n in names]

    def _table_part(self, sheet_name: str, table_name: str) -> str | None:
        for name, part in self.tables(sheet_name).items():
            if name.lower() == table_name.lower():
                return part
        return None

    def _new_table(self, sheet_part: str, table_name: str) -> str:
        taken = {n.lower() for _, n, _ in self._all_tables()} | {d.name.lower() for d in self.defined_names()}
        if table_name.lower() in taken:
            raise PackageError(f"{self.path.name}: the name {table_name!r} is already used by another table "
                               "or defined name")
        tid = max((i for _, _, i in self._all_tables()), default=0) + 1
        part = self.free_name("xl/tables/table{}.xml")
        self.write(part, f'{XML_DECL}<table xmlns="{NS_MAIN}" id="{tid}" name="{esc_attr(table_name)}" '
                         f'displayName="{esc_attr(table_name)}" ref="A1:A2" totalsRowShown="0">'
                         '<autoFilter ref="A1:A2"/><tableColumns count="1"><tableColumn id="1" name="x"/>'
                         f'</tableColumns><tableStyleInfo name="{NEW_TABLE_STYLE}" showFirstColumn="0" '
                         'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>')
        self.set_override(part, CT_TABLE)
        rid = self.add_rel(sheet_part, REL_TABLE, part)
        xml = self.text(sheet_part)
        ws = Worksheet(xml)
        holder = ws.child("tableParts")
        r = ws.rel_prefix()
        rattr = f"{r}:id" if r else f'xmlns:xr_="{NS_REL}" xr_:id'
        el = f'<{ws.p}tablePart {rattr}="{rid}"/>'
        if holder is None:
            xml = ws.insert(xml, "tableParts", f'<{ws.p}tableParts count="1">{el}</{ws.p}tableParts>')
        else:
            kids = [k for k in children(xml, holder) if k.name == "tablePart"]
            xml = insert_child(xml, holder, kids, "tablePart", el, ("tablePart",))
            h2 = Worksheet(xml).child("tableParts")
            tag = set_attr(xml[h2.start:h2.tag_end], "count", str(len(kids) + 1))
            xml = xml[:h2.start] + tag + xml[h2.tag_end:]
        self.write(sheet_part, xml)
        return part

    def _update_table(self, part: str, ref: str, headers: list[str]) -> None:
        xml = self.text(part)
        root = root_elem(xml)
        p = root.p
        kids = children(xml, root)
        old_cols: list[Elem] = []
        cols_el = next((k for k in kids if k.name == "tableColumns"), None)
        if cols_el is not None:
            old_cols = [k for k in children(xml, cols_el) if k.name == "tableColumn"]
        by_name = {}
        for el in old_cols:
            by_name.setdefault(unescape_x(el.attrs.get("name", "")).lower(), el)
        next_id = max((int(el.attrs.get("id", "0") or 0) for el in old_cols), default=0) + 1
        columns = []
        for h in headers:
            el = by_name.pop(h.lower(), None)
            if el is not None:
                columns.append(xml[el.start:el.end])
            else:
                columns.append(f'<{p}tableColumn id="{next_id}" name="{esc_attr(escape_x_name(h))}"/>')
                next_id += 1
        new_cols = f'<{p}tableColumns count="{len(headers)}">{"".join(columns)}</{p}tableColumns>'
        pieces, pos = [], root.tag_end
        for k in kids:
            if k.name in ("autoFilter", "sortState", "tableColumns"):
                pieces.append(xml[pos:k.start])
                if k.name == "autoFilter":      # filter criteria and sort state refer to old rows
                    pieces.append(f'<{p}autoFilter ref="{ref}"/>')
                elif k.name == "tableColumns":
                    pieces.append(new_cols)
                pos = k.end
        pieces.append(xml[pos:])
        body = "".join(pieces)
        tag = xml[root.start:root.tag_end]
        tag = set_attr(tag, "ref", ref)
        for attr in ("totalsRowCount", "headerRowCount", "insertRow", "insertRowShift"):
            tag = set_attr(tag, attr, None)
        self.write(part, xml[:root.start] + tag + body)

    # ---- writing sheets -------------------------------------------------------------------------
    def write_table(self, sheet_name: str, table_name: str, headers: Sequence[str],
                    rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None, *,
                    styles: Sequence[int] | None = None, header_style: int | None = None) -> str:
        """Replace a sheet's content with one table: header row 1, ``rows`` below; returns its ref.

        Items of ``rows`` are :class:`Cell` objects or plain values styled with ``styles[column]``.
        The table part (created if missing) gets the new ref, a reset auto filter and one column
        per header; everything else of the sheet XML stays as it was.
        """
        part = self.sheet_part(sheet_name)
        headers = unique_headers(headers)
        n = len(headers)
        if n == 0:
            raise PackageError("a table needs at least one column")
        table = self._table_part(sheet_name, table_name)
        others = {name: t for name, t in self.tables(sheet_name).items() if t != table}
        if table is None and len(others) == 1:      # staff renamed the table: keep their name
            table = others.popitem()[1]
        if others:
            raise PackageError(f"sheet {sheet_name!r} holds other tables ({', '.join(sorted(others))}); xlgrade "
                               f"rewrites the whole sheet, so move them to another sheet (请将其他表格移到别的工作表)")
        styles = list(styles) if styles is not None else [0] * n
        if header_style is None:
            header_style = self.palette()["header"]
        date1904 = self.date1904
        xml = self.text(part)
        ws = Worksheet(xml)
        p = ws.p
        letters = [col_letter(c) for c in range(1, n + 1)]
        out = [f"<{p}sheetData>{ws.row_start(xml, 1)}"]
        out += [cell_xml(f"{letters[c]}1", h, header_style, date1904, p) for c, h in enumerate(headers)]
        out.append(f"</{p}row>")
        for i, row in enumerate(rows, start=2):
            out.append(f'<{p}row r="{i}">')
            for c, item in enumerate(row[:n]):
                if isinstance(item, Cell):
                    out.append(cell_xml(f"{letters[c]}{i}", item.value, item.style, date1904, p))
                else:
                    out.append(cell_xml(f"{letters[c]}{i}", item, styles[c], date1904, p))
            out.append(f"</{p}row>")
        if not rows:
            out.append(f'<{p}row r="2">')
            out += [cell_xml(f"{letters[c]}2", None, styles[c], date1904, p) for c in range(n)]
            out.append(f"</{p}row>")
        out.append(f"</{p}sheetData>")
        last = 1 + max(1, len(rows))
        ref = f"A1:{letters[-1]}{last}"
        xml = ws.replace_sheet_data(xml, "".join(out))
        xml = Worksheet(xml).set_dimension(xml, ref)
        if widths is not None:
            xml = Worksheet(xml).set_cols(xml, {c + 1: w for c, w in enumerate(widths) if w})
        xml = Worksheet(xml).drop_merges(xml, (1, 1, last, n))     # a table cannot overlap merged cells
        self.write(part, xml)
        self.drop_calc_chain()
        table = table or self._new_table(part, table_name)
        self._update_table(table, ref, headers)
        if self.print_area(sheet_name) is not None:
            self.set_print_area(sheet_name, ref)
        return ref

    def write_sheet(self, sheet_name: str, cells: Mapping[tuple[int, int], Any],
                    merges: Iterable[str | tuple[int, int, int, int]] = (),
                    widths: Mapping[int, float] | Sequence[float] | None = None) -> str:
        """Replace a sheet's cells with a free layout {(row, col): Cell or value}; returns the used ref."""
        part = self.sheet_part(sheet_name)
        if self.tables(sheet_name):
            raise PackageError(f"sheet {sheet_name!r} holds tables ({', '.join(sorted(self.tables(sheet_name)))}); "
                               "xlgrade rewrites the whole sheet, so move them to another sheet")
        date1904 = self.date1904
        xml = self.text(part)
        ws = Worksheet(xml)
        p = ws.p
        by_row: dict[int, list[tuple[int, Any]]] = {}
        for (r, c), item in cells.items():
            if r < 1 or c < 1:
                raise PackageError(f"cell ({r}, {c}) is outside the sheet")
            by_row.setdefault(r, []).append((c, item))
        out = [f"<{p}sheetData>"]
        for r in sorted(by_row):
            out.append(f'<{p}row r="{r}">')
            for c, item in sorted(by_row[r], key=lambda t: t[0]):
                cell = item if isinstance(item, Cell) else Cell(item)
                out.append(cell_xml(f"{col_letter(c)}{r}", cell.value, cell.style, date1904, p))
            out.append(f"</{p}row>")
        out.append(f"</{p}sheetData>")
        ref = "A1"
        if cells:
            rows_, cols_ = [r for r, _ in cells], [c for _, c in cells]
            ref = range_ref(min(rows_), min(cols_), max(rows_), max(cols_))
        xml = ws.replace_sheet_data(xml, "".join(out))
        xml = Worksheet(xml).set_dimension(xml, ref)
        if widths is not None:
            if not isinstance(widths, Mapping):
                widths = {c + 1: w for c, w in enumerate(widths)}
            xml = Worksheet(xml).set_cols(xml, {c: w for c, w in widths.items() if w})
        refs = [m if isinstance(m, str) else range_ref(*m) for m in merges]
        xml = Worksheet(xml).set_merges(xml, refs)
        self.write(part, xml)
        self.drop_calc_chain()
        return ref

    def set_cells(self, sheet_name: str, cells: Mapping[tuple[int, int], Any], *,
                  keep_styles: bool = False, keep_formulas: bool | Collection[int] = False) -> None:
        """Change only the given cells {(row, col): Cell or value} of an existing sheet.

        Every other byte of the sheet XML stays. ``keep_styles``: an existing cell keeps its
        style. ``keep_formulas``: an existing formula is kept and the value becomes its cached
        result (unless the new value is itself a :class:`Formula`); True for every column, or
        the collection of columns (1-based) where it applies.
        """
        if not cells:
            return
        part = self.sheet_part(sheet_name)
        xml = self.text(part)
        ws = Worksheet(xml)
        new_xml = ws.set_cells(xml, cells, date1904=self.date1904, keep_styles=keep_styles,
                               keep_formulas=keep_formulas)
        self.write(part, new_xml)
        self.drop_calc_chain()

    # ---- drawings and charts (drawings.py) -----------------------------------------------------------
    def drawing_part(self, sheet_name: str) -> str | None:
        return drawings.drawing_part(self, sheet_name)

    def charts(self, sheet_name: str) -> list[str]:
        return drawings.charts(self, sheet_name)

    def set_charts(self, sheet_name: str, specs: Sequence[ChartSpec]) -> list[str]:
        return drawings.set_charts(self, sheet_name, specs)

    # ---- saving ---------------------------------------------------------------------------------------
    def _entries(self) -> list[Entry]:
        entries = []
        for name in self.names():
            e = Entry()
            e.name = name
            info = self._infos.get(name)
            if info is not None and name not in self._parts:
                e.data = raw_member(self._buf, info)
                e.flags, e.method, e.date_time = info.flag_bits, info.compress_type, info.date_time
                e.crc, e.csize, e.usize = info.CRC, info.compress_size, info.file_size
                e.create_system, e.create_version = info.create_system, info.create_version
                e.extract_version, e.external_attr = info.extract_version, info.external_attr
                e.internal_attr = info.internal_attr
            else:
                raw = self.read(name)
                comp = zlib.compressobj(6, zlib.DEFLATED, -15)
                e.data = comp.compress(raw) + comp.flush()
                e.flags, e.method = 0, zipfile.ZIP_DEFLATED
                e.date_time = info.date_time if info is not None else (1980, 1, 1, 0, 0, 0)
                e.crc, e.csize, e.usize = zlib.crc32(raw), len(e.data), len(raw)
                e.create_system, e.create_version, e.extract_version = 0, 20, 20
                e.external_attr, e.internal_attr = (info.external_attr if info else 0), 0
            entries.append(e)
        return entries

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._write_to(out)
        return out.getvalue()

    def _write_to(self, out: io.BufferedIOBase) -> None:
        entries = self._entries()
        total = sum(len(e.data) + 100 + len(e.name) for e in entries)
        if total >= ZIP32_LIMIT or len(entries) >= 0xFFFF or any(e.usize >= ZIP32_LIMIT for e in entries):
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:   # rare: zip64
                for name in self.names():
                    zf.writestr(name, self.read(name))
            return
        write_zip(out, entries)

    def save(self, path: str | os.PathLike | None = None, *, backup_dir: str | os.PathLike | None = None
             ) -> str | None:
        """Write the package to ``path`` (default: where it was read) atomically; returns the backup path."""
        target = Path(path) if path is not None else self.path
        if target.resolve() == self.path.resolve() and target.exists():
            st = os.stat(target)
            if (st.st_size, st.st_mtime_ns) != self._stamp:
                raise PackageError(f"{target.name} was changed by someone else since xlgrade read it "
                                   "(文件已被他人修改); run again")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlgrade-tmp", dir=target.parent)
        backup = None
        try:
            with os.fdopen(fd, "wb") as fh:
                self._write_to(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                shutil.copymode(target, tmp)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            if target.exists() and backup_dir is not None:
                backup = make_backup(target, Path(backup_dir))
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        fsync_dir(target.parent)
        return backup


