"""The tour's attention and params steps run and report what they showed."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from seqlab.tour import TourContext, tour_steps


def _context(tmp_path: Path, **shared) -> TourContext:
    return TourContext(out_dir=tmp_path, seed=0, device="cpu", console=Console(quiet=True), shared=dict(shared))


def test_steps_are_registered():
    names = [step.name for step in tour_steps()]
    assert "attention" in names and "params" in names


def test_params_step_matches_every_formula(tmp_path):
    from seqlab.tour.params import STEP

    summary = STEP.run(_context(tmp_path))
    assert summary["minilm"]["match"] and summary["lm-transfer"]["counted"] == 21_018_401
    assert summary["lm-transfer-tied"]["counted"] == 11_018_201 and summary["heads_equal"]


def test_attention_step_uses_the_trained_run(tmp_path, tiny_runs, monkeypatch):
    import seqlab.paths
    from seqlab.tour.attention import STEP

    monkeypatch.setattr(seqlab.paths, "has_pretrained", lambda: False)  # MiniLM is covered in test_commands
    summary = STEP.run(_context(tmp_path, transformer_run=tiny_runs["transformer"]))
    entry = summary[tiny_runs["transformer"].name]
    assert entry["layers"] == 2 and Path(entry["grid"]).is_file() and Path(entry["head_view"]).is_file()
