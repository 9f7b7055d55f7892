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
from rich.text import Text

# One module per step, in the order the tour runs them.
TOUR_MODULES: tuple[str, ...] = (
    "data",
    "tokenize",
    "train",
    "explain",
    "attention", "params",
    "fill",
    "write",
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
    verbose: bool = False  # measurement detail (how each check was made) as well as the results
    interactive: bool = False  # a person at a terminal: ask the quiz question instead of answering it
    shared: dict[str, Any] = field(default_factory=dict)

    def show(self, path: Path | str) -> str:
        """`path` relative to the tour folder when inside it (short, copy-pastable after `cd`), else as is."""
        return relative_to(path, self.out_dir)


def print_more(ctx: TourContext, commands: list[str] | tuple[str, ...]) -> None:
    """'More:' and then one command per line, never wrapped, so each can be copied whole."""
    ctx.console.print(Text("More:", style="dim"))
    for command in commands:
        ctx.console.print(Text(f"  {command}", style="bold"), soft_wrap=True, highlight=False)


def relative_to(path: Path | str, folder: Path) -> str:
    """`path` relative to `folder` when it lies inside it, else unchanged (as text)."""
    try:
        return str(Path(path).resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class TourStep:
    """One step of the tour: a short name, a title shown to the user, and the function that runs it."""

    name: str
    title: str
    run: Callable[[TourContext], dict[str, Any] | None]


def tour_steps() -> list[TourStep]:
    """All tour steps in order."""
    return [importlib.import_module(f"seqlab.tour.{name}").STEP for name in TOUR_MODULES]
