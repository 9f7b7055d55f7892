"""Training curves from runs' metrics.jsonl: the step loss and learning rate, loss and dev score per epoch
against the majority baseline, several runs overlaid."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.ticker import MaxNLocator

from seqlab.console import safe_text
from seqlab.errors import SeqlabError
from seqlab.training.runs import RESULT_FILE, read_metrics, read_run_info
from seqlab.viz.figures import pyplot


@dataclass(frozen=True)
class StepPoint:
    """One logged training step: where it falls in epochs (1.5 = half-way through epoch 2), loss and lr."""

    epoch: float
    loss: float
    lr: float | None


@dataclass(frozen=True)
class RunCurves:
    """Per-epoch numbers of one run: {split: {metric: [(epoch, value), ...]}}, its step records and baselines."""

    name: str
    family: str
    dataset: str
    task: str
    series: dict[str, dict[str, list[tuple[int, float]]]] = field(default_factory=dict)
    steps: tuple[StepPoint, ...] = ()
    majority_baseline: float | None = None  # dev accuracy of always answering the most common class

    @property
    def score(self) -> str:
        """The dev metric that ranks epochs: perplexity for language models, accuracy otherwise."""
        return "perplexity" if self.task == "lm" else "accuracy"

    def last(self, split: str, metric: str) -> float | None:
        """The value of `metric` on `split` at the last epoch (None when never recorded)."""
        points = self.series.get(split, {}).get(metric, [])
        return points[-1][1] if points else None

    def best_dev(self) -> float | None:
        """The best dev score over epochs (lowest perplexity, highest accuracy)."""
        points = [v for _, v in self.series.get("dev", {}).get(self.score, [])]
        if not points:
            return None
        return min(points) if self.score == "perplexity" else max(points)

    def final_metrics(self) -> dict[str, Any]:
        """The numbers of the run's last epoch and its best dev score (for the compare table)."""
        return {
            "run": self.name,
            "family": self.family,
            "dataset": self.dataset,
            "epochs": max((e for e, _ in self.series.get("dev", {}).get("loss", [])), default=0),
            "train_loss": self.last("train", "loss"),
            "dev_loss": self.last("dev", "loss"),
            f"dev_{self.score}": self.last("dev", self.score),
            "dev_macro_f1": self.last("dev", "macro_f1"),
            f"best_dev_{self.score}": self.best_dev(),
        }


def _step_points(records: list[dict[str, Any]]) -> tuple[StepPoint, ...]:
    """Step records placed on the epoch axis: a step half-way through epoch e sits at e - 0.5."""
    ends = {int(r["epoch"]): int(r["step"]) for r in records
            if r.get("event") == "epoch" and r.get("split") == "train" and "step" in r and "epoch" in r}
    first = ends.get(1)
    points = []
    for record in records:
        if record.get("event") != "step" or not isinstance(record.get("loss"), (int, float)):
            continue
        epoch, step = int(record.get("epoch", 1)), int(record.get("step", 0))
        start = ends.get(epoch - 1, 0 if epoch == 1 else None)
        end = ends.get(epoch)
        if start is not None and end is not None and end > start:
            x = epoch - 1 + (step - start) / (end - start)
        elif first:
            x = step / first
        else:
            continue  # first epoch unfinished: its length is not known yet
        lr = record.get("lr")
        points.append(StepPoint(float(x), float(record["loss"]), float(lr) if isinstance(lr, (int, float)) else None))
    return tuple(points)


