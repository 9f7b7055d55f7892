"""Softmax ignores a constant added to a whole row: why attention can subtract the row maximum for free."""

from __future__ import annotations

from typing import Any

import sympy as sp
import torch
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy


class SoftmaxShift(Identity):
    """softmax(z + c) = softmax(z) for any constant c added to every entry of the row."""

    id = "softmax-shift"
    part = "attention"
    title = "softmax is unchanged by adding a constant to a row"
    conditions = (
        "z in R^n, the same c in R added to every entry of z (one constant per row; rows may differ): "
        "softmax(z + c) = softmax(z) exactly."
    )

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

    def check(self, target: LiveTarget) -> CheckResult:
        """Shift every logit row of each attention module by a row constant (through the keys); outputs stay put.

        Adding one vector u to every key adds q_i . u / sqrt(d_head) to row i of the logits: a different
        constant per row, the same for every key in it. Softmax should not notice.
        """
        modules, note, on = attention_modules(target)
        worst_out = worst_probs = 0.0
        biggest_shift = 0.0
        length = 10
        for index, (_, module) in enumerate(modules):
            attention = exact_copy(module, target)
            d = attention.d_model
            x = target.randn(2, length, d, offset=800 + index)
            mask = torch.ones(2, length, dtype=torch.bool, device=target.device)
            mask[1, 6:] = False
            shift = target.randn(d, offset=900 + index) * 5

            def add_to_keys(_: Any, __: Any, keys: torch.Tensor) -> torch.Tensor:
                return keys + shift

            with torch.no_grad():
                queries = attention.query(x)
                head_q = queries.view(2, length, attention.n_heads, attention.d_head)
                row_shift = (head_q * shift.view(attention.n_heads, attention.d_head)).sum(-1)
                biggest_shift = max(biggest_shift, float(row_shift.abs().max()) / attention.d_head**0.5)
                for causal in (False, True):
                    for need_weights in (True, False):
                        base, base_probs = attention(x, mask, causal, need_weights)
                        handle = attention.key.register_forward_hook(add_to_keys)
                        try:
                            moved, moved_probs = attention(x, mask, causal, need_weights)
                        finally:
                            handle.remove()
                        worst_out = max(worst_out, float((moved - base).abs().max()))
                        if base_probs is not None:
                            worst_probs = max(worst_probs, float((moved_probs - base_probs).abs().max()))
        measured = max(worst_out, worst_probs)
        detail = (
            f"{len(modules)} attention module(s), float64: a random vector added to every key shifts each logit row "
            f"by up to {biggest_shift:.1f}; max change of outputs {worst_out:.1e}, of weights {worst_probs:.1e} "
            f"(both paths, with and without masks){note}"
        )
        extra = {"largest row shift": biggest_shift}
        return CheckResult(
            measured, target.rounding, measured <= target.rounding, detail, extra=extra, measured_on=on
        )
