"""Residual connections: the Jacobian of x + f(x) is I + df/dx, so the gradient always has an identity path."""

from __future__ import annotations

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
    title = "residual layer: the Jacobian of x + f(x) is I + df/dx"
    conditions = (
        "y = x + f(x) with f differentiable (a Transformer sublayer: attention or feed-forward): dy/dx = I + df/dx, so "
        "a gradient g reaching y passes to x as g + (df/dx)^T g, whatever f does. In a post-norm block the sum "
        "x + f(x) is normalised afterwards; the identity is about the sum, so the check measures it before the norm."
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
                "a stack of L residual layers multiplies (I + df_l/dx): expanding, the product always contains I",
                "dy_L/dx_0 = (I + J_L) ... (I + J_1) = I + (sum of J_l) + ...",
            ),
        )
        return ProofResult("d(x + f(x))/dx = I + df/dx", steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
        """For every Transformer block: u^T dy/dx - u^T df/dx = u^T for random u, per sublayer (the other zeroed)."""
        blocks, note, on = residual_blocks(target)
        worst = 0.0
        measured_paths = 0
        for index, (_, block) in enumerate(blocks):
            block = exact_copy(block, target)
            width = _width(block)
            x = target.randn(2, 6, width, offset=1900 + index)
            for whole, branch, off in sublayers(block):
                worst = max(worst, _identity_gap(whole, branch, off, x, target, 1950 + index))
                measured_paths += 1
        detail = (
            f"{len(blocks)} Transformer block(s), {measured_paths} residual sublayers (attention, feed-forward; the other "
            f"one switched off), float64: with {COTANGENTS} random cotangents u, max |u^T dy/dx - u^T df/dx - u^T| "
            f"{worst:.1e}, where y is the block's own forward and f the sublayer run alone{note}"
        )
        return CheckResult(worst, 10 * target.rounding, worst <= 10 * target.rounding, detail, measured_on=on)


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


class _Off:
    """Context: zero a Linear's weight and bias (the last layer of a sublayer), so that sublayer adds nothing."""

    def __init__(self, linear: nn.Module) -> None:
        self.linear = linear

    def __enter__(self) -> None:
        self.saved = [p.detach().clone() for p in self.linear.parameters()]
        for p in self.linear.parameters():
            p.data.zero_()

    def __exit__(self, *exc: object) -> None:
        for p, saved in zip(self.linear.parameters(), self.saved):
            p.data.copy_(saved)


Fn = Callable[["torch.Tensor"], "torch.Tensor"]


def sublayers(block: nn.Module) -> list[tuple[Fn, Fn, nn.Module]]:
    """(the block, one sublayer alone, the last Linear of the other sublayer) for attention and feed-forward.

    Zeroing that Linear switches the other sublayer off, so the block computes x + f(x) for this one.

    A post-norm block's norms are bypassed (nn.Identity), so both functions see the residual sum itself.
    """
    if isinstance(block, BertLayer):
        block.attention_norm, block.output_norm = nn.Identity(), nn.Identity()
        attention_out, ffn_out = block.attention.out, block.output

        def attention_branch(x: torch.Tensor) -> torch.Tensor:
            return block.attention(x, None)[0]

        def ffn_branch(x: torch.Tensor) -> torch.Tensor:
            return block.output(block.activation(block.intermediate(x)))

    else:
        if not block.norm_first:
            block.norm1, block.norm2 = nn.Identity(), nn.Identity()
        attention_out, ffn_out = block.attention.out, block.ffn.linear2

        def attention_branch(x: torch.Tensor) -> torch.Tensor:
            return block.attention(block.norm1(x), None)[0]

        def ffn_branch(x: torch.Tensor) -> torch.Tensor:
            return block.ffn(block.norm2(x))

    def whole(x: torch.Tensor) -> torch.Tensor:
        return block(x, None)[0]

    return [(whole, attention_branch, ffn_out), (whole, ffn_branch, attention_out)]


def _identity_gap(whole: Fn, branch: Fn, off: nn.Module, x: torch.Tensor, target: LiveTarget, offset: int) -> float:
    """max |u^T d whole/dx - u^T d branch/dx - u^T| over COTANGENTS random u, with `off` zeroed throughout."""
    cotangents = torch.stack([target.randn(*x.shape, offset=offset + 7 * n) for n in range(COTANGENTS)])
    grads = []
    with _Off(off):  # forward and backward both see the zeroed layer
        for fn in (whole, branch):
            inputs = x.detach().clone().requires_grad_(True)
            out = fn(inputs)
            grads.append(vector_jacobian_products(out, inputs, cotangents))
    return float((grads[0] - grads[1] - cotangents).abs().max())
