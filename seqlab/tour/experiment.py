"""Tour step "experiment": a recipe at tiny budget over two seeds, its honest reading, and a rerun that skips."""

from __future__ import annotations

import json
from typing import Any

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.recipes.rnn import SIZES
from seqlab.experiments.render import print_summary
from seqlab.lab import experiment
from seqlab.experiments.summary import NOT_SHOWN_ABOVE_CHANCE, baselines, chance_label, dev_scores, group_seeds
from seqlab.tour import TourContext, TourStep

RECIPE = "rnn-width"
SEEDS = 2


def reading(records: list[dict[str, Any]]) -> str:
    """What the tour's numbers say: not shown above chance (and why) or above it, from the records themselves."""
    base = baselines(records)
    if base is None:
        return "No dev scores were recorded."
    labels = {chance_label(dev_scores(items), base) for _, items in group_seeds(records)}
    if labels == {NOT_SHOWN_ABOVE_CHANCE}:
        return (f"No width is shown above chance (majority baseline {100 * base.majority:.1f}% on {base.n} dev examples): "
                f"the tiny budget ({SIZES.tiny.brief()}) is too little training for an LSTM to learn "
                "sentiment, so these numbers show the mechanics - seeds, intervals, verdicts, resuming - not which "
                "width is better.")
    return ("At least one width is above chance even at the tiny budget; the verdicts say whether the widths differ "
            "by more than these two seeds' noise.")


def run_experiment_step(ctx: TourContext) -> dict[str, Any]:
    """rnn-width at the tiny budget on the built-in corpus with two seeds, its table and reading, then a rerun
    into the same folder that trains nothing."""
    config = ExperimentConfig(RECIPE, budget="tiny", seeds=SEEDS, seed=ctx.seed, device=ctx.device, threads=1,
                              out=str(ctx.out_dir / "experiment" / RECIPE))
    first = experiment.run(config, ctx.console).result
    print_summary(ctx.console, first)

    records = json.loads(first.results.read_text(encoding="utf-8"))["trials"]
    verdict = reading(records)
    ctx.console.print(f"[bold]Reading:[/] {verdict}")
    again = experiment.run(config).result
    ctx.console.print(f"Run again into the same folder: {again.trained} trained, {again.skipped} skipped "
                      "(finished trials are found by the hash of their config).")
    ctx.console.print(f"The real study: [bold]seqlab experiment run {RECIPE}[/] trains 3 seeds per width at the "
                      f"quick budget ({SIZES.quick.brief()}) and prints its estimated time first; add "
                      "[bold]--data-dir DIR[/] for IMDB.")
    return {"recipe": RECIPE, "trials": first.trials, "report": str(first.readme), "rerun_trained": again.trained,
            "reading": verdict}


STEP = TourStep("experiment", "a resumable study: LSTM width sweep, tiny budget, two seeds",
                run_experiment_step)
