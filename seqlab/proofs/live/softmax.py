"""The live checks of seqlab.proofs.softmax (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

from typing import Any

import torch

from seqlab.proofs.base import CheckResult
from seqlab.proofs.softmax import SoftmaxShift
from seqlab.proofs.target import LiveTarget, attention_modules, exact_copy


def check_softmax_shift(identity: SoftmaxShift, target: LiveTarget) -> CheckResult:
    """Shift every logit row of each attention module by a row constant (through the keys); outputs stay put.

    Adding one vector u to every key adds q_i . u / sqrt(d_head) to row i of the logits: a different
    constant per row, the same for every key in it. Softmax should not notice.
    """
    modules, note, on = attention_modules(target)
    worst_out = worst_probs = 0.0
    biggest_shift = 0.0
    length = 10
    for index, (_, module) in enumerate(modules):
        attention = exact_copy(module, target)
        d = attention.d_model
        x = target.randn(2, length, d, offset=800 + index)
        mask = torch.ones(2, length, dtype=torch.bool, device=target.device)
        mask[1, 6:] = False
        shift = target.randn(d, offset=900 + index) * 5

        def add_to_keys(_: Any, __: Any, keys: torch.Tensor) -> torch.Tensor:
            return keys + shift

        with torch.no_grad():
            queries = attention.query(x)
            head_q = queries.view(2, length, attention.n_heads, attention.d_head)
            row_shift = (head_q * shift.view(attention.n_heads, attention.d_head)).sum(-1)
            biggest_shift = max(biggest_shift, float(row_shift.abs().max()) / attention.d_head**0.5)
            for causal in (False, True):
                for need_weights in (True, False):
                    base, base_probs = attention(x, mask, causal, need_weights)
                    handle = attention.key.register_forward_hook(add_to_keys)
                    try:
                        moved, moved_probs = attention(x, mask, causal, need_weights)
                    finally:
                        handle.remove()
                    worst_out = max(worst_out, float((moved - base).abs().max()))
                    if base_probs is not None:
                        worst_probs = max(worst_probs, float((moved_probs - base_probs).abs().max()))
    measured = max(worst_out, worst_probs)
    detail = (
        f"{len(modules)} attention module(s), float64: a random vector added to every key shifts each logit row "
        f"by up to {biggest_shift:.1f}; max change of outputs {worst_out:.1e}, of weights {worst_probs:.1e} "
        f"(both paths, with and without masks){note}"
    )
    extra = {"largest row shift": biggest_shift}
    return CheckResult(
        measured, target.rounding, measured <= target.rounding, detail, extra=extra, measured_on=on
    )
