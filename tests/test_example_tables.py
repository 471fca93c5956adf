"""Every example table in tests/examples/ has the one shape tests/example_tables.py validates."""
from __future__ import annotations

import pytest

from tests.example_tables import EXAMPLES, Example, load

FILES = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("name", FILES)
def test_every_table_validates(name):
    tables = load(name)
    assert tables and all(rows for rows in tables.values())


def test_a_key_outside_the_shape_is_an_error(tmp_path, monkeypatch):
    """A comma inside a flow mapping (`from: a cell (a period, not a day)`) makes a junk key."""
    import tests.example_tables as example_tables

    (tmp_path / "slip.yaml").write_text("dates:\n  - {id: a, text: x, source: a cell (a period, not a day)}\n",
                                        encoding="utf-8")
    monkeypatch.setattr(example_tables, "EXAMPLES", tmp_path)
    with pytest.raises(ValueError, match=r"(?s)slip.yaml, table dates.*not a day\)"):
        example_tables.load.__wrapped__("slip.yaml")
    assert Example(id="a").given == {}
