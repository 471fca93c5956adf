"""Obligations: one per sentence or table row that puts a duty on someone, with its fields linked.

Fields are linked by scope. A sentence owns the units, quotas and citations inside it; its
deadline is its own, else the one its paragraph states for the whole item (该项工作于…前完成),
unless the sentence narrows the scope (其中…). A table row takes its task, deadline and units from
its columns (a units column gives roles by its header), then adds units named in the task text.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from extractors import allocation, brackets as assignment, duty_lists, headers, modality, quotas, roles
from extractors.base import ExtractContext, Match
from extractors.fields import FieldMatches
from extractors.item_scope import ItemScope
from extractors.linked import LinkedDeadline, LinkedUnit, Obligation, merge_columns, merge_units, roles_for
from extractors.numerals import to_number
from extractors.obligation_rules import NUMBER_PREFIX as _NUMBER_PREFIX, RULES, has_any as _has_any
from extractors.structure import Structure, Unit, is_lone_item, is_skip_line
from extractors.text import HAN, ITEM_NUMBER
from extractors.units.cells import cell_bodies
from schemas.document import Block, Cell, Document

_CJK = re.compile(f"[{HAN}]")
_CLAUSE_MARK = re.compile(r"[，,]\s*")
# a sentence that opens with a period up to now (党的十八大以来，/ 改革开放以来，/ 抗战胜利50多年来，): background
_SINCE_OPENING = re.compile(r"^[^，,。；;]{2,24}(?:以来|年来)[，,]")
# a verb in the perfective (取得了, 作出了, 积累了): what was done (not 为了, 了解, 除了, 了结)
_PERFECTIVE = re.compile(r"(?<![为除])了(?![解结然])")
# …研究提出了办理意见：该委将按照…: what a body will do stays a commitment (not 已将: done)
_COMMITMENT = re.compile(r"(?<!已)将(?=[\u4e00-\u9fff])")
_STATEMENT = re.compile("|".join(f"(?:{p})" for p in RULES.statement_patterns))
_DIRECTIVE_CUES = frozenset(RULES.directive_cues)
_CONDITION_OPENING = re.compile(RULES.subjectless_condition)
_PRINCIPLE = re.compile(RULES.principle_pattern)
# a lead-in that sets conditions or standards (申请人应同时满足以下条件：)
_CRITERIA_LEAD = re.compile(RULES.criteria_lead)
_LIST_OPENING_END = re.compile(f"(?:{RULES.list_opening_end})$")
_CONSEQUENCE = re.compile(RULES.consequence_clause)
_ORGANISATION = [re.compile(p) for p in RULES.organisation_patterns]
# "X是Y" at the head of a sentence: a statement of what something is, not a duty
_DEFINITION = re.compile(r"^[^，,；;：:]{2,40}?(?<![别或还就凡但于总只正若要即其])是")  # not 特别是, 或是 …
# a sentence that opens with a date and a comma: 2018年11月，党中央、国务院印发…
_YEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"
_YEAR_MONTH = rf"{_YEAR}年(?:\d{{1,2}}月)?(?:\d{{1,2}}日)?"
# (a span of days or months too: 2004年8月5日至8日，…)
_DATED_OPENING = re.compile(
    rf"^{_YEAR_MONTH}(?:(?:到|至|—|－|-|~)(?:{_YEAR_MONTH}|\d{{1,2}}月(?:\d{{1,2}}日)?|\d{{1,2}}日))?(?:以来)?[，,]")
# the date a sentence opens with (1995年我国共发生…; 一九八〇年九月…; 2024年4月，印发…): before the
# document's own year it reports; a dated opening in or after the document's month is a plan's step
_OPENING_DATE = re.compile(rf"^\s*(?P<year>{_YEAR})年(?:(?P<month>\d{{1,2}})月)?")


def is_duty_sentence(sentence: str, unit: Unit, doc_type: str | None, has_unit: bool,
                     issued: dt.date | None = None, in_past_section: bool = False) -> bool:
    """Whether a sentence of the body states a duty (see the module doc and obligations.yaml).
    `issued`, the document's date, tells a year of the past a sentence opens with, and a plan's
    dated step (2024年4月，印发… in a plan of March 2024) from a report of what was done.
    `in_past_section`: the sentence stands in a section that reports (一、工作开展情况)."""
    issued_year = issued.year if issued else None
    body = _NUMBER_PREFIX.sub("", sentence, count=1)
    if len(_CJK.findall(body)) < 6 or is_skip_line(sentence):
        return False
    stripped = sentence.rstrip()
    if stripped.endswith(("：", ":")):
        return False  # a lead-in to a list
    if _has_any(sentence, RULES.courtesy_words) or _has_any(sentence, RULES.lead_in_words):
        return False
    cue = modality.parse(sentence, ExtractContext())
    if cue is None and _has_any(sentence, RULES.acknowledgement_words):
        return False
    if unit.is_heading:
        # a title that names a principle (（一）“双重”负责的原则。) names it; it directs nobody
        return _has_any(body, RULES.strong_cues) and cue is not None \
            and not body.strip().rstrip("。；;").endswith(tuple(RULES.principle_title_ends))
    # what a sentence is, was or means (a definition, background, past achievements, a significance)
    # is no duty unless a modal verb directs someone: an adverb such as 严格, 切实 or a verb such as
    # 确保, 落实 inside it (…是确保…的关键环节; 执法中不严格…问题仍然较为突出) directs nobody
    if not _directs(sentence) and (
            _DEFINITION.match(body) or _has_any(body, RULES.non_duty_words)
            or (_DATED_OPENING.match(body) and not _dated_step(body, issued))
            or body.startswith(tuple(RULES.narration_starts)) or _SINCE_OPENING.match(body)
            or (_PERFECTIVE.search(body) and not _COMMITMENT.search(body)) or _STATEMENT.search(body.rstrip())
            or _opens_in_the_past(body, issued_year)):
        return False
    if in_past_section and not (cue in ("must", "prohibit") or _COMMITMENT.search(body)):
        # 一、工作开展情况 / 2024年，我省…争取中央预算内投资3.2亿元，支持152个项目: done; 支持 and
        # 引导 narrate there, a duty needs 要, 应, 须, 不得 … or what the body will do (将)
        return False
    if _has_any(body, RULES.closing_clause_words):
        return False
    if not _has_any(body, RULES.strong_cues) and _PRINCIPLE.fullmatch(body.strip()) \
            and not _has_any(body, RULES.principle_not_words) and not re.search(r"\d", body):
        return False  # 坚持全面覆盖。: a principle states a value, nobody's task
    if doc_type == "reply":
        # a reply letter narrates as much as it commits: a duty needs a cue or a responsible body
        return cue is not None or has_unit
    return True


def past_section_blocks(doc: Document, structure: Structure) -> set[int]:
    """The blocks of the sections that report what was done: under a numbered title that ends in
    one of RULES.past_section_titles (一、工作开展情况), up to the next title of its level or above."""
    past: set[int] = set()
    level: int | None = None  # the level of the reporting section's title, while inside it
    for i, block in enumerate(doc.blocks):
        numbering = structure.numbering.get(i)
        if numbering is not None and (level is None or numbering.level <= level):
            title = re.sub(r"[\s。：:；;]+", "", doc.text[block.start:block.end])
            title = title[len(re.sub(r"\s+", "", numbering.label)):]
            level = numbering.level if title.endswith(tuple(RULES.past_section_titles)) else None
            continue
        if level is not None:
            past.add(i)
    return past


def _dated_step(body: str, issued: dt.date | None) -> bool:
    """Whether the date a sentence opens with (2024年4月，…) is not before the document's own month:
    a step of the plan, what is to be done then (ANNOTATION.md: 2026年4月，印发…；5月31日前，完成…),
    where an earlier date reports what was done (2018年11月，党中央、国务院印发…). Undated
    documents keep every dated opening a report."""
    m = _OPENING_DATE.match(body)
    if m is None or issued is None:
        return False
    year = to_number(m.group("year"))
    if year is None:
        return False
    month = to_number(m.group("month")) if m.group("month") else None
    return (year, month or 12) >= (issued.year, issued.month)


def _opens_in_the_past(body: str, issued_year: int | None) -> bool:
    """A sentence that opens with a year before the document's own (1995年全球共发生7级以上地震33次,
    in a text of 1996): what happened, as a plan's stated years are what is to happen."""
    m = _OPENING_DATE.match(body)
    if m is None or issued_year is None:
        return False
    year = to_number(m.group("year"))
    return year is not None and year < issued_year


