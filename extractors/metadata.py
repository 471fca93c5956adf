"""Document metadata: title, 发文字号, issuers, jurisdiction, issued date, doc type, annex links.

Public API:

    extract_metadata(doc: Document) -> DocumentMetadata
    match_annex(annex_meta, parent_metas) -> int | None   which parent lists this annex
    extract(text, ctx) -> list[Match]                      the located pieces, as every field module
    parse_date(surface) -> date | None                     2020年 3月 23日, 二〇〇五年七月十四日, 2024-02-08
    normalise_doc_number(surface) -> str                   淄政办字 〔2020〕 34 号 -> 淄政办字〔2020〕34号
    doc_type_of_title(title) -> DocType | None             …的通知 -> notice
    area_of_name(name) -> str | None                       重庆市江津区规划和自然资源局 -> 重庆市江津区
    area_of_doc_number(number, text="") -> str | None      苏发改社会发〔2024〕184号 -> 江苏省
    split_organs(line) -> list[str]                        a signature line -> the bodies on it

Where each value comes from, most trusted first (ANNOTATION.md "metadata"):
  - `Document.header_fields` (gov.cn: 发文机关, 发文字号, 成文日期, 标题; web pages: 发布机构, 文号,
    发文日期, 名称), then the same labels on header lines at the top of the text;
  - the document's own frame: the 发文字号 line near the top, the title lines (关于…的通知, possibly
    wrapped; an issuer on its own line above 关于 is the letterhead, not part of the title), the
    signature at the end (bodies, then the date; 抄送/(主动公开) lines after it are ignored), the
    adoption lines of a law (2018年7月27日…第五次会议通过);
  - inference: the jurisdiction from the issuers' names, else from the 发文字号's abbreviation
    (regions.yaml); the doc type from the title's last word, else from a body phrase (通知如下).
An annex (text opening with 附件2) gets its own title and type; issuers, jurisdiction and date stay
empty here (the caller inherits them from the parent found by `match_annex`).

Vocabulary lives in extractors/data/regions.yaml and extractors/data/doc_types.yaml; this module
holds the mechanism. Nothing here raises on text input, and nothing reads the clock.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extractors.base import ExtractContext, Match
from extractors.numerals import to_number
from extractors.rules import load_yaml
from pipeline.document import Document

DocType = Literal["notice", "opinion", "plan", "reply", "table", "standard", "other"]
HeaderRole = Literal["title", "doc_number", "issuer", "publisher", "written_date", "issue_date",
                     "publication_date", "other"]
AdoptionEvent = Literal["enact", "approve", "promulgate", "in_force"]
Span = tuple[int, int]


# ---------------------------------------------------------------------------------------------
# Rule tables (validated on load)
# ---------------------------------------------------------------------------------------------

class _Province(BaseModel):
    name: str
    abbr: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _level_suffix(cls, v: str) -> str:
        if not re.search(r"(省|市|自治区|特别行政区)$", v):
            raise ValueError(f"province {v!r} must end with 省/市/自治区/特别行政区")
        return v


class _City(BaseModel):
    name: str
    province: str
    abbr: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _level_suffix(cls, v: str) -> str:
        if not re.search(r"(市|自治州|地区|盟)$", v):
            raise ValueError(f"city {v!r} must end with 市/自治州/地区/盟")
        return v


class _District(BaseModel):
    name: str
    city: str
    abbr: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _level_suffix(cls, v: str) -> str:
        if not re.search(r"(区|县|旗|市)$", v):
            raise ValueError(f"district {v!r} must end with 区/县/旗/市")
        return v


class RegionTable(BaseModel):
    """extractors/data/regions.yaml."""

    national_jurisdiction: str | None
    national_organ_prefixes: list[str]
    prefixes_before_area: list[str]
    not_area_endings: list[str]
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


class FrameWords(BaseModel):
    """extractors/data/doc_types.yaml."""

    title_endings: dict[DocType, list[str]]
    body_cues: dict[DocType, list[str]]
    header_keys: dict[HeaderRole, list[str]]
    trailer_markers: list[str]
    chrome_markers: list[str]
    organ_suffixes: list[str]
    letterhead_suffixes: list[str]
    seal_marks: list[str]
    adoption_events: dict[AdoptionEvent, list[str]]
    annex_file_extensions: list[str]

    @model_validator(mode="after")
    def _consistent(self) -> FrameWords:
        for table_name in ("title_endings", "body_cues", "header_keys", "adoption_events"):
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
        return self


def _is_han(s: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in s)


def _load(model: type[BaseModel], name: str):
    try:
        return model.model_validate(load_yaml(name))
    except ValidationError as err:
        raise ValueError(f"extractors/data/{name} is invalid: {err}") from err


REGIONS: RegionTable = _load(RegionTable, "regions.yaml")
WORDS: FrameWords = _load(FrameWords, "doc_types.yaml")


# ---------------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    """An administrative area; `display` is the jurisdiction value (重庆市江津区, 淄博市, 山西省)."""

    name: str
    level: Literal["province", "city", "district"]
    parent: Area | None = None

    @property
    def display(self) -> str:
        if self.level == "district" and self.parent is not None:
            return self.parent.name + self.name
        return self.name

    def lineage(self) -> list[Area]:
        """This area and its ancestors, lowest first."""
        out: list[Area] = []
        a: Area | None = self
        while a is not None:
            out.append(a)
            a = a.parent
        return out

    @property
    def short(self) -> str:
        """The name without its level word (江津, 天津, 内蒙古), for counting mentions."""
        return _AREA_SUFFIX_RE.sub("", self.name) or self.name


# the level word at the end of an area name, ethnic designations included (石柱土家族自治县 -> 石柱)
_AREA_SUFFIX_RE = re.compile(r"(?:(?:[\u4e00-\u9fff]{1,3}族)*自治(?:区|州|县|旗)|特别行政区|省|市|区|县|旗|地区|盟)$")


def _build_areas() -> tuple[dict[str, Area], dict[str, list[Area]]]:
    by_name: dict[str, Area] = {}
    by_abbr: dict[str, list[Area]] = {}
    provinces = {p.name: Area(p.name, "province") for p in REGIONS.provinces}
    cities = {c.name: Area(c.name, "city", provinces[c.province]) for c in REGIONS.cities}
    districts = [(Area(d.name, "district", cities.get(d.city) or provinces[d.city]), d.abbr)
                 for d in REGIONS.districts]
    for p in REGIONS.provinces:
        by_name[p.name] = provinces[p.name]
        for a in p.abbr:
            by_abbr.setdefault(a, []).append(provinces[p.name])
    for c in REGIONS.cities:
        by_name[c.name] = cities[c.name]
        for a in c.abbr:
            by_abbr.setdefault(a, []).append(cities[c.name])
    for area, abbrs in districts:
        by_name.setdefault(area.name, area)
        for a in abbrs:
            by_abbr.setdefault(a, []).append(area)
    return by_name, by_abbr


AREAS_BY_NAME, AREAS_BY_ABBR = _build_areas()

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
# a known area name, longest first so that 重庆市 wins over a shorter overlap
_KNOWN_AREA_RE = re.compile("|".join(re.escape(n) for n in sorted(AREAS_BY_NAME, key=len, reverse=True)))
# a city not in the table: two to five characters before 市/自治州/地区/盟 (保定市); one character is
# too few (城市管理局, 全市)
_GENERIC_CITY_RE = re.compile(rf"[{_HAN}]{{2,5}}?(?:市|自治州|地区|盟)")
# a district or county after its city (淄博市张店区, 淄博市沂源县); 市 is left out on purpose
# (淄博市城市管理局 has no county-level city 城市)
_GENERIC_DISTRICT_RE = re.compile(rf"[{_HAN}]{{1,5}}?(?:自治县|区|县|旗)")
_NATIONAL_PREFIXES = tuple(REGIONS.national_organ_prefixes)
_PREFIXES_BEFORE_AREA = tuple(sorted(REGIONS.prefixes_before_area, key=len, reverse=True))


def _leading_area(name: str) -> Area | None:
    """The lowest area named at the start of `name` (after a 中共/国家税务总局 prefix): 重庆市江津区…
    -> 江津区 (in 重庆市); 山东省保定市 is read as far as the table and the generic patterns allow."""
    rest = name
    for p in _PREFIXES_BEFORE_AREA:
        if rest.startswith(p):
            rest = rest[len(p):]
            break
    found: Area | None = None
    pos = 0
    while pos < len(rest):
        m = _KNOWN_AREA_RE.match(rest, pos)
        if m and (found is None or _may_follow(found, AREAS_BY_NAME[m.group()])):
            found, pos = AREAS_BY_NAME[m.group()], m.end()
            continue
        # not in the table, or a namesake elsewhere (宁波市江北区 is not 重庆市's 江北区): the patterns
        if found is None or (found.level == "province" and not found.name.endswith("市")):
            generic, level = _GENERIC_CITY_RE.match(rest, pos), "city"
        elif found.level in ("city", "province"):  # a city, or a municipality (重庆市): districts follow
            generic, level = _GENERIC_DISTRICT_RE.match(rest, pos), "district"
        else:
            break
        if generic is None or _not_an_area(generic.group()):
            break
        found, pos = Area(generic.group(), level, found), generic.end()  # type: ignore[arg-type]
    return found


def _may_follow(upper: Area, area: Area) -> bool:
    """Whether `area` can be written right after `upper` (江苏省南京市, 重庆市江津区)."""
    if area.level == "province":
        return False
    if area.parent is None:
        return True
    return area.parent.name == upper.name


def _not_an_area(word: str) -> bool:
    """A generic match that names no area: 淄博市社区 (社区), 关于城市 (关于)."""
    return any(word.endswith(e) for e in REGIONS.not_area_endings) or \
        any(p in word for p in REGIONS.not_area_parts)


def _is_national(name: str) -> bool:
    return name.startswith(_NATIONAL_PREFIXES) or (_leading_area(name) is None and name.endswith(("部", "总局", "署")))


def area_of_name(name: str) -> str | None:
    """Jurisdiction named by a body's full name: 淄博市人民政府办公室 -> 淄博市; None when it names none."""
    if not isinstance(name, str):
        return None
    area = _leading_area(_compact(name))
    return area.display if area else None


