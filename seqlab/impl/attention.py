"""Checking a learner's scaled dot-product attention function: seqlab's attention identities measured on it (inside
a MultiHeadSelfAttention whose attention step is theirs), parity with seqlab's `scaled_dot_product`, gradcheck,
and the named bugs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import torch

from seqlab.impl.compare import Bug, diagnose, parity_row, where_worst
from seqlab.impl.report import PROPERTY, Diagnosis, ImplRow
from seqlab.impl.student import ContractError, call
from seqlab.impl.wrapping import run_identities
from seqlab.models.attention import MultiHeadSelfAttention, scaled_dot_product

TOLERANCE = 1e-9  # float64 inputs; two correct ways of writing attention differ by rounding only
SKIPPED = ("multihead-params", "attention-cost")  # about seqlab's projections and FLOPs, not the attention step


def split_result(result: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """(out, weights) from what the learner's function returned; ContractError when it is not such a pair."""
    if isinstance(result, (tuple, list)) and len(result) == 2 and all(isinstance(t, torch.Tensor) for t in result):
        return result[0], result[1]
    raise ContractError(f"attention must return (out, weights), two tensors; it returned {type(result).__name__}")


class LearnerAttention(MultiHeadSelfAttention):
    """seqlab's MultiHeadSelfAttention whose attention step (both paths) is the learner's function."""

    def __init__(self, fn: Callable[..., Any], where: Path | None, d_model: int = 16, n_heads: int = 4) -> None:
        super().__init__(d_model, n_heads)
        self.fn = fn
        self.where = where

    def forward(self, x: torch.Tensor, attention_mask: Any = None, causal: bool = False, need_weights: bool = False,
                packed: Any = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Project, call the learner's attention with a bool mask [B,H,T,T] (True = may attend), project back."""
        b, t, d = x.shape
        mask = self._batch_mask(attention_mask, causal, x)
        q, k, v = (self._split_heads(proj(x)) for proj in (self.query, self.key, self.value))
        allowed = None if mask.allowed is None else mask.allowed.expand(b, self.n_heads, t, t)
        context, probs = split_result(call(self.fn, q, k, v, allowed, where=self.where))
        context = context.transpose(1, 2).reshape(b, t, d)
        return self.out(context), (probs if need_weights else None)


def cases(seed: int) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]]:
    """Seeded inputs: no mask; padding + causal; batch 1 of length 1; different lengths of queries and keys."""
    generator = torch.Generator().manual_seed(seed)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=generator, dtype=torch.float64) * 1.5

    b, h, t, d = 2, 3, 6, 8
    lengths = torch.tensor([6, 3])
    padding = (torch.arange(t)[None, :] < lengths[:, None])[:, None, None, :]  # [B,1,1,T]
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    mask = (padding & causal).expand(b, h, t, t)
    return [
        (randn(b, h, t, d), randn(b, h, t, d), randn(b, h, t, d), None),
        (randn(b, h, t, d), randn(b, h, t, d), randn(b, h, t, 5), mask),
        (randn(1, 1, 1, d), randn(1, 1, 1, d), randn(1, 1, 1, d), torch.ones(1, 1, 1, 1, dtype=torch.bool)),
        (randn(2, 4, 8), randn(2, 7, 8), randn(2, 7, 3), (torch.arange(7) < 5).expand(2, 4, 7)),
    ]


def buggy(logits_scale: Callable[[int], float] | None = None, after: bool = False, inverted: bool = False,
          axis: int = -1) -> Callable[..., torch.Tensor]:
    """A buggy attention's output: a different scale, the mask after the softmax, an inverted mask, another axis."""

    def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        scale = logits_scale(q.size(-1)) if logits_scale else 1 / math.sqrt(q.size(-1))
        logits = q @ k.transpose(-2, -1) * scale
        keep = None if mask is None else (~mask if inverted else mask)
        if keep is not None and not after:
            logits = logits.masked_fill(~keep, float("-inf"))
        probs = logits.softmax(dim=axis)
        if keep is not None and after:
            probs = probs.masked_fill(~keep, 0.0)
        return probs @ v

    return attend


BUGS = (
    ("no 1/sqrt(d_k)", "divide the logits q k^T by sqrt(d_k) (d_k = q.size(-1)) before the softmax",
     dict(logits_scale=lambda d: 1.0)),
    ("scaled by d_k instead of sqrt(d_k)", "divide by math.sqrt(d_k), not by d_k", dict(logits_scale=lambda d: 1 / d)),
    ("scaled by sqrt(d_k) the wrong way (multiplied)", "divide the logits by sqrt(d_k); you multiplied",
     dict(logits_scale=lambda d: math.sqrt(d))),
    ("mask applied after softmax", "mask the logits (masked_fill with -inf) BEFORE the softmax; zeroing weights after "
     "it leaves rows that no longer sum to 1", dict(after=True)),
    ("mask inverted", "True in the mask means 'may attend': fill the logits where the mask is False (~mask)",
     dict(inverted=True)),
    ("softmax over the wrong axis", "take the softmax over the keys, the last axis (dim=-1): each query's row sums to 1",
     dict(axis=-2)),
    ("mask after softmax over the wrong axis", "mask before the softmax, over dim=-1", dict(after=True, axis=-2)),
)


