"""`seqlab plot ...`: the teaching pictures: positions, masks, dataset lengths, a run's confusion matrix and curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seqlab.commands._common import DEFAULT_DPI, DataDirOption, DpiOption, JsonOption, SeedOption, user_errors
from seqlab.commands._common import FigureFormatOption as FormatOption
from seqlab.commands._common import FigureOutOption as OutOption
from seqlab.console import console, emit_json

plot_app = typer.Typer(
    help="Draw the pictures that explain sequence models: sinusoidal positions, attention masks, how long a "
    "dataset's texts are, and a run's confusion matrix and training curves.",
    no_args_is_help=True,
)

def _done(report, json_output: bool) -> None:
    if json_output:
        emit_json(report.to_json())
    else:
        console.print(f"figure: [bold]{report.figure}[/]")


def _figure(out: Path | None, fmt: str | None, dpi: int):
    """The lab's FigureRequest of the figure options."""
    from seqlab.lab.plot import FigureRequest

    return FigureRequest(out, fmt, dpi)


@plot_app.command("positions")
@user_errors
def positions(
    d_model: Annotated[int, typer.Option("--d-model", help="Width of the position vectors.")] = 64,
    max_len: Annotated[int, typer.Option("--max-len", help="Number of positions to draw.")] = 100,
    out: OutOption = None,
    fmt: FormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The sinusoidal position table as a heatmap and as curves.

    PE[p, 2i] = sin(p / 10000^(2i/d)) and PE[p, 2i+1] = cos(the same angle): each pair of dimensions
    turns at its own speed, so every position gets a distinct pattern and nearby positions similar ones.
    """
    from seqlab.lab import plot as lab_plot

    _done(lab_plot.positions(d_model, max_len, _figure(out, fmt, dpi)), json_output)


@plot_app.command("masks")
@user_errors
def masks(
    length: Annotated[int, typer.Option("--length", help="Tokens in the padded sequence.")] = 8,
    padding: Annotated[int, typer.Option("--padding", help="How many of them are padding (at the end).")] = 3,
    out: OutOption = None,
    fmt: FormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Which keys each query may attend to under the causal mask, the padding mask, and both combined."""
    from seqlab.lab import plot as lab_plot

    _done(lab_plot.masks(length, padding, _figure(out, fmt, dpi)), json_output)


@plot_app.command("lengths")
@user_errors
def lengths(
    dataset: Annotated[str, typer.Argument(help="A dataset name (see `seqlab data list`) or a .tsv/.csv/.jsonl file.")],
    data_dir: DataDirOption = None,
    seed: SeedOption = 0,
    out: OutOption = None,
    fmt: FormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Histogram of words per example for each split, with the train split's median and 95th percentile
    (a good --max-length covers the 95th percentile)."""
    from seqlab.lab import plot as lab_plot

    _done(lab_plot.lengths(dataset, data_dir, seed, _figure(out, fmt, dpi)), json_output)


@plot_app.command("confusion")
@user_errors
def confusion(
    run: Annotated[Path, typer.Argument(help="A finished run folder (it has predictions.tsv).")],
    out: OutOption = None,
    fmt: FormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The dev-set confusion matrix of a run: gold classes down, predicted across.

    Each cell shows the share of its gold row (recall on the diagonal) and, smaller, the count; the colour
    is the row share. Classes published as numbers get their names (SST: very negative ... very positive).
    """
    from seqlab.lab import plot as lab_plot

    _done(lab_plot.confusion(run, _figure(out, fmt, dpi)), json_output)


@plot_app.command("curves")
@user_errors
def curves(
    run: Annotated[Path, typer.Argument(help="A run folder.")],
    out: OutOption = None,
    fmt: FormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The training loss as logged every --log-every steps, loss per epoch (train and dev), the learning rate
    in a small panel under the loss, and the dev score after each epoch against the majority baseline. Several
    runs: seqlab compare."""
    from seqlab.lab import plot as lab_plot

    _done(lab_plot.curves(run, _figure(out, fmt, dpi)), json_output)


def register(app: typer.Typer) -> None:
    """Add `seqlab plot` (positions, masks, lengths, confusion, curves) to the app."""
    app.add_typer(plot_app, name="plot")
