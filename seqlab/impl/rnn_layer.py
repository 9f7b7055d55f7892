"""Checking a learner's recurrent layer (the lstm and gru kinds): forward(x [B, T, I], state=None) -> (outputs
[B, T, H], final state), batch first, no lengths or mask (every sequence runs all T steps). Their weights are read
from an nn.LSTM/nn.GRU/nn.LSTMCell/nn.GRUCell inside, or from their own Linears (seqlab.impl.recurrent), every
legitimate reading of the gates is run through seqlab's loop and the nearest compared with theirs, and properties are
measured on their code alone: causality, final state = last output, None = zero state, gradient through time,
gradcheck, parameter count."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from seqlab.impl import gru, lstm, recurrent
from seqlab.impl.compare import Bug, diagnose, max_diff
from seqlab.impl.recurrent import GateBlock
from seqlab.impl.report import PROPERTY, REFERENCE, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call

INPUT, HIDDEN, BATCH, STEPS = 5, 7, 3, 6
TOLERANCE = 1e-9
State = tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class Recurrence:
    """What differs between the LSTM and the GRU layer: gate count, state size, the legitimate readings of the
    learner's gate blocks, one step (with a cell bug or none), torch's layer with a reading's weights copied in (None
    when no torch layer computes that reading), and the cell bugs (name, advice, bug key)."""

    title: str
    gates: int
    states: int
    readings: Callable[[list[GateBlock]], list[Any]]
    step: Callable[[Any, torch.Tensor, State, str], State]
    torch_layer: Callable[[Any], nn.Module | None]
    cell_bugs: tuple[tuple[str, str, str], ...]


def lstm_readings(found: list[GateBlock]) -> list[dict[str, lstm.Block]]:
    """Every assignment of the four blocks to (i, f, g, o), biases summed."""
    merged = [(wx, wh, bx + bh) for wx, wh, bx, bh in found]
    return [dict(zip(order, merged)) for order in permutations(lstm.GATES)]


def lstm_step(gates: dict[str, lstm.Block], x: torch.Tensor, state: State, bug: str) -> State:
    """One LSTM step on (h, c)."""
    return lstm.cell_output(gates, x, state[0], state[1], bug)


def lstm_torch(gates: dict[str, lstm.Block]) -> nn.Module:
    """nn.LSTM (batch first) with these gate blocks."""
    layer = nn.LSTM(INPUT, HIDDEN, batch_first=True).to(torch.float64)
    with torch.no_grad():
        for index, name in enumerate(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0")):
            getattr(layer, name).copy_(torch.cat([gates[g][index] for g in lstm.GATES]))
        layer.bias_hh_l0.zero_()
    return layer


def gru_torch(variant: gru.Variant) -> nn.Module | None:
    """nn.GRU (batch first) with this reading's blocks; None for Cho et al.'s reset, which torch does not compute."""
    if variant.reset != gru.AFTER:
        return None
    layer = nn.GRU(INPUT, HIDDEN, batch_first=True).to(torch.float64)
    sign = {"r": 1.0, "z": 1.0 if variant.convention == gru.TORCH else -1.0, "n": 1.0}
    with torch.no_grad():
        for index, name in enumerate(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")):
            getattr(layer, name).copy_(torch.cat([sign[g] * variant.gates[g][index] for g in gru.GATES]))
    return layer


LSTM = Recurrence("LSTM", 4, 2, lstm_readings, lstm_step, lstm_torch, lstm.BUGS)
GRU = Recurrence("GRU", 3, 1, gru.variants, lambda v, x, s, bug: (gru.gru_step(v, x, s[0], bug),), gru_torch,
                 gru.BUGS)

LAYER_BUGS = (
    ("state not carried between steps", "pass each step's new state on to the next step; yours starts every step "
     "from zeros", "reset"),
    ("h and c swapped in the carry", "the cell returns (h, c) in that order: h, c = cell(x_t, (h, c)), not c, h = "
     "...", "swap"),
    ("final state from the first step", "return the state after the LAST step (t = T - 1) as the final state",
     "first"),
    ("time reversed", "run t = 0, 1, ..., T - 1 (forward in time), not from the end", "reversed"),
    ("time reversed", "run t = 0, 1, ..., T - 1 (forward in time), not from the end", "reversed appended"),
    ("outputs taken from c instead of h", "outputs[:, t] is h_t, the hidden state; c_t is the cell's memory",
     "c out"),
)


def run_loop(spec: Recurrence, reading: Any, x: torch.Tensor, bug: str = "") -> tuple[torch.Tensor, State]:
    """seqlab's loop over time with this reading of the gates: (outputs [B, T, H], final state)."""
    state: State = tuple(torch.zeros(x.shape[0], HIDDEN, dtype=x.dtype) for _ in range(spec.states))
    cell_bug = bug if bug in {b for _, _, b in spec.cell_bugs} else ""
    order = range(x.shape[1] - 1, -1, -1) if bug.startswith("reversed") else range(x.shape[1])
    outputs: list[tuple[int, torch.Tensor]] = []
    first: State = state
    for count, t in enumerate(order):
        start = tuple(torch.zeros_like(s) for s in state) if bug == "reset" else state
        state = spec.step(reading, x[:, t], start, cell_bug)
        if bug == "swap":  # c, h = cell(x_t, (h, c))
            state = (state[1], state[0])
        outputs.append((t, state[1] if bug == "c out" else state[0]))
        if count == 0:
            first = state
    final = first if bug == "first" else state
    if bug != "reversed appended":
        outputs.sort(key=lambda pair: pair[0])
    return torch.stack([out for _, out in outputs], dim=1), final


