"""The builders of the built-in model families, named in the table of `seqlab.models.families`.

Each takes a `BuildRequest` (the family, the spec's values with defaults filled in, the data's sizes) and returns
a fresh model. This module does not import the table, so the table can name it without an import cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from seqlab.errors import SeqlabError
from seqlab.models.bert import BertClassifier, BertModel
from seqlab.models.bert_loading import load_bert, read_bert_config
from seqlab.models.mlm import BertForMaskedLM, TransformerMaskedLM
from seqlab.models.rnn import RNNClassifier
from seqlab.models.transformer import CausalLM, TransformerClassifier
from seqlab.paths import pretrained_bert_dir

if TYPE_CHECKING:
    from seqlab.models.families import BuildRequest


def build_rnn_classifier(request: BuildRequest) -> RNNClassifier:
    """An LSTM or GRU classifier (the family's name is the cell)."""
    config = request.config(cell=request.family.name, vocab_size=request.vocab_size, pad_id=request.pad_id)
    return RNNClassifier(config, request.num_labels)


def build_transformer_classifier(request: BuildRequest) -> TransformerClassifier:
    """Our Transformer encoder with a pooled head; causal (family lm) or bidirectional (family transformer)."""
    config = request.config(vocab_size=request.vocab_size, pad_id=request.pad_id)
    return TransformerClassifier(config, request.num_labels, pooling=request.values["pooling"],
                                 causal=request.family.lm is not None)


def build_causal_lm(request: BuildRequest) -> CausalLM:
    """The causal Transformer LM whose body transfers to the family's classifier."""
    config = request.config(vocab_size=request.vocab_size, pad_id=request.pad_id)
    return CausalLM(config, tie_weights=bool(request.values["tie_weights"]))


def build_transformer_mlm(request: BuildRequest) -> TransformerMaskedLM:
    """Our bidirectional Transformer encoder with BERT's MLM head."""
    return TransformerMaskedLM(request.config(vocab_size=request.vocab_size, pad_id=request.pad_id))


def build_bert_classifier(request: BuildRequest) -> BertClassifier:
    """BERT from scratch: pooled [CLS] -> dropout -> linear head."""
    config = request.config(vocab_size=request.vocab_size, pad_token_id=request.pad_id)
    return BertClassifier(BertModel(config), request.num_labels, dropout=request.values["dropout"])


def build_bert_mlm(request: BuildRequest) -> BertForMaskedLM:
    """BERT from scratch with its masked-LM head."""
    return BertForMaskedLM(BertModel(request.config(vocab_size=request.vocab_size, pad_token_id=request.pad_id)))


def build_pretrained_bert_classifier(request: BuildRequest) -> BertClassifier:
    """BERT with the weights of the "checkpoint" folder (default: the MiniLM of seqlab[pretrained])."""
    checkpoint = request.values["checkpoint"]
    directory = Path(checkpoint) if checkpoint else pretrained_bert_dir()
    if request.load_weights:
        bert = load_bert(directory).train()
    else:
        bert = BertModel(read_bert_config(directory))
    if bert.config.vocab_size != request.vocab_size:
        raise SeqlabError(
            f"the text encoder has {request.vocab_size} tokens but the checkpoint in {directory} has "
            f"{bert.config.vocab_size}; encode the text with the checkpoint's WordPiece vocabulary"
        )
    return BertClassifier(bert, request.num_labels, dropout=request.values["dropout"])
