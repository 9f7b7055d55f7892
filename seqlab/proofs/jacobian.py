"""The softmax Jacobian diag(p) - p p^T: its rows sum to 0 and it vanishes as p saturates (why 1/sqrt(d_k))."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


class SoftmaxJacobian(Identity):
    """d softmax(z)/dz = diag(p) - p p^T; every row sums to 0; every entry tends to 0 as p becomes one-hot."""

    id = "softmax-jacobian"
    part = "attention"
    title = "softmax Jacobian is diag(p) - p p^T: rows sum to 0, it vanishes as p saturates"
    conditions = (
        "p = softmax(z), z in R^n: dp_i/dz_j = p_i (delta_ij - p_j), so J = diag(p) - p p^T (symmetric). Each row "
        "sums to 0 (the weights always sum to 1, so no change of z moves their sum). Each entry is at most 1/4 in "
        "size and tends to 0 as one weight tends to 1: when the logits spread out, gradients through the softmax "
        "vanish. Raw q.k scores of d_k-dimensional vectors with unit-variance entries spread like sqrt(d_k); "
        "dividing by sqrt(d_k) keeps the softmax away from saturation. Masked keys have p_j = 0 and drop out."
    )
    live_check = "seqlab.proofs.live.jacobian:check_softmax_jacobian"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """The Jacobian of softmax for n = 3 against diag(p) - p p^T, its row sums, and the n = 2 saturation limit."""
        zs = sp.symbols("z1:4", real=True)
        denominator = sum(sp.exp(z) for z in zs)
        p = sp.Matrix([sp.exp(z) / denominator for z in zs])
        jacobian = p.jacobian(sp.Matrix(zs))
        formula = sp.diag(*p) - p * p.T
        difference = (jacobian - formula).applyfunc(sp.simplify)
        row_sums = sp.Matrix([sp.simplify(sum(jacobian[i, :])) for i in range(3)])

        t, s = sp.Symbol("t", real=True), sp.Symbol("s", positive=True)
        p1 = 1 / (1 + sp.exp(-t))  # n = 2: p_1 = softmax(z)_1 with t = z_1 - z_2
        entry = sp.diff(p1, t)  # dp_1/dz_1
        as_p = sp.simplify(entry - p1 * (1 - p1))
        peak = sp.solve(sp.diff(entry, t), t)
        saturates = sp.limit(entry, t, sp.oo)
        scaled = sp.limit(entry.subs(t, s * sp.Integer(2)), s, sp.oo)  # logits (2s, 0): a spread that grows with s
        checks = [
            difference == sp.zeros(3, 3),
            row_sums == sp.zeros(3, 1),
            as_p == 0,
            peak == [0],
            sp.simplify(entry.subs(t, 0) - sp.Rational(1, 4)) == 0,
            saturates == 0,
            scaled == 0,
        ]
        steps = (
            ProofStep("softmax of z = (z1, z2, z3)", eq("p", p)),
            ProofStep("sympy's Jacobian minus diag(p) - p p^T, entry by entry", eq("dp/dz - (diag(p) - p pᵀ)", difference)),
            ProofStep("in general: d/dz_j of exp(z_i)/sum_k exp(z_k)", "dp_i/dz_j = p_i delta_ij - p_i p_j = p_i (delta_ij - p_j)"),
            ProofStep("each row sums to 0: sum_j p_i (delta_ij - p_j) = p_i - p_i", eq("J 1", row_sums)),
            ProofStep("n = 2, t = z1 - z2: the diagonal entry is p (1 - p)", eq("dp_1/dz_1 - p_1 (1 - p_1)", as_p)),
            ProofStep("largest where the two logits are equal (p = 1/2), value 1/4", eq("argmax_t", sp.FiniteSet(*peak))),
            ProofStep("and it vanishes as p_1 -> 1 (the softmax saturates)", eq("lim_(t->oo) dp_1/dz_1", saturates)),
            ProofStep(
                "logits that grow with a scale s (here (2s, 0)) saturate it: unscaled q.k spreads like sqrt(d_k)",
                eq("lim_(s->oo) dp_1/dz_1 at t = 2s", scaled),
            ),
        )
        statement = "d softmax(z)/dz = diag(p) - p pᵀ, each row sums to 0, and it tends to 0 as p becomes one-hot"
        return ProofResult(statement, steps, all(checks))
