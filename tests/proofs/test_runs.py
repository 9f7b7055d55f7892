"""Checks on trained runs (transformer, LSTM, causal LM) and on the pretrained MiniLM weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqlab.cli import app
from seqlab.proofs.checking import check_identities
from seqlab.proofs.runner import CheckConfig

TINY_SPECS = {
    "transformer": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "lstm": {"family": "lstm", "embed_dim": 16, "hidden_size": 16},
    "lm": {"family": "lm", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    "gru": {"family": "gru", "embed_dim": 16, "hidden_size": 16},
}


@pytest.fixture(scope="module")
def trained_runs(tmp_path_factory) -> dict[str, Path]:
    """One tiny run per family, trained for one epoch on 64 built-in examples."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    root = tmp_path_factory.mktemp("runs")
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(root))
        for family, spec in TINY_SPECS.items():
            config = TrainConfig(
                model=spec, max_train_examples=64, epochs=1, batch_size=16, max_length=24, threads=1, device="cpu"
            )
            runs[family] = train(config, quiet=True).run_dir
        frozen = TrainConfig(
            model={"family": "lm"}, init_from=str(runs["lm"]), freeze=True, max_train_examples=64, epochs=1,
            batch_size=16, max_length=24, threads=1, device="cpu", lr=1e-2,
        )
        runs["frozen"] = train(frozen, quiet=True).run_dir
    return runs


def test_tour_step_proves_all_then_checks_the_tour_run(trained_runs, tmp_path):
    from rich.console import Console

    from seqlab.proofs import select
    from seqlab.tour import TourContext, tour_steps
    from seqlab.tour.proofs import STEP

    assert STEP.name == "proofs" and STEP in tour_steps()
    console = Console(record=True, width=80, color_system=None)
    ctx = TourContext(out_dir=tmp_path, seed=0, device="cpu", console=console)
    ctx.shared["transformer_run"] = trained_runs["transformer"]
    ctx.shared["lstm_run"] = trained_runs["lstm"]
    summary = STEP.run(ctx)
    from seqlab.proofs import REGISTRY

    assert summary["proved"] == summary["identities"] == len(REGISTRY)
    # every row that applies to the run passed; the rest (LSTM, masked-LM, ... identities) do not apply to it
    assert summary["checks_passed"] == summary["checked_on_model"] + summary["stand_ins"] < len(REGISTRY)
    assert summary["checked_on_model"] >= 9  # layer norms, attention, masks, positions, residual blocks
    assert summary["lstm_checks_passed"] == 2  # padding-mask does not apply to an LSTM (it has no attention)
    assert "padding-mask does not apply" in " ".join(console.export_text(clear=False).split())
    assert summary["checked_on"] == f"run {trained_runs['transformer'].name}"
    assert (tmp_path / "proofs.tex").is_file()
    text = console.export_text()
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines if not line.startswith("  seqlab "))  # commands stay whole
    for identity in (item.id for item in select([])):  # one line per identity at 80 columns
        rows = [line for line in lines if line.split()[:1] == [identity]]
        assert len(rows) == 1, identity
        assert "proved" in rows[0] and ("holds" in rows[0] or "does not apply" in rows[0]), rows[0]
    assert "  seqlab tour --only proofs --verbose" in lines
    assert "seqlab check --run" in text and "measured on" in text and "do not apply" in text
    assert "holds" in text and "bound" not in text
    assert "--verbose" in text  # the measurement detail is one option away

    verbose = Console(record=True, width=100)
    STEP.run(TourContext(out_dir=tmp_path, seed=0, device="cpu", console=verbose, verbose=True,
                         shared=dict(ctx.shared)))
    detail = verbose.export_text()
    assert "bound" in detail and "what was measured" in detail


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


def test_gru_run_reports_its_stand_ins(trained_runs):
    from rich.console import Console

    from seqlab.lab import check as lab_check
    from seqlab.proofs.render import check_headline

    # one check of the run (each takes ~10 s): its --json payload and the headline a person reads, from one report
    outcome = lab_check.run(lab_check.CheckRequest(run=trained_runs["gru"], device="cpu"))
    assert outcome.exit_code == 0
    payload = outcome.to_json()
    on = {row["id"]: row["measured_on"] for row in payload["results"]}
    assert on["gru-convex"] == "model"
    assert on["layernorm-norm"] == on["causal-mask"] == on["lstm-memory"] == "not applicable"  # a GRU has none
    assert payload["counts"]["model"] < payload["counts"]["not_applicable"]
    console = Console(record=True, width=80)
    console.print(check_headline(outcome.report))
    flat = " ".join(console.export_text().split())
    model = payload["counts"]["model"]
    assert f"{model}/{model} identities hold on run {trained_runs['gru'].name} itself" in flat
    assert f"{payload['counts']['not_applicable']} do not apply to it" in flat


def test_frozen_run_body_is_bitwise_the_lm_body(trained_runs):
    report = check_identities(CheckConfig(ids=("frozen-body",), run=trained_runs["frozen"], device="cpu"))
    row = report.rows[0]
    assert row.passed, row.check.detail
    assert row.check.measured_on == "model" and "compared bitwise" in row.check.detail
    assert trained_runs["lm"].name in row.check.detail


def test_tampered_frozen_run_fails(trained_runs, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    copy = tmp_path / trained_runs["frozen"].name
    shutil.copytree(trained_runs["frozen"], copy)
    weights = load_file(copy / "model.safetensors")
    name = next(key for key in weights if key.startswith("encoder.blocks.0.ffn"))
    weights[name] = weights[name].clone()
    weights[name].view(-1)[0] += 1e-6  # one weight, one small step: still not bitwise the pretrained body
    save_file(weights, copy / "model.safetensors")
    report = check_identities(CheckConfig(ids=("frozen-body",), run=copy, device="cpu"))
    row = report.rows[0]
    assert not row.passed and row.check.extra["differing tensors"] == 1


def test_unfrozen_run_is_measured_on_a_frozen_copy(trained_runs):
    report = check_identities(CheckConfig(ids=("frozen-body",), run=trained_runs["transformer"], device="cpu"))
    row = report.rows[0]
    assert row.check.passed and row.check.measured_on == "not applicable" and "without --freeze" in row.check.detail
    assert not row.failed


@pytest.mark.parametrize("family", ["lstm", "gru", "lm", "frozen"])
def test_strict_passes_seqlab_runs_whose_parts_are_all_read(trained_runs, runner, family):
    """Every identity that applies to a seqlab run is measured on the run itself, so --strict exits 0."""
    result = runner.invoke(app, ["check", "--run", str(trained_runs[family]), "--device", "cpu", "--strict", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["strict_passed"] is True and payload["not_measured_on_model"] == []


def test_lm_loss_on_the_causal_lm_run(trained_runs):
    report = check_identities(CheckConfig(ids=("lm-loss",), run=trained_runs["lm"], device="cpu"))
    row = report.rows[0]
    assert row.passed and row.check.measured_on == "model", row.check.detail

