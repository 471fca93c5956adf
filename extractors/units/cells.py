"""Bodies of a units cell: a cell under 牵头部门 / 责任单位 / 实施主体 names bodies by its column
header, so an item of its list that ends in a body word is a body whatever its name: internal
divisions (设施养护处, 客运处), centres (道运中心, 市港航中心), associations (行业协会). Such a body
keeps its name as written, without a level or a street in front (市港航中心 → 港航中心, 街道消委办 →
消委办), as annotators key it.
What the unit extractor found keeps its reading; a bracket after a body names its divisions
(市交通委（科信处、宣传处）: the commission answers) and adds none; generic items (各相关部门和单位)
and items without a body word (——, 全市) add none.
"""
from __future__ import annotations

import re

from extractors.base import Match
from extractors.text import HAN
from extractors.units.gazetteer import FIELD, RULES, UnitValue
from extractors.units.patterns import _DEPT_LEVEL_RE, _alt

_ITEM = re.compile(f"[{HAN}]+")
_SEPARATORS = re.compile(f"(?:{_alt(RULES.list.connectors)})")
_BODY_END = re.compile(f"(?:{_alt(RULES.cell_bodies.suffixes)})$")
_NOT_BODY = re.compile(_alt(RULES.cell_bodies.not_body_words))
_TOWN = re.compile(_alt(RULES.cell_bodies.town_prefixes))
_OWN = re.compile(_alt(RULES.cell_bodies.own_prefixes))
_TOWN_NAME = re.compile(f"[{HAN}]{{2,4}}(?:{_alt(RULES.cell_bodies.town_suffixes)})")
_TOWN_KEY = RULES.local_authority.key  # 镇街


def _masked(text: str, start: int, end: int, known: list[Match]) -> str:
    """text[start:end] with known units and bracket contents blanked (offsets kept)."""
    chars = list(text[start:end])
    for m in known:
        for i in range(max(m.start, start), min(m.end, end)):
            chars[i - start] = " "
    depth = 0
    for i, ch in enumerate(chars):
        if ch in "（(":
            depth += 1
        if depth:
            chars[i] = " "
        if ch in "）)" and depth:
            depth -= 1
    return "".join(chars)


def _names(piece: str) -> list[str] | None:
    """The body names a piece is made of (a cell whose lines were joined: 设施运行处设施养护处 →
    设施运行处, 设施养护处); None when it does not end in a body word."""
    if _TOWN_NAME.fullmatch(piece):
        return [piece]                                   # 罗店镇, 吴淞街道
    if len(piece) < RULES.cell_bodies.min_chars or not _BODY_END.search(piece):
        return None
    for i in range(RULES.cell_bodies.min_chars, len(piece) - RULES.cell_bodies.min_chars + 1):
        if _BODY_END.search(piece[:i]):
            rest = _names(piece[i:])
            if rest:
                return [piece[:i]] + rest
    return [piece]


def cell_bodies(text: str, start: int, end: int, known: list[Match]) -> list[Match]:
    """The bodies of the units cell text[start:end] that `known` (the extractor's units) leaves out."""
    masked = _masked(text, start, end, known)
    known_ends = {m.end for m in known}
    out = []
    for run in _ITEM.finditer(masked):
        pos = run.start()
        glued = start + run.start() in known_ends
        for k, piece in enumerate(_SEPARATORS.split(run.group())):
            at = start + pos
            pos += len(piece)
            sep = _SEPARATORS.match(masked, pos)
            pos = sep.end() if sep else pos
            if k == 0 and glued:
                continue  # glued to a body found before it (市自然资源和规划局柯桥分局): its branch, no body of its own
            for name in _names(piece) or []:
                s, e = at, at + len(name)
                at = e
                if len(name) > RULES.cell_bodies.max_chars or _NOT_BODY.search(name):
                    continue
                # 市港航中心, 街道消委办; 局城市建设科: the issuing bureau's own division
                level = _DEPT_LEVEL_RE.match(name) or _TOWN.match(name) or _OWN.match(name)
                key = name[level.end():] if level and len(name) - level.end() >= 2 else name
                if _TOWN_NAME.fullmatch(name):
                    key = _TOWN_KEY                               # a town or street: 镇街
                out.append(Match(FIELD, s, e, text[s:e], UnitValue(name=name, canonical=key, level=None,
                                                                      generic=False)))
    return out
