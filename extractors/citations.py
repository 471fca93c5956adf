"""Citations: the standards and documents a text relies on.

Public API:
    CitationValue(kind: "standard" | "document", code: str | None, title: str | None)
    extract(text, ctx) -> list[Match]      field "citation", one Match per mention
    parse(surface, ctx) -> CitationValue | None
    distinct(matches) -> list[Match]       one Match per cited thing (see below)

What is found:
  * document numbers: 建科规〔2020〕7号, 苏发改社会发 [2024] 184号 -> code "苏发改社会发〔2024〕184号"
    (any of 〔〕[]()［］【】（）﹝﹞ around the year, spaces dropped);
  * decree numbers: 国务院令第379号, （住房和城乡建设部令第11号）, （市政府第16号令) -> the code as written,
    without spaces; after a title only in brackets;
  * standard codes: GB 50180-2018, GB/T 50378-2019, DB 50/T 543-2014, T/CECS 1234-2021
    -> code without spaces ("DB50/T543-2014");
  * 《titles》, nested 〈〉 kept, with the code that follows them in brackets as ONE citation
    whose span covers title and code: 《…标准》（DB 50/T 543-2014）;
  * a title written without 《》 right before a bracketed document number
    (国务院关于…的意见（国发〔2018〕1号）).
What is not: 《》 names of certificates, forms, contracts, newspapers, programmes (suffix list in
data/citations.yaml), titles inside the document's own attachment list (附件：1.…) and titles
right after a reference to one of its attachments (详见附件2《…》).

Every mention is a Match: a document cited by title and later by its number alone gives two
Matches. `distinct()` merges mentions of the same thing (same code, or same title), keeping the
most complete mention. The
document's own number cannot be known here: the store drops a citation whose code equals the
document's 发文字号.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import field_validator

from extractors import unquoted_titles
from extractors.base import ExtractContext, Match
from extractors.rules import RuleTable, alternation, load_rules
from extractors.text import HAN, title_spans
from schemas.records import CitationKind

FIELD = "citation"


@dataclass(frozen=True, slots=True)
class CitationValue:
    kind: CitationKind
    code: str | None
    title: str | None


# ------------------------------------------------------------------ vocabulary (data file)


class CitationRules(unquoted_titles.Words):
    # inherits document_type_words and the words of titles cited without 《》 (unquoted_titles.Words)
    national_standard_prefixes: list[str]
    han_standard_prefixes: list[str]
    regional_standard_prefixes: list[str]
    group_standard_prefix: str
    standard_title_suffixes: list[str]
    not_cited_title_suffixes: list[str]
    not_cited_exceptions: list[str]
    code_lead_words: list[str]
    names_holding_lead_words: list[str]
    attachment_markers: list[str]
    alias_markers: list[str]
    own_plan_patterns: list[str]
    decree_issuer_ends: list[str]

    @field_validator(
        "national_standard_prefixes", "regional_standard_prefixes", "standard_title_suffixes",
        "not_cited_title_suffixes", "document_type_words", "code_lead_words", "names_holding_lead_words",
        "attachment_markers",
        "alias_markers", "unquoted_plan_words", "unquoted_relying_words", "unquoted_lead_words",
        "unquoted_announce_words", "unquoted_announce_after", "unquoted_organs",
    )
    @classmethod
    def _non_empty_words(cls, words: list[str]) -> list[str]:
        if not words or any(not isinstance(w, str) or not w.strip() for w in words):
            raise ValueError("must be a non-empty list of non-empty strings")
        return [w.strip() for w in words]

    @field_validator("national_standard_prefixes", "regional_standard_prefixes")
    @classmethod
    def _upper_ascii(cls, words: list[str]) -> list[str]:
        bad = [w for w in words if not re.fullmatch(r"[A-Z]+", w)]
        if bad:
            raise ValueError(f"standard prefixes are upper-case letters only: {bad}")
        return words


RULES = load_rules(CitationRules, "citations.yaml")


# ------------------------------------------------------------------ grammar (regex fragments)

# Leftover spaces inside codes (DB 50/T 543-2014, 苏发改社会发 〔2024〕 184号); never a line break.
_SP = r"[ \u3000\u00a0]*"
# Issuer abbreviations of document numbers are short (国办函, 苏发改社会发, 津社治组办).
_MAX_ABBR = 8
# Every bracket pair seen around the year of a document number; they are mixed in the wild.
_OPEN = r"[〔\[［(（【﹝〖｛{]"
_CLOSE = r"[〕\]］)）】﹞〗｝}]"
_DASH = r"[-‐‑–—－]"

# 国办函〔2023〕121号: abbreviation, bracketed four-digit year, serial number, 号.
_DOC_NUMBER = (
    rf"(?P<abbr>[{HAN}]{{1,{_MAX_ABBR}}}){_SP}{_OPEN}{_SP}(?P<year>\d{{4}}){_SP}{_CLOSE}"
    rf"{_SP}(?:第{_SP})?(?P<serial>\d{{1,5}}){_SP}号"
)
# GB/T 50378-2019, DB 50/T 543-2014, DBJ50-052-2020, T/CECS 1234-2021, GB 50180 (no year).
_STANDARD_PREFIX = (
    rf"(?:{re.escape(RULES.group_standard_prefix)}[A-Z]{{2,10}}"
    rf"|(?:{alternation(RULES.regional_standard_prefixes)}){_SP}\d{{2}}(?:{_SP}/{_SP}[TZ]?)?(?:{_SP}{_DASH})?"
    rf"|(?:{alternation(RULES.national_standard_prefixes)})(?:{_SP}/{_SP}[TZ])?"
    rf"|(?:{alternation(RULES.han_standard_prefixes)})(?={_SP}\d+{_SP}{_DASH}{_SP}\d{{4}}))"
)
_STANDARD_CODE = (
    rf"(?<![A-Za-z])(?P<std>{_STANDARD_PREFIX}{_SP}(?P<stdnum>\d+(?:\.\d+)*)"
    rf"(?:{_SP}{_DASH}{_SP}(?P<stdyear>\d{{4}}))?)(?![\dA-Za-z])"
)

# A decree's number (国务院令第379号, 住房和城乡建设部令第11号, 市政府第16号令, 市政府令第23号): an issuer
# ending in a body word, 令, the serial; or the serial then 号令. The issuer is short and glued to it.
_DECREE_NUMBER = (
    rf"(?P<issuer>[{HAN}]{{1,12}}?(?:{alternation(RULES.decree_issuer_ends)}))"
    rf"(?:令{_SP}第{_SP}\d{{1,4}}{_SP}号|{_SP}第{_SP}\d{{1,4}}{_SP}号令)"
)
_DECREE_NUMBER_RE = re.compile(_DECREE_NUMBER)
_DOC_NUMBER_RE = re.compile(_DOC_NUMBER)
_STANDARD_CODE_RE = re.compile(_STANDARD_CODE)
# A code right after a title: optional bracket, then the code (the abbreviation of a document
# number starts right after the bracket).
_CODE_AFTER_TITLE_RE = re.compile(
    rf"\s*(?P<open>[（(\[［【]{_SP})?(?:{_DOC_NUMBER}|{_STANDARD_CODE}|{_DECREE_NUMBER})(?P<close>{_SP}[）)\]］】])?"
)
# Between a standard's code and the title written after it: spaces only (DB 50/T 543-2014《…》).
_TITLE_AFTER_CODE_RE = re.compile(_SP)
_LEAD_WORD_RE = re.compile(alternation(RULES.code_lead_words))
_NAME_HOLDING_LEAD_WORD_RE = re.compile(alternation(RULES.names_holding_lead_words))
# Trailing qualifiers of a title that do not change what it names: （试行）, (修订), （2018年版）.
_TITLE_QUALIFIER_RE = re.compile(r"(?:[（(][^（）()]{1,12}[）)])+$")
_ATTACHMENT_LINE_RE = re.compile(
    rf"^[ \t\u3000]*(?:{alternation(RULES.attachment_markers)})[ \u3000]*\d*[ \u3000]*[:：]?", re.M
)
# In the body, a reference to the document's own attachment right before a title
# (详见附件2《建设方案编制提纲》): the title is the attachment's, not a cited document.
_ATTACHMENT_REF_RE = re.compile(
    rf"(?:{alternation(RULES.attachment_markers)})[ \u3000]*[0-9０-９一二三四五六七八九十]*[ \u3000]*[:：]?[ \u3000]*$"
)
# A short name given to what was just cited: （以下简称《方案》）, 简称“《规划》”.
_ALIAS_RE = re.compile(rf"(?:{alternation(RULES.alias_markers)})[ \u3000]*[“\"]?[ \u3000]*$")
# A numbered or indented line continuing an attachment list (      2.全市…任务分解表).
_ATTACHMENT_CONTINUATION_RE = re.compile(r"^(?:[ \t\u3000]+\S|\d+[.．、])")
# What ends the clause an unbracketed title sits in.
_CLAUSE_BREAK = "，。；：,;:!?！？\n\t、《》"
_DOC_TYPE_END_RE = re.compile(rf"(?:{alternation(RULES.document_type_words)})$")



# ------------------------------------------------------------------ normalisation


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _normalise_doc_number(m: re.Match) -> str | None:
    """abbr〔YYYY〕N号 with no spaces, or None when the year is not a year."""
    year = int(_nfkc(m.group("year")))
    if not 1949 <= year <= 2100:
        return None
    return f"{m.group('abbr')}〔{year}〕{int(_nfkc(m.group('serial')))}号"


def _normalise_standard_code(raw: str) -> str:
    code = re.sub(r"\s+", "", _nfkc(raw))
    return re.sub(_DASH, "-", code).upper()


def _plausible_standard(m: re.Match) -> bool:
    """A standard code has a year, a /T-/Z- or regional part, or a number of two digits or more:
    'GB 1' alone is too thin to be sure."""
    return bool(m.group("stdyear")) or "/" in m.group("std") or len(m.group("stdnum")) >= 2


def _trim_abbreviation(abbr: str) -> str:
    """Drop running text glued before an issuer abbreviation (全面落实国办函 -> 国办函)."""
    inside_names = [m.span() for m in _NAME_HOLDING_LEAD_WORD_RE.finditer(abbr)]
    last_end = 0
    for lead in _LEAD_WORD_RE.finditer(abbr):
        if any(a <= lead.start() and lead.end() <= b for a, b in inside_names):
            continue  # the 和 of 住房和城乡建设部令: part of the issuer's name
        if lead.end() < len(abbr):
            last_end = max(last_end, lead.end())
    return abbr[last_end:]


_OWN_PLAN_RES = [re.compile(p) for p in RULES.own_plan_patterns]


def _own_plans(text: str) -> set[str]:
    """The titles of the plans this document hands over under its cover (关于印发《X》的通知; 现将《X》
    印发给你们): X is the document's own attachment, part of it, never a document it cites."""
    return {_normalise_title(m.group("title")) for p in _OWN_PLAN_RES for m in p.finditer(text)}


