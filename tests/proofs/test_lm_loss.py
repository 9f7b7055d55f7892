"""lm-loss: an off-by-one target (in the loss, or in a model whose prediction has seen its target) fails on the model;
the correct CausalLM, with tied weights or a loss written the Hugging Face way, passes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from seqlab.cli import app
from seqlab.models.transformer import CausalLM, TransformerConfig
from seqlab.proofs import select
from seqlab.proofs.target import LiveTarget, random_batch
from seqlab.training import tasks

CPU = torch.device("cpu")
VOCAB = 50


class PeekingLM(CausalLM):
    """Position t's logits come from the state at t+1, which has seen token t+1: the target it predicts."""

    def forward(self, input_ids, attention_mask=None, output_attentions=False):
        out = super().forward(input_ids, attention_mask, output_attentions)
        shifted = torch.cat([out.logits[:, 1:], out.logits[:, -1:]], dim=1)
        return type(out)(logits=shifted, attentions=out.attentions)


def lm_target(cls=CausalLM, tie: bool = False) -> LiveTarget:
    torch.manual_seed(0)
    config = TransformerConfig(vocab_size=VOCAB, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_len=32, dropout=0.0)
    model = cls(config, tie_weights=tie).eval()
    return LiveTarget(model, CPU, 0, f"{cls.__name__}", random_batch(VOCAB, 0, 0, CPU))


def off_by_one_loss(logits, input_ids, attention_mask):
    """Position t scored on token t: the state that predicts has already seen its target (copying wins)."""
    real = attention_mask[:, 1:].reshape(-1)
    predictions = logits[:, 1:].reshape(-1, logits.size(-1)).float()
    return F.cross_entropy(predictions[real], input_ids[:, 1:].reshape(-1)[real]), int(real.sum())


def hugging_face_loss(logits, input_ids, attention_mask):
    """The same loss written with -100 labels and shift_logits / shift_labels."""
    labels = input_ids.masked_fill(~attention_mask, -100)
    shift_logits, shift_labels = logits[:, :-1].float(), labels[:, 1:]
    loss = F.cross_entropy(shift_logits.reshape(-1, logits.size(-1)), shift_labels.reshape(-1), ignore_index=-100)
    return loss, int((shift_labels != -100).sum())


def lm_loss(target: LiveTarget):
    return select(["lm-loss"])[0].check(target)


def test_proof_verified_and_registered_next_to_the_mlm_ones():
    from seqlab.proofs import REGISTRY

    assert select(["lm-loss"])[0].prove().verified
    assert REGISTRY.index("lm_loss:NextTokenLoss") == REGISTRY.index("mlm:MaskedLossIgnoresUnchosen") + 1


def test_off_by_one_loss_fails_on_the_model(monkeypatch):
    monkeypatch.setattr(tasks, "next_token_loss", off_by_one_loss)
    result = lm_loss(lm_target())
    assert not result.passed and result.measured_on == "model"
    assert result.extra["gradient reads own token"] > 0.1
    assert result.extra["loss gap"] > 1e-3


def test_a_prediction_that_saw_its_target_fails():
    result = lm_loss(lm_target(PeekingLM))
    assert not result.passed and result.measured_on == "model"
    assert result.extra["prediction saw its target"] > 1e-3


@pytest.mark.parametrize("tie", [False, True])
def test_correct_causal_lm_passes(tie):
    result = lm_loss(lm_target(tie=tie))
    assert result.passed, result.detail
    assert result.measured_on == "model"
    assert result.extra["gradient reads own token"] == 0 and result.extra["prediction saw its target"] < 1e-12


def test_a_loss_written_the_hugging_face_way_passes(monkeypatch):
    monkeypatch.setattr(tasks, "next_token_loss", hugging_face_loss)
    assert lm_loss(lm_target()).passed


def test_not_applicable_to_a_classifier(runner):
    result = runner.invoke(app, ["check", "lm-loss", "--fresh", "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    assert '"not applicable"' in result.output
