"""Candidates: every span that may name a unit, with its key, level and kind, before any
context check (departments, governments, territorial forms, generic mentions, other bodies,
leading groups).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.base import SpanIndex
from extractors.rules import alternation
from extractors.text import ITEM_NUMBER, CompactView, fold_brackets
from extractors.units.gazetteer import RULES, Level
from extractors.units.patterns import (_COMMITTEE, _DEPARTMENT, _DEPT_LEVEL_RE, _DOMAIN_HEAD, _GENERIC, _GOVERNMENT,
    _GROUP_NAME_STOP, _HEADS, _JOINT_MEETING, _MEETING_NAME_STOP, _INSTITUTION, _INSTITUTION_MODAL, _MODAL_AFTER_SUBJECT, _MODAL_SUBJECT, _MODAL_SUBJECT_STOP, _NAMED_STOP, _NAMED_SUFFIX, _LEVEL_NAME_STOP, _LEVEL_START, _LEVEL_SUFFIX, _LEADING_GROUP,
    _LEVEL_JOIN_RE, _LEVEL_WORD, _NOT_BODY_WORDS, _NOT_DEPARTMENTS, _OTHER_BODY,
    _PLACE_LEVEL_CHARS, _PLACE_STOPS, _PLURAL, _BRANCH, _PLURAL_KEY, _STRONG, _STRONG_KEY, _TOWN_LEVEL_WORDS, _WEAK,
    _WEAK_KEY)
from extractors.units.context import (_ends_with_particle, _followed_by_noun, _is_cjk, _level_of, _place_start,
    _starts_unit)


# a level word that is part of a national body's short name (全国工商联, 全国老龄办), kept in its key
_NAME_LEVELS = frozenset({"全国"})
# the keys of docs/EXTRACTION.md; another body keeps its name as written as its key
_CANONICAL_KEYS = frozenset(RULES.annotation_keys) | {d.key for d in RULES.departments if d.keyed}

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


_NOT_LEVEL_WORDS = tuple(RULES.not_level_words)


def _department_matches(s: str):
    """_DEPARTMENT's matches, in order, not overlapping; a level that is the last character of a
    word (the 区 of 社区建设办公室, 各社区、区民政局) is no level: the search goes on after it."""
    pos, inside = 0, -1  # inside: where a name would continue such a word (社区|建设办公室)
    while (m := _DEPARTMENT.search(s, pos)) is not None:
        if m["lvl"] and s.endswith(_NOT_LEVEL_WORDS, 0, m.start("lvl") + 1):
            pos = inside = m.start("lvl") + 1
            continue
        if m.start() == inside and not m["lvl"]:
            pos = m.start() + 1  # 社区建设办公室 is no 建设办公室 either
            continue
        yield m
        pos = max(m.end(), pos + 1)


def _departments(v: CompactView) -> list[_Cand]:
    """Departments with or without office suffix; bare ones are kept for the list check."""
    out = []
    s = v.s
    for m in _department_matches(s):
        head, suf, lvl = m["head"], m["suf"], m["lvl"]
        key, kind = _HEADS[fold_brackets(head)]
        if key not in _CANONICAL_KEYS:
            key = fold_brackets(head)  # a body outside the annotation's list keeps its name as written (证监会, 药监)
            if lvl in _NAME_LEVELS:
                key = lvl + key  # 全国工商联: the national body's own short name, not a level of 工商联
        end = m.end()
        if kind == "name" and suf:
            suf, end = None, m.end("head")  # a complete name takes no suffix (卫健委员 is not 卫健委)
        full = kind == "name" or bool(suf)
        if full and suf and (head + suf).endswith(_NOT_DEPARTMENTS):
            continue
        if full and _followed_by_noun(s, end):
            continue  # 人民代表大会第三次会议, 政协委员, 住建部关于…: no body at work
        if s.startswith(_NOT_BODY_WORDS, m.start("head")):
            continue  # 人行道: a pavement
        start = m.start()
        needs_boundary = not lvl and (not full or (kind == "name" and len(head) <= 2))
        if needs_boundary and not _starts_unit(v, start):
            continue
        if lvl and any(lvl.endswith(lc) for lc in _PLACE_LEVEL_CHARS) and not lvl.startswith("各"):
            start = _place_start(v, start)
        level = _level_of(lvl)
        if level is None and kind == "stem" and suf in RULES.national_suffixes:
            level = "national"  # 住建部, 税务总局: a ministry has no local counterpart of that name
        # a function word that needs a suffix (建设, 房产) stands bare only in a list that shares one
        bare_kind = "bare_suffix" if kind == "suffix_stem" else "bare"
        out.append(_Cand(start, end, key, level, False, "department" if full else bare_kind,
                         priority=0, level_text=lvl, suffix=suf))
    return out


def _branches(v: CompactView) -> list[_Cand]:
    """A city bureau's branch in a district (公安青浦分局): a department of its function."""
    out = []
    for m in _BRANCH.finditer(v.s):
        if not _starts_unit(v, m.start()) or _followed_by_noun(v.s, m.end()):
            continue
        key, _ = _HEADS[fold_brackets(m["head"])]
        if key not in _CANONICAL_KEYS:
            key = fold_brackets(m["head"])
        out.append(_Cand(m.start(), m.end(), key, "district", False, "department", priority=0, suffix=m["suf"]))
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
        if fold_brackets(m.group()) in _TOWN_LEVEL_WORDS:
            return (upper_end, m.start()) if upper_end is not None else None
        upper_end = m.end()
        join = _LEVEL_JOIN_RE.match(lvl, m.end())
        if not join:
            return None
        i = join.end()
    return None


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
            # a government's office is its own body; the State Council's is 国务院办公厅, not a
            # local government's office
            canonical = ("国务院" if m["nat"] else "人民政府") + office
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
            key = table[fold_brackets(m.group().removeprefix("各") if kind != "plural" else m.group())]
            level = _KEY_LEVEL.get(key) or _level_of(m.group())
            out.append(_Cand(m.start(), m.end(), key, level, False, kind, priority=2))
    return out


