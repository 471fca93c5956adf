"""Tables that reach us flattened, one cell per line or paragraph (pipeline/readers/flattened_tables.py):
the same table as DOCX, as HTML and flattened gives the same rows; the shapes of the task and
indicator tables of ../shared/corpus-dev rewritten (names, numbers and tasks changed); what is not
a table stays text; and the cell and column vocabulary (table_cells.py) by its example table."""
from __future__ import annotations

import datetime as dt

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extractors.analyze import analyze
from pipeline.readers import read_document
from pipeline.readers.normalize import normalize_text
from pipeline.readers.table_cells import classify, header_classes, primary_kind
from tests.example_tables import load, params

EXAMPLES = load("flattened_tables.yaml")

# ------------------------------------------------------------------- one table, three shapes

HEADER = ["序号", "工作任务", "主要工作内容", "完成时限", "牵头单位", "配合单位"]
# None: the cell is merged with the one above (vertically); a tuple row: a group line
TABLE = [
    ("一", "构建源头减量体系"),
    ["1", "推动源头减量", "在项目立项、设计文件中增加工程渣土减量和资源化利用要求。", "2025年12月底前", "区建设管理委", "区水务局、区绿化市容局"],
    ["2", "提升消纳处置能力", "梳理评估本区出土项目和综合利用潜力，形成一张图。", "2025年6月底前", "区发展改革委", "区规划资源局"],
    ["3", None, "在全区拓展区域土方消纳空间，成片开发地区统筹平衡。", "长期坚持", None, None],
    ("二", "加强全过程监管"),
    ["4", "加强源头监管", "落实工地数字化监督管理，加强建设工地监督管理。", "2024年12月底前", "区土方工作专班", "区数据局、区建设管理委"],
    ["5", "严处非法消纳", "强化建筑垃圾非法堆存情况的排查，依法查处违法行为。", "每季度", "区城管执法局", "——"],
]
BEFORE = ["关于印发某区建筑垃圾管理任务分工的通知", "各街镇，区政府各委、办、局：", "现将任务分工印发给你们，请认真贯彻落实。", "附件"]
AFTER = ["三、保障措施", "各责任单位要按照分工要求，细化工作措施，明确时间节点，确保各项任务按期完成，"
         "并于每季度末将推进情况报区建设管理委汇总后报区政府。"]


def as_docx(path, before=BEFORE, after=AFTER):
    document = docx.Document()
    for line in before:
        document.add_paragraph(line)
    table = document.add_table(rows=1 + len(TABLE), cols=len(HEADER))
    for col, label in enumerate(HEADER):
        table.cell(0, col).text = label
    for r, row in enumerate(TABLE, start=1):
        if isinstance(row, tuple):
            table.cell(r, 0).text = row[0]
            table.cell(r, 1).merge(table.cell(r, len(HEADER) - 1)).text = row[1]
            continue
        for col, text in enumerate(row):
            if text is not None:
                table.cell(r, col).text = text
    for r, row in enumerate(TABLE, start=1):  # vertical merges: the cell above restarts, this one continues
        if isinstance(row, list):
            for col, text in enumerate(row):
                if text is None:
                    _vmerge(table.cell(r - 1, col), "restart")
                    _vmerge(table.cell(r, col), None)
    for line in after:
        document.add_paragraph(line)
    document.save(path)


def _vmerge(cell, value):
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn("w:vMerge")):
        if value is None:
            return
        tc_pr.remove(old)
    merge = OxmlElement("w:vMerge")
    if value:
        merge.set(qn("w:val"), value)
    tc_pr.append(merge)


