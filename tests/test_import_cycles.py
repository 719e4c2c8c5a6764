"""Dependencies between the project's modules point one way: no module imports
another that (directly or through others) imports it back.

Read from the source with ``ast``: the imports that run when a module is
imported (its body, class bodies, ``if``/``try`` blocks) across ``api``,
``content`` and ``plugins``; and, within the packages listed in
``NO_DEFERRED_CYCLES``, also the imports deferred into functions, so that a
cycle is not hidden behind a local import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP = ("api", "content", "plugins")
#: Packages whose modules form no cycle even counting imports inside functions.
NO_DEFERRED_CYCLES = ("plugins.stock", "plugins.orders")


def project_modules() -> dict[str, Path]:
    found = {}
    for top in TOP:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _import_nodes(body, *, deferred: bool):
    """The import statements of ``body``; those inside functions only with
    ``deferred``."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            if deferred:
                yield from (
                    n
                    for n in ast.walk(node)
                    if isinstance(n, ast.Import | ast.ImportFrom)
                )
        else:
            yield from _import_nodes(ast.iter_child_nodes(node), deferred=deferred)


def imported(name: str, path: Path, modules, *, deferred: bool) -> set[str]:
    """The project modules ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in _import_nodes(tree.body, deferred=deferred):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parent = package[: len(package) - node.level + 1]
            base = ".".join([*parent, *([node.module] if node.module else [])])
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in modules else base)
    return {module for module in found if module in modules and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def import_graph(modules, *, deferred: bool, within: str = "") -> dict:
    selected = {
        name: path
        for name, path in modules.items()
        if not within or name == within or name.startswith(f"{within}.")
    }
    return {
        name: imported(name, path, selected, deferred=deferred)
        for name, path in selected.items()
    }


def test_no_import_cycle_between_the_projects_modules():
    graph = import_graph(project_modules(), deferred=False)

    assert len(graph) > 100  # the project's modules were found
    assert cycles(graph) == []


@pytest.mark.parametrize("package", NO_DEFERRED_CYCLES)
def test_no_import_cycle_within_the_package_even_inside_functions(package):
    graph = import_graph(project_modules(), deferred=True, within=package)

    assert len(graph) > 5
    assert cycles(graph) == []


def test_a_cycle_through_an_import_inside_a_function_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert cycles(graph) == [["a", "b", "c"]]


def test_the_stock_alerts_no_longer_reach_back_through_the_tasks():
    modules = project_modules()
    graph = import_graph(modules, deferred=True, within="plugins.stock")

    # the chain the cycle went through: services -> ledger -> alerts -> tasks
    assert "plugins.stock.alerts" in graph["plugins.stock.services.ledger"]
    assert "plugins.stock.services" in graph["plugins.stock.tasks"]
    assert "plugins.stock.tasks" not in graph["plugins.stock.alerts"]
