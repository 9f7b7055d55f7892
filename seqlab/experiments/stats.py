"""Statistics for seeded trials: mean, spread, a 95% interval, at-chance labels and verdicts between settings.

Pure functions over lists of scores (fractions in [0, 1]); nothing here reads files or trains.

- `spread(scores)`: mean, sample sd and the half-width of a 95% Student-t interval of the mean.
- `at_chance(scores, majority, n)`: True when the setting cannot be told apart from always answering
  the majority class: its mean is not above majority + the noise of the scores (the t half-width over
  seeds, and never less than the binomial noise of an `n`-example evaluation set).
- `compare(a, b)`: Welch's difference of means with a 95% interval; a verdict in words that claims a
  winner only when the interval excludes zero.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Sequence

from scipy.stats import norm, t

CONFIDENCE = 0.95


def t_quantile(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided Student-t critical value for `df` degrees of freedom (inf df: the normal one)."""
    if not math.isfinite(df):
        return float(norm.ppf(0.5 + confidence / 2))
    return float(t.ppf(0.5 + confidence / 2, df))


@dataclass(frozen=True)
class Spread:
    """Scores of one setting over seeds: how many, mean, sample sd, and the 95% interval half-width of the mean
    (0 with one seed: one run has no spread to judge by)."""

    n: int
    mean: float
    sd: float
    half_width: float

    def points(self, digits: int = 1) -> str:
        """'84.2 ± 1.3' in percentage points (the ± is the 95% interval), or '84.2' for one seed."""
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


def binomial_half_width(p: float, n: int, confidence: float = CONFIDENCE) -> float:
    """The 95% half-width of an accuracy `p` measured on `n` examples (normal approximation)."""
    if n <= 0:
        return float("inf")
    return t_quantile(math.inf, confidence) * math.sqrt(max(p * (1 - p), 0.0) / n)


def at_chance(scores: Sequence[float], majority: float, n_examples: int) -> bool:
    """True when the scores' mean is not above the majority-class baseline by more than their noise."""
    s = spread(scores)
    if not s.n:
        return True
    return s.mean <= majority + max(s.half_width, binomial_half_width(majority, n_examples))


@dataclass(frozen=True)
class Comparison:
    """A vs B: the difference of means (A - B), its 95% interval half-width, and the verdict in words."""

    a: str
    b: str
    difference: float
    half_width: float
    decided: bool
    verdict: str


def compare(name_a: str, a: Sequence[float], name_b: str, b: Sequence[float], n_examples: int | None = None,
            unit: str = "points") -> Comparison:
    """Welch's comparison of two settings' seed scores; the verdict names a winner only when the 95% interval of
    the difference excludes zero. With fewer than two seeds on either side nothing is claimed. `n_examples`
    (the evaluation set's size) adds the binomial noise of each mean, so one lucky split cannot decide."""
    sa, sb = spread(a), spread(b)
    difference = sa.mean - sb.mean
    if sa.n < 2 or sb.n < 2:
        text = (f"{name_a} vs {name_b}: {100 * difference:+.1f} {unit} on one seed; "
                "no difference that these runs can show (run --seeds 3 for an interval)")
        return Comparison(name_a, name_b, difference, float("inf"), False, text)
    va, vb = sa.sd ** 2 / sa.n, sb.sd ** 2 / sb.n
    if n_examples:  # the evaluation set's own sampling noise of each mean
        va += sa.mean * (1 - sa.mean) / n_examples / sa.n
        vb += sb.mean * (1 - sb.mean) / n_examples / sb.n
    se = math.sqrt(va + vb)
    if se == 0:
        df = math.inf
    else:
        df = (va + vb) ** 2 / ((va ** 2 / (sa.n - 1) if va else 0.0) + (vb ** 2 / (sb.n - 1) if vb else 0.0) or 1e-300)
    half = t_quantile(df) * se
    decided = abs(difference) > half
    if decided:
        winner, loser = (name_a, name_b) if difference > 0 else (name_b, name_a)
        text = f"{winner} beats {loser} by {100 * abs(difference):.1f} ± {100 * half:.1f} {unit}"
    else:
        text = (f"{name_a} vs {name_b}: no difference that these runs can show "
                f"({100 * difference:+.1f} ± {100 * half:.1f} {unit})")
    return Comparison(name_a, name_b, difference, half, decided, text)
