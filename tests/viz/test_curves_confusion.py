"""Curves from metrics.jsonl and confusion matrices from predictions.tsv agree with what training recorded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from seqlab.errors import SeqlabError
from seqlab.viz.confusion import confusion_figure, label_names, read_confusion
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
    steps = curves[0].steps  # 64 examples in batches of 16, logged every 2 steps: 2 records per epoch
    assert [round(p.epoch, 2) for p in steps] == [0.5, 1.0, 1.5, 2.0] and all(p.lr is not None for p in steps)
    assert curves[0].majority_baseline == pytest.approx(result["dev"]["majority_baseline"]["accuracy"])
    with Image.open(save_figure(curves_figure(curves), tmp_path / "curves.png", dpi=100)) as image:
        assert image.size == (1300, 500)


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
