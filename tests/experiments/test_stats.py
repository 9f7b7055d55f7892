"""The statistics of seeded trials: spread, prediction intervals, 'above chance', paired and unpaired verdicts,
the dev set's sampling term, and Holm's correction."""

import math

import pytest
from scipy import stats as scipy_stats

from seqlab.experiments.stats import (PAIRED, UNPAIRED, above_chance, binomial_half_width, binomial_p_above,
                                      compare, holm, holm_decided, prediction_half_width, spread, t_quantile)


def test_spread_matches_hand_computation():
    s = spread([0.80, 0.82, 0.84])
    assert s.n == 3 and s.mean == pytest.approx(0.82) and s.sd == pytest.approx(0.02)
    # t(0.975, 2) = 4.303: the 95% interval of a mean of three is wide
    assert s.half_width == pytest.approx(4.3027 * 0.02 / math.sqrt(3), rel=1e-3)
    assert s.points() == "82.0 ± 5.0"


def test_prediction_interval_is_for_one_more_run_not_the_mean():
    """One outside run is held against sd * sqrt(1 + 1/S), which does not shrink to 0 with more seeds."""
    scores = [0.80, 0.82, 0.84]
    assert prediction_half_width(scores) == pytest.approx(4.3027 * 0.02 * math.sqrt(1 + 1 / 3), rel=1e-3)
    assert prediction_half_width(scores) == pytest.approx(2 * spread(scores).half_width)  # sqrt(S + 1) times, S = 3
    assert prediction_half_width([0.8]) == math.inf


def test_one_seed_has_no_interval_and_empty_is_nan():
    assert spread([0.7]).half_width == 0 and spread([0.7]).points() == "70.0"
    assert math.isnan(spread([]).mean)


def test_t_quantile_tends_to_normal():
    assert t_quantile(2) == pytest.approx(4.303, abs=1e-3)
    assert t_quantile(math.inf) == pytest.approx(1.960, abs=1e-3)


def test_above_chance_needs_the_binomial_test():
    """2,600 of 5,000 against 0.5 is above chance (p = 0.0024); 26 of 50 is not (p = 0.44)."""
    assert binomial_p_above(2600 / 5000, 5000, 0.5) == pytest.approx(scipy_stats.binom.sf(2599, 5000, 0.5))
    assert above_chance([2600 / 5000], 0.5, 5000)
    assert not above_chance([26 / 50], 0.5, 50)
    assert binomial_half_width(0.5, 100) == pytest.approx(0.098, abs=1e-3)
    assert not above_chance([0.55, 0.56, 0.54], 0.5, 100)  # p = 0.18 on 100 examples
    assert above_chance([0.75, 0.76, 0.74], 0.5, 100)
    assert not above_chance([0.40], 0.5, 10_000)  # below majority is not above it


def test_above_chance_needs_the_seeds_too():
    # huge dev set, but the seeds disagree wildly: the mean is not shown above majority over seeds
    assert not above_chance([0.50, 0.70, 0.52], 0.5, 1_000_000)
    assert above_chance([0.60, 0.61, 0.60], 0.5, 1_000_000)


def test_compare_decides_only_when_the_interval_excludes_zero():
    clear = compare("adam", [0.85, 0.86, 0.855], "sgd", [0.70, 0.71, 0.705])
    assert clear.decided and clear.difference == pytest.approx(0.15)
    assert clear.verdict.startswith("adam beats sgd by 15.0 ± ") and clear.verdict.endswith(f"({UNPAIRED})")
    reversed_ = compare("sgd", [0.70, 0.71, 0.705], "adam", [0.85, 0.86, 0.855])
    assert reversed_.decided and reversed_.verdict.startswith("adam beats sgd")
    noisy = compare("a", [0.50, 0.60, 0.55], "b", [0.52, 0.58, 0.54])
    assert not noisy.decided and "no difference that these runs can show" in noisy.verdict
    assert "tie" not in noisy.verdict


