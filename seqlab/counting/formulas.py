"""Closed-form parameter counts, derived symbolically from the layers they are made of.

Every formula is built from three primitives (a Linear layer, an Embedding table, a LayerNorm) and
composed the way the model composes its modules, so ``sympy.expand`` yields the textbook form
(e.g. ``4*d**2 + 4*d`` for self-attention) rather than our typing it in. Given integers instead of
symbols, a formula evaluates to the count itself (seqlab.explain.counts and the proofs use them that way).
"""

from __future__ import annotations

import sympy as sp

# The symbols of a config, named as the textbooks name them.
V, P, S, d, f, L, H, C = sp.symbols("V P S d f L H C", positive=True, integer=True)
x, h = sp.symbols("x h", positive=True, integer=True)
MEANINGS = {"V": "vocabulary", "P": "positions", "S": "segment types", "d": "width", "f": "feed-forward width",
            "L": "layers", "H": "heads", "C": "classes", "x": "input size", "h": "hidden size"}


def linear(n_in: sp.Expr, n_out: sp.Expr, bias: bool = True) -> sp.Expr:
    """Parameters of y = W x + b: an n_out x n_in weight and (optionally) an n_out bias."""
    return n_in * n_out + (n_out if bias else 0)


def embedding(rows: sp.Expr, width: sp.Expr) -> sp.Expr:
    """Parameters of a lookup table with `rows` vectors of size `width`."""
    return rows * width


def layer_norm(width: sp.Expr) -> sp.Expr:
    """Parameters of LayerNorm: gamma and beta, one of each per feature."""
    return 2 * width


def self_attention(width: sp.Expr = d, bias: bool = True) -> sp.Expr:
    """Multi-head self-attention: query, key, value and output projections, each width x width."""
    return sp.expand(4 * linear(width, width, bias))


def per_head_attention(width: sp.Expr = d, heads: sp.Expr = H) -> sp.Expr:
    """The same attention counted head by head: H heads of size d/H for Q, K, V, then the output projection.

    Simplifies to ``self_attention(d)``: the number of heads changes how the width is split, not the count.
    """
    return sp.simplify(per_head_attention_terms(width, heads))


def per_head_attention_terms(width: sp.Expr = d, heads: sp.Expr = H) -> sp.Expr:
    """Attention counted head by head, before simplifying: H * (Q, K, V of width d/H) + the output projection."""
    return heads * (3 * linear(width, width / heads)) + linear(width, width)


def feed_forward(width: sp.Expr = d, hidden: sp.Expr = f) -> sp.Expr:
    """Position-wise feed-forward: width -> hidden -> width."""
    return sp.expand(linear(width, hidden) + linear(hidden, width))


def transformer_layer(width: sp.Expr = d, hidden: sp.Expr = f) -> sp.Expr:
    """One Transformer block: attention and feed-forward, each followed (or preceded) by a LayerNorm."""
    return sp.expand(self_attention(width) + feed_forward(width, hidden) + 2 * layer_norm(width))


def bert_embeddings(vocab: sp.Expr = V, positions: sp.Expr = P, segments: sp.Expr = S, width: sp.Expr = d) -> sp.Expr:
    """BERT's input: token, learned position and segment tables summed, then a LayerNorm."""
    return sp.expand(
        embedding(vocab, width) + embedding(positions, width) + embedding(segments, width) + layer_norm(width)
    )


def pooler(width: sp.Expr = d) -> sp.Expr:
    """BERT's pooler: a width x width dense layer (then tanh) applied to [CLS]."""
    return sp.expand(linear(width, width))


def lstm_layer(n_in: sp.Expr = x, hidden: sp.Expr = h) -> sp.Expr:
    """One direction of one LSTM layer in PyTorch's layout: 4 gates, W_ih, W_hh and two bias vectors."""
    return sp.expand(4 * (linear(n_in, hidden) + linear(hidden, hidden)))


def gru_layer(n_in: sp.Expr = x, hidden: sp.Expr = h) -> sp.Expr:
    """One direction of one GRU layer in PyTorch's layout: 3 gates, W_ih, W_hh and two bias vectors."""
    return sp.expand(3 * (linear(n_in, hidden) + linear(hidden, hidden)))


def rnn_layer(cell: str, n_in: sp.Expr, hidden: sp.Expr, bidirectional: bool) -> sp.Expr:
    """One LSTM/GRU layer, doubled when it reads the sequence in both directions (shown as ``2*(...)``)."""
    one_direction = {"lstm": lstm_layer, "gru": gru_layer}[cell](n_in, hidden)
    return sp.Mul(2, one_direction, evaluate=False) if bidirectional else one_direction


def heads_do_not_change_count() -> bool:
    """True when H-head attention has exactly the parameters of one-head attention, for every H."""
    return sp.simplify(per_head_attention(d, H) - self_attention(d)) == 0


def show(expr: sp.Expr, expand: bool = True) -> str:
    """A formula as people write it: ``4*d^2 + 4*d`` (^ for powers); `expand=False` keeps ``L*(...)`` factors."""
    return sp.sstr(sp.expand(expr) if expand else expr, order="grlex").replace("**", "^")


def show_total(expr: sp.Expr) -> str:
    """A model's total, with the per-layer terms gathered under L: ``L*(4*d^2 + ...) + V*d + ...``."""
    return show(sp.collect(sp.expand(expr), L), expand=False)
