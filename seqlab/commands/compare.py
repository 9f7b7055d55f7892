"""`seqlab compare`: overlay the training curves of several runs and tabulate their final numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from seqlab.commands._common import DEFAULT_DPI, DpiOption, FigureFormatOption, FigureOutOption, JsonOption, user_errors
from seqlab.console import console, emit_json, safe_text


@user_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(metavar="RUN...", help="Run folders made by `seqlab train`.")],
    out: FigureOutOption = None,
    fmt: FigureFormatOption = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Overlay several runs' training curves and print a table of their final numbers.

    One figure: loss per epoch (train solid, dev dashed) and the dev accuracy (or perplexity for
    language models), one color per run, named in the legend below by the part of the run names that
    differs; the learning rate in a small panel under the loss.

    Typical use: a model pretrained as a language model and then fine-tuned, against the same model
    trained from scratch; or the same model with different optimizers.

    A run that cannot be read (damaged, or no finished epoch) is left out and named below the table.

    Example: seqlab compare runs/sst-lm-transfer-... runs/sst-lm-...
    """
    from seqlab.lab import compare as lab_compare
    from seqlab.training.render import final_numbers_table

    report = lab_compare.run(lab_compare.CompareRequest(tuple(runs), out, fmt, dpi))
    if json_output:
        emit_json(report.to_json())
        return
    rows, damaged, figure_path = report.rows, report.damaged, report.figure
    console.print(final_numbers_table(rows))
    for item in damaged:
        console.print(f"left out (damaged): {safe_text(item['damaged'], 300)}", markup=False, highlight=False,
                      soft_wrap=True)
    console.print(f"curves: [bold]{escape(safe_text(figure_path))}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab compare` to the app."""
    app.command("compare")(compare)
