"""Administrative areas: which area a body's name or a 发文字号 belongs to.

The table (regions.yaml) names provinces, cities and the districts seen so far; an area not in it
is still read from the shape of the name (two to five characters before 市/自治州/地区/盟, then a
district or county), so a city the table does not list still gets its jurisdiction.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from extractors.metadata.doc_numbers import DOC_NUMBER_RE
from extractors.metadata.vocabulary import REGIONS, compact
from extractors.rules import alternation
from extractors.text import HAN


@dataclass(frozen=True)
class Area:
    """An administrative area; `display` is the jurisdiction value (重庆市江津区, 淄博市, 山西省)."""

    name: str
    level: Literal["province", "city", "district", "township"]
    parent: Area | None = None

    @property
    def display(self) -> str:
        if self.level == "district" and self.parent is not None:
            return self.parent.name + self.name
        if self.level == "township" and self.parent is not None:
            return self.parent.display + self.name
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
_AREA_SUFFIX_RE = re.compile(rf"(?:(?:[{HAN}]{{1,3}}族)*自治(?:区|州|县|旗)|特别行政区|省|市|区|县|旗|地区|盟)$")

# marker: a central body (国务院办公厅) or a central body's document number; no local area
NATIONAL = Area("national", "province")


def _build_areas() -> tuple[dict[str, Area], dict[str, list[Area]]]:
    provinces = {p.name: Area(p.name, "province") for p in REGIONS.provinces}
    cities = {c.name: Area(c.name, "city", provinces[c.province]) for c in REGIONS.cities}
    districts = [Area(d.name, "district", cities.get(d.city) or provinces[d.city]) for d in REGIONS.districts]
    entries = [*((p, provinces[p.name]) for p in REGIONS.provinces), *((c, cities[c.name]) for c in REGIONS.cities),
               *zip(REGIONS.districts, districts)]
    by_name: dict[str, Area] = {}
    by_abbr: dict[str, list[Area]] = {}
    for entry, area in entries:
        # province and city names are unique (the table checks it); a district's bare name can
        # recur under another city (江北区), and the first listed keeps it
        by_name.setdefault(area.name, area)
        for a in entry.abbr:
            by_abbr.setdefault(a, []).append(area)
    return by_name, by_abbr


AREAS_BY_NAME, AREAS_BY_ABBR = _build_areas()

# a known area name, longest first so that 重庆市 wins over a shorter overlap
KNOWN_AREA_RE = re.compile(alternation(AREAS_BY_NAME))
# a city not in the table: two to five characters before 市/自治州/地区/盟 (保定市); one character is
# too few (城市管理局, 全市)
# (an autonomous prefecture or county names its peoples between place and level: 恩施土家族苗族自治州)
_PEOPLES = rf"(?:[{HAN}]{{1,3}}?族)*"
_GENERIC_CITY_RE = re.compile(rf"[{HAN}]{{2,5}}?(?:市|{_PEOPLES}自治州|地区|盟)")
# a district or county after its city (淄博市张店区, 淄博市沂源县); 市 is left out on purpose
# (淄博市城市管理局 has no county-level city 城市)
_GENERIC_DISTRICT_RE = re.compile(rf"[{HAN}]{{1,5}}?(?:{_PEOPLES}自治县|区|县|旗)")
# a 街道 / 镇 / 乡 after its district, as the name of its office writes it (上海市闵行区人民政府古美路
# 街道办事处, 嘉定区江桥镇人民政府): the lowest administrative area (乡级) a body governs
_TOWNSHIP_RE = re.compile(rf"(?:人民政府)?(?P<name>[{HAN}]{{2,8}}?(?:街道|镇|乡))(?=办事处|人民政府|党工委|党委|$)")
NATIONAL_PREFIXES = tuple(REGIONS.national_organ_prefixes)
PREFIXES_BEFORE_AREA = tuple(sorted(REGIONS.prefixes_before_area, key=len, reverse=True))


def leading_area(name: str) -> Area | None:
    """The lowest area named at the start of `name` (after a 中共/国家税务总局 prefix): 重庆市江津区…
    -> 江津区 (in 重庆市); 山东省保定市 is read as far as the table and the generic patterns allow;
    a 街道 / 镇 office after its district names that township (…闵行区人民政府古美路街道办事处)."""
    return leading_area_match(name)[0]


def leading_area_match(name: str) -> tuple[Area | None, int]:
    """The lowest area named at the start of `name`, and where its name ends in `name` (0: none)."""
    area, rest, end = _leading_area(name)
    if area is not None and area.level == "district":
        m = _TOWNSHIP_RE.match(rest, end)
        if m and not _not_an_area(m.group("name")):
            return Area(m.group("name"), "township", area), len(name) - len(rest) + m.end("name")
    return area, (len(name) - len(rest) + end) if area is not None else 0


def _leading_area(name: str) -> tuple[Area | None, str, int]:
    rest = name
    for p in PREFIXES_BEFORE_AREA:
        if rest.startswith(p):
            rest = rest[len(p):]
            break
    found: Area | None = None
    pos = 0
    while pos < len(rest):
        m = KNOWN_AREA_RE.match(rest, pos)
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
        if generic is None or (_not_an_area(generic.group()) and not (
                level == "district" and _district_after_city(generic.group()))):
            break
        found, pos = Area(generic.group(), level, found), generic.end()  # type: ignore[arg-type]
    return found, rest, pos


def _may_follow(upper: Area, area: Area) -> bool:
    """Whether `area` can be written right after `upper` (江苏省南京市, 重庆市江津区)."""
    if area.level == "province":
        return False
    if area.parent is None:
        return True
    return area.parent.name == upper.name


def _district_after_city(word: str) -> bool:
    """A district's name right after its city, though it ends as a common word may (蜀山区 after 合肥市)."""
    return len(word) == 3 and word.endswith(tuple(REGIONS.district_name_endings)) and \
        not any(p in word for p in REGIONS.not_area_parts)


