"""Tour step "fill": masked-LM pretraining on the built-in text, a filled blank, and an honest takeaway."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from seqlab.data.registry import load_splits
from seqlab.data.vocab import Vocab
from seqlab.tour import TourContext, tour_steps
from seqlab.tour import fill as fill_step
from seqlab.tour.lesson import takeaway
from seqlab.training.loading import load_run


def test_fill_step_runs_after_the_classifiers():
    names = [step.name for step in tour_steps()]
    assert names.index("fill") > names.index("train")


def test_fill_step_trains_an_mlm_and_fills_the_blank(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(fill_step, "FILL_EPOCHS", 1)
    monkeypatch.setattr(fill_step, "FILL_MODEL", {"family": "transformer", "dropout": 0.0, "d_model": 16,
                                                  "n_heads": 2, "n_layers": 1, "d_ff": 32})
    console = Console(record=True, width=80)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    summary = fill_step.STEP.run(ctx)
    assert 0.0 <= summary["top1"] <= 1.0 and len(summary["filled"]) == 5
    assert load_run(Path(summary["run"])).task == "mlm"
    text = console.export_text()
    assert fill_step.FILL_SENTENCE in text and "filled:" in text
    line = takeaway("fill", summary, ctx)
    assert line is not None and f"{summary['top1']:.1%}" in line and f"{summary['baseline']:.1%}" in line


def test_most_common_token_baseline_counts_only_maskable_tokens(tmp_path: Path):
    vocab = Vocab.build(["the film the end", "a film"], min_freq=1, mask_token=True)
    token, share = fill_step.most_common_token_share(["the film the end", "a film"], vocab)
    assert token in {"the", "film"} and share == 2 / 6  # <cls>/<sep> never count


def test_fill_takeaway_states_the_baseline(tmp_path: Path):
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=Console())
    line = takeaway("fill", {"top1": 0.7, "baseline": 0.118, "baseline_token": "the"}, ctx)
    assert line is not None and "70.0%" in line and "'the'" in line and "11.8%" in line
    assert takeaway("fill", {}, ctx) is None
    assert load_splits("builtin-sentiment").dev  # the step's fallback text exists offline
