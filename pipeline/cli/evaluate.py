"""`obligations eval`: how far to trust the database, measured on a sample a researcher annotated.
`register(app)` adds it to the `obligations` command line; the scoring is pipeline/quality/."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import fail, open_read_only
from pipeline.quality.gold import GoldFileInvalid, load_gold_dir
from pipeline.quality.score import META_FIELDS, RATIO_FIELDS, SET_FIELDS, Result, score
from pipeline.settings import DEFAULT_DB


def _field_lines(result: Result) -> list[str]:
    total = result.total
    lines = [f"{'field':<20}{'P':>7}{'R':>7}{'F1':>7}   counts"]
    for name in SET_FIELDS:
        t = total.tallies[name]
        lines.append(f"{name:<20}{t.precision:>7.3f}{t.recall:>7.3f}{total.f1(name):>7.3f}   "
                     f"tp={t.tp} fp={t.fp} fn={t.fn}")
    for name in RATIO_FIELDS:
        r = total.ratios[name]
        lines.append(f"{name:<20}{'':>14}{r.value:>7.3f}   {r.right}/{r.total}")
    for name in META_FIELDS:
        r = total.meta[name]
        lines.append(f"{'meta.' + name:<20}{'':>14}{r.value:>7.3f}   {r.right}/{r.total}")
    return lines


def _document_lines(result: Result) -> list[str]:
    short = {"deadlines": "dead", "units": "units", "citations": "cite", "quotas": "quota",
             "obligations": "oblig", "link.units": "links"}
    lines = [f"{'document':<56}{'overall':>8}" + "".join(f"{v:>7}" for v in short.values()) + f"{'meta':>7}"]
    for file, s in result.per_document.items():
        meta = [r.value for r in s.meta.values() if r.total]
        name = file if len(file) <= 54 else file[:51] + "..."
        lines.append(f"{name:<56}{s.overall(skip_empty=True):>8.3f}"
                     + "".join(f"{s.f1(k):>7.2f}" if s.applies(k) else f"{'-':>7}" for k in short)
                     + f"{sum(meta) / len(meta) if meta else 0.0:>7.2f}")
    return lines


def _miss_lines(result: Result) -> list[str]:
    lines = []
    for m in result.misses:
        where = f" [{m.start}:{m.end}]" if m.start is not None else ""
        text = f"  «{' '.join((m.text or '').split())[:80]}»" if m.text else ""
        lines.append(f"{m.field:<14}{m.what:<7}{m.file}{where}: {m.value}{text}")
    return lines


def as_json(result: Result, misses: bool) -> dict:
    out = {"fields": result.total.as_dict(), "overall_f1": result.total.overall(),
           "documents": {f: {**s.as_dict(), "overall_f1": s.overall(skip_empty=True)}
                         for f, s in result.per_document.items()},
           "missing_documents": result.missing_documents}
    if misses:
        out["misses"] = [dataclasses.asdict(m) for m in result.misses]
    return out


def register(app: typer.Typer) -> None:
    """Add `eval` to the `obligations` app."""

    @app.command("eval")
    def eval_command(
        gold: Annotated[Path, typer.Option("--gold", help="a folder of gold JSON files (docs/EXTRACTION.md)")],
        db: Annotated[Path, typer.Option("--db", help="the DuckDB file")] = DEFAULT_DB,
        fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
        misses: Annotated[bool, typer.Option("--misses", help="list every miss and false hit")] = False,
    ) -> None:
        """Score the database against gold annotations: per field P/R/F1, per document, and the misses."""
        if fmt not in ("table", "json"):
            fail(f"unknown format {fmt!r}; one of: table, json")
        try:
            golds, bad = load_gold_dir(gold)
        except GoldFileInvalid as exc:
            fail(str(exc))
        for exc in bad:
            typer.echo(f"error: {exc}", err=True)
        if bad:
            fail(f"{len(bad)} gold file(s) are not valid; nothing was scored")
        # any database with the tables the scorer reads is scored (docs/EXTRACTION.md §Gold files), another
        # program's output too: so no schema_meta is required, as by the reference scorer
        con = open_read_only(db, need_schema=False)
        try:
            result = score(con, golds)
        finally:
            con.close()
        if fmt == "json":
            typer.echo(json.dumps(as_json(result, misses), ensure_ascii=False, indent=1, default=str))
            return
        if result.missing_documents:
            typer.echo("documents not in the database: " + ", ".join(result.missing_documents))
        lines = _field_lines(result) + [""] + _document_lines(result)
        if misses:
            lines += [""] + _miss_lines(result)
        lines.append(f"overall F1 {result.total.overall():.3f}")
        typer.echo("\n".join(lines))
