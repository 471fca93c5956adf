"""Duty lists: one obligation per duty of a sentence that lists several (docs/EXTRACTION.md §obligations).

    DutyContext.follow(...) -> (commas, doers)              the list a block stands in
    split(text, ob, start, end, fields, keep, commas) -> [Obligation]   one per clause of the sentence

Every duty sentence is cut at ；and before 二是 / 三是 (extractors/clauses.py). A duty list is also
cut at its commas, one clause per predicate (区消防救援局负责协调、指导项目推进工作，对改造方案进行
技术把关，并参加…): a sentence in a 职责 section (四、职责分工 / 第三章 区政府工作部门消防安全职责)
or in the items of a lead-in naming duties (…履行下列职责：). A prose sentence elsewhere that opens
with a body and 负责 is not cut (measured: the blind gold keeps most such sentences whole). An item
headed by a body's name alone (（一）区建管委, 一、区数据局) gives the doer of its sentences; it cuts
them at commas only inside a 职责 section.

Each clause inherits what the sentence states for the whole unless it names its own: the body
(its subject, the item's assignment bracket), the deadline (one at the head of the sentence —
2019年6月底前，… — or closing it — …，于年底前完成 —, in a bracket, or the item's), the modality
(the cue before it: 鼓励A，支持B).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors import clauses, modality, units
from extractors.base import ExtractContext, Match
from extractors.fields import FieldMatches
from extractors.linked import LinkedDeadline, LinkedUnit, Obligation, merge_units, roles_for, text_outside
from extractors.rules import RuleTable, alternation, load_rules
from extractors.text import HAN, ITEM_NUMBER
from extractors.units.cells import cell_bodies


class DutyListRules(RuleTable):
    heading_words: list[str]
    doer_marks: list[str]
    exhortations: list[str]
    max_heading_chars: int
    completion_tail: str
    condition_ends: list[str]
    stage_task_words: list[str]
    opening_name_not_words: list[str]
    max_office_name: int
    setting_up_verbs: list[str]
    set_up_bodies: list[str]


RULES = load_rules(DutyListRules, "duty_lists.yaml")
_HAN = re.compile(f"[{HAN}]")
_CONDITION_ENDS = tuple(RULES.condition_ends)
_TOPIC_END = re.compile(f"的[{HAN}]{{1,4}}$")
_PREDICATE_VERBS = tuple(clauses.RULES.predicate_verbs)
_NUMBER_LEAD = re.compile(r"^[（(]?[一二三四五六七八九十\d]{1,3}[）)、.．]")
_HEADING_WORD = re.compile(f"(?:{alternation(RULES.heading_words)})")
_NOT_HEADING = re.compile(f"(?:{alternation(RULES.exhortations)})")
_COMPLETION_TAIL = re.compile(RULES.completion_tail)
_DONE_IN = re.compile(alternation(RULES.stage_task_words))  # a stage that is its own task: 年底前全部完成
_NUMBER_PREFIX = re.compile(rf"\s*(?:{ITEM_NUMBER})\s*")
_SUBJECT_ROLES = ("lead", "implement")
# what may stand before the body that opens a sentence as its subject (由区建管委负责…)
_SUBJECT_PREFIXES = {""} | set(clauses.RULES.subject_prefixes)
_DOER_MARKS = tuple(RULES.doer_marks)


def _compact_len(text: str) -> int:
    return len(_HAN.findall(text))


# what a heading naming a body says after its name when it lists the body's duties: 职责, 主要职责,
# 消防安全职责 (a short qualifier, then 职责)
_DUTIES_TITLE = re.compile(rf"[{HAN}]{{0,6}}职责(?:分工)?")


def names_duties(text: str) -> bool:
    """A heading or lead-in that announces duties (四、职责分工; 镇政府消防工作职责：; 履行下列职责：),
    not one that exhorts (三、加强领导，明确职责)."""
    return bool(_HEADING_WORD.search(_NOT_HEADING.sub("", text)))


@dataclass
class DutyContext:
    """The duty list the current block stands in: a 职责 section (its numbering level), or an item
    headed by a body's name (its doers). Ends at the next numbering of the same or a higher level."""

    section_level: int | None = None
    item_level: int | None = None

    @property
    def in_section(self) -> bool:
        return self.section_level is not None
    doers: list[LinkedUnit] = field(default_factory=list)

    def follow(self, text: str, block_start: int, block_end: int, numbering, units: list[Match]) -> tuple[bool, list[LinkedUnit]]:
        """(in a duty list, doers) for a block; `numbering` is the block's (None when unnumbered),
        `units` the units named in it. Only a 职责 section (`in_section`) cuts at commas."""
        if numbering is not None:
            level = -1 if numbering.name == "chapter" else numbering.level
            if self.section_level is not None and level <= self.section_level:
                self.section_level = None
            if self.item_level is not None and level <= self.item_level:
                self.item_level, self.doers = None, []
            line = text[block_start:block_end].strip()
            if _compact_len(line) <= RULES.max_heading_chars and names_duties(line) \
                    and not re.search("[。；;]", line.rstrip("。")):
                self.section_level = level
            doers = _heading_doers(text, block_start, block_end, units)
            if doers:
                self.item_level, self.doers = level, doers
        return (self.section_level is not None or self.item_level is not None), self.doers


