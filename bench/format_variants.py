"""Format invariance on the gold sets: every golded document rendered as DOCX and as PDF (with
corpus/make_variants' renderers, from the reader's own blocks), ingested beside its source copy,
and scored per format on its gold. Also counts the source's paragraphs that a copy does not give
back whole (a PDF wrap the reader failed to join, or a join it should not have made).

    .venv/bin/python bench/format_variants.py                  # every gold set whose documents are found
    .venv/bin/python bench/format_variants.py holdout3 dev     # some sets
    .venv/bin/python bench/format_variants.py --shared PATH    # where corpus-dev/ and corpus-extra/ are

What a copy cannot carry is not the reader's fault: Markdown front matter (文号, 发布日期) is not
in the blocks, so meta fields of such documents differ; compare the fields, not only the overall
figure. Needs ../shared (the documents are not in the repository). Takes about a minute.
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from pipeline.quality.gold import load_gold_dir  # noqa: E402
from pipeline.quality.score import score  # noqa: E402
from pipeline.readers import read_document  # noqa: E402
from pipeline.runs.ingest import run_ingest  # noqa: E402

GOLD_SETS = ROOT / "tests" / "gold"
FIELDS = ["deadlines", "units", "citations", "quotas", "obligations", "link.units"]
FORMATS = ["source", "docx", "pdf"]


def renderers():
    spec = importlib.util.spec_from_file_location("make_variants", ROOT / "corpus" / "make_variants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"docx": module.docx_bytes, "pdf": module.pdf_bytes}


def source_of(name: str, shared: Path) -> Path | None:
    found = [ROOT / "corpus" / name, *shared.glob(f"corpus-dev/*/{name}"), shared / "corpus-extra" / name]
    return next((p for p in found if p.is_file()), None)


def paragraphs(path: Path) -> list[str]:
    doc = read_document(path)
    return [re.sub(r"\s+", "", doc.text[b.start : b.end]) for b in doc.blocks if b.table_id is None]


def measure(gold_set: Path, shared: Path, work: Path) -> dict:
    golds, bad = load_gold_dir(gold_set)
    if bad:
        raise SystemExit(f"{gold_set}: {bad}")
    render = renderers()
    files, renamed, broken = [], {f: [] for f in FORMATS}, {f: 0 for f in FORMATS}
    n_paragraphs = 0
    for gold in golds:
        source = source_of(gold.file, shared)
        if source is None:
            continue
        files.append(source)
        renamed["source"].append(gold)
        wanted = set(paragraphs(source))
        n_paragraphs += len(wanted)
        document = read_document(source)
        for fmt, to_bytes in render.items():
            copy = work / f"{source.stem}.{fmt}"
            copy.write_bytes(to_bytes(document))
            files.append(copy)
            renamed[fmt].append(gold.model_copy(update={"file": copy.name}))
            broken[fmt] += len(wanted - set(paragraphs(copy)))
    if not files:
        return {}
    db = work / f"{gold_set.name}.duckdb"
    run_ingest([str(f) for f in files], db)
    out = {"documents": len(renamed["source"]), "paragraphs": n_paragraphs, "broken": broken, "scores": {}}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for fmt, copies in renamed.items():
            out["scores"][fmt] = score(con, copies).total.as_dict()
    finally:
        con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="gold sets under tests/gold (default: all)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args(argv)
    sets = [GOLD_SETS / s for s in args.sets] or sorted(p for p in GOLD_SETS.iterdir() if p.is_dir())
    print(f"| set | docs | format | {' | '.join(FIELDS)} | overall | paragraphs not whole |")
    print("|---|---|---|" + "---|" * (len(FIELDS) + 2))
    with tempfile.TemporaryDirectory() as tmp:
        for gold_set in sets:
            work = Path(tmp) / gold_set.name
            work.mkdir()
            result = measure(gold_set, args.shared, work)
            if not result:
                print(f"| {gold_set.name} | 0 | (documents not found under {args.shared}) |")
                continue
            for fmt in FORMATS:
                s = result["scores"][fmt]
                cells = " | ".join(f"{s[f]['f1']:.3f}" for f in FIELDS)
                broken = "" if fmt == "source" else f"{result['broken'][fmt]} of {result['paragraphs']}"
                print(f"| {gold_set.name} | {result['documents']} | {fmt} | {cells} | {s['overall_f1']:.3f} | {broken} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
