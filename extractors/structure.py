"""The 公文 structure of a document: its parts, numbered sections, each part's body, sentences and
table rows.

Input is a `Document` (text + blocks); output are spans into `Document.text`. Nothing here
extracts a field: it says where items, sentences and rows are, so that the obligation builder can
scope deadlines and units to the item they belong to.

A document is a sequence of parts (extractors/metadata/parts.py): the cover (the main text, or
the 印发 / 转发 notice) and each annex printed after it (附件1 …, or a plan whose title follows the
notice's signature). Every part has a body — after its title (the cover: after the salutation),
before its annex list or signature — and every body is read. Section paths of an annex start with
its label (附件1/二/（一）), so numbering that restarts in an annex stays distinguishable.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from extractors.base import derived
from extractors.deadlines.vocabulary import RULES as DEADLINE_RULES
from extractors.metadata.dates import DATE_ONLY_RE
from extractors.metadata.parts import document_parts
from extractors.rules import RuleTable, alternation, load_rules
from extractors.text import HAN, ROUND_BRACKET_INSIDE
from schemas.document import Block, Document


class _NumberingRule(RuleTable):
    level: int
    name: str
    pattern: str


class StructureRules(RuleTable):
    numbering: list[_NumberingRule]
    body_end_prefixes: list[str]
    skip_line_prefixes: list[str]
    caption_pattern: str
    sentence_end: str
    max_bracket_chars: int
    stage_label: str
    slogan_phrase_max_chars: int


RULES = load_rules(StructureRules, "structure.yaml")
_NUMBERING = [(r.level, r.name, re.compile(r"\s*(" + r.pattern + r")")) for r in RULES.numbering]
_SENTENCE = re.compile(rf"[^{RULES.sentence_end}\n]*(?:[{RULES.sentence_end}]+[”’」』）)]*|$)")
_CJK = re.compile(f"[{HAN}]")
_PARENTHETICAL = re.compile(rf"(?:[（(]{ROUND_BRACKET_INSIDE}*[）)]|〔[^〔〕\n]*〕|【[^【】\n]*】)[。；;]?")
# a mark between clauses inside a sentence
_CLAUSE_MARK = re.compile(r"[，,；;]")
# a line with no sentence punctuation at all: a title or a heading without numbering
_PUNCTUATION = re.compile(r"[。；;，,！？!?：:]")
_BRACKET_OPEN, _BRACKET_CLOSE = "（(〔【", "）)〕】"
# what follows an item's first sentence when that sentence is its only task: an ongoing limit alone
# (1.加强重点区域日常巡查。长期坚持。 / …巡查。（长期）)
_ONLY_ONGOING = re.compile(rf"[\s（(]*(?:{alternation(DEADLINE_RULES.ongoing_standalone)})[\s）)。；;]*")
# a staged plan item: a stage or period, a colon and its task ((三)第三季度：全面实施建设施工。), no title
_STAGE_ITEM = re.compile(rf"\s*(?:{'|'.join(r.pattern for r in RULES.numbering)})?\s*(?:{RULES.stage_label})[：:]\s*[^\s。]")
# a stage's title, its work in the sentences after it: the stage, a colon and a short name
# (第一阶段（2025年4月—5月）：动员部署和自查自改。)
_STAGE_TITLE = re.compile(rf"\s*(?:{'|'.join(r.pattern for r in RULES.numbering)})?\s*(?:{RULES.stage_label})[：:]\s*"
                          rf"[{HAN}“”]{{2,12}}[。]?\s*")
# a title in the slogan shape: two or three short parallel phrases (带量采购，以量换价。 坚持深化改革，
# 简政放权。 统筹两个市场，打造加工制造中心。)
_SLOGAN = re.compile(rf"(?:[{HAN}“”]{{2,{RULES.slogan_phrase_max_chars}}}[，,]){{1,2}}[{HAN}“”]{{2,{RULES.slogan_phrase_max_chars}}}[。]?")
_CAPTION = re.compile(RULES.caption_pattern)
_CLAUSE_MARKS = re.compile(r"[，,；;。]")


@dataclass(frozen=True)
class Numbering:
    level: int
    name: str
    label: str  # the numbering as written: 一、 （二） 3.


@dataclass
class Unit:
    """A sentence of prose or a table row: the candidate span for one obligation."""

    start: int
    end: int
    block_index: int
    kind: str  # "sentence" | "row"
    section_path: str
    is_heading: bool = False  # the sentence is the numbered title of its item (（一）全面排查摸底。)
    in_body: bool = True


@dataclass(frozen=True)
class PartBlocks:
    """One part of the document in block indices: blocks [start, end), its body [body_start,
    body_end); `label` 附件2 / 附表 as written, None for the cover and for an unlabelled annex."""

    index: int
    start: int
    end: int
    body_start: int
    body_end: int
    label: str | None = None
    path_label: str = ""  # what the part's section paths start with ("" for the cover)


@dataclass
class Structure:
    numbering: dict[int, Numbering] = field(default_factory=dict)  # block index -> its numbering
    section_paths: list[str] = field(default_factory=list)  # per block
    body_start: int = 0  # first block of the cover's body (after title, number and salutation)
    body_end: int = 0  # first block after the cover's body (annex list, signature, cc)
    parts: list[PartBlocks] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    def in_body(self, block_index: int) -> bool:
        """Whether a block lies in the body of some part."""
        return any(p.body_start <= block_index < p.body_end for p in self.parts)

    def units_of_block(self, block_index: int) -> list[Unit]:
        """The units of one block, in text order (an index built once: asked per sentence, a scan
        of every unit made long documents quadratic)."""
        return derived(self, "units", self.units, _by_block).get(block_index, [])


def _by_block(units: list[Unit]) -> dict[int, list[Unit]]:
    by_block: dict[int, list[Unit]] = {}
    for u in units:
        by_block.setdefault(u.block_index, []).append(u)
    return by_block


def numbering_of(text: str) -> Numbering | None:
    """The 公文 numbering that opens a block of text, if any."""
    for level, name, rx in _NUMBERING:
        m = rx.match(text)
        if m:
            return Numbering(level, name, m.group(1))
    return None


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], split after 。！？ (closing quotes stay with the sentence);
    surrounding whitespace is trimmed and empty pieces dropped. A parenthetical standing after a
    sentence end (…同步交付。（牵头单位：市民政局）) belongs to the sentence before it."""
    spans: list[tuple[int, int]] = []
    for s, e in _bracket_whole(text, _pieces(text, start, end)):
        lead = _PARENTHETICAL.match(text, s, e) if spans else None
        if lead:
            spans[-1] = (spans[-1][0], lead.end())
            s = lead.end()
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            spans.append((s, e))
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] cut after every sentence end, each piece trimmed, empty ones dropped."""
    out = []
    for m in _SENTENCE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _open_brackets(text: str, s: int, e: int) -> int:
    depth = 0
    for ch in text[s:e]:
        if ch in _BRACKET_OPEN:
            depth += 1
        elif ch in _BRACKET_CLOSE and depth:
            depth -= 1
    return depth


def _bracket_whole(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pieces joined where a sentence end stands inside a bracket that closes within
    RULES.max_bracket_chars: an assignment bracket may hold sentences of its own
    (（生态环境部指导，试点城市政府负责落实。以下均需试点城市政府落实，不再列出）), and a duty is not cut
    there. A bracket that does not close nearby is a stray character: the pieces stay apart."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        s, e = pieces[i]
        if _open_brackets(text, s, e):
            opened = max(text.rfind(ch, s, e) for ch in _BRACKET_OPEN)
            for k in range(i + 1, len(pieces)):
                if pieces[k][1] - opened > RULES.max_bracket_chars:
                    break
                if not _open_brackets(text, s, pieces[k][1]):
                    e, i = pieces[k][1], k
                    break
        out.append((s, e))
        i += 1
    return out


def is_skip_line(text: str) -> bool:
    """A line that never states a duty: contact details, distribution, disclosure marks
    (skip_line_prefixes), or the caption of a figure or table (图3　汽车号牌尺寸（单位：毫米）), a label
    without a clause of its own."""
    stripped = text.lstrip()
    return any(stripped.startswith(p) for p in RULES.skip_line_prefixes) or (
        _CAPTION.match(stripped) is not None and not _CLAUSE_MARKS.search(stripped))


def _body_start(doc: Document, numbering: dict[int, Numbering], end: int) -> int:
    """The first block of the cover's body (blocks before `end`)."""
    blocks = doc.blocks
    text = doc.text
    # the body starts after the salutation (各区县人民政府，…：), which comes before any numbered
    # block; a regulation's body begins at its first chapter or article (the lines above are its
    # title and adoption history: 2018年9月7日…第十一次会议通过)
    start = 0
    articles = [i for i, n in numbering.items() if n.name in ("article", "chapter") and i < end]
    if articles:
        start = min(articles)
    else:
        first_numbered = min((i for i in numbering if i < end), default=end)
        for i, b in enumerate(blocks[:min(12, first_numbered)]):
            line = text[b.start:b.end].strip()
            if line.endswith(("：", ":")) and b.kind != "table_row" and len(line) < 200 and i + 1 < end:
                start = i + 1
                break
    return start


