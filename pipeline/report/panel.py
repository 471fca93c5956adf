"""`obligations panel`: v_document_panel as it is (one row per document), or added up by the columns
a study groups by (city × year, doc_type …), with the shares recomputed from the sums."""
from __future__ import annotations

import duckdb

from pipeline.report.analyst import Comparison
from pipeline.store.panel import panel_count_columns

# columns a person sees in the terminal (every column goes to a file)
PREVIEW = ["file_name", "jurisdiction", "year", "doc_type", "inner_genre", "n_obligations", "share_with_deadline",
           "share_with_lead", "coverage"]
# counts that are not shares of the obligations
_NOT_SHARED = {"n_files", "n_chars", "n_obligations", "n_quotas", "n_citations"}


def panel_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [d[0] for d in con.execute("SELECT * FROM v_document_panel LIMIT 0").description]


def grouping(con: duckdb.DuckDBPyConnection, by: list[str]) -> list[str]:
    """The panel's own spelling of each `by` column; ValueError naming the ones it has not."""
    columns = {c.lower(): c for c in panel_columns(con)}
    unknown = [b for b in by if b.lower() not in columns]
    if unknown:
        raise ValueError(f"no panel column {', '.join(map(repr, unknown))}; group by any of: "
                         + ", ".join(c for c in columns.values() if not c.startswith(("n_", "share_"))))
    counts = set(panel_count_columns())
    numeric = [b for b in by if columns[b.lower()] in counts or b.lower().startswith("share_")]
    if numeric:
        raise ValueError(f"{', '.join(numeric)}: counts and shares are what is added up, not groups")
    return [columns[b.lower()] for b in by]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def panel_sql(con: duckdb.DuckDBPyConnection, by: list[str] | None = None) -> str:
    """SQL of the panel, or of its sums by `by` (n_documents, every count added up, every share
    recomputed as its count over the obligations, coverage weighted by the documents' length)."""
    if not by:
        return "SELECT * FROM v_document_panel"
    groups = grouping(con, by)
    have = set(panel_columns(con))
    counts = [c for c in panel_count_columns() if c in have]
    parts = [*map(_ident, groups), "count(*) AS n_documents"]
    for c in counts:
        parts.append(f"sum({c}) AS {c}")
        if c not in _NOT_SHARED:
            parts.append(f"sum({c}) / nullif(sum(n_obligations), 0) AS {c.replace('n_', 'share_', 1)}")
    parts.append("sum(coverage * n_chars) / nullif(sum(n_chars) FILTER (WHERE coverage IS NOT NULL), 0) AS coverage")
    keys = ", ".join(map(_ident, groups))
    return f"SELECT {', '.join(parts)} FROM v_document_panel GROUP BY {keys} ORDER BY {keys}"


def panel(con: duckdb.DuckDBPyConnection, by: list[str] | None = None) -> Comparison:
    cur = con.execute(panel_sql(con, by))
    title = "documents" if not by else f"documents by {', '.join(by)}"
    return Comparison(title, [d[0] for d in cur.description], cur.fetchall())
