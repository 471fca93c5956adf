"""Faults during an ingest: a kill -9 mid-batch, a second process while a writer is active, an
extractor that raises on one document, links that leave the folder given."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipeline.cli.main import app
from pipeline.runs.ingest import run_ingest
from schemas.records import TABLES
from tests.conftest import CORPUS, ROOT, SEED_NAMES

# the console script of the environment running the tests (.venv/bin/obligations)
OBLIGATIONS = Path(sys.executable).with_name("obligations")
CHILD_TABLES = ["blocks", "obligations", "obligation_units", "deadlines", "quotas", "citations"]
# rows that belong to an obligation as well as to a document (obligation_id NULL: none governed)
OBLIGATION_CHILDREN = ["obligation_units", "deadlines", "quotas", "citations"]
KILL_CORPUS_SIZE = 24  # extraction overlaps storing: enough documents that the kill comes mid-run
# Rich wraps an error at the terminal width; a wide one keeps "database <long tmp path> is busy" on
# one line so the message can be matched as a whole.
CLI_ENV = {**os.environ, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}


# --- helpers -----------------------------------------------------------------------------------


def varied_seed_copies(folder: Path, n: int, seed: int = 11) -> Path:
    """`n` varied copies of the seed documents (bench/make_corpus.py's variation: places, years,
    days, counts, paragraph order), so every copy has its own bytes and is its own document; one
    is typeset as a PDF and one as a DOCX, the rest stay text."""
    from bench.make_corpus import load_areas, rendered, sources, varied_copy

    seeds = [s for s in sources() if s.path.parent == CORPUS]
    areas = load_areas()
    folder.mkdir(parents=True, exist_ok=True)
    digests = set()
    for index in range(n):
        source = seeds[index % len(seeds)]
        fmt = {1: "pdf", 3: "docx"}.get(index, "txt")
        data = rendered(varied_copy(source, source.path.read_text(encoding="utf-8"), index, seed, areas,
                                    contact=True), source, fmt)
        digests.add(hashlib.sha256(data).hexdigest())
        (folder / f"{index:02d}-{source.stem}.{fmt}").write_bytes(data)
    assert len(digests) == n, "two copies came out identical"
    return folder


def start_cli(*args: str, cwd: Path, log: Path, command: tuple[str, ...] = (str(OBLIGATIONS),)) -> subprocess.Popen:
    """`obligations ARGS` (or another `command`) in a child process, its stdout and stderr into `log`."""
    with log.open("wb") as out:
        return subprocess.Popen([*command, *args], cwd=cwd, env=CLI_ENV, stdout=out, stderr=subprocess.STDOUT)


def read_only(db: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection, or None while a writer holds the file (what a reader sees)."""
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return None
        raise


def stored_documents(db: Path) -> int | None:
    """Documents committed so far; None when the file is locked or has no schema yet."""
    if not db.exists():
        return None
    con = read_only(db)
    if con is None:
        return None
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def per_document_rows(con) -> dict[str, dict[str, int]]:
    """{doc_id: {table: rows}} for every stored document."""
    counts = {d: {} for (d,) in con.execute("SELECT doc_id FROM documents").fetchall()}
    for table in CHILD_TABLES:
        for doc_id, n in con.execute(f"SELECT doc_id, count(*) FROM {table} GROUP BY 1").fetchall():
            counts.setdefault(doc_id, {})[table] = n
    return {d: {t: c.get(t, 0) for t in CHILD_TABLES} for d, c in counts.items()}


def content_digest(con) -> dict[str, tuple]:
    """Row count and an order-independent hash of every document table (ingested_at aside)."""
    out = {}
    for table in ["documents", *CHILD_TABLES]:
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "ingested_at"]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = con.execute(f"SELECT count(*), sum(hash({quoted})) FROM {table}").fetchone()
    return out


