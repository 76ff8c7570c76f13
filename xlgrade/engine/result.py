"""What every grading method returns: one row per customer with grade, figures and reasons.

Explanations are built only in the languages asked for (``explain``: every method and
:func:`xlgrade.engine.grade` take it, both languages by default): the monthly job writes the
method's and credit's explanation in the workbook's language and never writes the analyses'
(so it asks for those in none). A :class:`Grading` says which languages it explains
(``explained``) and holds exactly those explanation columns; asking it for another language
is an error, never an empty text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

LANGS = ("zh", "en")
Explain = tuple[str, ...]  # the languages whose explanation text a method builds (a subset of LANGS)


@dataclass(frozen=True)
class Grading:
    """The result of one method.

    ``frame`` is indexed by ``customer_id`` (sorted) and holds ``grade``, the
    ``explanation_<lang>`` of each language in ``explained`` (``explanation_zh``,
    ``explanation_en``) and the method's ``figures`` (in that order of importance).
    ``labels`` lists the possible grades, best first, so summaries and the migration matrix
    can order them.
    """

    method: str
    frame: pd.DataFrame
    figures: tuple[str, ...]
    labels: tuple[str, ...]
    explained: Explain = LANGS

    def __post_init__(self) -> None:
        texts = {f"explanation_{lang}" for lang in self.explained}
        missing = {"grade", *texts, *self.figures} - set(self.frame.columns)
        if missing:
            raise ValueError(f"{self.method} result lacks columns {sorted(missing)}")
        unasked = ({f"explanation_{lang}" for lang in LANGS} - texts) & set(self.frame.columns)
        if unasked:
            raise ValueError(f"{self.method} result holds {sorted(unasked)}, not in explained {self.explained}")
        if not self.frame.index.is_unique:
            raise ValueError(f"{self.method} result has duplicate customers")

    @property
    def grades(self) -> pd.Series:
        return self.frame["grade"]

    def explanation(self, lang: str = "zh") -> pd.Series:
        if lang not in self.explained:
            raise ValueError(
                f"{self.method} was graded with explanations in {self.explained or 'no language'}, not {lang}"
            )
        return self.frame[f"explanation_{lang}"]

    def columns(self, lang: str = "zh") -> list[str]:
        """Output columns for one language: id, grade, explanation, then the figures and extras."""
        texts = {f"explanation_{x}" for x in LANGS}
        extra = [c for c in self.frame.columns if c not in ("grade", *texts, *self.figures)]
        return ["customer_id", "grade", "explanation", *self.figures, *extra]

    def table(self, lang: str = "zh") -> pd.DataFrame:
        explanation = self.explanation(lang)
        out = self.frame.assign(explanation=explanation).reset_index()
        return out[self.columns(lang)]

    def records(self, lang: str = "zh") -> list[dict[str, Any]]:
        """JSON-ready rows: NaN and infinities become None, numpy scalars become Python scalars."""
        return [{str(k): _plain(v) for k, v in row.items()} for row in self.table(lang).to_dict("records")]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and +-inf have no JSON spelling
    if value is pd.NaT or value is pd.NA:
        return None
    return value


def only(explain: Explain, zh, en) -> tuple:
    """``zh`` and ``en`` where ``explain`` asks for them, else None (for :func:`make_frame`)."""
    return (zh if "zh" in explain else None, en if "en" in explain else None)


def make_frame(ids: pd.Index, grade, zh, en, **figures) -> pd.DataFrame:
    """Assemble a result frame on the population ``ids`` in the standard column order; an
    explanation given as None (a language not asked for) has no column."""
    texts = {k: v for k, v in (("explanation_zh", zh), ("explanation_en", en)) if v is not None}
    data = {"grade": grade, **texts, **figures}
    frame = pd.DataFrame(data, index=ids)
    frame.index.name = "customer_id"
    return frame
