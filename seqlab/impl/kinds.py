"""The kinds of part a learner can check, each with the signature seqlab calls it with, a starter file, and how the
kind is told from a function's or class's signature."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from seqlab.errors import SeqlabError


@dataclass(frozen=True)
class Kind:
    """One kind of part: its name (for --kind), a title, whether the learner writes a function or an nn.Module
    class, the signature with shapes and mask convention (`signature`), and the starter file's text (`template`)."""

    name: str
    title: str
    form: str  # "function" | "module"
    signature: str
    template: str


ATTENTION_TEMPLATE = '''"""Scaled dot-product attention, to check with: seqlab check --impl THIS_FILE.py:attention"""

import math

import torch


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
    """softmax(q k^T / sqrt(d_k)) v, and the attention weights.

    q: [..., T_q, d_k]   k: [..., T_k, d_k]   v: [..., T_k, d_v]
    mask: None, or a bool tensor broadcastable to [..., T_q, T_k]: True where a query may attend to a key,
          False where it must not (that key's weight must be exactly 0).
    Returns (out [..., T_q, d_v], weights [..., T_q, T_k]); each row of weights sums to 1.
    """
    raise NotImplementedError("write attention")
'''

MULTIHEAD_TEMPLATE = '''"""Multi-head self-attention, to check with: seqlab check --impl THIS_FILE.py:MultiHeadSelfAttention"""

import math

import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    """Project x to queries, keys and values, attend in n_heads heads of d_model // n_heads, project back.

    Use four nn.Linear(d_model, d_model) layers (e.g. named query, key, value, out; q_proj/k_proj/v_proj/out_proj
    works too) or one fused nn.Linear(d_model, 3 * d_model) for q, k, v plus an output Linear.
    """

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: [B, T, d_model]; mask: None or [B, T] bool, True for a real token, False for padding (never attended
        to). Returns out [B, T, d_model] (returning (out, weights) is fine too)."""
        raise NotImplementedError("write forward")
'''

LAYERNORM_TEMPLATE = '''"""Layer normalization, to check with: seqlab check --impl THIS_FILE.py:LayerNorm"""

import torch
from torch import nn


class LayerNorm(nn.Module):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta over the last dimension (biased variance: divide by d).

    Keep gamma and beta as nn.Parameters of shape [d] (named weight and bias, or gamma and beta) and eps as
    self.eps.
    """

    def __init__(self, d: int, eps: float = 1e-5):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [..., d] -> [..., d], each vector normalised on its own."""
        raise NotImplementedError("write forward")
'''

ADDNORM_TEMPLATE = '''"""Add & norm (BERT's post-norm residual step), to check with: seqlab check --impl THIS_FILE.py:AddNorm"""

import torch
from torch import nn


class AddNorm(nn.Module):
    """out = LayerNorm(x + dropout(sublayer_out)): the residual sum, normalised over the last dimension.

    Keep the norm as self.norm = nn.LayerNorm(d_model) (or your own LayerNorm with weight and bias) and the dropout
    as nn.Dropout(dropout), so model.eval() turns it off.
    """

    def __init__(self, d_model: int, dropout: float = 0.0):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, sublayer_out: torch.Tensor) -> torch.Tensor:
        """x: [B, T, d_model], the sublayer's input; sublayer_out: [B, T, d_model], what attention or the
        feed-forward network made of it. Returns [B, T, d_model]."""
        raise NotImplementedError("write forward")
'''

CAUSAL_MASK_TEMPLATE = '''"""The causal mask, to check with: seqlab check --impl THIS_FILE.py:causal_mask"""

import torch


def causal_mask(T: int) -> torch.Tensor:
    """[T, T] mask: query i may attend to key j exactly when j <= i (itself and the past).

    Return bool (True = may attend), or an additive float mask (0 = may attend, -inf or a large negative number
    = may not).
    """
    raise NotImplementedError("write causal_mask")
'''

