"""spaCy wiring, kept thin: a blank Chinese pipeline segmented by jieba, one component per field.

Each component calls its field module's pure `extract(text, ctx)` on the whole document text and
puts the result in `doc.spans[<field>]` (for spaCy users: displaCy, Span groups) and the exact
character matches in `doc.user_data["matches"][<field>]` (what the pipeline stores: a Span snaps
to token boundaries, a Match keeps the characters). The context travels in
`doc.user_data["ctx"]`. Citations run first and mask their spans for dates and quantities.
"""
from __future__ import annotations

import functools

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors import citations, deadlines, modality, quotas, units
from extractors.base import ExtractContext, Match

FIELDS = {"citation": citations, "deadline": deadlines, "unit": units, "quota": quotas, "modality": modality}


def _put(doc: Doc, name: str, found: list[Match]) -> None:
    doc.user_data.setdefault("matches", {})[name] = found
    spans = []
    for m in found:
        span = doc.char_span(m.start, m.end, label=name, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[name] = spans


class FieldComponent:
    """Runs one field module over the document text."""

    def __init__(self, field: str):
        # not `self.name`: spaCy overwrites that with the pipe's name (policy_<field>)
        self.field = field
        self.module = FIELDS[field]

    def __call__(self, doc: Doc) -> Doc:
        ctx: ExtractContext = doc.user_data.setdefault("ctx", ExtractContext())
        # doc.text rebuilds the string from every token: take the one run() was given
        text = doc.user_data.get("text") or doc.text
        found = self.module.extract(text, ctx)
        if self.field == "citation":
            ctx.masked.extend((m.start, m.end) for m in found)
        _put(doc, self.field, found)
        return doc


for _field in FIELDS:
    Language.factory(f"policy_{_field}", func=lambda nlp, name, _f=_field: FieldComponent(_f))


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
    for name in FIELDS:  # citation first: it masks codes and titles for the others
        nlp.add_pipe(f"policy_{name}")
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


def run(text: str, ctx: ExtractContext) -> Doc:
    """A spaCy Doc of `text` with every field's spans; `ctx` is used and extended (masks)."""
    nlp = pipeline()
    doc = make_doc(nlp, text)
    doc.user_data["ctx"] = ctx
    doc.user_data["text"] = text
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def matches(doc: Doc, name: str) -> list[Match]:
    return doc.user_data.get("matches", {}).get(name, [])
