"""Cost: self-attention is O(n^2 d + n d^2) in sequence length n and width d, a recurrent layer is O(n d^2)."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


def attention_flops(n: int, d: int) -> int:
    """Matmul FLOPs of one self-attention layer: 4 projections 8 n d^2, scores and weighted sum 4 n^2 d."""
    return 8 * n * d * d + 4 * n * n * d


def recurrent_flops(n: int, d: int, gates: int) -> int:
    """Matmul FLOPs of one recurrent layer with input = hidden = d: n steps of gates x 2 matmuls d x d."""
    return n * gates * 2 * (d * d + d * d)


class AttentionVersusRecurrentCost(Identity):
    """FLOP formulas for attention and recurrence, and the exponents they imply."""

    id = "attention-cost"
    part = "attention"
    title = "attention costs O(n^2 d + n d^2), a recurrent layer O(n d^2)"
    conditions = (
        "one layer, batch 1, sequence length n, width d (recurrent input = hidden = d), counting matmul FLOPs "
        "(2 per multiply-add; biases, softmax and activations are lower order): attention 8 n d^2 + 4 n^2 d, "
        "of which the scores and weighted sum are 4 n^2 d; LSTM 16 n d^2, GRU 12 n d^2."
    )
    live_check = "seqlab.proofs.live.cost:check_attention_versus_recurrent_cost"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Write the FLOP counts as polynomials; read off degrees and the log-log slopes as n or d grow."""
        n, d = sp.symbols("n d", positive=True)
        projections = 4 * 2 * n * d * d
        scores = 2 * n * n * d + 2 * n * n * d
        attention = projections + scores
        lstm = n * 4 * 2 * (d * d + d * d)

        def slope(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
            return sp.limit(var * sp.diff(expr, var) / expr, var, sp.oo)

        crossover = sp.solve(sp.Eq(scores, lstm), n)
        whole_crossover = sp.solve(sp.Eq(attention, lstm), n)
        checks = [
            is_zero(attention - attention_flops(n, d)),  # the formula the live side uses
            is_zero(lstm - recurrent_flops(n, d, 4)),
            sp.degree(scores, n) == 2 and sp.degree(scores, d) == 1,
            sp.degree(lstm, n) == 1 and sp.degree(lstm, d) == 2,
            slope(attention, n) == 2,
            slope(lstm, n) == 1 and slope(lstm, d) == 2,
            crossover == [4 * d],
            whole_crossover == [2 * d],
        ]
        steps = (
            ProofStep("Q, K, V and output projections: 4 matmuls [n,d]x[d,d]", eq("F_proj", projections)),
            ProofStep("scores Q K^T [n,d]x[d,n] and weights x V [n,n]x[n,d]", eq("F_scores", scores)),
            ProofStep("one attention layer", eq("F_attn", attention)),
            ProofStep("exponent of n as n grows: d log F / d log n -> 2", eq("slope_n(F_attn)", slope(attention, n))),
            ProofStep("LSTM: n steps, 4 gates, each [d]x[d,d] for the input and for the state", eq("F_lstm", lstm)),
            ProofStep("its exponents in n and d", eq("(slope_n, slope_d)", sp.Tuple(slope(lstm, n), slope(lstm, d)))),
            ProofStep("the score matmuls alone cost more than an LSTM layer once n exceeds", eq("n*", crossover[0])),
            ProofStep(
                "the whole attention layer, projections included (8 n d^2 + 4 n^2 d), costs more than an LSTM layer "
                "(16 n d^2) once n exceeds",
                eq("n*", whole_crossover[0]),
            ),
        )
        return ProofResult(
            "attention FLOPs are 8 n d^2 + 4 n^2 d (O(n^2 d + n d^2)), recurrent FLOPs O(n d^2); attention costs more than "
            "an LSTM layer once n > 2d",
            steps,
            all(checks),
        )
