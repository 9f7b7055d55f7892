"""Sinusoidal positions: moving k steps is the same rotation of every position's vector."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class SinusoidalRotation(Identity):
    """PE(p + k) = R_k PE(p), with R_k block-diagonal 2x2 rotations that depend on k only."""

    id = "sinusoidal-rotation"
    part = "sinusoidal positions"
    title = "sinusoidal positions: PE(p+k) is a fixed rotation of PE(p)"
    conditions = (
        "PE(p)[2i] = sin(p w_i), PE(p)[2i+1] = cos(p w_i), w_i = 10000^(-2i/d) (or any other placement of the pairs, "
        "such as tensor2tensor's [sin | cos] halves: the check reads the pairing off the table): for every shift k "
        "there is one orthogonal matrix R_k (a 2x2 rotation by k w_i per frequency, independent of p) with "
        "PE(p+k) = R_k PE(p). The check also runs the model: its first block must receive the scaled token "
        "embeddings plus PE[:T], and its output must change when the positions are removed (an order-blind "
        "encoder that never adds them fails)."
    )
    live_check = "seqlab.proofs.live.positions:check_sinusoidal_rotation"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Expand sin/cos of a sum: the 2x2 block maps (sin pw, cos pw) to (sin (p+k)w, cos (p+k)w)."""
        p, k, w = sp.symbols("p k omega", real=True)
        pair = sp.Matrix([sp.sin(p * w), sp.cos(p * w)])
        rotation = sp.Matrix([[sp.cos(k * w), sp.sin(k * w)], [-sp.sin(k * w), sp.cos(k * w)]])
        moved = rotation * pair
        target = sp.Matrix([sp.sin(p * w + k * w), sp.cos(p * w + k * w)])
        difference = (moved - sp.Matrix([sp.expand_trig(v) for v in target])).applyfunc(sp.simplify)
        orthogonal = (rotation.T * rotation).applyfunc(sp.trigsimp)
        checks = [
            difference == sp.zeros(2, 1),
            orthogonal == sp.eye(2),
            all(sp.diff(entry, p) == 0 for entry in rotation),
            sp.simplify(rotation.det()) == 1,
        ]
        steps = (
            ProofStep("one frequency w of the table: the pair at position p", eq("PE_w(p)", pair)),
            ProofStep("the candidate rotation by angle k w (no p in it)", eq("R_k", rotation)),
            ProofStep("apply it", eq("R_k PE_w(p)", moved)),
            ProofStep(
                "sin(a+b), cos(a+b) expanded: the pair at p + k",
                eq("PE_w(p+k)", sp.Matrix([sp.expand_trig(v) for v in target])),
            ),
            ProofStep("difference, simplified", eq("R_k PE_w(p) - PE_w(p+k)", difference)),
            ProofStep(
                "R_k is orthogonal with determinant 1 (a rotation)",
                eq(sp.MatrixSymbol("R_k", 2, 2).T * sp.MatrixSymbol("R_k", 2, 2), orthogonal),
            ),
            ProofStep(
                "stacking one block per frequency gives the d x d matrix R_k",
                "PE(p+k) = diag(R_k(w_0), R_k(w_1), ...) PE(p)",
            ),
        )
        return ProofResult("PE(p+k) = R_k PE(p) with R_k a rotation that depends on k only", steps, all(checks))


class PositionalDotProduct(Identity):
    """PE(p) . PE(p+k) = sum_i cos(k w_i): it depends on the offset k only, never on the position p."""

    id = "positional-dot"
    part = "sinusoidal positions"
    title = "sinusoidal positions: PE(p) . PE(p+k) depends only on k"
    conditions = (
        "the sinusoidal table of sinusoidal-rotation (a sin and a cos per frequency w_i, even d; any layout): "
        "PE(p+k) = R_k PE(p) with R_k a rotation, so PE(p) . PE(p+k) = sum_i cos(k w_i), the same for every p. "
        "Any order of the d coordinates keeps this (a dot product ignores the order); a frequency that differs "
        "between the sin and the cos of a pair breaks it."
    )
    live_check = "seqlab.proofs.live.positions:check_positional_dot_product"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """One frequency pair: sin(pw)sin((p+k)w) + cos(pw)cos((p+k)w) = cos(kw); sum over i; no p left."""
        p, k, w = sp.symbols("p k omega", real=True)
        pair = sp.Matrix([sp.sin(p * w), sp.cos(p * w)])
        moved = sp.Matrix([sp.sin((p + k) * w), sp.cos((p + k) * w)])
        rotation = sp.Matrix([[sp.cos(k * w), sp.sin(k * w)], [-sp.sin(k * w), sp.cos(k * w)]])
        dot = (pair.T * moved)[0]
        through_rotation = sp.simplify((pair.T * rotation * pair)[0])
        simplified = sp.simplify(sp.expand_trig(dot))
        i = sp.Symbol("i", integer=True, nonnegative=True)
        half = sp.Symbol("d/2", integer=True, positive=True)
        frequency = sp.Function("omega")
        total = sp.Sum(sp.cos(k * frequency(i)), (i, 0, half - 1))
        checks = [
            is_zero(simplified - sp.cos(k * w)),
            is_zero(through_rotation - sp.cos(k * w)),
            sp.diff(simplified, p) == 0,
            sp.diff(total, p) == 0,
        ]
        steps = (
            ProofStep("one frequency pair of PE(p) and PE(p+k), dotted", eq("PE_w(p) . PE_w(p+k)", dot)),
            ProofStep("from the rotation proof, PE_w(p+k) = R_k PE_w(p), so it is PE_w(p)^T R_k PE_w(p)", eq("PE_w(p)ᵀ R_k PE_w(p)", through_rotation)),
            ProofStep("the angle-sum formula gives the same, with no p in it", eq("PE_w(p) . PE_w(p+k)", simplified)),
            ProofStep("summing the d/2 frequency pairs", eq("PE(p) . PE(p+k)", total)),
            ProofStep("its derivative in p", eq("d/dp PE(p) . PE(p+k)", sp.diff(total, p))),
        )
        return ProofResult("PE(p) . PE(p+k) = sum_i cos(k w_i), independent of p", steps, all(checks))
