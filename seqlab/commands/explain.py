"""`seqlab explain [TOPIC]`: a concept in plain words, its formula, and a worked example computed live."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from seqlab.commands._common import JsonOption, SeedOption, user_errors


@user_errors
def explain(
    topic: Annotated[
        Optional[str],
        typer.Argument(
            help="Topic id or alias, e.g. attention, layer-norm, wordpiece. Leave out to list all topics.",
            show_default=False,
        ),
    ] = None,
    short: Annotated[
        bool, typer.Option("--short", help="Only the summary, formula, live example and commands.")
    ] = False,
    text: Annotated[
        Optional[str],
        typer.Option("--text", metavar="SENTENCE",
                     help="For attention: run the live example on your sentence with the pretrained MiniLM "
                          "(a random-weight Transformer, said so, when seqlab[pretrained] is not installed)."),
    ] = None,
    seed: SeedOption = 0,
    json_output: JsonOption = False,
) -> None:
    """Explain one concept of sequence models the way a good lecturer would, with a live example.

    Each topic gives the idea in plain words, the formula, and a worked example computed now with torch.

    Examples: the softmax of a real 4x4 QKᵀ, a layer-normalised vector's norm against √d, an LSTM step's gates.

    Then the common misconceptions and the seqlab commands that show more. Without TOPIC: the list of topics.
    """
    from seqlab.console import console, emit_json
    from seqlab.explain.render import print_topic, topics_table
    from seqlab.lab import explain as lab_explain

    report = lab_explain.run(lab_explain.ExplainRequest(topic=topic, seed=seed, text=text))
    if json_output:
        emit_json(report.to_json())
    elif report.topic is None:
        console.print(topics_table(report.topics))
    else:
        print_topic(report.topic, report.demo, console, short=short)


def register(app: typer.Typer) -> None:
    """Add `seqlab explain` to the app."""
    app.command("explain")(explain)
