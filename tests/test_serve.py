"""`obligations serve`: a local Prefect server when no API is configured, the watch flow served on a
schedule, a clean stop on Ctrl-C. The end-to-end test starts a real server (≈ 20-30 s here) and
is marked slow; the others check the pieces without a server."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import store
from pipeline.errors import DatabaseBusy
from pipeline.flows import serve
from tests.test_watch import NOTICE, REPLY, write

ROOT = Path(__file__).resolve().parent.parent


def _fake_server(monkeypatch, tmp_path: Path, body: str) -> None:
    """Make the "server" a shell running `body` (after writing its pid, so the test can check that
    it was stopped), whatever port it is given."""
    script = f"echo $$ > {tmp_path / 'pid'}; {body}"
    monkeypatch.setattr(serve, "server_command", lambda port: ["/bin/sh", "-c", script])


def _pid(tmp_path: Path, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = (tmp_path / "pid").read_text().strip() if (tmp_path / "pid").exists() else ""
        if text:
            return int(text)
        time.sleep(0.05)
    raise AssertionError("the fake server never started")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) counts as stopped
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.parametrize("schedule, message", [
    ({}, "exactly one schedule"),
    ({"cron": "0 * * * *", "interval": 60}, "exactly one schedule"),
    ({"interval": 0}, "positive number of seconds"),
    ({"cron": "every hour"}, "not a cron expression"),
])
def test_a_bad_schedule_is_refused_before_anything_starts(tmp_path, monkeypatch, schedule, message):
    monkeypatch.setattr(serve, "local_prefect_server", lambda *a, **k: pytest.fail("a server was started"))
    with pytest.raises(ValueError, match=message):
        serve.serve_watch(tmp_path, tmp_path / "w.duckdb", state_dir=tmp_path, **schedule)


def test_a_configured_api_is_used_and_no_server_started(monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setattr(serve, "local_prefect_server", lambda *a, **k: pytest.fail("a server was started"))
    with temporary_settings(updates={PREFECT_API_URL: "http://prefect.example:4200/api"}), \
            serve.prefect_api() as url:
        assert url == "http://prefect.example:4200/api"


def test_a_server_that_exits_at_once_is_reported_with_its_log(tmp_path, monkeypatch):
    _fake_server(monkeypatch, tmp_path, "echo 'port already in use' >&2; exit 3")
    with pytest.raises(serve.ServerFailed, match=r"exited with status 3(.|\n)*port already in use"), \
            serve.local_prefect_server(tmp_path / "home", port=serve.free_port(0), startup_timeout=30):
        pytest.fail("yielded without a server")


def test_a_server_that_never_answers_is_stopped_after_the_timeout(tmp_path, monkeypatch):
    _fake_server(monkeypatch, tmp_path, "exec sleep 60")
    started = time.monotonic()
    with pytest.raises(serve.ServerFailed, match="did not answer"), \
            serve.local_prefect_server(tmp_path / "home", port=serve.free_port(0), startup_timeout=1.0):
        pytest.fail("yielded without a server")
    assert time.monotonic() - started < 20
    assert not _alive(_pid(tmp_path))


KILLED_HOLDER = """
import sys, time
from pathlib import Path
from pipeline.flows import serve
serve.server_command = lambda port: ["/bin/sh", "-c", "echo $$ > " + sys.argv[1] + "; exec sleep 60"]
serve.free_port = lambda preferred=4200: 1  # nothing answers there: the wait never ends
with serve.local_prefect_server(Path(sys.argv[2]), startup_timeout=120):
    pass
"""


def test_a_server_outlives_no_killed_parent(tmp_path):
    """SIGKILL runs no `finally`: the parent-death signal set in the server's process stops it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", KILLED_HOLDER, str(tmp_path / "pid"), str(tmp_path / "home")],
                              env=env, cwd=ROOT)
    try:
        server = _pid(tmp_path, timeout=60)
        assert _alive(server)
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(server)
    finally:
        if holder.poll() is None:
            holder.kill()


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    script = f"trap '' TERM; echo $$ > {tmp_path / 'pid'}; while true; do sleep 0.1; done"
    proc = subprocess.Popen(["/bin/sh", "-c", script], start_new_session=True)
    while not (tmp_path / "pid").exists() or not (tmp_path / "pid").read_text().strip():
        time.sleep(0.05)
    serve.stop_process_group(proc, grace=0.5)
    assert proc.returncode == -signal.SIGKILL


def test_free_port_avoids_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        other = serve.free_port(port)
    assert other != port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", other))


def test_the_api_url_is_set_for_child_processes_and_restored(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with serve.api_url_set("http://127.0.0.1:4999/api"):
        assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4999/api"
        assert serve.configured_api_url() == "http://127.0.0.1:4999/api"
    assert "PREFECT_API_URL" not in os.environ


def _documents(db: Path) -> tuple[int, int]:
    """(documents stored, completed watch runs); (0, 0) while the database is absent or busy."""
    try:
        con = store.connect(db, read_only=True, wait=0.5)
    except (FileNotFoundError, DatabaseBusy):
        return 0, 0
    try:
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        runs = con.execute("SELECT count(*) FROM ingest_runs WHERE status = 'completed'").fetchone()[0]
        return docs, runs
    finally:
        con.close()


def _kill_listener(port: int) -> None:
    """Last-resort cleanup: kill the process listening on `port` (the server this test started)."""
    import psutil

    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            with __import__("contextlib").suppress(psutil.Error):
                psutil.Process(conn.pid).kill()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _from_a_flow_run_subprocess(traceback: str) -> bool:
    """A traceback whose outermost frame is a multiprocessing child's entry (the runner starts each
    flow run as one)."""
    frames = [line for line in traceback.splitlines() if line.strip().startswith("File ")]
    return len(frames) > 1 and "multiprocessing/spawn.py" in frames[1]


@pytest.mark.slow
def test_serve_runs_scheduled_cycles_and_stops_cleanly_on_ctrl_c(tmp_path):
    inbox = tmp_path / "inbox"
    write(inbox, "notice.txt", NOTICE)
    db = tmp_path / "w.duckdb"
    port = serve.free_port(0)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"PYTHONPATH": str(ROOT), "PREFECT_HOME": str(tmp_path / "client-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_RUNNER_POLL_FREQUENCY": "2"})
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli.watch", "serve", "--inbox", str(inbox), "--db", str(db),
         "--interval", "10", "--settle", "0.05", "--state-dir", str(tmp_path / "state"), "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # its own group: the test's SIGINT goes to it as a terminal's Ctrl-C would
    try:
        deadline = time.monotonic() + 240
        while _documents(db)[1] < 1:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no scheduled cycle within 240 s"
            time.sleep(1)
        assert _documents(db)[0] == 1
        write(inbox, "reply.txt", REPLY)  # the next scheduled cycle takes it
        while _documents(db)[0] < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the second document was not taken by a later cycle"
            time.sleep(1)
        assert _listening(port)

        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 0, stderr
        assert "serving 'watch-inbox' (every 10 s)" in stdout and stdout.rstrip().endswith("stopped")
        # Ctrl-C reaches the whole process group: a flow run just starting in its subprocess may
        # print its own KeyboardInterrupt; the serving process itself must not
        assert all(_from_a_flow_run_subprocess(tb) for tb in stderr.split("Traceback (most recent call last):")[1:]), \
            stderr
        assert not _listening(port)  # the local server was stopped with it
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        _kill_listener(port)
