"""The grammar of dates, cues and durations: regex fragments composed from the vocabulary, compiled
once at import.
"""
from __future__ import annotations

import re

from extractors.numerals import NUMBER
from extractors.rules import alternation
from extractors.deadlines.vocabulary import RULES


# Leftover spaces and wrapped lines inside a date (2020 年 4 月 10 日, "2020\n\n年"); never a tab,
# which separates table cells.
_S = r"[^\S\t]{0,4}"
_CN_DIGIT = "〇○零一二三四五六七八九"
_DASHES = "\\-－—‐–~～"
# A year: four Arabic digits or four Chinese digits (二〇二〇), not glued to a longer number,
# a code (543-2014) or a decimal.
_YEAR = (
    rf"(?<![\d.．/A-Za-z{_CN_DIGIT}十])"
    # a dash before a year only when it joins two dates (2023-2025年), never inside a code (543-2014)
    rf"(?<![^\d年月日号][{_DASHES}])(?<!^[{_DASHES}])"
    rf"(?:\d{{4}}|[{_CN_DIGIT}]{{4}})(?!\d)"
)
_MONTH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"


def _periods(table: dict) -> str:
    """An alternation of period words, longest first, each unless followed by one of its
    not_before words (初 but not 初步)."""
    return "|".join(re.escape(word) + (f"(?!{alternation(period.not_before)})" if period.not_before else "")
                    for word, period in sorted(table.items(), key=lambda kv: -len(kv[0])))


_YEAR_PERIOD = rf"(?:年?(?:{_periods(RULES.year_periods)})(?:{_S}(?:{alternation(RULES.period_end_suffixes)}))?)"
_MONTH_PERIOD = _periods(RULES.month_periods)
# A weekday in brackets after a day: 6月15日（星期四）前
_WEEKDAY = r"(?:[（(](?:星期|周|礼拜)[一二三四五六日天][）)])"
_MONTH_TAIL = (
    rf"{_S}月(?:{_S}份)?(?:{_S}(?P<{{p}}day>{_DAY}){_S}[日号](?:{_S}{_WEEKDAY})?"
    rf"|{_S}(?P<{{p}}mpart>{_MONTH_PERIOD}))?"
)


def _month_tail(prefix: str) -> str:
    """月, optional 份, then a day (10日) or a part of the month (底, 上旬), with named groups
    prefixed so that the alternatives below can each have their own."""
    return _MONTH_TAIL.replace("{p}", prefix)


# Characters that, before 年底/年内, show the 年 belongs to a duration or another word
# (一年内, 两年内, 数年内, 每年年底, 全年, 近年, 周年, 一个自然年内, 学年内).
_NOT_BEFORE_BARE_PERIOD = rf"\d年{_CN_DIGIT}两几数多十百个每今本明当次全上下半去往近翌周然学"

_DATE = re.compile(
    # 2020年4月10日, 2020年9月底, 2020年年底, 二〇二〇年四月, 2022年
    rf"(?P<year>{_YEAR}){_S}年(?:{_S}(?P<month>{_MONTH}){_month_tail('')}"
    rf"|{_S}(?P<ypart>{_YEAR_PERIOD}))?"
    # 每年3月31日前, 次年1月底: a recurring date, or one relative to an event's year
    rf"|(?P<recur>{alternation(RULES.recurring_prefixes)}){_S}(?:(?P<rmonth>{_MONTH}){_month_tail('r')}"
    rf"|(?P<rypart>{_YEAR_PERIOD}))"
    # 每月10日前, 次月15日前: a recurring day of the month
    rf"|(?P<mrecur>{alternation(RULES.recurring_month_prefixes)}){_S}(?P<mrday>{_DAY}){_S}[日号]"
    # 本月底前, 下月10日前
    rf"|(?P<relmonth>{alternation(RULES.relative_months)})(?:{_S}(?P<relmday>{_DAY}){_S}[日号]|{_S}(?P<relmpart>{_MONTH_PERIOD}))?"
    # 今年年底, 本年底, 明年上半年, 今年9月底, 明年3月1日, 今年
    rf"|(?P<relyear>{alternation(RULES.relative_years)})(?:{_S}(?P<lmonth>{_MONTH}){_month_tail('l')}"
    rf"|{_S}(?P<lypart>{_YEAR_PERIOD}))?"
    # 5月31日, 9月底, 8月 (the year comes from the context)
    rf"|(?<![\d年{_CN_DIGIT}十个第每])(?P<ymonth>{_MONTH}){_month_tail('y')}"
    # 年底前, 年内 (the year comes from the context)
    rf"|(?<![{_NOT_BEFORE_BARE_PERIOD}])(?P<bpart>年(?:底|末|内))"
    # 三季度末前, 下半年起 (the year comes from the context; needs a cue)
    rf"|(?<![{_NOT_BEFORE_BARE_PERIOD}第])(?P<qpart>(?:{alternation(RULES.yearless_periods)})"
    rf"(?:{_S}(?:{alternation(RULES.period_end_suffixes)}))?)"
    # 2023.8, 2020-04-10, 2020/4/10, 2019.08.31
    rf"|(?<![\d.．/\-－—‐–])(?P<nyear>\d{{4}})(?P<sep>[.．/\-－])(?P<nmonth>\d{{1,2}})"
    rf"(?:(?P=sep)(?P<nday>\d{{1,2}}))?(?![\d.．/\-－]\d|\d)"
)

