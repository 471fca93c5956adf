"""Responsible units: departments, governments, towns, communities and other bodies named as duty bearers.

    extract(text, ctx) -> list[Match]      field "unit", value UnitValue
    parse(surface, ctx) -> UnitValue | None  the canonical key of one name
    resolve_self(name, issuers) -> UnitValue | None     我局/我委/本机关/我们 → the issuer's unit
    self_references(text, issuers, ctx) -> list[Match]  every resolvable self-reference in text

A department name in a 公文 is [place][level][function][office suffix] (重庆市 江津区 规划和自然资源 局);
lists share the level and the suffix (市教育、民政、商务、卫健、体育等部门 → five units). The words
live in data/units.yaml (current names, pre-2018 names such as 卫生局, 工商局, 国土资源局, and local
variants); this module composes them into a few regexes compiled at import.

Matching runs on a compact view of the text without horizontal whitespace (readers leave `等 部门`
and `各区 县` behind), and every span is mapped back to the given text.

What makes a name a unit, by kind:
  - a department with an office suffix, or a complete name (卫健委, 不动产登记中心): always;
  - a bare function word (教育, 民政): only inside a list that ends in 部门/等部门/为成员…, or after
    由/会同, or with a level in front and a role verb after (市教育牵头);
  - in a list that shares a department suffix or tail (…等部门, …、自然资源主管部门), every item:
    words that need a suffix (建设、房产等部门) and items the gazetteer does not know, which keep
    their own short name (国土、工商、物价、计量等部门 → …, 计量), unless the item cannot be a body
    (幼儿园, 管理, 设施);
  - a government (市政府, 各区县人民政府), a town body (镇街, 镇（街道）) or a plural area (各区县,
    各地): unless a noun or another unit follows (市政府各部门, 各地实际); levels coordinated down to
    towns are two bodies (区（市）、镇人民政府 → 人民政府 + 镇街); a bare 政府 only when it acts
    (由政府…, 政府应当…, 党委、政府及有关部门要…);
  - 社区, 街道, 试点城市, 居委会: only when a duty word follows (社区属地…, 试点城市要…) or after
    由, because they are far more often places and nouns (社区服务中心, 完整居住社区).
Self-references (我局) name the issuer, which extract() does not know: the caller resolves them
with self_references(text, issuers, ctx).
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from extractors.base import ExtractContext, Match, SpanIndex
from extractors.rules import load_yaml

Level = Literal["national", "province", "city", "district", "town", "community"]
TERRITORIAL_KEYS = ("人民政府", "镇街", "社区")


@dataclass(frozen=True, slots=True)
class UnitValue:
    name: str  # the compact surface (whitespace removed); for a list item, the item itself
    canonical: str  # ANNOTATION key (住房城乡建设, 人民政府 …) or the body's own short name
    level: Level | None
    generic: bool  # 有关部门, 主管部门 …: optional for consumers


# ---------------------------------------------------------------------------------------------
# The gazetteer, validated on load
# ---------------------------------------------------------------------------------------------


class Department(BaseModel):
    key: str
    stems: list[str] = Field(default_factory=list)
    suffix_stems: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_forms(self) -> Department:
        if not (self.stems or self.suffix_stems or self.names):
            raise ValueError(f"department {self.key!r} has no forms")
        return self


class Levels(BaseModel):
    national: list[str]
    province: list[str]
    city: list[str]
    district: list[str]
    town: list[str]


class PlaceRules(BaseModel):
    level_chars: list[str]
    stop_chars: str
    parent_prefixes: list[str]


class ListRules(BaseModel):
    connectors: list[str]
    item_stop_chars: str
    item_lead_ins: list[str]
    not_body_items: list[str]
    not_body_item_words: list[str]
    not_body_item_endings: list[str]
    tails: list[str]
    tail_heads: list[str]
    strict_tail_heads: list[str]
    role_verbs: list[str]
    lead_ins: list[str]


class TerritorialRules(BaseModel):
    government_heads: list[str]
    bare_government_followers: list[str]
    national_governments: list[str]
    committee_heads: list[str]
    government_offices: list[str]
    plural_bodies: dict[str, list[str]]
    strong_bodies: dict[str, list[str]]
    weak_bodies: dict[str, list[str]]


class GenericRules(BaseModel):
    modifiers: list[str]
    cores: list[str]
    standalone_cores: list[str]
    domain_heads: list[str]
    max_domain: int
    not_generic: list[str]
    classes: dict[str, list[str]]  # canonical key of a generic mention -> the cores it covers

    @model_validator(mode="after")
    def _every_core_has_a_class(self) -> "GenericRules":
        covered = {c for cores in self.classes.values() for c in cores}
        missing = set(self.cores) | set(self.standalone_cores) | set(self.domain_heads)
        if missing - covered:
            raise ValueError(f"generic cores without a class: {sorted(missing - covered)}")
        return self

    def key_of(self, core: str) -> str:
        return next(k for k, cores in self.classes.items() if core in cores)


class LeadingGroupRules(BaseModel):
    heads: list[str]
    key: str
    max_name: int
    name_stops: list[str]


class SelfReferenceRules(BaseModel):
    prefixes: list[str]
    heads: dict[str, list[str]]  # the head of a reference (局) -> issuer name endings it fits
    not_after: list[str]


class Gazetteer(BaseModel):
    departments: list[Department]
    office_suffixes: list[str]
    suffix_blocked_next: dict[str, list[str]]
    national_suffixes: list[str]
    not_departments: list[str]
    levels: Levels
    government_qualifiers: list[str]
    place: PlaceRules
    particles_before_unit: list[str]
    list: ListRules
    territorial: TerritorialRules
    body_followers: list[str]
    non_body_followers: list[str]
    generic: GenericRules
    other_bodies: list[str]
    leading_group: LeadingGroupRules
    self_reference: SelfReferenceRules
    jieba_policy_terms: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> Gazetteer:
        keys = [d.key for d in self.departments]
        if len(keys) != len(set(keys)):
            raise ValueError("a department key is listed twice")
        owner: dict[str, str] = {}
        for d in self.departments:
            for form in d.stems + d.suffix_stems + d.names:
                if not form.strip():
                    raise ValueError(f"empty form under {d.key!r}")
                if owner.setdefault(form, d.key) != d.key:
                    raise ValueError(f"form {form!r} belongs to both {owner[form]!r} and {d.key!r}")
        for suffix in self.suffix_blocked_next:
            if suffix not in self.office_suffixes:
                raise ValueError(f"suffix_blocked_next names an unknown suffix {suffix!r}")
        for group in ("plural_bodies", "strong_bodies", "weak_bodies"):
            for key in getattr(self.territorial, group):
                if key not in TERRITORIAL_KEYS:
                    raise ValueError(f"territorial.{group} key {key!r} is not one of {TERRITORIAL_KEYS}")
        return self


GAZ = Gazetteer.model_validate(load_yaml("units.yaml"))

# ---------------------------------------------------------------------------------------------
# Regex fragments, compiled once
# ---------------------------------------------------------------------------------------------

_CJK_RANGE = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK_RANGE}]")


def _pattern(word: str) -> str:
    """A regex for one vocabulary word; brackets of either width match (镇（街道） = 镇(街道)), and so
    do the tortoise-shell brackets a bracket inside a bracket is written with (（…各区县〔市〕政府）)."""
    out = []
    for ch in word:
        if ch in "（(":
            out.append("[（(〔]")
        elif ch in "）)":
            out.append("[）)〕]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _alt(words) -> str:
    """An alternation of the words that prefers the longest one matching, written as a trie
    (国土(?:资源(?:和规划)?)?): Python's `|` takes the first alternative that matches and tries the
    alternatives one by one, so a flat list of hundreds of names would be slow; in a trie each
    character is read once and a greedy `?` tries the longer word first."""
    trie: dict = {}
    for w in set(words):
        node = trie
        for ch in _norm_brackets(w):
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(trie) or "(?!)"


def _trie_pattern(node: dict) -> str:
    branches = [_pattern(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _norm_brackets(word: str) -> str:
    return word.replace("(", "（").replace(")", "）").replace("〔", "（").replace("〕", "）")


_LEVEL_OF: dict[str, Level] = {}
for _lvl in ("national", "province", "city", "district", "town"):
    for _w in getattr(GAZ.levels, _lvl):
        _LEVEL_OF[_norm_brackets(_w)] = _lvl  # type: ignore[assignment]
_LEVEL_WORDS_LONGEST_FIRST = sorted(_LEVEL_OF, key=len, reverse=True)
_DEPT_LEVEL_WORDS = [w for lvl in ("national", "province", "city", "district") for w in getattr(GAZ.levels, lvl)]
_ALL_LEVEL_WORDS = _DEPT_LEVEL_WORDS + GAZ.levels.town
_LEVEL_JOIN = "(?:、|和|及)"

# the level part in front of a department: 市 / 各设区市 / 市和区、县 / 省、自治区、直辖市
_DEPT_LEVEL = f"各?(?:{_alt(_DEPT_LEVEL_WORDS)})(?:{_LEVEL_JOIN}(?:{_alt(_DEPT_LEVEL_WORDS)}))*"
_DEPT_LEVEL_RE = re.compile(_DEPT_LEVEL)
# the level part in front of a government: any level, or a qualifier (本级, 县级以上, 当地)
_GOV_LEVEL = (f"各?(?:{_alt(_ALL_LEVEL_WORDS + GAZ.government_qualifiers)})"
              f"(?:{_LEVEL_JOIN}(?:{_alt(_ALL_LEVEL_WORDS)}))*")


def _suffix_alt() -> str:
    """Office suffixes; a one-character one must not start a word (部署, 局面, 办理, 厅长)."""
    parts = []
    for suffix in sorted(set(GAZ.office_suffixes), key=len, reverse=True):
        blocked = GAZ.suffix_blocked_next.get(suffix, [])
        guard = f"(?!{_alt(blocked)})" if blocked else ""
        parts.append(_pattern(suffix) + guard)
    return "|".join(parts)


# head word → (key, kind) with kind stem | suffix_stem | name
_HEADS: dict[str, tuple[str, str]] = {}
for _d in GAZ.departments:
    for _kind, _forms in (("stem", _d.stems), ("suffix_stem", _d.suffix_stems), ("name", _d.names)):
        for _f in _forms:
            _HEADS[_norm_brackets(_f)] = (_d.key, _kind)

def _first_chars(words) -> str:
    """A character class of the first characters of `words` (both bracket widths): a cheap
    lookahead that spares the big alternations most positions of the text."""
    chars = {w[0] for w in words if w} | {"各"}
    chars |= {"(" if c == "（" else "（" if c == "(" else c for c in chars}
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


# a department: optional level, a function word or complete name, optional office suffix
_DEPARTMENT = re.compile(
    f"(?={_first_chars(list(_HEADS) + _DEPT_LEVEL_WORDS)})"
    f"(?P<lvl>{_DEPT_LEVEL})?(?P<head>{_alt(_HEADS)})(?P<suf>{_suffix_alt()})?")

_LEVEL_WORD = re.compile(f"(?:{_alt(_ALL_LEVEL_WORDS)})")
_LEVEL_JOIN_RE = re.compile(_LEVEL_JOIN)
_TOWN_LEVEL_WORDS = {_norm_brackets(w) for w in GAZ.levels.town}
_BARE_GOVERNMENT_FOLLOWER = re.compile(f"(?:{_alt(GAZ.territorial.bare_government_followers)})")

_GOV_OFFICE = f"(?P<office>{_alt(GAZ.territorial.government_offices)})?"
# a government: level or qualifier + 人民政府/政府 [+ its office] [+ （管委会）]; or 国务院
_GOVERNMENT = re.compile(
    f"(?={_first_chars(GAZ.territorial.national_governments + GAZ.territorial.government_heads)}"
    f"|{_first_chars(_ALL_LEVEL_WORDS + GAZ.government_qualifiers)})"
    f"(?:(?P<nat>{_alt(GAZ.territorial.national_governments)})|(?P<lvl>{_GOV_LEVEL})?"
    f"(?P<head>{_alt(GAZ.territorial.government_heads)}))"
    f"{_GOV_OFFICE}(?:[（(](?:{_alt(GAZ.territorial.committee_heads)})[）)])?")
# a committee of a zone: 高新区管委会, 开发区管理委员会 (管理委员会 needs the zone in front)
_COMMITTEE = re.compile(f"(?P<lvl>{_alt(GAZ.levels.district + GAZ.levels.city)})?"
                        f"(?P<head>{_alt(GAZ.territorial.committee_heads)})")


def _territorial_table(group: str) -> tuple[re.Pattern[str], dict[str, str]]:
    forms = {_norm_brackets(f): key for key, fs in getattr(GAZ.territorial, group).items() for f in fs}
    each = "" if group == "plural_bodies" else "各?"  # 各街道办事处, 各社区
    return re.compile(f"{each}(?:{_alt(forms)})"), forms


_PLURAL, _PLURAL_KEY = _territorial_table("plural_bodies")
_STRONG, _STRONG_KEY = _territorial_table("strong_bodies")
_WEAK, _WEAK_KEY = _territorial_table("weak_bodies")

_CONNECTORS = GAZ.list.connectors
_CONNECTOR = re.compile(f"(?:{_alt(_CONNECTORS)})")
_CONNECTOR_AT_END = re.compile(f"(?:{_alt(_CONNECTORS)})$")
# list items the gazetteer does not know: runs of Chinese characters without these
_ITEM_STOP = set(GAZ.list.item_stop_chars) | {c for c in "".join(_CONNECTORS) if _CJK_CHAR.match(c)}
_ITEM_MIN, _ITEM_MAX, _ITEM_SCAN = 2, 8, 12
_NOT_BODY_ITEM = re.compile(f"{_alt(GAZ.list.not_body_items)}|(?:{_alt(GAZ.list.not_body_item_endings)})$")
_NOT_BODY_ITEM_WORDS = set(GAZ.list.not_body_item_words)
_OFFICE_SUFFIX_AT_END = re.compile(f"(?:{_alt(GAZ.office_suffixes)})$")
_LIST_TAIL = re.compile(
    f"(?:(?P<direct>{_alt(GAZ.list.tails)})"
    f"|等(?P<mid>[{_CJK_RANGE}]{{0,10}}?)(?P<head>{_alt(GAZ.list.tail_heads)}))")
_ROLE_VERB = re.compile(f"(?:{_alt(GAZ.list.role_verbs)})")
# suffixes a list can share: 住房城乡建设、自然资源主管部门
_SHARED_SUFFIXES = {s for s in GAZ.office_suffixes
                    if s.endswith(("部门", "机构", "委员会")) or s in ("局", "厅", "委")}

# a generic mention: [level] modifiers + core (省有关部门, 各牵头部门, 市直相关部门), or a core alone
_GENERIC = re.compile(
    f"(?={_first_chars(_DEPT_LEVEL_WORDS + GAZ.generic.modifiers + GAZ.generic.standalone_cores)})"
    f"(?P<lvl>{_DEPT_LEVEL})?(?:(?P<mod>(?:{_alt(GAZ.generic.modifiers)})+)(?P<core>{_alt(GAZ.generic.cores)})"
    f"|(?P<alone>{_alt(GAZ.generic.standalone_cores)}))")
_DOMAIN_HEAD = re.compile(_alt(GAZ.generic.domain_heads))
_OTHER_BODY = re.compile(_alt(GAZ.other_bodies))
_LEADING_GROUP = re.compile(_alt(GAZ.leading_group.heads))
_GROUP_NAME_STOP = re.compile(f"(?:{_alt(GAZ.leading_group.name_stops)})$")

_BODY_FOLLOWER = re.compile(f"(?:{_alt(w for w in GAZ.body_followers if w not in _CONNECTORS)})")
_NON_BODY_FOLLOWER = re.compile(f"(?:{_alt(GAZ.non_body_followers)}|[一二三四五六七八九十\\d]+[届次])")
# a unit's abbreviation heading a document number is no unit (国办函〔2023〕121号, 江津规资函〔2023〕)
_DOC_NUMBER_AFTER = re.compile(f"[{_CJK_RANGE}]{{0,4}}[〔\\[［(（]\\d{{4}}")
# an article or item number run on into its text (第三十条市场监督管理等部门…: readers drop the space)
_ARTICLE_AT_END = re.compile(r"第[〇零一二三四五六七八九十百千\d]+[条款项](?:之[一二三四五六七八九十]+)?$")
_PARENTHETICAL = re.compile(r"[（(][^（()）\n\t]{1,30}[）)]")
_PARTICLES = sorted(set(GAZ.particles_before_unit) | set(_CONNECTORS), key=len, reverse=True)
_PARTICLE_SET = set(_PARTICLES)
_PARTICLE_AT_END = re.compile(f"(?:{_alt(_PARTICLES)})$")
_PARTICLE_MAX = max(map(len, _PARTICLES))
_PLACE_STOPS = set(GAZ.place.stop_chars)
_PLACE_LEVEL_CHARS = sorted(GAZ.place.level_chars, key=len, reverse=True)
_NOT_DEPARTMENTS = tuple(GAZ.not_departments)

# ---------------------------------------------------------------------------------------------
# The compact view
# ---------------------------------------------------------------------------------------------

# horizontal whitespace and zero-width characters; '\n' and '\t' separate blocks and cells and stay
_DROPPED_CLASS = r"\u0020\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u200b-\u200d\ufeff"
_DROPPED = re.compile(f"[{_DROPPED_CLASS}]")
_KEPT_RUN = re.compile(f"[^{_DROPPED_CLASS}]+")


class CompactView:
    """The text without horizontal whitespace, with a map back to the text's offsets
    (shared with extractors/roles.py, which reads cues the same way)."""

    def __init__(self, text: str):
        self.text = text
        orig: list[int] = []
        gap_before: list[bool] = []
        for run in _KEPT_RUN.finditer(text):
            orig.extend(range(run.start(), run.end()))
            gap_before.append(run.start() > 0 and bool(_DROPPED.match(text, run.start() - 1)))
            gap_before.extend([False] * (run.end() - run.start() - 1))
        self.s = "".join(m.group() for m in _KEPT_RUN.finditer(text))
        self.orig = orig
        self.gap_before = gap_before

    def to_text(self, start: int, end: int) -> tuple[int, int]:
        """Text offsets of the compact span [start, end)."""
        return self.orig[start], self.orig[end - 1] + 1

    def from_text(self, start: int, end: int) -> tuple[int, int]:
        """The compact span of the text span [start, end) (whitespace at its ends dropped)."""
        return bisect.bisect_left(self.orig, start), bisect.bisect_left(self.orig, end)


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


@functools.lru_cache(maxsize=4096)
def _level_of(words: str | None) -> Level | None:
    """The level of a level part: its first level word (市和区、县 → city); qualifiers have none."""
    if not words:
        return None
    w = _norm_brackets(words[1:] if words.startswith("各") and words[1:] else words)
    for word in _LEVEL_WORDS_LONGEST_FIRST:
        if w.startswith(word):
            return _LEVEL_OF[word]
    return None


def _starts_unit(v: CompactView, i: int) -> bool:
    """Whether a unit may start at i: a line start, a non-Chinese character, whitespace, a list
    connector or a particle such as 由/会同 in front (not 国土空间|规划委员会, not 个|人大)."""
    if i <= 0 or v.gap_before[i] or not _is_cjk(v.s[i - 1]):
        return True
    return _ends_with_particle(v.s, i) or _ARTICLE_AT_END.search(v.s, max(0, i - 16), i) is not None


def _ends_with_particle(s: str, i: int) -> bool:
    return _PARTICLE_AT_END.search(s, max(0, i - _PARTICLE_MAX), i) is not None


def _place_start(v: CompactView, start: int) -> int:
    """Extend a unit that begins with a level (区规划自然资源局) over the place names in front
    (重庆市江津区…, 国家税务总局山西省税务局); stops where no place name can stand."""
    s = v.s
    confirmed = start
    while True:
        parent = next((p for p in GAZ.place.parent_prefixes if s.endswith(p, 0, start)), None)
        if parent:
            return start - len(parent)
        b = _place_name_start(v, start)
        if b is None:
            return confirmed
        confirmed = start = b
        # a name closed off by a level in front (重庆市|江津区) continues a longer place
        level_char = next((lc for lc in _PLACE_LEVEL_CHARS if s.endswith(lc, 0, start)), None)
        if level_char is None:
            parent = next((p for p in GAZ.place.parent_prefixes if s.endswith(p, 0, start)), None)
            return start - len(parent) if parent else start
        start -= len(level_char)


def _place_name_start(v: CompactView, end: int) -> int | None:
    """Start of a 2–4 character place name ending at `end` (no function characters in it, a
    boundary, a level or a parent body in front), or None."""
    s = v.s
    for n in (2, 3, 4):
        b = end - n
        if b < 0:
            return None
        name = s[b:end]
        if not all(_is_cjk(c) and c not in _PLACE_STOPS for c in name) or name in _PARTICLE_SET:
            return None
        if (_starts_unit(v, b) or any(s.endswith(lc, 0, b) for lc in _PLACE_LEVEL_CHARS)
                or any(s.endswith(p, 0, b) for p in GAZ.place.parent_prefixes)):
            return b
    return None


def _skip_parenthetical(s: str, i: int) -> int:
    m = _PARENTHETICAL.match(s, i)
    return m.end() if m else i


def _followed_by_body_word(s: str, i: int) -> bool:
    return bool(_BODY_FOLLOWER.match(s, i))


def _followed_by_noun(s: str, i: int) -> bool:
    return bool(_NON_BODY_FOLLOWER.match(s, i))


# ---------------------------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------------------------


@dataclass
class _Cand:
    start: int  # compact offsets
    end: int
    canonical: str
    level: Level | None
    generic: bool
    # department | bare | bare_suffix (a word that needs a suffix: 建设) | unknown (a list item the
    # gazetteer does not know) | government | plural | strong | weak | generic | other | group
    kind: str
    priority: int = 0  # lower wins among equal lengths
    level_text: str | None = None
    suffix: str | None = None


def _departments(v: CompactView) -> list[_Cand]:
    """Departments with or without office suffix; bare ones are kept for the list check."""
    out = []
    s = v.s
    for m in _DEPARTMENT.finditer(s):
        head, suf, lvl = m["head"], m["suf"], m["lvl"]
        key, kind = _HEADS[_norm_brackets(head)]
        end = m.end()
        if kind == "name" and suf:
            suf, end = None, m.end("head")  # a complete name takes no suffix (卫健委员 is not 卫健委)
        full = kind == "name" or bool(suf)
        if full and suf and (head + suf).endswith(_NOT_DEPARTMENTS):
            continue
        if full and _followed_by_noun(s, end):
            continue  # 人民代表大会第三次会议, 政协委员, 住建部关于…: no body at work
        start = m.start()
        needs_boundary = not lvl and (not full or (kind == "name" and len(head) <= 2))
        if needs_boundary and not _starts_unit(v, start):
            continue
        if lvl and any(lvl.endswith(lc) for lc in _PLACE_LEVEL_CHARS) and not lvl.startswith("各"):
            start = _place_start(v, start)
        level = _level_of(lvl)
        if level is None and kind == "stem" and suf in GAZ.national_suffixes:
            level = "national"  # 住建部, 税务总局: a ministry has no local counterpart of that name
        # a function word that needs a suffix (建设, 房产) stands bare only in a list that shares one
        bare_kind = "bare_suffix" if kind == "suffix_stem" else "bare"
        out.append(_Cand(start, end, key, level, False, "department" if full else bare_kind,
                         priority=0, level_text=lvl, suffix=suf))
    return out


# ---------------------------------------------------------------------------------------------
# Lists of departments
# ---------------------------------------------------------------------------------------------


def _unknown_item(v: CompactView, start: int, end: int) -> _Cand:
    """A list item the gazetteer does not know (国土、工商、物价等部门 → 物价): a body outside the key
    list keeps its own short name. An item that cannot be a body keeps an empty canonical: it
    counts as an item of the list but is never a unit."""
    name = v.s[start:end]
    body = (_ITEM_MIN <= len(name) <= _ITEM_MAX and not _NOT_BODY_ITEM.search(name)
            and name not in _NOT_BODY_ITEM_WORDS)
    short, level_text = _short_name(name)
    return _Cand(start, end, short if body else "", _level_of(level_text), False, "unknown", priority=6,
                 level_text=level_text)


def _short_name(name: str) -> tuple[str, str | None]:
    """(short name, level part) of an unknown item: a full name loses its level and office suffix
    (市经贸委 → 经贸, 市); a bare item stays as it is (市容 is no 市 + 容)."""
    suffix = _OFFICE_SUFFIX_AT_END.search(name)
    if not suffix:
        return name, None
    core = name[:suffix.start()]
    level = _DEPT_LEVEL_RE.match(core)
    if level and len(core) - level.end() >= _ITEM_MIN:
        return core[level.end():], level.group()
    return (core, None) if len(core) >= _ITEM_MIN else (name, None)


def _item_run_start(v: CompactView, end: int) -> int:
    """The leftmost start of a run of item characters ending at `end`."""
    s = v.s
    b = end
    while b > 0 and end - b < _ITEM_SCAN and _is_cjk(s[b - 1]) and s[b - 1] not in _ITEM_STOP \
            and not v.gap_before[b]:
        b -= 1
    return b


def _item_before(v: CompactView, end: int) -> _Cand | None:
    """The unknown item ending at `end`, as the first item of a list or one after a connector.
    A first item starts after a lead-in verb (督促|物价、…), a stop character (的|物价、…) or a
    boundary; a longer run has no clear start and is no item."""
    s = v.s
    b = _item_run_start(v, end)
    if end - b < _ITEM_MIN:
        return None
    if b > 0 and _CONNECTOR_AT_END.search(s, max(0, b - 2), b):
        return _unknown_item(v, b, end) if end - b <= _ITEM_MAX else None
    for p in range(end - _ITEM_MIN, b - 1, -1):  # the shortest item after a lead-in verb
        if any(s.endswith(w, 0, p) for w in GAZ.list.item_lead_ins):
            return _unknown_item(v, p, end)
    return _unknown_item(v, b, end) if end - b <= _ITEM_MAX else None


def _items_between(v: CompactView, end: int, start: int) -> list[_Cand] | None:
    """The unknown items between two known ones (财政、|物价、劳动|、卫生), or None when the gap
    is not `connector (item connector)*`."""
    s = v.s
    end = _skip_parenthetical(s, end)  # 住房城乡建设（房地产）、自然资源等部门
    m = _CONNECTOR.match(s, end, start)
    if not m:
        return None
    items: list[_Cand] = []
    i = m.end()
    while i < start:
        j = i
        while j < start and _is_cjk(s[j]) and s[j] not in _ITEM_STOP and j - i < _ITEM_SCAN:
            j += 1
        m = _CONNECTOR.match(s, j, start)
        if j == i or not m:
            return None
        items.append(_unknown_item(v, i, j))
        i = m.end()
    return items


def _items_before_list(v: CompactView, start: int) -> list[_Cand]:
    """Unknown items in front of a list's first known item, joined by 、 (物价、|财政等部门)."""
    s = v.s
    items: list[_Cand] = []
    while start > 0 and s[start - 1] == "、":
        item = _item_before(v, start - 1)
        if item is None:
            break
        items.insert(0, item)
        start = item.start
    return items


