"""What a duty inherits from its paragraph and numbered item: the deadline the paragraph states for
the whole item, the item's own deadline sentence, the assignment brackets covering a sentence
(extractors/obligations.py asks, per obligation)."""
from __future__ import annotations

import bisect
import re

from extractors import brackets as assignment
from extractors.base import Match
from extractors.fields import FieldMatches
from extractors.obligation_rules import NUMBER_PREFIX as _NUMBER_PREFIX, RULES, has_any as _has_any
from extractors.structure import Structure, Unit
from schemas.document import Document


# what may surround a sentence that is nothing but a time limit (（长期）。)
_BARE_PUNCT = re.compile(r"[\s（）()。；;，,、：:]")
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}[ \u3000]*年")
# what a sentence that is only a time limit may say beside it (以上工作长期坚持。; 2025年底前全部完成。)
_LIMIT_WORDS = re.compile("|".join(sorted(map(re.escape, RULES.limit_sentence_words), key=len, reverse=True)))


def _opens_stage(text: str, sentence_start: int, sentence_end: int, deadline: Match) -> bool:
    """A date that opens its sentence (2019年6月底前，研究建立…; 年内开工建设…) and does not lead in
    a list (…到2021年底，主要目标任务是：一是…): the time of that sentence's own work."""
    lead = _NUMBER_PREFIX.sub("", text[sentence_start:deadline.start], count=1).strip()
    return not lead and "：" not in text[deadline.end:sentence_end] and ":" not in text[deadline.end:sentence_end]


def _opens_target(text: str, sentence_start: int, deadline: Match) -> bool:
    """A sentence that opens with a target date (到2020年，…): a goal for what the item does next."""
    lead = _NUMBER_PREFIX.sub("", text[sentence_start:deadline.start], count=1).strip()
    return not lead and deadline.surface.startswith(tuple(RULES.target_openers))


