"""Extraction quality, scored with the project's yardstick (../shared/eval/score.py) on the seed gold
and on independent gold for real documents beyond the seeds (tests/gold/extra). A drop below these
floors is a regression of what users judge us by."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.runs.ingest import run_ingest
from tests.conftest import CORPUS, EXTRA, GOLD, SEED_NAMES

SCORER = GOLD.parent.parent / "score.py"
EXTRA_GOLD = Path(__file__).parent / "gold" / "extra"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module  # its dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    scorer = load_scorer()
    db = tmp_path_factory.mktemp("quality") / "q.duckdb"
    extra_files = sorted(str(p) for p in EXTRA.iterdir() if p.suffix in (".md", ".html"))
    run_ingest([str(CORPUS / n) for n in SEED_NAMES] + extra_files, db)
    return {"seeds": scorer.summary(scorer.score(db, GOLD)), "extra": scorer.summary(scorer.score(db, EXTRA_GOLD))}


@pytest.mark.parametrize("field", ["deadlines", "units", "citations", "quotas", "obligations", "link.units"])
def test_seed_fields(scored, field):
    assert scored["seeds"][field]["f1"] >= 0.9, scored["seeds"][field]


def test_seed_overall_and_links(scored):
    s = scored["seeds"]
    assert s["overall_f1"] >= 0.95
    assert s["link.deadline"]["accuracy"] >= 0.9 and s["link.roles"]["accuracy"] >= 0.9
    assert s["quota.attrs"]["accuracy"] >= 0.9 and s["link.modality"]["accuracy"] >= 0.9
    assert s["documents_missing"] == []


def test_beyond_the_seeds(scored):
    """Real gov.cn pages and 条例 annotated independently of the extractors."""
    e = scored["extra"]
    assert e["documents_missing"] == []
    assert e["overall_f1"] >= 0.9, e
    for field in ["deadlines", "units", "citations", "quotas", "obligations"]:
        assert e[field]["f1"] >= 0.8, (field, e[field])
