"""Statistics for seeded trials: mean, spread, 95% intervals, binomial tests against chance, and verdicts.

Pure functions over lists of scores (fractions in [0, 1]); nothing here reads files or trains.

- `spread(scores)`: mean, sample sd and the half-width of a 95% Student-t interval of the mean over seeds.
- `prediction_half_width(scores)`: the 95% half-width for ONE more run (sd * sqrt(1 + 1/S)): what to hold an
  outside run (a published number) against, not the interval of the mean.
- `binomial_p_above(accuracy, n, rate)` (from `seqlab.training.verdict`, which judges one run with it): the one-sided exact binomial p-value of scoring `accuracy` on `n`
  examples when the truth is `rate` (the majority baseline).
- `above_chance(scores, majority, n)`: shown above chance only when the binomial test on the dev set says so AND,
  with two or more seeds, a one-sided t-test over the seeds says so too (each at 5%).
- `compare(a, b)`: the difference of means with a 95% interval: paired by seed when both arms ran the same seeds
  (each seed shares its training subset and order), else Welch's unpaired interval; the dev set's sampling term
  is each arm's p(1-p)/n, not divided by the number of seeds (every seed is scored on the same examples).
- `holm(p_values)`: Holm's step-down correction for a family of comparisons (best against each of the rest).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from typing import Sequence

from scipy.stats import norm, t

from seqlab.training.verdict import ALPHA, binomial_p_above

CONFIDENCE = 1 - ALPHA
PAIRED = "paired by seed"
UNPAIRED = "unpaired, Welch"


def t_quantile(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided Student-t critical value for `df` degrees of freedom (inf df: the normal one)."""
    if not math.isfinite(df):
        return float(norm.ppf(0.5 + confidence / 2))
    return float(t.ppf(0.5 + confidence / 2, df))


def t_tail(statistic: float, df: float) -> float:
    """P(T >= statistic) for Student's t with `df` degrees of freedom (inf df: the normal one)."""
    return float(norm.sf(statistic) if not math.isfinite(df) else t.sf(statistic, df))


@dataclass(frozen=True)
class Spread:
    """Scores of one setting over seeds: how many, mean, sample sd, and the 95% interval half-width of the mean
    (0 with one seed: one run has no spread to judge by)."""

    n: int
    mean: float
    sd: float
    half_width: float

    def points(self, digits: int = 1) -> str:
        """'84.2 ± 1.3' in percentage points (the ± is the 95% interval of the mean), or '84.2' for one seed."""
        if self.n <= 1:
            return f"{100 * self.mean:.{digits}f}"
        return f"{100 * self.mean:.{digits}f} ± {100 * self.half_width:.{digits}f}"


def spread(scores: Sequence[float]) -> Spread:
    """Mean, sample standard deviation and 95% t-interval half-width of `scores` (NaN mean when empty)."""
    values = [float(v) for v in scores]
    if not values:
        return Spread(0, float("nan"), 0.0, 0.0)
    if len(values) == 1:
        return Spread(1, values[0], 0.0, 0.0)
    sd = statistics.stdev(values)
    return Spread(len(values), statistics.fmean(values), sd, t_quantile(len(values) - 1) * sd / math.sqrt(len(values)))


def prediction_half_width(scores: Sequence[float]) -> float:
    """The 95% prediction half-width for one more run like these: t(S-1) * sd * sqrt(1 + 1/S) (inf under two
    seeds). Hold one outside run against this, not against the interval of the mean, which shrinks with S."""
    s = spread(scores)
    if s.n < 2:
        return float("inf")
    return t_quantile(s.n - 1) * s.sd * math.sqrt(1 + 1 / s.n)


def binomial_half_width(p: float, n: int, confidence: float = CONFIDENCE) -> float:
    """The 95% half-width of an accuracy `p` measured on `n` examples (normal approximation)."""
    if n <= 0:
        return float("inf")
    return t_quantile(math.inf, confidence) * math.sqrt(max(p * (1 - p), 0.0) / n)


