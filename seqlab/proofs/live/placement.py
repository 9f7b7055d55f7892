"""The live checks of seqlab.proofs.placement (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqlab.errors import SeqlabError
from seqlab.models.transformer import TransformerBlock, TransformerConfig
from seqlab.proofs.base import CheckResult, STAND_IN
from seqlab.proofs.capture import capture_calls
from seqlab.proofs.placement import NormPlacement
from seqlab.proofs.target import (
    FRESH_HEADS,
    FRESH_WIDTH,
    Found,
    LiveTarget,
    exact_copy,
    find_modules,
    is_unbiased,
    layernorm_eps,
    vector_jacobian_products,
)

COTANGENTS = 4  # random directions u, plus u = 1 (the mean direction) on every token


def placement_blocks(target: LiveTarget) -> Found:
    """The model's Transformer blocks (TransformerBlock, BertLayer among them), or a fresh pre-norm and a fresh post-norm
    block (stand-ins) when it has none."""
    found = find_modules(target.model, (TransformerBlock,))
    if found:
        return Found(found)
    torch.manual_seed(target.seed)
    fresh = []
    for norm_first in (True, False):
        config = TransformerConfig(vocab_size=8, d_model=FRESH_WIDTH, n_heads=FRESH_HEADS, n_layers=1, d_ff=128,
                                   dropout=0.0, norm_first=norm_first)
        fresh.append((f"fresh {'pre' if norm_first else 'post'}-norm block", TransformerBlock(config).to(target.device)))
    return Found(fresh, "; the model has no Transformer block, so a fresh pre-norm and post-norm block were measured",
                 STAND_IN)


def layout(block: nn.Module) -> tuple[str, list[nn.Module], list[nn.Module]]:
    """(placement the block claims, its two norms in order, the last Linear of each sublayer)."""
    placement = "pre-norm" if block.norm_first else "post-norm"
    return placement, [block.norm1, block.norm2], [last_linear(block.attention), last_linear(block.ffn)]


def last_linear(sublayer: nn.Module) -> nn.Module:
    """The Linear a sublayer ends with: an attention module's `out` projection, else its last nn.Linear (a
    feed-forward written with other names, such as GPT-2's c_fc/c_proj, has one too)."""
    out = getattr(sublayer, "out", None)
    if isinstance(out, nn.Linear):
        return out
    linears = [module for module in sublayer.modules() if isinstance(module, nn.Linear)]
    if not linears:
        raise SeqlabError(f"{type(sublayer).__name__} has no Linear layer to switch off; norm-placement needs one")
    return linears[-1]


