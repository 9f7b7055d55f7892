"""The verdict line against the majority baseline: a one-sided binomial test first, then how far above."""

from __future__ import annotations

import pytest

from seqlab.training.verdict import binomial_p_above, judge


def test_above_chance_needs_the_binomial_test_on_the_dev_set():
    """52% vs 50%: on 5,000 examples p = 0.0024 (above chance, though only 4% of the way); on 50, p = 0.44."""
    assert binomial_p_above(0.52, 5000, 0.5) == pytest.approx(0.00244, abs=2e-5)
    assert binomial_p_above(0.52, 50, 0.5) == pytest.approx(0.444, abs=1e-3)
    large = judge(0.52, 0.5, 5, 5, 5000)
    assert large.level == "barely above chance" and "p = 0.002" in large.line
    small = judge(0.52, 0.5, 5, 5, 50)
    assert small.level == "not shown above chance" and "not shown above chance" in small.line
    assert "at chance" not in small.line.replace("above chance", "")


def test_levels_follow_the_share_of_the_way_to_perfect():
    assert judge(0.505, 0.5, 5, 5, 400).level == "not shown above chance"
    assert judge(0.40, 0.5, 5, 5, 10_000).level == "not shown above chance"  # below the baseline is no better
    barely = judge(0.55, 0.5, 3, 3, 5000)
    assert barely.level == "barely above chance"
    assert barely.line == ("55% vs 50% majority: barely above chance (one-sided binomial p < 0.001 on 5,000 dev "
                           "examples); try --epochs 6")
    assert judge(0.91, 0.9, 5, 5, 10_000).level == "barely above chance"  # 1 point of 10 left
    assert judge(0.91, 0.9, 5, 5, 500).level == "not shown above chance"  # the same gain on 500: p = 0.24
    assert judge(0.70, 0.5, 5, 2, 400).level == "clearly above chance"
    assert "--lr" in judge(0.70, 0.5, 5, 2, 400).line  # it peaked early: more epochs would not help
    well = judge(0.9625, 0.5, 5, 5, 400)
    assert well.level == "well above chance" and well.line.startswith("96% vs 50% majority: well above chance (")


def test_one_epoch_run_is_told_to_train_longer():
    assert judge(0.52, 0.5, 1, 1, 100).line.endswith("try --epochs 3")
