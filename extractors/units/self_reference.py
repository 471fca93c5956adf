"""Self-references (我局, 我委, 本机关): the issuer speaking of itself."""
from __future__ import annotations

import re

from extractors.base import ExtractContext, Match
from extractors.text import CompactView
from extractors.units.gazetteer import FIELD, RULES, UnitValue
from extractors.units.patterns import _alt
from extractors.units.context import _followed_by_noun, _starts_unit
from extractors.units.read import parse


_SELF_REFERENCE = re.compile(
    f"(?P<own>{_alt(RULES.self_reference.prefixes)})(?P<head>{_alt(RULES.self_reference.heads)})")
# 本部门 is a department's own staff speaking, 我委员 no office: what may not follow the reference
_REFLEXIVE = frozenset(RULES.self_reference.reflexive)
_SELF_NOT_AFTER = re.compile(f"(?:{_alt(RULES.self_reference.not_after)})")


def _issuer_for(head: str, issuers: list[str]) -> str | None:
    """The issuer a self-reference names: the only one whose name ends in a form of the reference's
    head (我局 → …局, 我委 → …委员会 / …委, 我府 → …人民政府); 我们 names a sole issuer. A head no
    issuer fits speaks for someone else (a forwarded report's 我局 under a 国务院办公厅 cover): None."""
    names = [re.sub(r"\s+", "", i) for i in issuers if i and i.strip()]
    endings = tuple(RULES.self_reference.heads.get(head) or [])
    if not endings:
        return names[0] if len(names) == 1 else None
    fitting = [n for n in names if n.endswith(endings)]
    return fitting[0] if len(fitting) == 1 else None


def resolve_self(name: str, issuers: str | list[str] | tuple[str, ...]) -> UnitValue | None:
    """The unit a self-reference stands for (我局 in a reply of 江津区规划和自然资源局 → 自然资源,
    district), given the document's issuer(s); None when `name` is no self-reference or the issuer
    is unknown, ambiguous (a joint document's 我委 with two 委 issuers) or names no unit."""
    compact = re.sub(r"\s+", "", name or "")
    m = _SELF_REFERENCE.fullmatch(compact)
    if not m:
        return None
    issuer = _issuer_for(m["head"], [issuers] if isinstance(issuers, str) else list(issuers or []))
    value = parse(issuer, ExtractContext()) if issuer else None
    if value is None or value.generic:
        return None
    return UnitValue(name=compact, canonical=value.canonical, level=value.level, generic=False)


# the body whose document a cover notice forwards: 转发国家地震局关于… / 批转国家计委《…》
_FORWARDED = re.compile(f"(?:{_alt(RULES.self_reference.forwarding_verbs)})(?P<body>[\u4e00-\u9fff]{{2,20}}?)(?:关于|《)")


def speakers(issuers: str | list[str] | tuple[str, ...], title: str | None) -> list[str]:
    """Whose voice a self-reference may be: the issuers, and the author of a report the document
    forwards (国务院办公厅转发国家地震局关于…的通知 -> 国家地震局), whose 我局 its text keeps. A
    reference fitting one of them only is resolved (resolve_self)."""
    own = [issuers] if isinstance(issuers, str) else list(issuers or [])
    m = _FORWARDED.search(re.sub(r"\s+", "", title or ""))
    if m is None or "等" in m["body"]:
        return own
    value = parse(m["body"], ExtractContext())
    return own + [m["body"]] if value is not None and not value.generic and m["body"] not in own else own


def self_references(text: str, issuers: str | list[str] | tuple[str, ...], ctx: ExtractContext) -> list[Match]:
    """Every self-reference in `text` resolved against the issuer(s) (see resolve_self), offsets into
    `text`; [] when the issuer cannot be resolved. extract() does not return these: it does not know
    the issuer."""
    if not text:
        return []
    v = CompactView(text)
    out = []
    for m in _SELF_REFERENCE.finditer(v.s):
        if not _starts_unit(v, m.start()) or _followed_by_noun(v.s, m.end()) \
                or _SELF_NOT_AFTER.match(v.s, m.end()) or m.group() in _REFLEXIVE:
            continue
        start, end = v.to_text(m.start(), m.end())
        value = resolve_self(m.group(), issuers)
        if value is not None and not ctx.is_masked(start, end):
            out.append(Match(FIELD, start, end, text[start:end], value))
    return out