def _is_note(text: str, block: Block) -> bool:
    """A note under a table or list (注：1、…依据“二调”地类填写；2、备注主要填写…): how to read or fill
    it in, nobody's duty unless it directs someone (obligations.yaml note_openers)."""
    return text.startswith(tuple(RULES.note_openers), block.start)


def _directs(sentence: str) -> bool:
    """Whether a modal verb of RULES.directive_cues (要, 应, 必须, 不得 …) stands in the sentence."""
    return any(m.surface in _DIRECTIVE_CUES for m in modality.cues(sentence, ExtractContext()))


def _instruction(text: str, start: int, end: int) -> int | None:
    """Where the instruction to the addressees starts in a sentence that hands a plan over
    (…现印发给你们，请认真贯彻执行。 → 请认真贯彻执行。): a comma clause opening with 请 that asks
    them to carry it out; None when there is none."""
    for at in [start] + [m.end() for m in _CLAUSE_MARK.finditer(text, start, end)]:
        if text.startswith(tuple(RULES.instruction_starts), at) and \
                _has_any(text[at:end], RULES.instruction_verbs):
            return at
    return None


def _addressees(doc: Document, structure: Structure, fields: FieldMatches, block_index: int) -> list[LinkedUnit]:
    """The bodies of the salutation (各区县人民政府，市政府各部门：) of the part a block stands in: told
    to carry the plan out, they implement it."""
    part = next((p for p in structure.parts if p.start <= block_index < p.end), None)
    if part is None or part.body_start <= part.start:
        return []
    b = doc.blocks[part.body_start - 1]
    if not doc.text[b.start:b.end].rstrip().endswith(("：", ":")):
        return []
    return [LinkedUnit(m, "implement") for m in fields.within("units", b.start, b.end)]


