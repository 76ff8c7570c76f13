"""Checks across the rows of a normalised table: duplicate ids, ledger lines for customers not
in the customer table, customer names that name no customer or several, lines dated after the
as-of date. Each returns the issues to report (sheet, row, column, value, reason in zh and
en); none drops a row silently. Pure: frames in, frames and issues out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import Any

import pandas as pd

from xlgrade import parse
from xlgrade.errors import InputError
from xlgrade.issues import NOTE, SKIPPED, Issue
from xlgrade.normalize import ROW


# ---- checks across rows -------------------------------------------------------------------
def check_duplicates(
    frame: pd.DataFrame, key: str, source: str, *, column: str | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Keep the first row of each ``key`` value; report the others as skipped duplicates."""
    ids = frame[key]
    dup = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
    if not dup.any():
        return frame, []
    first = frame[ids.notna()].drop_duplicates(key).set_index(key)[ROW]
    issues = []
    for row, value in zip(frame[ROW].to_numpy()[dup], ids.to_numpy()[dup]):
        n = int(first[value])
        issues.append(
            Issue(source, int(row), column or key, value, f"duplicate of row {n}", f"与第 {n} 行重复", SKIPPED)
        )
    return frame[~dup].reset_index(drop=True), issues


def check_known(
    frame: pd.DataFrame, known_ids: Collection[str], source: str, *, key: str = "customer_id", column: str | None = None
) -> list[Issue]:
    """Notes for lines whose customer id is not among ``known_ids`` (the lines are still used).

    Nothing is reported when ``known_ids`` is empty: without a customer table every line
    would be "unknown".
    """
    if len(known_ids) == 0 or key not in frame:
        return []
    ids = frame[key]
    unknown = (ids.notna() & ~ids.isin(list(known_ids))).to_numpy()
    return [
        Issue(
            source,
            int(row),
            column or key,
            value,
            "customer id not in the customer table",
            "客户编号不在客户表中",
            NOTE,
        )
        for row, value in zip(frame[ROW].to_numpy()[unknown], ids.to_numpy()[unknown])
    ]


def name_key(name: Any) -> str:
    """How customer names are compared: NFKC, case-folded, inner whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", str(name)).casefold().split())


def resolve_names(
    frame: pd.DataFrame,
    customers: pd.DataFrame,
    source: str,
    *,
    name: str = "customer_name",
    customer_name: str = "company",
    column: str | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add ``customer_id`` from ``name`` via the customers table's ``customer_name`` column.

    Rows whose name is blank, unknown, or shared by several customers are dropped and
    reported as skipped. A frame that already has ``customer_id`` is returned unchanged;
    one with neither column raises :class:`InputError`.
    """
    if "customer_id" in frame:
        return frame, []
    if name not in frame:
        raise InputError(
            "neither a customer id nor a customer name column (缺少客户编号列和客户名称列)",
            source=source,
            column="客户编号 (customer_id)",
        )
    table = customers.reset_index() if "customer_id" not in customers else customers
    by_name: dict[str, set[str]] = {}
    if customer_name in table:
        for cid, cname in zip(table["customer_id"], table[customer_name]):
            if not parse.is_blank(cname) and not parse.is_blank(cid):
                by_name.setdefault(name_key(cname), set()).add(str(cid))
    ids: list[str | None] = []
    issues: list[Issue] = []
    for row, value in zip(frame[ROW].to_numpy(), frame[name].to_numpy(dtype=object)):
        found = set() if parse.is_blank(value) else by_name.get(name_key(value), set())
        if len(found) == 1:
            ids.append(next(iter(found)))
            continue
        ids.append(None)
        if parse.is_blank(value):
            en, zh = "customer name is blank", "客户名称为空"
        elif not found:
            en, zh = "customer name not in the customer table", "客户名称不在客户表中"
        else:
            listed = ", ".join(sorted(found))
            en, zh = f"customer name matches several customers ({listed})", f"客户名称对应多个客户({listed})"
        issues.append(
            Issue(source, int(row), column or name, None if parse.is_blank(value) else value, en, zh, SKIPPED)
        )
    out = frame.copy()
    out.insert(0, "customer_id", pd.Series(ids, index=frame.index, dtype=object))
    out = out[out["customer_id"].notna()].reset_index(drop=True)
    return out, issues


def check_after(
    frame: pd.DataFrame, as_of: Any, source: str, *, key: str = "date", column: str | None = None, listed: int = 5
) -> list[Issue]:
    """One note counting the lines dated after ``as_of`` (they are not graded), or none.

    The note names the first ``listed`` sheet rows; the lines stay in the sheet.
    """
    if key not in frame or not len(frame):
        return []
    day = pd.Timestamp(as_of).normalize()
    later = frame[frame[key].notna() & (frame[key] > day)]
    if later.empty:
        return []
    n, shown = len(later), ", ".join(str(int(r)) for r in later[ROW].head(listed))
    more = ", …" if n > listed else ""
    when = day.date().isoformat()
    return [
        Issue(
            source,
            None,
            column or key,
            None,
            f"{n} line(s) dated after the as-of date {when} are not counted (rows {shown}{more})",
            f"{n} 行日期晚于评估日 {when},未计入(第 {shown}{more} 行)",
            NOTE,
        )
    ]