def _generics(v: CompactView, taken: list[_Cand]) -> list[_Cand]:
    out = []
    s = v.s
    areas = [c for c in taken if c.kind in ("plural", "government")]
    for m in _GENERIC.finditer(s):
        name = (m["mod"] or "") + (m["core"] or m["alone"])
        if name in RULES.generic.not_generic:
            continue
        lvl = m["lvl"]
        start = m.start()
        if lvl and m["mod"] and any(c.start < start < c.end for c in areas):
            # 各地区各部门: the 区 ends the area before it (各地区), it is no level of 各部门
            lvl, start = None, m.start("mod")
        level = _level_of(lvl) or (_level_of(m["mod"]) if m["mod"] and m["mod"][0] in "省市区县" else None)
        key = RULES.generic.key_of(m["core"] or m["alone"])
        out.append(_Cand(start, m.end(), key, level, True, "generic", priority=3, level_text=lvl))
    # X主管部门: read the domain back to a particle or a stop character (应征求|配套设施主管部门)
    covered = SpanIndex((c.start, c.end) for c in taken + out)
    for m in _DOMAIN_HEAD.finditer(s):
        if covered.covers_strictly(m.start(), m.end()):
            continue
        b = m.start()
        limit = max(0, b - RULES.generic.max_domain)
        while b > limit and _is_cjk(s[b - 1]) and s[b - 1] not in _PLACE_STOPS and not v.gap_before[b] \
                and not _ends_with_particle(s, b):
            b -= 1
        if m.start() - b < 2:
            continue
        out.append(_Cand(b, m.end(), RULES.generic.key_of(m.group()), None, True, "generic", priority=4))
    return out


def _other_bodies(v: CompactView) -> list[_Cand]:
    return [_Cand(m.start(), m.end(), m.group(), None, False, "other", priority=5)
            for m in _OTHER_BODY.finditer(v.s)]


def _addressed_institutions(v: CompactView) -> list[_Cand]:
    """Schools and hospitals the text addresses (各中小学校、幼儿园要…; 公立医疗机构应…): after 各 or
    at their clause's start (a short qualifier between: 试点地区公立), a modal verb after them or
    after the list they stand in. Keyed as written."""
    s = v.s
    out = []
    for m in _INSTITUTION.finditer(s):
        clause = max(s.rfind(c, 0, m.start()) for c in "，,。；;：:\n") + 1
        lead = s[clause:m.start()]
        addressed = lead.endswith(("各", "、", "和")) or len(lead) <= 6
        if addressed and _INSTITUTION_MODAL.match(s, m.end()):
            named = _HOSPITAL_NAME.fullmatch(lead) if m.group() == "医院" and not _NOT_HOSPITAL_NAME.search(lead) \
                else None
            if named and named.group("name"):
                # 县中医院要…, 市第一人民医院应…: a hospital by its own name, keyed without its level
                out.append(_Cand(clause + named.start("name") if not named.group("level") else clause, m.end(),
                                 named.group("name") + m.group(), None, False, "institution", priority=5))
                continue
            out.append(_Cand(m.start(), m.end(), m.group(), None, False, "institution", priority=5))
    return out


