"""`normalize`: the items of one document in, its text, blocks, source map and header fields out,
in the order the package docstring gives."""
from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel

from pipeline.readers.normalize.blocks import PendingBlock, block_kind, mark_signature
from pipeline.readers.normalize.items import Item, Layout, SourceCell, SourceLine, SourceTable
from pipeline.readers.normalize.lines import PAGE_NUMBER, fold, header_fields_of, is_header_field_line, is_noise_line
from pipeline.readers.normalize.paragraphs import compact_spaces, detect_layout, join_lines, paragraphs
from pipeline.readers.normalize.tables import TableRows
from pipeline.readers.normalize.text_items import text_items
from pipeline.readers.normalize.traced import Traced, concat
from pipeline.readers.normalize.vocabulary import vocabulary
from schemas.document import Block, Cell, Document, SourceRun


class Normalised(BaseModel):
    """What `normalize` returns: the `Document` fields it fills."""

    text: str
    blocks: list[Block]
    source_map: list[SourceRun]
    header_fields: dict[str, str]


_BARE_NUMBER = re.compile(r"\s*、?\d{1,3}\s*$")
_CELL_MAX = 15          # characters of a short line that may be a cell of a flattened table
_HEADER_MAX = 30        # characters of a running header line
_SENTENCE_MARK = re.compile(r"[。；;！？!?]")


def _without_noise(items: list[Item]) -> list[Item]:
    """The items without noise lines (page numbers, numeric junk, bullets, furniture). A bare number
    between two short lines that are no sentences (江桥镇 / 39 / 221) is a cell of a table that reached
    us one cell per line and that no reading recovered, not a page number: it stays, so the text keeps
    the table's figures."""
    lines = [i for i, item in enumerate(items) if isinstance(item, SourceLine) and item.text.text.strip()]
    position = {i: k for k, i in enumerate(lines)}

    def cell_like(k: int) -> bool:
        if not 0 <= k < len(lines):
            return False
        text = items[lines[k]].text.text.strip()
        return len(text) <= _CELL_MAX and not _SENTENCE_MARK.search(text)

    headers = _running_headers(items, lines)
    out = []
    for i, item in enumerate(items):
        if i in headers:
            continue
        if isinstance(item, SourceLine) and is_noise_line(item.text.text):
            k = position.get(i)
            if not (k is not None and _BARE_NUMBER.match(item.text.text) and cell_like(k - 1) and cell_like(k + 1)):
                continue
        out.append(item)
    return out


def _running_headers(items: list[Item], lines: list[int]) -> set[int]:
    """The items of a text dump's running header: a short line that stands right after a page
    number (— 3 —) at least twice with the same text (兰州市人民政府办公室 atop every page). Its
    first occurrence, before any page number, is the letterhead and stays."""
    after_page: dict[str, list[int]] = {}
    for a, b in zip(lines, lines[1:]):
        if PAGE_NUMBER.fullmatch(items[a].text.text.strip()):
            text = items[b].text.text.strip()
            if len(text) <= _HEADER_MAX and not PAGE_NUMBER.fullmatch(text):
                after_page.setdefault(text, []).append(b)
    return {i for found in after_page.values() if len(found) >= 2 for i in found}


def normalize(items: list[Item], layout: Layout | None = None) -> Normalised:
    """Normalise the items of one document (see the module docstring for the steps).

    `layout` None: detect from the lines (text files); readers of paragraphs pass LINES, the
    PDF reader GEOMETRY.
    """
    items = [_fold_item(item) for item in items]
    fields, items = _take_header_fields(items)
    from pipeline.readers.flattened_tables import recover  # it imports this package
    items = recover(items)  # tables flattened one cell per line back into tables, before their row numbers look like page numbers
    items = _without_noise(items)
    if layout is None:
        layout = detect_layout([item.text.text for item in items if isinstance(item, SourceLine)])
    blocks: list[PendingBlock] = []
    stretch: list[SourceLine] = []
    tables = TableRows()
    for item in [*items, None]:
        if isinstance(item, SourceLine):
            stretch.append(item)
            continue
        for group in paragraphs(stretch, layout):
            text = compact_spaces(join_lines([line.text for line in group]))
            if text.text:
                blocks.append(PendingBlock(block_kind(group[0].kind, text.text), text))
        stretch = []
        if item is not None:
            blocks.extend(tables.rows_of(item))
    mark_signature(blocks)
    return _assemble(blocks, fields)


