"""Start-up that does not pay for torch: the light commands (seqlab.cli.LIGHT_COMMANDS) and every `--help` run in a
fresh interpreter without importing torch, scikit-learn, matplotlib or ray (seqlab.cli.HEAVY_MODULES).

One subprocess runs them one after another through Typer's CliRunner and, after each, notes which heavy module
appeared in `sys.modules` first: modules only accumulate, so the first command after which one is there loaded it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from seqlab.cli import HEAVY_MODULES, LIGHT_COMMANDS, app

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
from typer.testing import CliRunner
from seqlab.cli import HEAVY_MODULES, app
runner, first, codes = CliRunner(), {}, []
for line in json.loads(sys.argv[1]):
    result = runner.invoke(app, line)
    codes.append([line, result.exit_code, (result.output or "")[-3000:]])
    for name in HEAVY_MODULES:
        if name in sys.modules and name not in first:
            first[name] = line
print(json.dumps({"codes": codes, "first": first}))
"""


def help_lines() -> list[list[str]]:
    """`--help` of the app and of every command and sub-command, as argument lists."""
    lines: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:  # a Click command; a group has .commands
        lines.append([*path, "--help"])
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return lines


def probe(lines: list[list[str]], runs: Path) -> dict:
    """Run the command lines in one fresh interpreter; their exit codes and which line first loaded what."""
    env = {**os.environ, "SEQLAB_RUNS": str(runs), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(lines)], capture_output=True, text=True,
                          cwd=runs, env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_help_loads_no_heavy_module(tmp_path: Path) -> None:
    lines = help_lines()
    assert ["data", "stats", "--help"] in lines and ["prove", "--help"] in lines and len(lines) > 20
    found = probe(lines, tmp_path)
    assert [c for c in found["codes"] if c[1] != 0] == []
    assert found["first"] == {}, f"--help loaded a heavy module: {found['first']}"


def test_light_commands_load_no_heavy_module(tmp_path: Path) -> None:
    found = probe([list(line) for line in LIGHT_COMMANDS], tmp_path)
    assert [c for c in found["codes"] if c[1] != 0] == []
    assert "no runs in" in found["codes"][0][2]  # `seqlab runs` read the (empty) runs folder
    assert found["first"] == {}, f"a light command loaded a heavy module: {found['first']}"


def test_the_probe_names_the_command_that_loads_torch(tmp_path: Path) -> None:
    found = probe([["explain"], ["explain", "softmax", "--json"], ["runs"]], tmp_path)
    assert [c[1] for c in found["codes"]] == [0, 0, 0]
    assert found["first"]["torch"] == ["explain", "softmax", "--json"]  # its worked example computes with torch
    assert set(HEAVY_MODULES) == {"torch", "sklearn", "matplotlib", "ray"}


def test_runs_lists_a_trained_and_a_damaged_run_without_torch(tmp_path: Path, monkeypatch) -> None:
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path))
    config = TrainConfig(model={"family": "lstm", "embed_dim": 8, "hidden_size": 8}, max_train_examples=32, epochs=1,
                         batch_size=16, max_length=16, threads=1, device="cpu")
    run = train(config, quiet=True).run_dir
    (tmp_path / "broken-run").mkdir()
    (tmp_path / "broken-run" / "config.json").write_text("{not json", encoding="utf-8")
    found = probe([["runs"], ["runs", "--json"]], tmp_path)
    assert [c[1] for c in found["codes"]] == [0, 0]
    assert run.name in found["codes"][1][2] and "broken-run" in found["codes"][1][2]
    assert "damaged" in found["codes"][0][2]  # the reason is printed below the table
    assert found["first"] == {}, f"seqlab runs loaded a heavy module: {found['first']}"


def test_every_identity_names_its_live_check() -> None:
    from importlib import import_module

    from seqlab.proofs import REGISTRY, all_identities

    for entry, identity in zip(REGISTRY, all_identities()):
        module = entry.split(":")[0]
        path, _, function = identity.live_check.partition(":")
        assert path == f"seqlab.proofs.live.{module}", entry  # the torch half sits beside the proof, same name
        assert callable(getattr(import_module(path), function)), entry


def test_proof_modules_import_only_the_symbolic_side() -> None:
    import ast

    from seqlab.proofs import REGISTRY

    heavy = (*HEAVY_MODULES, "numpy", "seqlab.models", "seqlab.training", "seqlab.proofs.target", "seqlab.proofs.live")
    found = []
    for module in dict.fromkeys(entry.split(":")[0] for entry in REGISTRY):
        path = REPO / "seqlab" / "proofs" / f"{module}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"seqlab/proofs/{module}.py:{node.lineno}: {name}" for name in names
                      if name.split(".")[0] in HEAVY_MODULES or name.startswith(heavy)]
    assert found == [], "the check's imports belong in seqlab/proofs/live/:\n" + "\n".join(found)
