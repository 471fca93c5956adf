"""Reprocess: after a pipeline version bump, exactly the stale documents are re-extracted (from the
original file when it still has the same bytes, else from the stored text and blocks), each in
its own transaction, and the run is recorded."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from extractors.analyze import analyze
from pipeline import store, version
from pipeline.errors import DatabaseBusy
from pipeline.readers import read_document
from pipeline.runs import ingest, process
from pipeline.runs.reprocess import StoredDocument, rebuild_document, reprocess
from tests.test_watch import NOTICE, REPLY, TASK_TABLE, query, write

ROOT = Path(__file__).resolve().parent.parent
from tests.conftest import EXTRA  # noqa: E402
SENTINEL = "<<written by the test>>"


VERSIONED = (version, process, ingest)  # every module that stamps or compares the pipeline version
# the tests pretend versions by patching this process: extraction runs here (workers=0), not in workers


def _pretend_version(monkeypatch: pytest.MonkeyPatch, v: str) -> None:
    for module in VERSIONED:
        monkeypatch.setattr(module, "pipeline_version", lambda v=v: v)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Built once: notice + reply stored by pipeline version "v1", a task table by "v2"; every
    stored obligation's text set to a sentinel, so that a rewrite shows."""
    root = tmp_path_factory.mktemp("reprocess")
    db = root / "r.duckdb"
    files = {name: write(root / "docs", f"{name}.txt", text)
             for name, text in (("notice", NOTICE), ("reply", REPLY), ("table", TASK_TABLE))}
    with pytest.MonkeyPatch.context() as mp:
        _pretend_version(mp, "v1")
        ingest.run_ingest([str(files["notice"]), str(files["reply"])], db, workers=0)
        _pretend_version(mp, "v2")
        ingest.run_ingest([str(files["table"])], db, workers=0)
    with store.open_for_writing(db) as con:
        con.execute("UPDATE obligations SET text = ?", [SENTINEL])
    return root


@pytest.fixture
def stored(built, tmp_path, monkeypatch) -> tuple[Path, dict[str, Path]]:
    """A private copy of the built database and its files, with "v2" as the current version."""
    shutil.copytree(built / "docs", tmp_path / "docs")
    db = tmp_path / "r.duckdb"
    shutil.copy(built / "r.duckdb", db)
    with store.open_for_writing(db) as con:
        con.execute("UPDATE document_records SET source_path = replace(source_path, ?, ?)",
                    [str(built / "docs"), str(tmp_path / "docs")])
    _pretend_version(monkeypatch, "v2")
    return db, {p.stem: p for p in (tmp_path / "docs").iterdir()}


def versions(db: Path) -> dict[str, str]:
    return {Path(p).stem: v for p, v in query(db, "SELECT source_path, pipeline_version FROM documents")}


def untouched(db: Path) -> dict[str, bool]:
    """Per document: are all its obligations still the test's sentinel (never rewritten)?"""
    rows = query(db, "SELECT d.source_path, bool_and(o.text = ?) FROM documents d JOIN obligations o USING (doc_id) "
                     "GROUP BY 1", [SENTINEL])
    return {Path(p).stem: flag for p, flag in rows}


def test_reprocess_stale_rewrites_exactly_the_stale_documents(stored):
    db, _files = stored
    assert versions(db) == {"notice": "v1", "reply": "v1", "table": "v2"}
    ingested_before = dict(query(db, "SELECT doc_id, ingested_at FROM documents"))

    summary = reprocess(db, stale_only=True, workers=0)

    assert (summary.candidates, summary.reprocessed, summary.from_file, summary.failed) == (2, 2, 2, 0)
    assert versions(db) == {"notice": "v2", "reply": "v2", "table": "v2"}
    assert untouched(db) == {"notice": False, "reply": False, "table": True}
    assert dict(query(db, "SELECT doc_id, ingested_at FROM documents")) == ingested_before
    run = query(db, "SELECT kind, status, n_replaced, pipeline_version FROM ingest_runs WHERE run_id = ?",
                [summary.run_id])
    assert run == [("reprocess", "completed", 2, "v2")]
    # nothing is stale any more
    assert reprocess(db, stale_only=True, workers=0).candidates == 0


def test_reprocess_all_rewrites_every_document(stored):
    db, _ = stored
    summary = reprocess(db, stale_only=False, workers=0)
    assert (summary.candidates, summary.reprocessed) == (3, 3)
    assert untouched(db) == {"notice": False, "reply": False, "table": False}


def test_a_document_whose_file_is_gone_or_changed_is_rebuilt_from_the_stored_text(stored):
    db, files = stored
    before = query(db, "SELECT doc_id, start, \"end\", modality FROM obligations ORDER BY ALL")
    files["notice"].unlink()
    files["reply"].write_text(REPLY + "\n（此件公开发布）\n", encoding="utf-8")  # new bytes at the path

    summary = reprocess(db, workers=0)

    assert (summary.reprocessed, summary.from_file, summary.from_stored) == (2, 0, 2)
    assert untouched(db) == {"notice": False, "reply": False, "table": True}
    # same text, same extractor: the same obligations at the same offsets
    assert query(db, "SELECT doc_id, start, \"end\", modality FROM obligations ORDER BY ALL") == before


def test_a_failing_document_keeps_its_old_rows_and_is_recorded(stored, monkeypatch):
    db, files = stored
    import extractors.analyze

    real = extractors.analyze.analyze

    def analyze_failing_on_the_reply(doc, **kwargs):
        if "答复" in doc.text[:40]:
            raise ValueError("a bug in an extractor")
        return real(doc, **kwargs)

    monkeypatch.setattr(extractors.analyze, "analyze", analyze_failing_on_the_reply)
    summary = reprocess(db, workers=0)
    assert (summary.reprocessed, summary.failed) == (1, 1)
    assert versions(db) == {"notice": "v2", "reply": "v1", "table": "v2"}
    assert untouched(db) == {"notice": False, "reply": True, "table": True}
    errors = query(db, "SELECT path, kind, message FROM ingest_errors WHERE run_id = ?", [summary.run_id])
    assert errors[0][:2] == (str(files["reply"]), "extraction_error")
    assert "ValueError: a bug in an extractor" in errors[0][2]


