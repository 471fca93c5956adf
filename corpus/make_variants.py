"""Write DOCX and PDF versions of seed documents into corpus/variants/ (git-ignored).

    python corpus/make_variants.py [--force]

Each seed is read with the project's own reader, and its blocks are written out the way an
office would have produced the document: a .docx with real paragraphs and real Word tables (the
task table with a header row whose merged cell spans the columns it names, marked to repeat on
each page) and a .pdf typeset with reportlab's built-in CID font STSong-Light at 公文 size, so
lines wrap about every 27 characters, with a running header and "— N —" page numbers, and the
task table as a ruled table long enough to cross pages. The readers must give the same text back
from all three (tests/test_readers.py checks it).

Fast and idempotent: a file is rewritten only when it is older than its seed, this script or the
reader code; the output bytes do not depend on the time of the run (fixed timestamps).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from itertools import groupby
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
ROOT = CORPUS.parent
OUT = CORPUS / "variants"
SEEDS = ["zibo-2020-34-opinion.txt", "zibo-2020-34-annex2-task-table.txt", "jiangjin-2023-277-reply.txt"]
# the text of the variants is the reader's normalised text: a change there changes them
DEPENDS_ON = [Path(__file__).resolve(), ROOT / "pipeline" / "normalize.py", *sorted((ROOT / "pipeline" / "readers").glob("*.py"))]

FIXED_TIME = dt.datetime(2020, 3, 23, 9, 0, 0)
FONT = "STSong-Light"  # reportlab's built-in Adobe CID font: no font file needed
BODY_PT = 16  # 三号, the body size of 公文
TABLE_PT = 10

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite even when up to date")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    written = []
    for name in SEEDS:
        seed = CORPUS / name
        newest_input = max(p.stat().st_mtime for p in [seed, *DEPENDS_ON] if p.exists())
        targets = {suffix: OUT / f"{seed.stem}{suffix}" for suffix in (".docx", ".pdf")}
        stale = {s: t for s, t in targets.items()
                 if args.force or not t.exists() or t.stat().st_mtime < newest_input}
        if not stale:
            continue
        from pipeline.readers import read_document  # only when there is work to do

        document = read_document(seed)
        for suffix, target in stale.items():
            data = docx_bytes(document) if suffix == ".docx" else pdf_bytes(document)
            target.write_bytes(data)
            written.append(target.name)
    print(f"variants: {len(written)} written" + (f" ({', '.join(written)})" if written else ", all up to date"))
    return 0


# ----------------------------------------------------------------------------------- blocks


def parts(document):
    """The document as a sequence of ("paragraph", block) and ("table", [row blocks])."""
    for table_id, blocks in groupby(document.blocks, key=lambda b: b.table_id):
        if table_id is None:
            for block in blocks:
                yield "paragraph", block
        else:
            yield "table", list(blocks)


def cell_texts(document, row) -> dict[int, str]:
    return {cell.col: document.text[cell.start : cell.end] for cell in row.cells}


def header_row(document, rows) -> tuple[int, list[tuple[int, int, str]]] | None:
    """(row index, [(col, span, label)]) of the header row: the row whose cells are the labels."""
    for k, row in enumerate(rows[:3]):
        texts = cell_texts(document, row)
        labels = [cell.header for cell in row.cells]
        if any(labels) and all(not t or t == cell.header for t, cell in zip(texts.values(), row.cells)):
            n_cols = max(len(_labels(rows)), 1)
            spans, col = [], 0
            all_labels = _labels(rows)
            while col < n_cols:
                end = col
                while end + 1 < n_cols and all_labels[end + 1] == all_labels[col]:
                    end += 1
                spans.append((col, end - col + 1, all_labels[col] or ""))
                col = end + 1
            return k, spans
    return None


def _labels(rows) -> list[str | None]:
    labels: dict[int, str | None] = {}
    for row in rows:
        for cell in row.cells:
            labels.setdefault(cell.col, cell.header)
    return [labels.get(c) for c in range(max(labels, default=-1) + 1)]


def n_columns(rows) -> int:
    return max(cell.col + 1 for row in rows for cell in row.cells)


def vertical_merges(rows) -> list[tuple[int, int, int]]:
    """(col, first row, last row) of each vertically merged cell: a row that inherits column c
    (Block.inherited) is covered by the cell above it, as in the file the table came from."""
    merges: list[list[int]] = []
    open_at: dict[int, list[int]] = {}
    for k, row in enumerate(rows):
        inherited = {cell.col for cell in row.inherited} if not is_group_line(row) else set()
        for col in list(open_at):
            if col not in inherited:
                del open_at[col]
        for col in sorted(inherited):
            if col in open_at:
                open_at[col][2] = k
            elif k > 0 and not is_group_line(rows[k - 1]):
                open_at[col] = [col, k - 1, k]
                merges.append(open_at[col])
    return [tuple(m) for m in merges]


def is_group_line(row) -> bool:
    """A heading inside a table (一、构建…体系 over the rows of its group): one row across the table."""
    return row.kind != "table_row"


# ------------------------------------------------------------------------------------- docx


def docx_bytes(document) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    out = docx.Document()
    out.core_properties.title = _first_line(document)
    out.core_properties.created = out.core_properties.modified = FIXED_TIME
    for what, value in parts(document):
        if what == "paragraph":
            text = document.text[value.start : value.end]
            if value.kind in ("heading", "annex_heading"):
                paragraph = out.add_paragraph(text, style="Heading 2")
            else:
                paragraph = out.add_paragraph(text)
                paragraph.paragraph_format.first_line_indent = Pt(2 * 12)
            if value.kind == "signature":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            continue
        rows = value
        header = header_row(document, rows)
        table = out.add_table(rows=0, cols=n_columns(rows))
        table.style = "Table Grid"
        for k, row in enumerate(rows):
            cells = table.add_row().cells
            if is_group_line(row):
                cells[0].merge(cells[-1]).text = document.text[row.start : row.end]
                continue
            if header and k == header[0]:
                for col, span, label in header[1]:
                    merged = cells[col].merge(cells[col + span - 1]) if span > 1 else cells[col]
                    merged.text = label
                tr_pr = table.rows[k]._tr.get_or_add_trPr()
                tr_pr.append(OxmlElement("w:tblHeader"))  # Word repeats it on every page
                continue
            for col, text in cell_texts(document, row).items():
                cells[col].text = text
        for col, first, last in vertical_merges(rows):
            table.cell(first, col).merge(table.cell(last, col))
    buffer = io.BytesIO()
    out.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same package with every member stamped FIXED_TIME: same input, same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            stamped = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stamped, source.read(info))
    return buffer.getvalue()


# -------------------------------------------------------------------------------------- pdf


def pdf_bytes(document, merge_rows: bool = True) -> bytes:
    """The document typeset as a PDF; vertically merged cells spanned as in the source, unless
    reportlab cannot break such a table across pages (a merged cell taller than a page): then
    without the vertical merges."""
    from reportlab.platypus.doctemplate import LayoutError

    try:
        return _pdf_bytes(document, merge_rows)
    except (LayoutError, TypeError):  # reportlab's LayoutError message can itself fail with a TypeError
        if not merge_rows:
            raise
        return _pdf_bytes(document, False)


def _pdf_bytes(document, merge_rows: bool) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=BODY_PT, leading=BODY_PT * 1.75,
                          wordWrap="CJK", firstLineIndent=2 * BODY_PT)
    signature = ParagraphStyle("signature", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    title = ParagraphStyle("title", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=TABLE_PT, leading=TABLE_PT * 1.3, wordWrap="CJK")
    width, height = A4
    margin = 78  # 27 characters of 16 pt on a line, as in a printed 公文
    running_header = _first_line(document)

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(width / 2, height - 40, running_header)
        canvas.setFont(FONT, 12)
        canvas.drawCentredString(width / 2, 30, f"— {doc.page} —")
        canvas.restoreState()

    story = []
    for what, value in parts(document):
        if what == "paragraph":
            style = signature if value.kind == "signature" else title if value.kind == "title" else body
            story.append(Paragraph(escape(document.text[value.start : value.end]), style))
            continue
        rows = value
        n_cols = n_columns(rows)
        header = header_row(document, rows)
        data = [[""] * n_cols for _ in rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for k, row in enumerate(rows):
            if is_group_line(row):
                data[k][0] = Paragraph(escape(document.text[row.start : row.end]), cell_style)
                style.append(("SPAN", (0, k), (-1, k)))
                continue
            if header and k == header[0]:
                for col, _, label in header[1]:
                    data[k][col] = Paragraph(escape(label), cell_style)
                continue
            for col, text in cell_texts(document, row).items():
                data[k][col] = Paragraph(escape(text), cell_style)
        if header:
            style += [("SPAN", (col, header[0]), (col + span - 1, header[0])) for col, span, _ in header[1] if span > 1]
        if merge_rows:
            style += [("SPAN", (col, first), (col, last)) for col, first, last in vertical_merges(rows)]
        table = Table(data, colWidths=_column_widths(document, rows, n_cols, width - 2 * margin),
                      repeatRows=(header[0] + 1) if header else 0)
        table.setStyle(TableStyle(style))
        story += [Spacer(1, 6), table, Spacer(1, 6)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=90,
                            bottomMargin=72, invariant=1, title=running_header)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def _first_line(document) -> str:
    first = next((b for b in document.blocks if b.kind != "table_row"), None)
    return document.text[first.start : first.end][:30] if first else ""


def _column_widths(document, rows, n_cols: int, total: float) -> list[float]:
    """Wider columns for longer text (square root of the longest cell), at least 3 characters."""
    longest = [1] * n_cols
    for row in rows:
        for col, text in cell_texts(document, row).items():
            longest[col] = max(longest[col], len(text))
    weights = [max(n ** 0.5, 1.0) for n in longest]
    minimum = 3.2 * TABLE_PT
    widths = [max(total * w / sum(weights), minimum) for w in weights]
    scale = total / sum(widths)
    return [w * scale for w in widths]


if __name__ == "__main__":
    sys.exit(main())
