"""docs/SCHEMA.md is the database's API: every table, view and column documented with its type,
nothing documented that does not exist, and every example query runs on the corpus database."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from extractors.categories import CATEGORIES
from pipeline.store.views import VIEWS
from schemas.ddl import column_type
from schemas.records import TABLES

SCHEMA_MD = Path(__file__).resolve().parent.parent / "docs" / "SCHEMA.md"
TEXT = SCHEMA_MD.read_text(encoding="utf-8")


def _part(heading: str) -> str:
    """The text of a `## heading` section, up to the next `## `."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", TEXT, flags=re.M | re.S)
    assert m, f"SCHEMA.md has no '## {heading}' section"
    return m.group(1)


def documented_columns(part: str) -> dict[str, list[tuple[str, str]]]:
    """{name: [(column, type), ...]} from the `### \\`name\\`` sections and their column tables."""
    found: dict[str, list[tuple[str, str]]] = {}
    for m in re.finditer(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", part, flags=re.M | re.S):
        found[m.group(1)] = re.findall(r"^\| `(\w+)` \| ([A-Z\[\]]+) \|", m.group(2), flags=re.M)
    return found


def example_queries() -> list[tuple[str, str]]:
    """(title, sql) of every example query."""
    part = _part("Example queries")
    return re.findall(r"^#### (.+?)\n\n```sql\n(.*?)```", part, flags=re.M | re.S)


TABLE_DOCS = documented_columns(_part("Tables"))
VIEW_DOCS = documented_columns(_part("Views"))


def test_every_table_is_documented_and_nothing_else():
    assert set(TABLE_DOCS) == {m.__table__ for m in TABLES}


@pytest.mark.parametrize("model", TABLES, ids=lambda m: m.__table__)
def test_table_columns_and_types_match_the_records(model):
    documented = TABLE_DOCS[model.__table__]
    expected = [(name, column_type(f.annotation)[0]) for name, f in model.model_fields.items()]
    missing = [c for c, _ in expected if c not in dict(documented)]
    extra = [c for c, _ in documented if c not in model.model_fields]
    assert not missing, f"{model.__table__}: columns not documented in SCHEMA.md: {missing}"
    assert not extra, f"{model.__table__}: SCHEMA.md documents columns that do not exist: {extra}"
    assert documented == expected, "documented order or types differ from schemas/records.py"


def test_every_view_is_documented_and_nothing_else():
    assert set(VIEW_DOCS) == set(VIEWS)


@pytest.fixture(scope="module")
def corpus_con(corpus_db):
    con = duckdb.connect(str(corpus_db), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("view", list(VIEWS))
def test_view_columns_and_types_match_the_database(corpus_con, view):
    actual = [(r[0], r[1]) for r in corpus_con.execute(f"DESCRIBE {view}").fetchall()]
    assert VIEW_DOCS[view] == actual


def test_value_set_of_categories_is_the_keyword_tables():
    row = re.search(r"^\| facility `category` \| (.+?) \(NULL", TEXT, flags=re.M)
    assert row, "the facility category value set is missing"
    assert tuple(c.strip() for c in row.group(1).split(",")) == CATEGORIES


def test_schema_version_is_documented(corpus_con):
    version = corpus_con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone()[0]
    assert f"`schema_version` (currently `{version}`)" in TEXT


def test_at_least_twelve_example_queries():
    assert len(example_queries()) >= 12


@pytest.mark.parametrize("title,sql", example_queries(), ids=[t for t, _ in example_queries()])
def test_example_query_runs_on_the_corpus(corpus_con, title, sql):
    rows = corpus_con.execute(sql).fetchall()
    if "-- may be empty" not in sql:
        assert rows, f"example query returns nothing on the sample corpus: {title}"
