"""LibreOffice Calc, headless, as our real spreadsheet: open, recalculate, check, render PDFs.

See :mod:`xlgrade.lo.harness` and docs/libreoffice.md. Importing this package needs no
LibreOffice; :func:`available` says whether it is there.
"""

from xlgrade.lo.doc import CellError, Doc
from xlgrade.lo.harness import (
    CommandError,
    LibreOffice,
    LibreOfficeError,
    LibreOfficeTimeout,
    LibreOfficeUnavailable,
    available,
    find_soffice,
)
from xlgrade.lo.pdf import pdf_page_sizes, pdf_pages

__all__ = [
    "CellError",
    "CommandError",
    "Doc",
    "LibreOffice",
    "LibreOfficeError",
    "LibreOfficeTimeout",
    "LibreOfficeUnavailable",
    "available",
    "find_soffice",
    "pdf_page_sizes",
    "pdf_pages",
]