def _department_tail(v: CompactView, i: int) -> re.Match[str] | None:
    """A list tail at i that makes its items departments (等部门, 部门, 等有关部门, 主管部门)."""
    m = _LIST_TAIL.match(v.s, i)
    if m and "部门" in (m["direct"] or m["head"] or ""):
        return m
    return None


def _items_after_list(v: CompactView, end: int) -> list[_Cand]:
    """Unknown items after a list's last known item, up to a department tail (财政、|物价等部门,
    民政和|物价部门); none when the list does not end in such a tail."""
    s = v.s
    items: list[_Cand] = []
    i = end
    while True:
        m = _CONNECTOR.match(s, i)
        if not m:
            return []
        j = k = m.end()
        while k < len(s) and k - j < _ITEM_SCAN and _is_cjk(s[k]) and s[k] not in _ITEM_STOP:
            k += 1
        tail_at = next((q for q in range(j + _ITEM_MIN, k + 1) if _department_tail(v, q)), None)
        if tail_at is not None:
            return items + [_unknown_item(v, j, tail_at)]
        if k == j or not _CONNECTOR.match(s, k):
            return []
        items.append(_unknown_item(v, j, k))
        i = k


def _lists(v: CompactView, atoms: list[_Cand]) -> list[list[_Cand]]:
    """Runs of list items: known department words joined by connectors, with the unknown items
    between, before and after them."""
    lists: list[list[_Cand]] = []
    current: list[_Cand] = []
    aside: list[_Cand] = []  # words in a bracket right after an item: 住房城乡建设局（建委、房产局）、…
    aside_end = -1
    for a in atoms:
        if a.start < aside_end:
            if aside and _items_between(v, aside[-1].end, a.start) is None:
                lists.append(aside)
                aside = []
            aside.append(a)
            continue
        if aside:
            lists.append(aside)
            aside = []
        if current:
            between = _items_between(v, current[-1].end, a.start)
            if between is not None:
                current.extend(between)
                current.append(a)
            else:
                lists.append(current)
                current = _items_before_list(v, a.start) + [a]
        else:
            current = _items_before_list(v, a.start) + [a]
        bracket = _PARENTHETICAL.match(v.s, a.end)
        aside_end = bracket.end() if bracket else -1
    for rest in (aside, current):
        if rest:
            lists.append(rest)
    for items in lists:
        items.extend(_items_after_list(v, items[-1].end))
    return lists


