"""`seqlab plot ...`: the teaching pictures: positions, masks, dataset lengths, a run's confusion matrix and curves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DEFAULT_DPI, DataDirOption, DpiOption, JsonOption, SeedOption, user_errors
from seqlab.console import console, emit_json

plot_app = typer.Typer(
    help="Draw the pictures that explain sequence models: sinusoidal positions, attention masks, how long a "
    "dataset's texts are, and a run's confusion matrix and training curves.",
    no_args_is_help=True,
)

OutOption = Annotated[
    Optional[Path], typer.Option("--out", help="Folder for the figure (default: a new folder under ./figures).")
]
FormatOption = Annotated[str, typer.Option("--format", help="Figure format: png, svg (editable text) or pdf.")]


def _save(figure, out: Path | None, stem: str, fmt: str, dpi: int) -> Path:
    """Save into --out (or a new ./figures folder) under a name that is not taken yet."""
    from seqlab.viz.figures import check_format, fresh_name, output_folder, save_figure

    fmt = check_format(fmt)
    folder = output_folder(out, stem)
    return save_figure(figure, fresh_name(folder, stem, f".{fmt}"), fmt, dpi)


def _check_dpi(dpi: int) -> int:
    from seqlab.viz.figures import check_dpi

    return check_dpi(dpi)


def _done(path: Path, json_output: bool, extra: dict | None = None) -> None:
    if json_output:
        emit_json({"figure": str(path), **(extra or {})})
    else:
        console.print(f"figure: [bold]{path}[/]")


def _check_run(run: Path) -> None:
    """A missing folder or one that is not a run: the same one-line error every run command gives."""
    from seqlab.training.runs import read_run_info

    read_run_info(run)


@plot_app.command("positions")
@user_errors
def positions(
    d_model: Annotated[int, typer.Option("--d-model", help="Width of the position vectors.")] = 64,
    max_len: Annotated[int, typer.Option("--max-len", help="Number of positions to draw.")] = 100,
    out: OutOption = None,
    fmt: FormatOption = "png",
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The sinusoidal position table as a heatmap and as curves.

    PE[p, 2i] = sin(p / 10000^(2i/d)) and PE[p, 2i+1] = cos(the same angle): each pair of dimensions
    turns at its own speed, so every position gets a distinct pattern and nearby positions similar ones.
    """
    from seqlab.viz.positions_masks import positions_figure

    _check_dpi(dpi)
    _done(_save(positions_figure(max_len, d_model), out, "positions", fmt, dpi), json_output)


@plot_app.command("masks")
@user_errors
def masks(
    length: Annotated[int, typer.Option("--length", help="Tokens in the padded sequence.")] = 8,
    padding: Annotated[int, typer.Option("--padding", help="How many of them are padding (at the end).")] = 3,
    out: OutOption = None,
    fmt: FormatOption = "png",
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Which keys each query may attend to under the causal mask, the padding mask, and both combined."""
    from seqlab.viz.positions_masks import mask_matrices, masks_figure

    _check_dpi(dpi)
    path = _save(masks_figure(length, padding), out, "masks", fmt, dpi)
    _done(path, json_output, {"masks": {k: v.tolist() for k, v in mask_matrices(length, padding).items()}})


@plot_app.command("lengths")
@user_errors
def lengths(
    dataset: Annotated[str, typer.Argument(help="A dataset name (see `seqlab data list`) or a .tsv/.csv/.jsonl file.")],
    data_dir: DataDirOption = None,
    seed: SeedOption = 0,
    out: OutOption = None,
    fmt: FormatOption = "png",
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Histogram of words per example for each split, with the train split's median and 95th percentile
    (a good --max-length covers the 95th percentile)."""
    import numpy as np

    from seqlab.viz.figures import shorten
    from seqlab.viz.lengths import lengths_figure, split_lengths

    _check_dpi(dpi)
    values = split_lengths(dataset, data_dir, seed)
    title = f"{shorten(dataset, 50)}: words per example"
    path = _save(lengths_figure(values, title), out, "lengths", fmt, dpi)
    summary = {
        split: {
            "count": len(v),
            "p50": float(np.percentile(v, 50)),
            "p95": float(np.percentile(v, 95)),
            "max": int(max(v)),
        }
        for split, v in values.items()
    }
    _done(path, json_output, {"splits": summary})


@plot_app.command("confusion")
@user_errors
def confusion(
    run: Annotated[Path, typer.Argument(help="A finished run folder (it has predictions.tsv).")],
    out: OutOption = None,
    fmt: FormatOption = "png",
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The dev-set confusion matrix of a run: gold classes down, predicted across.

    Each cell shows the share of its gold row (recall on the diagonal) and, smaller, the count; the colour
    is the row share. Classes published as numbers get their names (SST: very negative ... very positive).
    """
    from seqlab.viz.confusion import confusion_figure, read_confusion

    _check_dpi(dpi)
    _check_run(run)
    matrix = read_confusion(run)
    _done(_save(confusion_figure(matrix), out, "confusion", fmt, dpi), json_output, matrix.to_dict())


@plot_app.command("curves")
@user_errors
def curves(
    run: Annotated[Path, typer.Argument(help="A run folder.")],
    out: OutOption = None,
    fmt: FormatOption = "png",
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """The training loss as logged every --log-every steps, the learning rate, loss per epoch (train and
    dev), and the dev score after each epoch against the majority baseline. Several runs: seqlab compare."""
    from seqlab.viz.curves import curves_figure, curves_title, read_curves

    _check_dpi(dpi)
    _check_run(run)
    run_curves = read_curves(run)
    path = _save(curves_figure([run_curves], curves_title(run_curves)), out, "curves", fmt, dpi)
    _done(path, json_output, {"final": run_curves.final_metrics()})


def register(app: typer.Typer) -> None:
    """Add `seqlab plot` (positions, masks, lengths, confusion, curves) to the app."""
    app.add_typer(plot_app, name="plot")
