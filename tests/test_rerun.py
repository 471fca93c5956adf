"""A repeat run that finds nothing new starts no Prefect: the files are hashed and compared with what
is stored before any orchestration (pipeline/runs/plan.py); with work, a local server left running by
`obligations serve` is used instead of Prefect's ephemeral one. Speed is measured in `make bench`
(step rerun), not here."""
from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline import connect
from pipeline.flows import serve
from pipeline.runs.plan import files_to_read
from tests.conftest import CORPUS, ROOT, corpus_files


@pytest.fixture()
def stored(corpus_db, tmp_path) -> Path:
    """A copy of the corpus database (this module adds runs to it)."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(corpus_db, db)
    return db


def test_nothing_to_read_when_every_file_is_stored(stored):
    assert files_to_read([str(CORPUS)], stored) == 0


def test_new_changed_and_unstored_files_are_work(stored, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    seed = CORPUS / "zibo-2020-34-opinion.txt"
    shutil.copy(seed, folder / "same-bytes-other-name.txt")
    assert files_to_read([str(folder)], stored) == 0  # known by its bytes, not its name
    (folder / "changed.txt").write_text(seed.read_text(encoding="utf-8") + "\n各区县要于2021年底前完成。",
                                        encoding="utf-8")
    assert files_to_read([str(folder)], stored) == 1
    assert files_to_read([str(CORPUS)], tmp_path / "none.duckdb") == len(corpus_files())


def test_a_document_of_an_older_pipeline_version_is_work(stored):
    import duckdb
    con = duckdb.connect(str(stored))
    con.execute("UPDATE document_records SET pipeline_version = '0.0.0+old' WHERE source_path LIKE '%zibo-2020-34-opinion.txt'")
    con.close()
    assert files_to_read([str(CORPUS)], stored) == 1


def test_a_file_that_failed_with_the_same_bytes_is_not_work(tmp_path):
    from pipeline.runs.ingest import run_ingest
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    db = tmp_path / "bad.duckdb"
    assert files_to_read([str(folder)], db) == 1
    assert run_ingest([str(folder)], db).failed == 1
    assert files_to_read([str(folder)], db) == 0


def test_the_default_command_records_an_unchanged_run_without_starting_prefect(stored):
    """In a fresh process, as a person runs it: Prefect is never imported, the run is recorded."""
    code = ("import sys\nfrom pipeline.cli.main import app\n"
            f"sys.argv = ['obligations', 'ingest', {str(CORPUS)!r}, '--db', {str(stored)!r}]\n"
            "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print('prefect imported:', 'prefect' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"unchanged {len(corpus_files())}" in out.stdout
    assert "prefect imported: False" in out.stdout
    con = connect(stored)
    last = con.execute("SELECT status, n_unchanged, n_new FROM ingest_runs ORDER BY started_at DESC LIMIT 1").fetchone()
    con.close()
    assert last == ("completed", len(corpus_files()), 0)


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args):
        pass


@pytest.fixture()
def answering_server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    httpd.shutdown()
    httpd.server_close()


def test_a_server_announced_by_serve_is_found_while_it_lives(tmp_path, answering_server):
    home = tmp_path / "prefect-server"
    home.mkdir()
    assert serve.running_local_server(tmp_path) is None  # nothing announced
    with serve._announced(home, answering_server):
        assert json.loads((home / serve.SERVER_FILE).read_text())["pid"] == os.getpid()
        assert serve.running_local_server(tmp_path) == answering_server
    assert not (home / serve.SERVER_FILE).exists()  # removed when serve stops
    assert serve.running_local_server(tmp_path) is None


def test_a_stale_or_silent_announcement_is_ignored(tmp_path, answering_server):
    home = tmp_path / "prefect-server"
    home.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (home / serve.SERVER_FILE).write_text(json.dumps({"url": answering_server, "pid": dead.pid}))
    assert serve.running_local_server(tmp_path) is None  # the serve process is gone
    (home / serve.SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9/api", "pid": os.getpid()}))
    assert serve.running_local_server(tmp_path) is None  # nothing answers there
    (home / serve.SERVER_FILE).write_text("{not json")
    assert serve.running_local_server(tmp_path) is None
