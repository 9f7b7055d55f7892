"""`seqlab explain [TOPIC]`: a concept in plain words, its formula, and a worked example computed live."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from seqlab.commands._common import JsonOption, SeedOption, user_errors


@user_errors
def explain(
    topic: Annotated[
        Optional[str],
        typer.Argument(help="Topic id or alias, e.g. attention, layer-norm, wordpiece. Leave out to list all topics.",
                       show_default=False),
    ] = None,
    short: Annotated[bool, typer.Option("--short", help="Only the summary, formula, live example and commands.")] = False,
    seed: SeedOption = 0,
    json_output: JsonOption = False,
) -> None:
    """Explain one concept of sequence models the way a good lecturer would, with a live example.

    Each topic gives the idea in plain words, the formula, a small worked example computed right now
    with torch (e.g. the softmax of a real 4x4 QKᵀ, the norm of a layer-normalised vector against √d,
    one LSTM step's gates recomputed by hand), common misconceptions, and the seqlab commands that
    show more. Without TOPIC it lists all topics. --seed changes the example's random numbers.
    """
    from seqlab.console import console, emit_json
    from seqlab.explain.catalog import ExplainConfig, all_topics, explain as explain_topic
    from seqlab.explain.render import print_topic, topics_table

    if topic is None:
        topics = all_topics()
        if json_output:
            emit_json([{"id": t.id, "title": t.title, "summary": t.summary} for t in topics])
        else:
            console.print(topics_table(topics))
        return
    chosen, demo = explain_topic(ExplainConfig(topic=topic, seed=seed))
    if json_output:
        emit_json(chosen.as_dict(demo))
        return
    print_topic(chosen, demo, console, short=short)


def register(app: typer.Typer) -> None:
    """Add `seqlab explain` to the app."""
    app.command("explain")(explain)
