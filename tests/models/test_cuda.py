"""On a CUDA GPU: the fast path under bf16 autocast, and float32 agreement of the two attention paths."""

from __future__ import annotations

import pytest
import torch

from seqlab.device import autocast
from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.models.factory import build_classifier, default_spec

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def _batch(device: torch.device) -> dict[str, torch.Tensor]:
    ids = torch.tensor([[2, 5, 6, 3, 7, 8], [2, 9, 3, 0, 0, 0], [0, 0, 0, 0, 0, 0]], device=device)
    return {"input_ids": ids, "attention_mask": ids != 0, "segment_ids": torch.zeros_like(ids)}


@pytest.mark.parametrize("family", ["lstm", "gru", "transformer", "lm", "bert"])
def test_forward_and_backward_under_bf16_autocast(family: str) -> None:
    device = torch.device("cuda")
    torch.manual_seed(0)
    model = build_classifier(default_spec(family), vocab_size=20, num_labels=3, pad_id=0).to(device)
    with autocast(device):
        logits = model(**_batch(device)).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), torch.tensor([0, 1, 2], device=device))
    loss.backward()
    assert torch.isfinite(logits).all()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


@pytest.mark.parametrize("causal", [False, True])
def test_paths_agree_on_cuda_in_float32(causal: bool) -> None:
    device = torch.device("cuda")
    torch.manual_seed(0)
    attention = MultiHeadSelfAttention(64, 4).to(device).eval()
    x = torch.randn(3, 6, 64, device=device)
    mask = _batch(device)["attention_mask"]
    with torch.no_grad():
        explicit, _ = attention(x, mask, causal=causal, need_weights=True)
        fast, _ = attention(x, mask, causal=causal)
    assert torch.isfinite(fast).all()
    torch.testing.assert_close(fast, explicit, atol=1e-4, rtol=1e-4)  # TF32 and fused kernels round differently


def test_causal_only_fast_path_uses_bf16() -> None:
    device = torch.device("cuda")
    attention = MultiHeadSelfAttention(64, 4).to(device)
    x = torch.randn(2, 128, 64, device=device)
    with autocast(device):
        out, _ = attention(x, causal=True)
    assert out.dtype == torch.bfloat16 and torch.isfinite(out).all()
