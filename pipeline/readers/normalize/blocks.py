"""A block before it is laid out in the text, and its kind: heading and annex heading where the
numbering makes it obvious, the signature (the date under it and the issuer lines above)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.readers.normalize.lines import ANNEX_HEADING, CN_NUMBER, DATE_LINE, NUMBERING, starts_block
from pipeline.readers.normalize.traced import Traced
from schemas.document import BlockKind


@dataclass(slots=True)
class PendingBlock:
    kind: BlockKind
    text: Traced
    cells: list[tuple[Traced, int, str | None]] = field(default_factory=list)  # (text, col, header)
    table_id: int | None = None
    row: int | None = None
    # cells of vertically merged cells begun in an earlier row: (that row's block, its cell index,
    # this row's column)
    inherits: list[tuple[PendingBlock, int, int]] = field(default_factory=list)


_ARTICLE = re.compile(rf"\s*第(?:{CN_NUMBER}|\d{{1,3}})[条款]")
# an article's title alone on its line, as Shanghai's 规章 and 规范性文件 print them (第三条（职责分工）,
# the article's text on the lines below): a heading, not the article
ARTICLE_TITLE = re.compile(rf"\s*第(?:{CN_NUMBER}|\d{{1,3}})条\s*[（(][^（）()。；，,;]{{1,24}}[）)]\s*")
_HEADING_MAX = 40  # characters; a numbered line this short with one sentence at most is a heading


def guess_kind(text: str) -> BlockKind:
    """heading / annex_heading where the numbering makes it obvious; paragraph otherwise."""
    if ANNEX_HEADING.match(text):
        return "annex_heading"
    if ARTICLE_TITLE.fullmatch(text):
        return "heading"
    if _ARTICLE.match(text):  # 第三条 …: an article of a regulation is an item, not a heading
        return "paragraph"
    if NUMBERING.match(text) and len(text) <= _HEADING_MAX and not re.search(r"[。；！？;!?]", text.rstrip("。")):
        return "heading"
    if re.match(r"\s*第(?:" + CN_NUMBER + r"|\d{1,3})[编章节]", text) and len(text) <= _HEADING_MAX:
        return "heading"
    return "paragraph"


def block_kind(container_kind: BlockKind | None, text: str) -> BlockKind:
    """The container's kind (a heading style) unless the text says more (附件1 in a heading style)."""
    guessed = guess_kind(text)
    if container_kind is None or (container_kind == "heading" and guessed == "annex_heading"):
        return guessed
    return container_kind


_SIGNATORY = re.compile(r"[^，。；：:,;、《》“”]{2,30}")


def mark_signature(blocks: list[PendingBlock]) -> None:
    """The date under the signature and the issuer lines right above it are `signature`."""
    at = next((k for k in range(len(blocks) - 1, max(len(blocks) - 7, -1), -1)
               if blocks[k].kind != "table_row" and DATE_LINE.match(blocks[k].text.text)), None)
    if at is None:
        return
    blocks[at].kind = "signature"
    at -= 1
    for _ in range(20):
        if at < 0:
            break
        text = blocks[at].text.text
        if blocks[at].kind != "paragraph" or not _SIGNATORY.fullmatch(text) or starts_block(text):
            break
        blocks[at].kind = "signature"
        at -= 1
