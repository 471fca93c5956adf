"""Reading a text (extract) or one name (parse) into units."""
from __future__ import annotations

from extractors.base import ExtractContext, Match
from extractors.text import CompactView
from extractors.units.gazetteer import FIELD, UnitValue
from extractors.units.patterns import _PARTICLE_SET
from extractors.units.context import _level_of
from extractors.units.candidates import _Cand, _raw_candidates
from extractors.units.select import _select


def _to_match(v: CompactView, c: _Cand) -> Match:
    start, end = v.to_text(c.start, c.end)
    value = UnitValue(name=v.s[c.start:c.end], canonical=c.canonical, level=c.level, generic=c.generic)
    return Match(FIELD, start, end, v.text[start:end], value)


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every unit named in `text` (see the module doc), in text order, offsets into `text`."""
    if not text:
        return []
    v = CompactView(text)
    matches = [_to_match(v, c) for c in _select(v)]
    return [m for m in matches if not ctx.is_masked(m.start, m.end)]


def parse(surface: str, ctx: ExtractContext) -> UnitValue | None:
    """The canonical key of one name (市卫健委 → 卫生健康, 各区县 → 人民政府); None if it names no unit."""
    v = CompactView(surface)
    if not v.s:
        return None
    departments, others = _raw_candidates(v)
    cands = departments + others
    whole = [c for c in cands if c.start == 0 and c.end == len(v.s)]
    if whole:
        best = min(whole, key=lambda c: c.priority)
        return UnitValue(name=v.s, canonical=best.canonical, level=best.level, generic=best.generic)
    # a department behind what only qualifies it: its government (市政府法制办公室) or party
    # committee (省委编办)
    governments = {c.end: c for c in cands if c.start == 0 and c.kind == "government"}
    for c in sorted(cands, key=lambda c: (c.start, c.priority)):
        if c.end != len(v.s) or c.start == 0 or c.kind not in ("department", "group", "other"):
            continue
        qualifier = governments.get(c.start)
        if qualifier is not None or v.s[:c.start] in _PARTICLE_SET:
            level = c.level or (qualifier.level if qualifier else _level_of(v.s[:c.start]))
            return UnitValue(name=v.s, canonical=c.canonical, level=level, generic=c.generic)
    return None
