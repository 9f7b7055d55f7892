"""The `seqlab` command: a Typer app with one sub-command (or sub-app) per module in seqlab/commands/."""

from __future__ import annotations

import importlib
from typing import Annotated, Optional

import typer

from seqlab.version import __version__
from seqlab.commands import _help

_help.install()  # RUN-style metavars, no metavar on flags, usage errors as one line

# One entry per module in seqlab/commands/, in the order `seqlab --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "tour",
    "data", "tokenize",
    "train", "evaluate", "predict", "generate", "runs",
    "attention", "params", "compare", "plot",
    "prove", "check",
    "explain", "quiz",
    "experiment",
)

# Command lines that start without torch, scikit-learn or matplotlib (with $SEQLAB_RUNS an empty folder): the
# promise tests/test_startup_imports.py holds them to, with every `--help`, and bench/startup.py times.
LIGHT_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("runs",),
    ("data", "list"),
    ("data", "show", "builtin-sentiment"),
    ("data", "stats", "builtin-sentiment"),
    ("tokenize", "an unlikeable film"),
    ("explain",),
    ("quiz", "--list", "--n", "3"),
    ("quiz", "--answers", "1,2,true", "--n", "3", "--seed", "0", "--json"),
    ("prove", "softmax-shift"),
    ("--show-completion", "bash"),  # Typer's shell completion; completing itself is held to it too (test_completion)
)
HEAVY_MODULES: tuple[str, ...] = ("torch", "sklearn", "matplotlib", "ray")  # what LIGHT_COMMANDS never import

app = typer.Typer(
    name="seqlab",
    help="A lab for learning how sequence models work by running them: train LSTMs, Transformers and BERT "
    "on real text, see what they attend to, count their parameters, and prove the identities they rely on.\n\n"
    "Start with **seqlab tour**: it runs every capability on the built-in corpus, offline.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=True,  # Typer's --install-completion and --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"seqlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """seqlab: learn sequence models by running them."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"seqlab.commands.{_name}").register(app)


def main() -> None:
    """Entry point of the `seqlab` console script; a closed output pipe (`seqlab runs | head`) exits 0 quietly."""
    import sys

    import click.utils

    try:
        app()
    except SystemExit as exc:
        if isinstance(sys.stdout, click.utils.PacifyFlushWrapper):  # Typer's sign that stdout hit EPIPE
            from seqlab.commands._common import _silence_stdout

            _silence_stdout()
            raise SystemExit(0) from None
        raise
