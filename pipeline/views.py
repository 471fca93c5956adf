"""Views for analysts, created with the schema (SQL over the tables; see docs/SCHEMA.md)."""
from __future__ import annotations

import duckdb

VIEWS: dict[str, str] = {
    "v_obligations": """
        SELECT o.obligation_id, o.doc_id, d.title, d.jurisdiction, d.doc_type, d.issued_date,
               o.seq, o.text, o.modality, o.source, o.section_path,
               (SELECT list(DISTINCT u.canonical ORDER BY u.canonical) FROM obligation_units u
                 WHERE u.obligation_id = o.obligation_id AND u.role = 'lead' AND NOT u.generic) AS lead_units,
               (SELECT list(DISTINCT u.canonical ORDER BY u.canonical) FROM obligation_units u
                 WHERE u.obligation_id = o.obligation_id AND u.role <> 'lead' AND NOT u.generic) AS other_units,
               (SELECT min(dl.date) FROM deadlines dl WHERE dl.obligation_id = o.obligation_id) AS due_date,
               (SELECT bool_or(dl.kind = 'ongoing') FROM deadlines dl WHERE dl.obligation_id = o.obligation_id)
                   AS ongoing
        FROM obligations o JOIN documents d USING (doc_id)
    """,
}


def create(con: duckdb.DuckDBPyConnection) -> None:
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
