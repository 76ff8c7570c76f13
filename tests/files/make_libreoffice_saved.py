"""Writes ``libreoffice-saved.xlsx``: a small xlgrade workbook as LibreOffice Calc saves it.

Run from the repository root, once, with LibreOffice installed:
``python tests/files/make_libreoffice_saved.py`` (it overwrites the file). It builds the
Chinese template holding a small demo data set (:data:`CUSTOMERS` customers, :data:`MONTHS`
months, seed :data:`SEED`), opens it in headless LibreOffice through :mod:`xlgrade.lo` (which
recalculates it; without xlgrade's Calc extension the grade formulas show ``#NAME?``), and
stores a copy with the "Calc Office Open XML" filter -- the same as ``soffice --convert-to xlsx``.
The committed file is the input; the tests never regenerate it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from xlgrade import demo_data
from xlgrade.lo import LibreOffice
from xlgrade.workbook.template import InputData, build, save

OUT = Path(__file__).resolve().parent / "libreoffice-saved.xlsx"
SEED, CUSTOMERS, MONTHS = 7, 5, 3


def main() -> Path:
    data = demo_data.generate(seed=SEED, n_customers=CUSTOMERS, months=MONTHS)
    with tempfile.TemporaryDirectory() as tmp:
        built = save(
            build("zh", InputData(customers=data.customers, ledger=data.ledger, complaints=data.complaints)),
            Path(tmp) / "built.xlsx",
        )
        with LibreOffice() as lo, lo.open(built) as doc:
            doc.save_copy(OUT)
    return OUT


if __name__ == "__main__":
    print(main())