def _after_lead_in(v: CompactView, i: int) -> bool:
    return any(v.s.endswith(w, 0, i) for w in GAZ.list.lead_ins)


def _list_verdict(v: CompactView, items: list[_Cand]) -> str | None:
    """What the bare words of a list are (see the module doc):
    "departments" when the list shares a department suffix or tail (…等部门, …、自然资源主管部门):
        every item is a department, unknown ones and those that need a suffix (建设、房产等部门);
    "units" when a tail of bodies, a role verb or a lead-in makes its known words units;
    None when its bare words are ordinary nouns."""
    if all(a.kind == "unknown" for a in items):
        return None
    last = items[-1]
    if last.kind == "department" and last.suffix in _SHARED_SUFFIXES and len(items) >= 2:
        return "departments"
    if _department_tail(v, last.end):
        return "departments"
    known = [a for a in items if a.kind in ("department", "bare")]
    if not known:
        return None
    unknown = len(items) - len(known)
    if unknown > len(known):
        return None
    m = _LIST_TAIL.match(v.s, last.end)
    if m:
        return None if (m["head"] in GAZ.list.strict_tail_heads and unknown) else "units"
    if _ROLE_VERB.match(v.s, last.end) and (len(known) >= 2 or items[0].level_text):
        return "units"
    return "units" if _after_lead_in(v, items[0].start) and unknown == 0 else None


