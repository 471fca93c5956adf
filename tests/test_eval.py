"""`obligations eval` on the sample corpus and the seed gold: the scores, the per-document table,
the misses with offsets into the stored text, and a clear error per bad gold file."""
from __future__ import annotations

import json

import duckdb
from typer.testing import CliRunner

from pipeline.cli.main import app
from tests.conftest import GOLD

runner = CliRunner()


def test_eval_prints_fields_documents_and_overall(corpus_db):
    result = runner.invoke(app, ["eval", "--gold", str(GOLD), "--db", str(corpus_db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["field", "P", "R", "F1"]
    assert any(line.startswith("zibo-2020-34-opinion.txt") for line in lines)
    overall = float(lines[-1].removeprefix("overall F1 "))
    assert overall >= 0.99


def test_eval_json_with_misses_points_into_the_stored_text(corpus_db):
    result = runner.invoke(app, ["eval", "--gold", str(GOLD), "--db", str(corpus_db), "--format", "json",
                                 "--misses"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["documents"]) == {p.name.replace(".json", ".txt") for p in GOLD.glob("*.json")}
    assert out["fields"]["overall_f1"] == out["overall_f1"]
    con = duckdb.connect(str(corpus_db), read_only=True)
    texts = dict(con.execute("SELECT regexp_extract(source_path, '[^/]*$'), text FROM documents").fetchall())
    located = [m for m in out["misses"] if m["start"] is not None]
    assert out["misses"] and located, "the seed gold has a few misses, some with offsets"
    for m in located:
        text = texts[m["file"]]
        # a stored span is the stored text; a missed gold item is found in it, whitespace aside
        assert "".join(text[m["start"]:m["end"]].split()) == "".join((m["text"] or "").split())


def test_bad_gold_files_are_named_and_nothing_is_scored(corpus_db, tmp_path):
    (tmp_path / "a.json").write_text('{"file": "x.txt", "units": [{"kee": "教育"}]}', encoding="utf-8")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path), "--db", str(corpus_db)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'a.json'}: not a gold file" in result.output and "units.0.kee" in result.output
    assert f"{tmp_path / 'b.json'}: not valid JSON" in result.output
    assert "overall F1" not in result.output


def test_no_gold_folder_is_a_clear_error(corpus_db, tmp_path):
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path / "nowhere"), "--db", str(corpus_db)])
    assert result.exit_code == 2 and "no such folder" in result.output
