"""The worked examples of seqlab.explain.topics.attention, computed live with torch (seeded, never the global RNG)."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.explain.counts import attention_params, attention_scores_entries
from seqlab.explain.demos.numbers import fmt, generator, matrix_rows, round_list
from seqlab.explain.topic import DemoResult
from seqlab.models.attention import MultiHeadSelfAttention, scaled_dot_product
from seqlab.models.positions import sinusoidal_table

TOKENS: tuple[str, ...] = ("the", "film", "was", "great")


def attention_module(d_model: int, n_heads: int) -> nn.Module:
    """seqlab's MultiHeadSelfAttention of this width and head count."""
    return MultiHeadSelfAttention(d_model, n_heads)


def count_parameters(module: nn.Module) -> int:
    """Number of scalars in a module's parameters."""
    return sum(p.numel() for p in module.parameters())


def softmax_attention(q: torch.Tensor, k: torch.Tensor, allowed: torch.Tensor | None = None) -> torch.Tensor:
    """Attention probabilities softmax(q kᵀ / √d_k) written out; `allowed` [Tq, Tk] bools, True = may attend."""
    logits = q @ k.T / math.sqrt(q.shape[-1])
    if allowed is not None:
        logits = logits.masked_fill(~allowed, float("-inf"))
    return logits.softmax(dim=-1)


def attention_demo(seed: int) -> DemoResult:
    """The 4x4 attention matrix of four tokens from seeded random Q, K, V (d_k = 8)."""
    gen = generator(seed)
    d_k = 8
    q, k, v = (torch.randn(4, d_k, generator=gen) for _ in range(3))
    probs = softmax_attention(q, k)
    out = probs @ v
    notes = [
        f"Row sums: {', '.join(fmt(float(s)) for s in probs.sum(-1))}: each query distributes one unit of attention.",
        f"Output row 'the' = Σ_j P[the, j]·v_j; its first value is {fmt(float(out[0, 0]))}.",
    ]
    _, library_probs = scaled_dot_product(q, k, v)
    notes.append(f"max |by hand - seqlab.models.attention| = {float((library_probs - probs).abs().max()):.1e}")
    return DemoResult(
        title=f"softmax(QKᵀ/√8) for 4 tokens, random Q, K, V with seed {seed} (rows: queries, columns: keys)",
        columns=("query \\ key", *TOKENS),
        rows=matrix_rows(probs, TOKENS),
        notes=tuple(notes),
        values={"probabilities": round_list(probs), "row_sums": round_list(probs.sum(-1))},
    )


SCALING_KEYS = 16  # T: the keys (and queries) of the softmax rows in the scaling demo


def scaling_demo(seed: int) -> DemoResult:
    """Variance of q·k and the sharpest softmax weight over T keys, with and without the 1/√d_k scale, for growing
    d_k."""
    gen = generator(seed)
    rows = []
    values: dict[str, dict[str, float]] = {}
    for d_k in (4, 64, 512):
        q = torch.randn(1000, d_k, generator=gen)
        k = torch.randn(1000, d_k, generator=gen)
        dots = (q * k).sum(-1)
        logits = torch.randn(SCALING_KEYS, d_k, generator=gen) @ torch.randn(SCALING_KEYS, d_k, generator=gen).T
        peak_raw = float(logits.softmax(-1).max(-1).values.mean())
        peak_scaled = float((logits / math.sqrt(d_k)).softmax(-1).max(-1).values.mean())
        values[str(d_k)] = {
            "var_dot": float(dots.var()),
            "var_scaled": float((dots / math.sqrt(d_k)).var()),
            "peak_unscaled": peak_raw,
            "peak_scaled": peak_scaled,
        }
        rows.append(
            (
                str(d_k),
                fmt(float(dots.var()), 1),
                fmt(float((dots / math.sqrt(d_k)).var()), 2),
                fmt(peak_raw),
                fmt(peak_scaled),
            )
        )
    return DemoResult(
        title=f"q, k with independent N(0, 1) entries, 1000 samples per d_k (seed {seed})",
        columns=("d_k", "Var(q·k)", "Var(q·k/√d_k)", f"mean max of T={SCALING_KEYS} weights, unscaled",
                 f"mean max of T={SCALING_KEYS} weights, scaled"),
        rows=tuple(rows),
        notes=(
            "Var(q·k) grows like d_k; after the scale it stays near 1 for every d_k.",
            f"mean max: the largest softmax weight of a query's row over T = {SCALING_KEYS} keys, averaged over "
            f"{SCALING_KEYS} queries; spread evenly it would be 1/T = {1 / SCALING_KEYS:.3f}.",
            "Unscaled logits of size ~√d_k push the softmax towards one-hot (max weight → 1), where its gradient "
            "vanishes.",
        ),
        values=values,
    )


