"""The pipeline version stored with every document: the package version plus a digest of the
extraction code and rule tables, so that any change to an extractor marks older rows as stale and
the next ingest re-extracts them without a manual rebuild."""
from __future__ import annotations

import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def package_version() -> str:
    try:
        return version("policy-obligations")
    except PackageNotFoundError:
        return "0+unknown"


@functools.cache
def pipeline_version() -> str:
    digest = hashlib.sha1()
    for part in ("extractors", "schemas", "pipeline/readers"):  # the readers include the normalisation
        root = _ROOT / part
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.suffix in (".py", ".yaml", ".txt", ".tsv") and path.is_file():
                digest.update(path.relative_to(_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{package_version()}+{digest.hexdigest()[:10]}"
