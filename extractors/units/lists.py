"""Lists of departments: the items joined by connectors (known words and items the gazetteer does
not know) and what the list's tail makes of its bare words.
"""
from __future__ import annotations

import re

from extractors.text import CompactView, fold_brackets
from extractors.units.gazetteer import RULES
from extractors.units.patterns import (_CONNECTOR, _CONNECTOR_AT_END, _DEPT_LEVEL_RE, _ITEM_MAX, _ITEM_MIN,
    _HEADS, _ITEM_SCAN, _ITEM_STOP, _LIST_TAIL, _NOT_BODY_ITEM, _NOT_BODY_ITEM_WORDS, _OFFICE_SUFFIX_AT_END, _PARENTHETICAL,
    _MODAL_FOLLOWER, _ROLE_VERB, _SHARED_SUFFIXES)
from extractors.units.context import _is_cjk, _level_of, _skip_parenthetical
from extractors.units.candidates import _CANONICAL_KEYS, _Cand


_NUMERALS = set(RULES.list.numeral_chars)


def _unknown_item(v: CompactView, start: int, end: int) -> _Cand:
    """A list item the gazetteer does not know (国土、工商、物价等部门 → 物价): a body outside the key
    list keeps its own short name. An item that cannot be a body keeps an empty canonical: it
    counts as an item of the list but is never a unit."""
    name = v.s[start:end]
    body = (_ITEM_MIN <= len(name) <= _ITEM_MAX and not _NOT_BODY_ITEM.search(name)
            and name not in _NOT_BODY_ITEM_WORDS and not set(name) <= _NUMERALS)
    short, level_text = _short_name(name)
    # a known word the scan found glued to a verb (征询规划资源、农业农村…) keys as the gazetteer says
    head = _HEADS.get(fold_brackets(short))
    if head is not None and head[0] in _CANONICAL_KEYS:
        short = head[0]
    return _Cand(start, end, short if body else "", _level_of(level_text), False, "unknown", priority=6,
                 level_text=level_text)


def _short_name(name: str) -> tuple[str, str | None]:
    """(short name, level part) of an unknown item: a full name loses its level and office suffix
    (市经贸委 → 经贸, 市); a bare item stays as it is (市容 is no 市 + 容); a division of the issuing
    body loses its head (局人事科 → 人事科)."""
    own = next((p for p in RULES.cell_bodies.own_prefixes if name.startswith(p)), None)
    if own and len(name) - len(own) >= 3 and name.endswith(tuple(RULES.cell_bodies.suffixes)):
        return name[len(own):], None
    suffix = _OFFICE_SUFFIX_AT_END.search(name)
    if not suffix:
        return name, None
    core = name[:suffix.start()]
    level = _DEPT_LEVEL_RE.match(core)
    if level and len(core) - level.end() >= _ITEM_MIN:
        return core[level.end():], level.group()
    return (core, None) if len(core) >= _ITEM_MIN else (name, None)


def _item_run_start(v: CompactView, end: int) -> int:
    """The leftmost start of a run of item characters ending at `end`."""
    s = v.s
    b = end
    while b > 0 and end - b < _ITEM_SCAN and _is_cjk(s[b - 1]) and s[b - 1] not in _ITEM_STOP \
            and not v.gap_before[b]:
        b -= 1
    return b


def _item_before(v: CompactView, end: int) -> _Cand | None:
    """The unknown item ending at `end`, as the first item of a list or one after a connector.
    A first item starts after a lead-in verb (督促|物价、…), a stop character (的|物价、…) or a
    boundary; a longer run has no clear start and is no item."""
    s = v.s
    b = _item_run_start(v, end)
    if end - b < _ITEM_MIN:
        return None
    if b > 0 and _CONNECTOR_AT_END.search(s, max(0, b - 2), b):
        return _unknown_item(v, b, end) if end - b <= _ITEM_MAX else None
    for p in range(end - _ITEM_MIN, b - 1, -1):  # the shortest item after a lead-in verb
        if any(s.endswith(w, 0, p) for w in RULES.list.item_lead_ins):
            return _unknown_item(v, p, end)
    return _unknown_item(v, b, end) if end - b <= _ITEM_MAX else None


def _items_between(v: CompactView, end: int, start: int) -> list[_Cand] | None:
    """The unknown items between two known ones (财政、|物价、劳动|、卫生), or None when the gap
    is not `connector (item connector)*`."""
    s = v.s
    end = _skip_parenthetical(s, end)  # 住房城乡建设（房地产）、自然资源等部门
    m = _CONNECTOR.match(s, end, start)
    if not m:
        return None
    items: list[_Cand] = []
    i = m.end()
    while i < start:
        j = i
        while j < start and _is_cjk(s[j]) and s[j] not in _ITEM_STOP and j - i < _ITEM_SCAN:
            j += 1
        m = _CONNECTOR.match(s, j, start)
        if j == i or not m:
            return None
        items.append(_unknown_item(v, i, j))
        i = m.end()
    return items


