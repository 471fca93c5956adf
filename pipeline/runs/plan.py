"""Whether an ingest has anything to do, decided before any orchestration starts.

Prefect's first flow in a process costs 10-20 s here (its ephemeral server starts), against well
under a second for a run that finds every file unchanged. So the command line hashes the files
and compares them with what is stored first, with the same rule as the run itself
(ingest.extract_batch), and starts Prefect only when some file needs reading."""
from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline import store
from pipeline.errors import DatabaseBusy, PipelineError
from pipeline.runs.discover import list_documents
from pipeline.runs.process import file_sha256, too_large
from pipeline.settings import ReadLimits
from pipeline.version import pipeline_version


def files_to_read(paths: list[str], db: Path, follow_symlinks: bool = False) -> int | None:
    """How many of the documents under `paths` an ingest into `db` would read: new, changed, stored
    by an older pipeline version, or gone between listing and hashing (the run records those). Files
    stored by this version and files that failed before with the same bytes need nothing. None when
    it cannot be told without waiting (another process is writing the database): then assume work.
    Raises FileNotFoundError for a missing path, as the run would."""
    listing = list_documents(paths, follow_symlinks=follow_symlinks)
    # documents by name that are not read (a FIFO, a GBK name) are recorded by every run: work too
    if not listing.files:
        return len(listing.errors)
    if not Path(db).exists():
        return len(listing.files) + len(listing.errors)
    try:
        con = store.connect(Path(db), read_only=True, wait=0.5)
    except DatabaseBusy:
        return None
    try:
        try:
            versions = dict(con.execute("SELECT doc_id, pipeline_version FROM documents").fetchall())
            failed = store.failed_before(con)
        except duckdb.Error:  # a database of an older schema, or not ours: let the run say what is wrong
            return None
    finally:
        con.close()
    current = pipeline_version()
    n = len(listing.errors)
    limits = ReadLimits()
    for path in listing.files:
        if too_large(Path(path), limits):
            n += 1  # recorded by every run, by its size alone (not hashed)
            continue
        try:
            sha = file_sha256(Path(path))
        except PipelineError:
            n += 1
            continue
        if versions.get(sha) != current and (path, sha) not in failed:
            n += 1
    return n
