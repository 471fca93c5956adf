"""HTML pages (BeautifulSoup + lxml): the visible text in blocks, data tables as tables.

Dropped: scripts, styles, navigation, forms, frames and other invisible parts; lines made only of
links (menus, breadcrumbs) and web furniture (the normaliser's noise rules). The gov.cn
metadata table (索引号 / 发文机关 / 成文日期 / 发文字号 …) goes to header_fields, not into the text.
Tables used for page layout (a cell holding paragraphs or another table, one cell per row) are
read as the blocks they contain. Source offsets point into the decoded HTML: each text node is
found in the markup in document order (characters from entities such as &nbsp; have none).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, ParserRejectedMarkup, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from pipeline.errors import DecodeError, UnsupportedFormat
from pipeline.readers.normalize import (
    Item, Layout, SourceCell, SourceLine, SourceTable, Traced, compact_spaces, concat, header_fields_of,
    is_header_field_line,
)
from pipeline.readers.base import Parsed, check_chars
from pipeline.readers.page_notes import is_document_meta, is_region_name
from pipeline.readers.text import decode
from pipeline.settings import ReadLimits

_INVISIBLE = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "frame",
              "frameset", "object", "embed", "canvas", "svg", "math", "nav", "form", "button", "select",
              "option", "textarea", "input", "audio", "video", "map", "area"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
          "pre", "section", "article", "header", "footer", "main", "aside", "center", "address", "figure",
          "figcaption", "hr", "fieldset", "body", "html", "caption", "tr", "td", "th", "tbody", "thead", "tfoot"}
_KIND_OF_TAG = {"h1": "title", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading"}
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.I)
_TOKEN = re.compile(r"[^\s&<>\"'\xa0]+")
_SEARCH_WINDOW = 200_000  # characters of markup searched for the next text node
_SENTENCE_PUNCTUATION = re.compile(r"[。，；！？]")
_WORD = re.compile(r"\w")
# a region named as around the document is skipped only when it holds at most this share of the
# page's text: a page whose whole body sits in <div class="bottom-wrap"> is still read
_REGION_SHARE = 0.25
_META_MAX = 300  # a meta field is a title or a date, not a page of keywords


# the mark of the report `obligations report` writes (pipeline/report/build.py): a page of this tool's
# own results, whose texts are the stored documents' (ingested, every obligation would be stored twice)
_OWN_REPORT = re.compile(rb"<meta name=\"generator\" content=\"policy-obligations\">")


def parse_html(data: bytes, path: str, limits: ReadLimits) -> Parsed:
    if _OWN_REPORT.search(data[:4096]):
        raise UnsupportedFormat(path, "a report written by `obligations report`, not a policy document: "
                                      "keep reports outside the folders you ingest")
    declared = _META_CHARSET.search(data[:4096])
    markup, encoding = decode(data, path, declared.group(1).decode("ascii") if declared else None)
    check_chars(path, len(markup), limits)
    try:
        soup = BeautifulSoup(markup, "lxml")
    except ParserRejectedMarkup as e:
        raise DecodeError(path, f"unparseable HTML: {e}") from None
    page = _Page(markup, _tables_holding_tables(soup), len(soup.get_text(strip=True)))
    page.walk(soup)
    page.flush()
    return Parsed(page.items, layout=Layout.LINES, sources={None: markup},
                  header_fields={**_meta_fields(soup), **page.fields}, encoding=encoding)


def _meta_fields(soup: BeautifulSoup) -> dict[str, str]:
    """<meta name="ArticleTitle" content="…"> / <meta name="PubDate" …>: what the site's CMS says
    of the document (page_notes.yaml meta_names; extractors/data/metadata.yaml field_keys gives
    them roles; a metadata table on the page itself, read later, wins)."""
    fields = {}
    for meta in soup.find_all("meta", attrs={"name": True, "content": True}):
        name, content = str(meta["name"]).strip(), " ".join(str(meta["content"]).split())
        if is_document_meta(name) and content and len(content) <= _META_MAX:
            fields.setdefault(name, content)
    return fields


class _Locator:
    """Finds text nodes in the markup, in document order, so each character knows its offset."""

    def __init__(self, markup: str):
        self.markup = markup
        self.cursor = 0

    def locate(self, text: str) -> Traced:
        at = self.markup.find(text, self.cursor, self.cursor + _SEARCH_WINDOW + len(text))
        if at >= 0:
            self.cursor = at + len(text)
            return Traced.from_source(text, at)
        # entities changed the text (&nbsp; &amp;): find its plain pieces one by one
        parts, done = [], 0
        for token in _TOKEN.finditer(text):
            parts.append(Traced.inserted(text[done : token.start()]))
            at = self.markup.find(token.group(), self.cursor, self.cursor + _SEARCH_WINDOW)
            if at >= 0:
                self.cursor = at + len(token.group())
                parts.append(Traced.from_source(token.group(), at))
            else:
                parts.append(Traced.inserted(token.group()))
            done = token.end()
        parts.append(Traced.inserted(text[done:]))
        return concat(parts)

    def skip(self, node: Tag) -> None:
        """Move past a subtree that is not read, so its text is not taken for a later node's."""
        for text in node.find_all(string=True):
            self.locate(str(text))


