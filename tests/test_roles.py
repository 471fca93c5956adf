"""extractors/roles.py: the example table, column headers, robustness, and the accuracy of
units + roles on the seeds' gold obligations."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import roles, units
from extractors.base import ExtractContext, Match
from extractors.fields import extract_fields
from tests.example_tables import load, params

EXAMPLES = load("roles.yaml")
ROOT = Path(__file__).resolve().parent.parent
from tests.conftest import GOLD  # noqa: E402


def roles_by_key(text: str, start: int, end: int, units: list[Match], header: str | None = None) -> dict[str, str]:
    """Canonical key -> role for the scope, as the tables write them; when a key is named twice the
    first mention decides, as in the stored rows (analyze: one row per body and obligation)."""
    result: dict[str, str] = {}
    for u, role in zip(units, roles.assign_roles(text, start, end, units, header)):
        key = getattr(u.value, "canonical", None)
        if key is not None:
            result.setdefault(key, role)
    return result


@pytest.mark.parametrize("case", params(EXAMPLES["roles"]))
def test_role_examples(case):
    text = case.text
    found = units.extract(text, ExtractContext())
    got = roles_by_key(text, 0, len(text), found, case.given.get("header"))
    generic = {m.value.canonical for m in found if m.value.generic}
    want = case.expect
    specific = {k: r for k, r in got.items() if k not in generic}
    assert specific == {k: r for k, r in want.items() if k not in generic}, f"\n got: {got}\nwant: {want}"
    for key in want.keys() & generic:
        assert got.get(key) == want[key], f"{key}: got {got.get(key)}, want {want[key]}"


@pytest.mark.parametrize("case", params(EXAMPLES["headers"]))
def test_role_from_header(case):
    assert roles.role_from_header(case.text) == (None if case.expect == "-" else case.expect)


def test_one_role_per_unit_in_order_and_defaults_outside_the_scope():
    text = "市住建局牵头，市财政局配合。各区县要抓好落实。"
    found = units.extract(text, ExtractContext())
    scope_end = text.index("。") + 1
    assigned = roles.assign_roles(text, 0, scope_end, found)
    assert assigned == ["lead", "cooperate", "implement"]  # 各区县 lies outside: its default


def test_header_decides_units_without_a_cue():
    text = "市发展改革委、各区县人民政府"
    found = units.extract(text, ExtractContext())
    assert roles.assign_roles(text, 0, len(text), found, header="配合单位") == ["cooperate", "cooperate"]
    assert roles.assign_roles(text, 0, len(text), found) == ["lead", "implement"]


def test_empty_inputs():
    assert roles.assign_roles("", 0, 0, []) == []
    assert roles_by_key("市民政局", 0, 4, []) == {}


_UNIT_TEXT = st.text(alphabet=st.sampled_from(list("市区县各民政局住建委财政牵头配合参与会同落实指导由向与经、，。：；（）责任单位 \t")),
                     max_size=60)


@given(_UNIT_TEXT, st.integers(-5, 70), st.integers(-5, 70), st.sampled_from([None, "责任单位", "配合单位", ""]))
def test_never_raises(text, start, end, header):
    found = units.extract(text, ExtractContext())
    assigned = roles.assign_roles(text, start, end, found, header)
    assert len(assigned) == len(found)
    assert set(assigned) <= set(roles.ROLES)


@given(st.text(max_size=40))
def test_never_raises_on_any_text(text):
    fake = [Match("unit", 0, min(2, len(text)), text[:2], None)] if text else []
    assert len(roles.assign_roles(text, 0, len(text), fake)) == len(fake)


# --- the seeds' gold obligations ---------------------------------------------------------------


def _sentence_scope(text: str, block, pos: int) -> tuple[int, int]:
    body = text[block.start:block.end]
    rel = pos - block.start
    start = max([m.end() for m in re.finditer(r"[。！？]", body[:rel])] or [0])
    m = re.search(r"[。！？]", body[rel:])
    return block.start + start, block.start + (rel + m.end() if m else len(body))


def _predicted_roles(doc, found: list[Match], pos: int) -> dict[str, str]:
    """Key -> role for the gold obligation at `pos`: a table row's cells (the units column first,
    with its header), else the sentence holding the anchor."""
    block = next(b for b in doc.blocks if b.start <= pos < b.end)
    if block.kind == "table_row" and block.cells:
        pred: dict[str, str] = {}
        for c in sorted(block.cells, key=lambda c: roles.role_from_header(c.header) is None):
            inside = [u for u in found if c.start <= u.start and u.end <= c.end]
            for key, role in roles_by_key(doc.text, c.start, c.end, inside, c.header).items():
                pred.setdefault(key, role)
        return pred
    start, end = _sentence_scope(doc.text, block, pos)
    inside = [u for u in found if start <= u.start and u.end <= end]
    return roles_by_key(doc.text, start, end, inside)


def seed_gold_accuracy() -> tuple[int, int, int]:
    """(gold units, found with the right key, with the right role) over the non-optional units of
    the seeds' non-optional gold obligations."""
    from pipeline.readers import read_document

    total = found_keys = right = 0
    for gold_file in sorted(GOLD.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        doc = read_document(ROOT / "corpus" / gold["file"])
        found = extract_fields(doc.text, None, ExtractContext()).units
        kept = [i for i, ch in enumerate(doc.text) if not ch.isspace()]
        compact = "".join(doc.text[i] for i in kept)
        for ob in gold["obligations"]:
            if ob.get("optional"):
                continue
            at = compact.find(re.sub(r"\s+", "", ob["anchor"]))
            assert at >= 0, ob["anchor"]
            pred = _predicted_roles(doc, found, kept[at])
            for gu in ob["units"]:
                if gu.get("optional"):
                    continue
                total += 1
                if gu["key"] in pred:
                    found_keys += 1
                    right += pred[gu["key"]] == gu["role"]
    return total, found_keys, right


def test_seed_gold_units_and_roles():
    total, found_keys, right = seed_gold_accuracy()
    assert total > 150
    assert found_keys / total >= 0.97, (total, found_keys, right)
    assert right / total >= 0.95, (total, found_keys, right)


if __name__ == "__main__":  # the numbers for a report: python -m tests.test_roles
    t, f, r = seed_gold_accuracy()
    print(f"gold units {t}: key found {f} ({f / t:.1%}), role right {r} ({r / t:.1%})")
