"""Responsible units: departments, governments, towns, communities and other bodies named as duty bearers.

    extract(text, ctx) -> list[Match]      field "unit", value UnitValue
    parse(surface, ctx) -> UnitValue | None  the canonical key of one name
    resolve_self(name, issuers) -> UnitValue | None     我局/我委/本机关/我们 → the issuer's unit
    self_references(text, issuers, ctx) -> list[Match]  every resolvable self-reference in text
    speakers(issuers, title) -> list[str]               the issuers, and the author of a forwarded report
    short_name_units(text, units, ctx) -> list[Match]   later mentions of a short name (以下简称“联席办”)

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

from extractors.units.gazetteer import FIELD, RULES, TERRITORIAL_KEYS, Level, UnitRules, UnitValue, is_territorial
from extractors.units.read import extract, parse
from extractors.units.self_reference import resolve_self, self_references, speakers
from extractors.units.short_names import set_up_office_units, short_name_units

__all__ = ["FIELD", "RULES", "TERRITORIAL_KEYS", "Level", "UnitRules", "UnitValue", "extract", "is_territorial", "parse", "resolve_self",
           "self_references", "set_up_office_units", "short_name_units", "speakers"]
