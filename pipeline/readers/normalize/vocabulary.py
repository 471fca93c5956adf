"""The normaliser's vocabulary, pipeline/readers/data/normalize.yaml (metadata keys and web
furniture), validated on load, and the patterns built from it."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

VOCABULARY_FILE = Path(__file__).parent.parent / "data" / "normalize.yaml"


class Vocabulary(BaseModel):
    """pipeline/readers/data/normalize.yaml: metadata keys and web furniture."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    header_keys: tuple[str, ...]
    furniture_words: tuple[str, ...]
    furniture_labels: tuple[str, ...]

    @field_validator("header_keys", "furniture_words", "furniture_labels")
    @classmethod
    def _plain_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not word or re.search(r"[\s:：]", word):
                raise ValueError(f"{word!r}: entries are single words without spaces or colons")
        if len(set(words)) != len(words):
            raise ValueError("duplicate entries")
        return words


@cache
def vocabulary() -> Vocabulary:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same result, 7x faster
    return Vocabulary.model_validate(yaml.load(VOCABULARY_FILE.read_text(encoding="utf-8"), Loader=loader))


def _spaced(word: str) -> str:
    """A regex for `word` with any spacing between its characters ("索  引  号")."""
    return r"\s*".join(re.escape(ch) for ch in word)


@cache
def header_key_pattern() -> re.Pattern:
    keys = sorted(vocabulary().header_keys, key=len, reverse=True)  # 主题分类 before 主题
    return re.compile(r"(?:^|(?<=\s))(?P<key>" + "|".join(map(_spaced, keys)) + r")\s*[:：]")


@cache
def furniture_label_pattern() -> re.Pattern:
    labels = sorted(vocabulary().furniture_labels, key=len, reverse=True)
    return re.compile(r"(?:^|\s)(?:" + "|".join(map(_spaced, labels)) + r")\s*[:：]")
