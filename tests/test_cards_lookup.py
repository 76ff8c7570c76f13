"""A card's fields are shown with each table searched once per pick (cards.shown_value's
``found``), and show exactly what they show without it."""

from __future__ import annotations

import pandas as pd
import pytest

from xlgrade.workbook import cards


def _tables() -> dict[str, pd.DataFrame]:
    ids = ["C1", "c2", "C3", "C2"]
    columns: dict[str, dict[str, list]] = {}
    for key in cards.CARDS:
        _, placed, _ = cards.layout(cards.CARDS[key])
        for p in placed:
            if p.field.table is not None and p.field.column is not None:
                columns.setdefault(p.field.table, {})[p.field.column] = [f"{p.field.column}-{i}" for i in range(4)]
    tables = {}
    for table, cols in columns.items():
        key = cards.KEYS[table]
        cols[key] = ids if key == "customer_id" else ["K1", "K2", "K3", "K4"]
        if table == "Complaints":
            cols["customer_id"] = ["C3", "C1", "C9", "C2"]
        tables[table] = pd.DataFrame(cols)
    return tables


@pytest.mark.parametrize("pick", ["C2", " c1 ", "K2", "nobody", None])
def test_found_rows_show_the_same_and_search_once(pick, monkeypatch):
    tables = _tables()
    fields = [p.field for key in cards.CARDS for p in cards.layout(cards.CARDS[key])[1] if p.field.table]
    plain = [cards.shown_value(f, pick, tables) for f in fields]
    searched: list[tuple[str, str]] = []
    real = cards._row_of

    def counted(frame, id_key, key):
        searched.append((id_key, key))
        return real(frame, id_key, key)

    monkeypatch.setattr(cards, "_row_of", counted)
    found: dict = {}
    assert [cards.shown_value(f, pick, tables, found) for f in fields] == plain
    assert len(searched) == len(found) <= len(tables) + 1  # one search per (table, id), not per field
    assert any(v != "" for v in plain) == (pick in ("C2", " c1 ", "K2"))
