"""Shared fixtures: the corpus database (built once per test session) and Prefect's test harness."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED_NAMES = ["jiangjin-2023-277-reply.txt", "jiangsu-2024-184-notice.txt", "shanxi-2022-52-notice.txt",
              "zibo-2020-34-annex2-task-table.txt", "zibo-2020-34-opinion.txt"]
EXTRA = ROOT.parent / "shared" / "corpus-extra"
GOLD = ROOT.parent / "shared" / "eval" / "gold" / "seeds"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def corpus_files() -> list[Path]:
    """Every document of the sample corpus: the seeds and their DOCX/PDF variants."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".docx", ".pdf", ".md", ".html"))
    return files


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """A DuckDB file with the whole sample corpus ingested (without Prefect: the flow has its own test)."""
    from pipeline.runs.ingest import run_ingest

    db = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    summary = run_ingest([str(CORPUS)], db)
    assert summary.failed == 0, summary.errors
    return db


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """Prefect's test harness, started once per run (~17 s here)."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


# property tests: short in `make test`, long under `make fuzz` (HYPOTHESIS_PROFILE=fuzz)
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
