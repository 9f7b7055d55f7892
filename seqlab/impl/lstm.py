"""Checking a learner's LSTM cell: their weights read in the usual layouts (one Linear per input, a fused Linear on
[x, h], one Linear per gate) and every assignment of their four gate blocks to torch's (i, f, g, o) tried against
nn.LSTMCell (so gates named differently, or f and i swapped consistently, are the same LSTM and pass); three gate
blocks read as the coupled input-forget gate LSTM (f = 1 - i); the bound |h| < 1; and the named bugs (missing forget
gate, no tanh on the cell, ...)."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path
from typing import Any

import torch
from torch import nn

from seqlab.impl import recurrent
from seqlab.impl.compare import Bug, diagnose, max_diff
from seqlab.impl.report import PROPERTY, REFERENCE, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call

INPUT, HIDDEN = 5, 7
TOLERANCE = 1e-9
GATES = "ifgo"
Block = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # W_x [H, I], W_h [H, H], b [H] of one gate


def build(cls: type, where: Path | None, seed: int) -> nn.Module:
    """The learner's cell at input 5, hidden 7, seeded, float64."""
    return recurrent.build(cls, where, seed, "an LSTM cell", INPUT, HIDDEN)


def step(module: nn.Module, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, where: Path | None) -> tuple[
        torch.Tensor, torch.Tensor]:
    """(h', c') from the learner's forward(x, (h, c))."""
    out = call(module, x, (h, c), where=where)
    if not (isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(t, torch.Tensor) for t in out)):
        raise ContractError("forward(x, (h, c)) must return (h_new, c_new), two tensors [B, hidden_size]")
    return out[0], out[1]


def blocks(module: nn.Module) -> list[Block]:
    """The four gate blocks of the learner's weights, in their order; [] when the layout is not a usual one."""
    return [(wx, wh, bx + bh) for wx, wh, bx, bh in recurrent.gate_blocks(module, 4, INPUT, HIDDEN)]


def cell_output(gates: dict[str, Block], x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, bug: str = "") -> tuple[
        torch.Tensor, torch.Tensor]:
    """One LSTM step with these gate blocks (the right equations, or one of the usual bugs)."""
    pre = {name: x @ wx.T + h @ wh.T + b for name, (wx, wh, b) in gates.items()}
    i, f, o = (torch.sigmoid(pre[name]) for name in "ifo")
    g = torch.sigmoid(pre["g"]) if bug == "sigmoid candidate" else torch.tanh(pre["g"])
    if bug == "no forget gate":
        c_new = c + i * g
    elif bug == "no forget at all":
        c_new = i * g
    else:
        c_new = f * c + i * g
    h_new = o * c_new if bug == "no tanh on the cell" else o * torch.tanh(c_new)
    return h_new, c_new


BUGS = (
    ("missing forget gate", "c_new = f * c + i * g: the forget gate f = sigmoid(W_f [x, h] + b_f) scales the old cell",
     "no forget gate"),
    ("old cell dropped", "c_new = f * c + i * g keeps the old cell c (scaled by f); you wrote c_new = i * g",
     "no forget at all"),
    ("no tanh on the cell output", "h_new = o * tanh(c_new), not o * c_new", "no tanh on the cell"),
    ("candidate through sigmoid", "the candidate g uses tanh (values in (-1, 1)), the gates sigmoid",
     "sigmoid candidate"),
)


