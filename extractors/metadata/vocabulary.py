"""The rule tables of the metadata extractor, validated on load, and the text helpers they share.

extractors/data/regions.yaml (RegionTable): administrative areas, their abbreviations, and the
words that tell a central body or a non-area from an area. extractors/data/metadata.yaml
(MetadataRules): the words of a 公文's frame (title endings, header labels, signature trailers …).
A malformed table stops the import with the file's name and pydantic's reason (rules.load_rules).
"""
from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from extractors.rules import RuleTable, load_rules
from extractors.text import HAN
from schemas.records import DocType

HeaderRole = Literal["title", "doc_number", "issuer", "publisher", "written_date", "issue_date",
                     "publication_date", "other"]
AdoptionEvent = Literal["enact", "amend", "approve", "promulgate", "in_force"]
Span = tuple[int, int]



def compact(s: str) -> str:
    """`s` without any whitespace (PDF and web copies put spaces inside names and numbers)."""
    return re.sub(r"\s+", "", s or "")


def has_han(s: str) -> bool:
    return re.search(rf"[{HAN}]", s) is not None


def _is_han(s: str) -> bool:
    return re.fullmatch(f"[{HAN}]*", s) is not None


# ---------------------------------------------------------------------------------------------
# regions.yaml
# ---------------------------------------------------------------------------------------------

class _AreaEntry(RuleTable):
    """One area of the table; each level's name must end with that level's word, so that a typo
    or an entry under the wrong level is caught on load."""

    level: ClassVar[str]
    level_words: ClassVar[tuple[str, ...]]

    name: str
    abbr: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _level_suffix(cls, v: str) -> str:
        if not v.endswith(cls.level_words):
            raise ValueError(f"{cls.level} {v!r} must end with {'/'.join(cls.level_words)}")
        return v


class _Province(_AreaEntry):
    level = "province"
    level_words = ("省", "市", "自治区", "特别行政区")


class _City(_AreaEntry):
    level = "city"
    level_words = ("市", "自治州", "地区", "盟")

    province: str


class _District(_AreaEntry):
    level = "district"
    level_words = ("区", "县", "旗", "市")

    city: str


class RegionTable(RuleTable):
    """extractors/data/regions.yaml."""

    national_jurisdiction: str | None
    national_organ_prefixes: list[str]
    prefixes_before_area: list[str]
    not_area_endings: list[str]
    district_name_endings: list[str]
    not_area_parts: list[str]
    national_doc_number_prefixes: list[str]
    provinces: list[_Province]
    cities: list[_City]
    districts: list[_District]

    @model_validator(mode="after")
    def _consistent(self) -> RegionTable:
        provinces = {p.name for p in self.provinces}
        cities = {c.name for c in self.cities}
        names = [p.name for p in self.provinces] + [c.name for c in self.cities] + \
            [f"{d.city}{d.name}" for d in self.districts]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"areas listed twice: {sorted(dup)}")
        for c in self.cities:
            if c.province not in provinces:
                raise ValueError(f"city {c.name}: unknown province {c.province}")
        for d in self.districts:
            if d.city not in cities and d.city not in provinces:
                raise ValueError(f"district {d.name}: unknown city {d.city}")
        for area in [*self.provinces, *self.cities, *self.districts]:
            if any(not a or not _is_han(a) for a in area.abbr):
                raise ValueError(f"{area.name}: abbreviations must be Chinese characters")
        return self


# ---------------------------------------------------------------------------------------------
# metadata.yaml
# ---------------------------------------------------------------------------------------------

class MetadataRules(RuleTable):
    """extractors/data/metadata.yaml."""

    title_endings: dict[DocType, list[str]]
    body_cues: dict[DocType, list[str]]
    letter_subjects: dict[DocType, list[str]]
    header_keys: dict[HeaderRole, list[str]]
    field_keys: dict[HeaderRole, list[str]]
    trailer_markers: list[str]
    chrome_markers: list[str]
    organ_suffixes: list[str]
    ministry_suffixes: list[str]
    letterhead_suffixes: list[str]
    seal_marks: list[str]
    adoption_events: dict[AdoptionEvent, list[str]]
    annex_file_extensions: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> MetadataRules:
        for table_name in ("title_endings", "body_cues", "header_keys", "field_keys", "adoption_events", "letter_subjects"):
            seen: dict[str, str] = {}
            for kind, words in getattr(self, table_name).items():
                for w in words:
                    if not w.strip():
                        raise ValueError(f"{table_name}.{kind}: empty word")
                    if w in seen and seen[w] != kind:
                        raise ValueError(f"{table_name}: {w!r} under both {seen[w]} and {kind}")
                    seen[w] = kind
        if any(not w.strip() for w in self.organ_suffixes + self.trailer_markers + self.chrome_markers):
            raise ValueError("empty word in a marker list")
        if any(not re.fullmatch(r"[a-z]+", w) for ws in self.field_keys.values() for w in ws):
            raise ValueError("field_keys: lower-case Latin letters only (keys are compared without case, '_', '-')")
        return self


REGIONS: RegionTable = load_rules(RegionTable, "regions.yaml")
RULES: MetadataRules = load_rules(MetadataRules, "metadata.yaml")
