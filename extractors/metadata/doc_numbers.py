"""发文字号: the pattern, its one normal spelling, and the document's own number on a head line."""
from __future__ import annotations

import re
import unicodedata

from extractors.text import HAN
from extractors.metadata.doc_types import TITLE_ENDINGS
from extractors.metadata.vocabulary import compact

# every bracket seen around the year; web and PDF copies mix them
_OPEN = "〔［（(【[{｛"
_CLOSE = "〕］）)】]}｝"
# 发文字号: an issuer abbreviation, the year in brackets, the sequence number and 号
# (淄政办字〔2020〕34号, 京政发[2005]12号, 沪府发（2019）2号); or a 令 number (国务院令第699号)
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>[{HAN}]{{1,16}})\s*[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]"
    rf"\s*(?P<seq>第?\s*\d{{1,5}})\s*号"
    rf"|(?P<order>[{HAN}]{{1,20}}令)\s*(?P<oseq>第\s*\d{{1,5}})\s*号"
)


def normalise_doc_number(surface: str) -> str:
    """A 发文字号 in one spelling: no spaces, the year in 〔〕 (淄政办字 〔2020〕 34 号 -> 淄政办字〔2020〕34号)."""
    if not isinstance(surface, str):
        return ""
    s = unicodedata.normalize("NFKC", compact(surface))
    return re.sub(rf"[{re.escape(_OPEN)}](\d{{4}})[{re.escape(_CLOSE)}]", r"〔\1〕", s)


def trim_doc_number_prefix(prefix: str) -> str:
    """Cut text glued in front of the abbreviation (…的通知淄政办字 -> 淄政办字)."""
    cut = 0
    for word, _ in TITLE_ENDINGS:
        i = prefix.rfind(word)
        if i >= 0 and i + len(word) < len(prefix):
            cut = max(cut, i + len(word))
    i = prefix.rfind("的")
    if i >= 0 and i + 1 < len(prefix):
        cut = max(cut, i + 1)
    return prefix[cut:]


def own_doc_number_in(t: str) -> re.Match | None:
    """The document's own number on a head line: not inside brackets or quotes (a citation)."""
    for m in DOC_NUMBER_RE.finditer(t):
        before = t[:m.start()].rstrip()[-1:]
        after = t[m.end():].lstrip()[:1]
        if before and before in "（(《〈“\"" or after and after in "）)》〉”\"":
            continue
        return m
    return None
