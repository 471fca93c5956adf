"""Roles of the responsible units of one clause, sentence or table cell: lead, cooperate, implement.

    assign_roles(text, start, end, units, header=None) -> list[str]   one role per unit, in order
    role_from_header(header) -> str | None                             a column header or label

How a unit gets its role, strongest first:
  1. a cue next to it in its clause (data/roles.yaml): the nearest cue after it (市自然资源局牵头,
     各区县具体落实, X会同Y → X lead), else the cue right before it (会同Y → Y cooperate,
     指导各区县 → implement, 征求Y的意见 → cooperate);
  2. a label in the text or the column header (牵头单位：…, 配合单位：…);
     under a "responsible" label (责任单位), units left unmarked beside one marked 牵头 cooperate;
  3. the default: a government, town or community carries the duty out (implement); any other
     body leads.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import model_validator

from extractors import headers
from extractors.base import Match
from extractors.headers import LABELS, LabelClass
from extractors.rules import RuleTable, alternation, load_rules
from extractors.text import CompactView
from extractors.units import is_territorial
from schemas.records import Role

ROLES: tuple[str, ...] = ("lead", "cooperate", "implement")
_KEEP_DEFAULT = "keep"


class CueRule(RuleTable):
    post: Role | None = None
    pre: Role | None = None
    # the role after the cue for governments, towns and communities; "keep" = same as `pre`
    pre_territorial: Role | None | Literal["keep"] = _KEEP_DEFAULT
    # the role before the cue for governments, towns and communities; "keep" = same as `post`,
    # None = their default (implement)
    post_territorial: Role | None | Literal["keep"] = _KEEP_DEFAULT

    @model_validator(mode="after")
    def _acts(self) -> CueRule:
        if self.post is None and self.pre is None:
            raise ValueError("a cue needs a post or a pre role")
        return self


class BystanderRule(RuleTable):
    before: list[str] = []
    after: list[str] = []
    alone_acts: bool = False  # a unit matched alone in its clause is no bystander

    @model_validator(mode="after")
    def _anchored(self) -> BystanderRule:
        if not self.before and not self.after:
            raise ValueError("a bystander rule needs words before or after the unit")
        return self


class ObjectPhrase(RuleTable):
    markers: list[str]
    words: list[str]  # words with 对 inside that mark no phrase (针对, 对照)
    phrase_ends: list[str]
    subject_cues: list[str]
    max_chars: int


class RoleRules(RuleTable):
    cues: dict[str, CueRule]
    predicate_verbs: list[str]
    lead_marks: list[str]
    shared_cues: list[str]
    subject_tail_heads: list[str]
    blocked: list[str]
    recipients: list[BystanderRule]
    authorities: list[BystanderRule]
    object_phrase: ObjectPhrase

    @model_validator(mode="after")
    def _consistent(self) -> RoleRules:
        unknown = (set(self.lead_marks) | set(self.shared_cues)) - set(self.cues)
        if unknown:
            raise ValueError(f"lead_marks and shared_cues must be cues: {sorted(unknown)}")
        for a, b in (("cues", "blocked"), ("cues", "predicate_verbs"), ("predicate_verbs", "blocked")):
            both = set(getattr(self, a)) & set(getattr(self, b))
            if both:
                raise ValueError(f"words both in {a} and {b}: {sorted(both)}")
        return self


RULES = load_rules(RoleRules, "roles.yaml")


# cues and blocked words in one alternation, so a blocked word (负责同志) hides the cue inside it
_CUE = re.compile(alternation(list(RULES.cues) + RULES.blocked + RULES.predicate_verbs))
_PREDICATE_VERBS = set(RULES.predicate_verbs)
_LEAD_MARKS = set(RULES.lead_marks)
_SHARED_CUES = set(RULES.shared_cues)
# a bracket without brackets inside it
_BRACKET = re.compile(r"[（(][^（()）]{2,120}[）)]")
# a label in running text: 牵头单位： / 配合单位:
_LABEL = re.compile(f"(?P<label>{alternation(LABELS)})[：:]")
# clause boundaries: a cue acts only inside its clause
_CLAUSE_END = re.compile(r"[，,；;。！？!?：:\n\t]")
# what may stand between a list of units and the comma closing the subject: 等部门, 等单位
_SUBJECT_TAIL = re.compile(f"(?:等[^，,；;。]{{0,8}}?(?:{alternation(RULES.subject_tail_heads)}))?")
# between two units of one list: a connector, 等 before a generic tail (自然资源等相关部门), or a
# list's tail and a connector to the next list (…消防救援等部门以及共青团、妇联等单位)
_GROUP_JOIN = re.compile(f"(?:等[^，,；;。、]{{0,8}}?(?:{alternation(RULES.subject_tail_heads)}))?"
                         r"(?:以及|或者|、|和|与|及|或)|等")
# how far a cue may stand before the units it governs (与|土地房屋所在地的|镇（街道）)
_MAX_PRE_GAP = 8


# between the cue and the unit, or the unit and its verb: other units of one list (masked as □), a
# party committee (no unit: 党中央、国务院; 区委、区政府), connectors, 各 / 有关 / 所在地 / 同级, a short
# bracket (有关部门（单位）)
_LIST_GAP = (r"(?:[及和、或□]|党中央|党委|[省市区县]委|各|有关|相关|所在地?|同级|上级|本级|部门|单位|等"
             r"|[（(][^（()）]{0,6}[）)])*")
_BYSTANDER = [(re.compile(f"(?:{alternation(r.before)}){_LIST_GAP}$") if r.before else None,
               re.compile(f"{_LIST_GAP}(?:{alternation(r.after)})") if r.after else None, r.alone_acts)
              for r in [*RULES.recipients, *RULES.authorities]]
_WINDOW = 16
_OBJECT = RULES.object_phrase
# markers and the words that hide one in one alternation, the longest first (针对 is no marker)
_OBJECT_MARKER = re.compile(alternation(_OBJECT.markers + _OBJECT.words))
_MARKERS = frozenset(_OBJECT.markers)
_OBJECT_END = re.compile(alternation(_OBJECT.phrase_ends))


def _in_object_phrase(text: str, start: int, unit: Match) -> bool:
    """Whether the unit stands inside a 对 phrase of its clause, before the verb the phrase leads
    to (区国动办对街道办事处、…（管委会）的管理工作进行指导): what the duty is done to."""
    lo = max(start, unit.start - _OBJECT.max_chars)
    before = text[lo:unit.start]
    clause = _CLAUSE_END.split(before)[-1]
    marker = None
    for m in _OBJECT_MARKER.finditer(clause):
        if m.group() in _MARKERS:
            marker = m
    return marker is not None and _OBJECT_END.search(clause, marker.end()) is None \
        and not text.startswith(tuple(_OBJECT.subject_cues), unit.end)


def _others_marked(text: str, lo: int, hi: int, others: list[Match]) -> str:
    """text[lo:hi] without spaces, each other unit inside it replaced by □."""
    parts, pos = [], lo
    for m in sorted(others, key=lambda m: m.start):
        if m.end <= pos or m.start >= hi:
            continue
        parts.append(text[pos:max(pos, m.start)] + "□")
        pos = max(pos, m.end)
    parts.append(text[pos:hi] if pos < hi else "")
    return re.sub(r"\s+", "", "".join(parts))


def is_bystander(text: str, start: int, unit: Match, others: Sequence[Match] = ()) -> bool:
    """Whether the unit is named without being given the duty (ANNOTATION.md: units are the bodies
    given a responsibility): the addressee of a report or a filing (向区国动办报告, 报区民政局备案,
    抄送市财政局), or an authority the duty answers to — one that approves (经国务院批准), whose
    rules or decisions are followed (按照市政府有关规定, 国务院发布的《…》, 党中央、国务院交办的), or under
    whose lead it is done (在市委、市政府的领导下); or what the duty is done to, inside a 对 phrase
    (对街道办事处…进行指导). Other units of the same list (`others`, the clause's
    units) may stand between: 向国务院、有关省人民政府通报. An approver with no other unit in its
    clause decides alone and stays (rules with alone_acts)."""
    if _in_object_phrase(text, start, unit):
        return True
    others = sorted((m for m in others if m is not unit), key=lambda m: m.start)
    # the window stretches over the other units of a list, each read as one mark (由A、B、C、D组成…)
    lo = unit.start - _WINDOW
    for m in reversed(others):
        if lo < m.end <= unit.start:
            lo -= m.end - m.start
    hi = unit.end + _WINDOW
    for m in others:
        if unit.end <= m.start < hi:
            hi += m.end - m.start
    before = _others_marked(text, max(start, lo), unit.start, others)
    after = _others_marked(text, unit.end, hi, others)
    return any((b is None or b.search(before)) and (a is None or a.match(after)) and not (alone and not others)
               for b, a, alone in _BYSTANDER)


def role_from_header(header: str | None) -> str | None:
    """The role a column header or label gives its units: 牵头单位 → lead, 配合单位 → cooperate,
    落实单位 → implement, 责任单位/推进单位 → lead; None when it names no role or several."""
    cls = headers.classify(header).role
    if cls is None:
        return None
    return "lead" if cls == "responsible" else cls


def _default(m: Match) -> Role:
    return "implement" if is_territorial(m.value) else "lead"


@dataclass
class _Cue:
    start: int
    end: int
    word: str
    rule: CueRule | None  # None: a predicate verb, which only ends the search for a cue


@dataclass
class _Slot:
    index: int  # into the caller's list
    start: int  # compact offsets in the scope
    end: int
    unit: Match


def _clause_ends(s: str) -> list[int]:
    return [m.start() for m in _CLAUSE_END.finditer(s)]


def _same_clause(ends: list[int], a: int, b: int) -> bool:
    """Whether compact positions a <= b lie in one clause."""
    return bisect.bisect_left(ends, a) == bisect.bisect_left(ends, b)


def _cues(s: str, slots: list[_Slot]) -> list[_Cue]:
    out = []
    for m in _CUE.finditer(s):
        rule = RULES.cues.get(m.group())
        if rule is None and m.group() not in _PREDICATE_VERBS:
            continue  # a blocked word
        if any(m.start() < sl.end and sl.start < m.end() for sl in slots):
            continue  # part of a unit's name (组织部, 主管部门)
        out.append(_Cue(m.start(), m.end(), m.group(), rule))
    return out


def _groups(s: str, slots: list[_Slot]) -> list[list[_Slot]]:
    """Units joined only by list connectors share their cues (市教育、民政、商务等部门在…牵头)."""
    groups: list[list[_Slot]] = []
    for sl in slots:
        if groups and _GROUP_JOIN.fullmatch(s[groups[-1][-1].end:sl.start]) is not None:
            groups[-1].append(sl)
        elif groups and groups[-1][-1].end == sl.start:
            groups[-1].append(sl)
        else:
            groups.append([sl])
    return groups


def _labels(s: str) -> list[tuple[int, int, LabelClass]]:
    """(start, end, class) of each labelled list in the scope: 配合单位：市发展改革委、市财政局；"""
    labels = list(_LABEL.finditer(s))
    found = []
    for k, m in enumerate(labels):
        end = _label_end(s, m.end())
        if k + 1 < len(labels):
            end = min(end, labels[k + 1].start())  # 牵头单位：市住建局 配合单位：市财政局
        found.append((m.end(), end, LABELS[m["label"]]))
    return found


def labelled_lists(text: str) -> list[tuple[int, int]]:
    """The spans of the lists of bodies that labels give in running text (（牵头单位：区民政局；责任单位：
    区财政局、井岗镇）): each is a units cell, as a table's 责任单位 column is."""
    return [(s, e) for s, e, _ in _labels(text) if e > s]


