"""`--runner dask`: extraction on a Dask LocalCluster through prefect-dask gives the same rows as the
default runner; only files to extract travel to the workers, in chunks; a remote cluster needs a
reachable API."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.flows import serve
from pipeline.runs import ingest
from pipeline.flows.dask_runner import (
    TaskRunnerExecutor,
    _is_loopback,
    cluster_extract,
    run_calls,
    run_ingest_dask,
)
from tests.test_watch import TASK_TABLE, write

ROOT = Path(__file__).resolve().parent.parent


def _fake_submitter(sent: list):
    class Handle:
        def __init__(self, calls):
            self.calls = calls
            sent.append(len(calls))

        def result(self):
            return run_calls(self.calls)

    return Handle


def test_calls_go_out_in_chunks_and_results_come_back_in_order():
    sent: list[int] = []
    pool = TaskRunnerExecutor(3, submit_chunk=_fake_submitter(sent))
    futures = [pool.submit(pow, n, 2) for n in range(7)]
    assert sent == [3, 3]  # full chunks go at once, the rest waits
    assert [f.result() for f in futures] == [n * n for n in range(7)]
    assert sent == [3, 3, 1]  # asking for a result sent the last, partial chunk
    assert pool.tasks == 3


def test_a_failing_chunk_raises_to_whoever_asks_for_its_results():
    pool = TaskRunnerExecutor(2, submit_chunk=_fake_submitter([]))
    ok, bad = pool.submit(int, "12"), pool.submit(int, "twelve")
    with pytest.raises(ValueError, match="twelve"):
        bad.result()
    with pytest.raises(ValueError):
        ok.result()  # same chunk, same failed task


def test_the_extract_step_settles_unchanged_and_failed_files_in_the_writer(tmp_path, monkeypatch):
    """Only files to extract go to the workers: a stored unchanged file and a file that failed
    before with the same bytes never leave this process."""
    import hashlib

    from pipeline import version
    from pipeline.flows import dask_runner

    stored = write(tmp_path, "stored.txt", TASK_TABLE)
    failed = tmp_path / "broken.pdf"
    failed.write_bytes(b"<html>404</html>")
    fresh = write(tmp_path, "fresh.txt", TASK_TABLE.replace("2024年9月底前", "2024年10月底前"))
    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (stored, failed, fresh)}
    known = ingest.Known(versions={sha[stored]: version.pipeline_version()}, by_path={},
                         failed={(str(failed), sha[failed])})
    sent: list[list] = []

    class Handle:
        def __init__(self, calls):
            sent.append([args[0] for _, args, _ in calls])
            self.calls = calls

        def result(self):
            return run_calls(self.calls)

    monkeypatch.setattr(dask_runner, "run_calls_task", type("T", (), {"submit": staticmethod(Handle)}))
    outcomes = cluster_extract(8)([str(stored), str(failed), str(fresh)], known, None, None, dt.datetime(2024, 1, 1))
    assert [o.status for o in outcomes] == ["unchanged", "skipped", "extracted"]
    assert sent == [[str(fresh)]]


@pytest.mark.parametrize("address, loopback", [
    ("tcp://127.0.0.1:8786", True), ("localhost:8786", True), ("tcp://[::1]:8786", True),
    ("tcp://10.0.0.5:8786", False), ("tcp://dask-scheduler.internal:8786", False),
])
def test_loopback_scheduler_addresses(address, loopback):
    assert _is_loopback(address) is loopback


def test_a_remote_scheduler_without_a_reachable_prefect_api_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(serve, "configured_api_url", lambda: None)
    monkeypatch.setattr(serve, "local_prefect_server", lambda *a, **k: pytest.fail("a server was started"))
    with pytest.raises(ValueError, match="set PREFECT_API_URL"):
        run_ingest_dask([str(tmp_path)], tmp_path / "d.duckdb", address="tcp://10.0.0.5:8786")


# Run in a subprocess on a snapshot of the code: the default and the Dask run (and every worker)
# then extract with the same extractors even while the checkout is being edited; the pipeline
# version is a digest of that code, and the runner refuses workers whose version differs.
DRIVER = """
import json, sys, threading
from pathlib import Path
from pipeline import store
from pipeline.flows import serve
from pipeline.flows.dask_runner import run_ingest_dask
from pipeline.runs import ingest
from schemas.records import DOCUMENT_TABLES

def table_rows(db):
    con = store.connect(db, read_only=True)
    try:
        out = {"documents": con.execute("SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY ALL").fetchall()}
        for model in DOCUMENT_TABLES:
            out[model.__table__] = con.execute(f"SELECT * FROM {model.__table__} ORDER BY ALL").fetchall()
        out["errors"] = con.execute("SELECT kind FROM ingest_errors").fetchall()
        return out
    finally:
        con.close()

if __name__ == "__main__":
    corpus, work = sys.argv[1], Path(sys.argv[2])
    default = ingest.run_ingest([corpus], work / "default.duckdb").as_dict()
    seen, lock = [], threading.RLock()  # a progress callback that cannot be pickled, like a terminal's bar

    def progress(done, total):
        with lock:
            seen.append([done, total])

    with serve.prefect_api(work / "state"):  # one local server for both Dask runs
        first = run_ingest_dask([corpus], work / "dask.duckdb", n_workers=2, chunk_size=2, progress=progress)
        again = run_ingest_dask([corpus], work / "dask.duckdb", n_workers=1)
    same = {t: rows == table_rows(work / "dask.duckdb")[t] for t, rows in table_rows(work / "default.duckdb").items()}
    print(json.dumps({"default": default, "first": first, "again": again, "same": same, "progress": seen}))
"""


@pytest.mark.slow  # a local Prefect server (~20-30 s) and a two-worker LocalCluster (~10 s)
def test_the_dask_runner_gives_the_same_rows_as_the_default_runner(tmp_path):
    pytest.importorskip("prefect_dask", reason="the optional extra: pip install -e '.[dask]'")
    snapshot = tmp_path / "code"
    for package in ("pipeline", "extractors", "schemas"):
        shutil.copytree(ROOT / package, snapshot / package, ignore=shutil.ignore_patterns("__pycache__"))
    (snapshot / "driver.py").write_text(DRIVER, encoding="utf-8")
    corpus = tmp_path / "corpus"
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        write(corpus, path.name, path.read_text(encoding="utf-8"))
    write(corpus, "more/task-table.txt", TASK_TABLE)
    (corpus / "broken.pdf").write_bytes(b"<html>404</html>")

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"PYTHONPATH": str(snapshot), "PREFECT_HOME": str(tmp_path / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"})
    done = subprocess.run([sys.executable, "driver.py", str(corpus), str(tmp_path)], cwd=snapshot, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    default, first, again = result["default"], result["first"], result["again"]
    assert (first["new"], first["failed"]) == (default["new"], default["failed"]) == (6, 1)
    assert first["obligations"] == default["obligations"] > 0
    assert result["same"] == {t: True for t in result["same"]}
    assert (again["new"], again["unchanged"], again["skipped"]) == (0, 6, 1)
    assert result["progress"][-1] == [7, 7]  # the caller's callback saw the run to its end
