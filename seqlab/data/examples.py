"""The records every reader returns: one Example per labeled text, Splits per dataset."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from seqlab.errors import SeqlabError


@dataclass(frozen=True)
class Example:
    """One labeled text (or sentence pair); labels are strings as published ("0".."4", "neg", ...)."""

    text: str
    label: str
    text_b: str | None = None

    @property
    def shown(self) -> str:
        """The text as one line for tables and predictions files: a pair as "A ||| B"."""
        return self.text if not self.text_b else f"{self.text} ||| {self.text_b}"


@dataclass(frozen=True)
class Splits:
    """A dataset's train/dev/test examples and its class names (a label's index is its class id)."""

    name: str
    labels: tuple[str, ...]
    train: tuple[Example, ...]
    dev: tuple[Example, ...]
    test: tuple[Example, ...]
    is_pair: bool = False

    def label_id(self, label: str) -> int:
        """The class id of `label`; SeqlabError when the dataset has no such label."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise SeqlabError(
                f"label {label!r} is not one of {self.name}'s labels ({', '.join(self.labels)})"
            ) from None

    def split(self, name: str) -> tuple[Example, ...]:
        """The examples of split `name` (train, dev or test)."""
        if name not in ("train", "dev", "test"):
            raise SeqlabError(f"unknown split {name!r}; use train, dev or test")
        return getattr(self, name)

    def counts(self) -> dict[str, int]:
        """Number of examples per split."""
        return {"train": len(self.train), "dev": len(self.dev), "test": len(self.test)}


_INTEGER = re.compile(r"-?[0-9]{1,18}")  # ASCII digits only: "²" and "--1" pass str.isdigit but not int()


def sorted_labels(examples: Sequence[Example]) -> tuple[str, ...]:
    """The distinct labels of `examples`, numbers in numeric order, other names alphabetically."""
    found = {example.label for example in examples}
    if found and all(_INTEGER.fullmatch(label) for label in found):
        return tuple(sorted(found, key=int))
    return tuple(sorted(found))


def split_by_ratio(
    examples: Sequence[Example], seed: int, ratios: tuple[float, float, float] = (0.7, 0.1, 0.2)
) -> tuple[tuple[Example, ...], tuple[Example, ...], tuple[Example, ...]]:
    """Shuffle `examples` with `seed` and cut them into train/dev/test by `ratios` (default 7:1:2)."""
    if len(ratios) != 3 or any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise SeqlabError(f"split ratios must be three non-negative numbers, got {ratios}")
    order = list(examples)
    random.Random(seed).shuffle(order)
    total = sum(ratios)
    n_train = round(len(order) * ratios[0] / total)
    n_dev = round(len(order) * ratios[1] / total)
    return tuple(order[:n_train]), tuple(order[n_train : n_train + n_dev]), tuple(order[n_train + n_dev :])


def carve_dev(
    train: Sequence[Example], seed: int, fraction: float = 0.125
) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    """Split a seeded `fraction` of `train` off as a dev split; returns (train, dev)."""
    order = list(train)
    random.Random(seed).shuffle(order)
    n_dev = round(len(order) * fraction)
    return tuple(order[n_dev:]), tuple(order[:n_dev])
