"""Masked-LM runs: mlm-masking measures the rule the run trained with; `seqlab check --run` on a --task mlm run exits 0
(its decoder is tied to the word embeddings, which --freeze must refuse rather than move)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from seqlab.cli import app
from seqlab.data import masking
from seqlab.errors import SeqlabError
from seqlab.models.mlm import BertForMaskedLM
from seqlab.proofs import select
from seqlab.proofs.target import target_from_run
from seqlab.training import freezing

from . import broken

CPU = torch.device("cpu")
BERT = {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 32}
TRANSFORMER = {"family": "transformer", "d_model": 16, "n_heads": 2, "n_layers": 1, "d_ff": 32}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Tiny --task mlm runs: BERT with whole-word masking, BERT with the default rule, a word-level Transformer."""
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    made = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEQLAB_RUNS", str(tmp_path_factory.mktemp("runs")))
        for name, spec, whole in (("whole", BERT, True), ("pieces", BERT, False), ("words", TRANSFORMER, False)):
            config = TrainConfig(model=spec, task="mlm", whole_word_masking=whole, max_train_examples=64, epochs=1,
                                 batch_size=16, max_length=24, threads=1, device="cpu")
            made[name] = train(config, quiet=True).run_dir
    return made


def masking_check(run: Path):
    return select(["mlm-masking"])[0].check(target_from_run(run, CPU, seed=0))


def test_a_whole_word_run_is_checked_against_its_own_rule(runs):
    result = masking_check(runs["whole"])
    assert result.passed, result.detail
    assert result.measured_on == "model" and result.extra["whole_word"] == 1
    assert "the rule this run trained with" in result.detail and "whole words on" in result.detail
    assert "candidate words" in result.detail and result.extra["whole words split"] == 0
    default = masking_check(runs["pieces"])
    assert default.passed and default.extra["whole_word"] == 0 and "whole words off" in default.detail


def test_masking_that_ignores_the_runs_whole_word_rule_fails_on_that_run(runs, monkeypatch):
    original = masking.mask_tokens

    def per_piece(input_ids, attention_mask, vocab, rule=masking.MaskingRule(), generator=None):
        return original(input_ids, attention_mask, vocab, masking.MaskingRule(), generator)  # the default, always

    monkeypatch.setattr(masking, "mask_tokens", per_piece)
    result = masking_check(runs["whole"])
    assert not result.passed and result.extra["whole words split"] > 0
    assert masking_check(runs["pieces"]).passed  # a per-piece run is not asked for whole words


def test_the_rule_comes_from_the_runs_config():
    from seqlab.training.config import TrainConfig
    from seqlab.training.mlm_task import masking_rule

    assert masking_rule(TrainConfig(task="mlm", whole_word_masking=True)).whole_word
    assert masking_rule(TrainConfig(task="mlm")) == masking.MaskingRule()


@pytest.mark.parametrize("name", ["whole", "words"])
def test_check_run_on_a_masked_lm_run_exits_0(runs, runner, name):
    result = runner.invoke(app, ["check", "--run", str(runs[name]), "--device", "cpu", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {row["id"]: row for row in payload["results"]}
    assert not [row["id"] for row in payload["results"] if row["verdict"] == "FAIL"]
    assert rows["frozen-body"]["verdict"] == "not applicable"  # trained without --freeze: nothing to compare
    assert rows["mlm-masking"]["measured_on"] == rows["mlm-loss"]["measured_on"] == "model"


def test_freeze_body_refuses_a_head_tied_to_the_body(runs):
    model = target_from_run(runs["whole"], CPU, seed=0).model
    assert isinstance(model, BertForMaskedLM)
    assert freezing.shared_with_body(model) == ["bert.embeddings.word.weight"]
    with pytest.raises(SeqlabError, match="shares bert.embeddings.word.weight with the body"):
        freezing.freeze_body(model)


def test_freeze_body_refuses_a_classifier_whose_head_reuses_the_embeddings():
    model = broken.fresh().model
    assert freezing.shared_with_body(model) == []
    freezing.freeze_body(model)  # a separate head: fine
    tied = broken.fresh().model
    tied.head.weight = torch.nn.Parameter(tied.encoder.token_embedding.weight[:2])  # a view of the embedding matrix
    with pytest.raises(SeqlabError, match="tied weights"):
        freezing.freeze_body(tied)
