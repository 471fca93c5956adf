"""Modality cues: the example table (tests/examples/modality.yaml), the seed gold obligations, and
the contract every extractor keeps (offsets, no exceptions, masks respected)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from extractors import modality
from extractors.base import ExtractContext
from extractors.rules import load_yaml
from tests.example_tables import load, params

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
from tests.conftest import EXTRA, GOLD  # noqa: E402

EXAMPLES = load("modality.yaml")



@pytest.mark.parametrize("case", params(EXAMPLES["parse"]))
def test_example(case):
    assert modality.parse(case.text, ExtractContext()) == case.expect


@pytest.mark.parametrize("case", params(EXAMPLES["extract"]))
def test_cue_examples(case):
    assert [m.surface for m in modality.extract(case.text, ExtractContext())] == case.expect


def test_example_table_covers_every_outcome():
    outcomes = {c.expect for c in EXAMPLES["parse"] if not c.xfail}
    assert outcomes == {"must", "prohibit", "encourage", None}
    assert any(c.xfail for c in EXAMPLES["parse"])


def test_matches_carry_offsets_and_values():
    text = "各镇街要发挥主体作用，不得擅自改变用途，鼓励社会力量参与。"
    found = modality.extract(text, ExtractContext())
    assert [(m.surface, m.value) for m in found] == [("要", "must"), ("不得", "prohibit"), ("鼓励", "encourage")]
    for m in found:
        assert text[m.start:m.end] == m.surface and m.field == "modality"


def test_longest_cue_wins_where_cues_overlap():
    assert [m.surface for m in modality.extract("不应当擅自调整", ExtractContext())] == ["不应当"]
    assert modality.parse("不应当擅自调整", ExtractContext()) == "prohibit"
    assert modality.parse("可以结合实际调整", ExtractContext()) == "encourage"


def test_masked_spans_are_skipped():
    text = "依照严禁擅自改变用途的规定执行"
    start = text.index("严禁")
    assert modality.extract(text, ExtractContext(masked=[(start, start + 2)])) == []
    assert modality.parse(text, ExtractContext()) == "prohibit"


def test_no_cue_gives_empty_list_and_none():
    assert modality.extract("", ExtractContext()) == []
    assert modality.parse("二〇二〇年三月二十三日", ExtractContext()) is None


@given(st.text(max_size=80))
def test_never_raises_on_any_text(text):
    for m in modality.extract(text, ExtractContext()):
        assert text[m.start:m.end] == m.surface
    assert modality.parse(text, ExtractContext()) in (None, "must", "prohibit", "encourage")


def test_corpus_offsets():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    if EXTRA.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(EXTRA.glob("*.md"))]
    for text in texts:
        for m in modality.extract(text, ExtractContext()):
            assert text[m.start:m.end] == m.surface


def test_rule_file_is_validated():
    data = load_yaml("modality.yaml")
    bad_blocker = {**data, "must": {**data["must"], "确保": {"blockers": ["保证"]}}}
    with pytest.raises(ValidationError, match="must contain it"):
        modality.ModalityRules.model_validate(bad_blocker)
    twice = {**data, "encourage": {**data["encourage"], "要": {}}}
    with pytest.raises(ValidationError, match="listed twice"):
        modality.ModalityRules.model_validate(twice)


def _sentences(raw: str) -> list[str]:
    """Sentences with whitespace removed: ends are 。！？：, a short line (a heading) and a line
    break before a 公文 numbering (一、 （一） 1.)."""
    raw = re.sub(r"(?m)^(\s*\S{1,20}\s*)$", lambda m: m.group(1) + "。", raw)
    raw = re.sub(r"\n(?=\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．]))", "。", raw)
    return re.findall(r"[^。！？：]*[。！？：]?", re.sub(r"\s+", "", raw))


def seed_gold_accuracy() -> tuple[int, int]:
    """(right, total): parse(sentence holding the anchor) or 'must', against the gold modality."""
    right = total = 0
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        sentences = _sentences((CORPUS / gold["file"]).read_text(encoding="utf-8"))
        for ob in gold["obligations"]:
            anchor = re.sub(r"\s+", "", ob["anchor"])
            holding = [s for s in sentences if anchor in s]
            if not holding:
                continue
            total += 1
            right += (modality.parse(holding[0], ExtractContext()) or "must") == ob["modality"]
    return right, total


def test_seed_gold_modality_accuracy():
    right, total = seed_gold_accuracy()
    assert total >= 100
    assert right / total >= 0.97, (right, total)
