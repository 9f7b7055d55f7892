"""The positional checks measure the model's forward, not only its table (issue 26).

An encoder that never adds its positions (order-blind) passed both checks, since the table itself is right; and
tensor2tensor's [sin | cos] layout failed the rotation, since the check assumed interleaved pairs. Each model here
is a real seqlab classifier whose encoder is wired like seqlab's, run through the real check.
"""

from __future__ import annotations

import math

import pytest
import torch

from seqlab.models.attention import AttentionMask
from seqlab.models.transformer import TransformerClassifier, TransformerConfig, TransformerEncoder
from seqlab.proofs import select
from seqlab.proofs.base import MODEL
from seqlab.proofs.target import LiveTarget, random_batch

from . import broken

CPU = torch.device("cpu")
IDS = ["sinusoidal-rotation", "positional-dot"]


class OrderBlindEncoder(TransformerEncoder):
    """Forgets to add the positions: the token embeddings go straight into the blocks."""

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.token_embedding(input_ids) * math.sqrt(self.config.d_model)

    def forward(self, input_ids, attention_mask=None, causal=False, output_attentions=False):
        x = self.dropout(self.embed(input_ids))
        mask = AttentionMask.of(attention_mask, causal, x.size(1), x.device, x.dtype)
        for block in self.blocks:
            x, _ = block(x, mask, causal)
        return x, None


class DiscardedPositionsEncoder(OrderBlindEncoder):
    """Computes the position vectors, then adds them to a copy it never uses."""

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        x = super().embed(input_ids)
        _ = x + self.positions(input_ids.size(1))
        return x


class ShiftedPositionsEncoder(OrderBlindEncoder):
    """Adds PE[1:T+1] instead of PE[:T]: every token gets its neighbour's position."""

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return super().embed(input_ids) + self.positions(input_ids.size(1) + 1)[1:]


def classifier(encoder_cls=TransformerEncoder, causal: bool = True, **changes) -> LiveTarget:
    config = TransformerConfig(vocab_size=200, d_model=32, n_heads=4, n_layers=2, d_ff=64, dropout=0.0, max_len=64,
                               **changes)
    torch.manual_seed(0)
    model = TransformerClassifier(config, num_labels=2, causal=causal)
    encoder = encoder_cls(config)
    encoder.load_state_dict(model.encoder.state_dict(), strict=False)
    model.encoder = encoder
    return LiveTarget(model.eval(), CPU, 0, encoder_cls.__name__, random_batch(200, 0, 0, CPU))


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


@pytest.mark.parametrize("identity_id", IDS)
@pytest.mark.parametrize("causal", [True, False], ids=["causal", "bidirectional"])
@pytest.mark.parametrize("encoder_cls", [OrderBlindEncoder, DiscardedPositionsEncoder])
def test_an_encoder_that_never_adds_its_positions_fails(identity_id, causal, encoder_cls):
    result = check(identity_id, classifier(encoder_cls, causal))
    assert not result.passed, result.detail
    assert result.measured_on == MODEL
    assert result.extra["positions not in the model's forward"] == 1.0
    assert result.extra["first block input - scale * embedding - PE[:T]"] > 0.1


def test_positions_shifted_by_one_fail():
    result = check("sinusoidal-rotation", classifier(ShiftedPositionsEncoder))
    assert not result.passed and result.measured_on == MODEL
    assert result.extra["positions not in the model's forward"] == 0.0  # they are used, just the wrong rows
    assert result.extra["first block input - scale * embedding - PE[:T]"] > 0.1


@pytest.mark.parametrize("identity_id", IDS)
@pytest.mark.parametrize("changes", [{}, {"scale_embeddings": False}, {"norm_first": True}],
                         ids=["post-norm", "unscaled embeddings", "pre-norm"])
def test_correct_encoders_pass(identity_id, changes):
    result = check(identity_id, classifier(**changes))
    assert result.passed, result.detail
    assert result.measured_on == MODEL
    assert result.extra["first block input - scale * embedding - PE[:T]"] < 1e-12


def test_the_tensor2tensor_layout_passes_in_a_model():
    target = broken.with_positions(broken.fresh(seed=0), broken.HalfHalfPositions)
    for identity_id in IDS:
        result = check(identity_id, target)
        assert result.passed, result.detail
        assert result.measured_on == MODEL
    assert "halves [sin | cos] (tensor2tensor)" in check("sinusoidal-rotation", target).detail


class EmbeddingNormEncoder(OrderBlindEncoder):
    """BERT's wiring with sinusoids: LayerNorm(scaled embedding + PE) before the first block (correct)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__(config)
        self.embedding_norm = torch.nn.LayerNorm(config.d_model)

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embedding_norm(super().embed(input_ids) + self.positions(input_ids.size(1)))


class OrderBlindNormEncoder(EmbeddingNormEncoder):
    """The same wiring, positions forgotten: LayerNorm(scaled embedding)."""

    def embed(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.embedding_norm(OrderBlindEncoder.embed(self, input_ids))


def test_an_embedding_norm_before_the_blocks_is_no_false_alarm_and_still_catches_order_blindness():
    right = check("sinusoidal-rotation", classifier(EmbeddingNormEncoder))
    assert right.passed, right.detail
    assert "LayerNorm runs between the embeddings and the first block" in right.detail
    wrong = check("sinusoidal-rotation", classifier(OrderBlindNormEncoder))
    assert not wrong.passed and wrong.measured_on == MODEL
    assert wrong.extra["positions not in the model's forward"] == 1.0
