"""Edit an .xlsx / .xlsm package part by part, leaving every part xlgrade does not own as it was.

Why: a staff workbook may hold a 200,000-line ledger. Loading and saving it with openpyxl
takes minutes and gigabytes and drops what openpyxl does not understand. :class:`Package`
reads the zip directory, rewrites only the parts it is asked to change (a derived sheet, its
table, the summary's charts, a few computed cells) and copies every other member's
*compressed* bytes unchanged into the new file (no decompress / recompress).

This module is the part store (read, write, remove parts in memory) and the saving. What is
done to each kind of part is in a module of its own, one per part kind, each a set of
functions taking the :class:`Package`; the methods here hand over to them:

- :mod:`~xlgrade.workbook.rels`: relationships (``_rels/*.rels``);
- :mod:`~xlgrade.workbook.contenttypes`: ``[Content_Types].xml``;
- :mod:`~xlgrade.workbook.workbookxml`: ``xl/workbook.xml``: sheets, defined names, calcPr;
- :mod:`~xlgrade.workbook.worksheets`: worksheet contents (rows read, tables, layouts, cells
  written), on :mod:`~xlgrade.workbook.sheetxml`;
- :mod:`~xlgrade.workbook.tables`: table parts;
- :mod:`~xlgrade.workbook.drawings`: drawing and chart parts;
- :mod:`~xlgrade.workbook.stylesheet` and :mod:`~xlgrade.workbook.sharedstrings`: style
  indices (palette, ``styles.xml``) and the shared strings (read only).

XML is edited as text, never parsed and re-serialised (:mod:`~xlgrade.workbook.xmlscan`):
a worksheet keeps every byte outside the elements an operation replaces (views, protection,
conditional formats, validations, page setup, extension lists, namespace declarations,
``mc:Ignorable`` prefixes ...).

Cells are written with inline strings (``t="inlineStr"``) so ``sharedStrings.xml`` is never
touched (a masked copy, :mod:`~xlgrade.workbook.masked`, rewrites the texts of every part); style indices come from the hidden palette sheet (:meth:`Package.palette`, see
:mod:`xlgrade.workbook.styles`).

Opening goes through :mod:`~xlgrade.workbook.ziplimits`: a folder, an empty, encrypted or
.xls file is refused, the zip directory's declared sizes are checked against its limits, and
every member is inflated once (streaming, output discarded) to check its length and CRC, so
no damaged part is ever copied on compressed; parts are read only through its bounded
inflater, and a part whose XML is cut off is refused naming it (and its sheet). That pass also
notes the parts holding an error cell (``t="e"``, :meth:`Package.may_hold_errors`), so the
reader never inflates a sheet a second time to look for them. In a large package the large
parts are checked in background threads (:class:`ziplimits.Verifier`) while the job reads the
others: every method here that gets at a part's bytes as the file holds them (read, in
chunks, compared, its compressed bytes, its error-cell note) waits for that part's check
first, the save for every part's, and :meth:`Package.verified` is how a caller waits before
another library reads the file (calamine, through
:class:`~xlgrade.workbook.filebook.FileBook`); a damaged part is refused there with the error
opening it would have raised.

Speed and memory on a 200,000-line ledger: a changed part is held as text until saved, except a
large one: cells set on a sheet of :data:`worksheets.STREAM_BYTES` or more are set as a stream
(:mod:`~xlgrade.workbook.sheetstream`: the part read by :meth:`Package.byte_chunks`, a MiB at a
time, never whole) and deflated piece by piece in a worker thread, as is a large table's text
(the part is then held deflated, :class:`~xlgrade.workbook.zipio.Deflated`, and read back by
inflating it); a part such an edit leaves as it was is not written at all; a worksheet of
:data:`DEFLATE_EARLY_CHARS` or more starts deflating in a worker thread once the job writes
another worksheet, and at save every other changed part deflates at once. zlib lets go of the
interpreter while it compresses, and the result is the same bytes as one deflate of the whole.

A part written back as the file holds it is not a change (:meth:`Package.stored_as`, byte for
byte against the member; :meth:`Package.revert`): the steady monthly run rewrites every derived
table, the summary and History with the bytes they had, and the file keeps those members,
copied compressed, nothing deflated. What is read from one version of a part (workbook.xml's
sheets and defined names, a part's relationships) is parsed once (:meth:`Package.memo`).

Saving is atomic: the new package goes to a temporary file next to the target, is flushed
and fsynced, the old file is copied to the backup folder, then the temporary file replaces
the target. On any failure the original file is untouched and the temporary file removed.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from xlgrade.errors import CorruptPartError, PackageError
from xlgrade.workbook import (
    contenttypes,
    drawings,
    rels,
    sharedstrings,
    stylesheet,
    tables,
    workbookxml,
    worksheets,
    ziplimits,
)
from xlgrade.workbook.charts import ChartSpec
from xlgrade.workbook.historypart import SegmentedPart
from xlgrade.workbook.runlock import say
from xlgrade.workbook.xmlscan import check_complete, decode_part
from xlgrade.workbook.zipio import (
    ZIP32_LIMIT,
    Deflated,
    Entry,
    deflate_later,
    encoded_blocks,
    fsync_dir,
    make_backup,
    raw_member,
    same_bytes,
    write_zip,
)

# A worksheet part this large (in characters) is deflated in a worker thread as soon as the job
# has moved on from it (Package.write), while the other sheets are rendered.
DEFLATE_EARLY_CHARS = 1 << 20


class Package:
    """An .xlsx / .xlsm file held in memory and edited part by part."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._buf = ziplimits.read_file(self.path)  # a folder, empty, encrypted or .xls: refused
        st = os.stat(self.path)
        self._stamp = (st.st_size, st.st_mtime_ns)
        self._zip = ziplimits.open_zip(self._buf, self.path.name)  # declared sizes within the limits
        # Every member inflated once (streaming, output discarded, CRC checked) before it is read,
        # copied on compressed at save or read by calamine: a large workbook's large parts in
        # background threads, each waited for (checked) before its first use (ziplimits rule 5).
        # (the parts holding an error cell, t="e", noted on the way: see :meth:`may_hold_errors`)
        self._verified = ziplimits.Verifier(self._buf, self._zip, self.path.name, find=b't="e"')
        self._infos = {i.filename: i for i in self._zip.infolist() if not i.is_dir()}
        self._order = list(self._infos)
        self._parts: dict[str, str | bytes | Deflated | SegmentedPart] = {}  # changed or new parts
        # parts deflating in a worker thread: (the data given to it, its deflate_later)
        self._deflated: dict[str, tuple[str | bytes | Deflated, Future[tuple[bytes, int, int]]]] = {}
        self._last_sheet: str | None = None
        self._removed: set[str] = set()
        self._memo: dict[str, tuple[tuple[str, ...], Any]] = {}  # see memo()
        self.workbook = workbookxml.find_workbook(self)
        workbookxml.check_not_strict(self)
        self._palette: dict[str, int] | None = None
        self._palette_found: set[str] = set()

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
            if isinstance(data, Deflated):
                return data.inflate()
            if isinstance(data, SegmentedPart):
                return data.inflated()
            return data.encode("utf-8") if isinstance(data, str) else data
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        self._verified.check(part)
        return ziplimits.inflate(self._buf, self._infos[part], self.path.name)

    def text_chunks(self, part: str) -> Iterator[str]:
        """The part's text in pieces, each ending at a ``>`` (so no name or tag is cut): a part
        kept deflated is inflated piece by piece, never whole; any other part is one piece."""
        data = self._parts.get(part)
        if not isinstance(data, Deflated):
            yield self.text(part)
            return
        rest = b""
        for chunk in data.chunks():
            block = rest + chunk
            cut = block.rfind(b">") + 1
            if cut:
                yield block[:cut].decode("utf-8")
            rest = block[cut:]
        if rest:
            yield rest.decode("utf-8")

    def may_hold_errors(self, part: str) -> bool:
        """Whether ``part`` may hold an error cell (``t="e"``): False only for a part read from
        the file that does not (found while verifying it, so no part is inflated again for it)."""
        return part in self._parts or part not in self._infos or self._verified.holds(part)

    def verified(self, sheet_part: str | None = None) -> None:
        """Return once the parts as read from the file are verified (ziplimits rule 5), waiting
        for the background's checks: every part, or with ``sheet_part``, the parts another
        library (calamine) reads to read that sheet from the file: the sheet's and every part
        that is no worksheet (the workbook part, relationships, styles, shared strings ...).
        Raises the error opening the package would have raised when any part is damaged."""
        if sheet_part is None:
            self._verified.check_all()
            return
        sheets = {s.part for s in workbookxml.sheets(self)}
        for part in self._infos:
            if part == sheet_part or part not in sheets:
                self._verified.check(part)

    def text(self, part: str) -> str:
        data = self._parts.get(part)
        if isinstance(data, str):
            return data
        try:
            xml = decode_part(self.read(part), part)
            check_complete(xml)
        except CorruptPartError:
            raise
        except PackageError as exc:
            raise self.unreadable(part, exc) from None
        return xml

    def unreadable(self, part: str, exc: Exception) -> CorruptPartError:
        """The error for a part whose text is not readable XML (not UTF-8, cut off ...): ``exc``."""
        return CorruptPartError(
            f"{self.path.name}: part {part}{self._sheet_of(part)} is not readable XML: {exc} (部件已损坏); "
            "restore a backup (xlgrade restore FILE --list) or let Excel repair it"
        )

    def size(self, part: str) -> int:
        """The part's length (bytes; characters for a part held as text), without inflating it."""
        data = self._parts.get(part)
        if isinstance(data, Deflated):
            return data.usize
        if isinstance(data, (str, bytes)):
            return len(data)
        if data is not None:
            return data.usize
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        return self._infos[part].file_size

    def byte_chunks(self, part: str) -> Iterator[bytes] | None:
        """The part's bytes in pieces (a MiB or so, cut anywhere), inflated as they are taken, never
        whole: for a part as read from the file or held deflated; None for one held otherwise
        (as text or bytes it is whole already; History is written by months)."""
        data = self._parts.get(part)
        if isinstance(data, Deflated):
            return data.chunks()
        if data is not None:
            return None
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        self._verified.check(part)
        return ziplimits.inflate_chunks(self._buf, self._infos[part], self.path.name)

    def _sheet_of(self, part: str) -> str:
        """`` (sheet NAME)`` when ``part`` is a worksheet of the (readable) workbook part, else ""."""
        if part == getattr(self, "workbook", None):
            return ""
        try:
            name = next((s.name for s in workbookxml.sheets(self) if s.part == part), None)
        except (PackageError, KeyError):
            return ""
        return f" (sheet {name!r})" if name is not None else ""

    def stored_info(self, part: str) -> zipfile.ZipInfo | None:
        """The zip entry of ``part`` as read from the file, if unchanged since (else None)."""
        if part in self._parts or part in self._removed:
            return None
        return self._infos.get(part)

    def raw_member(self, part: str) -> bytes:
        """The compressed bytes of an unchanged part, as stored in the file (verified first)."""
        self._verified.check(part)
        return raw_member(self._buf, self._infos[part])

    def is_segmented(self, part: str) -> bool:
        """Whether ``part`` is pending as a :class:`SegmentedPart` (History, written by months)."""
        return isinstance(self._parts.get(part), SegmentedPart)

    def memo(self, key: str, parts: tuple[str, ...], make: Callable[[], Any]) -> Any:
        """``make()``, computed once while ``parts`` (the parts it reads) stay as they are: what
        is read from one version of a part (the sheet list of ``workbook.xml`` and its rels,
        read by nearly every call) is not parsed again until one of them is written or removed.
        The value is shared: ``make`` returns something immutable (a tuple)."""
        held = self._memo.get(key)
        if held is None or held[0] != parts:
            held = self._memo[key] = (parts, make())
        return held[1]

    def _forget(self, part: str) -> None:
        """Drop what :meth:`memo` holds that was read from ``part`` (it changes)."""
        if self._memo:
            for key in [k for k, (parts, _) in self._memo.items() if part in parts]:
                del self._memo[key]

    def stored_as(self, part: str, pieces: Sequence[str | bytes]) -> bool:
        """Whether the bytes of ``pieces`` joined (texts as UTF-8) are exactly ``part`` as read
        from the file: byte for byte against the member inflated a chunk at a time, up to the
        first difference (a text whose length rules it out is not compared at all)."""
        info = self._infos.get(part)
        if info is None:
            return False
        chars = sum(map(len, pieces))  # a text's UTF-8 is 1 to 4 bytes a character
        if chars > info.file_size or 4 * chars < info.file_size:
            return False
        self._verified.check(part)
        return same_bytes(encoded_blocks(pieces), ziplimits.inflate_chunks(self._buf, info, self.path.name))

    def _stored_segmented(self, part: str, data: SegmentedPart) -> bool:
        """Whether History's ``data`` is the member as the file has it: the same deflated bytes
        (its months copied as they were stored) and the same index (its zip comment)."""
        info = self._infos.get(part)
        if info is None or info.compress_type != zipfile.ZIP_DEFLATED or info.file_size != data.usize:
            return False
        raw = data.compressed()
        return (
            info.CRC == data.crc and info.comment == data.comment(info.CRC, len(raw)) and self.raw_member(part) == raw
        )

    def write(self, part: str, data: str | bytes | Deflated | SegmentedPart) -> None:
        """Make ``data`` the part's content. Text or bytes equal to the part as read from the file
        (:meth:`stored_as`) drop the pending change instead: the file keeps its member (copied
        compressed at save, nothing deflated)."""
        self._forget(part)
        if isinstance(data, (str, bytes)) and self.stored_as(part, (data,)):
            self.revert(part)
        elif isinstance(data, SegmentedPart) and self._stored_segmented(part, data):
            self.revert(part)
        else:
            self._parts[part] = data
            self._removed.discard(part)
            self._deflated.pop(part, None)  # deflated before: that data is gone
        self._hold_deflated()
        # A large worksheet is deflated in a worker thread once the job moves on to another
        # worksheet (it is then done with it); written again later, the result is not used.
        if part.startswith("xl/worksheets/"):
            last = self._last_sheet
            if last is not None and last != part and last not in self._deflated:
                held = self._parts.get(last)
                if isinstance(held, (str, bytes)) and len(held) >= DEFLATE_EARLY_CHARS:
                    self._deflated[last] = (held, deflate_later(held))
            self._last_sheet = part

    def revert(self, part: str) -> None:
        """Drop any pending change of ``part`` (written or removed): the part is as the file has
        it again (and is saved as its member, copied compressed; a part the file lacks is gone)."""
        self._forget(part)
        self._parts.pop(part, None)
        self._deflated.pop(part, None)
        self._removed.discard(part)

    def _hold_deflated(self) -> None:
        """Parts whose early deflate is done and that were not written since are held deflated
        from now on (read back by inflating them), so their text no longer takes memory."""
        for name, (held, future) in list(self._deflated.items()):
            if future.done() and not isinstance(held, Deflated) and self._parts.get(name) is held:
                kept = Deflated(*future.result())
                self._parts[name] = kept
                self._deflated[name] = (kept, future)

    def remove(self, part: str) -> None:
        self._forget(part)
        self._parts.pop(part, None)
        self._deflated.pop(part, None)
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

    # ---- relationships and content types (rels.py, contenttypes.py) ------------------------------
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

    # ---- the workbook part (workbookxml.py) ------------------------------------------------------
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

    def add_sheet(
        self, name: str, *, position: int | None = None, xml: str | None = None, state: str = "visible"
    ) -> str:
        return workbookxml.add_sheet(self, name, position=position, xml=xml, state=state)

    # ---- styles and shared strings (stylesheet.py, sharedstrings.py) ------------------------------
    def palette(self) -> dict[str, int]:
        """Style index of every role, from the palette sheet's row 1 (0 for a missing role)."""
        if self._palette is None:
            self._palette, self._palette_found = stylesheet.palette(self)
        return dict(self._palette)

    def palette_has(self, role: str) -> bool:
        self.palette()
        return role in self._palette_found

    def number_style(self, num_fmt_id: int) -> int:
        return stylesheet.number_style(self, num_fmt_id)

    def shared_strings(self, wanted: Iterable[int] | None = None) -> dict[int, str]:
        return sharedstrings.shared_strings(self, wanted)

    # ---- worksheets and tables (worksheets.py, tables.py) ---------------------------------------------
    def row_values(self, sheet_name: str, row: int) -> dict[int, tuple[Any, int]]:
        return worksheets.row_values(self, sheet_name, row)

    def all_cells(self, sheet_name: str, column: int | None = None) -> dict[tuple[int, int], tuple[Any, int, bool]]:
        return worksheets.all_cells(self, sheet_name, column)

    def formula_cells(self, name: str) -> set[tuple[int, int]]:
        return worksheets.formula_cells(self, name)

    def has_cols(self, sheet_name: str) -> bool:
        return worksheets.has_cols(self, sheet_name)

    def col_widths(self, sheet_name: str) -> dict[int, float]:
        return worksheets.col_widths(self, sheet_name)

    def widen_columns(self, sheet_name: str, widths: Mapping[int, float]) -> None:
        worksheets.widen_columns(self, sheet_name, widths)

    def write_table(
        self,
        sheet_name: str,
        table_name: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float] | None = None,
        *,
        styles: Sequence[int] | None = None,
        header_style: int | None = None,
        place: tuple[int, Callable[[str, str], str | bytes | SegmentedPart]] | None = None,
        page: Mapping[str, Any] | None = None,
    ) -> str:
        return worksheets.write_table(
            self,
            sheet_name,
            table_name,
            headers,
            rows,
            widths,
            styles=styles,
            header_style=header_style,
            place=place,
            page=page,
        )

    def write_sheet(
        self,
        sheet_name: str,
        cells: Mapping[tuple[int, int], Any],
        merges: Iterable[str | tuple[int, int, int, int]] = (),
        widths: Mapping[int, float] | Sequence[float] | None = None,
        heights: Mapping[int, float] | None = None,
    ) -> str:
        return worksheets.write_sheet(self, sheet_name, cells, merges, widths, heights)

    def set_page_layout(
        self,
        sheet_name: str,
        *,
        scale: int | None = None,
        row_breaks: Sequence[int] | None = None,
        col_breaks: Sequence[int] | None = None,
    ) -> None:
        worksheets.set_page_layout(self, sheet_name, scale=scale, row_breaks=row_breaks, col_breaks=col_breaks)

    def set_cells(
        self,
        sheet_name: str,
        cells: Mapping[tuple[int, int], Any],
        *,
        keep_styles: bool = False,
        keep_formulas: bool | Collection[int] = False,
        widths: Mapping[int, float] | None = None,
    ) -> None:
        worksheets.set_cells(
            self, sheet_name, cells, keep_styles=keep_styles, keep_formulas=keep_formulas, widths=widths
        )

    def tables(self, sheet_name: str) -> dict[str, str]:
        return tables.tables(self, sheet_name)

    def table_info(self, sheet_name: str, table_name: str) -> tuple[str, list[str]] | None:
        return tables.table_info(self, sheet_name, table_name)

    def set_table_ref(self, sheet_name: str, table_name: str, ref: str) -> None:
        """Give a table a new range; its columns stay as they are."""
        part = tables.table_part(self, sheet_name, table_name)
        if part is None:
            raise PackageError(f"no table {table_name} on sheet {sheet_name!r}")
        tables.update(self, part, ref, tables.table_info_of(self, part)[1])

    # ---- drawings and charts (drawings.py) ----------------------------------------------------------
    def drawing_part(self, sheet_name: str) -> str | None:
        return drawings.drawing_part(self, sheet_name)

    def charts(self, sheet_name: str) -> list[str]:
        return drawings.charts(self, sheet_name)

    def set_charts(self, sheet_name: str, specs: Sequence[ChartSpec]) -> list[str]:
        return drawings.set_charts(self, sheet_name, specs)

    # ---- saving ---------------------------------------------------------------------------------------
    def _entries(self) -> list[Entry]:
        self._verified.check_all()  # the unchanged members are copied compressed: all sound first
        entries = []
        deflated: dict[str, Future[tuple[bytes, int, int]]] = {}
        for name in self.names():  # every changed part deflating at once (the early ones already are)
            data = self._parts.get(name)
            if data is not None and not isinstance(data, SegmentedPart):  # History deflates by months
                early = self._deflated.get(name)
                use = early is not None and early[0] is data
                deflated[name] = early[1] if early is not None and use else deflate_later(data)
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
                e.comment = info.comment
            elif isinstance(seg := self._parts[name], SegmentedPart):  # deflated month by month
                e.data = seg.compressed()
                e.flags, e.method = 0, zipfile.ZIP_DEFLATED
                e.date_time = info.date_time if info is not None else (1980, 1, 1, 0, 0, 0)
                e.crc, e.csize, e.usize = seg.crc, len(e.data), seg.usize
                e.create_system, e.create_version, e.extract_version = 0, 20, 20
                e.external_attr, e.internal_attr = (info.external_attr if info else 0), 0
                e.comment = seg.comment(e.crc, e.csize)
            else:
                e.data, e.crc, e.usize = deflated.pop(name).result()
                e.flags, e.method = 0, zipfile.ZIP_DEFLATED
                e.date_time = info.date_time if info is not None else (1980, 1, 1, 0, 0, 0)
                e.csize = len(e.data)
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
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:  # rare: zip64
                for name in self.names():
                    zf.writestr(name, self.read(name))
            return
        write_zip(out, entries)

    def save(
        self,
        path: str | os.PathLike | None = None,
        *,
        backup_dir: str | os.PathLike | None = None,
        lang: str | None = None,
    ) -> str | None:
        """Write the package to ``path`` (default: where it was read) atomically; returns the backup path.

        ``lang`` is the workbook's language for the message of a refusal (both when None)."""
        target = Path(path) if path is not None else self.path
        if target.resolve() == self.path.resolve() and target.exists():
            st = os.stat(target)
            if (st.st_size, st.st_mtime_ns) != self._stamp:
                raise PackageError(
                    say(
                        lang,
                        f"{target.name} 在 xlgrade 读取之后已被他人修改;请重新运行",
                        f"{target.name} was changed by someone else since xlgrade read it; run again",
                    )
                )
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
