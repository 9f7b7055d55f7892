"""Layer norm identities: the normalized output has norm sqrt(d); in 2-D it lands on (1,-1) or (-1,1)."""

from __future__ import annotations

import copy

import sympy as sp
import torch
from sympy.simplify.simplify import factor_sum

from seqlab.proofs.base import STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq, is_zero
from seqlab.proofs.target import LiveTarget, capture_layernorm_inputs, is_unbiased, layernorm_class, layernorm_eps


class LayerNormNorm(Identity):
    """||LN(x)|| = sqrt(d) before the affine part; sqrt(d)*sqrt(var/(var+eps)) with eps; sqrt(d-1) unbiased."""

    id = "layernorm-norm"
    title = "layer norm output has mean 0 and norm sqrt(d)"
    conditions = (
        "x in R^d not constant, gamma = 1, beta = 0, eps = 0, variance biased (divide by d): the d entries of LN(x) "
        "have mean 0 and mean square 1, so ||LN(x)|| = sqrt(d). "
        "With eps > 0 the norm is sqrt(d)*sqrt(var/(var+eps)); with the unbiased std (divide by d-1, as the "
        "Annotated Transformer does) it is sqrt(d-1)."
    )

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

    def check(self, target: LiveTarget) -> CheckResult:
        """Hook every LayerNorm of the model on real tokens; re-run each with gamma=1, beta=0; compare norms."""
        captured, note, on = capture_layernorm_inputs(target)
        worst = 0.0
        worst_name = ""
        worst_mean = 0.0
        tokens = 0
        for name, module, inputs in captured:
            plain = copy.deepcopy(module).to(target.dtype)
            unbiased = is_unbiased(module)
            eps = layernorm_eps(module)
            with torch.no_grad():
                if getattr(plain, "weight", None) is not None:  # torch's LayerNorm may have no affine part
                    plain.weight.fill_(1.0)
                if getattr(plain, "bias", None) is not None:
                    plain.bias.zero_()
                x = inputs.to(target.dtype)
                d = x.shape[-1]
                if unbiased:
                    # eps would shrink the norm below sqrt(d-1) in a form-specific way; the exact claim is for eps = 0.
                    plain.eps = 0.0
                    expected = torch.full(x.shape[:-1], float(d - 1), dtype=x.dtype, device=x.device).sqrt()
                else:
                    var = x.var(dim=-1, unbiased=False)
                    expected = (d * var / (var + eps)).sqrt()
                normalized = plain(x)
                norms = normalized.norm(dim=-1)
                # The norm alone cannot tell LayerNorm from RMSNorm (x / rms(x)): with a tiny eps both give sqrt(d).
                # Mean 0 is the other half of the identity, relative to the output's size.
                means = normalized.mean(dim=-1).abs() * d**0.5 / norms.clamp_min(1e-30)
            worst_here = float((norms - expected).abs().max())
            worst_mean = max(worst_mean, float(means.max()))
            tokens += norms.numel()
            if worst_here >= worst:
                worst, worst_name = worst_here, name
        tolerance = 100 * target.rounding  # norms are ~sqrt(d), so allow a little more than one rounding step
        kind = "sqrt(d-1) (unbiased)" if any(is_unbiased(m) for _, m, _ in captured) else "sqrt(d)*sqrt(var/(var+eps))"
        vectors = "vectors at real (non-pad) token positions" if not note else "input vectors"
        detail = (
            f"{len(captured)} LayerNorm module(s), {tokens} {vectors}, gamma = 1, beta = 0; max |norm - {kind}| "
            f"{worst:.1e} (worst in {worst_name or 'n/a'}), max |mean| of the d entries {worst_mean:.1e} "
            f"(want 0: an RMSNorm passes the norm but not this){note}"
        )
        measured = max(worst, worst_mean)
        passed = bool(captured) and measured <= tolerance
        extra = {"norm error": worst, "mean": worst_mean}
        return CheckResult(measured=measured, tolerance=tolerance, passed=passed, detail=detail, extra=extra, measured_on=on)


