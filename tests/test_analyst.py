"""compare / export / report on the corpus database: the functions, the commands, and the report
in a real browser (headless Chromium driven over the DevTools protocol)."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline import connect
from pipeline.cli.analyst import register
from pipeline.report import analyst
from pipeline.report import build_report, write_report
from pipeline.report.charts import Point, Series, heatmap, stacked_bars, timeline
from pipeline.report.highlight import Span, highlight

WIDE = {"COLUMNS": "250"}  # rich wraps to the terminal width; keep cells on one line for the asserts


@pytest.fixture(scope="module")
def con(corpus_db):
    c = connect(corpus_db)
    yield c
    c.close()


@pytest.fixture(scope="module")
def cli():
    app = typer.Typer()
    register(app)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args), env=WIDE)
    return run


# ------------------------------------------------------------------ compare


def test_connect_is_read_only_and_gives_arrow_tables(con):
    table = con.sql("SELECT jurisdiction, count(*) AS n FROM v_obligations GROUP BY 1").to_arrow_table()
    assert table.column_names == ["jurisdiction", "n"] and "淄博市" in table.column("jurisdiction").to_pylist()
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM obligations")


def test_compare_quotas_puts_the_seed_quotas_side_by_side(con):
    quotas = analyst.compare(con, "quotas")
    pairs = {(r["jurisdiction"], r["requirement"]) for r in quotas.records()}
    assert ("重庆市江津区", "20 m2 / 100户") in pairs
    assert {("山西省", "5000–12000 人"), ("山西省", "3000–5000 人"), ("山西省", "≤ 3000 人")} <= pairs
    wide = analyst.pivot_quotas(quotas)
    assert wide.columns[0] == "category" and {"重庆市江津区", "山西省", "江苏省"} <= set(wide.columns[1:])
    cells = {(row[0], col): cell for row in wide.rows for col, cell in zip(wide.columns[1:], row[1:])}
    assert "20 m2 / 100户  社区办公服务设施" in cells[("社区服务/办公", "重庆市江津区")]
    assert any("5000–12000 人" in cell for (_, j), cell in cells.items() if j == "山西省")


def test_compare_units_lists_the_departments_of_each_jurisdiction(con):
    units = analyst.compare(con, "units").records()
    by_place: dict[str, set[str]] = {}
    for u in units:
        by_place.setdefault(u["jurisdiction"], set()).add(u["unit"])
        assert u["obligations"] >= max(u["lead"], u["cooperate"], u["implement"]) and u["obligations"] > 0
    assert {"自然资源", "教育", "民政"} <= by_place["淄博市"]
    assert {"自然资源", "民政"} <= by_place["重庆市江津区"]
    assert "发展改革" in by_place["江苏省"]


def test_filters_restrict_by_category_and_jurisdiction(con):
    only_zibo = analyst.compare(con, "units", analyst.Filters(jurisdictions=("淄博",))).records()
    assert only_zibo and {u["jurisdiction"] for u in only_zibo} == {"淄博市"}
    office = analyst.compare(con, "quotas", analyst.Filters(category="社区服务/办公")).records()
    assert office and {q["category"] for q in office} == {"社区服务/办公"}
    with pytest.raises(ValueError, match="unknown category"):
        analyst.Filters(category="不存在的类别")


def test_compare_deadlines_in_date_order_and_citations_across_jurisdictions(con):
    deadlines = analyst.compare(con, "deadlines").records()
    dates = [d["date"] for d in deadlines if d["date"]]
    assert dates == sorted(dates) and ("淄博市", "2020-04-10") in {(d["jurisdiction"], str(d["date"])) for d in deadlines}
    cites = {c["citation_key"]: c for c in analyst.compare(con, "citations").records()}
    assert cites["DB50/T543-2014"]["cited_by"] == "重庆市江津区"


# ------------------------------------------------------------------ the commands


def test_cli_compare_quotas_table(cli, corpus_db):
    res = cli("compare", "quotas", "--db", str(corpus_db))
    assert res.exit_code == 0, res.output
    for text in ("重庆市江津区", "20 m2 / 100户", "山西省", "5000–12000 人", "江苏省"):
        assert text in res.output


def test_cli_compare_units_table_and_json(cli, corpus_db):
    res = cli("compare", "units", "--db", str(corpus_db))
    assert res.exit_code == 0 and "淄博市" in res.output and "自然资源" in res.output
    res = cli("compare", "units", "--jurisdiction", "江津", "--format", "json", "--db", str(corpus_db))
    data = json.loads(res.output)
    assert data and {r["jurisdiction"] for r in data} == {"重庆市江津区"}
    assert set(data[0]) == {"jurisdiction", "unit", "lead", "cooperate", "implement", "obligations", "documents"}


def test_cli_compare_csv_and_errors(cli, corpus_db, tmp_path):
    res = cli("compare", "deadlines", "--format", "csv", "--db", str(corpus_db))
    table = list(csv.reader(io.StringIO(res.output)))
    assert table[0][:3] == ["jurisdiction", "date", "kind"] and len(table) > 5
    res = cli("compare", "quotas", "--category", "不存在", "--db", str(corpus_db))
    assert res.exit_code == 2 and "unknown category" in res.output
    res = cli("compare", "budgets", "--db", str(corpus_db))
    assert res.exit_code == 2 and "unknown comparison" in res.output
    res = cli("compare", "quotas", "--db", str(tmp_path / "missing.duckdb"))
    assert res.exit_code == 2 and "no database" in res.output


# ------------------------------------------------------------------ export


def _count(con, name: str) -> int:
    return con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


def test_export_parquet_reads_back(cli, corpus_db, con, tmp_path):
    res = cli("export", "--format", "parquet", "--out", str(tmp_path), "--db", str(corpus_db))
    assert res.exit_code == 0, res.output
    names = analyst.export_names(con)
    assert {"documents", "obligations", "v_obligations", "v_quota_comparison"} <= set(names)
    for name in names:
        path = tmp_path / f"{name}.parquet"
        assert duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0] == _count(con, name)
    back = duckdb.sql(f"SELECT requirement FROM '{tmp_path / 'v_quota_comparison.parquet'}' "
                      "WHERE jurisdiction = '重庆市江津区'").fetchall()
    assert ("20 m2 / 100户",) in back


def test_export_csv_has_a_bom_and_reads_back(cli, corpus_db, con, tmp_path):
    res = cli("export", "--format", "csv", "--out", str(tmp_path), "--db", str(corpus_db))
    assert res.exit_code == 0, res.output
    for name in analyst.export_names(con):
        raw = (tmp_path / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # the BOM Excel needs to read UTF-8
        with (tmp_path / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        assert table[0] == [d[0] for d in con.execute(f"SELECT * FROM {name} LIMIT 0").description]
        assert len(table) - 1 == _count(con, name)
    with (tmp_path / "documents.csv").open(encoding="utf-8-sig", newline="") as fh:
        docs = list(csv.DictReader(fh))
    texts = {d["doc_id"]: d["text"] for d in docs}
    for doc_id, text in con.execute("SELECT doc_id, text FROM documents").fetchall():
        assert texts[doc_id] == text  # multi-line Chinese text survives the round trip
    assert any(json.loads(d["issuers"]) == ["淄博市人民政府办公室"] for d in docs)


def test_export_xlsx_one_sheet_per_table_and_view(cli, corpus_db, con, tmp_path):
    from openpyxl import load_workbook

    res = cli("export", "--format", "xlsx", "--out", str(tmp_path), "--db", str(corpus_db))
    assert res.exit_code == 0, res.output
    wb = load_workbook(tmp_path / "policy-obligations.xlsx", read_only=True)
    names = analyst.export_names(con)
    assert wb.sheetnames == names
    for name in names:
        sheet_rows = list(wb[name].iter_rows(values_only=True))
        assert list(sheet_rows[0]) == [d[0] for d in con.execute(f"SELECT * FROM {name} LIMIT 0").description]
        assert len(sheet_rows) - 1 == _count(con, name)
    quotas = [r for r in wb["v_quota_comparison"].iter_rows(values_only=True) if "重庆市江津区" in r]
    assert any("20 m2 / 100户" in r for r in quotas)


def test_xlsx_cells_respect_excels_limits():
    long_text = "社区" * 20000
    cell = analyst._xlsx_value(long_text)
    assert len(cell) == analyst.XLSX_CELL_LIMIT and cell.endswith("]")
    assert analyst._xlsx_value("a\x01b") == "ab"
    assert analyst._xlsx_value(["教育", "民政"]) == '["教育", "民政"]'


# ------------------------------------------------------------------ report


def stored_spans(con) -> dict[str, dict[tuple[str, int, int], str]]:
    """{doc_id: {(field, start, end): text[start:end]}} of every stored span."""
    out: dict[str, dict[tuple[str, int, int], str]] = {}
    texts = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
    for field, table in (("obligation", "obligations"), ("unit", "obligation_units"), ("deadline", "deadlines"),
                         ("quota", "quotas"), ("citation", "citations")):
        for doc_id, start, end in con.execute(f'SELECT doc_id, start, "end" FROM {table}').fetchall():
            out.setdefault(doc_id, {})[(field, start, end)] = texts[doc_id][start:end]
    return out


@pytest.fixture(scope="module")
def report_file(con, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    started = time.monotonic()
    write_report(con, out)
    assert time.monotonic() - started < 10  # a few seconds on the corpus
    return out


def test_report_is_self_contained(report_file):
    page = report_file.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "anchors must be unique"


def test_report_is_reproducible_apart_from_its_timestamp(con):
    assert build_report(con) == build_report(con)


def test_cli_report_writes_the_file(cli, corpus_db, tmp_path):
    out = tmp_path / "r" / "report.html"
    res = cli("report", "--out", str(out), "--db", str(corpus_db))
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


class Chromium:
    """Headless Chromium over the DevTools protocol: navigate, evaluate, capture, watch requests."""

    def __init__(self):
        from websockets.sync.client import connect as ws_connect

        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            # .ci/run installs it; on a developer machine without it this one test is skipped, loudly
            pytest.skip("the report's browser test needs Debian's chromium: apt-get install -y chromium")
        self.profile = tempfile.mkdtemp(prefix="report-chromium-")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update", "--window-size=1280,900",
             # any name lookup fails: a request the page tries is still reported, but never leaves the machine
             "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                pytest.fail("chromium did not start")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as fh:
            page = next(p for p in json.load(fh) if p["type"] == "page")
        self.ws = ws_connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == msg_id:
                assert "error" not in msg, msg
                return msg["result"]
            self.events.append(msg)

    def wait_for(self, event: str, timeout: float = 60):
        end = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            self.events.append(json.loads(self.ws.recv(timeout=max(0.1, end - time.monotonic()))))

    def eval(self, expression: str):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in res, res["exceptionDetails"]
        return res["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self):
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(report_file):
    b = Chromium()
    try:
        b.send("Network.enable")
        b.send("Page.enable")
        b.send("Page.navigate", url=report_file.as_uri())
        b.wait_for("Page.loadEventFired")
        yield b
    finally:
        b.close()


def test_report_loads_with_no_network_request(browser, report_file):
    urls = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert urls == [report_file.as_uri()]


def test_report_charts_have_drawn_marks(browser):
    charts = browser.eval("""[...document.querySelectorAll('svg.chart')].map(svg => ({
        label: svg.getAttribute('aria-label'),
        marks: [...svg.querySelectorAll('rect.bar, rect.cell, circle.point')]
                 .filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length,
        width: svg.getBoundingClientRect().width}))""")
    labels = {c["label"]: c for c in charts}
    for label in ("obligations per jurisdiction by modality", "obligations per department and jurisdiction",
                  "deadlines per jurisdiction"):
        assert labels[label]["marks"] > 0 and labels[label]["width"] > 100, labels.get(label)


def test_report_highlights_every_stored_span(browser, con):
    shown = browser.eval("""(() => {
        const out = {};
        for (const sec of document.querySelectorAll('section.document')) {
            const spans = {};
            for (const el of sec.querySelectorAll('.doctext .hl[data-field]')) {
                const key = el.dataset.field + ':' + el.dataset.start + ':' + el.dataset.end;
                spans[key] = (spans[key] || '') + el.textContent;
            }
            out[sec.dataset.docId] = spans;
        }
        return out; })()""")
    expected = stored_spans(con)
    assert set(shown) == {r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()}
    total = 0
    for doc_id, spans in expected.items():
        for (field, start, end), text in spans.items():
            assert shown[doc_id].get(f"{field}:{start}:{end}") == text, (doc_id, field, start, end)
            total += 1
    assert total > 100


def test_report_highlights_are_visibly_styled(browser):
    styles = browser.eval("""Object.fromEntries(['obligation', 'unit', 'deadline', 'quota', 'citation'].map(f => {
        const el = document.querySelector('.doctext .hl-' + f);
        if (!el) return [f, null];
        const s = getComputedStyle(el);
        return [f, {bg: s.backgroundColor, border: s.borderBottomStyle, color: s.color}]; }))""")
    for field, style in styles.items():
        assert style is not None, f"no {field} highlight in the report"
        assert style["bg"] not in ("rgba(0, 0, 0, 0)", "transparent") or style["border"] != "none", field


def test_clicking_an_obligation_row_shows_its_passage(browser):
    target = browser.eval("""(() => {
        const row = document.querySelector('section.document table.obligations tr.row-link');
        row.querySelector('td:nth-child(3)').click();
        return row.dataset.href; })()""")
    time.sleep(0.3)
    state = browser.eval(f"""(() => {{
        const el = document.getElementById({json.dumps(target[1:])});
        const r = el.getBoundingClientRect();
        const nav = document.querySelector('nav').getBoundingClientRect();
        return {{hash: location.hash, top: r.top, nav: nav.bottom, height: innerHeight,
                 field: el.dataset.field, flashed: el.classList.contains('flash')}}; }})()""")
    assert state["hash"] == target and state["field"] == "obligation" and state["flashed"]
    assert state["nav"] <= state["top"] < state["height"]  # in view, not under the sticky navigation


def test_screenshot_shows_charts_and_highlighted_text(browser, tmp_path):
    from PIL import Image, ImageChops

    browser.eval("document.querySelector('svg.chart').scrollIntoView()")
    chart = Image.open(browser.screenshot(tmp_path / "report-chart.png")).convert("RGB")
    browser.eval("document.querySelector('section.document .doctext').scrollIntoView()")
    text = Image.open(browser.screenshot(tmp_path / "report-text.png")).convert("RGB")

    def share(img, rgb, tol=12) -> float:
        r, g, b = (ch.point(lambda v, c=c: 255 if abs(v - c) <= tol else 0) for ch, c in zip(img.split(), rgb))
        match = ImageChops.multiply(ImageChops.multiply(r, g), b)
        return match.histogram()[255] / (img.width * img.height)

    assert share(chart, (0x4E, 0x79, 0xA7)) > 0.001  # the blue bars of the modality chart
    assert share(text, (0xFF, 0xF4, 0xC2)) > 0.01  # obligations' highlight colour


# ------------------------------------------------------------------ the report's building blocks


class _Pieces(HTMLParser):
    """Collects, per highlighted span, the text of all its pieces, and the text outside tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, str] | None] = []
        self.text: list[str] = []
        self.spans: dict[tuple[str, str, str], str] = {}
        self.first_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append((a["data-field"], a["data-start"], a["data-end"]) if "data-field" in a else None)
        if "id" in a:
            self.first_ids.append(a["id"])

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        for key in filter(None, self.stack):
            self.spans[key] = self.spans.get(key, "") + data


