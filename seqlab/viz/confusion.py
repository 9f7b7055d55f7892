"""Confusion matrix of a run's dev predictions (predictions.tsv), as numbers and as a heatmap."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqlab.errors import SeqlabError
from seqlab.viz.figures import pyplot


@dataclass(frozen=True)
class Confusion:
    """counts[i, j] = examples of gold class labels[i] predicted as labels[j]."""

    run: str
    labels: tuple[str, ...]
    counts: np.ndarray

    @property
    def accuracy(self) -> float:
        """Share of examples on the diagonal."""
        total = self.counts.sum()
        return float(np.trace(self.counts) / total) if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Labels, the count matrix and accuracy (for --json)."""
        return {"run": self.run, "labels": list(self.labels), "counts": self.counts.tolist(), "accuracy": self.accuracy}


def read_confusion(run_dir: Path) -> Confusion:
    """Count gold vs predicted labels in a run's predictions.tsv (class order from its config.json)."""
    from sklearn.metrics import confusion_matrix

    from seqlab.training.runs import PREDICTIONS_FILE, read_run_info

    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    path = run_dir / PREDICTIONS_FILE
    if not path.is_file():
        raise SeqlabError(
            f"{run_dir} has no {PREDICTIONS_FILE} (written when training finishes); finish the run or evaluate it first"
        )
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if not rows or not {"gold", "predicted"} <= set(rows[0]):
        raise SeqlabError(f"{path} has no gold/predicted columns; the run is damaged, evaluate it again")
    labels = list(info.labels)
    unknown = sorted(({r["gold"] for r in rows} | {r["predicted"] for r in rows}) - set(labels))
    if unknown:
        raise SeqlabError(f"{path} mentions labels {', '.join(unknown)} that the run does not have")
    counts = confusion_matrix([r["gold"] for r in rows], [r["predicted"] for r in rows], labels=labels)
    return Confusion(run_dir.name, tuple(labels), counts)


def confusion_figure(confusion: Confusion):
    """Heatmap: color = share of the gold row, text = count; gold on the left, predicted along the bottom."""
    plt = pyplot()
    n = len(confusion.labels)
    side = max(4.0, 0.8 * n + 2.5)
    fig, ax = plt.subplots(figsize=(side + 1, side))
    rows = confusion.counts.sum(axis=1, keepdims=True)
    shares = np.divide(confusion.counts, rows, out=np.zeros_like(confusion.counts, dtype=float), where=rows > 0)
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    labels = [label.replace("$", r"\$") for label in confusion.labels]
    ax.set_xticks(range(n), labels, rotation=45, ha="right")
    ax.set_yticks(range(n), labels)
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                str(int(confusion.counts[i, j])),
                ha="center",
                va="center",
                color="white" if shares[i, j] > 0.5 else "black",
            )
    ax.set(xlabel="predicted", ylabel="gold", title=f"{confusion.run}: accuracy {confusion.accuracy:.3f}")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the gold class")
    fig.tight_layout()
    return fig
