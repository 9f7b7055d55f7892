"""Sinusoidal positions: moving k steps is the same rotation of every position's vector."""

from __future__ import annotations

import math

import sympy as sp
import torch

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.target import Found, LiveTarget, sinusoidal_modules


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
        tables, note, on = sinusoidal_tables(target)
        worst = 0.0
        for table in tables:
            length, d = table.shape
            for k in SHIFTS:
                if k >= length:
                    continue
                rotation = block_rotation(d, k)
                predicted = table[: length - k] @ rotation.T
                worst = max(worst, float((predicted - table[k:]).abs().max()))
        detail = (
            f"{len(tables)} sinusoidal table(s) ({_sizes(tables)}); block rotation R_k for k in {SHIFTS} "
            f"applied to every position; max |R_k PE(p) - PE(p+k)|{note}"
        )
        return CheckResult(worst, TOLERANCE, worst <= TOLERANCE, detail, measured_on=on)


def sinusoidal_tables(target: LiveTarget) -> Found:
    """Found(tables): each sinusoidal module's table [L, d] (at most 512 positions) in float64 on the CPU."""
    modules, note, on = sinusoidal_modules(target)
    tables = []
    for _, module in modules:
        with torch.no_grad():
            tables.append(module(min(int(getattr(module, "max_len", 128)), 512)).cpu().to(torch.float64))
    return Found(tables, note, on)


def _sizes(tables: list[torch.Tensor]) -> str:
    """'128x64, 512x32': the tables' shapes."""
    return ", ".join(f"{length}x{d}" for length, d in (table.shape for table in tables))


def block_rotation(d: int, k: int) -> torch.Tensor:
    """The d x d matrix that moves a sinusoidal position vector k steps (2x2 rotations on (sin, cos) pairs)."""
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


DOT_SHIFTS = 24  # shifts k = 0 .. DOT_SHIFTS - 1 measured on the table


class PositionalDotProduct(Identity):
    """PE(p) . PE(p+k) = sum_i cos(k w_i): it depends on the offset k only, never on the position p."""

    id = "positional-dot"
    title = "sinusoidal positions: PE(p) . PE(p+k) depends only on k"
    conditions = (
        "the sinusoidal table of sinusoidal-rotation (sin at 2i, cos at 2i+1, one frequency w_i per pair, even d): "
        "PE(p+k) = R_k PE(p) with R_k a rotation, so PE(p) . PE(p+k) = sum_i cos(k w_i), the same for every p. "
        "Any order of the d coordinates keeps this (a dot product ignores the order); a frequency that differs "
        "between the sin and the cos of a pair breaks it."
    )

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

    def check(self, target: LiveTarget) -> CheckResult:
        """Every dot product PE(p).PE(p+k) of the model's table, by k: spread over p, and distance from sum cos(k w_i)."""
        tables, note, on = sinusoidal_tables(target)
        spread = formula_gap = 0.0
        for table in tables:
            length, d = table.shape
            gram = table @ table.T
            frequencies = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
            for k in range(min(DOT_SHIFTS, length)):
                values = torch.diagonal(gram, offset=k)  # PE(p) . PE(p+k) for every p
                spread = max(spread, float(values.max() - values.min()))
                if d % 2 == 0:  # an odd width's lone sine has no cosine partner: only the spread is claimed
                    expected = float(torch.cos(k * frequencies).sum())
                    formula_gap = max(formula_gap, float((values - expected).abs().max()))
        measured = max(spread, formula_gap)
        tolerance = 10 * TOLERANCE  # a sum of d/2 float32 products
        detail = (
            f"{len(tables)} sinusoidal table(s) ({_sizes(tables)}); for k = 0..{DOT_SHIFTS - 1}: spread over p of "
            f"PE(p).PE(p+k) {spread:.1e} (want 0), max |PE(p).PE(p+k) - sum_i cos(k w_i)| {formula_gap:.1e}{note}"
        )
        extra = {"spread over p": spread, "formula gap": formula_gap}
        return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
