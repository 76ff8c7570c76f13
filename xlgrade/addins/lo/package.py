"""Build ``xlgrade.oxt``: description.xml, META-INF/manifest.xml, the components (cell
functions, menu), the type library, CalcAddIns.xcu, Addons.xcu and ``pythonpath/`` (the
registry under the name ``xlgradecells``, the value bridge, the menu's logic and settings).

The archive is byte-for-byte deterministic: entries sorted by name, one fixed timestamp,
fixed permissions, the same compression, so the same registry always gives the same file.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

import xlgrade
from xlgrade import cells as cells_package
from xlgrade.addins.lo import names
from xlgrade.addins.lo.idl import compile_idl, generate_idl
from xlgrade.addins.lo.menu import generate_addons_xcu, settings_json
from xlgrade.addins.lo.xcu import generate_xcu
from xlgrade.cells.model import CellFunction

OXT_SOURCES = Path(__file__).with_name("oxt")  # the static files: component and bridge
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
DEV_ONLY = {"gen.py"}  # xlgrade.cells.gen imports the engine; it runs at development time only
MINIMUM = ".".join(map(str, names.MINIMUM_LO))

MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
  <manifest:file-entry manifest:full-path="{names.TYPES_FILE}" manifest:media-type="application/vnd.sun.star.uno-typelibrary;type=RDB"/>
  <manifest:file-entry manifest:full-path="{names.COMPONENT_FILE}" manifest:media-type="application/vnd.sun.star.uno-component;type=Python"/>
  <manifest:file-entry manifest:full-path="{names.MENU_COMPONENT_FILE}" manifest:media-type="application/vnd.sun.star.uno-component;type=Python"/>
  <manifest:file-entry manifest:full-path="{names.SCRIPTS_DIR}" manifest:media-type="application/vnd.sun.star.framework-script"/>
  <manifest:file-entry manifest:full-path="{names.XCU_FILE}" manifest:media-type="application/vnd.sun.star.configuration-data"/>
  <manifest:file-entry manifest:full-path="{names.ADDONS_FILE}" manifest:media-type="application/vnd.sun.star.configuration-data"/>
</manifest:manifest>
"""

UPGRADE_ZH = f"需要 LibreOffice {MINIMUM} 或更新版本,请升级 LibreOffice"
UPGRADE_EN = f"needs LibreOffice {MINIMUM} or newer: please upgrade LibreOffice"


def description_xml(version: str) -> str:
    need = quoteattr(f"LibreOffice {MINIMUM} ({UPGRADE_ZH} / {UPGRADE_EN})")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:d="http://openoffice.org/extensions/description/2006"
             xmlns:lo="http://libreoffice.org/extensions/description/2011"
             xmlns:xlink="http://www.w3.org/1999/xlink">
  <identifier value="{names.EXTENSION_ID}"/>
  <version value="{version}"/>
  <dependencies>
    <lo:LibreOffice-minimal-version value="{MINIMUM}" d:name={need}/>
  </dependencies>
  <publisher>
    <name xlink:href="https://xlgrade.org" lang="en">xlgrade</name>
  </publisher>
  <display-name>
    <name lang="en">xlgrade: customer grading functions (ABCGRADE ...)</name>
    <name lang="zh">xlgrade 客户分级函数(ABCGRADE 等)</name>
  </display-name>
</description>
"""


def vendored_registry(root: Path | None = None) -> list[tuple[str, bytes]]:
    """The files of the registry package (default xlgrade.cells, whose imports are relative)
    as ``pythonpath/xlgradecells/...``."""
    root = Path(cells_package.__file__).parent if root is None else Path(root)
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in DEV_ONLY:
            continue
        out.append((f"pythonpath/{names.VENDOR_PACKAGE}/{rel}", path.read_bytes()))
    return out


def oxt_entries(
    functions: Sequence[CellFunction],
    rdb: bytes,
    version: str,
    registry_dir: Path | None = None,
    python: str | None = None,
) -> list[tuple[str, bytes]]:
    static = (names.COMPONENT_FILE, names.MENU_COMPONENT_FILE)
    modules = (names.BRIDGE_MODULE, names.MENU_MODULE)
    entries = [
        *((f, (OXT_SOURCES / f).read_bytes()) for f in static),
        *((f"pythonpath/{m}.py", (OXT_SOURCES / f"{m}.py").read_bytes()) for m in modules),
        (names.ADDONS_FILE, generate_addons_xcu().encode()),
        (f"{names.SCRIPTS_DIR}/{names.MENU_SCRIPT}", (OXT_SOURCES / names.MENU_SCRIPT).read_bytes()),
        (f"pythonpath/{names.MENU_SETTINGS}", settings_json(version, python).encode()),
        ("META-INF/manifest.xml", MANIFEST.encode()),
        ("description.xml", description_xml(version).encode()),
        (names.TYPES_FILE, rdb),
        (names.XCU_FILE, generate_xcu(functions).encode()),
        *vendored_registry(registry_dir),
    ]
    return sorted(entries)


def write_zip(path: Path, entries: Iterable[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def build_oxt(
    out_dir: str | Path,
    functions: Sequence[CellFunction] | None = None,
    *,
    registry_dir: str | Path | None = None,
    version: str | None = None,
    python: str | None = None,
) -> Path:
    """Write ``out_dir/xlgrade.oxt`` from the registry (default: xlgrade.cells.FUNCTIONS).

    ``functions`` and ``registry_dir`` go together: another registry's functions and the
    package directory that defines them (its ``FUNCTIONS``), vendored instead of xlgrade.cells.
    ``python``: the interpreter of the xlgrade installation the menu's monthly job runs with
    (``xlgrade install libreoffice`` records its own); without it the menu looks for
    ``xlgrade`` on PATH. The same arguments always give the same bytes.
    """
    if functions is None:
        from xlgrade.cells import FUNCTIONS  # the real registry

        functions = FUNCTIONS
    functions = tuple(functions)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlgrade-oxt-") as tmp:
        rdb = compile_idl(generate_idl(functions), Path(tmp))
    target = out / names.OXT_NAME
    partial = out / (names.OXT_NAME + ".part")
    write_zip(
        partial,
        oxt_entries(
            functions, rdb, version or xlgrade.__version__, None if registry_dir is None else Path(registry_dir), python
        ),
    )
    partial.replace(target)
    return target