def _heading_doers(text: str, start: int, end: int, units: list[Match]) -> list[LinkedUnit]:
    """The bodies of a numbered heading that is nothing but their names (（一）区建管委, 2.区财政局：),
    or their names and a word for their duties (2.1.1国家粮食应急工作指挥部职责: they lead them);
    also when the names open the item as a sentence of their own (2.派出所。配合开展…; 3.服务办。牵头…),
    where an office the gazetteer does not know is read by its last word, as in a units cell."""
    doers = _names_only(text, start, end, units)
    if doers:
        return doers
    head = _NUMBER_PREFIX.match(text, start)
    opening = _OPENING_NAMES.match(text, head.end() if head else start, end)
    if not opening:
        return []
    close = opening.end() - 1
    if any(word in text[opening.start():close] for word in RULES.opening_name_not_words):
        return []
    known = [m for m in units if m.end <= close]
    unknown = [m for m in cell_bodies(text, opening.start(), close, known) if m.end - m.start <= RULES.max_office_name]
    found = sorted(known + unknown + _bare_names(text, opening.start(), close, known + unknown),
                   key=lambda m: m.start)
    return _names_only(text, start, close, found)


_NAME_PIECE = re.compile(rf"[{HAN}（）()]+")


def _bare_names(text: str, start: int, end: int, taken: list[Match]) -> list[Match]:
    """Names standing alone as the opening sentence that only a duty word after them makes bodies in
    running text (7.居委会。具体负责…; 街道：…): here the sentence of names says they are the doers."""
    out = []
    for piece in _NAME_PIECE.finditer(text, start, end):
        if any(m.start < piece.end() and piece.start() < m.end for m in taken):
            continue
        value = units.parse(piece.group(), ExtractContext())
        if value is not None and units.is_territorial(value):
            out.append(Match(units.FIELD, piece.start(), piece.end(), piece.group(), value))
    return out


# the names a numbered item opens with, closed by 。 or ：(2.派出所。 3.服务办：)
_OPENING_NAMES = re.compile(rf"[{HAN}、，,和及与（）()]{{2,24}}?[。：:]")


def _names_only(text: str, start: int, end: int, units: list[Match]) -> list[LinkedUnit]:
    if not units:
        return []
    head = _NUMBER_PREFIX.match(text, start)
    rest = text[head.end() if head else start:end]
    offset = end - len(rest)
    left = list(rest)
    for m in units:
        for i in range(max(m.start, offset), min(m.end, end)):
            left[i - offset] = " "
    leftover = re.sub(r"[、，,和及与：:。\s]", "", "".join(left))
    named = [u for u in roles_for(text, start, end, units) if not u.match.value.generic]
    if _compact_len(leftover) <= 1:
        return named
    if _DUTIES_TITLE.fullmatch(leftover):
        return [LinkedUnit(u.match, "lead") for u in named]
    return []


