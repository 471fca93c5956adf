"""The example tables in tests/examples/: loading, and one pytest param per row (a row with an
`xfail` reason is an unsolved real input, expected to fail strictly)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).parent / "examples"


def load(name: str):
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def params(cases: list[dict], id_key: str = "id") -> list:
    return [pytest.param(case, id=str(case[id_key])[:40],
                         marks=[pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else [])
            for case in cases]
