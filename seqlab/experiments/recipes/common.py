"""What the training recipes share: the base TrainConfig, seeds as trials, and the standard figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.plots import epoch_curves
from seqlab.experiments.summary import baselines, dev_scores, group_seeds, seeds_phrase
from seqlab.experiments.trials import Trial
from seqlab.io import slugify
from seqlab.training.config import TrainConfig, with_default_lr
from seqlab.viz.confusion import Confusion, confusion_figure
from seqlab.viz.figures import save_figure

@dataclasses.dataclass(frozen=True)
class Budget:
    """How much one trial trains: epochs, max length in tokens, and how many training examples (None: all;
    otherwise a seeded, label-stratified sample, drawn anew for each seed)."""

    epochs: int
    max_length: int
    max_train: int | None = None

    def describe(self) -> str:
        """'4 epochs, 128 tokens, 4,000 training examples (seeded, label-stratified)'."""
        examples = ("the whole training split" if self.max_train is None
                    else f"at most {self.max_train:,} training examples (seeded, label-stratified)")
        return f"{self.epochs} epoch(s), {self.max_length} tokens, {examples}"

    def brief(self) -> str:
        """'up to 600 examples, 1 epoch, 32 tokens': the same in a few words, for a sentence."""
        examples = "all training examples" if self.max_train is None else f"up to {self.max_train:,} examples"
        return f"{examples}, {self.epochs} epoch{'' if self.epochs == 1 else 's'}, {self.max_length} tokens"


TINY = Budget(epochs=1, max_length=32, max_train=600)


@dataclasses.dataclass(frozen=True)
class Sizes:
    """What a recipe trains at each --budget: `full` is the study's own setting, `quick` the laptop default."""

    full: Budget
    quick: Budget
    tiny: Budget = TINY

    def pick(self, budget: str) -> Budget:
        """The Budget called `budget` (tiny, quick or full)."""
        return {"tiny": self.tiny, "quick": self.quick, "full": self.full}[budget]


def train_config(config: ExperimentConfig, sizes: Sizes, data: str, model: dict[str, Any], **settings: Any) -> TrainConfig:
    """The TrainConfig of one trial: the recipe's sizes at the chosen budget, overridden by the user's options.

    The learning rate is resolved here (the family's default unless `settings` has one), so the trial's key,
    a hash of its config, names the rate it trains with."""
    budget = sizes.pick(config.budget)
    max_train = config.max_train or budget.max_train
    return with_default_lr(TrainConfig(
        data=data,
        data_dir=config.data_dir if not data.startswith("builtin-") else None,
        model=model,
        epochs=config.epochs or budget.epochs,
        max_length=config.max_length or budget.max_length,
        max_train_examples=max_train,
        stratify_subset=max_train is not None,
        seed=config.seed,
        device=config.device,
        threads=config.threads,
        **config.own_files(),
        **settings,
    ))


def with_seeds(config: ExperimentConfig, name: str, tags: dict[str, Any], train: TrainConfig,
               after: str | None = None) -> list[Trial]:
    """The same trial once per seed (seed in the name and tags when there is more than one)."""
    trials = []
    for seed in config.seed_list:
        suffix = f"-seed{seed}" if config.seeds > 1 else ""
        trials.append(Trial(name + suffix, {**tags, "seed": seed}, dataclasses.replace(train, seed=seed),
                            after=(after + suffix) if after else None))
    return trials


def sentiment_dataset(config: ExperimentConfig, real: str = "imdb") -> str:
    """--data, else `real` when --data-dir is given, else the built-in sentiment corpus."""
    if config.data:
        return config.data
    return real if config.data_dir else "builtin-sentiment"


def baseline_lines(records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """{"majority baseline": %, "random baseline": %} of the records' dev split (empty when none was scored)."""
    base = baselines(records)
    if base is None:
        return {}
    return {"majority baseline": 100 * base.majority, "random baseline": 100 * base.random}


def accuracy_points(records: Sequence[dict[str, Any]], x_tag: str, line_tag: str | None = None
                    ) -> dict[str, list[tuple[float, list[float]]]]:
    """{line: [(x, [dev accuracy % of each seed])]} over the configurations of `records`."""
    series: dict[str, list[tuple[float, list[float]]]] = {}
    for tags, items in group_seeds(records):
        line = f"{line_tag} {tags[line_tag]}" if line_tag else "dev accuracy"
        series.setdefault(line, []).append((float(tags[x_tag]), [100 * v for v in dev_scores(items)]))
    return {k: sorted(v) for k, v in series.items()}


def trained_budget(records: Sequence[dict[str, Any]]) -> str:
    """What the records' trials trained on, in a few words ('up to 600 examples, 1 epoch, 32 tokens'), read from
    their configs (so --epochs and --max-train overrides show); the briefs joined when trials differ."""
    briefs = dict.fromkeys(Budget(int(c["epochs"]), int(c["max_length"]), c.get("max_train_examples")).brief()
                           for c in (r.get("config", {}) for r in records) if "epochs" in c and "max_length" in c)
    return "; ".join(briefs)


def figure_title(what: str, config: ExperimentConfig, records: Sequence[dict[str, Any]]) -> str:
    """A report figure's title: `what` it shows, and under it the dataset(s), the budget and the seeds its trials
    ran ('imdb · quick budget: up to 8,000 examples, 4 epochs, 128 tokens · 3 seeds each')."""
    data = ", ".join(dict.fromkeys(str(r.get("config", {}).get("data", "?")) for r in records)) or "?"
    budget = trained_budget(records)
    return f"{what}\n{data} · {config.budget} budget{': ' + budget if budget else ''} · {seeds_phrase(records)}"


def save_epoch_curves(records: Sequence[dict[str, Any]], out_dir: Path, title: str,
                      filename: str = "curves.png") -> str | None:
    """Dev accuracy per epoch of the first seed of every configuration, with the baselines; returns the file name."""
    curves = {}
    for tags, items in group_seeds(records):
        points = [(int(p["epoch"]), 100 * float(p["accuracy"])) for p in items[0]["result"].get("curve", [])
                  if "accuracy" in p]
        curves[", ".join(f"{k} {v}" for k, v in tags.items())] = points
    if not any(curves.values()):
        return None
    save_figure(epoch_curves(curves, title, baselines=baseline_lines(records)), out_dir / filename)
    return filename


def save_confusions(records: Sequence[dict[str, Any]], out_dir: Path) -> list[str]:
    """A confusion-matrix heatmap of the first seed of every configuration (from its dev scores)."""
    names = []
    for tags, items in group_seeds(records):
        dev = items[0]["result"].get("dev")
        if not dev:
            continue
        label = " ".join(str(v) for v in tags.values())
        name = f"confusion-{slugify(label)}.png"
        matrix = Confusion(label, tuple(dev["labels"]), np.asarray(dev["confusion"], dtype=np.int64))
        save_figure(confusion_figure(matrix), out_dir / name)
        names.append(name)
    return names
