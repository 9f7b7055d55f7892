"""Deliberately broken models: each one violates exactly one identity, so no live check can pass vacuously.

They subclass or monkeypatch the real seqlab modules; the library never sees them except through a LiveTarget.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from seqlab.models import attention as attention_module
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.layernorm import LayerNorm
from seqlab.models.positions import SinusoidalPositions
from seqlab.proofs.target import LiveTarget, target_fresh

CPU = torch.device("cpu")


def fresh(seed: int = 0) -> LiveTarget:
    """The correct reference: a small fresh causal Transformer classifier."""
    return target_fresh(CPU, seed)


def with_parts(*modules: nn.Module, seed: int = 0) -> LiveTarget:
    """A target whose model is just these modules (no text batch)."""
    model = nn.ModuleList(modules)
    return LiveTarget(model, CPU, seed, "test parts", None)


def shifted_causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """The square subsequent mask shifted by one: position i may also see i + 1."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril(diagonal=1)


def unscaled_scaled_dot_product(q, k, v, mask=None, scale=True):
    """Attention that forgets the 1/sqrt(d_k) whatever `scale` says."""
    return _ORIGINAL_SDP(q, k, v, mask, scale=False)


def sigmoid_scaled_dot_product(q, k, v, mask=None, scale=True):
    """'Attention' with sigmoid weights instead of a softmax: not invariant to shifting a row."""
    logits = q @ k.transpose(-2, -1) / (q.size(-1) ** 0.5 if scale else 1.0)
    if mask is not None:
        logits = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
    probs = logits.sigmoid()
    return probs @ v, probs


_ORIGINAL_SDP = attention_module.scaled_dot_product


class PadLeakingAttention(MultiHeadSelfAttention):
    """Multi-head attention that ignores the padding mask."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        return super().forward(x, None, causal, need_weights)


class FullWidthHeadsAttention(MultiHeadSelfAttention):
    """Each of the h heads gets the full width d (h times the parameters of one head)."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__(d_model, n_heads, dropout, bias)
        for name in ("query", "key", "value"):
            setattr(self, name, nn.Linear(d_model, d_model * n_heads, bias=bias))
        self.out = nn.Linear(d_model * n_heads, d_model, bias=bias)


class TwiceScoredAttention(MultiHeadSelfAttention):
    """Attention that computes its scores twice: more FLOPs than the formula."""

    def forward(self, x, attention_mask=None, causal=False, need_weights=False):
        super().forward(x, attention_mask, causal, need_weights)
        q = self._split_heads(self.query(x))
        k = self._split_heads(self.key(x))
        _ = q @ k.transpose(-2, -1)
        return super().forward(x, attention_mask, causal, need_weights)


class NoMeanLayerNorm(LayerNorm):
    """Layer norm that forgets to subtract the mean (x / sqrt(var + eps))."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var = x.var(dim=-1, keepdim=True, unbiased=self.unbiased)
        return self.weight * x / torch.sqrt(var + self.eps) + self.bias


class WrongBasePositions(SinusoidalPositions):
    """A 'sinusoidal' table with its frequencies from base 1000 instead of 10000."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__(d_model, max_len)
        position = torch.arange(max_len, dtype=torch.float32)[:, None]
        frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(1000.0) / d_model))
        self.table[:, 0::2] = torch.sin(position * frequency)
        self.table[:, 1::2] = torch.cos(position * frequency)


class OffByALittleGRU(nn.GRU):
    """A GRU whose state is nudged after the update: no longer (1 - z) n + z h."""

    def forward(self, input, hx=None):
        output, h = super().forward(input, hx)
        return output + 0.01, h + 0.01


def coupled_gate_lstm(input_size: int = 16, hidden_size: int = 24, seed: int = 0) -> nn.LSTM:
    """An LSTM whose forget gate is tied to its input gate (f = 1 - i): the 'CIFG' variant, convex after all."""
    torch.manual_seed(seed)
    lstm = nn.LSTM(input_size, hidden_size, batch_first=True)
    h = hidden_size
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            weight = getattr(lstm, name)
            weight[h : 2 * h] = -weight[0:h]  # gates are stacked i, f, g, o
    return lstm


