"""Layer norm's gradient sums to 0 over the features and is orthogonal to its output; LN(a x) = LN(x) for a > 0."""

from __future__ import annotations

from typing import Sequence

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq

WIDTH = 3  # the proofs write LN out for d = 3 inputs x1, x2, x3


def _layer_norm(values: Sequence[sp.Expr], eps: sp.Expr) -> tuple[sp.Matrix, sp.Expr]:
    """LN of a d = 3 vector with gamma = 1, beta = 0, biased variance: ((x - mu) / sqrt(var + eps), var)."""
    mean = sum(values) / WIDTH
    var = sum((v - mean) ** 2 for v in values) / WIDTH
    return sp.Matrix([(v - mean) / sp.sqrt(var + eps) for v in values]), var


def _is_zero_matrix(matrix: sp.Matrix) -> tuple[bool, sp.Matrix]:
    """(every entry simplifies to 0, the simplified matrix)."""
    simplified = matrix.applyfunc(sp.simplify)
    return all(entry == 0 for entry in simplified), simplified


class LayerNormGradient(Identity):
    """For y = LN(x) (gamma = 1, beta = 0, eps = 0) and any upstream g: 1 . dL/dx = 0 and y . dL/dx = 0."""

    id = "layernorm-gradient"
    part = "layer norm"
    title = "layer norm's input gradient sums to 0 and is orthogonal to its output"
    conditions = (
        "y = (x - mean) / sqrt(var + eps), gamma = 1, beta = 0, over the d features of one vector: dy/dx = "
        "(I - 1 1^T/d - y y^T/c) / sqrt(var + eps), with c = d for the biased variance (d - 1 unbiased). It is "
        "symmetric and kills 1 (the mean is removed) and, for eps = 0, y (the scale is removed): whatever gradient "
        "g reaches y, g^T dy/dx sums to 0 over the features and is orthogonal to y. With eps > 0, y . grad = "
        "(y . g) eps / ((var + eps) sqrt(var + eps)): orthogonal up to eps. The check sets eps = 0 on a copy."
    )
    live_check = "seqlab.proofs.live.norm_grad:check_layer_norm_gradient"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """d = 3 written out: sympy's Jacobian against the formula, J 1 = 0, y^T J = 0 (eps = 0), the eps term."""
        xs = sp.symbols(f"x1:{WIDTH + 1}", real=True)
        eps = sp.Symbol("epsilon", nonnegative=True)
        y, var = _layer_norm(xs, eps)
        jacobian = y.jacobian(sp.Matrix(xs))
        root = sp.sqrt(var + eps)
        formula = (sp.eye(WIDTH) - sp.ones(WIDTH, WIDTH) / WIDTH - y * y.T / WIDTH) / root
        same, difference = _is_zero_matrix(jacobian - formula)
        kills_ones, ones = _is_zero_matrix(jacobian * sp.ones(WIDTH, 1))
        y0, _ = _layer_norm(xs, sp.Integer(0))
        kills_y, along_y = _is_zero_matrix(y0.T * y0.jacobian(sp.Matrix(xs)))
        eps_term, _ = _is_zero_matrix(y.T * jacobian - y.T * eps / ((var + eps) * root))
        symmetric = _is_zero_matrix(jacobian - jacobian.T)[0]
        mu, sigma = sp.symbols("mu sigma", positive=True)
        steps = (
            ProofStep("layer norm of x in R^3, gamma = 1, beta = 0", eq("y_i", (sp.Symbol("x_i") - mu) / sp.sqrt(sigma**2 + eps))),
            ProofStep(
                "sympy's Jacobian minus (I - 1 1^T/d - y y^T/d) / sqrt(var + eps): the formula, entry by entry",
                eq("dy/dx - J", difference),
            ),
            ProofStep("J is symmetric, so the input gradient is J g; J 1 = 0 because y sums to 0", eq("J 1", ones)),
            ProofStep("so 1 . (J g) = (J 1) . g = 0: the gradient sums to 0 over the features", "sum_i dL/dx_i = 0"),
            ProofStep("with eps = 0, y^T J = 0 as well (||y||^2 = d)", eq("yᵀ J", along_y)),
            ProofStep("so y . (J g) = 0: the gradient is orthogonal to the output (nothing moves along y's scale)", "y . dL/dx = 0"),
            ProofStep(
                "with eps > 0 (sympy: y^T J minus this is 0): orthogonal only up to eps",
                "yᵀ J = yᵀ ε / (σ² + ε)^(3/2)",
            ),
        )
        checks = [same, kills_ones, kills_y, eps_term, symmetric]
        statement = "layer norm's input gradient sums to 0 over the features and is orthogonal to LN(x) (eps = 0)"
        return ProofResult(statement, steps, all(checks))