def _lowest_common(areas: Sequence[Area]) -> Area | None:
    """The lowest of areas that lie on one line of descent, else their nearest common ancestor,
    else the first."""
    if not areas:
        return None
    names = [[a.display for a in x.lineage()] for x in areas]
    deepest = max(areas, key=lambda a: len(a.lineage()))
    if all(x.display in [d.display for d in deepest.lineage()] for x in areas):
        return deepest
    common = [a for a in areas[0].lineage() if all(a.display in n for n in names)]
    return common[0] if common else areas[0]


def _resolve_abbr(candidates: list[Area], text: str) -> Area | None:
    """One area for an abbreviation several areas share (津: 天津市, 江津区): the one the document
    mentions most, else the provincial-level one, else none."""
    if len(candidates) == 1:
        return candidates[0]
    counts = [(text.count(a.short) if len(a.short) >= 2 else text.count(a.name)) for a in candidates]
    best = max(counts) if counts else 0
    if best > 0 and counts.count(best) == 1:
        return candidates[counts.index(best)]
    provincial = [a for a in candidates if a.level == "province"]
    return provincial[0] if len(provincial) == 1 else None


_NATIONAL = Area("national", "province")  # marker: a central body's document number


def _doc_number_area(number: str, text: str = "") -> Area | None:
    m = DOC_NUMBER_RE.search(number or "")
    prefix = (m.group("prefix") or m.group("order") or "") if m else _compact(number or "")
    for length in range(min(len(prefix), 4), 0, -1):
        head = prefix[:length]
        if head in AREAS_BY_ABBR:
            return _resolve_abbr(AREAS_BY_ABBR[head], text)
        if head in REGIONS.national_doc_number_prefixes:
            return _NATIONAL
    return None


def area_of_doc_number(number: str, text: str = "") -> str | None:
    """Jurisdiction from a 发文字号's abbreviation (苏发改社会发 -> 江苏省, 江津规资函 -> 重庆市江津区);
    `text` (the document) settles shared abbreviations. None for central bodies and unknowns."""
    if not isinstance(number, str) or not isinstance(text, str):
        return None
    area = _doc_number_area(number, text)
    if area is None or area is _NATIONAL:
        return None
    return area.display


# ---------------------------------------------------------------------------------------------
# Regex fragments (compiled once)
# ---------------------------------------------------------------------------------------------

