"""Tour step "train": an LSTM and a Transformer learn the built-in sentiment corpus; both beat the baselines."""

from __future__ import annotations

from typing import Any

from seqlab.tour import TourContext, TourStep, print_more
from seqlab.lab import compare, predict, train
from seqlab.training.config import TrainConfig
from seqlab.training.render import dev_results_table, prediction_table

TOUR_SENTENCE = "the plot was not boring at all ."
# Small enough for well under 30 s each on two CPU cores; both reach 90%+ dev accuracy.
TOUR_MODELS: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("lstm", {"family": "lstm"}, 3),
    ("transformer", {"family": "transformer", "d_ff": 64}, 4),
)


def run_train(ctx: TourContext) -> dict[str, Any]:
    """Train both models, compare dev accuracy with the random and majority baselines, classify a sentence."""
    results = []
    summary: dict[str, Any] = {}
    for family, spec, epochs in TOUR_MODELS:
        # One CPU thread: for models this small, more threads cost more in synchronisation than they
        # save, and on a busy machine they can make training many times slower.
        config = TrainConfig(model=spec, epochs=epochs, seed=ctx.seed, device=ctx.device, threads=1,
                             name=f"tour-{family}")
        ctx.console.print(f"training a small {family} for {epochs} epochs ...")
        result = train.run(train.TrainRequest(config, runs_dir=ctx.out_dir / "runs"), console=ctx.console).result
        dev = result.dev
        if dev is None:
            raise RuntimeError("a classification run ended without dev metrics")
        results.append((family, result))
        ctx.shared[f"{family}_run"] = result.run_dir
        summary["majority_accuracy"] = dev.majority_baseline.accuracy
        summary[family] = {"dev_accuracy": dev.accuracy, "run": str(result.run_dir), "seconds": round(result.seconds, 1)}
    ctx.console.print(dev_results_table("dev split of builtin-sentiment (400 sentences)", results))
    runs = tuple(ctx.shared[f"{family}_run"] for family, _, _ in TOUR_MODELS)
    figure = compare.run(compare.CompareRequest(runs, out=ctx.out_dir / "figures")).figure
    ctx.shared["training_curves"] = figure
    summary["figure"] = str(figure)
    ctx.console.print(f"their learning curves against the majority baseline: {ctx.show(figure)}", soft_wrap=True)

    prediction = predict.run(predict.PredictRequest(ctx.shared["transformer_run"], TOUR_SENTENCE)).prediction
    ctx.console.print(f'the transformer reads "{TOUR_SENTENCE}" (negation flips "boring"):')
    ctx.console.print(prediction_table(prediction))
    run = ctx.show(ctx.shared["transformer_run"])
    print_more(ctx, [f'seqlab predict {run} "your sentence"', f"seqlab evaluate {run} --split test",
                     "seqlab train --model gru --bidirectional", "seqlab runs"])
    summary["prediction"] = {"text": TOUR_SENTENCE, "label": prediction.label}
    return summary


STEP = TourStep("train", "train an LSTM and a Transformer; dev accuracy against the baselines", run_train)
