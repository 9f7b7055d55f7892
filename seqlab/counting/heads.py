"""The number of attention heads does not change the parameter count: sympy's identity and live counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from seqlab.counting import formulas as fx
from seqlab.models.attention import MultiHeadSelfAttention


@dataclass(frozen=True)
class HeadsCheck:
    """Multi-head vs single-head attention: the symbolic identity and live counts for several head numbers."""

    formula_multi: str
    formula_single: str
    symbolic_equal: bool
    width: int
    counts: dict[int, int]

    @property
    def live_equal(self) -> bool:
        """True when every head count gave the same number of parameters."""
        return len(set(self.counts.values())) == 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (the "heads" entry of `seqlab params --json`)."""
        return {
            "formula_multi_head": self.formula_multi,
            "formula_single_head": self.formula_single,
            "symbolic_equal": self.symbolic_equal,
            "width": self.width,
            "counted_by_heads": self.counts,
            "live_equal": self.live_equal,
        }


def heads_check(width: int = 384, heads: tuple[int, ...] = (1, 2, 4, 12)) -> HeadsCheck:
    """Count MultiHeadSelfAttention(width, H) for each H that divides width, next to the sympy identity."""
    counts = {}
    with torch.device("meta"):
        for n_heads in heads:
            if width % n_heads == 0:
                counts[n_heads] = sum(p.numel() for p in MultiHeadSelfAttention(width, n_heads).parameters())
    return HeadsCheck(
        formula_multi=fx.show(fx.per_head_attention_terms(fx.d, fx.H), expand=False),
        formula_single=fx.show(fx.self_attention(fx.d)),
        symbolic_equal=fx.heads_do_not_change_count(),
        width=width,
        counts=counts,
    )
