"""The live checks of seqlab.proofs.layernorm (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import copy

import torch

from seqlab.models.layernorm import LayerNorm
from seqlab.proofs.base import CheckResult, MODEL, STAND_IN
from seqlab.proofs.layernorm import LayerNorm2D, LayerNormNorm
from seqlab.proofs.target import (
    LiveTarget,
    capture_layernorm_inputs,
    find_modules,
    is_unbiased,
    layernorm_eps,
    layernorm_kinds,
    resized_layernorm,
)


SHAPE_2D = (64, 64)  # [B, T] of the random 2-D points: a norm over the wrong dimension sees T, not 2


def check_layer_norm_norm(identity: LayerNormNorm, target: LiveTarget) -> CheckResult:
    """Hook every LayerNorm of the model on real tokens; re-run each on that tensor, in its own shape, with
    gamma=1, beta=0; compare every real token's norm with the norm its variance convention and eps predict."""
    captured, note, on = capture_layernorm_inputs(target)
    worst = 0.0
    worst_name = ""
    worst_mean = worst_affine = 0.0
    tokens = 0
    for name, module, inputs, rows in captured:
        plain = copy.deepcopy(module).to(target.dtype)
        unbiased = is_unbiased(module)
        eps = layernorm_eps(module)
        with torch.no_grad():
            if getattr(plain, "weight", None) is not None:  # torch's LayerNorm may have no affine part
                plain.weight.fill_(1.0)
            if getattr(plain, "bias", None) is not None:
                plain.bias.zero_()
            x = inputs.to(target.dtype)  # the tensor the model gave the module, in its own shape ([B,T,D])
            d = x.shape[-1]
            # ||LN(x)||^2 = sum (x_i - mu)^2 / (v + eps) = d var / (v + eps), v the variance the module divides by
            var = x.var(dim=-1, unbiased=False)
            divisor = x.var(dim=-1, unbiased=True) if unbiased else var
            expected = (d * var / (divisor + eps)).sqrt()
            normalized = plain(x)
            norms = normalized.norm(dim=-1)
            # The norm alone cannot tell LayerNorm from RMSNorm (x / rms(x)): with a tiny eps both give sqrt(d).
            # Mean 0 is the other half of the identity, relative to the output's size.
            means = normalized.mean(dim=-1).abs() * d**0.5 / norms.clamp_min(1e-30)
            # gamma and beta only scale and shift that: the module with its own gamma, beta on the same tensor
            own = copy.deepcopy(module).to(target.dtype)(x)
            gamma = getattr(module, "weight", None)
            beta = getattr(module, "bias", None)
            affine = normalized * (1.0 if gamma is None else gamma.to(target.dtype))
            affine = affine + (0.0 if beta is None else beta.to(target.dtype))
            affine_gap = (own - affine).abs().amax(dim=-1)
            if rows is not None:  # real tokens only; the module still ran on the whole tensor
                norms, expected, means, affine_gap = norms[rows], expected[rows], means[rows], affine_gap[rows]
        worst_affine = max(worst_affine, float(affine_gap.max()))
        worst_here = float((norms - expected).abs().max())
        worst_mean = max(worst_mean, float(means.max()))
        tokens += norms.numel()
        if worst_here >= worst:
            worst, worst_name = worst_here, name
    tolerance = 100 * target.rounding  # norms are ~sqrt(d), so allow a little more than one rounding step
    kind = (
        "sqrt(d var/(var_u+eps)) (unbiased: about sqrt(d-1))" if any(is_unbiased(m) for _, m, _, _ in captured)
        else "sqrt(d)*sqrt(var/(var+eps))"
    )
    vectors = "vectors at real (non-pad) token positions" if not note else "input vectors"
    shapes = sorted({"x".join(str(n) for n in inputs.shape) for _, _, inputs, _ in captured})
    detail = (
        f"{len(captured)} LayerNorm module(s), {tokens} {vectors}, each module re-run on the tensor it received "
        f"in its own shape ({', '.join(shapes[:3])}), gamma = 1, beta = 0; max |norm - {kind}| "
        f"{worst:.1e} (worst in {worst_name or 'n/a'}), max |mean| of the d entries {worst_mean:.1e} "
        f"(want 0: an RMSNorm passes the norm but not this), and with its own gamma, beta max |LN(x) - "
        f"(gamma * LN_0(x) + beta)| {worst_affine:.1e}{note}"
    )
    measured = max(worst, worst_mean, worst_affine)
    passed = bool(captured) and measured <= tolerance
    extra = {"norm error": worst, "mean": worst_mean, "affine": worst_affine}
    return CheckResult(measured=measured, tolerance=tolerance, passed=passed, detail=detail, extra=extra, measured_on=on)


