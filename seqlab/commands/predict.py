"""`seqlab predict`: classify a sentence (or a sentence pair), or every row of a file, with a trained run;
or fill in the [MASK]s of a sentence with a masked-LM run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DeviceOption, JsonOption, ThreadsOption, user_errors
from seqlab.commands._common import LabelColumnOption, NoHeaderOption, TextColumnOption, TextPairColumnOption
from seqlab.commands._common import column_choice
from seqlab.console import console, emit_json

SHOWN_ROWS = 10  # rows of a predicted file shown in the terminal (all of them are in the TSV)


@user_errors
def predict(
    run: Annotated[Path, typer.Argument(help="A run folder made by `seqlab train` (see `seqlab runs`).")],
    text: Annotated[Optional[str], typer.Argument(help="The text to classify, in quotes (or use --data FILE).", show_default=False)] = None,
    pair: Annotated[Optional[str], typer.Option("--pair", help="Second sentence, for sentence-pair runs (e.g. entailment).")] = None,
    top_k: Annotated[int, typer.Option("--top-k", help="Masked-LM runs: how many candidates to list for each [MASK].")] = 5,
    device: DeviceOption = "cpu",
    threads: ThreadsOption = None,
    json_output: JsonOption = False,
    # your own files (issue 21)
    data_file: Annotated[Optional[Path], typer.Option("--data", help="Classify every row of this file (labels not needed), read with the run's text column; the predictions go to RUN/predictions/.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="With --data: write the predictions TSV here instead (a new file; never overwritten).")] = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    text_pair_column: TextPairColumnOption = None,
    no_header: NoHeaderOption = False,
) -> None:
    """Classify a text you type, or every row of a file, with a trained run and show the class probabilities.

    For sentence-pair runs (e.g. builtin-entailment, RTE) give the second sentence with --pair.
    Under the probabilities it says how many of your words the run's vocabulary lacks, and warns when
    that is most of them: a text of unknown words gets the class the model gives to unseen words.
    For a masked language model run (`seqlab train --model bert --task mlm`) write [MASK] where a
    word is missing: it lists the --top-k most likely tokens for every blank, with probabilities.

    With --data FILE the rows are read with the columns the run was trained with (or the ones you
    give), and text, predicted label and probability go to a new TSV in RUN/predictions/.

    Examples:

    ```
    seqlab predict runs/builtin-sentiment-lstm-... "the plot was not clever ."
    seqlab predict runs/trec-lstm-... --data new-questions.tsv
    seqlab predict runs/mlm-bert-... "the film was [MASK] ." --top-k 10
    ```
    """
    from rich.markup import escape

    from seqlab.lab import predict as lab_predict
    from seqlab.training.render import file_predictions_table, fill_mask_view, prediction_view

    report = lab_predict.run(lab_predict.PredictRequest(
        run, text, pair, top_k, device, data_file, out,
        column_choice(text_column, label_column, text_pair_column, no_header), threads,
    ))
    if json_output:  # a prediction's unknown-word count and warning are fields of the JSON, stdout stays JSON
        emit_json(report.to_json())
    elif report.file is not None:
        console.print(file_predictions_table(report.file, Path(data_file).name, SHOWN_ROWS, console.width))
        more = f" (the first {SHOWN_ROWS} are shown)" if len(report.file.rows) > SHOWN_ROWS else ""
        console.print(f"predictions: [bold]{escape(str(report.predictions_file))}[/]{more}", soft_wrap=True,
                      highlight=False)
    elif report.filled is not None:
        console.print(fill_mask_view(report.filled))
    else:
        console.print(prediction_view(report.prediction))


def register(app: typer.Typer) -> None:
    """Add `seqlab predict` to the app."""
    app.command("predict")(predict)
