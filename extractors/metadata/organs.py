"""Issuing bodies (机关): whether a string is a body's name, and the bodies a line consists of.

A signature or letterhead line lists bodies separated by spaces or 、; readers that drop spaces
glue them together (江苏省发展改革委江苏省住房城乡建设厅), and PDFs letter-space a single name
(淄 博 市 人 民 政 府). The split is done by name shape (a body ends with 厅/局/委/人民政府 …, a second
one starts with an area or a level word), never by a list of known bodies.
"""
from __future__ import annotations

import re

from extractors.metadata.areas import (
    KNOWN_AREA_RE,
    leading_area_match,
    NATIONAL_PREFIXES,
    PREFIXES_BEFORE_AREA,
)
from extractors.metadata.doc_types import doc_type_of_title
from extractors.metadata.vocabulary import RULES, compact
from extractors.rules import alternation
from extractors.text import HAN

_ORGAN_SUFFIXES = tuple(sorted(RULES.organ_suffixes, key=len, reverse=True))
_ORGAN_CHARS_RE = re.compile(rf"^[{HAN}（）()]+$")
# a seal note beside a signature: （盖章）
_SEAL_RE = re.compile(rf"[（(]\s*(?:{alternation(RULES.seal_marks)})\s*[)）]")
# a character reference a web page printed as text (国务院办公厅 &sp;: a mistyped &nbsp;)
_ENTITY_RE = re.compile(r"&#?[A-Za-z0-9]{1,8};")


def organ_like(name: str) -> bool:
    """A plausible full or short name of an issuing body (ends 厅/局/委/人民政府 …, no punctuation)."""
    if not (2 <= len(name) <= 40) or not _ORGAN_CHARS_RE.match(name):
        return False
    if name.startswith(("各", "关于", "附件", "抄送", "联系")):
        return False
    if doc_type_of_title(name) is not None:
        return False
    return name.endswith(_ORGAN_SUFFIXES)


# a central ministry's name opening glued text (民政部办公厅); not the office of the body before it
_MINISTRY_START_RE = re.compile(rf"(?!办公|公厅|公室|厅|室)[{HAN}]{{2,8}}?(?:{alternation(RULES.ministry_suffixes)})")


def _starts_body_name(s: str) -> bool:
    """Where a second body's name may begin inside glued text: an area, 省/市/区/县 + name, 中共 …,
    a central ministry (民政部办公厅)."""
    if KNOWN_AREA_RE.match(s) or s.startswith((*PREFIXES_BEFORE_AREA, *NATIONAL_PREFIXES)):
        return True
    if _MINISTRY_START_RE.match(s):
        return True
    return len(s) >= 3 and s[0] in "省市区县"


def split_glued(name: str) -> list[str]:
    """江苏省发展改革委江苏省住房城乡建设厅 -> two bodies; 国家税务总局山西省税务局 stays one."""
    for k in range(2, len(name) - 1):
        head, tail = name[:k], name[k:]
        if head in PREFIXES_BEFORE_AREA or head.endswith(PREFIXES_BEFORE_AREA):
            continue
        if organ_like(head) and _starts_body_name(tail) and organ_like(tail):
            return [head, *split_glued(tail)]
    return [name]


def split_organs(line: str) -> list[str]:
    """The issuing bodies a line consists of (separated by spaces or 、, or glued together by a
    reader that removed the spaces); [] when the line is anything else."""
    if not isinstance(line, str):
        return []
    parts = [p for p in re.split(r"[\s、]+", _ENTITY_RE.sub(" ", _SEAL_RE.sub(" ", line)).strip()) if p]
    if not parts:
        return []
    if all(organ_like(p) for p in parts):
        return [n for p in parts for n in split_glued(p)]
    joined = "".join(parts)  # a letter-spaced name: 淄 博 市 人 民 政 府
    if len(parts) > 2 and all(len(p) <= 2 for p in parts) and organ_like(joined):
        return split_glued(joined)
    return []


def letterhead_organs(t: str) -> list[str]:
    """The bodies on a letterhead line (淄博市人民政府办公室文件; letter-spaced in a PDF)."""
    names = split_organs(t)
    if names:
        return names
    t = compact(t)
    for suffix in RULES.letterhead_suffixes:
        if t.endswith(suffix) and len(t) > len(suffix) + 2:
            return split_organs(t[: -len(suffix)])
    return []


def full_name_of(name: str, full_names: list[str]) -> str:
    """`name` as one of `full_names` writes it when both name the same body, else `name`: a
    signature 虹口区应急管理局 under a 发布单位 上海市虹口区应急管理局 is that body; 闵行区古美路街道
    办事处 is 上海市闵行区人民政府古美路街道办事处. Same body: the same area (the short name's
    area lies on the full name's line of descent) and the same name after the area."""
    short_area, short_end = leading_area_match(name)
    if short_area is None:
        return name
    for full in full_names:
        area, end = leading_area_match(full)
        if area is None or full == name or full[end:] != name[short_end:] or not name[short_end:]:
            continue
        if short_area.display in {a.display for a in area.lineage()}:
            return full
    return name