def _department_units(v: CompactView, atoms: list[_Cand]) -> list[_Cand]:
    """The departments that stand as units: every full name, and the items of a list of units."""
    out = []
    for items in _lists(v, atoms):
        if len(items) == 1 and items[0].kind == "department":
            out.append(items[0])
            continue
        verdict = _list_verdict(v, items)
        for a in items:
            if a.kind == "department" or (a.kind == "bare" and verdict):
                out.append(a)
            elif verdict == "departments" and (a.kind == "bare_suffix" or (a.kind == "unknown" and a.canonical)):
                a.kind = "bare" if a.kind == "bare_suffix" else "department"
                out.append(a)
    return out


def _town_split(lvl: str) -> tuple[int, int] | None:
    """(end of the last upper level, start of the first town level) in a coordinated level part that
    runs down to towns (区（市）、镇 → 区（市） | 镇), else None."""
    i = 1 if lvl.startswith("各") else 0
    upper_end = None
    while i < len(lvl):
        m = _LEVEL_WORD.match(lvl, i)
        if not m:
            return None
        if _norm_brackets(m.group()) in _TOWN_LEVEL_WORDS:
            return (upper_end, m.start()) if upper_end is not None else None
        upper_end = m.end()
        join = _LEVEL_JOIN_RE.match(lvl, m.end())
        if not join:
            return None
        i = join.end()
    return None


