"""House rule: a command is thin. It parses its options into a request, calls exactly one `seqlab.lab`
function, and renders what comes back; the capability itself lives in seqlab/lab/, where the tour and
Python call the same function.

Read from the source (ast): a command is a function of seqlab/commands/ decorated with `@user_errors`; a
lab call is a call of a function (not a request or report class) of a `seqlab.lab` module, however it was
imported. Exempt, with the reason: EXEMPT.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import seqlab

COMMANDS = Path(seqlab.__file__).parent / "commands"
EXEMPT: dict[str, str] = {
    "tour.tour": "the tour is the layer above the lab: its steps build requests and call many lab functions",
}


def _lab_bindings(tree: ast.AST) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Names bound to seqlab.lab modules (name -> module) and to their members (name -> (module, member))."""
    modules: dict[str, str] = {}
    members: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "seqlab.lab":
            for alias in node.names:
                modules[alias.asname or alias.name] = f"seqlab.lab.{alias.name}"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("seqlab.lab."):
            for alias in node.names:
                members[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("seqlab.lab.") and alias.asname:
                    modules[alias.asname] = alias.name
    return modules, members


def _is_function(module: str, member: str) -> bool:
    """True when `module.member` is a function (a capability), not a request or report class."""
    return inspect.isfunction(getattr(importlib.import_module(module), member, None))


def lab_calls(source: str) -> dict[str, list[str]]:
    """For every `@user_errors` function of `source`: the seqlab.lab functions its body calls."""
    tree = ast.parse(source)
    modules, members = _lab_bindings(tree)
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        if not any(isinstance(d, ast.Name) and d.id == "user_errors" for d in node.decorator_list):
            continue
        calls = []
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
                module, member = modules[func.value.id], func.attr
            elif isinstance(func, ast.Name) and func.id in members:
                module, member = members[func.id]
            else:
                continue
            if _is_function(module, member):
                calls.append(f"{module}.{member}")
        found[node.name] = calls
    return found


def test_the_detector_counts_lab_functions_and_not_requests():
    source = (
        "from seqlab.lab import params as p\nfrom seqlab.lab.prove import run as prove_run\n"
        "@user_errors\ndef a():\n    p.run(p.ParamsRequest('x'))\n"
        "@user_errors\ndef b():\n    prove_run(1); prove_run(2)\n"
        "@user_errors\ndef c():\n    print('no lab')\n"
        "def helper():\n    p.run(None)\n"
    )
    assert lab_calls(source) == {"a": ["seqlab.lab.params.run"], "b": ["seqlab.lab.prove.run"] * 2, "c": []}


def test_every_command_calls_exactly_one_lab_function():
    offenders = []
    commands = 0
    for path in sorted(COMMANDS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        for name, calls in lab_calls(path.read_text(encoding="utf-8")).items():
            commands += 1
            if f"{path.stem}.{name}" in EXEMPT:
                continue
            if len(calls) != 1:
                offenders.append(f"commands/{path.name}:{name} calls {len(calls)} lab functions {calls}")
    assert commands >= 20, "the detector found too few commands; did the decorator's name change?"
    assert not offenders, "a command must call exactly one seqlab.lab function (move the logic into seqlab/lab/): " \
        + "; ".join(offenders)