def _normalise_title(raw: str) -> str:
    # line breaks and tabs inside a title come from wrapped text and a PDF's column layout; other
    # spaces are kept (two issuers are written 中共重庆市委 重庆市人民政府)
    title = re.sub(r"[ \u3000]*[\n\t][\s]*", "", raw)
    return re.sub(r"[ \u3000\u00a0]+", " ", title).strip()


def _title_kind(title: str) -> CitationKind:
    bare = _TITLE_QUALIFIER_RE.sub("", title).strip()
    return "standard" if bare.endswith(tuple(RULES.standard_title_suffixes)) else "document"


def _is_cited_title(title: str) -> bool:
    bare = _TITLE_QUALIFIER_RE.sub("", title).strip()
    if len(bare) < 2:
        return False
    if bare.endswith(tuple(RULES.not_cited_exceptions)):
        return True
    return not bare.endswith(tuple(RULES.not_cited_title_suffixes))


# ------------------------------------------------------------------ locating




def _attachment_regions(text: str) -> list[tuple[int, int]]:
    """Spans of the document's own attachment lists: the 附件： line and the numbered or indented
    lines that continue it (blank lines in between allowed)."""
    regions: list[tuple[int, int]] = []
    for m in _ATTACHMENT_LINE_RE.finditer(text):
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        while end < len(text):
            nxt = end + 1
            while nxt < len(text) and text[nxt] == "\n":
                nxt += 1
            line_end = text.find("\n", nxt)
            line_end = len(text) if line_end < 0 else line_end
            if nxt >= len(text) or not _ATTACHMENT_CONTINUATION_RE.match(text[nxt:line_end]):
                break
            end = line_end
        regions.append((m.start(), end))
    return regions


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _code_after_title(text: str, pos: int) -> re.Match | None:
    m = _CODE_AFTER_TITLE_RE.match(text, pos)
    if m is None:
        return None
    if m.group("abbr") is not None:
        # a document number after a title must start right at the bracket: （渝委发〔2018〕26号）
        if m.group("open") is None or _normalise_doc_number(m) is None:
            return None
    elif m.group("issuer") is not None:
        if m.group("open") is None:  # 《…办法》（住房和城乡建设部令第11号）: a decree's number is bracketed
            return None
    elif not _plausible_standard(m):
        return None
    return m


