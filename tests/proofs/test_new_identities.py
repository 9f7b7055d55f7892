"""The identities of issue 26 (softmax Jacobian, convex attention, layer-norm gradient and scale invariance, norm
placement, permutation equivariance): each fails on the broken implementation a student would write, measured on
the model, and passes on the legitimate variants (pre-norm, post-norm, fused qkv)."""

from __future__ import annotations

import copy
import json

import pytest
import torch
from torch import nn

from seqlab.cli import app
from seqlab.models import attention as attention_module
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.layernorm import LayerNorm
from seqlab.models.transformer import CausalLM, TransformerBlock, TransformerClassifier, TransformerConfig
from seqlab.proofs import select
from seqlab.proofs.checking import check_identities
from seqlab.proofs.runner import CheckConfig
from seqlab.proofs.target import LiveTarget, random_batch

from . import broken

NEW_IDS = [
    "softmax-jacobian", "attention-convex", "layernorm-gradient", "layernorm-scale-invariance", "norm-placement",
    "causal-permutation",
]


@pytest.fixture(scope="module")
def fresh_target() -> LiveTarget:
    return broken.fresh(seed=0)


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


class FusedQKVAttention(MultiHeadSelfAttention):
    """GPT-2's layout, a legitimate variant: one Linear(D, 3D) computes [q | k | v]."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__(d_model, n_heads, dropout, bias)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=bias)
        del self.query, self.key, self.value

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        b, t, d = x.shape
        mask = self._batch_mask(attention_mask, causal, x)
        q, k, v = (self._split_heads(p) for p in self.qkv(x).split(d, dim=-1))
        if need_weights:
            context, probs = attention_module.scaled_dot_product(q, k, v, mask.allowed, scale=self.scale)
        else:
            probs, context = None, self._fast_attention(q, k, v, mask)
        return self.out(context.transpose(1, 2).reshape(b, t, d)), probs


def fused_qkv_model(target: LiveTarget) -> LiveTarget:
    """The fresh target with every attention module re-laid as fused qkv, with the same weights."""
    model = copy.deepcopy(target.model)
    for block in model.encoder.blocks:
        old = block.attention
        new = FusedQKVAttention(old.d_model, old.n_heads)
        with torch.no_grad():
            new.qkv.weight.copy_(torch.cat([old.query.weight, old.key.weight, old.value.weight]))
            new.qkv.bias.copy_(torch.cat([old.query.bias, old.key.bias, old.value.bias]))
            new.out.load_state_dict(old.out.state_dict())
        block.attention = new
    return LiveTarget(model.eval(), target.device, target.seed, "fused-qkv model", target.batch)


def same_outputs(a: LiveTarget, b: LiveTarget) -> bool:
    """The two models give the same logits on the target's batch (so a variant is a re-layout, not a change)."""
    with torch.no_grad():
        first = a.model(a.batch["input_ids"], a.batch["attention_mask"]).logits
        second = b.model(b.batch["input_ids"], b.batch["attention_mask"]).logits
    return torch.allclose(first, second, atol=1e-5)


# ---------------------------------------------------------------- softmax Jacobian


def column_softmax_scaled_dot_product(q, k, v, mask=None, scale=True):
    """A student's attention: exp(z) / sum over the wrong axis (the queries, dim=-2, instead of the keys)."""
    logits = q @ k.transpose(-2, -1) / (q.size(-1) ** 0.5 if scale else 1.0)
    if mask is not None:
        logits = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
    probs = logits.softmax(dim=-2)
    return probs @ v, probs


def test_softmax_jacobian_holds_on_the_models_attention(fresh_target):
    result = check("softmax-jacobian", fresh_target)
    assert result.passed and result.measured_on == "model", result.detail
    assert "2 attention module(s) on their real hidden states" in result.detail
    assert result.extra["formula error"] < 1e-12 and result.extra["row sum error"] < 1e-12
    assert result.extra["mean |J| 10x unscaled"] < result.extra["mean |J| at model logits"]  # saturation


def test_softmax_over_the_wrong_axis_fails_the_jacobian(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "scaled_dot_product", column_softmax_scaled_dot_product)
    result = check("softmax-jacobian", fresh_target)
    assert not result.passed and result.measured_on == "model"
    assert result.extra["formula error"] > 0.01


def test_softmax_jacobian_on_fused_qkv(fresh_target):
    target = fused_qkv_model(fresh_target)
    assert same_outputs(target, fresh_target)
    result = check("softmax-jacobian", target)
    assert result.passed and result.measured_on == "model", result.detail