def integrity_problems(con) -> list[str]:
    """Duplicates by each table's key, rows whose document is not stored, rows naming an obligation
    that is not stored (or that belongs to another document)."""
    problems = []
    for model in TABLES:
        key = ", ".join(f'"{k}"' for k in model.__key__)
        dupes = con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {model.__table__} GROUP BY ALL "
                            "HAVING count(*) > 1)").fetchone()[0]
        if dupes:
            problems.append(f"{model.__table__}: {dupes} duplicated keys ({key})")
    paths = con.execute("SELECT count(*) - count(DISTINCT source_path) FROM documents").fetchone()[0]
    if paths:
        problems.append(f"documents: {paths} source paths stored twice")
    for table in CHILD_TABLES:
        n = con.execute(f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
        if n:
            problems.append(f"{table}: {n} rows without their document")
    for table in OBLIGATION_CHILDREN:
        n = con.execute(f"""SELECT count(*) FROM {table} x WHERE x.obligation_id IS NOT NULL AND NOT EXISTS
                            (SELECT 1 FROM obligations o WHERE o.obligation_id = x.obligation_id
                             AND o.doc_id = x.doc_id)""").fetchone()[0]
        if n:
            problems.append(f"{table}: {n} rows without their obligation")
    return problems


# --- (a) kill -9 mid-batch -----------------------------------------------------------------------


def kill_while_writing(proc: subprocess.Popen, db: Path, timeout: float = 150.0) -> bool:
    """SIGKILL `proc` once it has committed two documents, preferably while it holds the database
    open for writing (a reader is locked out then: measured, that moment is caught nearly always).
    False when the run ended first (on an idle machine the last batches can outrun the poll)."""
    deadline = time.monotonic() + timeout
    while (stored_documents(db) or 0) < 2:
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "no documents stored in time"
        time.sleep(0.1)
    # a store takes a few hundred ms: poll fast for it, but kill anyway if it does not come, or when
    # the run is about to end (extraction overlaps storing: the last batches follow fast)
    until = time.monotonic() + 8.0
    while time.monotonic() < until:
        con = read_only(db)
        if con is None:
            break
        try:
            nearly_done = con.execute("SELECT count(*) FROM documents").fetchone()[0] >= KILL_CORPUS_SIZE // 2
        finally:
            con.close()
        if nearly_done:
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return proc.returncode == -signal.SIGKILL


def test_kill_9_mid_batch_then_a_rerun_finishes_the_batch_without_damage(tmp_path):
    folder = varied_seed_copies(tmp_path / "batch", KILL_CORPUS_SIZE)
    killed_db, clean_db = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    args = ("--no-prefect", "--batch-size", "2")

    # the poll sees the database only between the writer's stores: on a loaded machine its first look
    # can come when every document is stored and the run is only closing, and on an idle one the run
    # can end before the kill. Neither is a kill mid-batch, so the run is tried again on a fresh
    # database (the moment of the kill is what varies)
    stored_at_kill = None
    for attempt in range(3):
        for leftover in (killed_db, killed_db.with_name(killed_db.name + ".wal")):
            leftover.unlink(missing_ok=True)
        victim = start_cli("ingest", str(folder), "--db", str(killed_db), *args, cwd=tmp_path,
                           log=tmp_path / "victim.log")
        if not kill_while_writing(victim, killed_db):
            assert victim.returncode == 0, (tmp_path / "victim.log").read_text(encoding="utf-8")
            continue  # the run ended first
        assert victim.returncode == -signal.SIGKILL
        stored_at_kill = stored_documents(killed_db)
        assert stored_at_kill is not None and 2 <= stored_at_kill
        if stored_at_kill < KILL_CORPUS_SIZE:
            break
    assert stored_at_kill is not None, "three runs all ended before they could be killed"
    assert stored_at_kill < KILL_CORPUS_SIZE, "three kills all came after the last document was stored"

    # the rerun, and side by side the reference: a clean run of the same batch into another database
    # (started together, so both run the same extractors even while someone edits the checkout)
    rerun = start_cli("ingest", str(folder), "--db", str(killed_db), *args, cwd=tmp_path, log=tmp_path / "rerun.log")
    clean = start_cli("ingest", str(folder), "--db", str(clean_db), *args, cwd=tmp_path, log=tmp_path / "clean.log")
    for proc, name in [(rerun, "rerun"), (clean, "clean")]:
        assert proc.wait(timeout=180) == 0, (tmp_path / f"{name}.log").read_text(encoding="utf-8")

    killed, reference = duckdb.connect(str(killed_db), read_only=True), duckdb.connect(str(clean_db), read_only=True)
    try:
        assert integrity_problems(killed) == []
        assert killed.execute("SELECT count(*) FROM ingest_errors").fetchone()[0] == 0
        runs = killed.execute("SELECT status, n_new, n_unchanged + n_replaced FROM ingest_runs "
                              "ORDER BY started_at").fetchall()
        # the killed run is marked interrupted by the rerun (its counts are those of its last finished
        # batch), and the rerun stored exactly what was missing; what was stored before is unchanged
        # (or replaced, when an extractor changed in between: the version differs then)
        assert [status for status, _, _ in runs] == ["interrupted", "completed"]
        assert runs[0][1] <= stored_at_kill
        assert runs[1][1:] == (KILL_CORPUS_SIZE - stored_at_kill, stored_at_kill)
        versions = {db: con.execute("SELECT DISTINCT pipeline_version FROM documents").fetchall()
                    for db, con in [("killed", killed), ("clean", reference)]}
        assert versions["killed"] == versions["clean"], f"the extractors changed during the test: {versions}"
        assert per_document_rows(killed) == per_document_rows(reference)
        assert len(per_document_rows(killed)) == KILL_CORPUS_SIZE
        assert content_digest(killed) == content_digest(reference)
    finally:
        killed.close()
        reference.close()


# --- (b) a busy database --------------------------------------------------------------------------

HOLD_THE_WRITE_SIDE = """
import sys
from pathlib import Path
from pipeline import store
db = Path(sys.argv[1])
with store.writer_lock(db, "ingest"), store.open_for_writing(db) as con:
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_a_second_writer_and_a_reader_get_a_clear_busy_message_and_nothing_is_damaged(tmp_path):
    db = tmp_path / "busy.duckdb"
    run_ingest([str(CORPUS / SEED_NAMES[0])], db)
    with duckdb.connect(str(db), read_only=True) as con:
        before = content_digest(con)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / SEED_NAMES[1], inbox / "new.txt")

    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_SIDE, str(db)], cwd=ROOT, env=CLI_ENV,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        procs = {
            "ingest": start_cli("ingest", str(inbox), "--db", str(db), "--no-prefect",
                                cwd=tmp_path, log=tmp_path / "ingest.log"),
            "sql": start_cli("sql", "SELECT count(*) FROM documents", "--db", str(db),
                             cwd=tmp_path, log=tmp_path / "sql.log"),
            # `watch` is not on the `obligations` app yet (pipeline/cli/main.py registers only the analyst
            # commands); its own entry point is the documented way to run it
            "watch": start_cli("watch", "--inbox", str(inbox), "--db", str(db), "--once", "--settle", "0",
                               cwd=tmp_path, log=tmp_path / "watch.log",
                               command=(sys.executable, "-m", "pipeline.cli.watch")),
        }
        for name, proc in procs.items():
            code = proc.wait(timeout=120)
            output = (tmp_path / f"{name}.log").read_text(encoding="utf-8")
            assert code != 0, (name, output)
            assert "Traceback" not in output, (name, output)
            assert f"database {db} is busy (ingest running since " in output, (name, output)
            assert f"pid {holder.pid}" in output, (name, output)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert holder.returncode == 0

    with duckdb.connect(str(db), read_only=True) as con:
        assert content_digest(con) == before
        assert integrity_problems(con) == []
    after = CliRunner().invoke(app, ["ingest", str(inbox), "--db", str(db), "--no-prefect"])
    assert after.exit_code == 0 and "new 1" in after.output, after.output


# --- (c) an extractor that raises on one document --------------------------------------------------

MARKER = "（本段文字触发故障测试）"


def test_an_extractor_raising_on_one_document_fails_that_document_only(tmp_path, monkeypatch, caplog):
    from extractors import quotas

    folder = tmp_path / "batch"
    folder.mkdir()
    for name in SEED_NAMES[:3]:
        shutil.copy(CORPUS / name, folder / name)
    victim = folder / SEED_NAMES[1]
    victim.write_text(victim.read_text(encoding="utf-8") + MARKER + "\n", encoding="utf-8")
    victim_id = hashlib.sha256(victim.read_bytes()).hexdigest()

    real_extract = quotas.extract

    def extract_with_a_bug(text, ctx):
        if MARKER in text:
            raise ZeroDivisionError("simulated extractor bug")
        return real_extract(text, ctx)

    monkeypatch.setattr(quotas, "extract", extract_with_a_bug)
    db = tmp_path / "x.duckdb"
    with caplog.at_level(logging.ERROR, logger="policy_obligations"):
        summary = run_ingest([str(folder)], db, batch_size=3, workers=0)  # in this process, patched
    assert (summary.new, summary.failed) == (2, 1)

    logged = [r for r in caplog.records if str(victim) in r.getMessage()]
    assert len(logged) == 1
    assert "Traceback" in logged[0].getMessage() and "ZeroDivisionError: simulated extractor bug" in logged[0].getMessage()
    assert "extract_with_a_bug" in logged[0].getMessage()  # the frame that raised is in the log

    with duckdb.connect(str(db), read_only=True) as con:
        errors = con.execute("SELECT path, kind, message FROM ingest_errors").fetchall()
        assert len(errors) == 1
        path, kind, message = errors[0]
        assert (path, kind) == (str(victim), "extraction_error")
        assert str(victim) in message and "ZeroDivisionError" in message
        for table in ["documents", *CHILD_TABLES]:
            assert con.execute(f"SELECT count(*) FROM {table} WHERE doc_id = ?", [victim_id]).fetchone()[0] == 0, table
        stored = sorted(Path(p).name for (p,) in con.execute("SELECT source_path FROM documents").fetchall())
        assert stored == sorted(n for n in SEED_NAMES[:3] if n != victim.name)
        assert integrity_problems(con) == []

    # an extraction error is not a property of the bytes: once the bug is fixed the file is read again
    monkeypatch.undo()
    again = run_ingest([str(folder)], db)
    assert (again.new, again.unchanged, again.failed, again.skipped) == (1, 2, 0, 0)


def test_rows_an_extractor_got_wrong_fail_that_document_only(tmp_path, monkeypatch):
    import extractors.analyze

    folder = tmp_path / "batch"
    folder.mkdir()
    for name in SEED_NAMES[:3]:
        shutil.copy(CORPUS / name, folder / name)
    victim = str(folder / SEED_NAMES[1])
    real_analyze = extractors.analyze.analyze

    def analyze_with_a_duplicate(doc, **kwargs):
        extraction = real_analyze(doc, **kwargs)
        if doc.source_path == victim:  # the same obligation twice: its key is stored twice
            extraction.obligations.append(extraction.obligations[0])
        return extraction

    monkeypatch.setattr(extractors.analyze, "analyze", analyze_with_a_duplicate)
    db = tmp_path / "x.duckdb"
    # in this process, patched; one batch: its transaction fails, then one by one
    summary = run_ingest([str(folder)], db, batch_size=3, workers=0)
    assert (summary.new, summary.failed) == (2, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        errors = con.execute("SELECT path, kind, message FROM ingest_errors").fetchall()
        assert [(p, k) for p, k, _ in errors] == [(victim, "store_error")]
        assert errors[0][2].startswith(f"{victim}: storing failed")
        assert victim not in {p for (p,) in con.execute("SELECT source_path FROM documents").fetchall()}
        assert integrity_problems(con) == []


# --- (d) links leaving the folder given -----------------------------------------------------------


def test_a_symlink_leaving_the_folder_is_read_only_with_follow_symlinks(tmp_path):
    folder, outside = tmp_path / "given", tmp_path / "elsewhere"
    (outside / "sub").mkdir(parents=True)
    folder.mkdir()
    shutil.copy(CORPUS / SEED_NAMES[0], folder / "inside.txt")
    shutil.copy(CORPUS / SEED_NAMES[2], outside / "secret.txt")
    shutil.copy(CORPUS / SEED_NAMES[3], outside / "sub" / "deeper.txt")
    os.symlink(outside / "secret.txt", folder / "link-to-file.txt")
    os.symlink(os.path.relpath(outside / "sub", folder), folder / "link-to-folder")  # ../elsewhere/sub

    def stored_names(db: Path) -> list[str]:
        with duckdb.connect(str(db), read_only=True) as con:
            return sorted(Path(p).name for (p,) in con.execute("SELECT source_path FROM documents").fetchall())

    runner = CliRunner()
    plain = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "plain.duckdb"), "--no-prefect"])
    assert plain.exit_code == 0, plain.output
    assert "links leaving the paths" in plain.output
    assert stored_names(tmp_path / "plain.duckdb") == ["inside.txt"]

    followed = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "followed.duckdb"), "--no-prefect",
                                   "--follow-symlinks"])
    assert followed.exit_code == 0, followed.output
    # a file link is followed when asked; a folder link never is (a loop could hang the walk)
    assert stored_names(tmp_path / "followed.duckdb") == ["inside.txt", "link-to-file.txt"]



def test_ctrl_c_during_a_prefect_run_ends_the_command_at_once():
    """Under Prefect, Ctrl-C ends the command at once with 130 and one line (the batches stored are
    kept; the next run marks this one interrupted): left to Prefect it retried reporting to the
    ephemeral server the same Ctrl-C had stopped, for about 70 s, with pages of tracebacks.
    (Measured with a real run of 312 files: exit 1.2 s after Ctrl-C, the next run stored the rest.)"""
    code = ("import os, signal, time\n"
            "from pipeline.cli.main import _ctrl_c_ends_at_once\n"
            "with _ctrl_c_ends_at_once():\n"
            "    os.kill(os.getpid(), signal.SIGINT)\n"
            "    time.sleep(30)\n")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 130 and time.monotonic() - started < 20, result
    assert "interrupted: the batches stored so far are kept" in result.stderr and "Traceback" not in result.stderr


def test_info_shows_a_killed_runs_record_as_interrupted_without_writing(tmp_path):
    """A run killed with SIGKILL leaves its record `running` until the next write; `info` tells it
    from a live run by the write lock (opened for reading, nothing written)."""
    from pipeline import store
    db = tmp_path / "k.duckdb"
    run_ingest([str(CORPUS / SEED_NAMES[0])], db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE ingest_runs SET status = 'running'")
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    wide = {"COLUMNS": "250"}
    result = CliRunner().invoke(app, ["info", "--db", str(db)], env=wide)
    assert result.exit_code == 0 and "interrupted" in result.output and "running" not in result.output, result.output
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    with store.writer_lock(db, "ingest"):
        result = CliRunner().invoke(app, ["info", "--db", str(db)], env=wide)
    assert "running" in result.output and "interrupted" not in result.output, result.output
