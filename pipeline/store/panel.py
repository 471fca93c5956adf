"""The SQL of `v_document_panel` (one row per document, the first table of a study), and the names
of the researcher's own columns (document_meta, `obligations meta import`) the views carry.

The panel derives what the extraction does not store as such — the jurisdiction's levels and the
carried document's genre — from what it does store (documents.title, annex_titles, jurisdiction),
by the word tables of pipeline/store/data/panel.yaml and the genre words of the extraction
(extractors/data/metadata.yaml), written into the SQL as VALUES lists. So the view is plain SQL in
the database file: R's and any other DuckDB client read it with no Python, and corrections made with
`obligations meta import` (jurisdiction, year, type) flow through it.
"""
from __future__ import annotations

import re
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from extractors.categories import CATEGORIES
from extractors.rules import load_yaml
from schemas.records import DocType

# The extraction's own tables, read as data: the metadata extractor validates them when it loads them,
# and importing it (the whole metadata package) would cost every command that opens the database
# ~0.2 s, a tenth of a re-run that finds nothing to do.
_REGIONS = load_yaml("regions.yaml")
_TITLE_ENDINGS: dict[str, list[str]] = load_yaml("metadata.yaml")["title_endings"]
_NATIONAL: str = _REGIONS.get("national_jurisdiction") or ""
_PROVINCES: list[str] = [p["name"] for p in _REGIONS["provinces"]]
_CITIES: list[tuple[str, str]] = [(c["name"], c["province"]) for c in _REGIONS["cities"]]

_DATA = Path(__file__).parent / "data" / "panel.yaml"
_DOC_TYPES: tuple[str, ...] = typing.get_args(DocType)


