"""Dataset statistics for `seqlab data stats`: counts, label distribution, token-length percentiles, histogram."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from seqlab.data.examples import Example, Splits
from seqlab.data.vocab import word_tokenize

PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True)
class SplitStats:
    """Numbers about one split: size, examples per label, word-length percentiles and histogram."""

    split: str
    count: int
    labels: dict[str, int]
    mean_length: float
    max_length: int
    percentiles: dict[str, int]
    histogram: list[tuple[int, int, int]]  # (from length, to length, examples)


def example_length(example: Example) -> int:
    """Number of words in the example (both sentences of a pair)."""
    return len(word_tokenize(example.text)) + (len(word_tokenize(example.text_b)) if example.text_b else 0)


def percentile(sorted_values: Sequence[int], q: float) -> int:
    """The nearest-rank `q`-th percentile of already sorted values (0 when empty)."""
    if not sorted_values:
        return 0
    rank = max(1, -(-len(sorted_values) * q // 100))
    return int(sorted_values[int(rank) - 1])


def histogram(values: Sequence[int], bins: int = 10, upper: int | None = None) -> list[tuple[int, int, int]]:
    """Counts of `values` in `bins` equal-width integer ranges (from, to inclusive, count).

    With `upper` (e.g. the 99th percentile) the bins span min..upper and one last bin holds the long
    tail upper+1..max, so a few very long texts do not squash every other bar into the first one.
    """
    if not values:
        return []
    low, high = min(values), max(values)
    top = high if upper is None else max(low, min(upper, high))
    width = max(1, -(-(top - low + 1) // bins))
    counts = Counter((v - low) // width for v in values if v <= top)
    out = [(low + b * width, low + (b + 1) * width - 1, counts.get(b, 0)) for b in range((top - low) // width + 1)]
    tail = sum(1 for v in values if v > out[-1][1])
    if tail:
        out.append((out[-1][1] + 1, high, tail))
    return out


def split_stats(name: str, examples: Sequence[Example], bins: int = 10) -> SplitStats:
    """Statistics of one split."""
    lengths = sorted(example_length(e) for e in examples)
    return SplitStats(
        split=name,
        count=len(examples),
        labels=dict(sorted(Counter(e.label for e in examples).items())),
        mean_length=round(sum(lengths) / len(lengths), 2) if lengths else 0.0,
        max_length=lengths[-1] if lengths else 0,
        percentiles={f"p{q}": percentile(lengths, q) for q in PERCENTILES},
        histogram=histogram(lengths, bins, upper=percentile(lengths, 99)),
    )


def dataset_stats(splits: Splits, bins: int = 10) -> list[SplitStats]:
    """Statistics of every non-empty split of `splits`."""
    return [split_stats(name, splits.split(name), bins) for name in ("train", "dev", "test") if splits.split(name)]
