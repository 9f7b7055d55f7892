"""Softmax ignores a constant added to a whole row: why attention can subtract the row maximum for free."""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class SoftmaxShift(Identity):
    """softmax(z + c) = softmax(z) for any constant c added to every entry of the row."""

    id = "softmax-shift"
    part = "attention"
    title = "softmax is unchanged by adding a constant to a row"
    conditions = (
        "z in R^n, the same c in R added to every entry of z (one constant per row; rows may differ): "
        "softmax(z + c) = softmax(z) exactly."
    )
    live_check = "seqlab.proofs.live.softmax:check_softmax_shift"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Factor exp(c) out of numerator and denominator, for symbolic n and for n = 3 written out."""
        i, j = sp.symbols("i j", integer=True, positive=True)
        n = sp.Symbol("n", integer=True, positive=True)
        c = sp.Symbol("c", real=True)
        z = sp.IndexedBase("z", real=True)
        shifted = sp.exp(z[i] + c) / sp.Sum(sp.exp(z[j] + c), (j, 1, n))
        plain = sp.exp(z[i]) / sp.Sum(sp.exp(z[j]), (j, 1, n))
        shown = sp.Mul(
            sp.Mul(sp.exp(c), sp.exp(z[i]), evaluate=False),
            sp.Pow(sp.Mul(sp.exp(c), sp.Sum(sp.exp(z[j]), (j, 1, n)), evaluate=False), -1, evaluate=False),
            evaluate=False,
        )
        # Step 2 must be the same expression as step 1 (exp(c) moved out of the sum), and it must equal
        # the plain softmax: both differences are taken on exactly the expressions shown.
        moved_out = sp.expand(shifted).replace(sp.Sum, lambda *args: factor_sum(sp.Sum(*args)))
        rewritten = sp.simplify(moved_out - shown)
        general = sp.simplify(shown - plain)

        z1, z2, z3 = sp.symbols("z1 z2 z3", real=True)
        row = [z1, z2, z3]
        soft = [sp.exp(v) / sum(sp.exp(w) for w in row) for v in row]
        soft_c = [sp.exp(v + c) / sum(sp.exp(w + c) for w in row) for v in row]
        checks = [rewritten == 0, general == 0, all(is_zero(a - b) for a, b in zip(soft_c, soft))]
        steps = (
            ProofStep("softmax of the shifted row", eq("softmax(z+c)_i", shifted)),
            ProofStep("exp(z_j + c) = exp(c) exp(z_j); exp(c) leaves the sum", eq("softmax(z+c)_i", shown)),
            ProofStep(
                "exp(c) cancels: the expression above minus the plain softmax simplifies to 0 (sympy)",
                eq("softmax(z+c)_i - softmax(z)_i", general),
            ),
            ProofStep(
                "n = 3 written out, each entry",
                eq("softmax(z+c) - softmax(z)", sp.Matrix([sp.simplify(a - b) for a, b in zip(soft_c, soft)])),
            ),
            ProofStep(
                "so subtracting the row max (c = -max z) changes nothing but keeps exp from overflowing",
                "softmax(z) = softmax(z - max(z))",
            ),
        )
        return ProofResult("softmax(z + c) = softmax(z) for every constant c", steps, all(checks))
