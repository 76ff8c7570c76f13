"""Names the Excel add-in's parts share: the VBA project, its modules, the Python modules.

xlwings reads its settings from a sheet named ``PROJECT_NAME & ".conf"`` and from
``%USERPROFILE%\\.<PROJECT_NAME>\\<PROJECT_NAME>.conf``, so PROJECT_NAME fixes both.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_NAME = "xlgrade"
VBA_PROJECT_NAME = PROJECT_NAME  # the VBA project's own name (the template's: MyAddin)
XLAM_NAME = "xlgrade.xlam"
CONF_SHEET = f"{PROJECT_NAME}.conf"
UDF_MODULE = "xlgrade.addins.excel.udfs"  # the Python module xlwings imports for the UDFs
ACTIONS_MODULE = "xlgrade.addins.excel.actions"  # the Python module the ribbon calls
UDF_VBA_MODULE = "XlgradeUdfs"  # VBA module of the generated wrappers
RIBBON_VBA_MODULE = "XlgradeRibbon"  # VBA module of the ribbon callbacks
EVENTS_VBA_CLASS = "XlgradeAppEvents"  # VBA class module: the application's workbook events
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"  # the template's ribbon module, replaced by ours
TEMPLATE_PROJECT_NAME = "myaddin"

# macros/ at the repository root is the single source of the VBA and the ribbon XML; an
# installed (non-editable) package carries a copy under xlgrade/addins/excel/macros.
_HERE = Path(__file__).resolve().parent


def macros_dir() -> Path:
    for cand in (_HERE.parents[2] / "macros", _HERE / "macros"):
        if (cand / "customUI.xml").is_file():
            return cand
    raise FileNotFoundError("macros/ (the add-in's VBA and ribbon XML) not found")
