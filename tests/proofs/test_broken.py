"""Every breakage of issue 15 has a model that shows its check failing (and the correct model passing)."""

from __future__ import annotations

import pytest
import torch

from seqlab.models import attention as attention_module
from seqlab.proofs import select
from seqlab.proofs.target import LiveTarget

from . import broken


@pytest.fixture(scope="module")
def fresh_target() -> LiveTarget:
    return broken.fresh(seed=0)


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


# ---------------------------------------------------------------- attention: the fused path is measured


def test_unscaled_fused_path_fails_scaling_though_the_explicit_path_is_right(fresh_target):
    target = broken.replace_attention(fresh_target, broken.UnscaledFusedAttention)
    result = check("attention-scaling", target)
    assert not result.passed
    assert result.measured > 5  # the fused logits have variance d_head = 16, not 1
    assert result.extra["fused vs explicit weights"] > 0.01


def test_maskless_fused_path_fails_both_mask_checks(fresh_target):
    target = broken.replace_attention(fresh_target, broken.MasklessFusedAttention)
    padding = check("padding-mask", target)
    assert not padding.passed and padding.extra["pad weights"] > 0.01
    assert padding.extra["fused vs explicit weights"] > 0.01
    causal = check("causal-mask", target)
    assert not causal.passed and causal.extra["weights above diagonal"] > 0.01


def test_strict_causal_mask_fails(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "causal_mask", broken.strict_causal_mask)
    result = check("causal-mask", fresh_target)
    assert not result.passed
    assert result.extra["share of weights on or below diagonal at 0"] > 0.1  # the diagonal itself is hidden


def test_padding_mask_on_queries_fails(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "allowed_positions", broken.query_padding_positions)
    result = check("padding-mask", fresh_target)
    assert not result.passed
    assert result.extra["pad weights"] > 0.01


def test_dropout_left_on_in_eval_fails_attention_rows(fresh_target):
    target = broken.replace_attention(fresh_target, broken.DropoutInEvalAttention, dropout=0.1)
    result = check("attention-rows", target)
    assert not result.passed
    assert result.extra["|row L1 - 1|"] > 0.01


def test_sigmoid_weights_fail_attention_rows(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "scaled_dot_product", broken.sigmoid_scaled_dot_product)
    assert not check("attention-rows", fresh_target).passed


def test_attention_rows_pass_and_show_free_columns(fresh_target):
    result = check("attention-rows", fresh_target)
    assert result.passed, result.detail
    assert result.extra["one-hot rows"] > 0  # the first query under the causal mask: L2 = 1 exactly
    assert result.extra["column sum max"] > 1.5 and result.extra["column sum min"] < 0.5
    assert result.measured_on == "model"


# ---------------------------------------------------------------- layer norm and positions


def test_rmsnorm_passes_the_norm_but_fails_the_mean(fresh_target):
    result = check("layernorm-norm", broken.rms_norm_model(fresh_target))
    assert not result.passed
    assert result.extra["norm error"] < 1e-6  # the audit's point: the norm alone cannot tell
    assert result.extra["mean"] > 1e-3


@pytest.mark.parametrize("cls", [broken.SwappedPositions, broken.HalfHalfPositions])
def test_swapped_or_half_half_positions_keep_the_rotation(fresh_target, cls):
    """Issue 26: both are the same table with its coordinates permuted, so R_k is still a rotation; the check reads
    the pairing off the table (it used to fail them, a false alarm on tensor2tensor's [sin | cos] layout)."""
    result = check("sinusoidal-rotation", broken.with_positions(fresh_target, cls))
    assert result.passed, result.detail
    assert ("swapped" if cls is broken.SwappedPositions else "[sin | cos]") in result.detail


def test_per_dimension_frequencies_fail_the_dot_product(fresh_target):
    result = check("positional-dot", broken.with_positions(fresh_target, broken.PerDimensionFrequencyPositions))
    assert not result.passed
    assert result.extra["spread over p"] > 0.1