def _body_end(doc: Document, numbering: dict[int, Numbering], start: int, part_start: int, part_end: int) -> int:
    """The first block after the body of the part [part_start, part_end) whose body begins at
    `start`: its annex list, its signature, its distribution list."""
    blocks = doc.blocks
    text = doc.text
    for i in range(start, part_end):
        line = text[blocks[i].start:blocks[i].end].strip()
        if blocks[i].kind == "table_row":
            continue
        if any(line.startswith(p) for p in RULES.body_end_prefixes) or blocks[i].kind == "signature":
            return i
        if DATE_ONLY_RE.match(line) and i > (part_start + part_end) // 2:
            # the signature: the issuer lines just above the date belong to it too
            end = i
            while end > start and len(text[blocks[end - 1].start:blocks[end - 1].end].strip()) <= 30 \
                    and not _ends_sentence(text[blocks[end - 1].start:blocks[end - 1].end]) \
                    and blocks[end - 1].kind != "table_row" and end - 1 not in numbering:
                end -= 1
            return end
    return part_end


def _parts(doc: Document, numbering: dict[int, Numbering]) -> list[PartBlocks]:
    """The document's parts (extractors/metadata/parts.py) in block indices, with their bodies."""
    found = document_parts(doc)
    starts = [b.start for b in doc.blocks]

    def block_of(line_index: int, default: int) -> int:
        if line_index >= len(found.lines):
            return default
        return max(0, bisect.bisect_right(starts, found.lines[line_index].start) - 1)

    n = len(doc.blocks)
    firsts = [0] + [block_of(p.start, n) for p in found.parts[1:]]
    out = []
    for k, part in enumerate(found.parts):
        start, end = firsts[k], (firsts[k + 1] if k + 1 < len(firsts) else n)
        if k == 0:
            body_start = _body_start(doc, numbering, end)
        else:
            body_start = min(block_of(part.body_start, end), end) if part.body_start < part.end else end
        body_end = _body_end(doc, numbering, body_start, start, end)
        out.append(PartBlocks(k, start, end, body_start, body_end, part.label,
                              part.path_label if k else ""))
    return out


