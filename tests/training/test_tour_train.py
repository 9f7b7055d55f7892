"""Tour step "train": leaves both runs for later steps and predicts the tour sentence."""

from __future__ import annotations

from rich.console import Console

from seqlab.tour import TourContext, tour_steps
from seqlab.tour import train as train_step

from .helpers import TINY_SPECS


def test_train_step_is_registered_after_the_data_steps():
    names = [step.name for step in tour_steps()]
    assert "train" in names
    assert names.index("train") > names.index("data")


def test_train_step_leaves_runs_for_later_steps(tmp_path, monkeypatch):
    monkeypatch.setattr(train_step, "TOUR_MODELS", (("lstm", TINY_SPECS["lstm"], 1),
                                                    ("transformer", TINY_SPECS["transformer"], 1)))
    console = Console(record=True, width=100)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    summary = train_step.STEP.run(ctx)
    for family in ("lstm", "transformer"):
        run = ctx.shared[f"{family}_run"]
        assert run.parent == tmp_path / "runs" and (run / "model.safetensors").is_file()
        assert 0.0 <= summary[family]["dev_accuracy"] <= 1.0
    assert summary["prediction"]["label"] in {"neg", "pos"}
    text = console.export_text()
    assert "random/majority" in text and train_step.TOUR_SENTENCE in text
