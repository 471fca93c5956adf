"""Linking a stored annex (附件2 …) to the stored document that lists it."""
from __future__ import annotations

import re

import duckdb


def _compact(s: str | None) -> str:
    return re.sub(r"[\s　]+", "", s or "")


def link_annexes(con: duckdb.DuckDBPyConnection) -> int:
    """Give each stored annex (附件2 …) its parent when the parent is stored: the parent lists the
    annex's title among its annex titles. The annex inherits jurisdiction, issuers and issued date
    where it has none. Returns the number of annexes linked."""
    annexes = con.execute("SELECT doc_id, title FROM documents WHERE annex_label IS NOT NULL "
                          "AND parent_doc_id IS NULL AND title IS NOT NULL").fetchall()
    if not annexes:
        return 0
    parents = con.execute("SELECT doc_id, annex_titles FROM documents WHERE len(annex_titles) > 0").fetchall()
    linked = 0
    for doc_id, title in annexes:
        t = _compact(title)
        for parent_id, titles in parents:
            if parent_id != doc_id and any(_compact(x) and (_compact(x) == t or _compact(x) in t or t in _compact(x))
                                           for x in titles):
                con.execute(
                    """UPDATE documents AS a SET parent_doc_id = p.doc_id,
                           jurisdiction = coalesce(a.jurisdiction, p.jurisdiction),
                           issuers = CASE WHEN len(a.issuers) = 0 THEN p.issuers ELSE a.issuers END,
                           issued_date = coalesce(a.issued_date, p.issued_date)
                       FROM documents AS p WHERE a.doc_id = ? AND p.doc_id = ?""", [doc_id, parent_id])
                linked += 1
                break
    return linked
