"""The obligation builder's data: an obligation with the units, deadlines, quotas and citations
linked to it (extractors/obligations.py builds them,
extractors/duty_lists.py cuts one sentence's into one per duty).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors import roles
from extractors.base import Match


@dataclass
class LinkedUnit:
    match: Match
    role: str


@dataclass
class LinkedDeadline:
    match: Match
    scope: str  # own | item | row


@dataclass
class Obligation:
    start: int
    end: int
    source: str  # prose | table
    section_path: str
    block_index: int
    modality: str
    units: list[LinkedUnit] = field(default_factory=list)
    deadlines: list[LinkedDeadline] = field(default_factory=list)
    quotas: list[Match] = field(default_factory=list)
    citations: list[Match] = field(default_factory=list)


def roles_for(text: str, start: int, end: int, units: list[Match], header: str | None = None) -> list[LinkedUnit]:
    """Units of one clause, cell or bracket with their roles; a column header (配合单位) is one of
    the cues roles.assign_roles weighs, after a mark on the unit itself (X牵头)."""
    if not units:
        return []
    return [LinkedUnit(m, role) for m, role in zip(units, roles.assign_roles(text, start, end, units, header=header))
            if not roles.is_bystander(text, start, m, units)]


def merge_units(first: list[LinkedUnit], more: list[LinkedUnit]) -> list[LinkedUnit]:
    seen = {u.match.value.canonical for u in first}
    return first + [u for u in more if u.match.value.canonical not in seen]


def merge_columns(first: list[LinkedUnit], more: list[LinkedUnit]) -> list[LinkedUnit]:
    """Units of a table row's unit columns merged: a body listed both as cooperating (配合单位) and
    as carrying the task out (实施主体) carries it out; a lead stays a lead."""
    implementers = {u.match.value.canonical: u for u in more if u.role == "implement"}
    upgraded = [implementers.get(u.match.value.canonical, u) if u.role == "cooperate" else u for u in first]
    return merge_units(upgraded, more)



def text_outside(text: str, start: int, end: int, spans) -> str:
    """text[start:end] with the parts inside `spans` left out (assignment brackets)."""
    out, pos = [], start
    for s, e in sorted(spans):
        if e <= pos or s >= end:
            continue
        out.append(text[pos:max(pos, s)])
        pos = max(pos, e)
    out.append(text[pos:end] if pos < end else "")
    return "".join(out)
