"""The live checks of seqlab.proofs.norm_grad (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from seqlab.proofs.base import CheckResult
from seqlab.proofs.norm_grad import LayerNormGradient, LayerNormScaleInvariance
from seqlab.proofs.target import LiveTarget, capture_layernorm_inputs, is_unbiased, layernorm_eps
SCALES = (0.01, 0.5, 7.0, 1000.0)  # the positive a the scale-invariance check multiplies each input by
COTANGENTS = 3


def plain_copy(module: nn.Module, target: LiveTarget) -> nn.Module:
    """A float64 copy of a LayerNorm with gamma = 1, beta = 0 and eps = 0 (its class, forward and variance kept)."""
    plain = copy.deepcopy(module).to(device=target.device, dtype=target.dtype).eval()
    with torch.no_grad():
        if getattr(plain, "weight", None) is not None:
            plain.weight.fill_(1.0)
        if getattr(plain, "bias", None) is not None:
            plain.bias.zero_()
    if hasattr(plain, "eps"):
        plain.eps = 0.0
    return plain


def measured_vectors(inputs: torch.Tensor, rows: Any) -> torch.Tensor:
    """[*inputs.shape[:-1]] bool: the vectors a check reads (real tokens, not constant, so eps = 0 is defined)."""
    keep = inputs.var(dim=-1, unbiased=False) > 1e-12 * inputs.pow(2).mean(dim=-1).clamp_min(1e-300)
    if isinstance(rows, torch.Tensor) and rows.shape == keep.shape:
        keep = keep & rows.to(keep.device)
    return keep


def _eps_effect(captured: list, target: LiveTarget) -> str:
    """A detail fragment: how far from orthogonal the gradient is with the first module's own eps (information)."""
    if not captured:
        return ""
    _name, module, inputs, rows = captured[0]
    eps = layernorm_eps(module)
    if eps == 0:
        return ""
    own = plain_copy(module, target)
    if hasattr(own, "eps"):
        own.eps = eps
    x = inputs.detach().to(target.dtype).requires_grad_(True)
    y = own(x)
    g = target.randn(*y.shape, offset=3590)
    (grad,) = torch.autograd.grad(y, x, grad_outputs=g)
    keep = measured_vectors(x.detach(), rows)
    along = (grad * y.detach()).sum(-1).abs() / (grad.norm(dim=-1) * y.detach().norm(dim=-1)).clamp_min(1e-300)
    value = float(along[keep].max()) if bool(keep.any()) else 0.0
    return f"; with its own eps = {eps:g} ({'unbiased' if is_unbiased(module) else 'biased'}) the first gives {value:.1e}"


def check_layer_norm_gradient(identity: LayerNormGradient, target: LiveTarget) -> CheckResult:
    """Every LayerNorm on what the model gave it, in its own shape, gamma = 1, beta = 0, eps = 0: autograd
    g^T dLN/dx for random g, summed over the features and dotted with LN(x)."""
    captured, note, on = capture_layernorm_inputs(target)
    total = orthogonal = 0.0
    vectors = 0
    for index, (_name, module, inputs, rows) in enumerate(captured):
        plain = plain_copy(module, target)
        x = inputs.detach().to(target.dtype).requires_grad_(True)
        y = plain(x)
        keep = measured_vectors(x.detach(), rows)
        vectors += int(keep.sum())
        for n in range(COTANGENTS):
            g = target.randn(*y.shape, offset=3500 + 11 * index + n)
            (grad,) = torch.autograd.grad(y, x, grad_outputs=g, retain_graph=True)
            size = grad.norm(dim=-1).clamp_min(1e-300)
            width = grad.shape[-1]
            sums = grad.sum(-1).abs() / (width**0.5 * size)  # |cos(grad, 1)|
            along = (grad * y.detach()).sum(-1).abs() / (size * y.detach().norm(dim=-1).clamp_min(1e-300))
            total = max(total, float(sums[keep].max()) if bool(keep.any()) else 0.0)
            orthogonal = max(orthogonal, float(along[keep].max()) if bool(keep.any()) else 0.0)
    eps_note = _eps_effect(captured, target)
    measured = max(total, orthogonal)
    tolerance = 10 * target.rounding
    detail = (
        f"{len(captured)} LayerNorm module(s) on {vectors} input vectors in the shape each received them, float64, "
        f"gamma = 1, beta = 0, eps = 0, the module's own variance convention; {COTANGENTS} random upstream "
        f"gradients g: max |cos(dL/dx, 1)| {total:.1e} (sums to 0 over the features), max |cos(dL/dx, LN(x))| "
        f"{orthogonal:.1e} (orthogonal to the output){eps_note}{note}"
    )
    extra = {"sum over features": total, "along the output": orthogonal, "vectors": float(vectors)}
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)


def check_layer_norm_scale_invariance(identity: LayerNormScaleInvariance, target: LiveTarget) -> CheckResult:
    """Every LayerNorm, on what the model gave it in its own shape, gamma = 1, beta = 0, eps = 0: LN(a x) vs LN(x)
    for a in SCALES and LN(-x) vs -LN(x); the model's own eps at a = 0.01 is reported as information."""
    captured, note, on = capture_layernorm_inputs(target)
    worst = flipped = 0.0
    worst_eps = 0.0
    vectors = 0
    for _name, module, inputs, rows in captured:
        plain = plain_copy(module, target)
        x = inputs.detach().to(target.dtype)
        keep = measured_vectors(x, rows)
        vectors += int(keep.sum())
        if not bool(keep.any()):
            continue
        with torch.no_grad():
            base = plain(x)
            for a in SCALES:
                worst = max(worst, float((plain(a * x) - base)[keep].abs().max()))
            flipped = max(flipped, float((plain(-x) + base)[keep].abs().max()))
            eps = layernorm_eps(module)
            if eps > 0 and hasattr(plain, "eps"):
                plain.eps = eps
                worst_eps = max(worst_eps, float((plain(SCALES[0] * x) - plain(x))[keep].abs().max()))
    measured = max(worst, flipped)
    tolerance = 100 * target.rounding  # entries are O(sqrt(d)) at most, computed twice
    scales = ", ".join(f"{a:g}" for a in SCALES)
    detail = (
        f"{len(captured)} LayerNorm module(s) on {vectors} input vectors in the shape each received them, float64, "
        f"gamma = 1, beta = 0, eps = 0, the module's own forward: max |LN(a x) - LN(x)| {worst:.1e} over a = "
        f"{scales}; max |LN(-x) + LN(x)| {flipped:.1e}; with the modules' own eps, a = {SCALES[0]:g} moves "
        f"the output by up to {worst_eps:.1e} (invariance holds up to eps){note}"
    )
    extra = {"scaled": worst, "negated": flipped, "own eps at smallest a": worst_eps, "vectors": float(vectors)}
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