def _outside(matches: list[Match], spans: list[Match]) -> list[Match]:
    """Matches not inside any of `spans` (a body named in a cited title does not act here)."""
    return [m for m in matches if not any(c.start <= m.start and m.end <= c.end for c in spans)]


@dataclass
class _LeadInList:
    """The list a lead-in (…：) opens: the blocks numbered deeper than the lead-in, or unnumbered
    while the item before ended in ；."""

    block: int = -1
    level: int = 0
    open_: bool = False

    def start(self, unit: Unit, structure: Structure) -> None:
        num = structure.numbering.get(unit.block_index)
        self.block, self.level, self.open_ = unit.block_index, (num.level if num else 0), True

    def next_item(self, doc: Document, structure: Structure, unit: Unit) -> bool:
        """Whether the block of `unit`, after the current one, is the list's next item (and follow
        it); False: the list has ended."""
        if unit.block_index != self.block + 1 and not self.open_:
            return False
        num = structure.numbering.get(unit.block_index)
        deeper = num is not None and num.level > self.level and num.name not in ("article", "chapter")
        if not (deeper or (num is None and self.open_)):
            return False
        self.block = unit.block_index
        block = doc.blocks[unit.block_index]
        self.open_ = doc.text[block.start:block.end].rstrip().endswith(("；", ";"))
        return True


@dataclass
class _Criteria(_LeadInList):
    """The items of a lead-in that sets conditions or standards (申请人应同时满足以下条件：): the
    lead-in is the duty, its items (（一）具有本区常住户口…；) are what it requires, not duties of their
    own, unless an item directs someone itself (（一）园长应当具有…)."""

    active: bool = False
    skip: bool = False  # the current item's sentences are no duties

    def open(self, unit: Unit, structure: Structure) -> None:
        self.start(unit, structure)
        self.active, self.skip = True, False

    def holds(self, doc: Document, structure: Structure, unit: Unit) -> bool:
        """Whether `unit` stands in an item of the open list that is no duty of its own."""
        if not self.active:
            return False
        if unit.block_index != self.block:
            if not self.next_item(doc, structure, unit):
                self.active = False
                return False
            block = doc.blocks[unit.block_index]
            self.skip = not _directs(doc.text[block.start:block.end])
        return self.skip


@dataclass
class _Listing(_LeadInList):
    """The doers a lead-in names for the list that follows it (…履行下列职责：), carried to the
    list's items."""

    doers: list[LinkedUnit] = field(default_factory=list)
    duties: bool = False  # the lead-in names duties (履行下列职责：): its items are duty lists
    lead_in: int = -1  # the lead-in's block

    def open(self, unit: Unit, structure: Structure, doers: list[LinkedUnit], duties: bool = False) -> None:
        self.start(unit, structure)
        self.doers, self.duties, self.lead_in = doers, duties, unit.block_index

    def follow(self, doc: Document, structure: Structure, unit: Unit) -> None:
        if not self.doers or unit.block_index == self.block:
            return
        if not self.next_item(doc, structure, unit):
            self.doers = []


