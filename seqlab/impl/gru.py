"""Checking a learner's GRU cell: their weights read as three gate blocks (seqlab.impl.recurrent), every assignment
of the blocks to (r, z, n) tried under both legitimate conventions (torch's h' = (1 - z) * n + z * h and the
textbook h' = z * n + (1 - z) * h) and both reset placements (torch's r * (W_hn h + b_hn), and Cho et al. 2014's
W_hn (r * h) + b_hn), the match compared with nn.GRUCell, the parameter count, and the named bugs."""

from __future__ import annotations

from itertools import permutations, product
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

from seqlab.impl import recurrent
from seqlab.impl.compare import Bug, diagnose, max_diff
from seqlab.impl.recurrent import GateBlock
from seqlab.impl.report import PROPERTY, REFERENCE, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call

INPUT, HIDDEN = 5, 7
TOLERANCE = 1e-9
GATES = "rzn"
TORCH, TEXTBOOK = "torch's h' = (1 - z) * n + z * h", "the textbook h' = z * n + (1 - z) * h"
AFTER, BEFORE = "reset after the matmul, r * (W_hn h + b_hn), as torch", "reset before the matmul, W_hn (r * h), as Cho et al. 2014"


class Variant(NamedTuple):
    """One legitimate GRU: which of their blocks is r, z and n, the update convention and the reset placement."""

    gates: dict[str, GateBlock]
    convention: str
    reset: str


def step(module: nn.Module, x: torch.Tensor, h: torch.Tensor, where: Path | None) -> torch.Tensor:
    """h' from the learner's forward(x, h)."""
    out = call(module, x, h, where=where)
    if not isinstance(out, torch.Tensor):
        raise ContractError("forward(x, h) must return h_new, one tensor [B, hidden_size]")
    return out


def gru_step(variant: Variant, x: torch.Tensor, h: torch.Tensor, bug: str = "") -> torch.Tensor:
    """One GRU step of this variant (the right equations, or one of the usual bugs)."""
    squash = torch.tanh if bug == "swapped" else torch.sigmoid
    (wxr, whr, bxr, bhr), (wxz, whz, bxz, bhz), (wxn, whn, bxn, bhn) = (variant.gates[g] for g in GATES)
    r = squash(x @ wxr.T + bxr + h @ whr.T + bhr)
    z = squash(x @ wxz.T + bxz + h @ whz.T + bhz)
    if bug == "no reset":
        hidden = h @ whn.T + bhn
    elif variant.reset == BEFORE:
        hidden = (r * h) @ whn.T + bhn
    else:
        hidden = r * (h @ whn.T + bhn)
    n = (torch.sigmoid if bug in ("sigmoid candidate", "swapped") else torch.tanh)(x @ wxn.T + bxn + hidden)
    keep = z if variant.convention == TORCH else 1 - z  # the weight on the old h
    if bug == "mix":
        return keep * h + keep * n
    return (1 - keep) * n + keep * h


BUGS = (
    ("missing reset gate", "n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): the reset gate r scales the old state's "
     "part of the candidate", "no reset"),
    ("update gate mixes wrong", "h' = (1 - z) * n + z * h: the two weights add to 1; you wrote z * h + z * n",
     "mix"),
    ("candidate through sigmoid", "the candidate n uses tanh (values in (-1, 1)), the gates r and z sigmoid",
     "sigmoid candidate"),
    ("tanh and sigmoid swapped", "the gates r and z use sigmoid (values in (0, 1)), the candidate n tanh; you "
     "wrote them the other way round", "swapped"),
)


NO_BIAS = Diagnosis("biases missing", "give each gate a bias: nn.Linear(..., bias=True), the default",
                    "your parameter count is that of the weights alone")


def variants(found: list[GateBlock]) -> list[Variant]:
    """Every legitimate reading of the learner's three blocks."""
    return [Variant(dict(zip(order, found)), convention, reset)
            for order, convention, reset in product(permutations(GATES), (TORCH, TEXTBOOK), (AFTER, BEFORE))]


