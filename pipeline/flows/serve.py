"""Serve the watch cycle as a Prefect deployment on a schedule (`obligations serve`).

Prefect's ephemeral mode (no server) runs flows but cannot schedule them ("Cannot schedule flows on
an ephemeral server", Prefect 3; docs/WATCH.md). So when no Prefect API is configured
(PREFECT_API_URL unset, in the environment or the active Prefect profile), `serve` starts a local
`prefect server start` on 127.0.0.1 with its own PREFECT_HOME under the state folder, waits until
it answers, serves the flow, and stops the server on exit (Ctrl-C, SIGTERM, or an error). With an
API configured it uses that server, and the runs show in its UI.

The server runs in its own session (process group): a terminal's Ctrl-C reaches the serving
process, which stops serving first and then stops the server, in that order.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from prefect import flow, get_run_logger

from pipeline.errors import ServerFailed
from pipeline.settings import DEFAULT_DB

STATE_DIR = Path(".state")
DEFAULT_PORT = 4200  # Prefect's usual port; another free one when it is taken
DEPLOYMENT_NAME = "watch-inbox"
# a flow run starts in a fresh subprocess (Prefect, then the extractors): 5-20 s here; a run is
# "late" only past its schedule's gap plus this
STARTUP_ALLOWANCE = 60.0


def configured_api_url() -> str | None:
    """The Prefect API this process would talk to (environment or active profile), or None for
    ephemeral mode."""
    from prefect.settings import get_current_settings
    url = get_current_settings().api.url
    return str(url) if url else None


def free_port(preferred: int = DEFAULT_PORT) -> int:
    """`preferred` when nothing listens there on 127.0.0.1, else a port the OS hands out."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise ServerFailed("no free TCP port on 127.0.0.1")


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_process_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the process group `proc` leads, SIGKILL after `grace` seconds. A second Ctrl-C
    while stopping must not leave the server behind, so SIGINT is ignored meanwhile (main thread)."""
    previous = None
    with contextlib.suppress(ValueError):  # signal handlers can only be set from the main thread
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


# Runs the server command with the Linux "parent-death signal" set: if the process that started it
# dies without stopping it (SIGKILL, an OOM kill: no `finally` runs), the server gets SIGTERM
# instead of living on. Set in the child itself, then exec (a preexec_fn is unsafe with the
# threads Prefect runs); kept across exec. Elsewhere than Linux it simply execs.
_EXEC_WITH_PARENT_DEATH_SIGNAL = """
import os, signal, sys
parent = int(sys.argv[1])
if sys.platform.startswith("linux"):
    import ctypes
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was set
        sys.exit(0)
os.execv(sys.argv[2], sys.argv[2:])
"""


def server_command(port: int) -> list[str]:
    """The command that runs a Prefect server on 127.0.0.1:`port` (its first item an absolute path)."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM ends this process through the `finally` blocks (as SystemExit) instead of on the
    spot, so a local server gets stopped; main thread only, the previous handler restored after."""
    try:
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def local_prefect_server(home: Path, port: int | None = None, startup_timeout: float = 120.0) -> Iterator[str]:
    """Run `prefect server start` on 127.0.0.1 with PREFECT_HOME=`home` (its database lives there,
    so runs are kept from one serve to the next) and yield its API URL once /api/health answers.
    The server is stopped when the block exits, however it exits. Raises ServerFailed when it
    exits early or does not answer within `startup_timeout` seconds (≈ 16-30 s here)."""
    home = Path(home).absolute()
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)  # the server itself must not point at another server
    log_path = home / "server.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", _EXEC_WITH_PARENT_DEATH_SIGNAL, str(os.getpid()), *server_command(port)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(api_url):
            if proc.poll() is not None:
                raise ServerFailed(f"the Prefect server exited with status {proc.returncode}", log_path,
                                   _log_tail(log_path))
            if time.monotonic() > deadline:
                raise ServerFailed(f"the Prefect server did not answer on {api_url} within {startup_timeout:.0f} s",
                                   log_path, _log_tail(log_path))
            time.sleep(0.5)
        yield api_url
    finally:
        stop_process_group(proc)


@contextlib.contextmanager
def api_url_set(url: str) -> Iterator[None]:
    """Point this process (Prefect settings) and the processes it starts (environment: the runner's
    flow-run subprocesses, Dask workers) at `url` for the duration of the block."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


