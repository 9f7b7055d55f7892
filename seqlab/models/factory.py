"""Building a classifier from a plain JSON-able spec {"family": ..., **hyperparameters}, and counting parameters."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from torch import nn

from seqlab.errors import SeqlabError, unknown_choice
from seqlab.models.outputs import ClassifierOutput
from seqlab.models.rnn import RNNClassifier, RNNConfig
from seqlab.models.transformer import CausalLM, TransformerClassifier, TransformerConfig

__all__ = [
    "ClassifierOutput",
    "FAMILIES",
    "build_classifier",
    "build_lm",
    "build_mlm",
    "count_parameters",
    "default_spec",
]

# Small defaults that train in seconds on the built-in corpus.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "lstm": {"embed_dim": 64, "hidden_size": 64, "num_layers": 1, "bidirectional": False, "dropout": 0.1},
    "gru": {"embed_dim": 64, "hidden_size": 64, "num_layers": 1, "bidirectional": False, "dropout": 0.1},
    "transformer": {
        "d_model": 64, "n_heads": 4, "n_layers": 2, "d_ff": 128, "max_len": 512, "dropout": 0.1,
        "norm_first": False, "positions": "sinusoidal", "activation": "relu", "pooling": "mean",
    },
    "lm": {
        "d_model": 64, "n_heads": 4, "n_layers": 2, "d_ff": 128, "max_len": 512, "dropout": 0.1,
        "norm_first": False, "positions": "sinusoidal", "activation": "relu", "pooling": "last",
        "tie_weights": False,
    },
    "bert": {
        "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 256,
        "max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "dropout": 0.1, "freeze": False,
    },
    "bert-pretrained": {"checkpoint": None, "freeze": False, "dropout": 0.1},
}
FAMILIES: tuple[str, ...] = tuple(_DEFAULTS)


def default_spec(family: str) -> dict[str, Any]:
    """A complete spec for `family` with small defaults (a fresh dict the caller may change)."""
    _check_family(family)
    return {"family": family, **_DEFAULTS[family]}


def _check_family(family: Any) -> None:
    if family not in _DEFAULTS:
        raise SeqlabError(unknown_choice("model family", family, FAMILIES))


def _hyperparameters(spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The family and its hyperparameters (defaults filled in); SeqlabError for unknown keys or bad dropout."""
    if not isinstance(spec, dict):
        raise SeqlabError(f"a model spec must be a dict like {{'family': 'lstm', ...}}, got {type(spec).__name__}")
    family = spec.get("family")
    _check_family(family)
    values = {**_DEFAULTS[family], **{k: v for k, v in spec.items() if k != "family"}}
    unknown = sorted(set(values) - set(_DEFAULTS[family]))
    if unknown:
        raise SeqlabError(
            f"unknown setting(s) {', '.join(unknown)} for family {family!r}; known: {', '.join(_DEFAULTS[family])}"
        )
    dropout = values.get("dropout", 0.0)
    if not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise SeqlabError(f"dropout must be a number in [0, 1), got {dropout!r}")
    return family, values


def _make(cls: type, family: str, **kwargs: Any) -> Any:
    """cls(**kwargs), turning a wrong-typed value into a SeqlabError that names the family."""
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise SeqlabError(
            f"bad settings for family {family!r} ({exc}); compare with default_spec({family!r})"
        ) from None


def _transformer_config(values: dict[str, Any], vocab_size: int, pad_id: int, family: str) -> TransformerConfig:
    fields = {f.name for f in dataclasses.fields(TransformerConfig)}
    chosen = {k: v for k, v in values.items() if k in fields}
    return _make(TransformerConfig, family, vocab_size=vocab_size, pad_id=pad_id, **chosen)


def build_classifier(
    spec: dict[str, Any], vocab_size: int, num_labels: int, pad_id: int, load_weights: bool = True
) -> nn.Module:
    """A fresh classifier of the spec's family; every one has forward(...) -> ClassifierOutput.

    Families: lstm, gru, transformer, lm (a causal Transformer classifier that can take a CausalLM body,
    see transfer_lm_body), bert (from scratch), bert-pretrained (weights from "checkpoint", default
    MiniLM). `load_weights=False` builds bert-pretrained with random weights, for when a trained
    checkpoint will be loaded over it anyway.
    """
    family, values = _hyperparameters(spec)
    if family in ("lstm", "gru"):
        config = _make(RNNConfig, family, cell=family, vocab_size=vocab_size, pad_id=pad_id, **values)
        return RNNClassifier(config, num_labels)
    if family in ("transformer", "lm"):
        config = _transformer_config(values, vocab_size, pad_id, family)
        return TransformerClassifier(config, num_labels, pooling=values["pooling"], causal=family == "lm")
    from seqlab.models.bert import BertClassifier, BertConfig, BertModel

    if family == "bert":
        settings = {k: v for k, v in values.items() if k not in ("dropout", "freeze")}
        config = _make(BertConfig, family, vocab_size=vocab_size, pad_token_id=pad_id, **settings)
        return BertClassifier(BertModel(config), num_labels, dropout=values["dropout"], freeze=bool(values["freeze"]))
    return _pretrained_bert_classifier(values, vocab_size, num_labels, load_weights)


