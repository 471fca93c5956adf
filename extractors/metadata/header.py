"""Label: value header fields: the reader's `Document.header_fields` (gov.cn 发文机关/发文字号/成文日期
tables, docx properties) and the same labels on the first lines of the text (web copies:
• 发布机构: 江苏省发展改革委 发文日期: …). The labels and their roles are in metadata.yaml."""
from __future__ import annotations

import re

from extractors.metadata.lines import Found, Line
from extractors.metadata.vocabulary import RULES, HeaderRole, compact
from extractors.rules import alternation

# every label, letter-spaced or not (名       称), longest first
_HEADER_KEY_ALTERNATION = alternation((k for ks in RULES.header_keys.values() for k in ks), spaced=True)
# a header field label and its colon (名       称: …, 发文机关：…)
_HEADER_KEY_RE = re.compile(rf"(?P<key>{_HEADER_KEY_ALTERNATION})\s*[:：]")
_HEADER_ROLE = {k: role for role, ks in RULES.header_keys.items() for k in ks}
_FIELD_ROLE = {k: role for role, ks in RULES.field_keys.items() for k in ks}


def _role_of_field(key: str) -> HeaderRole | None:
    """The role of a header field's key: a 公文 label (发文字号), or a collection's Latin key
    (doc_no, Publish-Date)."""
    compact_key = re.sub(r"[\s:：]", "", key)
    return _HEADER_ROLE.get(compact_key) or _FIELD_ROLE.get(re.sub(r"[\s_\-:：]", "", key).lower())


def header_from_fields(fields: dict[str, str], text: str) -> dict[HeaderRole, Found]:
    """The roles of the reader's header fields; a value is located in the text when it is long
    enough (four characters) not to be found by chance."""
    out: dict[HeaderRole, Found] = {}
    for key, value in (fields or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        role = _role_of_field(key)
        value = value.strip()
        if role is None or role == "other" or not value or role in out:
            continue
        i = text.find(value) if len(value) >= 4 else -1
        span = (i, i + len(value)) if i >= 0 else None
        out[role] = Found(value, span, "header_fields")
    return out


def header_from_lines(lines: list[Line], limit: int) -> tuple[dict[HeaderRole, Found], set[int]]:
    """Label: value pairs on the first lines (web copies: • 发布机构: 江苏省发展改革委 发文日期: …),
    and the indices of the lines they take."""
    out: dict[HeaderRole, Found] = {}
    used: set[int] = set()
    for i, line in enumerate(lines[:limit]):
        if i in used:
            continue
        keys = list(_HEADER_KEY_RE.finditer(line.text))
        if not keys or keys[0].start() != 0:
            continue
        used.add(i)
        for j, k in enumerate(keys):
            vend = keys[j + 1].start() if j + 1 < len(keys) else len(line.text)
            raw = line.text[k.end():vend]
            lead = len(raw) - len(raw.lstrip())
            value = raw.strip()
            vstart = line.start + k.end() + lead
            role = _HEADER_ROLE.get(compact(k.group("key")))
            if not value and role not in (None, "other") and len(keys) == 1 and i + 1 < len(lines) \
                    and not _HEADER_KEY_RE.match(lines[i + 1].text):
                nxt = lines[i + 1]  # gov.cn table flattened one cell per line: 发文机关： / 国务院办公厅
                value, vstart = nxt.text, nxt.start
                used.add(i + 1)
            if role is None or not value:
                continue
            out.setdefault(role, Found(value, (vstart, vstart + len(value)), "header_line"))
    return out, used
