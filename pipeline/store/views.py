"""Views for analysts, created with the schema: SQL over the tables, documented in docs/SCHEMA.md.

Every view keeps the ids (doc_id, obligation_id, quota_id …) and the offsets of what it shows, so a
row can always be traced back to `documents.text[start:end]`. Views only read; they add no facts.

Editions: one document is often stored from several files (the PDF and the DOCX of one 通知, a
gov.cn page and its saved text). `v_documents` groups such files into one edition group
(same jurisdiction and same 发文字号, else same title and annex label) and marks one of them primary
(by format: html, txt/md, docx, pdf; then path). The comparison views count primary documents only,
so a quota stated in one 通知 is compared once, whatever number of files carried it.
"""
from __future__ import annotations

import duckdb

from pipeline.store.panel import USER_META_COLUMNS, document_panel_sql

# the comparison of codes and titles ignores spaces and the brackets 《》〈〉 around titles
_COMPACT_CHARS = "[\\s　《》〈〉<>]"


def sql_compact(expr: str) -> str:
    """SQL: `expr` without whitespace and without 《》〈〉 ('' for NULL)."""
    return f"regexp_replace(coalesce({expr}, ''), '{_COMPACT_CHARS}', '', 'g')"


def sql_number(expr: str) -> str:
    """SQL: a number as short text (20.0 -> '20', 0.50 -> '0.5')."""
    return (f"regexp_replace(regexp_replace(CAST(round({expr}, 4) AS VARCHAR), '(\\.\\d*?)0+$', '\\1'), "
            f"'\\.$', '')")


# preference among the files of one edition group: born-digital text before converted layouts
_FORMAT_RANK = "CASE format WHEN 'html' THEN 0 WHEN 'txt' THEN 1 WHEN 'md' THEN 1 WHEN 'docx' THEN 2 " \
               "WHEN 'pdf' THEN 3 ELSE 4 END"
# the basis a quota is restated on so that cities compare: households per 100, people per 1000
_NORM_BASIS = "CASE WHEN q.per_unit = '户' THEN 100.0 WHEN q.per_unit = '人' THEN 1000.0 ELSE q.per_value END"


def sql_requirement(low: str, high: str, tail: str) -> str:
    """SQL: a requirement as short text from its bounds and the unit text after them, by the
    comparator of the quota row `q`: "≥ 20 m2 / 100户", "5000–12000 人", "≈ 50 个"."""
    return f"""
    CASE q.comparator
        WHEN 'range' THEN coalesce({sql_number(low)}, '') || '–' || coalesce({sql_number(high)}, '')
        WHEN 'ge' THEN '≥ ' || {sql_number(low)}
        WHEN 'gt' THEN '> ' || {sql_number(low)}
        WHEN 'le' THEN '≤ ' || {sql_number(f'coalesce({high}, {low})')}
        WHEN 'lt' THEN '< ' || {sql_number(f'coalesce({high}, {low})')}
        WHEN 'approx' THEN '≈ ' || {sql_number(low)}
        ELSE {sql_number(f'coalesce({low}, {high})')}
    END || ' ' || {tail}"""


# the unit of a quota row `q` with its basis: "m2 / 100户", "个 / 城市", "人"
_UNIT_AND_BASIS = ("q.unit || CASE WHEN q.per_unit IS NULL THEN '' ELSE ' / ' || CASE WHEN coalesce(q.per_value, 1) = 1 "
                   f"THEN '' ELSE {sql_number('q.per_value')} END || q.per_unit END")
# a quota row (aliased q) as short text
QUOTA_REQUIREMENT = sql_requirement("q.value_min", "q.value_max", _UNIT_AND_BASIS)

# files that are one document (an edition group): the same area (as extracted) and the same 发文字号,
# else the same title and annex label; over a `documents` row `d`
_EDITION_KEY = (f"coalesce(nullif({sql_compact('d.doc_number')}, ''), "
                f"nullif({sql_compact('d.title')}, '') || '#' || coalesce(d.annex_label, ''), d.doc_id)")
_EDITION_AREA = "coalesce(d.jurisdiction, '')"

