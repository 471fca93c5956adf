"""What a table column holds and what a cell looks like: the scores that put the cells of a
flattened table into its columns (pipeline/readers/flattened_tables.py).

A column's class comes from its header words (序号 → number, 完成时限 → date, 牵头单位 → bodies,
单位 → measure or bodies, 2030年目标 → quantity, 指标名称 → label, 主要工作内容 → text, 备注 →
note); a cell's kinds from its content (a row number, a date or period, a list of bodies, a
quantity, a measurement unit, an explicit blank, short or long text). `fit(cell, column)` is the
cost (0 best, negative worse) of putting the cell in the column: no document's layout is
encoded, only what columns of each class hold. Vocabulary: data/flattened_tables.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

VOCABULARY_FILE = Path(__file__).parent / "data" / "flattened_tables.yaml"

ColumnClass = Literal["number", "date", "bodies", "measure", "quantity", "label", "text", "note"]
CLASSES: tuple[ColumnClass, ...] = ("number", "date", "bodies", "measure", "quantity", "label", "text", "note")


class TableVocabulary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    column_words: dict[ColumnClass, tuple[str, ...]]
    ambiguous_headers: dict[str, tuple[ColumnClass, ...]]
    task_words: tuple[str, ...]
    content_words: tuple[str, ...]
    header_modifiers: tuple[str, ...]
    header_heads: tuple[str, ...]
    body_suffixes: tuple[str, ...]
    measure_words: tuple[str, ...]
    period_words: tuple[str, ...]
    blank_marks: tuple[str, ...]
    number_placeholders: tuple[str, ...]
    note_starts: tuple[str, ...]
    row_key_endings: tuple[str, ...]
    total_rows: tuple[str, ...]

    @field_validator("task_words", "content_words", "header_modifiers", "header_heads", "body_suffixes", "measure_words", "period_words",
                     "blank_marks", "number_placeholders", "note_starts", "row_key_endings", "total_rows")
    @classmethod
    def _distinct(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        if any(not w or re.search(r"\s", w) for w in words):
            raise ValueError("entries are non-empty words without spaces")
        if len(set(words)) != len(words):
            raise ValueError(f"duplicate entries: {sorted(w for w in set(words) if words.count(w) > 1)}")
        return words

    @field_validator("column_words")
    @classmethod
    def _every_class(cls, words: dict) -> dict:
        missing = set(CLASSES) - set(words)
        if missing:
            raise ValueError(f"column_words lacks {sorted(missing)}")
        return words


@cache
def vocabulary() -> TableVocabulary:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return TableVocabulary.model_validate(yaml.load(VOCABULARY_FILE.read_text(encoding="utf-8"), Loader=loader))


# ------------------------------------------------------------------------------ columns

_SPACES = re.compile(r"\s+")


def column_classes(header: str) -> tuple[ColumnClass, ...]:
    """The classes a column may have by its header: one, two for an ambiguous header (单位), or
    none when no header word is known (the column takes anything)."""
    h = _SPACES.sub("", header)
    vocab = vocabulary()
    if h in vocab.ambiguous_headers:
        return vocab.ambiguous_headers[h]
    best: tuple[int, int, ColumnClass] | None = None
    for rank, cls in enumerate(CLASSES):
        for word in vocab.column_words[cls]:
            if word in h and (best is None or (len(word), -rank) > (best[0], -best[1])):
                best = (len(word), rank, cls)
    return (best[2],) if best else ()


def header_classes(labels: list[str]) -> list[tuple[ColumnClass, ...]]:
    """The classes of a table's columns: each by its header, and a task column left of a content
    column (重点任务 / 具体工作) holds names (label)."""
    vocab = vocabulary()
    classes = [column_classes(label) for label in labels]
    plain = [_SPACES.sub("", label) for label in labels]
    for k, label in enumerate(plain):
        if classes[k] != ("text",) or any(w in label for w in vocab.content_words) \
                or not any(w in label for w in vocab.task_words):
            continue
        if any(classes[m] == ("text",) and any(w in plain[m] for w in vocab.content_words)
               for m in range(k + 1, len(labels))):
            classes[k] = ("label",)
    return classes


# -------------------------------------------------------------------------------- cells

_CN = "一二三四五六七八九十"
# a cell that is only a row number: 1  *3  12.  3、 （1） (一) 一 一、 ①
ROW_NUMBER = re.compile(rf"[*＊]?(?:\d{{1,3}}[.．、]?|[（(]\d{{1,3}}[)）]|[（(][{_CN}]{{1,3}}[)）]|[{_CN}]{{1,3}}、?|[①-⑳])")
# a cell that opens with a numbering before its text: 1、改善城市道路环境  （1）建设精品道路300条。
NUMBERED = re.compile(rf"(?:\d{{1,3}}[、.．](?!\d)|[（(]\d{{1,3}}[)）]|[（(][{_CN}]{{1,3}}[)）]|[{_CN}]{{1,3}}、|行动[{_CN}\d]{{1,3}}[：:])")
_DATE = re.compile(r"(?:19|20)\d{2}\s*(?:年|\.|-|/|$)|\d{1,2}\s*月|[一二三四1-4]\s*季度")
_QUANTITY = re.compile(r"[约≥≤<>＞＜]?\s*[\d.,，、%％万亿千百+\-~～至/]+[\u4e00-\u9fff%％]{0,4}")
_SENTENCE = re.compile(r"[。；;！？!?]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_BODY_SPLIT = re.compile(r"[、，,；;/\s]|和|及|与")
_PAREN = re.compile(r"[（(][^（()）]*[)）]")

@dataclass(frozen=True)
class CellText:
    """A cell's text and what it looks like."""

    text: str
    kinds: frozenset[str]
    length: int


