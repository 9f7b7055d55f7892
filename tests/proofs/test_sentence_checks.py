"""The sentence-pairs identity: proved, passes on the real builder and an NSP run, fails on broken builders."""

from __future__ import annotations

import random

import pytest
import torch

from seqlab.data import sentence_pairs
from seqlab.proofs import select
from seqlab.proofs.target import target_from_run

from . import broken


def check(target):
    return select(["sentence-pairs"])[0].check(target)


def test_the_proof_verifies():
    assert select(["sentence-pairs"])[0].prove().verified


def test_check_passes_on_the_real_builder_with_the_sample_reviews():
    result = check(broken.fresh())
    assert result.passed, result.detail
    assert result.measured_on == "not applicable" and "sample reviews" in result.detail
    assert not any(value for key, value in result.extra.items() if not key.startswith("z "))


def test_check_reads_the_training_texts_of_a_sentence_objective_run(tmp_path):
    from seqlab.data.builtin import builtin_sentiment
    from seqlab.training.config import TrainConfig
    from seqlab.training.trainer import train

    examples = builtin_sentiment(0).train
    rows = [" ".join(e.text for e in examples[3 * r: 3 * r + 3]) + f"\t{examples[3 * r].label}" for r in range(40)]
    data = tmp_path / "reviews.tsv"
    data.write_text("text\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    spec = {"family": "bert", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
            "intermediate_size": 32}
    run = train(TrainConfig(data=str(data), model=spec, task="mlm", sentence_objective="sop", epochs=1,
                            batch_size=16, max_length=32, threads=1, device="cpu"), quiet=True)
    result = check(target_from_run(run.run_dir, torch.device("cpu"), seed=0))
    assert result.passed and result.measured_on == "model", result.detail
    assert "training texts" in result.detail


def test_check_fails_when_the_builder_keeps_70_percent(monkeypatch):
    original = sentence_pairs.build_pairs
    monkeypatch.setattr(sentence_pairs, "build_pairs",
                        lambda texts, objective, seed, real_rate=0.5: original(texts, objective, seed, 0.7))
    result = check(broken.fresh())
    assert not result.passed and result.extra["z nsp"] > 5 and result.extra["z sop"] > 5


def test_check_fails_when_sop_negatives_are_random_sentences_instead_of_the_pair_swapped(monkeypatch):
    original = sentence_pairs.build_pairs

    def nsp_for_sop(texts, objective, seed, real_rate=0.5):
        return original(texts, "nsp", seed, real_rate)

    monkeypatch.setattr(sentence_pairs, "build_pairs", nsp_for_sop)
    result = check(broken.fresh())
    assert not result.passed and result.extra["SOP negatives not the pair swapped"] > 0


def test_check_fails_when_nsp_draws_its_random_sentence_from_the_same_text(monkeypatch):
    original = sentence_pairs.build_pairs

    def same_text(texts, objective, seed, real_rate=0.5):
        pairs = original(texts, objective, seed, real_rate)
        if objective != "nsp":
            return pairs
        rng = random.Random(seed)
        out = []
        for p in pairs:
            if not p.real:
                own = sentence_pairs.split_sentences(texts[p.text])
                p = sentence_pairs.SentencePair(p.first, rng.choice(own), False, p.text, p.index)
            out.append(p)
        return out

    monkeypatch.setattr(sentence_pairs, "build_pairs", same_text)
    result = check(broken.fresh())
    assert not result.passed and result.extra["NSP negatives from their own text"] > 0
