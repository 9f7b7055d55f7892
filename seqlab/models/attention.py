"""Scaled dot-product attention and multi-head self-attention, with padding and causal masks.

Two paths compute the same thing. The explicit path writes out softmax(q k^T / sqrt(d_head)) v and
returns the attention probabilities (for pictures and proofs); the fast path calls
`F.scaled_dot_product_attention`, which picks a fused kernel (flash / memory-efficient on CUDA).

A query with no key it may attend to (a row that is all padding, or padding before the first real token
under a causal mask) outputs zeros on both paths and on every backend, and its probability row is all
zeros: it attends to nothing. (Left alone, softmax over "all masked" is undefined: the CPU kernels gave a
uniform average of the values, the fused CUDA kernels zeros.)

An encoder builds its batch's `AttentionMask` once and hands it to every layer, as Hugging Face's BERT
builds its "extended" mask once; a module called on its own builds one from the [B,T] padding mask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.hooks import HookPoint
from seqlab.models.unpad import PackedTokens


MASKED_LOGIT = -1e30  # added to the logit of a key a query must not see (fast path)


def causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """The square subsequent mask [T,T] as bools: True where query i may attend to key j (j <= i)."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def allowed_positions(
    attention_mask: torch.Tensor | None, causal: bool, length: int, device: torch.device
) -> torch.Tensor | None:
    """Combine a key-padding mask [B,T] (True = real token) and the causal mask into [B|1,1,T,T] bools.

    True means "this query may attend to this key". None means every pair is allowed.
    """
    allowed = None
    if attention_mask is not None:
        allowed = attention_mask.to(device=device, dtype=torch.bool)[:, None, None, :]  # [B,1,1,T]
    if causal:
        lower = causal_mask(length, device)[None, None]  # [1,1,T,T]
        allowed = lower if allowed is None else allowed & lower
    return allowed


@dataclass(frozen=True)
class AttentionMask:
    """Which keys each query of a batch may attend to, in the forms both paths use; build it with `of`.

    `allowed` [B|1,1,T,T] bool is True where a query may attend to a key (None: every pair). With a
    padding mask, `additive` holds the same as 0 / MASKED_LOGIT for the fused kernel and `no_key`
    [B|1,1,T,1] marks the queries with no key at all, whose output is set to zero. Without one, the
    fused kernel gets no mask tensor (`is_causal` instead), which lets torch pick the flash kernel.
    """

    causal: bool
    allowed: torch.Tensor | None
    additive: torch.Tensor | None
    no_key: torch.Tensor | None

    @classmethod
    def of(
        cls,
        attention_mask: torch.Tensor | None,
        causal: bool,
        length: int,
        device: torch.device,
        dtype: torch.dtype = torch.float32,
    ) -> AttentionMask:
        """The masks of a batch of `length` tokens: `attention_mask` [B,T] bool marks real tokens (True)."""
        allowed = allowed_positions(attention_mask, causal, length, device)  # [B|1,1,T,T] | None
        if attention_mask is None:
            return cls(causal, allowed, None, None)
        assert allowed is not None
        # An additive mask rather than a bool one: a bool mask makes a row with nothing to attend to NaN on
        # some backends. -1e30 leaves masked keys exactly zero weight, yet stays finite when a fused kernel
        # rescales logits (finfo.min * log2(e) would overflow to -inf and NaN its backward).
        additive = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill(~allowed, MASKED_LOGIT)
        return cls(causal, allowed, additive, ~allowed.any(dim=-1, keepdim=True))


