"""Quota extractor: the example table (tests/examples/quotas.yaml), the seed gold, and the contract
every extractor keeps (offsets, no exceptions, masks respected)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from extractors import quotas
from extractors.base import ExtractContext, Match
from extractors.rules import load_yaml
from tests.example_tables import Example, load, params
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
from tests.conftest import EXTRA, GOLD  # noqa: E402

EXAMPLES = load("quotas.yaml")["extract"]


def _context(case: Example) -> ExtractContext:
    text = case.text
    masked = []
    for piece in case.given.get("masked") or []:
        start = text.index(piece)
        masked.append((start, start + len(piece)))
    return ExtractContext(masked=masked, issued_date=case.given.get("issued"))


def _num(x):
    return None if x is None else float(x)


@pytest.mark.parametrize("case", params(EXAMPLES))
def test_example(case):
    text = case.text
    found = quotas.extract(text, _context(case))
    got = [(m.value.value_min, m.value.value_max, m.value.unit, m.value.comparator) for m in found]
    assert got == [(_num(e["min"]), _num(e["max"]), e["unit"], e["cmp"]) for e in case.expect]
    for m, e in zip(found, case.expect):
        assert text[m.start:m.end] == m.surface
        if "surface" in e:
            assert m.surface == e["surface"]
        if "per" in e:
            per = (m.value.per_value, m.value.per_unit)
            assert per == ((float(e["per"][0]), e["per"][1]) if e["per"] else (None, None))
        if "subject" in e:
            assert m.value.subject == e["subject"]
        if "kind" in e:
            assert m.value.kind == e["kind"]
        if "direction" in e:
            assert m.value.direction == e["direction"]


def test_example_table_has_positives_negatives_and_open_cases():
    assert sum(1 for c in EXAMPLES if c.expect) >= 20
    assert sum(1 for c in EXAMPLES if not c.expect) >= 10
    assert any(c.xfail for c in EXAMPLES)


def test_parse_reads_one_surface():
    value = quotas.parse("每百户不低于30平方米", ExtractContext())
    assert value == quotas.QuotaValue(30.0, None, "m2", 100.0, "户", "ge", None)
    assert quotas.parse("2020年4月10日前完成", ExtractContext()) is None


def test_masked_spans_are_skipped():
    text = "按照《关于每百户不少于二十平方米配建养老服务设施的通知》执行，每百户不少于三十平方米。"
    title_end = text.index("》") + 1
    found = quotas.extract(text, ExtractContext(masked=[(0, title_end)]))
    assert [m.value.value_min for m in found] == [30.0]


def test_values_are_free_of_float_noise():
    (m,) = quotas.extract("一级(0.5-1.2万人)", ExtractContext())
    assert (m.value.value_min, m.value.value_max) == (5000.0, 12000.0)


def test_leftover_spaces_inside_the_quantity():
    (m,) = quotas.extract("每 100 户配建 20 平方米", ExtractContext())
    assert (m.value.value_min, m.value.unit, m.value.per_value) == (20.0, "m2", 100.0)
    assert m.surface == "每 100 户配建 20 平方米"


def _corpus_texts():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    if EXTRA.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(EXTRA.glob("*.md"))]
    return texts


def test_offsets_hold_on_the_whole_corpus():
    texts = _corpus_texts()
    assert texts
    for text in texts:
        for m in quotas.extract(text, ExtractContext()):
            assert text[m.start:m.end] == m.surface
            assert m.field == "quota"
            assert m.value.comparator in ("eq", "ge", "gt", "le", "lt", "approx", "range")


@given(st.text(max_size=80))
def test_never_raises_on_any_text(text):
    for m in quotas.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface


@given(st.text(alphabet="每百户人均不少于超过以上以下左右约至-～.0123456789一二两三十百千万个人米平方㎡%分钟年日内第、，（）", max_size=40))
def test_never_raises_on_quota_like_text(text):
    for m in quotas.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface
        v = m.value
        assert v.value_min is not None or v.value_max is not None


def test_rule_file_is_validated():
    data = dict(load_yaml("quotas.yaml"))
    data["units"] = list(data["units"]) + [{"forms": ["平方米"], "unit": "m2", "factor": 1, "kind": "measure"}]
    with pytest.raises(ValidationError, match="listed twice"):
        quotas.QuotaRules.model_validate(data)
    data = dict(load_yaml("quotas.yaml"), requirement_verbs=["选择", ""])
    with pytest.raises(ValidationError):
        quotas.QuotaRules.model_validate(data)


def _seed_scores() -> tuple[int, int, int]:
    """(true positives, predicted, gold) over the seed gold: sets of (min, max, unit) per document."""
    tp = predicted = gold_n = 0
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (CORPUS / gold["file"]).read_text(encoding="utf-8")
        want = {(_num(q["value_min"]), _num(q["value_max"]), q["unit"]) for q in gold["quotas"]
                if not q.get("optional")}
        optional = {(_num(q["value_min"]), _num(q["value_max"]), q["unit"]) for q in gold["quotas"]
                    if q.get("optional")}
        got = {(m.value.value_min, m.value.value_max, m.value.unit)
               for m in quotas.extract(text, ExtractContext())} - (optional - want)
        tp += len(got & want)
        predicted += len(got)
        gold_n += len(want)
    return tp, predicted, gold_n


def test_seed_gold_precision_and_recall():
    tp, predicted, gold_n = _seed_scores()
    assert gold_n > 0
    assert tp / gold_n >= 0.9, (tp, gold_n)
    assert tp / max(predicted, 1) >= 0.9, (tp, predicted)


# ------------------------------------------------------------------ quotas in their document
def _doc_quotas():
    from tests.test_obligations import DOCS, extraction
    ex = extraction(DOCS / "indicator-table-and-targets.txt")
    return {q.surface: q for q in ex.quotas}, {q.quota_id: q.surface for q in ex.quotas}


def test_a_target_takes_the_year_of_its_own_clause():
    by_surface, _ = _doc_quotas()
    # 到2028年，…3万平方米，…35%以上；到2030年，人均…9平方米以上
    assert by_surface["3万平方米"].target_date == dt.date(2028, 12, 31)
    assert by_surface["35%以上"].target_date == dt.date(2028, 12, 31)
    assert by_surface["人均公园绿地面积达到9平方米以上"].target_date == dt.date(2030, 12, 31)
    assert by_surface["不少于400平方米"].target_date is None


def test_an_indicator_table_reads_its_unit_column_and_year_column():
    by_surface, _ = _doc_quotas()
    cell = by_surface["3"]                       # 3 under 万平方米 in the 2028年目标 column
    assert (cell.value_min, cell.unit, cell.kind, cell.direction) == (30000.0, "m2", "target", "increase")
    assert cell.target_date == dt.date(2028, 12, 31)
    assert cell.subject == "新增公共绿地面积"
    assert "万平方米" not in by_surface          # the unit cell itself is no quota


def test_a_target_in_prose_and_in_a_table_row_is_one_target():
    by_surface, surface_of = _doc_quotas()
    assert surface_of[by_surface["3"].same_as] == "3万平方米"          # the table repeats the prose
    assert surface_of[by_surface["12个"].same_as] == "12"               # the prose repeats the table
    assert by_surface["3万平方米"].same_as is None


def test_kinds_in_a_document():
    by_surface, _ = _doc_quotas()
    assert by_surface["500万元以下"].kind == "eligibility"
    assert by_surface["每平方米20元"].kind == "price"
    assert by_surface["1200万元"].kind == "budget"
    assert by_surface["不少于400平方米"].kind == "threshold"


def _q(start: int, value: float, subject: str) -> Match:
    return Match("quota", start, start + 1, "x", quotas.QuotaValue(value, value, "%", None, None, "eq", subject))


def test_a_repeat_is_a_pair_each_others_only_match():
    prose, row = _q(0, 100.0, "垃圾分类全覆盖"), _q(10, 100.0, "分类全覆盖")
    assert quotas.repeats([prose, row], [False, True]) == [None, 0]
    # a table of districts each at 100 %: none of them repeats the one sentence
    rows = [_q(10 + i, 100.0, "分类全覆盖") for i in range(3)]
    assert quotas.repeats([prose, *rows], [False, True, True, True]) == [None, None, None, None]
    # the 2024 and the 2025 column state two targets
    dates = [dt.date(2024, 12, 31), dt.date(2025, 12, 31)]
    assert quotas.repeats([prose, row], [False, True], dates) == [None, None]


def _table(text: str):
    """table_row blocks of tab-separated lines, the first line naming the columns."""
    from schemas.document import Block, Cell
    lines, blocks, pos = text.split("\n"), [], 0
    header = lines[0].split("\t")
    for i, line in enumerate(lines):
        cells, p = [], pos
        for j, cell in enumerate(line.split("\t")):
            cells.append(Cell(col=j, start=p, end=p + len(cell), header=header[j] if i else None))
            p += len(cell) + 1
        blocks.append(Block(kind="table_row", start=pos, end=pos + len(line), cells=cells, table_id=0, row=i))
        pos += len(line) + 1
    return blocks


def test_table_value_cells():
    text = ("序号\t指标名称\t单位\t属性\t2030年目标\n1\t新增公共绿地面积\t万平方米\t约束性\t2\n"
            "2\t绿化覆盖率\t%\t预期性\t≥30\n3\t新增口袋公园\t个\t预期性\t约10")
    got = [(m.surface, m.value.value_min, m.value.value_max, m.value.unit, m.value.comparator, m.value.subject,
            m.value.kind, m.value.direction) for m in quotas.table_quotas(text, _table(text), ExtractContext())]
    assert got == [("2", 20000.0, 20000.0, "m2", "eq", "新增公共绿地面积", "target", "increase"),
                   ("≥30", 30.0, None, "%", "ge", "绿化覆盖率", "target", None),
                   ("约10", 10.0, 10.0, "个", "approx", "新增口袋公园", "target", "increase")]
    assert quotas.unit_cells(_table(text)) == [(text.index("万平方米"), text.index("万平方米") + 4),
                                               (text.index("%"), text.index("%") + 1),
                                               (text.index("个\t预期性\t约10"), text.index("个\t预期性\t约10") + 1)]


def test_a_cell_that_is_a_quantity_in_a_task_table():
    text = "重点任务\t2025年计划\t2026年计划\t牵头部门\n公交站台适老化改造\t100个\t120个\t市交通委"
    got = [(m.surface, m.value.value_min, m.value.unit, m.value.subject)
           for m in quotas.table_quotas(text, _table(text), ExtractContext())]
    assert got == [("100个", 100.0, "个", "公交站台适老化改造"), ("120个", 120.0, "个", "公交站台适老化改造")]


def test_a_column_header_states_its_cells_unit():
    """A 配建标准 table writes the unit in the column's header (建筑面积（平方米）, 服务人口（万人）):
    each number is read with it (0.5-1.2 under 万人 -> 5000-12000 人); a header whose bracket is
    no unit (（备注）) gives none."""
    text = ("序号\t设施名称\t建筑面积（平方米）\t服务人口（万人）\t配置要求（说明）\n"
            "1\t社区综合服务站\t≥350\t0.5-1.2\t12\n2\t幼儿园\t不少于3000\t1.0\t")
    got = [(m.surface, m.value.value_min, m.value.value_max, m.value.unit, m.value.subject)
           for m in quotas.table_quotas(text, _table(text), ExtractContext())]
    assert got == [("≥350", 350.0, None, "m2", "社区综合服务站"), ("0.5-1.2", 5000.0, 12000.0, "人", "社区综合服务站"),
                   ("不少于3000", 3000.0, None, "m2", "幼儿园"), ("1.0", 10000.0, 10000.0, "人", "幼儿园")]
