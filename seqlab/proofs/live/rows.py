"""The live checks of seqlab.proofs.rows (torch): each measures its identity on a LiveTarget."""

from __future__ import annotations

import torch

from seqlab.proofs.base import CheckResult
from seqlab.proofs.rows import AttentionRows
from seqlab.proofs.target import LiveTarget, attention_modules, attention_weights, exact_copy


def check_attention_rows(identity: AttentionRows, target: LiveTarget) -> CheckResult:
    """Read every attention module's weights on both paths, with a padding mask, with and without the causal mask."""
    modules, note, on = attention_modules(target)
    parts = {"|row L1 - 1|": 0.0, "row L2 above 1": 0.0, "L2² above the largest weight": 0.0}
    lengths = torch.tensor([10, 7, 3], device=target.device)
    length = 10
    mask = torch.arange(length, device=target.device)[None, :] < lengths[:, None]
    column_low, column_high = float("inf"), float("-inf")
    one_hot_rows = rows = 0
    for index, (_, module) in enumerate(modules):
        attention = exact_copy(module, target)
        x = target.randn(3, length, attention.d_model, offset=1600 + index) * 2
        for causal in (False, True):
            for probs in attention_weights(attention, x, mask, causal).values():
                real = mask[:, None, :].expand(probs.shape[:3])  # rows of real queries
                l1 = probs.sum(-1)[real]
                l2 = probs.norm(dim=-1)[real]
                biggest = probs.max(dim=-1).values[real]
                parts["|row L1 - 1|"] = max(parts["|row L1 - 1|"], float((l1 - 1).abs().max()))
                parts["row L2 above 1"] = max(parts["row L2 above 1"], float((l2 - 1).clamp(min=0).max()))
                # The quantitative form of "equality only for one-hot": sum p^2 <= max p * sum p = max p,
                # so L2^2 can reach 1 only as fast as the largest weight does.
                parts["L2² above the largest weight"] = max(
                    parts["L2² above the largest weight"], float((l2**2 - biggest).clamp(min=0).max())
                )
                one_hot_rows += int((biggest >= 1 - target.rounding).sum())
                rows += int(real.sum())
                keys = mask[:, None, :].expand(probs.shape[0], probs.shape[1], length)  # real key columns
                columns = probs.masked_fill(~real[..., None], 0).sum(-2)[keys]
                column_low, column_high = min(column_low, float(columns.min())), max(column_high, float(columns.max()))
    measured = max(parts.values())
    detail = (
        f"{len(modules)} attention module(s), float64, weights of both the explicit and the fused path, "
        f"padding mask, with and without the causal mask; {rows} real rows: max |L1 - 1| {parts['|row L1 - 1|']:.1e}, "
        f"L2 above 1 by {parts['row L2 above 1']:.1e}, L2² above the row's largest weight by "
        f"{parts['L2² above the largest weight']:.1e} (so L2 = 1 only when one weight is 1); {one_hot_rows} rows "
        f"one-hot to rounding, with L2 = 1 (such as the first query under the causal mask); column sums ranged "
        f"{column_low:.2f}..{column_high:.2f}, unconstrained{note}"
    )
    extra = {**parts, "column sum min": column_low, "column sum max": column_high, "one-hot rows": float(one_hot_rows)}
    return CheckResult(
        measured, target.rounding, measured <= target.rounding, detail, extra=extra, measured_on=on
    )