def established_bodies(text: str) -> list[tuple[int, LinkedUnit]]:
    """(position, body) of each body the text sets up (建立国务院职业教育工作部际联席会议（以下简称联席会议）
    制度, 成立区城市更新工作领导小组): a duty section that names no body (一、主要职能) lists the duties of
    the body set up last before it, who leads them."""
    out = []
    for m in _SETS_UP.finditer(text):
        name_start, name_end = m.start("name"), m.end("name")
        found = [u for u in units.extract(text[name_start:name_end], ExtractContext())
                 if u.end == name_end - name_start and not u.value.generic]
        if found:
            u = found[-1]
            match = Match(u.field, u.start + name_start, u.end + name_start, u.surface, u.value)
            out.append((m.start(), LinkedUnit(match, "lead")))
    return out


_SETS_UP = re.compile(rf"(?:{alternation(RULES.setting_up_verbs)})[^。；;，,\n]{{0,24}}?"
                      rf"(?P<name>[{HAN}]{{2,30}}?(?:{alternation(RULES.set_up_bodies)}))"
                      r"(?=[（(，,。；;\n]|制度|$)")


@dataclass
class ItemSubject:
    """In a duty list, the body that opens a sentence of an item answers for the item's later
    sentences that name none: the item is that body's list of duties (（三）区商务委员会负责指导…。
    推动…。指导、督促…). A later sentence opening with a body of its own (区消防救援支队负责…) takes
    over; a new numbered item starts afresh."""

    path: str | None = None
    doers: list[LinkedUnit] = field(default_factory=list)

    def carry(self, text: str, start: int, section_path: str, units: list[LinkedUnit],
              active: bool) -> list[LinkedUnit]:
        """The units of the sentence at `start` with the item's subject added when it has none."""
        if not active or section_path != self.path:
            self.path, self.doers = (section_path if active else None), []
        if not active:
            return units
        head = _NUMBER_PREFIX.match(text, start)
        head_end = head.end() if head else start
        own = [u for u in units if u.role in _SUBJECT_ROLES and not u.match.value.generic
               and u.match.start >= head_end
               and re.sub(r"\s+", "", text[head_end:u.match.start]) in _SUBJECT_PREFIXES]
        if own:
            self.doers = own
            return units
        if self.doers and not any(u.role in _SUBJECT_ROLES and not u.match.value.generic for u in units):
            return merge_units(list(self.doers), units)
        return units


_ORDINAL_ITEM = re.compile(r"\s*[一二三四五六七八九十]是")
_ORDINAL_LEAD = re.compile(r"\s*[一二三四五六七八九十]是(?:负责|牵头)")


@dataclass
class OrdinalItems:
    """属地街镇应加强…，负责…。 then paragraphs 一是…。 二是…。: paragraphs that open with an ordinal
    是 are the items of the paragraph right before their run (same section); a sentence of theirs that
    names no doer of its own is a duty of the body that opened that paragraph."""

    path: str | None = None
    block: int = -1
    doers: list[LinkedUnit] = field(default_factory=list)
    in_run: bool = False

    def carry(self, text: str, start: int, block_start: int, block_index: int, section_path: str,
              units: list[LinkedUnit]) -> list[LinkedUnit]:
        """The units of the sentence at `start` with the leading paragraph's subject added when it
        stands in an ordinal item and names none."""
        if section_path != self.path:
            self.path, self.doers, self.in_run = section_path, [], False
        if block_index != self.block:
            self.block = block_index
            if _ORDINAL_ITEM.match(text, block_start):
                self.in_run = bool(self.doers)
            else:
                self.in_run = False
                self.doers = _opening_subject(text, start, units)
        if self.in_run and not any(u.role in _SUBJECT_ROLES and not u.match.value.generic for u in units):
            # 二是负责…: the item states its doer's role itself (负责/牵头 → lead)
            leads = _ORDINAL_LEAD.match(text, start)
            doers = [LinkedUnit(u.match, "lead") for u in self.doers] if leads else list(self.doers)
            return merge_units(doers, units)
        return units


