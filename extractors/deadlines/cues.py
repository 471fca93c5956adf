"""Absolute dates weighed by the cues around them (前, 底, 起, 完成 …), and the spans where no date
is read.
"""
from __future__ import annotations

import datetime as dt
import re

from extractors.base import ExtractContext, Match
from extractors.deadlines.vocabulary import FIELD, RULES, DeadlineValue
from schemas.records import DeadlineKind, YearSource
from extractors.deadlines.grammar import (_CLAUSE_END, _DATE, _DATE_END_CHARS, _DONE, _EFFECTIVE,
    _REPEAL, _CLAUSE_FOLLOWS, _ITEM_OPENING, _LABEL_END, _LABEL_VALUE, _LIST_GAP, _NUMERIC_UNIT_AFTER,
    _PAST_MARKER, _PLAN_PERIOD_CLOSE, _PLAN_PERIOD_OPEN, _POST, _PRE, _RANGE_NAME, _RANGE_START, _TO_COMPLEMENT, _VALIDITY)
from extractors.deadlines.calendar import _Reading, _read
from extractors.deadlines.years import first_due, recurrence_anchor, year_for


# what makes a date a limit by its own words (…前, …完成)
_LIMIT_WORD = re.compile(r"前|完成")


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# 一九八〇年223号文件, 2019年第5号公告: the year of a document's number, no date
_DOC_SERIAL = re.compile(r"\s*第?\s*[\d〇○零一二三四五六七八九十百]+\s*号")


def _label_regions(text: str) -> list[tuple[int, int]]:
    """The value after a time-limit label (完成时限：2024年12月底前): read like a deadline cell."""
    return [(m.start("value"), m.end("value")) for m in _LABEL_VALUE.finditer(text)]


def _absolute_candidates(text: str, ctx: ExtractContext, cells: list[tuple[int, int]]) -> list[Match]:
    readings: list[tuple[re.Match, _Reading]] = []
    for m in _DATE.finditer(text):
        if ctx.is_masked(m.start(), m.end()):
            continue
        reading = _read(m)
        if reading is None:
            continue
        if m.group("year") is not None and m.group("month") is None and m.group("ypart") is None:
            # 2024年度, 2020年版: the year names something
            if text.startswith(tuple(RULES.year_name_suffixes), m.end()) or _DOC_SERIAL.match(text, m.end()):
                continue
        if m.group("nyear") is not None and _NUMERIC_UNIT_AFTER.match(text, m.end()):
            continue  # 2023.8万元: an amount
        readings.append((m, reading))
    years = [(m.start(), r.year) for m, r in readings if r.year is not None]
    shared = _list_cued(text, [m for m, _ in readings])

    found: list[Match] = []
    starts: list[tuple[int, dt.date]] = []  # stated starts (从2019年起), for recurring limits after them
    for m, reading in readings:
        cue = _weigh_cues(text, m, reading, cells, m.start() in shared,
                          dated=ctx.issued_date is not None or ctx.plan_year is not None)
        if cue is None:
            continue
        span_start, span_end, kind = cue
        surface = _compact(text[span_start:span_end])
        # in a time-limit cell a limit word (2021年3月底前) or a month (2019年3月 under 时间节点) states
        # the row's limit; a bare year (1995年) may describe
        value = _resolve(text, m.start(), reading, kind, surface, ctx, years, starts,
                         stated_limit=_inside(span_start, span_end, cells) and (
                             _LIMIT_WORD.search(surface) is not None or reading.precision in ("month", "day")))
        if value is None:
            continue
        if kind == "start" and value.date is not None:
            starts.append((m.start(), value.date))
        found.append(Match(FIELD, span_start, span_end, text[span_start:span_end], value))
    return found


def _list_cued(text: str, dates: list[re.Match]) -> set[int]:
    """Starts of the dates that share the cue of another date of their list (分别于3月25日、6月25日、
    11月30日前上报; 将于5月、10月组织: each date of the list is a limit)."""
    shared: set[int] = set()
    listed = [bool(_LIST_GAP.fullmatch(text, a.end(), b.start())) for a, b in zip(dates, dates[1:])]
    for i in range(len(dates) - 2, -1, -1):   # a cue after the last date: 3月25日、6月25日前
        if listed[i] and (dates[i + 1].start() in shared or _trailing_cue(text, dates[i + 1].end())):
            shared.add(dates[i].start())
    for i in range(len(dates) - 1):           # a cue before the first: 将于5月、10月组织
        if listed[i] and (dates[i].start() in shared or _leading_cue(text, dates[i].start())):
            shared.add(dates[i + 1].start())
    return shared


