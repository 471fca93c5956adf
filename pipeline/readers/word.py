"""Word .docx files (python-docx): paragraphs and tables in body order.

The body is read from its XML so that paragraphs and tables keep their order: text of runs,
hyperlinks and tracked insertions (deleted text, field codes, text boxes and the fallback copies
of drawings are left out), Word's automatic numbering put back in front of the paragraph,
heading styles as heading blocks, merged cells read once. Headers and footers are not read.
Source offsets point into the body text: each paragraph and table cell as Word shows it
(numbering included), each followed by '\\n'.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from pipeline.errors import DecompressionLimit, EncryptedDocument, NotADocx, TooLarge
from pipeline.readers.base import Parsed, check_chars
from pipeline.readers.normalize import Item, Layout, SourceCell, SourceLine, SourceTable, Traced, has_cjk
from pipeline.readers.word_numbering import Numbering, xml_int, xml_val
from pipeline.settings import ReadLimits

_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16  # bytes inflated at a time
_W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
_W_TC = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tc"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# an encrypted .docx is an OLE compound file holding a stream of this name (UTF-16 in the directory)
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
_VISIBLE = "[not(ancestor::mc:Fallback) and not(ancestor::w:txbxContent)]"
_RUN_CONTENT = etree.XPath(
    " | ".join(f".//w:r/w:{tag}{_VISIBLE}" for tag in ("t", "tab", "br", "cr", "noBreakHyphen")), namespaces=_NS
)
_CHAR_OF = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
_LINE_BREAK = re.compile(r"\n")
DOCX_TITLE_FIELD = "docx_title"  # header_fields key of the title in the .docx core properties
# library failures on a damaged package
_PACKAGE_ERRORS = (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, EOFError,
                   etree.XMLSyntaxError, NotImplementedError)


def parse_docx(data: bytes, path: str, limits: ReadLimits) -> Parsed:
    package = _inflate(data, path, limits)
    try:
        _count_blocks(package, path, limits)
        document = docx.Document(io.BytesIO(package))
        body = _Body(document)
        body.read(document.element.body)
        title = (document.core_properties.title or "").strip()
    except _PACKAGE_ERRORS as e:
        raise NotADocx(path, f"not a readable .docx: {type(e).__name__}: {e}") from None
    source = "".join(body.source)
    check_chars(path, len(source), limits)
    # the title in the file's properties is often a template's or an older document's: kept apart
    # from the 标题 a page states, for the metadata extractor to weigh
    fields = {DOCX_TITLE_FIELD: title} if has_cjk(title) else {}
    return Parsed(body.items, layout=Layout.LINES, sources={None: source}, header_fields=fields)


def _inflate(data: bytes, path: str, limits: ReadLimits) -> bytes:
    """The package with every member inflated through a counting stream, as a stored (uncompressed)
    zip for python-docx to open. The declared sizes are checked first (nothing is unpacked for a
    zip that admits to being a bomb), but never trusted: a member whose declared size is falsified
    is inflated chunk by chunk and refused as soon as the bytes really produced pass the limit —
    python-docx itself would inflate each member whole in memory before its CRC check fails."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise EncryptedDocument(path, "password-protected .docx (encrypted package)")
        raise NotADocx(path, "a legacy Word/WPS file (OLE compound file) named .docx; convert to .docx")
    if not data.startswith(_ZIP_MAGIC):
        raise NotADocx(path, "not a .docx: the file is not a zip package")
    limit = limits.max_decompressed_bytes
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            members = [info for info in package.infolist() if not info.is_dir()]
            declared = sum(info.file_size for info in members)
            if declared > limit:
                raise DecompressionLimit(path, f"unpacks to {declared:,} bytes, more than the limit of {limit:,} "
                                               "(zip bomb?)")
            inflated = 0
            for info in members:
                chunks = []
                with package.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > limit:
                            raise DecompressionLimit(path, f"unpacks to more than the limit of {limit:,} bytes "
                                                           f"although it declares {declared:,} (zip bomb?)")
                        chunks.append(chunk)
                copy.writestr(info.filename, b"".join(chunks))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, zlib.error, NotImplementedError) as e:
        raise NotADocx(path, f"damaged zip package: {e}") from None
    except RuntimeError as e:  # zipfile: an encrypted member
        raise EncryptedDocument(path, f"password-protected zip member: {e}") from None
    return out.getvalue()


def _count_blocks(package: bytes, path: str, limits: ReadLimits) -> None:
    """Refuse a body with more paragraphs and table cells than the limit, counted while streaming
    its XML, before python-docx builds an object for each."""
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        name = next((n for n in ("word/document.xml", "word/document2.xml") if n in z.namelist()), None)
        if name is None:
            return  # python-docx finds the main part through the relationships, and says what is wrong
        n = 0
        with z.open(name) as xml:
            for _ in etree.iterparse(xml, events=("start",), tag=(_W_P, _W_TC), resolve_entities=False,
                                     no_network=True, huge_tree=False):
                n += 1
                if n > limits.max_docx_blocks:
                    raise TooLarge(path, f"more than {limits.max_docx_blocks:,} paragraphs and table cells "
                                         "(ReadLimits.max_docx_blocks)")