def _pretrained_bert_classifier(
    values: dict[str, Any], vocab_size: int, num_labels: int, load_weights: bool
) -> nn.Module:
    from seqlab.models.bert import BertClassifier, BertModel
    from seqlab.models.bert_loading import load_bert, read_bert_config
    from seqlab.paths import pretrained_bert_dir

    directory = Path(values["checkpoint"]) if values["checkpoint"] else pretrained_bert_dir()
    if load_weights:
        bert = load_bert(directory).train()
    else:
        bert = BertModel(read_bert_config(directory))
    if bert.config.vocab_size != vocab_size:
        raise SeqlabError(
            f"the text encoder has {vocab_size} tokens but the checkpoint in {directory} has "
            f"{bert.config.vocab_size}; encode the text with the checkpoint's WordPiece vocabulary"
        )
    return BertClassifier(bert, num_labels, dropout=values["dropout"], freeze=bool(values["freeze"]))


def build_lm(spec: dict[str, Any], vocab_size: int, pad_id: int) -> CausalLM:
    """The CausalLM whose body fits the classifier that `build_classifier(spec, ...)` makes for family "lm"."""
    family, values = _hyperparameters(spec)
    if family != "lm":
        raise SeqlabError(f"a language model is built from family 'lm', not {family!r}")
    return CausalLM(_transformer_config(values, vocab_size, pad_id, family), tie_weights=bool(values["tie_weights"]))


MLM_FAMILIES: tuple[str, ...] = ("bert", "transformer")


def build_mlm(spec: dict[str, Any], vocab_size: int, pad_id: int) -> nn.Module:
    """A masked language model (BERT or our Transformer encoder + BERT's MLM head) whose body fits the
    classifier `build_classifier(spec, ...)` makes."""
    from seqlab.models.bert import BertConfig, BertModel
    from seqlab.models.mlm import BertForMaskedLM, TransformerMaskedLM

    family, values = _hyperparameters(spec)
    if family not in MLM_FAMILIES:
        raise SeqlabError(f"masked language modelling needs a bidirectional encoder ({', '.join(MLM_FAMILIES)}), "
                          f"not {family!r}")
    if family == "transformer":
        return TransformerMaskedLM(_transformer_config(values, vocab_size, pad_id, family))
    settings = {k: v for k, v in values.items() if k not in ("dropout", "freeze")}
    return BertForMaskedLM(BertModel(_make(BertConfig, family, vocab_size=vocab_size, pad_token_id=pad_id, **settings)))


def count_parameters(model: nn.Module, depth: int = 1) -> dict[str, int]:
    """Parameters per part: each module `depth` levels down (ModuleLists are looked through, so depth 2 of a
    TransformerClassifier lists encoder.token_embedding, encoder.blocks.0, ...), plus "total".

    A parameter shared by two parts (tied weights) is counted once, in the first part that holds it.
    Works on models built on the meta device.
    """
    counts: dict[str, int] = {}
    seen: set[int] = set()

    def visit(module: nn.Module, prefix: str, level: int) -> None:
        own = [p for p in module.parameters(recurse=level >= depth) if id(p) not in seen]
        if level >= depth:
            # a part with no parameters but a buffer (sinusoidal positions) is listed with 0, to show it is there
            if own or any(True for _ in module.buffers()):
                counts[prefix] = sum(p.numel() for p in own)
                seen.update(id(p) for p in own)
            return
        if own:
            counts[prefix or "(own)"] = sum(p.numel() for p in own)
            seen.update(id(p) for p in own)
        for name, child in module.named_children():
            child_prefix = f"{prefix}.{name}" if prefix else name
            if isinstance(child, (nn.ModuleList, nn.Sequential)):
                for index, grandchild in child.named_children():
                    visit(grandchild, f"{child_prefix}.{index}", level + 1)
            else:
                visit(child, child_prefix, level + 1)

    visit(model, "", 0)
    counts["total"] = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    return counts


def trainable_parameters(model: nn.Module) -> int:
    """How many parameters the optimizer will update (requires_grad)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
