"""The live checks of seqlab.proofs.recurrent (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

from seqlab.proofs.base import CheckResult, MODEL
from seqlab.proofs.recurrent import GRUConvex, LSTMNotConvex
from seqlab.proofs.target import Found, LiveTarget, exact_copy, find_modules, recurrent_modules


CLEARLY_NOT_ONE = 0.05  # |f + i - 1| beyond this somewhere: the gates are not tied (reported, not required)
CELLS: dict[type, type] = {nn.LSTM: nn.LSTMCell, nn.GRU: nn.GRUCell}


def as_layer(cell: nn.RNNCellBase, kind: type[nn.RNNBase]) -> nn.RNNBase:
    """A one-layer, batch-first `kind` (nn.LSTM / nn.GRU) holding the weights of `cell` (its nn.LSTMCell /
    nn.GRUCell): the same gates, so the checks read the cell through the layer."""
    layer = kind(cell.input_size, cell.hidden_size, bias=cell.bias, batch_first=True)
    with torch.no_grad():
        layer.weight_ih_l0.copy_(cell.weight_ih)
        layer.weight_hh_l0.copy_(cell.weight_hh)
        if cell.bias:
            layer.bias_ih_l0.copy_(cell.bias_ih)
            layer.bias_hh_l0.copy_(cell.bias_hh)
    return layer.to(cell.weight_ih.device, cell.weight_ih.dtype)


def recurrent_parts(target: LiveTarget, kind: type[nn.RNNBase]) -> Found:
    """The model's `kind` layers (nn.LSTM / nn.GRU) and its nn.LSTMCell / nn.GRUCell cells (read as one-layer
    layers with their weights; a cell class with its own forward is not read); a fresh stand-in when it has none."""
    found = recurrent_modules(target, kind)
    cell_kind = CELLS[kind]
    cells = [(name, module) for name, module in find_modules(target.model, (cell_kind,))
             if type(module).forward is cell_kind.forward]
    if not cells:
        return found
    layers = [(f"{name} ({cell_kind.__name__} read as a one-layer {kind.__name__})", as_layer(cell, kind))
              for name, cell in cells]
    own = list(found.parts) if found.measured_on == MODEL else []
    return Found(own + layers)


def _pieces(weight: torch.Tensor, count: int) -> list[torch.Tensor]:
    """Split a stacked gate weight/bias (torch's layout: gates along dim 0) into `count` parts."""
    return list(weight.chunk(count, dim=0))


def _weights(module: nn.RNNBase, layer: int, reverse: bool) -> tuple[torch.Tensor, ...]:
    """(W_ih, b_ih, W_hh, b_hh) of one layer and direction of an nn.LSTM / nn.GRU (biases may be None)."""
    suffix = f"l{layer}" + ("_reverse" if reverse else "")
    return tuple(getattr(module, f"{name}_{suffix}", None) for name in ("weight_ih", "bias_ih", "weight_hh", "bias_hh"))


def lstm_step(
    lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, layer: int = 0, reverse: bool = False
) -> dict[str, torch.Tensor]:
    """One step of one layer and direction of an nn.LSTM, by hand: gates i, f, g, o and the new c, h."""
    w_ih, b_ih, w_hh, b_hh = _weights(lstm, layer, reverse)
    pre = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    i, f, g, o = pre.chunk(4, dim=-1)  # torch orders the gates input, forget, cell, output
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c_new = f * c + i * g
    return {"i": i, "f": f, "g": g, "o": o, "c_old": c, "c": c_new, "h": o * c_new.tanh()}


def gru_step(gru: nn.GRU, x: torch.Tensor, h: torch.Tensor, layer: int = 0, reverse: bool = False) -> dict[str, torch.Tensor]:
    """One step of one layer and direction of an nn.GRU, by hand: gates r, z, candidate n, new h."""
    w_ih, b_ih, w_hh, b_hh = _weights(gru, layer, reverse)
    gx = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)  # reset, update, new
    gh = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = (gx[0] + gh[0]).sigmoid()
    z = (gx[1] + gh[1]).sigmoid()
    n = (gx[2] + r * gh[2]).tanh()
    return {"r": r, "z": z, "n": n, "h_old": h, "h": (1 - z) * n + z * h}


