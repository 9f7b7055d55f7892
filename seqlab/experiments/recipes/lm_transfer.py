"""LM pretraining then transfer: a causal Transformer pretrained on the training text, then classifying,
against the same model trained from scratch."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.plots import epoch_curves
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.recipes.common import (
    Budget, Sizes, baseline_lines, figure_title, train_config, with_seeds,
)
from seqlab.experiments.summary import (
    baseline_row_note,
    baseline_rows,
    baselines,
    compare_groups,
    group_seeds,
    mean_curve,
    score_cells,
    seeds_phrase,
)
from seqlab.viz.figures import save_figure

# full: CFIMDB's whole training split at 128 tokens, 5 epochs; quick: 64 tokens and 5 epochs, as the accuracy runs
# (bench/results/accuracy.jsonl lm-*-builtin) that showed the effect on the built-in corpus; at 3 epochs the three
# seeds of the transfer diverged (0.90, 0.65, 0.56 dev) and nothing could be told apart. CFIMDB has 1,707
# training reviews, so no subset.
SIZES = Sizes(full=Budget(epochs=5, max_length=128), quick=Budget(epochs=5, max_length=64))
MODEL = {"family": "lm", "d_model": 64, "n_heads": 4, "n_layers": 2, "d_ff": 128}
TINY_MODEL = {"family": "lm", "d_model": 32, "n_heads": 2, "n_layers": 1, "d_ff": 64}
PRETRAIN = "lm-pretrain"


def lm_dataset(config: ExperimentConfig) -> str:
    """--data, else CFIMDB with --data-dir, else the built-in sentiment corpus."""
    if config.data:
        return config.data
    return "cfimdb" if config.data_dir else "builtin-sentiment"


def plan_transfer(config: ExperimentConfig) -> Plan:
    """Pretrain the LM (next-token loss on the training text), then two classifiers of the same shape:
    one starting from the LM's body, one from random weights."""
    data = lm_dataset(config)
    model = dict(TINY_MODEL if config.tiny else MODEL)
    classify = train_config(config, SIZES, data, model, task="classify")
    pretrain = dataclasses.replace(classify, task="lm")
    trials = with_seeds(config, PRETRAIN, {"model": "causal LM", "start": "pretraining"}, pretrain)
    trials += with_seeds(config, "from-scratch", {"model": "classifier", "start": "random weights"}, classify)
    trials += with_seeds(config, "transfer", {"model": "classifier", "start": "LM body"}, classify, after=PRETRAIN)
    notes = [f"model: causal Transformer d_model {model['d_model']}, {model['n_layers']} layer(s), "
             f"{model['n_heads']} heads, sinusoidal positions, square subsequent mask; the classifier pools the "
             "last real token", "the LM is pretrained on the same training texts (labels unused), for as many "
             "epochs as the classifiers train", f"{config.budget} budget: {SIZES.pick(config.budget).describe()}"]
    return Plan(trials, [data], notes)


def summarize_transfer(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Dev accuracy per epoch of both classifiers on one plot; the LM's perplexity; the gain from transfer."""
    rows, curves, groups = [], {}, {}
    dev_base = baselines(records)
    for tags, items in group_seeds(records):
        if tags["model"] == "causal LM":
            perplexity = [r["result"]["dev_record"].get("perplexity", float("nan")) for r in items]
            rows.append((tags["model"], tags["start"], f"{items[0]['result']['parameters']:,}",
                         f"{sum(perplexity) / len(perplexity):.1f} ppl", "-", "-", "-"))
            continue
        curve = mean_curve(items, "accuracy")
        curves[f"{tags['start']}"] = [(e, 100 * v) for e, v in curve]
        groups[tags["start"]] = (tags, items)
        rows.append((tags["model"], tags["start"], f"{items[0]['result']['parameters']:,}",
                     *score_cells(items, dev_base)))
    rows += baseline_rows(records, gap=("-", "-"))
    save_figure(epoch_curves(curves, figure_title("dev accuracy per epoch (mean over seeds): LM transfer vs from "
                                                  "scratch", config, records),
                             baselines=baseline_lines(records)), out / "transfer-curves.png")
    table = ResultTable(f"LM pretraining then transfer ({seeds_phrase(records)})",
                        ("model", "start", "params", "dev acc %", "test acc %", "dev F1", "vs majority"),
                        tuple(rows))
    notes = [baseline_row_note(records), "the causal LM row gives its dev perplexity (ppl) instead of accuracy",
             *(f"dev accuracy % per epoch, mean over seeds, {start}: " + ", ".join(f"{v:.1f}" for _, v in curve)
               for start, curve in curves.items())]
    verdicts = []
    if "LM body" in groups and "random weights" in groups:
        verdicts.append(compare_groups(groups["LM body"], groups["random weights"], "transfer", "from scratch").verdict)
        first = {start: [p[1] for p in curve[:1]] for start, curve in curves.items()}
        if first.get("LM body") and first.get("random weights"):
            verdicts.append(f"after epoch 1 (means): transfer {first['LM body'][0]:.1f}%, from scratch "
                            f"{first['random weights'][0]:.1f}% - pretraining usually shows first as a faster start")
    return Summary([table], ["transfer-curves.png"], notes + verdicts, {"curves": curves, "verdicts": verdicts})


RECIPES = (
    Recipe("lm-transfer", "LM pretraining then transfer",
           "A causal LM pretrained on the training text, its body then classifying, against the same model from "
           "scratch.", plan_transfer, summarize_transfer),
)
