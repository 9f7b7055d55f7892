"""Attention output is a convex combination of the value vectors: weights >= 0 that sum to 1, so it lies in their hull."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


class AttentionConvex(Identity):
    """o_i = sum_j p_ij v_j with p_ij >= 0 and sum_j p_ij = 1: each head's output is in the convex hull of its values."""

    id = "attention-convex"
    part = "attention"
    title = "attention output is a convex combination of the values"
    conditions = (
        "per head, before the output projection, in eval mode (training's dropout rescales the kept weights by "
        "1/(1-p), so rows no longer sum to 1): o_i = sum_j p_ij v_j with p_i = softmax over the keys query i may "
        "see, so p_ij >= 0 and sum_j p_ij = 1 and o_i lies in the convex hull of those values (in particular each "
        "coordinate is between the smallest and the largest value coordinate). A query with no key it may see "
        "outputs zeros (seqlab's rule), which is no combination at all; such rows are counted apart."
    )
    live_check = "seqlab.proofs.live.convex:check_attention_convex"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Softmax weights are positive and sum to 1 (n = 3); with v1 <= v2 <= v3 the output is between v1 and v3."""
        es = sp.symbols("e1:4", positive=True)  # e_j = exp(z_j) > 0
        total = sum(es)
        p = [e / total for e in es]
        sums_to_one = sp.simplify(sum(p))
        positive = all(bool(w.is_positive) for w in p)
        v1 = sp.Symbol("v1", real=True)
        a, b = sp.symbols("a b", nonnegative=True)  # v2 = v1 + a, v3 = v1 + a + b: sorted values
        values = [v1, v1 + a, v1 + a + b]
        output = sum(w * v for w, v in zip(p, values))
        above_lowest = sp.factor(sp.simplify(output - values[0]))
        below_highest = sp.factor(sp.simplify(values[2] - output))
        checks = [
            sums_to_one == 1,
            positive,
            bool(above_lowest.is_nonnegative),
            bool(below_highest.is_nonnegative),
        ]
        steps = (
            ProofStep("softmax weights of three keys, e_j = exp(z_j) > 0", eq("p", sp.Matrix(p))),
            ProofStep("they sum to 1 (sympy) and each is a quotient of positives", eq("p1 + p2 + p3", sums_to_one)),
            ProofStep("so o = sum_j p_j v_j is a convex combination: the output of one head", eq("o", output)),
            ProofStep("with v1 <= v2 <= v3 (v2 = v1 + a, v3 = v1 + a + b, a, b >= 0): o - v1 is >= 0", eq("o - v1", above_lowest)),
            ProofStep("and v3 - o is >= 0: o lies between the smallest and the largest value", eq("v3 - o", below_highest)),
            ProofStep(
                "coordinate by coordinate this holds for vectors; together: o is in the convex hull of the v_j",
                "o_i in conv{v_j : key j visible to query i}",
            ),
        )
        return ProofResult("each attention head outputs a convex combination of its value vectors", steps, all(checks))
