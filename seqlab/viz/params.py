"""Parameters counted on a live model next to the closed-form formula for each part.

Models are built on the ``meta`` device, so even bert-base costs no memory. Each part of a model
(e.g. "every layer's attention") is a regular expression over parameter names and a sympy formula
in the config's symbols; the report shows both numbers and whether they agree. Parameters that no
part claims are listed as "unaccounted", so a total can never match by accident.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy as sp
import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.viz import formulas as fx


@dataclass(frozen=True)
class Part:
    """A named group of parameters (by regex over parameter names) and the formula that predicts its size."""

    name: str
    pattern: str
    formula: sp.Expr
    note: str = ""


@dataclass(frozen=True)
class PartCount:
    """One row of the table: what torch counted and what the formula says."""

    name: str
    shapes: str
    counted: int
    formula: str
    value: int
    note: str = ""

    @property
    def match(self) -> bool:
        """True when the formula's value equals the counted parameters."""
        return self.counted == self.value


@dataclass(frozen=True)
class ParamReport:
    """Every part of one model, the totals, and the values given to the formula's symbols."""

    model: str
    description: str
    symbols: dict[str, int]
    parts: tuple[PartCount, ...]
    total_formula: str
    total_value: int
    total_counted: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def match(self) -> bool:
        """True when every part and the total agree with their formulas."""
        return self.total_counted == self.total_value and all(p.match for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (for --json)."""
        return {
            "model": self.model,
            "description": self.description,
            "symbols": self.symbols,
            "parts": [
                {
                    "name": p.name,
                    "shapes": p.shapes,
                    "counted": p.counted,
                    "formula": p.formula,
                    "value": p.value,
                    "match": p.match,
                    "note": p.note,
                }
                for p in self.parts
            ],
            "total": {
                "formula": self.total_formula,
                "value": self.total_value,
                "counted": self.total_counted,
                "match": self.total_counted == self.total_value,
            },
            "match": self.match,
            "notes": list(self.notes),
        }


def unique_parameters(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """(name, parameter) pairs, each shared (tied) parameter once, under the first name that holds it."""
    return list(model.named_parameters(remove_duplicate=True))


def _shapes(params: list[nn.Parameter]) -> str:
    """Compact shapes: '4x[384,384] 4x[384]'."""
    counts = Counter(tuple(p.shape) for p in params)
    return " ".join(
        f"{n}x[{','.join(map(str, shape))}]" if n > 1 else f"[{','.join(map(str, shape))}]"
        for shape, n in counts.items()
    )


def count_report(
    model: nn.Module,
    parts: list[Part],
    symbols: dict[sp.Symbol, int],
    name: str,
    description: str = "",
    notes: tuple[str, ...] = (),
) -> ParamReport:
    """Assign each parameter to the first part whose pattern matches its name, and compare with the formulas."""
    claimed: dict[str, list[nn.Parameter]] = {part.name: [] for part in parts}
    unclaimed: list[tuple[str, nn.Parameter]] = []
    compiled = [(part, re.compile(part.pattern)) for part in parts]
    for param_name, param in unique_parameters(model):
        for part, regex in compiled:
            if regex.search(param_name):
                claimed[part.name].append(param)
                break
        else:
            unclaimed.append((param_name, param))
    rows = []
    for part in parts:
        params = claimed[part.name]
        value = int(sp.expand(part.formula).subs(symbols))
        rows.append(
            PartCount(
                part.name,
                _shapes(params),
                sum(p.numel() for p in params),
                fx.show(part.formula, expand=False),
                value,
                part.note,
            )
        )
    if unclaimed:
        rows.append(
            PartCount(
                "unaccounted",
                ", ".join(n for n, _ in unclaimed[:4]),
                sum(p.numel() for _, p in unclaimed),
                "0",
                0,
                "parameters no formula explains",
            )
        )
    total_formula = sp.expand(sum((p.formula for p in parts), sp.Integer(0)))
    return ParamReport(
        model=name,
        description=description,
        symbols={str(k): int(v) for k, v in symbols.items()},
        parts=tuple(rows),
        total_formula=fx.show_total(total_formula),
        total_value=int(total_formula.subs(symbols)),
        total_counted=sum(p.numel() for _, p in unique_parameters(model)),
        notes=notes,
    )


# ---- which parts each model family has ------------------------------------------------------------


def bert_parts(prefix: str = "") -> list[Part]:
    """Parts of seqlab's BertModel (names under `prefix`, e.g. 'bert.' inside a classifier)."""
    p = re.escape(prefix)
    return [
        Part("embeddings.word", rf"^{p}embeddings\.word\.", fx.embedding(fx.V, fx.d), "vocabulary x width"),
        Part("embeddings.position", rf"^{p}embeddings\.position\.", fx.embedding(fx.P, fx.d), "learned positions"),
        Part("embeddings.segment", rf"^{p}embeddings\.segment\.", fx.embedding(fx.S, fx.d), "segment (token type)"),
        Part("embeddings.norm", rf"^{p}embeddings\.norm\.", fx.layer_norm(fx.d), "gamma, beta"),
        Part(
            "layers.*.attention",
            rf"^{p}layers\.\d+\.attention\.",
            fx.L * fx.self_attention(fx.d),
            "Q, K, V, out; any number of heads",
        ),
        Part(
            "layers.*.feed-forward",
            rf"^{p}layers\.\d+\.(intermediate|output)\.",
            fx.L * fx.feed_forward(fx.d, fx.f),
            "d -> f -> d",
        ),
        Part(
            "layers.*.norms",
            rf"^{p}layers\.\d+\.(attention_norm|output_norm)\.",
            fx.L * 2 * fx.layer_norm(fx.d),
            "two add & norm per layer",
        ),
        Part("pooler", rf"^{p}pooler\.", fx.pooler(fx.d), "dense + tanh on [CLS]"),
    ]


def bert_symbols(config: Any) -> dict[sp.Symbol, int]:
    """Symbol values from a BertConfig."""
    return {
        fx.V: config.vocab_size,
        fx.P: config.max_position_embeddings,
        fx.S: config.type_vocab_size,
        fx.d: config.hidden_size,
        fx.f: config.intermediate_size,
        fx.L: config.num_hidden_layers,
    }


def transformer_parts(config: Any, prefix: str = "encoder.") -> list[Part]:
    """Parts of seqlab's TransformerEncoder (under `prefix`)."""
    p = re.escape(prefix)
    parts = [Part("token_embedding", rf"^{p}token_embedding\.", fx.embedding(fx.V, fx.d), "vocabulary x width")]
    if config.positions == "learned":
        parts.append(Part("positions", rf"^{p}positions\.", fx.embedding(fx.P, fx.d), "learned positions"))
    else:
        parts.append(Part("positions", rf"^{p}positions\.", sp.Integer(0), "sinusoidal: a fixed table, no parameters"))
    parts += [
        Part(
            "blocks.*.attention",
            rf"^{p}blocks\.\d+\.attention\.",
            fx.L * fx.self_attention(fx.d),
            "Q, K, V, out; any number of heads",
        ),
        Part("blocks.*.ffn", rf"^{p}blocks\.\d+\.ffn\.", fx.L * fx.feed_forward(fx.d, fx.f), "d -> f -> d"),
        Part(
            "blocks.*.norms",
            rf"^{p}blocks\.\d+\.norm[12]\.",
            fx.L * 2 * fx.layer_norm(fx.d),
            "two add & norm per block",
        ),
    ]
    if config.norm_first:
        parts.append(Part("final_norm", rf"^{p}final_norm\.", fx.layer_norm(fx.d), "pre-norm's last norm"))
    return parts


def transformer_symbols(config: Any) -> dict[sp.Symbol, int]:
    """Symbol values from a TransformerConfig."""
    values = {fx.V: config.vocab_size, fx.d: config.d_model, fx.f: config.d_ff, fx.L: config.n_layers}
    if config.positions == "learned":
        values[fx.P] = config.max_len
    return values


def rnn_parts(config: Any) -> list[Part]:
    """Parts of seqlab's RNNClassifier body: embedding, first recurrent layer, the layers above it."""
    directions = 2 if config.bidirectional else 1
    parts = [
        Part("embedding", r"^embedding\.", fx.embedding(fx.V, fx.x), "vocabulary x embedding size"),
        Part(
            "rnn.layer 0",
            r"^rnn\.\w+_l0(_reverse)?$",
            fx.rnn_layer(config.cell, fx.x, fx.h, config.bidirectional),
            ("both directions; " if config.bidirectional else "") + "W_ih, W_hh, b_ih, b_hh",
        ),
    ]
    if config.num_layers > 1:
        parts.append(
            Part(
                "rnn.layers 1..L-1",
                r"^rnn\.\w+_l([1-9]\d*)(_reverse)?$",
                (fx.L - 1) * fx.rnn_layer(config.cell, directions * fx.h, fx.h, config.bidirectional),
                "input is the layer below's output",
            )
        )
    return parts


def rnn_symbols(config: Any) -> dict[sp.Symbol, int]:
    """Symbol values from an RNNConfig."""
    return {fx.V: config.vocab_size, fx.x: config.embed_dim, fx.h: config.hidden_size, fx.L: config.num_layers}


def head_part(width: sp.Expr, name: str = "head") -> Part:
    """The classification head: width -> C logits."""
    return Part(name, rf"^{re.escape(name)}\.", fx.linear(width, fx.C), "width -> classes")


def model_parts(model: nn.Module) -> tuple[list[Part], dict[sp.Symbol, int], tuple[str, ...]]:
    """Parts, symbol values and notes for any seqlab model (BERT, Transformer, causal LM, LSTM/GRU)."""
    from seqlab.models.bert import BertClassifier, BertModel
    from seqlab.models.rnn import RNNClassifier
    from seqlab.models.transformer import CausalLM, TransformerClassifier

    if isinstance(model, BertModel):
        return bert_parts(), bert_symbols(model.config), ()
    if isinstance(model, BertClassifier):
        values = {**bert_symbols(model.bert.config), fx.C: model.head.out_features}
        return bert_parts("bert.") + [head_part(fx.d)], values, ()
    if isinstance(model, TransformerClassifier):
        values = {**transformer_symbols(model.config), fx.C: model.head.out_features}
        return transformer_parts(model.config) + [head_part(fx.d)], values, ()
    if isinstance(model, CausalLM):
        return _causal_lm_parts(model)
    if isinstance(model, RNNClassifier):
        directions = 2 if model.config.bidirectional else 1
        values = {**rnn_symbols(model.config), fx.C: model.head.out_features}
        return rnn_parts(model.config) + [head_part(directions * fx.h)], values, ()
    raise SeqlabError(f"no parameter formulas for {type(model).__name__}; use a seqlab model family")


def _causal_lm_parts(model: nn.Module) -> tuple[list[Part], dict[sp.Symbol, int], tuple[str, ...]]:
    """A causal LM: the encoder, then an LM head that is either its own matrix or the embedding reused."""
    tied = model.lm_head.weight is model.encoder.token_embedding.weight
    has_bias = model.lm_head.bias is not None
    body = transformer_parts(model.config)
    if tied:
        head = Part(
            "lm_head (tied)",
            r"^lm_head\.",
            fx.V if has_bias else sp.Integer(0),
            "weight is token_embedding's; only the bias is new",
        )
    else:
        head = Part("lm_head", r"^lm_head\.", fx.linear(fx.d, fx.V, bias=has_bias), "width -> vocabulary")
    body_total = int(sp.expand(sum((p.formula for p in body), sp.Integer(0))).subs(transformer_symbols(model.config)))
    bias = f"present: V = {model.config.vocab_size:,} parameters" if has_bias else "absent"
    notes = (
        f"body (the encoder that transfers to a classifier): {body_total:,} parameters",
        f"LM head {'tied to the token embedding' if tied else 'untied (its own V x d matrix)'}; output bias {bias}",
    )
    return body + [head], transformer_symbols(model.config), notes


def report_for_model(model: nn.Module, name: str, description: str = "", notes: tuple[str, ...] = ()) -> ParamReport:
    """The formula-vs-count report for a seqlab model (build it on the meta device to save memory)."""
    parts, symbols, model_notes = model_parts(model)
    return count_report(model, parts, symbols, name, description, model_notes + notes)


# ---- presets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """A well-known model shape: what it is and how to build it (on the meta device)."""

    name: str
    description: str
    build: Callable[[bool], nn.Module]  # argument: tie the LM head to the embedding


def _bert_preset(key: str) -> Callable[[bool], nn.Module]:
    def build(tied: bool) -> nn.Module:
        from seqlab.models.bert import BertConfig, BertModel

        return BertModel(BertConfig.presets()[key])

    return build


def _lm_transfer_config() -> Any:
    from seqlab.models.transformer import TransformerConfig

    return TransformerConfig(vocab_size=50001, d_model=200, n_heads=2, n_layers=4, d_ff=200, positions="sinusoidal")


def _lm_transfer(tied: bool) -> nn.Module:
    from seqlab.models.transformer import CausalLM

    return CausalLM(_lm_transfer_config(), tie_weights=tied)


def _lm_transfer_classifier(tied: bool) -> nn.Module:
    from seqlab.models.transformer import TransformerClassifier

    return TransformerClassifier(_lm_transfer_config(), num_labels=2, pooling="last", causal=True)


def _rnn_preset(cell: str) -> Callable[[bool], nn.Module]:
    def build(tied: bool) -> nn.Module:
        from seqlab.models.rnn import RNNClassifier, RNNConfig

        config = RNNConfig(
            cell=cell, vocab_size=20000, embed_dim=100, hidden_size=128, num_layers=2, bidirectional=True
        )
        return RNNClassifier(config, num_labels=2)

    return build


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "bert-base-uncased",
            "BERT base: L12 H768 A12 I3072, vocab 30522, with pooler",
            _bert_preset("bert-base-uncased"),
        ),
        Preset("bert-tiny", "BERT tiny: L2 H128 A2 I512", _bert_preset("bert-tiny")),
        Preset("bert-mini", "BERT mini: L4 H256 A4 I1024", _bert_preset("bert-mini")),
        Preset(
            "minilm", "MiniLM-L6-H384 (the offline pretrained checkpoint): L6 H384 A12 I1536", _bert_preset("minilm")
        ),
        Preset(
            "lm-transfer",
            "causal Transformer LM: vocab 50001, width 200, 2 heads, FFN 200, 4 layers, sinusoidal positions, LM head",
            _lm_transfer,
        ),
        Preset(
            "lm-transfer-classifier",
            "the same body with a 2-class head instead of the LM head",
            _lm_transfer_classifier,
        ),
        Preset(
            "lstm",
            "IMDB LSTM: vocab 20000, embedding 100, hidden 128, 2 layers, bidirectional, 2 classes",
            _rnn_preset("lstm"),
        ),
        Preset(
            "gru",
            "IMDB GRU: vocab 20000, embedding 100, hidden 128, 2 layers, bidirectional, 2 classes",
            _rnn_preset("gru"),
        ),
    )
}


