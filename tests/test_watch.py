"""Watch cycles over an inbox: new files in, unchanged ones left alone, modified ones replaced, a
bad one recorded once, files still being written left for the next cycle, two watchers on one
database leaving one copy of each document."""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from pipeline import store
from pipeline.runs import watch
from pipeline.runs.watch import Settle, wait_until_stable, watch_cycle

ROOT = Path(__file__).resolve().parent.parent
FAST = Settle(interval=0.01, max_wait=1.0)

# Small real-shaped 公文 (shared with test_reprocess / test_serve / test_dask): a notice with
# numbered items and named units, a reply letter, a task table with a 责任单位 column.
NOTICE = """关于做好城镇老旧小区改造工作的通知
各区县人民政府，市政府有关部门：
为加快推进城镇老旧小区改造，现就有关事项通知如下。
一、摸清底数。各区县要在2024年6月底前完成辖区内老旧小区的排查，建立改造项目库。
二、落实资金。市财政局牵头，市住房城乡建设局配合，统筹安排补助资金，不得挪用。
三、加强监管。市住房城乡建设局要会同有关部门每季度开展一次督导检查。
某市人民政府办公室
2024年3月1日
"""

REPLY = """关于市政协十五届二次会议第0123号提案的答复函
张委员：
您提出的《关于加强社区养老服务设施建设的提案》收悉，现答复如下。
下一步，我局将会同市民政局加快社区养老服务设施建设，力争2025年底前实现街道综合养老服务中心全覆盖。
感谢您对我们工作的关心和支持。
某市住房和城乡建设局
2024年5月20日
"""

