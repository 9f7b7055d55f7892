"""What a topic is: its text as data, plus a live example computed with torch when it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch


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

    `demo(seed)` computes the worked example; the same seed gives the same numbers.
    """

    id: str
    title: str
    summary: str
    idea: str
    formula: str
    misconceptions: tuple[str, ...]
    commands: tuple[str, ...]
    demo: Callable[[int], DemoResult]

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


def generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with `seed`, so demos never touch (or depend on) the global RNG."""
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def fmt(value: float, digits: int = 3) -> str:
    """A number as a short string: fixed digits, no '-0.000'."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def matrix_rows(matrix: torch.Tensor, row_labels: Sequence[str], digits: int = 3) -> tuple[tuple[str, ...], ...]:
    """Rows of a 2-D tensor formatted for a table, each starting with its label."""
    return tuple((label, *(fmt(float(v), digits) for v in row)) for label, row in zip(row_labels, matrix.tolist()))


def round_list(values: Any, digits: int = 4) -> Any:
    """Nested lists (or a tensor) rounded for JSON output."""
    if isinstance(values, torch.Tensor):
        values = values.tolist()
    if isinstance(values, (list, tuple)):
        return [round_list(v, digits) for v in values]
    return round(float(values), digits)
