"""Short names a document gives its bodies: （以下简称“联席办”）, (以下简称“区域管理单位”).

A 公文 names a body in full once and then by the short name it announces in a bracket right after
it. The short name is a body wherever it stands later, with the key of what it names: the unit (or
the first of the units, for a list: 街道办事处、镇人民政府…(以下简称“区域管理单位”) → 镇街) that ends
right before the bracket, or, when that is an office the gazetteer does not know (联席会议下设办公室
(以下简称“联席办”)), the short name itself. A short name the gazetteer already reads (区国动办) is
left to it.

An office a body sets up (国家粮食应急工作指挥部下设办公室，负责日常工作) is named the same way: the
bare 办公室 after it is that body's office wherever it acts (办公室承担以下职责：, 办公室要…), keyed
as the body's office (国家粮食应急工作指挥部办公室) — or as the body itself where the gazetteer keys a
group and its office as one (领导小组下设办公室 → 领导小组).
"""
from __future__ import annotations

import re

from extractors.base import ExtractContext, Match
from extractors.rules import alternation
from extractors.text import HAN_CHAR
from extractors.units.gazetteer import FIELD, RULES, UnitValue
from extractors.units.patterns import _CONNECTOR

_SHORT_NAME = re.compile(r"[（(]\s*(?:以下简称|下称|以下称)\s*[“\"「]?(?P<name>[\u4e00-\u9fff]{2,12})[”\"」]?\s*[）)]")
_OFFICE_BEFORE = re.compile(f"(?:{alternation(RULES.short_names.office_words)})$")
_SET_UP = RULES.short_names.set_up_office
_OFFICE_WORD = re.compile(re.escape(_SET_UP.office))
# the office acts: a body word right after it (办公室承担…, 办公室要…), also after the comma that closes
# the clause setting it up (…下设办公室，负责日常工作)
_ACTS = re.compile(rf"[，,]?(?:{alternation(RULES.body_followers)})")


def short_name_units(text: str, units: list[Match], ctx: ExtractContext) -> list[Match]:
    """The later mentions of each short name announced right after a body, as units (offsets into
    `text`); `units` are the units already found, which a mention never overlaps, nor a masked span
    (a cited title)."""
    taken = [(u.start, u.end) for u in units]
    out: list[Match] = []
    for m in _SHORT_NAME.finditer(text):
        name = m.group("name")
        if any(u.start >= m.start("name") and u.end <= m.end("name") for u in units):
            continue  # 区国动办: the gazetteer reads it already
        before = [u for u in units if u.end <= m.start() and m.start() - u.end <= 1]
        if before:
            first = _run_start(text, units, before[-1])
            value = UnitValue(name=name, canonical=first.value.canonical, level=first.value.level,
                              generic=first.value.generic)
        elif _OFFICE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            value = UnitValue(name=name, canonical=name, level=None, generic=False)
        else:
            continue  # 以下简称《方案》, （以下简称自贸试验区）: no body
        for later in re.compile(re.escape(name)).finditer(text, m.end()):
            s, e = later.span()
            if not any(a < e and s < b for a, b in taken) and not ctx.is_masked(s, e):
                out.append(Match(FIELD, s, e, name, value))
    return out


def set_up_office_units(text: str, units: list[Match], ctx: ExtractContext) -> list[Match]:
    """The mentions of the office a body sets up (…指挥部下设办公室) from there on, as units where they
    act (see the module doc); `units` are the units already found, which a mention never overlaps."""
    taken = [(u.start, u.end) for u in units]
    out: list[Match] = []
    set_ups = [(m.start(), m.end()) for m in re.finditer(re.escape(_SET_UP.verb + _SET_UP.office), text)]
    for n, (start, end) in enumerate(set_ups):
        owner = next((u for u in units if u.end == start), None)
        if owner is None:
            continue
        canonical = (owner.value.canonical if owner.value.canonical in _SET_UP.keyed_as_owner
                     else owner.value.name + _SET_UP.office)
        value = UnitValue(name=_SET_UP.office, canonical=canonical, level=owner.value.level, generic=False)
        until = set_ups[n + 1][0] if n + 1 < len(set_ups) else len(text)  # the next office set up
        for later in _OFFICE_WORD.finditer(text, end - len(_SET_UP.office), until):
            s, e = later.span()
            if (_ACTS.match(text, e) and not any(a < e and s < b for a, b in taken)
                    and not ctx.is_masked(s, e) and not _ends_longer_name(text, s, end - len(_SET_UP.office))):
                out.append(Match(FIELD, s, e, text[s:e], value))
    return out


def _ends_longer_name(text: str, s: int, set_up_mention: int) -> bool:
    """Whether the office word at s ends a longer name (区政府办公室) rather than standing bare; the
    mention right after 下设 (at `set_up_mention`) is the office itself."""
    return s != set_up_mention and s > 0 and HAN_CHAR.match(text, s - 1) is not None


def _run_start(text: str, units: list[Match], last: Match) -> Match:
    """The first unit of the list that ends with `last` (街道办事处、镇人民政府以及…管理局)."""
    first = last
    for u in sorted((u for u in units if u.end <= last.start), key=lambda u: -u.start):
        gap = text[u.end:first.start]
        # the items of a list are joined by the gazetteer's connectors (、, 和, 及, 以及 …), a qualifier
        # may follow (以及具有相关管理职能的管理局)
        if len(gap) > 20 or re.search(r"[，,。；;：:]", gap) or not _CONNECTOR.match(gap.lstrip()):
            break
        first = u
    return first
