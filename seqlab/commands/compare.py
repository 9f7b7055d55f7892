"""`seqlab compare`: overlay the training curves of several runs and tabulate their final numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seqlab.commands._common import JsonOption, user_errors
from seqlab.console import console, emit_json, safe_text
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

    A run that cannot be read (damaged, or no finished epoch) is left out and named below the table.

    Example: seqlab compare runs/sst-lm-transfer-... runs/sst-lm-...
    """
    from seqlab.viz.curves import curves_figure, read_curves
    from seqlab.training.render import short_run_names
    from seqlab.viz.figures import check_format, fresh_name, output_folder, save_figure

    fmt = check_format(fmt)
    missing = [str(r) for r in runs if not r.is_dir()]
    if missing:
        raise SeqlabError(f"run folder(s) {', '.join(missing)} do not exist; list your runs with: seqlab runs")
    curves, damaged = [], []
    for run in runs:
        try:
            curves.append(read_curves(run))
        except SeqlabError as exc:  # one damaged run: compare the others and say which was left out
            damaged.append({"run": str(run), "damaged": str(exc)})
    if not curves:
        raise SeqlabError(damaged[0]["damaged"] if len(damaged) == 1 else
                          f"none of the {len(damaged)} runs can be read; first: {damaged[0]['damaged']}")
    folder = output_folder(out, "compare")
    figure_path = save_figure(curves_figure(curves, "training curves"), fresh_name(folder, "curves", f".{fmt}"), fmt)
    rows = [c.final_metrics() for c in curves]
    if json_output:
        emit_json({"figure": str(figure_path), "runs": rows, "damaged": damaged})
        return
    columns = [key for key in dict.fromkeys(key for row in rows for key in row) if key not in ("family", "dataset")]
    # one column per run, one row per number: fits a narrow terminal for the handful of runs one compares
    table = Table(title="final numbers (last epoch; best dev over all epochs)", title_justify="left",
                  caption="columns: run folder names without their -YYYYmmdd-HHMMSS stamp", caption_justify="left")
    table.add_column("", no_wrap=True)
    for name in short_run_names([str(row["run"]) for row in rows]):
        table.add_column(Text(safe_text(name)), justify="right", overflow="fold")
    table.add_row("model on data", *(Text(safe_text(f"{row['family']} on {row['dataset']}")) for row in rows))
    for column in columns[1:]:
        header = column.replace("_", " ").replace("accuracy", "acc").replace("perplexity", "ppl")
        table.add_row(header.replace("macro f1", "F1"), *(_cell(row.get(column)) for row in rows))
    console.print(table)
    for item in damaged:
        console.print(f"left out (damaged): {safe_text(item['damaged'], 300)}", markup=False, highlight=False,
                      soft_wrap=True)
    console.print(f"curves: [bold]{escape(safe_text(figure_path))}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab compare` to the app."""
    app.command("compare")(compare)
