"""Allocation tables: a table whose rows each give a quantity to one body (各省（区、市）招生任务分配表:
福建 | 45 | 50 | 50; 各镇整治任务分解表: 马陆镇 | 122.52; 各区指标分解: 黄浦区 | 1200 | 户). Each such
row is that body's duty (docs/EXTRACTION.md §obligations, §tables): the body carries it out, and the
limit that governs the table is the row's.

Recognised by shape, never by document: the row's first cell (after a 序号) names a body — a bare
province (福建), a place name ending in 省/市/区/县/镇/街道/乡 (马陆镇, 黄浦区), or a body the unit
extractor found (市教育局) — and every other cell is a number (a unit cell under 单位 aside); at least
two such rows make the table. Not an allocation: a table with a contact or indicator column
(联系人, 指标: data/allocation.yaml), one whose value columns (or title) all describe the past
(现状, 已完成, 2023年实际), a total row (总计, 合计).

The governing limit, first found wins: the row's own deadline column; the latest year the table's
header rows name (分年度招生任务 / 1996年 1997年 1998年 -> 1998-12-31), not one before the issue
year; a deadline of the title or the lead-in just above the table (…于11月中旬前完成全部任务，
具体分解如下：); a year in the table's title (2014年…任务计划表).

    allocations(doc, fields, issued) -> {block index: Allocation}
    quotas(doc, allocations, issued, ctx) -> list[Match]   one quota per value cell of a row or of
                                            the table's total row (not a column of the past, of codes):
                                            its unit the cell's own (1200户), else its header's
                                            (整治任务（户）, 招生人数), else the table's; rows without
                                            column headers take only a unit stated for the whole table
                                            (单位：公顷)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from extractors import headers
from extractors.base import ExtractContext, Match
from extractors.deadlines.vocabulary import DeadlineValue
from extractors.fields import FieldMatches
from extractors.metadata.vocabulary import REGIONS
from extractors.quotas.tables import read_cell  # the indicator tables' cell reader, shared
from extractors.quotas.vocabulary import RULES as QUOTA_RULES
from extractors.rules import RuleTable, load_rules
from extractors.text import HAN
from extractors.units.gazetteer import FIELD, UnitValue
from schemas.document import Block, Document


class AllocationRules(RuleTable):
    area_endings: list[str]
    town_endings: list[str]
    max_name_chars: int
    not_bodies: list[str]
    total_words: list[str]
    not_allocation_headers: list[str]
    contact_headers: list[str]
    note_headers: list[str]
    code_headers: list[str]
    max_note_chars: int


RULES = load_rules(AllocationRules, "allocation.yaml")
# a value cell: a number, maybe with a note in brackets (120（扩招）, 70（实招45）) or a short unit
_NUMBER_CELL = re.compile(rf"[\d.,，、]+\s*(?:[%％]|[{HAN}]{{1,3}})?\s*(?:[（(][^）)]{{0,12}}[）)])?")
_EMPTY_CELL = re.compile(r"[—－\-/／、\s]*")
_SERIAL = re.compile(r"\d{1,3}[.．、]?")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_PROVINCE_SUFFIX = re.compile(r"(?:(?:壮族|回族|维吾尔)?自治区|特别行政区|省|市)$")
_BARE_PROVINCES = frozenset(_PROVINCE_SUFFIX.sub("", p.name) for p in REGIONS.provinces)
_LEVELS = {"省": "province", "自治区": "province", "市": "city", "自治州": "city", "镇": "town", "街道": "town",
           "乡": "town"}


@dataclass(frozen=True, slots=True)
class Allocation:
    """A row of an allocation table: the body it gives its quantity to, and the table's limit."""

    body: Match
    deadlines: tuple[Match, ...]
    unit: str  # the unit the table states for all its numbers (招生人数 -> 人; 单位：公顷), "" when none


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def body_value(name: str) -> UnitValue | None:
    """The body a first cell names (福建, 马陆镇, 黄浦区), None when it names none."""
    if not re.fullmatch(f"[{HAN}]{{2,}}", name) or name in RULES.not_bodies:
        return None
    if name in _BARE_PROVINCES:
        return UnitValue(name=name, canonical="人民政府", level="province", generic=False)
    ending = next((e for e in sorted(RULES.area_endings, key=len, reverse=True) if name.endswith(e)), None)
    if ending is None or not 1 <= len(name) - len(ending) <= RULES.max_name_chars:
        return None
    if any(name.endswith(e) for e in REGIONS.not_area_endings) or any(p in name for p in REGIONS.not_area_parts):
        return None
    key = "镇街" if ending in RULES.town_endings else "人民政府"
    return UnitValue(name=name, canonical=key, level=_LEVELS.get(ending, "district"), generic=False)