class LayerNormScaleInvariance(Identity):
    """LN(a x) = LN(x) for every a > 0 (gamma = 1, beta = 0, eps = 0); LN(-x) = -LN(x); with eps, up to eps/a^2."""

    id = "layernorm-scale-invariance"
    part = "layer norm"
    title = "layer norm ignores the scale of its input: LN(a x) = LN(x) for a > 0"
    conditions = (
        "gamma = 1, beta = 0, eps = 0, x not constant: mean(a x) = a mean(x) and var(a x) = a^2 var(x), so "
        "LN(a x) = a (x - mean) / (|a| std) = sign(a) LN(x). With eps > 0, LN_eps(a x) = LN_(eps/a^2)(x): the "
        "invariance holds up to eps, and fails for inputs whose a^2 var is comparable to eps. The check sets eps = 0 "
        "on a copy and multiplies what the model gave each LayerNorm by a = 0.01 ... 1000."
    )
    live_check = "seqlab.proofs.live.norm_grad:check_layer_norm_scale_invariance"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """d = 3 written out: LN(a x) - LN(x) = 0 for a > 0, LN(-a x) + LN(x) = 0, and the eps/a^2 form."""
        xs = sp.symbols(f"x1:{WIDTH + 1}", real=True)
        a = sp.Symbol("a", positive=True)
        eps = sp.Symbol("epsilon", nonnegative=True)
        zero = sp.Integer(0)
        y, _ = _layer_norm(xs, zero)
        scaled, scaled_var = _layer_norm([a * v for v in xs], zero)
        negated, _ = _layer_norm([-a * v for v in xs], zero)
        invariant, difference = _is_zero_matrix(scaled - y)
        odd, flipped = _is_zero_matrix(negated + y)
        with_eps, _ = _layer_norm([a * v for v in xs], eps)
        moved, _ = _layer_norm(xs, eps / a**2)
        eps_form, eps_difference = _is_zero_matrix(with_eps - moved)
        _, var = _layer_norm(xs, zero)
        variance_scales = sp.simplify(scaled_var - a**2 * var) == 0
        steps = (
            ProofStep("the variance of a x is a^2 times that of x", eq("var(a x) - a² var(x)", sp.simplify(scaled_var - a**2 * var))),
            ProofStep("so sqrt(var(a x)) = a std(x) for a > 0, and a cancels: LN(a x) - LN(x), entry by entry", eq("LN(a x) - LN(x)", difference)),
            ProofStep("a negative factor flips the sign: LN(-a x) + LN(x)", eq("LN(-a x) + LN(x)", flipped)),
            ProofStep("with eps > 0, a x normalises like x with eps / a^2", eq("LN_ε(a x) - LN_(ε/a²)(x)", eps_difference)),
            ProofStep(
                "so with eps the invariance holds only while eps / a^2 is negligible next to var(x)",
                "LN_ε(a x) ≈ LN_ε(x)  iff  ε/a² << var(x)",
            ),
        )
        checks = [invariant, odd, eps_form, variance_scales]
        return ProofResult("LN(a x) = LN(x) for every a > 0 (gamma = 1, beta = 0, eps = 0); LN(-x) = -LN(x)", steps, all(checks))
