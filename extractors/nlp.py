"""spaCy wiring, kept thin: a blank Chinese pipeline segmented by jieba, and a Doc that holds the
fields' matches as span groups.

    pipeline() -> Language                  the shared blank zh pipeline (jieba, the user dictionary)
    to_doc(text, fields) -> Doc             `text` segmented, `doc.spans[<field>]` one Span per match

The matches come from extractors/fields.py, computed once on the text; the Doc only copies them
(for spaCy users: displaCy, Span groups). A Span snaps to token boundaries (alignment "expand"),
so the stored values keep the Matches' exact characters, not the Spans'.
"""
from __future__ import annotations

import functools

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields import FieldMatches


@functools.cache
def pipeline() -> Language:
    """The shared pipeline (built once per process: jieba's dictionary loads on first use)."""
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter is not the user's business
    try:
        from extractors import jieba_dict
        jieba_dict.load()
    except ImportError:  # the user dictionary is an optimisation of tokens, not of extraction
        pass
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    # spaCy's 1,000,000-character guard protects parser and NER memory; this pipeline only
    # segments, and the readers bound a document's length (pipeline.settings.ReadLimits)
    nlp.max_length = 2**31
    return nlp


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """spaCy's `util.get_words_and_spaces`, the same output in linear time. spaCy's searches each
    word in `text[pos:]`, a copy of the rest of the text per word: quadratic, 3.3 s for a
    400,000-character text that jieba cuts in 2.1 s, and minutes for a few million characters."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(f"the words do not spell the text: {text[:50]!r}…")
    out_words: list[str] = []
    out_spaces: list[bool] = []
    pos = 0
    for word in words:
        if word.isspace():
            continue
        start = text.find(word, pos)
        if start < 0:
            raise ValueError(f"word {word!r} not found in the text after offset {pos}")
        if start > pos:
            out_words.append(text[pos:start])
            out_spaces.append(False)
        out_words.append(word)
        out_spaces.append(False)
        pos = start + len(word)
        if pos < len(text) and text[pos] == " ":
            out_spaces[-1] = True
            pos += 1
    if pos < len(text):
        out_words.append(text[pos:])
        out_spaces.append(False)
    return out_words, out_spaces


def make_doc(nlp: Language, text: str) -> Doc:
    """What `nlp.make_doc(text)` gives with the jieba segmenter, without spaCy's quadratic alignment."""
    tokenizer = nlp.tokenizer
    segmenter = getattr(tokenizer, "jieba_seg", None)
    if segmenter is None:  # a tokenizer swapped in by a caller (a benchmark's timer): its own way
        return nlp.make_doc(text)
    words = [w for w in segmenter.cut(text, cut_all=False) if w]
    words, spaces = words_and_spaces(words, text)
    return Doc(nlp.vocab, words=words, spaces=spaces)


def to_doc(text: str, fields: FieldMatches) -> Doc:
    """`text` segmented by the shared pipeline, with one span group per field (see the module doc)."""
    doc = make_doc(pipeline(), text)
    for name, found in fields.by_field().items():
        spans = [doc.char_span(m.start, m.end, label=name, alignment_mode="expand") for m in found]
        doc.spans[name] = [span for span in spans if span is not None]
    return doc
