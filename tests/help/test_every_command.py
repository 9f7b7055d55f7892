"""Every command in seqlab.cli.COMMAND_MODULES: registered, --help that fits 80 columns, and a light import."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
import typer

from seqlab.cli import COMMAND_MODULES, app

HEAVY = ("torch", "sympy", "matplotlib", "sklearn", "tokenizers", "transformers", "bertviz")


def _command_paths(typer_app: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's argv path, sub-apps' commands included (("data", "list"), ("train",), ...)."""
    paths = [(*prefix, info.name or info.callback.__name__) for info in typer_app.registered_commands]
    for group in typer_app.registered_groups:
        paths += _command_paths(group.typer_instance, (*prefix, group.name))
    return paths


COMMANDS = _command_paths(app)


@pytest.mark.parametrize("name", COMMAND_MODULES)
def test_every_command_module_registers_itself(name):
    module = importlib.import_module(f"seqlab.commands.{name}")
    assert callable(module.register) and module.register.__doc__, name


def test_every_command_module_is_registered():
    assert {path[0] for path in COMMANDS} >= set(COMMAND_MODULES)


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_has_help_that_fits_80_columns(runner, argv):
    result = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "80", "TERM": "dumb"}, terminal_width=80)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert len(result.output.split("Usage:", 1)[1].split("╭")[0].split()) > 8, "a --help that teaches"


def test_importing_the_commands_loads_no_heavy_library():
    """`seqlab --help` stays fast: command modules import torch and the library inside their bodies."""
    code = f"import sys, seqlab.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_example_command_in_help_stays_on_one_line_at_80_columns(runner, argv):
    """An example is copied and pasted: at 80 columns each one must be the same single line as on a wide
    terminal, not wrapped in the middle."""
    def body(width: int) -> list[str]:
        output = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": str(width), "TERM": "dumb"},
                               terminal_width=width).output
        return [line.strip() for line in output.split("Usage:", 1)[1].split("╭")[0].splitlines()]

    narrow = set(body(80))
    examples = [line for line in body(200) if line.startswith(("seqlab ", "torchrun ")) and not line.endswith(".")]
    assert [line for line in examples if line not in narrow] == []
