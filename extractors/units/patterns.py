"""Regex fragments composed from the gazetteer's words, compiled once at import."""
from __future__ import annotations

import re

from extractors.rules import alternation
from extractors.text import HAN, HAN_CHAR, fold_brackets
from extractors.units.gazetteer import RULES, Level




def _alt(words) -> str:
    """Names and words of units are written with brackets of either width (镇（街道）, 镇(街道))."""
    return alternation(words, any_bracket_width=True)


_LEVEL_OF: dict[str, Level] = {fold_brackets(w): lvl for lvl in ("national", "province", "city", "district", "town")
                               for w in getattr(RULES.levels, lvl)} | dict(RULES.levels.party)
_LEVEL_WORDS_LONGEST_FIRST = sorted(_LEVEL_OF, key=len, reverse=True)
_DEPT_LEVEL_WORDS = [w for lvl in ("national", "province", "city", "district") for w in getattr(RULES.levels, lvl)]
_ALL_LEVEL_WORDS = _DEPT_LEVEL_WORDS + RULES.levels.town
_DEPT_LEVEL_WORDS = list(RULES.levels.party) + _DEPT_LEVEL_WORDS + RULES.levels.department_qualifiers  # 市委组织部, 同级财政: departments only
_LEVEL_JOIN = "(?:、|和|及)"

# the level part in front of a department: 市 / 各设区市 / 市和区、县 / 省、自治区、直辖市
_DEPT_LEVEL = f"各?(?:{_alt(_DEPT_LEVEL_WORDS)})(?:{_LEVEL_JOIN}(?:{_alt(_DEPT_LEVEL_WORDS)}))*"
_DEPT_LEVEL_RE = re.compile(_DEPT_LEVEL)
# the level part in front of a government: any level, or a qualifier (本级, 县级以上, 当地)
# (省级以上, 市级以上地方: a level and every level above it)
_GOV_LEVEL = (f"各?(?:{_alt(_ALL_LEVEL_WORDS + RULES.government_qualifiers)})(?:以上(?:地方)?)?"
              f"(?:{_LEVEL_JOIN}(?:{_alt(_ALL_LEVEL_WORDS)}))*")


def _suffix_guard(suffix: str) -> str:
    """A one-character office suffix must not start a word (部署, 局面, 办理, 厅长)."""
    blocked = RULES.suffix_blocked_next.get(suffix, [])
    return f"(?!{_alt(blocked)})" if blocked else ""


# head word → (key, kind) with kind stem | suffix_stem | name
_HEADS: dict[str, tuple[str, str]] = {
    fold_brackets(form): (d.key, kind) for d in RULES.departments
    for kind, forms in (("stem", d.stems), ("suffix_stem", d.suffix_stems), ("name", d.names)) for form in forms}


def _first_chars(words) -> str:
    """A character class of the first characters of `words` (both bracket widths): a cheap
    lookahead that spares the big alternations most positions of the text."""
    chars = {w[0] for w in words if w} | {"各"}
    chars |= {"(" if c == "（" else "（" if c == "(" else c for c in chars}
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


# a department: optional level, a function word or complete name, optional office suffix
_DEPARTMENT = re.compile(
    f"(?={_first_chars(list(_HEADS) + _DEPT_LEVEL_WORDS)})"
    f"(?P<lvl>{_DEPT_LEVEL})?(?P<head>{_alt(_HEADS)})(?P<suf>{alternation(RULES.office_suffixes, any_bracket_width=True, guard=_suffix_guard)})?")

_LEVEL_WORD = re.compile(f"(?:{_alt(_ALL_LEVEL_WORDS)})")
_LEVEL_JOIN_RE = re.compile(_LEVEL_JOIN)
_TOWN_LEVEL_WORDS = {fold_brackets(w) for w in RULES.levels.town}
_BARE_GOVERNMENT_FOLLOWER = re.compile(f"(?:{_alt(RULES.territorial.bare_government_followers)})")

