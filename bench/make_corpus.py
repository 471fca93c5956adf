"""Write the benchmark corpus: varied copies of the sample documents, with a PDF and a DOCX share.

    .venv/bin/python bench/make_corpus.py [--n 2000] [--out bench/corpus] [--force]

Sources: corpus/*.txt and ../shared/corpus-extra/ (.md, .html): 通知, 意见, 答复, a task table,
条例, gov.cn pages. Copy i of a source is varied so that its bytes (and content hash) differ from
every other copy, the way one document type recurs across a national corpus:
  - place names swapped for others of the same level (areas of extractors/data/regions.yaml:
    province for province, city for city, district for district; the short form with them);
  - every year shifted by the same few years (dates, 〔2020〕, standard codes), every day of a
    month drawn again (4月10日 -> 4月23日);
  - counts and amounts before a measure word scaled (3000个 -> 4170个);
  - runs of plain body paragraphs (no numbering, no table row) shuffled within their section.
HTML pages are varied in their text nodes only (no paragraph shuffle): the markup stays as saved.

Format by index, so that every part of 100 documents has the same mix: 10 % PDF (typeset with
reportlab's STSong-Light CID font by corpus/make_variants.pdf_bytes: ruled task tables across
pages, running header, page numbers), 5 % DOCX (corpus/make_variants.docx_bytes), the rest in the
source's own format. Files go to <out>/part-NN/ (100 each: the first k parts are the first
100·k documents) with <out>/manifest.jsonl (index, path, source, format, sha256, bytes).

Deterministic (the copy depends on the seed and its index only) and incremental: documents that
exist are kept, so `--n 300` then `--n 2000` gives the same first 300 files. The output is git-ignored.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
EXTRA = ROOT.parent / "shared" / "corpus-extra"
DEFAULT_OUT = BENCH / "corpus"
PART_SIZE = 100
PDF_EVERY = {0, 10}  # index % 20 in this set: PDF (10 %)
DOCX_EVERY = {5}  # index % 20 in this set: DOCX (5 %)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# a year on its own: 2020年, 〔2020〕, GB 50180-2018; never part of a longer number
YEAR = re.compile(r"(?<![0-9０-９])(19[5-9][0-9]|20[0-4][0-9])(?![0-9０-９])")
# a count or amount before a measure word: 3000个, 20平方米, 80%; not a date part (年/月/日 are not here)
MEASURE_WORDS = "个|万|亿|名|人|户|所|家|张|床|平方米|㎡|米|公里|千米|元|%|％|处|项|座|套|间|辆|次|班"
AMOUNT = re.compile(rf"(?<![0-9０-９.．])([1-9][0-9]{{0,5}})(?=\s*(?:{MEASURE_WORDS}))")
# a line that must keep its place: numbered headings and items, articles, tables, markdown furniture
ANCHORED_LINE = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.．、]"
    r"|第[一二三四五六七八九十百零〇0-9]+[条章节款]|附件|#|<|\|)")
# the day of a date: 10日, 10 日 (a day count such as 30日内 changes too: harmless for a benchmark)
DAY = re.compile(r"(?<![0-9０-９])([0-3]?[0-9])(?=\s*日)")
TEXT_NODE = re.compile(r"(?<=>)[^<]+")


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # txt | md | html

    @property
    def stem(self) -> str:
        return self.path.stem


def sources() -> list[Source]:
    found = [Source(p, "txt") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for p in sorted(EXTRA.glob("*")):
        if p.suffix in (".md", ".html") and not p.stem.upper().startswith(("SOURCES", "README")):
            found.append(Source(p, p.suffix[1:]))
    if not found:
        raise SystemExit(f"no source documents in {ROOT / 'corpus'} or {EXTRA}")
    return found


# ------------------------------------------------------------------------------------ places


@dataclass(frozen=True)
class Area:
    name: str
    level: str  # province | city | district

    @property
    def short(self) -> str:
        """The name without its level suffix (淄博市 -> 淄博, 广西壮族自治区 -> 广西); '' when too short."""
        m = re.match(r"^(.{2,}?)(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|区|县)$", self.name)
        return m.group(1) if m else ""


def load_areas() -> dict[str, list[Area]]:
    data = yaml.safe_load((ROOT / "extractors" / "data" / "regions.yaml").read_text(encoding="utf-8"))
    areas = {"province": [], "city": [], "district": []}
    for level, key in (("province", "provinces"), ("city", "cities"), ("district", "districts")):
        for entry in data.get(key) or []:
            if "特别行政区" not in entry["name"] and entry["name"] != "台湾省":
                areas[level].append(Area(entry["name"], level))
    return areas


def place_swapper(text: str, areas: dict[str, list[Area]], rng: random.Random):
    """A function that swaps the areas named in `text` (full or short name) for others of their level."""
    mapping: dict[str, str] = {}
    for level, pool in areas.items():
        for area in pool:
            if area.name in text or (area.short and area.short in text):
                other = rng.choice([a for a in pool if a.name != area.name])
                mapping[area.name] = other.name
                if area.short and other.short:
                    mapping.setdefault(area.short, other.short)
    if not mapping:
        return lambda s: s
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return lambda s: pattern.sub(lambda m: mapping[m.group(0)], s)


# ------------------------------------------------------------------------------------ variation


def vary_text(text: str, swap, year_shift: int, amount_factor: float, rng: random.Random) -> str:
    text = swap(text)
    text = YEAR.sub(lambda m: str(int(m.group(1)) + year_shift), text)
    text = DAY.sub(lambda m: str(rng.randint(1, 28)) if 1 <= int(m.group(1)) <= 31 else m.group(1), text)
    return AMOUNT.sub(lambda m: str(max(1, round(int(m.group(1)) * amount_factor))), text)


def shuffle_paragraphs(text: str, rng: random.Random) -> str:
    """Shuffle each run of plain body paragraphs (blank lines between them allowed) with p = 0.5."""
    lines = text.split("\n")
    run: list[int] = []

    def flush() -> None:
        if len(run) >= 2 and rng.random() < 0.5:
            shuffled = [lines[i] for i in run]
            rng.shuffle(shuffled)
            for i, line in zip(run, shuffled):
                lines[i] = line
        run.clear()

    for i, line in enumerate(lines):
        if not line.strip():
            continue
        plain = len(line.strip()) >= 20 and "\t" not in line and line.rstrip().endswith("。") \
            and not ANCHORED_LINE.match(line)
        if plain:
            run.append(i)
        else:
            flush()
    flush()
    return "\n".join(lines)


def contact_line(rng: random.Random) -> str:
    """The contact note many 公文 end with, with a drawn phone number."""
    return f"（联系人：{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('敏伟芳娜静磊洋勇军杰')}，" \
           f"联系电话：0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}）"


def varied_copy(source: Source, raw: str, index: int, seed: int, areas, contact: bool = False) -> str:
    """Copy `index` of a source; `contact` adds a contact line (a document with few places, dates
    and counts has few variants otherwise)."""
    rng = random.Random(seed * 1_000_003 + index)
    year_shift = rng.choice([-4, -3, -2, -1, 1, 2, 3, 4])
    amount_factor = rng.uniform(0.5, 2.0)
    swap = place_swapper(raw, areas, rng)
    if source.kind == "html":
        text = TEXT_NODE.sub(lambda m: vary_text(m.group(0), swap, year_shift, amount_factor, rng), raw)
        if contact:
            text = re.sub(r"(</p>)(?![\s\S]*</p>)", lambda m: f"{m.group(1)}<p>{contact_line(rng)}</p>", text)
        return text
    text = shuffle_paragraphs(vary_text(raw, swap, year_shift, amount_factor, rng), rng)
    return text.rstrip("\n") + "\n" + contact_line(rng) + "\n" if contact else text


# ------------------------------------------------------------------------------------ formats


def format_of(index: int, source: Source) -> str:
    if index % 20 in PDF_EVERY:
        return "pdf"
    if index % 20 in DOCX_EVERY:
        return "docx"
    return source.kind


def rendered(text: str, source: Source, fmt: str) -> bytes:
    """The bytes of the copy in format `fmt` (PDF and DOCX through the project's own reader)."""
    if fmt == source.kind:
        return text.encode("utf-8")
    from corpus.make_variants import docx_bytes, pdf_bytes
    from pipeline.readers import read_document

    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / f"{source.stem}.{source.kind}"
        staged.write_text(text, encoding="utf-8")
        document = read_document(staged)
    return pdf_bytes(document) if fmt == "pdf" else docx_bytes(document)


# ------------------------------------------------------------------------------------ main


def page_text(path: Path, cache: dict) -> str:
    """The normalised text of a web page (what its PDF or DOCX edition would say)."""
    key = ("text", path)
    if key not in cache:
        from pipeline.readers import read_document
        cache[key] = read_document(path).text
    return cache[key]


def read_manifest(out: Path) -> dict[int, dict]:
    path = out / "manifest.jsonl"
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if (out / entry["path"]).exists():
            entries[entry["index"]] = entry
    return entries


def part_dirs(out: Path, n: int) -> list[Path]:
    """The part folders holding the first `n` documents (n rounded up to a whole part)."""
    return [out / f"part-{k:02d}" for k in range((n + PART_SIZE - 1) // PART_SIZE)]


def build(n: int, out: Path, seed: int = 7, force: bool = False, verbose: bool = True) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    manifest = {} if force else read_manifest(out)
    srcs = sources()
    raws = {s.path: s.path.read_text(encoding="utf-8") for s in srcs}
    areas = load_areas()
    seen = {e["sha256"] for e in manifest.values()}
    started, written = time.monotonic(), 0
    log = (out / "manifest.jsonl").open("a" if manifest else "w", encoding="utf-8")  # kept if interrupted
    for index in range(n):
        if index in manifest:
            continue
        source = srcs[index % len(srcs)]
        fmt = format_of(index, source)
        base, raw = source, raws[source.path]
        if fmt != source.kind and source.kind == "html":
            # a PDF or DOCX of a web page is made from the page's text, varied like any text
            base, raw = Source(source.path, "txt"), page_text(source.path, raws)
        for attempt in range(20):  # a copy that happens to equal another is drawn again
            text = varied_copy(base, raw, index + attempt * 1_000_000, seed, areas, contact=attempt > 0)
            data = rendered(text, base, fmt)
            digest = hashlib.sha256(data).hexdigest()
            if digest not in seen:
                break
        else:
            raise SystemExit(f"could not make a distinct copy {index} of {source.path.name}")
        seen.add(digest)
        rel = Path(f"part-{index // PART_SIZE:02d}") / f"{index:05d}-{source.stem}.{fmt}"
        (out / rel).parent.mkdir(exist_ok=True)
        (out / rel).write_bytes(data)
        manifest[index] = {"index": index, "path": str(rel), "source": source.path.name, "format": fmt,
                           "sha256": digest, "bytes": len(data)}
        log.write(json.dumps(manifest[index], ensure_ascii=False) + "\n")
        log.flush()
        written += 1
        if verbose and written % 100 == 0:
            print(f"  corpus: {written} written ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    log.close()
    entries = [manifest[i] for i in sorted(manifest)]
    (out / "manifest.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries),
                                        encoding="utf-8")
    if verbose:
        print(f"corpus: {n} documents in {out} ({written} written, {n - written} kept)", file=sys.stderr)
    return [manifest[i] for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="number of documents (default 2000)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true", help="rewrite every document")
    args = parser.parse_args(argv)
    entries = build(args.n, args.out, args.seed, args.force)
    formats: dict[str, int] = {}
    for e in entries:
        formats[e["format"]] = formats.get(e["format"], 0) + 1
    print(" ".join(f"{k} {v}" for k, v in sorted(formats.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