def _only_ongoing_after(text: str, s: int, e: int, block_end: int) -> bool:
    """Whether all that follows the first sentence end in text[s:e] up to the block's end is an
    ongoing limit (…日常巡查。长期坚持。 / …日常巡查。（长期）): the sentence is the item's task."""
    stop = next((i for i in range(s, e) if text[i] == "。"), None)
    return stop is not None and stop + 1 < block_end and bool(_ONLY_ONGOING.fullmatch(text, stop + 1, block_end))


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(tuple(RULES.sentence_end + "；;，,"))


def analyse(doc: Document) -> Structure:
    """Numbering, section paths, body bounds and the sentence/row units of a document."""
    text = doc.text
    st = Structure()
    for i, block in enumerate(doc.blocks):
        num = numbering_of(text[block.start:block.end]) if block.kind != "table_row" else None
        if num:
            st.numbering[i] = num
    st.parts = _parts(doc, st.numbering)
    st.body_start, st.body_end = st.parts[0].body_start, st.parts[0].body_end
    for part in st.parts:
        path: list[Numbering] = []  # numbering restarts in each part
        prefix = [part.path_label] if part.path_label else []
        for i in range(part.start, part.end):
            num = st.numbering.get(i)
            if num:
                path = [n for n in path if n.level < num.level] + [num]
            st.section_paths.append("/".join(prefix + [n.label.rstrip("、.．") for n in path]))
    for i, block in enumerate(doc.blocks):
        in_body = st.in_body(i)
        if block.kind == "table_row":
            st.units.append(Unit(block.start, block.end, i, "row", st.section_paths[i], in_body=True))
            continue
        if not _CJK.search(text, block.start, block.end):
            continue
        spans = sentences(text, block.start, block.end)
        num = st.numbering.get(i)
        for k, (s, e) in enumerate(spans):
            # a numbered block whose first sentence is short is a title: （一）全面排查摸底。
            # (an article — 第四条 — has no title: its first sentence is already its content)
            # nor has an item of a list, which ends in ；: （一）落实政府购买服务政策；
            # (a first sentence that lists clauses is a duty, not a title: （四）建立常态化…机制，
            # 组织实施…整治工作。实行…制度。 A title with a comma — （一）强化顶层设计引领，发挥政府
            # 宏观指导作用。 — then reads as a duty, as annotators accept it)
            # A title in the slogan shape is a title even with its comma, when the item goes on after
            # it (in the same paragraph or in the paragraphs below): （一）带量采购，以量换价。在…
            clauses = bool(_CLAUSE_MARK.search(text, s, e)) or bool(_STAGE_ITEM.match(text, s, e))
            heading = bool(num) and num.name != "article" and k == 0 and (
                (block.kind in ("heading", "annex_heading") and not (clauses and text[s:e].rstrip().endswith("。")))
                or ((len(spans) > 1 or e - s <= 40) and not clauses)
                or (_is_slogan(text, s, e, num) and (len(spans) > 1 or _item_goes_on(st, doc.blocks, i)))) \
                and not text[s:e].rstrip().endswith(("；", ";")) \
                and not _only_ongoing_after(text, s, e, block.end)
            if not num and len(spans) == 1 and e - s <= 40 and not _PUNCTUATION.search(text, s, e):
                heading = True  # XX市养老服务设施建设三年行动方案（2023—2025年）
            if k == 0 and len(spans) > 1 and _STAGE_TITLE.fullmatch(text, s, e):
                heading = True  # 第一阶段（2025年4月—5月）：动员部署和自查自改。 with the stage's work after it
            if num and num.name == "article" and block.kind == "heading" and len(spans) == 1 \
                    and e - s <= 40 and not _PUNCTUATION.search(text, s, e):
                heading = True  # 第三条（职责分工） alone on its line: the article's title, its text below
            st.units.append(Unit(s, e, i, "sentence", st.section_paths[i], is_heading=heading, in_body=in_body))
    return st


