"""Pretraining objectives: the same Transformer body pretrained as a masked LM (BERT), as a causal LM (GPT),
or not at all, then fine-tuned on the same labelled task."""

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
from seqlab.experiments.stats import spread
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

# Fine-tuning: CFIMDB (with --data-dir) or the built-in corpus, all of its training split; --max-train caps it.
SIZES = Sizes(full=Budget(epochs=5, max_length=128), quick=Budget(epochs=5, max_length=64))


@dataclasses.dataclass(frozen=True)
class Pretraining:
    """How much unlabelled IMDB text the two pretrainings read (with --data-dir): `texts` reviews (a seeded
    sample; None: the whole training split), `epochs` passes (None: as many as fine-tuning), scored each epoch
    on `dev_texts` dev reviews, words seen fewer than `min_freq` times read as <unk>. A causal LM predicts every
    word over the whole vocabulary, so the vocabulary and the text are what the quick budget trims."""

    texts: int | None
    epochs: int | None
    dev_texts: int | None
    min_freq: int

    def describe(self) -> str:
        """'3,000 IMDB reviews (seeded sample), 3 epoch(s), ...'."""
        texts = "all IMDB training reviews" if self.texts is None else f"{self.texts:,} IMDB reviews (seeded sample)"
        epochs = "as many epochs as fine-tuning" if self.epochs is None else f"{self.epochs} epoch(s)"
        dev = "all dev reviews" if self.dev_texts is None else f"{self.dev_texts:,} dev reviews"
        return f"{texts}, {epochs}, scored on {dev}, words seen at least {self.min_freq} time(s)"


# On the built-in corpus both pretrainings read all 3,000 unlabelled sentences for as many epochs as fine-tuning.
REAL_PRETRAINING = {"quick": Pretraining(texts=2000, epochs=2, dev_texts=300, min_freq=10),
                    "full": Pretraining(texts=None, epochs=None, dev_texts=None, min_freq=2)}
BUDGET_NOTES = (  # for the budget table of docs/results/experiments.md
    "pretraining-objectives: its row above is the fine-tuning; with --data-dir both pretrainings read, at "
    + "; at ".join(f"{budget}: {real.describe()}" for budget, real in REAL_PRETRAINING.items())
    + " (on the built-in corpus: all 3,000 sentences, as many epochs as fine-tuning).",
)
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
    classify = train_config(config, SIZES, task_data, bidirectional, task="classify")
    mlm = dataclasses.replace(train_config(config, SIZES, pretrain_data, bidirectional, task="mlm"),
                              **pretraining_settings(config))
    clm = dataclasses.replace(mlm, model=causal, task="lm")
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
        f"pretraining text: {describe_pretraining(config, pretrain_data)} (labels unused); masked LM: BERT's "
        f"15% / 80-10-10 rule; fine-tuned on {task_data}",
        f"{config.budget} budget: {SIZES.pick(config.budget).describe()}",
    ]
    return Plan(trials, list(dict.fromkeys([pretrain_data, task_data])), notes)


def pretraining_settings(config: ExperimentConfig) -> dict[str, Any]:
    """The TrainConfig fields of both pretrainings: all of the text (a slice at --budget tiny), or on IMDB the
    budget's sample, epochs, dev sample and min_freq (--epochs still overrides the epochs)."""
    if config.tiny:
        return {"max_train_examples": SIZES.tiny.max_train, "stratify_subset": False}
    if not config.data_dir:
        return {"max_train_examples": None, "stratify_subset": False}
    real = REAL_PRETRAINING[config.budget]
    epochs = config.epochs or real.epochs or SIZES.pick(config.budget).epochs
    return {"max_train_examples": real.texts, "stratify_subset": real.texts is not None, "epochs": epochs,
            "max_dev_examples": real.dev_texts, "min_freq": real.min_freq}


def describe_pretraining(config: ExperimentConfig, pretrain_data: str) -> str:
    """What the pretrainings read, in words."""
    if config.tiny:
        return f"the first {SIZES.tiny.max_train:,} texts of {pretrain_data}'s training split"
    if not config.data_dir:
        return f"all of {pretrain_data}'s training split, as many epochs as fine-tuning"
    return REAL_PRETRAINING[config.budget].describe()


def summarize_objectives(config: ExperimentConfig, records: list[dict[str, Any]], out: Path) -> Summary:
    """Pretraining scores, fine-tuned dev/test accuracy over seeds with curves, and verdicts against none."""
    rows, curves, groups = [], {}, {}
    finetuned = [r for r in records if r["tags"].get("stage") == "fine-tune"]
    dev_base = baselines(finetuned)
    for tags, items in group_seeds(records):
        if tags["stage"] == "pretrain":
            dev = [r["result"]["dev_record"] for r in items]
            score = f"{spread([d.get('perplexity', float('nan')) for d in dev]).mean:.1f} ppl"
            if tags["objective"] == "masked LM":
                score += f", {100 * spread([d.get('accuracy', float('nan')) for d in dev]).mean:.1f}% masked"
            rows.append(("pretrain", tags["objective"], f"{items[0]['result']['parameters']:,}", score,
                         "-", "-", "-"))
            continue
        curve = mean_curve(items, "accuracy")
        curves[tags["objective"]] = [(e, 100 * v) for e, v in curve]
        groups[tags["objective"]] = (tags, items)
        rows.append(("fine-tune", tags["objective"], f"{items[0]['result']['parameters']:,}",
                     *score_cells(items, dev_base)))
    rows += baseline_rows(finetuned, gap=("-", "-"))
    save_figure(epoch_curves(curves, figure_title("dev accuracy per epoch (mean over seeds) after each pretraining "
                                                  "objective", config, finetuned),
                             baselines=baseline_lines(finetuned)), out / "objectives-curves.png")
    table = ResultTable(f"Pretraining objectives then fine-tuning ({seeds_phrase(finetuned)})",
                        ("stage", "objective", "params", "dev acc % (pretrain: score)", "test acc %", "dev F1",
                         "vs majority"), tuple(rows))
    notes = [baseline_row_note(finetuned),
             "pretraining rows give dev perplexity (ppl; masked and next-token perplexities are different "
             "problems, not comparable) and, for the masked LM, top-1 accuracy at the masked positions",
             *(f"dev accuracy % per epoch, mean over seeds, {objective}: " + ", ".join(f"{v:.1f}" for _, v in curve)
               for objective, curve in curves.items())]
    verdicts = [compare_groups(groups[a], groups[b], a, b).verdict
                for a, b in (("masked LM", "none"), ("causal LM", "none"), ("masked LM", "causal LM"))
                if a in groups and b in groups]
    return Summary([table], ["objectives-curves.png"], notes + verdicts, {"curves": curves, "verdicts": verdicts})


RECIPES = (
    Recipe("pretraining-objectives", "Pretraining objectives: masked LM vs causal LM vs none",
           "One Transformer body pretrained as BERT does (masked LM), as GPT does (causal LM), or not at all, then "
           "fine-tuned on the same labelled task.", plan_objectives, summarize_objectives),
)
