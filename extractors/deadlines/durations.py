"""Limits that are no calendar date: counted from an event (竣工验收合格后三个月内) or the event
itself (在工程竣工验收前), a duration in a deadline cell (3个月内), and the ongoing words (长期坚持).
"""
from __future__ import annotations

import datetime as dt

from extractors.base import ExtractContext, Match
from extractors.numerals import to_number
from extractors.deadlines.vocabulary import DeadlineValue, FIELD, RULES
from extractors import modality
from extractors.deadlines.grammar import (_CELL_DURATION, _CLAUSE_AFTER, _CLAUSE_BREAK, _COMMA, _EFFECTIVE_FROM_ISSUE,
    _EVENT_BEFORE, _EVENT_BEFORE_BARE, _EVENT_BEFORE_WORD, _EVENT_DURATION, _LEAD_DURATION, _LONGEST_DURATION,
    _MAX_DOER, _MAX_EVENT, _NOT_BARE_EVENT_END, _NOT_EVENT_END, _ONGOING, _ONGOING_CLAUSE, _ONGOING_PHRASE, _OWN_EVENT,
    _PERIODIC_LIMIT, _PLACE_AFTER, _RELATIVE_LEAD, _RESPONSE_TIME)
from extractors.deadlines.calendar import _MAX_DURATION, _add_duration
from extractors.deadlines.cues import _compact
from extractors.deadlines.years import first_periodic_due


def _event_start(text: str, anchor: int) -> int:
    """Start of the event a relative limit counts from: after the clause break or lead word
    before it (自/从 are kept: 自受理之日起…)."""
    lo = anchor
    while lo > 0 and anchor - lo < _MAX_EVENT and text[lo - 1] not in _CLAUSE_BREAK:
        lo -= 1
    start = lo
    for lead in _RELATIVE_LEAD.finditer(text, lo, anchor):
        start = max(start, lead.end())
    for i in range(anchor - 1, start - 1, -1):
        if text[i] in "自从":
            return i
    return start


def _periodic_candidates(text: str, ctx: ExtractContext) -> list[Match]:
    """Limits inside each period (每季度结束后10日内, 每季度最后一个月25日前): dated by their first due
    date on or after the issue date (else the plan's first day), as every recurring limit is."""
    found: list[Match] = []
    for m in _PERIODIC_LIMIT.finditer(text):
        if ctx.is_masked(m.start(), m.end()):
            continue
        anchor, source = ((ctx.issued_date, "issued") if ctx.issued_date else
                          (dt.date(ctx.plan_year, 1, 1), "title") if ctx.plan_year else (None, None))
        months = RULES.period_recurrences[m.group("every")]
        date = None
        if anchor is not None and m.group("n"):
            n, unit = to_number(m.group("n")), RULES.duration_units[m.group("unit")]
            if n is not None and 0 < n <= _MAX_DURATION and unit != "workday":
                date = first_periodic_due(anchor, months, after_end=(n, unit))
        elif anchor is not None:
            day = to_number(m.group("day"))
            if day is not None and 1 <= day <= 31:
                position = RULES.period_month_positions[m.group("position")]
                date = first_periodic_due(anchor, months, month_day=(position, int(day)))
        found.append(Match(FIELD, m.start(), m.end(), m.group(),
                           DeadlineValue(date, "by", "day" if date else None, _compact(m.group()),
                                         source if date else None)))
    return found


def _relative_candidates(text: str, ctx: ExtractContext) -> list[Match]:
    found: list[Match] = []
    periodic_ends = {m.end() for m in _PERIODIC_LIMIT.finditer(text)}
    for m in _EVENT_DURATION.finditer(text):
        if m.end() in periodic_ends:
            continue  # 每季度结束后10日内: a periodic limit (_periodic_candidates)
        anchor, q = m.group("anchor"), m.group("q")
        if anchor in RULES.expiry_anchors and q not in ("前", "之前", "以前"):
            continue
        if anchor not in RULES.expiry_anchors and q not in ("内", "以内", "之内"):
            continue
        n = to_number(m.group("n"))
        if n is None or not 0 < n <= _MAX_DURATION:
            continue
        start = _event_start(text, m.start())
        event = _compact(text[start:m.start()]).lstrip("自从")
        if not event or ctx.is_masked(start, m.end()):
            continue
        unit = RULES.duration_units[m.group("unit")]
        date = None
        if _OWN_EVENT.match(event) and anchor in RULES.own_issue_anchors and ctx.issued_date:
            date = _add_duration(ctx.issued_date, n, unit)
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface,
                           _counted_from_issue(date, surface)))
    for m in _LEAD_DURATION.finditer(text):
        n = to_number(m.group("n"))
        if n is None or not 0 < n <= _MAX_DURATION or ctx.is_masked(m.start(), m.end()):
            continue
        own = m.group("lead") in RULES.own_period_leads
        if m.group("q") == "时间" and not own:
            continue
        start = m.start() if own else m.start("span")
        # 力争三年内 counts from a start the text does not date (the work's own start, as often as the
        # document's): kept as a rule, never resolved
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface, _counted_from_issue(None, surface)))
    for m in _LONGEST_DURATION.finditer(text):
        n = to_number(m.group("n"))
        if n is None or not 0 < n <= _MAX_DURATION or ctx.is_masked(m.start(), m.end()):
            continue
        found.append(Match(FIELD, m.start(), m.end(), m.group(), _counted_from_issue(None, m.group())))
    return found


