"""The parts of a document (cover, annexes) and their bodies, on the example table
tests/examples/parts.yaml and on real documents."""
from __future__ import annotations

import pytest

from extractors import structure
from extractors.metadata.parts import document_parts
from pipeline.readers.normalize import normalize_text
from tests.example_tables import load, params

CASES = load("parts.yaml")["cases"]


def _found(doc) -> list[dict]:
    return [{"label": p.label, "title": p.title_text} for p in document_parts(doc).parts]


def _block_of(doc, line: str) -> int:
    return next(i for i, b in enumerate(doc.blocks) if line in doc.text[b.start:b.end])


@pytest.mark.parametrize("case", params(CASES))
def test_parts_examples(case):
    doc = normalize_text(case["text"])
    assert _found(doc) == case["parts"]
    st = structure.analyse(doc)
    for line in case.get("in_body", []):
        assert st.in_body(_block_of(doc, line)), line
    for line in case.get("outside", []):
        assert not st.in_body(_block_of(doc, line)), line
    for line, path in case.get("paths", {}).items():
        assert st.section_paths[_block_of(doc, line)] == path


def test_sentences_of_every_part_are_body_units_and_paths_keep_the_part():
    doc = normalize_text(CASES[2]["text"])
    st = structure.analyse(doc)
    assert [(p.label, p.path_label) for p in st.parts] == [
        (None, ""), (None, "附件"), ("附件1", "附件1"), ("附件2", "附件2"), ("附件3", "附件3")]
    paths = {doc.text[u.start:u.end]: u.section_path for u in st.units if u.in_body}
    # 一、 restarts in every part; the part tells them apart
    assert paths["到2027年，全区渣土资源化利用率达到60%以上。"] == "附件/一"
    assert paths["区绿化市容局要推动渣土资源化产品推广应用。"] == "附件1/一"
    # the cover's paths have no prefix (a document without annexes reads as before)
    assert st.section_paths[0] == ""
