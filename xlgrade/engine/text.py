"""Text in the user's language: the one rule that picks zh or en, the catalogue type every
layer keeps its bilingual UI text in, and number and share formatting for explanations.

The formatting is defined in :mod:`xlgrade.cells.text`: the cell functions need the same
formatting without pandas, so the one definition lives in the standard-library cells
package and the engine re-exports it. Each layer keeps its own UI text in one
:class:`Catalogue` (the job's in :mod:`xlgrade.job.text`, the workbook's in
:mod:`xlgrade.workbook.text`, the command line's in :mod:`xlgrade.cli`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from xlgrade.cells.text import days, num, nums, pct, pcts

T = TypeVar("T")


def in_lang(lang: str, zh: T, en: T) -> T:
    """The one of a (zh, en) pair for ``lang``: Chinese for "zh", English for anything else."""
    return zh if lang == "zh" else en


class Catalogue:
    """A layer's bilingual text: key -> (zh, en). ``catalogue(key, lang, **values)`` is the
    text in ``lang``, with ``{name}`` fields filled from ``values`` when any are given."""

    def __init__(self, entries: Mapping[str, tuple[str, str]]) -> None:
        self._entries = dict(entries)

    def __call__(self, key: str, lang: str, **values: Any) -> str:
        text = in_lang(lang, *self._entries[key])
        return text.format(**values) if values else text

    def pair(self, key: str) -> tuple[str, str]:
        """The (zh, en) texts of ``key``."""
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return list(self._entries)


__all__ = ["Catalogue", "days", "num", "nums", "pct", "pcts", "in_lang"]
