"""What stands around a position of the compact text: where a unit may start, how far the place
name in front of it reaches, what follows it.
"""
from __future__ import annotations

import functools

from extractors.text import HAN_CHAR, CompactView, fold_brackets
from extractors.units.gazetteer import RULES, Level
from extractors.units.patterns import (_ARTICLE_AT_END, _BODY_FOLLOWER, _LEVEL_OF,
    _LEVEL_WORDS_LONGEST_FIRST, _NON_BODY_FOLLOWER, _PARENTHETICAL, _PARTICLE_AT_END, _PARTICLE_MAX, _PARTICLE_SET,
    _PLACE_LEVEL_CHARS, _PLACE_STOPS)


def _is_cjk(ch: str) -> bool:
    return bool(HAN_CHAR.match(ch))


@functools.lru_cache(maxsize=4096)
def _level_of(words: str | None) -> Level | None:
    """The level of a level part: its first level word (市和区、县 → city); qualifiers have none."""
    if not words:
        return None
    w = fold_brackets(words[1:] if words.startswith("各") and words[1:] else words)
    for word in _LEVEL_WORDS_LONGEST_FIRST:
        if w.startswith(word):
            return _LEVEL_OF[word]
    return None


def _starts_unit(v: CompactView, i: int) -> bool:
    """Whether a unit may start at i: a line start, a non-Chinese character, whitespace, a list
    connector or a particle such as 由/会同 in front (not 国土空间|规划委员会, not 个|人大)."""
    if i <= 0 or v.gap_before[i] or not _is_cjk(v.s[i - 1]):
        return True
    return _ends_with_particle(v.s, i) or _ARTICLE_AT_END.search(v.s, max(0, i - 16), i) is not None


def _ends_with_particle(s: str, i: int) -> bool:
    return _PARTICLE_AT_END.search(s, max(0, i - _PARTICLE_MAX), i) is not None


def _place_start(v: CompactView, start: int) -> int:
    """Extend a unit that begins with a level (区规划自然资源局) over the place names in front
    (重庆市江津区…, 国家税务总局山西省税务局); stops where no place name can stand."""
    s = v.s
    confirmed = start
    while True:
        parent = next((p for p in RULES.place.parent_prefixes if s.endswith(p, 0, start)), None)
        if parent:
            return start - len(parent)
        b = _place_name_start(v, start)
        if b is None:
            return confirmed
        confirmed = start = b
        # a name closed off by a level in front (重庆市|江津区) continues a longer place
        level_char = next((lc for lc in _PLACE_LEVEL_CHARS if s.endswith(lc, 0, start)), None)
        if level_char is None:
            parent = next((p for p in RULES.place.parent_prefixes if s.endswith(p, 0, start)), None)
            return start - len(parent) if parent else start
        start -= len(level_char)


def _place_name_start(v: CompactView, end: int) -> int | None:
    """Start of a 2–4 character place name ending at `end` (no function characters in it, a
    boundary, a level or a parent body in front), or None."""
    s = v.s
    known = next((p for p in RULES.place.names_with_stop_chars if s.endswith(p, 0, end)), None)
    if known and (_starts_unit(v, end - len(known))
                  or any(s.endswith(p, 0, end - len(known)) for p in RULES.place.parent_prefixes)):
        return end - len(known)
    for n in (2, 3, 4):
        b = end - n
        if b < 0:
            return None
        name = s[b:end]
        if not all(_is_cjk(c) and c not in _PLACE_STOPS for c in name) or name in _PARTICLE_SET:
            return None
        if (_starts_unit(v, b) or any(s.endswith(lc, 0, b) for lc in _PLACE_LEVEL_CHARS)
                or any(s.endswith(p, 0, b) for p in RULES.place.parent_prefixes)):
            return b
    return None


def _skip_parenthetical(s: str, i: int) -> int:
    m = _PARENTHETICAL.match(s, i)
    return m.end() if m else i


def _followed_by_body_word(s: str, i: int) -> bool:
    return bool(_BODY_FOLLOWER.match(s, i))


def _followed_by_noun(s: str, i: int) -> bool:
    return bool(_NON_BODY_FOLLOWER.match(s, i))
