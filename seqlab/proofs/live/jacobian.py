"""The live checks of seqlab.proofs.jacobian (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import math

import torch
from torch import nn

from seqlab.models.attention import MultiHeadSelfAttention
from seqlab.proofs.base import CheckResult
from seqlab.proofs.capture import Captured, capture_calls, queries_with_keys
from seqlab.proofs.jacobian import SoftmaxJacobian
from seqlab.proofs.projections import Projections
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy

COTANGENTS = 3  # random directions U: the autograd U^T dP/dq must equal the formula's for each


def split_heads(x: torch.Tensor, attention: nn.Module) -> torch.Tensor:
    """[B,T,D] -> [B,H,T,d_head], the way MultiHeadSelfAttention splits its projections."""
    batch, length, _ = x.shape
    return x.view(batch, length, attention.n_heads, attention.d_head).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[B,H,T,d_head] -> [B,T,H*d_head]."""
    batch, heads, length, d_head = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * d_head)


def jacobian_norm(p: torch.Tensor) -> torch.Tensor:
    """||diag(p) - p p^T||_F for every row p of `p` [..., n]: sqrt(sum p^2 - 2 sum p^3 + (sum p^2)^2)."""
    squares = p.pow(2).sum(-1)
    return (squares - 2 * p.pow(3).sum(-1) + squares.pow(2)).clamp_min(0).sqrt()


def path_weights(attention: MultiHeadSelfAttention, x: torch.Tensor, part: Captured, q: torch.Tensor,
                 fused: bool) -> torch.Tensor:
    """The attention weights [B,H,T,T] of one path of `attention` on x with its captured mask, when the query
    projection outputs `q` [B,T,D]; differentiable in q.

    The explicit path returns them (need_weights=True). The fused path is read through its output: the values are
    replaced by one-hot vectors and the output projection by the identity, so each output coordinate is one weight
    (ceil(T / d_head) calls).
    """
    batch, length, width = x.shape
    heads, d_head = attention.n_heads, attention.d_head
    projections = Projections(attention)
    if not fused:
        with projections.replaced(query=q):
            return attention(x, part.mask, part.causal, True)[1]
    out = attention.out
    attention.out = nn.Identity()
    columns = []
    try:
        for start in range(0, length, d_head):
            count = min(d_head, length - start)
            one_hot = torch.zeros(batch, length, heads, d_head, dtype=x.dtype, device=x.device)
            one_hot[:, start : start + count, :, :count] = torch.eye(count, dtype=x.dtype, device=x.device)[:, None, :]
            with projections.replaced(query=q, value=one_hot.reshape(batch, length, width)):
                context, _ = attention(x, part.mask, part.causal, False)  # [B,T,H*d_head]
            columns.append(context.view(batch, length, heads, d_head)[..., :count])
    finally:
        attention.out = out
    return torch.cat(columns, dim=-1).permute(0, 2, 1, 3)  # [B,H,T,T]


def check_softmax_jacobian(identity: SoftmaxJacobian, target: LiveTarget) -> CheckResult:
    """Autograd U^T dP/dq through each attention module on its real inputs, both paths, against the formula."""
    modules, note, on = attention_modules(target)
    captured, capture_note = capture_calls(target, modules, lambda m: int(m.d_model), offset=3100)
    formula_error = row_sum_error = 0.0
    norms: dict[str, list[float]] = {"model": [], "unscaled": [], "10x unscaled": []}
    spread, rows = 0.0, 0
    for index, part in enumerate(captured):
        attention = exact_copy(part.module, target)
        x = part.x.to(target.dtype)
        d_head = int(attention.d_head)
        projections = Projections(attention)
        with torch.no_grad():
            computed = projections.compute(x)
            q0, keys = computed["query"], split_heads(computed["key"], attention)
        real = queries_with_keys(part.mask, part.causal, x.shape[0], attention.n_heads, x.shape[1], target.device)
        rows += int(real.sum())
        scale = 1 / math.sqrt(d_head) if getattr(attention, "scale", True) else 1.0
        with torch.no_grad():
            logits = (split_heads(q0, attention) @ keys.transpose(-2, -1)) * scale
            spread = max(spread, float(logits[real].std()))
        for fused in (False, True):
            q = q0.detach().clone().requires_grad_(True)
            probs = path_weights(attention, x, part, q, fused)
            p = probs.detach()
            for n in range(COTANGENTS + 1):
                u = torch.ones_like(p) if n == COTANGENTS else target.randn(*p.shape, offset=3200 + 17 * index + n)
                (grad,) = torch.autograd.grad(probs, q, grad_outputs=u, retain_graph=True)
                predicted = merge_heads(p * (u - (p * u).sum(-1, keepdim=True)) @ keys * scale)
                if n < COTANGENTS:
                    size = max(float(predicted.abs().max()), 1e-300)  # errors are relative to the gradient's size
                    formula_error = max(formula_error, float((grad - predicted).abs().max()) / size)
                else:  # U = all ones: d(sum_j p_ij)/dq = 0 because every row of J sums to 0
                    row_sum_error = max(row_sum_error, float(grad.abs().max()) / size)
        for key, factor in (("model", 1.0), ("unscaled", math.sqrt(d_head)), ("10x unscaled", 10 * math.sqrt(d_head))):
            with torch.no_grad():
                p = path_weights(attention, x, part, q0 * factor, False)
            norms[key].append(float(jacobian_norm(p)[real].mean()))
    mean = {key: sum(values) / len(values) for key, values in norms.items()}
    measured = max(formula_error, row_sum_error)
    tolerance = 10 * target.rounding
    inputs = "real hidden states" if all(part.real for part in captured) else "inputs"
    detail = (
        f"{len(captured)} attention module(s) on their {inputs} with the model's own mask, float64, explicit and "
        f"fused path: autograd U^T dP/dq vs (diag(p) - p p^T) K / sqrt(d_head) for {COTANGENTS} random U, max "
        f"relative error {formula_error:.1e}; d(row sums)/dq {row_sum_error:.1e} (rows of J sum to 0); {rows} "
        f"query rows, logit std {spread:.2f}. Mean ||J||_F per row: {mean['model']:.3f} at the model's logits, "
        f"{mean['unscaled']:.3f} without 1/sqrt(d_head), {mean['10x unscaled']:.3f} at 10x that (saturating)"
        f"{note}{capture_note}"
    )
    extra = {
        "formula error": formula_error,
        "row sum error": row_sum_error,
        "mean |J| at model logits": mean["model"],
        "mean |J| unscaled": mean["unscaled"],
        "mean |J| 10x unscaled": mean["10x unscaled"],
    }
    return CheckResult(measured, tolerance, measured <= tolerance, detail, extra=extra, measured_on=on)
