"""Term frequencies of a document, from the segmentation the pipeline already does (the jieba
tokens of the spaCy Doc): what policy researchers count in 政策文本量化 (词频, keyword panels).

    count_terms(doc) -> list[TermCount]     one per distinct term, in order of first occurrence

A term is a token of at least `min_chars` characters holding a Chinese character or a Latin
letter, not a number or a date, and not a stop word (data/terms.yaml, a list researchers can edit).
Policy phrases (一刻钟便民生活圈, 十四五) are one token because the jieba user dictionary lists them.
The part of speech is jieba's dictionary tag for the word (the table posseg reads, looked up: running
posseg itself costs 4.4× the segmentation, measured); words jieba found by its HMM have none.
"""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass

from spacy.tokens import Doc

from extractors.rules import RuleTable, load_rules


class TermRules(RuleTable):
    policy_terms: list[str]
    stop_words: list[str]
    min_chars: int


RULES = load_rules(TermRules, "terms.yaml")
_STOP = frozenset(RULES.stop_words)
# a Chinese character or a Latin letter: 十四五 and BIPV are terms, 2025 and 30% are not
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# a date or a count glued to its unit by jieba (2025年, 3月, 10个, 第二): numbers, not vocabulary
_NUMBERISH = re.compile(r"^(?:第?[\d〇零一二三四五六七八九十百千万亿两.．%％]+[年月日号个项条次批家所名人户元万亿])$")


@dataclass(frozen=True)
class TermCount:
    term: str
    count: int
    start: int  # the first occurrence: text[start:end] == term
    end: int
    pos: str | None


def is_term(token: str) -> bool:
    return (len(token) >= RULES.min_chars and token not in _STOP and _WORDLIKE.search(token) is not None
            and _NUMBERISH.match(token) is None)


@functools.cache
def _tags() -> dict[str, str]:
    """jieba's part-of-speech tag per dictionary word; the user dictionary's tag (nt for bodies, n for
    policy terms) only for words jieba's own dictionary lacks (规划 stays a noun, not a body).

    jieba's dictionary is read here, the table posseg builds from it: importing jieba.posseg (its
    line-by-line parse and its HMM tables) cost 0.5 s of CPU per process, this 0.2 s."""
    import jieba

    from extractors import jieba_dict
    tags = {word: tag for word, _, tag in jieba_dict.entries()}
    tags.update(_dictionary_tags(jieba.dt.get_dict_file().read().decode("utf-8")))
    return tags


def _dictionary_tags(content: str) -> dict[str, str]:
    """word -> tag of a jieba dictionary, every line `word freq tag` (posseg's format and table)."""
    fields = content.split()
    words, freqs, tags = fields[0::3], fields[1::3], fields[2::3]
    if len(fields) % 3 or not all(f.isdigit() for f in freqs):  # not three fields a line: line by line
        return dict(line.split(" ")[::2] for line in content.splitlines() if line.strip())
    # interned: one string per tag, not one per line (17 MB less in every worker)
    return dict(zip(words, map(sys.intern, tags)))


def count_terms(doc: Doc) -> list[TermCount]:
    """The terms of a segmented text with their counts and first offsets (see the module doc). Every
    token is counted, and whether it is a term is asked once per distinct word, not per token."""
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for token in doc:
        word = token.text
        n = counts.get(word)
        if n is None:
            counts[word] = 1
            first[word] = token.idx
        else:
            counts[word] = n + 1
    tags = _tags()
    return [TermCount(w, n, first[w], first[w] + len(w), tags.get(w)) for w, n in counts.items() if is_term(w)]