_SHORT_FRAME = re.compile(r"^[^，,。；;：:\s]{1,4}[，,]")  # 近期，/ 此外，/ 对此，: before the clause's verb
_SUBJECT_LEAD_CHARS = 2  # what may stand before a subject at its sentence's head (各, 由)
_OPENING_NUMBER = re.compile(rf"\s*(?:(?:{ITEM_NUMBER})\s*)+")  # （三） / 第十二条 / 1. before the subject


def _opens_with_subject(ob: Obligation, text: str, start: int) -> bool:
    """Whether a named body leading or carrying out the duty opens the sentence (（三）区民政局负责…),
    not a body a later clause names after its verb (（三）组织居民…，协助街道、镇及公安派出所依法予以处置:
    the list's doer still does it)."""
    number = _OPENING_NUMBER.match(text, start)
    opening = number.end() if number else start
    return any(u.role in ("lead", "implement") and not u.match.value.generic
               and len(re.sub(r"\s+", "", text[opening:u.match.start])) <= _SUBJECT_LEAD_CHARS
               for u in ob.units if u.match.start >= opening)


def _has_subject(ob: Obligation) -> bool:
    """Whether a named body (not 有关部门) leads or implements the duty."""
    return any(u.role in ("lead", "implement") and not u.match.value.generic for u in ob.units)


_MIN_TASK = 6          # Chinese characters a table row's task needs to be a duty
_MIN_TARGET_TASK = 3   # … when the row also sets a target


def target_header_cells(doc: Document) -> list[tuple[int, Cell]]:
    """(table, cell) of every header cell of a column of targets for a year (2030年目标): its year is
    the limit of every row's target in that column. In an indicator table (one with a 单位 column),
    of a run of yearly columns (2025年 | 2026年 | 2027年: the target for each year) the last is the
    row's final target; a task table's yearly columns are the work of each year, no limit."""
    header_cells = [(block.table_id, c) for block in doc.blocks if block.table_id is not None for c in block.cells
                    if c.header and doc.text[c.start:c.end].strip() == c.header]
    indicator = {block.table_id for block in doc.blocks if block.table_id is not None and quotas.unit_cells([block])}
    yearly: dict[int, set[int]] = {}
    for table, c in header_cells:
        if (year := headers.bare_year(c.header)) and table in indicator:
            yearly.setdefault(table, set()).add(year)
    final = {table: max(years) for table, years in yearly.items() if len(years) >= 2}
    return [(table, c) for table, c in header_cells
            if headers.target_year(c.header) or (table in final and headers.bare_year(c.header) == final[table])]


def _target_column_limits(doc: Document, fields: FieldMatches) -> dict[tuple[int, str], list[Match]]:
    """(table, header) -> the time limit the header cell of a column of targets states."""
    limits: dict[tuple[int, str], list[Match]] = {}
    for table, c in target_header_cells(doc):
        limits.setdefault((table, c.header), []).extend(fields.within("deadlines", c.start, c.end))
    return limits


