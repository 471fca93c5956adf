"""The signature (落款) at the end of the main text: the issuing bodies, then the date.

Read from the end of the main text upwards: lines that may trail a signature (抄送, (主动公开),
the 版记, attachment links) are passed over, their dates recorded as metadata; the first line
with a signature date ends the search, and the body lines right above it are the issuers.
"""
from __future__ import annotations

import re

from extractors.metadata.dates import DATE_RE, date_of
from extractors.metadata.lines import (
    PAREN_ONLY_RE,
    Found,
    Frame,
    Line,
    found_in_line,
    is_trailer,
)
from extractors.metadata.organs import split_organs
from extractors.metadata.vocabulary import RULES
from extractors.rules import alternation

# a line of seal notes only, written under the signing bodies: （盖章）   （盖章）
_SEAL_ONLY_RE = re.compile(rf"^(?:\s*[（(]\s*(?:{alternation(RULES.seal_marks)})\s*[)）])+\s*$")
# how far above the end of the main text a signature is looked for, and how many body lines it has
_SIGNATURE_SEARCH_LINES = 80
_SIGNATURE_BODY_LINES = 40


def signature_date_in(t: str) -> tuple[str, re.Match] | None:
    """A signature date line: the date alone, or bodies then the date (淄博市人民政府办公室 2020年3月23日);
    not the 版记's …印发 date."""
    if "印发" in t:
        return None
    for m in DATE_RE.finditer(t):
        before, after = t[:m.start()].strip(), t[m.end():].strip()
        if after and not PAREN_ONLY_RE.match(after):
            continue
        if before in ("", "（", "(") or split_organs(before):
            return before.strip("（("), m
    return None


def read_signature(frame: Frame) -> None:
    lines = frame.lines
    lo = max(frame.zone_end, frame.main_end - _SIGNATURE_SEARCH_LINES)
    for i in range(frame.main_end - 1, lo - 1, -1):
        line = lines[i]
        if line.in_table:
            continue
        found = signature_date_in(line.text)
        if found:
            before, m = found
            d = date_of(m)
            if d is None:
                break
            span = line.span_of(m)
            frame.signature_date = Found(d, span, "signature")
            frame.date_spans.append(span)
            organs: list[Found] = []
            if before:
                organs = _located(split_organs(before), line)
            above: list[list[Found]] = []
            for j in range(i - 1, max(frame.zone_end, i - _SIGNATURE_BODY_LINES) - 1, -1):
                if _SEAL_ONLY_RE.match(lines[j].text):
                    continue  # （盖章） （盖章） under the bodies' names, above the date
                names = split_organs(lines[j].text) if not lines[j].in_table else []
                if not names:
                    break
                above.append(_located(names, lines[j]))
            frame.signature_issuers = [f for group in reversed(above) for f in group] + organs
            break
        if is_trailer(line.text):
            frame.note_dates(line)
            continue
        break


def _located(names: list[str], line: Line) -> list[Found]:
    """The names of a signature line in order, each looked up after the previous one."""
    out: list[Found] = []
    pos = 0
    for name in names:
        found = found_in_line(name, line, "signature", pos)
        if found.span is not None:
            pos = found.span[1] - line.start
        out.append(found)
    return out


def signature_date_spans(lines: list[Line], lo: int, hi: int) -> list:
    """The span of the signature date that closes lines [lo, hi) (an annex's own signature, under
    it: 金山区消防救援支队 / 2019年7月15日), [] when there is none: a date, but no time limit."""
    for i in range(hi - 1, max(lo, hi - _SIGNATURE_SEARCH_LINES) - 1, -1):
        line = lines[i]
        if line.in_table:
            continue
        found = signature_date_in(line.text)
        if found:
            return [line.span_of(found[1])] if date_of(found[1]) else []
        if not is_trailer(line.text):
            return []
    return []