def _parse(markup: str) -> _Pieces:
    p = _Pieces()
    p.feed(markup)
    p.close()
    assert not p.stack, "every opened span is closed"
    return p


def test_highlight_nests_crossing_spans_and_keeps_every_span_whole():
    text = "由市教育局牵头，2020年底前完成。"
    spans = [Span("obligation", 0, len(text), "ob-1"), Span("unit", 2, 5, "u-1", "教育 · lead"),
             Span("quota", 4, 10, "q-1"), Span("deadline", 8, 15, "d-1")]
    p = _parse(highlight(text, spans))
    assert "".join(p.text) == text
    for s in spans:
        assert p.spans[(s.field, str(s.start), str(s.end))] == text[s.start:s.end]
    assert sorted(p.first_ids) == ["d-1", "ob-1", "q-1", "u-1"]  # one anchor per span, on its first piece


def test_highlight_escapes_markup_and_skips_empty_spans():
    text = "<b>不得</b> & 严禁"
    out = highlight(text, [Span("obligation", 0, len(text), "o", 'say "hi"'), Span("unit", 3, 3, "empty"),
                           Span("unit", 5, 99, "beyond")])
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out and 'title="say &quot;hi&quot;"' in out
    assert 'id="empty"' not in out and 'id="beyond"' not in out