_OPEN = "〔［（(【[{｛"
_CLOSE = "〕］）)】]}｝"
# 发文字号: an issuer abbreviation, the year in brackets, the sequence number and 号
# (淄政办字〔2020〕34号, 京政发[2005]12号, 沪府发（2019）2号); or a 令 number (国务院令第699号)
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>[{_HAN}]{{1,16}})\s*[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]"
    rf"\s*(?P<seq>第?\s*\d{{1,5}})\s*号"
    rf"|(?P<order>[{_HAN}]{{1,20}}令)\s*(?P<oseq>第\s*\d{{1,5}})\s*号"
)
_CN_YEAR_DIGITS = "〇○零Ｏ一二三四五六七八九"
# a calendar date: 2020年3月23日 (spaces allowed: 2020年 3月 23日), 二〇〇五年七月十四日, 2024-02-08
DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    rf"|(?P<cy>[{_CN_YEAR_DIGITS}]{{4}})\s*年\s*(?P<cm>[一二三四五六七八九十]{{1,2}})\s*月"
    r"\s*(?P<cd>[一二三四五六七八九十]{1,3})\s*日"
    r"|(?<![\d.])(?P<iy>\d{4})(?P<sep>[-./])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?![\d.])"
)
# a line holding nothing but a date, possibly in brackets: （2020年3月23日）
_DATE_ONLY_RE = re.compile(rf"^[（(]?\s*(?:{DATE_RE.pattern})\s*[)）]?$")
# marks that open a line without being content: markdown heading marks, bullets
_LINE_LEAD_RE = re.compile(r"^[\s#•·●◆■▪◇○\*>]*")
_SENTENCE_PUNCT_RE = re.compile(r"[，。；！？,;!?：:]")
# the numbering that opens a body section: 一、 （一） 第一章 第一条
_SECTION_HEAD_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十百零\d]+[章条节])")
# one or more bracketed qualifiers at the end of a title: （试行） （征求意见稿） （2021—2025年）
_TRAILING_PAREN_RE = re.compile(r"(?:\s*[（(][^（）()]{1,24}[)）])+$")
_PAREN_ONLY_RE = re.compile(r"^[（(][^（）()]{1,30}[)）]$")
# 附件 labels: 附件2 / 附件 2 / 附件二 / 附件：… / 附件2：title
_ANNEX_LABEL_RE = re.compile(r"^附\s*件\s*(?P<n>\d{1,2}|[一二三四五六七八九十]{1,3})?\s*(?:[:：.．、\-—]\s*(?P<rest>.*))?$")
# the first item of a numbered annex list: 1. / 1、 / （1）
_FIRST_ITEM_RE = re.compile(r"^[（(]?\s*1\s*[.．、)）]")
_HEADER_KEY_ALTERNATION = "|".join(
    r"\s*".join(re.escape(ch) for ch in key)
    for key in sorted({k for ks in WORDS.header_keys.values() for k in ks}, key=len, reverse=True))
# a header field label and its colon (名       称: …, 发文机关：…)
_HEADER_KEY_RE = re.compile(rf"(?P<key>{_HEADER_KEY_ALTERNATION})\s*[:：]")
_HEADER_ROLE = {k: role for role, ks in WORDS.header_keys.items() for k in ks}
_ENDINGS = sorted(((w, t) for t, ws in WORDS.title_endings.items() for w in ws), key=lambda x: -len(x[0]))
_ORGAN_SUFFIXES = tuple(sorted(WORDS.organ_suffixes, key=len, reverse=True))
_ORGAN_CHARS_RE = re.compile(rf"^[{_HAN}（）()]+$")
# adoption events by their word (通过 -> enact, 批准 -> approve, 施行 -> in_force)
_EVENT_WORD = {w: ev for ev, ws in WORDS.adoption_events.items() for w in ws}
_EVENT_RE = re.compile("|".join(re.escape(w) for w in sorted(_EVENT_WORD, key=len, reverse=True)))
# in an adoption line, the session after the body's name: 第十四届 … 第三次会议
_SESSION_RE = re.compile(r"第[一二三四五六七八九十百零\d]+届")
_SITTING_CUT_RE = re.compile(r"第[一二三四五六七八九十百零\d]+次|会议|公告|《|根据")
# a seal note beside a signature: （盖章）
_SEAL_RE = re.compile(r"[（(]\s*(?:" + "|".join(re.escape(w) for w in WORDS.seal_marks) + r")\s*[)）]")
_FILE_EXT_RE = re.compile("(?:" + "|".join(re.escape(e) for e in WORDS.annex_file_extensions) + r")\s*$",
                          re.IGNORECASE)


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


# ---------------------------------------------------------------------------------------------
# Small parsers (pure, tested by the example table)
# ---------------------------------------------------------------------------------------------

def parse_date(surface: str) -> dt.date | None:
    """The date a surface spells (2020年 3月 23日, 二〇〇五年七月十四日, 2024-02-08), else None."""
    if not isinstance(surface, str):
        return None
    m = DATE_RE.search(surface.strip())
    return _date_of(m) if m else None


def _date_of(m: re.Match) -> dt.date | None:
    if m.group("y"):
        parts = (m.group("y"), m.group("m"), m.group("d"))
    elif m.group("cy"):
        parts = (m.group("cy"), m.group("cm"), m.group("cd"))
    else:
        parts = (m.group("iy"), m.group("im"), m.group("id"))
    values = [to_number(unicodedata.normalize("NFKC", p.replace("Ｏ", "〇"))) for p in parts]
    if any(v is None for v in values):
        return None
    y, mo, d = (int(v) for v in values)  # type: ignore[arg-type]
    if not 1900 <= y <= 2100:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def normalise_doc_number(surface: str) -> str:
    """A 发文字号 in one spelling: no spaces, the year in 〔〕 (淄政办字 〔2020〕 34 号 -> 淄政办字〔2020〕34号)."""
    if not isinstance(surface, str):
        return ""
    s = unicodedata.normalize("NFKC", _compact(surface))
    return re.sub(rf"[{re.escape(_OPEN)}](\d{{4}})[{re.escape(_CLOSE)}]", r"〔\1〕", s)


def _trim_doc_number_prefix(prefix: str) -> str:
    """Cut text glued in front of the abbreviation (…的通知淄政办字 -> 淄政办字)."""
    cut = 0
    for word, _ in _ENDINGS:
        i = prefix.rfind(word)
        if i >= 0 and i + len(word) < len(prefix):
            cut = max(cut, i + len(word))
    i = prefix.rfind("的")
    if i >= 0 and i + 1 < len(prefix):
        cut = max(cut, i + 1)
    return prefix[cut:]


def doc_type_of_title(title: str | None) -> DocType | None:
    """The doc type a title's last word names (…的意见 -> opinion, …实施方案 -> plan), else None."""
    if not isinstance(title, str):
        return None
    t = _strip_title_tail(title)
    for word, kind in _ENDINGS:
        if t.endswith(word):
            return kind
    return None


def _strip_title_tail(title: str) -> str:
    t = _compact(title).rstrip("。.;；")
    t = _TRAILING_PAREN_RE.sub("", t)
    return t.rstrip("》”\"")


def _organ_like(name: str) -> bool:
    """A plausible full or short name of an issuing body (ends 厅/局/委/人民政府 …, no punctuation)."""
    if not (2 <= len(name) <= 40) or not _ORGAN_CHARS_RE.match(name):
        return False
    if name.startswith(("各", "关于", "附件", "抄送", "联系")):
        return False
    if doc_type_of_title(name) is not None:
        return False
    return name.endswith(_ORGAN_SUFFIXES)


def _starts_body_name(s: str) -> bool:
    """Where a second body's name may begin inside glued text: an area, 省/市/区/县 + name, 中共 …"""
    if _KNOWN_AREA_RE.match(s) or s.startswith(_PREFIXES_BEFORE_AREA) or s.startswith(_NATIONAL_PREFIXES):
        return True
    return len(s) >= 3 and s[0] in "省市区县"


def _split_glued(name: str) -> list[str]:
    """江苏省发展改革委江苏省住房城乡建设厅 -> two bodies; 国家税务总局山西省税务局 stays one."""
    for k in range(2, len(name) - 1):
        head, tail = name[:k], name[k:]
        if head in _PREFIXES_BEFORE_AREA or head.endswith(_PREFIXES_BEFORE_AREA):
            continue
        if _organ_like(head) and _starts_body_name(tail) and _organ_like(tail):
            return [head, *_split_glued(tail)]
    return [name]