def normalize_text(source: str, *, markdown: bool = False, source_path: str = "<text>") -> Document:
    """A decoded text (a .txt or .md file's content) as a Document, without a file: what
    `read_document` makes of a text file, doc_id the sha256 of the text in UTF-8."""
    result = normalize(text_items(source, markdown=markdown))
    return Document(doc_id=hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(),
                    source_path=source_path, format="md" if markdown else "txt", text=result.text,
                    blocks=result.blocks, source_map=result.source_map, header_fields=result.header_fields)


def _fold_item(item: Item) -> Item:
    if isinstance(item, SourceLine):
        return SourceLine(fold(item.text), item.kind, item.full, item.indented, item.centred)
    rows = [[SourceCell(fold(c.text), c.col, c.span, c.merged) for c in row] for row in item.rows]
    return SourceTable(rows, item.header_rows, item.continues_previous, item.align_header_right)


_HEAD_LINES = 40


def _take_header_fields(items: list[Item]) -> tuple[dict[str, str], list[Item]]:
    """Metadata lines among the first lines ("• 发布机构: … 发文日期: …") go to header_fields and
    out of the text; at least two such lines, so that a lone body line "主题：…" stays. A web
    page's metadata table flattened one cell per line (索取号 / 3589…/2024-00028 / 载体类型 /
    发布机构 / 上海市… ) is taken the same way (`_bare_key_block`)."""
    head = [i for i, item in enumerate(items[:_HEAD_LINES]) if isinstance(item, SourceLine)
            and is_header_field_line(item.text.text)]
    fields: dict[str, str] = {}
    drop: set[int] = set()
    if len(head) >= 2:
        for i in head:
            for key, value in header_fields_of(items[i].text.text).items():
                fields.setdefault(key, compact_spaces(Traced.inserted(value)).text)
        drop |= set(head)
    for key, value, taken in _bare_key_block(items):
        if value:
            fields.setdefault(key, compact_spaces(Traced.inserted(value)).text)
        drop |= taken
    if not drop:
        return {}, items
    return fields, [item for i, item in enumerate(items) if i not in drop]


# a flattened metadata table has several labels alone on their lines; fewer are body lines
_BARE_KEYS_MIN = 3


def _bare_key_block(items: list[Item]) -> list[tuple[str, str, set[int]]]:
    """(key, value, item indices) of a metadata table flattened one cell per line in the head: a
    line that is a metadata key alone, followed by its value line unless the next line is a key
    too (an empty cell). The block ends at the first line after a value that is not a key."""
    keys = set(vocabulary().header_keys)
    texts = [re.sub(r"\s+", "", item.text.text) if isinstance(item, SourceLine) else None
             for item in items[:_HEAD_LINES]]
    texts += [None]
    out: list[tuple[str, str, set[int]]] = []
    i = 0
    while i < len(texts) - 1:
        if texts[i] not in keys:
            if out:
                break
            i += 1
            continue
        key, taken = texts[i], {i}
        value = ""
        # the next line is the value, unless it is a key (an empty cell) or the document's text
        # (a salutation, a sentence: the block has ended)
        nxt = texts[i + 1]
        if nxt and nxt not in keys and not nxt.endswith(("：", ":")) and "。" not in nxt:
            value = items[i + 1].text.text.strip()
            taken.add(i + 1)
        out.append((key, value, taken))
        i = max(taken) + 1
    return out if len(out) >= _BARE_KEYS_MIN else []


def _assemble(blocks: list[PendingBlock], fields: dict[str, str]) -> Normalised:
    parts: list[Traced] = []
    out_blocks: list[Block] = []
    assembled: dict[int, Block] = {}  # id of a PendingBlock -> its Block, for the cells rows inherit
    at = 0
    for block in blocks:
        if parts:
            parts.append(_NL)
            at += 1
        cells, cell_at = [], at
        for text, col, header in block.cells:
            cells.append(Cell(col=col, start=cell_at, end=cell_at + len(text), header=header))
            cell_at += len(text) + 1
        inherited = []
        for origin, k, col in block.inherits:
            cell = assembled[id(origin)].cells[k]
            inherited.append(Cell(col=col, start=cell.start, end=cell.end, header=cell.header))
        out_blocks.append(Block(kind=block.kind, start=at, end=at + len(block.text), page=block.text.page,
                                table_id=block.table_id, row=block.row, cells=cells, inherited=inherited))
        assembled[id(block)] = out_blocks[-1]
        parts.append(block.text)
        at += len(block.text)
    text = concat(parts)
    source_map = [SourceRun(text_start=r.start, source_start=r.source, length=r.length, page=r.page)
                  for r in text.runs if r.source is not None]
    return Normalised(text=text.text, blocks=out_blocks, source_map=source_map, header_fields=fields)


_NL = Traced.inserted("\n")
