"""Self-attention without masks is permutation-equivariant; a padding mask permutes with the tokens; the causal
mask breaks it (which is why order needs positions, or a mask)."""

from __future__ import annotations

import sympy as sp

from seqlab.proofs.base import Identity, ProofResult, ProofStep, eq

LENGTH = 3  # the proof's tokens x1, x2, x3


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
    live_check = "seqlab.proofs.live.equivariance:check_causal_permutation"  # the torch half, imported on first use

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
