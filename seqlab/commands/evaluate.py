"""`seqlab evaluate`: score a trained run on a split, with per-class scores, confusion matrix and baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seqlab.commands._common import DataDirOption, DeviceOption, JsonOption, ThreadsOption, user_errors
from seqlab.console import console, emit_json


@user_errors
def evaluate(
    run: Annotated[Path, typer.Argument(help="A run folder made by `seqlab train` (see `seqlab runs`).")],
    split: Annotated[str, typer.Option("--split", help="Which split to score: dev, test or train.")] = "dev",
    device: DeviceOption = "cpu",
    data_dir: DataDirOption = None,
    threads: ThreadsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Score a trained run on a split: accuracy, macro-F1, per-class scores, confusion matrix, baselines.

    The run's best weights (model.safetensors) classify every example of the split. Precision, recall
    and F1 are shown per class, and the confusion matrix has gold classes as rows. Two baselines say
    what "good" means: uniform random guessing, and always answering the most common training class.

    Example: `seqlab evaluate runs/builtin-sentiment-lstm-20250101-120000 --split test`
    """
    from seqlab.device import cpu_threads
    from seqlab.training.inference import evaluate_run
    from seqlab.training.report import metrics_view

    with cpu_threads(threads):
        metrics = evaluate_run(run, split=split.lower(), data_dir=data_dir, device=device)
    if json_output:
        emit_json(metrics)
        return
    console.print(metrics_view(metrics))


def register(app: typer.Typer) -> None:
    """Add `seqlab evaluate` to the app."""
    app.command("evaluate")(evaluate)
