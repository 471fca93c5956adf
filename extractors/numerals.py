"""Chinese numerals as numbers, for every extractor that reads amounts, counts or dates.

Public API (small on purpose):

    NUMBER: str
        A regex fragment (no groups) matching one number as 公文 write it: Arabic digits
        (half or full width, optional decimal part) or a run of Chinese numeral characters
        (二〇二〇, 三十, 二十五万, 一百零五, 两, 一点五).
    to_number(s: str) -> float | None
        The value of one number written as above, or None when `s` is not a number.
        "二〇二〇" -> 2020 (digit by digit, as years are written), "三十" -> 30, "两" -> 2,
        "１２" -> 12, "0.5" -> 0.5, "十万" -> 100000. Never raises.
    convert_text(s: str) -> tuple[str, list[int]]
        `s` with every Chinese numeral run written in Arabic digits (百分之三十 -> 30%,
        千分之二 -> 2‰, 二〇二〇年 -> 2020年, 三十个 -> 30个), plus an offset map: `offsets[i]` is
        the offset in `s` where output character i comes from, and `offsets[len(out)] == len(s)`.
        A converted run maps all its characters to the run's start, so the source span of output
        span [i, j) is [offsets[i], offsets[j]). Never raises.

Why not cn2an alone: `cn2an.cn2an()` rejects 二〇二〇 and anything with text around it, and
`cn2an.transform()` loses offsets, which every Match needs.
"""
from __future__ import annotations

import re
import unicodedata

# Characters that spell a Chinese number. 〇/○/零 write zeros in years (二〇二〇); 两 is "two"
# before a measure word (两个月); 点 is the decimal point (一点五).
_CN_DIGITS = "〇○零一二两三四五六七八九"
_CN_UNITS = "十百千万亿"
_CN_NUMERAL_CHARS = _CN_DIGITS + _CN_UNITS

# One number: Arabic digits (\d also covers full-width ０-９), optional decimal part; or a run of
# Chinese numeral characters, optionally with one 点 followed by more digits.
NUMBER = (
    r"(?:\d+(?:[.．]\d+)?"
    rf"|[{_CN_NUMERAL_CHARS}]+(?:点[{_CN_DIGITS}]+)?)"
)

_NUMBER_RE = re.compile(rf"^{NUMBER}$")
_ARABIC_RE = re.compile(r"^\d+(?:[.．]\d+)?$")
# Digit-by-digit spelling (二〇二〇, 一九九七): only digit characters, no 十/百/千, two or more.
_DIGIT_BY_DIGIT_RE = re.compile(rf"^[{_CN_DIGITS}]{{2,}}$")
_CN_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2}

# A run of Chinese numerals inside running text, with the percent / per-mille prefixes that
# put the unit in front (百分之三十 = 30%).
_RUN_RE = re.compile(
    rf"(?P<ratio>百分之|千分之)?(?P<num>[{_CN_NUMERAL_CHARS}]+(?:点[{_CN_DIGITS}]+)?)"
)
_RATIO_SUFFIX = {"百分之": "%", "千分之": "‰"}


def to_number(s: str) -> float | None:
    """The value of one number (see module doc), or None when `s` is not one."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    if not s or not _NUMBER_RE.match(s):
        return None
    if _ARABIC_RE.match(s):
        return float(unicodedata.normalize("NFKC", s).replace("．", "."))
    if _DIGIT_BY_DIGIT_RE.match(s) and s[0] not in "零〇○" and "两" not in s:
        # 二〇二〇, 一九九七: a year or code read digit by digit; cn2an would read 二二 as 22 too,
        # but 二〇二〇 only in "smart" mode, so keep one simple rule here.
        return float("".join(str(_CN_DIGIT_VALUE[c]) for c in s))
    import cn2an  # here, not at the top: its import costs 0.3 s, which a process that never meets
    # a Chinese numeral (sql, info, a re-ingest with nothing new) need not pay
    try:
        value = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        # cn2an rejects malformed runs (百, 十十): not a number
        return None
    return float(value)


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def convert_text(s: str) -> tuple[str, list[int]]:
    """Chinese numeral runs of `s` in Arabic digits, with an offset map (see module doc)."""
    if not isinstance(s, str):
        return "", [0]
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _RUN_RE.finditer(s):
        value = to_number(m.group("num"))
        if value is None:
            continue
        for i in range(pos, m.start()):
            out.append(s[i])
            offsets.append(i)
        replacement = _format(value) + _RATIO_SUFFIX.get(m.group("ratio") or "", "")
        out.append(replacement)
        offsets.extend([m.start()] * len(replacement))
        pos = m.end()
    for i in range(pos, len(s)):
        out.append(s[i])
        offsets.append(i)
    offsets.append(len(s))
    return "".join(out), offsets