def above_chance(scores: Sequence[float], majority: float, n_examples: int, alpha: float = ALPHA) -> bool:
    """True only when the seeds' mean accuracy is shown above the majority baseline: the one-sided binomial test on
    the `n_examples` dev examples rejects 'no better than majority' at `alpha`, and, with two or more seeds, so does
    a one-sided t-test over the seeds (both must hold: the dev set's noise and the seeds' spread)."""
    s = spread(scores)
    if not s.n or s.mean <= majority:
        return False
    if binomial_p_above(s.mean, n_examples, majority) >= alpha:
        return False
    if s.n < 2:
        return True
    if s.sd == 0:
        return True
    return t_tail((s.mean - majority) / (s.sd / math.sqrt(s.n)), s.n - 1) < alpha


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> list[bool]:
    """Holm's step-down rule: which of a family of tests are rejected at family-wise level `alpha`. Sorted
    ascending, the k-th smallest p (k from 0) is rejected while p <= alpha / (m - k); the first failure stops it."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    rejected = [False] * len(p_values)
    for rank, index in enumerate(order):
        if p_values[index] > alpha / (len(p_values) - rank):
            break
        rejected[index] = True
    return rejected


@dataclass(frozen=True)
class Comparison:
    """A vs B: the difference of means (A - B), its 95% interval half-width, whether it is decided, how it was
    computed (`method`: paired by seed or unpaired Welch), its two-sided p-value, and the verdict in words.
    `correction` names a multiple-comparison correction that decided it (e.g. 'Holm over 4': Holm's
    correction over a family of 4 comparisons)."""

    a: str
    b: str
    difference: float
    half_width: float
    decided: bool
    method: str = UNPAIRED
    p_value: float = 1.0
    unit: str = "points"
    correction: str = ""

    @property
    def verdict(self) -> str:
        """'A beats B by 2.1 ± 0.8 points (paired by seed)' or 'A vs B: no difference shown (+0.4 ± 1.9 points,
        ...)'; with one seed a side, what is missing."""
        if not math.isfinite(self.half_width):
            return (f"{self.a} vs {self.b}: {100 * self.difference:+.1f} {self.unit} on one seed; "
                    "no difference that these runs can show (run --seeds 3 for an interval)")
        how = self.method
        if self.correction:
            interval_excludes_zero = abs(self.difference) > self.half_width
            how += (f"; not shown after {self.correction}" if interval_excludes_zero and not self.decided
                    else f"; {self.correction}")
        if self.decided:
            winner, loser = (self.a, self.b) if self.difference > 0 else (self.b, self.a)
            return f"{winner} beats {loser} by {100 * abs(self.difference):.1f} ± {100 * self.half_width:.1f} " \
                   f"{self.unit} ({how})"
        return (f"{self.a} vs {self.b}: no difference that these runs can show "
                f"({100 * self.difference:+.1f} ± {100 * self.half_width:.1f} {self.unit}, {how})")


def _paired(a: Sequence[float], b: Sequence[float], seeds_a: Sequence[object] | None,
            seeds_b: Sequence[object] | None) -> list[float] | None:
    """Per-seed differences a - b when both arms ran exactly the same (distinct) seeds, else None."""
    if seeds_a is None or seeds_b is None or len(seeds_a) != len(a) or len(seeds_b) != len(b):
        return None
    by_a, by_b = dict(zip(seeds_a, a)), dict(zip(seeds_b, b))
    if len(by_a) != len(a) or len(by_b) != len(b) or set(by_a) != set(by_b) or len(by_a) < 2:
        return None
    return [float(by_a[s]) - float(by_b[s]) for s in by_a]


def compare(name_a: str, a: Sequence[float], name_b: str, b: Sequence[float], n_examples: int | None = None,
            unit: str = "points", seeds_a: Sequence[object] | None = None,
            seeds_b: Sequence[object] | None = None) -> Comparison:
    """Two settings' seed scores compared; a winner is named only when the 95% interval of the difference
    excludes zero. Paired by seed (a t interval of the per-seed differences) when `seeds_a` and `seeds_b` are the
    same seeds, else Welch's unpaired interval. `n_examples` (the evaluation set's size) adds the set's own
    sampling noise, each arm's p(1-p)/n: every seed is scored on the same examples, so it does not shrink with
    the seeds; it bounds the exact paired by-example term from above when both settings find the same examples
    hard (the records keep no per-example predictions to compute that term). With fewer than two seeds on either
    side nothing is claimed."""
    sa, sb = spread(a), spread(b)
    difference = sa.mean - sb.mean
    if sa.n < 2 or sb.n < 2:
        return Comparison(name_a, name_b, difference, float("inf"), False, UNPAIRED, 1.0, unit)
    dev = 0.0
    if n_examples:
        dev = (sa.mean * (1 - sa.mean) + sb.mean * (1 - sb.mean)) / n_examples
    differences = _paired(a, b, seeds_a, seeds_b)
    if differences is not None:
        method = PAIRED
        seed_var = statistics.variance(differences) / len(differences)
        denominator = seed_var ** 2 / (len(differences) - 1)
    else:
        method = UNPAIRED
        va, vb = sa.sd ** 2 / sa.n, sb.sd ** 2 / sb.n
        seed_var = va + vb
        denominator = va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1)
    variance = seed_var + dev  # the dev term is a known variance: it adds no degrees-of-freedom uncertainty
    df = variance ** 2 / denominator if denominator > 0 else math.inf
    se = math.sqrt(variance)
    if se == 0:
        p_value = 0.0 if difference else 1.0
    else:
        p_value = min(1.0, 2 * t_tail(abs(difference) / se, df))
    half = t_quantile(df) * se
    return Comparison(name_a, name_b, difference, half, abs(difference) > half, method, p_value, unit)


def holm_decided(comparisons: Sequence[Comparison], alpha: float = ALPHA) -> list[Comparison]:
    """The comparisons of one family (best against each of the rest) decided by Holm's rule instead of each on its
    own; each names the correction. One comparison is its own family (no correction named)."""
    if len(comparisons) < 2:
        return list(comparisons)
    rejected = holm([c.p_value if math.isfinite(c.half_width) else 1.0 for c in comparisons], alpha)
    label = f"Holm over {len(comparisons)}"
    return [replace(c, decided=r and math.isfinite(c.half_width), correction=label)
            for c, r in zip(comparisons, rejected)]
