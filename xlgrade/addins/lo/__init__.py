"""The LibreOffice Calc extension ``xlgrade.oxt``, generated from the cell-function registry.

- :mod:`.names`: identifiers and file names of the extension;
- :mod:`.idl`: the generated IDL and its compilation with unoidl-write;
- :mod:`.xcu`: CalcAddIns.xcu, the Function Wizard's descriptions and the Excel names;
- :mod:`.package`: description.xml, manifest and the deterministic zip;
- :mod:`.menu`: Addons.xcu (the 客户分级 menu and toolbar) and the menu's settings;
- :mod:`.install`: ``xlgrade install / uninstall libreoffice``;
- ``oxt/``: the static files of the extension (the UNO components, the value bridge and the
  menu's logic), which run inside LibreOffice's own Python.
"""

from xlgrade.addins.lo.package import build_oxt

__all__ = ["build_oxt"]
