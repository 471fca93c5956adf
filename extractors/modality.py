"""Modal cues: the words that make a sentence a duty (要, 应当, 负责), a prohibition (不得, 严禁) or an
encouragement (鼓励, 支持, 可).

Public surface:
    extract(text: str, ctx: ExtractContext) -> list[Match]   field "modality", value the modality
    parse(surface: str, ctx: ExtractContext) -> "must" | "prohibit" | "encourage" | None
        the strongest cue of a sentence (prohibit > must > encourage); None when it has none

A cue word is void inside a longer word that holds it (重要, 相应, 可持续, 因地制宜: the blockers of
data/modality.yaml), inside a 《title》 (a cited document's words are not this text's duty) and
under `ctx.masked`. Where two cues overlap the longest wins (不得不 over 不得, 不可 over 可).
"""
from __future__ import annotations

import functools
import re

from pydantic import Field, field_validator, model_validator

from extractors.base import ExtractContext, Match, SpanIndex, filter_spans
from extractors.rules import RuleTable, alternation, load_rules
from schemas.records import Modality

FIELD = "modality"
STRENGTH: tuple[Modality, ...] = ("prohibit", "must", "encourage")   # strongest first


class _Cue(RuleTable):
    blockers: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    only_before: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            re.compile(p)
        return patterns


class ModalityRules(RuleTable):
    prohibit: dict[str, _Cue]
    must: dict[str, _Cue]
    encourage: dict[str, _Cue]

    @model_validator(mode="after")
    def _consistent(self) -> "ModalityRules":
        seen: dict[str, str] = {}
        for modality in STRENGTH:
            for word, cue in getattr(self, modality).items():
                if not word or word in seen:
                    raise ValueError(f"cue {word!r} is empty or listed twice ({seen.get(word)}, {modality})")
                seen[word] = modality
                bad = [b for b in cue.blockers if word not in b]
                if bad:
                    raise ValueError(f"blockers of {word!r} must contain it: {bad}")
        return self


RULES = load_rules(ModalityRules, "modality.yaml")




class _CompiledCue:
    """One cue word with where it sits inside each of its blockers, checked where the cue is found."""

    def __init__(self, word: str, modality: Modality, cue: _Cue):
        self.word = word
        self.modality = modality
        # (blocker, offset of the cue inside it): 重要 holds 要 at 1
        inner = [(b, i) for b in cue.blockers for i in range(len(b)) if b.startswith(word, i)]
        # by offset: the blockers holding the cue at that offset, asked at once (str.startswith of a tuple)
        by_offset: dict[int, list[str]] = {}
        for b, i in inner:
            by_offset.setdefault(i, []).append(b)
        self.inner = [(i, tuple(bs)) for i, bs in sorted(by_offset.items())]
        self.patterns = [re.compile(p) for p in cue.patterns]
        self.only_before = tuple(cue.only_before)

    def in_blocker(self, text: str, start: int) -> bool:
        """Whether the cue at `start` stands inside one of its blocker words. Checked at the cue,
        not by scanning the text for blockers: a sentence has one or two cues and dozens of
        blockers could be scanned for."""
        return any(start >= i and text.startswith(blockers, start - i) for i, blockers in self.inner)

    def pattern_starts(self, text: str) -> set[int]:
        """Offsets in `text` where this cue word stands inside a match of a blocking pattern."""
        starts: set[int] = set()
        for p in self.patterns:
            for m in p.finditer(text):
                starts.update(i for i in range(m.start(), m.end() - len(self.word) + 1)
                              if text.startswith(self.word, i))
        return starts


_CUES = {word: _CompiledCue(word, modality, cue)
         for modality in STRENGTH for word, cue in getattr(RULES, modality).items()}
_CUE_RE = re.compile(f"(?=({alternation(_CUES)}))")
_BY_FIRST_CHAR: dict[str, list[_CompiledCue]] = {}
for _cue in _CUES.values():
    _BY_FIRST_CHAR.setdefault(_cue.word[0], []).append(_cue)
# a cited title: 《关于…严禁…的通知》 speaks for another document
_TITLE_RE = re.compile(r"《[^《》\n]{0,120}》")
# a bracketed document number (…》（宜市住建发〔2024〕31号）): its abbreviation's 宜 or 可 directs
# nobody; only the bracket tells where the abbreviation starts (各区要按照建科规〔2020〕7号 keeps its 要)
_DOC_NUMBER_RE = re.compile(r"(?<=[（(])[\u4e00-\u9fff]{1,12}[〔\[［【]\s*\d{4}\s*[〕\]］】]\s*\d{1,5}\s*号")


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every modal cue in `text` (offsets into `text`), overlaps settled longest-first; [] when none."""
    if not isinstance(text, str) or not text:
        return []
    titles = SpanIndex([*(m.span() for m in _TITLE_RE.finditer(text)), *(m.span() for m in _DOC_NUMBER_RE.finditer(text))])
    by_pattern: dict[str, set[int]] = {}
    found = []
    for m in _CUE_RE.finditer(text):
        start = m.start()
        # every cue that starts here (不得 and 不得不 both do): filter_spans keeps the longest
        for cue in _BY_FIRST_CHAR[text[start]]:
            if not text.startswith(cue.word, start):
                continue
            end = start + len(cue.word)
            if cue.only_before and not text.startswith(cue.only_before, end):
                continue
            if cue.in_blocker(text, start):
                continue
            if cue.patterns:
                if cue.word not in by_pattern:
                    by_pattern[cue.word] = cue.pattern_starts(text)
                if start in by_pattern[cue.word]:
                    continue
            if titles.covers(start, end) or ctx.is_masked(start, end):
                continue
            found.append(Match(FIELD, start, end, cue.word, cue.modality))
    return [m for group in _overlap_groups(found) for m in filter_spans(group)]


def _overlap_groups(matches: list[Match]) -> list[list[Match]]:
    """Matches (in start order) cut into runs that overlap one another, so that settling overlaps
    stays linear in the number of cues."""
    groups: list[list[Match]] = []
    group_end = -1
    for m in matches:
        if groups and m.start < group_end:
            groups[-1].append(m)
            group_end = max(group_end, m.end)
        else:
            groups.append([m])
            group_end = m.end
    return groups


@functools.lru_cache(maxsize=4096)  # the obligation builder asks several questions of the same sentence
def cues(surface: str, ctx: ExtractContext) -> tuple[Match, ...]:
    """`extract(surface, ctx)` as a tuple, remembered per sentence."""
    return tuple(extract(surface, ctx))


@functools.lru_cache(maxsize=4096)  # the obligation builder asks again for the same sentence
def parse(surface: str, ctx: ExtractContext) -> Modality | None:
    """The modality of a sentence: its strongest cue (prohibit > must > encourage); None when it
    has none."""
    present = {m.value for m in cues(surface, ctx)}
    for modality in STRENGTH:
        if modality in present:
            return modality
    return None