# ---------------------------------------------------------------- attention is a convex combination of the values


def unnormalised_scaled_dot_product(q, k, v, mask=None, scale=True):
    """A student's attention: exp(z - max z) as the weights, never divided by their sum."""
    logits = q @ k.transpose(-2, -1) / (q.size(-1) ** 0.5 if scale else 1.0)
    if mask is not None:
        logits = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
    probs = torch.exp(logits - logits.amax(-1, keepdim=True))
    return probs @ v, probs


class UnnormalisedFusedAttention(MultiHeadSelfAttention):
    """The fast path written by hand without the softmax's denominator; the explicit path is still right."""

    def _fast_attention(self, q, k, v, mask):
        logits = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5
        if mask.allowed is not None:
            logits = logits.masked_fill(~mask.allowed, torch.finfo(logits.dtype).min)
        return torch.exp(logits - logits.amax(-1, keepdim=True)) @ v


def test_attention_is_convex_on_the_models_modules(fresh_target):
    result = check("attention-convex", fresh_target)
    assert result.passed and result.measured_on == "model", result.detail
    assert "2 attention module(s) (separate q, k, v) on their real hidden states" in result.detail
    assert result.extra["rows"] > 100


def test_unnormalised_weights_fail_convexity(monkeypatch, fresh_target):
    monkeypatch.setattr(attention_module, "scaled_dot_product", unnormalised_scaled_dot_product)
    result = check("attention-convex", fresh_target)
    assert not result.passed and result.measured_on == "model"
    assert result.extra["|row sum - 1|"] > 0.1


def test_unnormalised_fused_path_fails_convexity(fresh_target):
    target = broken.replace_attention(fresh_target, UnnormalisedFusedAttention)
    result = check("attention-convex", target)
    assert not result.passed
    assert result.extra["|row sum - 1|"] > 0.1 and result.extra["outside the values' range"] > 0.01


def test_attention_convex_on_fused_qkv(fresh_target):
    result = check("attention-convex", fused_qkv_model(fresh_target))
    assert result.passed and "fused qkv" in result.detail, result.detail


# ---------------------------------------------------------------- layer norm: gradient and scale invariance


class TimeAxisLayerNorm(LayerNorm):
    """A student's layer norm on [B,T,D] that takes the mean and variance over dim=1 (the tokens), not the features."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        axis = 1 if x.dim() == 3 else -1
        mean = x.mean(dim=axis, keepdim=True)
        var = x.var(dim=axis, keepdim=True, unbiased=False)
        return self.weight * (x - mean) / torch.sqrt(var + self.eps) + self.bias


class NoSqrtLayerNorm(LayerNorm):
    """A student's layer norm that divides by the variance instead of the standard deviation."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=self.unbiased)
        return self.weight * (x - mean) / (var + self.eps) + self.bias


def with_layernorms(target: LiveTarget, cls: type[LayerNorm]) -> LiveTarget:
    """The fresh target with every LayerNorm swapped for `cls` (same gamma, beta, eps)."""
    return LiveTarget(broken.replace_layernorms(target.model, cls), target.device, target.seed, cls.__name__,
                      target.batch)


def pre_norm_target(seed: int = 0) -> LiveTarget:
    """A fresh pre-norm Transformer classifier (norm before each sublayer, a final norm) on a random padded batch."""
    torch.manual_seed(seed)
    config = TransformerConfig(vocab_size=200, d_model=64, n_heads=4, n_layers=2, d_ff=128, dropout=0.0, norm_first=True)
    model = TransformerClassifier(config, num_labels=2).eval()
    return LiveTarget(model, torch.device("cpu"), seed, "pre-norm transformer",
                      random_batch(200, 0, seed, torch.device("cpu")))


def test_layernorm_gradient_holds_on_the_models_norms(fresh_target):
    result = check("layernorm-gradient", fresh_target)
    assert result.passed and result.measured_on == "model", result.detail
    assert "4 LayerNorm module(s)" in result.detail and "in the shape each received them" in result.detail


@pytest.mark.parametrize("cls", [broken.NoMeanLayerNorm, TimeAxisLayerNorm])
def test_layernorm_without_the_mean_or_over_time_fails_the_gradient_sum(fresh_target, cls):
    result = check("layernorm-gradient", with_layernorms(fresh_target, cls))
    assert not result.passed and result.measured_on == "model"
    assert result.extra["sum over features"] > 0.01