def _titled_mentions(text: str, skip: list[tuple[int, int]], ctx: ExtractContext) -> list[Match]:
    found: list[Match] = []
    aliases: set[str] = set()  # short names the text gave to what it cited (以下简称《方案》)
    for start, end in title_spans(text):
        if _overlaps(start, end, skip) or _ATTACHMENT_REF_RE.search(text, max(0, start - 8), start):
            continue
        title = _normalise_title(text[start + 1 : end - 1])
        if _ALIAS_RE.search(text, max(0, start - 8), start):
            aliases.add(title)
        if title in aliases or not _is_cited_title(title):
            continue
        code_m = _code_after_title(text, end)
        span_end = end if code_m is None else code_m.end()
        surface = text[start:span_end]
        found.append(Match(FIELD, start, span_end, surface, parse(surface, ctx)))
    return found


def _untitled_title_start(text: str, bracket: int) -> int | None:
    """Start of a title written without 《》 that ends right before `bracket`
    (…关于开展…工作的通知（国办发…）), or None."""
    clause_start = bracket
    while clause_start > 0 and text[clause_start - 1] not in _CLAUSE_BREAK and bracket - clause_start < 100:
        clause_start -= 1
    clause = text[clause_start:bracket]
    about = clause.rfind("关于")
    if about < 0 or not _DOC_TYPE_END_RE.search(clause.rstrip()):
        return None
    issuer = clause[:about]
    last_lead = 0
    for lead in _LEAD_WORD_RE.finditer(issuer):
        last_lead = max(last_lead, lead.end())
    start = clause_start + last_lead
    while start < bracket and text[start] in " \u3000":
        start += 1
    return start


