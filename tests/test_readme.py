"""The README's commands are the CLI's commands, and each one documented runs on a fresh database of
the sample corpus (in a clone with nothing beside it too: CI runs the suite there)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from pipeline.cli.main import app
from tests.conftest import CORPUS, GOLD, ROOT

runner = CliRunner()
README = (ROOT / "README.md").read_text(encoding="utf-8")


def documented() -> set[str]:
    """`obligations <command>` (and `meta import`) as the README's command block lists them."""
    block = README.split("## Commands", 1)[1].split("```", 2)[1]
    found = set()
    for line in block.splitlines():
        m = re.match(r"\$B/obligations (\w+)(?: (import))?", line.strip())
        if m:
            found.add(" ".join(g for g in m.groups() if g))
    return found


def registered() -> set[str]:
    group = typer.main.get_command(app)
    names = set()
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names |= {f"{name} {s}" for s in sub} if sub else {name}
    return names


def test_the_readme_lists_every_command_and_only_those():
    assert documented() == registered()


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict[str, Path]:
    """A database of the sample corpus, ingested by the README's own command, and a work folder."""
    work = tmp_path_factory.mktemp("readme")
    db = work / "policy.duckdb"
    result = runner.invoke(app, ["ingest", str(CORPUS), "--db", str(db), "--no-prefect"])
    assert result.exit_code == 0, result.output
    return {"work": work, "db": db}


def invocations(work: Path, db: Path) -> dict[str, list[str]]:
    """One concrete call per documented command, with the README's placeholders filled in."""
    inbox = work / "inbox"
    inbox.mkdir(exist_ok=True)
    shutil.copy(CORPUS / "jiangjin-2023-277-reply.txt", inbox)
    sheet = work / "coding.csv"
    sheet.write_text("file,policy_field\nzibo-2020-34-opinion.txt,community facilities\n", encoding="utf-8")
    d = ["--db", str(db)]
    return {
        "ingest": ["ingest", str(CORPUS / "shanxi-2022-52-notice.txt"), *d, "--no-prefect"],
        "sql": ["sql", "SELECT format, count(*) FROM documents GROUP BY 1", *d, "--format", "csv"],
        "info": ["info", *d],
        "compare": ["compare", "terms", "--top", "5", "--by", "year", *d, "--format", "csv"],
        "kwic": ["kwic", "配套设施", "--width", "10", *d, "--format", "csv"],
        "eval": ["eval", "--gold", str(GOLD), *d],
        "export": ["export", "--format", "csv", "--out", str(work / "export"), *d],
        "panel": ["panel", "--format", "csv", "--out", str(work / "panel.csv"), *d],
        "meta import": ["meta", "import", str(sheet), *d],
        "report": ["report", "--out", str(work / "report.html"), *d],
        "watch": ["watch", "--inbox", str(inbox), "--once", *d],
        "serve": ["serve", "--help"],  # starts a Prefect server and runs until stopped: tests/test_serve.py (slow)
        "reprocess": ["reprocess", "--stale", *d],
    }


@pytest.mark.parametrize("command", sorted(documented()))
def test_every_documented_command_runs(study, command):
    call = invocations(study["work"], study["db"])[command]
    result = runner.invoke(app, call)
    assert result.exit_code == 0, (call, result.output)
