"""Chinese-numeral helpers shared by the deadline and quota extractors."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.numerals import NUMBER, convert_text, to_number


@pytest.mark.parametrize("s, want", [
    ("二〇二〇", 2020), ("二〇二三", 2023), ("一九九七", 1997),  # years, digit by digit
    ("三十", 30), ("二十", 20), ("三十一", 31), ("一百零五", 105), ("十", 10), ("十二", 12),
    ("两", 2), ("两百", 200), ("十万", 100000), ("二十五万", 250000), ("一点五", 1.5),
    ("30", 30), ("１２", 12), ("0.5", 0.5), ("1.2", 1.2), (" 20 ", 20),
])
def test_to_number(s, want):
    assert to_number(s) == want


@pytest.mark.parametrize("s", ["", "百", "十十", "abc", "三十个", "2020年", "1-2", "第三"])
def test_to_number_is_none_for_non_numbers(s):
    assert to_number(s) is None


@pytest.mark.parametrize("s, want", [
    ("二〇二〇年四月", "2020年4月"),
    ("三十个工作日内", "30个工作日内"),
    ("百分之三十的社区", "30%的社区"),
    ("千分之二", "2‰"),
    ("每百户不少于二十平方米", "每百户不少于20平方米"),  # 百 alone is no number: the quota rule reads 每百户
    ("竣工验收合格后三个月内", "竣工验收合格后3个月内"),
    ("2020年4月10日", "2020年4月10日"),
])
def test_convert_text(s, want):
    assert convert_text(s)[0] == want


def test_convert_text_maps_converted_runs_back_to_their_source():
    s = "收到申请之日起二十个工作日内"
    out, offsets = convert_text(s)
    i = out.index("20")
    assert s[offsets[i]:offsets[i + 2]] == "二十"
    j = out.index("工作日")
    assert s[offsets[j]:offsets[j + 3]] == "工作日"


def test_number_fragment_matches_whole_numbers_in_text():
    assert re.findall(NUMBER, "每千人配建二十张床位，0.5-1.2万人") == ["千", "二十", "0.5", "1.2", "万"]


@given(st.text(alphabet="〇○零一二两三四五六七八九十百千万亿点分之0123456789年月日个人户 abc", max_size=40))
def test_convert_text_offsets_are_a_monotone_map(s):
    out, offsets = convert_text(s)
    assert len(offsets) == len(out) + 1 and offsets[-1] == len(s)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    for i, ch in enumerate(out):
        if not ch.isdigit() and ch not in "%‰.":
            assert s[offsets[i]] == ch  # characters that were not converted stay where they were