def rnn_by_hand(
    module: nn.RNNBase, x: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, list[dict[str, torch.Tensor]]]:
    """Run a whole nn.LSTM / nn.GRU (every layer, both directions) step by step from its weights.

    x [B,T,In] (batch first), h0 (and c0 for an LSTM) [L*dirs,B,H]. Returns (outputs [B,T,dirs*H], h_n,
    c_n or None, every step's gate dictionary). Layer l > 0 reads the concatenated outputs of layer l-1.
    """
    lstm = isinstance(module, torch.nn.LSTM)
    directions = 2 if module.bidirectional else 1
    steps: list[dict[str, torch.Tensor]] = []
    h_n, c_n = [], []
    layer_input = x
    for layer in range(module.num_layers):
        outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            h = h0[index]
            c = c0[index] if lstm and c0 is not None else None
            order = range(x.shape[1] - 1, -1, -1) if direction else range(x.shape[1])
            per_step = {}
            for t in order:
                if lstm:
                    step = lstm_step(module, layer_input[:, t], h, c, layer, bool(direction))
                    c = step["c"]
                else:
                    step = gru_step(module, layer_input[:, t], h, layer, bool(direction))
                h = step["h"]
                per_step[t] = h
                steps.append(step)
            outputs.append(torch.stack([per_step[t] for t in range(x.shape[1])], dim=1))
            h_n.append(h)
            c_n.append(c)
        layer_input = torch.cat(outputs, dim=-1)
    return layer_input, torch.stack(h_n), torch.stack(c_n) if lstm else None, steps


def _compare_with_torch(module: nn.RNNBase, target: LiveTarget, offset: int, length: int = 3) -> tuple[float, list[dict[str, torch.Tensor]]]:
    """Run `module` (a check-precision copy) and rnn_by_hand on the same random sequence; the largest difference.

    Every layer and both directions are compared: outputs, final h (and final c for an LSTM).
    """
    batch = 16
    x = target.randn(batch, length, module.input_size, offset=offset)
    h0 = initial_state(module, batch, target, offset + 1)
    lstm = isinstance(module, torch.nn.LSTM)
    c0 = initial_state(module, batch, target, offset + 2) if lstm else None
    with torch.no_grad():
        seq = x if module.batch_first else x.transpose(0, 1)
        out, state = module(seq, (h0, c0) if lstm else h0)
        out = out if module.batch_first else out.transpose(0, 1)
        h_torch, c_torch = state if lstm else (state, None)
        by_hand, h_n, c_n, steps = rnn_by_hand(module, x, h0, c0)
    gaps = [(out - by_hand).abs().max(), (h_torch - h_n).abs().max()]
    if lstm:
        gaps.append((c_torch - c_n).abs().max())
    return float(max(gaps)), steps


def rnn_layout(module: nn.RNNBase) -> str:
    """'2 layers, bidirectional' style description of an RNN's stack."""
    layers = f"{module.num_layers} layer{'s' if module.num_layers > 1 else ''}"
    return layers + (", bidirectional" if module.bidirectional else "")


def initial_state(module: nn.RNNBase, batch: int, target: LiveTarget, offset: int) -> torch.Tensor:
    """A random initial state for every layer and direction [L*dirs, B, H]."""
    layers = module.num_layers * (2 if module.bidirectional else 1)
    return target.randn(layers, batch, module.hidden_size, offset=offset)