def preset_report(name: str, tied: bool = False) -> ParamReport:
    """The report for a preset built on the meta device; SeqlabError listing the presets for an unknown name."""
    if name not in PRESETS:
        raise SeqlabError(f"unknown model {name!r}; known presets: {', '.join(PRESETS)} (or use --config / --run)")
    preset = PRESETS[name]
    with torch.device("meta"):
        model = preset.build(tied)
    return report_for_model(model, name, preset.description)


def spec_report(spec: dict[str, Any], name: str) -> ParamReport:
    """The report for a JSON config: a seqlab model spec ({"family": ..., optional vocab_size/num_labels/task})
    or a Hugging Face BERT config.json."""
    from seqlab.models import factory
    from seqlab.models.bert import BertConfig, BertModel

    if not isinstance(spec, dict):
        raise SeqlabError(f"{name}: expected a JSON object (a model spec or a BERT config.json)")
    spec = dict(spec)
    with torch.device("meta"):
        if "family" not in spec:
            if "hidden_size" not in spec or "num_attention_heads" not in spec:
                raise SeqlabError(
                    f"{name}: neither a seqlab model spec (no 'family') nor a BERT config.json "
                    "(no 'hidden_size'/'num_attention_heads')"
                )
            return report_for_model(BertModel(BertConfig.from_dict(spec)), name, "BERT from config.json")
        vocab_size = int(spec.pop("vocab_size", 10000))
        num_labels = int(spec.pop("num_labels", 2))
        task = spec.pop("task", "classify")
        model = factory.build_model(spec, task, vocab_size=vocab_size, num_labels=num_labels, pad_id=0,
                                    load_weights=False)
    return report_for_model(model, name, f"{spec['family']} spec, vocab {vocab_size}")