def test_layernorm_gradient_and_scale_pass_on_legitimate_variants(fresh_target):
    unbiased = broken.with_parts(LayerNorm(24, eps=1e-5, unbiased=True), torch.nn.LayerNorm(24))
    for target in (pre_norm_target(), unbiased):
        for identity_id in ("layernorm-gradient", "layernorm-scale-invariance"):
            result = check(identity_id, target)
            assert result.passed and result.measured_on == "model", (identity_id, result.detail)
    assert "5 LayerNorm module(s)" in check("layernorm-gradient", pre_norm_target()).detail  # 2 per block + final


def test_layernorm_scale_invariance_holds_and_reports_eps(fresh_target):
    result = check("layernorm-scale-invariance", fresh_target)
    assert result.passed and result.measured_on == "model", result.detail
    assert result.extra["own eps at smallest a"] > 1e-3  # eps = 1e-5 matters once a^2 var is near it


def test_layernorm_dividing_by_the_variance_fails_scale_invariance(fresh_target):
    result = check("layernorm-scale-invariance", with_layernorms(fresh_target, NoSqrtLayerNorm))
    assert not result.passed and result.measured_on == "model"
    assert result.extra["scaled"] > 0.1


# ---------------------------------------------------------------- norm placement: pre-norm's identity path


class AddThenNormBlock(TransformerBlock):
    """A student's "pre-norm" block (norm_first=True) that still normalises after the add: LN(x + F(x))."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        attended, probs = self.attention(x, attention_mask, causal, need_weights)
        x = self.norm1(x + attended)
        return self.norm2(x + self.ffn(x)), probs


class NormThenAddBlock(TransformerBlock):
    """A block that claims post-norm (norm_first=False) but computes x + F(LN(x))."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        attended, probs = self.attention(self.norm1(x), attention_mask, causal, need_weights)
        x = x + attended
        return x + self.ffn(self.norm2(x)), probs


def with_blocks(target: LiveTarget, cls: type[TransformerBlock]) -> LiveTarget:
    """`target` with every block swapped for `cls` (same weights, same norm_first)."""
    model = copy.deepcopy(target.model)
    blocks = model.encoder.blocks
    for index, old in enumerate(blocks):
        new = cls(model.config)
        new.load_state_dict(old.state_dict())
        new.norm_first = old.norm_first
        blocks[index] = new
    return LiveTarget(model.eval(), target.device, target.seed, cls.__name__, target.batch)


def test_norm_placement_passes_on_post_and_pre_norm_models(fresh_target):
    post = check("norm-placement", fresh_target)
    assert post.passed and post.measured_on == "model", post.detail
    assert post.extra["post-norm blocks"] == 2 and post.extra["mean direction lost (post-norm)"] >= 1 - 1e-9
    pre = check("norm-placement", pre_norm_target())
    assert pre.passed and pre.measured_on == "model", pre.detail
    assert pre.extra["pre-norm blocks"] == 2 and pre.extra["pre-norm identity error"] < 1e-12


def test_pre_norm_block_that_normalises_after_the_add_fails():
    result = check("norm-placement", with_blocks(pre_norm_target(), AddThenNormBlock))
    assert not result.passed and result.measured_on == "model"
    assert result.extra["pre-norm identity error"] > 0.1


def test_post_norm_block_that_adds_after_the_norm_fails(fresh_target):
    result = check("norm-placement", with_blocks(fresh_target, NormThenAddBlock))
    assert not result.passed
    assert result.extra["mean direction lost (post-norm)"] < 0.5  # the mean crossed the skip untouched


class GPT2StyleMLP(nn.Module):
    """A feed-forward written with GPT-2's names (c_fc, c_proj) in place of seqlab's linear1/linear2."""

    def __init__(self, d_model: int, d_ff: int) -> None:
        super().__init__()
        self.c_fc = nn.Linear(d_model, d_ff)
        self.c_proj = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.c_proj(torch.nn.functional.gelu(self.c_fc(x)))


def test_norm_placement_finds_a_feed_forward_with_other_names():
    target = pre_norm_target()
    model = copy.deepcopy(target.model)
    for block in model.encoder.blocks:
        block.ffn = GPT2StyleMLP(64, 128)
    result = check("norm-placement", LiveTarget(model.eval(), target.device, 0, "GPT-2 MLP names", target.batch))
    assert result.passed and result.extra["pre-norm blocks"] == 2, result.detail


def test_norm_placement_on_a_model_without_blocks_uses_both_stand_ins():
    result = check("norm-placement", broken.with_parts(torch.nn.LSTM(8, 8)))
    assert result.passed and result.measured_on == "stand-in"
    assert "1 pre-norm, 1 post-norm" in result.detail


