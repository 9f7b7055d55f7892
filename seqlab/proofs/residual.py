"""Residual connections: the Jacobian of x + f(x) is I + df/dx, so the gradient always has an identity path."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


class ResidualJacobian(Identity):
    """d(x + f(x))/dx = I + df/dx for any differentiable f."""

    id = "residual-jacobian"
    part = "transformer block"
    title = "residual layer: the Jacobian of x + f(x) is I + df/dx"
    conditions = (
        "y = x + f(x) with f differentiable (a Transformer sublayer: attention or feed-forward): dy/dx = I + df/dx, so "
        "a gradient g reaching y passes to x as g + (df/dx)^T g, whatever f does. Where the layer norm sits decides "
        "what that means for the block: pre-norm, y = x + f(LN(x)), so dy/dx = I + df/dx J_LN and the identity path "
        "reaches x untouched; post-norm (Vaswani, BERT), the norm acts after the residual add, y = LN(x + f(x)), so "
        "dy/dx = J_LN (I + df/dx) and the identity path passes through the norm's Jacobian. The check measures each "
        "block, norms kept, against the form it claims."
    )
    live_check = "seqlab.proofs.live.residual:check_residual_jacobian"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Symbolic units: d(x_k + f_k(x))/dx_m = delta_km + df_k/dx_m; then d = 2 with arbitrary f1, f2."""
        k, m = sp.symbols("k m", integer=True)
        x = sp.IndexedBase("x", real=True)
        f = sp.Function("f")
        entry = sp.diff(x[k] + f(k, x[m]), x[m])
        x1, x2 = sp.symbols("x1 x2", real=True)
        f1, f2 = sp.Function("f1")(x1, x2), sp.Function("f2")(x1, x2)
        y = sp.Matrix([x1 + f1, x2 + f2])
        jacobian = y.jacobian(sp.Matrix([x1, x2]))
        branch = sp.Matrix([f1, f2]).jacobian(sp.Matrix([x1, x2]))
        difference = (jacobian - branch).applyfunc(sp.simplify)
        checks = [difference == sp.eye(2), sp.diff(x[k], x[m]) == sp.KroneckerDelta(k, m)]
        steps = (
            ProofStep("the skip term alone: dx_k/dx_m", eq("dx_k/dx_m", sp.diff(x[k], x[m]))),
            ProofStep("so every entry of d(x + f)/dx is delta_km plus the branch's entry", eq("d(x_k + f_k)/dx_m", entry)),
            ProofStep("d = 2 with arbitrary f1, f2", eq("dy/dx", jacobian)),
            ProofStep("minus the branch's Jacobian leaves the identity", eq("dy/dx - df/dx", difference)),
            ProofStep(
                "pre-norm, y = x + f(LN(x)): the chain rule gives the identity plus the branch through the norm",
                "dy/dx = I + (df/dz)(z = LN(x)) J_LN(x)",
            ),
            ProofStep(
                "post-norm, y = LN(s), s = x + f(x): the identity path sits inside the norm's Jacobian",
                "dy/dx = J_LN(s) (I + df/dx): a gradient g reaches x as v + (df/dx)^T v with v = J_LN(s)^T g",
            ),
            ProofStep(
                "a stack of L residual layers multiplies (I + df_l/dx): expanding, the product always contains I",
                "dy_L/dx_0 = (I + J_L) ... (I + J_1) = I + (sum of J_l) + ...",
            ),
        )
        return ProofResult("d(x + f(x))/dx = I + df/dx", steps, all(checks))