def forward(module: nn.Module, x: torch.Tensor, state: State | None, spec: Recurrence,
            where: Path | None) -> tuple[torch.Tensor, State]:
    """(outputs, final state) from the learner's forward(x, state); a final state [1, B, H] (as nn.LSTM gives) is
    read as [B, H]."""
    given = None if state is None else (state if spec.states == 2 else state[0])
    out = call(module, x, given, where=where)
    shape = "(outputs, (h_T, c_T))" if spec.states == 2 else "(outputs, h_T)"
    if not (isinstance(out, (tuple, list)) and len(out) == 2 and isinstance(out[0], torch.Tensor)):
        raise ContractError(f"forward(x, state=None) must return {shape}")
    if tuple(out[0].shape) != (x.shape[0], x.shape[1], HIDDEN):
        raise ContractError(f"outputs must be [B, T, hidden_size] = {[x.shape[0], x.shape[1], HIDDEN]} (batch "
                            f"first); yours are {list(out[0].shape)}")
    final = tuple(out[1]) if spec.states == 2 and isinstance(out[1], (tuple, list)) else (out[1],)
    if len(final) != spec.states or not all(isinstance(t, torch.Tensor) for t in final):
        raise ContractError(f"forward(x, state=None) must return {shape}")
    return out[0], tuple(t.squeeze(0) if t.dim() == 3 and t.shape[0] == 1 else t for t in final)


def flat(outputs: torch.Tensor, final: State) -> torch.Tensor:
    """Outputs and final state as one vector (to compare in one go)."""
    return torch.cat([outputs.reshape(-1)] + [s.reshape(-1) for s in final])


def property_rows(module: nn.Module, spec: Recurrence, x: torch.Tensor, got: tuple[torch.Tensor, State],
                  where: Path | None) -> list[ImplRow]:
    """Causality, final state = last output, None = zeros, gradient through time, gradcheck, parameter count."""
    outputs, final = got
    cut = STEPS // 2
    changed = x.clone()
    changed[:, cut:] = torch.randn(changed[:, cut:].shape, generator=torch.Generator().manual_seed(9),
                                   dtype=torch.float64)
    with torch.no_grad():
        later = forward(module, changed, None, spec, where)[0]
        zeros = tuple(torch.zeros(x.shape[0], HIDDEN, dtype=torch.float64) for _ in range(spec.states))
        explicit = forward(module, x, zeros, spec, where)
    causal = max_diff(later[:, :cut], outputs[:, :cut])
    last = max_diff(final[0], outputs[:, -1])
    zero_gap = max_diff(flat(*explicit), flat(outputs, final))
    rows = [
        ImplRow("causal: inputs <= t only", PROPERTY, causal, TOLERANCE, causal <= TOLERANCE,
                f"inputs from t = {cut} on changed: outputs before t = {cut} moved by {causal:.1e}"),
        ImplRow("final h = last output", PROPERTY, last, TOLERANCE, last <= TOLERANCE,
                f"max |h_T - outputs[:, -1]| {last:.1e}"),
        ImplRow("state=None = zero state", PROPERTY, zero_gap, TOLERANCE, zero_gap <= TOLERANCE,
                f"forward(x) vs forward(x, zeros): max gap {zero_gap:.1e}"),
    ]
    tiny = x[:1, :3].clone().requires_grad_(True)
    reach = torch.autograd.grad(forward(module, tiny, None, spec, where)[0][:, -1].sum(), tiny, allow_unused=True)[0]
    flow = float(reach[:, 0].abs().sum()) if reach is not None else 0.0
    rows.append(ImplRow("gradient through time", PROPERTY, flow, 1e-8, flow > 1e-8,
                        f"|d outputs[:, -1] / d x[:, 0]| summed: {flow:.1e} (0 means the first input never reaches "
                        "the last step)"))
    try:
        ok = torch.autograd.gradcheck(lambda v: forward(module, v, None, spec, where)[0], (tiny,), eps=1e-6,
                                      atol=1e-5, raise_exception=False)
    except RuntimeError:
        ok = False
    rows.append(ImplRow("gradcheck (float64)", PROPERTY, 0.0 if ok else 1.0, 0.0, bool(ok),
                        "B=1, T=3: autograd's gradient of your outputs equals finite differences" if ok else
                        "autograd's gradient of your outputs differs from finite differences"))
    got_count = recurrent.parameter_count(module)
    one = spec.gates * (INPUT * HIDDEN + HIDDEN * HIDDEN + HIDDEN)
    off = min(abs(got_count - one), abs(got_count - one - spec.gates * HIDDEN))
    rows.append(ImplRow("parameter count", PROPERTY, float(off), 0.0, off == 0,
                        f"{got_count} parameters; an {spec.title} layer at I={INPUT}, H={HIDDEN} has "
                        f"{spec.gates}(IH + H^2 + H) = {one} (or {one + spec.gates * HIDDEN} with a second bias)"))
    return rows


