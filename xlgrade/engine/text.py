"""Number and share formatting for explanations: defined in :mod:`xlgrade.cells.text`.

The cell functions need the same formatting without pandas, so the one definition lives in
the standard-library cells package and the engine re-exports it.
"""

from __future__ import annotations

from xlgrade.cells.text import days, num, pct

__all__ = ["days", "num", "pct"]
