"""The statistics of seeded trials: spread, at-chance labels, verdicts."""

import math

import pytest

from seqlab.experiments.stats import at_chance, binomial_half_width, compare, spread, t_quantile


def test_spread_matches_hand_computation():
    s = spread([0.80, 0.82, 0.84])
    assert s.n == 3 and s.mean == pytest.approx(0.82) and s.sd == pytest.approx(0.02)
    # t(0.975, 2) = 4.303: the 95% interval of a mean of three is wide
    assert s.half_width == pytest.approx(4.3027 * 0.02 / math.sqrt(3), rel=1e-3)
    assert s.points() == "82.0 ± 5.0"


def test_one_seed_has_no_interval_and_empty_is_nan():
    assert spread([0.7]).half_width == 0 and spread([0.7]).points() == "70.0"
    assert math.isnan(spread([]).mean)


def test_t_quantile_tends_to_normal():
    assert t_quantile(2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(math.inf) == pytest.approx(1.960, abs=1e-3)


def test_at_chance_uses_the_evaluation_sets_noise():
    # 100 dev examples, majority 50%: binomial half-width ~9.8 points
    assert binomial_half_width(0.5, 100) == pytest.approx(0.098, abs=1e-3)
    assert at_chance([0.55, 0.56, 0.54], 0.5, 100)
    assert not at_chance([0.75, 0.76, 0.74], 0.5, 100)
    # below majority is at chance too
    assert at_chance([0.40], 0.5, 10_000)


def test_at_chance_uses_the_seed_spread():
    # huge dev set, but the seeds disagree wildly: the mean is not clearly above majority
    assert at_chance([0.50, 0.70, 0.52], 0.5, 1_000_000)
    assert not at_chance([0.60, 0.61, 0.60], 0.5, 1_000_000)


def test_compare_decides_only_when_the_interval_excludes_zero():
    clear = compare("adam", [0.85, 0.86, 0.855], "sgd", [0.70, 0.71, 0.705])
    assert clear.decided and clear.difference == pytest.approx(0.15)
    assert clear.verdict.startswith("adam beats sgd by 15.0 ± ")
    reversed_ = compare("sgd", [0.70, 0.71, 0.705], "adam", [0.85, 0.86, 0.855])
    assert reversed_.decided and reversed_.verdict.startswith("adam beats sgd")
    noisy = compare("a", [0.50, 0.60, 0.55], "b", [0.52, 0.58, 0.54])
    assert not noisy.decided and "no difference that these runs can show" in noisy.verdict


def test_compare_with_one_seed_claims_nothing():
    one = compare("a", [0.9], "b", [0.5])
    assert not one.decided and "--seeds 3" in one.verdict


def test_compare_counts_the_evaluation_sets_noise():
    # identical seeds (sd 0) but a 3-point gap on 50 examples is within the sampling noise
    tied = compare("a", [0.56, 0.56, 0.56], "b", [0.53, 0.53, 0.53], n_examples=50)
    assert not tied.decided
    assert compare("a", [0.56, 0.56, 0.56], "b", [0.53, 0.53, 0.53], n_examples=1_000_000).decided
