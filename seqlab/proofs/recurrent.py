"""Gated memory: the GRU's new state is a convex mix of old and candidate, the LSTM's cell is not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq, is_zero

if TYPE_CHECKING:
    import torch
    from torch import nn

    from seqlab.proofs.target import LiveTarget

CLEARLY_NOT_ONE = 0.05  # max |f + i - 1| must exceed this for "not a convex combination" to be shown


def _pieces(weight: torch.Tensor, count: int) -> list[torch.Tensor]:
    """Split a stacked gate weight/bias (torch's layout: gates along dim 0) into `count` parts."""
    return list(weight.chunk(count, dim=0))


def lstm_step(lstm: nn.LSTM, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> dict[str, torch.Tensor]:
    """One step of layer 0 (forward direction) of an nn.LSTM, by hand: gates i, f, g, o and the new c, h."""
    import torch.nn.functional as F

    pre = F.linear(x, lstm.weight_ih_l0, lstm.bias_ih_l0) + F.linear(h, lstm.weight_hh_l0, lstm.bias_hh_l0)
    i, f, g, o = pre.chunk(4, dim=-1)  # torch orders the gates input, forget, cell, output
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    c_new = f * c + i * g
    return {"i": i, "f": f, "g": g, "o": o, "c": c_new, "h": o * c_new.tanh()}


def gru_step(gru: nn.GRU, x: torch.Tensor, h: torch.Tensor) -> dict[str, torch.Tensor]:
    """One step of layer 0 (forward direction) of an nn.GRU, by hand: gates r, z, candidate n, new h."""
    import torch.nn.functional as F

    gx = F.linear(x, gru.weight_ih_l0, gru.bias_ih_l0).chunk(3, dim=-1)  # reset, update, new
    gh = F.linear(h, gru.weight_hh_l0, gru.bias_hh_l0).chunk(3, dim=-1)
    r = (gx[0] + gh[0]).sigmoid()
    z = (gx[1] + gh[1]).sigmoid()
    n = (gx[2] + r * gh[2]).tanh()
    return {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h}


def _initial_state(module: nn.RNNBase, batch: int, target: LiveTarget, offset: int) -> torch.Tensor:
    """A random initial state for every layer and direction [L*dirs, B, H]."""
    layers = module.num_layers * (2 if module.bidirectional else 1)
    return target.randn(layers, batch, module.hidden_size, offset=offset)


class LSTMNotConvex(Identity):
    """The LSTM's new cell c' = f*c + i*g mixes old and candidate with weights that need not sum to 1."""

    id = "lstm-not-convex"
    title = "LSTM cell: f*c + i*g is not a convex combination"
    conditions = (
        "standard LSTM, forget gate f and input gate i computed separately (f = sigmoid(a_f), i = sigmoid(a_i)): "
        "f + i = 1 holds only when a_f = -a_i, so c' can leave the segment between c and g; the GRU ties its two "
        "weights to z and 1 - z instead."
    )

    def prove(self) -> ProofResult:
        """Exhibit pre-activations where f + i != 1 and c' lies outside [min(c, g), max(c, g)]."""
        import sympy as sp

        a_f, a_i = sp.symbols("a_f a_i", real=True)
        sigmoid = sp.Lambda(sp.Symbol("u"), 1 / (1 + sp.exp(-sp.Symbol("u"))))
        total = sigmoid(a_f) + sigmoid(a_i)
        example = total.subs({a_f: 2, a_i: 2})
        excess = sp.simplify(example - 1)
        cell = sp.Symbol("c")
        candidate = sp.Symbol("g")
        mixed = (sigmoid(a_f) * cell + sigmoid(a_i) * candidate).subs({a_f: 2, a_i: 2, cell: 1, candidate: 1})
        tied = sp.simplify(sigmoid(a_f).subs(a_f, -a_i) + sigmoid(a_i) - 1)
        checks = [
            sp.simplify(excess - sp.tanh(1)) == 0,
            bool(excess > 0),
            bool(sp.simplify(mixed - 1) > 0),
            tied == 0,
        ]
        steps = (
            ProofStep("the cell update", "c' = f c + i g,  f = sigmoid(a_f),  i = sigmoid(a_i)"),
            ProofStep("sum of the two mixing weights", eq("f + i", total)),
            ProofStep("counterexample a_f = a_i = 2", eq("f + i - 1", excess)),
            ProofStep(
                "that is tanh(1) > 0, and with c = g = 1 the new cell leaves [c, g] = [1, 1]",
                eq("c'", sp.nsimplify(mixed)),
            ),
            ProofStep("numerically", eq("c'", sp.N(mixed, 6))),
            ProofStep(
                "f + i = 1 only on the slice a_f = -a_i (the coupled 'CIFG' variant)",
                eq("f + i - 1 |_(a_f = -a_i)", tied),
            ),
        )
        return ProofResult("f + i need not be 1: the LSTM cell is not a convex combination of c and g", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
        """Run one step of each LSTM by hand from its weights, confirm it matches torch, measure max |f + i - 1|."""
        import torch

        from seqlab.proofs.target import exact_copy, recurrent_modules

        modules, note = recurrent_modules(target, torch.nn.LSTM)
        worst_gap = 0.0
        worst_recompute = 0.0
        for index, (_, module) in enumerate(modules):
            lstm = exact_copy(module, target)
            x = target.randn(16, lstm.input_size, offset=1100 + index)
            h0 = _initial_state(lstm, 16, target, 1200 + index)
            c0 = _initial_state(lstm, 16, target, 1300 + index)
            with torch.no_grad():
                _, (h1, c1) = lstm(x[:, None, :] if lstm.batch_first else x[None], (h0, c0))
                by_hand = lstm_step(lstm, x, h0[0], c0[0])
            worst_recompute = max(
                worst_recompute, float((by_hand["c"] - c1[0]).abs().max()), float((by_hand["h"] - h1[0]).abs().max())
            )
            worst_gap = max(worst_gap, float((by_hand["f"] + by_hand["i"] - 1).abs().max()))
        passed = worst_recompute <= target.rounding and worst_gap > CLEARLY_NOT_ONE
        detail = (
            f"{len(modules)} LSTM(s), one step of layer 0 recomputed by hand from the weights "
            f"(matches torch to {worst_recompute:.1e}); measured = max |f + i - 1| over units, must exceed "
            f"{CLEARLY_NOT_ONE}{note}"
        )
        extra = {"recompute_error": worst_recompute}
        return CheckResult(worst_gap, CLEARLY_NOT_ONE, passed, detail, extra=extra, lower_bound=True)


class GRUConvex(Identity):
    """The GRU's new state h' = (1 - z)*n + z*h is a convex combination of candidate and old state."""

    id = "gru-convex"
    title = "GRU state: (1-z)*n + z*h is a convex combination"
    conditions = (
        "standard GRU (torch's convention), update gate z = sigmoid(a_z) in (0, 1): the weights 1 - z and z are both "
        "in (0, 1) and sum to exactly 1, so every unit of h' lies between the candidate n and the old h."
    )

    def prove(self) -> ProofResult:
        """The two weights sum to 1 identically, and each is a sigmoid, hence in (0, 1)."""
        import sympy as sp

        a = sp.Symbol("a_z", real=True)
        z = 1 / (1 + sp.exp(-a))
        n, h = sp.symbols("n h", real=True)
        new = (1 - z) * n + z * h
        weight_sum = sp.simplify((1 - z) + z)
        bounds_z = (sp.limit(z, a, -sp.oo), sp.limit(z, a, sp.oo))
        monotone = sp.simplify(sp.diff(z, a) - z * (1 - z))
        checks = [weight_sum == 1, bounds_z == (0, 1), monotone == 0, is_zero(sp.diff(new, n) + sp.diff(new, h) - 1)]
        steps = (
            ProofStep("the state update (torch's GRU)", eq("h'", sp.Symbol("(1-z)") * n + sp.Symbol("z") * h)),
            ProofStep("the two weights sum to", eq("(1 - z) + z", weight_sum)),
            ProofStep("z = sigmoid(a_z) is increasing (dz/da = z(1-z) > 0) ...", eq("dz/da - z(1-z)", monotone)),
            ProofStep("... from 0 to 1, so both weights lie in (0, 1)", eq("(z(-oo), z(+oo))", sp.Tuple(*bounds_z))),
            ProofStep(
                "hence h' is a convex combination: each unit lies between n and h",
                "min(n, h) <= h' <= max(n, h)",
            ),
        )
        return ProofResult("GRU: h' = (1-z) n + z h with weights in (0, 1) summing to 1", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
        """Recompute z and n by hand from each GRU's weights; torch's h' must equal (1-z) n + z h."""
        import torch

        from seqlab.proofs.target import exact_copy, recurrent_modules

        modules, note = recurrent_modules(target, torch.nn.GRU)
        worst = 0.0
        outside = 0.0
        for index, (_, module) in enumerate(modules):
            gru = exact_copy(module, target)
            x = target.randn(16, gru.input_size, offset=1400 + index)
            h0 = _initial_state(gru, 16, target, 1500 + index)
            with torch.no_grad():
                _, h1 = gru(x[:, None, :] if gru.batch_first else x[None], h0)
                by_hand = gru_step(gru, x, h0[0])
            torch_h = h1[0]
            worst = max(worst, float((torch_h - by_hand["h"]).abs().max()))
            low = torch.minimum(by_hand["n"], h0[0])
            high = torch.maximum(by_hand["n"], h0[0])
            beyond = torch.maximum(low - torch_h, torch_h - high).clamp(min=0)  # distance outside [low, high]
            outside = max(outside, float(beyond.max()))
        measured = max(worst, outside)
        detail = (
            f"{len(modules)} GRU(s), one step of layer 0: z and n recomputed by hand from the weights; "
            f"max |h'_torch - ((1-z) n + z h)| {worst:.1e}, furthest outside [min(n,h), max(n,h)] {outside:.1e}{note}"
        )
        return CheckResult(measured, target.rounding, measured <= target.rounding, detail)