def multihead_demo(seed: int) -> DemoResult:
    """Parameters of d=768 attention for 1, 4 and 12 heads, and the size of the score tensor as T grows."""
    rows = []
    counts: dict[str, int] = {}
    with torch.device("meta"):  # counting shapes needs no memory
        for heads in (1, 4, 12):
            counted = count_parameters(attention_module(768, heads))
            counts[str(heads)] = counted
            rows.append((f"{heads} head(s) of width {768 // heads}", f"{counted:,}", f"{attention_params(768):,}"))
    sizes = {str(t): attention_scores_entries(12, t) for t in (128, 512, 2048)}
    return DemoResult(
        title="Self-attention with d_model = 768 (bert-base): parameters do not depend on the head count",
        columns=("heads", "counted parameters", "formula 4d² + 4d"),
        rows=tuple(rows),
        notes=(
            "Scores per layer for 12 heads, batch 1: "
            + ", ".join(f"T={t}: {n:,}" for t, n in sizes.items())
            + " (4x the tokens, 16x the entries).",
            "Cost per layer: projections O(T·d²), scores and mixing O(T²·d); an RNN layer is O(T·d²) in T sequential "
            "steps.",
        ),
        values={"params_by_heads": counts, "score_entries_by_length": sizes},
    )


def masks_demo(seed: int) -> DemoResult:
    """The padding mask where it matters: an encoder row over right padding, and a decoder over left padding.

    Under a causal mask, right padding sits after every real token, so the causal mask alone already hides
    it and the padding mask would demonstrate nothing. So the table is the encoder case (no causal mask),
    and the notes add the decoder case with the pads on the left, before the real tokens.
    """
    gen = generator(seed)
    labels = ("the", "film", "rocks", "[PAD]", "[PAD]")
    real = torch.tensor([True, True, True, False, False])
    q, k = torch.randn(5, 4, generator=gen), torch.randn(5, 4, generator=gen)
    allowed = real[None, :].expand(5, 5)  # encoder: padding mask only
    probs = softmax_attention(q, k, allowed)
    unmasked = softmax_attention(q, k)
    leak = float(unmasked[:3, 3:].sum(-1).max())

    left_real = real.flip(0)  # [PAD] [PAD] the film rocks
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    left_allowed = causal & left_real[None, :]
    left_probs = softmax_attention(q, k, left_allowed)[2:]  # the real queries
    causal_only_leak = float(softmax_attention(q, k, causal)[2:, :2].sum(-1).max())
    return DemoResult(
        title=f"Encoder with a padding mask, softmax(QKᵀ/√4) with seeded Q, K (seed {seed})",
        columns=("query \\ key", *labels),
        rows=matrix_rows(probs[:3], labels[:3]),
        notes=(
            "The pad columns are exactly 0: the padding mask set their logits to −∞ before the softmax, and each "
            "row still sums to 1.",
            f"Without the padding mask the real tokens would put up to {fmt(leak)} of their attention on the pads.",
            "Under a causal mask, right padding comes after every real token, so the causal mask alone hides it. "
            f"With left padding (pads first) the causal mask alone lets real tokens put up to {fmt(causal_only_leak)} "
            "on the pads; a decoder needs both masks to make that exactly 0.",
            "Rows of pad queries are left out: their outputs are never read.",
        ),
        values={
            "probabilities": round_list(probs[:3]),
            "allowed": allowed.tolist(),
            "causal": False,
            "pad_weight_without_mask": leak,
            "left_padded_probabilities": round_list(left_probs),
            "left_padded_allowed": left_allowed.tolist(),
            "left_padded_pad_weight_causal_only": causal_only_leak,
        },
    )


def sinusoidal(max_len: int, d_model: int) -> torch.Tensor:
    """The sinusoidal position table PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same)."""
    positions = torch.arange(max_len, dtype=torch.float64)[:, None]
    freqs = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    table = torch.zeros(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(positions * freqs)
    table[:, 1::2] = torch.cos(positions * freqs)
    return table


def positions_demo(seed: int) -> DemoResult:
    """PE·PE depends only on the offset; attention without positions cannot tell word order."""
    table = sinusoidal(64, 16)
    rows = []
    for offset in (1, 4, 16):
        dots = [float(table[p] @ table[p + offset]) for p in (0, 10, 40)]
        rows.append((str(offset), *(fmt(d) for d in dots)))
    note = []
    note.append(
        "max |this table - seqlab.models.positions| = "
        f"{float((sinusoidal_table(64, 16).double() - table).abs().max()):.1e}"
    )
    gen = generator(seed)
    x = torch.randn(4, 8, generator=gen)
    permutation = torch.tensor([2, 0, 3, 1])
    out = softmax_attention(x, x) @ x
    out_permuted = softmax_attention(x[permutation], x[permutation]) @ x[permutation]
    equivariance = float((out[permutation] - out_permuted).abs().max())
    return DemoResult(
        title="Sinusoidal positions, d = 16: PE(p)·PE(p+k) for three starting positions p",
        columns=("offset k", "p = 0", "p = 10", "p = 40"),
        rows=tuple(rows),
        notes=(
            "Each row is constant: the similarity of two positions depends only on their distance.",
            "Without positions and without a mask, shuffling 4 tokens just shuffles attention's outputs (max "
            "difference "
            f"{equivariance:.1e}).",
            *note,
        ),
        values={
            "dot_by_offset": {r[0]: [float(v) for v in r[1:]] for r in rows},
            "permutation_difference": equivariance,
        },
    )
