"""What the worked examples share: seeded CPU generators and numbers formatted for tables and --json."""

from __future__ import annotations

from typing import Any, Sequence

import torch


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