def test_pairing_by_seed_is_used_when_both_arms_ran_the_same_seeds():
    """Seed s shares its training subset in both arms: a seed that is hard for A is hard for B. Paired, the
    per-seed differences (all +2 points) decide; unpaired, the seed-to-seed spread (10 points) hides them."""
    a, b = [0.62, 0.72, 0.82], [0.60, 0.70, 0.80]
    paired = compare("a", a, "b", b, seeds_a=[0, 1, 2], seeds_b=[0, 1, 2])
    assert paired.method == PAIRED and paired.decided and PAIRED in paired.verdict
    # the hand computation: differences 0.02 each, sd 0 -> se 0 -> decided; with tiny noise, the t interval
    a2 = [0.62, 0.73, 0.82]
    hand = compare("a", a2, "b", b, seeds_a=[0, 1, 2], seeds_b=[0, 1, 2])
    d = [x - y for x, y in zip(a2, b)]
    sd = scipy_stats.tstd(d)
    assert hand.half_width == pytest.approx(t_quantile(2) * sd / math.sqrt(3))
    unpaired = compare("a", a, "b", b)
    assert unpaired.method == UNPAIRED and not unpaired.decided
    # seeds are matched by value, not by position
    shuffled = compare("a", a, "b", [b[2], b[0], b[1]], seeds_a=[0, 1, 2], seeds_b=[2, 0, 1])
    assert shuffled.method == PAIRED and shuffled.half_width == pytest.approx(paired.half_width)
    # different seeds in the two arms: nothing to pair, Welch
    assert compare("a", a, "b", b, seeds_a=[0, 1, 2], seeds_b=[3, 4, 5]).method == UNPAIRED


def test_compare_with_one_seed_claims_nothing():
    one = compare("a", [0.9], "b", [0.5])
    assert not one.decided and "--seeds 3" in one.verdict


def test_the_dev_sets_term_is_not_divided_by_the_seeds():
    """Every seed is scored on the same n examples, so the dev set's sampling variance of each mean is p(1-p)/n
    whatever the number of seeds (dividing by S was neither the population nor the paired term)."""
    for seeds in (3, 10):
        got = compare("a", [0.56] * seeds, "b", [0.53] * seeds, n_examples=400)
        expected = 1.95996 * math.sqrt((0.56 * 0.44 + 0.53 * 0.47) / 400)
        assert got.half_width == pytest.approx(expected, rel=1e-4)
        assert not got.decided
    assert compare("a", [0.56] * 3, "b", [0.53] * 3, n_examples=1_000_000).decided


def test_holm_on_a_hand_example():
    """p = 0.01, 0.04, 0.03, 0.005 at 5%: sorted 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2 stops, so only the
    first two are rejected (each alone at 5% would reject all four)."""
    assert holm([0.01, 0.04, 0.03, 0.005]) == [True, False, False, True]
    assert holm([0.001, 0.02]) == [True, True]  # 0.02 <= 0.05/1 once 0.001 is rejected
    assert holm([0.06, 0.001]) == [False, True]
    assert holm([]) == []


def test_holm_decided_verdicts_name_the_correction():
    near = compare("best", [0.80, 0.81, 0.82], "near", [0.785, 0.795, 0.80], seeds_a=[0, 1, 2], seeds_b=[0, 1, 2])
    far = compare("best", [0.80, 0.81, 0.82], "far", [0.60, 0.61, 0.62], seeds_a=[0, 1, 2], seeds_b=[0, 1, 2])
    assert near.decided  # on its own, its interval excludes zero
    family = [near, far] + [compare("best", [0.80, 0.81, 0.82], f"o{i}", [0.79, 0.80, 0.815],
                                    seeds_a=[0, 1, 2], seeds_b=[0, 1, 2]) for i in range(4)]
    corrected = holm_decided(family)
    assert corrected[1].decided and "Holm over 6" in corrected[1].verdict
    expected = holm([c.p_value for c in family])
    assert [c.decided for c in corrected] == expected
    undone = [c for c, raw in zip(corrected, family) if raw.decided and not c.decided]
    assert undone and all("not shown after Holm" in c.verdict for c in undone)
