"""Comparing the learner's outputs with seqlab's reference and with known-buggy variants of it (the diagnoses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch

from seqlab.impl.report import REFERENCE, Diagnosis, ImplRow


@dataclass(frozen=True)
class Bug:
    """A bug a learner may write: its name, the advice that fixes it, and `make`, which computes what the buggy
    version would output on case number i (the same inputs the learner's code got)."""

    name: str
    advice: str
    make: Callable[[int], torch.Tensor | None]


def max_diff(got: torch.Tensor | None, want: torch.Tensor | None) -> float:
    """max |got - want| in float64 (NaN = NaN); inf when either is missing, the shapes differ, or a value is NaN
    where the other is not."""
    if got is None or want is None or tuple(got.shape) != tuple(want.shape):
        return float("inf")
    got, want = got.detach().double().cpu(), want.detach().double().cpu()
    both_inf = torch.isinf(got) & torch.isinf(want) & (torch.sign(got) == torch.sign(want))
    both_nan = torch.isnan(got) & torch.isnan(want)
    diff = (got - want).abs().masked_fill(both_inf | both_nan, 0.0)
    if torch.isnan(diff).any():
        return float("inf")
    return float(diff.max()) if diff.numel() else 0.0


def where_worst(got: torch.Tensor, want: torch.Tensor, axes: Sequence[str]) -> str:
    """'at batch 0, query 3' for the entry where got and want differ most (named by `axes`, the leading axes)."""
    if tuple(got.shape) != tuple(want.shape) or not got.numel():
        return ""
    diff = (got.detach().double().cpu() - want.detach().double().cpu()).abs().nan_to_num(float("inf"))
    index = torch.unravel_index(torch.argmax(diff), diff.shape)
    named = [f"{axis} {int(i)}" for axis, i in zip(axes, index) if axis]
    return "at " + ", ".join(named) if named else ""


def dead_parameters(module: torch.nn.Module, loss: Callable[[], torch.Tensor]) -> list[str]:
    """The names of the trainable parameters a backward pass of `loss()` leaves without a finite, non-zero
    gradient (an unused projection, a detached branch); gradients are cleared before and after."""
    module.zero_grad()
    loss().backward()
    dead = [name for name, p in module.named_parameters()
            if p.requires_grad and (p.grad is None or not torch.isfinite(p.grad).all() or float(p.grad.abs().max()) == 0)]
    module.zero_grad()
    return dead


def parity_row(name: str, got: Sequence[torch.Tensor | None], want: Sequence[torch.Tensor], tolerance: float,
               what: str) -> ImplRow:
    """A REFERENCE row: the largest difference between the learner's outputs and seqlab's over all cases."""
    worst = max((max_diff(g, w) for g, w in zip(got, want)), default=0.0)
    shapes = [tuple(g.shape) if g is not None else None for g in got]
    wanted = [tuple(w.shape) for w in want]
    detail = f"{what}: max |yours - seqlab's| {worst:.1e}"
    if shapes != wanted:
        detail = f"{what}: shapes {shapes} where seqlab gives {wanted}"
    return ImplRow(name, REFERENCE, worst, tolerance, worst <= tolerance, detail)


def diagnose(got: Sequence[torch.Tensor | None], bugs: Sequence[Bug], tolerance: float) -> list[Diagnosis]:
    """The bugs whose outputs match the learner's on every case (to `tolerance`): those are the bugs they wrote."""
    found = []
    for bug in bugs:
        worst = 0.0
        for index, value in enumerate(got):
            want = bug.make(index)
            worst = max(worst, max_diff(value, want))
            if worst > tolerance:
                break
        if worst <= tolerance:
            found.append(Diagnosis(bug.name, bug.advice, f"your output equals that bug's to {worst:.0e}"))
    return found