def replace_layernorms(model: nn.Module, cls: type[LayerNorm]) -> nn.Module:
    """A copy of `model` with every LayerNorm swapped for `cls` (same gamma, beta, eps)."""
    model = copy.deepcopy(model)
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, LayerNorm):
                broken = cls(child.d, eps=child.eps, unbiased=child.unbiased)
                broken.load_state_dict(child.state_dict())
                setattr(module, child_name, broken)
    return model


def replace_positions(target: LiveTarget) -> LiveTarget:
    """The fresh target with its sinusoidal table swapped for the wrong-base one."""
    model = copy.deepcopy(target.model)
    old = model.encoder.positions
    model.encoder.positions = WrongBasePositions(old.table.shape[1], old.max_len)
    return LiveTarget(model, target.device, target.seed, "wrong-base positions", target.batch)


# ---------------------------------------------------------------- the fused path (the one the model runs)


class UnscaledFusedAttention(MultiHeadSelfAttention):
    """The fused path forgets 1/sqrt(d_k); the explicit path (need_weights=True) is still right."""

    def _fast_attention(self, q, k, v, mask):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask.allowed, scale=1.0)


class MasklessFusedAttention(MultiHeadSelfAttention):
    """The fused path drops both the padding and the causal mask; the explicit path keeps them."""

    def _fast_attention(self, q, k, v, mask):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v)


class DropoutInEvalAttention(MultiHeadSelfAttention):
    """The fused path keeps its dropout on in eval mode (dropout_p whatever self.training says)."""

    def _fast_attention(self, q, k, v, mask):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask.allowed, dropout_p=self.dropout_p)


def strict_causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """tril(-1): position i may see only positions before it, not itself (the first row sees nothing)."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril(diagonal=-1)


def query_padding_positions(attention_mask, causal, length, device):
    """The padding mask applied to the queries (rows) instead of the keys (columns)."""
    allowed = None
    if attention_mask is not None:
        allowed = attention_mask.to(device=device, dtype=torch.bool)[:, None, :, None]  # [B,1,T,1]: rows
    if causal:
        lower = attention_module.causal_mask(length, device)[None, None]
        allowed = lower if allowed is None else allowed & lower
    return allowed


def replace_attention(target: LiveTarget, cls: type[MultiHeadSelfAttention], dropout: float = 0.0) -> LiveTarget:
    """The fresh target with every attention module swapped for `cls` (same weights)."""
    model = copy.deepcopy(target.model)
    for block in model.encoder.blocks:
        old = block.attention
        new = cls(old.d_model, old.n_heads, dropout=dropout)
        new.load_state_dict(old.state_dict())
        block.attention = new
    return LiveTarget(model.eval(), target.device, target.seed, f"{cls.__name__} model", target.batch)


# ---------------------------------------------------------------- layer norm and positions


class RMSNorm(LayerNorm):
    """RMSNorm in LayerNorm's place: x / sqrt(mean(x^2) + eps), no mean subtracted (eps 1e-12 in the tests)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x / torch.sqrt(x.pow(2).mean(dim=-1, keepdim=True) + self.eps) + self.bias


def rms_norm_model(target: LiveTarget) -> LiveTarget:
    """The fresh target with every LayerNorm replaced by an RMSNorm with eps 1e-12."""
    model = replace_layernorms(target.model, RMSNorm)
    for module in model.modules():
        if isinstance(module, RMSNorm):
            module.eps = 1e-12
    return LiveTarget(model, target.device, target.seed, "RMSNorm model", target.batch)


class SwappedPositions(SinusoidalPositions):
    """cos at the even coordinates, sin at the odd ones."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__(d_model, max_len)
        table = self.table.clone()
        self.table[:, 0::2], self.table[:, 1::2] = table[:, 1::2], table[:, 0::2]


class HalfHalfPositions(SinusoidalPositions):
    """All sines in the first half, all cosines in the second (the tensor2tensor layout), not interleaved."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__(d_model, max_len)
        table = self.table.clone()
        half = d_model // 2
        self.table[:, :half], self.table[:, half:] = table[:, 0::2], table[:, 1::2]


