"""The cyclic garbage collector during one monthly run: paused, and set back as it was after.

A run keeps a few million container objects alive at once (the workbook's parts, the
ledger's cells as they are read, the frames of every method), and CPython's collector walks
all of them at every full collection, finding nothing: in the steady demo run of 171,000
ledger lines that was about 20 full collections of 45-65 ms each, 1.0-1.4 s of a 12-20 s run
with no object freed (measured with ``gc.callbacks``, docs/performance.md). The run's objects
are freed by reference counting as usual; the few reference cycles it leaves are collected by
the next collection after the run. Peak memory stayed the same (444-457 MB either way).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block; afterwards the collector is on again if it
    was before (a caller that turned it off keeps it off), whatever the block raised."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