POSITIONS_TEMPLATE = '''"""Sinusoidal positional encoding, to check with: seqlab check --impl THIS_FILE.py:positional_encoding"""

import math

import torch


def positional_encoding(T: int, d: int) -> torch.Tensor:
    """[T, d] table: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)), p = 0 .. T-1.

    The [sin | cos] layout (all sines in the first d/2 columns, the cosines of the same angles after them) is
    accepted too. d is even.
    """
    raise NotImplementedError("write positional_encoding")
'''

LM_LOSS_TEMPLATE = '''"""The causal-LM loss, to check with: seqlab check --impl THIS_FILE.py:lm_loss"""

import torch
import torch.nn.functional as F


def lm_loss(logits: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting token t+1 from the logits at position t, over the real targets.

    logits: [B, T, V]   input_ids: [B, T] long   attention_mask: [B, T] bool, True for a real token.
    The logits at position t predict input_ids[:, t + 1]; a target that is padding is left out; the last
    position predicts nothing. Returns a 0-d tensor.
    """
    raise NotImplementedError("write lm_loss")
'''

LSTM_TEMPLATE = '''"""An LSTM cell, to check with: seqlab check --impl THIS_FILE.py:LSTMCell"""

import torch
from torch import nn


class LSTMCell(nn.Module):
    """One LSTM step: gates i, f, o = sigmoid(.), candidate g = tanh(.), each an affine map of [x, h];
    c_new = f * c + i * g, h_new = o * tanh(c_new).

    Use nn.Linear(input_size, 4 * hidden_size) and nn.Linear(hidden_size, 4 * hidden_size), or one
    nn.Linear(input_size + hidden_size, 4 * hidden_size) on torch.cat([x, h], -1), or one Linear per gate.
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        """x: [B, input_size]; state = (h, c), each [B, hidden_size]. Returns (h_new, c_new)."""
        raise NotImplementedError("write forward")
'''

GRU_CELL_TEMPLATE = '''"""A GRU cell, to check with: seqlab check --impl THIS_FILE.py:GRUCell"""

import torch
from torch import nn


class GRUCell(nn.Module):
    """One GRU step (torch's convention): r, z = sigmoid(W_x x + b_x + W_h h + b_h) of their own weights,
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h_new = (1 - z) * n + z * h.

    Use nn.Linear(input_size, 3 * hidden_size) and nn.Linear(hidden_size, 3 * hidden_size) (gates in any order),
    or one Linear(input_size, hidden_size) and one Linear(hidden_size, hidden_size) per gate, or one
    Linear(input_size + hidden_size, hidden_size) per gate. Also accepted: the textbook h_new = z * n + (1 - z) * h,
    and Cho et al.'s reset before the matmul, n = tanh(W_in x + W_hn (r * h) + b).
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x: [B, input_size]; h: [B, hidden_size]. Returns h_new [B, hidden_size]."""
        raise NotImplementedError("write forward")
'''

LSTM_LAYER_TEMPLATE = '''"""An LSTM layer, to check with: seqlab check --impl THIS_FILE.py:LSTM"""

import torch
from torch import nn


class LSTM(nn.Module):
    """Run an LSTM cell over time, batch first: for t = 0 .. T-1, (h, c) = cell(x[:, t], (h, c)); outputs[:, t] = h.

    Use nn.LSTMCell, your own cell (the Linears of the lstm-cell kind), or nn.LSTM(batch_first=True).
    No lengths or mask: every sequence runs all T steps.
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None):
        """x: [B, T, input_size]; state: None (zeros) or (h0, c0), each [B, hidden_size].
        Returns (outputs [B, T, hidden_size], (h_T, c_T)), h_T = outputs[:, -1]."""
        raise NotImplementedError("write forward")
'''