def _table_obligation(doc: Document, block: Block, unit: Unit, fields: FieldMatches,
                      column_limits: dict[tuple[int, str], list[Match]]) -> Obligation | None:
    text = doc.text
    cells = [c for c in block.cells if c.end > c.start]
    if not cells:
        cells_text = text[block.start:block.end]
        if len(_CJK.findall(cells_text)) < 6:
            return None
    # a header row repeats the column names
    cell_texts = [re.sub(r"\s+", "", text[c.start:c.end]) for c in cells]
    if cells and headers.repeats_header(cell_texts, [c.header for c in cells]):
        return None
    classes = [headers.classify(c.header).column for c in cells]
    # the units and time limit of a merged cell above cover this row too (Block.inherited)
    own = {c.col for c in cells}
    inherited = [(c, headers.classify(c.header).column) for c in block.inherited if c.col not in own]
    deadline_cells = [c for c, k in [*zip(cells, classes), *inherited] if k == "deadline"]
    unit_cells = [c for c, k in [*zip(cells, classes), *inherited] if k == "units"]
    task_cells = [c for c, k in zip(cells, classes) if k not in ("deadline", "units")]
    task = max(task_cells, key=lambda c: c.end - c.start, default=None)
    task_text = text[task.start:task.end] if task else text[block.start:block.end]
    # a short task is a row's duty only with a target in the row (新增绿道 | 公里 | 2: an indicator);
    # without one it is a label (合计, 小计, 备注)
    min_chars = _MIN_TARGET_TASK if fields.within("quotas", block.start, block.end) else _MIN_TASK
    if len(_CJK.findall(task_text)) < min_chars:
        return None
    ob = Obligation(block.start, block.end, "table", unit.section_path, unit.block_index,
                    modality.parse(task_text, ExtractContext()) or "must")
    for c in unit_cells:
        found = fields.within("units", c.start, c.end)
        found = sorted(found + cell_bodies(text, c.start, c.end, found), key=lambda m: m.start)
        ob.units = merge_columns(ob.units, roles_for(text, c.start, c.end, found, c.header))
    if task:
        ob.units = merge_units(ob.units, roles_for(text, task.start, task.end,
                                                     fields.within("units", task.start, task.end)))
    in_row = fields.within("deadlines", block.start, block.end)
    preferred = [d for c in deadline_cells for d in fields.within("deadlines", c.start, c.end)]
    # without a limit of its own, a target takes its column's year (2 under 2030年目标)
    by_column = [d for c in cells if c.header and text[c.start:c.end].strip()
                 for d in column_limits.get((block.table_id, c.header), [])]
    ob.deadlines = [LinkedDeadline(d, "row") for d in (preferred or in_row or by_column)]
    ob.quotas = fields.within("quotas", block.start, block.end)
    ob.citations = fields.within("citations", block.start, block.end)
    return ob


def _allocation_obligation(doc: Document, block: Block, unit: Unit, fields: FieldMatches,
                           row: allocation.Allocation) -> Obligation:
    """A row of an allocation table (福建 | 45 | 50): its body carries out the quantity it is given,
    by the row's own time limit, else the table's (extractors/allocation.py)."""
    ob = Obligation(block.start, block.end, "table", unit.section_path, unit.block_index, "must")
    ob.units = [LinkedUnit(row.body, "implement")]
    own = fields.within("deadlines", block.start, block.end)
    ob.deadlines = [LinkedDeadline(d, "row") for d in (own or row.deadlines)]
    ob.quotas = fields.within("quotas", block.start, block.end)
    return ob


# a field written after a task: a label of bodies or of a time limit and its colon (责任单位：, 完成时限：)
_FIELD_LABEL = re.compile("(?:{})\\s*[:：]".format(
    "|".join(map(re.escape, sorted([*headers.LABELS, *RULES.deadline_field_labels], key=len, reverse=True)))))


def _is_field_line(sentence: str) -> bool:
    """A sentence made of fields of the task before it (责任单位：各区县政府；完成时限：2024年6月底前)."""
    return _FIELD_LABEL.match(sentence.strip()) is not None


def _adjacent(text: str, end: int, start: int) -> bool:
    return end <= start and not text[end:start].strip(" \t\n\u3000。；;，,")


def _attach_fields(host: Obligation, text: str, unit: Unit, fields: FieldMatches) -> None:
    """The bodies and the time limit a field line gives the task before it; the task's span runs on
    over the line, so that what is stored for the task points into it."""
    found = fields.within("units", unit.start, unit.end)
    host.units = merge_units(host.units, roles_for(text, unit.start, unit.end, found))
    limits = fields.within("deadlines", unit.start, unit.end)
    if limits:
        host.deadlines = [d for d in host.deadlines if d.scope == "own"] + [LinkedDeadline(d, "own") for d in limits]
    host.end = unit.end


def _assigned_title_alone(text: str, structure: Structure, k: int) -> bool:
    """A numbered item that is only its title and the bracket assigning it ((四)强化宣传引导。（责任单位：
    市委宣传部）, next the item (五)): the title is the task. With sentences of its own under it, the
    title heads them and the bracket assigns them."""
    unit = structure.units[k]
    if not unit.is_heading or unit.block_index not in structure.numbering \
            or not assignment.assignment_brackets(text, unit.start, unit.end):
        return False
    after = structure.units[k + 1] if k + 1 < len(structure.units) else None
    return after is None or after.block_index in structure.numbering or (
        after.block_index != unit.block_index and after.section_path != unit.section_path)