_PRE = re.compile(
    rf"(?P<word>{alternation(RULES.by_prefixes + RULES.start_prefixes + RULES.neutral_prefixes + RULES.range_connectors)}){_S}$"
)
# 纳入到 / 分解到: a verb 到 completes, before the 到 that precedes a date
_TO_COMPLEMENT = re.compile(rf"(?:{alternation(RULES.to_complement_verbs)}){_S}$")
# What stands before a range connector when it joins two dates.
_DATE_END_CHARS = "年月日号底末0123456789０１２３４５６７８９"
# After a date: a range connector and the next date (…至2024年, —2025年): the date starts a range.
_RANGE_START = re.compile(rf"{_S}(?:{alternation(RULES.range_connectors)}){_S}(?:\d|[{_CN_DIGIT}]{{2}}|今年|明年|本年)")
_VALIDITY = re.compile(alternation(RULES.validity_words))
_RANGE_NAME = re.compile(rf"{_S}(?:{alternation(RULES.range_name_words)})")
_PAST_MARKER = re.compile(rf"{_S}(?:{alternation(RULES.past_markers)})")
_CLAUSE_END = "，。；,;\n\t"
_POST = re.compile(
    rf"{_S}(?P<word>{alternation(RULES.start_suffixes + RULES.by_suffixes + RULES.not_deadline_suffixes)})"
)
_DONE = re.compile(rf"{_S}(?:(?:{alternation(RULES.done_adverbs)}){_S})?(?P<word>{alternation(RULES.done_words)})")
# 起施行 after a start: the document takes effect then; 起施行的… / 起废止: another document's dates
_EFFECTIVE = re.compile(rf"{_S}(?:{alternation(RULES.effective_verbs.takes_effect)})"
                        rf"(?P<describes>{_S}(?:{alternation(RULES.effective_verbs.not_after)}))?")
_REPEAL = re.compile(rf"{_S}(?:{alternation(RULES.effective_verbs.repeal)})")
# 本方案自印发之日起执行: the document takes effect on its own issue date
_EFFECTIVE_FROM_ISSUE = re.compile(
    rf"自{_S}(?:{alternation(RULES.own_issue_events)}){_S}之?日起{_S}(?:{alternation(RULES.effective_verbs.takes_effect)})"
    rf"(?!{_S}(?:{alternation(RULES.effective_verbs.not_after)}))")
_NUMERIC_UNIT_AFTER = re.compile(rf"{_S}(?:{alternation(RULES.numeric_date_not_before)})")
_LABEL_VALUE = re.compile(rf"(?:{alternation(RULES.time_limit_labels)}){_S}[:：]{_S}(?P<value>[^；;。，,）)\n\t]+)")
_ONGOING = re.compile(alternation(RULES.ongoing_words))
_ONGOING_PHRASE = re.compile(alternation(RULES.ongoing_phrases))
# an ongoing word that is a whole clause (，持续推进。 / 。长期坚持。 / at a line's start), a whole cell
# of a row (\t持续推进\t, whatever its column) or a whole bracket (（长期）): the item's time limit
_ONGOING_CLAUSE = re.compile(
    rf"(?:(?<=[，,；;。\n\t])|^)[ \u3000]*(?P<word>{alternation(RULES.ongoing_standalone)})[ \u3000]*(?=[。；;\n\t]|$)"
    rf"|[（(][ \u3000]*(?P<bword>{alternation(RULES.ongoing_standalone)})[ \u3000]*[）)]", re.M)

_UNIT = alternation(RULES.duration_units)
# 收到申请之日起二十个工作日内, 竣工验收合格后三个月内, 交房前五日内, 有效期届满三十日前
_EVENT_DURATION = re.compile(
    rf"(?P<anchor>{alternation(RULES.event_anchors)}){_S}(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT})"
    rf"(?:{_S}(?P<q>以内|之内|内|之前|以前|前))?"
)
# A limit inside each period: counted from the period's end (每季度结束后10日内) or on a day of one of
# its months (每季度最后一个月25日前).
_PERIODIC_LIMIT = re.compile(
    rf"(?P<every>{alternation(RULES.period_recurrences)}){_S}的?{_S}(?:"
    rf"(?:{alternation(RULES.period_end_words)}){_S}(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT}){_S}(?:以内|之内|内)"
    rf"|(?P<position>{alternation(RULES.period_month_positions)}){_S}(?P<day>{_DAY}){_S}[日号]{_S}(?:之前|以前|前)?)"
)
# 应当在五个工作日内 (the event is implied by the clause), 力争三年内 / 用两年时间 (from the document);
# a span may be a range or approximate (在2—3年内, 用3年左右时间): `n` is its longest
_LEAD_DURATION = re.compile(
    rf"(?P<lead>{alternation(RULES.own_period_leads + RULES.relative_lead_words)}){_S}"
    rf"(?P<span>(?:{NUMBER}{_S}(?:{alternation(RULES.range_marks)}){_S})?(?P<n>{NUMBER})){_S}"
    rf"(?P<unit>{_UNIT}){_S}(?:左右{_S})?(?P<q>以内|之内|内|时间)"
)
# 最长不超过15个工作日, 最迟不超过4个小时: a capped duration
_LONGEST_DURATION = re.compile(
    rf"(?:{alternation(RULES.longest_leads)}){_S}(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT})(?:{_S}(?:以内|之内|内))?")