def test_dot_product_holds_for_any_order_of_coordinates(fresh_target):
    """A dot product ignores the order of coordinates: the half/half layout keeps the identity (and says so)."""
    assert check("positional-dot", broken.with_positions(fresh_target, broken.HalfHalfPositions)).passed


# ---------------------------------------------------------------- recurrent layers: all layers, both directions


@pytest.mark.parametrize("where", ["upper", "backward"])
def test_lstm_errors_above_layer_0_or_backward_fail(where):
    result = check("lstm-not-convex", broken.with_parts(broken.nudged(broken.NudgedLSTM, where)))
    assert not result.passed
    assert result.extra["recompute_error"] == pytest.approx(0.01, rel=1e-6)


@pytest.mark.parametrize("where", ["upper", "backward"])
def test_gru_errors_above_layer_0_or_backward_fail(where):
    result = check("gru-convex", broken.with_parts(broken.nudged(broken.NudgedGRU, where)))
    assert not result.passed
    assert result.measured == pytest.approx(0.01, rel=1e-6)


def test_deep_bidirectional_recurrent_layers_pass():
    lstm = torch.nn.LSTM(16, 24, num_layers=2, bidirectional=True, batch_first=True)
    gru = torch.nn.GRU(16, 24, num_layers=2, bidirectional=True)
    for identity_id, module in (("lstm-not-convex", lstm), ("lstm-memory", lstm), ("gru-convex", gru)):
        result = check(identity_id, broken.with_parts(module))
        assert result.passed, result.detail
        assert "2 layers, bidirectional" in result.detail and result.measured_on == "model"


def test_lstm_not_convex_says_what_it_shows():
    result = check("lstm-not-convex", broken.with_parts(torch.nn.LSTM(16, 24)))
    assert result.passed
    assert 0 < result.extra["share outside [c, g]"] < 1
    assert "left [min(c, g), max(c, g)]" in result.detail


def test_leaky_rnn_fails_the_jacobian_product():
    result = check("rnn-gradients", broken.with_parts(broken.LeakyRNN(16, 32, batch_first=True)))
    assert not result.passed
    assert result.extra["product error"] > 0.01
    assert result.measured_on == "model"


def test_rnn_gradients_vanish_and_explode_on_the_stand_ins(fresh_target):
    result = check("rnn-gradients", fresh_target)
    assert result.passed, result.detail
    assert result.measured_on == "stand-in" and "vanishing" in result.detail and "exploding" in result.detail


def test_leaky_cell_fails_the_additive_memory():
    result = check("lstm-memory", broken.with_parts(broken.LeakyCellLSTM(16, 24, batch_first=True)))
    assert not result.passed
    assert result.measured == pytest.approx(0.1, rel=1e-6)


# ---------------------------------------------------------------- residual blocks and freezing


def test_half_skip_block_fails_the_residual_jacobian():
    result = check("residual-jacobian", broken.with_parts(broken.scaled_residual_block()))
    assert not result.passed
    assert result.measured > 0.1


def test_residual_jacobian_on_post_norm_and_bert_blocks():
    from seqlab.models.bert import BertConfig, BertLayer
    from seqlab.models.transformer import TransformerBlock, TransformerConfig

    post = TransformerBlock(TransformerConfig(vocab_size=8, d_model=32, n_heads=4, n_layers=1, d_ff=64, norm_first=False))
    bert = BertLayer(BertConfig(vocab_size=8, hidden_size=32, num_attention_heads=4, intermediate_size=64))
    result = check("residual-jacobian", broken.with_parts(post.eval(), bert.eval()))
    assert result.passed, result.detail
    assert "2 Transformer block(s), 4 residual sublayers" in result.detail


def test_freeze_that_misses_the_body_fails(monkeypatch, fresh_target):
    from seqlab.training import freezing

    assert check("frozen-body", fresh_target).passed
    monkeypatch.setattr(freezing, "freeze_body", broken.freeze_embeddings_only)
    result = check("frozen-body", fresh_target)
    assert not result.passed
    assert result.extra["body tensors changed"] > 0
