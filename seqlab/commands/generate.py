"""`seqlab generate`: continue a prompt with a causal LM run, greedily or by seeded sampling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from seqlab.commands._common import DeviceOption, JsonOption, SeedOption, user_errors
from seqlab.console import console, emit_json


@user_errors
def generate(
    run: Annotated[Path, typer.Argument(help="A causal LM run folder (seqlab train --model lm --task lm).")],
    prompt: Annotated[str, typer.Argument(help="The text to continue, in quotes.")],
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", help="Most tokens to write.")] = 20,
    temperature: Annotated[
        float, typer.Option("--temperature", help="0 = greedy (the likeliest token); below 1 sharper, above flatter.")
    ] = 0.0,
    top_k: Annotated[
        Optional[int], typer.Option("--top-k", help="Draw only from the K likeliest tokens (0 or unset: all).")
    ] = None,
    top_p: Annotated[
        float, typer.Option("--top-p", help="Draw only from the fewest likeliest tokens whose mass reaches P.")
    ] = 1.0,
    seed: SeedOption = 0,
    stop_at: Annotated[
        Optional[list[str]], typer.Option("--stop-at", metavar="TOKEN", help="Stop after writing TOKEN (repeatable).")
    ] = None,
    show_probs: Annotated[
        bool, typer.Option("--show-probs", help="Print each step's top candidates and their probabilities.")
    ] = False,
    device: DeviceOption = "cpu",
    json_output: JsonOption = False,
) -> None:
    """Write text with a causal language model: one token at a time, each chosen from the next-token
    distribution.

    At each step the LM gives a score (logit) to every token of its vocabulary. With --temperature 0
    it writes the likeliest one (greedy: the same text every time). Otherwise the logits are divided
    by the temperature, cut to the --top-k likeliest and then to the --top-p nucleus, turned into
    probabilities by a softmax and one token is drawn with a generator seeded by --seed: the same seed
    writes the same text, another seed another text. Writing stops after --max-new-tokens, at the
    run's context length (its --max-length; a note says so), when a WordPiece LM writes [SEP], or
    after a --stop-at token (e.g. --stop-at . for one sentence).

    --show-probs prints each step's five likeliest tokens at t = 1, at your temperature, and as drawn.

    Examples:

    seqlab generate RUN "the film was"

    seqlab generate RUN "the film was" --temperature 0.8 --top-k 20 --seed 3

    seqlab generate RUN "i did not" --temperature 1.5 --show-probs
    """
    from seqlab.lab import generate as lab_generate
    from seqlab.training.generation import GenerationConfig
    from seqlab.training.render import generation_view

    config = GenerationConfig(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                              seed=seed, stop_at=tuple(stop_at or ()))
    report = lab_generate.run(lab_generate.GenerateRequest(run, prompt, config, device))
    if json_output:
        emit_json(report.to_json())
        return
    console.print(generation_view(report.result, show_probs))


def register(app: typer.Typer) -> None:
    """Add `seqlab generate` to the app."""
    app.command("generate")(generate)
