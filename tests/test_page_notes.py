"""Notes around a document are not the document (pipeline/readers/page_notes.py): the example
table, and a whole Markdown file whose collection note, copyright line and download list
yield no citation, unit or obligation while the same words in its body still do."""
from __future__ import annotations

import pytest

from pipeline.readers import read_document
from pipeline.readers.normalize import is_noise_line
from pipeline.readers.page_notes import is_page_note, is_region_name
from tests.example_tables import load, params

EXAMPLES = load("page_notes.yaml")


def test_the_table_has_both_sides():
    assert {c.expect for c in EXAMPLES["notes"]} == {True, False}
    assert {c.expect for c in EXAMPLES["regions"]} == {True, False}


@pytest.mark.parametrize("case", params(EXAMPLES["regions"]))
def test_page_regions(case):
    assert is_region_name(case.text) is case.expect


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


PAGE = """<html><head><meta charset="utf-8"><title>关于做好城市更新工作的通知_某市人民政府</title></head><body>
<div class="top"><a href="/">首页</a> | <a>政务公开</a> | <a>互动交流</a> | 无障碍浏览 | 长者模式</div>
<div class="crumb">当前位置：<a>首页</a> &gt; <a>政务公开</a> &gt; <a>通知公告</a></div>
<div class="content">
<h1>关于做好城市更新工作的通知</h1>
<p>各区县住房城乡建设局：</p>
<p>一、各区县住房城乡建设局要于2024年6月底前完成老旧小区改造项目摸底，按照<a>《某市城市更新条例》</a>建立项目清单。</p>
<p>二、市城市更新中心负责统筹协调，每季度末前通报进展情况。</p>
<p>附件：<a>1.项目清单.xlsx</a></p>
<p style="text-align:right">某市住房和城乡建设局</p><p style="text-align:right">2024年3月1日</p>
</div>
<div class="share">分享到：微信 微博 QQ空间</div>
<div class="related">相关文件：<a>关于印发《某市城市更新三年行动计划》的通知</a><a>关于开展燃气安全检查的通知</a></div>
<p>推荐阅读：<a>关于印发《某市老旧小区改造导则》的通知</a> <a>某市燃气管理办法</a></p>
<div class="footer"><p>主办单位：某市人民政府办公室　承办单位：某市大数据中心</p>
<p>版权所有：某市人民政府　网站标识码：3703000001　鲁ICP备05012345号</p></div>
</body></html>"""


def test_a_whole_web_page_gives_only_its_document(tmp_path):
    """A page saved whole: menus, breadcrumb, share bar, related documents and footer around the
    notice give no text (so no citation of a related document, no unit from the footer); links
    inside the notice and its annex list stay."""
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    text = read_document(path).text
    assert text.splitlines() == [
        "关于做好城市更新工作的通知", "各区县住房城乡建设局：",
        "一、各区县住房城乡建设局要于2024年6月底前完成老旧小区改造项目摸底，按照《某市城市更新条例》建立项目清单。",
        "二、市城市更新中心负责统筹协调，每季度末前通报进展情况。", "附件：1.项目清单.xlsx",
        "某市住房和城乡建设局", "2024年3月1日"]
