"""The data flows one way, and so do the imports: the import graph of the three packages, read from
their source (imports inside functions included: they are edges too, only later ones)."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "extractors", "pipeline")  # bottom up

# pipeline/'s floors, bottom up; each part may import the parts listed for it (and itself), nothing
# else of pipeline. "base" is the modules at pipeline/'s top (errors, settings, version); "facade"
# is pipeline/__init__.py (`from pipeline import connect`).
FLOORS = ["base", "readers", "store", "quality", "report", "runs", "flows", "cli", "facade"]
MAY_IMPORT = {
    "base": set(),
    "readers": {"base"},
    "store": {"base"},
    "quality": {"base", "store"},
    "report": {"base", "store"},
    "runs": {"base", "readers", "store"},
    "flows": {"base", "store", "runs"},
    "cli": {"base", "readers", "store", "quality", "report", "runs", "flows"},
    "facade": {"base", "store"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imports_of(module: str) -> set[str]:
    """The modules `module` imports; `from a import b` is a.b when that is a module, else a."""
    path = MODULES[module]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package up
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return out


GRAPH = {module: imports_of(module) for module in MODULES}


def floor_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "facade"
    return parts[1] if (ROOT / "pipeline" / parts[1]).is_dir() else "base"


def test_the_graph_is_read_from_the_code():
    # the reader of imports sees what is there (a test that finds no edge would pass for nothing)
    assert len(MODULES) > 100
    assert "schemas.document" in GRAPH["pipeline.readers.normalize.assemble"]
    assert "pipeline.store" in GRAPH["pipeline.runs.batches"]
    assert "extractors.analyze" in GRAPH["pipeline.runs.process"]  # imported inside a function
    assert {floor_of(m) for m in MODULES if m.startswith("pipeline")} == set(FLOORS)


def test_no_cycle_between_the_top_level_packages():
    edges = defaultdict(set)
    for module, imported in GRAPH.items():
        for target in imported:
            a, b = module.split(".")[0], target.split(".")[0]
            if a != b and b in PACKAGES:
                edges[a].add(b)
    # each package imports only those below it: schemas nothing, extractors schemas
    for package, targets in edges.items():
        assert all(PACKAGES.index(t) < PACKAGES.index(package) for t in targets), (package, targets)


@pytest.mark.parametrize("package", ["extractors", "schemas"])
def test_the_pure_core_imports_neither_pipeline_nor_prefect_nor_duckdb(package):
    bad = {(module, target) for module, imported in GRAPH.items() if module.split(".")[0] == package
           for target in imported if target.split(".")[0] in ("pipeline", "prefect", "prefect_dask", "duckdb")}
    assert bad == set()


def test_the_floors_are_in_order():
    for floor, allowed in MAY_IMPORT.items():
        assert all(FLOORS.index(a) < FLOORS.index(floor) for a in allowed), floor


def test_nothing_in_pipeline_imports_upward():
    bad = set()
    for module, imported in GRAPH.items():
        if not module.startswith("pipeline"):
            continue
        floor = floor_of(module)
        for target in imported:
            if target.split(".")[0] == "pipeline" and floor_of(target) not in MAY_IMPORT[floor] | {floor}:
                bad.add((module, target))
    assert bad == set()


def test_the_base_modules_import_nothing_of_pipeline():
    bad = {(m, t) for m, imported in GRAPH.items() if m.startswith("pipeline") and floor_of(m) == "base"
           for t in imported if t.split(".")[0] == "pipeline"}
    assert bad == set()


def test_only_the_flows_import_prefect():
    bad = {m for m, imported in GRAPH.items() if m.startswith("pipeline") and floor_of(m) != "flows"
           and any(t.split(".")[0] in ("prefect", "prefect_dask") for t in imported)}
    assert bad == set()
