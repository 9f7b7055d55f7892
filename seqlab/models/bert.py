"""BERT built from our own parts: embeddings (word + position + segment), encoder layers of multi-head
self-attention and feed-forward with add & norm, and the [CLS] pooler; plus a classifier on top."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models._checks import require_labels, require_pad_id, require_positive_ints, require_probabilities
from seqlab.models.attention import AttentionMask, check_heads
from seqlab.models.transformer import ACTIVATIONS, BlockShape, TransformerBlock
from seqlab.models.layernorm import LayerNorm
from seqlab.models.outputs import ClassifierOutput
from seqlab.models.unpad import PackedTokens


@dataclass(frozen=True)
class BertConfig:
    """The fields of a Hugging Face BERT config.json that shape the model (defaults: bert-base-uncased)."""

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    pad_token_id: int = 0
    initializer_range: float = 0.02

    def __post_init__(self) -> None:
        require_positive_ints(
            self, "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "max_position_embeddings", "type_vocab_size",
        )
        check_heads(self.hidden_size, self.num_attention_heads)
        require_probabilities(self, "hidden_dropout_prob", "attention_probs_dropout_prob")
        if self.hidden_act not in ACTIVATIONS:
            raise SeqlabError(f"unsupported hidden_act {self.hidden_act!r}; use one of {', '.join(ACTIVATIONS)}")
        require_pad_id(self.pad_token_id, self.vocab_size, "pad_token_id")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> BertConfig:
        """Build from a config.json dict, ignoring the fields that do not shape the model."""
        known = {f.name for f in dataclasses.fields(cls)}
        chosen = {k: v for k, v in values.items() if k in known and v is not None}
        try:
            return cls(**chosen)
        except TypeError as exc:
            raise SeqlabError(f"BERT config has a value of the wrong type ({exc}); check config.json") from None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (JSON-able)."""
        return dataclasses.asdict(self)

    @staticmethod
    def presets() -> dict[str, BertConfig]:
        """Well-known BERT shapes, for counting parameters without weights (build them on the meta device)."""
        def shape(layers: int, width: int, heads: int) -> BertConfig:
            return BertConfig(
                hidden_size=width, num_hidden_layers=layers, num_attention_heads=heads, intermediate_size=4 * width
            )

        return {
            "bert-base-uncased": BertConfig(),  # L12 H768 A12
            "bert-tiny": shape(2, 128, 2),
            "bert-mini": shape(4, 256, 4),
            "bert-small": shape(4, 512, 8),
            "minilm": shape(6, 384, 12),  # MiniLM-L6-H384, the bundled checkpoint
        }


def gelu(x: torch.Tensor) -> torch.Tensor:
    """The exact GELU BERT uses: x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))."""
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """The tanh approximation of GELU (Hugging Face's "gelu_new")."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


# The hand-written forms above teach the formula; training uses torch's fused kernels (seqlab.models.transformer
# ACTIVATIONS), which compute the same functions (tests/models check they agree).


class BertEmbeddings(nn.Module):
    """Sum of word, position and segment (token type) embeddings, then layer norm and dropout."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.word = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.segment = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.norm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, segment_ids: torch.Tensor | None = None) -> torch.Tensor:
        """input_ids [B,T] (and segment_ids [B,T], default all 0) -> embeddings [B,T,D]."""
        length = input_ids.size(1)
        if length > self.position.num_embeddings:
            raise SeqlabError(
                f"a sequence of {length} tokens is longer than BERT's {self.position.num_embeddings} positions; "
                "truncate the input (--max-length)"
            )
        if segment_ids is None:
            segment_ids = torch.zeros_like(input_ids)
        positions = torch.arange(length, device=input_ids.device)  # [T]
        x = self.word(input_ids) + self.position(positions)[None] + self.segment(segment_ids)
        return self.dropout(self.norm(x))


