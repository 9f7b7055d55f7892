"""The training result shows each class's dev recall, so a class the model never predicts is visible at once."""

from __future__ import annotations

from rich.console import Console

from seqlab.training.metrics import compute_metrics
from seqlab.training.render import recall_line


def _text(renderable) -> str:
    console = Console(width=80, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_recall_per_class_names_a_class_never_predicted():
    labels = ["0", "1", "2"]
    metrics = compute_metrics([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 1, 0], labels)
    text = _text(recall_line(metrics))
    assert "0 100.0% · 1 50.0% · 2 0.0%" in text
    assert "never predicted right: 2 (recall 0" in text


def test_every_class_recalled_has_no_warning_and_labels_are_escaped():
    labels = ["neg\x1b[2J", "pos"]
    metrics = compute_metrics([0, 1, 1], [0, 1, 0], labels)
    text = _text(recall_line(metrics))
    assert "never predicted" not in text and "\x1b" not in text and "neg\\e[2J 100.0%" in text


def test_seqlab_train_prints_the_recall_row(runner, tmp_path, monkeypatch):
    from seqlab.cli import app

    monkeypatch.setenv("SEQLAB_RUNS", str(tmp_path))
    result = runner.invoke(app, ["train", "--model", "lstm", "--epochs", "1", "--max-train-examples", "100",
                                 "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "dev recall per class" in result.output and "neg " in result.output and "pos " in result.output