class LayerNorm2D(Identity):
    """In d = 2, layer norm sends (a, b) with a != b to (1, -1) or (-1, 1) by the sign of a - b."""

    id = "layernorm-2d"
    title = "2-D layer norm maps every point to (1,-1) or (-1,1)"
    conditions = (
        "d = 2, eps = 0, biased variance, a != b: LN(a, b) = (sign(a-b), -sign(a-b)) before the affine part; "
        "with gamma, beta the two outputs are (gamma1+beta1, -gamma2+beta2) if a > b, else (-gamma1+beta1, gamma2+beta2)."
    )

    def prove(self) -> ProofResult:
        """Compute LN(a, b) in closed form for a > b and a < b, then apply gamma and beta."""
        a, b = sp.symbols("a b", real=True)
        g1, g2, b1, b2 = sp.symbols("gamma1 gamma2 beta1 beta2", real=True)
        t = sp.Symbol("t", positive=True)  # |a - b|
        mu = (a + b) / 2
        var = sp.simplify(((a - mu) ** 2 + (b - mu) ** 2) / 2)
        sigma = sp.Abs(a - b) / 2
        y = sp.Matrix([(a - mu) / sigma, (b - mu) / sigma])
        y_above = sp.simplify(y.subs(a, b + t))  # a > b
        y_below = sp.simplify(y.subs(a, b - t))  # a < b
        affine_above = sp.Matrix([g1 * y_above[0] + b1, g2 * y_above[1] + b2])
        affine_below = sp.Matrix([g1 * y_below[0] + b1, g2 * y_below[1] + b2])
        checks = [
            sp.simplify(var - sigma**2) == 0,
            y_above == sp.Matrix([1, -1]),
            y_below == sp.Matrix([-1, 1]),
            sp.simplify(affine_above - sp.Matrix([g1 + b1, -g2 + b2])) == sp.zeros(2, 1),
            sp.simplify(affine_below - sp.Matrix([-g1 + b1, g2 + b2])) == sp.zeros(2, 1),
        ]
        steps = (
            ProofStep("mean of (a, b)", eq("mu", mu)),
            ProofStep("biased variance is ((a-b)/2)^2, so sigma = |a-b|/2", eq("sigma^2", sp.factor(var))),
            ProofStep("normalized point: each coordinate is +-(a-b)/2 over |a-b|/2", eq("y", y.applyfunc(sp.factor))),
            ProofStep("if a > b (write a = b + t, t > 0)", eq("y", y_above)),
            ProofStep("if a < b (write a = b - t, t > 0)", eq("y", y_below)),
            ProofStep("gamma scales and beta shifts each coordinate, a > b", eq("out", affine_above)),
            ProofStep("gamma scales and beta shifts each coordinate, a < b", eq("out", affine_below)),
        )
        return ProofResult(
            statement="LN(a, b) = (1, -1) if a > b, (-1, 1) if a < b; gamma, beta only scale and shift these two points",
            steps=steps,
            verified=all(checks),
        )

    def check(self, target: LiveTarget) -> CheckResult:
        """Build a LayerNorm(2) of the model's own LayerNorm class, random gamma/beta, on random points."""
        cls, note = layernorm_class(target)
        generator = torch.Generator().manual_seed(target.seed)
        norm = cls(2, eps=0.0).double()
        with torch.no_grad():
            norm.weight.copy_(torch.randn(2, generator=generator, dtype=torch.float64))
            norm.bias.copy_(torch.randn(2, generator=generator, dtype=torch.float64))
        points = torch.randn(4096, 2, generator=generator, dtype=torch.float64) * 10
        points = points[(points[:, 0] - points[:, 1]).abs() > 1e-3]
        norm = norm.to(target.device, target.dtype)
        points = points.to(target.device, target.dtype)
        with torch.no_grad():
            out = norm(points)
            gamma, beta = norm.weight, norm.bias
            sign = torch.sign(points[:, 0] - points[:, 1]).unsqueeze(-1)
            expected = torch.cat([sign * gamma[0] + beta[0], -sign * gamma[1] + beta[1]], dim=-1).reshape(-1, 2)
        worst = float((out - expected).abs().max())
        tolerance = target.rounding
        detail = (
            f"a new {cls.__name__}(2, eps=0) (the model's LayerNorm class at d = 2) with random gamma/beta on "
            f"{len(points)} random points; max |out - predicted corner|{note}"
        )
        return CheckResult(measured=worst, tolerance=tolerance, passed=worst <= tolerance, detail=detail, measured_on=STAND_IN)