def _leading_cue(text: str, start: int) -> bool:
    pre = _PRE.search(text, max(0, start - 8), start)
    return bool(pre and pre.group("word") in RULES.by_prefixes)


# what follows a year that opens its sentence's task: a Chinese character that does not make the year
# a name, a period or a topic (2024年度, 2020年版, 2019年以来, 2024年的, 2024年是)
_TASK_AFTER_YEAR = re.compile(r"(?![度版以的是来起开始间中前后底末内]|初(?!步))[\u4e00-\u9fff]")


# what follows a year-less period that opens its task (一季度实现, 第四季度开展): not a topic or a
# report (上半年的, 一季度是, 上半年以来, 一季度工作, 上半年期间, 一季度中)
_TASK_AFTER_PERIOD = re.compile(r"(?![度的是来起前后底末内以中]|开始|工作|期间|同比|累计)[\u4e00-\u9fff]")


def _trailing_cue(text: str, end: int) -> bool:
    post = _POST.match(text, end)
    if post and post.group("word") in RULES.by_suffixes:
        return True
    return _DONE.match(text, post.end() if post else end) is not None


# the rest of a clause opened by 自/从 and a date that closes in 以来 (自2020年…开展评估以来，)
_SINCE_CLAUSE = re.compile(r"[^，,。；;：:\n]{0,40}?(?:以来|至今)")


def _weigh_cues(text: str, m: re.Match, reading: _Reading, cells: list[tuple[int, int]],
                list_cued: bool, dated: bool) -> tuple[int, int, DeadlineKind] | None:
    """(start, end, kind) of a date with the cues around it, or None when it is no deadline.
    `dated`: the document's date or year is known, so a stated date in the past can be told
    from a limit (2018年11月，国务院印发… opens a line as a plan's stage does)."""
    start, end = m.start(), m.end()
    pre = _PRE.search(text, max(0, start - 8), start)
    if pre and pre.group("word") == "到" and _TO_COMPLEMENT.search(text, max(0, pre.start("word") - 6),
                                                                     pre.start("word")):
        pre = None  # 纳入到本年度…: where it goes, not by when
    range_end = False
    if pre and pre.group("word") in RULES.range_connectors:
        range_end = _joins_dates(text, pre.start("word"))
        if not range_end and pre.group("word") not in RULES.by_prefixes:
            pre = None  # a dash not between two dates
    post = _POST.match(text, end)
    pre_word = pre.group("word") if pre else None
    post_word = post.group("word") if post else None
    if post_word in RULES.not_deadline_suffixes:
        return None
    if _in_validity_clause(text, start):
        return None  # 有效期至2028年5月31日: how long a document stays valid
    in_cell = _inside(start, end, cells)
    is_start = pre_word in RULES.start_prefixes or post_word in RULES.start_suffixes
    span_start = pre.start("word") if pre else start
    span_end = post.end() if post else end
    if range_end and _PLAN_PERIOD_OPEN.search(text, max(0, pre.start("word") - 12), pre.start("word")) \
            and _PLAN_PERIOD_CLOSE.match(text, span_end) and m.group("year") and not m.group("month"):
        return None  # （2024-2026年）: the period a plan covers, not a limit
    if range_end and m.group("year") and not m.group("month") and not m.group("ypart") \
            and _RANGE_NAME.match(text, end):
        return None  # 特制定2024—2026年三年行动计划: the period names the plan
    if post_word in RULES.by_suffixes and _PAST_MARKER.match(text, span_end):
        return None  # 2018年12月31日之前已完成转制的企业: done before then, a description
    done = _DONE.match(text, span_end)
    if done and not is_start:
        span_end = done.end()
    names_period = (m.group("ypart") or m.group("mpart") or m.group("rypart") or m.group("rmpart")
                    or m.group("lypart") or m.group("lmpart") or m.group("ympart") or m.group("bpart")
                    or m.group("relmpart"))
    if not is_start and post is None and _RANGE_START.match(text, end):
        return None  # 2023年6月至2024年12月: the start of a range has no cue of its own
    by_cue = pre_word in RULES.by_prefixes or post_word in RULES.by_suffixes
    if m.group("bpart") in RULES.nominal_year_ends and not (in_cell or by_cue or done or is_start) \
            and not _CLAUSE_FOLLOWS.match(text, end):
        return None  # 纳入年底效能目标考核, 年中和年末跟踪指导: the period names a review, no limit
    cued = (in_cell or is_start or done is not None or names_period is not None or range_end or by_cue
            or list_cued or ((dated or reading.year is None) and _is_stage_label(text, span_start, span_end))
            or (dated and m.group("year") and _opens_sentence_task(text, span_start, span_end))
            or (dated and _opens_with_period(text, m, span_start, span_end)))
    if not cued:
        return None
    if is_start and pre_word in RULES.by_prefixes:
        is_start = False  # 到2022年开始: the limit wins
    if is_start and _REPEAL.match(text, span_end):
        return None  # 自2024年1月1日起废止: another document ends
    if pre_word in RULES.start_prefixes and post_word is None and _SINCE_CLAUSE.match(text, span_end):
        return None  # 自2020年嘉定区开展…评估以来，: what has happened since, no start
    effective = _EFFECTIVE.match(text, span_end) if is_start else None
    if effective and effective.group("describes"):
        return None  # 自1997年2月5日起施行的《…》, 施行以来: the date describes a document
    # 本条例自2015年5月1日起施行: the document takes effect, a start like any other
    return span_start, span_end, ("start" if is_start else "by")


