"""SVG charts drawn here (no chart library, nothing fetched): horizontal stacked bars, a heat map
and a timeline. Each function returns one <svg> element as a string; labels are escaped; every
mark carries a <title> so hovering shows its value, and may link to an anchor of the report."""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

FONT_SIZE = 12
ROW_HEIGHT = 22
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac", "#86bcb6", "#d37295"]


def text_width(label: str, size: int = FONT_SIZE) -> float:
    """Approximate rendered width: CJK and full-width characters are square, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in label)


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def _link(inner: str, href: str | None) -> str:
    return f'<a href="{_esc(href)}">{inner}</a>' if href else inner


def _svg(width: float, height: float, body: list[str], label: str, css: str) -> str:
    return (f'<svg class="chart {css}" role="img" aria-label="{_esc(label)}" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-size="{FONT_SIZE}">' + "".join(body) + "</svg>")


def _empty(label: str) -> str:
    return f'<p class="empty">{_esc(label)}: no data</p>'


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: Sequence[float]  # one per category, in the chart's category order


def stacked_bars(label: str, categories: Sequence[str], series: Sequence[Series], width: int = 720,
                 hrefs: Sequence[str | None] | None = None) -> str:
    """One horizontal bar per category, stacked by series, with a legend."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return _empty(label)
    left = max(text_width(c) for c in categories) + 12
    plot = width - left - 50
    scale = plot / max(totals)
    legend_h = ROW_HEIGHT
    body = []
    x = left
    for s in series:  # legend
        body.append(f'<rect class="legend" x="{x:.1f}" y="4" width="12" height="12" fill="{s.color}"/>'
                    f'<text x="{x + 16:.1f}" y="14">{_esc(s.name)}</text>')
        x += 16 + text_width(s.name) + 14
    for i, cat in enumerate(categories):
        y = legend_h + 8 + i * ROW_HEIGHT
        body.append(f'<text x="{left - 6:.1f}" y="{y + 14}" text-anchor="end">{_esc(cat)}</text>')
        x = left
        for s in series:
            v = s.values[i]
            if v <= 0:
                continue
            w = v * scale
            mark = (f'<rect class="bar" x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{ROW_HEIGHT - 6}" '
                    f'fill="{s.color}"><title>{_esc(cat)} · {_esc(s.name)}: {v:g}</title></rect>')
            body.append(_link(mark, hrefs[i] if hrefs else None))
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + 14}" class="total">{totals[i]:g}</text>')
    height = legend_h + 8 + len(categories) * ROW_HEIGHT + 6
    return _svg(width, height, body, label, "bars")


def heatmap(label: str, rows: Sequence[str], cols: Sequence[str], values: dict[tuple[str, str], float],
            color: str = "#4e79a7", cell: int = 34, tooltip: dict[tuple[str, str], str] | None = None) -> str:
    """Rows × columns of squares shaded by value; the value is printed in its square."""
    if not rows or not cols or not any(values.values()):
        return _empty(label)
    left = max(text_width(r) for r in rows) + 10
    top = max(text_width(c) for c in cols) * 0.72 + 14  # column labels at -45°
    vmax = max(values.values()) or 1
    body = []
    for j, c in enumerate(cols):
        x = left + j * cell + cell / 2
        body.append(f'<text x="{x:.1f}" y="{top - 6:.1f}" transform="rotate(-45 {x:.1f} {top - 6:.1f})">'
                    f'{_esc(c)}</text>')
    for i, r in enumerate(rows):
        y = top + i * cell
        body.append(f'<text x="{left - 6:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{_esc(r)}</text>')
        for j, c in enumerate(cols):
            v = values.get((r, c), 0)
            x = left + j * cell
            tip = (tooltip or {}).get((r, c), f"{r} · {c}: {v:g}")
            if v:
                body.append(f'<rect class="cell" x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                            f'fill="{color}" fill-opacity="{0.15 + 0.85 * v / vmax:.2f}"><title>{_esc(tip)}</title>'
                            f'</rect><text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                            f'class="{"on-dark" if v / vmax > 0.55 else ""}">{v:g}</text>')
            else:
                body.append(f'<rect class="cell empty-cell" x="{x + 1}" y="{y + 1}" width="{cell - 2}" '
                            f'height="{cell - 2}" fill="#f3f3f3"/>')
    # the last column's label leans right beyond the grid
    overhang = text_width(cols[-1]) * 0.72
    return _svg(left + len(cols) * cell + 10 + overhang, top + len(rows) * cell + 10, body, label, "heatmap")


@dataclass(frozen=True)
class Point:
    lane: str
    date: dt.date
    label: str
    href: str | None = None
    color: str = "#e15759"


def timeline(label: str, lanes: Sequence[str], points: Sequence[Point], width: int = 900) -> str:
    """Dated points on a time axis, one lane per row (e.g. per jurisdiction), yearly ticks."""
    if not points or not lanes:
        return _empty(label)
    left = max(text_width(lane) for lane in lanes) + 14
    plot = width - left - 20
    lo = min(p.date for p in points)
    hi = max(p.date for p in points)
    first, last = dt.date(lo.year, 1, 1), dt.date(hi.year + 1, 1, 1)
    span = (last - first).days

    def xpos(d: dt.date) -> float:
        return left + plot * (d - first).days / span

    top = 10
    body = []
    height = top + len(lanes) * ROW_HEIGHT + 30
    for year in range(first.year, last.year + 1):
        x = xpos(dt.date(year, 1, 1))
        body.append(f'<line class="tick" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 22}" stroke="#ddd"/>'
                    f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{year}</text>')
    row_of = {lane: i for i, lane in enumerate(lanes)}
    for lane, i in row_of.items():
        y = top + i * ROW_HEIGHT + ROW_HEIGHT / 2
        body.append(f'<text x="{left - 8:.1f}" y="{y + 4:.1f}" text-anchor="end">{_esc(lane)}</text>'
                    f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot}" y2="{y:.1f}" stroke="#eee"/>')
    for p in points:
        if p.lane not in row_of:
            continue
        y = top + row_of[p.lane] * ROW_HEIGHT + ROW_HEIGHT / 2
        mark = (f'<circle class="point" cx="{xpos(p.date):.1f}" cy="{y:.1f}" r="5" fill="{p.color}" '
                f'fill-opacity="0.75"><title>{_esc(p.date.isoformat())} {_esc(p.label)}</title></circle>')
        body.append(_link(mark, p.href))
    return _svg(width, height, body, label, "timeline")
