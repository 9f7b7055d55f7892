"""Student files for seqlab check --impl: correct ones (with legitimate variants) and broken ones, each broken file
with the diagnosis it must get. Each entry: (kind, NAME in the file, source, expected diagnosis or None = correct)."""

from __future__ import annotations

ATTENTION_HEAD = "import math\nimport torch\nimport torch.nn.functional as F\n\n\ndef attention(q, k, v, mask=None):\n"

GOOD_ATTENTION = ATTENTION_HEAD + """    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""


def attention_variant(body: str) -> str:
    """An attention file whose body is `body` (indented by 4)."""
    return ATTENTION_HEAD + body


ZOO: list[tuple[str, str, str, str | None]] = [
    # ---------------------------------------------------------------- attention (function)
    ("attention", "attention", GOOD_ATTENTION, None),
    ("attention", "attention", attention_variant("""    scores = torch.einsum("...qd,...kd->...qk", q, k) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = scores + torch.zeros_like(scores).masked_fill(~mask, float("-inf"))  # additive -inf mask
    weights = F.softmax(scores, dim=-1)
    return torch.einsum("...qk,...kd->...qd", weights, v), weights
"""), None),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), "no 1/sqrt(d_k)"),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / q.size(-1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), "scaled by d_k instead of sqrt(d_k)"),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    return weights @ v, weights
"""), "mask applied after softmax"),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), "mask inverted"),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-2)
    return weights @ v, weights
"""), "softmax over the wrong axis"),
    # ---------------------------------------------------------------- causal mask (function)
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.tril(torch.ones(T, T, dtype=torch.bool))\n", None),
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.triu(torch.full((T, T), float('-inf')), diagonal=1)  # additive\n", None),
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)\n", "mask inverted"),
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.tril(torch.ones(T, T), diagonal=-1).bool()\n", "causal mask off by one (diagonal excluded)"),
    ("causal-mask", "causal_mask", "import torch\n\n\ndef causal_mask(T):\n"
     "    return torch.triu(torch.ones(T, T, dtype=torch.bool))\n",
     "causal mask transposed (the future, not the past)"),
    # ---------------------------------------------------------------- positions (function)
    ("positions", "positional_encoding", """import math
import torch


def positional_encoding(T, d):
    pe = torch.zeros(T, d)
    position = torch.arange(T).unsqueeze(1).float()
    div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    return pe
""", None),
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(d // 2) * 2 / d)
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)  # [sin | cos] halves
""", None),
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(d // 2) * 2 / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.cos(angle)
    pe[:, 1::2] = torch.sin(angle)
    return pe
""", "sin/cos swapped"),
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(d // 2) / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
""", "exponent i/d instead of 2i/d"),
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(1, T + 1)[:, None] / 10000 ** (torch.arange(d // 2) * 2 / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
""", "positions start at 1"),
]

LAYERNORM_HEAD = """import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
"""


def layernorm(body: str) -> str:
    """A LayerNorm file with gamma, beta, eps and this forward body."""
    return LAYERNORM_HEAD + body


ZOO += [
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta
"""), None),
    ("layernorm", "LayerNorm", """import torch
import torch.nn.functional as F
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.weight, self.bias, self.eps)
""", None),
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True)
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta
"""), "unbiased variance"),
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True, unbiased=False)
        return self.gamma * (x - mean) / (std + self.eps) + self.beta
"""), "eps outside the sqrt"),
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-2, keepdim=True)
        var = x.var(-2, keepdim=True, unbiased=False)
        return self.gamma * (x - mean) / torch.sqrt(var + self.eps) + self.beta
"""), "layer norm over the wrong axis"),
    ("layernorm", "LayerNorm", layernorm("""        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return self.beta * (x - mean) / torch.sqrt(var + self.eps) + self.gamma
"""), "gamma and beta swapped"),
    ("layernorm", "LayerNorm", """import torch
from torch import nn


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + self.eps)
""", "missing gamma/beta"),
]

MHA_HEAD = """import math
import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x, mask=None):
        B, T, D = x.shape
        dh = D // self.h
        q, k, v = (p(x).view(B, T, self.h, dh).transpose(1, 2) for p in (self.query, self.key, self.value))