def count_row(module: nn.Module) -> ImplRow:
    """The parameter count is the closed form 3 (IH + H^2 + H), or + 3H more with two bias vectors (measured: how far
    it is from the nearer one)."""
    got = recurrent.parameter_count(module)
    one = 3 * (INPUT * HIDDEN + HIDDEN * HIDDEN + HIDDEN)
    off = min(abs(got - one), abs(got - one - 3 * HIDDEN))
    return ImplRow("parameter count", PROPERTY, float(off), 0.0, off == 0,
                   f"{got} parameters; a GRU cell at I={INPUT}, H={HIDDEN} has 3(IH + H^2 + H) = {one} "
                   f"(or {one + 3 * HIDDEN} with a second bias)")


def check_gru(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the gru-cell kind on the learner's class (in float64, torch's default dtype too)."""
    with recurrent.float64_default():
        return checked_gru(cls, where, seed)


def checked_gru(cls: type, where: Path | None, seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """The checks of check_gru, run once the default dtype is float64."""
    module = recurrent.build(cls, where, seed, "a GRU cell", INPUT, HIDDEN)
    generator = torch.Generator().manual_seed(seed)
    inputs = [tuple(torch.randn(b, n, generator=generator, dtype=torch.float64) * 1.5 for n in (INPUT, HIDDEN))
              for b in (4, 1)]
    with torch.no_grad():
        outs = [step(module, x, h, where) for x, h in inputs]
    rows = [count_row(module)]
    found = recurrent.gate_blocks(module, 3, INPUT, HIDDEN)
    if not found:
        rows.append(ImplRow("same step as the GRU equations", REFERENCE, float("inf"), TOLERANCE, False,
                            "could not read your weights (want Linear(I, 3H) + Linear(H, 3H), one Linear per gate "
                            "on [x, h], or a Linear(I, H) and a Linear(H, H) per gate): not compared", "stand-in"))
        return rows, []
    readings = variants(found)
    gaps = [max(max_diff(out, gru_step(v, x, h)) for out, (x, h) in zip(outs, inputs)) for v in readings]
    best_gap = min(gaps)
    best = readings[gaps.index(best_gap)]
    order = "".join(name for block in found for name, b in best.gates.items() if b is block)
    rows.append(ImplRow("same step as the GRU equations", REFERENCE, best_gap, TOLERANCE, best_gap <= TOLERANCE,
                        f"your weights as gate blocks in the order {order} (torch: rzn), {best.convention}, "
                        f"{best.reset}; batch 4 and batch 1: max |yours - the equations| {best_gap:.1e}"))
    if best_gap <= TOLERANCE:
        if best.reset == AFTER:
            rows.append(torch_row(best, inputs, outs))
        if recurrent.without_bias(module, 3, INPUT, HIDDEN):
            return rows, [NO_BIAS]
        return rows, []
    bugs = [Bug(name, advice, lambda i, v=v, b=bug: gru_step(v, *inputs[i], b))
            for name, advice, bug in BUGS for v in readings]
    named: dict[str, Diagnosis] = {d.name: d for d in diagnose(outs, bugs, TOLERANCE)}
    return rows, list(named.values())


def torch_row(variant: Variant, inputs: list[tuple[torch.Tensor, torch.Tensor]], outs: list[torch.Tensor]) -> ImplRow:
    """The same weights in torch's own nn.GRUCell (the textbook z is torch's 1 - z: its weights negated) give the
    learner's h'."""
    cell = nn.GRUCell(INPUT, HIDDEN).to(torch.float64)
    sign = {"r": 1.0, "z": 1.0 if variant.convention == TORCH else -1.0, "n": 1.0}
    with torch.no_grad():
        for index, tensor in enumerate((cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)):
            tensor.copy_(torch.cat([sign[g] * variant.gates[g][index] for g in GATES]))
        gap = max(max_diff(out, cell(x, h)) for out, (x, h) in zip(outs, inputs))
    return ImplRow("same step as torch's nn.GRUCell", REFERENCE, gap, TOLERANCE, gap <= TOLERANCE,
                   f"your weights copied into nn.GRUCell: max gap {gap:.1e}")
