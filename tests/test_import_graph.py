"""The import graph of the seqlab package has no cycles: read from the source with `ast`, nothing imported.

A module's edges are the seqlab modules it names in its import statements. `import a.b` and
`from a import b` (b a submodule) point at a.b; `from a import name` (name defined in a) points at a;
relative imports are resolved against the importing module's package. Imports under
`if TYPE_CHECKING:` never run and are left out. "Module level" counts what runs when the module is
imported (class bodies, if/try blocks included); "deferred" adds the imports inside functions, which
run later but still tie the two modules together: moving them to the top must not make a cycle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "seqlab"


@dataclass(frozen=True)
class ImportEdge:
    """One import statement of `source` that names the seqlab module `target`."""

    source: str
    target: str
    line: int
    deferred: bool  # inside a function body


def module_files(root: Path = PACKAGE_ROOT) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name (a package is its __init__.py)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    """True for `TYPE_CHECKING` and `typing.TYPE_CHECKING`."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(body: list[ast.stmt], deferred: bool) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """The import statements in `body`, each with whether it runs only when a function is called."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, deferred))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.extend(_imports(node.body, True))
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            found.extend(_imports(node.orelse, deferred))  # the `if TYPE_CHECKING:` branch never runs
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None) or []
                for child in children:
                    inner = child.body if isinstance(child, (ast.ExceptHandler, ast.match_case)) else [child]
                    found.extend(_imports(inner, deferred))
    return found


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name a `from ... import` statement imports from."""
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def import_edges(root: Path = PACKAGE_ROOT) -> list[ImportEdge]:
    """Every import of one seqlab module by another, read from the source files under `root`."""
    files = module_files(root)
    edges = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, deferred in _imports(tree.body, False):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve_from(module, path.name == "__init__.py", node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for target in dict.fromkeys(targets):
                if target in files and target != module:
                    edges.append(ImportEdge(module, target, node.lineno, deferred))
    return edges


def find_cycles(edges: list[ImportEdge], include_deferred: bool) -> list[list[str]]:
    """One cycle (a closed path of module names) per strongly connected group of modules; [] when none."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if include_deferred or not edge.deferred:
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: set[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest closed path through the first module (by name) of a strongly connected group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start} in its own strongly connected group")  # pragma: no cover


def describe(cycle: list[str], edges: list[ImportEdge]) -> str:
    """`a -> b (a.py:12) -> a (b.py:3, in a function)`: a cycle with the line of each import."""
    parts = [cycle[0]]
    for source, target in zip(cycle, cycle[1:]):
        lines = [e for e in edges if e.source == source and e.target == target]
        line = min(lines, key=lambda e: (e.deferred, e.line))
        where = f"{source.replace('.', '/')}.py:{line.line}" + (", in a function" if line.deferred else "")
        parts.append(f"{target} ({where})")
    return " -> ".join(parts)


@pytest.fixture(scope="module")
def edges() -> list[ImportEdge]:
    return import_edges()


def test_the_graph_is_read(edges: list[ImportEdge]) -> None:
    pairs = {(e.source, e.target, e.deferred) for e in edges}
    assert ("seqlab.commands._common", "seqlab.console", False) in pairs  # from seqlab.console import ...
    assert ("seqlab.training.loading", "seqlab.training.runs", False) in pairs  # from a.b import name
    assert any(e.deferred for e in edges) and len(module_files()) > 100


def test_no_cycles_among_module_level_imports(edges: list[ImportEdge]) -> None:
    cycles = find_cycles(edges, include_deferred=False)
    assert not cycles, "import cycles:\n" + "\n".join(describe(c, edges) for c in cycles)


def test_no_cycles_with_imports_inside_functions(edges: list[ImportEdge]) -> None:
    cycles = find_cycles(edges, include_deferred=True)
    assert not cycles, "import cycles (counting imports inside functions):\n" + "\n".join(
        describe(c, edges) for c in cycles
    )


def test_the_finder_names_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.a import thing\n")
    (package / "a.py").write_text("from .sub import b\nthing = 1\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
        "def late():\n    from ..a import thing\n    return thing\n"
    )
    found = import_edges(package)
    assert find_cycles(found, include_deferred=False) == []
    (cycle,) = find_cycles(found, include_deferred=True)
    assert cycle == ["pkg.a", "pkg.sub.b", "pkg.a"]
    assert describe(cycle, found) == "pkg.a -> pkg.sub.b (pkg/a.py:1) -> pkg.a (pkg/sub/b.py:5, in a function)"