def _row_body(doc: Document, block: Block, fields: FieldMatches, merged_text: bool = False) -> Match | None:
    """The body of an allocation row, when the row has that shape (module doc). With `merged_text`,
    one cell of text may stand among the figures: a vertically merged cell's text, which a flattened
    table gives its first row only."""
    text = doc.text
    cells = [c for c in block.cells if _compact(text[c.start:c.end])]
    if cells and _SERIAL.fullmatch(_compact(text[cells[0].start:cells[0].end])):
        cells = cells[1:]  # 序号
    if len(cells) < 2:
        return None
    first, rest = cells[0], cells[1:]
    numbers = 0
    texts_left = 1 if merged_text else 0
    for c in rest:
        value = _compact(text[c.start:c.end])
        if _NUMBER_CELL.fullmatch(value) and re.match(r"\d", value):
            numbers += 1
        elif texts_left and c.header is None and re.search(f"[{HAN}]", value):
            texts_left -= 1
        elif not (_EMPTY_CELL.fullmatch(value) or _compact(c.header or "") in QUOTA_RULES.unit_column_headers
                  or headers.classify(c.header).column == "deadline"
                  or any(w in (c.header or "") for w in RULES.note_headers)
                  # a row with no column headers (a flattened table's rows keyed by body): its time
                  # limit and its short notes (郊野单元) stand by its figures
                  or (c.header is None and (fields.within("deadlines", c.start, c.end)
                                            or len(value) <= RULES.max_note_chars))):
            return None  # a task or a name: no allocation (a unit, time limit or note cell may stand by)
    if not numbers:
        return None
    raw = text[first.start:first.end]
    s = first.start + len(raw) - len(raw.lstrip())
    e = first.start + len(raw.rstrip())
    known = [m for m in fields.within("units", s, e) if not m.value.generic]
    if len(known) == 1 and known[0].end - known[0].start >= (e - s) - 1:
        return known[0]  # 市教育局: a department keeps the unit extractor's reading
    value = body_value(text[s:e])
    return Match(FIELD, s, e, text[s:e], value) if value else None


def _is_past(label: str, issued: dt.date | None) -> bool:
    if headers.is_past(label):
        return True
    years = [int(y) for y in _YEAR.findall(label)]
    return bool(issued and years and max(years) < issued.year)


def _year_match(doc: Document, start: int, end: int, issued: dt.date | None) -> Match | None:
    """The latest year written in text[start:end] (not one before the issue year), as a limit."""
    best = None
    for m in _YEAR.finditer(doc.text, start, end):
        year = int(m.group(1))
        if (issued and year < issued.year) or (best and year <= best[0]):
            continue
        best = (year, m.start(), m.end())
    if best is None:
        return None
    year, s, e = best
    return Match("deadline", s, e, doc.text[s:e], DeadlineValue(dt.date(year, 12, 31), "by", "year",
                                                              year_source="stated"))


def _table_limit(doc: Document, header_rows: list[Block], first_index: int, fields: FieldMatches,
                 issued: dt.date | None) -> tuple[Match, ...]:
    """The limit that governs the whole table (module doc), none when nothing states one."""
    years = [m for b in header_rows for c in b.cells if not _is_past(doc.text[c.start:c.end], issued)
             and (m := _year_match(doc, c.start, c.end, issued))]
    if years:
        return (max(years, key=lambda m: m.value.date),)
    above = [i for i in range(max(0, first_index - 3), first_index) if doc.blocks[i].kind != "table_row"]
    for i in reversed(above):
        b = doc.blocks[i]
        stated = [m for m in fields.within("deadlines", b.start, b.end) if m.value.kind == "by"]
        if stated:
            return (stated[-1],)
    for i in reversed(above[-1:]):
        b = doc.blocks[i]
        if b.end - b.start <= 60 and not _is_past(doc.text[b.start:b.end], None):
            m = _year_match(doc, b.start, b.end, issued)
            return (m,) if m else ()
    return ()


