"""One odd file never stops a run: a FIFO, a socket or a device with a document's name is never
opened, a file name in GBK bytes, an unreadable file and an unlistable folder each become one
ingest_errors row with a kind; the good documents beside them are stored, the run is recorded as
completed, and `watch` goes on cycle after cycle."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from pipeline.runs import ingest, watch
from pipeline.runs.discover import list_documents
from tests.conftest import CORPUS, ROOT

SEED = CORPUS / "zibo-2020-34-opinion.txt"
GBK_NAME = "关于养老设施的通知.txt".encode("gbk")  # not UTF-8: what unzip leaves from a Chinese archive
# as root, file permissions do not apply: the child drops the capabilities that bypass them
AS_A_USER = (["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
             if os.geteuid() == 0 and shutil.which("setpriv") else [])


def make_inbox(folder: Path) -> dict[str, Path]:
    """Two good documents and every kind of odd file, each with a document's name."""
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "good.txt"
    good.write_bytes(SEED.read_bytes())
    (folder / "sub").mkdir()
    other = folder / "sub" / "other.txt"
    other.write_bytes((CORPUS / "jiangsu-2024-184-notice.txt").read_bytes())
    gbk = Path(os.fsdecode(os.fsencode(folder) + b"/" + GBK_NAME))
    gbk.write_bytes(SEED.read_bytes()[:4000])
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    sock_path = folder / "socket.docx"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    device = folder / "device.pdf"  # a link to /dev/null inside the folder: a character device
    os.symlink("/dev/null", device)
    return {"good": good, "other": other, "gbk": gbk, "fifo": fifo, "socket": sock_path, "device": device,
            "_sock": sock}