def _majority(run_dir: Path) -> float | None:
    """The majority baseline's dev accuracy from result.json (None before the run finishes, or for an LM)."""
    try:
        result = json.loads((run_dir / RESULT_FILE).read_text(encoding="utf-8"))
        return float(result["dev"]["majority_baseline"]["accuracy"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_curves(run_dir: Path) -> RunCurves:
    """The per-epoch and step records of a run; SeqlabError when it is not a run or has finished no epoch."""
    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    series: dict[str, dict[str, list[tuple[int, float]]]] = {}
    records = read_metrics(run_dir)
    for record in records:
        if record.get("event", "epoch") != "epoch" or "split" not in record or "epoch" not in record:
            continue
        for key, value in record.items():
            if key in ("event", "epoch", "step", "split") or not isinstance(value, (int, float)):
                continue
            series.setdefault(record["split"], {}).setdefault(key, []).append((int(record["epoch"]), float(value)))
    if not series:
        raise SeqlabError(f"{run_dir} has no finished epoch in metrics.jsonl yet; train it (or wait) and try again")
    return RunCurves(run_dir.name, str(info.spec.get("family", "?")), info.dataset, info.task, series,
                     _step_points(records), _majority(run_dir))


def curves_title(run: RunCurves) -> str:
    """'transformer on builtin-sentiment' for a classifier, '... (language model)' for an LM."""
    return f"{run.family} on {run.dataset}" + (" (language model)" if run.task == "lm" else "")


def _short_run(name: str, limit: int = 34) -> str:
    """A run name for a legend: whole when short, else its start and its end (the date-time that tells
    runs of one model apart), joined by an ellipsis."""
    name = safe_text(" ".join(name.split()))
    if len(name) <= limit:
        return name
    return name[: limit // 2 - 1] + "…" + name[-(limit // 2):]


def _learning_rate(value: float, _position: object = None) -> str:
    """A tick of the learning-rate axis: 0.0025 -> '2.5e-3' (no '1e-3' offset above the axis)."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def curves_figure(runs: list[RunCurves], title: str = "training curves"):
    """Two panels, one colour per run. Left: the logged training loss (thin), loss per epoch (train solid,
    dev dashed) and, for one run, the learning rate on a right-hand axis. Right: the dev score per epoch
    with the majority baseline. The x axis is in epochs, ticks on whole epochs."""
    plt = pyplot()
    fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    several = len(runs) > 1
    for index, run in enumerate(runs):
        color = colors[index % len(colors)]
        name = f"{_short_run(run.name)}: " if several else ""
        if run.steps:
            loss_ax.plot([p.epoch for p in run.steps], [p.loss for p in run.steps], "-", color=color,
                         linewidth=0.8, alpha=0.45, label=None if several else "train, logged steps")
        for split, style in (("train", "-"), ("dev", "--")):
            points = run.series.get(split, {}).get("loss", [])
            if points:
                loss_ax.plot(*zip(*points), style, color=color, marker="o", markersize=5,
                             label=f"{name}{split}, end of epoch")
        points = run.series.get("dev", {}).get(run.score, [])
        if points:
            score_ax.plot(*zip(*points), "-", color=color, marker="o", markersize=5, label=f"{name}dev {run.score}")
    baselines = sorted({r.majority_baseline for r in runs if r.majority_baseline is not None and r.task != "lm"})
    for value in baselines:
        score_ax.axhline(value, color="grey", linestyle=":", linewidth=1.5, label=f"majority baseline {value:.1%}")
    if len(runs) == 1 and any(p.lr is not None for p in runs[0].steps):
        lr_ax = loss_ax.twinx()
        steps = [p for p in runs[0].steps if p.lr is not None]
        lr_ax.plot([p.epoch for p in steps], [p.lr for p in steps], color="tab:grey", linewidth=1.2,
                   linestyle="-.", label="learning rate (right axis)")
        lr_ax.set_ylabel("learning rate")
        lr_ax.set_ylim(bottom=0)
        lr_ax.yaxis.set_major_formatter(_learning_rate)
        handles, labels = loss_ax.get_legend_handles_labels()
        extra_handles, extra_labels = lr_ax.get_legend_handles_labels()
        loss_ax.legend(handles + extra_handles, labels + extra_labels, fontsize=9, loc="upper right")
    elif loss_ax.lines:
        loss_ax.legend(fontsize=8 if several else 9, loc="upper right")
    scores = {r.score for r in runs}
    if scores == {"accuracy"}:
        score_ax.set_ylabel("dev accuracy")
        score_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    elif scores == {"perplexity"}:
        score_ax.set_ylabel("dev perplexity (lower is better)")
    else:
        score_ax.set_ylabel("dev accuracy / perplexity")
    loss_ax.set(title="loss (thin: logged steps)" if several else "loss", xlabel="epoch", ylabel="cross-entropy")
    score_ax.set(title="dev score after each epoch", xlabel="epoch")
    last = max((e for r in runs for split in r.series.values() for pts in split.values() for e, _ in pts), default=1)
    for ax in (loss_ax, score_ax):
        ax.grid(alpha=0.3)
        ax.set_xlim(0 if ax is loss_ax else 0.5, last + 0.25)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if score_ax.lines:
        score_ax.legend(fontsize=8 if several else 9, loc="lower right" if scores == {"accuracy"} else "upper right")
    fig.suptitle(safe_text(title))
    return fig
