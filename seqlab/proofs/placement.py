"""Pre-LN vs post-LN: the gradient of a pre-norm block has an exact identity path; a post-norm block's goes
through both layer norms, which drop the mean direction."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq


class NormPlacement(Identity):
    """Pre-norm x + F(LN(x)): dy/dx = I + dF/dx; post-norm LN(x + F(x)): dy/dx = J_LN (I + dF/dx), no bare I."""

    id = "norm-placement"
    part = "transformer block"
    title = "pre-norm blocks keep an exact identity path in the gradient; post-norm blocks do not"
    conditions = (
        "pre-norm y = x + F(LN(x)): dy/dx = I + dF(LN(x))/dx, the identity exactly, whatever F and LN do. Post-norm "
        "y = LN(x + F(x)): dy/dx = J_LN (I + dF/dx) with J_LN = diag(gamma) (I - 1 1^T/d - z z^T/c) / sigma "
        "(z the normalised sum, c = d or d - 1): the skip path reaches x only through J_LN, which removes the mean "
        "direction 1 (and z) and scales by gamma / sigma. The check switches each sublayer off (its last Linear "
        "zeroed) so that only the skip path is left, and compares the block with what its norm placement claims."
    )
    live_check = "seqlab.proofs.live.placement:check_norm_placement"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """d = 2 with arbitrary F: pre-norm's Jacobian minus I is the branch's; a 1-D post-norm 'LN' shows the product,
        and the LN Jacobian kills 1 (d = 3)."""
        x1, x2 = sp.symbols("x1 x2", real=True)
        xs = sp.Matrix([x1, x2])
        ln = [sp.Function("n1")(x1, x2), sp.Function("n2")(x1, x2)]  # any norm
        f = [sp.Function("f1"), sp.Function("f2")]
        branch = sp.Matrix([f[0](ln[0], ln[1]), f[1](ln[0], ln[1])])
        pre = xs + branch
        pre_gap = (pre.jacobian(xs) - branch.jacobian(xs)).applyfunc(sp.simplify)

        ys = sp.symbols("y1:4", real=True)  # d = 3: the post-norm skip path goes through J_LN
        mean = sum(ys) / 3
        var = sum((v - mean) ** 2 for v in ys) / 3
        normalised = sp.Matrix([(v - mean) / sp.sqrt(var) for v in ys])
        j_ln = normalised.jacobian(sp.Matrix(ys))
        kills_mean = (sp.ones(1, 3) * j_ln).applyfunc(sp.simplify)
        lost = sp.simplify((sp.ones(1, 3) * j_ln - sp.ones(1, 3)).norm() ** 2)  # |1^T J - 1^T|^2 = |1|^2 = 3
        checks = [pre_gap == sp.eye(2), kills_mean == sp.zeros(1, 3), lost == 3]
        steps = (
            ProofStep("pre-norm, d = 2, any norm n and branch f", eq("y", pre)),
            ProofStep("its Jacobian minus the branch's: the identity, exactly", eq("dy/dx - d f(n(x))/dx", pre_gap)),
            ProofStep(
                "post-norm: the chain rule puts the norm's Jacobian in front of everything, skip included",
                "d LN(x + F(x))/dx = J_LN (I + dF/dx)",
            ),
            ProofStep("layer norm's Jacobian (d = 3, gamma = 1, eps = 0) removes the mean direction", eq("1ᵀ J_LN", kills_mean)),
            ProofStep(
                "so a gradient along 1 does not cross a post-norm skip at all: |1^T J - 1^T|^2 = |1|^2",
                eq("|1ᵀ J_LN - 1ᵀ|²", lost),
            ),
        )
        statement = "pre-norm: d(x + F(LN(x)))/dx = I + (branch); post-norm: d LN(x + F(x))/dx = J_LN (I + dF/dx)"
        return ProofResult(statement, steps, all(checks))
