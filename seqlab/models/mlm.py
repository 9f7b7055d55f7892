"""Masked language models: a bidirectional body (BERT or our Transformer encoder) with BERT's MLM head.

The head is BERT's `cls.predictions`: dense (D -> D), GELU, LayerNorm, then a decoder whose weight IS the
input word-embedding matrix (tied, [V,D]) plus a bias of its own [V]. The loss is cross-entropy at the
chosen positions only (labels -100 elsewhere); the head runs only on those positions, which is the same
number as running it everywhere and ignoring the rest, without V-wide logits for every token.

BERT with a sentence objective (next-sentence or sentence-order prediction, seqlab.data.sentence_pairs) also
has BERT's `cls.seq_relationship`: a linear layer from the pooled [CLS] vector to 2 logits (0 = the real
continuation); the training loss is the masked-LM loss plus that pair's cross-entropy, as in BERT.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from seqlab.data.masking import IGNORE_INDEX
from seqlab.errors import SeqlabError
from seqlab.models.bert import BertClassifier, BertModel
from seqlab.models.layernorm import LayerNorm
from seqlab.models.transformer import TransformerClassifier, TransformerConfig, TransformerEncoder, real_token_mask


@dataclass(frozen=True)
class MLMOutput:
    """A masked LM's answer: logits ([B,T,V], or [N,V] at the chosen positions when labels were given),
    attentions when asked, and with labels the mean loss over the `count` chosen positions."""

    logits: torch.Tensor
    attentions: list[torch.Tensor] | None = None
    loss: torch.Tensor | None = None  # masked-LM loss, plus the sentence loss when sentence labels were given
    count: int = 0
    sentence_logits: torch.Tensor | None = None  # [B,2] with a sentence head: real continuation vs not
    masked_loss: torch.Tensor | None = None  # the masked-LM part of `loss`
    sentence_loss: torch.Tensor | None = None  # the sentence part of `loss` (mean over the batch's pairs)


class MLMHead(nn.Module):
    """dense -> GELU -> LayerNorm -> decoder tied to `embedding` (shared weight [V,D], own bias [V])."""

    def __init__(self, embedding: nn.Embedding, eps: float = 1e-12) -> None:
        super().__init__()
        vocab_size, width = embedding.weight.shape
        self.dense = nn.Linear(width, width)
        self.norm = LayerNorm(width, eps=eps)
        self.decoder = nn.Linear(width, vocab_size)
        self.decoder.weight = embedding.weight  # tied: one matrix reads tokens in and writes them out
        nn.init.normal_(self.dense.weight, std=0.02)
        nn.init.zeros_(self.dense.bias)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """hidden [..., D] -> vocabulary logits [..., V]."""
        return self.decoder(self.norm(F.gelu(self.dense(hidden))))


class MaskedLM(nn.Module):
    """What both masked LMs share: logits (everywhere or at chosen positions) and the masked-LM loss."""

    head: MLMHead
    sentence_head: nn.Linear | None  # pooled [CLS] -> 2 logits (BERT with a sentence objective), else None
    sentence_objective: str | None

    def body(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, segment_ids: torch.Tensor | None,
        output_attentions: bool,
    ) -> tuple[torch.Tensor, torch.Tensor | None, list[torch.Tensor] | None]:
        """Every token's vector [B,T,D], the pooled [CLS] vector [B,D] (None for a family without one) and,
        when asked, each layer's attention [B,H,T,T]."""
        raise NotImplementedError

    def hidden_states(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, segment_ids: torch.Tensor | None,
        output_attentions: bool,
    ) -> tuple[torch.Tensor, list[torch.Tensor] | None]:
        """Every token's vector [B,T,D] and, when asked, each layer's attention [B,H,T,T]."""
        hidden, _, attentions = self.body(input_ids, attention_mask, segment_ids, output_attentions)
        return hidden, attentions

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        segment_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
        labels: torch.Tensor | None = None,
        sentence_labels: torch.Tensor | None = None,
    ) -> MLMOutput:
        """input_ids [B,T] -> logits [B,T,V]: at each position, what token belongs there.

        With `labels` [B,T] (the original id at chosen positions, -100 elsewhere) the head runs on the chosen
        positions only: logits are [N,V] for those N positions, and `loss` is their mean cross-entropy. A model
        with a sentence head also gives `sentence_logits` [B,2]; with `sentence_labels` [B] (0 = the real
        continuation) their cross-entropy is added to `loss`.
        """
        hidden, pooled, attentions = self.body(input_ids, attention_mask, segment_ids, output_attentions)
        sentence_logits = self.sentence_head(pooled) if self.sentence_head is not None else None
        if labels is None:
            return MLMOutput(logits=self.head(hidden), attentions=attentions, sentence_logits=sentence_logits)
        chosen = labels != IGNORE_INDEX
        logits = self.head(hidden[chosen])  # [N,V]
        if logits.dtype in (torch.float16, torch.bfloat16):  # the loss in float32 under autocast
            logits = logits.float()
        count = logits.size(0)  # the boolean index above already read the count back; no second wait
        if count == 0:  # a batch of very short texts may have no chosen token
            loss = logits.sum() * 0.0 + hidden.sum() * 0.0
        else:
            loss = F.cross_entropy(logits, labels[chosen])
        if sentence_labels is None or sentence_logits is None:
            return MLMOutput(logits=logits, attentions=attentions, loss=loss, count=count,
                             sentence_logits=sentence_logits, masked_loss=loss)
        sentence_loss = F.cross_entropy(sentence_logits.float(), sentence_labels)
        return MLMOutput(logits=logits, attentions=attentions, loss=loss + sentence_loss, count=count,
                         sentence_logits=sentence_logits, masked_loss=loss, sentence_loss=sentence_loss)

    def mlm_loss(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None, labels: torch.Tensor,
        segment_ids: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, int]:
        """Mean cross-entropy at the chosen positions (labels != -100) and how many there were."""
        out = self.forward(input_ids, attention_mask, segment_ids, labels=labels)
        assert out.loss is not None
        return out.loss, out.count


