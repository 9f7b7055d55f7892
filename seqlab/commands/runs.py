"""`seqlab runs`: list the training runs in the runs folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import JsonOption, user_errors
from seqlab.console import console, emit_json, safe_text


@user_errors
def runs(
    root: Annotated[
        Optional[Path], typer.Option("--root", help="Folder holding the runs (default: $SEQLAB_RUNS, else ./runs).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List the training runs: dataset, model, best dev score, whether it finished, and when.

    The best dev score is accuracy for classifiers and perplexity for language models. An unfinished
    run (killed or interrupted) shows its best epoch so far; continue it with `seqlab train --resume RUN`.
    A run folder that cannot be read (say, a garbled config.json) is listed as damaged, with the
    reason below the table; the other runs are listed as usual. Each run is shown by its whole folder
    name (it ends in the date and time it was made): pass the runs folder and that name, e.g.
    `runs/builtin-sentiment-lstm-20261207-164350`, to `seqlab evaluate`, `seqlab predict` or `seqlab attention`.
    """
    from seqlab.lab import runs as lab_runs
    from seqlab.training.render import runs_table

    report = lab_runs.run(lab_runs.RunsRequest(root))
    if json_output:
        emit_json(report.to_json())
        return
    folder, found = report.folder, report.runs
    if not found:
        console.print(f"no runs in {folder}; start one with: seqlab train", markup=False, highlight=False)
        return
    console.print(runs_table(found, safe_text(str(folder))))
    for run in found:
        if run.damaged is not None:
            console.print(f"damaged: {safe_text(run.path.name)}: {safe_text(run.damaged, 200)}",
                          markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `seqlab runs` to the app."""
    app.command("runs")(runs)
