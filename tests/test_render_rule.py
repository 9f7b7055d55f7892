"""House rule: rich Tables and Panels (output built for people) are made only in a package's render.py.

Commands stay thin (parse options, call the library, call render, print), and each package's look lives in
one module that tests can import without running anything. The rule is read from the source (ast), so a
table built anywhere else fails here with its file and line.

Allowed outside render.py: nothing today. The console and help plumbing builds no tables or panels:
`seqlab.console` makes the consoles, the one-line error and the JSON printer; `commands/_help.py`
restyles Typer's own help (typer.rich_utils draws it). Live displays (rich.progress bars in
training/progress.py, experiments/runner.py and `seqlab data download`) and styled one-line `Text` are
not tables or panels and are not checked. Add a module to ALLOWED only with the reason next to it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import seqlab

PACKAGE = Path(seqlab.__file__).parent
RICH_BUILDERS = {"rich.table": {"Table"}, "rich.panel": {"Panel"}, "rich": {"Table", "Panel"}}
ALLOWED: dict[str, str] = {}  # "seqlab/path.py": "why it may build tables or panels"


def rich_builds(source: str) -> list[int]:
    """Line numbers where `source` constructs a rich Table or Panel (however it imported them)."""
    tree = ast.parse(source)
    names: set[str] = set()  # local names bound to Table/Panel: `from rich.table import Table as T` -> T
    modules: dict[str, str] = {}  # local names bound to rich modules: `import rich.table as rt` -> rt
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in RICH_BUILDERS:
            for alias in node.names:
                if alias.name in RICH_BUILDERS[node.module]:
                    names.add(alias.asname or alias.name)
                elif node.module == "rich" and alias.name in ("table", "panel"):
                    modules[alias.asname or alias.name] = f"rich.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("rich"):
                    modules[alias.asname or alias.name] = alias.name
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "grid":  # Table.grid(...)
            func = func.value
        if isinstance(func, ast.Name) and func.id in names:
            lines.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in ("Table", "Panel"):
            dotted = ast.unparse(func.value)
            if modules.get(dotted, dotted) in RICH_BUILDERS or dotted in modules:
                lines.append(node.lineno)
    return sorted(lines)


def test_the_detector_finds_every_spelling():
    assert rich_builds("from rich.table import Table\nTable(title='x')") == [2]
    assert rich_builds("from rich.table import Table as T\nT.grid()") == [2]
    assert rich_builds("import rich.panel\nrich.panel.Panel('x')") == [2]
    assert rich_builds("from rich import panel\npanel.Panel('x')") == [2]
    assert rich_builds("def f():\n    from rich.panel import Panel\n    return Panel('x')") == [3]
    assert rich_builds("from seqlab.experiments.recipe import ResultTable\nResultTable('t', (), ())") == []


def test_rich_tables_and_panels_are_built_only_in_render_modules():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if path.name == "render.py" or relative in ALLOWED:
            continue
        offenders += [f"{relative}:{line}" for line in rich_builds(path.read_text(encoding="utf-8"))]
    assert not offenders, (
        "rich Table/Panel built outside a render.py; move it into the render module of the package whose "
        f"data it shows: {offenders}"
    )


def test_every_package_that_builds_tables_has_a_render_module():
    renders = {path.parent.name for path in PACKAGE.rglob("render.py")}
    assert {"counting", "data", "experiments", "explain", "proofs", "tour", "training", "viz"} <= renders