def check_lstm_not_convex(identity: LSTMNotConvex, target: LiveTarget) -> CheckResult:
    """Recompute each LSTM (every layer, both directions) by hand with f and i as separate gates; the verdict is
    that recomputation. How far f + i strays from 1, and how often the new cell leaves the segment between c
    and g (which a convex mix never does), are reported as information: weights that tie f = 1 - i pass."""
    modules, note, on = recurrent_parts(target, torch.nn.LSTM)
    worst_gap = worst_recompute = 0.0
    total = outside = above = 0
    low_sum, high_sum = float("inf"), float("-inf")
    layouts = []
    for index, (name, module) in enumerate(modules):
        lstm = exact_copy(module, target)
        layouts.append(f"{name}: {rnn_layout(lstm)}")
        recompute, steps = _compare_with_torch(lstm, target, offset=1100 + 10 * index)
        worst_recompute = max(worst_recompute, recompute)
        for step in steps:
            both = step["f"] + step["i"]
            worst_gap = max(worst_gap, float((both - 1).abs().max()))
            low_sum, high_sum = min(low_sum, float(both.min())), max(high_sum, float(both.max()))
            low = torch.minimum(step["c_old"], step["g"])
            high = torch.maximum(step["c_old"], step["g"])
            outside += int(((step["c"] < low) | (step["c"] > high)).sum())
            above += int((both > 1).sum())
            total += both.numel()
    passed = worst_recompute <= target.rounding
    share_outside = outside / max(total, 1)
    tied = worst_gap <= CLEARLY_NOT_ONE
    gates = (
        f"f + i ranged {low_sum:.2f}..{high_sum:.2f} (> 1 for {above / max(total, 1):.0%} of units), and the new "
        f"cell left [min(c, g), max(c, g)] for {share_outside:.0%} of units, which a convex mix never does"
    )
    if tied:
        gates += (f"; these weights tie f = 1 - i (max |f + i - 1| = {worst_gap:.1e}: the coupled CIFG variant, "
                  "a convex mix): allowed, since the identity says f + i need not be 1, not that it never is")
    detail = (
        f"{len(modules)} LSTM(s) ({'; '.join(layouts)}), 3 steps of every layer and direction recomputed by hand "
        f"from the weights with f and i as separate gates (outputs, final h and c match torch to "
        f"{worst_recompute:.1e}); information, not part of the verdict: {gates}; measured = the recomputation "
        f"error{note}"
    )
    extra = {"recompute_error": worst_recompute, "share outside [c, g]": share_outside,
             "max |f + i - 1|": worst_gap, "f + i min": low_sum, "f + i max": high_sum}
    return CheckResult(worst_recompute, target.rounding, passed, detail, extra=extra, measured_on=on)


def check_gru_convex(identity: GRUConvex, target: LiveTarget) -> CheckResult:
    """Recompute each GRU (every layer, both directions) by hand; h' must be (1-z) n + z h, between n and h."""
    modules, note, on = recurrent_parts(target, torch.nn.GRU)
    worst = 0.0
    outside = 0.0
    layouts = []
    for index, (name, module) in enumerate(modules):
        gru = exact_copy(module, target)
        layouts.append(f"{name}: {rnn_layout(gru)}")
        recompute, steps = _compare_with_torch(gru, target, offset=1400 + 10 * index)
        worst = max(worst, recompute)
        for step in steps:
            low = torch.minimum(step["n"], step["h_old"])
            high = torch.maximum(step["n"], step["h_old"])
            beyond = torch.maximum(low - step["h"], step["h"] - high).clamp(min=0)  # distance outside [low, high]
            outside = max(outside, float(beyond.max()))
    measured = max(worst, outside)
    detail = (
        f"{len(modules)} GRU(s) ({'; '.join(layouts)}), 3 steps of every layer and direction: z and n recomputed "
        f"by hand from the weights; max |torch - ((1-z) n + z h)| over outputs and final states {worst:.1e}, "
        f"furthest outside [min(n,h), max(n,h)] {outside:.1e}{note}"
    )
    return CheckResult(measured, target.rounding, measured <= target.rounding, detail, measured_on=on)
