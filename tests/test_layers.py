"""The layer order of docs/ARCHITECTURE.md ("Layers") is data, and every import goes down it.

The fenced block under "## Layers" names the levels from the top (`a -> b, c -> ... -> plumbing`) and the
"(plumbing: ...)" line the modules of the bottom level. A seqlab module may import its own package and any
package on a lower level; an import upwards, or sideways to another package of its own level, fails here.
Counted: every import statement (inside functions too, TYPE_CHECKING blocks aside: tests/test_import_graph.py
reads them) and every string "seqlab.x.y" / "seqlab.x.y:name" that names a module (those are imported on first
use, as the model families' builders and the explain topics' demos are).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_import_graph import PACKAGE_ROOT, ImportEdge, import_edges, module_files  # noqa: E402

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"
PLUMBING = "plumbing"
ROOT = ""  # the package `seqlab` itself (seqlab/__init__.py)


def parse_layers(text: str) -> tuple[tuple[str, ...], ...]:
    """The levels of the Layers block, top first, each a tuple of top-level names ("" is `seqlab` itself)."""
    section = text.split("\n## Layers", 1)[1]
    block = re.search(r"```\n(.*?)\n```", section, re.S)
    assert block is not None, "docs/ARCHITECTURE.md: no fenced block under ## Layers"
    levels = [tuple(name.strip() for name in level.split(",")) for level in block.group(1).split("->")]
    assert levels[-1] == (PLUMBING,), "the Layers block must end with plumbing"
    listed = re.search(r"\(plumbing: (.*?)\)\.", section, re.S)
    assert listed is not None, "docs/ARCHITECTURE.md: no '(plumbing: ...)' line under the Layers block"
    plumbing = tuple(ROOT if name == "seqlab" else name.removeprefix("seqlab.")
                     for name in re.findall(r"`(seqlab(?:\.\w+)?)`", listed.group(1)))
    return (*levels[:-1], plumbing)


def top_level(module: str) -> str:
    """The top-level name a module belongs to: `seqlab.models.bert` -> models, `seqlab` -> ''."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def string_references(root: Path = PACKAGE_ROOT) -> list[ImportEdge]:
    """Edges for the string constants that name a seqlab module ("seqlab.a.b" or "seqlab.a.b:name")."""
    files = module_files(root)
    edges = []
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                target = node.value.partition(":")[0]
                if target in files and target != module and re.fullmatch(r"[\w.]+(:\w+)?", node.value):
                    edges.append(ImportEdge(module, target, node.lineno, True))
    return edges


# The one edge allowed to go up: `seqlab/__init__.py`'s PEP 562 __getattr__ imports seqlab.api inside the function,
# when `seqlab.train` (or another API name) is first used, so `import seqlab` stays plumbing and loads no torch.
LAZY_API = ("seqlab", "seqlab.api")


def wrong_way(edges: list[ImportEdge], layers: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each edge that goes up or sideways, as 'source -> target (file:line)'; edges within a package are fine,
    and so is LAZY_API when it is deferred (a module-level import of the API from `seqlab` still fails)."""
    level = {name: index for index, names in enumerate(layers) for name in names}
    bottom = len(layers) - 1
    found = []
    for edge in edges:
        source, target = top_level(edge.source), top_level(edge.target)
        if source == target or (level.get(source) == level.get(target) == bottom):
            continue
        if (edge.source, edge.target) == LAZY_API and edge.deferred:
            continue
        if level[target] <= level[source]:
            way = "up" if level[target] < level[source] else "sideways"
            found.append(f"{edge.source} -> {edge.target} ({way}; {edge.source.replace('.', '/')}.py:{edge.line})")
    return found


@pytest.fixture(scope="module")
def layers() -> tuple[tuple[str, ...], ...]:
    return parse_layers(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_block_is_read(layers: tuple[tuple[str, ...], ...]) -> None:
    assert layers[0] == ("__main__",) and layers[1] == ("cli",) and ("experiments", "explain", "proofs") in layers
    assert {"errors", "io", "device", ROOT} <= set(layers[-1])
    names = [name for level in layers for name in level]
    assert len(names) == len(set(names)), "a package is placed twice in the Layers block"


def test_the_block_places_every_package(layers: tuple[tuple[str, ...], ...]) -> None:
    present = {top_level(module) for module in module_files()}
    placed = {name for level in layers for name in level}
    assert present - placed == set(), "add these to the Layers block of docs/ARCHITECTURE.md"
    assert placed - present == set(), "the Layers block names packages that do not exist"


def test_every_import_goes_downward(layers: tuple[tuple[str, ...], ...]) -> None:
    edges = import_edges() + string_references()
    assert any(e.source == "seqlab.models.families" and e.target == "seqlab.models.bert" for e in edges)
    offenders = wrong_way(edges, layers)
    assert offenders == [], "imports against the layer order (docs/ARCHITECTURE.md, Layers):\n" + "\n".join(offenders)


def test_the_rule_names_upward_and_sideways_imports(layers: tuple[tuple[str, ...], ...]) -> None:
    edges = [ImportEdge("seqlab.models.bert", "seqlab.training.runs", 7, False),  # up
             ImportEdge("seqlab.proofs.target", "seqlab.explain.topic", 9, True),  # sideways
             ImportEdge("seqlab.training.runs", "seqlab.models.families", 3, False),  # down: fine
             ImportEdge("seqlab.io", "seqlab.errors", 5, False),  # within plumbing: fine
             ImportEdge("seqlab.cli", "seqlab", 1, False),  # the package's version: fine
             ImportEdge("seqlab", "seqlab.api", 30, True),  # the lazy API hook: fine
             ImportEdge("seqlab", "seqlab.api", 3, False),  # the API imported with the package: up
             ImportEdge("seqlab", "seqlab.lab.train", 31, True)]  # anything else deferred from seqlab: up
    assert wrong_way(edges, layers) == [
        "seqlab.models.bert -> seqlab.training.runs (up; seqlab/models/bert.py:7)",
        "seqlab.proofs.target -> seqlab.explain.topic (sideways; seqlab/proofs/target.py:9)",
        "seqlab -> seqlab.api (up; seqlab.py:3)",
        "seqlab -> seqlab.lab.train (up; seqlab.py:31)",
    ]


def test_the_parser_reads_a_new_level() -> None:
    text = ("# doc\n\n## Layers\n\n```\ncli -> lab -> a, b -> plumbing\n```\n\n(plumbing: `seqlab`, `seqlab.errors`). More.\n")
    assert parse_layers(text) == (("cli",), ("lab",), ("a", "b"), ("", "errors"))
