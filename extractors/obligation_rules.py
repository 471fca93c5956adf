"""The vocabulary of obligation building (data/obligations.yaml), validated on load, and two small
helpers the obligation modules share."""
from __future__ import annotations

import re

from extractors.rules import RuleTable, load_rules


class ObligationRules(RuleTable):
    courtesy_words: list[str]
    acknowledgement_words: list[str]
    lead_in_words: list[str]
    non_duty_words: list[str]
    narration_starts: list[str]
    past_section_titles: list[str]
    note_openers: list[str]
    statement_patterns: list[str]
    principle_pattern: str
    principle_not_words: list[str]
    principle_title_ends: list[str]
    directive_cues: list[str]
    instruction_starts: list[str]
    instruction_verbs: list[str]
    closing_clause_words: list[str]
    strong_cues: list[str]
    subjectless_starts: list[str]
    subjectless_condition: str
    narrowing_starts: list[str]
    limit_sentence_words: list[str]
    deadline_field_labels: list[str]
    completion_words: list[str]
    target_openers: list[str]
    instructing_reply_endings: list[str]
    criteria_lead: str
    list_opening_end: str
    consequence_clause: str
    organisation_patterns: list[str]


RULES = load_rules(ObligationRules, "obligations.yaml")
# an item's numbering (（一） 1. 一、), or the dash that opens a bullet (——坚持…)
NUMBER_PREFIX = re.compile(r"\s*(?:——\s*|(?:[（(〔]?[一二三四五六七八九十\d]{1,3}[）)〕、.．]\s*)+)")


def has_any(text: str, words: list[str]) -> bool:
    return any(w in text for w in words)