def split_organs(line: str) -> list[str]:
    """The issuing bodies a line consists of (separated by spaces or 、, or glued together by a
    reader that removed the spaces); [] when the line is anything else."""
    if not isinstance(line, str):
        return []
    parts = [p for p in re.split(r"[\s、]+", _SEAL_RE.sub(" ", line).strip()) if p]
    if not parts:
        return []
    if all(_organ_like(p) for p in parts):
        return [n for p in parts for n in _split_glued(p)]
    joined = "".join(parts)  # a letter-spaced name: 淄 博 市 人 民 政 府
    if len(parts) > 2 and all(len(p) <= 2 for p in parts) and _organ_like(joined):
        return _split_glued(joined)
    return []


# ---------------------------------------------------------------------------------------------
# Lines
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    """A non-empty line of Document.text; `text` is its content without surrounding whitespace,
    markdown heading marks or bullets, found at text[start:end] of the document."""

    start: int
    end: int
    text: str
    in_table: bool

    @property
    def multi_cell(self) -> bool:
        """A table row with more than one filled cell (a one-cell row can be a table's title)."""
        return self.in_table and "\t" in self.text


def _lines(doc: Document) -> list[_Line]:
    text = doc.text
    table_rows = sorted((b.start, b.end) for b in doc.blocks if b.kind == "table_row")
    row_starts = [s for s, _ in table_rows]
    out: list[_Line] = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        pos = e + 1
        lead = _LINE_LEAD_RE.match(raw).end()
        content = raw[lead:].rstrip()
        if not content:
            continue
        start = s + lead
        i = bisect_right(row_starts, start) - 1
        in_table = "\t" in raw or (i >= 0 and table_rows[i][0] <= start < table_rows[i][1])
        out.append(_Line(start, start + len(content), content, in_table))
    return out


def _has_han(s: str) -> bool:
    return re.search(rf"[{_HAN}]", s) is not None


def _is_chrome(t: str) -> bool:
    return any(m in t for m in WORDS.chrome_markers) or "<!--" in t or (">" in t and "》" not in t)


def _is_trailer(t: str) -> bool:
    """A line that may follow the signature: publication marks, the 版记, page furniture, an
    annex list or attachment links placed under the signature on web pages."""
    return (any(m in t for m in WORDS.trailer_markers) or not _has_han(t) or t.startswith(("附件", "附 件"))
            or _FILE_EXT_RE.search(t) is not None)


def _is_salutation(t: str) -> bool:
    return t.endswith(("：", ":")) or (t.startswith("各") and re.search(r"[，、,：:]", t) is not None)


def _is_body(t: str) -> bool:
    return "。" in t or (len(t) > 80 and re.search(r"[，,；;]", t) is not None) or _SECTION_HEAD_RE.match(t) is not None


# ---------------------------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------------------------

class DocumentMetadata(BaseModel):
    """What a document says about itself. Spans are offsets into Document.text: `title_span`
    covers the title's lines (the title is that text without line breaks); a span is None when
    the value is not in the text (header_fields only, an expanded short name, an inferred value)."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = Field(default_factory=list)
    jurisdiction: str | None = None
    issued_date: dt.date | None = None
    doc_type: DocType | None = None
    title_span: Span | None = None
    doc_number_span: Span | None = None
    issued_date_span: Span | None = None
    issuer_spans: list[Span | None] = Field(default_factory=list)  # parallel to `issuers`
    # the date under the signature: no deadline (callers exclude it)
    signature_date_span: Span | None = None
    # every date that is metadata, not a time limit: signature, header and publication dates,
    # adoption dates of a law, the 印发 date of the 版记
    metadata_date_spans: list[Span] = Field(default_factory=list)
    is_annex: bool = False
    annex_label: str | None = None  # 附件2
    annex_titles: list[str] = Field(default_factory=list)  # the annexes this document lists
    sources: dict[str, str] = Field(default_factory=dict)  # field -> where it came from


@dataclass
class _Found:
    """A value and where it was found (span None: header_fields or inferred)."""

    value: object
    span: Span | None = None
    source: str = ""


@dataclass
class _Frame:
    """Everything located in one pass over the document's lines."""

    lines: list[_Line]
    header: dict[HeaderRole, _Found] = field(default_factory=dict)
    header_line_ids: set[int] = field(default_factory=set)
    zone_end: int = 0
    title_lines: list[_Line] = field(default_factory=list)
    letterhead: list[_Found] = field(default_factory=list)
    doc_number: _Found | None = None
    top_date: _Found | None = None
    adoption_issuers: list[_Found] = field(default_factory=list)
    adoption_date: _Found | None = None
    signature_issuers: list[_Found] = field(default_factory=list)
    signature_date: _Found | None = None
    date_spans: list[Span] = field(default_factory=list)
    is_annex: bool = False
    annex_label: str | None = None
    annex_title: _Found | None = None
    annex_titles: list[str] = field(default_factory=list)
    main_end: int = 0


# ---------------------------------------------------------------------------------------------
# Header fields
# ---------------------------------------------------------------------------------------------

