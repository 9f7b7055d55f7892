"""`seqlab evaluate`: score a trained run on a split or on any labelled file, with per-class scores,
confusion matrix and baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DataDirOption, DeviceOption, JsonOption, ThreadsOption, user_errors
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.commands._common import column_choice
from seqlab.console import console, emit_json


@user_errors
def evaluate(
    run: Annotated[Path, typer.Argument(help="A run folder made by `seqlab train` (see `seqlab runs`).")],
    split: Annotated[Optional[str], typer.Option("--split", help="Which split of the run's data to score: dev, test or train [default: dev].", show_default=False)] = None,
    device: DeviceOption = "cpu",
    data_dir: DataDirOption = None,
    threads: ThreadsOption = None,
    json_output: JsonOption = False,
    # your own files (issue 21)
    data_file: Annotated[Optional[Path], typer.Option("--data", help="Score this labelled file instead of a split, read with the run's columns and labels; its predictions go to RUN/evaluations/.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="With --data: write the predictions TSV here instead (a new file; never overwritten).")] = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Score a trained run on a split or on your own file: accuracy, macro-F1, per-class scores, confusion
    matrix, baselines.

    The run's best weights (model.safetensors) classify every example. Precision, recall and F1 are
    shown per class, and the confusion matrix has gold classes as rows. Two baselines say what "good"
    means: uniform random guessing, and always answering the most common training class.

    With --data FILE, any labelled file is scored with the columns the run was trained with (or the
    ones you give); its predictions (text, gold, predicted, probability) are written to a new file in
    RUN/evaluations/, and the run's own files are left alone. A data file that changed since training
    is reported as a warning.

    Examples:

    ```
    seqlab evaluate runs/builtin-sentiment-lstm-... --split test
    seqlab evaluate runs/trec-lstm-... --data ~/trec/test.tsv
    ```
    """
    from rich.markup import escape

    from seqlab.lab import evaluate as lab_evaluate
    from seqlab.training.render import metrics_view

    report = lab_evaluate.run(lab_evaluate.EvaluateRequest(
        run, split, device, data_dir, threads, data_file, out,
        column_choice(text_column, label_column, text_pair_column, no_header),
    ))
    if json_output:
        emit_json(report.to_json())
        return
    console.print(metrics_view(report.metrics))
    if report.predictions_file is not None:
        console.print(f"predictions: [bold]{escape(str(report.predictions_file))}[/]", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add `seqlab evaluate` to the app."""
    app.command("evaluate")(evaluate)