def as_html(path, before=BEFORE, after=AFTER):
    cells = "".join(f"<th>{h}</th>" for h in HEADER)
    rows = [f"<tr>{cells}</tr>"]
    for k, row in enumerate(TABLE):
        if isinstance(row, tuple):
            rows.append(f"<tr><td>{row[0]}</td><td colspan='{len(HEADER) - 1}'>{row[1]}</td></tr>")
            continue
        tds = []
        for col, text in enumerate(row):
            if text is None:
                continue
            below = TABLE[k + 1] if k + 1 < len(TABLE) else None
            span = 2 if isinstance(below, list) and below[col] is None else 1
            tds.append(f"<td rowspan='{span}'>{text}</td>" if span > 1 else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    body = "".join(f"<p>{line}</p>" for line in before) + "<table>" + "".join(rows) + "</table>" + \
        "".join(f"<p>{line}</p>" for line in after)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")


def flattened(repeat_header: bool = True, before=BEFORE, after=AFTER) -> str:
    """One cell per paragraph, as text copied from a web page: header cells split over lines
    (牵头 / 单位), merged cells omitted, cells broken inside (区土方工作 / 专班, 2024 / 年12月底前),
    the header repeated at a page break."""
    header = ["序号", "工作任务", "主要工作内容", "完成", "时限", "牵头", "单位", "配合", "单位"]
    lines = [*before, *header]
    for k, row in enumerate(TABLE):
        if isinstance(row, tuple):
            if k and repeat_header:
                lines += header
            lines += list(row)
            continue
        for text in row:
            if text == "区土方工作专班":
                lines += ["区土方工作", "专班"]
            elif text == "2024年12月底前":
                lines += ["2024", "年12月底前"]
            elif text is not None:
                lines.append(text)
    return "\n\n".join([*lines, *after]) + "\n"


def table_view(doc):
    """What the rows say: kinds, texts, cells with their columns and headers, inherited cells."""
    text = doc.text
    return [(b.kind, text[b.start:b.end], [(c.col, c.header, text[c.start:c.end]) for c in b.cells],
             [(c.col, c.header, text[c.start:c.end]) for c in b.inherited]) for b in doc.blocks]


def test_the_same_table_as_docx_html_and_flattened_text_gives_the_same_rows(tmp_path):
    as_docx(tmp_path / "t.docx")
    as_html(tmp_path / "t.html")
    (tmp_path / "t.md").write_text(flattened(), encoding="utf-8")
    views = {suffix: table_view(read_document(tmp_path / f"t{suffix}")) for suffix in (".docx", ".html", ".md")}
    assert views[".docx"] == views[".html"] == views[".md"]
    rows = [v for v in views[".md"] if v[0] == "table_row"]
    assert [r[1].split("\t")[0] for r in rows] == ["序号", "1", "2", "3", "4", "5"]
    assert [v[1] for v in views[".md"] if v[0] == "heading"] == ["一、构建源头减量体系", "二、加强全过程监管", "三、保障措施"]
    third = next(r for r in rows if r[1].startswith("3\t"))
    # the omitted 工作任务 and 牵头单位 of row 3 are the merged cells above it
    assert third[3] == [(1, "工作任务", "提升消纳处置能力"), (4, "牵头单位", "区发展改革委"), (5, "配合单位", "区规划资源局")]
    fifth = next(r for r in rows if r[1].startswith("5\t"))
    assert fifth[2][-1] == (5, "配合单位", "——") and not fifth[3]  # an explicit blank is a cell, not a merge
    assert views[".md"][-1] == ("paragraph", AFTER[1], [], [])  # prose after the table


def test_merged_cells_give_the_row_their_units(tmp_path):
    """Row 3 omits its 牵头单位 and 配合单位 (merged with row 2's): its obligation has them, with
    offsets into row 2 (text[start:end] is still the surface)."""
    (tmp_path / "t.md").write_text(flattened(), encoding="utf-8")
    doc = read_document(tmp_path / "t.md")
    out = analyze(doc, pipeline_version="test", ingested_at=dt.datetime(2025, 1, 1))
    third = next(o for o in out.obligations if o.text.startswith("3\t"))
    units = {(u.canonical, u.role) for u in out.units if u.obligation_id == third.obligation_id}
    assert units == {("发展改革", "lead"), ("自然资源", "cooperate")}
    assert all(doc.text[u.start:u.end] == u.name or u.name in doc.text[u.start:u.end] for u in out.units)


# ------------------------------------------------------------ shapes met in corpus-dev


@pytest.mark.parametrize("case", params(EXAMPLES["tables"]))
def test_flattened_table_shapes(case):
    doc = normalize_text(case.text, markdown=True)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    got = [[doc.text[c.start:c.end] for c in b.cells] for b in rows]
    want = case.expect
    assert got == want["rows"]
    if "headings" in want:
        assert [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "heading"] == want["headings"]
    if "inherited" in want:
        assert [[doc.text[c.start:c.end] for c in b.inherited] for b in rows] == want["inherited"]
    if "after" in want:
        assert doc.text.endswith(want["after"])


@pytest.mark.parametrize("case", params(EXAMPLES["not_tables"]))
def test_what_is_not_a_flattened_table_stays_text(case):
    doc = normalize_text(case.text, markdown=True)
    assert not [b for b in doc.blocks if b.kind == "table_row"]


def test_tab_separated_tables_are_read_as_before():
    text = "序号\t工作任务\t责任单位\t完成时限\n1\t编制专项规划\t市自然资源局\t2020年底\n2\t审查建设方案\t市住房城乡建设局\t长期坚持\n"
    doc = normalize_text(text)
    rows = [[doc.text[c.start:c.end] for c in b.cells] for b in doc.blocks if b.kind == "table_row"]
    assert rows == [["序号", "工作任务", "责任单位", "完成时限"], ["1", "编制专项规划", "市自然资源局", "2020年底"],
                    ["2", "审查建设方案", "市住房城乡建设局", "长期坚持"]]


# ------------------------------------------------------------------ cells and columns


@pytest.mark.parametrize("case", params(EXAMPLES["cells"]))
def test_cell_kinds(case):
    assert primary_kind(classify(case.text)) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["headers"]))
def test_column_classes(case):
    assert [list(c) for c in header_classes(case.given["labels"])] == case.expect