def build(doc: Document, structure: Structure, fields: FieldMatches, doc_type: str | None,
          front_matter: list[tuple[int, int]] = (), issued: dt.date | None = None,
          allocated: dict[int, allocation.Allocation] | None = None,
          title: str | None = None, read: list[tuple[int, int]] | None = None,
          past_sections: set[int] | None = None) -> list[Obligation]:
    """Every obligation of the document, in text order. `front_matter` are the spans of the
    title, document number and signature: no duty is read there; `issued` (the issue date) tells an
    allocation table's past columns from its plan; `allocated`, the allocation rows when the caller
    has them already (they depend on the units and deadlines of `fields` only). A reply that
    instructs (`title` ending in 批复) is read as a notice: its items direct the body that asked.
    `read`, when given, gets the span of every duty read, a word-for-word repeat stored once
    included: the text the document's coverage counts as understood. `past_sections`, the blocks of
    its report sections (past_section_blocks) when the caller has them already."""
    text = doc.text
    if doc_type == "reply" and title and re.sub(r"\s+", "", title).endswith(tuple(RULES.instructing_reply_endings)):
        doc_type = "notice"
    if allocated is None:
        allocated = allocation.allocations(doc, fields, issued)
    scope = ItemScope(doc, structure, fields)
    column_limits = _target_column_limits(doc, fields)
    obligations: list[Obligation] = []
    previous: Obligation | None = None  # the obligation of the sentence just before, if it was one
    listing = _Listing()  # 乡镇人民政府负责…，履行下列职责：（一）…；（二）…: the items' doer
    criteria = _Criteria()  # 申请人应同时满足以下条件：（一）…；（二）…: the items are no duties
    context = duty_lists.DutyContext()  # 四、职责分工 / （一）区建管委: a duty list's section or item
    block_seen = -1
    in_list, heading_doers = False, []
    standing = assignment.standing_assignments(doc, structure, fields)
    item_subject = duty_lists.ItemSubject()
    established = duty_lists.established_bodies(text)
    ordinal_items = duty_lists.OrdinalItems()
    task_item: Unit | None = None  # a numbered item read as a title, whose fields may follow it
    if past_sections is None:
        past_sections = past_section_blocks(doc, structure)
    for k, unit in enumerate(structure.units):
        listing.follow(doc, structure, unit)
        if unit.block_index != block_seen:
            block_seen = unit.block_index
            b = doc.blocks[unit.block_index]
            in_list, heading_doers = context.follow(text, b.start, b.end, structure.numbering.get(unit.block_index),
                                                    fields.within("units", b.start, b.end))
        if any(s < unit.end and unit.start < e for s, e in front_matter) or \
                doc.blocks[unit.block_index].kind in ("title", "signature"):
            previous = None
            continue
        block = doc.blocks[unit.block_index]
        if unit.kind == "row":
            ob = (_allocation_obligation(doc, block, unit, fields, allocated[unit.block_index])
                  if unit.block_index in allocated else _table_obligation(doc, block, unit, fields, column_limits))
            if ob:
                obligations.append(ob)
            previous = None
            continue
        if not unit.in_body or criteria.holds(doc, structure, unit):
            previous = None
            continue
        if unit.is_heading and listing.duties and listing.doers and is_lone_item(structure, doc.blocks, unit, text):
            # 履行下列职责： … （十一）完成街道、镇部署的其他消防工作任务。: the list's last item, no title
            unit = replace(unit, is_heading=False)
        sentence = text[unit.start:unit.end]
        if _is_field_line(sentence):
            host = obligations[-1] if obligations and obligations[-1].source == "prose" \
                and _adjacent(text, obligations[-1].end, unit.start) else None
            if host is None and task_item is not None and _adjacent(text, task_item.end, unit.start):
                host = Obligation(task_item.start, task_item.end, "prose", task_item.section_path,
                                  task_item.block_index, "must")
                obligations.append(host)
            if host is not None:
                _attach_fields(host, text, unit, fields)
                task_item, previous = None, host
                continue
        task_item = None
        units = fields.within("units", unit.start, unit.end)
        lead_in = sentence.rstrip().endswith(("：", ":")) or bool(_LIST_OPENING_END.search(sentence.rstrip()))
        sets_criteria = lead_in and bool(_CRITERIA_LEAD.search(sentence)) \
            and modality.parse(sentence, ExtractContext()) is not None
        if sets_criteria:
            criteria.open(unit, structure)
        if lead_in and not (_has_any(sentence, RULES.courtesy_words) or _has_any(sentence, RULES.lead_in_words)):
            # a lead-in is a duty when it says so (负责…，履行下列职责：), not when it narrates
            # (我们采取了以下几方面的措施：)
            duties = duty_lists.names_duties(sentence)
            named = [u for u in roles_for(text, unit.start, unit.end, _outside(units, fields.citations))
                     if not u.match.value.generic] if modality.parse(sentence, ExtractContext()) or duties else []
            # the doers are the bodies that lead or carry out; a body that assists (居民委员会应当协助政府…，
            # 履行下列职责：) still leads the duties listed as its own when no other body is named
            doers = [u for u in named if u.role in ("lead", "implement")] \
                or ([LinkedUnit(u.match, "lead") for u in named] if duties else [])
            # the duties are the subject's own, whoever it assists (居民委员会应当协助政府…，履行下列职责：)
            if duties and named and named[0].role == "cooperate" and named[0].match.start < min(
                    u.match.start for u in doers):
                doers = [LinkedUnit(named[0].match, "lead")]
            # the duties a lead-in lists as a body's own (镇政府消防工作职责：) are what it answers for:
            # it leads them, unless the lead-in states its role (应当落实属地责任，履行下列职责：)
            if duties and not _has_any(sentence, list(roles.RULES.cues)):
                doers = [LinkedUnit(u.match, "lead") for u in doers]
            listing.open(unit, structure, doers, duties)
            if not doers and not sets_criteria:
                previous = None
                continue  # a lead-in to a list (建议从以下几个方面加强…：) states no duty of its own
        elif lead_in or not (is_duty_sentence(sentence, unit, doc_type, bool(units), issued,
                                              unit.block_index in past_sections)
                             or _assigned_title_alone(text, structure, k)) or (
                _is_note(text, doc.blocks[unit.block_index]) and not _directs(sentence)):
            if unit.is_heading and unit.block_index in structure.numbering and not lead_in:
                task_item = unit  # 1.开展排查整治。 over its 责任单位： / 完成时限： lines
            at = _instruction(text, unit.start, unit.end)
            if at is not None and (at == unit.start or _has_any(sentence, RULES.lead_in_words)):
                # …现印发给你们，请认真贯彻执行。 / 请遵照执行。: the addressees are to carry it out
                obligations.append(Obligation(at, unit.end, "prose", unit.section_path, unit.block_index, "must",
                                              units=_addressees(doc, structure, fields, unit.block_index)))
            previous = None
            continue
        brackets = scope.covering(unit)
        if scope.only_limits(unit):
            continue  # 2025年底前完成。（牵头单位：…）: the time of the item's duties (item_scope), no duty
        # the cue of an assignment bracket (（…等负责）) says who answers, not how strongly: 鼓励… stays encourage
        cue = duty_lists.sentence_modality(text, unit.start, unit.end, brackets)
        ob = Obligation(unit.start, unit.end, "prose", unit.section_path, unit.block_index, cue or "must")
        in_brackets = [m for m in units if any(s <= m.start and m.end <= e for s, e in brackets)]
        ob.units = roles_for(text, unit.start, unit.end, [m for m in units if m not in in_brackets])
        body = _NUMBER_PREFIX.sub("", sentence, count=1)
        # a short frame may open it (近期，要…; 此外，要…)
        after_frame = _SHORT_FRAME.sub("", body, count=1)
        if (previous is not None and previous.block_index == unit.block_index
                and not any(u.role in ("lead", "implement") for u in ob.units)
                and (any(body.startswith(w) or after_frame.startswith(w) for w in RULES.subjectless_starts)
                     or _CONDITION_OPENING.match(body))):
            # 要严格落实…，会同…; 不予许可的，应当书面说明理由: the subject is the previous sentence's
            carried = [u for u in previous.units if u.role in ("lead", "implement")]
            ob.units = carried + [u for u in ob.units if u.match.value.canonical not in
                                  {c.match.value.canonical for c in carried}]
        # （三）区商务委员会负责…。推动…。: in a duty list an item's sentences are its body's duties
        ob.units = item_subject.carry(text, unit.start, unit.section_path, ob.units,
                                     in_list or (listing.duties and bool(listing.doers)))
        # 属地街镇应…。 then 一是…。 二是…。: the ordinal items are the leading paragraph's body's duties
        ob.units = ordinal_items.carry(text, unit.start, block.start, unit.block_index, unit.section_path, ob.units)
        if listing.doers and unit.block_index != listing.lead_in and not _opens_with_subject(ob, text, unit.start):
            ob.units = merge_units(list(listing.doers), ob.units)
        elif heading_doers and not _has_subject(ob):
            ob.units = merge_units(list(heading_doers), ob.units)
        elif context.in_section and not _has_subject(ob):
            # 一、主要职能 in a document that sets up a body: that body's duties
            founded = [body for at, body in established if at < unit.start]
            if founded:
                ob.units = merge_units([founded[-1]], ob.units)
        for s_, e_ in brackets:  # the item's assignment applies to each of its duties
            ob.units = merge_units(ob.units, roles_for(text, s_, e_, fields.within("units", s_, e_)))
        # …以下均需试点城市政府落实，不再列出: the brackets no longer name the standing body
        ob.units = merge_units(ob.units, assignment.standing_units(standing, assignment.part_of(
            structure, unit.block_index), brackets))
        own = fields.within("deadlines", unit.start, unit.end)
        if own:
            ob.deadlines = [LinkedDeadline(d, "own") for d in own]
        elif not any(sentence.startswith(w) for w in RULES.narrowing_starts):
            inherited = (scope.paragraph_deadline(unit.block_index, unit.start, tuple(brackets))
                         or scope.item_deadline(unit.block_index))
            if inherited and _has_subject(ob) and scope.sentence_has_units(inherited):
                # 各区县要在年底前制定方案。市财政局要加强资金保障。: each body keeps its own limit
                inherited = None
            if inherited is None:
                # …落实道路保洁责任。长期坚持。 / …日常巡查。（长期）: a closing sentence that is only an
                # ongoing limit is the limit of the paragraph's duties before it
                inherited = scope.closing_ongoing(unit.block_index, unit.end)
            if inherited:
                ob.deadlines = [LinkedDeadline(inherited, "item")]
        ob.quotas = fields.within("quotas", unit.start, unit.end)
        ob.citations = fields.within("citations", unit.start, unit.end)
        # a duty list's items are cut at their commas (a 职责 section's, a lead-in's: not an item headed
        # by a body's name elsewhere); the lead-in itself (…，履行下列职责：) is not
        commas = not lead_in and (context.in_section or (
            listing.duties and bool(listing.doers) and unit.block_index != listing.lead_in))
        obligations += [piece for piece in duty_lists.split(text, ob, unit.start, unit.end, fields, brackets, commas)
                        if not (_is_consequence(text[piece.start:piece.end], piece)
                                or _organises(text[piece.start:piece.end]))]
        previous = ob
    if read is not None:
        read.extend((ob.start, ob.end) for ob in obligations)
    return _without_repeats(text, obligations)