def _brackets(s: str) -> list[tuple[int, int, LabelClass | None]]:
    """Bracketed lists: with a lead mark, read as responsible lists (（市住建局牵头，市财政局…负责）);
    without one, a shared responsibility whose class the cues inside give (（发展改革委、财政部负责））."""
    return [(m.start(), m.end(), "responsible" if any(w in m.group() for w in _LEAD_MARKS) else None)
            for m in _BRACKET.finditer(s)]


def _label_end(s: str, i: int) -> int:
    """Where a labelled list ends: at ；。 or a line/cell break, or at the bracket closing the
    one the label stands in (marks such as 市民政局（牵头） stay inside)."""
    depth = 0
    for j in range(i, len(s)):
        ch = s[j]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                return j
            depth -= 1
        elif ch in "；;。\n\t":
            return j
    return len(s)


def _pre_role(cue: _Cue, unit: Match) -> Role | None:
    assert cue.rule is not None
    if is_territorial(unit.value) and cue.rule.pre_territorial != _KEEP_DEFAULT:
        return cue.rule.pre_territorial  # type: ignore[return-value]
    return cue.rule.pre


def _post_role(cue: _Cue, unit: Match) -> Role | None:
    assert cue.rule is not None
    if is_territorial(unit.value) and cue.rule.post_territorial != _KEEP_DEFAULT:
        return cue.rule.post_territorial  # type: ignore[return-value]
    return cue.rule.post


