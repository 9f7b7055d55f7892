"""Checks on trained runs (transformer, LSTM, causal LM) and on the pretrained MiniLM weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.proofs.runner import CheckConfig, check_identities

TINY_SPECS = {
    "transformer": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "lstm": {"family": "lstm", "embed_dim": 16, "hidden_size": 16},
    "lm": {"family": "lm", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
}


@pytest.fixture(scope="module")
def trained_runs(tmp_path_factory) -> dict[str, Path]:
    """One tiny run per family, trained for one epoch on 64 built-in examples."""
    from seqlab.training import TrainConfig, train

    root = tmp_path_factory.mktemp("runs")
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(root))
        for family, spec in TINY_SPECS.items():
            config = TrainConfig(
                model=spec, max_train_examples=64, epochs=1, batch_size=16, max_length=24, threads=1, device="cpu"
            )
            runs[family] = train(config, quiet=True).run_dir
    return runs


def test_tour_step_proves_all_then_checks_the_tour_run(trained_runs, tmp_path):
    from rich.console import Console

    from seqlab.tour import TourContext, tour_steps
    from seqlab.tour.proofs import STEP

    assert STEP.name == "proofs" and STEP in tour_steps()
    console = Console(record=True, width=100)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    ctx.shared["transformer_run"] = trained_runs["transformer"]
    ctx.shared["lstm_run"] = trained_runs["lstm"]
    summary = STEP.run(ctx)
    assert summary["proved"] == summary["identities"] == summary["checks_passed"] == 11
    assert summary["lstm_checks_passed"] == 2
    assert summary["checked_on"] == f"run {trained_runs['transformer'].name}"
    assert (tmp_path / "proofs.tex").is_file()
    text = console.export_text()
    assert "seqlab check --run" in text and "live measurement" in text


def test_check_on_a_trained_transformer_run(trained_runs, runner):
    run = str(trained_runs["transformer"])
    ids = ["layernorm-norm", "sinusoidal-rotation", "padding-mask"]
    result = runner.invoke(app, ["check", *ids, "--run", run, "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["all_passed"] is True
    assert payload["target"].startswith("run ")
    layernorm, positions, padding = payload["results"]
    assert "fresh" not in layernorm["detail"] and "fresh" not in positions["detail"]
    assert "real outputs moved (whole model)" in padding["extra"]


def test_lstm_run_is_measured_on_its_own_lstm(trained_runs):
    ids = ("lstm-not-convex", "padding-mask", "attention-cost")
    report = check_identities(CheckConfig(ids=ids, run=trained_runs["lstm"], device="cpu"))
    assert report.all_passed, [row.check.detail for row in report.rows]
    lstm, padding, cost = report.rows
    assert "fresh" not in lstm.check.detail
    assert "RNNClassifier" in padding.check.detail  # the packed LSTM ignores its pads too
    assert "LSTM" in cost.check.detail and "no recurrent layer" not in cost.check.detail


def test_causal_lm_run_is_checked_whole(trained_runs):
    report = check_identities(CheckConfig(ids=("causal-mask",), run=trained_runs["lm"], device="cpu"))
    row = report.rows[0]
    assert row.passed, row.check.detail
    assert "whole CausalLM" in row.check.detail
    assert row.check.extra["earlier hidden states moved (whole model)"] == 0.0


def test_pretrained_minilm(minilm_dir):
    ids = ("layernorm-norm", "padding-mask", "multihead-params", "sinusoidal-rotation")
    report = check_identities(CheckConfig(ids=ids, pretrained=True, checkpoint=minilm_dir, device="cpu"))
    assert report.all_passed, [row.check.detail for row in report.rows]
    layernorm, padding, params, positions = report.rows
    assert "13 LayerNorm module(s)" in layernorm.check.detail  # embeddings + 2 per layer x 6 layers
    assert "BertModel" in padding.check.detail
    assert "d=384, h=12" in params.check.detail
    assert "learned" in positions.check.detail  # BERT's positions are learned: a fresh table is measured instead
