"""Hand memory the process has freed back to the system (glibc's ``malloc_trim``).

Why: reading a 200,000-line ledger frees a great many small blocks (calamine's copy of the
sheet, the rows as they pass): glibc keeps them for the process, so its resident size (what
the peak-memory target measures, and what the other programs on the machine lose) stays as
high as while reading. ``malloc_trim(0)`` returns the free pages to the system; what the
process holds is not touched and no value changes.

Rules: a no-op where the C library is not glibc (macOS, Windows, musl) or cannot be loaded;
never raises. Call it after freeing something large, not in a loop (it walks the heap).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release() -> bool:
    """Return freed memory to the system; True if glibc did release some."""
    libc = _libc()
    if libc is None:
        return False
    try:
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False