def _without_repeats(text: str, obligations: list[Obligation]) -> list[Obligation]:
    """The obligations with each duty once: a document that repeats a sentence word for word (an 意见
    whose annex restates its measures) states one duty, not two, when the repeat names the same
    bodies in the same roles and the same limits. Rows of a table that share a text but not their
    bodies (二季度完成立项 for two facilities) stay apart."""
    seen: set[tuple] = set()
    out = []
    for ob in obligations:
        key = (re.sub(r"\s+", "", text[ob.start:ob.end]), ob.modality,
               frozenset((u.match.value.canonical, u.role) for u in ob.units),
               frozenset((d.match.value.date, d.match.value.kind) for d in ob.deadlines))
        if key in seen:
            continue
        seen.add(key)
        out.append(ob)
    return out


def _organises(clause: str) -> bool:
    """办公室设在国家粮食局，/ 成员：公安部、…有关负责人。: how bodies are organised, no duty
    (obligations.yaml organisation_patterns), unless a modal verb directs someone."""
    body = _NUMBER_PREFIX.sub("", clause.strip(), count=1)
    return any(p.fullmatch(body) for p in _ORGANISATION) and not _directs(body)


def _is_consequence(clause: str, ob: Obligation) -> bool:
    """构成犯罪的，依法追究刑事责任。: a legal consequence stated for a case, naming no body to carry it
    out, is the law's sanction, not a duty (obligations.yaml consequence_clause)."""
    named = any(ob.start <= u.match.start and u.match.end <= ob.end for u in ob.units)
    return not named and bool(_CONSEQUENCE.fullmatch(_NUMBER_PREFIX.sub("", clause.strip(), count=1)))