TASK_TABLE = """附件
重点任务分解表
序号\t主要任务\t完成时限\t责任单位
1\t完成居住区配套幼儿园专项排查\t2024年9月底前\t市教育局牵头，市自然资源局配合
2\t制定配套设施移交管理办法\t2024年12月底前\t市住房城乡建设局
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def not_a_pdf(folder: Path, name: str = "broken.pdf") -> Path:
    """A file named .pdf that is an HTML error page: a deterministic parse error (not_a_pdf)."""
    path = folder / name
    path.write_bytes(b"<html><body>404 Not Found</body></html>")
    return path


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = store.connect(db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_cycles_take_new_skip_unchanged_replace_modified_and_record_a_bad_file_once(tmp_path, inbox):
    db = tmp_path / "w.duckdb"
    write(inbox, "notice.txt", NOTICE)
    reply = write(inbox, "sub/reply.txt", REPLY)
    not_a_pdf(inbox)

    first = watch_cycle(inbox, db, settle=FAST)
    assert (first.run.new, first.run.failed, first.busy) == (2, 1, "")
    assert first.run.errors[0][1] == "not_a_pdf"
    old_reply_id = query(db, "SELECT doc_id FROM documents WHERE source_path = ?", [str(reply)])[0][0]

    second = watch_cycle(inbox, db, settle=FAST)
    assert (second.run.new, second.run.unchanged, second.run.failed, second.run.skipped) == (0, 2, 0, 1)

    reply.write_text(REPLY.replace("2025年底前", "2026年6月底前"), encoding="utf-8")
    write(inbox, "table.txt", TASK_TABLE)
    third = watch_cycle(inbox, db, settle=FAST)
    assert (third.run.new, third.run.replaced, third.run.unchanged, third.run.skipped) == (1, 1, 1, 1)

    docs = query(db, "SELECT source_path, doc_id FROM documents ORDER BY source_path")
    assert [Path(p).name for p, _ in docs] == ["notice.txt", "reply.txt", "table.txt"]
    assert old_reply_id not in {d for _, d in docs}
    assert query(db, "SELECT count(*) FROM obligations WHERE doc_id = ?", [old_reply_id]) == [(0,)]
    # the bad file: one error row over three cycles
    assert query(db, "SELECT kind, count(*) FROM ingest_errors GROUP BY kind") == [("not_a_pdf", 1)]
    runs = query(db, "SELECT run_id, status, paths FROM ingest_runs ORDER BY started_at")
    assert [r[0] for r in runs] == [first.run.run_id, second.run.run_id, third.run.run_id]
    assert {r[1] for r in runs} == {"completed"}
    assert runs[0][2] == [str(inbox)]


def test_a_bad_file_is_tried_again_only_when_its_bytes_change(tmp_path, inbox):
    db = tmp_path / "w.duckdb"
    bad = not_a_pdf(inbox, "notice.pdf")
    assert watch_cycle(inbox, db, settle=FAST).run.failed == 1
    assert watch_cycle(inbox, db, settle=FAST).run.skipped == 1
    bad.write_bytes(b"%PDF-1.4\n% an upload cut short")  # replaced, still bad: tried, recorded
    third = watch_cycle(inbox, db, settle=FAST)
    assert (third.run.failed, third.run.skipped) == (1, 0)
    assert watch_cycle(inbox, db, settle=FAST).run.skipped == 1
    assert query(db, "SELECT count(DISTINCT content_sha256), count(*) FROM ingest_errors WHERE path = ?",
                 [str(bad)]) == [(2, 2)]


def test_an_empty_inbox_cycle_is_still_recorded(tmp_path, inbox):
    db = tmp_path / "w.duckdb"
    summary = watch_cycle(inbox, db, settle=FAST)
    assert (summary.run.n_files, summary.run.new) == (0, 0)
    assert query(db, "SELECT status FROM ingest_runs WHERE run_id = ?", [summary.run.run_id]) == [("completed",)]


def test_a_missing_inbox_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no inbox folder"):
        watch_cycle(tmp_path / "nowhere", tmp_path / "w.duckdb", settle=FAST)


class FakeTime:
    """A clock that only moves when the code under test sleeps; `on_sleep` runs at every sleep."""

    def __init__(self, on_sleep=lambda n: None):
        self.now = 0.0
        self.sleeps = 0
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds
        self.on_sleep(self.sleeps)


def test_a_file_still_growing_waits_and_a_finished_one_is_read(inbox):
    growing = inbox / "upload.pdf"
    growing.write_bytes(b"%PDF-1.7\n")
    done = write(inbox, "done.txt", NOTICE)

    def writer(n: int) -> None:  # another program appends a chunk between our looks
        with growing.open("ab") as fh:
            fh.write(b"x" * 1024)

    t = FakeTime(writer)
    ready = wait_until_stable([str(growing), str(done)], Settle(interval=1.0, max_wait=5.0), t.sleep, t.clock)
    assert ready.ready == [str(done)]
    assert ready.waiting == [str(growing)]
    assert t.now == pytest.approx(5.0)  # gave up after max_wait, not before

    t = FakeTime(lambda n: writer(n) if n <= 2 else None)  # two more chunks, then the upload is done
    ready = wait_until_stable([str(growing)], Settle(interval=1.0, max_wait=30.0), t.sleep, t.clock)
    assert ready.ready == [str(growing)] and ready.waiting == []
    assert t.sleeps == 3  # changed, changed, then the same twice in a row


def test_stable_files_cost_one_settle_interval_in_all(inbox):
    files = [str(write(inbox, f"d{i}.txt", NOTICE)) for i in range(5)]
    t = FakeTime()
    ready = wait_until_stable(files, Settle(interval=2.0, max_wait=60.0), t.sleep, t.clock)
    assert ready.ready == sorted(files)
    assert t.sleeps == 1


def test_an_empty_file_waits_instead_of_being_recorded_as_an_error(tmp_path, inbox):
    db = tmp_path / "w.duckdb"
    (inbox / "being-created.txt").write_bytes(b"")
    write(inbox, "notice.txt", NOTICE)
    summary = watch_cycle(inbox, db, settle=FAST)
    assert [Path(p).name for p in summary.waiting] == ["being-created.txt"]
    assert (summary.run.new, summary.run.failed) == (1, 0)
    assert query(db, "SELECT count(*) FROM ingest_errors") == [(0,)]


def test_a_file_removed_while_watching_is_dropped(inbox):
    gone = write(inbox, "gone.txt", NOTICE)
    stays = write(inbox, "stays.txt", REPLY)
    t = FakeTime(lambda n: gone.unlink())
    ready = wait_until_stable([str(gone), str(stays)], FAST, t.sleep, t.clock)
    assert (ready.ready, ready.vanished) == ([str(stays)], [str(gone)])


def test_a_transient_stat_error_is_retried(monkeypatch, inbox):
    path = write(inbox, "notice.txt", NOTICE)
    real_stat = Path.stat
    failures = iter([OSError(5, "Input/output error")])

    def flaky_stat(self, *args, **kwargs):
        if self == path:
            exc = next(failures, None)
            if exc:
                raise exc
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", flaky_stat)
    slept = []
    assert watch.file_signature(str(path), retries=2, sleep=slept.append)[0] == path.stat().st_size
    assert len(slept) == 1


def test_a_persistent_stat_error_leaves_the_file_for_the_next_cycle(monkeypatch, inbox):
    path = write(inbox, "notice.txt", NOTICE)
    real_stat = Path.stat

    def broken_stat(self, *args, **kwargs):
        if self == path:
            raise OSError(5, "Input/output error")
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", broken_stat)
    t = FakeTime()
    ready = wait_until_stable([str(path)], Settle(interval=1.0, max_wait=5.0, stat_retries=2), t.sleep, t.clock)
    assert (ready.ready, ready.waiting) == ([], [str(path)])


def test_a_busy_database_skips_the_cycle_with_a_message(tmp_path, inbox, monkeypatch):
    db = tmp_path / "w.duckdb"
    write(inbox, "notice.txt", NOTICE)
    hold = store.writer_lock
    # run_ingest waits 5 s for the lock before giving up; the test need not
    monkeypatch.setattr(store, "writer_lock", functools.partial(hold, wait=0.2))
    with hold(db, "reprocess"):
        summary = watch_cycle(inbox, db, settle=FAST)
    assert summary.run is None
    assert "is busy" in summary.busy and "reprocess running since" in summary.busy
    assert not db.exists() or query(db, "SELECT count(*) FROM documents") == [(0,)]
    assert watch_cycle(inbox, db, settle=FAST).run.new == 1  # the next cycle takes it


def test_the_loop_runs_the_cycles_asked_for_and_goes_on_when_busy(tmp_path, inbox, monkeypatch):
    db = tmp_path / "w.duckdb"
    write(inbox, "notice.txt", NOTICE)
    seen = []
    n = watch.watch_loop(inbox, db, interval=0.01, cycles=3, report=seen.append, settle=FAST)
    assert n == 3
    assert [(s.run.new, s.run.unchanged) for s in seen] == [(1, 0), (0, 1), (0, 1)]


def _watch_once(inbox: Path, db: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli.watch", "watch", "--inbox", str(inbox), "--db",
                             str(db), "--once", "--settle", "0.05"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_watchers_at_once_leave_one_copy_of_each_document(tmp_path, inbox):
    """Two watch cycles started together in two threads (the lock is a flock per open file, so
    threads contend like processes do; the process version below is slow-marked)."""
    db = tmp_path / "w.duckdb"
    for i, text in enumerate([NOTICE, REPLY, TASK_TABLE]):
        write(inbox, f"doc{i}.txt", text)
    barrier = threading.Barrier(2)
    results: list = []

    def watcher() -> None:
        barrier.wait()
        results.append(watch_cycle(inbox, db, settle=FAST))

    threads = [threading.Thread(target=watcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done = [r for r in results if not r.busy]
    assert len(results) == 2 and done
    assert sum(r.run.new for r in done) == 3
    assert all("is busy" in r.busy for r in results if r.busy)
    assert query(db, "SELECT count(*), count(DISTINCT source_path) FROM documents") == [(3, 3)]


@pytest.mark.slow
def test_two_watcher_processes_leave_one_copy_of_each_document(tmp_path, inbox):
    """Two watchers start together on one inbox and one database. The run-level writer lock lets
    one in; the other waits its turn (then finds everything unchanged) or, when the first takes
    longer than the wait, reports the busy database and exits with 75. Either way: one copy."""
    db = tmp_path / "w.duckdb"
    for i, text in enumerate([NOTICE, REPLY, TASK_TABLE]):
        write(inbox, f"doc{i}.txt", text)
    procs = [_watch_once(inbox, db), _watch_once(inbox, db)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    assert codes in ([0, 0], [0, 75]), results
    for code, stdout, stderr in results:
        if code == 75:
            assert "busy" in stderr and "watch running since" in stderr
        else:
            assert stdout.startswith("cycle ")
    assert query(db, "SELECT count(*), count(DISTINCT source_path) FROM documents") == [(3, 3)]
    ids = query(db, "SELECT count(*), count(DISTINCT obligation_id) FROM obligations")[0]
    assert ids[0] == ids[1] > 0
    news = query(db, "SELECT sum(n_new), count(*) FILTER (status <> 'completed') FROM ingest_runs")
    assert news == [(3, 0)]


def test_watch_command_once(tmp_path, inbox):
    from typer.testing import CliRunner

    from pipeline.cli.watch import standalone_app

    db = tmp_path / "w.duckdb"
    write(inbox, "notice.txt", NOTICE)
    not_a_pdf(inbox)
    result = CliRunner().invoke(standalone_app(), ["watch", "--inbox", str(inbox), "--db", str(db), "--once",
                                                   "--settle", "0.01"])
    assert result.exit_code == 0, result.output
    assert "new 1" in result.output and "failed 1" in result.output and "not_a_pdf" in result.output
    missing = CliRunner().invoke(standalone_app(), ["watch", "--inbox", str(tmp_path / "nope"), "--once"])
    assert missing.exit_code == 2 and "no inbox folder" in missing.output


def test_stored_rows_are_readable_while_no_cycle_runs(tmp_path, inbox):
    db = tmp_path / "w.duckdb"
    write(inbox, "notice.txt", NOTICE)
    watch_cycle(inbox, db, settle=FAST)
    con = duckdb.connect(str(db), read_only=True)  # the watcher holds no connection between cycles
    try:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    finally:
        con.close()


def test_a_file_written_in_bursts_longer_than_the_settle_interval_is_never_stored_half_written(tmp_path):
    """A writer that pauses longer than the settle interval fools the size-and-mtime check; its open
    file does not (and the content hash taken before reading, compared with the bytes read and the
    file's state when the batch is stored, catches one that writes during the read): the file is
    left for the next cycle until it is whole, however fast a cycle runs."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    lines = [line for line in NOTICE.splitlines(keepends=True) if line.strip()] * 6
    target = inbox / "notice.txt"
    target.write_text("".join(lines[:2]), encoding="utf-8")
    done = threading.Event()

    def slow_writer():
        with target.open("a", encoding="utf-8") as fh:
            for line in lines[2:]:
                threading.Event().wait(0.6)  # pauses longer than the settle interval below
                fh.write(line)
                fh.flush()
        done.set()

    writer = threading.Thread(target=slow_writer, daemon=True)
    writer.start()
    db = tmp_path / "w.duckdb"
    settle = Settle(interval=0.2, max_wait=5.0)
    stored_texts = []
    while not done.is_set():
        summary = watch_cycle(inbox, db, settle=settle)
        if summary.run and summary.run.new:
            with duckdb.connect(str(db), read_only=True) as con:
                stored_texts += [t for (t,) in con.execute("SELECT text FROM documents").fetchall()]
        if summary.run:
            assert set(summary.run.changing) <= {str(target)} and set(summary.run.changing) <= set(summary.waiting)
    writer.join()
    watch_cycle(inbox, db, settle=settle)  # the file is whole now
    with duckdb.connect(str(db), read_only=True) as con:
        (final,) = con.execute("SELECT text FROM documents").fetchone()
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert final.count("摸清底数") == 6, "the stored document is not the whole file"
    assert all(t.count("摸清底数") == 6 for t in stored_texts), "a half-written file was stored"


def test_a_file_held_open_for_writing_waits_however_long_it_holds_still(tmp_path):
    from pipeline.runs.open_writers import held_for_writing

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    done, paused = inbox / "done.txt", inbox / "paused.txt"
    done.write_text(NOTICE, encoding="utf-8")
    with paused.open("w", encoding="utf-8") as writer:
        writer.write(NOTICE[: len(NOTICE) // 2])
        writer.flush()  # half the file, then the writer stops for longer than any settle interval
        with done.open("r", encoding="utf-8"):  # a reader holding a file is no writer
            assert held_for_writing([str(paused), str(done)]) == {str(paused)}
            readiness = wait_until_stable([str(paused), str(done)], Settle(interval=0.05, max_wait=1.0))
        assert readiness.ready == [str(done)] and readiness.waiting == [str(paused)]
    assert held_for_writing([str(paused)]) == set()
    assert wait_until_stable([str(paused)], Settle(interval=0.05, max_wait=1.0)).ready == [str(paused)]