class _Page:
    def __init__(self, markup: str, tables_holding_tables: set[int], text_length: int):
        self.locator = _Locator(markup)
        self.text_length = text_length
        self.tables_holding_tables = tables_holding_tables
        self.items: list[Item] = []
        self.fields: dict[str, str] = {}
        self.line: list[tuple[Traced, bool]] = []  # pieces of the current line, and whether inside a link
        self.kind: str | None = None

    def flush(self) -> None:
        pieces, self.line = self.line, []
        text = concat(t for t, _ in pieces)
        if not text.text.strip():
            return
        linked = "".join(t.text for t, in_link in pieces if in_link).strip()
        unlinked = "".join(t.text for t, in_link in pieces if not in_link)
        # a line mostly of links, without a sentence (a menu, a breadcrumb, 相关文件：<a>…</a><a>…</a>)
        # is navigation; an annex list (附件：<a>1.….docx</a>) is not
        words = len(_WORD.findall(unlinked))
        if linked and 2 * words <= len(_WORD.findall(linked)) \
                and not _SENTENCE_PUNCTUATION.search(linked + unlinked) \
                and not linked.startswith("附件") and not unlinked.strip().startswith("附件"):
            return
        self.items.append(SourceLine(text.translate(_NEWLINES), kind=self.kind))

    def walk(self, node: Tag) -> None:
        """Read the subtree in document order. Iterative: pages nest thousands deep."""
        # each frame: the children still to read, whether inside a link, the kind to restore
        # when the frame ends (a block element), or _INLINE
        stack: list[tuple[Iterator, bool, object]] = [(iter(node.children), False, _INLINE)]
        while stack:
            children, in_link, restore = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if restore is not _INLINE:
                    self.flush()
                    self.kind = restore
                continue
            if isinstance(child, NavigableString):
                if not isinstance(child, _NOT_TEXT):
                    self.line.append((self.locator.locate(str(child)), in_link))
                elif isinstance(child, Comment):
                    self.locator.locate(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _INVISIBLE or _hidden(child) or self.around_document(child):
                self.locator.skip(child)
            elif name == "br":
                self.flush()
            elif name == "table" and self.table(child):
                continue  # taken as metadata or data
            elif name in _BLOCK or name == "table":  # a layout table is read as blocks
                self.flush()
                stack.append((iter(child.children), in_link, self.kind))
                self.kind = _KIND_OF_TAG.get(name, self.kind)
            else:
                stack.append((iter(child.children), in_link or name == "a", _INLINE))

    def around_document(self, tag: Tag) -> bool:
        """A region of the page around the document, named so by its class or id (footer,
        share bar, breadcrumb, related links): unless it holds the title or much of the text."""
        name = " ".join([*tag.get("class", []), tag.get("id") or ""])
        if not name.strip() or not is_region_name(name) or tag.find("h1") is not None:
            return False
        return len(tag.get_text(strip=True)) <= _REGION_SHARE * self.text_length

    def table(self, table: Tag) -> bool:
        """Take a metadata or data table; False: it is a layout table, to be read as blocks."""
        self.flush()
        row_tags = _rows(table)
        rows = [tr.find_all(["td", "th"], recursive=False) for tr, _ in row_tags]
        holds_table = id(table) in self.tables_holding_tables
        fields = None if holds_table else _metadata(rows)
        if fields is not None:
            self.fields.update(fields)
            self.locator.skip(table)
            return True
        if _is_layout(rows, holds_table):
            return False
        source_rows, header_rows, in_header = [], 0, True
        below: dict[int, tuple[int, int]] = {}  # column -> (rows a rowspan still covers, its colspan)
        for cells, (_, in_thead) in zip(rows, row_tags):
            in_header = in_header and bool(cells) and (in_thead or all(c.name == "th" for c in cells))
            header_rows += in_header
            col, row, spanning = 0, [], below
            below = {}
            for cell in [*cells, None]:
                # cells of rows above that span down here (rowspan) are this row's empty merged cells
                while col in spanning or (cell is None and any(c >= col for c in spanning)):
                    col = min(c for c in spanning if c >= col)
                    left, width = spanning.pop(col)
                    row.append(SourceCell(Traced.inserted(""), col, width, merged=True))
                    if left > 1:
                        below[col] = (left - 1, width)
                    col += width
                if cell is None:
                    break
                span = _int(cell.get("colspan"), 1)
                row.append(SourceCell(self.cell_text(cell), col, span))
                if _int(cell.get("rowspan"), 1) > 1:
                    below[col] = (_int(cell.get("rowspan"), 1) - 1, span)
                col += span
            source_rows.append(row)
        self.items.append(SourceTable(source_rows, header_rows=header_rows or None))
        return True

    def cell_text(self, cell: Tag) -> Traced:
        """The lines of a cell, joined by '\\n'."""
        outer_items, outer_line = self.items, self.line
        self.items, self.line = [], []
        self.walk(cell)
        self.flush()
        lines = [item.text for item in self.items if isinstance(item, SourceLine)]
        self.items, self.line = outer_items, outer_line
        parts = []
        for line in lines:
            parts += [Traced.inserted("\n"), line] if parts else [line]
        return concat(parts)


_NEWLINES = {ord("\n"): " ", ord("\r"): " "}
_INLINE = object()  # marks a stack frame of an inline element: nothing to do when it ends


_ROW_GROUPS = ("thead", "tbody", "tfoot")


def _rows(table: Tag) -> list[tuple[Tag, bool]]:
    """The rows of this table (not of tables nested in it), and whether each is in <thead>."""
    rows = []
    for child in table.find_all(["tr", *_ROW_GROUPS], recursive=False):
        if child.name == "tr":
            rows.append((child, False))
        else:
            rows += [(tr, child.name == "thead") for tr in child.find_all("tr", recursive=False)]
    return rows


def _tables_holding_tables(soup: BeautifulSoup) -> set[int]:
    """ids of the tables that have another table inside, found in one pass up from each table
    (a walk stops at an ancestor already marked: linear however deep tables nest)."""
    marked: set[int] = set()
    for table in soup.find_all("table"):
        for parent in table.parents:
            if parent.name == "table":
                if id(parent) in marked:
                    break
                marked.add(id(parent))
    return marked


def _is_layout(rows: list[list[Tag]], holds_table: bool) -> bool:
    """A table that arranges the page rather than holding data: another table inside, never more
    than one cell in a row, or a cell holding paragraphs of text."""
    if holds_table or max((len(r) for r in rows), default=0) <= 1:
        return True
    return any(len(cell.find_all(["p", "div", "ul", "ol", "h1", "h2", "h3"], limit=4)) > 3 for r in rows for cell in r)


_KEY_CELL_MAX = 60  # a key cell holds a key, perhaps with its value; not a page of text


def _metadata(rows: list[list[Tag]]) -> dict[str, str] | None:
    """The fields of a gov.cn metadata table (key cells "发文机关：" each followed by a value
    cell), or None when the table is not one."""
    fields, keys = {}, 0
    for cells in rows:
        texts = [cell.get_text(" ", strip=True) for cell in cells]
        k = 0
        while k < len(texts):
            if texts[k] and len(texts[k]) <= _KEY_CELL_MAX and is_header_field_line(texts[k]):
                keys += 1
                has_value = k + 1 < len(texts) and not is_header_field_line(texts[k + 1])
                line = texts[k] + (" " + texts[k + 1] if has_value else "")
                fields.update({key: compact_spaces(Traced.inserted(value)).text
                               for key, value in header_fields_of(line).items()})
                k += 2 if has_value else 1
            else:
                if texts[k]:
                    return None  # a cell that is neither key nor value: a data table
                k += 1
    return fields if keys else None


def _hidden(tag: Tag) -> bool:
    style = tag.get("style") or ""
    return "display:none" in style.replace(" ", "").lower() or tag.has_attr("hidden")


def _int(value, default: int) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return default