def check_attention(fn: Callable[..., Any], where: Path | None, seed: int = 0) -> tuple[list[ImplRow], list[Diagnosis]]:
    """Every check of the attention kind on the learner's function: parity, gradcheck, identities, diagnoses."""
    inputs = cases(seed)
    outs, weights = [], []
    for q, k, v, mask in inputs:
        out, probs = split_result(call(fn, q.clone(), k.clone(), v.clone(), None if mask is None else mask.clone(),
                                       where=where))
        outs.append(out)
        weights.append(probs)
    references = [scaled_dot_product(q, k, v, mask) for q, k, v, mask in inputs]
    rows = [
        parity_row("same output as seqlab", outs, [ref[0] for ref in references], TOLERANCE,
                   "4 seeded cases (no mask; padding + causal; batch 1, length 1; 4 queries, 7 keys)"),
        parity_row("same weights as seqlab", weights, [ref[1] for ref in references], TOLERANCE,
                   "the weights your function returned, same cases"),
    ]
    if not rows[0].passed and outs[1].shape == references[1][0].shape:
        rows[0] = ImplRow(rows[0].name, rows[0].source, rows[0].measured, rows[0].tolerance, False,
                          rows[0].detail + " " + where_worst(outs[1], references[1][0], ("batch", "head", "query")))
    rows.append(gradcheck_row(fn, where, seed))
    diagnoses = diagnose(outs, [Bug(name, advice, lambda i, spec=spec: buggy(**spec)(*inputs[i]))
                                for name, advice, spec in BUGS], 1e-7) if not rows[0].passed else []
    if not diagnoses:
        diagnoses = measured_bugs(inputs, outs, weights, references)
    if not rows[0].passed and not diagnoses:
        q, k, v, mask = inputs[0]
        again, _ = split_result(call(fn, q.clone(), k.clone(), v.clone(), mask, where=where))
        if again.shape == outs[0].shape and not torch.equal(again, outs[0]):
            diagnoses.append(Diagnosis(
                "output changes between two calls on the same input",
                "attention must be deterministic when checked: F.dropout(x, p) drops even at evaluation (its "
                "training flag defaults to True); use nn.Dropout in a module, or F.dropout(x, p, training=...)",
                f"two calls differ by up to {(again - outs[0]).abs().max().item():.3g}"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        part = LearnerAttention(fn, where)
    rows.extend(run_identities(part, "attention", SKIPPED, seed))
    return rows, diagnoses


def measured_bugs(inputs: list[Any], outs: list[torch.Tensor], weights: list[torch.Tensor],
                  references: list[tuple[torch.Tensor, torch.Tensor]]) -> list[Diagnosis]:
    """Bugs told by measuring the learner's output rather than by reproducing it: weight left on masked keys (a 0 or
    small negative fill instead of -inf), and weights returned that are not the softmax (the scores returned)."""
    _q, _k, _v, mask = inputs[1]
    found: list[Diagnosis] = []
    if weights[1].shape == mask.shape:
        leaked = weights[1].masked_fill(mask, 0.0).sum(-1)
        rows_ok = (weights[1].sum(-1) - 1).abs().max().item() < 1e-6
        if rows_ok and leaked.max().item() > 1e-9:
            batch, head, query = (int(i) for i in torch.unravel_index(leaked.argmax(), leaked.shape))
            found.append(Diagnosis(
                "weights leak onto masked keys",
                "fill the masked logits with float('-inf') (or torch.finfo(dtype).min) before the softmax; "
                "0 or a small negative number still gives them weight",
                f"up to {leaked.max().item():.3g} of a row's weight on masked keys (batch {batch}, head {head}, query "
                f"{query} of the padded, causal case); mean {leaked[~mask.all(-1)].mean().item():.3g}"))
    same_out = all(out.shape == ref[0].shape and torch.allclose(out, ref[0], atol=1e-7)
                   for out, ref in zip(outs, references))
    if same_out and any(w.shape != ref[1].shape or not torch.allclose(w, ref[1], atol=1e-7)
                        for w, ref in zip(weights, references)):
        sums = weights[0].sum(-1)
        found.append(Diagnosis(
            "returned weights are not the softmax",
            "return (weights @ v, weights) with weights = softmax(scores): your output is right, the second "
            "tensor is not (the scores before the softmax?)",
            f"your weights' rows sum to {sums.min().item():.3g}..{sums.max().item():.3g}, not 1"))
    return found


def gradcheck_row(fn: Callable[..., Any], where: Path | None, seed: int) -> ImplRow:
    """torch.autograd.gradcheck in float64 on a small masked case: the gradient your function's backward gives equals
    the finite-difference one (it fails on in-place edits autograd cannot follow)."""
    generator = torch.Generator().manual_seed(seed + 1)
    q, k, v = (torch.randn(1, 2, 3, 4, generator=generator, dtype=torch.float64, requires_grad=True) for _ in range(3))
    mask = torch.ones(3, 3, dtype=torch.bool).tril().expand(1, 2, 3, 3)

    def out_only(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return split_result(call(fn, q, k, v, mask, where=where))[0]

    try:
        held = bool(torch.autograd.gradcheck(out_only, (q, k, v), eps=1e-6, atol=1e-5, raise_exception=False))
        detail = "q, k, v [1,2,3,4] float64 with a causal mask: analytic gradients equal finite differences"
    except ContractError:
        raise
    except RuntimeError as exc:
        held, detail = False, f"backward failed: {str(exc).splitlines()[0]}"
    if not held and detail.startswith("q, k, v"):
        detail = "your backward's gradients differ from finite differences (an in-place edit or a detach?)"
    return ImplRow("gradcheck", PROPERTY, 0.0 if held else 1.0, 0.0, held, detail)
