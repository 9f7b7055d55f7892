"""One line that judges a classifier's dev accuracy against the majority baseline, with a next step."""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import binom

ALPHA = 0.05  # the level of every test here: 5%, one-sided for 'above chance'

BARELY = 0.25  # under a quarter of the way from the baseline to 100%: barely above chance
CLEARLY = 0.6  # under 60% of the way: clearly above, room left
NOT_SHOWN = "not shown above chance"


@dataclass(frozen=True)
class Verdict:
    """A judgement of one run: 'not shown above chance', 'barely above chance', 'clearly above chance' or 'well
    above chance', and the one-sided binomial p-value against the majority rate behind it."""

    level: str
    line: str  # "55% vs 50% majority: barely above chance (one-sided binomial p < 0.001 on 5,000 dev examples); ..."
    p_value: float = 1.0


def binomial_p_above(accuracy: float, n: int, rate: float) -> float:
    """The one-sided exact binomial p-value: P(at least round(accuracy * n) of `n` right) when each is right with
    probability `rate`. 2,600 of 5,000 against 0.5 gives 0.0024; 26 of 50 gives 0.44."""
    if n <= 0:
        return 1.0
    correct = round(accuracy * n)
    return float(binom.sf(correct - 1, n, rate))


def _hint(epochs: int, best_epoch: int) -> str:
    """What to try next: more epochs while the best epoch is the last one, else a smaller or larger --lr."""
    if best_epoch >= epochs:
        return f"try --epochs {max(2 * epochs, epochs + 2)}"
    return "try a different --lr (the dev score peaked early)"


def _p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}" if p_value < 0.1 else f"p = {p_value:.2f}"


def judge(accuracy: float, majority: float, epochs: int, best_epoch: int, n_examples: int) -> Verdict:
    """Compare dev `accuracy` on `n_examples` with the `majority` baseline (always the most common class).

    "Above chance" first needs a one-sided binomial test against the majority rate at 5%: 52% vs 50% is above
    chance on 5,000 examples (p = 0.0024) and not shown on 50 (p = 0.44). How far above is then the share of the
    way from the baseline to a perfect score, so 55% against a 50% majority (10% of the way) and 91% against 90%
    (also 10%) are both "barely above chance".
    """
    p_value = binomial_p_above(accuracy, n_examples, majority) if accuracy > majority else 1.0
    head = f"{accuracy:.0%} vs {majority:.0%} majority"
    test = f"(one-sided binomial {_p_text(p_value)} on {n_examples:,} dev examples)"
    if p_value >= ALPHA:
        return Verdict(NOT_SHOWN, f"{head}: {NOT_SHOWN} {test}; {_hint(epochs, best_epoch)}", p_value)
    gain = (accuracy - majority) / max(1.0 - majority, 1e-9)
    if gain < BARELY:
        return Verdict("barely above chance", f"{head}: barely above chance {test}; {_hint(epochs, best_epoch)}",
                       p_value)
    if gain < CLEARLY:
        return Verdict("clearly above chance",
                       f"{head}: clearly above chance {test}, with room left; {_hint(epochs, best_epoch)}", p_value)
    return Verdict("well above chance", f"{head}: well above chance {test}", p_value)
