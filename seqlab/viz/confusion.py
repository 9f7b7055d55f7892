"""Confusion matrix of a run's dev predictions (predictions.tsv), as numbers and as a heatmap."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix

from seqlab.console import safe_text
from seqlab.errors import SeqlabError
from seqlab.training.runs import PREDICTIONS_FILE, read_run_info
from seqlab.viz.figures import pyplot, shorten

# Names of classes that datasets publish as numbers, for the axes of a figure.
LABEL_NAMES: dict[str, dict[str, str]] = {
    "sst": {"0": "very negative", "1": "negative", "2": "neutral", "3": "positive", "4": "very positive"},
    "sst2": {"0": "negative", "1": "positive"},
    "cfimdb": {"0": "negative", "1": "positive"},
}


def label_names(dataset: str, labels: tuple[str, ...]) -> list[str]:
    """Readable class names: 'very negative (0)' for SST's '0'; other labels as they are, '_' read as a space."""
    names = LABEL_NAMES.get(dataset, {})
    return [f"{names[label]} ({label})" if label in names else label.replace("_", " ") for label in labels]


@dataclass(frozen=True)
class Confusion:
    """counts[i, j] = examples of gold class labels[i] predicted as labels[j], on one split of one dataset."""

    run: str
    labels: tuple[str, ...]
    counts: np.ndarray
    dataset: str = ""
    split: str = "dev"
    model: str = ""

    @property
    def row_shares(self) -> np.ndarray:
        """counts divided by their gold row's total (0 for an empty row)."""
        rows = self.counts.sum(axis=1, keepdims=True)
        return np.divide(self.counts, rows, out=np.zeros_like(self.counts, dtype=float), where=rows > 0)

    @property
    def accuracy(self) -> float:
        """Share of examples on the diagonal."""
        total = self.counts.sum()
        return float(np.trace(self.counts) / total) if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Labels, the count matrix and accuracy (for --json)."""
        return {
            "run": self.run,
            "labels": list(self.labels),
            "counts": self.counts.tolist(),
            "accuracy": self.accuracy,
            "dataset": self.dataset,
            "split": self.split,
        }


def read_confusion(run_dir: Path) -> Confusion:
    """Count gold vs predicted labels in a run's predictions.tsv (class order from its config.json)."""
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
    return Confusion(run_dir.name, tuple(labels), counts, info.dataset, "dev", str(info.spec.get("family", "")))


def confusion_figure(confusion: Confusion):
    """Heatmap: colour and big number = share of the gold row (recall), small number = count; gold down the
    left, predicted along the bottom, class names where the dataset publishes numbers."""
    plt = pyplot()
    n = len(confusion.labels)
    side = max(4.5, 1.1 * n + 2.8)
    fig, ax = plt.subplots(figsize=(side + 1.6, side), layout="constrained")
    shares = confusion.row_shares
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    labels = [safe_text(label, 40) for label in label_names(confusion.dataset, confusion.labels)]  # drawn as typed
    ax.set_xticks(range(n), labels, rotation=30 if n > 2 else 0, ha="right" if n > 2 else "center")
    ax.set_yticks(range(n), labels)
    for i in range(n):
        for j in range(n):
            colour = "white" if shares[i, j] > 0.5 else "black"
            ax.text(j, i - 0.1, f"{shares[i, j]:.0%}", ha="center", va="center", color=colour,
                    fontsize=13 if n <= 3 else 11, fontweight="bold" if i == j else "normal")
            ax.text(j, i + 0.22, f"{int(confusion.counts[i, j]):,}", ha="center", va="center", color=colour,
                    fontsize=9)
    ax.set(xlabel="predicted class", ylabel="gold class")
    what = safe_text(" ".join(p for p in (confusion.dataset, confusion.model) if p) or shorten(confusion.run, 40))
    total = int(confusion.counts.sum())
    ax.set_title(f"{what}, {confusion.split} split ({total:,} examples)\naccuracy {confusion.accuracy:.1%}; "
                 "each row: share of that gold class")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="share of the gold class")
    return fig
