"""The steps of `make bench` (see bench/run.py for what each measures): the corpus and its samples,
one method per step, the results saved after each."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from harness import BENCH, BIN, MEASURED_ENV, PYTHON, RESULTS, ROOT, inner, measure, med, repeat, say, summary
from probes import helper
from report import render

if TYPE_CHECKING:
    from run import Plan

RJIEBA_VENV = ROOT / ".state" / "bench-rjieba"  # rjieba lives apart: not a dependency of the project
SNAPSHOT = RESULTS / "code"  # the code measured: a copy taken at the start, see Bench.snapshot
# cheapest and most asked-for first; results are saved after each step, so a cut-short run still tells
STEPS = ["startup", "rerun", "jieba", "pdf", "stages", "linear", "memory", "workers", "reingest", "queries", "rjieba",
         "prefect"]
# the lengths of the linear step: time per character must stay flat from the first to the last
LINEAR_CHARS = (10_000, 100_000, 500_000, 2_000_000)
CODE = ["pipeline", "extractors", "schemas"]  # the packages copied into the snapshot


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

    def step_linear(self) -> None:
        """Read + extract one file of N characters (the seeds repeated), one line or many, CPU per
        character: flat means linear. Two steps rescanned the paragraph per obligation, so a text on
        one line was quadratic (26 µs/char at 40 K, 83 at 160 K; 4.8 MB did not end in 590 s)."""
        out: dict = {}
        for shape in ("lines", "one-line"):
            rows = []
            for n in LINEAR_CHARS:
                s = measure(helper("linear", str(n), shape), log=RESULTS / "bench.log")
                rows.append(json.loads(s.stdout.strip().splitlines()[-1]))
                say(f"   {shape} {n:,}: {rows[-1]['us_per_char']:.1f} µs/char")
            out[shape] = {"runs": rows, "growth": rows[-1]["us_per_char"] / rows[0]["us_per_char"]}
        self.results["linear"] = out

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
        s = measure([str(python), str(BENCH / "probes.py"), "rjieba-compare", str(texts)], log=RESULTS / "bench.log")
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
