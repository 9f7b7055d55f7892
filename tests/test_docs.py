"""The docs a newcomer follows name only things that exist: every module, name, file and test in
docs/ARCHITECTURE.md, docs/DESIGN.md, docs/STYLE.md and docs/howto/*.md, and every link between them."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "docs" / name for name in ("ARCHITECTURE.md", "DESIGN.md", "STYLE.md")]
              + list((ROOT / "docs" / "howto").glob("*.md")))
# Files a how-to tells you to create: its worked example, which is not part of seqlab.
EXAMPLE_FILES = {
    "add-a-command.md": {"seqlab/explain/temperature.py", "seqlab/lab/temperature.py",
                         "seqlab/commands/temperature.py", "tests/commands/test_temperature_cmd.py"},
    "add-a-recipe.md": {"seqlab/experiments/recipes/dropout.py"},
    "add-a-model-family.md": {"seqlab/models/bag.py"},
}
# What the worked examples add to seqlab, imported by their own code.
EXAMPLE_NAMES = {"seqlab.explain.temperature", "seqlab.explain.render.temperature_view", "seqlab.lab.temperature"}

CODE_SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"^seqlab(\.[A-Za-z_][A-Za-z0-9_]*)+$")
PATH = re.compile(r"^(seqlab|tests|docs|bench)/[\w./-]*(::\w+)?$")
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)]*)?\)")
CODE_IMPORT = re.compile(r"^\s*from (seqlab(?:\.\w+)*) import (\([^)]*\)|[\w, ]+)$", re.MULTILINE)


def _resolve(dotted: str) -> object:
    """The module or attribute a dotted name stands for: the longest importable prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def _spans(doc: Path) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return [span.strip() for span in CODE_SPAN.findall(prose)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_dotted_name_exists(doc):
    for span in _spans(doc):
        name = span.split("(")[0].rstrip(".")
        if DOTTED.match(name):
            try:
                _resolve(name)
            except (ModuleNotFoundError, AttributeError) as error:
                pytest.fail(f"{doc.name} names `{span}`, which does not exist ({error})")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_and_test_exists(doc):
    allowed = EXAMPLE_FILES.get(doc.name, set())
    for span in _spans(doc):
        if not PATH.match(span) or span in allowed:
            continue
        path, _, test = span.partition("::")
        assert (ROOT / path).exists(), f"{doc.name} names {path}, which does not exist"
        if test:
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {test}\(", source, re.MULTILINE), f"{doc.name}: no {test} in {path}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_resolves(doc):
    for target, _ in LINK.findall(doc.read_text(encoding="utf-8")):
        if "://" not in target:
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_imports_in_examples_exist(doc):
    text = doc.read_text(encoding="utf-8")
    for module, names in CODE_IMPORT.findall("\n".join(re.findall(r"```python\n(.*?)```", text, re.DOTALL))):
        if module in EXAMPLE_NAMES:
            continue
        for name in filter(None, (n.split(" as ")[0].strip() for n in names.strip("()").split(","))):
            if f"{module}.{name}" in EXAMPLE_NAMES:
                continue
            try:
                _resolve(f"{module}.{name}")
            except (ModuleNotFoundError, AttributeError):
                pytest.fail(f"{doc.name}: an example imports {name} from {module}, which has no such name")