class _Body:
    """Walks the body XML, collecting items and the body text the offsets point into."""

    def __init__(self, document):
        styles = _styles(document)
        self.heading_styles = {sid for sid, (name, _, _) in styles.items() if _heading_level(name)}
        self.title_styles = {sid for sid, (name, _, _) in styles.items() if name.lower() in ("title", "标题")}
        try:
            numbering_element = document.part.numbering_part.element
        except (NotImplementedError, KeyError):  # python-docx: no numbering part in the package
            numbering_element = None
        self.numbering = Numbering(numbering_element, _style_numbering(styles))
        self.items: list[Item] = []
        self.source: list[str] = []
        self.at = 0

    def emit(self, text: str) -> Traced:
        traced = Traced.from_source(text, self.at)
        self.source.append(text + "\n")
        self.at += len(text) + 1
        return traced

    def read(self, container) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                self.paragraph(child)
            elif child.tag == qn("w:tbl"):
                self.table(child)
            elif child.tag == qn("w:sdt"):  # content control: read what it holds
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.read(content)

    def paragraph_text(self, p) -> tuple[str, str | None]:
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        style_id = style.get(qn("w:val")) if style is not None else None
        text = "".join(el.text or "" if el.tag == qn("w:t") else _CHAR_OF.get(el.tag, "") for el in _RUN_CONTENT(p))
        return self.numbering.label(p, style_id) + text, style_id

    def paragraph(self, p) -> None:
        text, style_id = self.paragraph_text(p)
        kind = "title" if style_id in self.title_styles else "heading" if style_id in self.heading_styles else None
        traced = self.emit(text)
        for line in traced.split(_LINE_BREAK):  # a line break inside a paragraph ends a line
            self.items.append(SourceLine(line, kind=kind if line.text.strip() else None))

    def table(self, tbl) -> None:
        rows, header_rows, in_header = [], 0, True
        for tr in tbl.iterfind(qn("w:tr")):
            tr_pr = tr.find(qn("w:trPr"))
            is_header = tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None and \
                tr_pr.find(qn("w:tblHeader")).get(qn("w:val"), "true") not in ("false", "0")
            in_header = in_header and is_header
            header_rows += in_header
            col = xml_int(xml_val(tr_pr, "w:gridBefore"), 0)
            cells = []
            for tc in tr.iterfind(qn("w:tc")):
                tc_pr = tc.find(qn("w:tcPr"))
                span = max(xml_int(xml_val(tc_pr, "w:gridSpan"), 1), 1)
                merged = tc_pr is not None and tc_pr.find(qn("w:vMerge")) is not None and \
                    xml_val(tc_pr, "w:vMerge") in (None, "continue")
                # a vertically merged cell is read once, in its first row
                text = "" if merged else "\n".join(self.paragraph_text(p)[0] for p in tc.iterfind(".//" + qn("w:p")))
                cells.append(SourceCell(self.emit(text), col, span, merged=merged))
                col += span
            rows.append(cells)
        if max((len(r) for r in rows), default=0) <= 1:  # a one-column table is a framed text
            for row in rows:
                for cell in row:
                    self.items.extend(SourceLine(line) for line in cell.text.split(_LINE_BREAK))
            return
        self.items.append(SourceTable(rows, header_rows=header_rows or None))


def _styles(document) -> dict[str, tuple[str, str | None, tuple[str, int] | None]]:
    """style id -> (name, based-on id, (numId, ilvl) or None)."""
    try:
        element = document.styles.element
    except (KeyError, NotImplementedError):
        return {}
    styles = {}
    for style in element.iterfind(qn("w:style")):
        num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        numbering = (xml_val(num_pr, "w:numId"), xml_int(xml_val(num_pr, "w:ilvl"), 0)) if num_pr is not None else None
        styles[style.get(qn("w:styleId"))] = (xml_val(style, "w:name") or "", xml_val(style, "w:basedOn"), numbering)
    return styles


def _style_numbering(styles) -> dict[str, tuple[str, int]]:
    """Numbering each paragraph style gives, following basedOn."""
    result = {}
    for style_id in styles:
        seen, at = set(), style_id
        while at in styles and at not in seen:
            seen.add(at)
            if styles[at][2] is not None:
                result[style_id] = styles[at][2]
                break
            at = styles[at][1]
    return result


def _heading_level(name: str) -> int | None:
    m = re.fullmatch(r"(?:heading|标题)\s*(\d)", name.strip().lower())
    return int(m.group(1)) if m else None
