"""Views for analysts, created with the schema: SQL over the tables, documented in docs/SCHEMA.md.

Every view keeps the ids (doc_id, obligation_id, quota_id …) and the offsets of what it shows, so a
row can always be traced back to `documents.text[start:end]`. Views only read; they add no facts.
"""
from __future__ import annotations

import duckdb


def _compact(expr: str) -> str:
    """SQL: `expr` without whitespace and without 《》〈〉 (how codes and titles are compared)."""
    return f"regexp_replace(coalesce({expr}, ''), '[\\s　《》〈〉<>]', '', 'g')"


def sql_number(expr: str) -> str:
    """SQL: a number as short text (20.0 -> '20', 0.50 -> '0.5')."""
    return (f"regexp_replace(regexp_replace(CAST(round({expr}, 4) AS VARCHAR), '(\\.\\d*?)0+$', '\\1'), "
            f"'\\.$', '')")


# the basis a quota is restated on so that cities compare: households per 100, people per 1000
_NORM_BASIS = """CASE WHEN q.per_unit = '户' THEN 100.0 WHEN q.per_unit = '人' THEN 1000.0 ELSE q.per_value END"""

_REQUIREMENT = f"""
    CASE q.comparator
        WHEN 'range' THEN coalesce({sql_number('q.value_min')}, '') || '–' || coalesce({sql_number('q.value_max')}, '')
        WHEN 'ge' THEN '≥ ' || {sql_number('q.value_min')}
        WHEN 'gt' THEN '> ' || {sql_number('q.value_min')}
        WHEN 'le' THEN '≤ ' || {sql_number('coalesce(q.value_max, q.value_min)')}
        WHEN 'lt' THEN '< ' || {sql_number('coalesce(q.value_max, q.value_min)')}
        WHEN 'approx' THEN '≈ ' || {sql_number('q.value_min')}
        ELSE {sql_number('coalesce(q.value_min, q.value_max)')}
    END || ' ' || q.unit
    || CASE WHEN q.per_unit IS NULL THEN ''
            ELSE ' / ' || CASE WHEN coalesce(q.per_value, 1) = 1 THEN '' ELSE {sql_number('q.per_value')} END || q.per_unit
       END"""

