"""A reader holding the database (a notebook's `connect()`) makes a running ingest wait and retry,
with a message naming the reader — never the ingest itself — instead of aborting the run."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS, ROOT, SEED_NAMES

HOLD_A_READ_CONNECTION = """
import sys, time
from pipeline import connect
con = connect(sys.argv[1])
print("reading", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_reader_makes_the_ingest_wait_and_is_named(tmp_path):
    db = tmp_path / "w.duckdb"
    run_ingest([str(CORPUS / SEED_NAMES[0])], db)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in SEED_NAMES[1:4]:
        (inbox / name).write_bytes((CORPUS / name).read_bytes())
    reader = subprocess.Popen([sys.executable, "-c", HOLD_A_READ_CONNECTION, str(db), "12"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        started = time.monotonic()
        ingest = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "ingest", str(inbox), "--db", str(db),
                                 "--no-prefect"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        waited = time.monotonic() - started
    finally:
        reader.wait(timeout=60)
    output = ingest.stdout + ingest.stderr
    assert ingest.returncode == 0, output
    assert "new 3" in output, output
    assert f"pid {reader.pid}" in output and "waiting" in output, output  # the reader, named
    assert "Traceback" not in output
    assert waited > 5  # it waited for the reader rather than giving up
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4


def test_a_reader_that_never_lets_go_ends_the_run_with_its_name(tmp_path, monkeypatch):
    """A reader holding on past the writer's patience: the run stops with a message naming it."""
    import pipeline.store.database as database

    db = tmp_path / "w.duckdb"
    run_ingest([str(CORPUS / SEED_NAMES[0])], db)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "x.txt").write_bytes((CORPUS / SEED_NAMES[1]).read_bytes())
    reader = subprocess.Popen([sys.executable, "-c", HOLD_A_READ_CONNECTION, str(db), "60"], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        monkeypatch.setattr(database, "WRITER_WAIT", 3.0)
        from pipeline.errors import DatabaseBusy
        try:
            run_ingest([str(inbox)], db)
            raise AssertionError("the run did not stop")
        except DatabaseBusy as exc:
            message = str(exc)
    finally:
        reader.kill()
        reader.wait()
    assert f"pid {reader.pid}" in message and "read" in message, message
    import os
    assert f"pid {os.getpid()}" not in message  # not the ingest itself
