"""Clauses of a duty sentence: where one sentence that lists several duties is cut, one clause per
duty (docs/EXTRACTION.md §obligations: one obligation per duty).

    split(text, start, end, *, commas, subject_starts=(), frames=(), keep=()) -> list[(start, end)]

A sentence is always cut at ；and before an enumeration marker (一是…，二是…). With `commas`, as in
a duty list (区消防救援局负责协调、指导项目推进工作，对改造方案进行技术把关，并参加…), it is cut at
every comma too, and a comma clause that cannot stand as a duty joins a neighbour: one that
continues the object before it (以及…), one that states a purpose (确保…, 提高…) unless it opens
with a new subject (`subject_starts`), one that only frames the next (对…, 在…期间, a time in
`frames`: 2019年6月底前，…; after its doer and modal: 农业部负责根据市场供求情况，…; a short event
clause: 预案启动后，…), one too short. Ordinary prose is not cut at commas, not even before a
new subject (…，区绿化市容局联合…): the blind gold does not, and over-splitting costs precision.
The one exception is a division of labour: a sentence that opens with a body's 负责 / 牵头 / 要 /
应当 is cut before a later body with such a verb of its own (区规划资源局负责…，区住建委负责…).
Nothing is cut inside brackets or quotes, nor inside the spans in `keep` (assignment brackets).
Which sentences are duty lists is the obligation builder's decision; the words are data/clauses.yaml.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from extractors import modality
from extractors.base import ExtractContext
from extractors.rules import RuleTable, alternation, load_rules
from extractors.text import HAN, ITEM_NUMBER


class ClauseRules(RuleTable):
    enumeration: str
    continuation_starts: list[str]
    result_starts: list[str]
    frame_starts: list[str]
    frame_ends: list[str]
    doer_modal_words: list[str]
    time_frame_ends: list[str]
    max_time_frame_chars: int
    open_frame_starts: list[str]
    predicate_verbs: list[str]
    subject_prefixes: list[str]
    division_verbs: list[str]
    min_clause_chars: int


RULES = load_rules(ClauseRules, "clauses.yaml")
_HAN = re.compile(f"[{HAN}]")
_ENUMERATION = re.compile(RULES.enumeration)
_CONTINUATION = re.compile(f"(?:{alternation(RULES.continuation_starts)})")
_RESULT = re.compile(f"(?:{alternation(RULES.result_starts)})")
_FRAME_START = re.compile(f"(?:{alternation(RULES.frame_starts)})")
_FRAME_END = re.compile(f"(?:{alternation(RULES.frame_ends)})$")
_PREDICATE = re.compile(f"(?:{alternation(RULES.predicate_verbs)})")
# a doer and its modal before the frame (农业部负责根据…情况，; 省级人民政府应根据需要，; 要按照…要求，);
# a modal word is whole (应 in 应当 is no modal before a frame 当…)
_MODAL_WORD = "|".join(re.escape(w) + "".join(f"(?!{re.escape(o[len(w):])})" for o in RULES.doer_modal_words
                                             if o != w and o.startswith(w))
                       for w in sorted(RULES.doer_modal_words, key=len, reverse=True))
_DOER_MODAL = re.compile(rf"^[^，,；;。]{{0,16}}?(?:{_MODAL_WORD})(?=(?:{alternation(RULES.frame_starts)}))")
_TIME_FRAME_END = re.compile(f"(?:{alternation(RULES.time_frame_ends)})$")
_OPEN_FRAMES = tuple(RULES.open_frame_starts)
_SUBJECT_PREFIXES = {""} | set(RULES.subject_prefixes)
_OPEN, _CLOSE = "（(〔[【《“‘「", "）)〕]】》”’」"
_NUMBER = re.compile(f"^(?:{ITEM_NUMBER})")
_DIVISION_VERBS = frozenset(RULES.division_verbs)


def _divides(text: str, s: int, e: int) -> bool:
    """Whether text[s:e] gives a body its own duty with a division verb (负责, 牵头, 要 …), read as
    modality reads cues (主要负责人, 应急管理 hold none)."""
    return any(m.surface in _DIVISION_VERBS for m in modality.cues(text[s:e], ExtractContext()))


def _cuts(text: str, start: int, end: int, keep: Sequence[tuple[int, int]]) -> list[tuple[int, str]]:
    """(position after the mark, kind) of every ；/，outside brackets, quotes and `keep` spans; kind
    is "hard" (；) or "soft" (，)."""
    out = []
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "；;，," and not any(s <= i < e for s, e in keep):
            out.append((i + 1, "hard" if ch in "；;" else "soft"))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _body(text: str, s: int, e: int) -> str:
    """The clause without its item number, closing punctuation and spaces ((十一)针对…情况， → 针对…情况)."""
    return _NUMBER.sub("", re.sub(r"\s+", "", text[s:e]), count=1).rstrip("，,；;。！？!?")


def _is_frame(body: str, s: int, e: int, frames: Sequence[tuple[int, int]], text: str) -> bool:
    """A clause that only frames the next: a time (all its characters but a few inside `frames`),
    or a prepositional phrase without a predicate of its own."""
    # the characters of the clause inside a frame, from the frames that meet the clause (not every
    # frame asked at every character: that was most of the obligation builder's time)
    covered = {i for a, b in frames if a < e and b > s for i in range(max(a, s), min(b, e))}
    inside = sum(1 for i in covered if _HAN.match(text[i]))
    if inside and len(_HAN.findall(body)) - inside <= 2:
        return True
    # a short event clause with no predicate of its own (预案启动后，; 接到报告时，)
    if (len(_HAN.findall(body)) <= RULES.max_time_frame_chars and _TIME_FRAME_END.search(body)
            and not _PREDICATE.search(body)):
        return True
    lead = _DOER_MODAL.match(body)
    if lead:
        # after a doer only a frame that closes as one (…根据…的需要，) or an object frame still
        # waiting for its predicate (区城管执法局负责对擅自搭建建筑物行为，擅自改建…，…等违法行为进行
        # 查处。): 负责对市场的监管， is a duty
        return bool(_FRAME_END.search(body)) or _opens_object_frame(body)
    if not _FRAME_START.match(body):
        return False
    return bool(_FRAME_END.search(body)) or not _PREDICATE.search(body, 1)


def _opens_object_frame(body: str) -> bool:
    """Whether the clause, after an optional doer and modal (区城管执法局负责), opens a 对 frame
    whose predicate has not come yet (对擅自搭建建筑物、构筑物行为，)."""
    lead = _DOER_MODAL.match(body)
    rest = body[lead.end():] if lead else body
    return rest.startswith(_OPEN_FRAMES) and not _PREDICATE.search(rest, 1)


def _ends_in(text: str, s: int, e: int, ends: Sequence[int]) -> bool:
    """Whether the clause text[s:e] ends, but for its punctuation, at one of `ends`."""
    while e > s and (text[e - 1].isspace() or text[e - 1] in "，,；;。！？!?"):
        e -= 1
    return e in ends


def _clause_end(pieces: list[tuple[int, int, str]], s: int) -> int:
    """The end of the comma piece at `s` and of the one after it (分别负责 may open the next: X、Y和Z在
    职责范围内，分别负责…)."""
    after = [(e, opened) for ps, e, opened in pieces if ps >= s or ps <= s < e]
    if not after:
        return s
    return after[1][0] if len(after) > 1 and after[1][1] == "soft" else after[0][0]


def split(text: str, start: int, end: int, *, commas: bool, subject_starts: Sequence[int] = (),
          frames: Sequence[tuple[int, int]] = (), keep: Sequence[tuple[int, int]] = (),
          doer_ends: Sequence[int] = (), stage_starts: Sequence[int] = ()) -> list[tuple[int, int]]:
    """The clause spans of the sentence text[start:end] (see the module doc), in order, trimmed;
    [(start, end)] when it holds one duty only. A comma clause that ends in a body named as the
    doer (`doer_ends`: 该项目建设主体为区应急局，统筹开展…) introduces the clause after it. A comma
    clause opened by a later stage of a staged item (`stage_starts`: 6月底前完成60%，9月底前完成80%，
    年底前全部完成) is a duty of its own, never a frame."""
    pieces = []  # (start, end, opened by: first | hard | soft)
    opened, s = "first", start
    for pos, kind in _cuts(text, start, end, keep):
        pieces.append((s, pos, opened))
        opened, s = kind, pos
    pieces.append((s, end, opened))
    subjects = sorted(subject_starts)
    # the sentence opens with a body's own duty (X负责…, X要…): a later body named with a division
    # verb of its own (clauses.yaml division_verbs) divides the labour
    division = bool(pieces) and any(
        pieces[0][0] <= p < pieces[0][1] and _divides(text, p, pieces[0][1]) for p in subjects)
    out: list[list] = []  # [start, end, is a frame, opened by ； or an enumeration]
    for s, e, opened in pieces:
        s, e = _trim(text, s, e)
        if e <= s:
            continue
        body = _body(text, s, e)
        names_doer = _ends_in(text, s, e, doer_ends)
        if not out:
            out.append([s, e, _is_frame(body, s, e, frames, text) or names_doer, False])
            continue
        enum = bool(_ENUMERATION.match(body))
        new_subject = any(s <= p and re.sub(r"\s+", "", text[s:p]) in _SUBJECT_PREFIXES for p in subjects)
        stage = s in stage_starts
        if opened == "hard" or enum or stage:
            cut = True
        elif (not commas and new_subject and division and len(_HAN.findall(body)) >= RULES.min_clause_chars
              and _divides(text, s, _clause_end(pieces, s))):
            # a division of labour in one sentence (区规划资源局负责…，区住建委负责…): each body's duty
            cut = True
        elif commas:
            short = len(_HAN.findall(body)) < RULES.min_clause_chars
            joins = not new_subject and bool(_CONTINUATION.match(body) or _RESULT.match(body))
            cut = not (short or joins or out[-1][2])  # a frame joins the clause after it
        else:
            cut = False
        if cut:
            out.append([s, e, not stage and (_is_frame(body, s, e, frames, text) or names_doer),
                        opened == "hard" or enum or stage])
        else:
            # a frame stays open over the pieces it takes in until one brings its predicate
            # (对擅自搭建…行为，擅自改建…部分，擅自改变…等违法行为进行查处。)
            was_frame, out[-1][1] = out[-1][2], e
            joined = _body(text, out[-1][0], e)
            out[-1][2] = names_doer or (commas and was_frame and (_opens_object_frame(joined) or (
                joined.startswith(_OPEN_FRAMES) and _is_frame(joined, out[-1][0], e, frames, text))))
    if len(out) > 1 and out[-1][2] and not out[-1][3]:
        # a frame that closes the sentence (…，于年底前完成) joins the clause before; a ；-clause stays
        last = out.pop()
        out[-1][1] = last[1]
    return [(s, e) for s, e, _, _ in out]
