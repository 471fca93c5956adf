"""Titles of plans and documents cited without 《》 (docs/EXTRACTION.md §citations).

    find(text, words) -> [(start, end, title)]

Two shapes only, so that prose naming plans in passing stays out:
  * a plan of a place with its own period: [place]…“十四五”…规划 (上海市“十四五”规划, 嘉定区绿化市容
    “十四五”规划 alone in a table's 依据 cell), or a plan with a bracketed period
    (…三年行动工作方案（2024－2026）);
  * a document 关于… ending in a type word, right before 要求 / 精神 / 部署, after a word of relying
    on it (按照市委、市政府关于加强…的实施意见要求).
What is not a citation: a title standing alone on its line (the document's own title, an annex's or
a heading), a plan the text makes or announces (制定…工作方案（2024-2026年）; “十五五”规划编制), a
title without a place of its own (本区“十五五”规划, “十四五”规划). The caller drops the titles of the
document's own plans (关于印发《X》的通知).
"""
from __future__ import annotations

import re

from extractors.rules import RuleTable, alternation
from extractors.text import HAN


class Words(RuleTable):
    """The words this module reads, from data/citations.yaml (citations.CitationRules extends it)."""
    unquoted_plan_words: list[str]
    unquoted_relying_words: list[str]
    unquoted_lead_words: list[str]
    unquoted_announce_words: list[str]
    unquoted_announce_after: list[str]
    unquoted_organs: list[str]
    unquoted_plan_verbs: list[str]
    document_type_words: list[str]


# What ends the clause a title without 《》 stands in, walking back from its end.
_CLAUSE_BREAK = "，。；：,;:!?！？\n\t《》〈〉（）()"
_MAX_TITLE = 60
_DASH = r"[－\-—–~～至]"
_PERIOD_BRACKET = rf"[（(]\d{{4}}\s*{_DASH}\s*\d{{4}}年?[）)]"
_FIVE_YEAR = r"“十[一二三四五六七八九]五”"
# A place of its own opens the title: 上海市, 嘉定区, 浦东新区, 山西省 (two characters or more before
# the level word: 本区, 全市, 各区 are no place); or a party or government organ (citations.yaml
# unquoted_organs: 市委、市政府关于…).
_PLACE = rf"[{HAN}]{{2,6}}?(?:省|市|区|县|镇)"


def _patterns(words: Words) -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    plan = alternation(words.unquoted_plan_words)
    periodic = re.compile(rf"{_FIVE_YEAR}[{HAN}、]{{0,16}}?(?:{plan})(?:{_PERIOD_BRACKET})?|(?:{plan}){_PERIOD_BRACKET}")
    relied = re.compile(rf"关于[^，。；：《》\n\t]{{2,{_MAX_TITLE}}}?(?:{alternation(words.document_type_words)})"
                        r"(?=(?:的)?(?:有关|相关|工作)?(?:要求|精神|部署))")
    leads = re.compile(alternation(words.unquoted_relying_words + words.unquoted_lead_words
                                   + words.unquoted_announce_words))
    after = re.compile(rf"\s*(?:{alternation(words.unquoted_announce_after)})")
    place_start = re.compile(rf"{_PLACE}|(?:{alternation(words.unquoted_organs)})")
    return periodic, relied, leads, after, place_start


def _clause_start(text: str, pos: int) -> int:
    start = pos
    while start > 0 and text[start - 1] not in _CLAUSE_BREAK and pos - start < _MAX_TITLE + 12:
        start -= 1
    return start


def _whole_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:start].strip(" \u3000#") and not text[end:line_end].strip()


def find(text: str, words: Words) -> list[tuple[int, int, str]]:
    """(start, end, title) of each title cited without 《》 in `text` (module doc)."""
    periodic, relied, leads, after, place_start = _patterns(words)
    relying = set(words.unquoted_relying_words)
    announcing = set(words.unquoted_announce_words)
    found: list[tuple[int, int, str]] = []
    plan_tail = re.compile(rf"[{HAN}]{{1,12}}(?:{alternation(words.unquoted_plan_words)})")
    for shape, pattern in (("plan", periodic), ("relied", relied)):
        for m in pattern.finditer(text):
            end = m.end()
            if shape == "plan":
                tail = plan_tail.match(text, end)
                if tail:
                    end = tail.end()  # 嘉定新城“十四五”规划建设行动方案: the title runs to its last plan word
                if text[m.start():end].endswith(tuple(words.unquoted_plan_verbs)):
                    continue          # 嘉定区“十四五”期间计划新增…: 计划 after 期间 plans, it names no plan
            clause = _clause_start(text, m.start())
            last = None
            for lead in leads.finditer(text, clause, m.start()):
                last = lead
            start = last.end() if last else clause
            if last is not None and last.group() in announcing:
                continue
            if shape == "relied":
                if last is None or last.group() not in relying:
                    continue
                if m.start() - start > 20:
                    start = m.start()
            while start < end and text[start] in " \u3000":
                start += 1
            title = text[start:end]
            if shape == "plan" and not place_start.match(title):
                continue
            if shape == "relied" and not (title.startswith("关于") or place_start.match(title)):
                continue
            if after.match(text, end) or _whole_line(text, start, end) or len(title) > _MAX_TITLE:
                continue
            found.append((start, end, title))
    found.sort()
    kept: list[tuple[int, int, str]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept
