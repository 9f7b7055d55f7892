"""Training curves from runs' metrics.jsonl: loss and dev score per epoch, several runs overlaid."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seqlab.errors import SeqlabError
from seqlab.viz.figures import pyplot


@dataclass(frozen=True)
class RunCurves:
    """Per-epoch numbers of one run: {split: {metric: [(epoch, value), ...]}} and its final records."""

    name: str
    family: str
    dataset: str
    task: str
    series: dict[str, dict[str, list[tuple[int, float]]]] = field(default_factory=dict)

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


def read_curves(run_dir: Path) -> RunCurves:
    """The per-epoch records of a run; SeqlabError when it is not a run or has finished no epoch."""
    from seqlab.training.runs import read_metrics, read_run_info

    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    series: dict[str, dict[str, list[tuple[int, float]]]] = {}
    for record in read_metrics(run_dir):
        if record.get("event", "epoch") != "epoch" or "split" not in record or "epoch" not in record:
            continue
        for key, value in record.items():
            if key in ("event", "epoch", "step", "split") or not isinstance(value, (int, float)):
                continue
            series.setdefault(record["split"], {}).setdefault(key, []).append((int(record["epoch"]), float(value)))
    if not series:
        raise SeqlabError(f"{run_dir} has no finished epoch in metrics.jsonl yet; train it (or wait) and try again")
    return RunCurves(run_dir.name, str(info.spec.get("family", "?")), info.dataset, info.task, series)


def curves_figure(runs: list[RunCurves], title: str = "training curves"):
    """Two panels: loss per epoch (train solid, dev dashed) and the dev score per epoch, one color per run."""
    plt = pyplot()
    fig, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, run in enumerate(runs):
        color = colors[index % len(colors)]
        for split, style in (("train", "-"), ("dev", "--")):
            points = run.series.get(split, {}).get("loss", [])
            if points:
                loss_ax.plot(*zip(*points), style, color=color, marker="o", markersize=3, label=f"{run.name} {split}")
            for metric in ("accuracy", "perplexity"):
                points = run.series.get(split, {}).get(metric, [])
                if points:
                    score_ax.plot(
                        *zip(*points),
                        style,
                        color=color,
                        marker="o",
                        markersize=3,
                        label=f"{run.name} {split} {metric}",
                    )
    loss_ax.set(title="loss (train solid, dev dashed)", xlabel="epoch", ylabel="cross-entropy")
    score_ax.set(title="dev score", xlabel="epoch", ylabel="accuracy / perplexity")
    for ax in (loss_ax, score_ax):
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
