"""The subject of a quota, best effort: the noun after the quantity, else between its basis and it,
else before it.
"""
from __future__ import annotations

from extractors.quotas.vocabulary import RULES
from extractors.quotas.grammar import _CJK_RUN, _NON_CJK, _SUBJECT_STOPS
from extractors.quotas.basis import _Basis
from extractors.quotas.reading import _Reading, _clause_end


def _strip_leading(rest: str, words: list[str]) -> str:
    changed = True
    while changed:
        changed = False
        for w in sorted(words, key=len, reverse=True):
            if rest.startswith(w):
                rest, changed = rest[len(w):], True
    return rest


def _np_after(text: str, pos: int, limit: int) -> str:
    """The noun a quantity is followed by: 20㎡|社区办公服务设施, 的标准配套建设|养老服务设施."""
    run = _CJK_RUN.match(_strip_leading(text[pos:limit], RULES.subject_after_skip))
    if not run:
        return ""
    noun = run.group(0)
    if noun.startswith(_SUBJECT_STOPS):
        return ""                         # 100万人|的大城市: the noun is before the quantity
    cut = len(noun)
    for w in _SUBJECT_STOPS:
        i = noun.find(w, 1)
        if 0 < i < cut and w != "的":     # 医养结合的养老机构 keeps its 的
            cut = i
    return noun[:cut]


def _np_between(text: str, basis: _Basis | None, lead_start: int) -> str:
    """The noun between a basis and its quantity: 人均|用地|不少于0.2平方米, 每千人|拥有养老床位|40张."""
    if basis is None:
        return ""
    run = _CJK_RUN.match(_strip_leading(text[basis.end:lead_start], RULES.subject_after_skip))
    noun = run.group(0) if run else ""
    changed = True
    while changed:                        # 人均|公园绿地面积达到|9平方米: the verb is no part of it
        changed = False
        for w in sorted(RULES.subject_trailing_words, key=len, reverse=True):
            if noun.endswith(w) and len(noun) > len(w):
                noun, changed = noun[:-len(w)], True
    return noun


def _np_before(text: str, left: int, lead_start: int) -> str:
    before = _NON_CJK.sub(" ", text[left:lead_start]).rstrip()
    changed = True
    while changed:
        changed = False
        for w in sorted(RULES.subject_trailing_words, key=len, reverse=True):
            if before.endswith(w):
                before, changed = before[:-len(w)].rstrip(), True
    cut = 0
    for w in RULES.subject_left_boundaries:
        i = before.rfind(w)
        if i >= 0 and len(before) - (i + len(w)) >= 2:
            cut = max(cut, i + len(w))
    segments = before[cut:].split()
    noun = segments[-1].lstrip("年度月日") if segments else ""
    return noun[-RULES.subject_max_len:]


def _subject(text: str, r: _Reading, left: int) -> str | None:
    """Best effort: the noun after the quantity, else between its basis and it, else before it."""
    noun = _np_after(text, r.end, _clause_end(text, r.end))
    if len(noun) < 2:
        noun = _np_between(text, r.basis, r.lead_start)
    if len(noun) < 2:
        noun = _np_before(text, left, r.start)
    noun = noun[:RULES.subject_max_len]
    return noun if len(noun) >= 2 else None
