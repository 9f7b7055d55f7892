"""The live checks of seqlab.proofs.residual (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from seqlab.models.transformer import TransformerBlock, TransformerConfig
from seqlab.proofs.base import CheckResult, STAND_IN
from seqlab.proofs.residual import ResidualJacobian
from seqlab.proofs.target import (
    FRESH_HEADS,
    FRESH_WIDTH,
    Found,
    LiveTarget,
    exact_copy,
    find_modules,
    vector_jacobian_products,
)


COTANGENTS = 6  # random directions u: u^T J_block must equal u^T (I + J_branch) for each


def residual_blocks(target: LiveTarget) -> Found:
    """The model's Transformer blocks (seqlab's TransformerBlock, BertLayer among them), or one fresh block (a stand-in)."""
    found = find_modules(target.model, (TransformerBlock,))
    if found:
        return Found(found)
    torch.manual_seed(target.seed)
    config = TransformerConfig(
        vocab_size=8, d_model=FRESH_WIDTH, n_heads=FRESH_HEADS, n_layers=1, d_ff=128, dropout=0.0, norm_first=True
    )
    block = TransformerBlock(config).to(target.device).eval()
    return Found([("fresh block", block)], "; the model has no Transformer block, so a fresh pre-norm block was measured",
                 STAND_IN)


def _width(block: nn.Module) -> int:
    """The model width a block works at."""
    return int(block.attention.d_model)


Fn = Callable[[torch.Tensor], torch.Tensor]


def _vjp(fn: Fn, x: torch.Tensor, cotangents: torch.Tensor) -> torch.Tensor:
    """g^T d fn/dx at x for every g in `cotangents` [K, *fn(x).shape] -> [K, *x.shape]."""
    inputs = x.detach().clone().requires_grad_(True)
    return vector_jacobian_products(fn(inputs), inputs, cotangents)


@dataclass(frozen=True)
class Claim:
    """The form a block says it computes: two residual sublayers (attention, feed-forward) and their norms,
    pre-norm (x + f(LN(x))) or post-norm (LN(x + f(x)))."""

    name: str
    pre_norm: bool
    sublayers: tuple[tuple[Fn, Fn], ...]  # (f, LN) per sublayer, in order

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The claimed output, composed from the parts."""
        for branch, norm in self.sublayers:
            x = x + branch(norm(x)) if self.pre_norm else norm(x + branch(x))
        return x

    def backward(self, x: torch.Tensor, cotangents: torch.Tensor) -> torch.Tensor:
        """u^T dy/dx by the chain rule of the claimed form, each residual passing its gradient g as g + (df/dx)^T g."""
        inputs = []
        for branch, norm in self.sublayers:  # the input of every sublayer, on the claimed path
            inputs.append(x)
            with torch.no_grad():
                x = x + branch(norm(x)) if self.pre_norm else norm(x + branch(x))
        g = cotangents
        for (branch, norm), z in zip(reversed(self.sublayers), reversed(inputs)):
            if self.pre_norm:  # y = z + f(LN(z)): g + (d f(LN(z))/dz)^T g
                g = g + _vjp(lambda v, b=branch, n=norm: b(n(v)), z, g)
            else:  # y = LN(s), s = z + f(z): v = J_LN(s)^T g, then v + (df/dz)^T v
                with torch.no_grad():
                    summed = z + branch(z)
                v = _vjp(norm, summed, g)
                g = v + _vjp(branch, z, v)
        return g


def claimed_form(block: nn.Module) -> Claim:
    """What a seqlab block claims, by its norm_first (BertLayer is the block, post-norm as the original BERT)."""
    sublayers = ((lambda x: block.attention(x, None)[0], block.norm1), (block.ffn, block.norm2))
    return Claim("pre-norm" if block.norm_first else "post-norm", bool(block.norm_first), sublayers)


def check_residual_jacobian(identity: ResidualJacobian, target: LiveTarget) -> CheckResult:
    """For every Transformer block, norms kept: its own forward and u^T dy/dx (autograd) against the form it
    claims (pre- or post-norm) built from its own parts, with each residual's gradient written as g + (df/dx)^T g."""
    blocks, note, on = residual_blocks(target)
    forward_gap = gradient_gap = 0.0
    forms: dict[str, int] = {}
    for index, (_, block) in enumerate(blocks):
        block = exact_copy(block, target)
        claim = claimed_form(block)
        forms[claim.name] = forms.get(claim.name, 0) + 1
        x = target.randn(2, 6, _width(block), offset=1900 + index)
        cotangents = torch.stack([target.randn(*x.shape, offset=1950 + index + 7 * n) for n in range(COTANGENTS)])
        inputs = x.detach().clone().requires_grad_(True)
        out = block(inputs, None)[0]
        actual = vector_jacobian_products(out, inputs, cotangents)
        with torch.no_grad():
            forward_gap = max(forward_gap, float((out - claim.forward(x)).abs().max()))
        gradient_gap = max(gradient_gap, float((actual - claim.backward(x, cotangents)).abs().max()))
    measured = max(forward_gap, gradient_gap)
    tolerance = 10 * target.rounding
    kinds = ", ".join(f"{count} {name}" for name, count in forms.items())
    detail = (
        f"{len(blocks)} Transformer block(s), {2 * len(blocks)} residual sublayers ({kinds}; attention, "
        f"feed-forward), norms kept, float64: the block's own forward against the form it claims built from its "
        f"own parts, max gap {forward_gap:.1e}; with {COTANGENTS} random cotangents u, max |u^T dy/dx (autograd "
        f"through the block) - the claimed chain, each residual passing g as g + (df/dx)^T g| {gradient_gap:.1e}{note}"
    )
    extra = {"forward gap": forward_gap, "gradient gap": gradient_gap}
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
