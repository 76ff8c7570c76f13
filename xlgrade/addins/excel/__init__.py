"""The Excel add-in ``xlgrade.xlam``, built on Linux from xlwings' ribbon add-in template.

- :mod:`.names`: module, project and file names shared by the parts below;
- :mod:`.udfs`: the cell functions as xlwings UDFs (thin wrappers over the registry);
- :mod:`.wrappers`: the VBA wrappers of those UDFs (``macros/XlgradeUdfs.bas``), generated;
- :mod:`.xlam`: the deterministic build of ``xlgrade.xlam`` from the template and ``macros/``;
- :mod:`.actions`: what the ribbon's buttons do (called through RunPython);
- :mod:`.ribbon`: the ribbon's texts in Chinese and English (the table its callbacks read);
- :mod:`.install`: ``xlgrade install / uninstall excel``.
"""