_MAX_HEADER_LINE = 20   # characters of a header label left as a line above rows kept by body
_MAX_HEADER_LINES = 40


def _header_lines_above(doc: Document, first: int) -> set[str]:
    """The short lines right above a table whose rows have no column headers (a flattened table kept
    by body, its multi-level header left as lines): the header's labels (乡镇, 减量化情况, 联系人 …)."""
    out: set[str] = set()
    for i in range(first - 1, max(-1, first - 1 - _MAX_HEADER_LINES), -1):
        b = doc.blocks[i]
        label = _compact(doc.text[b.start:b.end])
        if b.kind == "table_row" or len(label) > _MAX_HEADER_LINE:
            break
        out.add(label)
    return out


def allocations(doc: Document, fields: FieldMatches, issued: dt.date | None = None) -> dict[int, Allocation]:
    """Every allocation row of the document by block index (module doc)."""
    tables: dict[object, list[int]] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind == "table_row":
            tables.setdefault(b.table_id, []).append(i)
    out: dict[int, Allocation] = {}
    for rows in tables.values():
        bodies = {i: body for i in rows if (body := _row_body(doc, doc.blocks[i], fields))}
        if len(bodies) < 2:
            continue
        bodies.update(_rows_with_merged_text(doc, rows, bodies, fields))
        first = min(bodies)
        header_rows = [doc.blocks[i] for i in rows if i < first and i not in bodies]
        labels = {_compact(c.header or "") for i in rows for c in doc.blocks[i].cells}
        labels |= {_compact(doc.text[c.start:c.end]) for b in header_rows for c in b.cells}
        if any(w in label for label in labels for w in RULES.not_allocation_headers):
            continue
        keyed = all(c.header is None for i in rows for c in doc.blocks[i].cells)
        lines_above = _header_lines_above(doc, rows[0]) if keyed else set()
        if any(w in label for label in lines_above for w in RULES.contact_headers):
            continue  # rows kept by body whose header, left as lines above them, lists contacts
        value_labels = {_compact(c.header or "") for i in bodies for c in doc.blocks[i].cells[1:] if c.header}
        title = doc.blocks[rows[0] - 1] if rows[0] > 0 and doc.blocks[rows[0] - 1].kind != "table_row" else None
        if (value_labels and all(_is_past(v, issued) for v in value_labels)) or (
                title and title.end - title.start <= 60 and _is_past(doc.text[title.start:title.end], None)):
            continue
        limit = _table_limit(doc, header_rows, rows[0], fields, issued)
        if keyed:
            # rows kept by body have no column headers, so only a unit the table states in words
            # for the whole table (单位：公顷 above its header lines) measures their figures; a unit in
            # brackets is one column's (湿垃圾车累计数（辆）), and which cells are that column is unknown
            unit = next((u for label in sorted(lines_above) if (u := table_unit(label))), "")
        else:
            above = [doc.text[b.start:b.end] for b in doc.blocks[max(0, rows[0] - 2):rows[0]] if b.kind != "table_row"]
            # a 单位：公顷 line above states the table's unit; else the first header that names one
            unit = next((u for label in [*above, *sorted(labels)] if (u := unit_of(label))), "")
        for i, body in bodies.items():
            out[i] = Allocation(body, limit, unit)
    return out


def _filled(doc: Document, block: Block) -> int:
    return sum(1 for c in block.cells if _compact(doc.text[c.start:c.end]))


def _rows_with_merged_text(doc: Document, rows: list[int], bodies: dict[int, Match],
                           fields: FieldMatches) -> dict[int, Match]:
    """Rows of an allocation table that hold one cell more than its allocation rows, that cell a
    text: a vertically merged cell (a stage's task: 完成制定方案、计划和动员部署等。) that the flattened
    table gives its first row only. The row is an allocation as the others are."""
    widths = {_filled(doc, doc.blocks[i]) for i in bodies}
    if len(widths) != 1:
        return {}
    width = widths.pop()
    return {i: body for i in rows if i not in bodies and _filled(doc, doc.blocks[i]) == width + 1
            and (body := _row_body(doc, doc.blocks[i], fields, merged_text=True))}


_UNIT_FORMS = sorted((f for u in QUOTA_RULES.units for f in u.forms if re.fullmatch(f"[{HAN}]+", f)),
                     key=len, reverse=True)
