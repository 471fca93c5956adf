"""YAML front matter at the top of a text or Markdown file: metadata, not body.

Collections of government documents store each one as Markdown that opens with a block such as

    ---
    标题: 关于印发《…实施方案》的通知
    文号: 虹应急〔2026〕2号
    发布单位: 上海市虹口区应急管理局
    发布日期: 2026-02-26
    ---

The block is the collection's description of the document (EXTRACTION.md §document): its fields
go to `Document.header_fields`, and its lines stay out of `Document.text`, so that no obligation,
date or body is read from them.
"""
from __future__ import annotations

import re

import yaml

# the opening fence on the first non-blank line, the closing one (--- or ...) on a line of its own
_OPEN = re.compile(r"\A(?:[ \t]*\r?\n)*---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
# front matter is short; a fence further down is a horizontal rule, not the end of a header
_MAX_CHARS = 8000
# a flat `key: value` line, for front matter that is not valid YAML (a value holding ': ')
_FIELD_LINE = re.compile(r"^\s*([^:：\s][^:：]{0,30}?)\s*[:：]\s*(.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, str], int]:
    """(fields, offset where the body starts) of a text that opens with front matter; ({}, 0)
    when it has none (no fences, or what stands between them is no mapping of fields)."""
    opening = _OPEN.match(text)
    if not opening:
        return {}, 0
    closing = _CLOSE.search(text, opening.end(), opening.end() + _MAX_CHARS)
    if not closing:
        return {}, 0
    fields = _fields(text[opening.end():closing.start()])
    if not fields:
        return {}, 0
    return fields, closing.end()


def _fields(block: str) -> dict[str, str]:
    try:
        # BaseLoader: every value a string (发布日期: 2026-02-26 stays text, 文号: - stays "-")
        data = yaml.load(block, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        data = _field_lines(block)
    if not isinstance(data, dict):
        return {}
    fields: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.strip():
            continue
        if isinstance(value, list):
            value = " | ".join(v for v in value if isinstance(v, str))
        if isinstance(value, str):
            fields[key.strip()] = value.strip()
    return fields


def _field_lines(block: str) -> dict[str, str] | None:
    """Flat `key: value` lines; None when a non-blank line is not one."""
    fields: dict[str, str] = {}
    for line in block.splitlines():
        if not line.strip():
            continue
        m = _FIELD_LINE.match(line)
        if m is None:
            return None
        fields.setdefault(m.group(1), m.group(2))
    return fields
