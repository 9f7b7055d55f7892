"""An attention module's query, key and value projections, separate (query/key/value) or fused (one qkv Linear).

Checks read the projections' outputs and replace them through forward hooks, so they measure the module's own
forward whichever layout it has. The fused layout is GPT-2's c_attn: one Linear(D, 3D) whose output is [q | k | v].
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import torch
from torch import nn

NAMES = ("query", "key", "value")


class Projections:
    """The q, k, v projections of one attention module (an exact copy: hooks are added and removed here)."""

    def __init__(self, attention: nn.Module) -> None:
        self.attention = attention
        self.width = int(attention.d_model)
        self.fused = not isinstance(getattr(attention, "query", None), nn.Module) and isinstance(
            getattr(attention, "qkv", None), nn.Module
        )

    @property
    def layout(self) -> str:
        """'fused qkv' or 'separate q, k, v', for detail lines."""
        return "fused qkv" if self.fused else "separate q, k, v"

    def compute(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"query", "key", "value"} -> [B,T,D], as the module's own projections compute them from x."""
        if self.fused:
            return dict(zip(NAMES, self.attention.qkv(x).split(self.width, dim=-1)))
        return {name: getattr(self.attention, name)(x) for name in NAMES}

    @contextmanager
    def replaced(self, **outputs: torch.Tensor) -> Iterator[None]:
        """While inside, the projections named in `outputs` (query=, key=, value=) return those tensors instead."""
        unknown = set(outputs) - set(NAMES)
        if unknown:
            raise ValueError(f"unknown projection {', '.join(sorted(unknown))}")
        if self.fused:

            def fused_hook(_module: nn.Module, _args: Any, output: torch.Tensor) -> torch.Tensor:
                pieces = dict(zip(NAMES, output.split(self.width, dim=-1)))
                pieces.update(outputs)
                return torch.cat([pieces[name] for name in NAMES], dim=-1)

            handles = [self.attention.qkv.register_forward_hook(fused_hook)]
        else:
            handles = [
                getattr(self.attention, name).register_forward_hook(lambda _m, _a, _o, value=value: value)
                for name, value in outputs.items()
            ]
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()
