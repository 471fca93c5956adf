"""Context checks and overlap resolution: which candidates stand as units."""
from __future__ import annotations

import re

from extractors.rules import alternation
from extractors.text import CompactView
from extractors.units.gazetteer import RULES
from extractors.units.patterns import _BARE_GOVERNMENT_FOLLOWER, _CONNECTOR, _DOC_NUMBER_AFTER
from extractors.units.context import _followed_by_body_word, _followed_by_noun, _skip_parenthetical, _starts_unit
from extractors.units.candidates import _STANDALONE_SUFFIXES, _Cand, _raw_candidates
from extractors.units.lists import _after_lead_in, _department_units, _items_between


def _bare_government_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """A bare 政府 is a body when it acts: after 由 (由政府提供…), as a subject with a duty word after
    it (政府应当…), or joined to a body that acts (各级党委、政府及有关部门要…); elsewhere it is an
    adjective or a noun (政府投资建设的…, 政府和社会资本合作)."""
    s = v.s
    if s.endswith("由", 0, c.start):
        return True
    if not _starts_unit(v, c.start):
        return False
    if _BARE_GOVERNMENT_FOLLOWER.match(s, c.end):
        return True
    m = _CONNECTOR.match(s, c.end)
    partner = by_start.get(m.end()) if m else None
    return partner is not None and decided.get(partner.start, False)


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """The longest candidate wins, then the lower priority, then the earlier one."""
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), c.priority, c.start))
    occupied: set[int] = set()
    taken: list[_Cand] = []
    for c in ordered:
        span = range(c.start, c.end)
        if occupied.isdisjoint(span):
            taken.append(c)
            occupied.update(span)
    return sorted(taken, key=lambda c: c.start)


def _weak_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """社区/街道/试点城市: a body when a duty word follows, or when joined by 和/、 to such a body, or
    as the agent after 由/会同 (由村（居）民委员会…给予批评教育)."""
    s = v.s
    if not _starts_unit(v, c.start) and not s.endswith("所在", 0, c.start):
        return False
    if _after_lead_in(v, c.start) and not _followed_by_noun(s, c.end):
        return True
    return _subject_ok(v, c, by_start, decided)


# a body's officials (负责人, 负责同志): 负责 opens them, but the body is no subject before them
_OFFICIALS = tuple(RULES.official_words)
# X是…的责任主体 / X是…第一责任人: a body named as the one responsible is the subject of what follows
_NAMED_RESPONSIBLE = re.compile(rf"是[^，,。；;：:\n]{{0,30}}?(?:{alternation(RULES.responsibility_nouns)})")


def _subject_ok(v: CompactView, c: _Cand, by_start: dict[int, _Cand], decided: dict[int, bool]) -> bool:
    """A duty word follows, or a connector and a unit that is a body (社区居委会、业主委员会、物业服务企业要…)."""
    s = v.s
    if _followed_by_body_word(s, c.end):
        return not s.startswith(_OFFICIALS, c.end)  # 养老服务机构负责人要…: its officials, not the body
    if _NAMED_RESPONSIBLE.match(s, c.end):
        return True  # 建设单位是配套设施建设的责任主体，应当…
    m = _CONNECTOR.match(s, c.end)
    if m:
        partner = by_start.get(m.end())
        if partner is not None:
            return decided.get(partner.start, False)
    return False


def _territorial_ok(v: CompactView, c: _Cand) -> bool:
    """A government, plural area or town body, unless a noun follows it (市政府工作报告, 各地实际)."""
    i = _skip_parenthetical(v.s, c.end) if c.kind == "plural" else c.end
    return not _followed_by_noun(v.s, i)


def _alone(v: CompactView, c: _Cand) -> bool:
    """Whether a candidate ends its cell or line (a 实施主体 column's cell)."""
    return c.end == len(v.s) or v.s[c.end] in "\n\t"


def _titles_duties(v: CompactView, c: _Cand) -> bool:
    """Whether the candidate heads a list of its own duties (2.1.1国家粮食应急工作指挥部职责, …指挥部
    主要职责：): followed by a duties word that ends its line."""
    for word in RULES.named_bodies.duties_titles:
        end = c.end + len(word)
        if v.s.startswith(word, c.end) and (end == len(v.s) or v.s[end] in "\n\t：:"):
            return True
    return False


