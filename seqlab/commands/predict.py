"""`seqlab predict`: classify a sentence (or a sentence pair) with a trained run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DeviceOption, JsonOption, user_errors
from seqlab.console import console, emit_json


@user_errors
def predict(
    run: Annotated[Path, typer.Argument(help="A run folder made by `seqlab train` (see `seqlab runs`).")],
    text: Annotated[str, typer.Argument(help="The text to classify, in quotes.")],
    pair: Annotated[Optional[str], typer.Option("--pair", help="Second sentence, for sentence-pair runs (e.g. entailment).")] = None,
    device: DeviceOption = "cpu",
    json_output: JsonOption = False,
) -> None:
    """Classify a text you type with a trained run and show the probability of every class.

    For sentence-pair runs (e.g. builtin-entailment, RTE) give the second sentence with --pair.

    Example: `seqlab predict runs/builtin-sentiment-lstm-20250101-120000 "the plot was not clever ."`
    """
    from seqlab.training.inference import predict as predict_text
    from seqlab.training.report import prediction_table
    from seqlab.training.runs import load_run

    prediction = predict_text(load_run(run, device=device), text, pair)
    if json_output:
        emit_json(prediction)
        return
    console.print(prediction_table(prediction))


def register(app: typer.Typer) -> None:
    """Add `seqlab predict` to the app."""
    app.command("predict")(predict)