def _header_from_fields(fields: dict[str, str], text: str) -> dict[HeaderRole, _Found]:
    out: dict[HeaderRole, _Found] = {}
    for key, value in (fields or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        role = _HEADER_ROLE.get(re.sub(r"[\s:：]", "", key))
        value = value.strip()
        if role is None or role == "other" or not value or role in out:
            continue
        i = text.find(value) if len(value) >= 4 else -1
        span = (i, i + len(value)) if i >= 0 else None
        out[role] = _Found(value, span, "header_fields")
    return out


def _header_from_lines(lines: list[_Line], limit: int) -> tuple[dict[HeaderRole, _Found], set[int]]:
    """Label: value pairs on the first lines (web copies: • 发布机构: 江苏省发展改革委 发文日期: …)."""
    out: dict[HeaderRole, _Found] = {}
    used: set[int] = set()
    for i, line in enumerate(lines[:limit]):
        if i in used:
            continue
        keys = list(_HEADER_KEY_RE.finditer(line.text))
        if not keys or keys[0].start() != 0:
            continue
        used.add(i)
        for j, k in enumerate(keys):
            vend = keys[j + 1].start() if j + 1 < len(keys) else len(line.text)
            raw = line.text[k.end():vend]
            lead = len(raw) - len(raw.lstrip())
            value = raw.strip()
            vstart = line.start + k.end() + lead
            role = _HEADER_ROLE.get(_compact(k.group("key")))
            if not value and role not in (None, "other") and len(keys) == 1 and i + 1 < len(lines) \
                    and not _HEADER_KEY_RE.match(lines[i + 1].text):
                nxt = lines[i + 1]  # gov.cn table flattened one cell per line: 发文机关： / 国务院办公厅
                value, vstart = nxt.text, nxt.start
                used.add(i + 1)
            if role is None or not value:
                continue
            out.setdefault(role, _Found(value, (vstart, vstart + len(value)), "header_line"))
    return out, used


# ---------------------------------------------------------------------------------------------
# The top: 发文字号, letterhead, title, date under the title, adoption lines
# ---------------------------------------------------------------------------------------------

_TOP_LINES = 30


def _zone_end(lines: list[_Line], skip: set[int]) -> int:
    """Index of the first line after the document's head (salutation, body or section start)."""
    for i, line in enumerate(lines[:_TOP_LINES]):
        if i in skip or line.multi_cell:
            if line.multi_cell and i > 0:
                return i
            continue
        t = line.text
        if _is_chrome(t) or _DATE_ONLY_RE.match(t) or _doc_number_in(t):
            continue
        if _is_salutation(t) or _is_body(t):
            return i
    return min(len(lines), _TOP_LINES)


def _doc_number_in(t: str) -> re.Match | None:
    """The document's own number on a head line: not inside brackets or quotes (a citation)."""
    for m in DOC_NUMBER_RE.finditer(t):
        before = t[:m.start()].rstrip()[-1:]
        after = t[m.end():].lstrip()[:1]
        if before and before in "（(《〈“\"" or after and after in "）)》〉”\"":
            continue
        return m
    return None


def _title_piece(t: str) -> bool:
    return (2 <= len(t) <= 80 and _has_han(t) and not _SENTENCE_PUNCT_RE.search(t)
            and not _is_chrome(t) and not _DATE_ONLY_RE.match(t) and _doc_number_in(t) is None
            and not _ANNEX_LABEL_RE.match(t) and not t.startswith(("各", "抄送", "特此", "此复", "现将"))
            and not split_organs(t))


def _is_title_end(t: str) -> bool:
    return _title_piece(t) and doc_type_of_title(t) is not None


def _letterhead_organs(t: str) -> list[str]:
    """The bodies on a letterhead line (淄博市人民政府办公室文件; letter-spaced in a PDF)."""
    names = split_organs(t)
    if names:
        return names
    t = _compact(t)
    for suffix in WORDS.letterhead_suffixes:
        if t.endswith(suffix) and len(t) > len(suffix) + 2:
            return split_organs(t[: -len(suffix)])
    return []


def _find_title(cands: list[_Line]) -> tuple[int, int] | None:
    """(first, last) index into `cands` of the title lines."""
    for pos, line in enumerate(cands):
        if not _is_title_end(line.text):
            continue
        first = pos
        if "关于" not in line.text:
            k = pos - 1
            while k >= 0 and pos - k <= 3:
                prev = cands[k].text
                if not _title_piece(prev) or (len(_compact(prev)) < 4 and "关于" not in prev):
                    break
                first = k
                if "关于" in prev:
                    break
                k -= 1
        last = pos
        k = pos + 1
        while k < len(cands) and k - pos <= 2:
            nxt = cands[k].text
            if _PAREN_ONLY_RE.match(_compact(nxt)) or (
                    _title_piece(nxt) and len(_compact(nxt)) <= 20 and doc_type_of_title(nxt) is not None):
                last = k
                k += 1
            else:
                break
        if len(_compact("".join(c.text for c in cands[first:last + 1]))) < 6:
            continue  # 特急, 通知 alone: no title
        return first, last
    return None


def _join_lines(lines: Sequence[_Line]) -> str:
    if len(lines) == 1:
        return re.sub(r"\s+", " ", lines[0].text)
    return "".join(re.sub(r"\s+", " ", ln.text) for ln in lines)


def _read_top(frame: _Frame, start: int) -> None:
    lines = frame.lines
    skip = frame.header_line_ids
    frame.zone_end = max(_zone_end(lines, skip), start)
    cands = [ln for i, ln in enumerate(lines[start:frame.zone_end], start)
             if i not in skip and not ln.multi_cell and not _is_chrome(ln.text)]
    found = _find_title(cands)
    title_ids: set[int] = set()
    if found:
        first, last = found
        frame.title_lines = cands[first:last + 1]
        title_ids = {id(x) for x in frame.title_lines}
        head = cands[:first]
    else:
        head = cands
    for ln in head:
        for name in _letterhead_organs(ln.text):
            i = ln.text.find(name)
            frame.letterhead.append(_Found(name, (ln.start + i, ln.start + i + len(name)) if i >= 0 else None,
                                           "letterhead"))
    for ln in cands:
        if id(ln) in title_ids:
            continue
        if frame.doc_number is None:
            m = _doc_number_in(ln.text)
            if m:
                frame.doc_number = _doc_number_found(m, ln.start, "number_line")
        dm = _DATE_ONLY_RE.match(ln.text)
        if dm and frame.top_date is None and frame.title_lines and ln.start > frame.title_lines[-1].start:
            d = parse_date(ln.text)
            if d:
                inner = DATE_RE.search(ln.text)
                frame.top_date = _Found(d, (ln.start + inner.start(), ln.start + inner.end()), "date_under_title")
                frame.date_spans.append(frame.top_date.span)  # type: ignore[arg-type]
    _read_adoption(frame, cands)


# the heading of a government or department order (规章 are promulgated by one): 淄博市人民政府令
_ORDER_HEAD_RE = re.compile(rf"^(?P<organ>[{_HAN}]{{2,30}}?)令(?P<number>第\d{{1,5}}号)?$")
_ORDER_NUMBER_RE = re.compile(r"^第\s*\d{1,5}\s*号$")


def _read_order(frame: _Frame, start: int) -> bool:
    """An order (淄博市人民政府令 / 第110号 / 《…办法》已经…通过，现予公布 / 市长 … / date / the title
    of the promulgated rules): the order's body is the issuer, its number the 发文字号, the date under
    it the issued date, and the first title after that date the title. False when not an order."""
    lines = frame.lines
    cands = [i for i in range(start, min(len(lines), start + 3))
             if i not in frame.header_line_ids and not _is_chrome(lines[i].text)]
    if not cands:
        return False
    head = lines[cands[0]]
    m = _ORDER_HEAD_RE.match(_compact(head.text))
    if not m or not _organ_like(m.group("organ")):
        return False
    i = cands[0]
    frame.letterhead = [_Found(m.group("organ"), (head.start, head.start + len(m.group("organ"))), "letterhead")]
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if m.group("number"):
        frame.doc_number = _Found(normalise_doc_number(head.text), (head.start, head.end), "order_number")
    elif nxt is not None and _ORDER_NUMBER_RE.match(_compact(nxt.text)):
        value = normalise_doc_number(head.text + nxt.text)
        frame.doc_number = _Found(value, (head.start, nxt.end), "order_number")
        i += 1
    for k in range(i + 1, min(len(lines), i + 9)):
        if _DATE_ONLY_RE.match(lines[k].text):
            dm = DATE_RE.search(lines[k].text)
            d = _date_of(dm) if dm else None
            if d is None:
                break
            span = (lines[k].start + dm.start(), lines[k].start + dm.end())
            frame.signature_date = _Found(d, span, "order")
            frame.date_spans.append(span)
            after = [ln for ln in lines[k + 1:k + 5] if not ln.multi_cell]
            found = _find_title(after)
            if found:
                frame.title_lines = after[found[0]:found[1] + 1]
                frame.zone_end = lines.index(frame.title_lines[-1]) + 1
            else:
                frame.zone_end = k + 1
            return True
    frame.zone_end = i + 1
    return True


def _doc_number_found(m: re.Match, offset: int, source: str) -> _Found:
    if m.group("prefix"):
        prefix = _trim_doc_number_prefix(m.group("prefix"))
        start = m.start("prefix") + (len(m.group("prefix")) - len(prefix))
    else:
        start = m.start()
    surface_start, surface_end = offset + start, offset + m.end()
    surface = m.string[start:m.end()]
    return _Found(normalise_doc_number(surface), (surface_start, surface_end), source)


def _read_adoption(frame: _Frame, cands: list[_Line]) -> None:
    """Adoption lines of a law or regulation: 2018年7月27日河南省第十三届人民代表大会常务委员会第五次
    会议通过. The latest enactment/approval/promulgation date is the issued date; the bodies that
    enacted it are the issuers."""
    enacted: list[_Found] = []
    others: list[_Found] = []
    dated: list[tuple[dt.date, Span]] = []
    for ln in cands:
        dates = list(DATE_RE.finditer(ln.text))
        if not dates or not _EVENT_RE.search(ln.text):
            continue
        for j, dm in enumerate(dates):
            seg_end = dates[j + 1].start() if j + 1 < len(dates) else len(ln.text)
            segment = ln.text[dm.end():seg_end]
            events = list(_EVENT_RE.finditer(segment))
            d = _date_of(dm)
            if not events or d is None:
                continue
            span = (ln.start + dm.start(), ln.start + dm.end())
            frame.date_spans.append(span)
            event = _EVENT_WORD[events[-1].group()]
            if event == "in_force":
                continue
            dated.append((d, span))
            body = _adopting_body(segment)
            if body:
                k = ln.text.find(body, dm.end())
                found = _Found(body, (ln.start + k, ln.start + k + len(body)) if k >= 0 else None, "adoption")
                (enacted if event == "enact" else others).append(found)
    if dated:
        d, span = max(dated, key=lambda x: x[0])
        frame.adoption_date = _Found(d, span, "adoption")
    seen: set[str] = set()
    for f in enacted or others:
        if f.value not in seen:
            seen.add(f.value)  # type: ignore[arg-type]
            frame.adoption_issuers.append(f)


def _adopting_body(segment: str) -> str | None:
    """北京市第十四届人民代表大会第三次会议通过 -> 北京市人民代表大会 (when the name is contiguous)."""
    s = segment.strip().lstrip("（(")
    sessions = list(_SESSION_RE.finditer(s))
    cut = _SITTING_CUT_RE.search(s)
    if cut is None:
        return None
    head = s[:cut.start()]
    if sessions and sessions[0].start() < cut.start():
        head = s[:sessions[0].start()] + s[sessions[0].end():cut.start()]
    head = head.strip()
    return head if _organ_like(head) else None


# ---------------------------------------------------------------------------------------------
# The end: signature, annex list, appended annexes
# ---------------------------------------------------------------------------------------------

def _signature_date_in(t: str) -> tuple[str, re.Match] | None:
    """A signature date line: the date alone, or bodies then the date (淄博市人民政府办公室 2020年3月23日);
    not the 版记's …印发 date."""
    if "印发" in t:
        return None
    for m in DATE_RE.finditer(t):
        before, after = t[:m.start()].strip(), t[m.end():].strip()
        if after and not _PAREN_ONLY_RE.match(after):
            continue
        if before in ("", "（", "(") or split_organs(before):
            return before.strip("（("), m
    return None


def _read_signature(frame: _Frame) -> None:
    lines = frame.lines
    lo = max(frame.zone_end, frame.main_end - 80)
    for i in range(frame.main_end - 1, lo - 1, -1):
        line = lines[i]
        if line.in_table:
            continue
        found = _signature_date_in(line.text)
        if found:
            before, m = found
            d = _date_of(m)
            if d is None:
                break
            span = (line.start + m.start(), line.start + m.end())
            frame.signature_date = _Found(d, span, "signature")
            frame.date_spans.append(span)
            organs: list[_Found] = []
            if before:
                organs = _located(split_organs(before), line)
            above: list[list[_Found]] = []
            for j in range(i - 1, max(frame.zone_end, i - 40) - 1, -1):
                names = split_organs(lines[j].text) if not lines[j].in_table else []
                if not names:
                    break
                above.append(_located(names, lines[j]))
            frame.signature_issuers = [f for group in reversed(above) for f in group] + organs
            break
        if _is_trailer(line.text):
            for m in DATE_RE.finditer(line.text):
                frame.date_spans.append((line.start + m.start(), line.start + m.end()))
            continue
        break


def _located(names: list[str], line: _Line) -> list[_Found]:
    out: list[_Found] = []
    pos = 0
    for name in names:
        k = line.text.find(name, pos)
        if k >= 0:
            out.append(_Found(name, (line.start + k, line.start + k + len(name)), "signature"))
            pos = k + len(name)
        else:
            out.append(_Found(name, None, "signature"))
    return out


def _annex_label(m: re.Match) -> str:
    n = m.group("n")
    if n and not n.isdigit():
        value = to_number(n)
        n = str(int(value)) if value is not None else n
    return f"附件{n or ''}"


def _standalone_label(t: str) -> re.Match | None:
    m = _ANNEX_LABEL_RE.match(t)
    return m if m and not (m.group("rest") or "").strip() else None


def _find_main_end(lines: list[_Line], after: int) -> int:
    """Index of the first appended annex (a line 附件2 alone, its title below), else len(lines)."""
    for i in range(after, len(lines)):
        m = _standalone_label(lines[i].text)
        if not m or lines[i].in_table:
            continue
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if _FIRST_ITEM_RE.match(nxt):
            continue  # 附件 / 1.xxx: the list of annexes, not an annex
        return i
    return len(lines)


def _numbered_items(s: str) -> list[str]:
    """1.淄博市…名单2.全市…分解表 -> both titles (numbers counted up from 1, 1.5 not a number)."""
    marks = []
    pos, n = 0, 1
    while True:
        rx = re.compile(rf"(?<!\d)(?:[（(]\s*{n}\s*[)）]|{n}\s*[.．、](?!\d))")
        m = rx.search(s, pos)
        if m is None or (n == 1 and s[:m.start()].strip()):
            break
        marks.append(m)
        pos, n = m.end(), n + 1
    if not marks:
        return [s]
    return [s[a.end():(marks[k + 1].start() if k + 1 < len(marks) else len(s))] for k, a in enumerate(marks)]


def _clean_annex_title(t: str) -> str:
    t = _compact(t).rstrip("；;。，,")
    t = _FILE_EXT_RE.sub("", t)
    return t.rstrip("；;。，,")


def _continues_list(t: str, line: _Line) -> bool:
    return not (line.in_table or len(t) > 60 or "。" in t or _SECTION_HEAD_RE.match(t) or split_organs(t)
                or _signature_date_in(t) or t.startswith(("抄送", "附件", "附 件")))


def _read_annex_list(frame: _Frame, start: int) -> None:
    lines = frame.lines
    chunks: list[str] = []
    i = start
    while i < frame.main_end:
        m = _ANNEX_LABEL_RE.match(lines[i].text)
        if not m or lines[i].in_table:
            i += 1
            continue
        rest = (m.group("rest") or "").strip()
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""
        if not rest and not _FIRST_ITEM_RE.match(nxt):
            i += 1
            continue
        chunks.append(rest)
        k = i + 1
        while k < frame.main_end and k - i <= 12:
            t = lines[k].text
            lm = _ANNEX_LABEL_RE.match(t)
            if lm and (lm.group("rest") or "").strip():
                chunks.append(lm.group("rest").strip())  # 附件2：… on the next line
            elif _continues_list(t, lines[k]):
                chunks[-1] += t
            else:
                break
            k += 1
        i = k
    titles = [_clean_annex_title(item) for c in chunks for item in _numbered_items(_compact(c))]
    frame.annex_titles = [t for t in titles if len(t) >= 2]


def _read_annex_head(frame: _Frame) -> int:
    """If the text opens with an annex label (附件2), record it and its title; return the index of
    the first line after the head."""
    for i, line in enumerate(frame.lines[:3]):
        if i in frame.header_line_ids or _is_chrome(line.text):
            continue
        m = _ANNEX_LABEL_RE.match(line.text)
        if not m or _FIRST_ITEM_RE.match((m.group("rest") or "").strip()):
            return 0
        frame.is_annex = True
        frame.annex_label = _annex_label(m)
        rest = (m.group("rest") or "").strip()
        if rest:
            k = line.text.find(rest)
            frame.annex_title = _Found(_clean_annex_title(rest), (line.start + k, line.start + k + len(rest)), "annex_head")
            return i + 1
        cands = [ln for ln in frame.lines[i + 1:i + 6] if not ln.multi_cell]
        found = _find_title(cands)
        if found:
            chosen = cands[found[0]:found[1] + 1]
        else:
            chosen = [ln for ln in cands[:1] if _title_piece(ln.text)]
        if chosen:
            frame.annex_title = _Found(_join_lines(chosen), (chosen[0].start, chosen[-1].end), "annex_head")
            return frame.lines.index(chosen[-1]) + 1
        return i + 1
    return 0


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------

def _read_frame(doc: Document) -> _Frame:
    frame = _Frame(lines=_lines(doc))
    header, used = _header_from_lines(frame.lines, 20)
    frame.header_line_ids = used
    for i in used:  # 发文日期, 公开日期 …: dates, but no time limits
        for m in DATE_RE.finditer(frame.lines[i].text):
            frame.date_spans.append((frame.lines[i].start + m.start(), frame.lines[i].start + m.end()))
    fields = _header_from_fields(doc.header_fields, doc.text)
    frame.header = {**header, **fields}  # header_fields win over header lines
    start = _read_annex_head(frame)
    if frame.is_annex:
        frame.zone_end = start
    elif not _read_order(frame, start):
        _read_top(frame, start)
    for line in frame.lines[:frame.zone_end]:
        if _is_chrome(line.text):
            for m in DATE_RE.finditer(line.text):  # 2024-02-22 来源:…: a publication date
                frame.date_spans.append((line.start + m.start(), line.start + m.end()))
    frame.main_end = _find_main_end(frame.lines, max(frame.zone_end, 1))
    if frame.signature_date is None:
        _read_signature(frame)
    _read_annex_list(frame, frame.zone_end)
    if not frame.annex_titles and frame.main_end < len(frame.lines):
        frame.annex_titles = _appended_annex_titles(frame)
    return frame


def _appended_annex_titles(frame: _Frame) -> list[str]:
    titles = []
    for i in range(frame.main_end, len(frame.lines)):
        if _standalone_label(frame.lines[i].text):
            cands = [ln for ln in frame.lines[i + 1:i + 5] if not ln.multi_cell]
            found = _find_title(cands)
            if found:
                titles.append(_clean_annex_title(_join_lines(cands[found[0]:found[1] + 1])))
    return titles


def _title(frame: _Frame) -> _Found | None:
    if frame.is_annex:
        return frame.annex_title
    h = frame.header.get("title")
    if h and len(re.findall(rf"[{_HAN}]", str(h.value))) >= 4:
        return h
    if frame.title_lines:
        tl = frame.title_lines
        return _Found(_join_lines(tl), (tl[0].start, tl[-1].end), "title_line")
    return None


def _doc_number(frame: _Frame) -> _Found | None:
    h = frame.header.get("doc_number")
    if h and re.search(r"\d", str(h.value)):  # 无, 暂无, — are no numbers
        m = DOC_NUMBER_RE.search(str(h.value))
        value = normalise_doc_number(m.group() if m else str(h.value))
        return _Found(value, h.span, h.source)
    return frame.doc_number


def _title_lead_organs(title: _Found | None) -> list[_Found]:
    """Bodies written before 关于 in the title (省发展改革委 省住房城乡建设厅 …关于…的通知)."""
    if title is None or "关于" not in str(title.value):
        return []
    lead = str(title.value).split("关于", 1)[0]
    names = split_organs(lead)
    out = []
    for name in names:
        k = str(title.value).find(name)
        span = (title.span[0] + k, title.span[0] + k + len(name)) if title.span and k >= 0 and \
            title.source == "title_line" else None
        out.append(_Found(name, span, "title"))
    return out


def _header_organs(found: _Found | None, text: str, source: str) -> list[_Found]:
    if found is None:
        return []
    names = [n for n in re.split(r"[\s、，,；;]+", str(found.value)) if n]
    names = [x for n in names for x in (_split_glued(n) if _organ_like(n) else [n])]
    out = []
    for n in names:
        i = text.find(n) if found.span else -1
        out.append(_Found(n, (i, i + len(n)) if i >= 0 else None, source))
    return out


def _issuers(frame: _Frame, title: _Found | None, text: str) -> list[_Found]:
    for candidates in (
        frame.signature_issuers,
        _header_organs(frame.header.get("issuer"), text, "header"),
        frame.letterhead,
        _title_lead_organs(title),
        frame.adoption_issuers,
        _header_organs(frame.header.get("publisher"), text, "header_publisher"),
    ):
        if candidates:
            seen: set[str] = set()
            out = []
            for f in candidates:
                if f.value not in seen:
                    seen.add(str(f.value))
                    out.append(f)
            return out
    return []


def _jurisdiction(issuers: list[_Found], frame: _Frame, title: _Found | None,
                  number: _Found | None, text: str) -> tuple[Area | None, str]:
    names = [str(f.value) for f in issuers]
    areas = [a for a in (_leading_area(n) for n in names) if a is not None]
    if areas:
        return _lowest_common(areas), "issuers"
    if names and all(_is_national(n) for n in names):
        return _NATIONAL, "issuers"
    if title is not None and not str(title.value).startswith("关于"):
        area = _leading_area(_compact(str(title.value)))  # 北京市居家养老服务条例, 江津区…任务清单
        if area is not None:
            return area, "title"
    for f in frame.letterhead:
        area = _leading_area(str(f.value))
        if area is not None:
            return area, "letterhead"
    if number is not None:
        area = _doc_number_area(str(number.value), text)
        if area is not None:
            return area, "doc_number"
    return None, ""


def _expand_short(name: str, area: Area | None) -> str:
    """省发展改革委 under 江苏省 -> 江苏省发展改革委; 区民政局 under 重庆市江津区 -> 重庆市江津区民政局."""
    if area is None or area is _NATIONAL or not name or name[0] not in "省市区县" or _leading_area(name):
        return name
    for a in area.lineage():
        if a.name.endswith(name[0]):
            return a.display + name[1:]
    return name


def _body_cue_type(text: str) -> DocType | None:
    best: tuple[int, DocType] | None = None
    for kind, cues in WORDS.body_cues.items():
        for cue in cues:
            i = text.find(cue)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, kind)
    return best[1] if best else None