_OVERSEERS = tuple(RULES.other_body_overseers)
_ADVERB_FOLLOWERS = tuple(RULES.named_bodies.adverb_followers)


def _select(v: CompactView) -> list[_Cand]:
    atoms, others = _raw_candidates(v)
    departments = _department_units(v, atoms)
    chosen = _resolve(departments + others)
    starts = {c.start for c in chosen}
    by_start = {c.start: c for c in chosen}
    decided: dict[int, bool] = {}
    for c in sorted(chosen, key=lambda c: -c.start):  # right to left: a partner is decided first
        if c.kind in ("government", "bare_government") and v.s.startswith("各", c.end):
            decided[c.start] = False  # 区政府各委、办、局: the government only qualifies its departments
            continue
        if c.kind in ("government", "bare_government", "plural", "strong") and c.end in starts and \
                not (c.kind == "plural" and v.s.startswith("各", c.end)):
            # 省人民政府住房和城乡建设主管部门: the government only qualifies the department, and
            # lends it its level
            decided[c.start] = False
            following = by_start[c.end]
            if following.level is None:
                following.level = c.level
            continue
        if c.kind == "weak":
            decided[c.start] = _weak_ok(v, c, by_start, decided)
        elif c.kind == "bare_government":
            decided[c.start] = _bare_government_ok(v, c, by_start, decided)
        elif c.kind in ("government", "plural", "strong"):
            decided[c.start] = _territorial_ok(v, c)
        elif c.kind == "other":
            # 建设单位要…, not 向建设单位提供, nor 督促施工单位对… (the body overseen)
            decided[c.start] = _subject_ok(v, c, by_start, decided) and not v.s.endswith(_OVERSEERS, 0, c.start)
        elif c.kind == "named":
            # a named body acts (申通集团配合…) or stands alone in its cell or line (a 实施主体 column)
            # (one named by its kind alone, 工作专班, must act: 专班 alone on a line ends a wrapped name)
            # or is the agent after 由/会同 (由中国农业发展银行会同中国储备粮管理总公司及时清算…)
            decided[c.start] = _subject_ok(v, c, by_start, decided) or _titles_duties(v, c) \
                or v.s.startswith(_ADVERB_FOLLOWERS, c.end) or (
                _alone(v, c) and v.s[c.start:c.end] not in _STANDALONE_SUFFIXES) or (
                _after_lead_in(v, c.start) and not _followed_by_noun(v.s, c.end))
        elif c.kind == "local":
            decided[c.start] = (_alone(v, c) or _followed_by_body_word(v.s, c.end)) \
                and not _followed_by_noun(v.s, c.end) and not v.s.startswith(tuple(RULES.local_authority.not_before), c.end)
        else:
            decided[c.start] = True
    # a named body closing a list of bodies (…、铁路局、中国铁路总公司）) is one of them: the list's
    # members are read right to left, so this is settled once its left neighbour is
    by_end = {c.end: c for c in chosen}
    for c in sorted(chosen, key=lambda c: c.start):
        if c.kind == "named" and not decided[c.start] and c.start > 0 and v.s[c.start - 1] == "、":
            left = by_end.get(c.start - 1)
            decided[c.start] = left is not None and decided.get(left.start, False) and not left.generic
    kept = [c for c in chosen if decided[c.start] and not _DOC_NUMBER_AFTER.match(v.s, c.end)]
    if not any(c.canonical == RULES.local_authority.key and c.kind != "local" for c in kept):
        kept = [c for c in kept if c.kind != "local"]  # 属地 names the 镇街 only where the text names them
    _share_levels(v, [c for c in kept if c.kind in ("department", "bare")])
    return kept


def _runs(v: CompactView, departments: list[_Cand]) -> list[list[_Cand]]:
    """Departments joined by connectors (and items that are no unit) into runs."""
    runs: list[list[_Cand]] = []
    for c in departments:
        if runs and _items_between(v, runs[-1][-1].end, c.start) is not None:
            runs[-1].append(c)
        else:
            runs.append([c])
    return runs


def _share_levels(v: CompactView, departments: list[_Cand]) -> None:
    """Items of a list without a level of their own take the one before (市教育、民政 → 市;
    省人民政府发展改革、财政等部门 → 省, lent by the government)."""
    for chain in _runs(v, departments):
        level = None
        for c in chain:
            if c.level_text or (c.level and level is None):
                level = c.level
            elif c.level is None:
                c.level = level
