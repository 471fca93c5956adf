"""Benchmark (not a test): our deadline extractor vs a JioNLP baseline on the seed gold.

    .venv/bin/python bench/deadlines_vs_jionlp.py [--gold DIR] [--corpus DIR] [--no-jionlp] [--verbose]

For each seed document it compares the set of (date, kind) found with the gold `deadlines`
(optional ones neither rewarded nor punished), the way ../shared/eval/score.py does, and prints
precision/recall side by side.

Inputs given to both systems: the raw corpus/*.txt text, the document's issue date from the gold
metadata (what the metadata extractor is expected to find; JioNLP gets it as `time_base`), and,
for our extractor, the deadline cells of task tables: the cells under a 时限/完成时间 header
(matched from the right of the row, since merged header cells shift the left), and in a table
without such a header, a cell that holds nothing but a date (the jiangjin reply's `2023.8`).
Finding those cells is the structure extractor's job in the pipeline; this is a stand-in.

JioNLP baseline: `jionlp.ner.extract_time` over the whole text (line by line if it raises), each entity parsed
(`with_parsing=True`), deadline = the end of the parsed span, kind "by". JioNLP and its GPLv3
dependency jiojio are installed ONLY in bench/.venv-jionlp (created on first run with
`python3 -m venv` + `pip install jionlp`), never in the project: this script talks to it through
a subprocess, JSON over stdin/stdout.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import deadlines  # noqa: E402
from extractors.base import ExtractContext  # noqa: E402
from extractors.fields import extract_fields  # noqa: E402

JIO_VENV = ROOT / "bench" / ".venv-jionlp"
DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "gold" / "seeds"
DEFAULT_CORPUS = ROOT / "corpus"
# Column headers of a deadline column in task tables.
DEADLINE_HEADER = re.compile(r"^(?:完成)?(?:时限|时间|期限)(?:要求|节点)?$|^时间节点$|^完成时限$")

# Runs inside bench/.venv-jionlp: reads {"docs": [{"file", "text", "time_base"}]} on stdin,
# writes {"file": {"found": [[date, kind, surface], ...], "errors": n}} on stdout. Errors are counted, not fatal
# (JioNLP raises on some inputs, e.g. 长期坚持).
JIO_WORKER = r"""
import contextlib, io, json, sys, time
with contextlib.redirect_stdout(io.StringIO()):
    import jionlp as jio
request = json.load(sys.stdin)
out = {}
for doc in request["docs"]:
    base = time.mktime(time.strptime(doc["time_base"], "%Y-%m-%d")) if doc["time_base"] else time.time()
    found, errors = [], 0
    # the whole text in one call (dates wrapped over lines stay whole); line by line only when
    # JioNLP raises on the whole
    try:
        chunks = [doc["text"]]
        with contextlib.redirect_stdout(io.StringIO()):
            jio.ner.extract_time(doc["text"], time_base=base, with_parsing=True)
    except Exception:
        errors += 1
        chunks = [line for line in doc["text"].split("\n") if line.strip()]
    for chunk in chunks:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                ents = jio.ner.extract_time(chunk, time_base=base, with_parsing=True)
        except Exception:
            errors += 1
            continue
        for e in ents:
            detail = e.get("detail") or {}
            span = detail.get("time")
            if isinstance(span, list) and len(span) == 2 and isinstance(span[1], str):
                found.append([span[1][:10], "by", e["text"]])
    out[doc["file"]] = {"found": found, "errors": errors}
