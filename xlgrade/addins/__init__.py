"""Spreadsheet add-ins generated from the cell-function registry (:mod:`xlgrade.cells`).

``lo``: the LibreOffice Calc extension ``xlgrade.oxt``.
"""