GRU_LAYER_TEMPLATE = '''"""A GRU layer, to check with: seqlab check --impl THIS_FILE.py:GRU"""

import torch
from torch import nn


class GRU(nn.Module):
    """Run a GRU cell over time, batch first: for t = 0 .. T-1, h = cell(x[:, t], h); outputs[:, t] = h.

    Use nn.GRUCell, your own cell (the Linears of the gru-cell kind), or nn.GRU(batch_first=True).
    No lengths or mask: every sequence runs all T steps.
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        """x: [B, T, input_size]; h: None (zeros) or h0 [B, hidden_size].
        Returns (outputs [B, T, hidden_size], h_T), h_T = outputs[:, -1]."""
        raise NotImplementedError("write forward")
'''

ENCODER_BLOCK_TEMPLATE = '''"""A Transformer encoder block, to check with: seqlab check --impl THIS_FILE.py:EncoderBlock"""

import math

import torch
import torch.nn.functional as F
from torch import nn


class EncoderBlock(nn.Module):
    """Self-attention then a feed-forward network, each with a residual connection and a layer norm.

    Post-norm (BERT, Vaswani et al.): x = norm1(x + dropout(attn(x))); x = norm2(x + dropout(ffn(x))).
    Pre-norm (GPT-2 and most newer models): x = x + dropout(attn(norm1(x))); x = x + dropout(ffn(norm2(x))).
    ffn(x) = linear2(act(linear1(x))), d_model -> d_ff -> d_model, act ReLU or GELU. Either placement passes.

    Use four nn.Linear(d_model, d_model) for attention (or one fused nn.Linear(d_model, 3 * d_model) plus an output
    Linear, or nn.MultiheadAttention(d_model, n_heads, batch_first=True)), nn.Linear(d_model, d_ff) and
    nn.Linear(d_ff, d_model) for the feed-forward, two nn.LayerNorm(d_model), and nn.Dropout(dropout).
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: [B, T, d_model]; mask: None or [B, T] bool, True for a real token, False for padding (never attended
        to). Returns [B, T, d_model]."""
        raise NotImplementedError("write forward")
'''

