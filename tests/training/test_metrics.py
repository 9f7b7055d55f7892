"""Metrics against hand-computed values, and the two baselines."""

from __future__ import annotations

import pytest

from seqlab.training.metrics import compute_metrics, majority_baseline, random_baseline


def test_scores_match_hand_computation():
    gold = [0, 0, 0, 1, 1, 2]
    predicted = [0, 0, 1, 1, 2, 2]
    metrics = compute_metrics(gold, predicted, ["a", "b", "c"], split="dev")
    assert metrics.n == 6
    assert metrics.accuracy == pytest.approx(4 / 6)
    assert metrics.confusion == ((2, 1, 0), (0, 1, 1), (0, 0, 1))
    a, b, c = metrics.per_class
    assert (a.precision, a.recall, a.support) == (pytest.approx(1.0), pytest.approx(2 / 3), 3)
    assert (b.precision, b.recall) == (pytest.approx(0.5), pytest.approx(0.5))
    assert (c.precision, c.recall) == (pytest.approx(0.5), pytest.approx(1.0))
    f1s = [2 * 1 * (2 / 3) / (1 + 2 / 3), 0.5, 2 * 0.5 / 1.5]
    assert metrics.macro_f1 == pytest.approx(sum(f1s) / 3)


def test_random_baseline_is_near_one_over_classes_and_seeded():
    gold = [i % 4 for i in range(400)]
    first = random_baseline(gold, 4, seed=3)
    assert first == random_baseline(gold, 4, seed=3)
    assert first.accuracy == pytest.approx(0.25, abs=0.03)


def test_majority_baseline_uses_training_majority():
    dev_gold = [0, 1, 1, 1]
    assert majority_baseline(dev_gold, 2).accuracy == pytest.approx(0.75)
    # the training set's majority is class 0: on this dev split that is right once in four
    from_train = majority_baseline(dev_gold, 2, train_gold=[0, 0, 0, 1])
    assert from_train.accuracy == pytest.approx(0.25)
    assert from_train.macro_f1 == pytest.approx((2 * 0.25 / 1.25) / 2)


def test_empty_split_gives_zero_scores_not_an_error():
    metrics = compute_metrics([], [], ["a", "b"])
    assert metrics.n == 0 and metrics.accuracy == 0.0