def errors_of(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT path, kind FROM ingest_errors").fetchall())


def ingest_in_child(paths: list[Path], db: Path, *prefix: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`obligations ingest` in its own process: a FIFO that is opened blocks it, not the test run."""
    return subprocess.run([*prefix, sys.executable, "-m", "pipeline.cli.main", "ingest", *map(str, paths),
                           "--db", str(db), "--no-prefect"], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def test_listing_takes_only_regular_files_and_names_the_others(tmp_path):
    inbox = make_inbox(tmp_path / "inbox")
    listing = list_documents([tmp_path / "inbox"], follow_symlinks=True)
    assert listing.files == sorted([str(inbox["good"]), str(inbox["other"])])
    kinds = {e.path: e.kind for e in listing.errors}
    assert kinds == {str(inbox["fifo"]): "not_a_regular_file", str(inbox["socket"]): "not_a_regular_file",
                     str(inbox["device"]): "not_a_regular_file",
                     os.fsencode(inbox["gbk"]).decode("utf-8", "backslashreplace"): "bad_file_name"}
    messages = {e.kind + ":" + str(e) for e in listing.errors}
    assert any("a FIFO" in m for m in messages) and any("a socket" in m for m in messages)
    assert any("character device" in m for m in messages)
    assert any("关于养老设施的通知.txt" in m for m in messages)  # the GBK name, read for the person


def test_odd_files_are_recorded_and_the_run_completes(tmp_path):
    inbox = make_inbox(tmp_path / "inbox")
    db = tmp_path / "odd.duckdb"
    result = ingest_in_child([tmp_path / "inbox", "--follow-symlinks"], db)
    assert result.returncode == 0, result.stderr
    assert "new 2" in result.stdout and "failed 4" in result.stdout, result.stdout
    errors = errors_of(db)
    assert sorted(errors.values()) == ["bad_file_name", "not_a_regular_file", "not_a_regular_file",
                                       "not_a_regular_file"]
    assert r"\xb9\xd8" in next(p for p, k in errors.items() if k == "bad_file_name")  # stored escaped
    with duckdb.connect(str(db), read_only=True) as con:
        assert {r[0] for r in con.execute("SELECT source_path FROM documents").fetchall()} == \
            {str(inbox["good"]), str(inbox["other"])}
        assert con.execute("SELECT status, n_new, n_failed FROM ingest_runs").fetchall() == [("completed", 2, 4)]


@pytest.mark.skipif(os.geteuid() == 0 and not AS_A_USER, reason="as root without setpriv, permissions do not apply")
def test_an_unreadable_file_and_folder_are_recorded(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_bytes(SEED.read_bytes())
    locked = inbox / "locked.txt"
    locked.write_bytes(SEED.read_bytes())
    locked.chmod(0)
    closed = inbox / "closed"
    closed.mkdir()
    (closed / "inside.txt").write_bytes(SEED.read_bytes())
    closed.chmod(0)
    db = tmp_path / "perm.duckdb"
    try:
        result = ingest_in_child([inbox], db, *AS_A_USER)
    finally:
        closed.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = errors_of(db)
    assert errors == {str(locked): "read_error", str(closed): "read_error"}, errors
    with duckdb.connect(str(db), read_only=True) as con:
        messages = [r[0] for r in con.execute("SELECT message FROM ingest_errors ORDER BY path").fetchall()]
        assert "permission denied" in messages[1].lower() and "cannot be listed" in messages[0]
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_a_file_replaced_by_a_fifo_after_listing_is_not_opened(tmp_path, monkeypatch):
    """The listing saw a regular file; by the time it is read it is a FIFO: refused, never blocked on."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_bytes(SEED.read_bytes())
    swapped = inbox / "swapped.txt"
    swapped.write_bytes(SEED.read_bytes())
    real_listing = ingest.list_documents

    def list_then_swap(paths, follow_symlinks=False):
        listing = real_listing(paths, follow_symlinks=follow_symlinks)
        swapped.unlink()
        os.mkfifo(swapped)
        return listing

    monkeypatch.setattr(ingest, "list_documents", list_then_swap)
    done = threading.Event()
    summary = {}

    def run():
        summary["s"] = ingest.run_ingest([str(inbox)], tmp_path / "s.duckdb")
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    if not done.wait(120):
        with open(swapped, "wb"):  # release a reader blocked on the FIFO, so the test run can end
            pass
        pytest.fail("the run blocked on a FIFO")
    s = summary["s"]
    assert (s.new, s.failed) == (1, 1) and s.errors[0][1] == "not_a_regular_file", s.errors


def test_watch_survives_odd_files_and_failing_cycles(tmp_path):
    inbox = make_inbox(tmp_path / "inbox")
    db = tmp_path / "w.duckdb"
    reports: list[watch.CycleSummary] = []
    settle = watch.Settle(interval=0.05, max_wait=2)
    n = watch.watch_loop(tmp_path / "inbox", db, interval=0, cycles=2, report=reports.append, settle=settle)
    assert n == 2 and all(not r.error for r in reports), [r.error for r in reports]
    assert reports[0].run.new == 2 and reports[0].run.failed == 3  # the device link is outside: ignored
    assert reports[1].run.unchanged == 2
    # a cycle that cannot run at all (the database path is a folder): reported, and the loop goes on
    bad_db = tmp_path / "a-folder.duckdb"
    bad_db.mkdir()
    reports.clear()
    n = watch.watch_loop(tmp_path / "inbox", bad_db, interval=0, cycles=2, report=reports.append, settle=settle)
    assert n == 2 and all(r.error for r in reports), reports
    inbox["_sock"].close()


@pytest.mark.skipif(os.geteuid() == 0 and not AS_A_USER, reason="as root without setpriv, permissions do not apply")
def test_the_watch_command_survives_every_kind_of_odd_file_cycle_after_cycle(tmp_path):
    """`obligations watch` as a user, over a GBK name, a FIFO, a socket, an unreadable file and an
    unlistable folder: every cycle ends, says what it could not read, and the good files are stored once."""
    inbox = make_inbox(tmp_path / "inbox")
    locked = tmp_path / "inbox" / "locked.txt"
    locked.write_bytes(SEED.read_bytes())
    locked.chmod(0)
    closed = tmp_path / "inbox" / "closed"
    closed.mkdir()
    closed.chmod(0)
    db = tmp_path / "w.duckdb"
    command = [*AS_A_USER, sys.executable, "-m", "pipeline.cli.main", "watch", "--inbox", str(tmp_path / "inbox"),
               "--db", str(db), "--once", "--settle", "0.05"]
    try:
        cycles = [subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300) for _ in range(2)]
    finally:
        closed.chmod(0o755)
        inbox["_sock"].close()
    for cycle in cycles:
        assert cycle.returncode == 0 and "Traceback" not in cycle.stdout + cycle.stderr, cycle.stderr
        for said in ("pipe.txt: a FIFO", "socket.docx: a socket", "bad_file_name", "locked.txt: permission denied",
                     "closed: the folder cannot be listed"):
            assert said in cycle.stdout, (said, cycle.stdout)
    assert "new 2" in cycles[0].stdout and "unchanged 2" in cycles[1].stdout, [c.stdout for c in cycles]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute("SELECT count(*), count(*) FILTER (status = 'completed') FROM ingest_runs").fetchone() == (2, 2)
