"""Curves from metrics.jsonl and confusion matrices from predictions.tsv agree with what training recorded."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from seqlab.errors import SeqlabError
from seqlab.viz.confusion import confusion_figure, read_confusion
from seqlab.viz.curves import curves_figure, read_curves
from seqlab.viz.figures import save_figure


def test_curves_have_one_point_per_epoch(tiny_runs, tmp_path):
    curves = [read_curves(tiny_runs[name]) for name in ("transformer", "lstm")]
    for run in curves:
        assert [e for e, _ in run.series["train"]["loss"]] == [1, 2]
        assert [e for e, _ in run.series["dev"]["accuracy"]] == [1, 2]
    result = json.loads((tiny_runs["transformer"] / "result.json").read_text())
    final = curves[0].final_metrics()
    assert final["epochs"] == 2 and final["best_dev_accuracy"] == pytest.approx(result["best_dev"])
    with Image.open(save_figure(curves_figure(curves), tmp_path / "curves.png")) as image:
        assert image.size == (1200, 450)


def test_confusion_matches_the_runs_own_numbers(tiny_runs, tmp_path):
    confusion = read_confusion(tiny_runs["transformer"])
    result = json.loads((tiny_runs["transformer"] / "result.json").read_text())
    assert confusion.labels == ("neg", "pos")
    assert confusion.accuracy == pytest.approx(result["dev"]["accuracy"])
    with Image.open(save_figure(confusion_figure(confusion), tmp_path / "c.png")) as image:
        image.verify()


def test_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(SeqlabError, match="not a seqlab run"):
        read_curves(tmp_path)