V_META = f"""
    -- which stored document a row of document_meta is about: by doc_id, by the path as stored, by the
    -- end of the path (shanghai/plan.pdf), or by the file name; the most specific key wins
    WITH d AS (
        SELECT doc_id, source_path, regexp_extract(source_path, '[^/\\\\]+$') AS file_name,
               {_EDITION_AREA} AS edition_area, {_EDITION_KEY} AS edition_key, {_FORMAT_RANK} AS format_rank
        FROM documents d),
    hits AS (
        SELECT d.doc_id, 0 AS rank, m.meta_key FROM d JOIN document_meta m ON m.meta_key = d.doc_id
        UNION ALL
        SELECT d.doc_id, 1, m.meta_key FROM d JOIN document_meta m ON m.meta_key = d.source_path
        UNION ALL
        SELECT d.doc_id, 2, m.meta_key FROM d JOIN document_meta m
            ON contains(m.meta_key, '/') AND ends_with(d.source_path, '/' || m.meta_key)
        UNION ALL
        SELECT d.doc_id, 3, m.meta_key FROM d JOIN document_meta m ON m.meta_key = d.file_name),
    own AS (SELECT doc_id, arg_min(meta_key, rank) AS meta_key FROM hits GROUP BY doc_id),
    -- a file the researcher did not name takes the row of another file of its edition (the same
    -- document in another format): a row keyed by the PDF's name reaches the panel's HTML copy
    edition AS (
        SELECT d.doc_id,
               coalesce(own.meta_key, first_value(own.meta_key IGNORE NULLS) OVER (
                   PARTITION BY d.edition_area, d.edition_key ORDER BY d.format_rank, d.source_path
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) AS meta_key
        FROM d LEFT JOIN own USING (doc_id))
    SELECT edition.doc_id, m.* FROM edition JOIN document_meta m USING (meta_key)
"""

