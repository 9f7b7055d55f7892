"""Validation shared by the model configs: each bad value becomes one SeqlabError naming it."""

from __future__ import annotations

from typing import Any

from seqlab.errors import SeqlabError


SIZE_LIMIT = 2**24  # any width, vocabulary or position count: 16.7 million
LAYER_LIMIT = 1000
LAYER_FIELDS = ("num_layers", "n_layers", "num_hidden_layers")


def require_positive_ints(config: Any, *names: str) -> None:
    """Each named field of `config` must be a whole number >= 1 (and no larger than any model could use)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SeqlabError(f"{name} must be a whole number of at least 1, got {value!r}")
        limit = LAYER_LIMIT if name in LAYER_FIELDS else SIZE_LIMIT
        if value > limit:
            raise SeqlabError(f"{name} must be at most {limit:,}, got {value:,}")


def require_probabilities(config: Any, *names: str) -> None:
    """Each named field of `config` must be a dropout probability in [0, 1)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
            raise SeqlabError(f"{name} must be a number in [0, 1), got {value!r}")


def require_bools(config: Any, *names: str) -> None:
    """Each named field of `config` must be true or false."""
    for name in names:
        value = getattr(config, name)
        if not isinstance(value, bool):
            raise SeqlabError(f"{name} must be true or false, got {value!r}")


def require_choice(config: Any, name: str, choices: tuple[str, ...]) -> None:
    """The named field of `config` must be one of `choices`."""
    value = getattr(config, name)
    if value not in choices:
        raise SeqlabError(f"unknown {name} {value!r}; use one of {', '.join(choices)}")


def require_pad_id(pad_id: Any, vocab_size: int, name: str = "pad_id") -> None:
    """The padding id must be a token of the vocabulary."""
    if isinstance(pad_id, bool) or not isinstance(pad_id, int) or not 0 <= pad_id < vocab_size:
        raise SeqlabError(f"{name} {pad_id!r} is outside the vocabulary of {vocab_size} tokens")


def require_labels(num_labels: int) -> None:
    """A classifier head needs at least two classes."""
    if num_labels < 2:
        raise SeqlabError(f"a classifier needs at least 2 labels, got {num_labels}")