# the name of a hospital before 医院 at its clause's start: a level, then a few characters of name
_HOSPITAL_NAME = re.compile(r"(?P<level>[省市区县])?(?P<name>[\u4e00-\u9fff]{1,6})")
# what a name holds none of: 各医院, 二级以上医院, 公立和民营医院 are kinds of hospital
_NOT_HOSPITAL_NAME = re.compile("[各的等级上下和及与或类]|公立|民营|定点")


_CLAUSE_OPENERS = "，,。；;：:\n）)"
_ARTICLE_OR_ITEM = re.compile(ITEM_NUMBER)


def _modal_subjects(v: CompactView) -> list[_Cand]:
    """Institutions and enterprises the gazetteer does not know, addressed as a duty's subject:
    a name ending in 机构 / 企业 that opens its clause or follows 的, a modal verb right after it
    (社会保险经办机构应当…; 政府投资兴办的社区卫生服务机构应当…). Keyed as written."""
    rules = RULES.modal_subjects
    s = v.s
    out = []
    for m in _MODAL_SUBJECT.finditer(s):
        if not _MODAL_AFTER_SUBJECT.match(s, m.end()):
            continue
        b = m.start()
        limit = max(0, b - rules.max_name)
        while b > limit and _is_cjk(s[b - 1]) and not v.gap_before[b] \
                and not _MODAL_SUBJECT_STOP.search(s, max(0, b - 4), b):
            b -= 1
        opens = b == 0 or v.gap_before[b] or s[b - 1] in _CLAUSE_OPENERS or s.endswith("的", 0, b)
        number = _ARTICLE_OR_ITEM.match(s, b)
        if number and number.end() < m.start():
            b = number.end()  # 第二十四条养老机构应当…: the article's number is no part of the name
        name = s[b:m.end()]
        if not opens or m.start() - b < rules.min_name or name.startswith(tuple(rules.not_starts)) \
                or _OTHER_BODY.search(name) or _INSTITUTION.search(name):
            continue  # a body the other rules read (城市公办养老机构, 公立医疗机构) is theirs
        out.append(_Cand(b, m.end(), name, None, False, "institution", priority=6))
    return out


_ITEM_NUMBER = re.compile(r"[（(][一二三四五六七八九十\d]{1,3}[）)]")
_STANDALONE_SUFFIXES = frozenset(RULES.named_bodies.standalone_suffixes)
_LEVEL_BODY = 8  # the priority of an office read by its level and suffix: it loses every tie


def _named_bodies(v: CompactView) -> list[_Cand]:
    """Bodies named by their shape, outside any list: [place][name][suffix] — enterprises and
    ad-hoc bodies given a duty (市北高新集团, 随申行公司, 区土方工作专班, 指挥部 with a name). The
    name runs back from the suffix to a function word or a stop; it keeps its name as written as key."""
    out = []
    s = v.s
    matches = [(m, False) for m in _NAMED_SUFFIX.finditer(s)] + [(m, True) for m in _LEVEL_SUFFIX.finditer(s)]
    for m, needs_level in matches:
        if _followed_by_noun(s, m.end()):
            continue
        b = m.start()
        limit = max(0, b - RULES.named_bodies.max_name)
        while b > limit and (_is_cjk(s[b - 1]) or s[b - 1] in "（）()" + _QUOTES) and not v.gap_before[b] \
                and not _NAMED_STOP.search(s, max(0, b - 4), b):
            b -= 1
        number = _ITEM_NUMBER.match(s, b)
        if number and number.end() <= m.start():
            b = number.end()  # （二）现场指挥部要…: the item's number is no part of the name
        while b < m.start() and s[b] in "）)":
            b += 1  # （1）国家粮食…指挥部: the run stopped inside the number, at its closing bracket
        while b < m.start() and s[b] in _QUOTES + "（(":
            b += 1  # 成立“青浦区土方工作专班”, （…工作专班牵头，…）: the mark before the name is no part of it
        if m.start() == b and m.group() in _STANDALONE_SUFFIXES:
            pass  # 工作专班负责…, 指挥部要…: an ad-hoc body named by its kind alone is still one
        elif m.start() - b < 2 or not _is_cjk(s[b]) or s.endswith("的", 0, b):
            continue  # (违规的运输公司: a description, not a name)
        if needs_level:
            level = _LEVEL_START.match(s, b)
            function = s[level.end():m.start()] if level else ""
            if not 2 <= len(function) <= RULES.named_bodies.level_max_name or _LEVEL_NAME_STOP.search(function) \
                    or not all(map(_is_cjk, function)) or s.endswith(("（", "("), 0, b):
                continue  # 市港航管理局, not 服务中心, 市局, 县级以上人民政府应当合理布局 or （区公务员局）
            # keyed by its name without the level, as a cell body is (市道运中心 → 道运中心)
            out.append(_Cand(b, m.end(), s[level.end():m.end()], _level_of(level.group()), False,
                             "named", priority=_LEVEL_BODY, level_text=level.group(), suffix=m.group()))
            continue
        out.append(_Cand(b, m.end(), _named_key(s[b:m.end()], m.group()), None, False, "named", priority=5))
    return out