# In a deadline cell a duration alone is the limit (3个月内, 20个工作日).
_CELL_DURATION = re.compile(rf"(?<![\d{_CN_DIGIT}十百千万])(?P<n>{NUMBER}){_S}(?P<unit>{_UNIT})(?:{_S}(?:以内|之内|内))?")
_RELATIVE_LEAD = re.compile(alternation(RULES.relative_lead_words))
_OWN_EVENT = re.compile(
    rf"^(?:{alternation(RULES.own_document_words)})?(?:{alternation(RULES.own_issue_events)})$"
)
# What closes the clause a relative limit's event is written in ("、" does not: 投诉、举报后).
_CLAUSE_BREAK = "，。；：,;:!?！？\n\t（()）"
_MAX_EVENT = 30

# Around a date, the shapes of a plan's text that make it a limit or keep it from being one.
# After a date: the clause ends (年底，… : the period stands alone as the time of what follows).
_CLAUSE_FOLLOWS = re.compile(r"[^\S\n]{0,2}(?:[，,。；;：:\n]|$)")
# Before a date at the start of a line: the item's numbering, if any ((一) 第一季度：…, 2. 5月底前…).
_ITEM_OPENING = re.compile(
    r"[ \t\u3000]*(?:#{1,6}[ \t]*|[-*＊•·][ \t]*)?"
    r"(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.．、)）](?!\d))?[ \t\u3000]*"
)
# After a date that opens an item: the colon or comma before its task (第二季度：完成…; 2026年4月，印发…).
_LABEL_END = re.compile(r"[^\S\n]*[：:，,]")
# Between two dates of a list that share the cue of the last (3月25日、6月25日、9月25日前).
_LIST_GAP = re.compile(r"[^\S\n]*[、和及与][^\S\n]*")
# A period of years in brackets, as titles write the span of a plan: （2024-2026年）.
_PLAN_PERIOD_OPEN = re.compile(rf"[（(][^\S\n]*{_YEAR}[^\S\n]*年?[^\S\n]*$")
_PLAN_PERIOD_CLOSE = re.compile(r"[^\S\n]*[)）]")
# The characters of an event before 前 (no digit: 6月底前 is a date; no clause mark).
_EVENT_CHAR = rf"[^\s\d{_CN_DIGIT}，。；,;：:、（）()“”《》]"
# 在工程竣工验收前, 应当在办理施工许可手续前: a limit that is an event (no duration, no date).
_EVENT_BEFORE = re.compile(rf"(?P<modal>应当|应|须|必须|要)?在(?P<event>{_EVENT_CHAR}{{2,16}}?)(?:之前|以前|前)")
_EVENT_BEFORE_WORD = re.compile(rf"(?:{alternation(RULES.event_before_words)})$")
_NOT_EVENT_END = re.compile(r"[年月日底末此]$")
# After a limit: the modal that binds it, at once or after the comma that closes the limit and at
# most the doer it binds (住宅项目在竣工验收前，房地产开发企业应当组织分户验收); the modal is one of
# modality.yaml's must cues, with its blockers (相应, 供应, 应急 hold 应 without being one).
_COMMA = re.compile(r"[^\S\n]*[，,]")
_CLAUSE_AFTER = re.compile(r"[^，。；,;：:\n]*")
_MAX_DOER = 12
# 入园前应当进行健康检查, 作出处罚决定前，行政机关应当告知…: an event limit written without 在, held by
# the modal that follows it (a bare 前 with no modal after it is a place or an order of words)
_EVENT_BEFORE_BARE = re.compile(rf"(?P<event>{_EVENT_CHAR}{{2,12}}?)(?:之前|以前|前)")
# 前列, 前沿, 前提…: 前 is a place or an order, not a time
_PLACE_AFTER = re.compile(r"[列沿端面景提期线台排]")
# words a bare 前 closes that are no event: 目前, 当前, 提前, 此前, 空前, 史无前例, 年前
_NOT_BARE_EVENT_END = re.compile(r"[年月日底末此目当提向空史跟之以]$")
# 15分钟内赴现场, 2小时内上报: a response time opening its clause, counted from the call it answers
_RESPONSE_TIME = re.compile(
    rf"(?:(?<=[，,；;。：:\n])|^)[^\S\n]*(?P<n>{NUMBER}){_S}(?P<unit>分钟|个小时|小时){_S}(?:以内|之内|内)", re.M)
