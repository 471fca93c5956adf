"""The pydantic records are the schema: the DDL is generated from them and the database matches."""
from __future__ import annotations

import duckdb

from pipeline import store
from schemas.ddl import schema_ddl, table_ddl
from schemas.records import TABLES, DeadlineRecord


def test_ddl_of_one_table_is_exactly_the_model():
    assert table_ddl(DeadlineRecord) == """CREATE TABLE IF NOT EXISTS deadlines (
    deadline_id VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    obligation_id VARCHAR,
    surface VARCHAR NOT NULL,
    start BIGINT NOT NULL,
    "end" BIGINT NOT NULL,
    date DATE,
    kind VARCHAR NOT NULL,
    precision VARCHAR,
    year_source VARCHAR,
    relative VARCHAR,
    scope VARCHAR NOT NULL
);"""


def test_keys_are_database_constraints_only_where_the_writer_does_not_check_them():
    """A document's rows carry no PRIMARY KEY constraint (their index made the file 4x larger and
    the writer's memory grow with it); the writer checks their keys instead (store.check_keys).
    The run, error and document tables keep theirs."""
    from schemas.records import DOCUMENT_TABLES, DocumentRecord, IngestRunRecord

    assert "PRIMARY KEY (doc_id)" in table_ddl(DocumentRecord)
    assert "PRIMARY KEY (run_id)" in table_ddl(IngestRunRecord)
    for model in DOCUMENT_TABLES:
        assert "PRIMARY KEY" not in table_ddl(model), model.__table__
        assert model.__key__, model.__table__  # the key the writer checks


def test_database_columns_match_every_model(tmp_path):
    db = tmp_path / "s.duckdb"
    with store.open_for_writing(db) as con:
        for model in TABLES:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [model.__table__]).fetchall()]
            assert cols == list(model.model_fields), model.__table__


def test_contract_columns_exist():
    """The tables and columns the scorer and the analysts read (../shared/eval/CONTRACT.md)."""
    contract = {
        "documents": "doc_id source_path text title doc_number issuers jurisdiction issued_date doc_type",
        "obligations": "obligation_id doc_id text modality",
        "obligation_units": "obligation_id name canonical role",
        "deadlines": "doc_id obligation_id surface date kind precision",
        "quotas": "doc_id obligation_id surface subject value_min value_max unit per_value per_unit comparator",
        "citations": "doc_id obligation_id surface kind code title",
    }
    by_table = {m.__table__: m for m in TABLES}
    for table, columns in contract.items():
        assert set(columns.split()) <= set(by_table[table].model_fields), table


def test_schema_is_idempotent(tmp_path):
    con = duckdb.connect(str(tmp_path / "i.duckdb"))
    con.execute(schema_ddl())
    con.execute(schema_ddl())
    assert con.execute("SELECT count(*) FROM document_records").fetchone() == (0,)  # documents: a view over it


def test_an_older_database_gains_new_columns(tmp_path):
    """Schema changes are additive: a file written before a column existed gets it on the next open."""
    db = tmp_path / "old.duckdb"
    with store.open_for_writing(db) as con:
        con.execute("ALTER TABLE quotas DROP COLUMN category")
        # an older version wrote its own schema digest
        con.execute("UPDATE schema_meta SET value = 'older' WHERE key = 'schema_digest'")
    with store.open_for_writing(db) as con:
        cols = [r[0] for r in con.execute("DESCRIBE quotas").fetchall()]
    assert "category" in cols


def test_schema_is_created_once_per_version(tmp_path, monkeypatch):
    """A write connection to a database with this version's schema does not re-create it (it was 5 %
    of an ingest, every batch); a changed view definition makes it run again."""
    db = tmp_path / "d.duckdb"
    with store.open_for_writing(db):
        pass
    from pipeline.store import views
    ran = []
    create = views.create
    monkeypatch.setattr(views, "create", lambda con: ran.append(1) or create(con))
    with store.open_for_writing(db):
        pass
    assert ran == []
    monkeypatch.setitem(views.VIEWS, "v_documents", views.VIEWS["v_documents"] + " ")
    store.schema_digest.cache_clear()
    try:
        with store.open_for_writing(db):
            pass
    finally:
        store.schema_digest.cache_clear()
    assert ran == [1]