def _opens_sentence_task(text: str, start: int, end: int) -> bool:
    """A stated year (or month) that opens a sentence or clause right before its task, no comma
    between (。2020年初步建成300个示范性职业教育集团; 。2019年垃圾焚烧设施开工建设，2020年形成处置能力):
    the clause is due then.
    Years of the past are dropped later, against the issue date."""
    before = text[max(0, start - 3):start].rstrip(" \u3000")
    # not at a line's start: a line opening with a year is a title (2019年街镇生活垃圾分类目标任务分解表)
    # or a stage label (2026年4月，印发…: _is_stage_label)
    return bool(before) and before[-1] in "。；;，," and bool(_TASK_AFTER_YEAR.match(text, end))


def _opens_with_period(text: str, m: re.Match, start: int, end: int) -> bool:
    """A period without a year (一季度, 上半年, 第四季度; not 全年, a rate's span) that opens a sentence
    or clause of a dated plan before its task (。一季度实现…全覆盖; ，三季度基本建成…; 。下半年，全面推开…;
    a line that is a sentence: 上半年启动…。): the clause is due at the period's end, in the plan's
    year. A year-less period is never the past of the plan (EXTRACTION.md §deadlines)."""
    period = m.group("qpart")
    if period is None or period.startswith("全年"):
        return False
    before = text[max(0, start - 3):start].rstrip(" \u3000")
    line_start = text.rfind("\n", 0, start) + 1
    numbered = line_start < start and bool(_ITEM_OPENING.fullmatch(text, line_start, start))
    if not before or before[-1] == "\n" or numbered:
        line_end = text.find("\n", end)
        line = text[end:len(text) if line_end < 0 else line_end].rstrip()
        if not (line.endswith(("。", "；", ";")) or (numbered and re.search("[。；;]", line))):
            return False  # 上半年工作要点, （一）上半年重点工作: a heading names the period
        # 3. 二季度开展…专项排查。（牵头单位：…）: an item opened by its period, its bracket after
    elif before[-1] not in "。；;，,":
        return False
    if text.startswith(("，", ","), end) and before and before[-1] in "。；;":
        return bool(_TASK_AFTER_PERIOD.match(text, end + 1))  # 。下半年，全面推开…
    return bool(_TASK_AFTER_PERIOD.match(text, end))


def _is_stage_label(text: str, start: int, end: int) -> bool:
    """A date or period that opens an item of a plan and is followed by its task
    ((一)第一季度：做好项目立项工作; 2026年4月，印发…): the item is due then."""
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_ITEM_OPENING.fullmatch(text, line_start, start) and _LABEL_END.match(text, end))


