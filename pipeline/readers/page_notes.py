"""Notes around a document that are not the document, recognised by shape and vocabulary.

A collection's provenance note before the title (> 本文正文由脚本自…提取，仅供检索查阅；以[官方链接]
(…)发布版本为准), copyright lines (依《中华人民共和国著作权法》第五条…), source links and download
lists (- [e6e15e.docx](https://…)): `is_page_note(line)` says a line is one of them,
and the normaliser drops it with the other noise lines (page numbers, web furniture), so no
citation, unit or obligation is read from it. The phrases are in data/page_notes.yaml.

Imports nothing of the project but the vocabulary: the normaliser imports this module.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

VOCABULARY_FILE = Path(__file__).parent / "data" / "page_notes.yaml"


class PageNoteVocabulary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    note_phrases: tuple[str, ...]
    note_max_chars: int
    download_extensions: tuple[str, ...]
    region_names: tuple[str, ...]
    content_names: tuple[str, ...]
    meta_names: tuple[str, ...]

    @field_validator("note_phrases", "download_extensions", "region_names", "content_names", "meta_names")
    @classmethod
    def _distinct_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        for word in words:
            if not word or re.search(r"\s", word):
                raise ValueError(f"{word!r}: entries are single phrases without spaces")
        if len(set(words)) != len(words):
            raise ValueError("duplicate entries")
        return words


@cache
def vocabulary() -> PageNoteVocabulary:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return PageNoteVocabulary.model_validate(yaml.load(VOCABULARY_FILE.read_text(encoding="utf-8"), Loader=loader))


# a markdown link [text](url) and a bare URL
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*[^)\s]+\s*\)")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.[\w.-]+\.\w{2,}\S*", re.I)
_LEADING_BULLET = re.compile(r"^[\s\-*+•·>|]+")


@cache
def _phrases() -> re.Pattern:
    return re.compile("|".join(map(re.escape, sorted(vocabulary().note_phrases, key=len, reverse=True))))


@cache
def _file_name() -> re.Pattern:
    extensions = "|".join(map(re.escape, vocabulary().download_extensions))
    return re.compile(rf"[^\s:：，,。；;]{{1,80}}\.(?:{extensions})", re.I)


def is_page_note(line: str) -> bool:
    """A provenance or copyright note, a line of links only, or a download list entry."""
    stripped = line.strip()
    if not stripped:
        return False
    if len(stripped) <= vocabulary().note_max_chars and _phrases().search(stripped):
        return True
    return _only_links(stripped)


def _only_links(line: str) -> bool:
    """Nothing but URLs and markdown links whose text is a URL or a downloadable file name. A
    bare file name is not enough: an annex list names its files (附件：1.…指标体系.docx / 2.….pdf)."""
    if not (_MD_LINK.search(line) or _URL.search(line)):
        return False
    rest = _MD_LINK.sub(lambda m: "" if _is_plain_target(m.group(1)) else m.group(0), line)
    return not _LEADING_BULLET.sub("", _URL.sub("", rest)).strip()


def _is_plain_target(text: str) -> bool:
    text = text.strip()
    return not text or _URL.fullmatch(text) is not None or _file_name().fullmatch(text) is not None


@cache
def _region_names() -> tuple[re.Pattern, re.Pattern]:
    def words(ws):
        return re.compile("|".join(map(re.escape, sorted(ws, key=len, reverse=True))))
    return words(vocabulary().region_names), words(vocabulary().content_names)


def is_region_name(name: str) -> bool:
    """Whether an element's class and id name a region of a page around the document (footer,
    share bar, breadcrumb, related links) and not its content ("main-content" is content)."""
    name = name.lower()
    around, content = _region_names()
    return bool(around.search(name)) and not content.search(name)


def is_document_meta(name: str) -> bool:
    """Whether a page's <meta name> describes the document (ArticleTitle, PubDate), not the site."""
    return name.strip().lower() in {n.lower() for n in vocabulary().meta_names}
