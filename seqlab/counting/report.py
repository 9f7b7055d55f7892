"""A parameter report: parameters counted on a live model next to the closed-form formula for each part.

Each part of a model (e.g. "every layer's attention") is a regular expression over parameter names and
a sympy formula in the config's symbols; the report shows both numbers and whether they agree.
Parameters that no part claims are listed as "unaccounted", so a total can never match by accident.
Which parts each model family has is in seqlab.counting.parts; named presets in seqlab.counting.presets.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from torch import nn

from seqlab.counting import formulas as fx


@dataclass(frozen=True)
class Part:
    """A named group of parameters (by regex over parameter names) and the formula that predicts its size."""

    name: str
    pattern: str
    formula: sp.Expr
    note: str = ""


@dataclass(frozen=True)
class PartCount:
    """One row of the table: what torch counted and what the formula says."""

    name: str
    shapes: str
    counted: int
    formula: str
    value: int
    note: str = ""

    @property
    def match(self) -> bool:
        """True when the formula's value equals the counted parameters."""
        return self.counted == self.value


@dataclass(frozen=True)
class ParamReport:
    """Every part of one model, the totals, and the values given to the formula's symbols."""

    model: str
    description: str
    symbols: dict[str, int]
    parts: tuple[PartCount, ...]
    total_formula: str
    total_value: int
    total_counted: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def match(self) -> bool:
        """True when every part and the total agree with their formulas."""
        return self.total_counted == self.total_value and all(p.match for p in self.parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (for --json)."""
        return {
            "model": self.model,
            "description": self.description,
            "symbols": self.symbols,
            "parts": [
                {
                    "name": p.name,
                    "shapes": p.shapes,
                    "counted": p.counted,
                    "formula": p.formula,
                    "value": p.value,
                    "match": p.match,
                    "note": p.note,
                }
                for p in self.parts
            ],
            "total": {
                "formula": self.total_formula,
                "value": self.total_value,
                "counted": self.total_counted,
                "match": self.total_counted == self.total_value,
            },
            "match": self.match,
            "notes": list(self.notes),
        }


def unique_parameters(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """(name, parameter) pairs, each shared (tied) parameter once, under the first name that holds it."""
    return list(model.named_parameters(remove_duplicate=True))


def _shapes(params: list[nn.Parameter]) -> str:
    """Compact shapes: '4x[384,384] 4x[384]'."""
    counts = Counter(tuple(p.shape) for p in params)
    return " ".join(
        f"{n}x[{','.join(map(str, shape))}]" if n > 1 else f"[{','.join(map(str, shape))}]"
        for shape, n in counts.items()
    )


def count_report(
    model: nn.Module,
    parts: list[Part],
    symbols: dict[sp.Symbol, int],
    name: str,
    description: str = "",
    notes: tuple[str, ...] = (),
) -> ParamReport:
    """Assign each parameter to the first part whose pattern matches its name, and compare with the formulas."""
    claimed: dict[str, list[nn.Parameter]] = {part.name: [] for part in parts}
    unclaimed: list[tuple[str, nn.Parameter]] = []
    compiled = [(part, re.compile(part.pattern)) for part in parts]
    for param_name, param in unique_parameters(model):
        for part, regex in compiled:
            if regex.search(param_name):
                claimed[part.name].append(param)
                break
        else:
            unclaimed.append((param_name, param))
    rows = []
    for part in parts:
        params = claimed[part.name]
        value = int(sp.expand(part.formula).subs(symbols))
        rows.append(
            PartCount(
                part.name,
                _shapes(params),
                sum(p.numel() for p in params),
                fx.show(part.formula, expand=False),
                value,
                part.note,
            )
        )
    if unclaimed:
        rows.append(
            PartCount(
                "unaccounted",
                ", ".join(n for n, _ in unclaimed[:4]),
                sum(p.numel() for _, p in unclaimed),
                "0",
                0,
                "parameters no formula explains",
            )
        )
    total_formula = sp.expand(sum((p.formula for p in parts), sp.Integer(0)))
    return ParamReport(
        model=name,
        description=description,
        symbols={str(k): int(v) for k, v in symbols.items()},
        parts=tuple(rows),
        total_formula=fx.show_total(total_formula),
        total_value=int(total_formula.subs(symbols)),
        total_counted=sum(p.numel() for _, p in unique_parameters(model)),
        notes=notes,
    )