def _normalise(norm: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A layer norm written out from its parameters: (gamma * z + beta, z, sigma) with z = (x - mean) / sigma."""
    mean = x.mean(dim=-1, keepdim=True)
    sigma = torch.sqrt(x.var(dim=-1, keepdim=True, unbiased=is_unbiased(norm)) + layernorm_eps(norm))
    z = (x - mean) / sigma
    gamma, beta = _affine(norm, x)
    return gamma * z + beta, z, sigma


def _affine(norm: nn.Module, x: torch.Tensor) -> tuple[Any, Any]:
    """(gamma, beta) of a norm, as tensors in x's dtype (1 and 0 for a norm without an affine part)."""
    weight, bias = getattr(norm, "weight", None), getattr(norm, "bias", None)
    gamma = weight.detach().to(x.dtype) if weight is not None else 1.0
    beta = bias.detach().to(x.dtype) if bias is not None else 0.0
    return gamma, beta


def _norm_vjp(norm: nn.Module, z: torch.Tensor, sigma: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """u^T J_LN = (w - mean(w) - z (z . w) / c) / sigma with w = gamma * u, c = d (biased) or d - 1 (unbiased)."""
    gamma, _ = _affine(norm, z)
    w = gamma * u
    c = z.shape[-1] - 1 if is_unbiased(norm) else z.shape[-1]
    return (w - w.mean(dim=-1, keepdim=True) - z * (z * w).sum(dim=-1, keepdim=True) / c) / sigma


def post_norm_vjp(norms: list[nn.Module], x: torch.Tensor, cotangents: torch.Tensor) -> torch.Tensor:
    """u^T d LN2(LN1(x))/dx for every u in `cotangents` [K, *x.shape], in closed form: a post-norm block's skip path."""
    with torch.no_grad():
        first, z1, sigma1 = _normalise(norms[0], x)
        _, z2, sigma2 = _normalise(norms[1], first)
        return _norm_vjp(norms[0], z1, sigma1, _norm_vjp(norms[1], z2, sigma2, cotangents))


def check_norm_placement(identity: NormPlacement, target: LiveTarget) -> CheckResult:
    """Every Transformer block on its captured input, sublayers switched off: pre-norm must give u^T J = u^T;
    post-norm must give the closed-form u^T J_LN2 J_LN1, which loses all of u = 1."""
    blocks, note, on = placement_blocks(target)
    captured, capture_note = capture_calls(target, blocks, lambda b: int(b.attention.d_model), offset=3700)
    pre_error = post_error = 0.0
    mean_lost = float("inf")
    counts = {"pre-norm": 0, "post-norm": 0}
    for index, part in enumerate(captured):
        block = exact_copy(part.module, target)
        placement, norms, lasts = layout(block)
        counts[placement] += 1
        for linear in lasts:  # each sublayer's last Linear: zeroed, the sublayer adds exactly nothing
            with torch.no_grad():
                for parameter in linear.parameters():
                    parameter.zero_()
        x = part.x.to(target.dtype)
        cotangents = torch.stack(
            [target.randn(*x.shape, offset=3750 + 13 * index + n) for n in range(COTANGENTS)] + [torch.ones_like(x)]
        )
        inputs = x.detach().clone().requires_grad_(True)
        out = block(inputs)[0]  # no mask: with the sublayers off, attention adds zeros whatever it sees
        grads = vector_jacobian_products(out, inputs, cotangents)
        if placement == "pre-norm":  # errors relative to the largest entry they should equal
            pre_error = max(pre_error, float((grads - cotangents).abs().max() / cotangents.abs().max()))
        else:
            predicted = post_norm_vjp(norms, x, cotangents)
            post_error = max(post_error, float((grads - predicted).abs().max() / predicted.abs().max()))
            ones = cotangents[-1]
            lost = float(((grads[-1] - ones).norm(dim=-1) / ones.norm(dim=-1)).min())
            mean_lost = min(mean_lost, lost)
    tolerance = 10 * target.rounding
    has_post = counts["post-norm"] > 0
    measured = max(pre_error, post_error)
    passed = measured <= tolerance and (not has_post or mean_lost >= 1 - tolerance)
    kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    post_text = (
        f"; post-norm: max |u^T J - u^T J_LN2 J_LN1| {post_error:.1e} (closed form from the norms' gamma, eps and "
        f"variance), and u = 1 loses at least {mean_lost:.3f} of itself (want >= 1: the mean never crosses the skip)"
        if has_post else ""
    )
    pre_text = f"; pre-norm: max |u^T J - u^T| {pre_error:.1e} (the identity path, exactly)" if counts["pre-norm"] else ""
    detail = (
        f"{len(captured)} Transformer block(s) ({kinds}, by the block's own norm placement) on their captured "
        f"inputs, float64, each sublayer's last Linear zeroed so only the skip path is left, {COTANGENTS} random u "
        f"and u = 1 per token{pre_text}{post_text}{note}{capture_note}"
    )
    extra = {"pre-norm identity error": pre_error, "post-norm formula error": post_error,
             "mean direction lost (post-norm)": mean_lost if has_post else 0.0,
             "pre-norm blocks": float(counts["pre-norm"]), "post-norm blocks": float(counts["post-norm"])}
    return CheckResult(measured, tolerance, passed, detail, extra=extra, measured_on=on)
