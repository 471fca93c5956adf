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
  linear    read + extract of one file of 10 K to 2 M characters, one line or many: CPU per character,
            which must stay flat (linear time)
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
import sys
from dataclasses import dataclass

from report import render
from steps import STEPS, Bench


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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
