"""The vocabulary of quotas (data/quotas.yaml), validated on load, and the value a requirement
resolves to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator

from extractors.rules import RuleTable, load_rules
from schemas.records import Comparator, QuotaDirection, QuotaKind

FIELD = "quota"


UnitKind = Literal["measure", "count", "duration", "money", "frequency", "age", "ignored"]


@dataclass(frozen=True, slots=True)
class QuotaValue:
    """A normalised requirement: value bounds in `unit`, optionally per `per_value` `per_unit`;
    `direction` the change it asks for, `kind` what sort of number it is (EXTRACTION.md §quotas)."""

    value_min: float | None
    value_max: float | None
    unit: str
    per_value: float | None
    per_unit: str | None
    comparator: Comparator
    subject: str | None
    direction: QuotaDirection | None = None
    kind: QuotaKind = "threshold"


def _no_blank(words: list[str]) -> list[str]:
    if any(not w or not w.strip() for w in words):
        raise ValueError("empty word in a quota word list")
    return words


class _UnitRule(RuleTable):
    forms: list[str] = Field(min_length=1)
    unit: str = Field(min_length=1)
    factor: float = Field(gt=0)
    kind: UnitKind

    _forms_not_blank = field_validator("forms")(_no_blank)


class _ComparatorsBefore(RuleTable):
    base: dict[str, Literal["lt", "gt"]]
    negators: list[str]
    fixed: dict[str, Comparator]
    leading_modals: list[str]

    _not_blank = field_validator("negators", "leading_modals")(_no_blank)


class _PerBasis(RuleTable):
    prefixes: list[str] = Field(min_length=1)
    classifiers: list[str]
    fixed: dict[str, str]
    heads: dict[str, str]
    periods: dict[str, str]
    stop_words: list[str]
    max_gap: int = Field(ge=0)

    _not_blank = field_validator("prefixes", "classifiers", "stop_words")(_no_blank)


class QuotaRules(RuleTable):
    units: list[_UnitRule] = Field(min_length=1)
    percent_prefixes: dict[str, float]
    multipliers: dict[str, float]
    implied_units: dict[str, str]
    comparators_before: _ComparatorsBefore
    comparators_after: dict[str, Comparator]
    comparators_infix: dict[str, Comparator]
    deadline_suffixes: list[str]
    duration_frames: list[str]
    period_nouns: list[str]
    keeping_verbs: list[str]
    range_separators: list[str] = Field(min_length=1)
    per_basis: _PerBasis
    requirement_verbs: list[str]
    requirement_verb_gap: int = Field(ge=0)
    narration_markers: list[str]
    narration_breakers: list[str]
    norm_words: list[str]
    ordinal_prefixes: list[str] = Field(min_length=1)
    object_prepositions: list[str]
    object_scopes: list[str]
    reach_words: list[str]
    reach_adverbs: list[str]
    unit_not_before: list[str]
    unit_form_not_before: dict[str, list[str]]
    narration_nouns: list[str]
    article_numeral: str = Field(min_length=1)
    name_suffixes: list[str]
    penalty_words: list[str]
    copies_prefix: str = Field(min_length=1)
    subject_trailing_words: list[str]
    subject_left_boundaries: list[str]
    subject_after_skip: list[str]
    subject_stop_words: list[str]
    subject_max_len: int = Field(gt=1)
    directions: dict[str, QuotaDirection]
    direction_gap: int = Field(ge=0)
    eligibility_heads: list[str]
    standard_nouns: list[str]
    unit_column_headers: list[str]
    indicator_headers: list[str]
    not_value_headers: list[str]

    _not_blank = field_validator(
        "deadline_suffixes", "duration_frames", "period_nouns", "keeping_verbs", "range_separators", "requirement_verbs", "narration_markers", "narration_breakers", "norm_words", "narration_nouns", "name_suffixes", "penalty_words",
        "object_prepositions", "object_scopes", "reach_words", "reach_adverbs", "unit_not_before", "eligibility_heads", "standard_nouns",
        "unit_column_headers", "indicator_headers", "not_value_headers",
        "subject_trailing_words", "subject_left_boundaries", "subject_after_skip", "subject_stop_words",
    )(_no_blank)

    @field_validator("units")
    @classmethod
    def _forms_unique(cls, units: list[_UnitRule]) -> list[_UnitRule]:
        forms = [f for u in units for f in u.forms]
        dupes = {f for f in forms if forms.count(f) > 1}
        if dupes:
            raise ValueError(f"unit forms listed twice: {sorted(dupes)}")
        return units


RULES = load_rules(QuotaRules, "quotas.yaml")

_UNIT_BY_FORM: dict[str, _UnitRule] = {f: u for u in RULES.units for f in u.forms}
_INVERT = {"lt": "ge", "gt": "le"}  # 不少于 = at least, 不超过 = at most
_COMPARATOR_WORDS: dict[str, Comparator] = {
    **RULES.comparators_before.fixed,
    **RULES.comparators_before.base,
    **{neg + word: _INVERT[c] for word, c in RULES.comparators_before.base.items()
       for neg in RULES.comparators_before.negators},
}
