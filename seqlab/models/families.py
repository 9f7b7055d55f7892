"""The model families seqlab can train: one table, one entry per family (docs/howto/add-a-model-family.md).

Everything the rest of seqlab knows about a family comes from its `Family` entry: the spec defaults
(`default_spec`), which `seqlab train` options set which spec keys (`model_spec`), the default learning
rate, the text encoder it reads, whether its position table grows with --max-length, and which builders
make its classifier, causal LM or masked LM. The table is plain data, like minGPT's presets dict: builders
are named "module:function" and imported on first use, so reading the table (for `seqlab train --help`)
does not load torch.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union

from seqlab.errors import SeqlabError, unknown_choice

ENCODERS: tuple[str, ...] = ("word", "wordpiece")  # a word vocabulary built from the training split, or WordPiece
MLM_LR = 3e-3  # --task mlm's default for every family that can do it (small models from scratch: docs/RESULTS.md)
PRETRAINED_MLM_LR = 1e-4  # ... but continuing MiniLM's pretraining: a larger step would wash out what it knows


@dataclass(frozen=True)
class BuildRequest:
    """What a builder gets: the family, the spec's hyperparameters (defaults filled in) and the data's sizes."""

    family: "Family"
    values: dict[str, Any]
    vocab_size: int
    pad_id: int
    num_labels: int = 2  # classifiers only
    load_weights: bool = True  # pretrained families: False builds the checkpoint's shape with random weights
    sentence_objective: str | None = None  # masked LMs of families with a sentence head: "nsp" or "sop"

    def config(self, **fixed: Any) -> Any:
        """The family's config dataclass from `fixed` (vocab size, pad id, ...) and the values it has fields for;
        a wrong-typed value is a SeqlabError naming the family."""
        cls = self.family.config_class()
        names = {f.name for f in dataclasses.fields(cls)}
        chosen = {k: v for k, v in self.values.items() if k in names and k not in fixed}
        try:
            return cls(**fixed, **chosen)
        except TypeError as exc:
            name = self.family.name
            raise SeqlabError(
                f"bad settings for family {name!r} ({exc}); compare with default_spec({name!r})"
            ) from None


Builder = Union[str, Callable[[BuildRequest], Any]]  # "module:function", or the function itself


@dataclass(frozen=True)
class Family:
    """Everything seqlab knows about one model family.

    `options` maps a `seqlab train` option (without the dashes, "embed_dim" for --embed-dim) to the spec keys it
    sets; the first key is the one read back (e.g. for --dropout's range check). `classifier`, `lm` and `mlm`
    build a model from a `BuildRequest`; a family without `lm` cannot pretrain as a causal LM, one without `mlm`
    cannot do --task mlm.
    """

    name: str
    summary: str  # shown after the name in `seqlab train --help`; "" for none
    config: Union[str, type]  # the dataclass that holds the model's shape, "module:Class" (or the class)
    classifier: Builder  # BuildRequest -> nn.Module whose forward(...) returns ClassifierOutput
    defaults: Mapping[str, Any]  # every spec key, with a small default that trains in seconds
    options: Mapping[str, tuple[str, ...]]  # `seqlab train` option -> the spec keys it sets
    lr: float  # an Adam learning rate that trains the family well (`seqlab train --lr`'s default)
    encoder: str = "word"  # "word" or "wordpiece" (see ENCODERS)
    pretrained: bool = False  # weights and WordPiece vocabulary come from a checkpoint folder ("checkpoint" key)
    positions: str | None = None  # spec key of the position table's length; grown to a longer --max-length
    lm: Builder | None = None  # BuildRequest -> CausalLM whose body fits the classifier
    mlm: Builder | None = None  # BuildRequest -> masked LM whose body fits the classifier
    takes_lm_body: bool = False  # --init-from a causal LM run starts this classifier (a Transformer body)
    sentence_head: bool = False  # its masked LM can add the NSP/SOP head on a pooled [CLS] vector
    mlm_lr: float = MLM_LR  # --task mlm's default learning rate
    _resolved: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)  # imported builders

    def __post_init__(self) -> None:
        if self.encoder not in ENCODERS:
            raise SeqlabError(unknown_choice("encoder", self.encoder, ENCODERS))
        unknown = sorted({key for keys in self.options.values() for key in keys} - set(self.defaults))
        if unknown:
            raise SeqlabError(f"family {self.name!r}: options set {', '.join(unknown)}, which are not in its defaults")

    def _resolve(self, builder: Builder) -> Any:
        if not isinstance(builder, str):
            return builder
        if builder not in self._resolved:
            module, _, attribute = builder.partition(":")
            self._resolved[builder] = getattr(importlib.import_module(module), attribute)
        return self._resolved[builder]

    def config_class(self) -> type:
        """The config dataclass named by `config` (imported on first use)."""
        return self._resolve(self.config)

    def builder(self, task: str) -> Callable[[BuildRequest], Any]:
        """The builder for "classify", "lm" or "mlm"; SeqlabError when the family has none for that task."""
        if task == "lm":
            if self.lm is None:
                raise SeqlabError(f"a language model is built from family {' or '.join(map(repr, lm_families()))}, "
                                  f"not {self.name!r}")
            return self._resolve(self.lm)
        if task == "mlm":
            if self.mlm is None:
                raise SeqlabError(f"masked language modelling needs a bidirectional encoder "
                                  f"({', '.join(mlm_families())}), not {self.name!r}")
            return self._resolve(self.mlm)
        return self._resolve(self.classifier)

    def option_key(self, option: str) -> str | None:
        """The spec key that `seqlab train --<option>` sets first (None when the family has no such option)."""
        keys = self.options.get(option)
        return keys[0] if keys else None


_RNN_OPTIONS = {"layers": ("num_layers",), "hidden": ("hidden_size",), "embed_dim": ("embed_dim",),
                "bidirectional": ("bidirectional",), "dropout": ("dropout",)}
_RNN_DEFAULTS = {"embed_dim": 64, "hidden_size": 64, "num_layers": 1, "bidirectional": False, "dropout": 0.1}
_TRANSFORMER_OPTIONS = {"layers": ("n_layers",), "heads": ("n_heads",), "width": ("d_model",), "ffn": ("d_ff",),
                        "dropout": ("dropout",)}
_TRANSFORMER_DEFAULTS = {"d_model": 64, "n_heads": 4, "n_layers": 2, "d_ff": 128, "max_len": 512, "dropout": 0.1,
                         "norm_first": False, "positions": "sinusoidal", "activation": "relu"}
_BUILD = "seqlab.models.builders"

_REGISTRY: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add `family` to the table (after the built-in ones); SeqlabError when the name is taken."""
    if family.name in _REGISTRY:
        raise SeqlabError(f"model family {family.name!r} is already registered")
    _REGISTRY[family.name] = family
    return family


def unregister(name: str) -> None:
    """Remove a family added with `register` (tests use it to leave the table as they found it)."""
    _REGISTRY.pop(name, None)


for _family in (
    Family("lstm", "", "seqlab.models.rnn:RNNConfig", f"{_BUILD}:build_rnn_classifier",
           _RNN_DEFAULTS, _RNN_OPTIONS, lr=3e-3),
    Family("gru", "", "seqlab.models.rnn:RNNConfig", f"{_BUILD}:build_rnn_classifier",
           _RNN_DEFAULTS, _RNN_OPTIONS, lr=3e-3),
    Family("transformer", "", "seqlab.models.transformer:TransformerConfig",
           f"{_BUILD}:build_transformer_classifier", {**_TRANSFORMER_DEFAULTS, "pooling": "mean"},
           _TRANSFORMER_OPTIONS, lr=3e-3, positions="max_len", mlm=f"{_BUILD}:build_transformer_mlm",
           takes_lm_body=True),
    Family("lm", "causal LM; pretrains with --task auto", "seqlab.models.transformer:TransformerConfig",
           f"{_BUILD}:build_transformer_classifier",
           {**_TRANSFORMER_DEFAULTS, "pooling": "last", "tie_weights": False}, _TRANSFORMER_OPTIONS, lr=3e-3,
           positions="max_len", lm=f"{_BUILD}:build_causal_lm", takes_lm_body=True),
    Family("bert", "from scratch", "seqlab.models.bert:BertConfig", f"{_BUILD}:build_bert_classifier",
           {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 256,
            "max_position_embeddings": 512, "type_vocab_size": 2, "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "dropout": 0.1},
           {"layers": ("num_hidden_layers",), "heads": ("num_attention_heads",), "width": ("hidden_size",),
            "ffn": ("intermediate_size",),  # one --dropout for every dropout in BERT
            "dropout": ("hidden_dropout_prob", "attention_probs_dropout_prob", "dropout")},
           lr=5e-4, encoder="wordpiece", positions="max_position_embeddings", mlm=f"{_BUILD}:build_bert_mlm",
           sentence_head=True),
    Family("bert-pretrained", "MiniLM", "seqlab.models.bert:BertConfig", f"{_BUILD}:build_pretrained_bert_classifier",
           {"checkpoint": None, "dropout": 0.1}, {"dropout": ("dropout",), "checkpoint": ("checkpoint",)},
           lr=5e-5, encoder="wordpiece", pretrained=True, mlm=f"{_BUILD}:build_pretrained_bert_mlm",
           sentence_head=True, mlm_lr=PRETRAINED_MLM_LR),
):
    register(_family)


def families() -> tuple[Family, ...]:
    """Every registered family, built-in ones first, in the order `seqlab train --help` lists them."""
    return tuple(_REGISTRY.values())


def family_names() -> tuple[str, ...]:
    """The names of every registered family (lstm, gru, transformer, lm, bert, bert-pretrained, ...)."""
    return tuple(_REGISTRY)


def get_family(name: Any, what: str = "model family") -> Family:
    """The family called `name`; a SeqlabError listing the families (with a did-you-mean) otherwise."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise SeqlabError(unknown_choice(what, name, family_names()))
    return _REGISTRY[name]


def lm_families() -> tuple[str, ...]:
    """Families that pretrain as a causal language model (`lm`)."""
    return tuple(f.name for f in families() if f.lm is not None)


def mlm_families() -> tuple[str, ...]:
    """Families with a bidirectional encoder that can fill in a [MASK] (transformer, bert, bert-pretrained)."""
    return tuple(f.name for f in families() if f.mlm is not None)


def default_spec(name: str) -> dict[str, Any]:
    """A complete spec for family `name` with small defaults (a fresh dict the caller may change);
    the counterpart of minGPT's get_default_config."""
    return {"family": name, **get_family(name).defaults}


RETIRED_KEYS: tuple[str, ...] = ("freeze",)  # spec keys older runs stored; ignored (freezing is TrainConfig.freeze)


def spec_values(spec: Any) -> tuple[Family, dict[str, Any]]:
    """The spec's family and its hyperparameters with defaults filled in; SeqlabError for a spec that is not
    a dict, an unknown family, an unknown key or a dropout outside [0, 1)."""
    if not isinstance(spec, dict):
        raise SeqlabError(f"a model spec must be a dict like {{'family': 'lstm', ...}}, got {type(spec).__name__}")
    family = get_family(spec.get("family"))
    given = {k: v for k, v in spec.items() if k != "family" and k not in RETIRED_KEYS}
    values = {**family.defaults, **given}
    unknown = sorted(set(values) - set(family.defaults))
    if unknown:
        raise SeqlabError(
            f"unknown setting(s) {', '.join(unknown)} for family {family.name!r}; known: {', '.join(family.defaults)}"
        )
    dropout = values.get("dropout", 0.0)
    if not isinstance(dropout, (int, float)) or not 0.0 <= dropout < 1.0:
        raise SeqlabError(f"dropout must be a number in [0, 1), got {dropout!r}")
    return family, values


def option_defaults(option: str) -> str:
    """The default of `seqlab train --<option>` over the families, for its help text: "64" when every family
    agrees, else grouped, e.g. "lstm/gru 1, transformer/lm 2, bert 2"."""
    groups: dict[tuple[str, Any], list[str]] = {}
    for family in families():
        key = family.option_key(option)
        if key is not None:
            groups.setdefault((key, family.defaults[key]), []).append(family.name)
    values = {value for _, value in groups}
    if len(values) == 1:
        return str(values.pop())
    return ", ".join(f"{'/'.join(names)} {value}" for (_, value), names in groups.items())


def short_number(value: float) -> str:
    """3e-3 for 0.003, 5e-05 as 5e-5: a learning rate the way papers write it."""
    mantissa, exponent = f"{value:e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


def lr_defaults() -> str:
    """Each family's default learning rate, for `--lr`'s help: "3e-3 lstm/gru/transformer/lm, 5e-4 bert, ...;
    3e-3 for --task mlm"."""
    groups: dict[float, list[str]] = {}
    for family in families():
        groups.setdefault(family.lr, []).append(family.name)
    per_family = ", ".join(f"{short_number(lr)} {'/'.join(names)}" for lr, names in groups.items())
    other = ", ".join(f"{short_number(f.mlm_lr)} {f.name}" for f in families() if f.mlm and f.mlm_lr != MLM_LR)
    return f"{per_family}; {short_number(MLM_LR)} for --task mlm" + (f" ({other})" if other else "")


def model_help() -> str:
    """The help of `seqlab train --model`: every family, with its summary."""
    named = [f"{f.name} ({f.summary})" if f.summary else f.name for f in families()]
    return f"Model family: {', '.join(named)}."