def _issued_date(frame: _Frame) -> _Found | None:
    for found in (frame.header.get("written_date"), frame.signature_date, frame.header.get("issue_date"),
                  frame.top_date, frame.adoption_date):
        if found is None:
            continue
        value = found.value if isinstance(found.value, dt.date) else parse_date(str(found.value))
        if value is not None:
            return _Found(value, found.span, found.source)
    return None


def extract_metadata(doc: Document) -> DocumentMetadata:
    """The metadata of one document (see the module doc for the sources and their order)."""
    text = doc.text or ""
    frame = _read_frame(doc)
    title = _title(frame)
    number = None if frame.is_annex else _doc_number(frame)
    sources: dict[str, str] = {}
    issuers: list[_Found] = []
    area: Area | None = None
    date: _Found | None = None
    if not frame.is_annex:
        issuers = _issuers(frame, title, text)
        area, area_source = _jurisdiction(issuers, frame, title, number, text)
        if area_source:
            sources["jurisdiction"] = area_source
        expanded = []
        for f in issuers:
            name = str(f.value)
            if f.source not in ("signature", "header"):
                long_name = _expand_short(name, area)
                if long_name != name:
                    f = _Found(long_name, None, f.source)
            expanded.append(f)
        issuers = expanded
        date = _issued_date(frame)
    doc_type = doc_type_of_title(str(title.value)) if title else None
    if title is not None and doc_type is None:
        doc_type = "other"
    if doc_type is None and not frame.is_annex:
        doc_type = _body_cue_type(text)
        if doc_type:
            sources["doc_type"] = "body_cue"
    elif doc_type:
        sources["doc_type"] = "title"
    for key, found in (("title", title), ("doc_number", number), ("issued_date", date)):
        if found is not None:
            sources[key] = found.source
    if issuers:
        sources["issuers"] = issuers[0].source
    jurisdiction = None if area is None or area is _NATIONAL else area.display
    if area is _NATIONAL:
        jurisdiction = REGIONS.national_jurisdiction
    sig = frame.signature_date.span if frame.signature_date else None
    return DocumentMetadata(
        title=str(title.value) if title else None,
        doc_number=str(number.value) if number else None,
        issuers=[str(f.value) for f in issuers],
        jurisdiction=jurisdiction,
        issued_date=date.value if date else None,  # type: ignore[arg-type]
        doc_type=doc_type,
        title_span=title.span if title else None,
        doc_number_span=number.span if number else None,
        issued_date_span=date.span if date else None,
        issuer_spans=[f.span for f in issuers],
        signature_date_span=sig,
        metadata_date_spans=sorted(set(frame.date_spans)),
        is_annex=frame.is_annex,
        annex_label=frame.annex_label,
        annex_titles=frame.annex_titles,
        sources=sources,
    )


