"""`seqlab params`: count a model's parameters part by part, next to the closed-form formula for each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DEFAULT_DPI, DpiOption, JsonOption, user_errors
from seqlab.outputs import FIGURE_FILE_RULE
from seqlab.console import console, emit_json


@user_errors
def params(
    model: Annotated[
        Optional[str],
        typer.Argument(
            metavar="MODEL",
            help="A preset: bert-base-uncased, bert-tiny, bert-mini, minilm, lm-transfer, "
            "lm-transfer-classifier, gpt2, lstm, gru.",
        ),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help='A JSON file: a seqlab model spec {"family": ..., "vocab_size": ..., '
            '"num_labels": ...} or a Hugging Face BERT config.json.',
        ),
    ] = None,
    run: Annotated[Optional[Path], typer.Option("--run", help="A run folder; counts the model it trained.")] = None,
    tied: Annotated[
        bool,
        typer.Option("--tied/--untied", help="For lm-transfer: reuse the token embedding as the LM head's matrix."),
    ] = False,
    chart: Annotated[
        Optional[Path],
        typer.Option("--chart", metavar="FILE|DIR",
                     help=f"Also draw a bar chart of parameters per part: {FIGURE_FILE_RULE} (named params.png)."),
    ] = None,
    dpi: DpiOption = DEFAULT_DPI,
    json_output: JsonOption = False,
) -> None:
    """Count parameters per part and check each count against its formula, derived with sympy.

    Every row shows the part, its tensor shapes, what torch counted, the formula in the config's symbols
    (V vocabulary, d width, f feed-forward width, L layers, P positions, S segments, C classes, x input
    and h hidden size for LSTM/GRU), the formula's value, and whether they agree. Models are built on
    the meta device, so bert-base costs no memory. Also shows that H attention heads have exactly the
    parameters of one head.

    Examples:

    seqlab params bert-base-uncased

    seqlab params lm-transfer --tied

    seqlab params gpt2

    seqlab params --run runs/builtin-sentiment-transformer-...

    seqlab params minilm --chart minilm.png
    """
    from seqlab.counting.render import print_report
    from seqlab.lab import params as lab_params

    outcome = lab_params.run(lab_params.ParamsRequest(model, config, run, tied, chart, dpi))
    if json_output:
        emit_json(outcome.to_json())
        return
    print_report(outcome.report, console, outcome.heads)
    if outcome.chart:
        console.print(f"chart: [bold]{outcome.chart}[/]")


def register(app: typer.Typer) -> None:
    """Add `seqlab params` to the app."""
    app.command("params")(params)
