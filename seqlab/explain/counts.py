"""Closed-form parameter and cost counts for the layers we teach, in PyTorch's parameter layout.

The quiz computes its numeric answers with these functions (never typed in), and the tests check
each one against the parameters of a real torch module.
"""

from __future__ import annotations

import math


def linear_params(d_in: int, d_out: int, bias: bool = True) -> int:
    """Parameters of nn.Linear(d_in, d_out): the weight matrix plus one bias per output."""
    return d_in * d_out + (d_out if bias else 0)


def embedding_params(vocab_size: int, dim: int) -> int:
    """Parameters of an embedding table: one row of width `dim` per vocabulary entry."""
    return vocab_size * dim


def layer_norm_params(d: int) -> int:
    """Parameters of LayerNorm(d): gamma and beta, one each per feature."""
    return 2 * d


def lstm_layer_params(input_size: int, hidden: int) -> int:
    """One direction of one nn.LSTM layer: 4 gates x (W_ih, W_hh) plus PyTorch's two bias vectors b_ih, b_hh."""
    return 4 * hidden * (input_size + hidden) + 2 * 4 * hidden


def gru_layer_params(input_size: int, hidden: int) -> int:
    """One direction of one nn.GRU layer: 3 gates x (W_ih, W_hh) plus two bias vectors."""
    return 3 * hidden * (input_size + hidden) + 2 * 3 * hidden


def rnn_params(cell: str, input_size: int, hidden: int, num_layers: int = 1, bidirectional: bool = False) -> int:
    """A stacked (optionally bidirectional) nn.LSTM / nn.GRU; layers above the first read 2h when bidirectional."""
    per_layer = {"lstm": lstm_layer_params, "gru": gru_layer_params}[cell]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else hidden * directions
        total += directions * per_layer(layer_input, hidden)
    return total


def attention_params(d_model: int) -> int:
    """A multi-head self-attention sublayer (Q, K, V and output projections, with biases): 4d² + 4d, any head count."""
    return 4 * linear_params(d_model, d_model)


def ffn_params(d_model: int, d_ff: int) -> int:
    """The position-wise feed-forward sublayer d -> d_ff -> d: 2·d·d_ff + d_ff + d."""
    return linear_params(d_model, d_ff) + linear_params(d_ff, d_model)


def transformer_layer_params(d_model: int, d_ff: int) -> int:
    """One Transformer/BERT layer: attention + feed-forward + two layer norms."""
    return attention_params(d_model) + ffn_params(d_model, d_ff) + 2 * layer_norm_params(d_model)


def bert_embedding_params(vocab_size: int, max_positions: int, type_vocab: int, d_model: int) -> int:
    """BERT's embeddings: word + learned position + segment tables, then one layer norm."""
    return (
        embedding_params(vocab_size, d_model)
        + embedding_params(max_positions, d_model)
        + embedding_params(type_vocab, d_model)
        + layer_norm_params(d_model)
    )


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
    total = bert_embedding_params(vocab_size, max_positions, type_vocab, d_model)
    total += n_layers * transformer_layer_params(d_model, d_ff)
    if pooler:
        total += linear_params(d_model, d_model)
    return total


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
