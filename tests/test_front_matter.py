"""YAML front matter of text and Markdown files: fields to header_fields, lines out of the text."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import read_document
from pipeline.readers.front_matter import split_front_matter
from tests.example_tables import load, params

CASES = load("front_matter.yaml")["split"]


@pytest.mark.parametrize("case", params(CASES))
def test_front_matter_examples(case):
    fields, body_start = split_front_matter(case.text)
    assert fields == case.expect["fields"]
    assert case.text[body_start:] == case.expect.get("body", case.text)


def test_front_matter_is_header_fields_and_not_text(tmp_path: Path):
    text = CASES[0].text + "\n区消防救援局、各街道办事处：\n现将有关事项通知如下。\n"
    path = tmp_path / "notice.md"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert doc.header_fields["文号"] == "长应急〔2025〕3号"
    assert doc.header_fields["层级"] == "区级"
    assert "层级" not in doc.text and "发布单位" not in doc.text and "---" not in doc.text
    assert doc.text.startswith("关于印发《2025年长宁区")
    # offsets still point into the file's text
    source = path.read_text(encoding="utf-8")
    for run in doc.source_map:
        assert doc.text[run.text_start:run.text_start + run.length] == \
            source[run.source_start:run.source_start + run.length]
