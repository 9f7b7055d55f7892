"""Tour step "write": a small causal LM learns the built-in text (next-token prediction, labels unused) and writes
the end of a sentence, greedily."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from seqlab.console import safe_text
from seqlab.tour import TourContext, TourStep, print_more
from seqlab.training.config import TrainConfig
from seqlab.training.generation import GenerationConfig, generate
from seqlab.training.loading import load_run
from seqlab.training.trainer import train

WRITE_PROMPT = "the plot was"
# No dropout and 3 epochs: about 5 s on one CPU core; dev perplexity about 3.6 on the templated corpus.
WRITE_MODEL: dict[str, Any] = {"family": "lm", "dropout": 0.0}
WRITE_EPOCHS = 3
WRITE_TOKENS = 12  # at most; the sentence ends at its first full stop


def run_write(ctx: TourContext) -> dict[str, Any]:
    """Pretrain a small causal LM on the corpus's text, then continue a prompt greedily up to a full stop."""
    config = TrainConfig(model=WRITE_MODEL, task="lm", epochs=WRITE_EPOCHS, seed=ctx.seed, device=ctx.device,
                         threads=1, name="tour-lm")
    ctx.console.print(f"training a small causal LM to predict each next token, {WRITE_EPOCHS} epochs ...")
    result = train(config, console=ctx.console, runs_dir=ctx.out_dir / "runs")
    written = generate(load_run(result.run_dir), WRITE_PROMPT,
                       GenerationConfig(max_new_tokens=WRITE_TOKENS, temperature=0.0, stop_at=(".",)))
    ctx.console.print(f"the LM writes (greedy): [bold]{escape(safe_text(written.text))}[/]", highlight=False)
    run = ctx.show(result.run_dir)
    print_more(ctx, [f'seqlab generate {run} "{WRITE_PROMPT}" --temperature 0.8 --seed 1 --show-probs',
                     f'seqlab attention {run} "the plot was not boring" --query not --head 0,0',
                     "seqlab explain sampling"])
    return {"run": str(result.run_dir), "perplexity": result.dev_record.get("perplexity"), "prompt": WRITE_PROMPT,
            "text": written.text, "continuation": written.continuation, "stopped": written.stopped}


STEP = TourStep("write", "a causal LM learns the text and writes the end of a sentence", run_write)
