"""Loading of the rule tables in extractors/data/: one cached loader, validated by the caller's model."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")
# libyaml's parser reads the rule tables 7x faster than PyYAML's pure-Python one (0.44 s -> 0.06 s
# of every process start); the result is the same (tested), the pure one stays as fallback
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def load_yaml(name: str) -> Any:
    """The parsed content of extractors/data/<name> (cached: rule tables are read once)."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SAFE_LOADER)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first: Python's `|` takes the first alternative
    that matches, so 不少于 must come before 少于 and 第三季度 before 三季度."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