_QUOTES = "“”\"‘’"
_ADHOC_LEVEL = re.compile(alternation(RULES.named_bodies.adhoc_key_levels))


def _named_key(name: str, suffix: str) -> str:
    """The key of a body named by its shape: its name as written, brackets folded; an ad-hoc body's
    without quotation marks and the level in front (units.yaml adhoc_key_levels)."""
    key = fold_brackets(name)
    if not suffix.startswith(tuple(RULES.named_bodies.standalone_suffixes)):
        return key
    key = "".join(ch for ch in key if ch not in _QUOTES)
    level = _ADHOC_LEVEL.match(key)
    return key[level.end():] if level and len(key) - level.end() >= len(suffix) + 2 else key


def _group_name_start(v: CompactView, head_start: int, max_name: int, stop: re.Pattern) -> int:
    """Where a group's name begins, running back from its head (…工作领导小组, …部际联席会议) over
    Chinese characters to a stop word, a gap or max_name characters."""
    s, b = v.s, head_start
    limit = max(0, b - max_name)
    while b > limit and _is_cjk(s[b - 1]) and not v.gap_before[b] and not stop.search(s, max(0, b - 4), b):
        b -= 1
    return b


def _leading_groups(v: CompactView) -> list[_Cand]:
    out = []
    s = v.s
    for m in _LEADING_GROUP.finditer(s):
        if _followed_by_noun(s, m.end()):
            continue  # 领导小组组成人员名单
        b = _group_name_start(v, m.start(), RULES.leading_group.max_name, _GROUP_NAME_STOP)
        lv = _DEPT_LEVEL_RE.match(s[b:m.end()])
        out.append(_Cand(b, m.end(), RULES.leading_group.key, _level_of(lv.group()) if lv else None, False,
                         "group", priority=1))
    return out


def _joint_meetings(v: CompactView) -> list[_Cand]:
    """国务院职业教育工作部际联席会议, 联席会议办公室: keyed 联席会议; kind "named", so it counts where it
    acts (select: _subject_ok, a duties heading)."""
    out = []
    s = v.s
    for m in _JOINT_MEETING.finditer(s):
        if _followed_by_noun(s, m.end()) or s.startswith("制度", m.end()):
            continue  # 建立…联席会议制度, 联席会议成员
        b = _group_name_start(v, m.start(), RULES.joint_meeting.max_name, _MEETING_NAME_STOP)
        out.append(_Cand(b, m.end(), RULES.joint_meeting.key, None, False, "named", priority=1))
    return out


_LOCAL_AUTHORITY = re.compile(alternation(RULES.local_authority.words))


def _local_authorities(v: CompactView) -> list[_Cand]:
    """属地 standing alone at a clause's start (属地要…, 由属地负责…) or alone in its line; whether it
    names the 镇街 is decided in select (units.yaml local_authority)."""
    s = v.s
    starts = RULES.local_authority.clause_starts
    return [_Cand(m.start(), m.end(), RULES.local_authority.key, None, False, "local", priority=6)
            for m in _LOCAL_AUTHORITY.finditer(s)
            if m.start() == 0 or v.gap_before[m.start()] or s[m.start() - 1] in starts or s[m.start() - 1].isspace()]


def _raw_candidates(v: CompactView) -> tuple[list[_Cand], list[_Cand]]:
    """(departments incl. bare words, everything else) before any context check."""
    departments = _departments(v) + _branches(v)
    # an office read by its level and suffix that ends in a gazetteer department is that department
    # under its full name (市政务服务数据管理局: the 数据管理局, 大数据, of the city)
    by_end = {c.end: c for c in departments if c.kind == "department"}
    named = []
    for c in _named_bodies(v):
        department = by_end.get(c.end) if c.priority == _LEVEL_BODY else None
        if department is None:
            named.append(c)
        elif department.start > c.start:
            department.start, department.level, department.level_text = c.start, c.level, c.level_text
    others = _governments(v) + _territorial_forms(v) + _other_bodies(v) + _addressed_institutions(v) + _modal_subjects(v) \
        + named + _leading_groups(v) + _joint_meetings(v) + _local_authorities(v)
    others += _generics(v, departments + others)
    return departments, others