def run_report(run_dir: Any) -> ParamReport:
    """The report for a trained run's model (shape from config.json and encoder/, weights not read)."""
    from pathlib import Path

    from seqlab.data.encoders import load_encoder
    from seqlab.models import factory
    from seqlab.training.runs import ENCODER_DIR, read_run_info

    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    encoder = load_encoder(run_dir / ENCODER_DIR)
    spec = dict(info.spec)
    with torch.device("meta"):
        model = factory.build_model(spec, info.task, vocab_size=encoder.vocab_size, num_labels=len(info.labels),
                                    pad_id=encoder.pad_id, load_weights=False)
    return report_for_model(model, run_dir.name, f"{spec.get('family')} run on {info.dataset}")


@dataclass(frozen=True)
class HeadsCheck:
    """Multi-head vs single-head attention: the symbolic identity and live counts for several head numbers."""

    formula_multi: str
    formula_single: str
    symbolic_equal: bool
    width: int
    counts: dict[int, int]

    @property
    def live_equal(self) -> bool:
        """True when every head count gave the same number of parameters."""
        return len(set(self.counts.values())) == 1


def heads_check(width: int = 384, heads: tuple[int, ...] = (1, 2, 4, 12)) -> HeadsCheck:
    """Count MultiHeadSelfAttention(width, H) for each H that divides width, next to the sympy identity."""
    from seqlab.models.attention import MultiHeadSelfAttention

    counts = {}
    with torch.device("meta"):
        for n_heads in heads:
            if width % n_heads == 0:
                counts[n_heads] = sum(p.numel() for p in MultiHeadSelfAttention(width, n_heads).parameters())
    return HeadsCheck(
        formula_multi=fx.show(fx.per_head_attention_terms(fx.d, fx.H), expand=False),
        formula_single=fx.show(fx.self_attention(fx.d)),
        symbolic_equal=fx.heads_do_not_change_count(),
        width=width,
        counts=counts,
    )