class PerDimensionFrequencyPositions(SinusoidalPositions):
    """Frequency 10000^(-j/d) for every coordinate j: the sin and cos of a pair no longer share a frequency."""

    def __init__(self, d_model: int, max_len: int) -> None:
        super().__init__(d_model, max_len)
        position = torch.arange(max_len, dtype=torch.float32)[:, None]
        frequency = torch.exp(torch.arange(d_model, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        angle = position * frequency
        self.table[:, 0::2] = torch.sin(angle[:, 0::2])
        self.table[:, 1::2] = torch.cos(angle[:, 1::2])


def with_positions(target: LiveTarget, cls: type[SinusoidalPositions]) -> LiveTarget:
    """The fresh target with its sinusoidal table swapped for `cls`."""
    model = copy.deepcopy(target.model)
    old = model.encoder.positions
    model.encoder.positions = cls(old.table.shape[1], old.max_len)
    return LiveTarget(model, target.device, target.seed, f"{cls.__name__} model", target.batch)


# ---------------------------------------------------------------- recurrent layers


def _nudge(output, state, module, where: str):
    """Add 0.01 to the part of an RNN's result that `where` names: the top layer, or the backward direction."""
    hidden = module.hidden_size
    output, state = output.clone(), state.clone()
    if where == "upper":  # layer num_layers - 1, forward direction; the output is that layer's
        state[-1] += 0.01
        output[..., :hidden] += 0.01
    else:  # "backward": the reverse direction of the last layer
        state[-1] += 0.01
        output[..., hidden:] += 0.01
    return output, state


class NudgedLSTM(nn.LSTM):
    """An LSTM whose upper layer (num_layers=2) or backward direction (bidirectional) is off by 0.01."""

    where = "upper"

    def forward(self, input, hx=None):
        output, (h, c) = super().forward(input, hx)
        output, h = _nudge(output, h, self, self.where)
        return output, (h, c)


class NudgedGRU(nn.GRU):
    """A GRU whose upper layer (num_layers=2) or backward direction (bidirectional) is off by 0.01."""

    where = "upper"

    def forward(self, input, hx=None):
        output, h = super().forward(input, hx)
        return _nudge(output, h, self, self.where)


def nudged(cls: type, where: str) -> nn.Module:
    """A small broken recurrent layer: two layers when `where` is 'upper', bidirectional when 'backward'."""
    torch.manual_seed(0)
    layers, both = (2, False) if where == "upper" else (1, True)
    module = cls(16, 24, num_layers=layers, bidirectional=both, batch_first=True)
    module.where = where
    return module


class LeakyRNN(nn.RNN):
    """h_t = tanh(W h_(t-1) + U x_t + b) + h_(t-1): a skip the vanilla RNN's Jacobian product does not have."""

    def forward(self, input, hx=None):
        output, h = super().forward(input, hx)
        return output + hx.transpose(0, 1), h + hx


class LeakyCellLSTM(nn.LSTM):
    """c_t = f c_(t-1) + i g + 0.1 c_(t-1): dc_t/dc_(t-1) = diag(f) + 0.1 I."""

    def forward(self, input, hx=None):
        output, (h, c) = super().forward(input, hx)
        return output, (h, c + 0.1 * hx[1])


# ---------------------------------------------------------------- residual blocks and freezing


def scaled_residual_block(seed: int = 0) -> nn.Module:
    """A pre-norm TransformerBlock whose attention sublayer keeps only half the skip: 0.5 x + f(x)."""
    from seqlab.models.transformer import TransformerBlock, TransformerConfig

    class HalfSkipBlock(TransformerBlock):
        def forward(self, x, attention_mask=None, causal=False, need_weights=False):
            attended, probs = self.attention(self.norm1(x), attention_mask, causal, need_weights)
            x = 0.5 * x + attended
            x = x + self.ffn(self.norm2(x))
            return x, probs

    torch.manual_seed(seed)
    config = TransformerConfig(vocab_size=8, d_model=32, n_heads=4, n_layers=1, d_ff=64, dropout=0.0)
    return HalfSkipBlock(config).eval()


def freeze_embeddings_only(model: nn.Module) -> None:
    """A --freeze that fixes only the token embeddings and leaves the rest of the body trainable."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad_("embedding" not in name)