def scaled_dot_product(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    scale: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention written out: softmax(q k^T / sqrt(d_k)) v; returns (output, probabilities).

    q [..., Tq, d_k], k [..., Tk, d_k], v [..., Tk, d_v]; `mask` is a bool tensor broadcastable to
    [..., Tq, Tk] with True where a query may attend to a key. Masked logits are set to the most
    negative finite number rather than -inf, so nothing becomes NaN; a query with no allowed key at
    all gets a row of zero probabilities and a zero output. `scale=False` drops the 1/sqrt(d_k), to
    show why it is there.
    """
    logits = q @ k.transpose(-2, -1)  # [..., Tq, Tk]
    if scale:
        logits = logits / math.sqrt(q.size(-1))
    if mask is not None:
        logits = logits.masked_fill(~mask, torch.finfo(logits.dtype).min)
    probs = logits.softmax(dim=-1)  # [..., Tq, Tk]
    if mask is not None:
        probs = probs.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)  # queries that may attend to nothing
    return probs @ v, probs


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention: project x to queries, keys and values, attend per head, project back.

    Linear layers are named `query`, `key`, `value` and `out`. Heads split the width:
    d_head = d_model / n_heads. `dropout_p` is the probability of dropping an attention weight in training.
    `hook_pattern` (seqlab.models.hooks) sees the probabilities whenever the explicit path computes them.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__()
        check_heads(d_model, n_heads)
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.dropout_p = dropout
        self.scale: bool = True  # False only for the scaling demo
        self.query = nn.Linear(d_model, d_model, bias=bias)
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        self.out = nn.Linear(d_model, d_model, bias=bias)
        self.hook_pattern = HookPoint()

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.d_head).transpose(1, 2)  # [B,H,T,d_head]

    def forward(
        self,
        x: torch.Tensor,
        attention_mask: torch.Tensor | AttentionMask | None = None,
        causal: bool = False,
        need_weights: bool = False,
        packed: PackedTokens | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Attend over x [B,T,D]; returns (out [B,T,D], probs [B,H,T,T] when need_weights else None).

        attention_mask [B,T] bool marks real tokens (True) and padding (False); padding is never
        attended to. `causal=True` lets position i see only positions <= i. An encoder passes the
        AttentionMask it built once for the batch instead (its `causal` must agree). need_weights=True
        runs the explicit path, which returns the probabilities; otherwise the fused kernel runs.
        With `packed`, x [N,D] holds only the real tokens of the batch `packed` describes (BERT's fast path,
        seqlab.models.unpad) and so does out; the path is chosen here, so forward hooks fire on either path.
        """
        if packed is not None:
            if need_weights or causal:
                raise ValueError("the packed path is bidirectional and returns no probabilities")
            return self._packed(x, packed, attention_mask), None
        b, t, d = x.shape
        mask = self._batch_mask(attention_mask, causal, x)
        q, k, v = (self._split_heads(proj(x)) for proj in (self.query, self.key, self.value))  # [B,H,T,d_head]
        if need_weights:
            context, probs = scaled_dot_product(q, k, v, mask.allowed, scale=self.scale)
            probs = self.hook_pattern(probs)
            if self.training and self.dropout_p > 0:  # dropout acts on the probabilities, as in the fast path
                context = F.dropout(probs, self.dropout_p, training=True) @ v
        else:
            probs = None
            context = self._fast_attention(q, k, v, mask)
        context = context.transpose(1, 2).reshape(b, t, d)  # [B,T,D]
        return self.out(context), probs

    def _packed(self, x: torch.Tensor, packed: PackedTokens, mask: torch.Tensor | AttentionMask | None) -> torch.Tensor:
        """Bidirectional attention over the real tokens only (BERT's fast path): x [N,D] -> [N,D].

        x holds the real tokens of a padded batch (see seqlab.models.unpad); the projections skip the
        padding and only the attention itself runs on the padded [B,H,T,d_head] layout. `mask` is the
        AttentionMask of `packed.mask` when the caller built it already.
        """
        if not isinstance(mask, AttentionMask):
            mask = AttentionMask.of(packed.mask, False, packed.length, x.device, x.dtype)
        q, k, v = (self._split_heads(packed.pad(proj(x))) for proj in (self.query, self.key, self.value))
        context = self._fast_attention(q, k, v, mask)  # [B,H,T,d_head]
        context = context.transpose(1, 2).reshape(packed.batch, packed.length, self.d_model)  # [B,T,D]
        return self.out(packed.unpad(context))

    def _batch_mask(
        self, attention_mask: torch.Tensor | AttentionMask | None, causal: bool, x: torch.Tensor
    ) -> AttentionMask:
        """The AttentionMask an encoder passed, or one built here from a [B,T] padding mask."""
        if isinstance(attention_mask, AttentionMask):
            if attention_mask.causal != causal:
                raise ValueError(f"the AttentionMask was built with causal={attention_mask.causal}, not {causal}")
            return attention_mask
        return AttentionMask.of(attention_mask, causal, x.size(1), x.device, x.dtype)

    def _fast_attention(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: AttentionMask) -> torch.Tensor:
        """F.scaled_dot_product_attention with the same masking rule as the explicit path; [B,H,T,d_head]."""
        dropout_p = self.dropout_p if self.training else 0.0
        scale = None if self.scale else 1.0  # None: torch's default 1/sqrt(d_head)
        if mask.additive is None:  # no mask tensor at all lets torch pick the flash kernel
            return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=mask.causal, scale=scale)
        additive = mask.additive.to(q.dtype)  # a no-op unless autocast computes in a narrower type
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=additive, dropout_p=dropout_p, scale=scale)
        return context.masked_fill(mask.no_key, 0.0)  # queries with no key: zeros

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, n_heads={self.n_heads}, d_head={self.d_head}, scale={self.scale}"


def check_heads(d_model: int, n_heads: int) -> None:
    """Raise SeqlabError unless n_heads is a positive divisor of the width d_model."""
    if d_model <= 0:
        raise SeqlabError(f"width {d_model} must be a positive number of dimensions")
    if n_heads <= 0 or d_model % n_heads != 0:
        divisors = [h for h in range(1, d_model + 1) if d_model % h == 0][:4]
        examples = ", ".join(str(h) for h in divisors)
        raise SeqlabError(
            f"width {d_model} is not divisible by {n_heads} heads; pick heads that divide the width (e.g. {examples})"
        )
