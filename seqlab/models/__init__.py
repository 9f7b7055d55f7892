"""The models seqlab teaches, written by hand in plain PyTorch: layer norm, attention, positions,
Transformer encoder / classifier / causal LM, LSTM and GRU classifiers, and BERT with weight loading."""

from seqlab.models.attention import AttentionMask, MultiHeadSelfAttention, causal_mask, scaled_dot_product
from seqlab.models.bert import BertClassifier, BertConfig, BertModel, BertOutput
from seqlab.models.bert_loading import load_bert
from seqlab.models.factory import build_classifier, build_lm, count_parameters, default_spec
from seqlab.models.layernorm import LayerNorm
from seqlab.models.outputs import ClassifierOutput, LMOutput
from seqlab.models.positions import LearnedPositions, SinusoidalPositions, sinusoidal_table
from seqlab.models.rnn import RNNClassifier, RNNConfig
from seqlab.models.transformer import (
    CausalLM,
    TransformerBlock,
    TransformerClassifier,
    TransformerConfig,
    TransformerEncoder,
    transfer_lm_body,
)

__all__ = [
    "AttentionMask", "BertClassifier", "BertConfig", "BertModel", "BertOutput", "CausalLM", "ClassifierOutput",
    "LMOutput", "LayerNorm", "LearnedPositions", "MultiHeadSelfAttention", "RNNClassifier", "RNNConfig",
    "SinusoidalPositions", "TransformerBlock", "TransformerClassifier", "TransformerConfig",
    "TransformerEncoder", "build_classifier", "build_lm", "causal_mask", "count_parameters", "default_spec",
    "load_bert", "scaled_dot_product", "sinusoidal_table", "transfer_lm_body",
]
