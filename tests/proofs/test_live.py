"""The torch side: every check passes on a correct model and fails on a model broken in the matching way."""

from __future__ import annotations

import pytest
import torch

from seqlab.models import attention as attention_module
from seqlab.models.layernorm import LayerNorm
from seqlab.proofs import all_identities, select
from seqlab.proofs.checking import check_identities
from seqlab.proofs.runner import CheckConfig
from seqlab.proofs.target import LiveTarget

from . import broken

IDS = [identity.id for identity in all_identities()]


@pytest.fixture(scope="module")
def fresh_target() -> LiveTarget:
    return broken.fresh(seed=0)


@pytest.fixture(scope="module")
def fresh_results(fresh_target):
    """Every check run once on the fresh target, with its parameters before and after."""
    before = {name: p.detach().clone() for name, p in fresh_target.model.named_parameters()}
    results = {identity.id: identity.check(fresh_target) for identity in all_identities()}
    return results, before


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


@pytest.mark.parametrize("identity_id", IDS)
def test_every_check_passes_on_the_fresh_transformer(identity_id, fresh_results):
    result = fresh_results[0][identity_id]
    assert result.passed, result.detail
    assert result.detail


def test_checks_use_the_models_own_parts(fresh_results):
    results = fresh_results[0]
    assert "4 LayerNorm module(s)" in results["layernorm-norm"].detail
    assert "fresh" not in results["layernorm-norm"].detail
    assert "2 attention module(s)" in results["causal-mask"].detail
    assert "whole TransformerClassifier" in results["causal-mask"].detail
    assert "real outputs moved (whole model)" in results["padding-mask"].extra
    assert "no sinusoidal" not in results["sinusoidal-rotation"].detail
    assert "the model has no LSTM" in results["lstm-not-convex"].detail
    on = {identity_id: result.measured_on for identity_id, result in results.items()}
    assert on["layernorm-norm"] == on["causal-mask"] == on["attention-rows"] == on["residual-jacobian"] == "model"
    assert on["multihead-params"] == on["attention-cost"] == "model"  # the model's own modules and classes
    assert on["lstm-not-convex"] == "stand-in"  # the runner settles it to "not applicable" (seqlab.proofs.parts)


def test_checks_leave_the_model_untouched(fresh_target, fresh_results):
    before = fresh_results[1]
    after = dict(fresh_target.model.named_parameters())
    assert all(torch.equal(before[name], after[name]) for name in before)
    assert all(block.attention.scale for block in fresh_target.model.encoder.blocks)


def test_shifted_causal_mask_fails(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "causal_mask", broken.shifted_causal_mask)
    result = check("causal-mask", fresh_target)
    assert not result.passed
    assert result.extra["weights above diagonal"] > 0.01
    assert result.extra["Jacobian blocks"] > 0


def test_pad_leaking_attention_fails():
    result = check("padding-mask", broken.with_parts(broken.PadLeakingAttention(32, 4)))
    assert not result.passed
    assert result.extra["pad weights"] > 0.01


def test_layernorm_without_mean_subtraction_fails_both_layernorm_checks(fresh_target):
    model = broken.replace_layernorms(fresh_target.model, broken.NoMeanLayerNorm)
    target = LiveTarget(model, fresh_target.device, 0, "no-mean layer norm", fresh_target.batch)
    assert not check("layernorm-norm", target).passed
    assert not check("layernorm-2d", target).passed


def test_unbiased_layernorm_is_measured_against_sqrt_d_minus_1():
    target = broken.with_parts(LayerNorm(24, eps=1e-5, unbiased=True))
    result = check("layernorm-norm", target)
    assert result.passed, result.detail
    assert "sqrt(d-1)" in result.detail


def test_attention_without_scaling_fails(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "scaled_dot_product", broken.unscaled_scaled_dot_product)
    result = check("attention-scaling", fresh_target)
    assert not result.passed
    assert result.measured > 5  # the "scaled" logits have variance d_head = 16, not 1


def test_sigmoid_attention_is_not_shift_invariant(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "scaled_dot_product", broken.sigmoid_scaled_dot_product)
    assert not check("softmax-shift", fresh_target).passed


def test_full_width_heads_fail_the_parameter_identity():
    result = check("multihead-params", broken.with_parts(broken.FullWidthHeadsAttention(32, 4)))
    assert not result.passed
    assert result.extra["multi_head"] > result.extra["single_head"]


def test_wrong_base_positions_fail(fresh_target):
    result = check("sinusoidal-rotation", broken.replace_positions(fresh_target))
    assert not result.passed
    assert result.measured > 0.01


def test_coupled_gate_lstm_passes_and_says_its_gates_are_tied():
    """The claim is "f + i need not be 1": trained weights that tie f = 1 - i are information, not a failure."""
    result = check("lstm-not-convex", broken.with_parts(broken.coupled_gate_lstm()))
    assert result.passed, result.detail
    assert result.extra["max |f + i - 1|"] < 1e-9
    assert result.extra["recompute_error"] < 1e-9  # the hand recomputation still matches torch
    assert "tie f = 1 - i" in result.detail and "information, not part of the verdict" in result.detail


def test_nudged_gru_fails():
    result = check("gru-convex", broken.with_parts(broken.OffByALittleGRU(16, 24, batch_first=True)))
    assert not result.passed
    assert result.measured == pytest.approx(0.01, rel=1e-6)


def test_twice_scored_attention_fails_the_cost_formula():
    result = check("attention-cost", broken.with_parts(broken.TwiceScoredAttention(32, 4)))
    assert not result.passed
    assert result.measured > 0.1


def test_rnn_models_are_checked_on_their_own_recurrent_layer():
    gru = torch.nn.GRU(16, 24, batch_first=True)
    result = check("gru-convex", broken.with_parts(gru))
    assert result.passed and "fresh" not in result.detail
    cost = check("attention-cost", broken.with_parts(gru))
    assert cost.passed and "GRU counted as torch runs it" in cost.detail


def test_same_seed_same_numbers_and_seed_matters():
    config = CheckConfig(ids=("attention-scaling", "layernorm-2d"), fresh=True, device="cpu", seed=3)
    first = check_identities(config)
    second = check_identities(config)
    assert [row.check.measured for row in first.rows] == [row.check.measured for row in second.rows]
    other = check_identities(CheckConfig(ids=("attention-scaling",), fresh=True, device="cpu", seed=4))
    assert other.rows[0].check.measured != first.rows[0].check.measured


def test_torch_layernorm_without_affine_is_measured_too():
    result = check("layernorm-norm", broken.with_parts(torch.nn.LayerNorm(24, elementwise_affine=False)))
    assert result.passed, result.detail
    assert "1 LayerNorm module(s)" in result.detail and "random vectors" in result.detail
    assert "real (non-pad) token" not in result.detail  # random vectors are not called real tokens
