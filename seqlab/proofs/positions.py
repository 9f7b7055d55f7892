"""Sinusoidal positions: moving k steps is the same rotation of every position's vector."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq

if TYPE_CHECKING:
    import torch

    from seqlab.proofs.target import LiveTarget

TOLERANCE = 1e-4  # the tables are float32: angles up to a few hundred radians carry ~1e-5 error
SHIFTS = (1, 3, 17)


class SinusoidalRotation(Identity):
    """PE(p + k) = R_k PE(p), with R_k block-diagonal 2x2 rotations that depend on k only."""

    id = "sinusoidal-rotation"
    title = "sinusoidal positions: PE(p+k) is a fixed rotation of PE(p)"
    conditions = (
        "PE(p)[2i] = sin(p w_i), PE(p)[2i+1] = cos(p w_i), w_i = 10000^(-2i/d): for every shift k there is one "
        "orthogonal matrix R_k (a 2x2 rotation by k w_i per frequency, independent of p) with PE(p+k) = R_k PE(p)."
    )

    def prove(self) -> ProofResult:
        """Expand sin/cos of a sum: the 2x2 block maps (sin pw, cos pw) to (sin (p+k)w, cos (p+k)w)."""
        import sympy as sp

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

    def check(self, target: LiveTarget) -> CheckResult:
        """Read the model's sinusoidal table, build the block rotation for several k, measure max error."""
        import torch

        from seqlab.proofs.target import sinusoidal_modules

        modules, note = sinusoidal_modules(target)
        worst = 0.0
        sizes = []
        for _, module in modules:
            length = min(int(getattr(module, "max_len", 128)), 512)
            with torch.no_grad():
                table = module(length).cpu().to(torch.float64)  # [L, d]
            d = table.shape[1]
            sizes.append(f"{length}x{d}")
            for k in SHIFTS:
                if k >= length:
                    continue
                rotation = block_rotation(d, k)
                predicted = table[: length - k] @ rotation.T
                worst = max(worst, float((predicted - table[k:]).abs().max()))
        detail = (
            f"{len(modules)} sinusoidal table(s) ({', '.join(sizes)}); block rotation R_k for k in {SHIFTS} "
            f"applied to every position; max |R_k PE(p) - PE(p+k)|{note}"
        )
        return CheckResult(worst, TOLERANCE, worst <= TOLERANCE, detail)


def block_rotation(d: int, k: int) -> torch.Tensor:
    """The d x d matrix that moves a sinusoidal position vector k steps (2x2 rotations on (sin, cos) pairs)."""
    import torch

    rotation = torch.zeros(d, d, dtype=torch.float64)
    for i in range(0, d - 1, 2):
        angle = k * math.exp(-math.log(10000.0) * i / d)
        c, s = math.cos(angle), math.sin(angle)
        rotation[i, i], rotation[i, i + 1] = c, s
        rotation[i + 1, i], rotation[i + 1, i + 1] = -s, c
    if d % 2:  # an odd width ends with a lone sine whose cosine partner is missing: no exact rotation
        angle = k * math.exp(-math.log(10000.0) * (d - 1) / d)
        rotation[d - 1, d - 1] = math.cos(angle)
    return rotation
