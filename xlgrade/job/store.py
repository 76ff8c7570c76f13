"""The computed columns of seed 000's 顾客档案分析表 and its 服务人员分析 table, in the workbook's language.

:func:`store_cells` turns :func:`xlgrade.engine.store.analyse` (ranks and flags) into the
cells the monthly job writes: the level and class names from the rule book
(``store.spend_labels`` / ``_en``, ``store.visit_labels`` / ``_en``) and the follow-up hint
from this layer's catalogue (:mod:`xlgrade.job.text`), several hints joined in one cell.
Pure: frames in, frames out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlgrade.engine import store
from xlgrade.engine.rules import RuleBook
from xlgrade.engine.text import in_lang
from xlgrade.job.text import TEXT
from xlgrade.schema.sheets import STORE_CLIENTS, STORE_STAFF

CELL_COLUMNS = ("row", *(c.key for c in STORE_CLIENTS.columns if c.computed))


def _names(ranks: pd.Series, labels: tuple[str, ...]) -> pd.Series:
    return pd.Series([None if pd.isna(r) else labels[int(r)] for r in ranks], index=ranks.index, dtype=object)


def follow_up(row: Any, lang: str) -> str | None:
    """The hint for one analysed row: long absence, sessions used up, few left; None: none needed."""
    hints = []
    if row.away:
        hints.append(TEXT("store_away", lang, days=int(row.days_away)))
    if row.used_up:
        hints.append(TEXT("store_used_up", lang))
    elif row.renew:
        hints.append(TEXT("store_renew", lang, left=int(row.left)))
    return TEXT("store_join", lang).join(hints) or None


def store_cells(analysed: pd.DataFrame, rules: RuleBook, lang: str) -> pd.DataFrame:
    """``row`` and every computed column of :data:`~xlgrade.schema.sheets.STORE_CLIENTS`."""
    so = rules.store
    return pd.DataFrame(
        {
            "row": analysed["row"].to_numpy(),
            "bought": analysed["bought"],
            "left": analysed["left"],
            "usage": analysed["usage"],
            "spend_level": _names(analysed["spend_level"], in_lang(lang, so.spend_labels, so.spend_labels_en)),
            "visit_class": _names(analysed["visit_class"], in_lang(lang, so.visit_labels, so.visit_labels_en)),
            "days_away": analysed["days_away"],
            "follow_up": pd.Series(
                [follow_up(r, lang) for r in analysed.itertuples(index=False)], index=analysed.index, dtype=object
            ),
        },
        columns=list(CELL_COLUMNS),
    )


def staff_rows(frame: pd.DataFrame, analysed: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 服务人员分析 table (:data:`~xlgrade.schema.sheets.STORE_STAFF` keys); rows without a
    服务人员 are named "(未填)" / "(not entered)"."""
    table = store.staff_table(frame, analysed)
    table["staff"] = table["staff"].where(table["staff"].notna(), TEXT("blank", lang)).astype(object)
    return table[STORE_STAFF.keys()]


def outputs(
    book_frame: pd.DataFrame, rules: RuleBook, as_of: pd.Timestamp, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the form's computed cells, the 服务人员分析 table) of a normalised 顾客档案分析表 as of
    ``as_of``, from one analysis."""
    analysed = store.analyse(book_frame, rules.store, as_of)
    return store_cells(analysed, rules, lang), staff_rows(book_frame, analysed, lang)