def _bare_government_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """A bare 政府 is a body when it acts: after 由 (由政府提供…), as a subject with a duty word after
    it (政府应当…), or joined to a body that acts (各级党委、政府及有关部门要…); elsewhere it is an
    adjective or a noun (政府投资建设的…, 政府和社会资本合作)."""
    s = v.s
    if s.endswith("由", 0, c.start):
        return True
    if not _starts_unit(v, c.start):
        return False
    if _BARE_GOVERNMENT_FOLLOWER.match(s, c.end):
        return True
    m = _CONNECTOR.match(s, c.end)
    partner = by_start.get(m.end()) if m else None
    return partner is not None and decided.get(partner.start, False)


def _governments(v: CompactView) -> list[_Cand]:
    out = []
    s = v.s
    for m in _GOVERNMENT.finditer(s):
        office = m["office"]
        if m["nat"]:
            level: Level | None = "national"
            canonical = "人民政府"
        else:
            lvl = m["lvl"]
            if not lvl and m["head"] != "人民政府":
                # bare 政府 is an adjective too often (政府购买服务): decided in context (_select)
                if not office and not _followed_by_noun(s, m.end()):
                    out.append(_Cand(m.start(), m.end(), "人民政府", None, False, "bare_government", priority=1))
                continue
            level = _level_of(lvl)
            canonical = "镇街" if level == "town" else "人民政府"
        start = m.start()
        if m["lvl"] and not m["lvl"].startswith("各"):
            start = _place_start(v, start)
        elif not m["nat"] and not m["lvl"] and not _starts_unit(v, start):
            continue
        if office:
            canonical = "人民政府" + office
        split = _town_split(m["lvl"]) if m["lvl"] and not office and level != "town" else None
        if split:
            # 区（市）、镇人民政府: the district governments and the town governments, each its own unit
            upper_end, town_start = (m.start("lvl") + k for k in split)
            out.append(_Cand(start, upper_end, canonical, level, False, "government", priority=1,
                             level_text=m["lvl"][:split[0]]))
            out.append(_Cand(town_start, m.end(), "镇街", "town", False, "government", priority=1,
                             level_text=m["lvl"][split[1]:]))
            continue
        out.append(_Cand(start, m.end(), canonical, level, False, "government", priority=1, level_text=m["lvl"]))
    for m in _COMMITTEE.finditer(s):
        if not m["lvl"] and m["head"] != "管委会":
            continue
        start = _place_start(v, m.start()) if m["lvl"] else m.start()
        out.append(_Cand(start, m.end(), "人民政府", _level_of(m["lvl"]) or "district", False, "government",
                         priority=1, level_text=m["lvl"]))
    return out


