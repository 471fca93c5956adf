"""Assignment brackets: the parentheticals by which a 公文 names who does an item and by when.

    assignment_brackets(text, start, end) -> [(start, end)]     every assignment bracket in a span
    ItemBrackets(found).covering(start, end) -> [(start, end)]  the brackets that assign one sentence
    standing_assignments(doc, structure, fields) -> [Standing]  rules that add a body to every later item

A bracket assigns an item when it names a role or a time limit (（牵头单位：市民政局；配合单位：市财政局）,
（市卫生健康委牵头，市医保局配合）, （完成时限：2023年底前）) or is a list of bodies closed by a role
verb, as 分工 documents write it (（生态环境部、工业和信息化部指导）).

Which sentences a bracket assigns: 分工 documents write the bracket after the sentences it covers,
so that one paragraph may hold several groups, each closed by its own bracket (…大力推行绿色设计…。
（工业和信息化部、商务部指导）以铅酸蓄电池…为重点，落实生产者责任延伸制…。（国家发展改革委…指导）).
A sentence takes the brackets inside it; else the first bracket after it in its numbered item;
else, after the item's last bracket (a bracket that follows the item's title: 1.全面排查摸底（牵头
单位：市民政局）。各区县要…), the last one before it.

A standing rule inside a bracket assigns a body to every later item without repeating it:
（生态环境部指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）. The clause that holds
the standing word (以下均, 下同, 不再列出 …) names the body; every later sentence of the same part
that takes an assignment bracket takes that body too (the brackets no longer list it). A standing
word without a body (列第一位者为牵头单位，下同) states a convention only.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.linked import LinkedUnit, roles_for
from extractors.rules import RuleTable, alternation, load_rules
from extractors.structure import Structure
from extractors.text import ROUND_BRACKET_INSIDE
from schemas.document import Document

if TYPE_CHECKING:  # fields reads the assignment brackets' bodies; a type only here
    from extractors.fields import FieldMatches


class BracketRules(RuleTable):
    assignment_words: list[str]
    assignment_tails: list[str]
    standing_words: list[str]
    max_chars: int


RULES = load_rules(BracketRules, "brackets.yaml")
# round brackets, and the tortoise-shell and lenticular ones some documents use for the same
# assignment (〔市自然资源局牵头，市住建局配合〕, 【责任单位：区民政局】)
_PARENTHETICAL = re.compile(rf"(?:[（(]({ROUND_BRACKET_INSIDE}{{2,{RULES.max_chars}}})[）)]"
                            rf"|〔([^〔〕\n]{{2,{RULES.max_chars}}})〕|【([^【】\n]{{2,{RULES.max_chars}}})】)")
_TAIL = re.compile(f"(?:{alternation(RULES.assignment_tails)})[。；;]?$")
_STANDING = re.compile(alternation(RULES.standing_words))
_CLAUSE = re.compile(r"[^，,；;。]+")


def _assigns(inside: str) -> bool:
    return any(w in inside for w in RULES.assignment_words) or bool(_TAIL.search(inside))


def assignment_brackets(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Parentheticals that assign an item to bodies or give its time limit (see the module doc)."""
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in _PARENTHETICAL.finditer(text, start, end)
            if _assigns(m.group(1) or m.group(2) or m.group(3))]


class ItemBrackets:
    """The assignment brackets of one numbered item, in text order (they do not overlap), and which
    of them assign a sentence of the item (see the module doc), found by bisection."""

    def __init__(self, found: list[tuple[int, int]]):
        self.found = found
        self.starts = [s for s, _ in found]
        self.ends = [e for _, e in found]

    def covering(self, start: int, end: int, paragraph_start: int = 0) -> list[tuple[int, int]]:
        """The brackets that assign the sentence text[start:end], which stands in the paragraph
        starting at `paragraph_start`: one inside it, else the next one in its item, else the last
        one before it in its own paragraph (a later paragraph after an item's last bracket, 由…牵头，
        会同…推进, is not assigned by it)."""
        k = bisect.bisect_left(self.starts, start)
        inside = [b for b in self.found[k:bisect.bisect_right(self.starts, end)] if b[1] <= end]
        if inside:
            return inside
        after = bisect.bisect_left(self.starts, end)
        if after < len(self.found):
            return [self.found[after]]
        before = bisect.bisect_right(self.ends, start)
        return [self.found[before - 1]] if before and self.found[before - 1][0] >= paragraph_start else []


@dataclass
class Standing:
    """A standing assignment: from `start` on, every bracket-assigned item of part `part` has `units`."""

    start: int
    part: int
    units: list[LinkedUnit]


def part_of(structure: Structure, block_index: int) -> int:
    return next((p.index for p in structure.parts if p.start <= block_index < p.end), 0)


def standing_assignments(doc: Document, structure: Structure, fields: FieldMatches) -> list[Standing]:
    """Every standing rule of the document's assignment brackets, in text order."""
    out = []
    text = doc.text
    for i, block in enumerate(doc.blocks):
        for s, e in assignment_brackets(text, block.start, block.end):
            for c in _CLAUSE.finditer(text, s + 1, e - 1):
                if not _STANDING.search(c.group()):
                    continue
                units = [u for u in roles_for(text, c.start(), c.end(), fields.within("units", c.start(), c.end()))
                         if not u.match.value.generic]
                if units:
                    out.append(Standing(e, part_of(structure, i), units))
    return out


def standing_units(standing: list[Standing], part: int, brackets: list[tuple[int, int]]) -> list[LinkedUnit]:
    """The bodies standing rules add to an item assigned by `brackets` in part `part`."""
    if not brackets:
        return []
    at = brackets[0][0]
    return [u for st in standing if st.part == part and st.start <= at for u in st.units]