def _cue_after(s: str, ends: list[int], cues: list[_Cue], pos: int, unit_starts: list[int]) -> _Cue | None:
    """The first cue after `pos` in its clause. When the clause holds nothing after the units but
    a list tail (…等单位，应当按照各自职责配合实施), the next clause is their predicate."""
    after = next((c for c in cues if c.start >= pos and _same_clause(ends, pos, c.start)), None)
    if after is not None:
        return after
    k = bisect.bisect_left(ends, pos)
    if k >= len(ends) or s[ends[k]] not in "，,":
        return None
    if not _SUBJECT_TAIL.fullmatch(s, pos, ends[k]):
        return None
    stop = ends[k + 1] if k + 1 < len(ends) else len(s)
    if any(ends[k] < st < stop for st in unit_starts):
        return None
    return next((c for c in cues if ends[k] < c.start < stop), None)


def _cue_roles(s: str, groups: list[list[_Slot]], cues: list[_Cue],
               slots: list[_Slot]) -> dict[int, tuple[Role, str]]:
    """(role, cue word) a cue gives each unit (by caller index); units without a cue are absent."""
    ends = _clause_ends(s)
    unit_starts = sorted(sl.start for sl in slots)
    explicit: dict[int, tuple[Role, str]] = {}
    for group in groups:
        first, last = group[0], group[-1]
        before = [c for c in cues if c.end <= first.start and _same_clause(ends, c.end, first.start)]
        pre = before[-1] if before else None
        if pre is not None and pre.rule is not None:
            gap_ok = first.start - pre.end <= _MAX_PRE_GAP
            no_unit_between = not any(pre.end <= st < first.start for st in unit_starts)
            if gap_ok and no_unit_between:
                for sl in group:
                    role = _pre_role(pre, sl.unit)
                    if role is not None:
                        explicit[sl.index] = (role, pre.word)
        after = _cue_after(s, ends, cues, last.end, unit_starts)
        if after is not None and after.rule is not None and after.rule.post is not None:
            for sl in group:
                role = _post_role(after, sl.unit)
                if role is not None:
                    explicit.setdefault(sl.index, (role, after.word))
    return explicit