_KEY_LEVEL: dict[str, Level] = {"镇街": "town", "社区": "community"}


def _territorial_forms(v: CompactView) -> list[_Cand]:
    out = []
    for pattern, table, kind in ((_PLURAL, _PLURAL_KEY, "plural"), (_STRONG, _STRONG_KEY, "strong"),
                                 (_WEAK, _WEAK_KEY, "weak")):
        for m in pattern.finditer(v.s):
            key = table[_norm_brackets(m.group().removeprefix("各") if kind != "plural" else m.group())]
            level = _KEY_LEVEL.get(key) or _level_of(m.group())
            out.append(_Cand(m.start(), m.end(), key, level, False, kind, priority=2))
    return out


def _generics(v: CompactView, taken: list[_Cand]) -> list[_Cand]:
    out = []
    s = v.s
    for m in _GENERIC.finditer(s):
        name = (m["mod"] or "") + (m["core"] or m["alone"])
        if name in GAZ.generic.not_generic:
            continue
        lvl = m["lvl"]
        level = _level_of(lvl) or (_level_of(m["mod"]) if m["mod"] and m["mod"][0] in "省市区县" else None)
        key = GAZ.generic.key_of(m["core"] or m["alone"])
        out.append(_Cand(m.start(), m.end(), key, level, True, "generic", priority=3, level_text=lvl))
    # X主管部门: read the domain back to a particle or a stop character (应征求|配套设施主管部门)
    covered = SpanIndex((c.start, c.end) for c in taken + out)
    for m in _DOMAIN_HEAD.finditer(s):
        if covered.covers_strictly(m.start(), m.end()):
            continue
        b = m.start()
        limit = max(0, b - GAZ.generic.max_domain)
        while b > limit and _is_cjk(s[b - 1]) and s[b - 1] not in _PLACE_STOPS and not v.gap_before[b] \
                and not _ends_with_particle(s, b):
            b -= 1
        if m.start() - b < 2:
            continue
        out.append(_Cand(b, m.end(), GAZ.generic.key_of(m.group()), None, True, "generic", priority=4))
    return out


