"""`seqlab compare`: overlay the training curves of several runs and tabulate their final numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from seqlab.commands._common import JsonOption, user_errors
from seqlab.console import console, emit_json
from seqlab.errors import SeqlabError


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


@user_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(metavar="RUN...", help="Run folders made by `seqlab train`.")],
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Folder for the figure (default: a new folder under ./figures).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Figure format: png, svg or pdf.")] = "png",
    json_output: JsonOption = False,
) -> None:
    """Overlay several runs' training curves and print a table of their final numbers.

    One figure: loss per epoch (train solid, dev dashed) and the dev accuracy (or perplexity for
    language models), one color per run.

    Typical use: a model pretrained as a language model and then fine-tuned, against the same model
    trained from scratch; or the same model with different optimizers.

    Example: seqlab compare runs/sst-lm-transfer-... runs/sst-lm-...
    """
    from seqlab.viz.curves import curves_figure, read_curves
    from seqlab.viz.figures import check_format, fresh_name, output_folder, save_figure

    fmt = check_format(fmt)
    missing = [str(r) for r in runs if not r.is_dir()]
    if missing:
        raise SeqlabError(f"run folder(s) {', '.join(missing)} do not exist; list your runs with: seqlab runs")
    curves = [read_curves(r) for r in runs]
    folder = output_folder(out, "compare")
    figure_path = save_figure(curves_figure(curves, "training curves"), fresh_name(folder, "curves", f".{fmt}"), fmt)
    rows = [c.final_metrics() for c in curves]
    if json_output:
        emit_json({"figure": str(figure_path), "runs": rows})
        return
    columns = [key for key in dict.fromkeys(key for row in rows for key in row) if key not in ("family", "dataset")]
    table = Table(title="final numbers (last epoch; best dev over all epochs)", title_justify="left")
    table.add_column("run", overflow="fold")
    table.add_column("model on data", overflow="fold")
    for column in columns[1:]:
        header = column.replace("_", " ").replace("accuracy", "acc").replace("perplexity", "ppl")
        table.add_column(header.replace("macro f1", "F1"), justify="right")
    for row in rows:
        table.add_row(row["run"], f"{row['family']} on {row['dataset']}", *(_cell(row.get(c)) for c in columns[1:]))
    console.print(table)
    console.print(f"curves: [bold]{figure_path}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab compare` to the app."""
    app.command("compare")(compare)
