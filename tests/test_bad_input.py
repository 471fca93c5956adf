"""The whole bad-input corpus (tests/data/make_bad_corpus.py) ingested together with the good corpus:
each bad file gets exactly the error its manifest names, every good file is stored, the run's
counts add up; and docs/LIMITS.md documents the read limits that produce those errors."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import duckdb
import pytest

import pipeline.runs.ingest
from pipeline.errors import DecompressionLimit, TooLarge
from pipeline.readers import read_document
from pipeline.readers.normalize import normalize_text
from pipeline.runs.process import process_file
from pipeline.settings import ReadLimits
from tests.conftest import CORPUS, ROOT, corpus_files

GENERATOR = ROOT / "tests" / "data" / "make_bad_corpus.py"
LIMITS_DOC = ROOT / "docs" / "LIMITS.md"
CHILD_TABLES = ["blocks", "obligations", "obligation_units", "deadlines", "quotas", "citations"]
# PDFs the manifest expects to be read in full although damaged or encrypted: same text as control.pdf
SAME_TEXT_AS_CONTROL_PDF = ["truncated-no-startxref.pdf", "encrypted-owner-password-only.pdf"]


def load_generator():
    """tests/data is no package: the generator script is loaded by path."""
    spec = importlib.util.spec_from_file_location("make_bad_corpus", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


gen = load_generator()


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("bad")
    gen.generate(outdir)
    return outdir


def test_bad_and_good_files_in_one_run(bad_corpus, tmp_path, monkeypatch):
    manifest = gen.load_manifest(bad_corpus)
    path_of = {e["path"]: str(bad_corpus / e["path"]) for e in manifest}
    expected_errors = {path_of[e["path"]]: e["kind"] for e in manifest if e["expect"] == "error"}
    expected_bad_ingested = {path_of[e["path"]] for e in manifest if e["expect"] == "ingested"}
    skipped = {path_of[e["path"]] for e in manifest if e["expect"] == "skipped"}
    good = {str(p) for p in corpus_files()}
    assert len(good) >= 5 and expected_errors and expected_bad_ingested and skipped

    # the vanished file: listed, then deleted, then read
    dynamic = [Path(path_of[e["path"]]) for e in manifest if e.get("dynamic")]
    list_documents = pipeline.runs.ingest.list_documents

    def list_then_delete(paths, follow_symlinks=False):
        listing = list_documents(paths, follow_symlinks=follow_symlinks)
        for path in dynamic:
            assert str(path) in listing.files
            path.unlink()
        return listing

    monkeypatch.setattr(pipeline.runs.ingest, "list_documents", list_then_delete)
    db = tmp_path / "bad.duckdb"
    summary = pipeline.runs.ingest.run_ingest([str(bad_corpus), str(CORPUS)], db, batch_size=8)

    n_stored = len(expected_bad_ingested) + len(good)
    assert summary.n_files == len(expected_errors) + n_stored
    assert (summary.new, summary.failed, summary.unchanged, summary.replaced, summary.skipped) == \
        (n_stored, len(expected_errors), 0, 0, 0)
    assert skipped <= set(summary.ignored)  # the loop link: neither read nor an error
    assert {p for p in summary.ignored if p.startswith(str(bad_corpus))} == skipped | {str(bad_corpus / "manifest.json")}

    con = duckdb.connect(str(db), read_only=True)
    try:
        errors = con.execute("SELECT path, kind, message FROM ingest_errors").fetchall()
        assert len(errors) == len({path for path, _, _ in errors})  # one row per bad file
        assert {path: kind for path, kind, _ in errors} == expected_errors
        for path, _, message in errors:
            assert path in message, message  # the message names the file

        stored = dict(con.execute("SELECT source_path, text FROM documents").fetchall())
        assert len(stored) == con.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert set(stored) == expected_bad_ingested | good
        for table in CHILD_TABLES:
            orphans = con.execute(f"SELECT count(*) FROM {table} WHERE doc_id NOT IN "
                                  "(SELECT doc_id FROM documents)").fetchone()[0]
            assert orphans == 0, table

        runs = con.execute("SELECT status, n_new, n_failed, n_unchanged, n_replaced FROM ingest_runs").fetchall()
        assert runs == [("completed", n_stored, len(expected_errors), 0, 0)]
    finally:
        con.close()

    # "ingested" means read right: every text file decodes to real paragraphs of the seeds, and the
    # damaged or owner-locked PDFs give the text of the intact one
    paragraphs = [normalize_text(p).text for p in gen.policy_paragraphs()]
    for path in sorted(expected_bad_ingested):
        if path.endswith(".txt"):
            assert sum(p in stored[path] for p in paragraphs) >= 3, path
    control = stored[path_of["control.pdf"]]
    assert control and all(stored[path_of[name]] == control for name in SAME_TEXT_AS_CONTROL_PDF)
    assert stored[path_of["utf8-invalid-bytes.txt"]].count("\ufffd") <= 3


# --- the read limits ------------------------------------------------------------------------------

# each limit, lowered until a control file of the bad corpus exceeds it, and the error it gives then
LOWERED_LIMITS = [
    ("max_file_bytes", 1_000, "gb18030.txt", TooLarge),
    ("max_pages", 3, "control.pdf", TooLarge),
    ("max_decompressed_bytes", 1_000, "control.docx", DecompressionLimit),
    ("max_chars", 100, "control.docx", TooLarge),
    ("max_chars", 100, "control.pdf", TooLarge),
    ("max_chars", 100, "utf16le-bom.txt", TooLarge),
    ("max_docx_blocks", 5, "control.docx", TooLarge),
]


@pytest.mark.parametrize("setting, value, name, error", LOWERED_LIMITS)
def test_each_read_limit_gives_the_documented_error(bad_corpus, setting, value, name, error):
    path = bad_corpus / name
    read_document(path)  # within the defaults
    with pytest.raises(error) as raised:
        read_document(path, ReadLimits(**{setting: value}))
    assert str(path) in str(raised.value) and f"{value:,}" in str(raised.value)
    assert f"`{error.kind}`" in documented_limits()[setting]


def documented_limits() -> dict[str, str]:
    """The table of docs/LIMITS.md's "The limits" section: setting name -> its row."""
    section = LIMITS_DOC.read_text(encoding="utf-8").split("\n## The limits", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\|\s*`(\w+)`\s*\|.*$", section, re.M)}


def test_limits_doc_lists_every_setting_with_its_default():
    rows = documented_limits()
    assert set(rows) == set(ReadLimits.model_fields)
    for name, field in ReadLimits.model_fields.items():
        assert f"{field.default:_}" in rows[name].replace(",", "_"), (name, rows[name])


def test_a_file_refused_by_a_limit_is_read_once_the_limit_is_raised(bad_corpus, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notice.txt").write_bytes((bad_corpus / "gb18030.txt").read_bytes())
    db = tmp_path / "limits.duckdb"
    refused = pipeline.runs.ingest.run_ingest([str(folder)], db, limits=ReadLimits(max_file_bytes=1_000))
    assert [kind for _, kind, _ in refused.errors] == ["too_large"]
    raised = pipeline.runs.ingest.run_ingest([str(folder)], db)
    assert (raised.new, raised.skipped) == (1, 0)


SPACY_MAX_LENGTH = 1_000_000  # spaCy's default nlp.max_length, in characters


def test_a_long_document_within_the_read_limits_is_stored_or_refused_up_front(tmp_path):
    paragraphs = gen.policy_paragraphs()
    body, n = [], 0
    while n <= SPACY_MAX_LENGTH:
        body.append(paragraphs[len(body) % len(paragraphs)])
        n += len(body[-1]) + 1
    path = tmp_path / "long.txt"
    path.write_text("关于印发工作方案的通知\n" + "\n".join(body) + "\n", encoding="utf-8")
    assert path.stat().st_size < ReadLimits().max_file_bytes and n < ReadLimits().max_chars
    outcome = process_file(str(path))
    assert outcome.status == "extracted" or outcome.error_kind == "too_large", outcome.message


def test_a_file_over_the_size_limit_is_refused_by_its_size_without_being_read(bad_corpus, tmp_path, monkeypatch):
    """A 20 GB file in an inbox: refused (too_large) at every run, but never hashed or read for it."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    big = folder / "big.txt"
    big.write_bytes((bad_corpus / "gb18030.txt").read_bytes())
    read = []
    real = pipeline.runs.ingest.file_sha256
    monkeypatch.setattr(pipeline.runs.ingest, "file_sha256", lambda p: read.append(str(p)) or real(p))
    summary = pipeline.runs.ingest.run_ingest([str(folder)], tmp_path / "s.duckdb",
                                              limits=ReadLimits(max_file_bytes=1_000))
    assert [kind for _, kind, _ in summary.errors] == ["too_large"]
    assert read == []
