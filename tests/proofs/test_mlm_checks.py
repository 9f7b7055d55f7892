"""The masked-LM identities: pass on a fresh model and on real MLM runs, fail on a broken rule or a broken loss."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from seqlab.data import masking
from seqlab.models.mlm import BertForMaskedLM, TransformerMaskedLM
from seqlab.proofs import select
from seqlab.proofs.target import LiveTarget, target_from_run

from . import broken

CPU = torch.device("cpu")


def check(identity_id: str, target: LiveTarget):
    return select([identity_id])[0].check(target)


@pytest.fixture(scope="module")
def mlm_runs(tmp_path_factory) -> dict[str, Path]:
    """A tiny BERT MLM run (WordPiece) and a tiny Transformer MLM run (words + <mask>), one epoch on 64 examples."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    specs = {
        "bert": {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "intermediate_size": 32},
        "transformer": {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32},
    }
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(tmp_path_factory.mktemp("runs")))
        for family, spec in specs.items():
            config = TrainConfig(model=spec, task="mlm", max_train_examples=64, epochs=1, batch_size=16,
                                 max_length=24, threads=1, device="cpu")
            runs[family] = train(config, quiet=True).run_dir
    return runs


@pytest.mark.parametrize("identity_id", ["mlm-masking", "mlm-loss"])
def test_checks_pass_on_the_fresh_target_with_a_fresh_bert_mlm(identity_id):
    result = check(identity_id, broken.fresh())
    assert result.passed, result.detail
    assert "fresh small BERT MLM" in result.detail


@pytest.mark.parametrize("family", ["bert", "transformer"])
def test_checks_pass_on_mlm_runs_and_use_their_own_model_and_vocabulary(mlm_runs, family):
    target = target_from_run(mlm_runs[family], CPU, seed=0)
    fractions, loss = check("mlm-masking", target), check("mlm-loss", target)
    assert fractions.passed and loss.passed, (fractions.detail, loss.detail)
    assert "fresh" not in fractions.detail + loss.detail
    assert type(target.model).__name__ in loss.detail
    assert loss.extra["CE over every real token"] != pytest.approx(loss.extra["CE over chosen"], abs=1e-6)
    assert "the rule this run trained with" in fractions.detail and "whole words off" in fractions.detail


def test_masking_check_fails_when_the_rule_masks_90_5_5(monkeypatch):
    original = masking.mask_tokens

    def wrong_split(input_ids, attention_mask, vocab, rule=masking.MaskingRule(), generator=None):
        return original(input_ids, attention_mask, vocab,
                        masking.MaskingRule(rule.probability, 0.9, 0.05, rule.whole_word), generator)

    monkeypatch.setattr(masking, "mask_tokens", wrong_split)
    result = check("mlm-masking", broken.fresh())
    assert not result.passed and result.extra["z [MASK] of chosen"] > 5


def test_masking_check_fails_when_specials_can_be_chosen(monkeypatch):
    original = masking.mask_tokens

    def leaky(input_ids, attention_mask, vocab, rule=masking.MaskingRule(), generator=None):
        only_pad = masking.MaskVocab(vocab.mask_id, vocab.vocab_size, (0,), vocab.continuation_ids)  # [CLS] etc. open
        return original(input_ids, attention_mask, only_pad, rule, generator)

    monkeypatch.setattr(masking, "mask_tokens", leaky)
    result = check("mlm-masking", broken.fresh())
    assert not result.passed and result.extra["special or pad chosen"] > 0


class EveryTokenLoss(BertForMaskedLM):
    """A broken masked LM whose loss averages over every real token, chosen or not."""

    def mlm_loss(self, input_ids, attention_mask, labels, segment_ids=None):
        logits = self.forward(input_ids, attention_mask, segment_ids).logits
        originals = torch.where(labels != masking.IGNORE_INDEX, labels, input_ids)
        real = attention_mask.bool()
        return F.cross_entropy(logits[real], originals[real]), int((labels != masking.IGNORE_INDEX).sum())


def test_loss_check_fails_on_a_model_whose_loss_counts_every_token(mlm_runs):
    target = target_from_run(mlm_runs["bert"], CPU, seed=0)
    model = target.model
    model.__class__ = EveryTokenLoss
    try:
        result = check("mlm-loss", target)
    finally:
        model.__class__ = BertForMaskedLM
    assert not result.passed and result.measured > 1e-3, result.detail


def test_transformer_mlm_is_a_masked_lm_for_the_checks(mlm_runs):
    target = target_from_run(mlm_runs["transformer"], CPU, seed=0)
    assert isinstance(target.model, TransformerMaskedLM) and target.encoder.mask_id == 4