VIEWS: dict[str, str] = {
    # one row per obligation, with its document and summaries of everything linked to it
    "v_obligations": f"""
        WITH u AS (
            SELECT obligation_id,
                   list(DISTINCT canonical ORDER BY canonical) FILTER (WHERE role = 'lead' AND NOT generic) AS lead_units,
                   list(DISTINCT canonical ORDER BY canonical) FILTER (WHERE role = 'cooperate' AND NOT generic)
                       AS cooperate_units,
                   list(DISTINCT canonical ORDER BY canonical) FILTER (WHERE role = 'implement' AND NOT generic)
                       AS implement_units,
                   list(DISTINCT name ORDER BY name) FILTER (WHERE generic) AS generic_units
            FROM obligation_units GROUP BY obligation_id),
        dl AS (
            SELECT obligation_id,
                   min(date) FILTER (WHERE kind = 'by') AS due_date,
                   max(date) FILTER (WHERE kind = 'by') AS final_due_date,
                   min(date) FILTER (WHERE kind = 'start') AS start_date,
                   bool_or(kind = 'ongoing') AS ongoing,
                   string_agg(DISTINCT surface, '；' ORDER BY surface) AS deadline_text
            FROM deadlines WHERE obligation_id IS NOT NULL GROUP BY obligation_id),
        qs AS (
            SELECT q.obligation_id, count(*) AS n_quotas,
                   string_agg(coalesce(q.subject || ': ', '') || {_REQUIREMENT}, '；' ORDER BY q.start) AS quota_summary
            FROM quotas q WHERE q.obligation_id IS NOT NULL GROUP BY q.obligation_id),
        cs AS (
            SELECT obligation_id, count(*) AS n_citations,
                   list(DISTINCT coalesce(code, title) ORDER BY coalesce(code, title)) AS cited
            FROM citations WHERE obligation_id IS NOT NULL GROUP BY obligation_id)
        SELECT o.obligation_id, o.doc_id, d.title AS doc_title, d.doc_number, d.jurisdiction, d.doc_type,
               d.issued_date, o.seq, o.text, o.start, o."end", o.modality, o.source, o.section_path, o.page,
               o.category,
               coalesce(u.lead_units, []) AS lead_units, coalesce(u.cooperate_units, []) AS cooperate_units,
               coalesce(u.implement_units, []) AS implement_units, coalesce(u.generic_units, []) AS generic_units,
               dl.due_date, dl.final_due_date, dl.start_date, coalesce(dl.ongoing, false) AS ongoing, dl.deadline_text,
               coalesce(qs.n_quotas, 0) AS n_quotas, qs.quota_summary,
               coalesce(cs.n_citations, 0) AS n_citations, coalesce(cs.cited, []) AS cited
        FROM obligations o JOIN documents d USING (doc_id)
        LEFT JOIN u USING (obligation_id) LEFT JOIN dl USING (obligation_id)
        LEFT JOIN qs USING (obligation_id) LEFT JOIN cs USING (obligation_id)
        ORDER BY d.jurisdiction, o.doc_id, o.seq
    """,
    # one row per quota: jurisdiction × facility category × requirement, units normalised
    "v_quota_comparison": f"""
        SELECT d.jurisdiction, q.category, q.subject, {_REQUIREMENT} AS requirement,
               q.comparator, q.value_min, q.value_max, q.unit, q.per_value, q.per_unit,
               CASE WHEN q.per_unit IS NULL THEN NULL ELSE q.value_min / coalesce(q.per_value, 1) * {_NORM_BASIS} END
                   AS norm_min,
               CASE WHEN q.per_unit IS NULL THEN NULL ELSE q.value_max / coalesce(q.per_value, 1) * {_NORM_BASIS} END
                   AS norm_max,
               CASE WHEN q.per_unit IS NULL THEN NULL
                    ELSE q.unit || ' / ' || CASE WHEN {_NORM_BASIS} = 1 THEN '' ELSE {sql_number(_NORM_BASIS)} END
                         || q.per_unit END AS norm_basis,
               q.surface, d.doc_id, d.title AS doc_title, d.doc_number, d.issued_date, q.quota_id, q.obligation_id,
               q.start, q."end"
        FROM quotas q JOIN documents d USING (doc_id)
        ORDER BY q.category NULLS LAST, q.unit, q.per_unit NULLS LAST, d.jurisdiction, q.start
    """,
    # one row per deadline and the obligation it governs, in time order
    "v_deadline_timeline": """
        SELECT d.jurisdiction, dl.date, year(dl.date) AS year, dl.kind, dl.precision, dl.surface, dl.scope,
               dl.relative, o.category, o.text AS obligation_text, o.modality,
               (SELECT list(DISTINCT u.canonical ORDER BY u.canonical) FROM obligation_units u
                 WHERE u.obligation_id = dl.obligation_id AND u.role = 'lead' AND NOT u.generic) AS lead_units,
               d.doc_id, d.title AS doc_title, d.doc_number, d.issued_date, dl.deadline_id, dl.obligation_id,
               dl.start, dl."end"
        FROM deadlines dl JOIN documents d USING (doc_id)
        LEFT JOIN obligations o ON o.obligation_id = dl.obligation_id
        ORDER BY dl.date NULLS LAST, d.jurisdiction, dl.start
    """,
    # jurisdiction × canonical unit: how many obligations it leads, cooperates on, implements
    "v_unit_responsibilities": """
        SELECT d.jurisdiction, u.canonical AS unit, u.generic,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'lead') AS n_lead,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'cooperate') AS n_cooperate,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'implement') AS n_implement,
               count(DISTINCT u.obligation_id) AS n_obligations,
               count(DISTINCT u.doc_id) AS n_documents,
               list(DISTINCT u.name ORDER BY u.name) AS names
        FROM obligation_units u JOIN documents d USING (doc_id)
        GROUP BY d.jurisdiction, u.canonical, u.generic
        ORDER BY d.jurisdiction, n_obligations DESC, unit
    """,
    # one row per cited standard or document and citing document
    "v_citations": f"""
        WITH c AS (
            SELECT c.*, coalesce(nullif({_compact('c.code')}, ''), {_compact('c.title')}) AS citation_key
            FROM citations c),
        g AS (
            SELECT c.citation_key, c.kind, c.doc_id, max(c.code) AS code, arg_max(c.title, length(c.title)) AS title,
                   count(*) AS n_mentions, min(c.start) AS first_start,
                   coalesce(list(DISTINCT o.category ORDER BY o.category) FILTER (WHERE o.category IS NOT NULL), [])
                       AS categories
            FROM c LEFT JOIN obligations o USING (obligation_id) GROUP BY c.citation_key, c.kind, c.doc_id)
        SELECT g.citation_key, g.kind, g.code, g.title, d.jurisdiction, d.doc_id, d.title AS doc_title,
               d.doc_number, d.issued_date, g.n_mentions, g.first_start, g.categories,
               (SELECT min(t.doc_id) FROM documents t
                 WHERE t.doc_id <> g.doc_id
                   AND ((g.code IS NOT NULL AND {_compact('t.doc_number')} = {_compact('g.code')})
                        OR (g.title IS NOT NULL AND {_compact('t.title')} = {_compact('g.title')}))) AS cited_doc_id
        FROM g JOIN documents d USING (doc_id)
        ORDER BY g.citation_key, d.jurisdiction, d.doc_id
    """,
    # links between documents present in the corpus: annex -> parent, citing -> cited
    "v_document_links": """
        SELECT 'annex' AS link, a.doc_id AS from_doc_id, a.title AS from_title, p.doc_id AS to_doc_id,
               p.title AS to_title, a.annex_label AS via
        FROM documents a JOIN documents p ON p.doc_id = a.parent_doc_id
        UNION ALL
        SELECT DISTINCT 'citation', c.doc_id, c.doc_title, c.cited_doc_id, t.title, coalesce(c.code, c.title)
        FROM v_citations c JOIN documents t ON t.doc_id = c.cited_doc_id
        ORDER BY 1, 3, 5
    """,
}


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) every view; views may use the views defined before them."""
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