CLASSIFIER_HEAD_TEMPLATE = '''"""A classifier head, to check with: seqlab check --impl THIS_FILE.py:ClassifierHead"""

import torch
from torch import nn


class ClassifierHead(nn.Module):
    """Pool a sequence's vectors into one and map it to one logit per class: logits = linear(dropout(pooled)).

    Pool BERT's way, the vector of the first token ([CLS]: hidden[:, 0]), optionally through BERT's pooler
    tanh(nn.Linear(d_model, d_model)(.)); or the mean over the real tokens (padding left out). Return logits, not
    probabilities: F.cross_entropy applies the softmax itself (log-probabilities, for nn.NLLLoss, pass too).
    """

    def __init__(self, d_model: int, n_classes: int, dropout: float = 0.0):
        super().__init__()
        raise NotImplementedError("write __init__")

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """hidden: [B, T, d_model], an encoder's output; mask: [B, T] bool, True for a real token, False for
        padding. Returns logits [B, n_classes]."""
        raise NotImplementedError("write forward")
'''

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("attention", "scaled dot-product attention", "function",
             "attention(q [..., Tq, dk], k [..., Tk, dk], v [..., Tk, dv], mask bool [..., Tq, Tk] True = may attend "
             "| None) -> (out [..., Tq, dv], weights [..., Tq, Tk])", ATTENTION_TEMPLATE),
        Kind("multihead", "multi-head self-attention", "module",
             "class M(nn.Module): __init__(d_model, n_heads); forward(x [B, T, D], mask bool [B, T] True = real token "
             "| None) -> out [B, T, D] (or (out, weights))", MULTIHEAD_TEMPLATE),
        Kind("layernorm", "layer norm", "module",
             "class M(nn.Module): __init__(d, eps=1e-5); forward(x [..., d]) -> [..., d]; gamma, beta Parameters [d]",
             LAYERNORM_TEMPLATE),
        Kind("add-norm", "add & norm", "module",
             "class M(nn.Module): __init__(d_model, dropout=0.0); forward(x [B, T, D], sublayer_out [B, T, D]) -> "
             "LayerNorm(x + dropout(sublayer_out)) [B, T, D]", ADDNORM_TEMPLATE),
        Kind("causal-mask", "causal mask builder", "function",
             "causal_mask(T) -> [T, T] bool (True = may attend, j <= i) or additive float (0 / -inf)",
             CAUSAL_MASK_TEMPLATE),
        Kind("positions", "sinusoidal positional encoding", "function",
             "positional_encoding(T, d) -> [T, d]: sin at even, cos at odd columns (or [sin | cos] halves)",
             POSITIONS_TEMPLATE),
        Kind("lm-loss", "causal-LM loss", "function",
             "lm_loss(logits [B, T, V], input_ids [B, T], attention_mask bool [B, T] True = real token) -> scalar: "
             "mean cross-entropy of logits[:, t] against input_ids[:, t + 1] over real targets", LM_LOSS_TEMPLATE),
        Kind("lstm-cell", "LSTM cell", "module",
             "class M(nn.Module): __init__(input_size, hidden_size); forward(x [B, I], (h, c) [B, H] each) -> "
             "(h_new, c_new)", LSTM_TEMPLATE),
        Kind("gru-cell", "GRU cell", "module",
             "class M(nn.Module): __init__(input_size, hidden_size); forward(x [B, I], h [B, H]) -> h_new [B, H]",
             GRU_CELL_TEMPLATE),
        Kind("lstm", "LSTM layer", "module",
             "class M(nn.Module): __init__(input_size, hidden_size); forward(x [B, T, I], state=None | (h0, c0) [B, H] "
             "each) -> (outputs [B, T, H], (h_T, c_T))", LSTM_LAYER_TEMPLATE),
        Kind("gru", "GRU layer", "module",
             "class M(nn.Module): __init__(input_size, hidden_size); forward(x [B, T, I], h=None | h0 [B, H]) -> "
             "(outputs [B, T, H], h_T)", GRU_LAYER_TEMPLATE),
        Kind("encoder-block", "Transformer encoder block (pre- or post-norm)", "module",
             "class M(nn.Module): __init__(d_model, n_heads, d_ff, dropout=0.0); forward(x [B, T, D], mask bool "
             "[B, T] True = real token | None) -> [B, T, D]", ENCODER_BLOCK_TEMPLATE),
        Kind("classifier-head", "classifier head", "module",
             "class M(nn.Module): __init__(d_model, n_classes, dropout=0.0); forward(hidden [B, T, D], mask bool "
             "[B, T] True = real token) -> logits [B, n_classes]", CLASSIFIER_HEAD_TEMPLATE),
    )
}


def get_kind(name: str) -> Kind:
    """The kind called `name`; SeqlabError naming the kinds there are."""
    if name not in KINDS:
        raise SeqlabError(f"unknown kind {name!r}; choose one of {', '.join(KINDS)}")
    return KINDS[name]


def _parameters(obj: Any) -> list[str]:
    """The names of the parameters a function takes, or a class's __init__ takes (self left out)."""
    target = obj.__init__ if isinstance(obj, type) else obj
    try:
        names = list(inspect.signature(target).parameters)
    except (TypeError, ValueError):
        return []
    return [name for name in names if name not in ("self", "args", "kwargs")]


FEED_FORWARD_WORDS = ("ff", "feedforward", "feed_forward", "hidden", "mlp", "inner", "intermediate", "expansion")
LSTM_STATES = ("state", "states", "hc", "h_c", "hidden_state")
GRU_STATES = ("h", "hidden", "h_prev", "h_t", "prev_h")


