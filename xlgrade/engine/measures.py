"""Names of the measures a method can rank or sum, for explanations.

Defined in :mod:`xlgrade.cells.text` (standard library, shared with the cell functions).
"""

from __future__ import annotations

from xlgrade.cells.text import NAMES_EN, NAMES_ZH
from xlgrade.cells.text import measure_en as en
from xlgrade.cells.text import measure_zh as zh

__all__ = ["NAMES_EN", "NAMES_ZH", "en", "zh"]
