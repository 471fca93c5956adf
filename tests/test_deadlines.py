"""Deadline extractor: the example table (tests/examples/deadlines.yaml) plus the contract every
extractor keeps (offsets, no exceptions, no 'today')."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from extractors import deadlines
from extractors.base import ExtractContext
from extractors.fields import extract_fields
from tests.example_tables import Example, load, params

EXAMPLES = load("deadlines.yaml")["extract"]


def _spans(text: str, pieces: list[str] | None) -> list[tuple[int, int]]:
    spans = []
    for piece in pieces or []:
        start = text.index(piece)
        spans.append((start, start + len(piece)))
    return spans


def _context(case: Example) -> ExtractContext:
    given = case.given
    return ExtractContext(
        issued_date=given.get("issued"),
        plan_year=given.get("plan_year"),
        deadline_cells=_spans(case.text, given.get("cells")),
        masked=_spans(case.text, given.get("masked")),
    )


def _expected(case: Example) -> list[tuple]:
    rows = []
    for e in case.expect:
        date = e.get("date")
        rows.append((e["surface"], str(date) if date else None, e["kind"], e.get("precision")))
    return rows



@pytest.mark.parametrize("case", params(EXAMPLES))
def test_example(case):
    """The deadlines the pipeline keeps: read through the masks extract_fields sets (citations,
    《names》)."""
    text = case.text
    found = extract_fields(text, None, _context(case)).deadlines
    got = [(m.surface, str(m.value.date) if m.value.date else None, m.value.kind, m.value.precision)
           for m in found]
    assert got == _expected(case)
    for m, e in zip(found, case.expect):
        assert text[m.start:m.end] == m.surface
        if "relative" in e:
            assert m.value.relative == e["relative"]
        if "year_source" in e:
            assert m.value.year_source == e["year_source"]


def test_example_table_has_positives_negatives_and_unsolved_cases():
    assert sum(bool(c.expect) for c in EXAMPLES) >= 30
    assert sum(not c.expect for c in EXAMPLES) >= 15


@pytest.mark.parametrize("surface, issued, want", [
    ("2023.8", None, (dt.date(2023, 8, 31), "by", "month")),
    ("2020 年年底", None, (dt.date(2020, 12, 31), "by", "year")),
    ("2020年4月10日前完成", None, (dt.date(2020, 4, 10), "by", "day")),
    ("长期坚持", None, (None, "ongoing", None)),
    ("2022年开始启动", None, (dt.date(2022, 1, 1), "start", "year")),
    ("（2020年9月底）", None, (dt.date(2020, 9, 30), "by", "month")),
    ("三季度末", dt.date(2022, 4, 2), (dt.date(2022, 9, 30), "by", "month")),
    ("自印发之日起30日内", dt.date(2020, 3, 23), (dt.date(2020, 4, 22), "by", "day")),
])
def test_parse_reads_a_surface_as_a_deadline_cell(surface, issued, want):
    value = deadlines.parse(surface, ExtractContext(issued_date=issued))
    assert (value.date, value.kind, value.precision) == want


@pytest.mark.parametrize("surface", ["", "   ", "2000万元", "建科规〔2020〕7号", "市自然资源局牵头",
                                     "建立规划及供地联合审查机制，长期坚持", "2023年8月15日召开推进会"])
def test_parse_returns_none_when_no_deadline(surface):
    assert deadlines.parse(surface, ExtractContext()) is None


def test_relative_dates_never_use_today():
    # no issue date and no year in the text: the date stays unknown instead of this year
    for text in ("年底前完成整改。", "今年上半年完成。", "自印发之日起30日内报送。", "6月30日前报送。"):
        assert [m.value.date for m in deadlines.extract(text, ExtractContext())] == [None]


def test_masked_spans_are_not_read():
    text = "于2020年4月10日前完成"
    assert deadlines.extract(text, ExtractContext(masked=[(1, 6)])) == []


def test_a_date_outside_the_deadline_cell_is_not_a_deadline():
    text = "2020年3月23日\t编制规划\t2020年9月底"
    cell = (text.index("2020年9月底"), len(text))
    got = [m.surface for m in deadlines.extract(text, ExtractContext(deadline_cells=[cell]))]
    assert got == ["2020年9月底"]


def test_a_period_and_its_end_word_read_the_same_with_a_space_between():
    """PDF copies leave spaces inside a date (2020年三季度 末前): the period is still the third
    quarter, not the year's end."""
    for text in ("2020年三季度末前完成", "2020年三季度 末前完成"):
        (m,) = deadlines.extract(text, ExtractContext())
        assert (m.value.date, m.value.precision) == (dt.date(2020, 9, 30), "month"), text


def test_vocabulary_is_validated():
    bad = deadlines.RULES.model_dump()
    bad["year_periods"]["年底"]["month"] = 13
    with pytest.raises(ValidationError):
        deadlines.DeadlineRules.model_validate(bad)
    bad = deadlines.RULES.model_dump()
    bad["ongoing_words"] = []
    with pytest.raises(ValidationError):
        deadlines.DeadlineRules.model_validate(bad)


_POLICY_CHARS = "0123456789０１２〇一二三四五六七八九十年月日号底末前内后起自从到至于在每今明.-/〔〕《》（）\t\n 长期坚持之日工作"


@given(text=st.one_of(st.text(max_size=80), st.text(alphabet=_POLICY_CHARS, max_size=80)),
       issued=st.one_of(st.none(), st.dates(), st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31))))
def test_any_text_gives_spans_that_point_at_their_surface(text, issued):
    ctx = ExtractContext(issued_date=issued, deadline_cells=[(0, len(text))])
    for m in deadlines.extract(text, ctx):
        assert text[m.start:m.end] == m.surface and m.field == "deadline"
        assert isinstance(m.value, deadlines.DeadlineValue)


@pytest.mark.parametrize("title, year", [
    ("关于印发《静安区2025年碳达峰碳中和及节能减排重点工作安排》的通知", 2025),
    ("关于开展2024年本市海绵城市建设工作的函", 2024),
    ("关于印发《2026年虹口区消防为民办实事项目实施方案》的通知", 2026),
    ("国务院办公厅关于印发2019年政务公开工作要点的通知", 2019),
    ("二〇二〇年全区城市管理工作计划", 2020),
    ("关于印发《交通领域精细化管理三年行动计划(2024-2026年)》的通知", None),   # a period
    ("关于印发《城市更新行动方案（2023—2025年）》的通知", None),
    ("上海市城市更新条例（2021年修订）", None),                                  # a revision
    ("关于2023年和2024年重点工作的通知", None),                                  # two years
    ("关于加强社区配套设施规划建设管理的意见", None),
    (None, None),
])
def test_plan_year_is_the_single_year_of_the_title(title, year):
    assert deadlines.plan_year(title) == year


def test_a_yearless_date_takes_the_title_year_before_the_issue_year():
    text = "请各区于3月底前报送计划。"
    (m,) = deadlines.extract(text, ExtractContext(issued_date=dt.date(2023, 12, 20), plan_year=2024))
    assert (m.value.date, m.value.year_source) == (dt.date(2024, 3, 31), "title")
    (m,) = deadlines.extract(text, ExtractContext(issued_date=dt.date(2023, 12, 20)))
    assert (m.value.date, m.value.year_source) == (dt.date(2023, 3, 31), "issued")
