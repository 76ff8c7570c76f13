"""xlgrade.freed: freed memory handed back to the system, a no-op off glibc, never raising."""

from __future__ import annotations

import sys

from xlgrade import freed


def test_release_gives_pages_back_on_linux_and_is_a_no_op_elsewhere(monkeypatch):
    if sys.platform.startswith("linux"):
        assert freed._libc() is not None
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(20_000)]  # ~20 MB of small blocks
    del blocks
    assert isinstance(freed.release(), bool)
    freed._libc.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert freed._libc() is None and freed.release() is False
    finally:
        freed._libc.cache_clear()
