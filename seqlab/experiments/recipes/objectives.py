"""Pretraining objectives: the same Transformer body pretrained as a masked LM (BERT), as a causal LM (GPT),
or not at all, then fine-tuned on the same labelled task."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.recipe import Plan, Recipe, ResultTable, Summary
from seqlab.experiments.recipes.common import Sizes, train_config, with_seeds
from seqlab.experiments.recipes.lm_transfer import _mean_curve
from seqlab.experiments.summary import baseline_row_note, dev_scores, fmt_mean_sd, group_seeds, mean_sd

SIZES = Sizes(epochs=3, max_length=128)
BODY = {"d_model": 64, "n_heads": 4, "n_layers": 2, "d_ff": 128}
TINY_BODY = {"d_model": 32, "n_heads": 2, "n_layers": 1, "d_ff": 64}
MLM, CLM = "mlm-pretrain", "lm-pretrain"


def datasets(config: ExperimentConfig) -> tuple[str, str]:
    """(unlabelled pretraining text, labelled task): IMDB then CFIMDB with --data-dir, else the built-in corpus
    for both; --data picks the labelled task."""
    pretrain = "imdb" if config.data_dir else "builtin-sentiment"
    task = config.data or ("cfimdb" if config.data_dir else "builtin-sentiment")
    return pretrain, task


def plan_objectives(config: ExperimentConfig) -> Plan:
    """Two pretrainings of one body size (masked LM, causal LM) on the same text, then three classifiers
    fine-tuned on the same task: from the MLM body, from the causal-LM body, from random weights."""
    pretrain_data, task_data = datasets(config)
    body = dict(TINY_BODY if config.tiny else BODY)
    bidirectional = {"family": "transformer", **body}
    causal = {"family": "lm", **body}
    mlm = train_config(config, SIZES, pretrain_data, bidirectional, task="mlm")
    # --max-train caps the labelled examples; pretraining reads all the unlabelled text (a slice when --tiny)
    mlm = dataclasses.replace(mlm, max_train_examples=SIZES.tiny_max_train if config.tiny else None)
    clm = dataclasses.replace(mlm, model=causal, task="lm")
    classify = train_config(config, SIZES, task_data, bidirectional, task="classify")
    trials = with_seeds(config, MLM, {"stage": "pretrain", "objective": "masked LM"}, mlm)
    trials += with_seeds(config, CLM, {"stage": "pretrain", "objective": "causal LM"}, clm)
    trials += with_seeds(config, "none", {"stage": "fine-tune", "objective": "none"}, classify)
    trials += with_seeds(config, "from-mlm", {"stage": "fine-tune", "objective": "masked LM"}, classify, after=MLM)
    trials += with_seeds(config, "from-lm", {"stage": "fine-tune", "objective": "causal LM"},
                         dataclasses.replace(classify, model=causal), after=CLM)
    notes = [
        f"body: Transformer d_model {body['d_model']}, {body['n_layers']} layer(s), {body['n_heads']} heads, "
        f"d_ff {body['d_ff']}; the masked LM and its classifier read both ways (mean pooling), the causal LM and "
        "its classifier see only the past (last-token pooling)",
        f"pretraining text: all of {pretrain_data}'s training split (labels unused; a slice with --tiny), as many "
        f"epochs as fine-tuning; masked LM: BERT's 15% / 80-10-10 rule; fine-tuned on {task_data}"
        + (f" (first {config.max_train} labelled examples)" if config.max_train else ""),
    ]
    return Plan(trials, list(dict.fromkeys([pretrain_data, task_data])), notes)


def summarize_objectives(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Pretraining scores, fine-tuned dev accuracy (mean +/- sd over seeds) with curves, and a verdict."""
    from seqlab.experiments.plots import epoch_curves
    from seqlab.viz.figures import save_figure

    rows, curves, best = [], {}, {}
    for tags, items in group_seeds(records):
        if tags["stage"] == "pretrain":
            dev = [r["result"]["dev_record"] for r in items]
            score = f"perplexity {mean_sd([d.get('perplexity', float('nan')) for d in dev])[0]:.1f}"
            if tags["objective"] == "masked LM":
                score += f", masked-token top-1 {fmt_mean_sd([d.get('accuracy', float('nan')) for d in dev])}%"
            rows.append(("pretrain", tags["objective"], f"{items[0]['result']['parameters']:,}", score, "-", "-"))
            continue
        curve = _mean_curve(items, "accuracy")
        curves[tags["objective"]] = [(e, 100 * v) for e, v in curve]
        best[tags["objective"]] = mean_sd(dev_scores(items))[0]
        rows.append(("fine-tune", tags["objective"], f"{items[0]['result']['parameters']:,}",
                     fmt_mean_sd(dev_scores(items)), fmt_mean_sd(dev_scores(items, "macro_f1"), percent=False),
                     "  ".join(f"{v:.1f}" for _, v in curves[tags["objective"]])))
    save_figure(epoch_curves(curves, "dev accuracy per epoch after each pretraining objective"),
                out / "objectives-curves.png")
    table = ResultTable("Pretraining objectives then fine-tuning",
                        ("stage", "objective", "parameters", "dev score (accuracy % for fine-tuning)",
                         "dev macro-F1", "dev accuracy % per epoch"), tuple(rows))
    notes = [baseline_row_note(records)]
    if "none" in best:
        for objective in ("masked LM", "causal LM"):
            if objective in best:
                notes.append(f"{objective} pretraining minus none: {100 * (best[objective] - best['none']):+.1f} "
                             "accuracy points at the best epoch")
    if len(best) == 3:
        winner = max(best, key=best.__getitem__)
        notes.append(f"best start: {winner} ({100 * best[winner]:.1f}%); with {len(config.seed_list)} seed(s), a gap "
                     "smaller than the seeds' spread is not a finding")
    return Summary([table], ["objectives-curves.png"], notes, {"curves": curves, "best": best})


RECIPES = (
    Recipe("pretraining-objectives", "Pretraining objectives: masked LM vs causal LM vs none",
           "One Transformer body pretrained as BERT does (masked LM), as GPT does (causal LM), or not at all, then "
           "fine-tuned on the same labelled task.", plan_objectives, summarize_objectives),
)
