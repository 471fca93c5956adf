"""Reading a folder of gold files: each validated against schemas.gold, a bad file named with its reason."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import PipelineError
from schemas.gold import GoldFile


class GoldFileInvalid(PipelineError):
    """A gold file (or folder) that cannot be scored; the message names it and says why."""

    kind = "gold_invalid"

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "(file)"
        parts.append(f"{where}: {err['msg']}")
    more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(parts) + more


def load_gold_file(path: Path) -> GoldFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileInvalid(path, f"cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise GoldFileInvalid(path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    try:
        return GoldFile.model_validate(data)
    except ValidationError as exc:
        raise GoldFileInvalid(path, f"not a gold file (docs/EXTRACTION.md, \"Gold files\"): {_reason(exc)}") from exc


def load_gold_dir(folder: Path) -> tuple[list[GoldFile], list[GoldFileInvalid]]:
    """Every *.json file of the folder, in name order: the valid ones, and an error per bad one."""
    if not folder.is_dir():
        raise GoldFileInvalid(folder, "no such folder")
    golds, errors = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            golds.append(load_gold_file(path))
        except GoldFileInvalid as exc:
            errors.append(exc)
    if not golds and not errors:
        raise GoldFileInvalid(folder, "holds no gold files (*.json)")
    return golds, errors
