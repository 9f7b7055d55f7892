"""Self-attention without masks is permutation-equivariant; a padding mask permutes with the tokens; the causal
mask breaks it (which is why order needs positions, or a mask)."""

from __future__ import annotations

from typing import Any

import sympy as sp
import torch

from seqlab.proofs.base import CheckResult, Identity, ProofResult, ProofStep, eq
from seqlab.proofs.capture import capture_calls, key_padding
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy

LENGTH = 3  # the proof's tokens x1, x2, x3
BREAK_AT_LEAST = 1e-3  # the causal mask must move outputs by at least this share of their size


def _attention(xs: list[sp.Expr], blocked: list[list[bool]]) -> sp.Matrix:
    """One head over scalar tokens (q = a x, k = b x, v = c x), blocked pairs weighted 0: the outputs [T]."""
    a, b, c = sp.symbols("a b c", real=True)
    length = len(xs)
    exps = [[0 if blocked[i][j] else sp.exp(a * xs[i] * b * xs[j]) for j in range(length)] for i in range(length)]
    return sp.Matrix([sum(exps[i][j] * c * xs[j] for j in range(length)) / sum(exps[i]) for i in range(length)])


def _differences(outputs: sp.Matrix, permuted_outputs: sp.Matrix, order: list[int]) -> sp.Matrix:
    """attention(P x) - P attention(x), simplified."""
    return sp.Matrix([sp.simplify(permuted_outputs[i] - outputs[order[i]]) for i in range(len(order))])


class CausalPermutation(Identity):
    """attn(P x) = P attn(x) for every permutation P without masks (and with a padding mask permuted along);
    not with the causal mask."""

    id = "causal-permutation"
    part = "attention"
    title = "self-attention is permutation-equivariant without masks; the causal mask breaks it"
    conditions = (
        "self-attention alone (no positions added, no position-dependent bias): permuting the tokens permutes "
        "queries, keys and values alike, so the outputs come out permuted the same way: attn(P x) = P attn(x). A "
        "padding mask permuted with its tokens keeps this (pads follow their token). The causal mask is tied to the "
        "positions, not the tokens, so a permuted input sees different prefixes and the equality fails. Holds "
        "without masks only; a whole model is order-blind only if nothing else (positions) sees the order."
    )

    def prove(self) -> ProofResult:
        """T = 3 scalar tokens, the cycle (x3, x1, x2): no mask and padding keep equality; causal does not."""
        xs = list(sp.symbols(f"x1:{LENGTH + 1}", real=True))
        order = [2, 0, 1]  # position i of the permuted input holds token order[i]
        permuted = [xs[k] for k in order]
        free = [[False] * LENGTH for _ in range(LENGTH)]
        no_mask = _differences(_attention(xs, free), _attention(permuted, free), order)
        pad = [False, True, False]  # token x2 is padding
        padded = [[pad[j] for j in range(LENGTH)] for _ in range(LENGTH)]
        padded_permuted = [[pad[order[j]] for j in range(LENGTH)] for _ in range(LENGTH)]
        with_padding = _differences(_attention(xs, padded), _attention(permuted, padded_permuted), order)
        causal = [[j > i for j in range(LENGTH)] for i in range(LENGTH)]
        causal_gap = _differences(_attention(xs, causal), _attention(permuted, causal), order)
        a, b, c = sp.symbols("a b c", real=True)
        example = {a: 1, b: 1, c: 1, xs[0]: 1, xs[1]: 2, xs[2]: 3}
        first = sp.nsimplify(causal_gap[0].subs(example))
        checks = [no_mask == sp.zeros(LENGTH, 1), with_padding == sp.zeros(LENGTH, 1), first != 0]
        steps = (
            ProofStep("one head over three scalar tokens, no mask: output 1", eq("o_1", _attention(xs, free)[0])),
            ProofStep("permute the tokens to (x3, x1, x2): attn(P x) - P attn(x), entry by entry", eq("attn(Px) - P attn(x)", no_mask)),
            ProofStep("x2 is padding and its mask moves with it: still equal", eq("attn(Px, Pm) - P attn(x, m)", with_padding)),
            ProofStep(
                "the causal mask stays on the positions: the first output now sees x3 alone, not all three tokens",
                eq("[attn(Px) - P attn(x)]_1 (causal)", causal_gap[0]),
            ),
            ProofStep("it is not zero: at a = b = c = 1, x = (1, 2, 3)", eq("gap_1", first)),
        )
        statement = "attn(P x) = P attn(x) without masks and with a padding mask permuted along; not with the causal mask"
        return ProofResult(statement, steps, all(checks))

    def check(self, target: LiveTarget) -> CheckResult:
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
