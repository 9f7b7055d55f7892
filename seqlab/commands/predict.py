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
    from seqlab.device import cpu_threads

    with cpu_threads(threads):
        _predict(run, text, pair, top_k, device, json_output, data_file, out,
                 column_choice(text_column, label_column, text_pair_column, no_header))


def _predict(run: Path, text: str | None, pair: str | None, top_k: int, device: str, json_output: bool,
             data_file: Path | None, out: Path | None, choice) -> None:
    """The body of `seqlab predict` (under its --threads)."""
    from seqlab.errors import SeqlabError

    if data_file is not None:
        if text is not None or pair is not None:
            raise SeqlabError("choose one: a TEXT to classify or --data FILE")
        _predict_file(run, data_file, out, choice, device, json_output)
        return
    if text is None:
        raise SeqlabError("nothing to classify: pass a TEXT in quotes or --data FILE")
    if out is not None or choice.given:
        raise SeqlabError("--out and the column options go with --data FILE; add --data FILE or drop them")
    from seqlab.training.inference import predict as predict_text
    from seqlab.training.render import prediction_view
    from seqlab.training.loading import load_run

    loaded = load_run(run, device=device)
    if loaded.task == "mlm":
        from seqlab.training.fill_mask import fill_mask
        from seqlab.training.render import fill_mask_view

        if pair is not None:
            raise SeqlabError("--pair is for sentence-pair classifiers; a masked LM fills [MASK]s in one text")
        filled = fill_mask(loaded, text, top_k)
        if json_output:
            emit_json(filled)
            return
        console.print(fill_mask_view(filled))
        return
    prediction = predict_text(loaded, text, pair)
    if json_output:
        if prediction.warning:
            from seqlab.console import err_console

            err_console.print(f"warning: {prediction.warning}", markup=False, highlight=False, soft_wrap=True)
        emit_json(prediction)
        return
    console.print(prediction_view(prediction))


def _predict_file(run: Path, data_file: Path, out: Path | None, choice, device: str, json_output: bool) -> None:
    """Classify every row of `data_file`, save the TSV, and show the first rows."""
    from rich.markup import escape

    from seqlab.training.inference import predict_file, save_file_predictions
    from seqlab.training.render import file_predictions_table

    predictions = predict_file(run, data_file, device=device, choice=choice)
    saved = save_file_predictions(run, predictions, out)
    if json_output:
        emit_json({"file": predictions.file.to_dict(), "predictions_file": str(saved),
                   "predictions": [{"text": t, "label": l, "probability": p} for t, l, p in predictions.rows]})
        return
    console.print(file_predictions_table(predictions, Path(data_file).name, SHOWN_ROWS, console.width))
    more = f" (the first {SHOWN_ROWS} are shown)" if len(predictions.rows) > SHOWN_ROWS else ""
    console.print(f"predictions: [bold]{escape(str(saved))}[/]{more}", soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add `seqlab predict` to the app."""
    app.command("predict")(predict)