class BertForMaskedLM(MaskedLM):
    """BERT with its masked-LM head (`.bert` transfers to a BertClassifier, pooler included); with
    `sentence_objective` ("nsp" or "sop") also BERT's 2-way head on the pooled [CLS] vector."""

    def __init__(self, bert: BertModel, sentence_objective: str | None = None) -> None:
        super().__init__()
        self.bert = bert
        self.config = bert.config
        self.head = MLMHead(bert.embeddings.word, eps=bert.config.layer_norm_eps)
        self.sentence_objective = sentence_objective
        self.sentence_head = None
        if sentence_objective is not None:  # BERT's cls.seq_relationship
            self.sentence_head = nn.Linear(bert.config.hidden_size, 2)
            nn.init.normal_(self.sentence_head.weight, std=bert.config.initializer_range)
            nn.init.zeros_(self.sentence_head.bias)

    def body(self, input_ids, attention_mask, segment_ids, output_attentions):  # type: ignore[override]
        """BERT's last hidden states [B,T,D], its pooled [CLS] vector [B,D] (and attentions)."""
        out = self.bert(input_ids, attention_mask, segment_ids, output_attentions)
        return out.last_hidden_state, out.pooled_output, out.attentions


class TransformerMaskedLM(MaskedLM):
    """Our Transformer encoder, read both ways, with BERT's masked-LM head (`.encoder` transfers to a classifier)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.causal = False
        self.encoder = TransformerEncoder(config)
        self.head = MLMHead(self.encoder.token_embedding, eps=config.layer_norm_eps)
        self.sentence_objective, self.sentence_head = None, None  # no pooled [CLS] vector to read a pair from

    def body(self, input_ids, attention_mask, segment_ids, output_attentions):  # type: ignore[override]
        """The encoder's hidden states [B,T,D], no pooled vector (and attentions); segment ids are ignored."""
        mask = real_token_mask(input_ids, attention_mask)
        hidden, attentions = self.encoder(input_ids, mask, causal=False, output_attentions=output_attentions)
        return hidden, None, attentions


def transfer_mlm_body(mlm: MaskedLM, classifier: nn.Module) -> nn.Module:
    """Copy a masked LM's body (everything but the MLM head) into a classifier of the same shape."""
    if isinstance(mlm, BertForMaskedLM) and isinstance(classifier, BertClassifier):
        unequal = [name for name, value in dataclasses.asdict(mlm.bert.config).items()
                   if "dropout" not in name and getattr(classifier.bert.config, name) != value]
        if unequal:
            raise SeqlabError("the MLM run's BERT and the classifier have different shapes; build the classifier "
                              "from the MLM run's configuration")
        classifier.bert.load_state_dict(mlm.bert.state_dict())
        return classifier
    if isinstance(mlm, TransformerMaskedLM) and isinstance(classifier, TransformerClassifier):
        if classifier.causal:
            raise SeqlabError("the MLM body reads both ways; build a bidirectional classifier (family 'transformer')")
        diff = [name for name in TransformerConfig.__dataclass_fields__
                if name != "dropout" and getattr(mlm.config, name) != getattr(classifier.config, name)]
        if diff:
            raise SeqlabError(f"the MLM run and the classifier differ in {', '.join(diff)}; build the classifier "
                              "from the MLM run's configuration")
        classifier.encoder.load_state_dict(mlm.encoder.state_dict())
        return classifier
    raise SeqlabError(f"cannot move a {type(mlm).__name__} body into a {type(classifier).__name__}")