_BRACKET = re.compile(r"[（(]([^（()）]{1,6})[)）]")
_UNIT_LINE = re.compile(rf"单位[：:]\s*([{HAN}]{{1,6}})")


def table_unit(line: str) -> str:
    """The unit a line states for a whole table after 单位： (制表日期：2026.1 单位：亩); "" when none."""
    return next((m.group(1) for m in _UNIT_LINE.finditer(_compact(line)) if m.group(1) in _UNIT_FORMS), "")


def unit_of(label: str) -> str:
    """The unit a header or title line states: in brackets (整治任务（户）, 资金（万元）), after 单位：
    (单位：公顷), or as its last word (招生人数, 面积亩 -> 人, 亩); "" when none."""
    label = _YEAR.sub("", _compact(label))  # 2026年 names a column's year, not a unit
    for m in [*_BRACKET.finditer(label), *_UNIT_LINE.finditer(label)]:
        if m.group(1) in _UNIT_FORMS:
            return m.group(1)
    return next((f for f in _UNIT_FORMS if label.endswith((f, f + "数"))), "")


def quotas(doc: Document, rows: dict[int, Allocation], issued: dt.date | None, ctx: ExtractContext) -> list[Match]:
    """One quota per value cell of an allocation row (module doc); a target the table sets."""
    text = doc.text
    found = []
    code_columns = _code_columns(doc, rows)
    totals = _total_rows(doc, rows)
    for i, row in [*rows.items(), *totals.items()]:
        for k, c in enumerate(doc.blocks[i].cells):
            number = re.match(r"\s*(\d+(?:\.\d+)?)", text[c.start:c.end])
            if c.start >= row.body.end and number and not _is_past(c.header or "", issued) and \
                    not any(w in (c.header or "") for w in RULES.code_headers) and \
                    (i in totals or (doc.blocks[i].table_id, k) not in code_columns):
                rest = _compact(text[c.start + number.end():c.end])
                if rest.startswith(("、", ",", "，", "年", "月")):
                    continue  # 221、253 (codes), 2014年12月底 (a time limit): no quantity
                own = next((f for f in _UNIT_FORMS if rest.startswith(f)), "")
                # a row keyed by its body under a header no reading aligned (pipeline/readers/keyed_rows.py)
                # has no column headers: its figures take the unit the table states in words (单位：公顷),
                # else only a cell's own (1200户)
                unit = own or unit_of(c.header or "") or row.unit
                value = read_cell(number.group(1), unit, ctx) if unit else None
                if value is None:
                    continue
                s, e = c.start + number.start(1), c.start + number.end(1) + len(own)
                found.append(Match("quota", s, e, text[s:e], dataclasses.replace(
                    value, subject=_compact(c.header or "") or value.subject, kind="target")))
    return found


_CODE_LIST = re.compile(r"\d+(?:\s*[、,，]\s*\d+)+")


def _code_columns(doc: Document, rows: dict[int, Allocation]) -> set[tuple[object, int]]:
    """(table, cell position) of the columns that hold codes in rows without column headers: a column
    where some row lists numbers (221、253) lists codes in every row (221)."""
    out = set()
    for i in rows:
        b = doc.blocks[i]
        for k, c in enumerate(b.cells):
            if c.header is None and _CODE_LIST.fullmatch(_compact(doc.text[c.start:c.end])):
                out.add((b.table_id, k))
    return out


def _total_rows(doc: Document, rows: dict[int, Allocation]) -> dict[int, Allocation]:
    """The total rows of the allocation tables (合计 | 185 | 150 | 35), keyed by block index: what a
    table gives in all is a target too. A total row has no codes, so its cells are not read by column
    (its blank cells were dropped as well)."""
    tables = {doc.blocks[i].table_id: row for i, row in rows.items()}
    out = {}
    for i, b in enumerate(doc.blocks):
        if b.kind != "table_row" or b.table_id not in tables or i in rows:
            continue
        cells = [c for c in b.cells if _compact(doc.text[c.start:c.end])]
        if cells and _SERIAL.fullmatch(_compact(doc.text[cells[0].start:cells[0].end])):
            cells = cells[1:]
        if cells and _compact(doc.text[cells[0].start:cells[0].end]) in RULES.total_words:
            first = cells[0]
            out[i] = dataclasses.replace(tables[b.table_id], body=Match(
                FIELD, first.start, first.end, doc.text[first.start:first.end], None))
    return out
