"""Table headers, classified in one place: which row of a table names its columns, and what a
column's header says its cells hold.

    is_header_row(cells) -> bool            a row of short label words (序号, 主要工作任务, 责任单位):
                                            what a reader takes for the header when the file marks none
    is_past(label) -> bool                  a header or title of what was (2023年实际完成, 现状): no targets
    repeats_header(cells, headers) -> bool  a row whose cells are header words or their own column's
                                            header: the header printed again (on a new page)
    target_year(header) -> int | None       the year of a column of targets (2030年目标 -> 2030)
    classify(header) -> HeaderClass         what a column header says its cells hold:
        .column  "deadline" | "units" | "task" | None   (obligations: the time limit, the bodies, the task)
        .role    "lead" | "responsible" | "cooperate" | "implement" | None
                                            (roles: the role of the bodies listed under it)
    LABELS                                  label word -> role class; the same words label a list of
                                            bodies in running text (牵头单位：市住建局；配合单位：…)

The words are in data/headers.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import model_validator

from extractors.rules import RuleTable, alternation, load_rules

Column = Literal["deadline", "units", "task"]
LabelClass = Literal["lead", "responsible", "cooperate", "implement"]


class ColumnWords(RuleTable):
    """Words (substrings) of a column header, by what the column holds."""

    deadline: list[str]
    units: list[str]
    task: list[str]


class HeaderRules(RuleTable):
    columns: ColumnWords
    header_words: list[str]
    labels: dict[LabelClass, list[str]]
    past_words: list[str]
    target_words: list[str]

    @model_validator(mode="after")
    def _one_class_per_label(self) -> HeaderRules:
        seen: dict[str, str] = {}
        for cls, words in self.labels.items():
            for w in words:
                if seen.setdefault(w, cls) != cls:
                    raise ValueError(f"label {w!r} is in both {seen[w]!r} and {cls!r}")
        return self


RULES = load_rules(HeaderRules, "headers.yaml")
LABELS: dict[str, LabelClass] = {w: cls for cls, words in RULES.labels.items() for w in words}
_HEADER_WORDS = set(RULES.header_words)
# a header cell is a short label: no digits, no sentence punctuation
_MAX_LABEL = 10
_LABEL_PUNCTUATION = re.compile(r"[\d，。；、,.;:：！？]")
# a short label may list its kinds with 、 (街镇、园区), a longer cell with 、 is a list of names
_MAX_LISTING_LABEL = 6
# a year inside a label names a column of an indicator table (2028年目标, 2025年计划)
_LABEL_YEAR = re.compile(r"(?<!\d)\d{4}年")
# a label may end in a bracketed qualifier: its unit or period (面积（平方公里）, 重点任务（2024-2026）)
_LABEL_QUALIFIER = re.compile(r"(?<=.)[（(][^（）()]{1,12}[）)]$")


_TARGET_WORD = f"(?:{alternation(RULES.target_words)})"
_TARGET_YEAR = re.compile(rf"(?P<y>\d{{4}})年{_TARGET_WORD}|{_TARGET_WORD}[（(](?P<y2>\d{{4}})年?[）)]")


@dataclass(frozen=True, slots=True)
class HeaderClass:
    column: Column | None
    role: LabelClass | None


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def is_header_row(cells: list[str]) -> bool:
    """A header row: at least two cells, all short label words (序号, 主要工作任务, 责任单位,
    2028年目标)."""
    labels = [_LABEL_YEAR.sub("年", _LABEL_QUALIFIER.sub("", c)) for c in cells if c]
    return len(labels) >= 2 and all(len(c) <= _MAX_LABEL and not _LABEL_PUNCTUATION.search(
        c if len(c) > _MAX_LISTING_LABEL else c.replace("、", "")) for c in labels)


def is_past(label: str) -> bool:
    """A column header or table title of the past (2023年实际完成, 现状, 完成情况统计表): what was."""
    return any(w in label for w in RULES.past_words)


def repeats_header(cells: list[str], headers: list[str | None]) -> bool:
    """Whether the non-empty cells (compact text) are all header words or their own column's header."""
    return all(t in _HEADER_WORDS or (h and t == _compact(h)) for t, h in zip(cells, headers) if t)


def target_year(header: str | None) -> int | None:
    """The year of a column of targets, the whole header being the year and a target word
    (2030年目标, 目标值（2025年）); None for any other header (2025年, 2025年计划, 2023年实际完成)."""
    m = _TARGET_YEAR.fullmatch(_compact(header or ""))
    return int(m.group("y") or m.group("y2")) if m else None


_BARE_YEAR = re.compile(r"(?P<y>\d{4})年?")


def bare_year(header: str | None) -> int | None:
    """The year a header is and nothing else (2027年, 2027): one column of a plan's yearly targets."""
    m = _BARE_YEAR.fullmatch(_compact(header or ""))
    return int(m.group("y")) if m else None


def classify(header: str | None) -> HeaderClass:
    """What a column header says its cells hold (see the module doc). A time limit is checked first
    (完成时限 holds 时限 before anything else), then the bodies (责任单位), then the task; the role
    is the one label class the header names, None when it names none or several."""
    if not header:
        return HeaderClass(None, None)
    h = _compact(header)
    column: Column | None = None
    for name in ("deadline", "units", "task"):
        if any(w in h for w in getattr(RULES.columns, name)):
            column = name
            break
    roles = {cls for w, cls in LABELS.items() if w in h}
    return HeaderClass(column, roles.pop() if len(roles) == 1 else None)