def _code_mentions(text: str, taken: list[tuple[int, int]], ctx: ExtractContext) -> list[Match]:
    found: list[Match] = []
    for m in _DOC_NUMBER_RE.finditer(text):
        if _normalise_doc_number(m) is None:
            continue
        abbr = _trim_abbreviation(m.group("abbr"))
        if not abbr:
            continue
        start = m.end("abbr") - len(abbr)
        end = m.end()
        if _overlaps(start, end, taken):
            continue
        if start > 0 and re.match(r"[（(\[［【]", text[start - 1]):
            # a bracketed number: a title without 《》 may stand right before the bracket
            title_start = _untitled_title_start(text, start - 1)
            close = re.match(rf"{_SP}[）)\]］】]", text[end:])
            if title_start is not None and close and not _overlaps(title_start, start, taken):
                start, end = title_start, end + close.end()
        found.append(Match(FIELD, start, end, text[start:end], parse(text[start:end], ctx)))
    for m in _DECREE_NUMBER_RE.finditer(text):
        issuer = _trim_abbreviation(m.group("issuer"))
        start = m.end("issuer") - len(issuer)
        if issuer and not _overlaps(start, m.end(), taken + [(f.start, f.end) for f in found]):
            found.append(Match(FIELD, start, m.end(), text[start:m.end()], parse(text[start:m.end()], ctx)))
    for m in _STANDARD_CODE_RE.finditer(text):
        if not _plausible_standard(m) or _overlaps(m.start("std"), m.end("std"), taken):
            continue
        found.append(Match(FIELD, m.start("std"), m.end("std"), m.group("std"), parse(m.group("std"), ctx)))
    return found


def extract(text: str, ctx: ExtractContext) -> list[Match]:
    """Every citation mention in `text` (see module doc); [] when there is none."""
    if not isinstance(text, str) or not text:
        return []
    attachments = _attachment_regions(text)
    own = _own_plans(text)
    found = _titled_mentions(text, attachments, ctx)
    titled = [m for m in found if not (m.value is not None and m.value.kind == "document" and m.value.title in own)]
    taken = [(m.start, m.end) for m in found] + attachments + title_spans(text)
    coded = _code_mentions(text, taken, ctx)
    taken += [(m.start, m.end) for m in coded]
    unquoted = [Match(FIELD, start, end, text[start:end], CitationValue(_title_kind(title), None, title))
                for start, end, title in unquoted_titles.find(text, RULES)
                if not _overlaps(start, end, taken) and not _normalise_title(title).endswith(tuple(own))]
    titled, coded = _code_before_title(text, titled, coded, ctx)
    # a mention always names its title or code; the check keeps a value of None out of the rows
    return sorted((m for m in titled + coded + unquoted if m.value is not None), key=lambda m: (m.start, m.end))