def check_lstm(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the lstm-cell kind on the learner's class."""
    module = build(cls, where, seed)
    generator = torch.Generator().manual_seed(seed)
    inputs = [tuple(torch.randn(b, n, generator=generator, dtype=torch.float64) * 1.5 for n in (INPUT, HIDDEN, HIDDEN))
              for b in (4, 1)]
    with torch.no_grad():
        outs = [step(module, *case, where) for case in inputs]
    flat = [torch.cat(out, dim=-1) for out in outs]
    bound = max(float(h.abs().max()) for h, _ in outs)
    rows = [ImplRow("|h| < 1", PROPERTY, bound, 1.0, bound < 1.0,
                    f"h = o * tanh(c) with o in (0, 1): your largest |h| is {bound:.3f}")]
    found = blocks(module)
    coupled = [] if found else [(wx, wh, bx + bh) for wx, wh, bx, bh in recurrent.gate_blocks(module, 3, INPUT, HIDDEN)]
    if coupled:
        more, diagnoses = coupled_rows(coupled, inputs, flat)
        return rows + more, diagnoses
    if not found:
        rows.append(ImplRow("same step as nn.LSTMCell", REFERENCE, float("inf"), TOLERANCE, False,
                            "could not read your weights (want Linear(I, 4H) + Linear(H, 4H), Linear(I + H, 4H), or "
                            "one Linear per gate): not compared", "stand-in"))
        return rows, []
    assignments = [dict(zip(order, found)) for order in permutations(GATES)]
    best, best_gap = assignments[0], float("inf")
    for gates in assignments:
        gap = max(max_diff(f, torch.cat(cell_output(gates, *case), -1)) for f, case in zip(flat, inputs))
        if gap < best_gap:
            best, best_gap = gates, gap
    order = "".join(name for block in found for name, b in best.items() if b is block)
    rows.append(ImplRow("same step as nn.LSTMCell", REFERENCE, best_gap, TOLERANCE, best_gap <= TOLERANCE,
                        f"your weights as gate blocks in the order {order} (torch: ifgo), batch 4 and batch 1: max "
                        f"|yours - the LSTM equations| over (h, c) {best_gap:.1e}"))
    if best_gap <= TOLERANCE:
        rows.append(torch_row(best, inputs, flat))
        return rows, []
    bugs = [Bug(name, advice, lambda i, gates=gates, b=bug: torch.cat(cell_output(gates, *inputs[i], b), -1))
            for name, advice, bug in BUGS for gates in assignments]
    named: dict[str, Diagnosis] = {d.name: d for d in diagnose(flat, bugs, 1e-9)}
    return rows, list(named.values())


def coupled_step(gates: dict[str, Block], x: torch.Tensor, h: torch.Tensor, c: torch.Tensor,
                 bug: str = "") -> torch.Tensor:
    """[h', c'] of the coupled input-forget gate LSTM (f = 1 - i), or of a three-gate cell with one of the usual
    bugs ("no forget gate": c + i g; "no forget at all": i g)."""
    pre = {name: x @ wx.T + h @ wh.T + b for name, (wx, wh, b) in gates.items()}
    i, g, o = torch.sigmoid(pre["i"]), torch.tanh(pre["g"]), torch.sigmoid(pre["o"])
    c_new = {"no forget gate": c + i * g, "no forget at all": i * g}.get(bug, (1 - i) * c + i * g)
    return torch.cat([o * torch.tanh(c_new), c_new], -1)


def coupled_rows(found: list[Block], inputs: list[Any], flat: list[torch.Tensor]) -> tuple[list[ImplRow],
                                                                                              list[Diagnosis]]:
    """Three gate blocks: the coupled input-forget gate LSTM (Greff et al. 2017's CIFG, f = 1 - i), every order of
    (i, g, o) tried; torch has no such cell, so its equations are the reference. A failure is matched against a
    three-gate cell that forgets nothing or everything."""
    assignments = [dict(zip(order, found)) for order in permutations("igo")]
    gaps = [max(max_diff(f, coupled_step(gates, *case)) for f, case in zip(flat, inputs)) for gates in assignments]
    best = min(range(len(gaps)), key=gaps.__getitem__)
    order = "".join(name for block in found for name, b in assignments[best].items() if b is block)
    row = ImplRow("same step as the coupled-gate LSTM", REFERENCE, gaps[best], TOLERANCE, gaps[best] <= TOLERANCE,
                  f"three gate blocks (order {order}) read as the coupled input-forget gate LSTM (f = 1 - i; torch "
                  f"has no such cell), batch 4 and batch 1: max |yours - its equations| over (h, c) {gaps[best]:.1e}")
    if row.passed:
        return [row], []
    bugs = [Bug(name, advice, lambda i, gates=gates, b=bug: coupled_step(gates, *inputs[i], b))
            for name, advice, bug in BUGS if bug in ("no forget gate", "no forget at all") for gates in assignments]
    return [row], list({d.name: d for d in diagnose(flat, bugs, 1e-9)}.values())


def torch_row(gates: dict[str, Block], inputs: list[Any], flat: list[torch.Tensor]) -> ImplRow:
    """The same weights in torch's own nn.LSTMCell give the learner's (h', c')."""
    cell = nn.LSTMCell(INPUT, HIDDEN).to(torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.cat([gates[name][0] for name in GATES]))
        cell.weight_hh.copy_(torch.cat([gates[name][1] for name in GATES]))
        cell.bias_ih.copy_(torch.cat([gates[name][2] for name in GATES]))
        cell.bias_hh.zero_()
        gap = max(max_diff(f, torch.cat(cell(x, (h, c)), -1)) for f, (x, h, c) in zip(flat, inputs))
    return ImplRow("same step as torch's nn.LSTMCell", REFERENCE, gap, TOLERANCE, gap <= TOLERANCE,
                   f"your weights copied into nn.LSTMCell: max gap {gap:.1e}")
