"""The package layout stays honest: no import circles, and imports flow one way.

The graph is read from the source with :mod:`ast` (every import, also those inside
functions and under ``TYPE_CHECKING``), so a circle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskcalc"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Every riskcalc module → the riskcalc modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_import_cycles_are_found_by_the_checker():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back():
    assert import_cycles(import_graph()) == []


def test_the_package_root_holds_only_the_api_and_small_shared_helpers():
    root = {p.name for p in PACKAGE.glob("*.py")}
    assert root <= {"__init__.py", "__main__.py", "errors.py", "files.py", "format.py",
                    "lazy.py"}


# Folders in the order of the flow; a folder may import only from folders before it
# (and from the root's helpers).  The engine returns a SimulationResult, so
# ``engine`` and ``results`` form one stage; ``funds`` (a fund's joint simulation, its
# policy, outcome contracts) reads results and risk measures, and the report only its files.
FLOW = [("model",), ("programmes",), ("engine", "results"),
        ("decision", "sensitivity", "funds", "discovery"), ("report",), ("cli",)]


def _stage(module: str) -> int | None:
    parts = module.split(".")
    folder = parts[1] if len(parts) > 1 else None
    for i, stage in enumerate(FLOW):
        if folder in stage:
            return i
    return None


@pytest.mark.parametrize("module", sorted(_modules()))
def test_imports_flow_from_model_file_to_report(module):
    stage = _stage(module)
    if stage is None:
        return
    later = sorted(t for t in import_graph()[module]
                   if (s := _stage(t)) is not None and s > stage)
    assert later == [], f"{module} imports from a later stage of the flow"


def test_risk_measures_never_import_policies():
    graph = import_graph()
    policy = {"riskcalc.decision.criteria", "riskcalc.decision.policy",
              "riskcalc.decision.verdict"}
    for module in graph:
        if module.startswith("riskcalc.decision.") and module not in policy:
            assert not graph[module] & policy, module
