"""Extraction worker processes: forked ready-made, each file under a time limit and a memory
ceiling, and never outliving the run.

A worker needs spaCy, jieba's dictionary, the user dictionary and the compiled rule tables: 5 s of
CPU to build. With the `forkserver` context a server process builds it once (the preload below) and
every worker is a fork of it: copy-on-write, ready in milliseconds. Forking from the server, not
from the caller, keeps workers clear of the caller's threads (DuckDB, Prefect's event loop), which
`fork` would copy in whatever state they were.

Every file is extracted in a worker, even with one worker, because only a process can be stopped
whatever it is doing (a regular expression backtracking in C, a parser allocating without end):
- **time**: a task past its deadline (`ReadLimits.max_seconds_per_file`, extended by a reader that
  knows it will be slow: OCR asks for `max_seconds_per_ocr_page` per page) gets its worker killed
  and replaced; the task fails with `TaskTimedOut`, the batch goes on;
- **memory**: each worker's data segment is capped (`ReadLimits.max_memory_bytes`, RLIMIT_DATA):
  an allocation past it raises MemoryError inside the worker (the file is `too_large`); a worker
  killed from outside while working (the kernel's OOM killer) fails its task with `WorkerDied`;
- **the parent's death**: a worker dies with the process that started it (SIGTERM, kill -9):
  PR_SET_PDEATHSIG ties it to the fork server, which exits when the caller does, and an idle
  worker sees its task pipe close.
"""
from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import ctypes
import itertools
import multiprocessing
import multiprocessing.connection as mpc
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass

from pipeline.readers import base as reader_base
from pipeline.settings import ReadLimits

# imported by the fork server before it forks any worker (multiprocessing's preload)
_PRELOAD = "pipeline.runs.workers_preload"
_PR_SET_PDEATHSIG = 1


def warm() -> None:
    """Build everything extraction needs in this process (a no-op after the first call)."""
    from extractors import analyze, nlp  # noqa: F401
    nlp.pipeline()