class BertLayer(TransformerBlock):
    """One BERT encoder layer: seqlab's TransformerBlock, post-norm as in the original BERT, with BERT's sizes,
    activation and dropouts (none inside the feed-forward). Hugging Face's names map onto the block's at load
    (seqlab.models.bert_loading); a run saved with the earlier BERT names (attention_norm, intermediate, output,
    output_norm) still loads."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__(BlockShape(
            config.hidden_size, config.num_attention_heads, config.intermediate_size, norm_first=False,
            activation=config.hidden_act, layer_norm_eps=config.layer_norm_eps,
            attention_dropout=config.attention_probs_dropout_prob, hidden_dropout=config.hidden_dropout_prob,
            ffn_dropout=None))

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str, *args: Any, **kwargs: Any) -> None:
        for old, new in OLD_LAYER_NAMES:
            for key in [k for k in state_dict if k.startswith(prefix + old)]:
                state_dict[prefix + new + key[len(prefix + old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


# The names BertLayer's parts had before it became the TransformerBlock (runs saved then still load).
OLD_LAYER_NAMES = (("attention_norm.", "norm1."), ("intermediate.", "ffn.linear1."), ("output.", "ffn.linear2."),
                   ("output_norm.", "norm2."))


@dataclass(frozen=True)
class BertOutput:
    """What BertModel returns: every token's vector, the pooled [CLS] vector, and attentions when asked."""

    last_hidden_state: torch.Tensor  # [B,T,D]
    pooled_output: torch.Tensor  # [B,D]
    attentions: list[torch.Tensor] | None = None  # per layer [B,H,T,T]


class BertModel(nn.Module):
    """Embeddings, num_hidden_layers BertLayers, and the pooler tanh(dense(hidden of [CLS]))."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.layers = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))
        self.pooler = nn.Linear(config.hidden_size, config.hidden_size)
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        """BERT's initialization: normal(0, initializer_range) weights, zero biases, unit gamma."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=self.config.initializer_range)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
            if isinstance(module, nn.Embedding) and module.padding_idx is not None:
                with torch.no_grad():
                    module.weight[module.padding_idx].zero_()

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
    ) -> BertOutput:
        """input_ids [B,T], attention_mask [B,T] bool (True = real token), segment_ids [B,T] -> BertOutput.

        With padding in the batch, the layers run on the real tokens only (seqlab.models.unpad), and
        last_hidden_state is zero at padded positions; asking for attentions keeps the padded layout.
        """
        x = self.embeddings(input_ids, segment_ids)  # [B,T,D]
        packed = None if output_attentions else PackedTokens.of(attention_mask)
        attentions: list[torch.Tensor] | None = [] if output_attentions else None
        if packed is not None:
            mask = AttentionMask.of(packed.mask, False, packed.length, x.device, x.dtype)  # once, for every layer
            x = packed.unpad(x)  # [N,D]
            for layer in self.layers:
                x, _ = layer(x, mask, packed=packed)
            x = packed.pad(x)  # [B,T,D]
        else:
            mask = AttentionMask.of(attention_mask, False, x.size(1), x.device, x.dtype)
            for layer in self.layers:
                x, probs = layer(x, mask, need_weights=output_attentions)
                if attentions is not None:
                    attentions.append(probs)
        pooled = torch.tanh(self.pooler(x[:, 0]))  # [B,D] from the [CLS] token
        return BertOutput(last_hidden_state=x, pooled_output=pooled, attentions=attentions)


class BertClassifier(nn.Module):
    """Pooled [CLS] -> dropout -> linear head (`--freeze`, seqlab.training.freezing, trains the head alone)."""

    cuda_graph_safe = True  # on CUDA the padded path runs: no host synchronisation (see seqlab.training.step)

    def __init__(self, bert: BertModel, num_labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        require_labels(num_labels)
        if not 0.0 <= dropout < 1.0:
            raise SeqlabError(f"dropout must be in [0, 1), got {dropout}")
        self.bert = bert
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(bert.config.hidden_size, num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
    ) -> ClassifierOutput:
        """input_ids [B,T] (+ mask and segments) -> logits [B,C]."""
        out = self.bert(input_ids, attention_mask, segment_ids, output_attentions)
        return ClassifierOutput(logits=self.head(self.dropout(out.pooled_output)), attentions=out.attentions)