def _opening_subject(text: str, start: int, units: list[LinkedUnit]) -> list[LinkedUnit]:
    head = _NUMBER_PREFIX.match(text, start)
    head_end = head.end() if head else start
    return [u for u in units if u.role in _SUBJECT_ROLES and not u.match.value.generic
            and u.match.start >= head_end and re.sub(r"\s+", "", text[head_end:u.match.start]) in _SUBJECT_PREFIXES]


def _in(m: Match, spans) -> bool:
    return any(s <= m.start and m.end <= e for s, e in spans)


def split(text: str, ob: Obligation, start: int, end: int, fields: FieldMatches,
          keep: list[tuple[int, int]], commas: bool) -> list[Obligation]:
    """The obligation of the sentence text[start:end] cut into one per duty clause (see the module
    doc); [ob] when the sentence holds one. `keep` are the item's assignment brackets."""
    subject_starts = [u.match.start for u in ob.units
                      if u.role in _SUBJECT_ROLES and start <= u.match.start < end and not _in(u.match, keep)]
    frames = [(d.start, d.end) for d in fields.within("deadlines", start, end)]
    # 该项目建设主体为区应急局，统筹开展…: a body named as the doer at the end of a clause
    doer_ends = [m.end for m in fields.within("units", start, end) if text.endswith(_DOER_MARKS, start, m.start)]
    spans = clauses.split(text, start, end, commas=commas, subject_starts=subject_starts, frames=frames, keep=keep,
                          doer_ends=doer_ends, stage_starts=_later_stages(text, start, end, fields, keep))
    if len(spans) < 2:
        return [ob]
    first_end, last_start = spans[0][1], spans[-1][0]
    whole_units = [u for u in ob.units if not (start <= u.match.start < end) or _in(u.match, keep)
                   or (u.match.start < first_end and u.role in _SUBJECT_ROLES)]
    whole_deadlines = [d for d in ob.deadlines if d.scope != "own" or _in(d.match, keep)
                       or _heads(text, d.match, start) or _closes(text, d.match, last_start, end)]
    out = []
    outside = [u for u in whole_units if not (start <= u.match.start < end) or _in(u.match, keep)]
    carried = whole_units  # the doer of the clauses without one: the last clause's of its ；-part that named its own
    for k, (cs, ce) in enumerate(spans):
        own = [m for m in fields.within("units", cs, ce) if not _in(m, keep)]
        linked = roles_for(text, cs, ce, own)
        heads = [u for u in linked if u.role in _SUBJECT_ROLES and _compact_len(text[cs:u.match.start]) <= 2]
        if text[start:cs].rstrip().endswith(("；", ";")):
            carried = whole_units  # a doer's clauses end at its ；
        if heads:
            units = merge_units(linked, outside)
            opening = _opening_subject(text, cs, heads)
            if k and opening:
                # 县民政局负责…；县发展改革局负责…，积极争取…: the 发展改革局's clauses follow it
                carried = merge_units(opening, outside)
        else:
            units = merge_units(carried, linked)
        cue = _clause_modality(text, ob, start, end, cs, ce, keep)
        part = Obligation(cs, ce, ob.source, ob.section_path, ob.block_index, cue, units=units)
        dated = [d for d in fields.within("deadlines", cs, ce) if not _in(d, keep)]
        part.deadlines = [LinkedDeadline(d, "own") for d in dated] or list(whole_deadlines)
        part.quotas = [q for q in ob.quotas if cs <= q.start < ce]
        part.citations = [c for c in ob.citations if cs <= c.start < ce]
        out.append(part)
    return out