"""


def multihead(body: str) -> str:
    """A MultiHeadSelfAttention file with separate projections and this end of forward (q, k, v [B,H,T,dh])."""
    return MHA_HEAD + body


GOOD_MHA_END = """        scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        context = scores.softmax(-1) @ v
        return self.out(context.transpose(1, 2).reshape(B, T, D))
"""

ZOO += [
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END), None),
    ("multihead", "MultiHeadSelfAttention", """import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)  # fused q, k, v
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, mask=None):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=-1)
        q, k, v = (t.view(B, T, self.h, -1).transpose(1, 2) for t in (q, k, v))
        keep = None if mask is None else mask[:, None, None, :]
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        return self.proj(context.transpose(1, 2).reshape(B, T, D)), None
""", None),
    ("multihead", "MultiHeadSelfAttention", """import torch
from torch import nn


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.mha = nn.MultiheadAttention(d_model, n_heads, batch_first=True)

    def forward(self, x, mask=None):
        padding = None if mask is None else ~mask
        return self.mha(x, x, x, key_padding_mask=padding, need_weights=False)[0]
""", None),
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace(" / math.sqrt(dh)", "")), "no 1/sqrt(d_k)"),
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace("math.sqrt(dh)", "math.sqrt(D)")),
     "scaled by sqrt(d_model) instead of sqrt(d_k)"),
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace("context.transpose(1, 2).reshape",
                                                                           "context.reshape")),
     "heads merged in the wrong order"),
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace("~mask[:, None, None, :]",
                                                                           "mask[:, None, None, :]")), "mask inverted"),
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace(
        "        if mask is not None:\n            scores = scores.masked_fill(~mask[:, None, None, :], float(\"-inf\"))\n",
        "")), "padding mask ignored"),
]

ZOO += [
    ("multihead", "MultiHeadSelfAttention", multihead(GOOD_MHA_END.replace("scores.softmax(-1)", "scores.softmax(-2)")),
     "softmax over the wrong axis"),
    ("multihead", "MultiHeadSelfAttention", multihead("""        scores = q @ k.transpose(-2, -1) / math.sqrt(dh)
        weights = scores.softmax(-1)
        if mask is not None:
            weights = weights.masked_fill(~mask[:, None, None, :], 0.0)
        return self.out((weights @ v).transpose(1, 2).reshape(B, T, D))
"""), "mask applied after softmax"),
    ("multihead", "MultiHeadSelfAttention", MHA_HEAD.replace(
        "p(x).view(B, T, self.h, dh).transpose(1, 2)", "p(x).reshape(B, self.h, T, dh)") + GOOD_MHA_END,
     "heads split in the wrong order"),
    ("layernorm", "LayerNorm", layernorm("""        var = (x ** 2).mean(-1, keepdim=True)
        return self.gamma * x / torch.sqrt(var + self.eps) + self.beta
"""), "mean not subtracted"),
    ("attention", "attention", attention_variant("""    scores = q @ k.transpose(-2, -1) * math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
"""), "scaled by sqrt(d_k) the wrong way (multiplied)"),
    ("positions", "positional_encoding", """import torch


