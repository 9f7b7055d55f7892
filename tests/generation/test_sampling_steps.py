"""Each stage of seqlab.training.generation against a hand computation on a five-token vocabulary."""

from __future__ import annotations

import math

import pytest
import torch

from seqlab.errors import SeqlabError
from seqlab.training.generation import (
    GenerationConfig,
    apply_temperature,
    check_generation_config,
    pick_token,
    sampling_distribution,
    top_k_filter,
    top_p_filter,
)

# Probabilities 0.5, 0.2, 0.15, 0.1, 0.05 written as logits (their logs): softmax gives them back exactly.
PROBS = [0.5, 0.2, 0.15, 0.1, 0.05]
LOGITS = torch.tensor([math.log(p) for p in PROBS], dtype=torch.float64)


def _kept(logits: torch.Tensor) -> list[int]:
    return [i for i, v in enumerate(logits.tolist()) if v != float("-inf")]


def test_temperature_divides_the_logits_and_reshapes_the_softmax():
    # softmax(log p / t) = p^(1/t) / sum p^(1/t): at t = 0.5 the squares, renormalised
    hand = [p**2 / sum(q**2 for q in PROBS) for p in PROBS]
    assert torch.allclose(apply_temperature(LOGITS, 0.5).softmax(-1), torch.tensor(hand, dtype=torch.float64))
    assert torch.allclose(apply_temperature(LOGITS, 1.0).softmax(-1), torch.tensor(PROBS, dtype=torch.float64))
    flat = apply_temperature(LOGITS, 100.0).softmax(-1)
    assert float(flat.max() - flat.min()) < 0.02  # a high temperature is nearly uniform
    with pytest.raises(ValueError):
        apply_temperature(LOGITS, 0.0)


def test_top_k_keeps_the_k_likeliest_and_renormalises():
    assert _kept(top_k_filter(LOGITS, 2)) == [0, 1]
    drawn = top_k_filter(LOGITS, 2).softmax(-1)
    assert drawn.tolist()[:2] == pytest.approx([0.5 / 0.7, 0.2 / 0.7])  # 0.714..., 0.285...
    assert _kept(top_k_filter(LOGITS, None)) == _kept(top_k_filter(LOGITS, 0)) == _kept(top_k_filter(LOGITS, 9)) == [
        0, 1, 2, 3, 4]


def test_top_k_keeps_every_tie_at_the_cut():
    logits = torch.tensor([2.0, 1.0, 1.0, 0.0])
    assert _kept(top_k_filter(logits, 2)) == [0, 1, 2]


def test_top_p_keeps_the_token_that_crosses_p():
    # cumulative 0.5, 0.7, 0.85, ...: p = 0.8 needs the third token (0.7 < 0.8 <= 0.85)
    assert _kept(top_p_filter(LOGITS, 0.8)) == [0, 1, 2]
    drawn = top_p_filter(LOGITS, 0.8).softmax(-1)
    assert drawn.tolist()[:3] == pytest.approx([0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85])
    assert _kept(top_p_filter(LOGITS, 0.5)) == [0]  # the first token alone reaches 0.5
    assert _kept(top_p_filter(LOGITS, 0.01)) == [0]  # the likeliest token always survives
    assert _kept(top_p_filter(LOGITS, 1.0)) == [0, 1, 2, 3, 4]


def test_top_p_does_not_depend_on_the_order_of_the_vocabulary():
    order = torch.tensor([3, 0, 4, 2, 1])
    shuffled = LOGITS[order]
    kept = {int(order[i]) for i in _kept(top_p_filter(shuffled, 0.8))}
    assert kept == {0, 1, 2}


def _student_top_p(logits: torch.Tensor, p: float) -> torch.Tensor:
    """The common mistake: keep only the tokens whose running total is still below p (drops the one crossing it)."""
    probs = logits.softmax(-1)
    order = torch.argsort(probs, descending=True)
    drop_sorted = probs[order].cumsum(-1) >= p
    drop = torch.zeros_like(drop_sorted).scatter(0, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))


def test_the_hand_computation_catches_the_student_top_p():
    assert _kept(_student_top_p(LOGITS, 0.8)) == [0, 1] != [0, 1, 2]
    assert _kept(_student_top_p(LOGITS, 0.5)) == []  # nothing left to draw from


def test_the_order_is_temperature_then_top_k_then_top_p():
    config = GenerationConfig(temperature=0.5, top_k=4, top_p=0.9)
    squared = [p**2 / sum(q**2 for q in PROBS) for p in PROBS]  # 0.735, 0.118, 0.066, 0.029, 0.007
    top4 = [q / sum(squared[:4]) for q in squared[:4]]  # cumulative 0.779, 0.897, 0.970: p = 0.9 keeps 3
    assert top4[0] + top4[1] < 0.9 <= top4[0] + top4[1] + top4[2]
    hand = [q / sum(top4[:3]) for q in top4[:3]] + [0.0, 0.0]
    assert sampling_distribution(LOGITS, config).tolist() == pytest.approx(hand)


def test_temperature_zero_is_one_hot_on_the_argmax():
    distribution = sampling_distribution(LOGITS, GenerationConfig(temperature=0.0, top_k=3, top_p=0.2))
    assert distribution.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    generator = torch.Generator().manual_seed(0)
    assert {pick_token(distribution, generator) for _ in range(20)} == {0}


def test_sampling_is_seeded_by_its_generator_and_never_by_the_global_rng():
    distribution = sampling_distribution(LOGITS, GenerationConfig(temperature=1.0))

    def draws(seed: int, global_seed: int) -> list[int]:
        torch.manual_seed(global_seed)
        generator = torch.Generator().manual_seed(seed)
        return [pick_token(distribution, generator) for _ in range(30)]

    assert draws(1, 0) == draws(1, 99)
    assert draws(1, 0) != draws(2, 0)
    counts = torch.bincount(torch.tensor(draws(3, 0) * 1), minlength=5)
    assert int(counts[0]) > int(counts[4])


@pytest.mark.parametrize("bad, option", [
    (GenerationConfig(max_new_tokens=0), "--max-new-tokens"),
    (GenerationConfig(temperature=-1.0), "--temperature"),
    (GenerationConfig(temperature=float("nan")), "--temperature"),
    (GenerationConfig(top_k=-2), "--top-k"),
    (GenerationConfig(top_p=0.0), "--top-p"),
    (GenerationConfig(top_p=1.5), "--top-p"),
])
def test_bad_settings_name_their_option(bad, option):
    with pytest.raises(SeqlabError, match=option):
        check_generation_config(bad)
