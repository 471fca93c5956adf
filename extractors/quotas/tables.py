"""Quotas of indicator tables whose unit stands in a column of its own (指标名称 | 单位 | 2030年目标)
or in the column's header (建筑面积（平方米）): the number of a value cell read with the row's unit
cell, else its header's (2 under 万平方米 -> 20000 m2). The unit cell itself is never a quota
(EXTRACTION.md §quotas).
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from extractors import headers
from extractors.base import ExtractContext, Match
from extractors.quotas.grammar import _QUANTITY
from extractors.quotas.reading import _read, _value
from extractors.quotas.vocabulary import RULES
from schemas.document import Block

# a value cell: a number, maybe with a comparator sign or word (≥90, 90以上, 约2, 0.5-1.2)
_VALUE_CELL = re.compile(r"(?:[≥≤><＞＜]|不少于|不低于|不超过|约)?\s*\d+(?:[.．]\d+)?(?:\s*[-－—~～]\s*\d+(?:[.．]\d+)?)?\s*(?:以上|以下|左右)?")
_SIGNS = {"≥": "不少于", "≤": "不超过", ">": "超过", "＞": "超过", "<": "少于", "＜": "少于"}


def _header(cell) -> str:
    return re.sub(r"\s+", "", cell.header or "")


# a column header that states its cells' unit in brackets: 建筑面积（平方米）, 服务人口（万人）
_HEADER_UNIT = re.compile(r"[（(]([^（）()\d]{1,6})[）)]$")


def _header_unit(cell, ctx: ExtractContext) -> str:
    """The unit a column's header states in brackets, when it reads as a unit (1 + 平方米) and the
    column is not one of the past (2023年实际完成（户）: what was done is no target)."""
    header = _header(cell)
    m = _HEADER_UNIT.search(header)
    if m is None or headers.is_past(header):
        return ""
    return m.group(1) if read_cell("1", m.group(1), ctx) is not None else ""


def unit_cells(blocks: Sequence[Block]) -> list[tuple[int, int]]:
    """Spans of the cells of a unit column (header 单位 / 计量单位)."""
    return [(c.start, c.end) for b in blocks for c in b.cells if _header(c) in RULES.unit_column_headers]


def table_quotas(text: str, blocks: Sequence[Block], ctx: ExtractContext) -> list[Match]:
    """One quota per value cell of a table row: a number read with the row's unit cell, or a cell
    that is a quantity and nothing else (100个 under 2025年计划); its subject the row's indicator
    or task cell (新增公共绿地面积: its direction too); a target (the table states what is to be
    reached). A header row is no row of values."""
    found: list[Match] = []
    for block in blocks:
        if block.kind != "table_row" or not any(c.header for c in block.cells):
            continue
        units = [c for c in block.cells if _header(c) in RULES.unit_column_headers]
        unit = text[units[0].start:units[0].end].strip() if len(units) == 1 else ""
        names = [c for c in block.cells if any(w in _header(c) for w in RULES.indicator_headers)]
        subject = text[names[0].start:names[0].end].strip() if names else None
        for c in block.cells:
            if c in units or c in names or any(w in _header(c) for w in RULES.not_value_headers):
                continue
            raw = text[c.start:c.end]
            value_text = raw.strip()
            phrase = "".join(_SIGNS.get(ch, ch) for ch in value_text)
            cell_unit = unit or _header_unit(c, ctx)
            if cell_unit and _VALUE_CELL.fullmatch(value_text):
                value = read_cell(phrase, cell_unit, ctx)
            elif value_text and _QUANTITY.fullmatch(phrase):
                value = read_cell(phrase, "", ctx)      # 100个: the cell holds its unit
            else:
                continue
            if value is None:
                continue
            start = c.start + (len(raw) - len(raw.lstrip()))
            direction = next((d for w, d in RULES.directions.items() if subject and subject.startswith(w)), None)
            found.append(Match("quota", start, start + len(value_text), value_text, dataclasses.replace(
                value, subject=subject or value.subject, kind="target", direction=direction)))
    return found


def read_cell(number: str, unit: str, ctx: ExtractContext):
    """The value of `number` in `unit` (2 + 万平方米), read without the requirement gate: its place
    in an indicator table makes it one."""
    suffix = re.match(r"(.*?)(以上|以下|左右)?$", number)
    phrase = suffix.group(1) + unit + (suffix.group(2) or "")
    m = _QUANTITY.search(phrase)
    if not m:
        return None
    r = _read(m, phrase, [], ExtractContext())
    return _value(r, None) if r is not None and r.kind != "ignored" else None
