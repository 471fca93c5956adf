"""Allocation tables (extractors/allocation.py): each value cell of a row is a quota of its body, its
unit the cell's own, else its header's, else the table's; a column of the past gives none. Rows as
obligations are in tests/examples/obligations.yaml (allocation-*)."""
from __future__ import annotations

import datetime as dt

from extractors import allocation
from extractors.base import ExtractContext
from extractors.fields import extract_fields
from pipeline.readers.normalize import normalize_text


def _quotas(text: str, issued: dt.date) -> list[tuple[str, float, str, str]]:
    doc = normalize_text(text)
    ctx = ExtractContext(issued_date=issued)
    fields = extract_fields(doc.text, None, ctx)
    found = allocation.quotas(doc, allocation.allocations(doc, fields, issued), issued, ctx)
    assert all(doc.text[m.start:m.end] == m.surface for m in found)
    return [(m.surface, m.value.value_min, m.value.unit, m.value.subject) for m in found]


def test_every_planned_cell_is_a_quota_in_the_tables_unit():
    text = "省（市）\t2024年招生人数\t扩招\t2026年\t2027年\n总计\t905\t130\t980\t1035\n福建\t45（扩招）\t5\t50\t55\n内蒙古\t60\t10\t70\t75\n"
    got = _quotas(text, dt.date(2025, 5, 20))
    # 2024年招生人数 is before the issue year: a count of the past; its 人数 gives the table its unit;
    # the 总计 row's planned figures are the table's targets in all
    assert got == [("5", 5, "人", "扩招"), ("50", 50, "人", "2026年"), ("55", 55, "人", "2027年"),
                   ("10", 10, "人", "扩招"), ("70", 70, "人", "2026年"), ("75", 75, "人", "2027年"),
                   ("130", 130, "人", "扩招"), ("980", 980, "人", "2026年"), ("1035", 1035, "人", "2027年")]


def test_a_cell_or_header_unit_wins_and_codes_are_no_quota():
    text = ("单位：公顷\n乡镇\t总面积\t主要地类\t整治户数（户）\t计划完成时间\n安亭镇\t27\t221、253\t40户\t2015年11月底\n"
            "徐行镇\t12.5\t221\t35\t2015年12月底\n")
    got = _quotas(text, dt.date(2015, 7, 1))
    assert [(s, v, u) for s, v, u, _ in got] == [("27", 27, "公顷"), ("40户", 40, "户"), ("12.5", 12.5, "公顷"),
                                                 ("35", 35, "户")]


def test_a_table_without_a_unit_gives_no_quota():
    text = "区\t任务数\n黄浦区\t1200\n长宁区\t950\n"
    assert _quotas(text, dt.date(2024, 3, 1)) == []


def _bodies(text: str, issued: dt.date) -> list[str]:
    doc = normalize_text(text)
    fields = extract_fields(doc.text, None, ExtractContext(issued_date=issued))
    return [a.body.surface for _, a in sorted(allocation.allocations(doc, fields, issued).items())]


def test_rows_without_column_headers_read_the_header_lines_above_them():
    # rows with no header row (as rows kept by body under a multi-level header are): the lines right
    # above say what the table is; a contact list is no allocation, a task table is
    rows = "东桥镇\t30\t郊野单元\n西港镇\t25\t一般地块\n南湖街道\t12\t郊野单元\n"
    assert _bodies("单位：公顷\n乡镇\n减量化情况\n总面积\n" + rows, dt.date(2014, 8, 12)) == ["东桥镇", "西港镇", "南湖街道"]
    assert _bodies("街镇\n联络员\n联系电话\n" + rows.replace("30", "56781234"), dt.date(2014, 8, 12)) == []


def test_figures_of_rows_without_column_headers_take_the_unit_the_table_states_in_words():
    # rows kept by body under a multi-level header left as lines (jiading 减量化计划表, rewritten): the
    # table's 单位：公顷 measures every figure, a cell's own unit wins, a column that lists codes
    # (221、253) is codes in every row (221), a time limit is no figure, and the total row is a target too
    text = ("2014年东区减量化计划表\n单位：公顷\n乡镇\n减量化情况\n总面积\n主要地类\n工业\n宅基地\n"
            "东桥镇\t30\t221、253\t20\t10\t2014年12月底\t郊野单元\n西港镇\t25\t221\t25\t2014年12月底\t郊野单元\n"
            "南湖街道\t12\t221、253\t40户\t2014年12月底\n合计\t67\t45\t10\n")
    got = _quotas(text, dt.date(2014, 8, 12))
    assert [(s, v, u) for s, v, u, _ in got] == [
        ("30", 30, "公顷"), ("20", 20, "公顷"), ("10", 10, "公顷"), ("25", 25, "公顷"), ("25", 25, "公顷"),
        ("12", 12, "公顷"), ("40户", 40, "户"), ("67", 67, "公顷"), ("45", 45, "公顷"), ("10", 10, "公顷")]


def test_a_unit_in_one_header_lines_brackets_is_no_unit_for_rows_without_column_headers():
    # which cells sit under 湿垃圾车累计数（辆） is unknown when the rows have no column headers
    text = ("序号\n街镇\n分类指标\n定时定点改建累计（个）\n湿垃圾车累计数（辆）\n可回收物量\n吨/日\n"
            "1\t东桥镇\t40\t/\t5\t19.23\n2\t西港镇\t60\t/\t7\t28.16\n合计\t100\t12\t47.39\n")
    assert _quotas(text, dt.date(2019, 3, 1)) == []
    # nor are the figures of a table that states no unit at all
    assert _quotas(text.replace("（个）", "").replace("（辆）", ""), dt.date(2019, 3, 1)) == []
