"""The probes `make bench` runs as processes of their own (bench/harness.py times them from
outside); each prints one line of JSON:

    python bench/probes.py floor-jieba LIST        jieba's dictionary, then jieba.lcut over each file
    python bench/probes.py floor-pdfplumber LIST   pdfplumber's extract_text of every page
    python bench/probes.py read-only LIST          our read_document alone
    python bench/probes.py startup                 the pipeline's start: imports, spaCy, jieba
    python bench/probes.py flow-timing MODE DB WARM LIST WORKERS   the ingest flow or run_ingest, timed
    python bench/probes.py rjieba-compare LIST     (in the rjieba venv) rjieba against jieba
    python bench/probes.py linear N SHAPE          read + extract N characters of the seeds, one line or many

LIST is a file with one path a line. Imports here are the standard library's: the rjieba probe runs
in a venv without the project.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from harness import PYTHON, ROOT


def helper(name: str, *args: str) -> list[str]:
    """The command line that runs the probe `name` in a process of its own."""
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


def linear_text(n_chars: int, shape: str) -> str:
    """`n_chars` of the five seed documents repeated: as they are ("lines"), or run together on one
    line ("one-line": no newline, no tab), the shape that made two steps quadratic."""
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt")))
    if shape == "one-line":
        seeds = seeds.replace("\n", "").replace("\t", "")
    return (seeds * (n_chars // len(seeds) + 1))[:n_chars]


def cmd_linear(n_chars: str, shape: str) -> None:
    """CPU seconds to read and extract one file of N characters, the pipeline warmed first (its
    start is no part of the per-character cost)."""
    import datetime as dt
    import tempfile

    from pipeline.readers import read_document
    from pipeline.runs.process import extract

    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"
        warm.write_text(linear_text(5_000, "lines"), encoding="utf-8")
        extract(read_document(warm), "bench", dt.datetime(2024, 1, 1))
        path = Path(tmp) / "linear.txt"
        path.write_text(linear_text(int(n_chars), shape), encoding="utf-8")
        t0 = time.process_time()
        doc = read_document(path)
        t1 = time.process_time()
        extraction = extract(doc, "bench", dt.datetime(2024, 1, 1))
        t2 = time.process_time()
    n = len(doc.text)
    print(json.dumps({"chars": n, "shape": shape, "read_s": t1 - t0, "extract_s": t2 - t1,
                      "us_per_char": 1e6 * (t2 - t0) / n, "obligations": len(extraction.obligations)}))


def main(argv: list[str]) -> int:
    probes = {"floor-jieba": cmd_floor_jieba, "floor-pdfplumber": cmd_floor_pdfplumber, "read-only": cmd_read_only,
              "startup": cmd_startup, "rjieba-compare": cmd_rjieba_compare, "linear": cmd_linear}
    if argv and argv[0] in probes:
        probes[argv[0]](*argv[1:])
        return 0
    if argv and argv[0] == "flow-timing":
        mode, db, warm, listing, workers = argv[1:6]
        cmd_flow_timing(mode, db, warm, listing, int(workers))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
