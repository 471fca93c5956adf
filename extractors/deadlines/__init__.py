"""Deadlines: every time limit in a text (docs/EXTRACTION.md §deadlines is the spec).

Public API:
    DeadlineValue(date: date | None, kind: "by" | "ongoing" | "start",
                  precision: "day" | "month" | "year" | None, relative: str | None,
                  year_source: "stated" | "title" | "issued" | None)
    extract(text, ctx) -> list[Match]          field "deadline"
    parse(surface, ctx) -> DeadlineValue | None
    plan_year(title) -> int | None             the plan's year as its title states it

What is a deadline:
  * an absolute date or period with a cue: 2020年4月10日前, 到2025年, 于2024年2月29日前,
    2020年9月底, 2020年年底, 2021年上半年, 力争2025年, 2020 年底 完成. A period means its last
    day (年底 -> 12-31, 三季度末 -> 09-30); "X年前" means by the end of year X, like 到X年.
    Dates listed before a cued one share its cue (分别于3月25日、6月25日、9月25日前); a date or
    period that opens a plan's item before its task is its stage ((一)第一季度：…; 2026年4月，印发…).
  * a start: 自2022年起, 从2022年1月1日起, 2022年开始启动 -> the period's first day, kind "start";
    so is the date a document takes effect (本条例自2015年5月1日起施行; 自印发之日起执行 -> the
    issue date), not one that describes another document (自…起施行的《…》, 自…起废止);
  * a recurring limit (每年1月31日前, 每月10日前, 每季度末): its first due date on or after the
    start stated before it, else the issue date, else the plan's year (`relative` keeps the rule);
  * a limit counted from an event: 竣工验收合格后三个月内, 自受理之日起二十个工作日内, or the event
    itself (在工程竣工验收前, 在项目开工前，…) -> date None,
    kind "by", `relative` = the rule; counted from the document's own issue (自印发之日起30日内)
    it is resolved against ctx.issued_date (None when unknown; working days are never resolved);
  * a five-year plan period: 到“十四五”末, “十四五”期间，… -> its last day (plan_periods.py);
  * inside ctx.deadline_cells, or after a label such as 完成时限：, any date or period (2023.8 ->
    2023-08-31, 2020年年底) and the ongoing words (长期坚持, 常态化 -> kind "ongoing").
What is not: a date without a cue outside a deadline cell (signature dates, 发文日期, 来源 lines),
years inside document numbers, standard codes or 《titles》 (ctx.masked: extractors/fields.py
masks every citation and every 《name》 before deadlines are read), quantity ranges (0.5-1.2万人, 5-10分钟), years that
name something (2024年度, 2020年版), "since" dates (2019年以来; 自2020年…开展评估以来，), a plan's period in brackets
((2024-2026年)), a bare 年底 naming a review (纳入年底考核), and a "by" date with a stated year
earlier than ctx.issued_date (a past event, not a limit).
A date without a year (5月31日前, 年内, 一季度) takes the nearest previous year written in the same
block (line) of the text, else ctx.plan_year (the plan's title), else ctx.issued_date's year, else
it stays unresolved (date None); `year_source` says which (years.py). Never today.
"""
from __future__ import annotations

import unicodedata

from extractors.base import ExtractContext, Match, filter_spans
from extractors.deadlines.vocabulary import FIELD, RULES, DeadlineRules, DeadlineValue
from extractors.deadlines.cues import _absolute_candidates, _label_regions
from extractors.deadlines.durations import (_cell_duration_candidates, _effective_from_issue_candidates,
    _event_before_candidates,
    _ongoing_candidates, _periodic_candidates, _relative_candidates)
from extractors.deadlines.plan_periods import plan_period_candidates
from extractors.deadlines.years import plan_year

__all__ = ["FIELD", "RULES", "DeadlineRules", "DeadlineValue", "extract", "parse", "plan_year"]


def _valid_cells(text: str, spans) -> list[tuple[int, int]]:
    return [(max(0, s), min(len(text), e)) for s, e in spans if isinstance(s, int) and isinstance(e, int) and s < e]


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every time limit in `text` (see module doc); [] when there is none."""
    if not isinstance(text, str) or not text:
        return []
    cells = _valid_cells(text, ctx.deadline_cells) + _label_regions(text)
    candidates = (_periodic_candidates(text, ctx)
                  + _absolute_candidates(text, ctx, cells)
                  + _relative_candidates(text, ctx)
                  + _event_before_candidates(text, ctx)
                  + _effective_from_issue_candidates(text, ctx)
                  + _cell_duration_candidates(text, cells, ctx)
                  + _ongoing_candidates(text, cells, ctx)
                  + plan_period_candidates(text, ctx))
    return filter_spans(candidates)


def parse(surface: str, ctx: ExtractContext) -> DeadlineValue | None:
    """The deadline a surface states, read as if it stood in a deadline cell
    (parse("2023.8") -> 2023-08-31, month; parse("长期坚持") -> ongoing). None when the surface is
    not a time limit through and through: every character other than spaces and punctuation must
    belong to a deadline (so a task cell that merely mentions 长期 is not one)."""
    if not isinstance(surface, str) or not surface.strip():
        return None
    cell_ctx = ExtractContext(issued_date=ctx.issued_date, plan_year=ctx.plan_year, deadline_cells=[(0, len(surface))])
    matches = extract(surface, cell_ctx)
    if not matches:
        return None
    covered = set()
    for m in matches:
        covered.update(range(m.start, m.end))
    if any(i not in covered and not _is_filler(ch) for i, ch in enumerate(surface)):
        return None
    return max(matches, key=lambda m: m.end - m.start).value


def _is_filler(ch: str) -> bool:
    """Spaces and punctuation: what may surround a deadline in a cell."""
    return ch.isspace() or unicodedata.category(ch).startswith("P")
