"""The models seqlab teaches, written by hand in plain PyTorch: layer norm, attention, positions,
Transformer encoder / classifier / causal LM, LSTM and GRU classifiers, and BERT with weight loading.

The names below are loaded on first use (PEP 562), so that `seqlab.models.families` (the table of model
families that `seqlab train --help` reads) can be imported without loading torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "AttentionMask": "attention", "MultiHeadSelfAttention": "attention", "causal_mask": "attention",
    "scaled_dot_product": "attention",
    "BertClassifier": "bert", "BertConfig": "bert", "BertModel": "bert", "BertOutput": "bert",
    "load_bert": "bert_loading",
    "build_classifier": "factory", "build_lm": "factory", "build_model": "factory", "count_parameters": "factory",
    "default_spec": "families",
    "LayerNorm": "layernorm",
    "ClassifierOutput": "outputs", "LMOutput": "outputs",
    "LearnedPositions": "positions", "SinusoidalPositions": "positions", "sinusoidal_table": "positions",
    "RNNClassifier": "rnn", "RNNConfig": "rnn",
    "CausalLM": "transformer", "TransformerBlock": "transformer", "TransformerClassifier": "transformer",
    "TransformerConfig": "transformer", "TransformerEncoder": "transformer", "transfer_lm_body": "transformer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """`seqlab.models.<name>`: the public name from its module, imported on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'seqlab.models' has no attribute {name!r}")
    return getattr(importlib.import_module(f"seqlab.models.{_EXPORTS[name]}"), name)