def check_layer(spec: Recurrence, cls: type, where: Path | None, seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of a recurrent-layer kind on the learner's class (in float64, torch's default dtype too)."""
    with recurrent.float64_default():
        return checked_layer(spec, cls, where, seed)


def checked_layer(spec: Recurrence, cls: type, where: Path | None, seed: int) -> tuple[list[ImplRow], list[Diagnosis]]:
    """The checks of check_layer, run once the default dtype is float64."""
    module = recurrent.build(cls, where, seed, f"an {spec.title} layer", INPUT, HIDDEN)
    generator = torch.Generator().manual_seed(seed)
    inputs = [torch.randn(b, t, INPUT, generator=generator, dtype=torch.float64) * 1.5
              for b, t in ((BATCH, STEPS), (1, 1))]
    with torch.no_grad():
        outs = [forward(module, x, None, spec, where) for x in inputs]
    rows = property_rows(module, spec, inputs[0], outs[0], where)
    got = [flat(*out) for out in outs]
    found = recurrent.gate_blocks(module, spec.gates, INPUT, HIDDEN)
    name = f"same as seqlab's {spec.title} loop"
    if not found:
        rows.append(ImplRow(name, REFERENCE, float("inf"), TOLERANCE, False, "could not read your weights (want an "
                            f"nn.{spec.title}/nn.{spec.title}Cell inside, or the Linears of the {spec.title.lower()}"
                            "-cell kind): not compared", "stand-in"))
        return rows, []
    readings = spec.readings(found)
    with torch.no_grad():
        gaps = [max(max_diff(g, flat(*run_loop(spec, r, x))) for g, x in zip(got, inputs)) for r in readings]
    best_gap = min(gaps)
    best = readings[gaps.index(best_gap)]
    rows.append(ImplRow(name, REFERENCE, best_gap, TOLERANCE, best_gap <= TOLERANCE,
                        f"your weights as {spec.title} gates, B={BATCH} T={STEPS} and B=1 T=1: max |yours - seqlab's "
                        f"loop| over outputs and final state {best_gap:.1e}"))
    if best_gap <= TOLERANCE:
        layer = spec.torch_layer(best)
        if layer is not None:
            with torch.no_grad():
                gap = max(max_diff(g, flat(out, tuple(s.squeeze(0) for s in
                                                      (state if isinstance(state, tuple) else (state,)))))
                          for g, (out, state) in ((g, layer(x)) for g, x in zip(got, inputs)))
            rows.append(ImplRow(f"same as torch's nn.{spec.title}", REFERENCE, gap, TOLERANCE,
                                gap <= TOLERANCE, f"your weights copied into nn.{spec.title}: max gap {gap:.1e}"))
        if recurrent.without_bias(module, spec.gates, INPUT, HIDDEN):
            return rows, [gru.NO_BIAS]
        return rows, []
    keys = [b for b in LAYER_BUGS if spec.states == 2 or b[2] not in ("swap", "c out")] + list(spec.cell_bugs)
    bugs = [Bug(bug_name, advice, lambda i, r=r, b=key: flat(*run_loop(spec, r, inputs[i], b)))
            for bug_name, advice, key in keys for r in readings]
    with torch.no_grad():
        named: dict[str, Diagnosis] = {d.name: d for d in diagnose(got, bugs, TOLERANCE)}
    return rows, list(named.values())


def check_lstm_layer(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the lstm kind on the learner's class."""
    return check_layer(LSTM, cls, where, seed)


def check_gru_layer(cls: type, where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the gru kind on the learner's class."""
    return check_layer(GRU, cls, where, seed)