class ItemScope:
    """What a duty inherits from its paragraph and numbered item — the paragraph's deadline, the
    item's deadline and assignment brackets — and whether a deadline's sentence names a body,
    each worked out once per block or item and then looked up: asked per obligation, rescanning the
    paragraph or item made a document quadratic in the length of its paragraphs (a text on one line:
    2,000 obligations rescanned 1,400 sentences each)."""

    def __init__(self, doc: Document, structure: Structure, fields: FieldMatches):
        self.doc, self.structure, self.fields = doc, structure, fields
        n, paths, numbered = len(doc.blocks), structure.section_paths, structure.numbering
        # the blocks of each block's numbered item: the same section path, up to the next numbered block
        self.lo, self.hi = list(range(n)), list(range(n))
        for b in range(1, n):
            if b not in numbered and paths[b - 1] == paths[b]:
                self.lo[b] = self.lo[b - 1]
        for b in range(n - 2, -1, -1):
            if b + 1 not in numbered and paths[b + 1] == paths[b]:
                self.hi[b] = self.hi[b + 1]
        self._paragraph: dict[int, tuple] = {}
        self._item_deadlines: dict[tuple[int, int], list[tuple[int, Match]]] = {}
        self._brackets: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._items: dict[tuple[int, int], assignment.ItemBrackets] = {}
        self._unit_starts = [u.start for u in structure.units]

    def paragraph_deadline(self, block_index: int, at: int, group: tuple = ()) -> Match | None:
        """The deadline a paragraph states for its whole item: outside narrowing sentences, the
        latest time limit (a staged item — 6月底前…；9月底前…；年底前… — is done when its last stage
        is). A target that opens its sentence (到2020年，…达到95%以上) governs what follows it, not
        the measures written before it (`at`: where the inheriting sentence starts); any other date
        that opens its sentence (2019年6月底前，研究建立…; 年内开工建设…) is that sentence's stage and
        governs what comes before it, not the new tasks after it, unless it leads in a list
        (从现在开始到2021年底，主要目标任务是：一是…). A paragraph
        that holds several items, each closed by its assignment bracket (`group`: the inheriting
        sentence's brackets), states a deadline per item. Only a dated limit is inherited."""
        if block_index not in self._paragraph:
            self._paragraph[block_index] = self._paragraph_index(block_index)
        index = self._paragraph[block_index].get(group if group else None)
        if index is None:
            return None
        always_best, target_starts, target_best, stage_starts, stage_best = index
        k = bisect.bisect_right(target_starts, at)  # target sentences starting at or before `at` count
        c = bisect.bisect_right(stage_starts, at)  # stage sentences starting after `at` count
        best = max(always_best, target_best[k], stage_best[c], key=lambda c: (c[0], -c[1][0], -c[1][1]) if c else ())
        # an undated limit belongs to its own sentence: 常态化开展安全抽检 (an adverb of its verb), 在10个
        # 工作日内完成 (one step's time), 自…之日起10日内 — the other duties of the paragraph have none
        return best[2] if best else None

    def _paragraph_index(self, block_index: int) -> dict:
        """Per bracket group of the paragraph (None: all its sentences), (best and first match of the
        sentences that always count, the starts of the target sentences, and best/first over each
        prefix of them). Candidates are (date, order, match) and (order, match), `order` being the
        match's place in the paragraph's list: the latest date wins, the first listed among equals,
        as max() over the list did. One pass over the paragraph, whatever its number of groups."""
        text, out = self.doc.text, {}
        for ui, u in enumerate(self.structure.units_of_block(block_index)):
            sentence = text[u.start:u.end]
            if any(sentence.startswith(w) for w in RULES.narrowing_starts):
                continue
            own = self.fields.within("deadlines", u.start, u.end)
            if not own or (len(own) == 1 and _BARE_YEAR.fullmatch(own[0].surface)):
                continue  # a bare year before its task (。2019年垃圾焚烧设施开工建设) dates that sentence only
            # a recurring limit (每年1月31日前公开…) is the time of its own reporting duty
            dated = [(m.value.date, (ui, j), m) for j, m in enumerate(own)
                     if m.value.kind == "by" and m.value.date is not None and m.value.relative is None]
            best = max(dated, key=lambda c: (c[0], -c[1][0], -c[1][1]), default=None)
            target = _opens_target(text, u.start, own[0])
            stage = not target and _opens_stage(text, u.start, u.end, own[0])
            for key in {None, tuple(self.covering(u))}:
                acc = out.setdefault(key, [None, [], [None], [], []])
                if target:
                    acc[1].append(u.start)
                    acc[2].append(_later(acc[2][-1], best))
                elif stage:
                    acc[3].append(u.start)
                    acc[4].append(best)
                else:
                    acc[0] = _later(acc[0], best)
        for acc in out.values():  # the best of each suffix of the stage sentences
            suffix = [None]
            for best in reversed(acc[4]):
                suffix.append(_later(suffix[-1], best))
            acc[4] = suffix[::-1]
        return {key: tuple(acc) for key, acc in out.items()}

    def closing_ongoing(self, block_index: int, after: int) -> Match | None:
        """An ongoing limit that is a whole later sentence of the paragraph (长期坚持。, （长期）,
        以上工作长期坚持。（牵头单位：…））."""
        for u in self.structure.units_of_block(block_index):
            if u.start < after or u.kind != "sentence":
                continue
            limits = self.only_limits(u)
            if limits and limits[0].value.kind == "ongoing":
                return limits[0]
        return None

    def only_limits(self, unit: Unit) -> list[Match]:
        """The time limits of a sentence that states nothing else: its limits and what refers back
        to the item's work (以上工作, 全部完成), beside its assignment brackets (2025年底前完成。（牵头
        单位：…）; 以上工作长期坚持。); [] for a sentence that says more. Such a sentence is the time of
        the duties around it, no duty of its own."""
        text = self.doc.text
        limits = self.fields.within("deadlines", unit.start, unit.end)
        if not limits:
            return []
        cuts = sorted([(m.start, m.end) for m in limits] + self.covering(unit))
        rest, at = [], unit.start
        for s, e in cuts:
            if s >= at:
                rest.append(text[at:s])
            at = max(at, e)
        rest.append(text[at:unit.end])
        left = _NUMBER_PREFIX.sub("", "".join(rest), count=1)
        left = _LIMIT_WORDS.sub("", _BARE_PUNCT.sub("", left))
        return [] if left else limits

    def item_deadline(self, block_index: int) -> Match | None:
        """A deadline the numbered item states for all its work in a sentence of its own, in another
        paragraph of the item (a page break split it): 整治工作要于2021年底全面完成。 Such a sentence
        names no responsible body; one that does (…部门于…前，将…报送) is a duty of its own paragraph."""
        if not self.structure.section_paths[block_index]:
            return None
        span = (self.lo[block_index], self.hi[block_index])
        if span not in self._item_deadlines:
            self._item_deadlines[span] = self._item_sentences(*span)
        return next((m for b, m in self._item_deadlines[span] if b != block_index), None)

    def _item_sentences(self, lo: int, hi: int) -> list[tuple[int, Match]]:
        """(block, first deadline) of the item's sentences that could state its deadline, in order;
        two from different blocks are enough for any block of the item to find one not its own."""
        text, out = self.doc.text, []
        for b in range(lo, hi + 1):
            for u in self.structure.units_of_block(b):
                if u.kind != "sentence":
                    continue
                sentence = text[u.start:u.end]
                if any(sentence.startswith(w) for w in RULES.narrowing_starts) or \
                        not _has_any(sentence, RULES.completion_words):
                    continue
                found = self.fields.within("deadlines", u.start, u.end)
                if found and not self.fields.within("units", u.start, u.end):
                    out.append((b, found[0]))
                    if len({blk for blk, _ in out}) == 2:
                        return out
        return out

    def covering(self, unit: Unit) -> list[tuple[int, int]]:
        """The assignment brackets that assign the sentence `unit` (extractors/brackets.py): looked up
        in its numbered item's brackets (the paragraph's, when it stands under no numbering)."""
        b = unit.block_index
        lo, hi = (self.lo[b], self.hi[b]) if self.structure.section_paths[b] else (b, b)
        span = (self.doc.blocks[lo].start, self.doc.blocks[hi].end)
        if span not in self._items:
            self._items[span] = assignment.ItemBrackets(self._brackets_of(*span))
        return self._items[span].covering(unit.start, unit.end, self.doc.blocks[b].start)

    def _brackets_of(self, start: int, end: int) -> list[tuple[int, int]]:
        if (start, end) not in self._brackets:
            self._brackets[(start, end)] = assignment.assignment_brackets(self.doc.text, start, end)
        return self._brackets[(start, end)]

    def sentence_has_units(self, deadline: Match) -> bool:
        """Whether the sentence stating `deadline` names a body outside its assignment brackets."""
        units = self.structure.units
        k = bisect.bisect_right(self._unit_starts, deadline.start)
        # units are in text order and do not overlap: the one holding the deadline starts last before it
        for u in units[max(0, k - 1):k]:
            if u.start <= deadline.start and deadline.end <= u.end:
                brackets = self._brackets_of(u.start, u.end)
                return any(not any(s <= m.start and m.end <= e for s, e in brackets)
                           for m in self.fields.within("units", u.start, u.end))
        return False


def _later(a: tuple | None, b: tuple | None) -> tuple | None:
    """Of two (date, order, match) candidates, the later date; the earlier order among equals."""
    if a is None or b is None:
        return a or b
    return max(a, b, key=lambda c: (c[0], -c[1][0], -c[1][1]))
