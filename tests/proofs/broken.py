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