class PanelWords(BaseModel):
    """pipeline/store/data/panel.yaml."""

    model_config = ConfigDict(extra="forbid")

    carrier_verbs: list[str]
    wrapper_genres: list[str]
    more_genres: dict[str, list[str]]
    city_endings: list[str]
    district_endings: list[str]
    national_names: list[str]
    category_columns: dict[str, str]

    @field_validator("more_genres")
    @classmethod
    def _types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(value) - set(_DOC_TYPES)
        if unknown:
            raise ValueError(f"unknown doc types {sorted(unknown)}; one of {', '.join(_DOC_TYPES)}")
        return value

    @field_validator("category_columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [c for c in CATEGORIES if c not in value]
        if missing:
            raise ValueError(f"no column name for the categories {missing} (extractors/data/categories.yaml)")
        bad = [v for v in value.values() if not re.fullmatch(r"[a-z][a-z0-9_]*", v)]
        if bad or len(set(value.values())) < len(value):
            raise ValueError(f"column names must be distinct lower-case ASCII identifiers: {bad or value}")
        return value


def load_words(path: Path = _DATA) -> PanelWords:
    try:
        return PanelWords.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from None


WORDS_PANEL = load_words()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _values(rows: list[tuple[str, ...]], columns: str) -> str:
    """A VALUES list as a subquery with named columns."""
    body = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"(SELECT * FROM (VALUES {body}) AS t({columns}))"


def genres() -> list[tuple[str, str]]:
    """(genre word, doc type): the extraction's title endings and the panel's own additions."""
    pairs = {w: t for t, ws in _TITLE_ENDINGS.items() for w in ws}
    for t, ws in WORDS_PANEL.more_genres.items():
        for w in ws:
            pairs.setdefault(w, t)
    return sorted(pairs.items())


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def sql_title_stem(expr: str) -> str:
    """SQL: a title as its genre is read from: no whitespace, no final full stop, no trailing
    bracketed qualifiers （试行）（2023—2025年） and no closing 》” around them."""
    t = f"regexp_replace(coalesce({expr}, ''), '[\\s　]+', '', 'g')"
    t = f"regexp_replace({t}, '[。.;；]+$', '')"
    t = f"regexp_replace({t}, '[》”\"]+$', '')"
    t = f"regexp_replace({t}, '(?:[（(][^（）()]{{1,24}}[)）])+$', '')"
    return f"regexp_replace({t}, '[》”\"]+$', '')"


# what a wrapper's title carries: the text between the first carrier verb and 的<wrapper genre> at the end
_CARRIED_RE = (f"(?:{_alternation(WORDS_PANEL.carrier_verbs)})(.+)的(?:{_alternation(WORDS_PANEL.wrapper_genres)})$")
# a carried title in 《》 at the end of what is carried: 市发展改革委制订的《…实施方案》
_BRACKETED_END_RE = "《([^《》]+)》$"


def sql_carried_title(title: str) -> str:
    """SQL: the title of the document a wrapper carries ('' when `title` is no wrapper)."""
    carried = f"regexp_extract({sql_title_stem(title)}, '{_CARRIED_RE}', 1)"
    return f"coalesce(nullif(regexp_extract({carried}, '{_BRACKETED_END_RE}', 1), ''), {carried})"


def _region_rows() -> list[tuple[str, str]]:
    """(area name, its province) for the provinces and the cities of extractors/data/regions.yaml."""
    return [(p, p) for p in _PROVINCES] + _CITIES


def _provinces() -> list[str]:
    """The provinces that are not also cities (municipalities are: 上海市 is its own city)."""
    return [p for p in _PROVINCES if not p.endswith("市")]


_CITY_RE = f"^(.{{2,12}}?(?:{_alternation(WORDS_PANEL.city_endings)}))(.*)$"


def jurisdiction_levels(j: str) -> str:
    """SQL columns splitting the jurisdiction `j` into its levels: `jurisdiction_level`, `province`,
    `city`, `district`. A province's name may lead (山东省淄博市); a municipality (上海市) is
    its own province and city; the province of a city comes from regions.yaml."""
    national = ", ".join(_literal(n) for n in dict.fromkeys(
        [*([_NATIONAL] if _NATIONAL else []), *WORDS_PANEL.national_names]))
    provinces = ", ".join(_literal(p) for p in _provinces())
    leading_province = "^(" + _alternation(_provinces()) + ")"
    # the jurisdiction without a leading province: 山东省淄博市 -> 淄博市
    rest = f"regexp_replace({j}, '{leading_province}', '')"
    city = f"nullif(regexp_extract({rest}, '{_CITY_RE}', 1), '')"
    # what follows the city, or a name with no city before it, when it ends as a district does
    below = f"CASE WHEN {city} IS NOT NULL THEN regexp_extract({rest}, '{_CITY_RE}', 2) ELSE {rest} END"
    district = f"CASE WHEN regexp_matches({below}, '.(?:{_alternation(WORDS_PANEL.district_endings)})$') THEN {below} END"
    region_rows = _values(_region_rows(), "name, province")
    no_levels = f"{j} IS NULL OR {j} IN ({national})"
    return f"""
        CASE WHEN {j} IS NULL THEN NULL WHEN {j} IN ({national}) THEN 'national'
             WHEN {j} IN ({provinces}) THEN 'province'
             WHEN {district} IS NOT NULL THEN 'district' WHEN {city} IS NOT NULL THEN 'city' END AS jurisdiction_level,
        CASE WHEN {no_levels} THEN NULL
             ELSE coalesce(nullif(regexp_extract({j}, '{leading_province}', 1), ''),
                           (SELECT r.province FROM {region_rows} AS r WHERE r.name = {city})) END AS province,
        CASE WHEN {no_levels} OR {j} IN ({provinces}) THEN NULL ELSE {city} END AS city,
        CASE WHEN {no_levels} OR {j} IN ({provinces}) THEN NULL ELSE {district} END AS district"""


# columns of document_meta that are not the researcher's own: the key, the overrides, the bookkeeping
META_FIXED = ("meta_key", "jurisdiction", "year", "doc_type", "source_file", "imported_at")
# the researcher's columns of v_meta (v_meta aliased `m`), for the views that carry them
USER_META_COLUMNS = f"m.* EXCLUDE (doc_id, {', '.join(META_FIXED)})"

def _category_counts() -> str:
    return ",\n".join(f"count(*) FILTER (WHERE o.category = {_literal(name)}) AS n_cat_{col}"
                      for name, col in WORDS_PANEL.category_columns.items())


def _category_shares() -> str:
    cols = [f"ob.n_cat_{col} / nullif(ob.n_obligations, 0) AS share_cat_{col}"
            for col in WORDS_PANEL.category_columns.values()]
    return ",\n".join(f"coalesce(ob.n_cat_{col}, 0) AS n_cat_{col}" for col in WORDS_PANEL.category_columns.values()) \
        + ",\n" + ",\n".join(cols)


def panel_count_columns() -> list[str]:
    """The panel's count columns (n_…): what `obligations panel --by` adds up."""
    return (["n_files", "n_chars", "n_obligations", "n_with_deadline", "n_with_lead", "n_must", "n_prohibit",
             "n_encourage"] + [f"n_cat_{c}" for c in WORDS_PANEL.category_columns.values()]
            + ["n_quotas", "n_citations"])


def document_panel_sql() -> str:
    genre_rows = _values(genres(), "genre, doc_type")
    return f"""
    WITH p AS (
        SELECT d.*, t.doc_type AS outer_type, count(*) OVER (PARTITION BY d.primary_doc_id) AS n_files
        FROM v_documents d JOIN documents t USING (doc_id)),
    p1 AS (SELECT * FROM p WHERE is_primary),
    g AS {genre_rows},
    -- the genre a title ends with: the longest genre word
    outer_genre AS (
        SELECT p1.doc_id, arg_max(g.genre, length(g.genre)) AS genre
        FROM p1 JOIN g ON ends_with({sql_title_stem('p1.title')}, g.genre) GROUP BY p1.doc_id),
    carried AS (
        SELECT doc_id, nullif({sql_carried_title('title')}, '') AS carried_title FROM p1),
    carried_genre AS (
        SELECT c.doc_id, arg_max(g.genre, length(g.genre)) AS genre, arg_max(g.doc_type, length(g.genre)) AS doc_type
        FROM carried c JOIN g ON ends_with({sql_title_stem('c.carried_title')}, g.genre)
        WHERE c.carried_title IS NOT NULL GROUP BY c.doc_id),
    -- a wrapper whose carried title names no genre, or a document whose title was not read, with
    -- annexes: the first listed annex whose title names one (山西省…《完整居住社区建设标准(试行)》)
    annexes AS (
        SELECT doc_id, unnest(annex_titles) AS annex_title, generate_subscripts(annex_titles, 1) AS i
        FROM p1 WHERE len(annex_titles) > 0),
    annex_genre AS (
        SELECT a.doc_id, arg_min(a.annex_title, a.i) AS annex_title,
               arg_min(g.genre, a.i * 1000 - length(g.genre)) AS genre,
               arg_min(g.doc_type, a.i * 1000 - length(g.genre)) AS doc_type
        FROM annexes a JOIN g ON ends_with({sql_title_stem('a.annex_title')}, g.genre) GROUP BY a.doc_id),
    -- where the inner document's title comes from: the wrapper's title when it names a genre; else the
    -- first annex naming one, for a wrapper or for a document whose title was not read (one annex)
    source AS (
        SELECT p1.doc_id,
               CASE WHEN cg.genre IS NOT NULL THEN 'carried'
                    WHEN ag.genre IS NOT NULL AND (c.carried_title IS NOT NULL
                                                   OR (p1.title IS NULL AND len(p1.annex_titles) = 1)) THEN 'annex'
               END AS source
        FROM p1 LEFT JOIN carried c USING (doc_id) LEFT JOIN carried_genre cg USING (doc_id)
        LEFT JOIN annex_genre ag USING (doc_id)),
    inner_doc AS (
        SELECT s.doc_id,
               CASE s.source WHEN 'annex' THEN ag.annex_title ELSE c.carried_title END AS inner_title,
               CASE s.source WHEN 'carried' THEN cg.genre WHEN 'annex' THEN ag.genre END AS inner_genre,
               CASE s.source WHEN 'carried' THEN cg.doc_type WHEN 'annex' THEN ag.doc_type END AS inner_type
        FROM source s LEFT JOIN carried c USING (doc_id) LEFT JOIN carried_genre cg USING (doc_id)
        LEFT JOIN annex_genre ag USING (doc_id)),
    dl AS (SELECT DISTINCT obligation_id FROM deadlines WHERE kind = 'by' AND obligation_id IS NOT NULL),
    ld AS (SELECT DISTINCT obligation_id FROM obligation_units WHERE role = 'lead' AND NOT generic),
    ob AS (
        SELECT o.doc_id, count(*) AS n_obligations,
               count(dl.obligation_id) AS n_with_deadline, count(ld.obligation_id) AS n_with_lead,
               count(*) FILTER (WHERE o.modality = 'must') AS n_must,
               count(*) FILTER (WHERE o.modality = 'prohibit') AS n_prohibit,
               count(*) FILTER (WHERE o.modality = 'encourage') AS n_encourage,
               {_category_counts()}
        FROM obligations o LEFT JOIN dl USING (obligation_id) LEFT JOIN ld USING (obligation_id)
        GROUP BY o.doc_id),
    -- the levels of the jurisdiction as v_documents gives it (corrected by document_meta)
    levels AS (SELECT doc_id, {jurisdiction_levels('jurisdiction')} FROM p1)
    SELECT p1.doc_id, regexp_extract(p1.source_path, '[^/\\\\]+$') AS file_name, p1.source_path, p1.title,
           p1.doc_number, p1.jurisdiction, levels.jurisdiction_level, levels.province, levels.city, levels.district,
           p1.issued_date, p1.year,
           p1.outer_type, outer_genre.genre AS outer_genre,
           inner_doc.inner_title, inner_doc.inner_genre, inner_doc.inner_type,
           coalesce(m.doc_type, inner_doc.inner_type, p1.outer_type) AS doc_type,
           parent.primary_doc_id AS parent_doc_id, p1.annex_label, p1.n_files, p1.n_chars,
           coalesce(ob.n_obligations, 0) AS n_obligations,
           coalesce(ob.n_with_deadline, 0) AS n_with_deadline,
           ob.n_with_deadline / nullif(ob.n_obligations, 0) AS share_with_deadline,
           coalesce(ob.n_with_lead, 0) AS n_with_lead,
           ob.n_with_lead / nullif(ob.n_obligations, 0) AS share_with_lead,
           coalesce(ob.n_must, 0) AS n_must, ob.n_must / nullif(ob.n_obligations, 0) AS share_must,
           coalesce(ob.n_prohibit, 0) AS n_prohibit, ob.n_prohibit / nullif(ob.n_obligations, 0) AS share_prohibit,
           coalesce(ob.n_encourage, 0) AS n_encourage,
           ob.n_encourage / nullif(ob.n_obligations, 0) AS share_encourage,
           {_category_shares()},
           p1.n_quotas, p1.n_citations,
           p1.coverage,
           {USER_META_COLUMNS}
    FROM p1 LEFT JOIN levels USING (doc_id) LEFT JOIN outer_genre USING (doc_id) LEFT JOIN inner_doc USING (doc_id)
    LEFT JOIN ob USING (doc_id) LEFT JOIN v_meta m USING (doc_id)
    -- an annex's parent as a row of the panel: the primary file of the parent's edition
    LEFT JOIN p AS parent ON parent.doc_id = p1.parent_doc_id
    ORDER BY levels.province NULLS LAST, levels.city NULLS LAST, levels.district NULLS FIRST, p1.year NULLS LAST,
             p1.source_path
    """
