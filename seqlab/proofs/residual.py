"""Residual connections: the Jacobian of x + f(x) is I + df/dx, so the gradient always has an identity path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp
import torch
from torch import nn

from seqlab.models.bert import BertLayer
from seqlab.models.transformer import TransformerBlock, TransformerConfig
from seqlab.proofs.base import STAND_IN, CheckResult, Identity, ProofResult, ProofStep, eq
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


class ResidualJacobian(Identity):
    """d(x + f(x))/dx = I + df/dx for any differentiable f."""

    id = "residual-jacobian"
    part = "transformer block"
    title = "residual layer: the Jacobian of x + f(x) is I + df/dx"
    conditions = (
        "y = x + f(x) with f differentiable (a Transformer sublayer: attention or feed-forward): dy/dx = I + df/dx, so "
        "a gradient g reaching y passes to x as g + (df/dx)^T g, whatever f does. Where the layer norm sits decides "
        "what that means for the block: pre-norm, y = x + f(LN(x)), so dy/dx = I + df/dx J_LN and the identity path "
        "reaches x untouched; post-norm (Vaswani, BERT), the norm acts after the residual add, y = LN(x + f(x)), so "
        "dy/dx = J_LN (I + df/dx) and the identity path passes through the norm's Jacobian. The check measures each "
        "block, norms kept, against the form it claims."
    )

    def prove(self) -> ProofResult:
        """Symbolic units: d(x_k + f_k(x))/dx_m = delta_km + df_k/dx_m; then d = 2 with arbitrary f1, f2."""
        k, m = sp.symbols("k m", integer=True)
        x = sp.IndexedBase("x", real=True)
        f = sp.Function("f")
        entry = sp.diff(x[k] + f(k, x[m]), x[m])
        x1, x2 = sp.symbols("x1 x2", real=True)
        f1, f2 = sp.Function("f1")(x1, x2), sp.Function("f2")(x1, x2)
        y = sp.Matrix([x1 + f1, x2 + f2])
        jacobian = y.jacobian(sp.Matrix([x1, x2]))
        branch = sp.Matrix([f1, f2]).jacobian(sp.Matrix([x1, x2]))
        difference = (jacobian - branch).applyfunc(sp.simplify)
        checks = [difference == sp.eye(2), sp.diff(x[k], x[m]) == sp.KroneckerDelta(k, m)]
        steps = (
            ProofStep("the skip term alone: dx_k/dx_m", eq("dx_k/dx_m", sp.diff(x[k], x[m]))),
            ProofStep("so every entry of d(x + f)/dx is delta_km plus the branch's entry", eq("d(x_k + f_k)/dx_m", entry)),
            ProofStep("d = 2 with arbitrary f1, f2", eq("dy/dx", jacobian)),
            ProofStep("minus the branch's Jacobian leaves the identity", eq("dy/dx - df/dx", difference)),
            ProofStep(
                "pre-norm, y = x + f(LN(x)): the chain rule gives the identity plus the branch through the norm",
                "dy/dx = I + (df/dz)(z = LN(x)) J_LN(x)",
            ),
            ProofStep(
                "post-norm, y = LN(s), s = x + f(x): the identity path sits inside the norm's Jacobian",
                "dy/dx = J_LN(s) (I + df/dx): a gradient g reaches x as v + (df/dx)^T v with v = J_LN(s)^T g",
            ),
            ProofStep(
                "a stack of L residual layers multiplies (I + df_l/dx): expanding, the product always contains I",
                "dy_L/dx_0 = (I + J_L) ... (I + J_1) = I + (sum of J_l) + ...",
            ),
        )
        return ProofResult("d(x + f(x))/dx = I + df/dx", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
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


def residual_blocks(target: LiveTarget) -> Found:
    """The model's Transformer blocks (seqlab's TransformerBlock and BertLayer), or one fresh block (a stand-in)."""
    found = find_modules(target.model, (TransformerBlock, BertLayer))
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
    """What a seqlab block claims: TransformerBlock by its norm_first, BertLayer post-norm (as the original BERT)."""
    if isinstance(block, BertLayer):
        sublayers = (
            (lambda x: block.attention(x, None)[0], block.attention_norm),
            (lambda x: block.output(block.activation(block.intermediate(x))), block.output_norm),
        )
        return Claim("post-norm", False, sublayers)
    sublayers = ((lambda x: block.attention(x, None)[0], block.norm1), (block.ffn, block.norm2))
    return Claim("pre-norm" if block.norm_first else "post-norm", bool(block.norm_first), sublayers)
