"""Word-frequency analyses over the `terms` table (the segmentation ingest already does): the top
terms of each jurisdiction, year or document type, and keyword-in-context lines that point at
their passages. Pure functions over a (read-only) DuckDB connection, like report/analyst.py."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

from pipeline.report.analyst import Comparison, Filters

GroupBy = Literal["jurisdiction", "year", "doc_type"]
GROUPS: tuple[str, ...] = ("jurisdiction", "year", "doc_type")


def compare_terms(con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), top: int = 20,
                  by: GroupBy = "jurisdiction") -> Comparison:
    """The `top` terms of each group (per 10,000 terms of the group's primary documents), with how
    many of its documents use them. A category keeps the documents having an obligation of it."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; one of: {', '.join(GROUPS)}")
    if top < 1:
        raise ValueError("--top must be at least 1")
    where, params = filters.where(category_col=None, jurisdiction_col="jurisdiction")
    if filters.category is not None:
        where += " AND doc_id IN (SELECT doc_id FROM obligations WHERE category = ?)"
        params.append(filters.category)
    cur = con.execute(f"""
        WITH t AS (SELECT * FROM v_terms WHERE {where}),
        g AS (SELECT {by} AS grp, sum(count) AS n_terms, count(DISTINCT doc_id) AS n_documents FROM t GROUP BY 1),
        c AS (SELECT {by} AS grp, term, sum(count) AS count, count(DISTINCT doc_id) AS documents
              FROM t GROUP BY 1, 2),
        ranked AS (
            SELECT c.*, round(c.count * 10000.0 / g.n_terms, 2) AS per_10k, g.n_documents,
                   row_number() OVER (PARTITION BY c.grp ORDER BY c.count DESC, c.term) AS rank
            FROM c JOIN g ON g.grp IS NOT DISTINCT FROM c.grp)
        SELECT grp AS {by}, rank, term, count, per_10k, documents, n_documents
        FROM ranked WHERE rank <= ? ORDER BY grp NULLS LAST, rank""", [*params, top])
    return Comparison(f"top {top} terms by {by}", [d[0] for d in cur.description], cur.fetchall())


@dataclass(frozen=True)
class Concordance:
    """One occurrence of a term: its context and where it is (offsets into documents.text)."""

    doc_id: str
    file: str
    jurisdiction: str | None
    start: int
    end: int
    left: str
    term: str
    right: str
    obligation_id: str | None
    passage: str  # the report's anchor of the obligation holding it, else of the document


def _context(text: str) -> str:
    return " ".join(text.split())


def kwic(con: duckdb.DuckDBPyConnection, term: str, width: int = 20, limit: int = 200,
         filters: Filters = Filters()) -> list[Concordance]:
    """Every occurrence of `term` in the primary documents (first `limit`), `width` characters of
    context on each side, with the obligation it stands in."""
    from pipeline.report.build import doc_anchor, obligation_anchor

    term = term.strip()
    if not term:
        raise ValueError("the term is empty")
    where, params = filters.where(category_col=None, jurisdiction_col="d.jurisdiction")
    docs = con.execute(f"""
        SELECT d.doc_id, regexp_extract(d.source_path, '[^/\\\\]*$') AS file, d.jurisdiction, t.text
        FROM v_documents d JOIN documents t USING (doc_id)
        WHERE d.is_primary AND contains(t.text, ?) AND {where}
        ORDER BY d.jurisdiction NULLS LAST, d.issued_date NULLS LAST, d.source_path""", [term, *params]).fetchall()
    out: list[Concordance] = []
    for doc_id, file, jurisdiction, text in docs:
        spans = con.execute("SELECT obligation_id, start, \"end\" FROM obligations WHERE doc_id = ? ORDER BY start",
                            [doc_id]).fetchall()
        at = text.find(term)
        while at >= 0 and len(out) < limit:
            end = at + len(term)
            holder = next((oid for oid, s, e in spans if s <= at and end <= e), None)
            out.append(Concordance(doc_id, file, jurisdiction, at, end, _context(text[max(0, at - width):at]),
                                   term, _context(text[end:end + width]), holder,
                                   "#" + (obligation_anchor(holder) if holder else doc_anchor(doc_id))))
            at = text.find(term, end)
        if len(out) >= limit:
            break
    return out