def check_layer_norm2_d(identity: LayerNorm2D, target: LiveTarget) -> CheckResult:
    """Resize a copy of the model's own LayerNorm (its class, eps, variance convention) to d = 2, give it random
    gamma/beta, feed it random points shaped [B,T,2], and compare with the point its convention predicts."""
    modules = find_modules(target.model, layernorm_kinds())
    generator = torch.Generator().manual_seed(target.seed)
    gamma = torch.randn(2, generator=generator, dtype=torch.float64)
    beta = torch.randn(2, generator=generator, dtype=torch.float64)
    if modules:
        name, module = modules[0]
        on, note = MODEL, ""
    else:
        name, module = "fresh LayerNorm", LayerNorm(2, eps=0.0)
        on, note = STAND_IN, "; the model has no LayerNorm, so a fresh seqlab LayerNorm(2, eps=0) was measured"
    eps, unbiased = layernorm_eps(module), is_unbiased(module)
    norm = resized_layernorm(module, gamma, beta).to(target.device, target.dtype).eval()
    points = (torch.randn(*SHAPE_2D, 2, generator=generator, dtype=torch.float64) * 10).to(target.device, target.dtype)
    if getattr(norm, "weight", None) is None:
        gamma = torch.ones(2, dtype=torch.float64)
    if getattr(norm, "bias", None) is None:
        beta = torch.zeros(2, dtype=torch.float64)
    gamma, beta = gamma.to(target.device, target.dtype), beta.to(target.device, target.dtype)
    with torch.no_grad():
        out = norm(points)
        h = (points[..., 0] - points[..., 1]) / 2  # signed half-difference: the deviations are +-h
        variance = 2 * h**2 if unbiased else h**2
        if eps == 0:  # r = sign(a - b) exactly; near the diagonal the variance itself loses digits
            r = torch.sign(h)
            keep = (2 * h).abs() > 1e-3
        else:
            r = h / torch.sqrt(variance + eps)
            keep = torch.ones_like(h, dtype=torch.bool)
        if unbiased and eps == 0:
            r = r / 2**0.5
        expected = torch.stack([r * gamma[0] + beta[0], -r * gamma[1] + beta[1]], dim=-1)
        corner = 2**-0.5 if unbiased else 1.0
        short = int((r.abs() < corner - 1e-2)[keep].sum())
    worst = float((out - expected).abs()[keep].max())
    tolerance = 10 * target.rounding
    convention = f"eps={eps:g}, {'unbiased' if unbiased else 'biased'} variance"
    corners = "+-(1/sqrt 2)(1,-1)" if unbiased else "(1,-1)/(-1,1)"
    detail = (
        f"a copy of {name} ({type(module).__name__}: its own forward, {convention}) resized to d = 2 with random "
        f"gamma/beta, on {int(keep.sum())} random points shaped {'x'.join(map(str, SHAPE_2D))}x2; max |out - "
        f"predicted point| {worst:.1e}; {short} of them land more than 0.01 short of the corners {corners} "
        f"(eps pulls points near a = b inwards){note}"
    )
    extra = {"points short of the corners": float(short)}
    return CheckResult(measured=worst, tolerance=tolerance, passed=worst <= tolerance, detail=detail, extra=extra,
                       measured_on=on)