# written next to a local server's database while `serve` runs it: `obligations ingest` runs its flow
# there instead of starting Prefect's ephemeral server (10-20 s)
SERVER_FILE = "server.json"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def running_local_server(state_dir: Path = STATE_DIR) -> str | None:
    """The API URL of the local server a running `serve` started under `state_dir`, when its process
    is alive and the server answers; else None."""
    path = Path(state_dir) / "prefect-server" / SERVER_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(info["url"]), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if _pid_alive(pid) and _healthy(url) else None


@contextlib.contextmanager
def _announced(home: Path, url: str) -> Iterator[None]:
    """SERVER_FILE under `home` for the duration of the block (removed however it ends)."""
    path = home / SERVER_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def prefect_api(state_dir: Path = STATE_DIR, port: int | None = None) -> Iterator[str]:
    """The Prefect API to use for the block: the configured one, else a local server started for
    the block (PREFECT_HOME = <state_dir>/prefect-server) and stopped after it."""
    configured = configured_api_url()
    if configured:
        yield configured
        return
    home = Path(state_dir) / "prefect-server"
    with _sigterm_unwinds(), local_prefect_server(home, port) as url, api_url_set(url), \
            _announced(home.absolute(), url):
        yield url


@flow(name="watch-inbox", log_prints=False, validate_parameters=False)
def watch_flow(inbox: str, db: str = str(DEFAULT_DB), settle_seconds: float = 2.0,
               max_wait_seconds: float = 60.0, workers: int = 1, skip_if_late_seconds: float | None = None) -> dict:
    """One watch cycle over `inbox` into `db` (see pipeline/runs/watch.py), its steps as Prefect tasks.

    A run that starts more than `skip_if_late_seconds` after its scheduled time (a long cycle held
    the runner: one cycle at a time) does nothing: a later scheduled run is already due and does the
    same work, so a backlog of late runs drains without repeating cycles. A busy database skips the
    cycle with a warning in the run's log; the run still completes, the next cycle takes the files."""
    logger = get_run_logger()
    if skip_if_late_seconds is not None:
        from prefect.runtime import flow_run

        scheduled = flow_run.scheduled_start_time
        late = (dt.datetime.now(dt.UTC) - scheduled).total_seconds() if scheduled else 0.0
        if late > skip_if_late_seconds:
            logger.info("skipped: started %.0f s after its scheduled time; a later scheduled cycle is due", late)
            return {"skipped_late": late}
    # the extract/store tasks of the ingest flow; heavy imports (spaCy), so not at module level
    from pipeline.flows.ingest import extract_task, store_task
    from pipeline.runs import watch

    summary = watch.watch_cycle(Path(inbox), Path(db), settle=watch.Settle(settle_seconds, max_wait_seconds),
                                workers=workers, extract=extract_task, store_fn=store_task)
    if summary.busy:
        logger.warning("cycle skipped: %s", summary.busy)
    else:
        r = summary.run
        logger.info("run %s: new %d, unchanged %d, replaced %d, failed %d, skipped %d, waiting %d",
                    r.run_id, r.new, r.unchanged, r.replaced, r.failed, r.skipped, len(summary.waiting))
    return summary.as_dict()


def schedule_gap(cron: str | None, interval: float | None) -> float:
    """The shortest time between two scheduled runs, in seconds (for a cron: over its next 50 runs)."""
    if interval is not None:
        return float(interval)
    from cronsim import CronSim  # the cron parser Prefect itself uses

    fires = CronSim(cron, dt.datetime(2024, 1, 1))
    times = [next(fires) for _ in range(51)]
    return min((b - a).total_seconds() for a, b in itertools.pairwise(times))


