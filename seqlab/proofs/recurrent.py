"""Gated memory: the GRU's new state is a convex mix of old and candidate, the LSTM's cell is not."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class LSTMNotConvex(Identity):
    """The LSTM's new cell c' = f*c + i*g mixes old and candidate with weights that need not sum to 1."""

    id = "lstm-not-convex"
    part = "LSTM"
    title = "LSTM cell: f*c + i*g is not a convex combination"
    conditions = (
        "standard LSTM, forget gate f and input gate i computed separately (f = sigmoid(a_f), i = sigmoid(a_i)): "
        "f + i = 1 holds if and only if a_f = -a_i, so c' can leave the segment between c and g; the GRU ties its two "
        "weights to z and 1 - z instead. The live check recomputes the model's LSTM with f and i as separate gates and "
        "reports, as information, how far f + i strays from 1 and how often its cell leaves that segment (trained "
        "weights that happen to tie f = 1 - i are allowed: the claim is 'need not', not 'never')."
    )
    live_check = "seqlab.proofs.live.recurrent:check_lstm_not_convex"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Exhibit pre-activations where f + i != 1 and c' lies outside [min(c, g), max(c, g)]."""
        a_f, a_i = sp.symbols("a_f a_i", real=True)
        sigmoid = sp.Lambda(sp.Symbol("u"), 1 / (1 + sp.exp(-sp.Symbol("u"))))
        total = sigmoid(a_f) + sigmoid(a_i)
        example = total.subs({a_f: 2, a_i: 2})
        excess = sp.simplify(example - 1)
        cell = sp.Symbol("c")
        candidate = sp.Symbol("g")
        mixed = (sigmoid(a_f) * cell + sigmoid(a_i) * candidate).subs({a_f: 2, a_i: 2, cell: 1, candidate: 1})
        tied = sp.simplify(sigmoid(a_f).subs(a_f, -a_i) + sigmoid(a_i) - 1)
        u = sp.Symbol("u", real=True)
        reflection = sp.simplify(1 - sigmoid(u) - sigmoid(-u))  # 1 - sigmoid(u) = sigmoid(-u)
        slope = sp.simplify(sp.diff(sigmoid(u), u) - sigmoid(u) * (1 - sigmoid(u)))  # sigmoid' = s(1-s) > 0
        # f + i = 1  <=>  sigmoid(a_f) = sigmoid(-a_i)  <=>  a_f = -a_i, because sigmoid is strictly increasing.
        only_if = sp.solve(sp.Eq(sp.exp(-a_f), sp.exp(a_i)), a_f)  # sigmoid(a_f) = sigmoid(-a_i) cleared of fractions
        checks = [
            reflection == 0,
            slope == 0,
            only_if == [-a_i],
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
                "if a_f = -a_i then f + i = 1 (the coupled 'CIFG' variant)",
                eq("f + i - 1 |_(a_f = -a_i)", tied),
            ),
            ProofStep("only if: 1 - sigmoid(u) = sigmoid(-u), so f + i = 1 means sigmoid(a_f) = sigmoid(-a_i)", eq("1 - sigmoid(u) - sigmoid(-u)", reflection)),
            ProofStep(
                "sigmoid' = sigmoid (1 - sigmoid) > 0: strictly increasing, hence injective, so a_f = -a_i",
                eq("a_f", only_if[0] if only_if else sp.nan),
            ),
        )
        return ProofResult("f + i need not be 1: the LSTM cell is not a convex combination of c and g", steps, all(checks))


class GRUConvex(Identity):
    """The GRU's new state h' = (1 - z)*n + z*h is a convex combination of candidate and old state."""

    id = "gru-convex"
    part = "GRU"
    title = "GRU state: (1-z)*n + z*h is a convex combination"
    conditions = (
        "standard GRU (torch's convention), update gate z = sigmoid(a_z) in (0, 1): the weights 1 - z and z are both "
        "in (0, 1) and sum to exactly 1, so every unit of h' lies between the candidate n and the old h."
    )
    live_check = "seqlab.proofs.live.recurrent:check_gru_convex"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """The two weights sum to 1 identically, and each is a sigmoid, hence in (0, 1)."""
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
