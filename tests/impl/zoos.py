"""Every zoo in one list, and the first entry of a kind that is correct (or broken): what the CLI tests, the docs
test and bench/check_impl_speed.py pick their student files from."""

from __future__ import annotations

from .zoo import ZOO
from .zoo_blocks import ZOO_BLOCKS
from .zoo_encoder import CLASSIFIER_HEADS, ENCODER_BLOCKS

EVERY_ZOO: list[tuple[str, str, str, str | None]] = ZOO + ZOO_BLOCKS + ENCODER_BLOCKS + CLASSIFIER_HEADS


def first(kind: str, correct: bool) -> tuple[str, str, str | None]:
    """(NAME, source, expected diagnosis) of the first zoo entry of `kind` that is correct (or broken)."""
    for entry_kind, name, source, expected in EVERY_ZOO:
        if entry_kind == kind and (expected is None) == correct:
            return name, source, expected
    raise KeyError(kind)