def _other_bodies(v: CompactView) -> list[_Cand]:
    return [_Cand(m.start(), m.end(), m.group(), None, False, "other", priority=5)
            for m in _OTHER_BODY.finditer(v.s)]


def _leading_groups(v: CompactView) -> list[_Cand]:
    out = []
    s = v.s
    for m in _LEADING_GROUP.finditer(s):
        if _followed_by_noun(s, m.end()):
            continue  # 领导小组组成人员名单
        b = m.start()
        limit = max(0, b - GAZ.leading_group.max_name)
        while b > limit and _is_cjk(s[b - 1]) and not v.gap_before[b] \
                and not _GROUP_NAME_STOP.search(s, max(0, b - 4), b):
            b -= 1
        name = s[b:m.end()]
        lv = _DEPT_LEVEL_RE.match(name)
        out.append(_Cand(b, m.end(), GAZ.leading_group.key, _level_of(lv.group()) if lv else None, False,
                         "group", priority=1))
    return out


def _raw_candidates(v: CompactView) -> tuple[list[_Cand], list[_Cand]]:
    """(departments incl. bare words, everything else) before any context check."""
    departments = _departments(v)
    others = _governments(v) + _territorial_forms(v) + _other_bodies(v) + _leading_groups(v)
    others += _generics(v, departments + others)
    return departments, others


# ---------------------------------------------------------------------------------------------
# Context checks and overlap resolution
# ---------------------------------------------------------------------------------------------


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """The longest candidate wins, then the lower priority, then the earlier one."""
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), c.priority, c.start))
    occupied: set[int] = set()
    taken: list[_Cand] = []
    for c in ordered:
        span = range(c.start, c.end)
        if occupied.isdisjoint(span):
            taken.append(c)
            occupied.update(span)
    return sorted(taken, key=lambda c: c.start)


def _weak_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """社区/街道/试点城市: a body when a duty word follows, or when joined by 和/、 to such a body, or
    as the agent after 由/会同 (由村（居）民委员会…给予批评教育)."""
    s = v.s
    if not _starts_unit(v, c.start) and not s.endswith("所在", 0, c.start):
        return False
    if _after_lead_in(v, c.start) and not _followed_by_noun(s, c.end):
        return True
    return _subject_ok(v, c, by_start, decided)


def _subject_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """A duty word follows, or a connector and a unit that is a body (社区居委会、业主委员会、物业服务企业要…)."""
    s = v.s
    if _followed_by_body_word(s, c.end):
        return True
    m = _CONNECTOR.match(s, c.end)
    if m:
        partner = by_start.get(m.end())
        if partner is not None:
            return decided.get(partner.start, False)
    return False


def _territorial_ok(v: CompactView, c: _Cand) -> bool:
    """A government, plural area or town body, unless a noun follows it (市政府工作报告, 各地实际)."""
    i = _skip_parenthetical(v.s, c.end) if c.kind == "plural" else c.end
    return not _followed_by_noun(v.s, i)


def _select(v: CompactView) -> list[_Cand]:
    atoms, others = _raw_candidates(v)
    departments = _department_units(v, atoms)
    chosen = _resolve(departments + others)
    starts = {c.start for c in chosen}
    by_start = {c.start: c for c in chosen}
    decided: dict[int, bool] = {}
    for c in sorted(chosen, key=lambda c: -c.start):  # right to left: a partner is decided first
        if c.kind in ("government", "bare_government", "plural", "strong") and c.end in starts:
            # 省人民政府住房和城乡建设主管部门: the government only qualifies the department, and
            # lends it its level
            decided[c.start] = False
            following = by_start[c.end]
            if following.level is None:
                following.level = c.level
            continue
        if c.kind == "weak":
            decided[c.start] = _weak_ok(v, c, by_start, decided)
        elif c.kind == "bare_government":
            decided[c.start] = _bare_government_ok(v, c, by_start, decided)
        elif c.kind in ("government", "plural", "strong"):
            decided[c.start] = _territorial_ok(v, c)
        elif c.kind == "other":
            decided[c.start] = _subject_ok(v, c, by_start, decided)  # 建设单位要…, not 向建设单位提供
        else:
            decided[c.start] = True
    kept = [c for c in chosen if decided[c.start] and not _DOC_NUMBER_AFTER.match(v.s, c.end)]
    _share_levels(v, [c for c in kept if c.kind in ("department", "bare")])
    return kept