@given(st.text(alphabet="教育局<>&\n\t 2020年", max_size=40),
       st.lists(st.tuples(st.sampled_from(["obligation", "unit", "deadline", "quota", "citation"]),
                          st.integers(0, 45), st.integers(0, 45)), max_size=8))
def test_highlight_property_every_span_reads_back(text, raw):
    spans = list({(f, a, b): Span(f, a, b, f"{f}-{a}-{b}") for f, a, b in raw}.values())
    p = _parse(highlight(text, spans))
    assert "".join(p.text) == text
    for s in spans:
        if 0 <= s.start < s.end <= len(text):
            assert p.spans[(s.field, str(s.start), str(s.end))] == text[s.start:s.end]


def test_charts_draw_one_mark_per_value_and_say_when_empty():
    bars = stacked_bars("x", ["淄博市", "山西省"], [Series("must", "#4e79a7", [3, 0]), Series("prohibit", "#e15759", [1, 2])])
    assert bars.count('<rect class="bar"') == 3  # zero values draw nothing
    heat = heatmap("h", ["自然资源", "教育"], ["淄博市"], {("自然资源", "淄博市"): 4})
    assert heat.count('<rect class="cell"') == 1 and heat.count("empty-cell") == 1
    line = timeline("t", ["淄博市"], [Point("淄博市", dt.date(2020, 4, 10), "by", "#a")])
    assert line.count('<circle class="point"') == 1 and '<a href="#a">' in line and ">2020<" in line and ">2021<" in line
    assert "no data" in stacked_bars("x", [], []) and "no data" in timeline("t", [], [])


def test_an_empty_database_gives_empty_comparisons_and_a_report_that_says_so(tmp_path):
    from pipeline import store

    with store.open_for_writing(tmp_path / "empty.duckdb"):
        pass
    empty = connect(tmp_path / "empty.duckdb")
    try:
        assert all(analyst.compare(empty, s).rows == [] for s in analyst.SUBJECTS)
        page = build_report(empty)
        # the quota, unit and deadline charts and the word-frequency heat map each say so
        assert "no quotas stored" in page and page.count("no data") == 4
        assert len(analyst.export(empty, "csv", tmp_path / "out")) == len(analyst.export_names(empty))
    finally:
        empty.close()