def positional_encoding(T, d):
    angle = torch.arange(T)[:, None] / 1000 ** (torch.arange(d // 2) * 2 / d)
    pe = torch.zeros(T, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
""", "base 1000 instead of 10000"),
]

ZOO += [
    ("multihead", "MultiHeadSelfAttention", MHA_HEAD.replace(
        "p(x).view(B, T, self.h, dh).transpose(1, 2)", "p(x).reshape(B, self.h, T, dh)")
     + GOOD_MHA_END.replace("context.transpose(1, 2).reshape", "context.reshape"),
     "heads split and merged in the wrong order"),
]

LOSS_HEAD = "import torch\nimport torch.nn.functional as F\n\n\ndef lm_loss(logits, input_ids, attention_mask):\n"

ZOO += [
    ("lm-loss", "lm_loss", LOSS_HEAD + """    predictions = logits[:, :-1].reshape(-1, logits.size(-1))
    targets = input_ids[:, 1:].reshape(-1)
    real = attention_mask[:, 1:].reshape(-1)
    return F.cross_entropy(predictions[real], targets[real])
""", None),
    ("lm-loss", "lm_loss", LOSS_HEAD + """    targets = input_ids[:, 1:].masked_fill(~attention_mask[:, 1:], -100)  # ignore_index
    return F.cross_entropy(logits[:, :-1].transpose(1, 2), targets, ignore_index=-100)
""", None),
    ("lm-loss", "lm_loss", LOSS_HEAD + """    real = attention_mask
    return F.cross_entropy(logits[real], input_ids[real])
""", "LM target not shifted"),
    ("lm-loss", "lm_loss", LOSS_HEAD + """    predictions = logits[:, :-1].reshape(-1, logits.size(-1))
    return F.cross_entropy(predictions, input_ids[:, 1:].reshape(-1))
""", "padding counted in the loss"),
    ("lm-loss", "lm_loss", LOSS_HEAD + """    real = attention_mask[:, 1:]
    return F.cross_entropy(logits[:, :-1][real], input_ids[:, 1:][real], reduction="sum")
""", "summed instead of averaged"),
    ("lm-loss", "lm_loss", LOSS_HEAD + """    real = attention_mask[:, :-1]
    return F.cross_entropy(logits[:, 1:][real], input_ids[:, :-1][real])
""", "LM target shifted the wrong way"),
]

LSTM_HEAD = """import torch
from torch import nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.x2g = nn.Linear(input_size, 4 * hidden_size)
        self.h2g = nn.Linear(hidden_size, 4 * hidden_size, bias=False)

    def forward(self, x, state):
        h, c = state
        i, f, g, o = (self.x2g(x) + self.h2g(h)).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
"""

ZOO += [
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        c = f * c + i * g
        return o * torch.tanh(c), c
""", None),
    ("lstm-cell", "LSTMCell", """import torch
from torch import nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.forget = nn.Linear(input_size + hidden_size, hidden_size)  # one Linear per gate, on [x, h]
        self.input = nn.Linear(input_size + hidden_size, hidden_size)
        self.output = nn.Linear(input_size + hidden_size, hidden_size)
        self.candidate = nn.Linear(input_size + hidden_size, hidden_size)

    def forward(self, x, state):
        h, c = state
        xh = torch.cat([x, h], dim=-1)
        c = torch.sigmoid(self.forget(xh)) * c + torch.sigmoid(self.input(xh)) * torch.tanh(self.candidate(xh))
        return torch.sigmoid(self.output(xh)) * torch.tanh(c), c
""", None),
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        c = c + i * g
        return o * torch.tanh(c), c
""", "missing forget gate"),
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        c = f * c + i * g
        return o * c, c
""", "no tanh on the cell output"),
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        c = i * c + f * g  # i and f swapped everywhere: the same LSTM with its gates named the other way round
        return o * torch.tanh(c), c
""", None),
    ("lstm-cell", "LSTMCell", LSTM_HEAD + """        c = i * g
        return o * torch.tanh(c), c
""", "old cell dropped"),
    ("lstm-cell", "LSTMCell", LSTM_HEAD.replace("torch.tanh(g)", "torch.sigmoid(g)") + """        c = f * c + i * g
        return o * torch.tanh(c), c
""", "candidate through sigmoid"),
]


COUPLED_HEAD = """import torch
from torch import nn


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.x2g = nn.Linear(input_size, 3 * hidden_size)
        self.h2g = nn.Linear(hidden_size, 3 * hidden_size)

    def forward(self, x, state):
        h, c = state
        i, g, o = (self.x2g(x) + self.h2g(h)).chunk(3, dim=-1)
        i, g, o = torch.sigmoid(i), torch.tanh(g), torch.sigmoid(o)
"""

ZOO += [
    # the coupled input-forget gate LSTM (CIFG, Greff et al. 2017): f = 1 - i, a legitimate three-gate variant
    ("lstm-cell", "LSTMCell", COUPLED_HEAD + """        c = (1 - i) * c + i * g
        return o * torch.tanh(c), c
""", None),
    ("lstm-cell", "LSTMCell", COUPLED_HEAD + """        c = c + i * g
        return o * torch.tanh(c), c
""", "missing forget gate"),
]

from .zoo_recurrent import ZOO_RECURRENT  # noqa: E402

ZOO += ZOO_RECURRENT