def _runner_class():
    from prefect.runner import Runner

    class WatchRunner(Runner):
        """Prefect's runner, stopped by SIGTERM the way Ctrl-C stops it. Prefect 3.8.8's own SIGTERM
        handler calls `stop()` from inside the running loop ("coroutine 'Runner.astop' was never
        awaited") and the process hangs with its flow runs; measured here. Re-raising the signal as
        SIGINT takes asyncio's Ctrl-C path: the main task is cancelled, the runner pauses the
        deployment and ends its flow runs, and `asyncio.run` raises KeyboardInterrupt."""

        def handle_sigterm(self, *args, **kwargs) -> None:
            os.kill(os.getpid(), signal.SIGINT)

    return WatchRunner


def _end_flow_runs(grace: float = 10.0) -> None:
    """Flow runs still alive after the runner stopped (its subprocesses) would retry a server that
    is about to go away, for ever: terminate them, kill them after `grace` seconds."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()


def serve_watch(inbox: Path, db: Path = DEFAULT_DB, *, cron: str | None = None, interval: float | None = None,
                name: str = DEPLOYMENT_NAME, settle_seconds: float = 2.0, max_wait_seconds: float = 60.0,
                workers: int = 1, state_dir: Path = STATE_DIR, port: int | None = None,
                announce=print) -> None:
    """Serve `watch_flow` over `inbox` on a cron or interval schedule until Ctrl-C or SIGTERM; a
    local server started here is stopped after. One cycle at a time: runs that came due while a
    long cycle ran start after it, and all but the newest skip themselves (see watch_flow), so slow
    cycles never pile up. Raises ValueError for a bad schedule, ServerFailed when the local server
    does not start."""
    if (cron is None) == (interval is None):
        raise ValueError("give exactly one schedule: a cron expression or an interval in seconds")
    if interval is not None and interval <= 0:
        raise ValueError(f"the interval must be a positive number of seconds, not {interval}")
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule
        try:
            CronSchedule(cron=cron)
        except ValueError as exc:
            raise ValueError(f"not a cron expression: {cron!r} ({exc})") from None
    from prefect.flows import EntrypointType

    parameters = {"inbox": str(Path(inbox).absolute()), "db": str(Path(db).absolute()),
                  "settle_seconds": settle_seconds, "max_wait_seconds": max_wait_seconds, "workers": workers,
                  "skip_if_late_seconds": schedule_gap(cron, interval) + STARTUP_ALLOWANCE}
    with contextlib.suppress(ValueError):  # only the main thread sets handlers; there Ctrl-C must raise
        signal.signal(signal.SIGINT, signal.default_int_handler)
    with prefect_api(state_dir, port) as url:
        # limit=1: one cycle at a time, kept by this runner. Not a deployment concurrency limit on the
        # server: Prefect keeps its slot leases in the server's memory, so a slot held when the
        # server stops is never given back after a restart and every later run is refused (measured).
        runner = _runner_class()(name=name, pause_on_shutdown=True, limit=1)
        # paused=False: the last serve paused the deployment on its way out; this one resumes it
        runner.add_flow(watch_flow, name=name, cron=cron, interval=interval, parameters=parameters, paused=False,
                        # MODULE_PATH: the flow-run subprocess imports pipeline.flows.serve whatever its cwd
                        entrypoint_type=EntrypointType.MODULE_PATH)
        schedule = f"cron {cron!r}" if cron else f"every {interval:g} s"
        announce(f"serving {name!r} ({schedule}) over {parameters['inbox']} into {parameters['db']}; "
                 f"Prefect UI {url.removesuffix('/api')}; Ctrl-C stops")
        try:
            asyncio.run(runner.start())
        except KeyboardInterrupt:
            pass
        finally:
            _end_flow_runs()
    announce("stopped")
