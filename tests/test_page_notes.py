"""Notes around a document are not the document (pipeline/readers/page_notes.py): the example
table, and a whole Markdown file whose collection note, copyright line and download list
yield no citation, unit or obligation while the same words in its body still do."""
from __future__ import annotations

import pytest

from pipeline.readers import read_document
from pipeline.readers.normalize import is_noise_line
from pipeline.readers.page_notes import is_page_note
from tests.example_tables import load, params

EXAMPLES = load("page_notes.yaml")


def test_the_table_has_both_sides():
    assert {c.expect for c in EXAMPLES["notes"]} == {True, False}


@pytest.mark.parametrize("case", params(EXAMPLES["notes"]))
def test_page_notes(case):
    assert is_noise_line(case.text) is case.expect
    if not case.given.get("furniture"):  # web furniture words are the normaliser's own vocabulary
        assert is_page_note(case.text) is case.expect


DOCUMENT = """> 本文正文由脚本自某市官方公开页面提取，仅供检索查阅；以[官方链接](https://www.example.gov.cn/d?id=7)发布版本为准。
> 依《中华人民共和国著作权法》第五条第一项，具有立法、行政、司法性质的文件不适用著作权法。

# 关于加强版权执法工作的通知

各区人民政府：

一、区文化旅游局要依据《中华人民共和国著作权法》，于2025年6月底前完成专项检查。

上海市某区人民政府

2025年3月1日

相关附件

打印本页

## 附件（官方直链）

- [a1b2c3.docx](https://www.example.gov.cn/cmsres/a1b2c3.docx)
"""


def test_a_collections_notes_leave_the_text(tmp_path):
    path = tmp_path / "notice.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    doc = read_document(path)
    assert doc.text.startswith("关于加强版权执法工作的通知\n")
    assert doc.text.endswith("2025年3月1日")
    assert doc.text.count("著作权法") == 1  # the body's citation stays, the note's is gone
    assert "官方链接" not in doc.text and "a1b2c3" not in doc.text
