"""Rows as a reader streams them, stacked into columns a chunk at a time.

Why: a 200,000-line ledger held as a list of Python lists (python-calamine's ``to_python``)
costs about 250 MB of small objects before pandas copies it once more into a frame. Here the
rows pass through in chunks of :data:`CHUNK_ROWS`: each chunk is transposed (``zip``) and
appended to its columns, so only one chunk of row lists exists at a time.

Rules of this module:

1. Values are kept exactly as given (same type, same value): a column chunk whose cells are
   all ``float`` (the class itself, not a subclass, not ``int`` or ``bool``) is held as a
   float64 array (the same numbers; :func:`columns` gives it as a float64 column), any other
   chunk as an object array of the cells themselves.
2. Equal texts in a column share one ``str`` object (a customer id, a product, a region repeat
   on every line): text is interned per column while the distinct texts stay below
   :data:`INTERN_SHARE` of the rows seen (a column of unique sale numbers stops interning).
   Only exact ``str`` cells are interned, never a subclass (an error cell, ``CellError``).
3. Rows of different lengths are padded with ``None`` to the longest (as
   :func:`xlgrade.normalize.rows_to_frame` does).
4. :attr:`Stack.empty_text`: whether any cell is the empty text "" (a reader that reads an
   error cell as "" looks for error cells only then).

Pure: no file access, no spreadsheet library.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

CHUNK_ROWS = 4096
INTERN_SHARE = 0.5  # stop interning a column once its distinct texts pass this share of its rows
INTERN_AFTER = 2 * CHUNK_ROWS  # ... judged only after this many rows


@dataclass
class Stack:
    """Columns built from rows: a list of chunk arrays per column, and what was seen."""

    rows: int = 0
    segments: list[list[np.ndarray]] = field(default_factory=list)  # per column: chunk arrays
    starts: list[int] = field(default_factory=list)  # first row of each chunk
    sizes: list[int] = field(default_factory=list)  # rows of each chunk
    memos: list[dict[str, str] | None] = field(default_factory=list)
    empty_text: bool = False  # some cell is ""

    @property
    def width(self) -> int:
        return len(self.segments)

    def add(self, chunk: Sequence[Sequence[Any]]) -> None:
        """Append one chunk of rows (rule 3: padded to the longest row seen)."""
        n = len(chunk)
        if not n:
            return
        lengths = set(map(len, chunk))
        w = max(lengths)
        if len(lengths) > 1:
            chunk = [list(r) + [None] * (w - len(r)) for r in chunk]
        while self.width < w:  # a wider chunk: the new column is None in the rows before
            self.segments.append([_nones(size) for size in self.sizes])
            self.memos.append({})
        for j, cells in enumerate(zip(*chunk)):
            self.segments[j].append(self._column_chunk(j, cells))
        for j in range(w, self.width):
            self.segments[j].append(_nones(n))
        self.starts.append(self.rows)
        self.sizes.append(n)
        self.rows += n

    def _column_chunk(self, j: int, cells: tuple[Any, ...]) -> np.ndarray:
        kinds = set(map(type, cells))
        if kinds == {float}:
            return np.fromiter(cells, dtype="float64", count=len(cells))
        if str in kinds:
            if "" in cells:
                self.empty_text = True
            memo = self.memos[j]
            if memo is not None:
                keep = memo.setdefault
                if len(kinds) == 1:
                    cells = tuple(map(keep, cells, cells))
                else:
                    cells = tuple(keep(v, v) if v.__class__ is str else v for v in cells)
                if self.rows >= INTERN_AFTER and len(memo) > INTERN_SHARE * (self.rows + len(cells)):
                    self.memos[j] = None  # mostly distinct texts: interning only costs here
        return _objects(cells)

    def set(self, i: int, j: int, value: Any) -> None:
        """Replace the cell at row ``i``, column ``j`` (an error cell found afterwards)."""
        if j >= self.width or not 0 <= i < self.rows:
            return
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        seg = self.segments[j][k]
        if seg.dtype != object:
            seg = seg.astype(object)
            self.segments[j][k] = seg
        seg[i - self.starts[k]] = value

    def column(self, j: int) -> pd.Series:
        """Column ``j`` (rule 1: float64 when every chunk is, else object); ``None`` past the width."""
        if j >= self.width:
            return pd.Series(_nones(self.rows), dtype=object)
        segs = self.segments[j]
        if segs and all(s.dtype == np.float64 for s in segs):
            return pd.Series(np.concatenate(segs), dtype="float64")
        if not segs:
            return pd.Series(_nones(0), dtype=object)
        joined = np.concatenate([s if s.dtype == object else s.astype(object) for s in segs])
        return pd.Series(joined, dtype=object, copy=False)

    def release(self) -> None:
        """Let go of the chunks (after :func:`frame`)."""
        self.segments = []
        self.memos = []


def _nones(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _objects(cells: tuple[Any, ...]) -> np.ndarray:
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


def stack(rows: Iterable[Sequence[Any]], into: Stack | None = None) -> Stack:
    """Stack ``rows`` into columns, :data:`CHUNK_ROWS` at a time (into ``into`` if given)."""
    out = into if into is not None else Stack()
    it = iter(rows)
    while chunk := list(islice(it, CHUNK_ROWS)):
        out.add(chunk)
    return out


def frame(names: Sequence[str], parts: Sequence[Stack]) -> pd.DataFrame:
    """A raw frame (``names`` as columns, one more "" per column beyond them) of the rows of
    ``parts`` one after the other; the parts' chunks are released as their columns are built."""
    width = max([len(names), *(p.width for p in parts)])
    names = [*names, *[""] * (width - len(names))]
    data: dict[int, pd.Series] = {}
    whole = Stack()
    for p in parts:  # the chunks of every part, in order, as one stack (no cell is copied)
        for j in range(width):
            if j >= whole.width:
                whole.segments.append([_nones(size) for size in whole.sizes])
                whole.memos.append(None)
            whole.segments[j].extend(p.segments[j] if j < p.width else [_nones(s) for s in p.sizes])
        whole.starts.extend(whole.rows + s for s in p.starts)
        whole.sizes.extend(p.sizes)
        whole.rows += p.rows
        p.release()
    for j in range(width):
        data[j] = whole.column(j)
        whole.segments[j] = []  # each column's chunks go once it is joined
    out = pd.DataFrame(data, copy=False)
    out.index = pd.RangeIndex(whole.rows)
    out.columns = names
    return out
