"""The LibreOffice Calc extension ``xlgrade.oxt``, generated from the cell-function registry.

- :mod:`.names`: identifiers and file names of the extension;
- :mod:`.idl`: the generated IDL and its compilation with unoidl-write;
- :mod:`.xcu`: CalcAddIns.xcu, the Function Wizard's descriptions and the Excel names;
- :mod:`.package`: description.xml, manifest and the deterministic zip;
- :mod:`.install`: ``xlgrade install / uninstall libreoffice``;
- ``oxt/``: the static files of the extension (the UNO component and the value bridge),
  which run inside LibreOffice's own Python.
"""

from xlgrade.addins.lo.package import build_oxt

__all__ = ["build_oxt"]
