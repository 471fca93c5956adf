"""The doc type of a document: from its title's last word, else from a phrase of its body."""
from __future__ import annotations

import re

from extractors.metadata.vocabulary import RULES, DocType, compact

# (word, doc type), longest word first: 实施方案 must win over 方案, 答复函 over 函
TITLE_ENDINGS = sorted(((w, t) for t, ws in RULES.title_endings.items() for w in ws), key=lambda x: -len(x[0]))
# one or more bracketed qualifiers at the end of a title: （试行） （征求意见稿） （2021—2025年）
_TRAILING_PAREN_RE = re.compile(r"(?:\s*[（(][^（）()]{1,24}[)）])+$")


def doc_type_of_title(title: str | None) -> DocType | None:
    """The doc type a title's last word names (…的意见 -> opinion, …实施方案 -> plan), else None."""
    if not isinstance(title, str):
        return None
    t = _strip_title_tail(title)
    for word, kind in TITLE_ENDINGS:
        if t.endswith(word):
            return _letter_type(t) if kind == "other" and word == "函" else kind
    return None


def _letter_type(title: str) -> DocType:
    """A letter (函) is of the kind its subject says: one that hands a document over (关于印发…的函) is
    a notice, one that reports what was done with a request (…办理情况的函) a reply; else other."""
    for kind, words in RULES.letter_subjects.items():
        if any(w in title for w in words):
            return kind
    return "other"


def _strip_title_tail(title: str) -> str:
    t = compact(title).rstrip("。.;；")
    t = _TRAILING_PAREN_RE.sub("", t)
    return t.rstrip("》”\"")


def body_cue_type(text: str) -> DocType | None:
    """The doc type of the earliest body cue in the text (通知如下 -> notice), for a text without a
    title."""
    best: tuple[int, DocType] | None = None
    for kind, cues in RULES.body_cues.items():
        for cue in cues:
            i = text.find(cue)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, kind)
    return best[1] if best else None