def _not_an_area(word: str) -> bool:
    """A generic match that names no area: 淄博市社区 (社区), 关于城市 (关于)."""
    return any(word.endswith(e) for e in REGIONS.not_area_endings) or \
        any(p in word for p in REGIONS.not_area_parts)


def is_national(name: str) -> bool:
    """A central body: a national prefix (国务院, 国家…), or a ministry-like name without an area, or
    such a ministry's office (民政部办公厅, 市场监管总局办公室)."""
    core = re.sub("(?:办公厅|办公室)$", "", name)
    return name.startswith(NATIONAL_PREFIXES) or (leading_area(name) is None and core.endswith(("部", "总局", "署")))


def area_of_name(name: str) -> str | None:
    """Jurisdiction named by a body's full name: 淄博市人民政府办公室 -> 淄博市; None when it names none."""
    if not isinstance(name, str):
        return None
    area = leading_area(compact(name))
    return area.display if area else None


def lowest_common(areas: Sequence[Area]) -> Area | None:
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


def _resolve_abbr(candidates: list[Area], text: str, abbr: str = "") -> Area | None:
    """One area for an abbreviation several areas share (津: 天津市, 江津区): the one the document
    mentions most, else the provincial-level one, else none. A district's one-character
    abbreviation (宝府办: 宝山区) counts only when the document names the district: one character
    heads many other bodies' numbers."""
    if len(candidates) == 1:
        only = candidates[0]
        if only.level == "district" and len(abbr) == 1 and only.short not in text:
            return None
        return only
    counts = [(text.count(a.short) if len(a.short) >= 2 else text.count(a.name)) for a in candidates]
    best = max(counts) if counts else 0
    if best > 0 and counts.count(best) == 1:
        return candidates[counts.index(best)]
    provincial = [a for a in candidates if a.level == "province"]
    return provincial[0] if len(provincial) == 1 else None


def doc_number_area(number: str, text: str = "") -> Area | None:
    """The area a 发文字号's abbreviation names (longest known head first), NATIONAL for a central
    body's prefix, else None."""
    m = DOC_NUMBER_RE.search(number or "")
    prefix = (m.group("prefix") or m.group("order") or "") if m else compact(number or "")
    for length in range(min(len(prefix), 4), 0, -1):
        head = prefix[:length]
        if head in AREAS_BY_ABBR:
            return _resolve_abbr(AREAS_BY_ABBR[head], text, head)
        if head in REGIONS.national_doc_number_prefixes:
            return NATIONAL
    return None


def area_of_doc_number(number: str, text: str = "") -> str | None:
    """Jurisdiction from a 发文字号's abbreviation (苏发改社会发 -> 江苏省, 江津规资函 -> 重庆市江津区);
    `text` (the document) settles shared abbreviations. None for central bodies and unknowns."""
    if not isinstance(number, str) or not isinstance(text, str):
        return None
    area = doc_number_area(number, text)
    if area is None or area is NATIONAL:
        return None
    return area.display


def expand_short_name(name: str, area: Area | None) -> str:
    """A body's short name in full, by the document's area: 省发展改革委 under 江苏省 ->
    江苏省发展改革委; 区民政局 under 重庆市江津区 -> 重庆市江津区民政局."""
    if area is None or area is NATIONAL or not name or name[0] not in "省市区县" or leading_area(name):
        return name
    for a in area.lineage():
        if a.name.endswith(name[0]):
            return a.display + name[1:]
    return name
