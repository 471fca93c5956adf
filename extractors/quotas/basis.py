"""The basis of a rate: 每100户, 每百户, 每万人, 每个试点城市, 人均."""
from __future__ import annotations

from dataclasses import dataclass

from extractors.quotas.vocabulary import RULES, _UNIT_BY_FORM
from extractors.quotas.grammar import (_BASIS_NOUN, _BASIS_STOPS, _HEADS, _PER_CLASSIFIER, _PER_FIXED, _PER_NUMBER,
    _PER_PERIOD, _PER_PREFIX, _PER_UNIT, _number, _scaled)


@dataclass(frozen=True, slots=True)
class _Basis:
    start: int
    end: int
    per_value: float
    per_unit: str


def _basis_head(noun: str) -> str:
    """每个试点城市 → 城市, 每万名城镇常住人口 → 人: the unit of the listed head noun the basis
    ends with, else the noun as written."""
    for head, unit in _HEADS:
        if noun.endswith(head):
            return unit
    return noun


def _cut_at_stop(noun: str, stops: list[str]) -> str:
    cut = len(noun)
    for w in stops:
        i = noun.find(w, 1)
        if 0 < i < cut:
            cut = i
    return noun[:cut]


def _basis_at(text: str, start: int) -> _Basis | None:
    """The per-basis that starts at `start` (每…), or None when 每 is not followed by one."""
    m = _PER_PREFIX.match(text, start)
    if not m:
        return None
    pos = m.end()
    value = 1.0
    num = _PER_NUMBER.match(text, pos)
    if num and _number(num.group("num")) is not None:
        value = _number(num.group("num"))
        pos = num.end()
    classifier = _PER_CLASSIFIER.match(text, pos)
    unit = None if classifier else _PER_UNIT.match(text, pos)
    if unit:
        rule = _UNIT_BY_FORM[unit.group("unit")]
        if rule.kind == "ignored":
            return None
        return _Basis(start, unit.end(), _scaled(value, rule.factor), rule.unit)
    if classifier:
        pos = classifier.end()
    period = _PER_PERIOD.match(text, pos) if value == 1.0 else None
    if period:  # 每月开展不少于一次: the period is the basis, the verb after it is not
        return _Basis(start, period.end(), value, RULES.per_basis.periods[period.group(0)])
    noun = _BASIS_NOUN.match(text, pos)
    if not noun:
        return None
    word = _cut_at_stop(noun.group(0), _BASIS_STOPS).rstrip("的、")
    if not word:
        return None
    return _Basis(start, pos + len(word), value, _basis_head(word))


def _bases(text: str) -> list[_Basis]:
    found = []
    for m in _PER_PREFIX.finditer(text):
        basis = _basis_at(text, m.start())
        if basis:
            found.append(basis)
    for m in _PER_FIXED.finditer(text):
        found.append(_Basis(m.start(), m.end(), 1.0, RULES.per_basis.fixed[m.group(0)]))
    return sorted(found, key=lambda b: b.start)
