"""Training curves from runs' metrics.jsonl: the step loss, loss and dev score per epoch against the majority
baseline, the learning rate in its own panel, several runs overlaid under short legend names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.lines import Line2D
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


STAMP = re.compile(r"^(?P<stem>.*?)-(?P<date>\d{8})-(?P<time>\d{6})(?P<extra>-\d+)?$")  # new_run_dir's names
LEGEND_LIMIT = 34  # characters of a run's name in a legend


def _stamp_words(match: re.Match[str]) -> list[str]:
    """A run's date-time as words a reader parses: '2026-12-08', '01:02:03' (and '#2' for a same-second run)."""
    date, time = match["date"], match["time"]
    words = [f"{date[:4]}-{date[4:6]}-{date[6:]}", f"{time[:2]}:{time[2:4]}:{time[4:]}"]
    return words + ([f"#{match['extra'][1:]}"] if match["extra"] else [])


def legend_names(names: list[str], limit: int = LEGEND_LIMIT) -> list[str]:
    """Short names for runs in one legend: only what differs between them. The date-time seqlab appends to a
    run's folder is kept only for names whose rest repeats (the same model run twice); words every name shares
    (the dataset, the date) are dropped unless that would leave a name empty. Long ones are cut in the middle
    with an ellipsis, and a name that still repeats gets its place in the list ('(2)')."""
    clean = [safe_text(" ".join(str(n).split())) for n in names]
    matches = [STAMP.match(n) for n in clean]
    stems = [m["stem"] if m else n for m, n in zip(matches, clean)]
    stamps = [_stamp_words(m) if m and stems.count(stem) > 1 else [] for m, stem in zip(matches, stems)]
    words = [stem.split("-") for stem in stems]
    if len(names) > 1:
        shared_stem = set.intersection(*(set(w) for w in words))
        stamped = [set(w) for w in stamps if w]
        shared_stamp = set.intersection(*stamped) if len(stamped) > 1 else set()
        kept = [[w for w in ws if w not in shared_stem] for ws in words]
        kept_stamps = [[w for w in ws if w not in shared_stamp] for ws in stamps]
        if all(a or b for a, b in zip(kept, kept_stamps)):
            words, stamps = kept, kept_stamps
    labels = []
    for stem_words, stamp_words in zip(words, stamps):
        text = " ".join(filter(None, ["-".join(stem_words), *stamp_words]))
        if len(text) > limit:
            text = text[: limit // 2 - 1] + "…" + text[-(limit // 2):]
        labels.append(text)
    return [f"{t} ({i + 1})" if labels.count(t) > 1 else t for i, t in enumerate(labels)]


def _learning_rate(value: float, _position: object = None) -> str:
    """A tick of the learning-rate axis: 0.0025 -> '2.5e-3' (no '1e-3' offset above the axis)."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _layout(plt, with_lr: bool):
    """The figure and its axes: loss (left), dev score (right) and, with a learning rate, a small panel under
    the loss that shares its epoch axis (the rate has its own scale; on the loss axes it read as a loss)."""
    if not with_lr:
        fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
        return fig, loss_ax, score_ax, None
    fig, axes = plt.subplot_mosaic([["loss", "score"], ["lr", "score"]], figsize=(13, 6), layout="constrained",
                                   height_ratios=[3, 1])
    axes["lr"].sharex(axes["loss"])
    axes["loss"].tick_params(labelbottom=False)
    return fig, axes["loss"], axes["score"], axes["lr"]


def curves_figure(runs: list[RunCurves], title: str = "training curves"):
    """Two panels, one colour per run. Left: the logged training loss (thin), loss per epoch (train solid,
    dev dashed), and under it, when the runs logged one, the learning rate in a small panel of its own. Right:
    the dev score per epoch with the majority baseline. The x axes are in epochs, ticks on whole epochs. One
    legend below the panels, outside the data: the runs by the part of their names that differs, then what
    each line style means."""
    plt = pyplot()
    with_lr = any(p.lr is not None for r in runs for p in r.steps)
    fig, loss_ax, score_ax, lr_ax = _layout(plt, with_lr)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    several = len(runs) > 1
    handles: list[Line2D] = []
    for index, (run, name) in enumerate(zip(runs, legend_names([r.name for r in runs]))):
        color = colors[index % len(colors)]
        if run.steps:
            loss_ax.plot([p.epoch for p in run.steps], [p.loss for p in run.steps], "-", color=color,
                         linewidth=0.8, alpha=0.45)
        for split, style in (("train", "-"), ("dev", "--")):
            points = run.series.get(split, {}).get("loss", [])
            if points:
                loss_ax.plot(*zip(*points), style, color=color, marker="o", markersize=5)
        points = run.series.get("dev", {}).get(run.score, [])
        if points:
            score_ax.plot(*zip(*points), "-", color=color, marker="o", markersize=5)
        steps = [p for p in run.steps if p.lr is not None]
        if lr_ax is not None and steps:
            lr_ax.plot([p.epoch for p in steps], [p.lr for p in steps], color=color, linewidth=1.2)
        if several:
            handles.append(Line2D([], [], color=color, marker="o", markersize=5, label=name))
    key = "0.3" if several else colors[0]
    handles += [Line2D([], [], color=key, linewidth=0.8, alpha=0.6, label="train loss, logged steps"),
                Line2D([], [], color=key, marker="o", markersize=5, label="train loss, end of epoch"),
                Line2D([], [], color=key, linestyle="--", marker="o", markersize=5, label="dev loss, end of epoch")]
    baselines = sorted({r.majority_baseline for r in runs if r.majority_baseline is not None and r.task != "lm"})
    for value in baselines:
        handles.append(score_ax.axhline(value, color="grey", linestyle=":", linewidth=1.5,
                                        label=f"majority baseline {value:.1%}"))
    if baselines:  # autoscaling puts a baseline under every point on the frame's edge, where it is not seen
        low, high = score_ax.get_ylim()
        pad = 0.04 * (high - low)
        score_ax.set_ylim(min(low, baselines[0] - pad), max(high, baselines[-1] + pad))
    scores = {r.score for r in runs}
    if scores == {"accuracy"}:
        score_ax.set_ylabel("dev accuracy")
        score_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    elif scores == {"perplexity"}:
        score_ax.set_ylabel("dev perplexity (lower is better)")
    else:
        score_ax.set_ylabel("dev accuracy / perplexity")
    loss_ax.set(title="loss", ylabel="cross-entropy")
    score_ax.set(title="dev score after each epoch", xlabel="epoch")
    if lr_ax is None:
        loss_ax.set_xlabel("epoch")
    else:
        lr_ax.set(xlabel="epoch", ylabel="learning rate")
        lr_ax.set_ylim(bottom=0)
        lr_ax.yaxis.set_major_formatter(_learning_rate)
        lr_ax.yaxis.set_major_locator(MaxNLocator(3))
    last = max((e for r in runs for split in r.series.values() for pts in split.values() for e, _ in pts), default=1)
    for ax in filter(None, (loss_ax, score_ax, lr_ax)):
        ax.grid(alpha=0.3)
        ax.set_xlim(0 if ax is not score_ax else 0.5, last + 0.25)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4 if several else 5),
               fontsize=9, frameon=False)
    fig.suptitle(safe_text(title))
    return fig
