"""Reports for named model shapes, JSON model specs and trained runs, built on the ``meta`` device.

On the meta device a model has shapes but no memory, so even bert-base costs nothing to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from seqlab.counting.parts import report_for_model
from seqlab.counting.report import ParamReport
from seqlab.data.encoders import load_encoder
from seqlab.errors import SeqlabError
from seqlab.models import factory
from seqlab.models.bert import BertConfig, BertModel
from seqlab.models.rnn import RNNClassifier, RNNConfig
from seqlab.models.transformer import CausalLM, TransformerClassifier, TransformerConfig
from seqlab.training.runs import ENCODER_DIR, read_run_info


@dataclass(frozen=True)
class Preset:
    """A well-known model shape: what it is and how to build it (on the meta device)."""

    name: str
    description: str
    build: Callable[[bool], nn.Module]  # argument: tie the LM head to the embedding


def _bert_preset(key: str) -> Callable[[bool], nn.Module]:
    def build(tied: bool) -> nn.Module:
        return BertModel(BertConfig.presets()[key])

    return build


def _lm_transfer_config() -> TransformerConfig:
    return TransformerConfig(vocab_size=50001, d_model=200, n_heads=2, n_layers=4, d_ff=200, positions="sinusoidal")


def _lm_transfer(tied: bool) -> nn.Module:
    return CausalLM(_lm_transfer_config(), tie_weights=tied)


def _lm_transfer_classifier(tied: bool) -> nn.Module:
    return TransformerClassifier(_lm_transfer_config(), num_labels=2, pooling="last", causal=True)


GPT2_COUNT = 124_439_808  # GPT-2 small as published (Radford et al. 2019; Hugging Face's gpt2 checkpoint)


def gpt2_config() -> TransformerConfig:
    """GPT-2 small's shape (124M): vocab 50257, 1024 positions, 12 layers of width 768, 12 heads, FFN 3072."""
    return TransformerConfig(
        vocab_size=50257, d_model=768, n_heads=12, n_layers=12, d_ff=3072, max_len=1024, positions="learned",
        norm_first=True, activation="gelu", dropout=0.1,
    )


def _gpt2(tied: bool) -> nn.Module:
    """GPT-2 small as a seqlab CausalLM: pre-norm, learned positions, LM head tied to wte and without a bias.

    GPT-2 fuses Q, K, V into one Linear(d, 3d) (c_attn): the same 3d^2 + 3d parameters as seqlab's three.
    """
    model = CausalLM(gpt2_config(), tie_weights=True)
    model.lm_head.register_parameter("bias", None)  # GPT-2's output layer is wte^T alone
    return model


def _rnn_preset(cell: str) -> Callable[[bool], nn.Module]:
    def build(tied: bool) -> nn.Module:
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
            "BERT base: 12 layers, width 768, 12 heads, feed-forward 3072, vocab 30522, with pooler",
            _bert_preset("bert-base-uncased"),
        ),
        Preset("bert-tiny", "BERT tiny: L2 H128 A2 I512", _bert_preset("bert-tiny")),
        Preset("bert-mini", "BERT mini: L4 H256 A4 I1024", _bert_preset("bert-mini")),
        Preset(
            "minilm", "MiniLM-L6-H384 (the offline pretrained checkpoint): 6 layers, width 384, 12 heads, feed-forward 1536", _bert_preset("minilm")
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
            "gpt2",
            "GPT-2 small: vocab 50257, 1024 learned positions, 12 pre-norm blocks of width 768 (12 heads, FFN 3072), "
            "final LayerNorm, LM head tied to the token embedding (no bias); Q, K, V fused in GPT-2, same count",
            _gpt2,
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


def run_report(run_dir: Path | str) -> ParamReport:
    """The report for a trained run's model (shape from config.json and encoder/, weights not read)."""
    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    encoder = load_encoder(run_dir / ENCODER_DIR)
    spec = dict(info.spec)
    with torch.device("meta"):
        model = factory.build_model(spec, info.task, vocab_size=encoder.vocab_size, num_labels=len(info.labels),
                                    pad_id=encoder.pad_id, load_weights=False)
    return report_for_model(model, run_dir.name, f"{spec.get('family')} run on {info.dataset}")
