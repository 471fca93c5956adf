"""Plain text and Markdown files: decode, then hand the lines to the normaliser.

Encodings: a BOM decides (UTF-8, UTF-16, UTF-32); else strict UTF-8; else UTF-8 with a handful of
stray bytes (replaced by U+FFFD, the rest kept); else charset-normalizer's best guess, the GBK
family always decoded as GB18030 (its superset). Binary junk and text that decodes to no Chinese
but plenty of other non-ASCII letters (mojibake) are refused with DecodeError.

YAML front matter at the top (---, 标题: …, ---) goes to header_fields, not into the text
(front_matter.py).
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from pipeline.errors import DecodeError
from pipeline.readers.base import Parsed, check_chars
from pipeline.readers.front_matter import split_front_matter
from pipeline.readers.normalize import text_items
from pipeline.settings import ReadLimits

_BOMS = [  # UTF-32 first: its LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "gb2312_80"}
# control characters that never occur in text (tab, newlines, form feed and escape excepted)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# UTF-8 with a few stray bytes is still UTF-8 (a damaged copy, not another encoding): at most 8,
# or 2 per 100 Chinese characters decoded. GBK read as UTF-8 fails on nearly every character.
_STRAY_BYTES_MAX = 8
_STRAY_SHARE = 0.02


def decode(data: bytes, path: str, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of the bytes of a text file; `declared` is an encoding the
    container names (an HTML meta charset), tried after a BOM."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, path), encoding
    if declared:
        encoding = _python_name(declared)
        try:
            return _checked(data.decode(encoding), encoding, path), encoding
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common; detect instead
    try:
        return _checked(data.decode("utf-8"), "utf-8", path), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count("\ufffd".encode())
    if stray <= max(_STRAY_BYTES_MAX, _STRAY_SHARE * len(_IDEOGRAPH.findall(text))) and _IDEOGRAPH.search(text):
        return _checked(text, "utf-8", path), "utf-8"
    if len(_CONTROL_BYTES.findall(data[:65536])) > 0.01 * min(len(data), 65536):
        raise DecodeError(path, "binary data, not text")
    guess = charset_normalizer.from_bytes(data).best()
    if guess is None:
        raise DecodeError(path, "undecodable text: no encoding fits")
    encoding = _python_name(guess.encoding)
    return _strict(data, encoding, path), encoding


def _python_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name if _known(encoding) else encoding.lower()
    return "gb18030" if name.replace("-", "_") in _GB_FAMILY or name in {"gbk", "gb2312"} else name


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _strict(data: bytes, encoding: str, path: str) -> str:
    try:
        return _checked(data.decode(encoding), encoding, path)
    except (UnicodeDecodeError, LookupError) as e:
        raise DecodeError(path, f"undecodable as {encoding}: {e}") from None


def _checked(text: str, encoding: str, path: str) -> str:
    """Refuse what decoded without error but is no text: binary junk, mojibake."""
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > 0.005 * max(len(sample), 1):
        raise DecodeError(path, f"binary data, not text (decoded as {encoding})")
    if not _IDEOGRAPH.search(sample) and len(_NON_ASCII.findall(sample)) > 0.05 * max(len(sample), 1):
        raise DecodeError(path, f"decodes as {encoding} to no Chinese but other letters: mojibake")
    return text


def parse_text(data: bytes, path: str, limits: ReadLimits, *, markdown: bool = False) -> Parsed:
    text, encoding = decode(data, path)
    check_chars(path, len(text), limits)
    fields, body_start = split_front_matter(text)
    return Parsed(text_items(text, markdown=markdown, start=body_start), layout=None, sources={None: text},
                  header_fields=fields, encoding=encoding)
