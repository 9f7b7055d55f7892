"""A Transformer encoder (post-norm as in Vaswani et al., or pre-norm), a classifier on top of it,
and a causal language model whose body transfers to that classifier."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models._checks import (
    require_bools,
    require_choice,
    require_labels,
    require_pad_id,
    require_positive_ints,
    require_probabilities,
)
from seqlab.models.attention import AttentionMask, MultiHeadSelfAttention, check_heads
from seqlab.models.hooks import HookedBlock
from seqlab.models.layernorm import LayerNorm
from seqlab.models.outputs import ClassifierOutput, LMOutput
from seqlab.models.positions import make_positions
from seqlab.models.unpad import PackedTokens


@dataclass(frozen=True)
class TransformerConfig:
    """Shape of a Transformer encoder. The LM-transfer study: vocab 50001, d_model 200, 2 heads,
    d_ff 200, 4 layers, sinusoidal positions, post-norm."""

    vocab_size: int
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 128
    max_len: int = 512
    dropout: float = 0.1
    norm_first: bool = False  # True: pre-norm (norm before each sublayer, plus a final norm)
    positions: Literal["sinusoidal", "learned"] = "sinusoidal"
    pad_id: int = 0
    activation: Literal["relu", "gelu"] = "relu"
    layer_norm_eps: float = 1e-5
    scale_embeddings: bool = True  # multiply token embeddings by sqrt(d_model), as Vaswani et al. do

    def block_shape(self) -> "BlockShape":
        """The shape of each of its blocks (one dropout everywhere, as Vaswani et al.)."""
        return BlockShape(self.d_model, self.n_heads, self.d_ff, self.norm_first, self.activation,
                          self.layer_norm_eps, self.dropout, self.dropout, self.dropout)

    def __post_init__(self) -> None:
        require_positive_ints(self, "vocab_size", "d_model", "n_heads", "n_layers", "d_ff", "max_len")
        check_heads(self.d_model, self.n_heads)
        require_probabilities(self, "dropout")
        require_bools(self, "norm_first", "scale_embeddings")
        require_choice(self, "positions", ("sinusoidal", "learned"))
        require_choice(self, "activation", ("relu", "gelu"))
        require_pad_id(self.pad_id, self.vocab_size)


# Activations by the names configs use (BERT's config.json included): the functions Hugging Face's names stand
# for (tests/models check they agree).
ACTIVATIONS = {
    "gelu": F.gelu,
    "gelu_new": partial(F.gelu, approximate="tanh"),
    "gelu_pytorch_tanh": partial(F.gelu, approximate="tanh"),
    "relu": F.relu,
}


class FeedForward(nn.Module):
    """The position-wise feed-forward network: linear2(dropout(act(linear1(x)))), D -> d_ff -> D."""

    def __init__(self, d_model: int, d_ff: int, dropout: float | None, activation: str = "relu") -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout) if dropout is not None else nn.Identity()  # None: BERT has none here
        self.activation = ACTIVATIONS[activation]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """[B,T,D] -> [B,T,D]."""
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


@dataclass(frozen=True)
class BlockShape:
    """What one Transformer block is made of: widths, heads, where the norms sit, the activation, and the dropout
    on the attention weights, on each sublayer's output, and inside the feed-forward (BERT has none there)."""

    d_model: int
    n_heads: int
    d_ff: int
    norm_first: bool = False
    activation: str = "relu"
    layer_norm_eps: float = 1e-5
    attention_dropout: float = 0.0
    hidden_dropout: float = 0.0
    ffn_dropout: float | None = 0.0  # None: no dropout inside the feed-forward at all (BERT)


