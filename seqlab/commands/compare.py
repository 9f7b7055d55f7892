"""`seqlab compare`: overlay the training curves of several runs and tabulate their final numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from seqlab.commands._common import DEFAULT_DPI, DpiOption, JsonOption, user_errors
from seqlab.console import console, emit_json, safe_text
from seqlab.errors import SeqlabError


@user_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(metavar="RUN...", help="Run folders made by `seqlab train`.")],
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Folder for the figure (default: a new folder under ./figures).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Figure format: png, svg or pdf.")] = "png",
    dpi: DpiOption = DEFAULT_DPI,
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
    from seqlab.training.render import final_numbers_table
    from seqlab.viz.figures import check_dpi, check_format, fresh_name, output_folder, save_figure

    fmt, dpi = check_format(fmt), check_dpi(dpi)
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
    figure_path = save_figure(curves_figure(curves, "training curves"), fresh_name(folder, "curves", f".{fmt}"), fmt,
                              dpi)
    rows = [c.final_metrics() for c in curves]
    if json_output:
        emit_json({"figure": str(figure_path), "runs": rows, "damaged": damaged})
        return
    console.print(final_numbers_table(rows))
    for item in damaged:
        console.print(f"left out (damaged): {safe_text(item['damaged'], 300)}", markup=False, highlight=False,
                      soft_wrap=True)
    console.print(f"curves: [bold]{escape(safe_text(figure_path))}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab compare` to the app."""
    app.command("compare")(compare)
