"""Extraction quality on gold written by hand: the seed gold (carried into tests/gold/seeds), gold
for real documents beyond the seeds (tests/gold/extra, documents in ../shared/corpus-extra; the other
four, 条例 golded after the fifth round's rules, in tests/gold/extra2) and
blind gold for documents of ../shared/corpus-dev: 12 the rules were tuned on (tests/gold/dev), 6
more (tests/gold/dev2), 6 held out while the first rules were written (tests/gold/holdout), 8 held
out from the second round (tests/gold/holdout2), 10 from the third (tests/gold/holdout3) and the
last 8 of corpus-dev, golded in the fourth round (tests/gold/holdout4; docs/QUALITY.md says what
each set measures). Scored by the project's own scorer (`obligations
eval`); where the
reference scorer is beside the checkout, both must agree. The floors sit a little under the
measured scores: a drop below them is a regression of what users judge us by."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.quality.gold import load_gold_dir
from pipeline.quality.score import score
from pipeline.runs.ingest import run_ingest
from tests.conftest import (CORPUS, CORPUS_DEV, EXTRA, GOLD, GOLD_DEV, GOLD_DEV2, GOLD_EXTRA, GOLD_EXTRA2, GOLD_HOLDOUT,
                            GOLD_HOLDOUT2, GOLD_HOLDOUT3, GOLD_HOLDOUT4, GOLD_SYNTHETIC, REFERENCE_SCORER, SEED_NAMES,
                            SYNTHETIC, extra_files, needs)


BLIND_SETS = [GOLD_DEV, GOLD_DEV2, GOLD_HOLDOUT, GOLD_HOLDOUT2, GOLD_HOLDOUT3, GOLD_HOLDOUT4]


def _dev_files() -> list[Path]:
    golds = [g for gold_dir in BLIND_SETS for g in load_gold_dir(gold_dir)[0]]
    return [p for g in golds for p in CORPUS_DEV.glob(f"*/{g.file}")]


@pytest.fixture(scope="module")
def quality_db(tmp_path_factory) -> Path:
    """The seeds and the synthetic set, and where ../shared is there, the extra and dev documents
    with gold."""
    db = tmp_path_factory.mktemp("quality") / "q.duckdb"
    files = [str(CORPUS / n) for n in SEED_NAMES] + [str(p) for p in sorted(SYNTHETIC.glob("synth-*"))]
    files += [str(p) for p in extra_files(".md", ".html")]
    if CORPUS_DEV.is_dir():
        files += [str(p) for p in _dev_files()]
    run_ingest(files, db)
    return db


def _scored(db: Path, gold_dir: Path) -> dict:
    golds, bad = load_gold_dir(gold_dir)
    assert not bad, bad
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = score(con, golds)
    finally:
        con.close()
    out = result.total.as_dict()
    out["documents_missing"] = result.missing_documents
    return out


@pytest.fixture(scope="module")
def seeds(quality_db) -> dict:
    return _scored(quality_db, GOLD)


@pytest.mark.parametrize("field", ["deadlines", "units", "citations", "quotas", "obligations", "link.units"])
def test_seed_fields(seeds, field):
    assert seeds[field]["f1"] >= 0.95, seeds[field]


def test_seed_overall_and_links(seeds):
    assert seeds["overall_f1"] >= 0.99, seeds
    assert seeds["link.deadline"]["accuracy"] >= 0.95 and seeds["link.roles"]["accuracy"] >= 0.95
    assert seeds["quota.attrs"]["accuracy"] >= 0.95 and seeds["link.modality"]["accuracy"] >= 0.95
    assert seeds["documents_missing"] == []


def test_every_stored_span_reads_back_on_every_golded_document(quality_db):
    """documents.text[start:end] is the stored surface (a unit's name as written) for every value of
    every document ingested for the gold sets (the seeds alone in a clone without ../shared): a value
    never claims words its document does not have there."""
    con = duckdb.connect(str(quality_db), read_only=True)
    try:
        for table, column in [("deadlines", "surface"), ("quotas", "surface"), ("citations", "surface"),
                              ("obligations", "text"), ("obligation_units", "name")]:
            bad = con.execute(f"""SELECT x.{column}, substr(d.text, x.start + 1, x."end" - x.start)
                                  FROM {table} x JOIN documents d USING (doc_id)
                                  WHERE substr(d.text, x.start + 1, x."end" - x.start) <> x.{column}""").fetchall()
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0 and bad == [], (table, bad[:5])
    finally:
        con.close()


def test_synthetic_documents_golded_blind(quality_db):
    """35 documents composed in the eleventh and twelfth rounds (district 实施方案 with annexes and
    brackets, task lists flattened or tab- and space-separated, a hard-wrapped PDF copy with running
    headers, replies, 条例 and 办法 in articles, national 分工 notices, gov.cn pages, 工作要点,
    indicator tables, staged 工作方案, 实施细则) by annotators who saw neither code nor output, who
    wrote their gold to ANNOTATION.md. First sight per set: 0.953, 0.905, 0.925, 0.867 (a–d), 0.910
    (e), 0.891 (g), 0.909 (h), and with the twelfth round's code frozen 0.904 (i), 0.853 (j); 0.940
    over all 35 after their misses were read (docs/QUALITY.md). The quota floor is lower: the
    annotators split on conventions the guide leaves open (万元 kept or multiplied out, 达到 read as eq
    or ge). Composed, not published: cleaner than real documents, so no estimate for them."""
    s = _scored(quality_db, GOLD_SYNTHETIC)
    assert s["documents_missing"] == []
    assert s["overall_f1"] >= 0.93, s
    floors = {"deadlines": 0.94, "units": 0.95, "citations": 0.97, "quotas": 0.86, "obligations": 0.89,
              "link.units": 0.91}
    for field, floor in floors.items():
        assert s[field]["f1"] >= floor, (field, s[field])


@needs(EXTRA)
def test_beyond_the_seeds(quality_db):
    """Real gov.cn pages and 条例 annotated independently of the extractors."""
    e = _scored(quality_db, GOLD_EXTRA)
    assert e["documents_missing"] == []
    assert e["overall_f1"] >= 0.95, e
    for field in ["deadlines", "units", "citations", "quotas", "obligations"]:
        assert e[field]["f1"] >= 0.85, (field, e[field])


@needs(EXTRA)
def test_regulations_golded_after_the_rules(quality_db):
    """The other four documents of corpus-extra (provincial and municipal 条例), golded blind after the
    fifth round's rules were written: first sight 0.909 with the code of 4e6d78f, 0.923 after its
    misses were read, 0.926 after the sixth round (docs/QUALITY.md)."""
    e = _scored(quality_db, GOLD_EXTRA2)
    assert e["documents_missing"] == []
    assert e["overall_f1"] >= 0.91, e
    for field in ["deadlines", "units", "citations", "quotas", "obligations", "link.units"]:
        assert e[field]["f1"] >= 0.77, (field, e[field])


# measured (docs/QUALITY.md), floors a little under: overall, and each field
BLIND_FLOORS = {"dev": (0.96, 0.93), "dev2": (0.95, 0.90), "holdout": (0.95, 0.90), "holdout2": (0.94, 0.89),
                "holdout3": (0.92, 0.82), "holdout4": (0.90, 0.82)}


@needs(CORPUS_DEV)
@pytest.mark.parametrize("gold_dir", BLIND_SETS, ids=list(BLIND_FLOORS))
def test_blind_gold(quality_db, gold_dir):
    """Shanghai and gov.cn documents annotated blind (first sight with the code of 3cf4d0a: dev 0.717,
    dev2 0.764, holdout 0.830, holdout2 0.754, holdout3 0.726; holdout4 with the code of d74c23e:
    0.756)."""
    d = _scored(quality_db, gold_dir)
    overall, field_floor = BLIND_FLOORS[gold_dir.name]
    assert d["documents_missing"] == []
    assert d["overall_f1"] >= overall, d
    for field in ["deadlines", "units", "citations", "quotas", "obligations", "link.units"]:
        assert d[field]["f1"] >= field_floor, (field, d[field])


def _reference():
    spec = importlib.util.spec_from_file_location("reference_score", REFERENCE_SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference_score"] = module  # its dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@needs(REFERENCE_SCORER)
@pytest.mark.parametrize("gold_dir", [GOLD, GOLD_EXTRA, *BLIND_SETS], ids=["seeds", "extra", *BLIND_FLOORS])
def test_agrees_with_the_reference_scorer(quality_db, gold_dir):
    """`obligations eval` gives the numbers of ../shared/eval/score.py, field by field."""
    if gold_dir is not GOLD and not (EXTRA.is_dir() and CORPUS_DEV.is_dir()):
        pytest.skip("the documents of this gold set are not beside the checkout")
    ref = _reference()
    theirs = ref.summary(ref.score(quality_db, gold_dir))
    ours = _scored(quality_db, gold_dir)
    for key, value in theirs.items():
        if key in ours:
            assert ours[key] == value, key
