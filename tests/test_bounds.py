"""Bounded work per file: each file is read and extracted in a worker process under a time limit and a
memory ceiling (ReadLimits), so that no file can wedge its batch; a .docx is bounded in paragraphs
and cells and inflated through a counting stream; workers die with their parent."""
from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest

from pipeline.readers import base as reader_base
from pipeline.readers import read_document
from pipeline.runs import ingest
from pipeline.runs.workers import GuardedPool, TaskTimedOut, WorkerDied
from pipeline.settings import ReadLimits
from tests.conftest import CORPUS, ROOT

SEED = CORPUS / "zibo-2020-34-opinion.txt"
MiB = 1 << 20


# ------------------------------------------------------------------ tasks run in workers (importable)


def worker_pid() -> int:
    return os.getpid()


def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def slow_but_announced(seconds: float) -> float:
    reader_base.allow_more_time(seconds + 5)  # as the PDF reader does before OCR
    time.sleep(seconds)
    return seconds


def allocate(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


# ------------------------------------------------------------------ the pool


@pytest.fixture()
def pool():
    p = GuardedPool(1, ReadLimits(max_seconds_per_file=2, max_memory_bytes=600 * MiB))
    yield p
    p.shutdown(cancel_futures=True)


def test_a_task_past_its_deadline_is_stopped_and_the_next_goes_on(pool):
    pool.submit(worker_pid).result()  # started and warm
    started = time.monotonic()
    with pytest.raises(TaskTimedOut):
        pool.submit(sleep_for, 60).result()
    assert time.monotonic() - started < 20
    assert pool.submit(sleep_for, 0).result() == 0  # a new worker took over


def test_a_reader_can_ask_for_more_time(pool):
    assert pool.submit(slow_but_announced, 3).result() == 3


def test_memory_past_the_ceiling_fails_the_task_not_the_pool(pool):
    with pytest.raises(MemoryError):
        pool.submit(allocate, 900 * MiB).result()
    assert pool.submit(allocate, 10 * MiB).result() == 10 * MiB


def test_a_worker_killed_from_outside_fails_its_task_only(pool):
    pid = pool.submit(worker_pid).result()
    task = pool.submit(sleep_for, 30)
    time.sleep(1)
    os.kill(pid, signal.SIGKILL)  # what the kernel's OOM killer does
    with pytest.raises(WorkerDied) as died:
        task.result(timeout=20)
    assert died.value.exitcode == -signal.SIGKILL
    assert pool.submit(worker_pid).result() != pid


@pytest.mark.parametrize("how,kind", [(signal.SIGKILL, "too_large"), (signal.SIGABRT, "too_large"),
                                      (signal.SIGSEGV, "extraction_error")])
def test_how_a_worker_died_says_what_failed(how, kind):
    """SIGKILL (the OOM killer) and SIGABRT (an allocation that failed where Python could not raise
    MemoryError: "Fatal Python error: Cannot recover from MemoryErrors") are the memory ceiling; a
    crash by another signal is an extraction error."""
    from concurrent.futures import Future
    from pipeline.runs.process import bounded
    died: Future = Future()
    died.set_exception(WorkerDied(-how))
    outcome = bounded("inbox/b-big.txt", "0" * 64, died, ReadLimits(max_memory_bytes=450 * MiB))
    assert outcome.error_kind == kind, outcome
    assert ("max_memory_bytes" in outcome.message) == (how == signal.SIGABRT)


# ------------------------------------------------------------------ a run


def one_line(path: Path, n_chars: int) -> Path:
    """A real 公文 run together on one line, `n_chars` long: the shape that was quadratic."""
    body = SEED.read_text(encoding="utf-8").replace("\n", "")
    path.write_text((body * (n_chars // len(body) + 1))[:n_chars], encoding="utf-8")
    return path


def test_a_file_past_the_time_limit_does_not_hold_back_its_batch(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-good.txt").write_bytes(SEED.read_bytes())
    one_line(inbox / "b-slow.txt", 2_000_000)
    (inbox / "c-good.txt").write_bytes((CORPUS / "jiangsu-2024-184-notice.txt").read_bytes())
    db = tmp_path / "t.duckdb"
    started = time.monotonic()
    summary = ingest.run_ingest([str(inbox)], db, limits=ReadLimits(max_seconds_per_file=4))
    assert time.monotonic() - started < 120
    assert (summary.new, summary.failed) == (2, 1), summary.errors
    path, kind, message = summary.errors[0]
    assert (Path(path).name, kind) == ("b-slow.txt", "timeout") and "max_seconds_per_file" in message
    again = ingest.run_ingest([str(inbox)], db, limits=ReadLimits(max_seconds_per_file=4))
    assert (again.unchanged, again.skipped, again.failed) == (2, 1, 0)  # not retried with the same bytes


def test_a_file_past_the_memory_ceiling_is_too_large_and_the_batch_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-good.txt").write_bytes(SEED.read_bytes())
    body = SEED.read_text(encoding="utf-8")
    (inbox / "b-big.txt").write_text(body * (30 * MiB // len(body.encode())), encoding="utf-8")
    summary = ingest.run_ingest([str(inbox)], tmp_path / "m.duckdb", limits=ReadLimits(max_memory_bytes=450 * MiB))
    assert (summary.new, summary.failed) == (1, 1), summary.errors
    _, kind, message = summary.errors[0]
    assert kind == "too_large" and "max_memory_bytes" in message, message


# ------------------------------------------------------------------ .docx


def empty_paragraphs_docx(path: Path, n: int) -> Path:
    body = "<w:p/>" * n
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f'<w:body><w:p><w:r><w:t>关于加快养老设施建设的通知</w:t></w:r></w:p>{body}</w:body></w:document>')
    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info))
    return path


def test_a_docx_of_300000_empty_paragraphs_is_refused_fast(tmp_path):
    path = empty_paragraphs_docx(tmp_path / "empty-paragraphs.docx", 300_000)
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    with pytest.raises(Exception) as refused:
        read_document(path)
    assert time.monotonic() - started < 10
    assert refused.value.kind == "too_large" and "max_docx_blocks" in str(refused.value)


def falsified_bomb(path: Path, real_bytes: int) -> Path:
    """A .docx whose word/document.xml inflates to `real_bytes` but declares 4 KB."""
    empty_paragraphs_docx(path, 10)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    head, tail = parts["word/document.xml"].split(b"</w:body>")
    parts["word/document.xml"] = head + b" " * real_bytes + b"</w:body>" + tail
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    data = bytearray(buf.getvalue())
    # (signature, offset of the uncompressed size, of the name's length, of the name): the local
    # header and the central directory both declare the size
    for signature, size_at, name_len_at, name_at in [(b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)]:
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_len = struct.unpack("<H", data[at + name_len_at:at + name_len_at + 2])[0]
            if data[at + name_at:at + name_at + name_len] == b"word/document.xml":
                data[at + size_at:at + size_at + 4] = struct.pack("<I", 4096)
            at += 4
    path.write_bytes(bytes(data))
    return path


def test_a_falsified_zip_size_is_never_inflated_whole(tmp_path):
    path = falsified_bomb(tmp_path / "bomb.docx", 400 * MiB)
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) < 2 * MiB  # it passes the declared-size check
    # VmHWM, the peak resident size of this process image (ru_maxrss would carry the test's own
    # peak across fork and exec)
    probe = (f"import re, sys; sys.path.insert(0, {str(ROOT)!r})\n"
             "from pipeline.readers import read_document\n"
             f"try:\n    read_document({str(path)!r})\nexcept Exception as e:\n    print(e.kind)\n"
             "print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    kind, peak_mb = out.stdout.split()
    assert kind in ("not_a_docx", "decompression_limit"), out.stdout + out.stderr
    assert int(peak_mb) < 300, f"{peak_mb} MB at peak: the member was inflated whole"


# ------------------------------------------------------------------ workers die with their parent


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize("sig,prefect", [(signal.SIGTERM, False), (signal.SIGKILL, False),
                                         (signal.SIGTERM, True), (signal.SIGKILL, True)],
                         ids=["sigterm", "kill-9", "sigterm-prefect", "kill-9-prefect"])
def test_workers_die_with_their_parent(tmp_path, sig, prefect):
    """With the default command (Prefect) the ephemeral API server, which Prefect stops only at a
    normal exit, goes too (flows/leftovers.py)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for k in range(4):  # slow enough that the workers are busy when the parent dies
        one_line(inbox / f"slow-{k}.txt", 400_000 + k)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "ingest", str(inbox), "--db",
                             str(tmp_path / "p.duckdb"), "--workers", "2", *([] if prefect else ["--no-prefect"])],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")})
    family: set[int] = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # the fork server and two workers under it
        family |= descendants(proc.pid)
        servers = [p for p in family if alive(p) and "multiprocessing.forkserver" in cmdline(p)]
        if any(len([w for w in descendants(s) if alive(w)]) >= 2 for s in servers):
            break
        time.sleep(0.5)
    assert len(family) >= 3, family
    time.sleep(2)
    family |= descendants(proc.pid)
    if prefect:
        assert any("uvicorn" in cmdline(p) for p in family), [cmdline(p) for p in family]
    os.kill(proc.pid, sig)
    proc.wait(30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in family):
        time.sleep(0.2)
    assert not [p for p in family if alive(p)], [cmdline(p) for p in family if alive(p)]
