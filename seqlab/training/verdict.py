"""One line that judges a classifier's dev accuracy against the majority baseline, with a next step."""

from __future__ import annotations

from dataclasses import dataclass

AT_CHANCE = 0.05  # under 5% of the way from the majority baseline to 100%: nothing learned that counts
BARELY = 0.25  # under a quarter of the way from the baseline to 100%: barely above chance
CLEARLY = 0.6  # under 60% of the way: clearly above, room left


@dataclass(frozen=True)
class Verdict:
    """A judgement of one run: 'at chance', 'barely above chance', 'clearly above chance' or 'well above chance'."""

    level: str
    line: str  # e.g. "55% vs 50% majority: barely above chance; try --epochs 10"


def _hint(epochs: int, best_epoch: int) -> str:
    """What to try next: more epochs while the best epoch is the last one, else a smaller or larger --lr."""
    if best_epoch >= epochs:
        return f"try --epochs {max(2 * epochs, epochs + 2)}"
    return "try a different --lr (the dev score peaked early)"


def judge(accuracy: float, majority: float, epochs: int, best_epoch: int) -> Verdict:
    """Compare dev `accuracy` with the `majority` baseline (always the most common class).

    The gain is measured as the share of the way from the baseline to a perfect score, so 55% against a
    50% majority (10% of the way) and 91% against 90% (also 10%) are both "barely above chance".
    """
    head = f"{accuracy:.0%} vs {majority:.0%} majority"
    gain = (accuracy - majority) / max(1.0 - majority, 1e-9)
    if gain < AT_CHANCE:
        return Verdict("at chance", f"{head}: at chance, nothing useful learned; {_hint(epochs, best_epoch)}")
    if gain < BARELY:
        return Verdict("barely above chance", f"{head}: barely above chance; {_hint(epochs, best_epoch)}")
    if gain < CLEARLY:
        return Verdict("clearly above chance",
                       f"{head}: clearly above chance, with room left; {_hint(epochs, best_epoch)}")
    return Verdict("well above chance", f"{head}: well above chance")
