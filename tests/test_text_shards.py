"""The documents' texts are stored apart, in shard tables of a bounded size (pipeline/store/texts.py:
a checkpoint then rewrites one shard, not every text stored), and `documents` still reads as the
table the scorer and the analysts know."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipeline import store
from pipeline.report import build_report
from pipeline.runs.ingest import run_ingest
from pipeline.store import texts
from schemas.records import DocumentRecord
from tests.conftest import CORPUS, SEED_NAMES

SEEDS = [str(CORPUS / n) for n in SEED_NAMES[:3]]


def _documents(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()


def _shard_rows(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [d for name in texts.shards(con) for (d,) in con.execute(f"SELECT doc_id FROM {name}").fetchall()]


def test_texts_fill_shards_in_turn_and_documents_reads_them_whole(tmp_path, monkeypatch):
    one = run_ingest(SEEDS, tmp_path / "one.duckdb", batch_size=1)
    monkeypatch.setattr(texts, "SHARD_CHARS", 1)  # every batch after the first starts a shard
    several = run_ingest(SEEDS, tmp_path / "several.duckdb", batch_size=1)
    assert one.new == several.new == 3
    assert _documents(tmp_path / "one.duckdb") == _documents(tmp_path / "several.duckdb")
    con = duckdb.connect(str(tmp_path / "several.duckdb"), read_only=True)
    assert texts.shards(con) == ["document_texts_0001", "document_texts_0002", "document_texts_0003"]
    columns = [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
    assert columns == list(DocumentRecord.model_fields)  # the public schema, in the records' order
    assert all(len(t) == n > 0 for t, n in con.execute("SELECT text, n_chars FROM documents").fetchall())
    con.close()


def test_a_replaced_document_leaves_no_text_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(texts, "SHARD_CHARS", 1)
    folder = tmp_path / "docs"
    folder.mkdir()
    for s in SEEDS:
        shutil.copy(s, folder)
    db = tmp_path / "r.duckdb"
    run_ingest([str(folder)], db, batch_size=1)
    changed = folder / Path(SEEDS[0]).name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n各区县要于2021年底前完成。", encoding="utf-8")
    assert run_ingest([str(folder)], db, batch_size=1).replaced == 1
    con = duckdb.connect(str(db), read_only=True)
    stored = sorted(d for (d,) in con.execute("SELECT doc_id FROM documents").fetchall())
    assert sorted(_shard_rows(con)) == stored and len(stored) == 3  # the old text is gone from its shard
    assert "2021年底前完成" in con.execute("SELECT text FROM documents WHERE source_path = ?",
                                         [str(changed)]).fetchone()[0]
    con.close()


def test_a_database_with_its_texts_in_documents_moves_them_to_a_shard(tmp_path):
    """A file written before the texts were stored apart: `documents` was a table with the text."""
    db = tmp_path / "old.duckdb"
    run_ingest(SEEDS, db)
    before = _documents(db)
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE old_documents AS SELECT * FROM documents")
    con.execute("DROP VIEW documents")
    for name in texts.shards(con):
        con.execute(f"DROP TABLE {name}")
    con.execute("DROP TABLE document_records")
    con.execute("ALTER TABLE old_documents RENAME TO documents")
    con.execute("UPDATE schema_meta SET value = 'older' WHERE key = 'schema_digest'")
    con.close()
    with store.open_for_writing(db) as con:
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_name IN ('documents', 'document_records')").fetchall())
        assert kinds == {"documents": "VIEW", "document_records": "BASE TABLE"}
        assert texts.shards(con) == ["document_texts_0001"]
    assert _documents(db) == before


def test_a_dropped_shard_is_repaired_by_the_next_ingest_and_its_documents_read_again(tmp_path, monkeypatch, caplog):
    # a shard dropped by hand left `documents` naming a table that is gone: every ingest failed
    monkeypatch.setattr(texts, "SHARD_CHARS", 1)
    db = tmp_path / "t.duckdb"
    run_ingest(SEEDS, db, batch_size=1)
    before = _documents(db)
    with duckdb.connect(str(db)) as con:
        (lost,) = con.execute("SELECT source_path FROM document_records JOIN document_texts_0002 USING (doc_id)"
                              ).fetchone()
        con.execute("DROP TABLE document_texts_0002")
    others = [p for p in SEEDS if p != lost]
    summary = run_ingest(others, db, batch_size=1)
    assert summary.failed == 0
    assert "1 stored documents" in caplog.text and "lost their text" in caplog.text
    with duckdb.connect(str(db), read_only=True) as con:
        texts_now = dict(con.execute("SELECT source_path, text FROM documents").fetchall())
    # the documents whose shards stand keep their texts; the one whose file was not listed has none
    assert texts_now[lost] is None and all(texts_now[p] for p in others)
    with duckdb.connect(str(db), read_only=True) as con:
        assert "the text is not stored" in build_report(con)  # the report says so instead of failing
    assert run_ingest(SEEDS, db, batch_size=1).replaced == 1  # listed again: read and stored again
    assert _documents(db) == before
