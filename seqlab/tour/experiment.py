"""Tour step "experiment": a recipe at tiny budget, run twice to show that finished trials are skipped."""

from __future__ import annotations

from typing import Any

from seqlab.tour import TourContext, TourStep

RECIPE = "rnn-width"


def run_experiment_step(ctx: TourContext) -> dict[str, Any]:
    """rnn-width at the tiny budget on the built-in corpus, its table, then a rerun that trains nothing."""
    from seqlab.experiments.config import ExperimentConfig
    from seqlab.experiments.render import summary_view
    from seqlab.experiments.runner import run_experiment

    config = ExperimentConfig(RECIPE, tiny=True, seed=ctx.seed, device=ctx.device, threads=1,
                              out=str(ctx.out_dir / "experiment" / RECIPE))
    first = run_experiment(config, ctx.console)
    ctx.console.print(summary_view(first))
    again = run_experiment(config)
    ctx.console.print(f"Run again into the same folder: {again.trained} trained, {again.skipped} skipped "
                      "(finished trials are found by the hash of their config).")
    ctx.console.print("More: [bold]seqlab experiment list[/], "
                      "[bold]seqlab experiment run rnn-compound-scaling --data-dir DIR --budget 20[/]")
    return {"recipe": RECIPE, "trials": first.trials, "report": str(first.readme), "rerun_trained": again.trained}


STEP = TourStep("experiment", "a study as a recipe: LSTM width sweep at tiny budget, resumable", run_experiment_step)