def _code_before_title(text: str, titled: list[Match], coded: list[Match],
                       ctx: ExtractContext) -> tuple[list[Match], list[Match]]:
    """A standard's code right before a title that has none (执行DB 50/T 543-2014《重庆市城乡公共服务设施
    规划标准》) is one citation with it, as a title followed by its code is."""
    by_start = {m.start: m for m in titled if m.value is not None and m.value.code is None and m.value.kind == "standard"}
    for code in list(coded):
        if code.value is None or code.value.kind != "standard" or code.value.title:
            continue
        gap = _TITLE_AFTER_CODE_RE.match(text, code.end)
        title = by_start.get(gap.end()) if gap else None
        if title is None:
            continue
        surface = text[code.start:title.end]
        coded.remove(code)
        titled.remove(title)
        titled.append(Match(FIELD, code.start, title.end, surface, parse(surface, ctx)))
    return titled, coded


# ------------------------------------------------------------------ normalising


def parse(surface: str, ctx: ExtractContext) -> CitationValue | None:
    """The citation a surface names: 《title》, a code, or a title with its code; None when it names
    neither."""
    if not isinstance(surface, str):
        return None
    title: str | None = None
    rest = surface
    spans = title_spans(surface)
    if spans:
        start, end = spans[0]
        title = _normalise_title(surface[start + 1 : end - 1])
        rest = surface[end:]
    std = next((m for m in _STANDARD_CODE_RE.finditer(rest) if _plausible_standard(m)), None)
    if std is None and spans:
        # a standard's code written before its title (DB 50/T 543-2014《…规划标准》)
        std = next((m for m in _STANDARD_CODE_RE.finditer(surface[:spans[0][0]]) if _plausible_standard(m)), None)
    if std is not None:
        return CitationValue("standard", _normalise_standard_code(std.group("std")), title)
    decree = _DECREE_NUMBER_RE.search(rest)
    if decree is not None and _DOC_NUMBER_RE.search(rest) is None:
        issuer = decree.group("issuer")
        if not rest[:decree.start("issuer")].rstrip().endswith(("（", "(", "[", "［", "【")):
            issuer = _trim_abbreviation(issuer)  # 根据国务院令第379号; a bracket holds the issuer whole
        if issuer:
            return CitationValue("document", re.sub(r"\s+", "", issuer + rest[decree.end("issuer"):decree.end()]), title)
    for doc in _DOC_NUMBER_RE.finditer(rest):
        code = _normalise_doc_number(doc)
        abbr = _trim_abbreviation(doc.group("abbr"))
        if code is None or not abbr:
            continue
        code = abbr + code[len(doc.group("abbr")) :]
        if title is None:
            # a title written without 《》 before the bracketed number
            before = _normalise_title(rest[: doc.end("abbr") - len(abbr)].rstrip(" \u3000（(［[【"))
            if "关于" in before and _DOC_TYPE_END_RE.search(before):
                title = before
        # a guideline or standard issued under a document number is still a standard
        kind = _title_kind(title) if title else "document"
        return CitationValue(kind, code, title)
    if title is None:
        return None
    return CitationValue(_title_kind(title), None, title)


# ------------------------------------------------------------------ one per cited thing


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", _nfkc(s))


def _identities(value: CitationValue) -> set[str]:
    """What identifies the cited thing: its code and its title, spaces and widths ignored."""
    return {k for k in ("code:" + _compact(value.code).upper() if value.code else "",
                        "title:" + _compact(value.title) if value.title else "") if k}


def distinct(matches: list[Match]) -> list[Match]:
    """One Match per cited thing, in order of first mention. Mentions sharing a code or a title
    are the same thing; the kept Match is the first that carries both title and code, else the
    first mention."""
    groups: list[list[Match]] = []
    keys: list[set[str]] = []
    for m in matches:
        mine = _identities(m.value)
        hit = next((i for i, ks in enumerate(keys) if ks & mine), None)
        if hit is None:
            groups.append([m])
            keys.append(set(mine))
        else:
            groups[hit].append(m)
            keys[hit] |= mine
    kept = [next((m for m in g if m.value.code and m.value.title), g[0]) for g in groups]
    return sorted(kept, key=lambda m: (m.start, m.end))