def _later_stages(text: str, start: int, end: int, fields: FieldMatches, keep) -> list[int]:
    """Starts of the later stages of a staged item: dated limits, later and later, each opening a
    comma clause of the sentence before its task (6月底前完成60%年度任务量，9月底前完成80%，年底前全部
    完成 -> the starts of 9月底前… and 年底前…). Each stage is its own duty with its own deadline
    (ANNOTATION: staged plans give one deadline per stage); the first stage keeps what leads into it."""
    opening = []
    first = None  # the first dated limit of the sentence, wherever it stands
    for d in fields.within("deadlines", start, end):
        if d.value.kind != "by" or d.value.date is None or _in(d, keep):
            continue
        first = first or d
        lead = text[start:d.start]
        clause = lead[max(lead.rfind("，"), lead.rfind(","), lead.rfind("；"), lead.rfind(";")) + 1:]
        task_after = d.end < end and text[d.end] not in "，,；;。：:（(）)"
        if _NUMBER_PREFIX.sub("", clause, count=1).strip() or not (task_after or _DONE_IN.search(d.surface)):
            continue  # not at its clause's head, or no task after it
        opening.append(d)
    between = text[first.end:opening[0].start] if opening and first is not None else ""
    if opening and first is not opening[0] and first.value.date < opening[0].value.date \
            and len(re.findall("[，,]", between)) == 1 and not re.search("[；;。]", between):
        # 请于每季度最后一个月25日前将进展报…，12月10日前报送全年工作总结: the first stage is dated
        # inside its clause, the later one opens its own
        opening.insert(0, first)
    if len(opening) < 2 or any(a.value.date >= b.value.date for a, b in zip(opening, opening[1:])):
        return []
    return [d.start for d in opening[1:]]


def _clause_modality(text: str, ob: Obligation, start: int, end: int, cs: int, ce: int, keep) -> str:
    """The modality of the clause text[cs:ce] of the sentence starting at `start`: its own cue; else a
    duty's or a ban's cue before it, which governs the clauses it heads (要A，B); else must. An
    encouragement governs its own object only (引导企业诚信经营 after 完善…制度 does not make that a
    wish), and a cue in a later clause never reaches back (健全…机制，强化地方引导…)."""
    own = modality.parse(text_outside(text, cs, ce, keep), ExtractContext())
    if own:
        return own
    before = modality.parse(text_outside(text, start, cs, keep), ExtractContext())
    if before and before != "encourage":
        return before
    if before or modality.parse(text_outside(text, ce, end, keep), ExtractContext()):
        return "must"
    return ob.modality


def sentence_modality(text: str, start: int, end: int, keep: list[tuple[int, int]]) -> str | None:
    """The modality of the sentence text[start:end] taken whole: its strongest cue, but an
    encouragement only when it stands in the sentence's first duty clause (after the frames and
    conditions that lead into it: 通过…方式，/ 符合条件的，). 加强贫困地区农产品原产地保护，支持开展
    标准化生产示范 is a duty first; 鼓励…，… and 符合条件的，可… stay encouragements."""
    cue = modality.parse(text_outside(text, start, end, keep), ExtractContext())
    if cue != "encourage":
        return cue
    for cs, ce in clauses.split(text, start, end, commas=True, keep=keep):
        if modality.parse(text_outside(text, cs, ce, keep), ExtractContext()):
            return cue
        if not _is_condition(re.sub(r"\s+", "", text[cs:ce]).rstrip("，,；;")):
            return "must"                                # …符合条件的，可按… : the condition of what follows
    return cue


def _is_condition(body: str) -> bool:
    """A clause that states who or when the next applies to: …符合条件的 / …的话 / …时, or a topic
    closed by a short noun after 的 that no predicate verb opens (已签订物业服务合同的项目，可…)."""
    body = _NUMBER_LEAD.sub("", body, count=1)
    return body.endswith(_CONDITION_ENDS) or bool(
        _TOPIC_END.search(body) and not body.startswith(_PREDICATE_VERBS))


def _heads(text: str, d: Match, start: int) -> bool:
    """A deadline at the head of the sentence, for all it says: 2019年6月底前，研究建立…"""
    head = _NUMBER_PREFIX.match(text, start)
    return _compact_len(text[head.end() if head else start:d.start]) <= 2


def _closes(text: str, d: Match, last_start: int, end: int) -> bool:
    """A deadline that closes the sentence, for all of it: …，于2024年底前完成。"""
    return d.start >= last_start and bool(_COMPLETION_TAIL.fullmatch(re.sub(r"\s+", "", text[d.end:end])))
