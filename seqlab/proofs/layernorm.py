"""Layer norm identities: the normalized output has norm sqrt(d); in 2-D it lands on (1,-1) or (-1,1)."""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq, is_zero


class LayerNormNorm(Identity):
    """||LN(x)|| = sqrt(d) before the affine part; sqrt(d)*sqrt(var/(var+eps)) with eps; sqrt(d-1) unbiased."""

    id = "layernorm-norm"
    part = "layer norm"
    title = "layer norm output has mean 0 and norm sqrt(d)"
    conditions = (
        "x in R^d not constant, gamma = 1, beta = 0, eps = 0, variance biased (divide by d): the d entries of LN(x) "
        "have mean 0 and mean square 1, so ||LN(x)|| = sqrt(d). "
        "With eps > 0 the norm is sqrt(d)*sqrt(var/(var+eps)); with the unbiased std (divide by d-1, as the "
        "Annotated Transformer does) it is sqrt(d-1) at eps = 0. The check re-runs each module on the tensor the model "
        "gave it, in its own shape, with the module's own variance convention and eps."
    )
    live_check = "seqlab.proofs.live.layernorm:check_layer_norm_norm"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Derive the norm for symbolic d with sympy sums, then the eps and unbiased variants."""
        i, j = sp.symbols("i j", integer=True, positive=True)
        d = sp.Symbol("d", integer=True, positive=True)
        eps = sp.Symbol("epsilon", positive=True)
        x = sp.IndexedBase("x")
        mu = sp.Sum(x[j], (j, 1, d)) / d
        squares = sp.Sum((x[i] - mu) ** 2, (i, 1, d))
        var = squares / d
        mu_s, sigma = sp.symbols("mu sigma", positive=True)

        norm_sq = factor_sum(sp.Sum(((x[i] - mu) / sp.sqrt(var)) ** 2, (i, 1, d)))
        with_eps = factor_sum(sp.Sum((x[i] - mu) ** 2 / (var + eps), (i, 1, d)))
        unbiased = factor_sum(sp.Sum((x[i] - mu) ** 2 / (squares / (d - 1)), (i, 1, d)))
        mean_out = sp.simplify((sp.expand(sp.Sum(x[i] - mu, (i, 1, d))).doit() / d).xreplace({j: i}))
        checks = [
            mean_out == 0,
            is_zero(norm_sq - d),
            is_zero(with_eps - d * var / (var + eps)),
            is_zero(unbiased - (d - 1)),
        ]
        example = sp.Matrix([1, 2, 6])
        ex_mu = sum(example) / 3
        ex_sigma = sp.sqrt(sum((v - ex_mu) ** 2 for v in example) / 3)
        ex_y = (example - ex_mu * sp.ones(3, 1)) / ex_sigma
        checks.append(sp.simplify(ex_y.norm() - sp.sqrt(3)) == 0)

        steps = (
            ProofStep("mean and biased variance of x in R^d", eq("sigma^2", sp.Sum((x[i] - mu_s) ** 2, (i, 1, d)) / d)),
            ProofStep("layer norm with gamma = 1, beta = 0, eps = 0", eq("y_i", (x[i] - mu_s) / sigma)),
            ProofStep("the mean of the d entries of y: sum(x_i - mu) = d mu - d mu", eq("mean(y)", mean_out)),
            ProofStep(
                "sigma does not depend on i, so it leaves the sum",
                eq("||y||^2", sp.Sum((x[i] - mu_s) ** 2, (i, 1, d)) / sigma**2),
            ),
            ProofStep("the sum is d*sigma^2 by the definition of sigma (sympy simplifies it)", eq("||y||^2", norm_sq)),
            ProofStep("so the norm is", eq("||y||", sp.sqrt(norm_sq))),
            ProofStep(
                "with eps > 0 in the denominator: sigma^2/(sigma^2+eps) < 1 shrinks it",
                eq("||y||", sp.sqrt(d) * sp.sqrt(sigma**2 / (sigma**2 + eps))),
            ),
            ProofStep("with the unbiased variance (divide by d-1)", eq("||y||", sp.sqrt(unbiased))),
            ProofStep("a concrete case, exact: x = (1, 2, 6), d = 3", eq("||y||", sp.nsimplify(ex_y.norm()))),
        )
        return ProofResult(
            statement="LN(x) has mean 0 and ||LN(x)|| = sqrt(d) (mean square 1) for gamma=1, beta=0, eps=0, biased variance",
            steps=steps,
            verified=all(checks),
        )


class LayerNorm2D(Identity):
    """In d = 2, layer norm sends (a, b) with a != b to (1, -1) or (-1, 1) by the sign of a - b (eps = 0)."""

    id = "layernorm-2d"
    part = "layer norm"
    title = "2-D layer norm sends (a, b), a != b, to (1,-1) or (-1,1) when eps = 0"
    conditions = (
        "d = 2, a != b, eps = 0, biased variance: LN(a, b) = (sign(a-b), -sign(a-b)) before the affine part; "
        "with gamma, beta the two outputs are (gamma1+beta1, -gamma2+beta2) if a > b, else (-gamma1+beta1, gamma2+beta2). "
        "The point a = b has no image (0/0). With eps > 0 the point lands at r (1, -1), r = h / sqrt(h^2 + eps), "
        "h = (a-b)/2: inside the corners, and far inside near the diagonal; with the unbiased variance (divide by "
        "d - 1 = 1) r = h / sqrt(2 h^2 + eps), so the corners are +-(1/sqrt 2)(1, -1)."
    )
    live_check = "seqlab.proofs.live.layernorm:check_layer_norm2_d"  # the torch half, imported on first use

    def prove(self) -> ProofResult:
        """Compute LN(a, b) in closed form for a > b and a < b, then apply gamma and beta; then eps and unbiased."""
        a, b = sp.symbols("a b", real=True)
        g1, g2, b1, b2 = sp.symbols("gamma1 gamma2 beta1 beta2", real=True)
        t = sp.Symbol("t", positive=True)  # |a - b|
        eps = sp.Symbol("epsilon", positive=True)
        mu = (a + b) / 2
        var = sp.simplify(((a - mu) ** 2 + (b - mu) ** 2) / 2)
        sigma = sp.Abs(a - b) / 2
        y = sp.Matrix([(a - mu) / sigma, (b - mu) / sigma])
        y_above = sp.simplify(y.subs(a, b + t))  # a > b
        y_below = sp.simplify(y.subs(a, b - t))  # a < b
        affine_above = sp.Matrix([g1 * y_above[0] + b1, g2 * y_above[1] + b2])
        affine_below = sp.Matrix([g1 * y_below[0] + b1, g2 * y_below[1] + b2])
        with_eps = sp.simplify(sp.Matrix([(a - mu), (b - mu)]).subs(a, b + t) / sp.sqrt(var.subs(a, b + t) + eps))
        radius = (t / 2) / sp.sqrt(t**2 / 4 + eps)
        unbiased_var = sp.simplify(((a - mu) ** 2 + (b - mu) ** 2) / 1)
        y_unbiased = sp.simplify(sp.Matrix([(a - mu), (b - mu)]).subs(a, b + t) / sp.sqrt(unbiased_var.subs(a, b + t)))
        checks = [
            sp.simplify(var - sigma**2) == 0,
            y_above == sp.Matrix([1, -1]),
            y_below == sp.Matrix([-1, 1]),
            sp.simplify(affine_above - sp.Matrix([g1 + b1, -g2 + b2])) == sp.zeros(2, 1),
            sp.simplify(affine_below - sp.Matrix([-g1 + b1, g2 + b2])) == sp.zeros(2, 1),
            sp.simplify(with_eps - radius * sp.Matrix([1, -1])) == sp.zeros(2, 1),
            bool(sp.simplify(1 - radius**2) > 0),
            sp.limit(radius, t, 0) == 0,
            sp.simplify(y_unbiased - sp.Matrix([1, -1]) / sp.sqrt(2)) == sp.zeros(2, 1),
        ]
        steps = (
            ProofStep("mean of (a, b)", eq("mu", mu)),
            ProofStep("biased variance is ((a-b)/2)^2, so sigma = |a-b|/2", eq("sigma^2", sp.factor(var))),
            ProofStep("normalized point: each coordinate is +-(a-b)/2 over |a-b|/2", eq("y", y.applyfunc(sp.factor))),
            ProofStep("if a > b (write a = b + t, t > 0)", eq("y", y_above)),
            ProofStep("if a < b (write a = b - t, t > 0)", eq("y", y_below)),
            ProofStep("gamma scales and beta shifts each coordinate, a > b", eq("out", affine_above)),
            ProofStep("gamma scales and beta shifts each coordinate, a < b", eq("out", affine_below)),
            ProofStep(
                "with eps > 0 (a = b + t): the point is r (1, -1) with r < 1, and r -> 0 as t -> 0 (near the diagonal)",
                eq("y", radius * sp.Matrix([1, -1])),
            ),
            ProofStep("with the unbiased variance (divide by d - 1 = 1), eps = 0", eq("y", y_unbiased)),
        )
        return ProofResult(
            statement=(
                "LN(a, b) = (1, -1) if a > b, (-1, 1) if a < b (eps = 0, biased variance); gamma, beta only scale and "
                "shift these two points; with eps > 0 a point lands at r (1, -1), r < 1, short of the corner"
            ),
            steps=steps,
            verified=all(checks),
        )
