"""A smaller training set: the first N examples, or a seeded random sample that keeps each label's share."""

from __future__ import annotations

import random
from typing import Sequence, TypeVar

T = TypeVar("T")


def stratified_sample(examples: Sequence[T], limit: int, labels: Sequence[str], seed: int) -> tuple[T, ...]:
    """`limit` examples drawn with seed `seed`, each label keeping its share of `examples` (largest remainders
    get the leftover places); returned in their original order. `labels[i]` is the label of `examples[i]`."""
    if limit >= len(examples):
        return tuple(examples)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    exact = {label: limit * len(indices) / len(examples) for label, indices in by_label.items()}
    counts = {label: int(share) for label, share in exact.items()}
    leftover = limit - sum(counts.values())
    for label in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[:leftover]:
        counts[label] += 1
    rng = random.Random(seed)
    chosen: list[int] = []
    for label in sorted(by_label):
        chosen += rng.sample(by_label[label], counts[label])
    return tuple(examples[i] for i in sorted(chosen))


def cap_examples(examples: Sequence, limit: int | None, stratified: bool = False, seed: int = 0) -> tuple:
    """All examples (no limit), the first `limit`, or (stratified) a seeded label-stratified sample of `limit`."""
    if limit is None or limit >= len(examples):
        return tuple(examples)
    if stratified:
        return stratified_sample(examples, limit, [str(e.label) for e in examples], seed)
    return tuple(examples[:limit])


def subset_note(kept: int, total: int, stratified: bool, seed: int) -> str | None:
    """The line that states a --max-train-examples subset (how many of how many, how drawn); None for no subset."""
    if kept >= total:
        return None
    how = (f"a random sample (seed {seed}, the --seed) keeping each label's share" if stratified
           else "the first rows")
    return f"--max-train-examples {kept:,}: training uses {kept:,} of the {total:,} train rows, {how}"


def subset_record(kept: int, total: int, stratified: bool, seed: int) -> dict[str, object] | None:
    """config.json's record of a --max-train-examples subset (rows kept, of how many, how drawn); None for none."""
    if kept >= total:
        return None
    return {"rows": kept, "of": total, "drawn": "stratified" if stratified else "first", "seed": seed}
