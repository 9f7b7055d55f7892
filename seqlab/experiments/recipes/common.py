"""What the training recipes share: the base TrainConfig, seeds as trials, and the standard figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

from seqlab.experiments.config import ExperimentConfig
from seqlab.experiments.summary import dev_scores, group_seeds, mean_sd
from seqlab.experiments.trials import Trial
from seqlab.training.config import TrainConfig

TINY_EPOCHS = 1
TINY_MAX_TRAIN = 600
TINY_MAX_LENGTH = 32


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much a recipe trains by default, at full size and at the tiny budget."""

    epochs: int
    max_length: int
    max_train: int | None = None
    tiny_epochs: int = TINY_EPOCHS
    tiny_max_length: int = TINY_MAX_LENGTH
    tiny_max_train: int | None = TINY_MAX_TRAIN


def train_config(config: ExperimentConfig, sizes: Sizes, data: str, model: dict[str, Any], **settings: Any) -> TrainConfig:
    """The TrainConfig of one trial: the recipe's sizes (tiny or full), overridden by the user's options."""
    epochs = sizes.tiny_epochs if config.tiny else sizes.epochs
    max_length = sizes.tiny_max_length if config.tiny else sizes.max_length
    max_train = sizes.tiny_max_train if config.tiny else sizes.max_train
    return TrainConfig(
        data=data,
        data_dir=config.data_dir if not data.startswith("builtin-") else None,
        model=model,
        epochs=config.epochs or epochs,
        max_length=config.max_length or max_length,
        max_train_examples=config.max_train or max_train,
        seed=config.seed,
        device=config.device,
        threads=config.threads,
        **config.own_files(),
        **settings,
    )


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


def majority_percent(records: Sequence[dict[str, Any]]) -> float | None:
    """The majority-class baseline of the records' dev split, in percent."""
    for record in records:
        dev = record["result"].get("dev")
        if dev:
            return 100 * dev["majority_baseline"]["accuracy"]
    return None


def accuracy_points(records: Sequence[dict[str, Any]], x_tag: str, line_tag: str | None = None
                    ) -> dict[str, list[tuple[float, float, float]]]:
    """{line: [(x, mean accuracy %, sd %)]} over the configurations of `records`."""
    series: dict[str, list[tuple[float, float, float]]] = {}
    for tags, items in group_seeds(records):
        mean, sd = mean_sd(dev_scores(items))
        line = f"{line_tag} {tags[line_tag]}" if line_tag else "dev accuracy"
        series.setdefault(line, []).append((float(tags[x_tag]), 100 * mean, 100 * sd))
    return {k: sorted(v) for k, v in series.items()}


def save_epoch_curves(records: Sequence[dict[str, Any]], out_dir: Path, title: str,
                      filename: str = "curves.png") -> str | None:
    """dev accuracy per epoch of the first seed of every configuration; returns the file name."""
    from seqlab.experiments.plots import epoch_curves
    from seqlab.viz.figures import save_figure

    curves = {}
    for tags, items in group_seeds(records):
        points = [(int(p["epoch"]), 100 * float(p["accuracy"])) for p in items[0]["result"].get("curve", [])
                  if "accuracy" in p]
        curves[" ".join(f"{v}" for v in tags.values())] = points
    if not any(curves.values()):
        return None
    save_figure(epoch_curves(curves, title), out_dir / filename)
    return filename


def save_confusions(records: Sequence[dict[str, Any]], out_dir: Path) -> list[str]:
    """A confusion-matrix heatmap of the first seed of every configuration (from its dev scores)."""
    import numpy as np

    from seqlab.io import slugify
    from seqlab.viz.confusion import Confusion, confusion_figure
    from seqlab.viz.figures import save_figure

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