def _resolve(text: str, start: int, reading: _Reading, kind: DeadlineKind, rule: str, ctx: ExtractContext,
             years: list[tuple[int, int]], starts: list[tuple[int, dt.date]],
             stated_limit: bool = False) -> DeadlineValue | None:
    """The value of a cued date: its year from the text, the plan's title or the issue date; None
    when the date does not exist or a stated "by" date lies before the issue date (the past) in
    prose. A limit stated in a time-limit cell (完成时限: 2021年3月底前, 时间节点: 2019年3月;
    `stated_limit`) is the row's limit even when the document came out after it (a plan issued in
    May for the year's work); a bare year in a table (1995年) still describes."""
    unresolved = DeadlineValue(None, kind, None, rule)
    if reading.recurring:
        if reading.every == "event":
            return _plan_relative(text, start, reading, kind, rule, ctx, years) if stated_limit else unresolved
        anchor, source = recurrence_anchor(text, start, starts, ctx.plan_year, ctx.issued_date)
        date = first_due(reading, anchor) if anchor else None
        if date is None:
            return unresolved
        precision = "month" if reading.every in ("quarter", "half") else reading.precision
        return DeadlineValue(date, kind, precision, rule, source)
    if reading.relative_month is not None:
        if ctx.issued_date is None:
            return unresolved
        total = ctx.issued_date.month - 1 + reading.relative_month
        year, month = ctx.issued_date.year + total // 12, total % 12 + 1
        reading = _Reading(year, (month, reading.first[1]), (month, reading.last[1]), reading.precision)
        source: YearSource = "issued"
    elif reading.relative_year is not None:
        # 今年, 明年: the document's own year (its date; the plan's year when it is undated)
        base = ctx.issued_date.year if ctx.issued_date else ctx.plan_year
        source = "issued" if ctx.issued_date else "title"
        if base is None:
            return unresolved
        year = base + reading.relative_year
    elif reading.year is not None:
        year, source = reading.year, "stated"
    else:
        year, source = year_for(text, start, years, ctx.plan_year, ctx.issued_date)
        if year is None:
            return unresolved
    date = reading.resolve(year, start=kind == "start")
    if date is None:
        return None
    if kind == "by" and source == "stated" and ctx.issued_date and date < ctx.issued_date and not stated_limit:
        return None  # a "by" date before the document was issued reports the past
    if kind == "by" and source == "stated" and not ctx.issued_date and ctx.plan_year and date.year < ctx.plan_year \
            and not stated_limit:
        return None  # likewise before the plan's year, when the issue date is unknown
    return DeadlineValue(date, kind, reading.precision, None, source)


def _plan_relative(text: str, start: int, reading: _Reading, kind: DeadlineKind, rule: str, ctx: ExtractContext,
                   years: list[tuple[int, int]]) -> DeadlineValue:
    """An event-relative date that opens a time-limit cell (完成时限 | 次年1月): no event stands before
    it, so its year counts from the plan's (deadlines.yaml event_year_offsets)."""
    unresolved = DeadlineValue(None, kind, None, rule)
    word = next((w for w in sorted(RULES.event_year_offsets, key=len, reverse=True) if text.startswith(w, start)), None)
    if word is None or (start > 0 and text[start - 1] not in "\t\n：:"):
        return unresolved
    base, source = year_for(text, start, years, ctx.plan_year, ctx.issued_date)
    date = reading.resolve(base + RULES.event_year_offsets[word], start=kind == "start") if base else None
    return DeadlineValue(date, kind, reading.precision, None, source) if date else unresolved


def _in_validity_clause(text: str, start: int) -> bool:
    """Whether a validity word (有效期) precedes `start` in the same clause."""
    lo = start
    while lo > 0 and start - lo < 30 and text[lo - 1] not in _CLAUSE_END:
        lo -= 1
    return _VALIDITY.search(text, lo, start) is not None


def _joins_dates(text: str, connector: int) -> bool:
    """Whether the range connector at `connector` follows a date (2023年6月—, 2023-)."""
    i = connector
    while i > 0 and text[i - 1] in " \u3000":
        i -= 1
    return i > 0 and text[i - 1] in _DATE_END_CHARS


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)
