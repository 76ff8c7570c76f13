"""The build of ``xlgrade.xlam``: xlwings' ribbon add-in template + ``macros/``, byte for byte
reproducible.

Base: ``quickstart_addin_ribbon.xlam`` of the installed (pinned) xlwings, read at build time
and never copied into the repository. pyopenvba patches its VBA project:

- ``RibbonMyAddin`` becomes ``XlgradeRibbon`` with the code of ``macros/XlgradeRibbon.bas``;
- ``XlgradeUdfs`` is added from ``macros/XlgradeUdfs.bas`` (the generated UDF wrappers);
- the class module ``XlgradeAppEvents`` is added from ``macros/XlgradeAppEvents.cls`` (the
  application's workbook events, which make the ribbon's texts follow the active workbook);
- the ``xlwings`` module keeps its code (and its ``Declare ... "xlwings64-<version>.dll"``
  lines, which match the installed xlwings) except ``PROJECT_NAME = "xlgrade"``;
- the VBA project itself is renamed from ``MyAddin`` to ``xlgrade`` by :mod:`.ovba` (pyopenvba
  renames modules only).

Then the package is rewritten part by part: ``customUI/customUI.xml`` is ours, the settings
sheet is ``xlgrade.conf`` with only machine-independent keys in A:B (``UDF Modules``; the
interpreter goes into the user's ``%USERPROFILE%\\.xlgrade\\xlgrade.conf``, see
:mod:`.install`) and the ribbon's texts in D:F (:func:`.ribbon.table_rows`), the template
author's absolute path and names are dropped, and every zip entry gets a fixed timestamp, so
two builds give the same bytes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlgrade.addins.excel import names, ovba, ribbon
from xlgrade.errors import BuildError

TEMPLATE = "quickstart_addin_ribbon.xlam"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
# The conf sheet: (key, value) rows from A1 down; xlwings reads A1 to the first blank.
CONF_ROWS = (("UDF Modules", names.UDF_MODULE),)


def template_path() -> Path:
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / TEMPLATE
    if not path.is_file():
        raise BuildError(f"xlwings {xlwings.__version__} has no {TEMPLATE} at {path}")
    return path


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def macro_source(name: str, suffix: str = ".bas") -> str:
    """A module of macros/ (``.bas``; a class module ``.cls``) as VBA stores it (CRLF line ends)."""
    text = (names.macros_dir() / f"{name}{suffix}").read_text(encoding="ascii")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _patched_xlwings_module(source: str) -> str:
    pattern = f'Public Const PROJECT_NAME As String = "{names.TEMPLATE_PROJECT_NAME}"'
    if pattern not in source:
        raise BuildError(f"the template's xlwings module has no line {pattern!r}")
    return source.replace(pattern, f'Public Const PROJECT_NAME As String = "{names.PROJECT_NAME}"')


def _patch_vba(src: Path, dest: Path) -> None:
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    with ExcelFile(src) as wb:
        modules = wb.module_names()
        for needed in (names.TEMPLATE_RIBBON_MODULE, "xlwings"):
            if needed not in modules:
                raise BuildError(f"the template has no VBA module {needed} (modules: {modules})")
        project = wb.vba_project()
        project.rename_module(names.TEMPLATE_RIBBON_MODULE, names.RIBBON_VBA_MODULE)
        wb.set_module(names.RIBBON_VBA_MODULE, macro_source(names.RIBBON_VBA_MODULE))
        project.add_module(names.UDF_VBA_MODULE, macro_source(names.UDF_VBA_MODULE))
        project.add_module(
            names.EVENTS_VBA_CLASS, macro_source(names.EVENTS_VBA_CLASS, ".cls"), kind=VBAModuleKind.other
        )
        wb.set_module("xlwings", _patched_xlwings_module(wb.get_module("xlwings")))
        wb.save(dest)


def _shared_strings(strings: list[str], count: int) -> bytes:
    """sharedStrings.xml of ``strings`` (each once), referenced ``count`` times in all."""
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def _column(n: int) -> str:
    """The letter of column ``n`` (1-based, up to Z)."""
    return chr(ord("A") + n - 1)


def _conf_sheet(template: bytes) -> tuple[bytes, bytes]:
    """(sheet1.xml, sharedStrings.xml) of the conf sheet: CONF_ROWS as strings in A:B, the
    ribbon's text table (:func:`.ribbon.table_rows`) from column D."""
    text = template.decode("utf-8")
    strings: dict[str, int] = {}  # each text once in the shared strings, as Excel writes them
    count = 0
    table = ribbon.table_rows()
    first = ribbon.TABLE_FIRST_COLUMN
    last = _column(first + len(ribbon.TABLE_HEADER) - 1)
    rows = []
    for r in range(1, max(len(CONF_ROWS), len(table)) + 1):
        values: list[tuple[str, str]] = []
        if r <= len(CONF_ROWS):
            values += zip("AB", CONF_ROWS[r - 1])
        if r <= len(table):
            values += ((_column(first + i), v) for i, v in enumerate(table[r - 1]))
        cells = []
        for col, s in values:
            index = strings.setdefault(s, len(strings))
            count += 1
            cells.append(f'<c r="{col}{r}" s="1" t="s"><v>{index}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    text, n = re.subn(r"<sheetData>.*</sheetData>", f"<sheetData>{''.join(rows)}</sheetData>", text, flags=re.S)
    text, m = re.subn(r'<dimension ref="[^"]*"', f'<dimension ref="A1:{last}{len(rows)}"', text)
    if n != 1 or m != 1:
        raise BuildError("the template's conf sheet has no sheetData or dimension")
    text = text.replace('width="9.25"', 'width="28"')
    return text.encode("utf-8"), _shared_strings(list(strings), count)


def _workbook_xml(data: bytes) -> bytes:
    text = data.decode("utf-8")
    old = f'name="_{names.TEMPLATE_PROJECT_NAME}.conf"'
    if old not in text:
        raise BuildError(f"the template's workbook.xml has no sheet {old}")
    text = text.replace(old, f'name="{names.CONF_SHEET}"')
    # The template author's folder (x15ac:absPath) means nothing on anybody else's PC.
    text = re.sub(r"<mc:AlternateContent\b.*?</mc:AlternateContent>", "", text, flags=re.S)
    return text.encode("utf-8")


def _core_xml(data: bytes) -> bytes:
    text = data.decode("utf-8")
    text = re.sub(r"<dc:creator>.*?</dc:creator>", "<dc:creator>xlgrade</dc:creator>", text)
    text = re.sub(r"<cp:lastModifiedBy>.*?</cp:lastModifiedBy>", "<cp:lastModifiedBy>xlgrade</cp:lastModifiedBy>", text)
    text = re.sub(r"<dc:title\s*/>", "<dc:title>xlgrade</dc:title>", text)
    return text.encode("utf-8")


def _rewrite_parts(src: Path, dest: Path) -> None:
    customui = (names.macros_dir() / "customUI.xml").read_bytes()
    with zipfile.ZipFile(src) as zin:
        entries = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    parts = dict(entries)
    if "customUI/customUI.xml" not in parts or "xl/worksheets/sheet1.xml" not in parts:
        raise BuildError("the template has no customUI/customUI.xml or conf sheet")
    sheet, strings = _conf_sheet(parts["xl/worksheets/sheet1.xml"])
    replace = {
        "customUI/customUI.xml": customui,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
        "xl/workbook.xml": _workbook_xml(parts["xl/workbook.xml"]),
        "docProps/core.xml": _core_xml(parts["docProps/core.xml"]),
        "xl/vbaProject.bin": ovba.rename_project(parts["xl/vbaProject.bin"], names.VBA_PROJECT_NAME),
    }
    with zipfile.ZipFile(dest, "w") as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zout.writestr(info, replace.get(name, data), compresslevel=9)


def build_xlam(out_dir: str | Path = "dist") -> Path:
    """Write ``xlgrade.xlam`` into ``out_dir``; the same inputs give the same bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / names.XLAM_NAME
    with tempfile.TemporaryDirectory(prefix="xlgrade-xlam-") as tmp:
        src = Path(tmp) / "template.xlam"
        shutil.copyfile(template_path(), src)
        patched = Path(tmp) / "patched.xlam"
        _patch_vba(src, patched)
        built = Path(tmp) / names.XLAM_NAME
        _rewrite_parts(patched, built)
        shutil.move(str(built), target)
    return target
