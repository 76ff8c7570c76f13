"""Importing this module puts the checkout it lies in first on ``sys.path``.

A script in bench/ run as ``python bench/X.py`` has bench/ as ``sys.path[0]``, so ``import
xlgrade`` would find whatever xlgrade the interpreter has installed (an editable install of
another worktree, say) and measure that code instead of this checkout's. The scripts that
import xlgrade themselves import this first.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if sys.path[:1] != [ROOT]:
    sys.path.insert(0, ROOT)
