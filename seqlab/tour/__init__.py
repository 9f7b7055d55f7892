"""The tour: every capability run end to end on the built-in corpus, offline, in a few minutes.

Each module listed in TOUR_MODULES exposes ``STEP``, a TourStep. Steps run in that order and share a
TourContext (output folder, seed, device, and what earlier steps left behind, e.g. a trained run).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.console import Console

# One module per step, in the order the tour runs them.
TOUR_MODULES: tuple[str, ...] = (
    "data",
    "tokenize",
    "train",
    "explain",
    "attention", "params",
    "experiment",
    "proofs",
)


@dataclass
class TourContext:
    """What every step gets: where to write, the seed and device, the console, and shared results."""

    out_dir: Path
    seed: int
    device: str
    console: Console
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TourStep:
    """One step of the tour: a short name, a title shown to the user, and the function that runs it."""

    name: str
    title: str
    run: Callable[[TourContext], dict[str, Any] | None]


def tour_steps() -> list[TourStep]:
    """All tour steps in order."""
    return [importlib.import_module(f"seqlab.tour.{name}").STEP for name in TOUR_MODULES]