def _is_slogan(text: str, start: int, end: int, num: Numbering) -> bool:
    """Whether the numbered sentence text[start:end] is two or three short parallel phrases."""
    head = text[start:end].strip()
    label = head.find(num.label)
    return bool(_SLOGAN.fullmatch(head[label + len(num.label):].strip() if label == 0 else head))


def is_lone_item(st: Structure, blocks: list[Block], unit: Unit, text: str) -> bool:
    """A numbered block of one full sentence (。) with nothing of its own below it (the next block a
    sibling or a higher heading): read as a title by its shape, it is an item of a list when the
    list's lead-in names duties (履行下列职责： … （十一）完成街道、镇部署的其他消防工作任务。)."""
    i = unit.block_index
    return i in st.numbering and sum(u.block_index == i for u in st.units) == 1 \
        and text[unit.start:unit.end].rstrip().endswith("。") and not _item_goes_on(st, blocks, i)


def _item_goes_on(st: Structure, blocks: list[Block], i: int) -> bool:
    """Whether the numbered block i is followed by its own content: a paragraph without numbering
    or a deeper-numbered item (not a sibling, not a table)."""
    if i + 1 >= len(blocks) or blocks[i + 1].kind not in ("paragraph", "heading"):
        return False
    after, this = st.numbering.get(i + 1), st.numbering.get(i)
    return after is None or (this is not None and after.level > this.level)


def body_coverage(doc: Document, st: Structure, spans: list[tuple[int, int]]) -> float | None:
    """The share of the body's characters that lie inside some span (the obligations). The body is
    everything from the cover's body on, whether or not a part's body took it in (so that text the
    structure failed to place counts as uncovered), less what is known to be frame: headings (never
    an obligation themselves), the labels and titles of annexes, signature blocks; whitespace is not
    counted. None for a document without body characters. Low coverage says text was probably
    lost: an annex not recognised, a table read as prose."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    starts = [m[0] for m in merged]
    heads = {i for p in st.parts[1:] for i in range(p.start, min(p.body_start, p.end))}
    first = st.parts[0].body_start if st.parts else 0
    total = covered = 0
    text = doc.text
    for i, block in enumerate(doc.blocks):
        frame = block.kind in ("heading", "signature", "title") or i in heads or \
            (i < first and block.kind != "table_row")
        inside = 0
        k = max(0, bisect.bisect_right(starts, block.start) - 1)
        while k < len(merged) and merged[k][0] < block.end:
            lo, hi = max(merged[k][0], block.start), min(merged[k][1], block.end)
            if lo < hi:
                inside += sum(1 for ch in text[lo:hi] if not ch.isspace())
            k += 1
        if frame and not inside:
            continue  # frame, unless a duty was read in it (a numbered item short enough to look like a heading)
        total += sum(1 for ch in text[block.start:block.end] if not ch.isspace())
        covered += inside
    return covered / total if total else None