class TransformerBlock(HookedBlock):
    """One layer: self-attention, add & norm, feed-forward, add & norm: the one Transformer block seqlab builds
    (BERT's BertLayer is this block, post-norm, with BERT's sizes and activation).

    Post-norm (Vaswani, BERT): x = norm1(x + attn(x)); x = norm2(x + ffn(x)).
    Pre-norm: x = x + attn(norm1(x)); x = x + ffn(norm2(x)).
    The residual stream passes the hook points of seqlab.models.hooks (hook_resid_pre ... hook_resid_post), on
    the padded and the packed path alike.
    """

    def __init__(self, config: TransformerConfig | BlockShape) -> None:
        super().__init__()
        shape = config if isinstance(config, BlockShape) else config.block_shape()
        self.norm_first = shape.norm_first
        self.attention = MultiHeadSelfAttention(shape.d_model, shape.n_heads, dropout=shape.attention_dropout)
        self.norm1 = LayerNorm(shape.d_model, eps=shape.layer_norm_eps)
        self.ffn = FeedForward(shape.d_model, shape.d_ff, shape.ffn_dropout, shape.activation)
        self.norm2 = LayerNorm(shape.d_model, eps=shape.layer_norm_eps)
        self.dropout = nn.Dropout(shape.hidden_dropout)

    def forward(
        self,
        x: torch.Tensor,
        attention_mask: torch.Tensor | AttentionMask | None = None,
        causal: bool = False,
        need_weights: bool = False,
        packed: PackedTokens | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x [B,T,D] -> (x [B,T,D], attention probabilities [B,H,T,T] | None); the mask as in
        MultiHeadSelfAttention.forward (a [B,T] padding mask, or the encoder's AttentionMask). With `packed`, x
        [N,D] holds the real tokens only and so does the result (everything after the attention is position-wise,
        so only the attention sees the padded layout)."""
        x = self.hook_resid_pre(x)
        if self.norm_first:
            attended, probs = self._attend(self.norm1(x), attention_mask, causal, need_weights, packed)
            x = self.hook_resid_mid(x + self.hook_attn_out(self.dropout(attended)))
            x = x + self.hook_mlp_out(self.dropout(self.ffn(self.norm2(x))))
        else:
            attended, probs = self._attend(x, attention_mask, causal, need_weights, packed)
            x = self.hook_resid_mid(self.norm1(x + self.hook_attn_out(self.dropout(attended))))
            x = self.norm2(x + self.hook_mlp_out(self.dropout(self.ffn(x))))
        return self.hook_resid_post(x), probs

    def _attend(self, x: torch.Tensor, mask: torch.Tensor | AttentionMask | None, causal: bool, need_weights: bool,
                packed: PackedTokens | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The attention sublayer; `packed` is passed only when there is one, so an attention module swapped in
        without a packed path (a learner's, a check's variant) still runs on the padded path."""
        if packed is None:
            return self.attention(x, mask, causal, need_weights)
        return self.attention(x, mask, causal, need_weights, packed=packed)


class TransformerEncoder(nn.Module):
    """Token embedding + positions, then n_layers blocks (and a final norm when pre-norm)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.d_model, padding_idx=config.pad_id)
        # std d^-1/2, so that after the sqrt(d) scale the embeddings have unit size like the sinusoids
        nn.init.normal_(self.token_embedding.weight, std=config.d_model**-0.5)
        with torch.no_grad():
            self.token_embedding.weight[config.pad_id].zero_()
        self.positions = make_positions(config.positions, config.d_model, config.max_len)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(TransformerBlock(config) for _ in range(config.n_layers))
        self.final_norm = LayerNorm(config.d_model, eps=config.layer_norm_eps) if config.norm_first else None

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        causal: bool = False,
        output_attentions: bool = False,
    ) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
        """input_ids [B,T] -> (hidden [B,T,D], one [B,H,T,T] per layer when output_attentions else None)."""
        x = self.token_embedding(input_ids)  # [B,T,D]
        if self.config.scale_embeddings:
            x = x * math.sqrt(self.config.d_model)
        x = self.dropout(x + self.positions(input_ids.size(1)))
        mask = AttentionMask.of(attention_mask, causal, x.size(1), x.device, x.dtype)  # once, for every block
        attentions: list[torch.Tensor] | None = [] if output_attentions else None
        for block in self.blocks:
            x, probs = block(x, mask, causal, need_weights=output_attentions)
            if attentions is not None:
                attentions.append(probs)
        if self.final_norm is not None:
            x = self.final_norm(x)
        return x, attentions


def real_token_mask(input_ids: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
    """attention_mask as bools [B,T], or all True when there is none."""
    if attention_mask is None:
        return torch.ones_like(input_ids, dtype=torch.bool)
    return attention_mask.to(torch.bool)


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: str) -> torch.Tensor:
    """One vector per sequence [B,D] from hidden [B,T,D]: mean of real tokens, first token, or last real token."""
    if pooling == "cls":
        return hidden[:, 0]
    if pooling == "last":
        last = (mask.long().sum(dim=1) - 1).clamp(min=0)  # [B] index of the last real token
        return hidden[torch.arange(hidden.size(0), device=hidden.device), last]
    weights = mask.to(hidden.dtype).unsqueeze(-1)  # [B,T,1]
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


POOLINGS = ("mean", "cls", "last")


class TransformerClassifier(nn.Module):
    """A Transformer encoder, a pooled sentence vector, dropout, and a linear head to num_labels logits."""

    cuda_graph_safe = True  # forward never reads a value back from the device (see seqlab.training.step)

    def __init__(
        self,
        config: TransformerConfig,
        num_labels: int,
        pooling: Literal["mean", "cls", "last"] = "mean",
        causal: bool = False,
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise SeqlabError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
        require_labels(num_labels)
        self.config = config
        self.pooling = pooling
        self.causal = causal
        self.encoder = TransformerEncoder(config)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.d_model, num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
    ) -> ClassifierOutput:
        """input_ids [B,T] -> logits [B,C] (segment_ids are ignored: this model has no segments)."""
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, self.causal, output_attentions)
        logits = self.head(self.dropout(pool(hidden, mask, self.pooling)))
        return ClassifierOutput(logits=logits, attentions=attentions)


class CausalLM(nn.Module):
    """A Transformer run causally (each token sees only the ones before it) predicting the next token."""

    def __init__(self, config: TransformerConfig, tie_weights: bool = False) -> None:
        super().__init__()
        self.config = config
        self.encoder = TransformerEncoder(config)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size)
        if tie_weights:  # the output layer reuses the input embedding matrix
            self.lm_head.weight = self.encoder.token_embedding.weight

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, output_attentions: bool = False
    ) -> LMOutput:
        """input_ids [B,T] -> next-token logits [B,T,V] (position t predicts token t+1)."""
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, causal=True, output_attentions=output_attentions)
        return LMOutput(logits=self.lm_head(hidden), attentions=attentions)


def transfer_lm_body(lm: CausalLM, classifier: TransformerClassifier) -> TransformerClassifier:
    """Copy a pretrained language model's encoder into a causal classifier's encoder; returns the classifier."""
    if not classifier.causal:
        raise SeqlabError(
            "the LM body was trained causally but this classifier is not causal; build it with causal=True "
            "(family 'lm')"
        )
    diff = [  # dropout may differ: it changes training, not the weights' meaning
        f"{name} {getattr(lm.config, name)} vs {getattr(classifier.config, name)}"
        for name in TransformerConfig.__dataclass_fields__
        if name != "dropout" and getattr(lm.config, name) != getattr(classifier.config, name)
    ]
    if diff:
        raise SeqlabError(
            f"the LM and the classifier have different shapes ({'; '.join(diff)}); build the classifier "
            "with the LM's configuration"
        )
    classifier.encoder.load_state_dict(lm.encoder.state_dict())
    return classifier
