"""The CLI shell: help, version, and the one-line error contract."""

from __future__ import annotations

import typer

from seqlab import __version__
from seqlab.cli import app
from seqlab.commands._common import user_errors
from seqlab.errors import SeqlabError


def test_help_lists_tour(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "tour" in result.output


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_seqlab_error_is_one_line_and_exit_2(runner):
    demo = typer.Typer()

    @demo.command()
    @user_errors
    def broken(name: str) -> None:
        raise SeqlabError(f"no such thing [{name}]; try another")

    result = runner.invoke(demo, ["x"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["error: no such thing [x]; try another"]