# ---------------------------------------------------------------- permutation equivariance and the causal mask


class PositionBiasAttention(MultiHeadSelfAttention):
    """Attention that adds a position-dependent bias to its output (a per-position vector): not equivariant."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__(d_model, n_heads, dropout, bias)
        bias_table = 0.1 * torch.randn(128, d_model, generator=torch.Generator().manual_seed(0))
        self.register_buffer("position_bias", bias_table, persistent=False)

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        out, probs = super().forward(x, attention_mask, causal, need_weights)
        return out + self.position_bias[: x.size(1)].to(out.dtype), probs


class CausalDroppingAttention(MultiHeadSelfAttention):
    """Attention that ignores causal=True (a forward that never passes the flag on)."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        if isinstance(attention_mask, attention_module.AttentionMask):
            attention_mask = None if attention_mask.additive is None else attention_mask.allowed[:, 0, -1, :]
        return super().forward(x, attention_mask, False, need_weights)


def test_causal_permutation_holds_on_the_models_attention(fresh_target):
    result = check("causal-permutation", fresh_target)
    assert result.passed and result.measured_on == "model", result.detail
    assert result.extra["no mask"] < 1e-12 and result.extra["padding permuted"] < 1e-12
    assert result.extra["causal"] > 0.01 and "2 module(s) had padding" in result.detail


def test_position_dependent_bias_breaks_equivariance(fresh_target):
    result = check("causal-permutation", broken.replace_attention(fresh_target, PositionBiasAttention))
    assert not result.passed and result.measured_on == "model"
    assert result.extra["no mask"] > 0.01


def test_attention_that_ignores_the_causal_flag_fails(fresh_target):
    result = check("causal-permutation", broken.replace_attention(fresh_target, CausalDroppingAttention))
    assert not result.passed
    assert result.extra["no mask"] < 1e-12 and result.extra["causal"] < 1e-12  # equivariant even "with" causal


def test_causal_permutation_on_fused_qkv(fresh_target):
    result = check("causal-permutation", fused_qkv_model(fresh_target))
    assert result.passed, result.detail


# ---------------------------------------------------------------- whole models: a GPT-2-shaped LM and MiniLM


def test_new_identities_hold_on_a_small_gpt2_shaped_lm():
    """Pre-norm, learned positions, tied bias-free head, causal: every new identity measured on its own parts."""
    torch.manual_seed(0)
    config = TransformerConfig(vocab_size=200, d_model=32, n_heads=4, n_layers=2, d_ff=64, positions="learned",
                               norm_first=True, activation="gelu", dropout=0.0)
    model = CausalLM(config, tie_weights=True).eval()
    target = LiveTarget(model, torch.device("cpu"), 0, "small GPT-2-shaped LM",
                        random_batch(200, 0, 0, torch.device("cpu")))
    for identity_id in NEW_IDS:
        result = check(identity_id, target)
        assert result.passed and result.measured_on == "model", (identity_id, result.detail)
    assert "2 pre-norm" in check("norm-placement", target).detail


def test_new_identities_hold_on_pretrained_minilm(minilm_dir):
    report = check_identities(CheckConfig(ids=tuple(NEW_IDS), pretrained=True, checkpoint=minilm_dir, device="cpu"))
    assert report.all_passed, [row.check.detail for row in report.rows if not row.passed]
    assert all(row.check.measured_on == "model" for row in report.rows)
    rows = {row.identity.id: row.check for row in report.rows}
    assert "6 post-norm" in rows["norm-placement"].detail and "13 LayerNorm module(s)" in rows["layernorm-gradient"].detail
    # trained weights: logits spread, so dropping 1/sqrt(d_k) shrinks the softmax Jacobian a lot
    assert rows["softmax-jacobian"].extra["mean |J| unscaled"] < 0.5 * rows["softmax-jacobian"].extra["mean |J| at model logits"]


# ---------------------------------------------------------------- the commands


@pytest.mark.parametrize("identity_id", NEW_IDS)
def test_prove_and_check_fresh_work_for_each_new_identity(runner, identity_id):
    proved = runner.invoke(app, ["prove", identity_id, "--json"])
    assert proved.exit_code == 0, proved.output
    assert json.loads(proved.output)["identities"][0]["verified"] is True
    checked = runner.invoke(app, ["check", identity_id, "--fresh", "--device", "cpu", "--json"])
    assert checked.exit_code == 0, checked.output
    row = json.loads(checked.output)["results"][0]
    assert row["id"] == identity_id and row["passed"] is True and row["measured_on"] == "model"

