"""`make bench`: the pipeline measured against the floor that jieba and pdfplumber set.

    .venv/bin/python bench/run.py            # full: 2,000 documents, ~10 min on 2 cores (docs/PERFORMANCE.md)
    .venv/bin/python bench/run.py --quick    # smoke run: 300 documents, a few minutes
    .venv/bin/python bench/run.py --only jieba,pdf --runs 5

Every measured command is a separate process, run `--runs` times, and the median is taken (the
machine is shared: absolute times drift, ratios hold better). Each process is timed by the
harness: wall time, CPU time (user + system of the process and its children, from wait4), the
largest resident set of any process of the tree (ru_maxrss) and the peak of the tree's summed
RSS (sampled every 0.1 s). On a busy machine CPU time is the steadier measure of work; wall
time is what the two-worker speed-up and the Prefect share need.

Steps (names for --only / --skip):
  startup   process start of the pipeline (imports, spaCy, jieba and its user dictionary) vs jieba's
  rerun     the default command (Prefect on) over 50 documents already stored: target under 2 s (no
            Prefect start when nothing is new or changed)
  jieba     `obligations ingest --no-prefect` (1 and 2 workers) on the text documents of the sample vs
            bare `jieba.lcut` over the same documents' text (the normalised text the pipeline stored)
  pdf       the PDF documents: ingest, our reader alone, vs bare pdfplumber `extract_text`
  stages    per-stage CPU seconds and shares (bench/stages.py), plus a cProfile run's top functions
  prefect   the `ingest` flow vs `run_ingest` called directly, on the same documents; cold start apart
  memory    peak memory of ingest at two corpus sizes (500 and 2,000 documents), 2 workers
  workers   the memory step's documents again with one worker: the two-worker speed-up past the start
  reingest  the 2,000-document ingest again, nothing changed, vs its first run; once more with the
            default command (Prefect on)
  queries   the views and the docs/SCHEMA.md example queries at 100,000 obligations (bench/scale_db.py)
  rjieba    rjieba (Rust jieba) against jieba: same tokens on the corpus? how much faster?

The code measured is a snapshot: pipeline/, extractors/ and schemas/ are copied to
bench/results/code/ at the start and every measured process imports them from there (PYTHONPATH),
so that an edit made in the checkout during the run (the pipeline version is a digest of the
extractor code: any edit makes the next ingest re-extract everything) cannot change what is
measured halfway.

Results: bench/results/latest.json and bench/results/summary.md (git-ignored); the interpretation
lives in docs/PERFORMANCE.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
RESULTS = BENCH / "results"
RJIEBA_VENV = ROOT / ".state" / "bench-rjieba"  # rjieba lives apart: not a dependency of the project
SNAPSHOT = RESULTS / "code"  # the code measured: a copy taken at the start, see Bench.snapshot
# appended, not put first: in the measured processes PYTHONPATH points at the snapshot and must win
for _p in (ROOT, BENCH):
    if str(_p) not in sys.path:
        sys.path.append(str(_p))

# cheapest and most asked-for first; results are saved after each step, so a cut-short run still tells
STEPS = ["startup", "rerun", "jieba", "pdf", "stages", "memory", "workers", "reingest", "queries", "rjieba", "prefect"]
CODE = ["pipeline", "extractors", "schemas"]  # the packages copied into the snapshot


@dataclass(frozen=True)
class Plan:
    corpus: int  # documents generated
    text_sample: int  # text documents (txt, md, html, docx) for the jieba comparison
    pdf_sample: int
    stage_sample: int
    cprofile_sample: int
    prefect_docs: int
    memory_sizes: tuple[int, int]
    obligations: int  # the scaled database for the query timings


FULL = Plan(corpus=2000, text_sample=80, pdf_sample=20, stage_sample=100, cprofile_sample=40, prefect_docs=1000,
            memory_sizes=(500, 2000), obligations=100_000)
QUICK = Plan(corpus=300, text_sample=30, pdf_sample=6, stage_sample=30, cprofile_sample=15, prefect_docs=100,
             memory_sizes=(100, 300), obligations=100_000)


# ------------------------------------------------------------------------------ measuring


MEASURED_ENV: dict[str, str] = {}  # set by Bench.snapshot: PYTHONPATH of the snapshot


@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    maxrss_mb: float  # the largest single process of the tree
    peak_tree_mb: float  # the largest sum over the tree, sampled
    returncode: int
    peak_main_mb: float = 0.0  # the measured process itself (the writer, for an ingest), sampled
    peak_child_mb: float = 0.0  # its largest descendant (an extraction worker), sampled
    stdout: str = field(repr=False, default="")


def _tree_rss(pid: int) -> tuple[int, int, int]:
    """(RSS of the process, largest RSS among its descendants, sum over the tree) in bytes."""
    import psutil
    try:
        root = psutil.Process(pid)
        children = root.children(recursive=True)
        own = root.memory_info().rss
    except psutil.Error:
        return 0, 0, 0
    largest = total = 0
    for p in children:
        try:
            rss = p.memory_info().rss
        except psutil.Error:
            continue
        largest, total = max(largest, rss), total + rss
    return own, largest, own + total


def measure(cmd: list[str], env: dict | None = None, log: Path | None = None) -> Sample:
    """Run `cmd` to its end: wall and CPU time, peak memory. Raises when it fails."""
    stderr = open(log, "ab") if log else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **MEASURED_ENV, **(env or {})},
                                stdout=subprocess.PIPE, stderr=stderr)
        peak = [0, 0, 0]  # main, largest child, tree
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                peak[:] = [max(a, b) for a, b in zip(peak, _tree_rss(proc.pid))]

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            stderr.close()
    sample_ = Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[2] / 2**20,
                     proc.returncode, stdout=out.decode("utf-8", "replace"), peak_main_mb=peak[0] / 2**20,
                     peak_child_mb=peak[1] / 2**20)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} … exited {proc.returncode}; see {log}")
    return sample_


def repeat(cmd: list[str], runs: int, before=None, env: dict | None = None, label: str = "") -> list[Sample]:
    samples = []
    for k in range(runs):
        if before:
            before()
        s = measure(cmd, env, RESULTS / "bench.log")
        samples.append(s)
        say(f"    {label} run {k + 1}/{runs}: {s.wall_s:.1f} s wall, {s.cpu_s:.1f} s CPU, "
            f"{s.peak_tree_mb:.0f} MB peak")
    return samples


def med(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def summary(samples: list[Sample]) -> dict:
    return {"runs": len(samples), "wall_s": med(samples, "wall_s"), "cpu_s": med(samples, "cpu_s"),
            "maxrss_mb": max(s.maxrss_mb for s in samples), "peak_tree_mb": max(s.peak_tree_mb for s in samples),
            "wall_all": [round(s.wall_s, 2) for s in samples], "cpu_all": [round(s.cpu_s, 2) for s in samples]}


def inner(samples: list[Sample]) -> dict:
    """The JSON the measured helper printed, median per key."""
    rows = [json.loads(s.stdout.strip().splitlines()[-1]) for s in samples]
    return {k: statistics.median(r[k] for r in rows) if isinstance(rows[0][k], (int, float)) else rows[0][k]
            for k in rows[0]}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ helpers run as processes


def helper(name: str, *args: str) -> list[str]:
    return [str(PYTHON), str(Path(__file__)), name, *map(str, args)]


def _paths(listing: str) -> list[str]:
    return Path(listing).read_text(encoding="utf-8").split("\n") if listing else []


def cmd_floor_jieba(listing: str) -> None:
    """Bare jieba: its dictionary, then jieba.lcut over each text file."""
    t0 = time.process_time()  # CPU seconds: steadier than wall time on a shared machine
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    t1 = time.process_time()
    tokens = chars = 0
    for path in filter(None, _paths(listing)):
        text = Path(path).read_text(encoding="utf-8")
        chars += len(text)
        tokens += len(jieba.lcut(text))
    t2 = time.process_time()
    print(json.dumps({"init_s": t1 - t0, "cut_s": t2 - t1, "tokens": tokens, "chars": chars}))


def cmd_floor_pdfplumber(listing: str) -> None:
    """Bare pdfplumber: extract_text of every page of each file."""
    t0 = time.process_time()
    import pdfplumber
    t1 = time.process_time()
    pages = chars = 0
    for path in filter(None, _paths(listing)):
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
                pages += 1
                page.close()
    print(json.dumps({"import_s": t1 - t0, "extract_s": time.process_time() - t1, "pages": pages, "chars": chars}))


def cmd_read_only(listing: str) -> None:
    """Our readers alone: read_document of each file."""
    t0 = time.process_time()
    from pipeline.readers import read_document
    import pipeline.readers.pdf  # noqa: F401  (imports timed apart, as for pdfplumber)
    t1 = time.process_time()
    chars = 0
    for path in filter(None, _paths(listing)):
        chars += len(read_document(path).text)
    print(json.dumps({"import_s": t1 - t0, "read_s": time.process_time() - t1, "chars": chars}))


def cmd_startup() -> None:
    """What an ingest process does before its first document: imports, spaCy, jieba, user dictionary."""
    t0 = time.process_time()
    import pipeline.cli.main  # noqa: F401
    import pipeline.runs.ingest  # noqa: F401
    t1 = time.process_time()
    from extractors import nlp
    nlp.pipeline()
    print(json.dumps({"imports_s": t1 - t0, "nlp_s": time.process_time() - t1}))


def cmd_flow_timing(mode: str, db: str, warm: str, listing: str, workers: int) -> None:
    """One process: a 1-document run first (cold start: Prefect's ephemeral server, or nothing), then
    the timed run over the listed documents into a fresh database. The wall time spent inside the
    step functions is recorded, so that the flow's own cost can be told from the work."""
    from pipeline.runs import ingest

    # wall time during which at least one step function runs: with workers, storing batch n (in a
    # thread) overlaps extracting batch n+1, so the steps' own times would count that twice
    inside = {"s": 0.0, "active": 0, "since": 0.0}
    lock = threading.Lock()

    def timed(fn):
        def run(*args, **kwargs):
            with lock:
                if inside["active"] == 0:
                    inside["since"] = time.perf_counter()
                inside["active"] += 1
            try:
                return fn(*args, **kwargs)
            finally:
                with lock:
                    inside["active"] -= 1
                    if inside["active"] == 0:
                        inside["s"] += time.perf_counter() - inside["since"]
        return run

    t0 = time.perf_counter()
    if mode == "flow":
        from pipeline.flows import ingest as ingest_flows
        # the Prefect tasks' functions (flows.extract_task/store_task are plain wrappers around them)
        ingest_flows._extract_task.fn = timed(ingest_flows._extract_task.fn)
        ingest_flows._store_task.fn = timed(ingest_flows._store_task.fn)

        def go(paths, target):
            return ingest_flows.ingest_flow(paths, target, workers=workers)
    else:
        extract, store_fn = timed(ingest.extract_batch), timed(ingest.store_batch)

        def go(paths, target):
            return ingest.run_ingest(paths, Path(target), workers=workers, extract=extract, store_fn=store_fn)
    t1 = time.perf_counter()
    go([warm], str(Path(db).with_suffix(".warm.duckdb")))
    cold = time.perf_counter() - t1
    inside["s"] = 0.0
    t2 = time.perf_counter()
    result = go(list(filter(None, _paths(listing))), db)
    run = time.perf_counter() - t2
    n_files = result["n_files"] if isinstance(result, dict) else result.n_files
    print(json.dumps({"import_s": t1 - t0, "cold_s": cold, "run_s": run, "inside_steps_s": inside["s"],
                      "n_files": n_files}))


# ------------------------------------------------------------------------------ the steps


class Bench:
    def __init__(self, plan: Plan, runs: int, steps: list[str]):
        self.plan, self.runs, self.steps = plan, runs, steps
        self.results: dict = {"started": dt.datetime.now().isoformat(timespec="seconds"), "plan": asdict(plan),
                              "runs": runs, "machine": machine()}
        self.work = RESULTS / "work"
        self.env = {"PREFECT_HOME": str(RESULTS / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                    "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}

    # -- corpus and samples

    def snapshot(self) -> None:
        """Copy the code to measure, and have every measured process (and this one) import it."""
        shutil.rmtree(SNAPSHOT, ignore_errors=True)
        for package in CODE:
            shutil.copytree(ROOT / package, SNAPSHOT / package, ignore=shutil.ignore_patterns("__pycache__"))
        MEASURED_ENV["PYTHONPATH"] = str(SNAPSHOT)
        sys.path.insert(0, str(SNAPSHOT))
        from pipeline.version import pipeline_version
        self.results["pipeline_version"] = pipeline_version()
        self.results["git_head"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                                  capture_output=True, text=True).stdout.strip()

    def prepare(self) -> None:
        import make_corpus
        RESULTS.mkdir(exist_ok=True)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.snapshot()
        (RESULTS / "bench.log").write_text("", encoding="utf-8")
        self.entries = make_corpus.build(self.plan.corpus, make_corpus.DEFAULT_OUT, verbose=True)
        corpus = make_corpus.DEFAULT_OUT
        self.corpus_dir = corpus
        texts = [e for e in self.entries if e["format"] != "pdf"][: self.plan.text_sample]
        pdfs = [e for e in self.entries if e["format"] == "pdf"][: self.plan.pdf_sample]
        self.text_files = [str(corpus / e["path"]) for e in texts]
        self.pdf_files = [str(corpus / e["path"]) for e in pdfs]
        self.mixed_files = [str(corpus / e["path"]) for e in self.entries[: self.plan.stage_sample]]
        self.results["corpus"] = {
            "documents": len(self.entries), "bytes": sum(e["bytes"] for e in self.entries),
            "formats": _count(e["format"] for e in self.entries), "sources": len({e["source"] for e in self.entries}),
            "text_sample": len(self.text_files), "pdf_sample": len(self.pdf_files)}

    def listing(self, name: str, paths: list[str]) -> Path:
        path = self.work / f"{name}.list"
        path.write_text("\n".join(paths), encoding="utf-8")
        return path

    def ingest_cmd(self, paths: list[str], db: Path, workers: int = 1) -> list[str]:
        return [str(BIN / "obligations"), "ingest", *paths, "--db", str(db), "--no-prefect", "--workers", str(workers)]

    def fresh(self, db: Path):
        def remove() -> None:
            for p in (db, Path(f"{db}.wal"), Path(f"{db}.lock")):
                p.unlink(missing_ok=True)
        return remove

    def dump_texts(self, db: Path, name: str) -> Path:
        """The normalised text of every stored document, one file each: the text jieba is given."""
        import duckdb
        folder = self.work / f"texts-{name}"
        folder.mkdir(exist_ok=True)
        con = duckdb.connect(str(db), read_only=True)
        try:
            rows = con.execute("SELECT doc_id, text FROM documents ORDER BY source_path").fetchall()
        finally:
            con.close()
        for doc_id, text in rows:
            (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        return self.listing(f"texts-{name}", [str(folder / f"{d}.txt") for d, _ in rows])

    # -- steps

    def step_startup(self) -> None:
        pipeline = repeat(helper("startup"), self.runs, label="pipeline start")
        bare = repeat([str(PYTHON), "-c", "import jieba; jieba.setLogLevel(60); jieba.initialize()"], self.runs,
                      label="jieba start")
        self.results["startup"] = {"pipeline": {**summary(pipeline), **inner(pipeline)}, "jieba": summary(bare)}

    def step_rerun(self) -> None:
        """A study's repeat run: the default command over documents stored already. The files are
        hashed and compared before Prefect would start, so nothing starts it."""
        n = min(50, len(self.entries))
        paths = [str(self.corpus_dir / e["path"]) for e in self.entries[:n]]
        db = self.work / "rerun.duckdb"
        self.fresh(db)()
        first = measure(self.ingest_cmd(paths, db, 1), log=RESULTS / "bench.log")
        default = [str(BIN / "obligations"), "ingest", *paths, "--db", str(db)]
        again = repeat(default, self.runs, env=self.env, label=f"re-run, {n} unchanged, default command")
        self.results["rerun"] = {"documents": n, "first_no_prefect": {"wall_s": first.wall_s, "cpu_s": first.cpu_s},
                                 "again": summary(again)}

    def step_jieba(self) -> None:
        db1, db2 = self.work / "text-w1.duckdb", self.work / "text-w2.duckdb"
        w1 = repeat(self.ingest_cmd(self.text_files, db1, 1), self.runs, self.fresh(db1), label="ingest 1 worker")
        w2 = repeat(self.ingest_cmd(self.text_files, db2, 2), self.runs, self.fresh(db2), label="ingest 2 workers")
        texts = self.dump_texts(db1, "text")
        floor = repeat(helper("floor-jieba", texts), self.runs, label="bare jieba")
        f = inner(floor)
        r = {"documents": len(self.text_files), "ingest_1_worker": summary(w1), "ingest_2_workers": summary(w2),
             "bare_jieba": {**summary(floor), **f}}
        r["ratio_cpu"] = r["ingest_1_worker"]["cpu_s"] / r["bare_jieba"]["cpu_s"]
        r["ratio_wall"] = r["ingest_1_worker"]["wall_s"] / r["bare_jieba"]["wall_s"]
        start = self.results.get("startup", {}).get("pipeline", {})
        if start:  # per-document work only: each side without its process start
            ours = r["ingest_1_worker"]["cpu_s"] - start["cpu_s"]
            r["ratio_cpu_without_start"] = ours / f["cut_s"]
        r["two_worker_speedup_wall"] = r["ingest_1_worker"]["wall_s"] / r["ingest_2_workers"]["wall_s"]
        self.results["jieba"] = r

    def step_workers(self) -> None:
        """Two workers against one where the workers' one-time start is small: the memory step's
        documents (ingested there with 2 workers) ingested again by one process, at both sizes."""
        import make_corpus
        if "memory" not in self.results:
            raise RuntimeError("the memory step gives the two-worker runs to compare with: run it first")
        r = {}
        for n in self.plan.memory_sizes:
            db = self.work / f"workers-{n}.duckdb"
            self.fresh(db)()
            parts = [str(p) for p in make_corpus.part_dirs(self.corpus_dir, n)]
            one = measure(self.ingest_cmd(parts, db, 1), log=RESULTS / "bench.log")
            two = self.results["memory"][str(n)]
            say(f"    {n} documents, 1 worker: {one.wall_s:.1f} s wall; 2 workers (memory step): {two['wall_s']:.1f} s")
            r[str(n)] = {"documents": n, "one_worker": {**asdict(one), "stdout": None},
                         "two_workers_wall_s": two["wall_s"], "speedup_wall": one.wall_s / two["wall_s"]}
        self.results["workers"] = r

    def step_reingest(self) -> None:
        """The largest memory run's corpus ingested again into its database: nothing to do but see that."""
        import make_corpus
        n = self.plan.memory_sizes[1]
        db = self.work / f"memory-{n}.duckdb"
        if "memory" not in self.results or not db.exists():
            raise RuntimeError("the memory step gives the first run to compare with: run it first")
        parts = [str(p) for p in make_corpus.part_dirs(self.corpus_dir, n)]
        again = repeat(self.ingest_cmd(parts, db, 2), self.runs, label=f"re-ingest {n}")
        first = self.results["memory"][str(n)]
        default = measure([str(BIN / "obligations"), "ingest", *parts, "--db", str(db), "--workers", "2"], self.env,
                          RESULTS / "bench.log")
        say(f"    re-ingest {n}, default command (Prefect on): {default.wall_s:.1f} s wall")
        self.results["reingest"] = {"documents": n, "first": {k: first[k] for k in ("wall_s", "cpu_s")},
                                    "again": summary(again), "ratio_wall": med(again, "wall_s") / first["wall_s"],
                                    "ratio_cpu": med(again, "cpu_s") / first["cpu_s"],
                                    "default_command": {"wall_s": default.wall_s, "cpu_s": default.cpu_s}}

    def step_pdf(self) -> None:
        listing = self.listing("pdf", self.pdf_files)
        db = self.work / "pdf.duckdb"
        ingest = repeat(self.ingest_cmd(self.pdf_files, db, 1), self.runs, self.fresh(db), label="ingest PDFs")
        reader = repeat(helper("read-only", listing), self.runs, label="our PDF reader")
        floor = repeat(helper("floor-pdfplumber", listing), self.runs, label="bare pdfplumber")
        texts = self.dump_texts(db, "pdf")
        jieba_floor = repeat(helper("floor-jieba", texts), self.runs, label="bare jieba (PDF text)")
        f, rd, jf = inner(floor), inner(reader), inner(jieba_floor)
        r = {"documents": len(self.pdf_files), "pages": f["pages"], "ingest": summary(ingest),
             "reader": {**summary(reader), **rd}, "bare_pdfplumber": {**summary(floor), **f},
             "bare_jieba": {**summary(jieba_floor), **jf}}
        r["reader_vs_pdfplumber"] = rd["read_s"] / f["extract_s"]
        r["ingest_vs_pdfplumber_cpu"] = r["ingest"]["cpu_s"] / r["bare_pdfplumber"]["cpu_s"]
        r["ingest_vs_pdfplumber_plus_jieba_cpu"] = r["ingest"]["cpu_s"] / (
            r["bare_pdfplumber"]["cpu_s"] + r["bare_jieba"]["cpu_s"])
        self.results["pdf"] = r

    def step_stages(self) -> None:
        out = self.work / "stages.json"
        s = measure([str(PYTHON), str(BENCH / "stages.py"), f"@{self.listing('mixed', self.mixed_files)}",
                     "--json", str(out)], log=RESULTS / "bench.log")
        stages = json.loads(out.read_text(encoding="utf-8"))
        stages["process"] = asdict(s) | {"stdout": None}
        cp = self.work / "cprofile.json"
        measure([str(PYTHON), str(BENCH / "stages.py"),
                 f"@{self.listing('cprofile', self.mixed_files[: self.plan.cprofile_sample])}",
                 "--json", str(cp), "--cprofile", "30"], log=RESULTS / "bench.log")
        stages["top_functions"] = json.loads(cp.read_text(encoding="utf-8")).get("top_functions", [])
        stages["top_functions_documents"] = self.plan.cprofile_sample
        self.results["stages"] = stages
        say(f"    stages: {stages['total_s']:.1f} s over {stages['documents']} documents")

    def step_prefect(self) -> None:
        paths = [str(self.corpus_dir / e["path"]) for e in self.entries[: self.plan.prefect_docs]]
        listing = self.listing("prefect", paths)
        warm = str(ROOT / "corpus" / "jiangjin-2023-277-reply.txt")
        r = {"documents": len(paths), "workers": 2}
        for mode in ("direct", "flow"):
            db = self.work / f"prefect-{mode}.duckdb"
            self.fresh(db)()
            self.fresh(db.with_suffix(".warm.duckdb"))()
            s = measure(helper("flow-timing", mode, db, warm, listing, 2), self.env, RESULTS / "bench.log")
            r[mode] = {**asdict(s), "stdout": None, **json.loads(s.stdout.strip().splitlines()[-1])}
            say(f"    {mode}: run {r[mode]['run_s']:.1f} s, cold {r[mode]['cold_s']:.1f} s")
        d, f = r["direct"], r["flow"]
        r["overhead_ratio"] = f["run_s"] / d["run_s"] - 1
        # the flow's own cost: what is not inside the step functions, less the same for the direct call
        r["overhead_outside_steps_s"] = (f["run_s"] - f["inside_steps_s"]) - (d["run_s"] - d["inside_steps_s"])
        r["overhead_outside_steps_ratio"] = r["overhead_outside_steps_s"] / d["run_s"]
        r["cold_start_s"] = (f["import_s"] + f["cold_s"]) - (d["import_s"] + d["cold_s"])
        self.results["prefect"] = r

    def step_memory(self) -> None:
        import make_corpus
        r = {}
        for n in self.plan.memory_sizes:
            db = self.work / f"memory-{n}.duckdb"
            self.fresh(db)()
            parts = [str(p) for p in make_corpus.part_dirs(self.corpus_dir, n)]
            s = measure(self.ingest_cmd(parts, db, 2), log=RESULTS / "bench.log")
            r[str(n)] = {**asdict(s), "stdout": None}
            say(f"    {n} documents: {s.wall_s:.1f} s wall, {s.cpu_s:.1f} s CPU, largest process "
                f"{s.maxrss_mb:.0f} MB, tree {s.peak_tree_mb:.0f} MB")
        small, large = (r[str(n)] for n in self.plan.memory_sizes)
        r["growth_maxrss"] = large["maxrss_mb"] / small["maxrss_mb"] - 1
        r["growth_tree"] = large["peak_tree_mb"] / small["peak_tree_mb"] - 1
        r["docs_per_s_wall"] = {str(n): n / r[str(n)]["wall_s"] for n in self.plan.memory_sizes}
        self.results["memory"] = r

    def step_queries(self) -> None:
        import scale_db
        base = self.work / f"memory-{self.plan.memory_sizes[1]}.duckdb"
        if not base.exists():
            base = self.work / "text-w1.duckdb"
        if not base.exists():
            raise RuntimeError("no ingested database to scale: run the memory or jieba step first")
        scaled = self.work / "scaled.duckdb"
        built = scale_db.scale(base, scaled, self.plan.obligations)
        say(f"    scaled to {built['counts']['obligations']:,} obligations in {built['seconds']:.1f} s")
        examples = scale_db.example_queries()
        timings = scale_db.time_queries(scaled, scale_db.view_queries() + examples, runs=5)
        for t in timings:
            say(f"    {t.get('median_ms', float('nan')):9.1f} ms  {t['name']}" + (f"  ERROR {t['error']}" if t["error"] else ""))
        self.results["queries"] = {"scale": built, "examples_from": "docs/SCHEMA.md" if examples else None,
                                   "timings": timings}

    def step_rjieba(self) -> None:
        texts = self.work / "texts-text.list"
        if not texts.exists():
            raise RuntimeError("run the jieba step first: it writes the texts rjieba is compared on")
        python = RJIEBA_VENV / "bin" / "python"
        if not python.exists():
            say(f"    creating {RJIEBA_VENV} (rjieba and jieba from PyPI)")
            subprocess.run([sys.executable, "-m", "venv", str(RJIEBA_VENV)], check=True)
            subprocess.run([str(RJIEBA_VENV / "bin" / "pip"), "install", "-q", "rjieba", "jieba"], check=True)
        s = measure([str(python), str(Path(__file__)), "rjieba-compare", str(texts)], log=RESULTS / "bench.log")
        self.results["rjieba"] = json.loads(s.stdout.strip().splitlines()[-1])

    # -- driver

    def run(self) -> dict:
        t0 = time.perf_counter()
        self.prepare()
        for step in STEPS:
            if step not in self.steps:
                continue
            say(f"== {step}")
            t = time.perf_counter()
            try:
                getattr(self, f"step_{step}")()
            except (RuntimeError, OSError, subprocess.CalledProcessError, ValueError, KeyError) as exc:
                self.results.setdefault("failed_steps", {})[step] = f"{type(exc).__name__}: {exc}"
                say(f"   {step} failed: {exc}")
            self.results.setdefault("step_seconds", {})[step] = time.perf_counter() - t
            self.save()
        self.results["total_s"] = time.perf_counter() - t0
        self.save()
        return self.results

    def save(self) -> None:
        (RESULTS / "latest.json").write_text(json.dumps(self.results, ensure_ascii=False, indent=1, default=str),
                                             encoding="utf-8")
        (RESULTS / "summary.md").write_text(render(self.results), encoding="utf-8")


def cmd_rjieba_compare(listing: str) -> None:
    """Run in the rjieba venv: do rjieba and jieba cut the corpus the same way, and how fast?"""
    import jieba
    import rjieba
    jieba.setLogLevel(60)
    texts = [Path(p).read_text(encoding="utf-8") for p in filter(None, _paths(listing))]
    t0 = time.process_time()
    jieba.initialize()
    t1 = time.process_time()
    ours = [jieba.lcut(t) for t in texts]
    t2 = time.process_time()
    rjieba.cut("预热")
    t3 = time.process_time()
    theirs = [rjieba.cut(t) for t in texts]
    t4 = time.process_time()
    result = {"documents": len(texts), "jieba_init_s": t1 - t0, "jieba_cut_s": t2 - t1,
              "rjieba_init_s": t3 - t2, "rjieba_cut_s": t4 - t3, **_agreement(ours, theirs),
              "rjieba_version": _version("rjieba"), "jieba_version": _version("jieba"),
              "user_dictionary": hasattr(rjieba, "add_word")}
    # as the pipeline segments: both with the project's user dictionary of department names
    user_dict = ROOT / "extractors" / "data" / "jieba_user_dict.txt"
    if user_dict.exists() and hasattr(rjieba, "add_word"):
        for line in user_dict.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, freq, tag = line.split(" ")
                jieba.add_word(word, int(freq), tag)
                rjieba.add_word(word, int(freq), tag)
        t5 = time.process_time()
        ours = [jieba.lcut(t) for t in texts]
        t6 = time.process_time()
        theirs = [rjieba.cut(t) for t in texts]
        t7 = time.process_time()
        result["with_user_dictionary"] = {"jieba_cut_s": t6 - t5, "rjieba_cut_s": t7 - t6,
                                          **_agreement(ours, theirs)}
    print(json.dumps(result, ensure_ascii=False))


def _agreement(ours: list[list[str]], theirs: list[list[str]]) -> dict:
    """Documents cut identically, share of jieba's tokens rjieba also has, a few differences."""
    agree = total = 0
    examples = []
    for a, b in zip(ours, theirs):
        sa, sb = _spans(a), _spans(b)
        agree += len(sa & sb)
        total += len(sa)
        if sa != sb and len(examples) < 8:
            text = "".join(a)
            for s, e in sorted(sa - sb)[:1]:
                examples.append({"context": text[max(0, s - 4):e + 4], "jieba_token": text[s:e],
                                 "rjieba_tokens": [text[x:y] for x, y in sorted(sb) if x < e and y > s]})
    return {"same_documents": sum(a == b for a, b in zip(ours, theirs)), "token_agreement": agree / max(total, 1),
            "jieba_tokens": total, "differences": examples}


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _spans(tokens: list[str]) -> set[tuple[int, int]]:
    out, at = set(), 0
    for t in tokens:
        out.add((at, at + len(t)))
        at += len(t)
    return out


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return dict(sorted(out.items()))


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        info["load_at_start"] = os.getloadavg()[0]
    except OSError:
        pass
    return info


# ------------------------------------------------------------------------------ report


def render(r: dict) -> str:
    """The results as Markdown tables (the source of the numbers in docs/PERFORMANCE.md)."""
    out = [f"# Benchmark results ({r['started']}, {r['runs']} runs each, medians)", ""]
    c = r.get("corpus")
    if c:
        out += [f"Corpus: {c['documents']} documents from {c['sources']} sources, {c['bytes'] / 2**20:.1f} MB, "
                f"formats {c['formats']}. Machine: {r['machine']}.", ""]
    out += ["| measurement | ours | floor | ratio | target |", "|---|---|---|---|---|"]
    j = r.get("jieba")
    if j:
        b = j["bare_jieba"]
        out.append(f"| ingest, 1 process, {j['documents']} text docs (CPU) | {j['ingest_1_worker']['cpu_s']:.1f} s | "
                   f"jieba.lcut {b['cpu_s']:.1f} s | {j['ratio_cpu']:.1f}× | ≤ 1.5× |")
        out.append(f"| same, wall | {j['ingest_1_worker']['wall_s']:.1f} s | {b['wall_s']:.1f} s | "
                   f"{j['ratio_wall']:.1f}× | |")
        if "ratio_cpu_without_start" in j:
            out.append(f"| same, without either process start (CPU) | "
                       f"{j['ingest_1_worker']['cpu_s'] - r['startup']['pipeline']['cpu_s']:.1f} s | "
                       f"{b['cut_s']:.1f} s | {j['ratio_cpu_without_start']:.1f}× | ≤ 1.5× |")
        out.append(f"| 2 workers vs 1 (wall) | {j['ingest_2_workers']['wall_s']:.1f} s | "
                   f"{j['ingest_1_worker']['wall_s']:.1f} s | {j['two_worker_speedup_wall']:.2f}× faster | ≥ 1.7× |")
    p = r.get("pdf")
    if p:
        out.append(f"| our PDF reader, {p['documents']} PDFs / {p['pages']} pages | {p['reader']['read_s']:.1f} s | "
                   f"extract_text {p['bare_pdfplumber']['extract_s']:.1f} s | {p['reader_vs_pdfplumber']:.2f}× | ≤ 1.3× |")
        out.append(f"| ingest of the PDFs (CPU) | {p['ingest']['cpu_s']:.1f} s | pdfplumber process "
                   f"{p['bare_pdfplumber']['cpu_s']:.1f} s | {p['ingest_vs_pdfplumber_cpu']:.2f}× | |")
        out.append(f"| ingest of the PDFs vs pdfplumber + jieba (CPU) | {p['ingest']['cpu_s']:.1f} s | "
                   f"{p['bare_pdfplumber']['cpu_s'] + p['bare_jieba']['cpu_s']:.1f} s | "
                   f"{p['ingest_vs_pdfplumber_plus_jieba_cpu']:.2f}× | |")
    for w in (r.get("workers") or {}).values():
        out.append(f"| 2 workers vs 1, {w['documents']} docs (wall) | {w['two_workers_wall_s']:.1f} s | "
                   f"{w['one_worker']['wall_s']:.1f} s | {w['speedup_wall']:.2f}× faster | ≥ 1.7× |")
    g = r.get("reingest")
    if g:
        out.append(f"| re-ingest unchanged, {g['documents']} docs (wall) | {g['again']['wall_s']:.1f} s | first run "
                   f"{g['first']['wall_s']:.1f} s | {100 * g['ratio_wall']:.1f} % | ≤ 5 % |")
        if "default_command" in g:
            out.append(f"| same, default command (Prefect on) | {g['default_command']['wall_s']:.1f} s | | | |")
    rr = r.get("rerun")
    if rr:
        out.append(f"| re-run, {rr['documents']} docs unchanged, default command (wall) | {rr['again']['wall_s']:.2f} s "
                   f"| first run (no Prefect) {rr['first_no_prefect']['wall_s']:.1f} s | | < 2 s |")
    f = r.get("prefect")
    if f:
        out.append(f"| Prefect flow vs direct, {f['documents']} docs, 2 workers (wall) | {f['flow']['run_s']:.1f} s | "
                   f"{f['direct']['run_s']:.1f} s | {100 * f['overhead_ratio']:+.1f} % | ≤ 10 % |")
        out.append(f"| Prefect's own time (outside the step functions) | {f['overhead_outside_steps_s']:.1f} s | | "
                   f"{100 * f['overhead_outside_steps_ratio']:+.1f} % | ≤ 10 % |")
        out.append(f"| Prefect cold start (once per process) | {f['cold_start_s']:.1f} s | | | reported apart |")
    m = r.get("memory")
    if m:
        a, b = (str(n) for n in r["plan"]["memory_sizes"])
        out.append(f"| peak memory, largest process, {a} → {b} docs | {m[a]['maxrss_mb']:.0f} → {m[b]['maxrss_mb']:.0f} MB"
                   f" | | {100 * m['growth_maxrss']:+.0f} % | within 20 % |")
        out.append(f"| peak memory, whole tree (2 workers) | {m[a]['peak_tree_mb']:.0f} → {m[b]['peak_tree_mb']:.0f} MB"
                   f" | | {100 * m['growth_tree']:+.0f} % | within 20 % |")
        if m[a].get("peak_main_mb"):
            out.append(f"| of which the writer process / the largest worker | {m[a]['peak_main_mb']:.0f} → "
                       f"{m[b]['peak_main_mb']:.0f} MB / {m[a]['peak_child_mb']:.0f} → {m[b]['peak_child_mb']:.0f} MB"
                       f" | | | |")
    q = r.get("queries")
    if q:
        n = q["scale"]["counts"]["obligations"]
        out += ["", f"Queries at {n:,} obligations ({q['scale']['counts']['documents']:,} documents), "
                f"median ms (first run in brackets):", "", "| query | rows | ms | |", "|---|---|---|---|"]
        for t in q["timings"]:
            if t.get("error"):
                out.append(f"| {t['name']} | | error | {t['error']} |")
            else:
                flag = "" if t["median_ms"] < 1000 else "**over 1 s**"
                out.append(f"| {t['name']} | {t['rows']} | {t['median_ms']:.0f} ({t['first_ms']:.0f}) | {flag} |")
    s = r.get("stages")
    if s:
        out += ["", f"Stages ({s['documents']} documents, {s['chars']:,} characters; CPU s, total "
                f"{s.get('total_cpu_s', float('nan')):.1f} s; start {s['startup_s']:.1f} s apart; bare jieba.lcut on the same "
                f"text {s['bare_jieba_s']:.1f} s):", "",
                "| stage | s | share |", "|---|---|---|"]
        out += [f"| {k} | {v['s']:.2f} | {100 * v['share']:.1f} % |" for k, v in s["stages"].items()]
        if s.get("top_functions"):
            out += ["", f"cProfile, own time, {s['top_functions_documents']} documents:", "",
                    "| s | calls | function |", "|---|---|---|"]
            out += [f"| {t['tottime_s']:.2f} | {t['calls']} | `{t['function']}` |" for t in s["top_functions"][:20]]
    rj = r.get("rjieba")
    if rj:
        out += ["", f"rjieba {rj['rjieba_version']}: {rj['same_documents']}/{rj['documents']} documents cut "
                f"identically, token agreement {100 * rj['token_agreement']:.2f} %; cut {rj['rjieba_cut_s']:.2f} s vs "
                f"jieba {rj['jieba_cut_s']:.2f} s ({rj['jieba_cut_s'] / max(rj['rjieba_cut_s'], 1e-9):.1f}× faster), "
                f"start {rj['rjieba_init_s']:.2f} s vs {rj['jieba_init_s']:.2f} s (CPU); user dictionary "
                f"{'supported' if rj.get('user_dictionary') else 'not supported'}."]
    if r.get("failed_steps"):
        out += ["", "Failed steps: " + "; ".join(f"{k}: {v}" for k, v in r["failed_steps"].items())]
    if "total_s" in r:
        out += ["", f"Bench time {r['total_s'] / 60:.1f} min; per step (s): "
                + ", ".join(f"{k} {v:.0f}" for k, v in r.get("step_seconds", {}).items())]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    helpers = {"floor-jieba": cmd_floor_jieba, "floor-pdfplumber": cmd_floor_pdfplumber, "read-only": cmd_read_only,
               "startup": cmd_startup, "rjieba-compare": cmd_rjieba_compare}
    if argv and argv[0] in helpers:
        helpers[argv[0]](*argv[1:])
        return 0
    if argv and argv[0] == "flow-timing":
        mode, db, warm, listing, workers = argv[1:6]
        cmd_flow_timing(mode, db, warm, listing, int(workers))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run on 300 documents")
    parser.add_argument("--runs", type=int, default=3, help="runs per measured command (median)")
    parser.add_argument("--only", help=f"comma-separated steps of: {','.join(STEPS)}")
    parser.add_argument("--skip", help="comma-separated steps to leave out")
    args = parser.parse_args(argv)
    steps = args.only.split(",") if args.only else list(STEPS)
    steps = [s for s in steps if s not in (args.skip.split(",") if args.skip else [])]
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    results = Bench(QUICK if args.quick else FULL, args.runs, steps).run()
    print(render(results))
    return 1 if results.get("failed_steps") else 0


if __name__ == "__main__":
    sys.exit(main())