def _effective_from_issue_candidates(text: str, ctx: ExtractContext) -> list[Match]:
    """本方案自印发之日起执行: the document takes effect on its issue date, a start (dated only when
    the issue date is known: an undated start would match nothing a reader can use)."""
    if ctx.issued_date is None:
        return []
    return [Match(FIELD, m.start(), m.end(), m.group(),
                  DeadlineValue(ctx.issued_date, "start", "day", _compact(m.group()), "issued"))
            for m in _EFFECTIVE_FROM_ISSUE.finditer(text) if not ctx.is_masked(m.start(), m.end())]


def _event_before_candidates(text: str, ctx: ExtractContext) -> list[Match]:
    """在工程竣工验收前, 在项目开工前，…, 入园前应当…: a limit that is an event itself (date NULL, kind
    by); and a response time opening its clause (15分钟内到场), counted from the call."""
    found: list[Match] = []
    for m in _EVENT_BEFORE.finditer(text):
        event = m.group("event")
        # a modal in front binds it whatever the event (应当在变更之前); else the event must end in
        # an event word (在全国前列 is a place)
        if _NOT_EVENT_END.search(event) or not (_EVENT_BEFORE_WORD.search(event)
                                                 or m.group("modal") and not _PLACE_AFTER.match(text, m.end())):
            continue
        # a limit when a modal binds it (应当在…前; 在…前，应当…) or the duty follows at once
        # (在工程竣工验收前核查…); 在办理许可证前，严把关口 describes a practice
        if text[m.end():m.end() + 1] in ("，", ",") and not (m.group("modal") or _modal_binds(text, m.end())):
            continue
        start = m.start("event") - 1          # from 在: 在工程竣工验收前
        if ctx.is_masked(start, m.end()):
            continue
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface, DeadlineValue(None, "by", None, _compact(surface))))
    taken = {m.end for m in found}
    for m in _EVENT_BEFORE_BARE.finditer(text):
        if not _modal_binds(text, m.end()):
            continue
        start = m.start() - 1 if m.start() and text[m.start() - 1] == "在" else m.start()
        # the event's own words, after what qualifies it (…罚款等行政处罚决定前) and from its 在
        # (在治愈前或者在确诊排除传染病嫌疑前)
        event = m.group("event")
        after = max(event.rfind("等"), event.rfind("的")) + 1
        at = event.rfind("在")
        if at >= after and len(event) - at > 2:
            start = m.start() + at
        elif after and len(event) - after >= 2:
            start = m.start() + after
        if m.end() in taken or _NOT_BARE_EVENT_END.search(event) or ctx.is_masked(start, m.end()):
            continue
        surface = text[start:m.end()]
        found.append(Match(FIELD, start, m.end(), surface, DeadlineValue(None, "by", None, _compact(surface))))
    for m in _RESPONSE_TIME.finditer(text):
        start = m.start("n")
        if not ctx.is_masked(start, m.end()):
            found.append(Match(FIELD, start, m.end(), text[start:m.end()], _counted_from_issue(None, text[start:m.end()])))
    return found


def _modal_binds(text: str, at: int) -> bool:
    """Whether a must cue (modality.yaml, with its blockers) binds the limit that ends at `at`: right
    after it (入园前应当…), or after the comma there with at most the doer in between (…前，开发企业应当…)."""
    comma = _COMMA.match(text, at)
    start = comma.end() if comma else at
    clause = text[start:_CLAUSE_AFTER.match(text, start).end()]
    reach = _MAX_DOER if comma else 0
    return any(c.value == "must" and c.start <= reach for c in modality.cues(clause, ExtractContext()))


def _calendar_month(text: str, m) -> bool:
    """Whether a cell's 6月 is a month of the calendar, not six months: after a year (2024年6月) or
    opening a range of months (6月—12月)."""
    if m.group("unit") != "月":
        return False
    after = text[m.end():m.end() + 2].lstrip(" \u3000")
    return text[:m.start()].rstrip(" \u3000").endswith("年") or after.startswith(tuple(RULES.range_marks))


def _cell_duration_candidates(text: str, cells: list[tuple[int, int]], ctx: ExtractContext) -> list[Match]:
    found: list[Match] = []
    for cell_start, cell_end in cells:
        for m in _CELL_DURATION.finditer(text, cell_start, cell_end):
            n = to_number(m.group("n"))
            if n is None or not 0 < n <= _MAX_DURATION or ctx.is_masked(m.start(), m.end()):
                continue
            if _calendar_month(text, m):
                continue
            found.append(Match(FIELD, m.start(), m.end(), m.group(),
                               DeadlineValue(None, "by", None, _compact(m.group()))))
    return found


def _ongoing_candidates(text: str, cells: list[tuple[int, int]], ctx: ExtractContext) -> list[Match]:
    """The ongoing words in deadline cells (长期坚持, 常态化推进, 持续推进), the ongoing phrases
    anywhere (常态化开展…), and an ongoing word standing as a clause or bracket of its own
    (…日常巡查，持续推进。 / （长期）)."""
    found: list[Match] = []
    spans = [(m.start(), m.end()) for s, e in cells for m in _ONGOING.finditer(text, s, e)]
    spans += [(m.start(), m.end()) for m in _ONGOING_PHRASE.finditer(text)]
    spans += [m.span("word") if m.group("word") else m.span("bword") for m in _ONGOING_CLAUSE.finditer(text)]
    for start, end in spans:
        if not ctx.is_masked(start, end):
            found.append(Match(FIELD, start, end, text[start:end], DeadlineValue(None, "ongoing", None, None)))
    return found


def _counted_from_issue(date, surface: str) -> DeadlineValue:
    """A limit counted from an event: dated only when the event is the document's own issue."""
    return DeadlineValue(date, "by", "day" if date else None, _compact(surface), "issued" if date else None)
