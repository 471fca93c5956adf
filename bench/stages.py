"""Where an ingest spends its time, stage by stage: the real `run_ingest`, in one process, with a
timer around each stage function.

    .venv/bin/python bench/stages.py FILE_OR_FOLDER... [--json OUT] [--cprofile N]

Nothing in pipeline/ or extractors/ is edited: the stage functions are wrapped in this process
only (module attributes replaced, the spaCy tokenizer swapped for a timing proxy), then
`pipeline.runs.ingest.run_ingest` runs as the CLI would run it with `--no-prefect`, but with
`workers=0` (extraction in this process, where the timers are: the CLI extracts every file in a
worker process, with a time limit and a memory ceiling), into a fresh database. Times are
exclusive: a stage called inside another (a field extractor called by the obligation builder)
counts for itself, not for its caller. Stages:

    hash             sha256 of the file (pipeline.runs.process.file_sha256)
    read: bytes, doc id  the rest of pipeline.readers.read_document (reading the bytes, hashing them again)
    read: <format>   taking the file apart (pipeline.readers.parse_file: pdfplumber, python-docx, lxml …)
    normalise        one text, blocks and source map (pipeline.readers.normalize)
    metadata         title, 发文字号, issuers, dates (extractors.metadata.extract_metadata)
    deadline cells   deadline columns of task tables (extractors.analyze.deadline_cells)
    segment          jieba and the spaCy Doc of its words (extractors.nlp.make_doc)
    extract: <field> each field's pure `extract(text, ctx)`
    spaCy spans      the matches copied into the Doc: doc.char_span per match, doc.spans (extractors.nlp.to_doc)
    structure        numbering, sections, sentences (extractors.structure.analyse)
    obligations      one obligation per item / sentence / row, fields linked (extractors.obligations.build)
    records          the rest of analyze(): pydantic records, ids, categories
    store: rows      one transaction per batch, Arrow inserts (pipeline.store.store_documents)
    store: schema    CREATE TABLE/VIEW IF NOT EXISTS at each write connection (pipeline.store.init_schema)
    store: other     opening connections, annex links, run rows (rest of pipeline.runs.ingest.store_batch)
    other            listing, loading what is stored, batching (rest of run_ingest)

Stage times are CPU seconds of this process (time.process_time: steady on a shared machine),
shares are of the run's CPU total. The spaCy pipeline is built before the timed run (jieba's dictionary, the user dictionary): that
one-time start is reported as `startup`. Bare `jieba.lcut` over the same texts is timed in the
same process afterwards (`bare jieba.lcut`) so the segment stage can be set against it.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import functools
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # appended: a PYTHONPATH (bench/run.py's snapshot of the code) comes first
    sys.path.append(str(ROOT))


class Timers:
    """Exclusive wall time per stage name, with a stack so that nested stages are not counted twice."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self.calls: dict[str, int] = collections.defaultdict(int)
        self._stack: list[list] = []  # [name, start, time spent in children]

    @contextlib.contextmanager
    def stage(self, name: str):
        frame = [name, time.process_time(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.process_time() - frame[1]
            self.seconds[name] += elapsed - frame[2]
            self.calls[name] += 1
            if self._stack:
                self._stack[-1][2] += elapsed

    def wrap(self, fn, name):
        """`fn` timed as stage `name` (a callable name(*args) gives a name per call)."""
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            with self.stage(name(*args) if callable(name) else name):
                return fn(*args, **kwargs)
        return timed


class TimedTokenizer:
    """Stands in for the spaCy tokenizer: the same call, timed."""

    def __init__(self, tokenizer, timers: Timers):
        self.tokenizer, self.timers = tokenizer, timers

    def __call__(self, text):
        with self.timers.stage("segment"):
            return self.tokenizer(text)

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def instrument(timers: Timers) -> list[str]:
    """Wrap every stage function in place; returns the stages that could not be found."""
    from extractors import analyze, fields, nlp, obligations, structure
    from pipeline import readers, store
    from pipeline.runs import process

    missing = []

    def patch(module, attr, name):
        if not hasattr(module, attr):
            missing.append(f"{module.__name__}.{attr}")
            return
        setattr(module, attr, timers.wrap(getattr(module, attr), name))

    patch(process, "file_sha256", "hash")
    patch(process, "read_document", "read: bytes, doc id")
    patch(readers, "parse_file", lambda path, *a, **k: f"read: {Path(path).suffix.lstrip('.').lower()}")
    patch(readers, "normalize", "normalise")
    patch(analyze, "analyze", "records")  # what analyze() does itself, its stages taken out
    patch(analyze, "extract_metadata", "metadata")
    patch(analyze, "deadline_cells", "deadline cells")
    patch(structure, "analyse", "structure")
    patch(obligations, "build", "obligations")
    for field, module in fields.FIELDS.items():
        patch(module, "extract", f"extract: {field}")
    patch(nlp, "to_doc", "spaCy spans")  # segmentation (below) is taken out of it
    if hasattr(nlp, "make_doc"):  # the pipeline's own segmentation entry point
        patch(nlp, "make_doc", "segment")
    else:
        language = nlp.pipeline()
        language.tokenizer = TimedTokenizer(language.tokenizer, timers)
    patch(store, "store_documents", "store: rows")  # a batch in one transaction (runs call it as store.…)
    patch(store.write, "store_document", "store: rows")  # one by one, after a batch failed
    patch(store.database, "init_schema", "store: schema")  # called by store.open_for_writing
    return missing


def profile(paths: list[str], db: Path, cprofile_top: int = 0) -> dict:
    started = time.process_time()
    from extractors import nlp
    nlp.pipeline()  # jieba's dictionary, the user dictionary, spaCy: once per process
    startup = time.process_time() - started

    timers = Timers()
    missing = instrument(timers)
    from pipeline.runs import ingest

    profiler = cProfile.Profile() if cprofile_top else None
    t0, c0 = time.perf_counter(), time.process_time()
    with timers.stage("other"):
        if profiler:
            profiler.enable()
        summary = ingest.run_ingest(paths, db, workers=0,  # in this process: the timers see the stages
                                    store_fn=timers.wrap(ingest.store_batch, "store: other"))
        if profiler:
            profiler.disable()
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0

    texts = _stored_texts(db)
    import jieba
    t1 = time.process_time()
    n_tokens = sum(len(jieba.lcut(t)) for t in texts)
    bare_jieba = time.process_time() - t1

    stages = dict(sorted(timers.seconds.items(), key=lambda kv: -kv[1]))
    out = {
        "documents": summary.n_files, "new": summary.new, "failed": summary.failed,
        "obligations": summary.obligations, "chars": sum(len(t) for t in texts), "jieba_tokens": n_tokens,
        "startup_s": startup, "total_s": total, "total_cpu_s": total_cpu, "bare_jieba_s": bare_jieba,
        "stages": {k: {"s": v, "share": v / total_cpu, "calls": timers.calls[k]} for k, v in stages.items()},
        "missing_stages": missing,
    }
    if profiler:
        out["top_functions"] = _top(profiler, cprofile_top)
    return out


def _stored_texts(db: Path) -> list[str]:
    from pipeline import store
    con = store.connect(db, read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT text FROM documents").fetchall()]
    finally:
        con.close()


def _top(profiler: cProfile.Profile, n: int) -> list[dict]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": ncalls,
                     "tottime_s": round(tottime, 3), "cumtime_s": round(cumtime, 3)})
    rows.sort(key=lambda r: -r["tottime_s"])
    return rows[:n]


def _short(file: str) -> str:
    for marker in ("site-packages/", "bench/results/code/", str(ROOT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def print_table(result: dict, out=sys.stdout) -> None:
    print(f"{result['documents']} documents, {result['chars']:,} characters, {result['obligations']} obligations; "
          f"ingest {result['total_cpu_s']:.1f} s CPU ({result['total_s']:.1f} s wall) after a start of "
          f"{result['startup_s']:.1f} s; "
          f"bare jieba.lcut on the same text {result['bare_jieba_s']:.1f} s", file=out)
    for name, s in result["stages"].items():
        print(f"  {name:<22} {s['s']:8.2f} s  {100 * s['share']:5.1f} %  ({s['calls']} calls)", file=out)
    for row in result.get("top_functions", []):
        print(f"  {row['tottime_s']:8.3f} s  {row['calls']:>8}  {row['function']}", file=out)
    if result["missing_stages"]:
        print(f"  (not found, not timed: {', '.join(result['missing_stages'])})", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="files or folders (or @LIST: a file with one path a line)")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="also run cProfile and list the N functions with the most own time")
    args = parser.parse_args(argv)
    paths = []
    for p in args.paths:
        paths += Path(p[1:]).read_text(encoding="utf-8").split() if p.startswith("@") else [p]
    with tempfile.TemporaryDirectory() as tmp:
        result = profile(paths, Path(tmp) / "profile.duckdb", args.cprofile)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
