"""Parameter and cost counts for the layers we teach, as integers, in PyTorch's parameter layout.

The parameter counts evaluate the formulas of seqlab.counting.formulas at the given sizes (one home
for that maths: `seqlab params` checks the same formulas against live models). The quiz computes its
numeric answers with these functions (never typed in), and the tests check each one against the
parameters of a real torch module.
"""

from __future__ import annotations

import math

import sympy as sp

from seqlab.counting import formulas as fx


def _value(expr: sp.Expr | int) -> int:
    """A formula of seqlab.counting.formulas evaluated at integers, as a Python int."""
    return int(expr)


def linear_params(d_in: int, d_out: int, bias: bool = True) -> int:
    """Parameters of nn.Linear(d_in, d_out): the weight matrix plus one bias per output."""
    return _value(fx.linear(d_in, d_out, bias))


def embedding_params(vocab_size: int, dim: int) -> int:
    """Parameters of an embedding table: one row of width `dim` per vocabulary entry."""
    return _value(fx.embedding(vocab_size, dim))


def layer_norm_params(d: int) -> int:
    """Parameters of LayerNorm(d): gamma and beta, one each per feature."""
    return _value(fx.layer_norm(d))


def lstm_layer_params(input_size: int, hidden: int) -> int:
    """One direction of one nn.LSTM layer: 4 gates x (W_ih, W_hh) plus PyTorch's two bias vectors b_ih, b_hh."""
    return _value(fx.lstm_layer(input_size, hidden))


def gru_layer_params(input_size: int, hidden: int) -> int:
    """One direction of one nn.GRU layer: 3 gates x (W_ih, W_hh) plus two bias vectors."""
    return _value(fx.gru_layer(input_size, hidden))


def rnn_params(cell: str, input_size: int, hidden: int, num_layers: int = 1, bidirectional: bool = False) -> int:
    """A stacked (optionally bidirectional) nn.LSTM / nn.GRU; layers above the first read 2h when bidirectional."""
    directions = 2 if bidirectional else 1
    first = fx.rnn_layer(cell, input_size, hidden, bidirectional)
    above = (num_layers - 1) * fx.rnn_layer(cell, directions * hidden, hidden, bidirectional)
    return _value(first + above)


def attention_params(d_model: int) -> int:
    """A multi-head self-attention sublayer (Q, K, V and output projections, with biases): 4d² + 4d, any head count."""
    return _value(fx.self_attention(d_model))


def ffn_params(d_model: int, d_ff: int) -> int:
    """The position-wise feed-forward sublayer d -> d_ff -> d: 2·d·d_ff + d_ff + d."""
    return _value(fx.feed_forward(d_model, d_ff))


def transformer_layer_params(d_model: int, d_ff: int) -> int:
    """One Transformer/BERT layer: attention + feed-forward + two layer norms."""
    return _value(fx.transformer_layer(d_model, d_ff))


def bert_embedding_params(vocab_size: int, max_positions: int, type_vocab: int, d_model: int) -> int:
    """BERT's embeddings: word + learned position + segment tables, then one layer norm."""
    return _value(fx.bert_embeddings(vocab_size, max_positions, type_vocab, d_model))


def bert_params(
    vocab_size: int = 30522,
    d_model: int = 768,
    n_layers: int = 12,
    d_ff: int = 3072,
    max_positions: int = 512,
    type_vocab: int = 2,
    pooler: bool = True,
) -> int:
    """A whole BERT encoder (defaults: bert-base-uncased), with the tanh pooler over [CLS] when `pooler`."""
    total = fx.bert_embeddings(vocab_size, max_positions, type_vocab, d_model)
    total += n_layers * fx.transformer_layer(d_model, d_ff)
    if pooler:
        total += fx.pooler(d_model)
    return _value(total)


def attention_scores_entries(n_heads: int, seq_len: int, batch: int = 1) -> int:
    """Entries of one layer's attention-probability tensor [B, H, T, T]: what grows as T²."""
    return batch * n_heads * seq_len * seq_len


def causal_allowed_entries(seq_len: int) -> int:
    """Entries a causal mask leaves open in a T x T score matrix: the diagonal and below, T(T+1)/2."""
    return seq_len * (seq_len + 1) // 2


def uniform_cross_entropy(num_classes: int) -> float:
    """Cross-entropy (nats) of a model that predicts the uniform distribution over `num_classes` classes."""
    return math.log(num_classes)


def majority_baseline(counts: dict[str, int]) -> tuple[float, float]:
    """(accuracy, macro-F1) of always predicting the most frequent class, given the gold label counts."""
    total = sum(counts.values())
    majority = max(counts.values())
    precision = majority / total
    recall = 1.0
    f1_majority = 2 * precision * recall / (precision + recall)
    return precision, f1_majority / len(counts)
