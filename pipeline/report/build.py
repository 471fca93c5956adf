"""The HTML report: one self-contained file (CSS, script and SVG charts inline; nothing fetched).

Layout: cross-city comparisons first (documents, obligations by modality, quotas side by side,
departments, deadline timeline, citations, links between documents), then one section per document
with its obligations as rows linking to the passage, and its text with every stored span
(obligations, units, deadlines, quotas, citations) highlighted by field; hovering a highlight
shows the value that was extracted from it.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.report.analyst import NO_CATEGORY, NO_JURISDICTION, compare_citations, compare_quotas, compare_units
from pipeline.report.charts import PALETTE, Point, Series, heatmap, stacked_bars, timeline
from pipeline.report.highlight import Span, highlight
from pipeline.report.output import Protected, atomic, check_target
from pipeline.settings import LOW_COVERAGE
from pipeline.store.views import QUOTA_REQUIREMENT

ASSETS = Path(__file__).parent
MODALITY_COLORS = {"must": "#4e79a7", "prohibit": "#e15759", "encourage": "#59a14f"}
MODALITY_ZH = {"must": "必须 must", "prohibit": "禁止 prohibit", "encourage": "鼓励 encourage"}
ROLE_ZH = {"lead": "牵头", "cooperate": "配合", "implement": "落实"}
DEADLINE_COLORS = {"by": "#e15759", "start": "#4e79a7"}
FIELDS = [("obligation", "义务 obligation"), ("unit unit-lead", "单位 unit: 牵头 lead"),
          ("unit unit-cooperate", "配合 cooperate"), ("unit unit-implement", "落实 implement"), ("deadline", "时限 deadline"),
          ("quota", "指标 quota"), ("citation", "引用 citation")]
TOP_UNITS = 25  # rows of the departments heat map
TOP_TERMS = 15  # rows of the word-frequency heat map


def esc(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def doc_anchor(doc_id: str) -> str:
    return f"doc-{doc_id[:16]}"


def span_anchor(fld: str, doc_id: str, start: int, end: int) -> str:
    return f"{fld}-{doc_id[:12]}-{start}-{end}"


def obligation_anchor(obligation_id: str) -> str:
    return f"ob-{obligation_id}"


def _short(text: str | None, n: int = 90) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= n else text[:n - 1] + "…"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


@dataclass
class DocData:
    doc: dict
    obligations: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    quotas: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)


def load(con: duckdb.DuckDBPyConnection) -> list[DocData]:
    docs = {d["doc_id"]: DocData(d) for d in _rows(con, """
        SELECT v.doc_id, v.title, v.doc_number, v.jurisdiction, v.doc_type, v.issued_date, v.issuers, v.source_path,
               v.format, d.text, v.parent_doc_id, v.annex_label, v.is_primary, v.primary_doc_id, v.coverage
        FROM v_documents v JOIN documents d USING (doc_id)
        ORDER BY v.jurisdiction NULLS LAST, v.issued_date NULLS LAST, v.primary_doc_id, NOT v.is_primary,
                 v.source_path""")}
    for name, sql in [
        ("obligations", "SELECT * FROM v_obligations ORDER BY doc_id, seq"),
        ("units", "SELECT * FROM obligation_units ORDER BY doc_id, start"),
        ("deadlines", "SELECT * FROM deadlines ORDER BY doc_id, start"),
        ("quotas", f"SELECT q.*, {QUOTA_REQUIREMENT} AS requirement FROM quotas q ORDER BY q.doc_id, q.start"),
        ("citations", "SELECT * FROM citations ORDER BY doc_id, start"),
    ]:
        for r in _rows(con, sql):
            if r["doc_id"] in docs:
                getattr(docs[r["doc_id"]], name).append(r)
    return list(docs.values())


# ------------------------------------------------------------------ spans of a document


def _deadline_tip(r: dict) -> str:
    parts = [f"时限 deadline: {r['date'] or '—'} ({r['kind']}"
             + (f", {r['precision']}" if r.get("precision") else "") + ")"]
    if r.get("relative"):
        parts.append(f"relative: {r['relative']}")
    return " · ".join(parts)


def document_spans(d: DocData) -> list[Span]:
    """One Span per distinct (field, start, end) stored for the document; several records on the
    same characters (a unit linked to two obligations) share it and its tooltip lists them all."""
    doc_id = d.doc["doc_id"]
    tips: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    css: dict[tuple[str, int, int], set[str]] = defaultdict(set)
    anchors: dict[tuple[str, int, int], str] = {}
    for o in d.obligations:
        key = ("obligation", o["start"], o["end"])
        anchors[key] = obligation_anchor(o["obligation_id"])
        tips[key].append(f"义务 #{o['seq']} · {o['modality']} · {o['category'] or NO_CATEGORY}")
    for u in d.units:
        key = ("unit", u["start"], u["end"])
        tips[key].append(f"单位 unit: {u['canonical']} · {ROLE_ZH.get(u['role'], u['role'])} ({u['role']})"
                         + (" · generic" if u["generic"] else ""))
        css[key].add(f"unit-{u['role']}")
    for r in d.deadlines:
        tips[("deadline", r["start"], r["end"])].append(_deadline_tip(r))
    for q in d.quotas:
        tips[("quota", q["start"], q["end"])].append(
            f"指标 quota: {q['requirement']}" + (f" · {q['subject']}" if q["subject"] else "")
            + f" · {q['category'] or NO_CATEGORY}")
    for c in d.citations:
        tips[("citation", c["start"], c["end"])].append(
            f"引用 citation ({c['kind']}): " + " ".join(x for x in (c["code"], c["title"]) if x))
    spans = []
    for key, lines in tips.items():
        fld, start, end = key
        spans.append(Span(fld, start, end, anchors.get(key, span_anchor(fld, doc_id, start, end)),
                          "；".join(dict.fromkeys(lines)), " ".join(sorted(css.get(key, ())))))
    return spans


# ------------------------------------------------------------------ sections


def _table(head: list[str], rows: list[str], css: str = "") -> str:
    return (f'<table class="{css}"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _doc_link(d: dict) -> str:
    return f'<a href="#{doc_anchor(d["doc_id"])}">{esc(d["title"] or Path(d["source_path"]).name)}</a>'


def overview_section(docs: list[DocData]) -> str:
    rows = []
    for d in docs:
        m = d.doc
        edition = "primary" if m["is_primary"] else "other edition"
        rows.append(
            f'<tr class="row-link{"" if m["is_primary"] else " edition"}" data-href="#{doc_anchor(m["doc_id"])}">'
            f'<td>{esc(m["jurisdiction"])}</td><td>{_doc_link(m)}</td><td>{esc(m["format"])} · {edition}</td>'
            f'<td>{esc(m["doc_number"])}</td><td>{esc(m["doc_type"])}</td>'
            f'<td>{esc(m["issued_date"])}</td><td class="num">{len(d.obligations)}</td>'
            f'<td class="num">{len(d.units)}</td><td class="num">{len(d.deadlines)}</td>'
            f'<td class="num">{len(d.quotas)}</td><td class="num">{len(d.citations)}</td></tr>')
    primary = [d for d in docs if d.doc["is_primary"]]
    juris = sorted({d.doc["jurisdiction"] or NO_JURISDICTION for d in primary})
    counts = {j: defaultdict(int) for j in juris}
    for d in primary:
        for o in d.obligations:
            counts[d.doc["jurisdiction"] or NO_JURISDICTION][o["modality"]] += 1
    chart = stacked_bars("obligations per jurisdiction by modality", juris,
                         [Series(MODALITY_ZH[m], c, [counts[j][m] for j in juris]) for m, c in MODALITY_COLORS.items()])
    return ('<section id="overview"><h2>Documents</h2>' + _low_coverage_warning(docs)
            + _table(["jurisdiction", "document", "file", "number", "type", "issued", "obligations", "units",
                      "deadlines", "quotas", "citations"], rows, "overview")
            + '<p class="note">A document stored from several files (PDF, DOCX, text) is one edition group; the '
              "comparisons count its primary file only.</p>"
            + "<h3>Obligations per jurisdiction (primary documents)</h3>" + chart + "</section>")


def _low_coverage_warning(docs: list[DocData]) -> str:
    """The documents whose obligations cover little of their body (documents.coverage): text
    probably lost, so that a silent loss is never silent."""
    low = [d.doc for d in docs if d.doc.get("coverage") is not None and d.doc["coverage"] < LOW_COVERAGE]
    if not low:
        return ""
    items = "".join(f"<li>{_doc_link(m)}: {m['coverage']:.0%}</li>" for m in low)
    return (f'<div class="warning"><p><strong>{len(low)} documents</strong> have less than {LOW_COVERAGE:.0%} of '
            "their body in obligations: part of their text was probably not read (an annex or a table not "
            f"recognised), or they state no duties.</p><ul>{items}</ul></div>")


def quotas_section(con: duckdb.DuckDBPyConnection) -> str:
    quotas = compare_quotas(con).records()
    anchors = {r["quota_id"]: r for r in _rows(con, 'SELECT quota_id, doc_id, start, "end", norm_min, norm_max, '
                                                    "norm_basis FROM v_quota_comparison")}
    juris = sorted({q["jurisdiction"] or NO_JURISDICTION for q in quotas})
    cats = list(dict.fromkeys(q["category"] for q in quotas))
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for q in quotas:
        a = anchors[q["quota_id"]]
        href = "#" + span_anchor("quota", a["doc_id"], a["start"], a["end"])
        cells[(q["category"], q["jurisdiction"] or NO_JURISDICTION)].append(
            f'<li><a href="{href}" title="{esc(q["surface"])}">{esc(q["requirement"])}</a> '
            f'<span class="subject">{esc(q["subject"] or q["surface"])}</span></li>')
    rows = [f"<tr><th>{esc(c)}</th>" + "".join(f'<td><ul>{"".join(cells.get((c, j), []))}</ul></td>' for j in juris)
            + "</tr>" for c in cats]
    charts = []
    by_basis: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for q in quotas:
        a = anchors[q["quota_id"]]
        value = a["norm_min"] if a["norm_min"] is not None else a["norm_max"]
        if a["norm_basis"] and value is not None:
            label = f"{q['jurisdiction'] or NO_JURISDICTION} · {_short(q['subject'] or q['surface'], 18)}"
            by_basis[a["norm_basis"]].append((label, value,
                                              "#" + span_anchor("quota", a["doc_id"], a["start"], a["end"])))
    for basis, items in sorted(by_basis.items()):
        charts.append(f"<h3>Quotas restated per {esc(basis.split(' / ')[-1])} ({esc(basis)})</h3>" + stacked_bars(
            f"quotas in {basis}", [i[0] for i in items], [Series(basis, PALETTE[0], [i[1] for i in items])],
            hrefs=[i[2] for i in items]))
    body = (_table(["category", *juris], rows, "pivot") if quotas else '<p class="empty">no quotas stored</p>')
    return ('<section id="quotas"><h2>Quotas by facility category and jurisdiction</h2>'
            '<p class="note">Each entry links to the passage it was read from; hover for the text.</p>'
            + body + "".join(charts) + "</section>")


def units_section(con: duckdb.DuckDBPyConnection) -> str:
    units = compare_units(con).records()
    juris = sorted({u["jurisdiction"] or NO_JURISDICTION for u in units})
    total: dict[str, int] = defaultdict(int)
    for u in units:
        total[u["unit"]] += u["obligations"]
    top = sorted(total, key=lambda k: (-total[k], k))[:TOP_UNITS]
    values = {(u["unit"], u["jurisdiction"] or NO_JURISDICTION): u["obligations"] for u in units}
    tips = {(u["unit"], u["jurisdiction"] or NO_JURISDICTION):
            f"{u['jurisdiction']} · {u['unit']}: {u['obligations']} obligations "
            f"(牵头 lead {u['lead']}, 配合 cooperate {u['cooperate']}, 落实 implement {u['implement']})" for u in units}
    chart = heatmap("obligations per department and jurisdiction", top, juris, values, tooltip=tips)
    rows = [f"<tr><td>{esc(u['jurisdiction'])}</td><td>{esc(u['unit'])}</td><td class=num>{u['lead']}</td>"
            f"<td class=num>{u['cooperate']}</td><td class=num>{u['implement']}</td>"
            f"<td class=num>{u['obligations']}</td></tr>" for u in units]
    return ('<section id="units"><h2>Departments per jurisdiction</h2>'
            f'<p class="note">Obligations each department takes part in (top {TOP_UNITS}); hover a square for the '
            "roles.</p>" + chart + "<details><summary>All departments</summary>"
            + _table(["jurisdiction", "unit", "lead", "cooperate", "implement", "obligations"], rows) + "</details>"
            + "</section>")


def deadlines_section(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(con, """SELECT DISTINCT jurisdiction, doc_id, start, "end", date, kind, surface
                          FROM v_deadline_timeline ORDER BY date NULLS LAST, jurisdiction, start""")
    juris = sorted({r["jurisdiction"] or NO_JURISDICTION for r in rows})
    points = [Point(r["jurisdiction"] or NO_JURISDICTION, r["date"], f"{r['kind']} · {_short(r['surface'], 40)}",
                    "#" + span_anchor("deadline", r["doc_id"], r["start"], r["end"]),
                    DEADLINE_COLORS.get(r["kind"], "#999")) for r in rows if isinstance(r["date"], dt.date)]
    undated: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["date"] is None:
            undated[f"{r['jurisdiction'] or NO_JURISDICTION} ({r['kind']})"] += 1
    note = ("<p class=note>Without a date (长期坚持, counted from an event): "
            + "，".join(f"{esc(k)} {v}" for k, v in sorted(undated.items())) + "</p>") if undated else ""
    return ('<section id="deadlines"><h2>Deadline timeline</h2>'
            '<p class="note">One dot per stated time limit (red: by, blue: start); click a dot to see the passage.'
            "</p>" + timeline("deadlines per jurisdiction", juris, points) + note + "</section>")


def terms_section(con: duckdb.DuckDBPyConnection) -> str:
    """The most used terms (word frequencies of the segmentation) per jurisdiction, per 10,000 terms."""
    from pipeline.report.terms import compare_terms
    found = compare_terms(con, top=TOP_TERMS).records()
    juris = sorted({r["jurisdiction"] or NO_JURISDICTION for r in found})
    total: dict[str, float] = defaultdict(float)
    for r in found:
        total[r["term"]] += r["per_10k"]
    top = sorted(total, key=lambda k: (-total[k], k))[:TOP_TERMS]
    values = {(r["term"], r["jurisdiction"] or NO_JURISDICTION): round(r["per_10k"]) for r in found}
    tips = {(r["term"], r["jurisdiction"] or NO_JURISDICTION):
            f"{r['jurisdiction']} · {r['term']}: {r['count']} times ({r['per_10k']} per 10,000 terms), "
            f"in {r['documents']} of {r['n_documents']} documents" for r in found}
    chart = heatmap("terms per 10,000 terms, by jurisdiction", top, juris, values, color="#59a14f", tooltip=tips)
    return ('<section id="terms"><h2>Word frequencies</h2>'
            f'<p class="note">The {TOP_TERMS} most used terms of each jurisdiction (stop words left out: '
            "extractors/data/terms.yaml), per 10,000 terms of its documents; `obligations kwic TERM` shows "
            "each occurrence in context.</p>" + chart + "</section>")


def citations_section(con: duckdb.DuckDBPyConnection, docs: list[DocData]) -> str:
    cites = compare_citations(con).records()
    in_corpus = {r["citation_key"]: r["cited_doc_id"] for r in _rows(
        con, "SELECT DISTINCT citation_key, cited_doc_id FROM v_citations WHERE cited_doc_id IS NOT NULL")}
    titles = {d.doc["doc_id"]: d.doc for d in docs}
    rows = []
    for c in cites:
        target = in_corpus.get(c["citation_key"])
        rows.append(f"<tr><td>{esc(c['kind'])}</td><td>{esc(c['code'])}</td><td>{esc(c['title'])}</td>"
                    f"<td>{esc(c['cited_by'])}</td><td class=num>{c['documents']}</td>"
                    f"<td>{_doc_link(titles[target]) if target in titles else ''}</td></tr>")
    links = _rows(con, "SELECT * FROM v_document_links")
    link_rows = [f"<tr><td>{esc(r['link'])}</td><td>{_doc_link(titles[r['from_doc_id']])}</td>"
                 f"<td>{_doc_link(titles[r['to_doc_id']])}</td><td>{esc(r['via'])}</td></tr>"
                 for r in links if r["from_doc_id"] in titles and r["to_doc_id"] in titles]
    return ('<section id="citations"><h2>Citations across jurisdictions</h2>'
            + (_table(["kind", "code", "title", "cited by", "documents", "in the corpus"], rows)
               if rows else '<p class="empty">no citations stored</p>')
            + "<h3>Links between documents in the corpus</h3>"
            + (_table(["link", "from", "to", "via"], link_rows) if link_rows
               else '<p class="empty">no annex or citation links between stored documents</p>')
            + "</section>")


def _units_cell(o: dict) -> str:
    parts = []
    for key, role in (("lead_units", "lead"), ("cooperate_units", "cooperate"), ("implement_units", "implement")):
        if o[key]:
            parts.append(f'<span class="role role-{role}">{ROLE_ZH[role]}</span> {esc("、".join(o[key]))}')
    if o["generic_units"]:
        parts.append(f'<span class="role">generic</span> {esc("、".join(o["generic_units"]))}')
    return "<br>".join(parts)


def _deadline_cell(o: dict) -> str:
    if o["due_date"]:
        due = str(o["due_date"]) + (f" … {o['final_due_date']}" if o["final_due_date"] != o["due_date"] else "")
    elif o["ongoing"]:
        due = "长期 ongoing"
    elif o["start_date"]:
        due = f"from {o['start_date']}"
    else:
        due = o["deadline_text"] or ""
    return esc(due)


def document_section(d: DocData) -> str:
    m = d.doc
    meta = [("number", m["doc_number"]), ("jurisdiction", m["jurisdiction"]), ("type", m["doc_type"]),
            ("issued", m["issued_date"]), ("issuers", "、".join(m["issuers"] or [])),
            ("annex", m["annex_label"]), ("file", Path(m["source_path"]).name)]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta if v)
    if not m["is_primary"]:
        dl += (f'<dt>edition</dt><dd>another file of <a href="#{doc_anchor(m["primary_doc_id"])}">the primary '
               "document</a>; not counted in the comparisons</dd>")
    rows = []
    for o in d.obligations:
        target = obligation_anchor(o["obligation_id"])
        rows.append(
            f'<tr class="row-link" data-href="#{target}"><td><a href="#{target}">#{o["seq"]}</a></td>'
            f'<td><span class="mod mod-{esc(o["modality"])}">{esc(o["modality"])}</span></td>'
            f'<td>{esc(o["category"] or NO_CATEGORY)}</td><td>{_units_cell(o)}</td><td>{_deadline_cell(o)}</td>'
            f'<td>{esc(o["quota_summary"])}</td><td class="text">{esc(_short(o["text"]))}</td></tr>')
    table = (_table(["#", "modality", "category", "units", "deadline", "quotas", "text"], rows, "obligations")
             if rows else '<p class="empty">no obligations found</p>')
    # a text lost with a shard dropped by hand (pipeline/store/texts.py) until the file is ingested again
    text = (highlight(m["text"], document_spans(d)) if m["text"] is not None else
            '<p class="empty">the text is not stored (its table was dropped): ingest the file again</p>')
    return (f'<section class="document" id="{doc_anchor(m["doc_id"])}" data-doc-id="{esc(m["doc_id"])}">'
            f'<h2>{esc(m["title"] or Path(m["source_path"]).name)}</h2><dl class="meta">{dl}</dl>'
            f"<h3>Obligations ({len(d.obligations)})</h3>{table}"
            f'<h3>Text</h3>{legend()}<div class="doctext">{text}</div>'
            '<p class="top"><a href="#overview">↑ overview</a></p></section>')


def legend() -> str:
    return ('<p class="legend">' + "".join(f'<span class="hl hl-{f}">{esc(label)}</span> ' for f, label in FIELDS)
            + "</p>")


def build_report(con: duckdb.DuckDBPyConnection, generated_at: dt.datetime | None = None) -> str:
    """The whole report as one HTML string. `generated_at` is printed in the footer (pass it to
    make the output reproducible; the CLI passes the current time)."""
    docs = load(con)
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    js = (ASSETS / "report.js").read_text(encoding="utf-8")
    nav = ('<nav><a href="#overview">Documents</a><a href="#quotas">Quotas</a><a href="#units">Departments</a>'
           '<a href="#deadlines">Deadlines</a><a href="#citations">Citations</a><a href="#terms">Terms</a></nav>')
    stamp = f" · generated {generated_at:%Y-%m-%d %H:%M}" if generated_at else ""
    body = "".join([
        overview_section(docs), quotas_section(con), units_section(con), deadlines_section(con),
        citations_section(con, docs), terms_section(con), *(document_section(d) for d in docs),
    ])
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"generator\" content=\"policy-obligations\">"
            "<title>policy-obligations report</title>"
            f"<style>{css}</style></head><body>{nav}<main><h1>Policy obligations: cross-city report</h1>"
            f"<p class=note>{len(docs)} documents{stamp}. Every value links to the passage it was read from.</p>"
            f"{body}</main><script>{js}</script></body></html>")


def write_report(con: duckdb.DuckDBPyConnection, out: Path, generated_at: dt.datetime | None = None,
                 force: bool = False) -> Path:
    """Write the report to `out` through a temporary file (report/output.py: never over the
    database or a source document; over a file that is not a report only with `force`)."""
    out = Path(out)
    check_target(out, "html", Protected(con), force)
    page = build_report(con, generated_at or dt.datetime.now())
    with atomic(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out
