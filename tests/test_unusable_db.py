"""A `--db` that cannot be stored into stops `ingest` with one clear message and exit code 2, never
a traceback: a file that is not a DuckDB database, a folder, a DuckDB database of another program
(left as it was: no table of ours is added to it); and under Prefect (the default command) a full
disk is one message too, without the tracebacks of Prefect's task and flow logs. (A full disk and
a read-only folder with --no-prefect: tests/test_outputs.py.)"""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS, ROOT

SEED = CORPUS / "jiangsu-2024-184-notice.txt"


def ingest(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", "ingest", str(SEED), "--db", str(db),
                           "--no-prefect"], capture_output=True, text=True, cwd=ROOT, timeout=300)


def assert_clear(result: subprocess.CompletedProcess, *phrases: str) -> None:
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert "Traceback" not in said and "╭" not in said, said  # neither Python's nor rich's traceback
    assert "error: cannot store into" in result.stderr, said
    for phrase in phrases:
        assert phrase in " ".join(said.split()), said


def test_a_file_that_is_not_a_database(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    assert_clear(ingest(notes), "not a DuckDB database")
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_a_folder(tmp_path):
    folder = tmp_path / "folder.duckdb"
    folder.mkdir()
    assert_clear(ingest(folder), "Is a directory")


def test_a_database_of_another_program_is_left_alone(tmp_path):
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE accounts AS SELECT 1 AS id")
    assert_clear(ingest(other), "a DuckDB database of something else", "nothing was written into it")
    with duckdb.connect(str(other), read_only=True) as con:
        assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("accounts",)]


def test_under_prefect_a_full_disk_is_one_message_too(prefect_harness, tmp_path, monkeypatch):
    """Prefect logs the failed task and flow with their message, not their traceback. (The file size
    limit of test_outputs would stop Prefect's own server: here the commit fails as DuckDB reports
    ENOSPC.)"""
    from pipeline import store
    from pipeline.flows import quiet_run_errors
    from pipeline.flows.ingest import ingest_flow

    def full_disk(con, documents):
        raise duckdb.TransactionException(f'TransactionContext Error: Failed to commit: Could not write file '
                                          f'"{tmp_path}/p.duckdb.wal": No space left on device')

    class Keep(logging.Handler):  # sees a record as Prefect's console handler does: after the loggers' filters
        def emit(self, record):
            logged.append(record)

    logged: list[logging.LogRecord] = []
    monkeypatch.setattr(store, "store_documents", full_disk)
    quiet_run_errors()
    keep = Keep()
    runs = [logging.getLogger("prefect.task_runs"), logging.getLogger("prefect.flow_runs")]
    for logger in runs:
        logger.addHandler(keep)
    try:
        with pytest.raises(duckdb.TransactionException, match="No space left on device"):
            ingest_flow([str(SEED)], str(tmp_path / "p.duckdb"))
    finally:
        for logger in runs:
            logger.removeHandler(keep)
    logged = [r for r in logged if "No space left" in r.getMessage()]
    assert logged
    assert all(r.exc_info is None and not r.exc_text for r in logged), [r.name for r in logged if r.exc_info]


def _command(capsys, *args: str) -> tuple[int, str]:
    """(exit code, everything printed) of `obligations ARGS` as the console script runs it (main)."""
    from pipeline.cli.main import main
    capsys.readouterr()
    argv = sys.argv
    sys.argv = ["obligations", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_database_with_a_dropped_table(tmp_path, capsys):
    """A table dropped by hand: the commands that read it say so in one line (exit 2, no traceback),
    and the next ingest re-creates it (empty) instead of failing every document."""
    db = tmp_path / "d.duckdb"
    run_ingest([str(SEED)], db, workers=0)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE quotas")
    for args in (["info"], ["panel"], ["eval", "--gold", str(ROOT / "tests" / "gold" / "seeds")]):
        code, said = _command(capsys, *args, "--db", str(db))
        assert code == 2 and "Traceback" not in said and "╭" not in said, said
        assert "lacks something this command reads" in " ".join(said.split()) and "quotas" in said, said
    other = CORPUS / "shanxi-2022-52-notice.txt"
    code, said = _command(capsys, "ingest", str(other), "--db", str(db), "--no-prefect")
    assert code == 0 and "failed 0" in said, said
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quotas").fetchone()[0] > 0  # the new document's


def test_an_empty_query_an_unknown_option_value_and_a_negative_wait_are_usage_errors(tmp_path, capsys):
    db = tmp_path / "d.duckdb"
    run_ingest([str(SEED)], db, workers=0)
    for args in (["sql", "", "--db", str(db)], ["sql", " ;", "--db", str(db)]):
        code, said = _command(capsys, *args)
        assert code == 2 and "the query is empty" in said, said
    code, said = _command(capsys, "sql", "SELECT 1", "--format", "xml", "--db", str(db))
    assert code == 2 and "unknown format 'xml'" in said, said
    code, said = _command(capsys, "ingest", str(SEED), "--runner", "foo", "--db", str(db))
    assert code == 2 and "unknown runner 'foo'" in said, said
    for value in ("-5", "nan"):
        code, said = _command(capsys, "watch", "--inbox", str(tmp_path), "--once", "--settle", value, "--db", str(db))
        assert code == 2 and "not a number of seconds" in " ".join(said.split()) and "Traceback" not in said, said
