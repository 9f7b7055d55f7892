"""The teaching pictures: positions, masks, dataset lengths, a run's confusion matrix and training curves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqlab.io import to_jsonable
from seqlab.training.runs import read_run_info
from seqlab.viz.confusion import confusion_figure, read_confusion
from seqlab.viz.curves import curves_figure, curves_title, read_curves
from seqlab.viz.figures import DEFAULT_DPI, check_dpi, save_new_figure, shorten
from seqlab.viz.lengths import lengths_figure, split_lengths
from seqlab.viz.positions_masks import mask_matrices, masks_figure, positions_figure


@dataclass(frozen=True)
class FigureRequest:
    """Where and how to save a figure: a .png/.svg/.pdf file or a folder (None: a new one under ./figures), the
    format (None: the file's suffix, else png) and the dpi; the rule is `seqlab.outputs`'."""

    out: Path | None = None
    fmt: str | None = None
    dpi: int = DEFAULT_DPI


@dataclass(frozen=True)
class FigureReport:
    """The figure written and what it shows as plain values."""

    figure: Path
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """What `seqlab plot ... --json` prints."""
        return to_jsonable({"figure": str(self.figure), **self.data})


def save(figure: Any, request: FigureRequest, stem: str) -> Path:
    """Save as the request's file, or into its folder (or a new ./figures folder) under a name not taken yet."""
    return save_new_figure(figure, request.out, stem, request.fmt, request.dpi)


def positions(d_model: int = 64, max_len: int = 100, request: FigureRequest = FigureRequest()) -> FigureReport:
    """The sinusoidal position table as a heatmap and as curves."""
    check_dpi(request.dpi)
    return FigureReport(save(positions_figure(max_len, d_model), request, "positions"))


def masks(length: int = 8, padding: int = 3, request: FigureRequest = FigureRequest()) -> FigureReport:
    """Which keys each query may attend to under the causal mask, the padding mask, and both."""
    check_dpi(request.dpi)
    path = save(masks_figure(length, padding), request, "masks")
    return FigureReport(path, {"masks": {k: v.tolist() for k, v in mask_matrices(length, padding).items()}})


def lengths(dataset: str, data_dir: Path | None = None, seed: int = 0,
            request: FigureRequest = FigureRequest()) -> FigureReport:
    """Words per example for each split, with the train split's median and 95th percentile."""
    check_dpi(request.dpi)
    values = split_lengths(dataset, data_dir, seed)
    title = f"{shorten(dataset, 50)}: words per example"
    path = save(lengths_figure(values, title), request, "lengths")
    summary = {
        split: {
            "count": len(v),
            "p50": float(np.percentile(v, 50)),
            "p95": float(np.percentile(v, 95)),
            "max": int(max(v)),
        }
        for split, v in values.items()
    }
    return FigureReport(path, {"splits": summary})


def confusion(run: Path, request: FigureRequest = FigureRequest()) -> FigureReport:
    """A finished run's dev-set confusion matrix: gold classes down, predicted across."""
    check_dpi(request.dpi)
    read_run_info(run)  # a missing folder or one that is not a run: the one-line error every run command gives
    matrix = read_confusion(run)
    return FigureReport(save(confusion_figure(matrix), request, "confusion"), matrix.to_dict())


def curves(run: Path, request: FigureRequest = FigureRequest()) -> FigureReport:
    """A run's training loss, learning rate, loss per epoch and dev score against the majority baseline."""
    check_dpi(request.dpi)
    read_run_info(run)
    run_curves = read_curves(run)
    path = save(curves_figure([run_curves], curves_title(run_curves)), request, "curves")
    return FigureReport(path, {"final": run_curves.final_metrics()})