# ---------------------------------------------------------------------------------------------
# Annex → parent
# ---------------------------------------------------------------------------------------------

_MATCH_THRESHOLD = 0.85


def _title_key(t: str) -> str:
    t = _clean_annex_title(t or "")
    return re.sub(r"[《》〈〉“”\"'（）()]", "", t)


def _similarity(a: str, b: str) -> float:
    a, b = _title_key(a), _title_key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 6 and (a in b or b in a):
        return 0.95
    return difflib.SequenceMatcher(None, a, b).ratio()


def match_annex(annex_meta: DocumentMetadata, parent_metas: Sequence[DocumentMetadata]) -> int | None:
    """Index of the document in `parent_metas` that lists `annex_meta` among its annexes (its title
    matches one of the parent's `annex_titles`; the label's number breaks ties), else None."""
    if not annex_meta.title:
        return None
    number = re.sub(r"\D", "", annex_meta.annex_label or "")
    best: tuple[float, int] | None = None
    for idx, parent in enumerate(parent_metas):
        if parent is annex_meta:
            continue
        for pos, listed in enumerate(parent.annex_titles):
            score = _similarity(annex_meta.title, listed)
            if number and number == str(pos + 1):
                score += 0.01
            if score >= _MATCH_THRESHOLD and (best is None or score > best[0]):
                best = (score, idx)
    return best[1] if best else None


