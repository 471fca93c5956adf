"""Numeric requirements: 每100户配建20㎡, 0.5-1.2万人, 不少于30个, 百分之五十以上, 步行5-10分钟.

Public surface:
    extract(text: str, ctx: ExtractContext) -> list[Match]      field "quota", value QuotaValue
    parse(surface: str, ctx: ExtractContext) -> QuotaValue | None
    target_dates(text, quotas, deadlines, cell_headers) -> list[date | None]   (targets.py)
    repeats(quotas, in_table, dates) -> list[int | None]                        (targets.py)
    table_quotas(text, blocks, ctx) -> list[Match]: value cells read with a unit column (tables.py)
    unit_cells(blocks) -> list[(start, end)]: the cells of unit columns, never quotas

Locate, then judge. A quantity is a number with a unit (平方米, 万人, 个, %, 百分之…); around it
we read a comparator (不少于 … / … 以上), a per-basis (每百户, 人均, 每个街镇) and the verb that
governs it. Whether the quantity is a requirement depends on the kind of its unit (see
data/quotas.yaml): a measure always is; a bare count (三个层级, 一老一小) only with a comparator, a
per-basis, a range or a requirement verb; a duration only with a comparator that does not make it
a deadline (三十日内 belongs to extractors/deadlines/); money only with a comparator or a basis;
times (次) and ages (岁) only with a comparator. 达到X (分别达到X和Y) is at least X; the quantities of
one list share the cue of the first (新增城市公园1座、口袋公园3个). Each value carries its `direction`
(新增 increase, 下降 decrease, 稳定在 level) and `kind` (target, threshold, eligibility, price,
budget, frequency: kinds.py).
Dates, ordinals (第3条), phone numbers and code digits fail the number checks; spans under
`ctx.masked` (document numbers, standard codes) are skipped.

Vocabulary lives in extractors/data/quotas.yaml; this package holds the grammar.
"""
from __future__ import annotations

from extractors.base import ExtractContext, Match, filter_spans
from extractors.quotas.vocabulary import FIELD, RULES, Comparator, QuotaRules, QuotaValue, UnitKind
from extractors.quotas.grammar import _QUANTITY
from extractors.quotas.basis import _bases
from extractors.quotas.reading import (_clause_start, _is_requirement, _merge_bounds, _read,
    _share_list_cues, _value, in_past_year_sentence, states_a_norm)
from extractors.quotas.subject import _subject
from extractors.quotas import kinds
from extractors.quotas.targets import repeats, target_dates
from extractors.quotas.tables import table_quotas, unit_cells

__all__ = ["FIELD", "RULES", "Comparator", "QuotaRules", "QuotaValue", "UnitKind", "extract", "parse", "repeats",
           "states_a_norm", "table_quotas", "target_dates", "unit_cells"]


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every numeric requirement in `text` (offsets into `text`); [] when there is none."""
    if not isinstance(text, str) or not text:
        return []
    bases = _bases(text)
    located = [(m, r) for m in _QUANTITY.finditer(text) if (r := _read(m, text, bases, ctx))]
    _share_list_cues([r for _, r in located], text)
    readings = [r for m, r in located if _is_requirement(r, text, m.end()) and not ctx.is_masked(r.start, r.end)
                and not (in_past_year_sentence(text, r.number_start, ctx) and not states_a_norm(text, r.start, r.end))]
    for r in readings:
        # a rate's basis written before another quantity (每千人口拥有3岁以下婴幼儿托位数4.5个): the
        # rate's span starts at its own figure, so that the quantity in between keeps its own
        if r.basis is not None and r.start < r.lead_start and any(
                q is not r and r.start <= q.start and q.end <= r.lead_start for q in readings):
            r.start = r.lead_start
    matches = []
    prev_end = 0
    for r in _merge_bounds(readings, text):
        left = max(prev_end, _clause_start(text, r.start))
        subject = _subject(text, r, left)
        direction = kinds.direction(text, r, _clause_start(text, r.number_start))
        value = _value(r, subject, direction, kinds.kind(text, r, direction, r.reached))
        matches.append(Match(FIELD, r.start, r.end, text[r.start:r.end], value))
        prev_end = r.end
    return filter_spans(matches)


def parse(surface: str, ctx: ExtractContext) -> QuotaValue | None:
    """The value of the longest requirement written in `surface`; None when it states none."""
    found = extract(surface, ctx)
    if not found:
        return None
    return max(found, key=len).value
