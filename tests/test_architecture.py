"""The package's shape (issue 18): no import cycles between its modules, and the engine never
imports the runtime wing. Read from the source with ``ast``: every import counts, those inside
functions and under ``TYPE_CHECKING`` too, since a cycle hidden in a function is still a
cycle of responsibilities."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "schemadiff"
RUNTIME = "schemadiff.runtime"
#: The engine: what must work without the runtime wing (no cache, no worker processes).
ENGINE = ("schemadiff.model", "schemadiff.sql", "schemadiff.differences", "schemadiff.inference",
          "schemadiff.tools", "schemadiff.sources", "schemadiff.repair", "schemadiff.schema_repair",
          "schemadiff.history",
          "schemadiff.renames", "schemadiff.gate", "schemadiff.contract", "schemadiff.pipeline",
          "schemadiff.loading", "schemadiff.tool_choice", "schemadiff.verification", "schemadiff.report",
          "schemadiff.render", "schemadiff.recorded", "schemadiff.migration",
          "schemadiff.errors", "schemadiff.choice")


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache  # read once: ~1.4 s, and each of the engine's modules is a test of its own
def _graph() -> dict[str, set[str]]:
    modules = {_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                # a submodule when the name is one, else the module the name is defined in
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            else:
                continue
            for target in targets:
                if target in modules and target != module:
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize("module", sorted(m for m in _graph() if m.startswith(ENGINE)))
def test_engine_never_imports_the_runtime(module: str) -> None:
    assert not [m for m in _graph()[module] if m.startswith(RUNTIME)]
