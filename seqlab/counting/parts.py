"""Which parts each seqlab model family has: a name, a regex over parameter names and a formula per part.

`model_parts(model)` picks the parts and the symbol values for any seqlab model (BERT, Transformer,
causal LM, LSTM/GRU); `report_for_model` counts it against them.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from torch import nn

from seqlab.counting import formulas as fx
from seqlab.counting.report import ParamReport, Part, count_report, unique_parameters
from seqlab.errors import SeqlabError
from seqlab.models.bert import BertClassifier, BertModel
from seqlab.models.mlm import BertForMaskedLM, MaskedLM
from seqlab.models.rnn import RNNClassifier
from seqlab.models.transformer import CausalLM, TransformerClassifier


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
            rf"^{p}layers\.\d+\.ffn\.",
            fx.L * fx.feed_forward(fx.d, fx.f),
            "d -> f -> d",
        ),
        Part(
            "layers.*.norms",
            rf"^{p}layers\.\d+\.norm[12]\.",
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
    """Parts, symbol values and notes for any seqlab model (BERT, Transformer, causal LM, masked LM, LSTM/GRU)."""
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
    if isinstance(model, MaskedLM):
        return _masked_lm_parts(model)
    if isinstance(model, RNNClassifier):
        directions = 2 if model.config.bidirectional else 1
        values = {**rnn_symbols(model.config), fx.C: model.head.out_features}
        return rnn_parts(model.config) + [head_part(directions * fx.h)], values, ()
    counted = sum(p.numel() for _, p in unique_parameters(model))
    raise SeqlabError(f"{type(model).__name__} has {counted:,} parameters, but seqlab has closed-form formulas only "
                      "for its built-in model classes (docs/howto/add-a-model-family.md)")


def _masked_lm_parts(model: nn.Module) -> tuple[list[Part], dict[sp.Symbol, int], tuple[str, ...]]:
    """A masked LM: BERT or the Transformer encoder, then BERT's MLM head (its decoder weight is the word
    embedding, so only its bias is new) and, with NSP/SOP, the 2-way sentence head."""
    if isinstance(model, BertForMaskedLM):
        body, values = bert_parts("bert."), bert_symbols(model.bert.config)
    else:
        body, values = transformer_parts(model.config), transformer_symbols(model.config)
    parts = body + [
        Part("head.dense", r"^head\.dense\.", fx.linear(fx.d, fx.d), "d -> d, then GELU"),
        Part("head.norm", r"^head\.norm\.", fx.layer_norm(fx.d), "LayerNorm"),
        Part("head.decoder (tied)", r"^head\.decoder\.", fx.V, "weight is the word embedding's; only the bias is new"),
    ]
    if model.sentence_head is not None:
        parts.append(Part("sentence_head", r"^sentence_head\.", fx.linear(fx.d, sp.Integer(2)),
                          f"pooled [CLS] -> real pair or not ({str(model.sentence_objective).upper()})"))
    return parts, values, ()


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