_GOV_OFFICE = f"(?P<office>{_alt(RULES.territorial.government_offices)})?"
# a government: level or qualifier + 人民政府/政府 [+ its office] [+ （管委会）]; or 国务院
_GOVERNMENT = re.compile(
    f"(?={_first_chars(RULES.territorial.national_governments + RULES.territorial.government_heads)}"
    f"|{_first_chars(_ALL_LEVEL_WORDS + RULES.government_qualifiers)})"
    f"(?:(?P<nat>{_alt(RULES.territorial.national_governments)})|(?P<lvl>{_GOV_LEVEL})?"
    f"(?P<head>{_alt(RULES.territorial.government_heads)}))"
    f"{_GOV_OFFICE}(?:[（(](?:{_alt(RULES.territorial.committee_heads)})[）)])?")
# a committee of a zone: 高新区管委会, 开发区管理委员会 (管理委员会 needs the zone in front)
_COMMITTEE = re.compile(f"(?P<lvl>{_alt(RULES.levels.district + RULES.levels.city)})?"
                        f"(?P<head>{_alt(RULES.territorial.committee_heads)})")


def _territorial_table(group: str) -> tuple[re.Pattern[str], dict[str, str]]:
    forms = {fold_brackets(f): key for key, fs in getattr(RULES.territorial, group).items() for f in fs}
    each = "" if group == "plural_bodies" else "各?"  # 各街道办事处, 各社区
    return re.compile(f"{each}(?:{_alt(forms)})"), forms


_PLURAL, _PLURAL_KEY = _territorial_table("plural_bodies")
_STRONG, _STRONG_KEY = _territorial_table("strong_bodies")
_WEAK, _WEAK_KEY = _territorial_table("weak_bodies")

_CONNECTORS = RULES.list.connectors
_CONNECTOR = re.compile(f"(?:{_alt(_CONNECTORS)})")
_CONNECTOR_AT_END = re.compile(f"(?:{_alt(_CONNECTORS)})$")
# list items the gazetteer does not know: runs of Chinese characters without these
_ITEM_STOP = set(RULES.list.item_stop_chars) | {c for c in "".join(_CONNECTORS) if HAN_CHAR.match(c)}
_ITEM_MIN, _ITEM_MAX, _ITEM_SCAN = 2, 8, 12
_NOT_BODY_ITEM = re.compile(f"{_alt(RULES.list.not_body_items)}|(?:{_alt(RULES.list.not_body_item_endings)})$")
_NOT_BODY_ITEM_WORDS = set(RULES.list.not_body_item_words)
_OFFICE_SUFFIX_AT_END = re.compile(f"(?:{_alt(RULES.office_suffixes)})$")
_LIST_TAIL = re.compile(
    f"(?:(?P<direct>{_alt(RULES.list.tails)})"
    f"|等(?P<mid>[{HAN}]{{0,10}}?)(?P<head>{_alt(RULES.list.tail_heads)}))")
_ROLE_VERB = re.compile(f"(?:{_alt(RULES.list.role_verbs)})")
_MODAL_FOLLOWER = re.compile(f"(?!{_alt(RULES.list.modal_not_words)})(?:{_alt(RULES.list.modal_followers)})")
# suffixes a list can share: 住房城乡建设、自然资源主管部门
_SHARED_SUFFIXES = {s for s in RULES.office_suffixes
                    if s.endswith(("部门", "机构", "委员会")) or s in ("局", "厅", "委")}

# a generic mention: [level] modifiers + core (省有关部门, 各牵头部门, 市直相关部门), or a core alone
_GENERIC = re.compile(
    f"(?={_first_chars(_DEPT_LEVEL_WORDS + RULES.generic.modifiers + RULES.generic.standalone_cores)})"
    f"(?P<lvl>{_DEPT_LEVEL})?(?:(?P<mod>(?:{_alt(RULES.generic.modifiers)})+)(?P<core>{_alt(RULES.generic.cores)})"
    f"|(?P<alone>{_alt(RULES.generic.standalone_cores)}))")
