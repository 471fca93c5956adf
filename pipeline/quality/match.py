"""How a gold item and a stored value are compared: spellings made equal (whitespace, full/half-width
punctuation, 〔〕 brackets in codes, unit keys), titles matched by similarity. The rules follow the
reference scorer the project is measured by, so that both give the same numbers."""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from importlib import resources

import yaml

_WIDTH = str.maketrans(
    "（）［］【】〔〕，：；．／－—～　",
    "()[][][],:;./--~ ",
)
_YEAR_BRACKETS = re.compile(r"[\[\(［（【〔]\s*(\d{4})\s*[\]\)］）】〕]")
_SPACE = re.compile(r"\s+")


def compact(text: str | None) -> str:
    """No whitespace, one width of punctuation: the form used for containment tests."""
    if not text:
        return ""
    return _SPACE.sub("", text.translate(_WIDTH))


def compact_with_offsets(text: str) -> tuple[str, list[int]]:
    """`compact(text)` and, for each of its characters, the offset of that character in `text`."""
    chars, offsets = [], []
    for i, ch in enumerate(text.translate(_WIDTH)):
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
    return "".join(chars), offsets


def locate(text: str, needle: str | None) -> tuple[int, int] | None:
    """Offsets in `text` of the first occurrence of `needle`, whitespace and widths ignored."""
    wanted = compact(needle)
    if not wanted:
        return None
    squeezed, offsets = compact_with_offsets(text)
    at = squeezed.find(wanted)
    if at < 0:
        return None
    return offsets[at], offsets[at + len(wanted) - 1] + 1


def doc_code(code: str | None) -> str:
    """A document number or standard code in one spelling: 〔2020〕, no spaces, upper case."""
    if not code:
        return ""
    code = _YEAR_BRACKETS.sub(r"〔\1〕", _SPACE.sub("", code))
    return code.translate(str.maketrans("／－—", "/--")).upper()


def similar(a: str | None, b: str | None, threshold: float) -> bool:
    a, b = compact(a), compact(b)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 6 and (a in b or b in a)):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= threshold


def as_date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text[:10] if text else None


def as_number(value) -> float | None:
    if value is None:
        return None
    try:
        return round(float(value), 6)
    except (TypeError, ValueError):
        return None


class UnitKeys:
    """Reduces a body's name or key to the canonical function key ('' for a generic mention)."""

    def __init__(self, table: dict) -> None:
        self.aliases: dict[str, str] = table["aliases"]
        self.town = re.compile(table["town"])
        self.prefix = re.compile(table["prefix"])
        self.suffix = re.compile(table["suffix"])
        self.generic = re.compile(table["generic"])
        excluded = set(table["not_searched"])
        self.searched = sorted(set(table["keys"]) | {k for k in self.aliases if len(k) >= 3 and k not in excluded})

    def __call__(self, name: str | None) -> str:
        key = compact(name)
        if not key:
            return ""
        if key in self.aliases:
            return self.aliases[key]
        if self.town.search(key):
            return "镇街"
        stripped = self.suffix.sub("", self.prefix.sub("", key))
        if not stripped or self.generic.match(stripped):
            return ""
        if stripped in self.aliases:
            return self.aliases[stripped]
        # a full name with a place in front (江津区不动产登记中心, 国家税务总局山西省税务局): Chinese
        # names are head-final, so the key that ends last wins, then the longest
        inside = [(key.rfind(k) + len(k), len(k), k) for k in self.searched if k in key]
        if inside:
            best = max(inside)[2]
            return self.aliases.get(best, best)
        return stripped


@functools.cache
def unit_key() -> UnitKeys:
    text = resources.files("pipeline.quality").joinpath("data/unit_keys.yaml").read_text(encoding="utf-8")
    return UnitKeys(yaml.safe_load(text))
