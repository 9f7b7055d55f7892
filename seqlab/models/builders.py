"""The builders of the built-in model families, named in the table of `seqlab.models.families`.

Each takes a `BuildRequest` (the family, the spec's values with defaults filled in, the data's sizes) and returns
a fresh model. This module does not import the table, so the table can name it without an import cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seqlab.errors import SeqlabError
from seqlab.models.bert import BertClassifier, BertModel
from seqlab.models.checkpoint import Checkpoint
from seqlab.models.mlm import BertForMaskedLM, TransformerMaskedLM
from seqlab.models.rnn import RNNClassifier
from seqlab.models.transformer import CausalLM, TransformerClassifier

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
    """Our bidirectional Transformer encoder with BERT's MLM head (no pooled [CLS], so no sentence head)."""
    if request.sentence_objective is not None:
        raise SeqlabError(f"a sentence objective ({request.sentence_objective}) reads BERT's pooled [CLS] vector; "
                          f"family {request.family.name!r} has none (use family 'bert')")
    return TransformerMaskedLM(request.config(vocab_size=request.vocab_size, pad_id=request.pad_id))


def build_bert_classifier(request: BuildRequest) -> BertClassifier:
    """BERT from scratch: pooled [CLS] -> dropout -> linear head."""
    config = request.config(vocab_size=request.vocab_size, pad_token_id=request.pad_id)
    return BertClassifier(BertModel(config), request.num_labels, dropout=request.values["dropout"])


def build_bert_mlm(request: BuildRequest) -> BertForMaskedLM:
    """BERT from scratch with its masked-LM head (and the NSP/SOP head when asked)."""
    bert = BertModel(request.config(vocab_size=request.vocab_size, pad_token_id=request.pad_id))
    return BertForMaskedLM(bert, sentence_objective=request.sentence_objective)


def build_pretrained_bert_classifier(request: BuildRequest) -> BertClassifier:
    """BERT with the weights of the "checkpoint" folder (default: the MiniLM of seqlab[pretrained])."""
    return BertClassifier(_pretrained_bert(request), request.num_labels, dropout=request.values["dropout"])


def build_pretrained_bert_mlm(request: BuildRequest) -> BertForMaskedLM:
    """The checkpoint's BERT body with a fresh masked-LM head whose decoder is its word-embedding matrix (MiniLM
    ships no MLM head), and the NSP/SOP head when asked."""
    return BertForMaskedLM(_pretrained_bert(request), sentence_objective=request.sentence_objective)


def _pretrained_bert(request: BuildRequest) -> BertModel:
    """The checkpoint's BertModel (its shape with random weights when `load_weights` is False), checked against
    the text encoder's vocabulary size."""
    checkpoint = Checkpoint.at(request.values["checkpoint"])
    directory = checkpoint.directory
    bert = checkpoint.load_model().train() if request.load_weights else BertModel(checkpoint.config())
    if bert.config.vocab_size != request.vocab_size:
        raise SeqlabError(
            f"the text encoder has {request.vocab_size} tokens but the checkpoint in {directory} has "
            f"{bert.config.vocab_size}; encode the text with the checkpoint's WordPiece vocabulary"
        )
    return bert