_DOMAIN_HEAD = re.compile(_alt(RULES.generic.domain_heads))
_OTHER_BODY = re.compile(_alt(RULES.other_bodies))
_INSTITUTION = re.compile(_alt(RULES.addressed_institutions.names))
# what follows an addressed institution: the rest of its list (、幼儿园), then a modal verb (要, 应)
_INSTITUTION_MODAL = re.compile(f"(?:[、和及与](?:{_alt(RULES.addressed_institutions.names)}))*"
                                f"(?:{_alt(RULES.addressed_institutions.modals)})"
                                f"(?![{''.join(RULES.modal_subjects.not_after_modal)}])")
_LEADING_GROUP = re.compile(_alt(RULES.leading_group.heads))
_MODAL_SUBJECT = re.compile(_alt(RULES.modal_subjects.suffixes))
_MODAL_SUBJECT_STOP = re.compile(f"(?:{_alt(RULES.modal_subjects.name_stops)})$")
_MODAL_AFTER_SUBJECT = re.compile(f"(?:{_alt(RULES.modal_subjects.modals)})"
                                  f"(?![{''.join(RULES.modal_subjects.not_after_modal)}])")


def _name_stop(stops: list[str]) -> re.Pattern:
    """Where a group's name begins, looking back: after one of `stops`; 由 stops it, but not inside
    自由 (国务院自由贸易试验区工作部际联席会议)."""
    return re.compile(f"(?:{_alt([w for w in stops if w != '由'])}{'|(?<!自)由' if '由' in stops else ''})$")


_GROUP_NAME_STOP = _name_stop(RULES.leading_group.name_stops)
_JOINT_MEETING = re.compile(_alt(RULES.joint_meeting.heads))
_MEETING_NAME_STOP = _name_stop(RULES.joint_meeting.name_stops)
_NAMED_SUFFIX = re.compile(_alt(RULES.named_bodies.suffixes))
_LEVEL_SUFFIX = re.compile(_alt(RULES.named_bodies.level_suffixes))
_LEVEL_START = re.compile(_alt(RULES.named_bodies.level_starts))
_LEVEL_NAME_STOP = re.compile(_alt(RULES.named_bodies.level_name_stops))
# a branch: 公安青浦分局 (the function's head words, a district name, a branch suffix)
_BRANCH = re.compile(f"(?P<head>{_alt([h for h, (_, kind) in _HEADS.items() if kind == 'stem'])})"
                     f"(?P<place>[{HAN}]{{{RULES.branches.min_place},{RULES.branches.max_place}}}?)"
                     f"(?P<suf>{_alt(RULES.branches.suffixes)})")
_NAMED_STOP = re.compile(f"(?:{_alt(RULES.named_bodies.name_stops)})$")

_BODY_FOLLOWER = re.compile(f"(?:{_alt(w for w in RULES.body_followers if w not in _CONNECTORS)})")
_NON_BODY_FOLLOWER = re.compile(f"(?:{_alt(RULES.non_body_followers)}|[一二三四五六七八九十\\d]+[届次])")
# a unit's abbreviation heading a document number is no unit (国办函〔2023〕121号, 江津规资函〔2023〕)
_DOC_NUMBER_AFTER = re.compile(f"[{HAN}]{{0,4}}[〔\\[［(（]\\d{{4}}")
# an article or item number run on into its text (第三十条市场监督管理等部门…: readers drop the space)
_ARTICLE_AT_END = re.compile(r"第[〇零一二三四五六七八九十百千\d]+[条款项](?:之[一二三四五六七八九十]+)?$")
_PARENTHETICAL = re.compile(r"[（(][^（()）\n\t]{1,30}[）)]")
_PARTICLES = sorted(set(RULES.particles_before_unit) | set(_CONNECTORS), key=len, reverse=True)
_PARTICLE_SET = set(_PARTICLES)
_PARTICLE_AT_END = re.compile(f"(?:{_alt(_PARTICLES)})$")
_PARTICLE_MAX = max(map(len, _PARTICLES))
_PLACE_STOPS = set(RULES.place.stop_chars)
_PLACE_LEVEL_CHARS = sorted(RULES.place.level_chars, key=len, reverse=True)
_NOT_DEPARTMENTS = tuple(RULES.not_departments)
_NOT_BODY_WORDS = tuple(RULES.not_body_words)