json.dump(out, sys.stdout, ensure_ascii=False)
"""


# ------------------------------------------------------------------ deadline cells (stand-in)


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    cells, pos = [], 0
    for part in line.split("\t"):
        cells.append((offset + pos, offset + pos + len(part), part))
        pos += len(part) + 1
    while cells and not cells[-1][2].strip():
        cells.pop()
    return cells


def deadline_cells(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    col_from_right: int | None = None
    offset = 0
    for line in text.split("\n"):
        cells = _cells(line, offset)
        offset += len(line) + 1
        if "\t" not in line:
            continue
        header = [i for i, (_, _, c) in enumerate(cells) if DEADLINE_HEADER.match(re.sub(r"\s+", "", c))]
        if header:
            col_from_right = len(cells) - header[0]
            continue
        if col_from_right is not None and len(cells) >= col_from_right:
            s, e, _ = cells[len(cells) - col_from_right]
            spans.append((s, e))
        elif col_from_right is None:
            # a table without a deadline header: a cell holding only a date is its time limit
            # (parse accepts a cell only when all of it is a time limit)
            spans.extend((s, e) for s, e, c in cells if deadlines.parse(c, ExtractContext()) is not None)
    return spans


# ------------------------------------------------------------------ scoring


def gold_sets(gold: dict) -> tuple[set, set]:
    required, optional = set(), set()
    for d in gold.get("deadlines", []):
        key = (d.get("date"), d.get("kind"))
        (optional if d.get("optional") else required).add(key)
    return required, optional


def counts(pred: set, required: set, optional: set) -> tuple[int, int, int]:
    tp = len(pred & required)
    fp = len(pred - required - optional)
    fn = len(required - pred)
    return tp, fp, fn


def ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def ours(text: str, issued: dt.date | None) -> set:
    ctx = ExtractContext(issued_date=issued, deadline_cells=deadline_cells(text))
    # through the masks the pipeline reads deadlines with (citations, 《names》)
    return {(m.value.date.isoformat() if m.value.date else None, m.value.kind)
            for m in extract_fields(text, None, ctx).deadlines}


def ensure_jionlp_venv() -> Path | None:
    python = JIO_VENV / "bin" / "python"
    if python.exists():
        return python
    print(f"creating {JIO_VENV} and installing jionlp (GPLv3 baseline, bench only) ...", file=sys.stderr)
    try:
        subprocess.run(["python3", "-m", "venv", str(JIO_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "jionlp"], check=True)
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"jionlp unavailable: {e}", file=sys.stderr)
        return None
    return python


def jionlp_results(docs: list[dict]) -> dict | None:
    python = ensure_jionlp_venv()
    if python is None:
        return None
    proc = subprocess.run([str(python), "-c", JIO_WORKER], input=json.dumps({"docs": docs}, ensure_ascii=False),
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(f"jionlp worker failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--no-jionlp", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    rows, docs = [], []
    for path in sorted(args.gold.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (args.corpus / gold["file"]).read_text(encoding="utf-8")
        issued = gold.get("metadata", {}).get("issued_date")
        rows.append((gold["file"], text, issued, *gold_sets(gold)))
        docs.append({"file": gold["file"], "text": text, "time_base": issued})
    jio = None if args.no_jionlp else jionlp_results(docs)

    header = f"{'document':38} {'gold':>4} | {'ours P':>6} {'R':>5} | {'jionlp P':>8} {'R':>5} {'err':>4}"
    print(header)
    print("-" * len(header))
    total = {"ours": [0, 0, 0], "jio": [0, 0, 0]}
    for name, text, issued, required, optional in rows:
        pred = ours(text, dt.date.fromisoformat(issued) if issued else None)
        o = counts(pred, required, optional)
        line = f"{name:38} {len(required):>4} | {ratio(o[0], o[0] + o[1]):>6} {ratio(o[0], o[0] + o[2]):>5} |"
        for i in range(3):
            total["ours"][i] += o[i]
        if jio is not None:
            jpred = {(d, k) for d, k, _ in jio[name]["found"]}
            j = counts(jpred, required, optional)
            for i in range(3):
                total["jio"][i] += j[i]
            line += f" {ratio(j[0], j[0] + j[1]):>8} {ratio(j[0], j[0] + j[2]):>5} {jio[name]['errors']:>4}"
        else:
            line += f" {'n/a':>8} {'n/a':>5}"
        print(line)
        if args.verbose:
            print(f"    ours missed {sorted(required - pred, key=str)} false {sorted(pred - required - optional, key=str)}")
            if jio is not None:
                print(f"    jionlp missed {sorted(required - jpred, key=str)} false {len(jpred - required - optional)}")
    print("-" * len(header))
    o, j = total["ours"], total["jio"]
    line = f"{'all':38} {o[0] + o[2]:>4} | {ratio(o[0], o[0] + o[1]):>6} {ratio(o[0], o[0] + o[2]):>5} |"
    line += f" {ratio(j[0], j[0] + j[1]):>8} {ratio(j[0], j[0] + j[2]):>5}" if jio is not None else f" {'n/a':>8} {'n/a':>5}"
    print(line)


if __name__ == "__main__":
    main()
