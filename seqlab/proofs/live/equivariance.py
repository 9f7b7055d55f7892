"""The live checks of seqlab.proofs.equivariance (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from typing import Any

import torch

from seqlab.proofs.base import CheckResult
from seqlab.proofs.capture import capture_calls, key_padding
from seqlab.proofs.equivariance import CausalPermutation
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy
BREAK_AT_LEAST = 1e-3  # the causal mask must move outputs by at least this share of their size


def permutation(length: int, generator: torch.Generator) -> torch.Tensor:
    """A seeded permutation of range(length) that moves at least the first token (reversal when a draw does not)."""
    order = torch.randperm(length, generator=generator)
    if length > 1 and int(order[0]) == 0:
        order = torch.arange(length - 1, -1, -1)
    return order


def _gap(attention: Any, x: torch.Tensor, padding: torch.Tensor | None, causal: bool, order: torch.Tensor,
         need_weights: bool) -> float:
    """max |attn(P x) - P attn(x)| / max |attn(x)| on one path, the padding mask (if any) permuted with the tokens."""
    order = order.to(x.device)
    base, _ = attention(x, padding, causal, need_weights)
    moved_mask = padding[:, order] if padding is not None else None
    moved, _ = attention(x[:, order], moved_mask, causal, need_weights)
    return float((moved - base[:, order]).abs().max()) / max(float(base.abs().max()), 1e-300)


def check_causal_permutation(identity: CausalPermutation, target: LiveTarget) -> CheckResult:
    """Each attention module on its captured inputs, both paths: permute the tokens (and the padding mask with
    them); outputs must permute alike without the causal mask and must not with it."""
    modules, note, on = attention_modules(target)
    captured, capture_note = capture_calls(target, modules, lambda m: int(m.d_model), offset=3900)
    free = padded = 0.0
    causal_gap = float("inf")
    padded_modules = 0
    for index, part in enumerate(captured):
        attention = exact_copy(part.module, target)
        x = part.x.to(target.dtype)
        length = x.shape[1]
        order = permutation(length, target.generator(3950 + index))
        padding = key_padding(part.mask, length)
        for need_weights in (True, False):
            with torch.no_grad():
                free = max(free, _gap(attention, x, None, False, order, need_weights))
                if padding is not None:
                    padded = max(padded, _gap(attention, x, padding, False, order, need_weights))
                causal_gap = min(causal_gap, _gap(attention, x, None, True, order, need_weights))
        padded_modules += padding is not None
    measured = max(free, padded)
    tolerance = 10 * target.rounding
    broken_enough = causal_gap >= BREAK_AT_LEAST
    inputs = "real hidden states" if all(part.real for part in captured) else "inputs"
    padding_text = (
        f", with the padding mask permuted along {padded:.1e} ({padded_modules} module(s) had padding)"
        if padded_modules else ", no padding in the captured batch"
    )
    detail = (
        f"{len(captured)} attention module(s) on their {inputs}, float64, both paths, tokens permuted by a seeded "
        f"permutation: max |attn(Px) - P attn(x)| relative to the output, no mask {free:.1e}{padding_text}; with "
        f"the causal mask at least {causal_gap:.2f} (want >= {BREAK_AT_LEAST:g}: causal attention is not "
        f"equivariant){note}{capture_note}"
    )
    extra = {"no mask": free, "padding permuted": padded, "causal": causal_gap}
    passed = measured <= tolerance and broken_enough
    return CheckResult(measured, tolerance, passed, detail, extra=extra, measured_on=on)