def _items_before_list(v: CompactView, start: int) -> list[_Cand]:
    """Unknown items in front of a list's first known item, joined by 、 (物价、|财政等部门)."""
    s = v.s
    items: list[_Cand] = []
    while start > 0 and s[start - 1] == "、":
        item = _item_before(v, start - 1)
        if item is None:
            break
        items.insert(0, item)
        start = item.start
    return items


def _department_tail(v: CompactView, i: int) -> re.Match[str] | None:
    """A list tail at i that makes its items departments (等部门, 部门, 等有关部门, 主管部门)."""
    m = _LIST_TAIL.match(v.s, i)
    if m and "部门" in (m["direct"] or m["head"] or ""):
        return m
    return None


def _items_after_list(v: CompactView, end: int) -> list[_Cand]:
    """Unknown items after a list's last known item, up to a department tail (财政、|物价等部门,
    民政和|物价部门); none when the list does not end in such a tail."""
    s = v.s
    items: list[_Cand] = []
    i = end
    while True:
        m = _CONNECTOR.match(s, i)
        if not m:
            return []
        j = k = m.end()
        while k < len(s) and k - j < _ITEM_SCAN and _is_cjk(s[k]) and s[k] not in _ITEM_STOP:
            k += 1
        tail_at = next((q for q in range(j + _ITEM_MIN, k + 1) if _department_tail(v, q)), None)
        if tail_at is not None:
            return items + [_unknown_item(v, j, tail_at)]
        if k == j or not _CONNECTOR.match(s, k):
            return []
        items.append(_unknown_item(v, j, k))
        i = k


def _lists(v: CompactView, atoms: list[_Cand]) -> list[list[_Cand]]:
    """Runs of list items: known department words joined by connectors, with the unknown items
    between, before and after them."""
    lists: list[list[_Cand]] = []
    current: list[_Cand] = []
    aside: list[_Cand] = []  # words in a bracket right after an item: 住房城乡建设局（建委、房产局）、…
    aside_end = -1
    for a in atoms:
        if a.start < aside_end:
            if aside and _items_between(v, aside[-1].end, a.start) is None:
                lists.append(aside)
                aside = []
            aside.append(a)
            continue
        if aside:
            lists.append(aside)
            aside = []
        if current:
            between = _items_between(v, current[-1].end, a.start)
            if between is not None:
                current.extend(between)
                current.append(a)
            else:
                lists.append(current)
                current = _items_before_list(v, a.start) + [a]
        else:
            current = _items_before_list(v, a.start) + [a]
        bracket = _PARENTHETICAL.match(v.s, a.end)
        aside_end = bracket.end() if bracket else -1
    for rest in (aside, current):
        if rest:
            lists.append(rest)
    for items in lists:
        items.extend(_items_after_list(v, items[-1].end))
    return lists


def _after_lead_in(v: CompactView, i: int) -> bool:
    return any(v.s.endswith(w, 0, i) for w in RULES.list.lead_ins)


def _list_verdict(v: CompactView, items: list[_Cand]) -> str | None:
    """What the bare words of a list are (see the module doc):
    "departments" when the list shares a department suffix or tail (…等部门, …、自然资源主管部门):
        every item is a department, unknown ones and those that need a suffix (建设、房产等部门);
    "units" when a tail of bodies, a role verb or a lead-in makes its known words units;
    None when its bare words are ordinary nouns."""
    if all(a.kind == "unknown" for a in items):
        return None
    last = items[-1]
    if last.kind == "department" and last.suffix in _SHARED_SUFFIXES and len(items) >= 2:
        return "departments"
    if _department_tail(v, last.end):
        return "departments"
    known = [a for a in items if a.kind in ("department", "bare")]
    if not known:
        return None
    unknown = len(items) - len(known)
    if unknown > len(known):
        return None
    m = _LIST_TAIL.match(v.s, last.end)
    if m:
        return None if (m["head"] in RULES.list.strict_tail_heads and unknown) else "units"
    if _ROLE_VERB.match(v.s, last.end) and (len(known) >= 2 or items[0].level_text):
        return "units"
    if _MODAL_FOLLOWER.match(v.s, last.end) and unknown == 0 and all(
            a.level_text and a.level_text not in RULES.list.modal_not_levels for a in items):
        return "units"  # 同级财政可…, 中央财政和地方财政应…: bodies with their level act
    return "units" if _after_lead_in(v, items[0].start) and unknown == 0 else None


def _department_units(v: CompactView, atoms: list[_Cand]) -> list[_Cand]:
    """The departments that stand as units: every full name, and the items of a list of units."""
    out = []
    for items in _lists(v, atoms):
        if len(items) == 1 and items[0].kind == "department":
            out.append(items[0])
            continue
        verdict = _list_verdict(v, items)
        for a in items:
            if a.kind == "department" or (a.kind == "bare" and verdict):
                out.append(a)
            elif verdict == "departments" and (a.kind == "bare_suffix" or (a.kind == "unknown" and a.canonical)):
                a.kind = "bare" if a.kind == "bare_suffix" else "department"
                out.append(a)
    return out