class TaskTimedOut(Exception):
    """The task ran past its deadline; its worker was killed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"still running after {seconds:g} s: stopped")


class WorkerDied(Exception):
    """The worker died while working on the task (killed from outside, or crashed)."""

    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode
        how = f"signal {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit code {exitcode}"
        super().__init__(f"the extraction process died ({how})"
                         + ("; killed for memory?" if exitcode == -signal.SIGKILL else ""))


def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent (the fork server) exits (Linux)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _serve(conn: mpc.Connection, caller: int, memory_bytes: int) -> None:
    """A worker's life: tasks from `conn` one at a time, results back, until the pipe closes."""
    _die_with_parent()
    threading.Thread(target=_watch_caller, args=(caller,), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    warm()
    reader_base.on_more_time(lambda seconds: conn.send(("more", seconds)))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the caller is gone
            break
        if task is None:
            break
        task_id, fn, args = task
        try:
            ok, value = True, fn(*args)
        except BaseException as exc:  # the caller re-raises it from the future
            ok, value = False, exc
        # a worker that grew keeps its memory: it leaves after this answer, and a fresh fork of the
        # server takes its place (the answer says so, so that no task is sent to it meanwhile)
        leaving = _data_bytes() > memory_bytes // 2
        try:
            conn.send((task_id, ok, value, leaving))
        except (BrokenPipeError, EOFError, OSError):
            break
        except Exception as exc:  # a result or an exception that cannot be pickled
            conn.send((task_id, False, RuntimeError(f"{type(exc).__name__}: {exc}"), leaving))
        if leaving:
            break
    conn.close()


def _watch_caller(caller: int) -> None:
    """Exit when the process that started the pool is gone, even in the middle of a task (the
    death signal covers the fork server's exit; this covers a caller whose server lingers)."""
    while True:
        time.sleep(1.0)
        try:
            os.kill(caller, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was reused by another user's process: ours is gone
            os._exit(1)


def _data_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[5]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([_PRELOAD])
        return ctx
    return multiprocessing.get_context("spawn")


@dataclass
class _Task:
    task_id: int
    fn: object
    args: tuple
    future: cf.Future
    seconds: float = 0.0  # the deadline, as seconds from the task's start
    started: float = 0.0


class _Worker:
    def __init__(self, ctx, memory_bytes: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, os.getpid(), memory_bytes), daemon=True)
        self.process.start()
        child.close()
        self.task: _Task | None = None

    def stop(self, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(OSError):
                self.process.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class GuardedPool(cf.Executor):
    """`workers` extraction processes, started at the first task (a run that finds every file
    unchanged starts none); each task under the limits of the module doc. `submit` may be called
    from several threads. A task that times out or whose worker dies fails with TaskTimedOut or
    WorkerDied; the worker is replaced and the other tasks go on."""

    def __init__(self, workers: int, limits: ReadLimits | None = None):
        limits = limits or ReadLimits()
        self.n_workers = max(1, workers)
        self.seconds = limits.max_seconds_per_file
        self.memory_bytes = limits.max_memory_bytes
        self._queue: collections.deque[_Task] = collections.deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = multiprocessing.Pipe(duplex=False)
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._abandon = False
        self._ctx = None

    # ------------------------------------------------------------ the caller's side

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        if kwargs:
            raise TypeError("GuardedPool.submit takes positional arguments only")
        future: cf.Future = cf.Future()
        with self._lock:
            if self._closing:
                raise RuntimeError("cannot submit to a pool that is shut down")
            self._queue.append(_Task(next(self._ids), fn, args, future, self.seconds))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="extraction-workers", daemon=True)
                self._thread.start()
        self._wake()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop after the queued tasks; with `cancel_futures`, drop the queued ones and stop the
        running ones now (a run that failed or was interrupted)."""
        with self._lock:
            self._closing = True
            self._abandon = self._abandon or cancel_futures
            if cancel_futures:
                while self._queue:
                    self._queue.popleft().future.cancel()
            thread = self._thread
        self._wake()
        if thread is not None and wait:
            thread.join()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(None)

    # ------------------------------------------------------------ the dispatcher thread

    def _run(self) -> None:
        try:
            self._dispatch()
        except BaseException as exc:  # the pool itself broke: no future may wait for ever
            with self._lock:
                self._closing = True
                pending = list(self._queue)
                self._queue.clear()
            for task in pending:
                if task.future.set_running_or_notify_cancel():
                    task.future.set_exception(RuntimeError(f"the extraction pool failed: {type(exc).__name__}: "
                                                           f"{exc}"))
            raise

    def _dispatch(self) -> None:
        self._ctx = _context()
        workers: list[_Worker] = []
        try:
            workers += [self._start_worker() for _ in range(self.n_workers)]
            while True:
                self._assign(workers)
                busy = [w for w in workers if w.task is not None]
                with self._lock:
                    if self._closing and (self._abandon or not busy and not self._queue):
                        return
                now = time.monotonic()
                timeout = min((w.task.started + w.task.seconds - now for w in busy), default=None)
                ready = mpc.wait([self._wake_r, *(w.conn for w in busy)],
                                 timeout=None if timeout is None else max(timeout, 0))
                if self._wake_r in ready:
                    while self._wake_r.poll():
                        self._wake_r.recv()
                for i, w in enumerate(workers):
                    if w.task is not None and w.conn in ready:
                        workers[i] = self._receive(w)
                now = time.monotonic()
                for i, w in enumerate(workers):
                    if w.task is not None and now >= w.task.started + w.task.seconds:
                        w.stop(kill=True)
                        w.task.future.set_exception(TaskTimedOut(w.task.seconds))
                        workers[i] = self._start_worker()
        finally:
            for w in workers:
                if w.task is not None:
                    w.stop(kill=True)
                    w.task.future.set_exception(RuntimeError("the extraction pool stopped"))
                else:
                    w.stop()
            with self._lock:
                self._closing = True

    def _start_worker(self) -> _Worker:
        return _Worker(self._ctx, self.memory_bytes)

    def _assign(self, workers: list[_Worker]) -> None:
        for i, w in enumerate(workers):
            if w.task is not None:
                continue
            task = self._next_task()
            if task is None:
                return
            task.started = time.monotonic()
            for _ in range(2):  # a worker that died idle is replaced, and the task goes to the new one
                try:
                    w.conn.send((task.task_id, task.fn, task.args))
                    w.task = task
                    break
                except (BrokenPipeError, OSError):
                    w.stop(kill=True)
                    workers[i] = w = self._start_worker()
            else:
                task.future.set_exception(WorkerDied(None))

    def _next_task(self) -> _Task | None:
        with self._lock:
            while self._queue:
                task = self._queue.popleft()
                if task.future.set_running_or_notify_cancel():
                    return task
        return None

    def _receive(self, w: _Worker) -> _Worker:
        """Read what a busy worker sent; returns the worker to keep (a new one if it died)."""
        try:
            while w.task is not None and w.conn.poll():
                message = w.conn.recv()
                if message[0] == "more":  # a reader asked for more time (OCR)
                    w.task.seconds += float(message[1])
                    continue
                _, ok, value, leaving = message
                task, w.task = w.task, None
                (task.future.set_result if ok else task.future.set_exception)(value)
                if leaving:
                    w.stop()
                    return self._start_worker()
        except (EOFError, OSError):  # the worker died: before its answer, or after it (it had grown)
            w.process.join(5)
            if w.task is not None:
                task, w.task = w.task, None
                task.future.set_exception(WorkerDied(w.process.exitcode))
            w.stop(kill=True)
            return self._start_worker()
        return w


def worker_pool(workers: int, n_items: int, limits: ReadLimits | None = None) -> GuardedPool | None:
    """The pool a run of `n_items` documents extracts them in (started at its first document to
    extract); None when there is nothing to extract, or with `workers=0`: then the caller extracts
    in its own process, without the time limit and the memory ceiling (for tests that patch the
    extractors, and for a debugger)."""
    return GuardedPool(workers, limits) if n_items > 0 and workers > 0 else None