def _roles(text: str, start: int, end: int, units: list[Match], header: str | None) -> list[Role]:
    """The role of each unit (see the module doc for the order of evidence)."""
    out: list[Role] = [_default(u) for u in units]
    start, end = max(0, start), min(len(text), end)
    if start >= end or not units:
        return out
    view = CompactView(text[start:end])
    s = view.s
    slots = []
    for i, u in enumerate(units):
        if start <= u.start and u.end <= end and u.end > u.start:
            a, b = view.from_text(u.start - start, u.end - start)
            if b > a:
                slots.append(_Slot(i, a, b, u))
    slots.sort(key=lambda sl: sl.start)
    cues = _cues(s, slots)
    groups = _groups(s, slots)
    explicit = _cue_roles(s, groups, cues, slots)

    # the label class of each unit: a label in the text, a bracketed list, else the column header
    header_cls = headers.classify(header).role
    labels = _labels(s)
    segments: list[tuple[int, int, LabelClass | None]] = labels + _brackets(s)
    segment_of: dict[int, int] = {}  # unit index -> segment id (-1: the header's cell)
    cls_of: dict[int, LabelClass | None] = {}
    for sl in slots:
        seg = next((k for k, (a, b, _) in enumerate(segments) if a <= sl.start < b), None)
        segment_of[sl.index] = -1 if seg is None else seg
        cls_of[sl.index] = header_cls if seg is None else segments[seg][2]
    shared = _shared_lists(slots, explicit, segment_of, cls_of,
                           header_shared=header_cls == "responsible", first_bracket=len(labels))
    # a lead label names its units (牵头单位：区民政局；责任单位：区财政局、各镇街): the responsible
    # list beside it supports the lead, as a list with one unit marked 牵头 does
    led = any(cls_of[sl.index] == "lead" and segment_of[sl.index] >= 0 for sl in slots)

    for sl in slots:
        i = sl.index
        role, word = explicit.get(i, (None, None))
        cls = cls_of[i]
        if led and cls == "responsible" and segment_of[i] >= 0 and role is None:
            out[i] = "implement" if is_territorial(sl.unit.value) else "cooperate"
            continue
        if cls == "responsible" and word not in _LEAD_MARKS and role in (None, "lead"):
            # one of the listed units is marked 牵头: the others support it
            peers = [o.index for o in slots if segment_of[o.index] == segment_of[i] and o.index != i]
            if any(explicit.get(p, (None, None))[1] in _LEAD_MARKS for p in peers):
                out[i] = "implement" if is_territorial(sl.unit.value) else "cooperate"
                continue
        if i in shared:
            out[i] = shared[i]
        elif role is not None:
            out[i] = role
        elif cls in ("lead", "cooperate", "implement"):
            out[i] = cls  # type: ignore[assignment]
    return out


