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
    # 2024年招生人数 is before the issue year: a count of the past; its 人数 gives the table its unit
    assert got == [("5", 5, "人", "扩招"), ("50", 50, "人", "2026年"), ("55", 55, "人", "2027年"),
                   ("10", 10, "人", "扩招"), ("70", 70, "人", "2026年"), ("75", 75, "人", "2027年")]


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


def test_figures_of_rows_without_column_headers_are_no_quota_without_their_own_unit():
    text = "单位：公顷\n乡镇\n减量化情况\n总面积\n东桥镇\t30\t40户\n西港镇\t25\t35户\n南湖街道\t12\t10户\n"
    got = _quotas(text, dt.date(2014, 8, 12))
    assert [(s, v, u) for s, v, u, _ in got] == [("40户", 40, "户"), ("35户", 35, "户"), ("10户", 10, "户")]