_PRIMARY = ("blank", "rownum", "date", "bodies", "measure", "quantity", "long", "short")


def primary_kind(cell: CellText) -> str:
    """The one kind a cell counts as in a column's profile."""
    return next((k for k in _PRIMARY if k in cell.kinds), "short")


def classify(text: str) -> CellText:
    t = _SPACES.sub("", text)
    vocab = vocabulary()
    kinds: set[str] = set()
    if t in vocab.blank_marks:
        kinds.add("blank")
        if t in vocab.number_placeholders:
            kinds.add("rownum")
    elif ROW_NUMBER.fullmatch(t):
        kinds.add("rownum")
        if t.isdigit():
            kinds.add("quantity")
    else:
        if t in vocab.measure_words:
            kinds.add("measure")
        if _QUANTITY.fullmatch(t) and sum(ch.isdigit() for ch in t) >= max(1, len(t) // 3):
            kinds.add("quantity")
        if is_period(t):
            kinds.add("date")
        if is_body_list(t):
            kinds.add("bodies")
        long = len(t) > 40 or bool(_SENTENCE.search(t.rstrip("。；;")))
        if long or len(t) > 20:
            kinds.add("long")
        elif not kinds & {"bodies", "date"}:  # a short list of bodies or a period is that, not any text
            kinds.add("short")
    return CellText(text, frozenset(kinds), len(t))


def is_period(t: str) -> bool:
    """2019年6月  全年推进  一季度完成  与国家安排同步: a date or period and at most a few more characters."""
    if len(t) > 18 or _SENTENCE.search(t):
        return False
    words = vocabulary().period_words
    rest = _DATE.sub("", t)
    for word in words:
        rest = rest.replace(word, "")
    return len(rest) < len(t) and len(_CJK.findall(rest)) <= 6


def is_body_list(t: str) -> bool:
    """区发展改革委、区规划资源局  各街镇（园区）  上海机场（集团）有限公司: most parts end with a body's suffix."""
    if len(t) > 160 or _SENTENCE.search(t) or not _CJK.search(t):
        return False
    suffixes = vocabulary().body_suffixes
    parts = [p for p in _BODY_SPLIT.split(_PAREN.sub("", t).rstrip("等")) if p]
    parts = [p[:-1] if p.endswith("等") else p for p in parts]
    named = sum(1 for p in parts if len(p) >= 2 and p.endswith(suffixes))
    return bool(parts) and named >= 0.6 * len(parts)


_STYLES = (
    ("（一）", re.compile(rf"[（(][{_CN}]{{1,3}}[)）]")),
    ("一、", re.compile(rf"[{_CN}]{{1,3}}[、．.]")),
    ("一", re.compile(rf"[{_CN}]{{1,3}}$")),
    ("（1）", re.compile(r"[（(]\d{1,3}[)）]")),
    ("1、", re.compile(r"\d{1,3}[、．.](?!\d)")),
    ("1", re.compile(r"[*＊]?\d{1,3}$")),
    ("①", re.compile(r"[①-⑳]")),
    ("行动一", re.compile(rf"行动[{_CN}\d]{{1,3}}")),
)


def numbering_style(text: str) -> str | None:
    """The kind of numbering a cell opens with (（一） 一、 一 （1） 1、 1 ① 行动一), or None: cells of
    one column share it, the levels going down from left to right."""
    t = _SPACES.sub("", text)
    return next((name for name, rx in _STYLES if rx.match(t)), None)


_CN_VALUE = {c: i for i, c in enumerate("一二三四五六七八九", 1)}


def row_number_value(text: str) -> int | None:
    """The value of a row number (12, （3）, 十四, （二十一）); None for anything else."""
    t = re.sub(r"[\s*＊（()）、．.]", "", text)
    if t.isdigit():
        return int(t)
    if not t or any(ch not in _CN_VALUE and ch != "十" for ch in t) or t.count("十") > 1:
        return None
    if "十" not in t:
        return _CN_VALUE[t] if len(t) == 1 else None
    tens, _, ones = t.partition("十")
    return (_CN_VALUE.get(tens, 0) if tens else 1) * 10 + (_CN_VALUE.get(ones, 0) if ones else 0)


def is_row_number(text: str) -> bool:
    return ROW_NUMBER.fullmatch(_SPACES.sub("", text)) is not None


def is_blank_mark(text: str) -> bool:
    return _SPACES.sub("", text) in vocabulary().blank_marks


# ------------------------------------------------------------------------------ the fit

# cost of a cell kind in a column class; a cell takes the best of its kinds; kinds not listed
# cost `_ELSE` of the class
_FIT: dict[str, dict[str, float]] = {
    "number": {"rownum": 0, "blank": -0.8, "quantity": -1.0},
    "date": {"date": 0, "blank": -0.3, "short": -1.5, "quantity": -2.0, "bodies": -2.5},
    "bodies": {"bodies": 0, "blank": -0.3, "short": -1.0},
    "measure": {"measure": 0, "blank": -0.3},
    "quantity": {"quantity": 0, "rownum": -0.5, "blank": -0.3, "date": -1.5, "measure": -2.0, "short": -2.0},
    "label": {"short": -0.1, "bodies": -0.3, "blank": -0.3, "date": -1.5, "quantity": -1.5, "rownum": -2.0},
    "text": {"long": 0, "short": 0, "blank": -0.3, "bodies": -1.2, "date": -1.2, "quantity": -1.5,
             "measure": -2.0},
    "note": {"blank": 0},
}
_ELSE = {"number": -3.5, "date": -3.0, "bodies": -3.0, "measure": -3.0, "quantity": -3.0, "label": -2.5,
         "text": -3.0, "note": -0.2}
_ANY = -0.2  # a column whose header says nothing known takes anything
# the longest cell a column of each class holds (characters): a longer line ends the table
MAX_LENGTH = {"number": 8, "date": 40, "bodies": 200, "measure": 10, "quantity": 30, "label": 60, "text": 800,
              "note": 800}


def fit(cell: CellText, classes: tuple[ColumnClass, ...]) -> float:
    """Cost of the cell in a column of these classes (the best class of an ambiguous header)."""
    if not classes:
        return 0.0 if "blank" in cell.kinds else _ANY
    best = -10.0
    for cls in classes:
        table = _FIT[cls]
        score = max((table[k] for k in cell.kinds if k in table), default=_ELSE[cls])
        if cls == "label" and "long" in cell.kinds:
            score = max(score, -1.0 if cell.length <= 40 else -1.5)
        if cls == "label" and cell.text.rstrip().endswith("。") and not NUMBERED.match(cell.text.lstrip()):
            score = min(score, -0.8)  # a name or title ends without 。; a sentence is content
        best = max(best, score)
    return best
