"""A document's text as HTML with every extracted span highlighted, overlapping spans nested.

Spans may overlap in any way (a unit inside an obligation, a deadline that crosses a quota). The
text is cut at every span boundary; each piece is wrapped in the spans that cover it, outermost
first; a span that has to be closed early (a crossing neighbour) is reopened for the next piece.
So every span becomes one or more elements carrying `data-field`, `data-start`, `data-end`, and
the concatenated text of its elements is exactly `text[start:end]`. Only the first piece gets the
span's `id` (the anchor the report links to).
"""
from __future__ import annotations

import html
from dataclasses import dataclass

# nesting order when two spans cover the same piece with the same extent: obligations outside
FIELD_ORDER = {"obligation": 0, "citation": 1, "quota": 2, "deadline": 3, "unit": 4}


@dataclass(frozen=True)
class Span:
    field: str
    start: int
    end: int
    anchor: str  # the element id of the first piece
    tooltip: str = ""
    css: str = ""  # extra classes (e.g. the unit's role)


def _open_tag(span: Span, first: bool) -> str:
    attrs = [f'class="hl hl-{span.field}{(" " + span.css) if span.css else ""}"',
             f'data-field="{span.field}"', f'data-start="{span.start}"', f'data-end="{span.end}"']
    if first:
        attrs.append(f'id="{html.escape(span.anchor)}"')
    if span.tooltip:
        attrs.append(f'title="{html.escape(span.tooltip)}"')
    return "<span " + " ".join(attrs) + ">"


def _nesting_key(span: Span) -> tuple:
    return span.start, -span.end, FIELD_ORDER.get(span.field, 9), span.anchor


def highlight(text: str, spans: list[Span]) -> str:
    """`text` as escaped HTML with `spans` (offsets into `text`) wrapped in nested <span> elements.
    Empty or out-of-range spans are skipped."""
    usable = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in usable), *(s.end for s in usable)})
    starting: dict[int, list[Span]] = {}
    for s in usable:
        starting.setdefault(s.start, []).append(s)
    active: list[Span] = []
    stack: list[Span] = []
    opened: set[Span] = set()
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [s for s in active if s.end > a] + starting.get(a, [])
        covering = sorted(active, key=_nesting_key)
        keep = 0
        while keep < len(stack) and keep < len(covering) and stack[keep] is covering[keep]:
            keep += 1
        out.append("</span>" * (len(stack) - keep))
        stack = stack[:keep]
        for s in covering[keep:]:
            out.append(_open_tag(s, s not in opened))
            opened.add(s)
            stack.append(s)
        out.append(html.escape(text[a:b]))
    out.append("</span>" * len(stack))
    return "".join(out)
