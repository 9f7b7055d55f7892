"""The encoder-block and classifier-head kinds (their zoos, pre- and post-norm, fused q|k|v, torch's
MultiheadAttention, GELU; [CLS], BERT's pooler, mean pooling, log-probabilities, run in test_zoo.py): the kinds are
told from their signatures, and the bug variants seqlab computes start from an exact copy of its own
TransformerBlock."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from seqlab.impl.encoder_block import (
    D_FF, D_MODEL, HEADS, Layout, cases, closed_form_count, find_norms, reference_block, variant,
)
from seqlab.impl.kinds import infer_kind
from seqlab.impl.multihead import mapped_weights
from seqlab.models.transformer import TransformerBlock, TransformerConfig

from .student_files import write


def _load(tmp_path: Path, source: str, name: str) -> type:
    path = write(tmp_path, 98, source)
    spec = importlib.util.spec_from_file_location("student_kind", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize("init, kind", [
    ("d_model, n_heads, d_ff, dropout=0.0", "encoder-block"),
    ("d_model, num_heads, dim_feedforward", "encoder-block"),
    ("hidden_size, num_attention_heads, intermediate_size", "encoder-block"),
    ("d_model, n_heads", "multihead"),
    ("d_model, n_classes, dropout=0.0", "classifier-head"),
    ("hidden_size, num_labels", "classifier-head"),
])
def test_kind_is_told_from_the_signature(tmp_path: Path, init: str, kind: str) -> None:
    source = ("from torch import nn\n\n\nclass Part(nn.Module):\n"
              f"    def __init__(self, {init}):\n        super().__init__()\n\n"
              "    def forward(self, x, mask=None):\n        return x\n")
    assert infer_kind(_load(tmp_path, source, "Part")) == kind


@pytest.mark.parametrize("norm_first", [False, True])
def test_the_correct_variant_is_seqlabs_transformer_block(norm_first: bool) -> None:
    torch.manual_seed(0)
    block = TransformerBlock(TransformerConfig(vocab_size=2, d_model=D_MODEL, n_heads=HEADS, d_ff=D_FF, dropout=0.0,
                                               norm_first=norm_first)).double().eval()
    norms = find_norms(block)
    weights, _ = mapped_weights(block)
    copy = reference_block(block, Layout(norm_first, "ReLU", (norms[0], norms[1])), weights)
    with torch.no_grad():
        for x, mask in cases(0):
            want = block(x, mask)[0]
            assert torch.equal(copy(x, mask)[0], want)
            assert torch.allclose(variant(copy, x, mask), want, atol=1e-12, rtol=0)


def test_seqlabs_own_block_passes_and_counts_the_closed_form() -> None:
    from seqlab.impl.check import check

    class Block(TransformerBlock):
        def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
            super().__init__(TransformerConfig(vocab_size=2, d_model=d_model, n_heads=n_heads, d_ff=d_ff,
                                               dropout=dropout, norm_first=True))

        def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
            return super().forward(x, mask)[0]

    report = check(Block, "encoder-block")
    assert report.passed, [(r.name, r.detail) for r in report.rows if not r.passed]
    assert sum(p.numel() for p in Block(D_MODEL, HEADS, D_FF).parameters()) == closed_form_count()
