"""The vocabulary of deadlines (data/deadlines.yaml), validated on load, and the value a deadline
resolves to.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import field_validator, model_validator

from extractors.rules import RuleTable, load_rules
from schemas.records import DeadlineKind, Precision, YearSource


FIELD = "deadline"


@dataclass(frozen=True, slots=True)
class DeadlineValue:
    date: dt.date | None
    kind: DeadlineKind
    precision: Precision | None
    relative: str | None = None
    # where the date's year comes from: written with it (stated), the plan's title (title), the
    # issue date (issued: 今年, 自印发之日起, or a date without a year in an undated plan)
    year_source: YearSource | None = None


class _YearPeriod(RuleTable):
    month: int
    first_month: int
    precision: Precision
    not_before: list[str] = []  # words that make the period a word of its own (2020年初步建成)


class _MonthPeriod(RuleTable):
    day: int | None
    first_day: int
    precision: Precision
    not_before: list[str] = []  # words that make the part a word of its own (3月初步建成)


class _EffectiveVerbs(RuleTable):
    takes_effect: list[str]
    not_after: list[str]
    repeal: list[str]


class DeadlineRules(RuleTable):
    year_periods: dict[str, _YearPeriod]
    yearless_periods: list[str]
    plan_period_ends: list[str]
    plan_period_spans: list[str]
    plan_period_not_after: list[str]
    period_end_suffixes: list[str]
    month_periods: dict[str, _MonthPeriod]
    relative_years: dict[str, int]
    relative_months: dict[str, int]
    recurring_prefixes: dict[str, Literal["year", "quarter", "half", "event"]]
    recurring_month_prefixes: dict[str, Literal["month", "event"]]
    event_year_offsets: dict[str, int]
    period_recurrences: dict[str, int]
    period_end_words: list[str]
    period_month_positions: dict[str, Literal["first", "last"]]
    range_connectors: list[str]
    validity_words: list[str]
    by_prefixes: list[str]
    to_complement_verbs: list[str]
    neutral_prefixes: list[str]
    by_suffixes: list[str]
    done_words: list[str]
    done_adverbs: list[str]
    start_prefixes: list[str]
    start_suffixes: list[str]
    effective_verbs: _EffectiveVerbs
    not_deadline_suffixes: list[str]
    year_name_suffixes: list[str]
    time_limit_labels: list[str]
    ongoing_words: list[str]
    ongoing_phrases: list[str]
    ongoing_standalone: list[str]
    duration_units: dict[str, Literal["hour", "day", "workday", "week", "month", "quarter", "year"]]
    event_anchors: list[str]
    expiry_anchors: list[str]
    event_before_words: list[str]
    relative_lead_words: list[str]
    own_issue_events: list[str]
    own_issue_anchors: list[str]
    own_document_words: list[str]
    own_period_leads: list[str]
    range_marks: list[str]
    longest_leads: list[str]
    numeric_date_not_before: list[str]
    title_year_not_plan: list[str]
    nominal_year_ends: list[str]
    range_name_words: list[str]
    past_markers: list[str]

    @field_validator("*", mode="after")
    @classmethod
    def _no_empty_words(cls, value):
        words = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
        if isinstance(value, (list, dict)) and not value:
            raise ValueError("must not be empty")
        if any(not isinstance(w, str) or not w.strip() for w in words):
            raise ValueError("words must be non-empty strings")
        return value

    @field_validator("year_periods")
    @classmethod
    def _months(cls, periods: dict[str, _YearPeriod]) -> dict[str, _YearPeriod]:
        for word, p in periods.items():
            if not (1 <= p.first_month <= p.month <= 12):
                raise ValueError(f"year period {word}: months must satisfy 1 <= first <= last <= 12")
        return periods

    @model_validator(mode="after")
    def _subsets(self):
        """Lists that pick from another: every yearless period is a year period, every anchor of
        the document's own issue an event anchor."""
        for part, whole in (("yearless_periods", "year_periods"), ("own_issue_anchors", "event_anchors")):
            unknown = [w for w in getattr(self, part) if w not in getattr(self, whole)]
            if unknown:
                raise ValueError(f"{part} not in {whole}: {unknown}")
        return self


RULES = load_rules(DeadlineRules, "deadlines.yaml")
