"""Scanned PDFs: read by OCR with the `ocr` extra (rapidocr), else a no_text_layer error that says
how to turn OCR on. The scans are made here: a 公文 typeset with reportlab's STSong-Light, drawn to
pixels by PDFium at 200 dpi and saved as an image-only PDF, so no text layer is left."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pdfplumber
import pypdfium2
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipeline.errors import NoTextLayer
from pipeline.readers import parse_file, read_document
from pipeline.readers.normalize import normalize
from pipeline.runs.ingest import run_ingest

FONT = "STSong-Light"
SCAN_DPI = 200
MARGIN = 72  # points
HEADER = "淄博市人民政府办公室文件"
PAGES = [
    [("title", "关于加快推进农村生活垃圾治理工作的通知"),
     ("line", "各区县人民政府，市政府各部门："),
     ("paragraph", "为进一步改善农村人居环境，经市政府同意，现就有关事项通知如下。"),
     ("paragraph", "一、各区县人民政府要在2021年6月底前完成辖区内农村生活垃圾收运处置体系建设，"
                   "实现行政村全覆盖，市住房城乡建设局负责督促指导。")],
    [("paragraph", "二、市生态环境局要会同市农业农村局加强监督检查，每季度通报一次工作进展情况。"),
     ("line", "淄博市人民政府办公室"),
     ("line", "2021年3月5日")],
]


def typeset(pages: list[list[tuple[str, str]]]) -> bytes:
    """A text PDF laid out like a 公文: a running header, paragraphs indented two characters and
    wrapped at the right margin, a page number at the foot."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    width, height = A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number, content in enumerate(pages, 1):
        pdf.setFont(FONT, 10)
        pdf.drawCentredString(width / 2, height - 40, HEADER)
        y = height - 110
        for kind, text in content:
            size = 18 if kind == "title" else 14
            pdf.setFont(FONT, size)
            if kind == "title":
                pdf.drawCentredString(width / 2, y, text)
                y -= 2.5 * size
                continue
            lines = wrap("\u3000\u3000" + text if kind == "paragraph" else text, size, width - 2 * MARGIN)
            for line in lines:
                pdf.drawString(MARGIN, y, line)
                y -= 1.8 * size
        pdf.setFont(FONT, 12)
        pdf.drawCentredString(width / 2, 40, f"— {number} —")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrap(text: str, size: float, width: float) -> list[str]:
    lines = [""]
    for char in text:
        if pdfmetrics.stringWidth(lines[-1] + char, FONT, size) > width:
            lines.append("")
        lines[-1] += char
    return lines


def _no_cjk_font() -> bool:
    """Whether the system lacks a Chinese font, as fontconfig tells (False when there is no fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    return listed.returncode == 0 and not listed.stdout.strip()


def scan(pdf_bytes: bytes) -> bytes:
    """The pages as pictures only, as a scanner hands them over."""
    # reportlab's STSong-Light is not embedded: PDFium draws it with a system CJK font, else with
    # empty boxes or not at all, and the scan then holds no text to read
    no_font = "no CJK font to draw the test scan with (Debian: fonts-noto-cjk, which .ci/run installs)"
    if _no_cjk_font():
        pytest.skip(no_font)
    document = pypdfium2.PdfDocument(pdf_bytes)
    images = [page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil() for page in document]
    if all(image.getextrema()[0] > 128 for image in images):
        pytest.skip(no_font)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=SCAN_DPI)
    return out.getvalue()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scans") / "scanned-notice.pdf"
    path.write_bytes(scan(typeset(PAGES)))
    with pdfplumber.open(path) as pdf:  # a true scan: pages with images and no characters
        assert len(pdf.pages) == 2 and all(not page.chars and page.images for page in pdf.pages)
    return path


def test_a_scan_without_the_extra_is_no_text_layer_saying_how_to_enable_ocr(scanned, monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # what an install without the extra sees
    with pytest.raises(NoTextLayer) as raised:
        read_document(scanned)
    message = str(raised.value)
    assert raised.value.kind == "no_text_layer"
    assert str(scanned) in message and "2 page(s)" in message
    assert "pip install '.[ocr]'" in message


def test_a_scan_is_read_by_ocr_and_its_obligation_stored(scanned, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is not installed: pip install '.[ocr]'")
    db = tmp_path / "ocr.duckdb"
    summary = run_ingest([str(scanned)], db)
    assert (summary.new, summary.failed) == (1, 0), summary.errors

    con = duckdb.connect(str(db), read_only=True)
    try:
        doc_id, ocr, fmt, n_pages, text, issued = con.execute(
            "SELECT doc_id, ocr, format, n_pages, text, issued_date FROM documents").fetchone()
        blocks = con.execute("SELECT start, \"end\", page FROM blocks WHERE doc_id = ? ORDER BY seq",
                             [doc_id]).fetchall()
        deadlines = con.execute("SELECT date, obligation_id FROM deadlines WHERE date IS NOT NULL").fetchall()
        units = con.execute("SELECT obligation_id, name FROM obligation_units").fetchall()
    finally:
        con.close()
    assert (ocr, fmt, n_pages) == (True, "pdf", 2)

    # the wrapped paragraph is one block again, as the text path joins lines by their geometry
    paragraph = next(text[start:end] for start, end, _ in blocks if "2021年6月底前" in text[start:end])
    assert "收运处置体系建设" in paragraph and "督促指导" in paragraph
    assert {page for *_, page in blocks} == {1, 2}
    assert HEADER not in text  # the running header of both pages is dropped
    # ... and the page numbers: the signature's date ends the text, so it is the issue date
    assert text.endswith("2021年3月5日") and issued == dt.date(2021, 3, 5), text[-40:]

    # the deadline and the responsible unit are extracted from the OCR'd text
    due = [obligation for date, obligation in deadlines if date == dt.date(2021, 6, 30)]
    assert due, deadlines
    assert "各区县人民政府" in {name for obligation, name in units if obligation == due[0]}, units


def test_ocr_lines_keep_source_offsets_into_the_page_text(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is not installed: pip install '.[ocr]'")
    path = tmp_path / "one-page.pdf"
    path.write_bytes(scan(typeset(PAGES[:1])))
    parsed = parse_file(path, path.read_bytes())
    assert parsed.ocr and parsed.n_pages == 1
    page_text = parsed.sources[1]
    assert "2021年6月底前" in page_text
    normalised = normalize(parsed.items, parsed.layout)
    runs = [run for run in normalised.source_map if run.length]
    assert runs and all(run.page == 1 for run in runs)
    for run in runs:  # every run of normalised text is the OCR'd text at its source offset
        assert normalised.text[run.text_start:run.text_start + run.length] == \
            page_text[run.source_start:run.source_start + run.length]