def _runs(v: CompactView, departments: list[_Cand]) -> list[list[_Cand]]:
    """Departments joined by connectors (and items that are no unit) into runs."""
    runs: list[list[_Cand]] = []
    for c in departments:
        if runs and _items_between(v, runs[-1][-1].end, c.start) is not None:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _share_levels(v: CompactView, departments: list[_Cand]) -> None:
    """Items of a list without a level of their own take the one before (市教育、民政 → 市;
    省人民政府发展改革、财政等部门 → 省, lent by the government)."""
    for chain in _runs(v, departments):
        level = None
        for c in chain:
            if c.level_text or (c.level and level is None):
                level = c.level
            elif c.level is None:
                c.level = level


def _to_match(v: CompactView, c: _Cand) -> Match:
    start, end = v.to_text(c.start, c.end)
    value = UnitValue(name=v.s[c.start:c.end], canonical=c.canonical, level=c.level, generic=c.generic)
    return Match("unit", start, end, v.text[start:end], value)


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every unit named in `text` (see the module doc), in text order, offsets into `text`."""
    if not text:
        return []
    v = CompactView(text)
    matches = [_to_match(v, c) for c in _select(v)]
    return [m for m in matches if not ctx.is_masked(m.start, m.end)]


def parse(surface: str, ctx: ExtractContext) -> UnitValue | None:
    """The canonical key of one name (市卫健委 → 卫生健康, 各区县 → 人民政府); None if it names no unit."""
    v = CompactView(surface)
    if not v.s:
        return None
    departments, others = _raw_candidates(v)
    cands = departments + others
    whole = [c for c in cands if c.start == 0 and c.end == len(v.s)]
    if whole:
        best = min(whole, key=lambda c: c.priority)
        return UnitValue(name=v.s, canonical=best.canonical, level=best.level, generic=best.generic)
    # a department behind what only qualifies it: its government (市政府法制办公室) or party
    # committee (省委编办)
    governments = {c.end: c for c in cands if c.start == 0 and c.kind == "government"}
    for c in sorted(cands, key=lambda c: (c.start, c.priority)):
        if c.end != len(v.s) or c.start == 0 or c.kind not in ("department", "group", "other"):
            continue
        qualifier = governments.get(c.start)
        if qualifier is not None or v.s[:c.start] in _PARTICLE_SET:
            level = c.level or (qualifier.level if qualifier else _level_of(v.s[:c.start]))
            return UnitValue(name=v.s, canonical=c.canonical, level=level, generic=c.generic)
    return None


def is_territorial(value: UnitValue) -> bool:
    """Governments, towns and communities: bodies that carry out (落实) rather than lead."""
    return value.canonical in TERRITORIAL_KEYS


# ---------------------------------------------------------------------------------------------
# Self-references (我局, 我委, 本机关): the issuer speaking of itself
# ---------------------------------------------------------------------------------------------

_SELF_REFERENCE = re.compile(
    f"(?P<own>{_alt(GAZ.self_reference.prefixes)})(?P<head>{_alt(GAZ.self_reference.heads)})")
# 本部门 is a department's own staff speaking, 我委员 no office: what may not follow the reference
_SELF_NOT_AFTER = re.compile(f"(?:{_alt(GAZ.self_reference.not_after)})")


def _issuer_for(head: str, issuers: list[str]) -> str | None:
    """The issuer a self-reference names: the only issuer, or the only one whose name ends in a form
    of the reference's head (我局 → …局, 我委 → …委员会 / …委, 我府 → …人民政府)."""
    names = [re.sub(r"\s+", "", i) for i in issuers if i and i.strip()]
    if len(names) == 1:
        return names[0]
    endings = tuple(GAZ.self_reference.heads.get(head) or [head])
    fitting = [n for n in names if n.endswith(endings)]
    return fitting[0] if len(fitting) == 1 else None


def resolve_self(name: str, issuers: str | list[str] | tuple[str, ...]) -> UnitValue | None:
    """The unit a self-reference stands for (我局 in a reply of 江津区规划和自然资源局 → 自然资源,
    district), given the document's issuer(s); None when `name` is no self-reference or the issuer
    is unknown, ambiguous (a joint document's 我委 with two 委 issuers) or names no unit."""
    compact = re.sub(r"\s+", "", name or "")
    m = _SELF_REFERENCE.fullmatch(compact)
    if not m:
        return None
    issuer = _issuer_for(m["head"], [issuers] if isinstance(issuers, str) else list(issuers or []))
    value = parse(issuer, ExtractContext()) if issuer else None
    if value is None or value.generic:
        return None
    return UnitValue(name=compact, canonical=value.canonical, level=value.level, generic=False)


def self_references(text: str, issuers: str | list[str] | tuple[str, ...], ctx: ExtractContext) -> list[Match]:
    """Every self-reference in `text` resolved against the issuer(s) (see resolve_self), offsets into
    `text`; [] when the issuer cannot be resolved. extract() does not return these: it does not know
    the issuer."""
    if not text:
        return []
    v = CompactView(text)
    out = []
    for m in _SELF_REFERENCE.finditer(v.s):
        if not _starts_unit(v, m.start()) or _followed_by_noun(v.s, m.end()) \
                or _SELF_NOT_AFTER.match(v.s, m.end()):
            continue
        start, end = v.to_text(m.start(), m.end())
        value = resolve_self(m.group(), issuers)
        if value is not None and not ctx.is_masked(start, end):
            out.append(Match("unit", start, end, text[start:end], value))
    return out