def _recurrent_kind(cls: type, name: str, params: list[str]) -> str | None:
    """lstm-cell, gru-cell, lstm or gru: LSTM vs GRU told by the class's name or else by forward's second parameter
    (a state pair `state` vs one `h`), cell vs layer by whether that state may be left out; None when the class is not built from (input_size, hidden_size) nor named like a cell;
    SeqlabError naming both signatures when a cell's forward cannot tell."""
    layer = _is_layer(cls)
    if "lstm" in name:
        return "lstm" if layer else "lstm-cell"
    if "gru" in name:
        return "gru" if layer else "gru-cell"
    if not (len(params) >= 2 and params[0].startswith("input") and params[1].startswith("hidden")):
        return None
    forward = [p.lower() for p in _parameters(getattr(cls, "forward", None))][1:2]
    suffix = "" if layer else "-cell"
    if forward and forward[0] in LSTM_STATES:
        return "lstm" + suffix
    if forward and forward[0] in GRU_STATES:
        return "gru" + suffix
    lstm_kind, gru_kind = KINDS["lstm" + suffix], KINDS["gru" + suffix]
    raise SeqlabError(f"cannot tell whether {cls.__name__!r} is an {lstm_kind.title} or a {gru_kind.title}; pass "
                      f"--kind {lstm_kind.name} ({lstm_kind.signature}) or --kind {gru_kind.name} "
                      f"({gru_kind.signature})")


def _is_layer(cls: type) -> bool:
    """Whether the class's forward takes a state that may be left out (a layer: forward(x, state=None)), not a
    cell's required state (forward(x, h))."""
    try:
        params = list(inspect.signature(getattr(cls, "forward")).parameters.values())[1:]
    except (TypeError, ValueError, AttributeError):
        return False
    return len(params) < 2 or params[1].default is not inspect.Parameter.empty


def _takes_two_inputs(cls: type) -> bool:
    """Whether forward needs two tensors (x and a sublayer's output): add & norm, not a layer norm's forward(x)."""
    try:
        params = list(inspect.signature(getattr(cls, "forward")).parameters.values())[1:]
    except (TypeError, ValueError, AttributeError):
        return False
    required = [p for p in params if p.default is inspect.Parameter.empty and p.kind in
                (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    return len(required) == 2


def infer_kind(obj: Any) -> str:
    """The kind a learner's function or class is, read off its signature (and name); SeqlabError naming every kind's
    signature when it cannot be told, so the learner can pass --kind."""
    name = getattr(obj, "__name__", "").lower()
    params = [p.lower() for p in _parameters(obj)]
    if isinstance(obj, type):
        recurrent = _recurrent_kind(obj, name, params)
        if recurrent:
            return recurrent
        if any("class" in p or "label" in p for p in params[:3]):
            return "classifier-head"
        if len(params) >= 3 and any("head" in p for p in params[:3]) and any(
                word in p for p in params[1:4] for word in FEED_FORWARD_WORDS):
            return "encoder-block"
        if len(params) >= 2 and any("head" in p for p in params[:3]):
            return "multihead"
        if _takes_two_inputs(obj) and not any("head" in p for p in params):
            return "add-norm"
        if "norm" in name or any(p in ("eps", "epsilon", "normalized_shape", "features", "d", "dim", "d_model",
                                       "hidden_size") for p in params[:2]):
            if not any("head" in p for p in params):
                return "layernorm"
    elif callable(obj):
        if params and params[0] == "logits" and len(params) >= 2:
            return "lm-loss"
        if len(params) >= 3 and params[0].startswith("q") and params[1].startswith("k") and params[2].startswith("v"):
            return "attention"
        if "mask" in name and len(params) == 1:
            return "causal-mask"
        if "posit" in name or "sinus" in name or "encoding" in name:
            return "positions"
        if len(params) == 2:
            return "positions"
        if len(params) == 1:
            return "causal-mask"
    signatures = "; ".join(f"{kind.name}: {kind.signature}" for kind in KINDS.values())
    raise SeqlabError(f"cannot tell which kind {getattr(obj, '__name__', obj)!r} is from its signature; "
                      f"pass --kind with one of: {signatures}")
