"""Curves from metrics.jsonl and confusion matrices from predictions.tsv agree with what training recorded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from seqlab.errors import SeqlabError
from seqlab.viz.confusion import confusion_figure, label_names, read_confusion
from seqlab.viz.curves import RunCurves, StepPoint, curves_figure, legend_names, read_curves
from seqlab.viz.figures import pyplot, save_figure

from .layout import assert_clean_layout


def test_curves_have_one_point_per_epoch(tiny_runs, tmp_path):
    curves = [read_curves(tiny_runs[name]) for name in ("transformer", "lstm")]
    for run in curves:
        assert [e for e, _ in run.series["train"]["loss"]] == [1, 2]
        assert [e for e, _ in run.series["dev"]["accuracy"]] == [1, 2]
    result = json.loads((tiny_runs["transformer"] / "result.json").read_text())
    final = curves[0].final_metrics()
    assert final["epochs"] == 2 and final["best_dev_accuracy"] == pytest.approx(result["best_dev"])
    steps = curves[0].steps  # 64 examples in batches of 16, logged every 2 steps: 2 records per epoch
    assert [round(p.epoch, 2) for p in steps] == [0.5, 1.0, 1.5, 2.0] and all(p.lr is not None for p in steps)
    assert curves[0].majority_baseline == pytest.approx(result["dev"]["majority_baseline"]["accuracy"])
    with Image.open(save_figure(curves_figure(curves), tmp_path / "curves.png", dpi=100)) as image:
        assert image.size == (1300, 600)  # 13 x 6 inches: a learning-rate panel under the loss


def test_confusion_matches_the_runs_own_numbers(tiny_runs, tmp_path):
    confusion = read_confusion(tiny_runs["transformer"])
    result = json.loads((tiny_runs["transformer"] / "result.json").read_text())
    assert confusion.labels == ("neg", "pos") and (confusion.dataset, confusion.split) == ("builtin-sentiment", "dev")
    np.testing.assert_allclose(confusion.row_shares.sum(axis=1), 1.0)
    assert confusion.accuracy == pytest.approx(result["dev"]["accuracy"])
    with Image.open(save_figure(confusion_figure(confusion), tmp_path / "c.png")) as image:
        image.verify()


def test_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(SeqlabError, match="not a seqlab run"):
        read_curves(tmp_path)


def test_class_names_where_the_dataset_publishes_numbers():
    assert label_names("sst", ("0", "4")) == ["very negative (0)", "very positive (4)"]
    assert label_names("rte", ("entailment", "not_entailment")) == ["entailment", "not entailment"]


def _run(name: str, lr: bool = True) -> RunCurves:
    steps = tuple(StepPoint(e / 4, 0.7 - 0.01 * e, 1e-3 * e if lr else None) for e in range(1, 9))
    series = {"train": {"loss": [(1, 0.6), (2, 0.5)]},
              "dev": {"loss": [(1, 0.65), (2, 0.6)], "accuracy": [(1, 0.52), (2, 0.58)]}}
    return RunCurves(name, "lstm", "builtin-sentiment", "classify", series, steps, 0.55)


def test_legend_names_keep_only_what_differs():
    """Run folders are named data-model-date-time: a legend shows the part that tells them apart (issue 30.9)."""
    assert legend_names(["sst-lstm-20261208-010203", "sst-gru-20261208-011500"]) == ["lstm", "gru"]
    assert legend_names(["sst-lstm-20261208-010203", "sst-lstm-20261208-011500", "sst-lm-transfer-20261208-012000"]
                        ) == ["lstm 01:02:03", "lstm 01:15:00", "lm-transfer"]
    assert legend_names(["sst-lm-transfer", "sst-lm"]) == ["sst-lm-transfer", "sst-lm"]  # never an empty name
    assert legend_names(["a", "a"]) == ["a (1)", "a (2)"]
    assert legend_names(["x" * 80]) == ["x" * 16 + "…" + "x" * 17]


def _overlap(a, b) -> float:
    """The area two pixel boxes share (0 when apart)."""
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


def test_compare_legend_stays_off_the_curves_and_the_baseline(tiny_runs):
    """One legend below the panels: its box shares no pixel with any axes, so it covers neither a curve nor the
    majority baseline; its names are short (no date-times when the models differ) and drawn literally."""
    runs = [read_curves(tiny_runs[name]) for name in ("transformer", "lstm")] + [_run("sst-$x$-20261208-010203")]
    figure = curves_figure(runs, "training curves")
    try:
        assert_clean_layout(figure)
        (legend,) = figure.legends
        renderer = figure.canvas.get_renderer()
        box = legend.get_window_extent(renderer)
        assert all(_overlap(box, ax.get_window_extent(renderer)) == 0 for ax in figure.axes)
        texts = [t.get_text() for t in legend.get_texts()]
        assert "sst-$x$" in texts and not any(ch.isdigit() for t in texts[:3] for ch in t), texts
        assert any(t.startswith("majority baseline") for t in texts)
        score = next(ax for ax in figure.axes if ax.get_ylabel() == "dev accuracy")
        low, high = score.get_ylim()
        baseline = next(line for line in score.lines if line.get_label().startswith("majority baseline"))
        assert low + 0.02 * (high - low) < baseline.get_ydata()[0] < high  # inside the frame, not on its edge
        assert all(ax.get_legend() is None for ax in figure.axes)
    finally:
        pyplot().close(figure)


def test_learning_rate_has_its_own_panel_under_the_loss(tiny_runs):
    """The rate is not drawn on the loss or score axes (no twin axis): a small panel below the loss, sharing its
    epoch axis, labelled 'learning rate'."""
    figure = curves_figure([read_curves(tiny_runs["transformer"])], "t")
    try:
        assert_clean_layout(figure)
        by_label = {ax.get_ylabel(): ax for ax in figure.axes}
        loss, score, lr = by_label["cross-entropy"], by_label["dev accuracy"], by_label["learning rate"]
        assert len(figure.axes) == 3 and lr.get_shared_x_axes().joined(lr, loss)
        assert not lr.get_shared_x_axes().joined(lr, score)
        loss_box, lr_box = loss.get_window_extent(), lr.get_window_extent()
        assert lr_box.y1 <= loss_box.y0 and lr_box.height < loss_box.height / 2  # below, and small
        assert lr.lines and all(line.get_ydata().max() < 0.1 for line in lr.lines)
        assert all(max(line.get_ydata(), default=1) > 0.1 for line in loss.lines)  # only losses up there
    finally:
        pyplot().close(figure)
    figure = curves_figure([_run("no-rate", lr=False)], "t")
    assert len(figure.axes) == 2  # nothing logged, no panel
    pyplot().close(figure)
