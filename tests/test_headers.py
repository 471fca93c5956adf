"""extractors/headers.py: the one classifier of table headers (readers, obligations, roles)."""
from __future__ import annotations

import pytest

from extractors import headers
from extractors.headers import HeaderClass


@pytest.mark.parametrize("header, column, role", [
    ("完成时限", "deadline", None),
    ("时间进度", "deadline", None),
    ("牵头单位", "units", "lead"),
    ("责任单位", "units", "responsible"),
    ("配合部门", "units", "cooperate"),
    ("实施主体", "units", "implement"),
    ("责 任 单 位", "units", "responsible"),      # letter-spaced in a PDF
    ("牵头单位/配合单位", "units", None),          # two role classes: none of them
    ("主要工作任务", "task", None),
    ("具体措施", "task", None),
    ("街镇、园区", "units", None),                 # a column of towns: each row's body
    ("序号", None, None),
    ("", None, None),
    (None, None, None),
])
def test_classify(header, column, role):
    assert headers.classify(header) == HeaderClass(column, role)


def test_a_header_row_is_short_label_words():
    assert headers.is_header_row(["序号", "主要工作任务", "责任单位", "完成时限"])
    assert not headers.is_header_row(["1", "开展排查摸底", "市民政局", "2020年6月底"])
    assert not headers.is_header_row(["序号"])
    # a short label may list its kinds with 、 (a 街镇 target table); a longer cell with 、 is a list
    # of names, a data row
    assert headers.is_header_row(["街镇、园区", "目标任务"])
    assert not headers.is_header_row(["区建管委、区交通委", "道路整治"])


def test_a_row_repeating_the_header_is_recognised():
    assert headers.repeats_header(["序号", "工作任务", "牵头单位"], [None, "工作任务", "牵头单位"])
    assert headers.repeats_header(["", "推进措施"], ["序号", "推进措施"])
    assert not headers.repeats_header(["1", "开展排查摸底"], ["序号", "工作任务"])


@pytest.mark.parametrize("header, year", [
    ("2030年目标", 2030),            # district “十五五”规划 indicator table
    ("2025年目标值", 2025),
    ("目标值（2025年）", 2025),
    ("2030年 目标", 2030),           # letter-spaced
    ("2025年", None),                # a year alone: one stage of several
    ("2025年计划", None),            # a yearly plan column holds tasks, not targets
    ("2023年实际完成", None),         # the past
    ("指标名称", None),
    (None, None),
])
def test_target_year(header, year):
    assert headers.target_year(header) == year