@pytest.mark.slow  # two spawned worker processes load spaCy and jieba: ~20-40 s here
def test_reprocess_with_worker_processes_gives_the_same_rows(stored):
    db, _ = stored
    summary = reprocess(db, stale_only=False, workers=2, batch_size=2)
    assert summary.reprocessed == 3
    with_pool = query(db, "SELECT obligation_id, text FROM obligations ORDER BY ALL")
    reprocess(db, stale_only=False, workers=0)
    assert query(db, "SELECT obligation_id, text FROM obligations ORDER BY ALL") == with_pool


def test_a_busy_database_is_refused_with_a_message(stored):
    db, _ = stored
    with store.writer_lock(db, "watch"), pytest.raises(DatabaseBusy, match="watch running since"):
        reprocess(db, lock_wait=0.2)


def test_no_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no database"):
        reprocess(tmp_path / "none.duckdb")


# Rebuilding from the stored text and blocks must give what reading the file gives. Real files with
# tables (a task table as text and as DOCX, whose header has merged cells), a gov.cn page and a 条例.
REBUILD_FILES = [
    ROOT / "corpus" / "zibo-2020-34-annex2-task-table.txt",
    ROOT / "corpus" / "variants" / "zibo-2020-34-annex2-task-table.docx",
    ROOT / "corpus" / "variants" / "zibo-2020-34-annex2-task-table.pdf",
    EXTRA / "cn-guobanfa-2019-3-xiaoqu-peitao-youeryuan-govcn.html",
    EXTRA / "shaoxing-2021-jujia-yanglao-fuwu-tiaoli.md",
]


def _rows(extraction) -> dict[str, list]:
    return {table: sorted(str(r.model_dump()) for r in records) for table, records in extraction.rows().items()}


@pytest.mark.parametrize("path", REBUILD_FILES, ids=lambda p: p.name)
def test_rebuilding_from_stored_text_and_blocks_gives_the_same_extraction(path):
    if not path.exists():
        pytest.skip(f"{path} is not there (variants: `make variants`; ../shared is not part of the repository)")
    when = dt.datetime(2024, 1, 1)
    doc = read_document(path)
    from_file = analyze(doc, pipeline_version="v", ingested_at=when)
    record = from_file.document
    stored = StoredDocument(
        doc_id=record.doc_id, source_path=record.source_path, format=record.format, text=record.text,
        encoding=record.encoding, n_pages=record.n_pages, ocr=record.ocr, ingested_at=when, pipeline_version="v",
        blocks=[(b.seq, b.kind, b.start, b.end, b.page, b.table_id, b.row, b.source_start) for b in from_file.blocks])
    rebuilt = rebuild_document(stored)
    assert rebuilt.text == doc.text
    assert [(b.kind, b.start, b.end, b.table_id, b.row) for b in rebuilt.blocks] == \
           [(b.kind, b.start, b.end, b.table_id, b.row) for b in doc.blocks]
    assert _rows(analyze(rebuilt, pipeline_version="v", ingested_at=when)) == _rows(from_file)


def test_table_rows_get_their_column_headers_back():
    header, row = "序号\t主要任务\t完成时限\t责任单位", "1\t开展排查\t2024年9月底前\t市教育局牵头"
    text = f"{header}\n{row}"
    stored = StoredDocument("d", "x.txt", "txt", text, None, None, False, dt.datetime(2024, 1, 1), "v",
                            blocks=[(0, "table_row", 0, len(header), None, 0, 0, 0),
                                    (1, "table_row", len(header) + 1, len(text), None, 0, 1, len(header) + 1)])
    doc = rebuild_document(stored)
    cells = doc.blocks[1].cells
    assert [(c.col, text[c.start:c.end], c.header) for c in cells] == [
        (0, "1", "序号"), (1, "开展排查", "主要任务"), (2, "2024年9月底前", "完成时限"), (3, "市教育局牵头", "责任单位")]


def test_a_merged_header_cell_names_the_columns_it_covered():
    """A header row with fewer cells than the data rows lost a merged cell: its labels name the
    rightmost columns, and the first label also covers the columns left of it."""
    header, row = "主要工作任务\t时限\t责任单位", "一、整治\t（一）排查\t全面排查\t2020年4月底前\t市教育局"
    text = f"{header}\n{row}"
    stored = StoredDocument("d", "x.docx", "docx", text, None, None, False, dt.datetime(2024, 1, 1), "v",
                            blocks=[(0, "table_row", 0, len(header), None, 0, 0, None),
                                    (1, "table_row", len(header) + 1, len(text), None, 0, 1, None)])
    doc = rebuild_document(stored)
    assert [c.header for c in doc.blocks[1].cells] == ["主要工作任务"] * 3 + ["时限", "责任单位"]
    assert [c.col for c in doc.blocks[0].cells] == [2, 3, 4]


def test_reprocess_command(stored):
    from typer.testing import CliRunner

    from pipeline.cli.watch import standalone_app

    db, _ = stored
    result = CliRunner().invoke(standalone_app(), ["reprocess", "--db", str(db), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "reprocessed 2 of 2 stale documents" in result.output
    again = CliRunner().invoke(standalone_app(), ["reprocess", "--db", str(db), "--workers", "0"])
    assert "reprocessed 0 of 0 stale documents" in again.output

