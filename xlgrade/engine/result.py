"""What every grading method returns: one row per customer with grade, figures and reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Grading:
    """The result of one method.

    ``frame`` is indexed by ``customer_id`` (sorted) and holds ``grade``,
    ``explanation_zh``, ``explanation_en`` and the method's ``figures`` (in that order of
    importance). ``labels`` lists the possible grades, best first, so summaries and the
    migration matrix can order them.
    """

    method: str
    frame: pd.DataFrame
    figures: tuple[str, ...]
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        missing = {"grade", "explanation_zh", "explanation_en", *self.figures} - set(self.frame.columns)
        if missing:
            raise ValueError(f"{self.method} result lacks columns {sorted(missing)}")
        if not self.frame.index.is_unique:
            raise ValueError(f"{self.method} result has duplicate customers")

    @property
    def grades(self) -> pd.Series:
        return self.frame["grade"]

    def explanation(self, lang: str = "zh") -> pd.Series:
        return self.frame[f"explanation_{lang}"]

    def columns(self, lang: str = "zh") -> list[str]:
        """Output columns for one language: id, grade, explanation, then the figures and extras."""
        extra = [c for c in self.frame.columns if c not in ("grade", "explanation_zh", "explanation_en", *self.figures)]
        return ["customer_id", "grade", "explanation", *self.figures, *extra]

    def table(self, lang: str = "zh") -> pd.DataFrame:
        out = self.frame.rename(columns={f"explanation_{lang}": "explanation"}).reset_index()
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


def make_frame(ids: pd.Index, grade, zh, en, **figures) -> pd.DataFrame:
    """Assemble a result frame on the population ``ids`` in the standard column order."""
    data = {"grade": grade, "explanation_zh": zh, "explanation_en": en, **figures}
    frame = pd.DataFrame(data, index=ids)
    frame.index.name = "customer_id"
    return frame
