"""What a topic is: its text as data, plus the name of the function that computes its live example with torch
(seqlab.explain.demos), imported only when the example is shown: listing topics and the quiz load no torch."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoResult:
    """A worked example computed live: an optional table, notes in plain words, and the numbers for --json."""

    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Topic:
    """One concept: plain-words idea, the formula in unicode math, misconceptions, commands, and a live demo.

    `demo(seed)` computes the worked example with `demo_function` ("module:function" in seqlab.explain.demos,
    imported on first use); the same seed gives the same numbers.
    """

    id: str
    title: str
    summary: str
    idea: str
    formula: str
    misconceptions: tuple[str, ...]
    commands: tuple[str, ...]
    demo_function: str

    def demo(self, seed: int) -> DemoResult:
        """The worked example computed now with `seed` (this imports torch and the demo's module)."""
        module, _, function = self.demo_function.partition(":")
        return getattr(importlib.import_module(module), function)(seed)

    def as_dict(self, demo: DemoResult | None = None) -> dict[str, Any]:
        """The topic as plain JSON-able data (with the demo's result when given)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "idea": self.idea,
            "formula": self.formula,
            "misconceptions": list(self.misconceptions),
            "commands": list(self.commands),
        }
        if demo is not None:
            data["demo"] = {
                "title": demo.title,
                "columns": list(demo.columns),
                "rows": [list(row) for row in demo.rows],
                "notes": list(demo.notes),
                "values": demo.values,
            }
        return data
