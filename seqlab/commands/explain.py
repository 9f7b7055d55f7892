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
    from seqlab.explain.catalog import ExplainConfig, all_topics
    from seqlab.explain.catalog import explain as explain_topic
    from seqlab.explain.render import print_topic, topics_table

    if topic is None:
        topics = all_topics()
        if json_output:
            emit_json([{"id": t.id, "title": t.title, "summary": t.summary} for t in topics])
        else:
            console.print(topics_table(topics))
        return
    chosen, demo = explain_topic(ExplainConfig(topic=topic, seed=seed))
    if text is not None:
        from seqlab.errors import SeqlabError
        from seqlab.explain.sentence import sentence_attention_demo

        if chosen.id != "attention":
            raise SeqlabError(f"--text works with the attention topic (seqlab explain attention --text ...), "
                              f"not {chosen.id}")
        demo = sentence_attention_demo(text, seed=seed)
    if json_output:
        emit_json(chosen.as_dict(demo))
        return
    print_topic(chosen, demo, console, short=short)


def register(app: typer.Typer) -> None:
    """Add `seqlab explain` to the app."""
    app.command("explain")(explain)