def _shared_lists(slots: list[_Slot], explicit: dict[int, tuple[Role, str]], segment_of: dict[int, int],
                  cls_of: dict[int, LabelClass | None], *, header_shared: bool, first_bracket: int) -> dict[int, Role]:
    """Roles in lists of bodies that share one responsibility: a bracket (（工业和信息化部、发展改革委、
    科技部等负责）, （生态环境部、商务部指导）), a responsible label (负责部门：…) or a responsible
    column's cell. The first-listed body leads and the others cooperate, as 分工 documents say
    (列第一位者为牵头单位), unless a body is marked on its own (牵头, 配合, 落实: those keep their cue)."""
    out: dict[int, Role] = {}
    members: dict[int, list[_Slot]] = {}
    for sl in slots:
        members.setdefault(segment_of[sl.index], []).append(sl)
    for seg, group in members.items():
        in_bracket = seg >= first_bracket
        responsible = (header_shared if seg == -1 else cls_of[group[0].index] == "responsible")
        if not (in_bracket or responsible):
            continue
        if any(explicit.get(sl.index, (None, None))[1] in _LEAD_MARKS for sl in group):
            continue  # one is marked 牵头: handled as a marked list
        sharing = [sl for sl in group
                   if (sl.index in explicit and explicit[sl.index][1] in _SHARED_CUES)
                   or (sl.index not in explicit and responsible)]
        if len(sharing) < 2:
            continue
        for k, sl in enumerate(sharing):
            out[sl.index] = "lead" if k == 0 else "cooperate"
    return out


def assign_roles(text: str, start: int, end: int, units: list[Match], header: str | None = None) -> list[str]:
    """One role per unit of `units` (same order) for the scope text[start:end]: one clause,
    sentence or table cell. `header` is the cell's column header, if any (责任单位, 配合单位).
    Units outside the scope get their default role (implement for governments, towns and
    communities, lead otherwise)."""
    return list(_roles(text, start, end, units, header))