# ---------------------------------------------------------------------------------------------
# The common field-module surface
# ---------------------------------------------------------------------------------------------

def extract(text: str, ctx: ExtractContext | None = None) -> list[Match]:
    """The metadata located in a text, as Matches (field: title, doc_number, issuer, issued_date,
    metadata_date); `value` holds the normalised value. [] for a text without any."""
    if not isinstance(text, str) or not text.strip():
        return []
    doc = Document(doc_id="", source_path="", format="txt", text=text)
    meta = extract_metadata(doc)
    out: list[Match] = []

    def add(name: str, span: Span | None, value: object) -> None:
        if span is not None and 0 <= span[0] < span[1] <= len(text):
            out.append(Match(name, span[0], span[1], text[span[0]:span[1]], value))

    add("title", meta.title_span, meta.title)
    add("doc_number", meta.doc_number_span, meta.doc_number)
    for name, span in zip(meta.issuers, meta.issuer_spans):
        add("issuer", span, name)
    add("issued_date", meta.issued_date_span, meta.issued_date)
    for span in meta.metadata_date_spans:
        if span != meta.issued_date_span:
            add("metadata_date", span, parse_date(text[span[0]:span[1]]))
    return sorted(out, key=lambda m: (m.start, m.end, m.field))


__all__ = ["DocumentMetadata", "extract_metadata", "match_annex", "extract", "parse_date",
           "normalise_doc_number", "doc_type_of_title", "area_of_name", "area_of_doc_number",
           "split_organs", "Area", "REGIONS", "WORDS", "DATE_RE", "DOC_NUMBER_RE"]