VIEWS: dict[str, str] = {
    # the researcher's own rows (document_meta, `obligations meta import`), one per stored document they name
    "v_meta": V_META,
    # every stored document without its text, with counts and its edition group; jurisdiction and type as
    # corrected by document_meta
    "v_documents": f"""
        WITH k AS (
            SELECT d.* REPLACE (coalesce(m.jurisdiction, d.jurisdiction) AS jurisdiction,
                                coalesce(m.doc_type, d.doc_type) AS doc_type),
                   coalesce(m.year, year(d.issued_date)) AS year,
                   {_EDITION_AREA} AS edition_area, {_EDITION_KEY} AS edition_key, {_FORMAT_RANK} AS format_rank
            FROM documents d LEFT JOIN v_meta m USING (doc_id)),
        n_ob AS (SELECT doc_id, count(*) AS n FROM obligations GROUP BY doc_id),
        n_un AS (SELECT doc_id, count(*) AS n FROM obligation_units GROUP BY doc_id),
        n_dl AS (SELECT doc_id, count(*) AS n FROM deadlines GROUP BY doc_id),
        n_qu AS (SELECT doc_id, count(*) AS n FROM quotas GROUP BY doc_id),
        n_ci AS (SELECT doc_id, count(*) AS n FROM citations GROUP BY doc_id)
        SELECT k.doc_id, k.source_path, k.format, k.title, k.doc_number, k.issuers, k.jurisdiction, k.issued_date,
               k.year, k.doc_type, k.parent_doc_id, k.annex_label, k.annex_titles, k.n_pages, k.n_chars, k.ocr, k.coverage,
               k.pipeline_version, k.ingested_at,
               first_value(k.doc_id) OVER edition AS primary_doc_id,
               k.doc_id = first_value(k.doc_id) OVER edition AS is_primary,
               coalesce(n_ob.n, 0) AS n_obligations, coalesce(n_un.n, 0) AS n_units,
               coalesce(n_dl.n, 0) AS n_deadlines, coalesce(n_qu.n, 0) AS n_quotas, coalesce(n_ci.n, 0) AS n_citations,
               {USER_META_COLUMNS}
        FROM k LEFT JOIN n_ob USING (doc_id) LEFT JOIN n_un USING (doc_id) LEFT JOIN n_dl USING (doc_id)
        LEFT JOIN n_qu USING (doc_id) LEFT JOIN n_ci USING (doc_id) LEFT JOIN v_meta m USING (doc_id)
        -- editions by the extracted area: a correction made to one file must not split its edition
        WINDOW edition AS (PARTITION BY k.edition_area, k.edition_key ORDER BY k.format_rank, k.source_path)
        ORDER BY k.jurisdiction NULLS LAST, k.issued_date NULLS LAST, k.source_path
    """,
    # one row per obligation (every document), with its document and summaries of what is linked to it
    "v_obligations": f"""
        -- each unit once per list, sorted: deduplicated first, then one ordered list per role, rather than
        -- list(DISTINCT … ORDER BY …), which DuckDB plans as one grouping per DISTINCT aggregate joined back
        WITH unit_slots AS (
            SELECT DISTINCT obligation_id, CASE WHEN generic THEN 'generic' ELSE role END AS slot,
                   CASE WHEN generic THEN name ELSE canonical END AS unit
            FROM obligation_units),
        u AS (
            SELECT obligation_id,
                   list(unit ORDER BY unit) FILTER (WHERE slot = 'lead') AS lead_units,
                   list(unit ORDER BY unit) FILTER (WHERE slot = 'cooperate') AS cooperate_units,
                   list(unit ORDER BY unit) FILTER (WHERE slot = 'implement') AS implement_units,
                   list(unit ORDER BY unit) FILTER (WHERE slot = 'generic') AS generic_units
            FROM unit_slots GROUP BY obligation_id),
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
                   string_agg(coalesce(q.subject || ': ', '') || {QUOTA_REQUIREMENT}, '；' ORDER BY q.start) AS quota_summary
            FROM quotas q WHERE q.obligation_id IS NOT NULL GROUP BY q.obligation_id),
        cs AS (
            SELECT obligation_id, count(*) AS n_citations,
                   list(DISTINCT coalesce(code, title) ORDER BY coalesce(code, title)) AS cited
            FROM citations WHERE obligation_id IS NOT NULL GROUP BY obligation_id)
        SELECT o.obligation_id, o.doc_id, d.title AS doc_title, d.doc_number, d.jurisdiction, d.doc_type,
               d.issued_date, d.is_primary, o.seq, o.text, o.start, o."end", o.modality, o.source, o.section_path,
               o.page, o.category,
               coalesce(u.lead_units, []) AS lead_units, coalesce(u.cooperate_units, []) AS cooperate_units,
               coalesce(u.implement_units, []) AS implement_units, coalesce(u.generic_units, []) AS generic_units,
               dl.due_date, dl.final_due_date, dl.start_date, coalesce(dl.ongoing, false) AS ongoing, dl.deadline_text,
               coalesce(qs.n_quotas, 0) AS n_quotas, qs.quota_summary,
               coalesce(cs.n_citations, 0) AS n_citations, coalesce(cs.cited, []) AS cited,
               {USER_META_COLUMNS}
        FROM obligations o JOIN v_documents d USING (doc_id)
        LEFT JOIN u USING (obligation_id) LEFT JOIN dl USING (obligation_id)
        LEFT JOIN qs USING (obligation_id) LEFT JOIN cs USING (obligation_id) LEFT JOIN v_meta m ON m.doc_id = o.doc_id
        ORDER BY d.jurisdiction NULLS LAST, o.doc_id, o.seq
    """,
    # one row per quota of a primary document (a repeat of an earlier statement once): jurisdiction ×
    # facility category × requirement
    "v_quota_comparison": f"""
        WITH n AS (
            SELECT q.*,
                   CASE WHEN q.per_unit IS NULL THEN NULL ELSE q.value_min / coalesce(q.per_value, 1) * {_NORM_BASIS}
                   END AS norm_min,
                   CASE WHEN q.per_unit IS NULL THEN NULL ELSE q.value_max / coalesce(q.per_value, 1) * {_NORM_BASIS}
                   END AS norm_max,
                   CASE WHEN q.per_unit IS NULL THEN NULL
                        ELSE q.unit || ' / ' || CASE WHEN {_NORM_BASIS} = 1 THEN '' ELSE {sql_number(_NORM_BASIS)} END
                             || q.per_unit END AS norm_basis
            FROM quotas q)
        SELECT d.jurisdiction, q.category, q.subject, {QUOTA_REQUIREMENT} AS requirement,
               q.comparator, q.value_min, q.value_max, q.unit, q.per_value, q.per_unit,
               q.kind, q.direction, q.target_date,
               q.norm_min, q.norm_max, q.norm_basis,
               CASE WHEN q.norm_basis IS NOT NULL THEN {sql_requirement('q.norm_min', 'q.norm_max', 'q.norm_basis')}
               END AS norm_requirement,
               q.surface, d.doc_id, d.title AS doc_title, d.doc_number, d.issued_date, q.quota_id, q.obligation_id,
               q.start, q."end", {USER_META_COLUMNS}
        FROM n AS q JOIN v_documents d USING (doc_id) LEFT JOIN v_meta m ON m.doc_id = q.doc_id
        WHERE d.is_primary AND q.same_as IS NULL   -- a target repeated in a table row counts once
        ORDER BY q.category NULLS LAST, q.unit, q.per_unit NULLS LAST, d.jurisdiction, q.start
    """,
    # one row per deadline (of a primary document) and the obligation it governs, in time order
    "v_deadline_timeline": f"""
        SELECT d.jurisdiction, dl.date, year(dl.date) AS year, dl.kind, dl.precision, dl.surface, dl.scope,
               dl.relative, o.category, o.text AS obligation_text, o.modality,
               (SELECT list(DISTINCT u.canonical ORDER BY u.canonical) FROM obligation_units u
                 WHERE u.obligation_id = dl.obligation_id AND u.role = 'lead' AND NOT u.generic) AS lead_units,
               d.doc_id, d.title AS doc_title, d.doc_number, d.issued_date, dl.deadline_id, dl.obligation_id,
               dl.start, dl."end", {USER_META_COLUMNS}
        FROM deadlines dl JOIN v_documents d USING (doc_id)
        LEFT JOIN obligations o ON o.obligation_id = dl.obligation_id LEFT JOIN v_meta m ON m.doc_id = dl.doc_id
        WHERE d.is_primary
        ORDER BY dl.date NULLS LAST, d.jurisdiction, dl.start
    """,
    # jurisdiction × canonical unit (primary documents): obligations it leads, cooperates on, implements
    "v_unit_responsibilities": """
        SELECT d.jurisdiction, u.canonical AS unit, u.generic,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'lead') AS n_lead,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'cooperate') AS n_cooperate,
               count(DISTINCT u.obligation_id) FILTER (WHERE u.role = 'implement') AS n_implement,
               count(DISTINCT u.obligation_id) AS n_obligations,
               count(DISTINCT u.doc_id) AS n_documents,
               list(DISTINCT u.name ORDER BY u.name) AS names
        FROM obligation_units u JOIN v_documents d USING (doc_id)
        WHERE d.is_primary
        GROUP BY d.jurisdiction, u.canonical, u.generic
        ORDER BY d.jurisdiction NULLS LAST, n_obligations DESC, unit
    """,
    # one row per cited standard or document and citing (primary) document
    "v_citations": f"""
        WITH c AS (
            SELECT c.*, coalesce(nullif({sql_compact('c.code')}, ''), {sql_compact('c.title')}) AS citation_key
            FROM citations c),
        g AS (
            SELECT c.citation_key, c.kind, c.doc_id, max(c.code) AS code, arg_max(c.title, length(c.title)) AS title,
                   count(*) AS n_mentions, min(c.start) AS first_start,
                   coalesce(list(DISTINCT o.category ORDER BY o.category) FILTER (WHERE o.category IS NOT NULL), [])
                       AS categories
            FROM c LEFT JOIN obligations o USING (obligation_id) GROUP BY c.citation_key, c.kind, c.doc_id),
        -- the document of the corpus a citation names: by 发文字号, else by title. One equi-join per key
        -- (keys computed once per side), not one join on `code = … OR title = …`: an OR of computed keys
        -- is a nested loop that runs the regexes for every citation × document pair (26 s at 2,000 documents)
        t AS (
            SELECT primary_doc_id, {sql_compact('doc_number')} AS number_key, {sql_compact('title')} AS title_key
            FROM v_documents),
        named AS (
            SELECT g.citation_key, g.doc_id, t.primary_doc_id
            FROM g JOIN t ON t.number_key = {sql_compact('g.code')} WHERE g.code IS NOT NULL
            UNION ALL
            SELECT g.citation_key, g.doc_id, t.primary_doc_id
            FROM g JOIN t ON t.title_key = {sql_compact('g.title')} WHERE g.title IS NOT NULL),
        cited AS (
            SELECT citation_key, doc_id, min(primary_doc_id) AS cited_doc_id
            FROM named WHERE primary_doc_id <> doc_id
            GROUP BY citation_key, doc_id)
        SELECT g.citation_key, g.kind, g.code, g.title, d.jurisdiction, d.doc_id, d.title AS doc_title,
               d.doc_number, d.issued_date, g.n_mentions, g.first_start, g.categories,
               cited.cited_doc_id, {USER_META_COLUMNS}
        FROM g JOIN v_documents d USING (doc_id)
        LEFT JOIN cited ON cited.citation_key = g.citation_key AND cited.doc_id = g.doc_id
        LEFT JOIN v_meta m ON m.doc_id = g.doc_id
        WHERE d.is_primary
        ORDER BY g.citation_key, d.jurisdiction, d.doc_id
    """,
    # links between (primary) documents of the corpus: annex -> parent, citing -> cited
    "v_document_links": """
        SELECT DISTINCT 'annex' AS link, a.doc_id AS from_doc_id, a.title AS from_title, p.primary_doc_id AS to_doc_id,
               t.title AS to_title, a.annex_label AS via
        FROM v_documents a JOIN v_documents p ON p.doc_id = a.parent_doc_id
        JOIN documents t ON t.doc_id = p.primary_doc_id
        WHERE a.is_primary
        UNION ALL
        SELECT DISTINCT 'citation', c.doc_id, c.doc_title, c.cited_doc_id, t.title, coalesce(c.code, c.title)
        FROM v_citations c JOIN documents t ON t.doc_id = c.cited_doc_id
        ORDER BY 1, 3, 5
    """,
    # word frequencies: one row per (primary) document and term, ready for a pivot table
    "v_terms": """
        WITH totals AS (SELECT doc_id, sum(count) AS n_terms FROM terms GROUP BY doc_id)
        SELECT d.doc_id, regexp_extract(d.source_path, '[^/\\\\]*$') AS file, d.title, d.jurisdiction,
               d.year, d.doc_type, t.term, t.pos, t.count,
               round(t.count * 10000.0 / totals.n_terms, 2) AS per_10k, t.start AS first_start, t."end" AS first_end
        FROM terms t JOIN v_documents d USING (doc_id) JOIN totals USING (doc_id)
        WHERE d.is_primary
        ORDER BY d.jurisdiction NULLS LAST, year NULLS LAST, d.doc_id, t.count DESC, t.term
    """,
    # term frequencies by jurisdiction, year and document type: occurrences per 10,000 terms of the
    # group's documents, and in how many of its documents the term occurs
    "v_term_frequency": """
        WITH g AS (
            SELECT jurisdiction, year, doc_type, sum(count) AS n_terms, count(DISTINCT doc_id) AS n_documents
            FROM v_terms GROUP BY ALL)
        SELECT t.jurisdiction, t.year, t.doc_type, t.term, sum(t.count) AS count,
               count(DISTINCT t.doc_id) AS documents, g.n_documents,
               round(sum(t.count) * 10000.0 / g.n_terms, 2) AS per_10k
        FROM v_terms t JOIN g ON g.jurisdiction IS NOT DISTINCT FROM t.jurisdiction
                              AND g.year IS NOT DISTINCT FROM t.year AND g.doc_type IS NOT DISTINCT FROM t.doc_type
        GROUP BY t.jurisdiction, t.year, t.doc_type, t.term, g.n_documents, g.n_terms
        ORDER BY t.jurisdiction NULLS LAST, t.year NULLS LAST, t.doc_type, count DESC, t.term
    """,
    # one row per document (the primary file of each edition): the first table of a study
    "v_document_panel": document_panel_sql(),
}


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) every view; a view may use the views defined before it."""
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def _researcher_tables(con: duckdb.DuckDBPyConnection) -> None:
    """A database written before document_meta existed reads as if it had none: an empty temporary
    table stands in for it (read-only connections may create temporary objects)."""
    from schemas.ddl import table_ddl
    from schemas.records import DocumentMetaRecord

    present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'document_meta'").fetchone()[0]
    if not present:
        con.execute(table_ddl(DocumentMetaRecord).replace("CREATE TABLE", "CREATE TEMP TABLE"))


def use_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Give a (read-only) connection this version's views as temporary views, which take precedence
    over the stored ones: a database last written by an older version still reads with the views
    the analyst commands expect (the stored views are replaced at the next write). False, and the
    stored views kept, when the database's tables are too old for them."""
    try:
        _researcher_tables(con)
        for name, sql in VIEWS.items():
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
    except duckdb.Error:
        for name in VIEWS:
            con.execute(f"DROP VIEW IF EXISTS temp.main.{name}")
        return False
    return True
